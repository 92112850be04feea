/* ledger.c — see ledger.h. */
#include <stdlib.h>
#include <string.h>

#include "core/audit_payload.h"
#include "core/events.h"
#include "core/ledger.h"
#include "domain/money.h"
#include "domain/open_lots.h"
#include "util/civil.h"
#include "util/uuid.h"

int64_t ledger_credit_limit(const struct customer_rec *c, const struct settings_rec *s)
{
	return c->has_credit_limit ? c->credit_limit_minor : s->default_credit_limit_minor;
}

int ledger_available_credit(const struct customer_rec *c, const struct settings_rec *s,
	int64_t *out)
{
	int64_t left;
	if (money_sub(ledger_credit_limit(c, s), c->balance_minor, &left) < 0)
		return LEDGER_OVERFLOW;
	*out = left > 0 ? left : 0;
	return 0;
}

static enum entry_type type_of(const char *t)
{
	enum entry_type type = entry_type_parse(t);
	return type == ENTRY_NONE ? ENTRY_REVERSAL : type;
}

static int aging_of(const struct entry_rec *e, int n, const struct settings_rec *s,
	int64_t now_ms, struct aging_result *out)
{
	struct aging_entry *ae = calloc((size_t)(n ? n : 1), sizeof *ae);
	if (!ae)
		abort();
	for (int i = 0; i < n; i++) {
		ae[i].id = e[i].id;
		ae[i].type = type_of(e[i].type);
		ae[i].occurred_at_ms = e[i].occurred_at;
		ae[i].effect_minor = e[i].effect_minor;
		ae[i].reverses_id = e[i].reverses_id;
	}
	int rc = aging_compute(ae, (size_t)n, (int)s->credit_period_days, now_ms, out);
	free(ae);
	return rc < 0 ? LEDGER_OVERFLOW : STORE_OK;
}

int ledger_aging_full(struct store_tx *tx, const struct settings_rec *s, const char *customer_id,
	int64_t now_ms, struct arena *a, struct aging_result *out)
{
	struct entry_rec *e;
	int n;
	int rc = store_entry_all_for_customer(tx, customer_id, a, &e, &n);
	if (rc != STORE_OK)
		return rc;
	return aging_of(e, n, s, now_ms, out);
}

/* Today's read of the lots from the entries (the transactions_lots index,
 * newest first, as many as cover the balance); the full walk when they do
 * not.  With lots != NULL also the list to keep in the row: *kept = 1
 * when it fits (OPEN_LOTS_MAX), else 0. */
static int aging_from_entries(struct store_tx *tx, const struct settings_rec *s,
	const struct customer_rec *c, int64_t now_ms, struct arena *a, struct aging_result *out,
	struct open_lots *lots, int *kept)
{
	int64_t *occurred, *amount;
	size_t n;

	if (kept)
		*kept = 0;
	if (c->balance_minor <= 0) {
		memset(out, 0, sizeof *out);
		out->balance_minor = c->balance_minor;
		if (lots) {
			lots->n = 0;
			*kept = 1;
		}
		return STORE_OK;
	}
	int rc = store_entry_open_lots(tx, c->id, c->balance_minor, a, &occurred, &amount, &n);
	if (rc != STORE_OK)
		return rc;
	rc = aging_from_newest_lots(occurred, amount, n, c->balance_minor,
		(int)s->credit_period_days, now_ms, out);
	if (rc < 0)
		return LEDGER_OVERFLOW;
	if (rc == 0) {
		if (lots)
			*kept = open_lots_from_newest(occurred, amount, n, c->balance_minor, lots) == 0;
		return STORE_OK;
	}
	/* The lots do not reach the stored balance: trust nothing stored and
	 * walk every entry (and keep no list). */
	return ledger_aging_full(tx, s, c->id, now_ms, a, out);
}

int ledger_aging(struct store_tx *tx, const struct settings_rec *s,
	const struct customer_rec *c, int64_t now_ms, struct arena *a, struct aging_result *out)
{
	struct open_lots lots;

	/* The one-row read: the lots the row keeps, aged at now_ms. */
	if (c->open_lots && open_lots_parse(c->open_lots, &lots) == 0) {
		int rc = open_lots_aging(&lots, c->balance_minor, (int)s->credit_period_days, now_ms, out);
		if (rc < 0)
			return LEDGER_OVERFLOW;
		if (rc == 0)
			return STORE_OK;
		/* A list that does not add up to the balance is not used. */
	}
	return aging_from_entries(tx, s, c, now_ms, a, out, NULL, NULL);
}

