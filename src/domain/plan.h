/*
 * plan.h — plan features (SPEC section 2, "Plans") as a bit set.
 *
 * The plans table keeps a plan's features as a JSON array of names; the
 * server turns it into a bit set once per plan version (plan_features_parse)
 * and every gate is then one AND.
 */
#ifndef QT_DOMAIN_PLAN_H
#define QT_DOMAIN_PLAN_H

#include <stdint.h>

enum plan_feature {
	FEATURE_LEDGER,
	FEATURE_LINK_REMINDERS,
	FEATURE_WHATSAPP_REMINDERS,
	FEATURE_REPORTS,
	FEATURE_CSV_EXPORT,
	FEATURE_CSV_IMPORT,
	FEATURE_REALTIME,
	FEATURE_DOCUMENTS,
	FEATURE_API_KEYS,
	FEATURE_MULTI_CURRENCY,
	FEATURE_CREDIT_LINES,
	FEATURE_COUNT
};

#define PLAN_FEATURE_BIT(f) ((uint32_t)1 << (f))

/* The longest plan name (the request's caller keeps it in 32 bytes). */
#define PLAN_NAME_MAX 31

/* 1 when name can name a plan: 1-PLAN_NAME_MAX lowercase letters, digits,
 * '-' or '_', starting with a letter. */
int plan_name_valid(const char *name);

/* "ledger", "csv_export", …; "" out of range. */
const char *plan_feature_name(enum plan_feature f);
/* 0 and *out for a known name, -1 otherwise. */
int plan_feature_parse(const char *name, enum plan_feature *out);
/*
 * The bit set of a JSON array of feature names.  Returns 0, or -1 when
 * text is not a JSON array of strings (then *mask is 0).  Names this
 * version does not know are skipped, so a newer plan row still loads.
 */
int plan_features_parse(const char *text, uint32_t *mask);
/* The features of mask as the plans table keeps them: a compact JSON array
 * of names in the order of enum plan_feature (malloc'd; the caller frees),
 * or NULL when out of memory.  plan_features_parse reads it back. */
char *plan_features_text(uint32_t mask);

#endif
