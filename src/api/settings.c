/*
 * settings.c — a store's settings, and a preview of its reminder text.
 *
 * The WhatsApp provider secrets are write-only.  They are kept as one JSON
 * object ({"access_token": ..., "app_secret": ...}) sealed with the master
 * key in whatsapp_secret_sealed; a PATCH merges the keys it sends into that
 * object (null removes one) and seals it again.  Responses and audit rows
 * carry only the sorted names of the secrets that are set.  Opened secret
 * text is wiped before it is freed.
 */
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/audit_payload.h"
#include "core/ledger.h"
#include "core/reminders.h"
#include "domain/apartment.h"
#include "domain/language.h"
#include "domain/money.h"
#include "domain/phone.h"
#include "domain/reminder_rules.h"
#include "domain/template.h"
#include "domain/upi.h"
#include "http/jsonin.h"
#include "providers/wa_config.h"
#include "security/secret.h"
#include "store/store_tenants.h"
#include "util/civil.h"
#include "util/clock.h"
#include "util/idtext.h"
#include "util/log.h"
#include "util/tz.h"
#include "util/uuid.h"

/* The provider config is stored as JSON text; this caps it like every
 * other field. */
#define SETTINGS_OBJECT_MAX 4000

/* ---- the sealed secrets object ----------------------------------- */

/* Zero every string value of o (jansson frees without wiping), then
 * release it.  NULL is fine. */
static void secrets_free(json_t *o)
{
	const char *key;
	json_t *v;
	if (!o)
		return;
	json_object_foreach(o, key, v)
		if (json_is_string(v))
			sodium_memzero((void *)(uintptr_t)json_string_value(v), json_string_length(v));
	json_decref(o);
}

/* The opened secrets object: {} when none are sealed, NULL when the sealed
 * text does not open with this server's key (or is not an object). */
static json_t *secrets_open(struct req *r, const char *sealed)
{
	if (!sealed)
		return json_object();
	char *text = secret_open(r->app->master_key, sealed);
	if (!text)
		return NULL;
	json_t *o = json_loads(text, 0, NULL);
	secret_free(text);
	if (!json_is_object(o)) {
		secrets_free(o);
		return NULL;
	}
	return o;
}

/* The sorted names of the secrets in o (NULL: none). */
static json_t *secret_names(const json_t *o)
{
	json_t *names = json_array();
	const char *key;
	json_t *v;
	if (!o)
		return names;
	/* A handful of keys: insertion sort. */
	json_object_foreach((json_t *)(uintptr_t)o, key, v) {
		size_t i = 0, n = json_array_size(names);
		while (i < n && strcmp(json_string_value(json_array_get(names, i)), key) < 0)
			i++;
		json_array_insert_new(names, i, json_string(key));
	}
	return names;
}

/* Seal o (NULL when it is empty: nothing is set) into the arena. */
static int secrets_seal(struct req *r, const json_t *o, char **out)
{
	*out = NULL;
	if (json_object_size(o) == 0)
		return 0;
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	if (!text)
		return -1;
	char *sealed = secret_seal(r->app->master_key, text);
	sodium_memzero(text, strlen(text));
	free(text);
	if (!sealed)
		return -1;
	*out = arena_strdup(r->arena, sealed);
	free(sealed);
	return 0;
}

/* Is `name` a secret of channel's provider?  wa_config.c owns the lists. */
static int secret_of(enum wa_channel channel, const char *name)
{
	char field[WA_CONFIG_FIELD_MAX], err[160];
	json_t *probe = json_pack("{s:n}", name);
	int ok = probe && wa_config_check(channel, NULL, probe, field, err, sizeof err) == 0;
	json_decref(probe);
	return ok;
}

/* ---- responses ---------------------------------------------------- */

static const char *language_of(const struct settings_rec *s)
{
	return s->reminder_language && template_language_valid(s->reminder_language) == 0
		? s->reminder_language : "en";
}

/* The stored schedule over the defaults (bad stored text reads as the
 * defaults: the scheduler reads it the same way). */
static void schedule_of(const struct settings_rec *s, struct reminder_schedule *out)
{
	struct reminder_field_error fe;
	if (!s->reminder_schedule || reminder_schedule_parse(s->reminder_schedule, out, &fe) < 0)
		reminder_schedule_default(out);
}

