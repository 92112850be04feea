/*
 * reminders.c — WhatsApp payment reminders and receipts: remind one
 * customer now, remind everyone overdue (with a dry run), the log, and a
 * receipt for one entry.  The rules are in domain/reminder_rules.c, the
 * making of a message in core/reminders.c.  A provider is called only
 * after the claimed row is committed; its outcome is recorded in a second
 * transaction, which becomes the request's (its Idempotency-Key completes
 * there).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/audit_payload.h"
#include "core/events.h"
#include "core/ledger.h"
#include "core/reminders.h"
#include "core/share.h"
#include "domain/money.h"
#include "domain/reminder_rules.h"
#include "http/jsonin.h"
#include "store/store_reports.h"
#include "util/base64url.h"
#include "util/civil.h"
#include "util/clock.h"
#include "util/idtext.h"
#include "util/uuid.h"

#define DAY_MS 86400000LL
/* A send made while a person waits: three short attempts at most. */
#define REQUEST_SEND_TIMEOUT_MS 5000

static json_t *reminder_json(const struct reminder_rec *m)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", api_str_or_null(m->id));
	json_object_set_new(o, "customer_id", json_string(m->customer_id));
	json_object_set_new(o, "kind", json_string(m->kind));
	json_object_set_new(o, "trigger", json_string(m->trigger));
	json_object_set_new(o, "channel", json_string(m->channel));
	json_object_set_new(o, "status", json_string(m->status));
	json_object_set_new(o, "message", json_string(m->message));
	json_object_set_new(o, "balance_minor", json_integer(m->balance_minor));
	json_object_set_new(o, "overdue_minor", json_integer(m->overdue_minor));
	json_object_set_new(o, "currency", json_string(m->currency));
	json_object_set_new(o, "link", api_str_or_null(m->link));
	json_object_set_new(o, "entry_id", api_str_or_null(m->entry_id));
	json_object_set_new(o, "provider_message_id", api_str_or_null(m->provider_message_id));
	json_object_set_new(o, "error_code", api_str_or_null(m->error_code));
	json_object_set_new(o, "error_message", api_str_or_null(m->error_message));
	json_object_set_new(o, "created_by", api_str_or_null(m->created_by));
	json_object_set_new(o, "created_at", api_time_or_null(m->created_at));
	json_object_set_new(o, "updated_at", api_time_or_null(m->updated_at));
	return o;
}

static void context_of(struct req *r, struct reminder_context *ctx)
{
	ctx->settings = api_settings(r);
	ctx->store_name = r->caller.tenant_name;
	ctx->master_key = r->app->master_key;
	ctx->now_ms = clock_now_ms();
	ctx->arena = r->arena;
}

/* The channel asked for (or the store's), and the plan feature it needs. */
static int channel_of(struct req *r, const char *requested, enum wa_channel *out)
{
	*out = reminders_channel(api_settings(r), requested);
	if (*out == WA_CHANNEL_NONE)
		return req_fail_field(r, 422, "validation_failed", "channel",
			"must be link, whatsapp_cloud or twilio");
	return api_require_feature(r, *out == WA_CHANNEL_LINK ? "link_reminders" : "whatsapp_reminders");
}

static int provider_of(struct req *r, const struct reminder_context *ctx, enum wa_channel ch,
	struct wa_config *cfg)
{
	char err[200];
	if (ch == WA_CHANNEL_LINK) {
		memset(cfg, 0, sizeof *cfg);
		cfg->channel = ch;
		return 0;
	}
	if (reminders_provider(ctx, ch, cfg, err, sizeof err) < 0) {
		wa_config_release(cfg);
		req_fail(r, 422, "provider_not_configured", err);
		req_add_field_error(r, "channel", err);
		return -1;
	}
	struct wa_transport t = { .timeout_ms = REQUEST_SEND_TIMEOUT_MS, .max_attempts = WA_MAX_ATTEMPTS };
	cfg->cloud.transport = t;
	cfg->twilio.transport = t;
	return 0;
}

/* StatusCallback for Twilio: only when the public address is known. */
static const char *status_callback(struct req *r)
{
	const char *pub = r->app->cfg.public_url;
	if (!pub || !pub[0])
		return NULL;
	size_t n = strlen(pub);
	return arena_printf(r->arena, "%.*s/api/v1/webhooks/twilio/%s", (int)(pub[n - 1] == '/' ? n - 1 : n),
		pub, r->caller.tenant_slug);
}

