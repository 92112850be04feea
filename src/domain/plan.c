/* plan.c — see plan.h. */
#include <string.h>

#include <jansson.h>

#include "domain/plan.h"

static const char *const names[FEATURE_COUNT] = {
	[FEATURE_LEDGER] = "ledger",
	[FEATURE_LINK_REMINDERS] = "link_reminders",
	[FEATURE_WHATSAPP_REMINDERS] = "whatsapp_reminders",
	[FEATURE_REPORTS] = "reports",
	[FEATURE_CSV_EXPORT] = "csv_export",
	[FEATURE_CSV_IMPORT] = "csv_import",
	[FEATURE_REALTIME] = "realtime",
	[FEATURE_DOCUMENTS] = "documents",
	[FEATURE_API_KEYS] = "api_keys",
	[FEATURE_MULTI_CURRENCY] = "multi_currency",
	[FEATURE_CREDIT_LINES] = "credit_lines",
};

const char *plan_feature_name(enum plan_feature f)
{
	if (f < 0 || f >= FEATURE_COUNT)
		return "";
	return names[f];
}

int plan_feature_parse(const char *name, enum plan_feature *out)
{
	for (int f = 0; name && f < FEATURE_COUNT; f++)
		if (strcmp(name, names[f]) == 0) {
			*out = (enum plan_feature)f;
			return 0;
		}
	return -1;
}

int plan_features_parse(const char *text, uint32_t *mask)
{
	json_t *a = text ? json_loads(text, JSON_REJECT_DUPLICATES, NULL) : NULL;
	size_t i;
	json_t *v;
	int rc = 0;

	*mask = 0;
	if (!json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	json_array_foreach(a, i, v) {
		enum plan_feature f;
		if (!json_is_string(v)) {
			rc = -1;
			break;
		}
		if (plan_feature_parse(json_string_value(v), &f) == 0)
			*mask |= PLAN_FEATURE_BIT(f);
	}
	json_decref(a);
	if (rc < 0)
		*mask = 0;
	return rc;
}