static json_t *settings_json(const struct settings_rec *s, const char *store_name,
	const json_t *secrets_set, int secrets_readable)
{
	json_t *o = json_object();
	json_t *wa = json_loads(s->whatsapp_config ? s->whatsapp_config : "{}", 0, NULL);
	struct reminder_schedule sched;
	schedule_of(s, &sched);
	const char *lang = language_of(s);
	json_object_set_new(o, "name", json_string(store_name));
	json_object_set_new(o, "currency", json_string(s->currency));
	json_object_set_new(o, "locale", json_string(s->locale));
	json_object_set_new(o, "timezone", json_string(s->timezone));
	json_object_set_new(o, "default_credit_limit_minor", json_integer(s->default_credit_limit_minor));
	json_object_set_new(o, "credit_period_days", json_integer(s->credit_period_days));
	json_object_set_new(o, "phone_country", json_string(s->phone_country));
	json_object_set_new(o, "upi_id", api_str_or_null(s->upi_id));
	json_object_set_new(o, "reminder_language", json_string(lang));
	json_object_set_new(o, "reminder_template",
		s->reminder_template && s->reminder_template[0] ? json_string(s->reminder_template) : json_null());
	json_object_set_new(o, "reminder_template_builtin",
		json_string(template_builtin(TEMPLATE_REMINDER, lang)));
	json_t *sj = reminder_schedule_to_json(&sched);
	json_object_set_new(o, "reminder_schedule", sj ? sj : json_object());
	json_object_set_new(o, "quiet_hours_start", json_integer(s->quiet_hours_start));
	json_object_set_new(o, "quiet_hours_end", json_integer(s->quiet_hours_end));
	json_object_set_new(o, "receipts", json_string(s->receipts ? s->receipts : "off"));
	json_object_set_new(o, "building_layout", json_pack("{s:I, s:I, s:I}",
		"towers", (json_int_t)s->building_towers, "floors", (json_int_t)s->building_floors,
		"units", (json_int_t)s->building_units));
	json_object_set_new(o, "whatsapp_provider", json_string(s->whatsapp_provider));
	json_object_set_new(o, "whatsapp_config", json_is_object(wa) ? wa : json_object());
	if (wa && !json_is_object(wa))
		json_decref(wa);
	json_object_set_new(o, "whatsapp_secrets_set", json_deep_copy(secrets_set));
	json_object_set_new(o, "whatsapp_secrets_readable", json_boolean(secrets_readable));
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

/* The names of the stored secrets, and whether they open at all. */
static json_t *stored_secret_names(struct req *r, const struct settings_rec *s, int *readable)
{
	json_t *o = secrets_open(r, s->whatsapp_secret_sealed);
	json_t *names = secret_names(o);
	*readable = o != NULL;
	if (!o)
		log_warn("settings: tenant %s: the provider secrets do not open with this server's master key",
			r->caller.tenant_id);
	secrets_free(o);
	return names;
}

int h_settings_get(struct req *r)
{
	struct settings_rec s;
	int readable;
	int rc = store_settings_get(r->tx, r->arena, &s);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "settings");
	json_t *names = stored_secret_names(r, &s, &readable);
	rc = resp_json(r, 200, settings_json(&s, tenant_name(r), names, readable));
	json_decref(names);
	return rc;
}

/* ---- PATCH -------------------------------------------------------- */

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

/* A JSON object as stored text in the arena, at most SETTINGS_OBJECT_MAX
 * bytes; NULL when longer. */
static char *object_text(struct req *r, const json_t *o)
{
	char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	char *out = text && strlen(text) <= SETTINGS_OBJECT_MAX ? arena_strdup(r->arena, text) : NULL;
	free(text);
	return out;
}

/*
 * The provider, its config and its secrets, applied to *s.  The config
 * must be valid for the provider the store ends up with: when the
 * provider changes and no config is sent, the stored one must already
 * fit (else 422 whatsapp_config); the link channel has none, so switching
 * to it clears config and secrets.  Secrets of another provider are
 * dropped on a switch.
 */