/* c->open_lots from lots (kept) or NULL (not kept), and c->oldest_due_at
 * from ag. */
static void set_derived(struct customer_rec *c, const struct open_lots *lots, int kept,
	const struct aging_result *ag, struct arena *a)
{
	c->open_lots = NULL;
	if (kept) {
		c->open_lots = arena_alloc(a, OPEN_LOTS_TEXT_MAX);
		if (open_lots_format(lots, c->open_lots, OPEN_LOTS_TEXT_MAX) < 0)
			abort(); /* OPEN_LOTS_TEXT_MAX holds any list */
	}
	c->oldest_due_at = ag->oldest_due_ms;
}

int ledger_refresh_derived(struct store_tx *tx, const struct settings_rec *s,
	struct customer_rec *c, int64_t now_ms, struct arena *a)
{
	struct open_lots lots;
	struct aging_result ag;
	int kept;
	int rc = aging_from_entries(tx, s, c, now_ms, a, &ag, &lots, &kept);
	if (rc == STORE_OK)
		set_derived(c, &lots, kept, &ag, a);
	return rc;
}

/* After an entry: the customer's new balance and the fields derived from
 * its ledger, in the row locked for the entry, without re-reading the
 * ledger when the row's open lots tell (a purchase dated after every open
 * lot, any payment); otherwise the lots are read from the entries as a
 * customer read did before.  `reversed` is the entry a reversal undid
 * (NULL otherwise). */
static int update_customer(struct store_tx *tx, const struct settings_rec *s,
	struct customer_rec *c, const struct entry_rec *e, const struct entry_rec *reversed,
	int64_t now_ms, struct arena *a)
{
	struct open_lots lots;
	int64_t before = c->balance_minor;
	int rc;

	c->balance_minor = e->balance_after_minor;
	if (type_of(e->type) == ENTRY_PURCHASE && e->occurred_at > c->last_purchase_at)
		c->last_purchase_at = e->occurred_at;
	if (type_of(e->type) == ENTRY_PAYMENT && e->occurred_at > c->last_payment_at)
		c->last_payment_at = e->occurred_at;
	if (reversed && type_of(reversed->type) == ENTRY_PURCHASE) {
		rc = store_entry_latest(tx, c->id, entry_type_name(ENTRY_PURCHASE), &c->last_purchase_at);
		if (rc != STORE_OK)
			return rc;
	}
	if (reversed && type_of(reversed->type) == ENTRY_PAYMENT) {
		rc = store_entry_latest(tx, c->id, entry_type_name(ENTRY_PAYMENT), &c->last_payment_at);
		if (rc != STORE_OK)
			return rc;
	}
	c->last_activity_at = now_ms;
	if (!reversed && c->open_lots && open_lots_parse(c->open_lots, &lots) == 0 &&
	    open_lots_cover(&lots, before) &&
	    open_lots_apply(&lots, before, e->effect_minor, e->occurred_at) == 0) {
		struct aging_result ag;
		rc = open_lots_aging(&lots, c->balance_minor, (int)s->credit_period_days, now_ms, &ag);
		if (rc < 0)
			return LEDGER_OVERFLOW;
		if (rc == 0) {
			set_derived(c, &lots, 1, &ag, a);
			return store_customer_set_ledger(tx, c);
		}
	}
	rc = ledger_refresh_derived(tx, s, c, now_ms, a);
	if (rc != STORE_OK)
		return rc;
	return store_customer_set_ledger(tx, c);
}

static int insert_and_audit(struct store_tx *tx, const struct settings_rec *s,
	struct customer_rec *c, struct entry_rec *e, const struct entry_rec *reversed,
	int64_t now_ms, struct arena *a, const char *action)
{
	int rc = store_entry_insert(tx, e);
	if (rc == STORE_OK)
		rc = update_customer(tx, s, c, e, reversed, now_ms, a);
	if (rc != STORE_OK)
		return rc;
	json_t *after = audit_payload_entry(e);
	rc = store_audit(tx, action, "transaction", e->id, NULL, after);
	json_decref(after);
	if (rc == STORE_OK)
		rc = events_entry(tx, e);
	return rc;
}

