/* reminders.c — see reminders.h. */
#include <stdio.h>
#include <string.h>

#include "core/audit_payload.h"
#include "core/events.h"
#include "core/ledger.h"
#include "core/reminders.h"
#include "domain/money_text.h"
#include "domain/upi.h"
#include "domain/wa_me.h"
#include "security/secret.h"
#include "util/civil.h"
#include "domain/plan.h"
#include "domain/reminder_rules.h"
#include "store/store_plans.h"
#include "store/store_reports.h"
#include "store/store_tenants.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/uuid.h"

enum wa_channel reminders_channel(const struct settings_rec *s, const char *requested)
{
	return wa_channel_parse(requested ? requested : s->whatsapp_provider);
}

static const char *const month_names[2][12] = { { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
	"Aug", "Sep", "Oct", "Nov", "Dec" }, { "जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून",
	"जुलाई", "अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर" } };

/* "5 Nov 2026" (or with the Hindi month) in the store's time zone. */
static const char *local_date(const struct reminder_context *ctx, int64_t ms)
{
	int64_t days;
	int y, m, d;
	if (!ms || civil_local_days(ms, ctx->settings->timezone, &days) < 0)
		return NULL;
	civil_ymd_from_days(days, &y, &m, &d);
	int hi = ctx->settings->reminder_language && strcmp(ctx->settings->reminder_language, "hi") == 0;
	if (m < 1 || m > 12)
		return NULL;
	return arena_printf(ctx->arena, "%d %s %d", d, month_names[hi][m - 1], y);
}

static const char *money(const struct reminder_context *ctx, int64_t minor)
{
	char *out = arena_alloc(ctx->arena, MONEY_TEXT_MAX);
	if (money_text_format(minor, ctx->settings->currency, ctx->settings->locale, out, MONEY_TEXT_MAX) < 0)
		snprintf(out, MONEY_TEXT_MAX, "%lld", (long long)minor);
	return out;
}

static const char *language(const struct settings_rec *s)
{
	return s->reminder_language && template_language_valid(s->reminder_language) == 0
		? s->reminder_language : "en";
}

const char *reminders_template(const struct settings_rec *s, enum template_kind kind)
{
	/* An empty stored template is the built-in one of the language; a
	 * receipt always uses the built-in receipt text. */
	if (kind == TEMPLATE_RECEIPT || !s->reminder_template || !s->reminder_template[0])
		return template_builtin(kind, language(s));
	return s->reminder_template;
}

int reminders_compose(const struct reminder_context *ctx, const struct reminder_draft *d,
	struct reminder_rec *out, struct template_values *v, char *err, size_t errlen)
{
	const struct settings_rec *s = ctx->settings;
	const struct customer_rec *c = d->customer;
	int receipt = d->kind == TEMPLATE_RECEIPT;
	int64_t balance = receipt ? d->entry->balance_after_minor : d->aging->balance_minor;
	int64_t overdue = receipt ? 0 : d->aging->overdue_minor;

	memset(v, 0, sizeof *v);
	v->name = c->name;
	v->store = ctx->store_name;
	v->balance = money(ctx, balance);
	v->statement_link = d->statement_link;
	char *upi = arena_alloc(ctx->arena, UPI_LINK_MAX);
	if (upi_link(s->upi_id, ctx->store_name, balance, s->currency, "Payment", upi, UPI_LINK_MAX) == 0)
		v->upi_link = upi;
	if (receipt) {
		v->amount = money(ctx, d->entry->amount_minor);
		v->entry_type = template_entry_type_label(d->entry->type, language(s));
		v->new_balance = v->balance;
		v->date = local_date(ctx, d->entry->occurred_at);
	} else if (overdue > 0) {
		v->overdue = money(ctx, overdue);
		v->due_date = local_date(ctx, d->aging->oldest_due_ms);
	}
	const char *tpl = reminders_template(s, d->kind);
	char *text = arena_alloc(ctx->arena, 8192);
	if (template_render(tpl, d->kind, v, text, 8192, err, errlen) != 0)
		return -1;