/* Commit the claimed rows, send, then record the outcomes in a fresh
 * transaction that becomes the request's. */
static int deliver_all(struct req *r, const struct wa_config *cfg, struct reminder_rec *recs,
	const char *const *phones, struct template_values *values, int n)
{
	int rc = store_commit(r->tx);
	r->tx = NULL;
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	/* The outcomes live as long as the request: the records point into them. */
	struct wa_result *res = arena_alloc(r->arena, sizeof *res * (size_t)(n ? n : 1));
	memset(res, 0, sizeof *res * (size_t)(n ? n : 1));
	const char *cb = status_callback(r);
	for (int i = 0; i < n; i++)
		reminders_deliver(cfg, phones[i], recs[i].message, &values[i], cb, &res[i]);
	struct store_actor actor = api_actor(r);
	rc = store_begin_tenant(r->app->store, r->caller.tenant_id, 1, &actor, &r->tx);
	if (rc == STORE_OK)
		store_tx_set_actor_role(r->tx, r->caller.role);
	for (int i = 0; rc == STORE_OK && i < n; i++)
		rc = reminders_record_outcome(r->tx, &recs[i], &res[i], clock_now_ms());
	return rc == STORE_OK ? 0 : api_store_fail(r, rc, NULL);
}

static int claim(struct req *r, struct reminder_rec *rec);

/* Claim one composed message, send it when the channel is a provider, and
 * answer 201 with the reminder as it stands. */
static int send_one(struct req *r, const struct wa_config *cfg, struct reminder_rec *rec,
	const char *phone, struct template_values *v)
{
	int rc = claim(r, rec);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "reminder");
	if (cfg->channel != WA_CHANNEL_LINK && deliver_all(r, cfg, rec, &phone, v, 1) < 0)
		return -1;
	return resp_json(r, 201, reminder_json(rec));
}

static int claim(struct req *r, struct reminder_rec *rec)
{
	int rc = store_reminder_insert(r->tx, rec);
	json_t *after = rc == STORE_OK ? audit_payload_reminder(rec) : NULL;
	if (rc == STORE_OK)
		rc = store_audit(r->tx, strcmp(rec->kind, "receipt") == 0 ? "receipt.created" : "reminder.created",
			"reminder", rec->id, NULL, after);
	json_decref(after);
	if (rc == STORE_OK)
		rc = events_reminder(r->tx, "reminder.created", rec);
	return rc;
}

/* {statement_link}: a shared statement link made for this message (default
 * expiry), only when the template asks for one.  In a dry run nothing is
 * made: the text shows where the link will go.  NULL when not used; "" and
 * a problem recorded on failure. */
static const char *statement_link(struct req *r, const struct reminder_context *ctx,
	enum template_kind kind, const char *customer_id, int dry_run)
{
	const char *tpl = reminders_template(ctx->settings, kind);
	if (!tpl || !strstr(tpl, "{statement_link}"))
		return NULL;
	const char *base = api_public_base(r);
	if (!base)
		return "";
	if (dry_run)
		return arena_printf(r->arena, "%s/s/…", base);
	uint8_t key[SHARE_KEY_BYTES];
	char token[SHARE_TOKEN_LEN + 1];
	struct share_rec sh;
	share_token_key(r->app->jwt_key, r->app->jwt_key_len, key);
	int rc = share_create(r->tx, key, r->caller.tenant_id, customer_id, SHARE_DAYS_DEFAULT,
		ctx->now_ms, r->arena, &sh, token);
	sodium_memzero(key, sizeof key);
	if (rc != STORE_OK) {
		api_store_fail(r, rc, "share");
		return "";
	}
	return share_url(r->arena, base, token);
}