int ledger_record(struct store_tx *tx, const struct settings_rec *s,
	const struct entry_input *in, int64_t now_ms, struct arena *a,
	struct entry_rec *out, struct limit_refusal *why)
{
	struct customer_rec c;
	int64_t effect, balance;
	char *id = arena_alloc(a, 37);

	int rc = store_customer_get(tx, in->customer_id, 1, a, &c);
	if (rc != STORE_OK)
		return rc;
	if (strcmp(c.status, "active") != 0)
		return LEDGER_ARCHIVED;
	if (type_of(in->type) == ENTRY_PAYMENT) {
		if (in->amount_minor == INT64_MIN)
			return LEDGER_OVERFLOW;
		effect = -in->amount_minor;
	} else {
		effect = in->amount_minor;
	}
	if (money_add(c.balance_minor, effect, &balance) < 0)
		return LEDGER_OVERFLOW;
	if (type_of(in->type) == ENTRY_PURCHASE && !in->override) {
		int64_t limit = ledger_credit_limit(&c, s);
		if (balance > limit) {
			why->credit_limit_minor = limit;
			why->balance_minor = c.balance_minor;
			if (money_sub(balance, limit, &why->shortfall_minor) < 0 ||
			    ledger_available_credit(&c, s, &why->available_credit_minor) < 0)
				return LEDGER_OVERFLOW;
			return LEDGER_LIMIT;
		}
	}
	uuid_v7(id);
	memset(out, 0, sizeof *out);
	out->id = id;
	out->customer_id = c.id;
	out->type = arena_strdup(a, in->type);
	out->amount_minor = in->amount_minor;
	out->effect_minor = effect;
	out->occurred_at = in->occurred_at;
	out->created_at = now_ms;
	out->created_by = arena_strdup(a, store_tx_actor_id(tx));
	out->note = arena_strdup(a, in->note ? in->note : "");
	out->items = arena_strdup(a, in->items_json);
	out->payment_method = arena_strdup(a, in->payment_method);
	out->payment_reference = arena_strdup(a, in->payment_reference);
	out->reason = arena_strdup(a, in->reason);
	out->override = in->override;
	out->override_reason = arena_strdup(a, in->override_reason);
	out->balance_after_minor = balance;
	return insert_and_audit(tx, s, &c, out, NULL, now_ms, a, "transaction.created");
}

int ledger_reverse(struct store_tx *tx, const struct settings_rec *s, const char *id,
	const char *reason, int64_t now_ms, struct arena *a, struct entry_rec *out)
{
	struct entry_rec orig;
	struct customer_rec c;
	int64_t balance;

	int rc = store_entry_get(tx, id, a, &orig);
	if (rc != STORE_OK)
		return rc;
	if (type_of(orig.type) == ENTRY_REVERSAL)
		return LEDGER_REVERSE_REVERSAL;
	if (orig.reversed_by_id)
		return LEDGER_ALREADY_REVERSED;
	rc = store_customer_get(tx, orig.customer_id, 1, a, &c);
	if (rc != STORE_OK)
		return rc;
	/* An archived customer's balance is zero and must stay so. */
	if (strcmp(c.status, "active") != 0)
		return LEDGER_ARCHIVED;
	if (orig.effect_minor == INT64_MIN || money_add(c.balance_minor, -orig.effect_minor, &balance) < 0)
		return LEDGER_OVERFLOW;
	char *rid = arena_alloc(a, 37);
	uuid_v7(rid);
	memset(out, 0, sizeof *out);
	out->id = rid;
	out->customer_id = c.id;
	out->type = arena_strdup(a, entry_type_name(ENTRY_REVERSAL));
	out->amount_minor = orig.amount_minor;
	out->effect_minor = -orig.effect_minor;
	out->occurred_at = now_ms;
	out->created_at = now_ms;
	out->created_by = arena_strdup(a, store_tx_actor_id(tx));
	out->note = arena_strdup(a, "");
	out->reason = arena_strdup(a, reason);
	out->reverses_id = orig.id;
	out->balance_after_minor = balance;
	rc = insert_and_audit(tx, s, &c, out, &orig, now_ms, a, "transaction.reversed");
	/* Two reversals racing: the unique index on reverses_id stops the second. */
	return rc == STORE_CONFLICT ? LEDGER_ALREADY_REVERSED : rc;
}