	memset(out, 0, sizeof *out);
	char *id = arena_alloc(ctx->arena, 37);
	uuid_v7(id);
	out->id = id;
	out->customer_id = c->id;
	out->kind = receipt ? "receipt" : "reminder";
	out->trigger = (d->trigger ? d->trigger : "manual");
	out->channel = wa_channel_name(d->channel);
	out->status = d->channel == WA_CHANNEL_LINK ? "link_ready" : "queued";
	out->message = text;
	out->balance_minor = balance;
	out->overdue_minor = overdue;
	out->currency = s->currency;
	out->entry_id = receipt ? d->entry->id : NULL;
	out->created_at = out->updated_at = ctx->now_ms;
	if (d->channel == WA_CHANNEL_LINK) {
		char *link = arena_alloc(ctx->arena, WA_ME_LINK_MAX);
		if (wa_me_link(c->phone, text, link, WA_ME_LINK_MAX) < 0) {
			snprintf(err, errlen, "the customer's phone %s cannot take a WhatsApp link", c->phone);
			return -1;
		}
		out->link = link;
	}
	return 0;
}

int reminders_provider(const struct reminder_context *ctx, enum wa_channel channel,
	struct wa_config *cfg, char *err, size_t errlen)
{
	const struct settings_rec *s = ctx->settings;
	char *secrets = NULL;
	if (channel != WA_CHANNEL_LINK && s->whatsapp_provider && strcmp(s->whatsapp_provider, wa_channel_name(channel)) != 0) {
		memset(cfg, 0, sizeof *cfg);
		snprintf(err, errlen, "the store's provider is %s, not %s", s->whatsapp_provider, wa_channel_name(channel));
		return -1;
	}
	if (s->whatsapp_secret_sealed) {
		secrets = secret_open(ctx->master_key, s->whatsapp_secret_sealed);
		if (!secrets) {
			memset(cfg, 0, sizeof *cfg);
			snprintf(err, errlen, "the provider secrets cannot be opened with this server's master key");
			return -1;
		}
	}
	int rc = wa_config_load(channel, s->whatsapp_config, secrets, cfg, err, errlen);
	/* The config keeps its own copy of the secrets (parsed JSON). */
	secret_free(secrets);
	return rc;
}

