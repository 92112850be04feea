/*
 * store_plans.h — the plans a store can be on (free, starter,
 * professional, enterprise) and what each allows.  plans is a platform
 * table the migrations fill; these functions read it from any transaction.
 * Strings in returned records come from the arena `a` and live as long as
 * it.  Every function returns STORE_OK or a negative STORE_* code.
 */
#ifndef QT_STORE_PLANS_H
#define QT_STORE_PLANS_H

#include "store/store.h"

struct plan_rec {
	char *name;
	int64_t customer_limit;     /* -1 = unlimited */
	int64_t storage_mb;
	int64_t requests_per_min;   /* -1 = unlimited */
	char *features;             /* the features column: a JSON array of feature names, as text */
};

/* The plan called name; STORE_NOT_FOUND when there is none. */
QT_MUST_CHECK int store_plan_get(struct store_tx *tx, const char *name, struct arena *a,
	struct plan_rec *out);
/* Every plan, smallest customer limit first and the unlimited ones last,
 * into *out (an arena array, never NULL) and *n rows. */
QT_MUST_CHECK int store_plan_list(struct store_tx *tx, struct arena *a, struct plan_rec **out, int *n);

#endif
