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

int plan_name_valid(const char *name)
{
	size_t n = name ? strlen(name) : 0;
	if (n == 0 || n > PLAN_NAME_MAX || name[0] < 'a' || name[0] > 'z')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

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

char *plan_features_text(uint32_t mask)
{
	json_t *a = json_array();
	for (int f = 0; f < FEATURE_COUNT; f++)
		if (mask & PLAN_FEATURE_BIT(f))
			json_array_append_new(a, json_string(names[f]));
	char *text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return text;
}