static int refuse(struct req *r, enum reminder_refusal why, int64_t next_allowed)
{
	switch (why) {
	case REMINDER_OPTED_OUT:
		return req_fail(r, 409, "customer_opted_out", "this customer asked not to get reminders (STOP)");
	case REMINDER_NOTHING_OWED:
		return req_fail(r, 409, "nothing_owed", "this customer owes nothing");
	case REMINDER_NO_PHONE:
		return req_fail(r, 409, "no_phone", "this customer has no phone number for WhatsApp");
	case REMINDER_REMINDED_RECENTLY: {
		char t[CIVIL_RFC3339_LEN];
		civil_format_rfc3339(next_allowed, t);
		req_failf(r, 409, "reminded_recently",
			"this customer was reminded in the last 24 hours; the next reminder is allowed at %s", t);
		req_problem_extra(r, "next_allowed_at", json_string(t));
		return -1;
	}
	default:
		return req_fail(r, 409, "not_allowed", "this customer cannot be reminded now");
	}
}

static void candidate_of(const struct customer_rec *c, const struct aging_result *ag, int64_t last,
	struct reminder_candidate *out)
{
	memset(out, 0, sizeof *out);
	out->has_phone = c->phone && c->phone[0];
	out->opted_out = c->reminders_opt_out;
	out->balance_minor = ag->balance_minor;
	out->overdue_minor = ag->overdue_minor;
	out->oldest_due_ms = ag->oldest_due_ms;
	out->last_reminder_at_ms = last;
}

int h_customers_remind(struct req *r)
{
	static const struct jfield fields[] = { { "channel", JF_STRING, 0, 0, 32 } };
	struct reminder_context ctx;
	struct customer_rec c;
	struct aging_result ag;
	struct wa_config cfg = { 0 };
	struct reminder_rec rec;
	struct template_values v;
	enum wa_channel ch;
	const char *id = req_param(r, "id");
	json_t *body = NULL;
	char err[200];
	int rc = -1;

	if (r->body.len > 0 && !(body = jsonin_object(r, fields, 1)))
		return -1;
	const char *requested = arena_strdup(r->arena, jsonin_str(body, "channel", NULL));
	json_decref(body);
	if (!uuid_valid(id))
		return req_fail(r, 404, "not_found", "customer not found");
	if (channel_of(r, requested, &ch) < 0)
		return -1;
	context_of(r, &ctx);
	/* The customer's row lock makes the 24-hour check and the claim one
	 * step for every process. */
	rc = store_customer_lock(r->tx, id, 0);
	if (rc == STORE_OK)
		rc = store_customer_get(r->tx, id, 0, r->arena, &c);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "customer");
	if (strcmp(c.status, "active") != 0)
		return req_fail(r, 409, "customer_archived", "the customer is archived");
	int64_t last = 0, next_allowed = 0;
	rc = ledger_aging(r->tx, ctx.settings, &c, ctx.now_ms, r->arena, &ag);
	if (rc == STORE_OK)
		rc = store_reminder_last_at(r->tx, c.id, &last);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "customer");
	struct reminder_candidate cand;
	candidate_of(&c, &ag, last, &cand);
	enum reminder_refusal why = reminder_check_manual(&cand, ctx.now_ms, &next_allowed);
	if (why != REMINDER_ALLOWED)
		return refuse(r, why, next_allowed);
	if (provider_of(r, &ctx, ch, &cfg) < 0)
		return -1;
	struct reminder_draft d = { .kind = TEMPLATE_REMINDER, .trigger = "manual", .channel = ch,
		.customer = &c, .aging = &ag };
	d.statement_link = statement_link(r, &ctx, TEMPLATE_REMINDER, c.id, 0);
	if (r->problem.status) {
		rc = -1;
		goto out;
	}
	if (reminders_compose(&ctx, &d, &rec, &v, err, sizeof err) < 0) {
		rc = req_fail_field(r, 422, "template_failed", "reminder_template", err);
		goto out;
	}
	rec.created_by = r->caller.user_id;
	rc = send_one(r, &cfg, &rec, c.phone, &v);
out:
	wa_config_release(&cfg);
	return rc;
}

static const char *skip_name(enum reminder_refusal why)
{
	const char *n = reminder_refusal_name(why);
	return n ? n : "not_overdue";
}