static int apply_provider(struct req *r, json_t *body, struct settings_rec *s)
{
	char field[WA_CONFIG_FIELD_MAX], err[200];
	enum wa_channel current = wa_channel_parse(s->whatsapp_provider);
	enum wa_channel channel = current;
	const char *v = jsonin_str(body, "whatsapp_provider", NULL);
	json_t *config = json_object_get(body, "whatsapp_config");
	json_t *secrets_in = json_object_get(body, "whatsapp_secrets");
	json_t *merged = NULL;
	int rc = -1;

	if (v) {
		channel = wa_channel_parse(v);
		if (channel == WA_CHANNEL_NONE)
			return bad(r, "whatsapp_provider", "must be link, whatsapp_cloud or twilio");
		s->whatsapp_provider = arena_strdup(r->arena, wa_channel_name(channel));
	}
	int switching = channel != current;
	if (config) {
		if (!(s->whatsapp_config = object_text(r, config)))
			return bad(r, "whatsapp_config", "must be at most 4000 bytes");
		if (wa_config_check(channel, config, NULL, field, err, sizeof err) < 0)
			return bad(r, field, err);
	} else if (switching && channel == WA_CHANNEL_LINK) {
		s->whatsapp_config = arena_strdup(r->arena, "{}");
	} else if (switching) {
		json_t *stored = json_loads(s->whatsapp_config ? s->whatsapp_config : "{}", 0, NULL);
		int ok = stored && wa_config_check(channel, stored, NULL, field, err, sizeof err) == 0;
		json_decref(stored);
		if (!ok)
			return bad(r, "whatsapp_config", arena_printf(r->arena,
				"the stored whatsapp_config does not fit %s: send whatsapp_config for it",
				wa_channel_name(channel)));
	}
	if (secrets_in && wa_config_check(channel, NULL, secrets_in, field, err, sizeof err) < 0)
		return bad(r, field, err);

	if (!secrets_in && !switching)
		return 0;
	/* Sealed under another key, nothing in the stored object can be used
	 * by this server: new secrets start from an empty object. */
	if (!(merged = secrets_open(r, s->whatsapp_secret_sealed)))
		merged = json_object();
	if (switching) {
		const char *key;
		json_t *tmp;
		void *iter;
		json_object_foreach_safe(merged, iter, key, tmp)
			if (!secret_of(channel, key)) {
				sodium_memzero((void *)(uintptr_t)json_string_value(tmp), json_string_length(tmp));
				json_object_del(merged, key);
			}
	}
	if (secrets_in) {
		const char *key;
		json_t *value;
		json_object_foreach(secrets_in, key, value) {
			json_t *old = json_object_get(merged, key);
			if (json_is_string(old))
				sodium_memzero((void *)(uintptr_t)json_string_value(old), json_string_length(old));
			if (json_is_null(value))
				json_object_del(merged, key);
			else
				json_object_set_new(merged, key, json_string(json_string_value(value)));
		}
	}
	if (secrets_seal(r, merged, &s->whatsapp_secret_sealed) < 0) {
		req_fail(r, 500, "internal_error", "could not seal the provider secrets");
		goto out;
	}
	rc = 0;
out:
	secrets_free(merged);
	return rc;
}