static const char *value_of(const struct template_values *v, const char *name)
{
	static const struct { const char *name; size_t off; } map[] = {
		{ "name", offsetof(struct template_values, name) },
		{ "store", offsetof(struct template_values, store) },
		{ "balance", offsetof(struct template_values, balance) },
		{ "overdue", offsetof(struct template_values, overdue) },
		{ "due_date", offsetof(struct template_values, due_date) },
		{ "upi_link", offsetof(struct template_values, upi_link) },
		{ "statement_link", offsetof(struct template_values, statement_link) },
		{ "amount", offsetof(struct template_values, amount) },
		{ "entry_type", offsetof(struct template_values, entry_type) },
		{ "new_balance", offsetof(struct template_values, new_balance) },
		{ "date", offsetof(struct template_values, date) },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (strcmp(name, map[i].name) == 0) {
			const char *s = *(const char *const *)(const void *)((const char *)v + map[i].off);
			/* Providers refuse empty template parameters. */
			return s && s[0] ? s : "-";
		}
	return "-";
}

void reminders_deliver(const struct wa_config *cfg, const char *to_e164, const char *message,
	const struct template_values *values, const char *status_callback_url, struct wa_result *res)
{
	const char *params[WA_CONFIG_MAX_PARAMS];
	for (size_t i = 0; i < cfg->nparams; i++)
		params[i] = value_of(values, cfg->params[i]);
	struct wa_message m = {
		.to_e164 = to_e164, .body_text = message, .params = params, .nparams = cfg->nparams,
		.status_callback_url = status_callback_url,
	};
	if (cfg->channel == WA_CHANNEL_CLOUD)
		wa_cloud_send(&cfg->cloud, cfg->secret, &m, res);
	else
		twilio_send(&cfg->twilio, cfg->secret, &m, res);
}

int reminders_record_outcome(struct store_tx *tx, struct reminder_rec *rec,
	const struct wa_result *res, int64_t now_ms)
{
	json_t *before = audit_payload_reminder(rec);
	if (res->ok) {
		rec->status = "sent";
		rec->provider_message_id = res->provider_message_id;
	} else {
		rec->status = "failed";
		rec->error_code = res->error_code;
		rec->error_message = res->error_message;
	}
	rec->updated_at = now_ms;
	int rc = store_reminder_set_status(tx, rec->id, rec->status,
		res->ok ? res->provider_message_id : NULL, res->ok ? NULL : res->error_code,
		res->ok ? NULL : res->error_message, now_ms);
	json_t *after = rc == STORE_OK ? audit_payload_reminder(rec) : NULL;
	if (rc == STORE_OK)
		rc = store_audit(tx, res->ok ? "reminder.sent" : "reminder.failed", "reminder", rec->id, before, after);
	if (rc == STORE_OK)
		rc = events_reminder(tx, "reminder.updated", rec);
	json_decref(before);
	json_decref(after);
	return rc;
}

#define DAY_MS 86400000LL

/* One customer of a store whose schedule is open: claim, send, record. */
static int run_customer(struct store *st, const struct tenant_rec *t, const struct reminders_run_options *o,
	const struct reminder_criteria *crit, struct wa_config *cfg, const char *customer_id,
	struct reminders_run_report *out)
{
	static const struct store_actor actor = { "scheduler", "system", "", "" };
	struct arena *a = arena_new();
	struct store_tx *tx = NULL;
	struct settings_rec s;
	struct customer_rec c;
	struct aging_result ag;
	struct reminder_rec rec;
	struct template_values v;
	int64_t last = 0, next = 0;
	char err[200];

	int rc = store_begin_tenant(st, t->id, !o->dry_run, &actor, &tx);
	if (rc != STORE_OK)
		goto out;
	rc = o->dry_run ? STORE_OK : store_customer_lock(tx, customer_id, 1);
	if (rc == STORE_BUSY) {          /* another process has this customer now */
		out->skipped++;
		rc = STORE_OK;
		goto out;
	}
	if (rc == STORE_OK)
		rc = store_settings_get(tx, a, &s);
	if (rc == STORE_OK)
		rc = store_customer_get(tx, customer_id, 0, a, &c);
	if (rc == STORE_OK)
		rc = ledger_aging(tx, &s, &c, clock_now_ms(), a, &ag);
	if (rc == STORE_OK)
		rc = store_reminder_last_at(tx, customer_id, &last);
	if (rc != STORE_OK)
		goto out;
	struct reminder_candidate cand = {
		.has_phone = c.phone && c.phone[0], .opted_out = c.reminders_opt_out,
		.balance_minor = ag.balance_minor, .overdue_minor = ag.overdue_minor,
		.oldest_due_ms = ag.oldest_due_ms, .last_reminder_at_ms = last,
	};
	struct reminder_context ctx = { &s, t->name ? t->name : t->slug, o->master_key, clock_now_ms(), a };
	if (strcmp(c.status, "active") != 0 || reminder_check_bulk(crit, &cand, ctx.now_ms, &next) != REMINDER_ALLOWED) {
		out->skipped++;
		goto out;
	}
	struct reminder_draft d = { .kind = TEMPLATE_REMINDER, .trigger = "scheduled", .channel = cfg->channel,
		.customer = &c, .aging = &ag };
	if (reminders_compose(&ctx, &d, &rec, &v, err, sizeof err) < 0) {
		log_warn("scheduled reminders: %s: %s", t->slug, err);
		out->failed++;
		goto out;
	}
	if (o->dry_run) {
		out->reminded++;
		goto out;
	}
	rec.created_by = "scheduler";
	json_t *after = audit_payload_reminder(&rec);
	rc = store_reminder_insert(tx, &rec);
	if (rc == STORE_OK)
		rc = store_audit(tx, "reminder.created", "reminder", rec.id, NULL, after);
	json_decref(after);
	if (rc == STORE_OK)
		rc = events_reminder(tx, "reminder.created", &rec);
	if (rc == STORE_OK)
		rc = store_commit(tx);
	else
		store_rollback(tx);
	tx = NULL;
	if (rc != STORE_OK)
		goto out;
	struct wa_result res;
	char *cb = NULL;
	if (o->public_url && o->public_url[0])
		cb = arena_printf(a, "%s/api/v1/webhooks/twilio/%s", o->public_url, t->slug);
	reminders_deliver(cfg, c.phone, rec.message, &v, cb, &res);
	rc = store_begin_tenant(st, t->id, 1, &actor, &tx);
	if (rc == STORE_OK)
		rc = reminders_record_outcome(tx, &rec, &res, clock_now_ms());
	if (rc == STORE_OK)
		rc = store_commit(tx);
	else
		store_rollback(tx);
	tx = NULL;
	if (res.ok)
		out->reminded++;
	else
		out->failed++;
out:
	store_rollback(tx);
	arena_free(a);
	return rc;
}

/* One store: is its schedule open now, and who owes. */
static int run_store(struct store *st, const struct tenant_rec *t, const struct reminders_run_options *o,
	struct reminders_run_report *out)
{
	static const struct store_actor actor = { "scheduler", "system", "", "" };
	struct arena *a = arena_new();
	struct store_tx *tx = NULL;
	struct settings_rec s;
	struct plan_rec plan;
	struct owing_row *rows = NULL;
	struct wa_config cfg = { 0 };
	struct reminder_schedule sched;
	struct reminder_field_error ferr;
	int n = 0, hour;
	char err[200];
	char *secrets = NULL;
	uint32_t features = 0;

	int rc = store_begin_tenant(st, t->id, 0, &actor, &tx);
	if (rc == STORE_OK)
		rc = store_settings_get(tx, a, &s);
	if (rc == STORE_OK)
		rc = store_plan_get(tx, t->plan, a, &plan);
	if (rc != STORE_OK)
		goto out;
	plan_features_parse(plan.features, &features);
	enum wa_channel ch = wa_channel_parse(s.whatsapp_provider);
	if (ch != WA_CHANNEL_CLOUD && ch != WA_CHANNEL_TWILIO)
		goto out;
	if (!(features & PLAN_FEATURE_BIT(FEATURE_WHATSAPP_REMINDERS)))
		goto out;
	if (reminder_schedule_parse(s.reminder_schedule, &sched, &ferr) < 0 || !sched.enabled)
		goto out;
	if (reminder_local_hour_in_zone(clock_now_ms(), s.timezone, &hour) < 0 ||
	    !reminder_schedule_open(&sched, hour, (int)s.quiet_hours_start, (int)s.quiet_hours_end))
		goto out;
	if (s.whatsapp_secret_sealed && !(secrets = secret_open(o->master_key, s.whatsapp_secret_sealed))) {
		log_warn("scheduled reminders: %s: the provider secrets cannot be opened", t->slug);
		goto out;
	}
	rc = wa_config_load(ch, s.whatsapp_config, secrets, &cfg, err, sizeof err);
	secret_free(secrets);
	if (rc < 0) {
		log_warn("scheduled reminders: %s: %s", t->slug, err);
		rc = STORE_OK;
		goto out;
	}
	struct reminder_criteria crit;
	reminder_schedule_criteria(&sched, &crit);
	rc = store_report_owing(tx, clock_now_ms() - s.credit_period_days * DAY_MS,
		s.default_credit_limit_minor, a, &rows, &n);
	store_rollback(tx);
	tx = NULL;
	if (rc != STORE_OK)
		goto out;
	out->stores++;
	for (int i = 0; i < n && !(o->stop && *o->stop); i++) {
		int crc = run_customer(st, t, o, &crit, &cfg, rows[i].id, out);
		if (crc != STORE_OK)
			log_warn("scheduled reminders: %s: a customer could not be reminded (code %d)", t->slug, crc);
	}
out:
	wa_config_release(&cfg);
	store_rollback(tx);
	arena_free(a);
	return rc;
}

int reminders_run(struct store *st, const struct reminders_run_options *o, struct reminders_run_report *out)
{
	static const struct store_actor actor = { "scheduler", "system", "", "" };
	struct arena *a = arena_new();
	struct store_tx *tx = NULL;
	struct tenant_rec *ts = NULL;
	int n = 0;

	memset(out, 0, sizeof *out);
	int rc = store_begin_platform(st, 0, &actor, &tx);
	if (rc == STORE_OK)
		rc = store_tenant_active(tx, a, &ts, &n);
	store_rollback(tx);
	for (int i = 0; rc == STORE_OK && i < n && !(o->stop && *o->stop); i++) {
		if (o->tenant_slug && strcmp(o->tenant_slug, ts[i].slug) != 0)
			continue;
		int src = run_store(st, &ts[i], o, out);
		if (src != STORE_OK)
			log_warn("scheduled reminders: store %s could not be read (code %d)", ts[i].slug, src);
	}
	arena_free(a);
	return rc;
}