int h_reminders_bulk(struct req *r)
{
	static const struct jfield fields[] = {
		{ "channel", JF_STRING, 0, 0, 32 },
		{ "min_overdue_days", JF_INTEGER, 0, 0, 0 },
		{ "min_amount_minor", JF_INTEGER, 0, 0, 0 },
		{ "dry_run", JF_BOOLEAN, 0, 0, 0 },
	};
	struct reminder_context ctx;
	struct wa_config cfg = { 0 };
	struct owing_row *rows = NULL;
	enum wa_channel ch;
	json_t *body = NULL;
	int n = 0, rc;

	if (r->body.len > 0 && !(body = jsonin_object(r, fields, 4)))
		return -1;
	const char *requested = arena_strdup(r->arena, jsonin_str(body, "channel", NULL));
	struct reminder_criteria crit = {
		.min_overdue_days = jsonin_int(body, "min_overdue_days", 0),
		.min_amount_minor = jsonin_int(body, "min_amount_minor", 0),
		.min_gap_ms = DAY_MS,
	};
	int dry_run = jsonin_bool(body, "dry_run", 0);
	json_decref(body);
	if (crit.min_overdue_days < 0 || crit.min_overdue_days > REMINDER_MIN_OVERDUE_DAYS_MAX)
		return req_fail_field(r, 422, "validation_failed", "min_overdue_days", "must be 0-3650");
	if (crit.min_amount_minor < 0 || crit.min_amount_minor > MONEY_AMOUNT_MAX)
		return req_fail_field(r, 422, "validation_failed", "min_amount_minor", "must be 0 or more");
	if (channel_of(r, requested, &ch) < 0)
		return -1;
	context_of(r, &ctx);
	if (provider_of(r, &ctx, ch, &cfg) < 0)
		return -1;
	const struct settings_rec *s = ctx.settings;
	rc = store_report_owing(r->tx, ctx.now_ms - s->credit_period_days * DAY_MS,
		s->default_credit_limit_minor, r->arena, &rows, &n);
	if (rc != STORE_OK) {
		wa_config_release(&cfg);
		return api_store_fail(r, rc, NULL);
	}
	struct reminder_rec *recs = arena_alloc(r->arena, sizeof *recs * (size_t)(n ? n : 1));
	struct template_values *vals = arena_alloc(r->arena, sizeof *vals * (size_t)(n ? n : 1));
	const char **phones = arena_alloc(r->arena, sizeof *phones * (size_t)(n ? n : 1));
	json_t *reminded = json_array(), *skipped = json_array();
	int nrec = 0;
	for (int i = 0; i < n; i++) {
		struct customer_rec c;
		struct aging_result ag;
		struct reminder_candidate cand;
		int64_t last = 0, next_allowed = 0;
		char err[200];
		if (!dry_run && (rc = store_customer_lock(r->tx, rows[i].id, 0)) != STORE_OK)
			goto store_fail;
		if ((rc = store_customer_get(r->tx, rows[i].id, 0, r->arena, &c)) != STORE_OK ||
		    (rc = ledger_aging(r->tx, s, &c, ctx.now_ms, r->arena, &ag)) != STORE_OK ||
		    (rc = store_reminder_last_at(r->tx, c.id, &last)) != STORE_OK)
			goto store_fail;
		candidate_of(&c, &ag, last, &cand);
		enum reminder_refusal why = reminder_check_bulk(&crit, &cand, ctx.now_ms, &next_allowed);
		if (why != REMINDER_ALLOWED) {
			json_array_append_new(skipped, json_pack("{s:s, s:s, s:s}", "customer_id", c.id,
				"name", c.name, "reason", skip_name(why)));
			continue;
		}
		struct reminder_draft d = { .kind = TEMPLATE_REMINDER, .trigger = "bulk", .channel = ch,
			.customer = &c, .aging = &ag };
		d.statement_link = statement_link(r, &ctx, TEMPLATE_REMINDER, c.id, dry_run);
		if (r->problem.status) {
			json_decref(reminded);
			json_decref(skipped);
			wa_config_release(&cfg);
			return -1;
		}
		if (reminders_compose(&ctx, &d, &recs[nrec], &vals[nrec], err, sizeof err) < 0) {
			json_decref(reminded);
			json_decref(skipped);
			wa_config_release(&cfg);
			return req_fail_field(r, 422, "template_failed", "reminder_template", err);
		}
		recs[nrec].created_by = r->caller.user_id;
		phones[nrec] = c.phone;
		if (dry_run)
			recs[nrec].id = NULL;
		else if ((rc = claim(r, &recs[nrec])) != STORE_OK)
			goto store_fail;
		nrec++;
	}
	if (!dry_run && ch != WA_CHANNEL_LINK && nrec > 0 &&
	    deliver_all(r, &cfg, recs, phones, vals, nrec) < 0) {
		json_decref(reminded);
		json_decref(skipped);
		wa_config_release(&cfg);
		return -1;
	}
	for (int i = 0; i < nrec; i++)
		json_array_append_new(reminded, reminder_json(&recs[i]));
	wa_config_release(&cfg);
	return resp_json(r, dry_run ? 200 : 201, json_pack("{s:o, s:o, s:b}", "reminded", reminded,
		"skipped", skipped, "dry_run", dry_run));
store_fail:
	json_decref(reminded);
	json_decref(skipped);
	wa_config_release(&cfg);
	return api_store_fail(r, rc, NULL);
}

