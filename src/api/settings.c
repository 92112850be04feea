/*
 * settings.c — a store's settings.  Secrets (the WhatsApp provider
 * credential) are write-only: sealed with the master key on the way in,
 * reported only as set or not.
 */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/audit_payload.h"
#include "domain/apartment.h"
#include "domain/money.h"
#include "domain/phone.h"
#include "http/jsonin.h"
#include "security/secret.h"
#include "store/store_tenants.h"
#include "util/idtext.h"
#include "util/tz.h"

/* Free-form objects (reminder schedule, provider config) are stored as
 * JSON text; this caps them like every other field. */
#define SETTINGS_OBJECT_MAX 4000

static json_t *settings_json(struct req *r, const struct settings_rec *s, const char *store_name)
{
	json_t *o = json_object();
	json_t *sched = json_loads(s->reminder_schedule, 0, NULL);
	json_t *wa = json_loads(s->whatsapp_config, 0, NULL);
	(void)r;
	json_object_set_new(o, "name", json_string(store_name));
	json_object_set_new(o, "currency", json_string(s->currency));
	json_object_set_new(o, "locale", json_string(s->locale));
	json_object_set_new(o, "timezone", json_string(s->timezone));
	json_object_set_new(o, "default_credit_limit_minor", json_integer(s->default_credit_limit_minor));
	json_object_set_new(o, "credit_period_days", json_integer(s->credit_period_days));
	json_object_set_new(o, "phone_country", json_string(s->phone_country));
	json_object_set_new(o, "upi_id", api_str_or_null(s->upi_id));
	json_object_set_new(o, "reminder_template", json_string(s->reminder_template));
	json_object_set_new(o, "reminder_schedule", sched ? sched : json_object());
	json_object_set_new(o, "quiet_hours_start", json_integer(s->quiet_hours_start));
	json_object_set_new(o, "quiet_hours_end", json_integer(s->quiet_hours_end));
	json_object_set_new(o, "building_layout", json_pack("{s:I, s:I, s:I}",
		"towers", (json_int_t)s->building_towers, "floors", (json_int_t)s->building_floors,
		"units", (json_int_t)s->building_units));
	json_object_set_new(o, "whatsapp_provider", json_string(s->whatsapp_provider));
	json_object_set_new(o, "whatsapp_config", wa ? wa : json_object());
	json_object_set_new(o, "whatsapp_secret_set", json_boolean(s->whatsapp_secret_sealed != NULL));
	json_object_set_new(o, "updated_at", api_time(s->updated_at));
	return o;
}

static const char *tenant_name(struct req *r)
{
	struct tenant_rec t;
	if (store_tenant_by_id(r->tx, r->caller.tenant_id, r->arena, &t) != STORE_OK)
		return "";
	return t.name;
}

int h_settings_get(struct req *r)
{
	struct settings_rec s;
	int rc = store_settings_get(r->tx, r->arena, &s);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "settings");
	return resp_json(r, 200, settings_json(r, &s, tenant_name(r)));
}

static int bad(struct req *r, const char *field, const char *msg)
{
	return req_fail_field(r, 422, "validation_failed", field, msg);
}

static int locale_valid(const char *s)
{
	/* "en", "en-IN", "hi-IN", "zh-Hant-TW": letters and dashes, 2-35 chars */
	size_t n = strlen(s);
	if (n < 2 || n > 35)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
			return 0;
	}
	return s[0] != '-' && s[n - 1] != '-';
}

static int upi_valid(const char *s)
{
	const char *at = strchr(s, '@');
	size_t n = strlen(s);
	if (!at || at == s || !at[1] || strchr(at + 1, '@') || n > 100)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '-' || c == '_' || c == '@'))
			return 0;
	}
	return 1;
}