/* Zero the secret values of the request body before it is released. */
static void body_free(json_t *body)
{
	json_t *secrets = json_object_get(body, "whatsapp_secrets");
	const char *key;
	json_t *v;
	json_object_foreach(secrets, key, v)
		if (json_is_string(v))
			sodium_memzero((void *)(uintptr_t)json_string_value(v), json_string_length(v));
	json_decref(body);
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
		{ "upi_id", JF_STRING, 0, 1, UPI_VPA_MAX - 1 },
		{ "reminder_language", JF_STRING, 0, 0, 8 },
		{ "reminder_template", JF_STRING, 0, 1, TEMPLATE_MAX_CHARS },
		{ "reminder_schedule", JF_OBJECT, 0, 0, 0 },
		{ "quiet_hours_start", JF_INTEGER, 0, 0, 0 },
		{ "quiet_hours_end", JF_INTEGER, 0, 0, 0 },
		{ "receipts", JF_STRING, 0, 0, 8 },
		{ "building_layout", JF_OBJECT, 0, 0, 0 },
		{ "whatsapp_provider", JF_STRING, 0, 0, 20 },
		{ "whatsapp_config", JF_OBJECT, 0, 0, 0 },
		{ "whatsapp_secrets", JF_OBJECT, 0, 0, 0 },
	};
	static const struct jfield layout_fields[] = {
		{ "towers", JF_INTEGER, 1, 0, 0 },
		{ "floors", JF_INTEGER, 1, 0, 0 },
		{ "units", JF_INTEGER, 1, 0, 0 },
	};
	struct settings_rec s;
	struct reminder_field_error fe;
	char err[200];
	json_t *body = jsonin_object(r, fields, sizeof fields / sizeof fields[0]);
	json_t *before = NULL, *after = NULL, *names_before = NULL, *names_after = NULL;
	int readable = 1;
	int rc = -1;

	if (!body)
		return -1;
	rc = store_settings_get(r->tx, r->arena, &s);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "settings");
		goto out;
	}
	const char *old_name = tenant_name(r);
	int64_t old_period = s.credit_period_days;
	/* The built-in templates speak the locale's language while the two
	 * agree (a new store: en-IN and en); a locale of another language
	 * then takes the templates along, unless the same change names
	 * reminder_language. */
	int templates_follow_locale = language_of_locale(s.locale) == language_from_code(language_of(&s));
	names_before = stored_secret_names(r, &s, &readable);
	before = audit_payload_settings(&s, old_name, names_before);
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
		/* Another currency than INR is the multi_currency feature.  A
		 * store that chose one before a downgrade keeps it (sending it
		 * back unchanged is no change) and may go back to INR. */
		if (strcmp(v, "INR") != 0 && strcmp(v, s.currency) != 0 &&
		    api_require_feature(r, "multi_currency") < 0) {
			req_add_field_error(r, "currency", "a currency other than INR needs the multi_currency feature");
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
		/* null (or "") clears it. */
		v = jsonin_str(body, "upi_id", NULL);
		if (v && v[0] && upi_vpa_valid(v) != 0) {
			bad(r, "upi_id", "must be a UPI id (VPA) such as shop@okhdfc");
			goto out;
		}
		s.upi_id = v && v[0] ? arena_strdup(r->arena, v) : NULL;
	}
	if ((v = jsonin_str(body, "reminder_language", NULL))) {
		if (template_language_valid(v) != 0) {
			bad(r, "reminder_language", "must be en or hi");
			goto out;
		}
		s.reminder_language = arena_strdup(r->arena, v);
	}
	if (templates_follow_locale && jsonin_str(body, "locale", NULL) && !jsonin_has(body, "reminder_language"))
		s.reminder_language = arena_strdup(r->arena, language_code(language_of_locale(s.locale)));
	if (jsonin_has(body, "reminder_template")) {
		/* null is the built-in template of reminder_language, stored as "". */
		v = jsonin_str(body, "reminder_template", NULL);
		if (v && template_check(v, TEMPLATE_REMINDER, err, sizeof err) != 0) {
			bad(r, "reminder_template", err);
			goto out;
		}
		s.reminder_template = arena_strdup(r->arena, v ? v : "");
	}
	if (jsonin_has(body, "reminder_schedule")) {
		/* The members sent replace the stored ones; the others stay. */
		struct reminder_schedule sched;
		schedule_of(&s, &sched);
		if (reminder_schedule_from_json(json_object_get(body, "reminder_schedule"), &sched, &fe) < 0) {
			bad(r, fe.field, fe.message);
			goto out;
		}
		json_t *sj = reminder_schedule_to_json(&sched);
		s.reminder_schedule = sj ? object_text(r, sj) : NULL;
		json_decref(sj);
		if (!s.reminder_schedule) {
			req_fail(r, 500, "internal_error", "out of memory");
			goto out;
		}
	}
	static const char *const hours[] = { "quiet_hours_start", "quiet_hours_end" };
	for (int i = 0; i < 2; i++) {
		int hour;
		if (!jsonin_has(body, hours[i]))
			continue;
		if (reminder_hour_from_json(json_object_get(body, hours[i]), hours[i], &hour, &fe) < 0) {
			bad(r, fe.field, fe.message);
			goto out;
		}
		if (i == 0)
			s.quiet_hours_start = hour;
		else
			s.quiet_hours_end = hour;
	}
	if ((v = jsonin_str(body, "receipts", NULL))) {
		if (strcmp(v, "off") != 0 && strcmp(v, "link") != 0) {
			bad(r, "receipts", "must be off or link");
			goto out;
		}
		s.receipts = arena_strdup(r->arena, v);
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
	if (apply_provider(r, body, &s) < 0)
		goto out;
	rc = store_settings_put(r->tx, &s);
	/* Every customer's oldest due is its oldest lot's date plus the
	 * period: it moves with the period, in the same transaction. */
	if (rc == STORE_OK && s.credit_period_days != old_period)
		rc = store_customers_shift_due(r->tx, (s.credit_period_days - old_period) * CIVIL_DAY_MS);
	if (rc == STORE_OK && name)
		rc = store_tenant_set_name(r->tx, r->caller.tenant_id, name);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "settings");
		goto out;
	}
	rc = store_settings_get(r->tx, r->arena, &s);
	if (rc == STORE_OK) {
		names_after = stored_secret_names(r, &s, &readable);
		json_t *payload = audit_payload_settings(&s, name ? name : old_name, names_after);
		/* A secret replaced by another value leaves the names as they
		 * were: the row says which ones this change wrote or removed. */
		json_t *sent = json_object_get(body, "whatsapp_secrets");
		if (sent)
			json_object_set_new(payload, "whatsapp_secrets_changed", secret_names(sent));
		rc = store_audit(r->tx, "settings.updated", "settings", r->caller.tenant_id, before, payload);
		json_decref(payload);
		after = settings_json(&s, name ? name : old_name, names_after, readable);
	}
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "settings");
		goto out;
	}
	rc = resp_json(r, 200, json_incref(after));