int h_reminders_list(struct req *r)
{
	struct reminder_filter f = { 0 };
	const struct settings_rec *s = api_settings(r);
	struct reminder_rec *rows;
	int n, limit;

	if (api_query_limit(r, &limit) < 0)
		return -1;
	f.customer_id = req_query(r, "customer_id");
	if (f.customer_id && !uuid_valid(f.customer_id))
		return req_fail_field(r, 400, "invalid_parameter", "customer_id", "must be a customer id");
	f.status = req_query(r, "status");
	if (f.status && reminder_status_parse(f.status) == REMINDER_STATUS_NONE)
		return req_fail_field(r, 400, "invalid_parameter", "status",
			"must be link_ready, queued, sent, delivered, read or failed");
	f.kind = req_query(r, "kind");
	if (f.kind && strcmp(f.kind, "reminder") && strcmp(f.kind, "receipt"))
		return req_fail_field(r, 400, "invalid_parameter", "kind", "must be reminder or receipt");
	if (api_query_local_range(r, s->timezone, &f.from_ms, &f.to_ms) < 0)
		return -1;
	if (api_keyset_cursor(r, &f.after_created, &f.after_id) < 0)
		return -1;
	f.limit = limit + 1;
	int rc = store_reminder_list(r->tx, &f, r->arena, &rows, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *data = json_array();
	for (int i = 0; i < n && i < limit; i++)
		json_array_append_new(data, reminder_json(&rows[i]));
	const char *next = n > limit ? api_keyset_next(r, rows[limit - 1].created_at, rows[limit - 1].id) : NULL;
	return api_list(r, data, next);
}

int h_transactions_receipt(struct req *r)
{
	static const struct jfield fields[] = { { "channel", JF_STRING, 0, 0, 32 } };
	struct reminder_context ctx;
	struct entry_rec e;
	struct customer_rec c;
	struct wa_config cfg = { 0 };
	struct reminder_rec rec;
	struct template_values v;
	enum wa_channel ch;
	const char *id = req_param(r, "id");
	json_t *body = NULL;
	char err[200];
	int rc;

	if (r->body.len > 0 && !(body = jsonin_object(r, fields, 1)))
		return -1;
	const char *requested = arena_strdup(r->arena, jsonin_str(body, "channel", NULL));
	json_decref(body);
	if (!uuid_valid(id))
		return req_fail(r, 404, "not_found", "transaction not found");
	if (channel_of(r, requested, &ch) < 0)
		return -1;
	context_of(r, &ctx);
	rc = store_entry_get(r->tx, id, r->arena, &e);
	if (rc == STORE_OK)
		rc = store_customer_get(r->tx, e.customer_id, 0, r->arena, &c);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "transaction");
	/* A receipt is not a reminder (no 24-hour rule), but STOP means no
	 * messages at all. */
	if (c.reminders_opt_out)
		return refuse(r, REMINDER_OPTED_OUT, 0);
	if (provider_of(r, &ctx, ch, &cfg) < 0)
		return -1;
	struct reminder_draft d = { .kind = TEMPLATE_RECEIPT, .trigger = "manual", .channel = ch,
		.customer = &c, .entry = &e };
	if (reminders_compose(&ctx, &d, &rec, &v, err, sizeof err) < 0) {
		rc = req_fail(r, 422, "template_failed", err);
		goto out;
	}
	rec.created_by = r->caller.user_id;
	rc = send_one(r, &cfg, &rec, c.phone, &v);
out:
	wa_config_release(&cfg);
	return rc;
}