int h_settings_update(struct req *r)
{
	static const struct jfield fields[] = {
		{ "name", JF_STRING, 0, 0, 120 },
		{ "currency", JF_STRING, 0, 0, 3 },
		{ "locale", JF_STRING, 0, 0, 35 },
		{ "timezone", JF_STRING, 0, 0, 64 },
		{ "default_credit_limit_minor", JF_INTEGER, 0, 0, 0 },
		{ "credit_period_days", JF_INTEGER, 0, 0, 0 },
		{ "phone_country", JF_STRING, 0, 0, 5 },
		{ "upi_id", JF_STRING, 0, 1, 100 },
		{ "reminder_template", JF_STRING, 0, 0, 1000 },
		{ "reminder_schedule", JF_OBJECT, 0, 0, 0 },
		{ "quiet_hours_start", JF_INTEGER, 0, 0, 0 },
		{ "quiet_hours_end", JF_INTEGER, 0, 0, 0 },
		{ "building_layout", JF_OBJECT, 0, 0, 0 },
		{ "whatsapp_provider", JF_STRING, 0, 0, 20 },
		{ "whatsapp_config", JF_OBJECT, 0, 0, 0 },
		{ "whatsapp_secret", JF_STRING, 0, 1, 2000 },
	};
	static const struct jfield layout_fields[] = {
		{ "towers", JF_INTEGER, 1, 0, 0 },
		{ "floors", JF_INTEGER, 1, 0, 0 },
		{ "units", JF_INTEGER, 1, 0, 0 },
	};
	struct settings_rec s;
	char err[200];
	json_t *body = jsonin_object(r, fields, sizeof fields / sizeof fields[0]);
	json_t *before = NULL, *after = NULL;
	int rc = -1;

	if (!body)
		return -1;
	rc = store_settings_get(r->tx, r->arena, &s);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "settings");
		goto out;
	}
	const char *old_name = tenant_name(r);
	before = audit_payload_settings(&s, old_name);
	rc = -1;

	const char *name = jsonin_str(body, "name", NULL);
	if (name && (!name[0] || text_has_control_chars(name))) {
		bad(r, "name", "must be 1-120 characters without control characters");
		goto out;
	}
	const char *v;
	if ((v = jsonin_str(body, "currency", NULL))) {
		if (currency_exponent(v) < 0) {
			bad(r, "currency", "must be an ISO 4217 currency code such as INR");
			goto out;
		}
		s.currency = arena_strdup(r->arena, v);
	}
	if ((v = jsonin_str(body, "locale", NULL))) {
		if (!locale_valid(v)) {
			bad(r, "locale", "must be a language tag such as en-IN");
			goto out;
		}
		s.locale = arena_strdup(r->arena, v);
	}
	if ((v = jsonin_str(body, "timezone", NULL))) {
		if (tz_valid(v) != 0) {
			bad(r, "timezone", "must be an IANA time zone such as Asia/Kolkata");
			goto out;
		}
		s.timezone = arena_strdup(r->arena, v);
	}
	if (jsonin_has(body, "default_credit_limit_minor")) {
		int64_t n = jsonin_int(body, "default_credit_limit_minor", -1);
		if (n < 0 || n > MONEY_CREDIT_LIMIT_MAX) {
			bad(r, "default_credit_limit_minor", "must be between 0 and 10^15");
			goto out;
		}
		s.default_credit_limit_minor = n;
	}
	if (jsonin_has(body, "credit_period_days")) {
		int64_t n = jsonin_int(body, "credit_period_days", -1);
		if (n < 0 || n > 365) {
			bad(r, "credit_period_days", "must be between 0 and 365");
			goto out;
		}
		s.credit_period_days = n;
	}
	if ((v = jsonin_str(body, "phone_country", NULL))) {
		if (phone_country_code_valid(v) != 0) {
			bad(r, "phone_country", "must be a country calling code such as +91");
			goto out;
		}
		s.phone_country = arena_strdup(r->arena, v);
	}
	if (jsonin_has(body, "upi_id")) {
		v = jsonin_str(body, "upi_id", NULL);
		if (v && v[0] && !upi_valid(v)) {
			bad(r, "upi_id", "must be a UPI id such as store@upi");
			goto out;
		}
		s.upi_id = v && v[0] ? arena_strdup(r->arena, v) : NULL;
	}
	if ((v = jsonin_str(body, "reminder_template", NULL))) {
		if (!v[0]) {
			bad(r, "reminder_template", "must not be empty");
			goto out;
		}
		s.reminder_template = arena_strdup(r->arena, v);
	}
	if (jsonin_has(body, "reminder_schedule")) {
		char *text = json_dumps(json_object_get(body, "reminder_schedule"), JSON_COMPACT | JSON_SORT_KEYS);
		if (!text || strlen(text) > SETTINGS_OBJECT_MAX) {
			free(text);
			bad(r, "reminder_schedule", "must be at most 4000 bytes");
			goto out;
		}
		s.reminder_schedule = arena_strdup(r->arena, text);
		free(text);
	}
	if (jsonin_has(body, "quiet_hours_start")) {
		int64_t n = jsonin_int(body, "quiet_hours_start", -1);
		if (n < 0 || n > 23) {
			bad(r, "quiet_hours_start", "must be an hour 0-23");
			goto out;
		}
		s.quiet_hours_start = n;
	}
	if (jsonin_has(body, "quiet_hours_end")) {
		int64_t n = jsonin_int(body, "quiet_hours_end", -1);
		if (n < 0 || n > 23) {
			bad(r, "quiet_hours_end", "must be an hour 0-23");
			goto out;
		}
		s.quiet_hours_end = n;
	}
	if (jsonin_has(body, "building_layout")) {
		json_t *l = json_object_get(body, "building_layout");
		if (jsonin_check(r, l, "building_layout", layout_fields, 3) < 0)
			goto out;
		struct building_layout bl = {
			(int)jsonin_int(l, "towers", -1), (int)jsonin_int(l, "floors", -1), (int)jsonin_int(l, "units", -1) };
		if (jsonin_int(l, "towers", -1) > 99 || jsonin_int(l, "floors", -1) > 100 ||
		    jsonin_int(l, "units", -1) > 9 || building_layout_valid(&bl, err, sizeof err) < 0) {
			bad(r, "building_layout", "towers 0-99, floors 0-100 and units 0-9 (0 = not set)");
			goto out;
		}
		s.building_towers = bl.towers;
		s.building_floors = bl.floors;
		s.building_units = bl.units;
	}
	if ((v = jsonin_str(body, "whatsapp_provider", NULL))) {
		if (strcmp(v, "link") && strcmp(v, "whatsapp_cloud") && strcmp(v, "twilio")) {
			bad(r, "whatsapp_provider", "must be link, whatsapp_cloud or twilio");
			goto out;
		}
		s.whatsapp_provider = arena_strdup(r->arena, v);
	}
	if (jsonin_has(body, "whatsapp_config")) {
		char *text = json_dumps(json_object_get(body, "whatsapp_config"), JSON_COMPACT | JSON_SORT_KEYS);
		if (!text || strlen(text) > SETTINGS_OBJECT_MAX) {
			free(text);
			bad(r, "whatsapp_config", "must be at most 4000 bytes");
			goto out;
		}
		s.whatsapp_config = arena_strdup(r->arena, text);
		free(text);
	}
	if (jsonin_has(body, "whatsapp_secret")) {
		v = jsonin_str(body, "whatsapp_secret", NULL);
		if (v && v[0]) {
			char *sealed = secret_seal(r->app->master_key, v);
			if (!sealed) {
				req_fail(r, 500, "internal_error", "could not encrypt the secret");
				goto out;
			}
			s.whatsapp_secret_sealed = arena_strdup(r->arena, sealed);
			free(sealed);
		} else {
			s.whatsapp_secret_sealed = NULL;
		}
	}
	rc = store_settings_put(r->tx, &s);
	if (rc == STORE_OK && name)
		rc = store_tenant_set_name(r->tx, r->caller.tenant_id, name);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "settings");
		goto out;
	}
	rc = store_settings_get(r->tx, r->arena, &s);
	if (rc == STORE_OK) {
		json_t *payload = audit_payload_settings(&s, name ? name : old_name);
		rc = store_audit(r->tx, "settings.updated", "settings", r->caller.tenant_id, before, payload);
		json_decref(payload);
		after = settings_json(r, &s, name ? name : old_name);
	}
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "settings");
		goto out;
	}
	rc = resp_json(r, 200, json_incref(after));
out:
	json_decref(before);
	json_decref(after);
	json_decref(body);
	return rc;
}