out:
	json_decref(before);
	json_decref(after);
	json_decref(names_before);
	json_decref(names_after);
	body_free(body);
	return rc;
}

/* ---- reminder preview ------------------------------------------- */

/* Where a shared statement link would point ({statement_link} is made
 * when a reminder is sent; the preview shows its shape only). */
static const char *preview_statement_link(struct req *r)
{
	const char *pub = r->app->cfg.public_url;
	const char *host = req_header(r, "Host");
	if (pub && pub[0]) {
		size_t n = strlen(pub);
		return arena_printf(r->arena, "%.*s/s/…", (int)(pub[n - 1] == '/' ? n - 1 : n), pub);
	}
	return arena_printf(r->arena, "https://%s/s/…", host && host[0] ? host : "localhost");
}

int h_settings_reminder_preview(struct req *r)
{
	static const struct jfield fields[] = {
		{ "customer_id", JF_STRING, 1, 0, 36 },
		{ "reminder_template", JF_STRING, 0, 1, TEMPLATE_MAX_CHARS },
		{ "reminder_language", JF_STRING, 0, 0, 8 },
	};
	struct settings_rec s = *api_settings(r);
	struct customer_rec c;
	struct aging_result ag;
	struct reminder_rec rec;
	struct template_values values;
	char err[200];
	json_t *body = jsonin_object(r, fields, sizeof fields / sizeof fields[0]);
	int rc = -1;

	if (!body)
		return -1;
	const char *v = jsonin_str(body, "reminder_language", NULL);
	if (v && template_language_valid(v) != 0) {
		bad(r, "reminder_language", "must be en or hi");
		goto out;
	}
	if (v)
		s.reminder_language = arena_strdup(r->arena, v);
	if (jsonin_has(body, "reminder_template")) {
		v = jsonin_str(body, "reminder_template", NULL);
		if (v && template_check(v, TEMPLATE_REMINDER, err, sizeof err) != 0) {
			bad(r, "reminder_template", err);
			goto out;
		}
		s.reminder_template = arena_strdup(r->arena, v ? v : "");
	}
	const char *id = arena_strdup(r->arena, jsonin_str(body, "customer_id", ""));
	if (!uuid_valid(id)) {
		req_fail(r, 404, "not_found", "customer not found");
		goto out;
	}
	struct reminder_context ctx = { .settings = &s, .store_name = r->caller.tenant_name,
		.master_key = r->app->master_key, .now_ms = clock_now_ms(), .arena = r->arena };
	rc = store_customer_get(r->tx, id, 0, r->arena, &c);
	if (rc == STORE_OK)
		rc = ledger_aging(r->tx, &s, &c, ctx.now_ms, r->arena, &ag);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "customer");
		goto out;
	}
	/* A provider channel: the preview needs the text, not a wa.me link. */
	struct reminder_draft d = { .kind = TEMPLATE_REMINDER, .trigger = "manual",
		.channel = WA_CHANNEL_CLOUD, .customer = &c, .aging = &ag,
		.statement_link = preview_statement_link(r) };
	if (reminders_compose(&ctx, &d, &rec, &values, err, sizeof err) < 0) {
		rc = req_fail_field(r, 422, "template_failed", "reminder_template", err);
		goto out;
	}
	int builtin = !s.reminder_template || !s.reminder_template[0];
	rc = resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:s, s:b, s:s, s:I, s:I, s:I}",
		"customer_id", c.id, "customer_name", c.name, "message", rec.message,
		"reminder_language", language_of(&s), "builtin", builtin,
		"template", builtin ? template_builtin(TEMPLATE_REMINDER, language_of(&s)) : s.reminder_template,
		"characters", (json_int_t)utf8_length(rec.message),
		"balance_minor", (json_int_t)rec.balance_minor, "overdue_minor", (json_int_t)rec.overdue_minor));
out:
	json_decref(body);
	return rc;
}
