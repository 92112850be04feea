/* store_reports.c — see store_reports.h. */
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"
#include "store/store_reports.h"
#include "store/store_internal.h"
#include "store/store_sql.h"

#define NOT_REVERSED " AND" SQL_NOT_REVERSED

/* Every SUM is cast back to BIGINT.  SQLite's SUM() over integers already
 * fails with "integer overflow"; PostgreSQL's SUM(bigint) is numeric and
 * never overflows, so the cast is what fails there (22003).  Both reach the
 * caller as STORE_OVERFLOW, never as a number that does not fit. */
#define SUM_BIGINT(x) "CAST(COALESCE(SUM(" x "), 0) AS BIGINT)"

struct reversed_row;
static int reversed_entries(struct store_tx *tx, struct arena *a, struct reversed_row **out, int *n);
static int take_reversed_from_recent(struct store_tx *tx, int64_t not_due_after_ms, struct arena *a,
	struct owing_row *rows, int n);

int store_report_owing(struct store_tx *tx, int64_t not_due_after_ms, int64_t default_limit,
	struct arena *a, struct owing_row **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(not_due_after_ms), DB_INT(default_limit) };
	/* The recent lots are summed with the reversed ones, which are taken
	 * away after (take_reversed_from_recent): see reversed_entries. */
	int rc = store_exec(tx,
		"SELECT c.id, c.name, c.apartment, c.balance_minor, ("
		"   SELECT " SUM_BIGINT("t.effect_minor") " FROM transactions t WHERE t.tenant_id = c.tenant_id"
		"   AND t.customer_id = c.id AND t.effect_minor > 0 AND t.type <> 'reversal'"
		"   AND t.occurred_at > $2),"
		" COALESCE(c.oldest_due_at, 0), COALESCE(c.credit_limit_minor, $3), c.phone"
		" FROM customers c WHERE c.tenant_id = $1 AND c.balance_minor > 0"
		" ORDER BY c.balance_minor DESC, c.id", p, 3, &r);
	if (rc != STORE_OK)
		return rc;
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++) {
		struct owing_row *o = &(*out)[i];
		o->id = store_dup(a, r, i, 0);
		o->name = store_dup(a, r, i, 1);
		o->apartment = store_dup(a, r, i, 2);
		o->balance_minor = db_res_int(r, i, 3);
		o->recent_minor = db_res_int(r, i, 4);
		o->oldest_due_at = db_res_int(r, i, 5);
		o->credit_limit_minor = db_res_int(r, i, 6);
		o->phone = store_dup(a, r, i, 7);
	}
	db_res_free(r);
	return take_reversed_from_recent(tx, not_due_after_ms, a, *out, *n);
}

int store_report_towers(struct store_tx *tx, struct arena *a,
	struct tower_floor_row **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int rc = store_exec(tx,
		"SELECT tower, floor, COUNT(*), " SUM_BIGINT("balance_minor") " FROM customers"
		" WHERE tenant_id = $1 AND apartment IS NOT NULL AND balance_minor > 0"
		" GROUP BY tower, floor ORDER BY tower, floor", p, 1, &r);
	if (rc != STORE_OK)
		return rc;
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++) {
		struct tower_floor_row *f = &(*out)[i];
		f->tower = db_res_int(r, i, 0);
		f->floor = db_res_int(r, i, 1);
		f->customers = db_res_int(r, i, 2);
		f->outstanding_minor = db_res_int(r, i, 3);
	}
	db_res_free(r);
	return STORE_OK;
}

/*
 * The collections report asks of no entry whether it was reversed (one
 * index probe per entry, most of the time of a report over 100k entries).
 * It sums every entry and then takes away the reversed ones, found from
 * their reversals: few, and read once for all the figures.  The sums read
 * the covering indexes transactions_occurred (the period) and
 * transactions_customer (each customer's entries before or after an
 * instant).
 */
struct reversed_row {
	const char *customer_id;
	int64_t occurred_at;
	enum entry_type type;
	const char *payment_method;
	int64_t amount_minor, effect_minor;
};

/* Every reversed entry of the tenant. */
static int reversed_entries(struct store_tx *tx, struct arena *a, struct reversed_row **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	/* CROSS JOIN makes SQLite walk the reversals (transactions_reverses)
	 * and look up each one's entry; PostgreSQL plans it as any join. */
	int rc = store_exec(tx,
		"SELECT o.customer_id, o.occurred_at, o.type, COALESCE(o.payment_method, 'other'),"
		" o.amount_minor, o.effect_minor"
		" FROM transactions r CROSS JOIN transactions o"
		" WHERE r.tenant_id = $1 AND r.reverses_id IS NOT NULL"
		" AND o.tenant_id = r.tenant_id AND o.id = r.reverses_id", p, 1, &r);
	if (rc != STORE_OK)
		return rc;
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++) {
		struct reversed_row *x = &(*out)[i];
		x->customer_id = store_dup(a, r, i, 0);
		x->occurred_at = db_res_int(r, i, 1);
		x->type = entry_type_parse(db_res_text(r, i, 2));
		x->payment_method = store_dup(a, r, i, 3);
		x->amount_minor = db_res_int(r, i, 4);
		x->effect_minor = db_res_int(r, i, 5);
	}
	db_res_free(r);
	return STORE_OK;
}

static const char day_sum[] =
	"SELECT " SUM_BIGINT("t.amount_minor") " FROM transactions t WHERE t.tenant_id = $1"
	" AND t.occurred_at >= $2 AND t.occurred_at < $3 AND t.type = $4";

int store_report_days(struct store_tx *tx, const int64_t *bounds, int ndays,
	struct flow_totals *out, int *failed_day, int *failed_purchases)
{
	static const char *const types[] = { "purchase", "payment" };
	struct reversed_row *rev;
	int nrev;

	*failed_day = *failed_purchases = 0;
	memset(out, 0, sizeof *out * (size_t)ndays);
	struct arena *a = arena_new();
	if (!a)
		abort();
	/* One statement per day and type, prepared once: a day's sum reads
	 * only that day's part of transactions_occurred, and SQLite sorts
	 * nothing, where one GROUP BY over the days would sort every entry. */
	int rc = STORE_OK;
	for (int i = 0; i < ndays && rc == STORE_OK; i++)
		for (int k = 0; k < 2 && rc == STORE_OK; k++) {
			struct db_res *r = NULL;
			struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(bounds[i]), DB_INT(bounds[i + 1]),
				DB_TEXT(types[k]) };
			rc = store_exec(tx, day_sum, p, 4, &r);
			if (rc == STORE_OK)
				*(k ? &out[i].payments_minor : &out[i].purchases_minor) = db_res_int(r, 0, 0);
			else if (rc == STORE_OVERFLOW) {
				*failed_day = i;
				*failed_purchases = !k;
			}
			db_res_free(r);
		}
	if (rc == STORE_OK)
		rc = reversed_entries(tx, a, &rev, &nrev);
	for (int j = 0; rc == STORE_OK && j < nrev; j++) {
		const struct reversed_row *x = &rev[j];
		if ((x->type != ENTRY_PURCHASE && x->type != ENTRY_PAYMENT) ||
		    x->occurred_at < bounds[0] || x->occurred_at >= bounds[ndays])
			continue;
		int lo = 0, hi = ndays - 1; /* the day with bounds[day] <= occurred_at < bounds[day + 1] */
		while (lo < hi) {
			int mid = (lo + hi + 1) / 2;
			if (bounds[mid] <= x->occurred_at)
				lo = mid;
			else
				hi = mid - 1;
		}
		int64_t *sum = x->type == ENTRY_PURCHASE ? &out[lo].purchases_minor : &out[lo].payments_minor;
		if (money_sub(*sum, x->amount_minor, sum) < 0) {
			*failed_day = lo;
			*failed_purchases = x->type == ENTRY_PURCHASE;
			rc = STORE_OVERFLOW;
		}
	}
	arena_free(a);
	return rc;
}

int store_report_flows(struct store_tx *tx, int64_t from_ms, int64_t to_ms, struct flow_totals *out)
{
	const int64_t bounds[] = { from_ms, to_ms };
	int day, purchases;
	return store_report_days(tx, bounds, 1, out, &day, &purchases);
}

/* Per customer, the gross sums (reversed entries included, reversals
 * left out) that lead to the balances at from_ms and to_ms: either the
 * effects before from_ms (head) or those since (tail), whichever reads
 * fewer entries, and the effects since to_ms. */
struct customer_sums {
	const char *id;
	int64_t balance_minor;
	int64_t from_minor;    /* head: the effects before from_ms; tail: since */
	int64_t after_to_minor;
};

static int cmp_sums(const void *x, const void *y)
{
	return strcmp(((const struct customer_sums *)x)->id, ((const struct customer_sums *)y)->id);
}

#define EFFECTS_OF_C(cond) \
	"(SELECT " SUM_BIGINT("t.effect_minor") " FROM transactions t WHERE t.tenant_id = c.tenant_id" \
	" AND t.customer_id = c.id AND t.type <> 'reversal' AND " cond ")"

static int customer_sums(struct store_tx *tx, int64_t from_ms, int64_t to_ms, struct arena *a,
	int *head, struct customer_sums **out, int *n)
{
	static const char by_head[] = "SELECT c.id, c.balance_minor, " EFFECTS_OF_C("t.occurred_at < $2") ","
		" " EFFECTS_OF_C("t.occurred_at >= $3") " FROM customers c WHERE c.tenant_id = $1";
	static const char by_tail[] = "SELECT c.id, c.balance_minor, " EFFECTS_OF_C("t.occurred_at >= $2") ","
		" " EFFECTS_OF_C("t.occurred_at >= $3") " FROM customers c WHERE c.tenant_id = $1";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(from_ms), DB_INT(to_ms) };
	/* The first and last entry times say which side of from_ms is
	 * shorter; entries are spread evenly enough in time for that to say
	 * which holds fewer.  Two subqueries, as each is then one seek in
	 * transactions_occurred (SQLite scans for MIN and MAX together). */
	int rc = store_exec(tx, "SELECT (SELECT MIN(occurred_at) FROM transactions WHERE tenant_id = $1),"
		" (SELECT MAX(occurred_at) FROM transactions WHERE tenant_id = $1)", p, 1, &r);
	if (rc != STORE_OK)
		return rc;
	*head = !db_res_isnull(r, 0, 0) && from_ms - db_res_int(r, 0, 0) < db_res_int(r, 0, 1) - from_ms;
	db_res_free(r);
	r = NULL;
	rc = store_exec(tx, *head ? by_head : by_tail, p, 3, &r);
	if (rc != STORE_OK)
		return rc;
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++) {
		struct customer_sums *t = &(*out)[i];
		t->id = store_dup(a, r, i, 0);
		t->balance_minor = db_res_int(r, i, 1);
		t->from_minor = db_res_int(r, i, 2);
		t->after_to_minor = db_res_int(r, i, 3);
	}
	db_res_free(r);
	qsort(*out, (size_t)*n, sizeof **out, cmp_sums);
	return STORE_OK;
}

/* Purchases (one row, method NULL) and payments by method in the period,
 * reversed ones included. */
static int period_flows(struct store_tx *tx, int64_t from_ms, int64_t to_ms, struct arena *a,
	struct collections_data *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(from_ms), DB_INT(to_ms) };
	/* Two scans of the period rather than one GROUP BY over both types:
	 * SQLite groups by sorting, and sorting only the payments is the
	 * cheaper part. */
	int rc = store_exec(tx,
		"SELECT 'purchase', NULL, COUNT(*), " SUM_BIGINT("t.amount_minor")
		" FROM transactions t WHERE t.tenant_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3"
		" AND t.type = 'purchase'"
		" UNION ALL"
		" SELECT 'payment', COALESCE(t.payment_method, 'other'), COUNT(*), " SUM_BIGINT("t.amount_minor")
		" FROM transactions t WHERE t.tenant_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3"
		" AND t.type = 'payment' GROUP BY COALESCE(t.payment_method, 'other')", p, 3, &r);
	if (rc != STORE_OK)
		return rc;
	int rows = db_res_rows(r);
	out->methods = arena_alloc(a, sizeof *out->methods * (size_t)(rows ? rows : 1));
	out->nmethods = 0;
	out->sales_minor = 0;
	for (int i = 0; i < rows; i++) {
		if (entry_type_parse(db_res_text(r, i, 0)) == ENTRY_PURCHASE) {
			out->sales_minor = db_res_int(r, i, 3);
			continue;
		}
		struct method_total *m = &out->methods[out->nmethods++];
		m->payment_method = store_dup(a, r, i, 1);
		m->payments = db_res_int(r, i, 2);
		m->amount_minor = db_res_int(r, i, 3);
	}
	db_res_free(r);
	return STORE_OK;
}

static int reminder_responses(struct store_tx *tx, int64_t from_ms, int64_t to_ms, struct arena *a,
	struct collections_data *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(from_ms), DB_INT(to_ms),
		DB_INT(COLLECTIONS_PAY_WINDOW_MS) };
	/* ORDER BY ... LIMIT 1 walks transactions_customer from the reminder's
	 * time and stops at the first payment; MIN() with these conditions
	 * would read every later entry of the customer. */
	int rc = store_exec(tx,
		"SELECT m.customer_id, m.created_at, ("
		"   SELECT t.occurred_at FROM transactions t WHERE t.tenant_id = m.tenant_id"
		"   AND t.customer_id = m.customer_id AND t.occurred_at >= m.created_at"
		"   AND t.occurred_at <= m.created_at + $4 AND t.type = 'payment'" NOT_REVERSED
		"   ORDER BY t.occurred_at LIMIT 1)"
		" FROM reminders m WHERE m.tenant_id = $1 AND m.created_at >= $2 AND m.created_at < $3"
		" AND m.kind = 'reminder' AND m.status IN ('sent', 'delivered', 'read')", p, 4, &r);
	if (rc != STORE_OK)
		return rc;
	out->nresponses = db_res_rows(r);
	out->responses = arena_alloc(a, sizeof *out->responses * (size_t)(out->nresponses ? out->nresponses : 1));
	for (int i = 0; i < out->nresponses; i++) {
		struct reminder_response *m = &out->responses[i];
		m->customer_id = store_dup(a, r, i, 0);
		m->reminded_at = db_res_int(r, i, 1);
		m->paid = !db_res_isnull(r, i, 2);
		m->paid_at = m->paid ? db_res_int(r, i, 2) : 0;
	}
	db_res_free(r);
	return STORE_OK;
}

static int cmp_owing_id(const void *x, const void *y)
{
	const struct owing_row *a = *(const struct owing_row *const *)x;
	const struct owing_row *b = *(const struct owing_row *const *)y;
	return strcmp(a->id, b->id);
}

static int take_reversed_from_recent(struct store_tx *tx, int64_t not_due_after_ms, struct arena *a,
	struct owing_row *rows, int n)
{
	struct reversed_row *rev;
	int nrev;
	int rc = reversed_entries(tx, a, &rev, &nrev);
	if (rc != STORE_OK || !nrev || !n)
		return rc;
	struct owing_row **by_id = arena_alloc(a, sizeof *by_id * (size_t)n);
	for (int i = 0; i < n; i++)
		by_id[i] = &rows[i];
	qsort(by_id, (size_t)n, sizeof *by_id, cmp_owing_id);
	for (int i = 0; i < nrev; i++) {
		const struct reversed_row *x = &rev[i];
		if (x->effect_minor <= 0 || x->occurred_at <= not_due_after_ms)
			continue;
		struct owing_row key = { .id = (char *)x->customer_id }, *k = &key;
		struct owing_row **o = bsearch(&k, by_id, (size_t)n, sizeof *by_id, cmp_owing_id);
		if (o && money_sub((*o)->recent_minor, x->effect_minor, &(*o)->recent_minor) < 0)
			return STORE_OVERFLOW;
	}
	return STORE_OK;
}

int store_report_collections(struct store_tx *tx, int64_t from_ms, int64_t to_ms,
	struct arena *a, struct collections_data *out)
{
	struct reversed_row *rev;
	struct customer_sums *sums;
	int nrev, nsums, head;

	memset(out, 0, sizeof *out);
	int rc = period_flows(tx, from_ms, to_ms, a, out);
	if (rc == STORE_OK)
		rc = customer_sums(tx, from_ms, to_ms, a, &head, &sums, &nsums);
	if (rc == STORE_OK)
		rc = reversed_entries(tx, a, &rev, &nrev);
	if (rc == STORE_OK)
		rc = reminder_responses(tx, from_ms, to_ms, a, out);
	if (rc != STORE_OK)
		return rc;

	/* Take the reversed entries out of the sums they were counted in. */
	for (int i = 0; i < nrev; i++) {
		const struct reversed_row *x = &rev[i];
		struct customer_sums key = { .id = x->customer_id };
		struct customer_sums *c = bsearch(&key, sums, (size_t)nsums, sizeof *sums, cmp_sums);
		if (!c)
			return STORE_ERROR; /* an entry of no customer: the foreign key forbids it */
		if (head == (x->occurred_at < from_ms) &&
		    money_sub(c->from_minor, x->effect_minor, &c->from_minor) < 0)
			return STORE_OVERFLOW;
		if (x->occurred_at >= to_ms && money_sub(c->after_to_minor, x->effect_minor, &c->after_to_minor) < 0)
			return STORE_OVERFLOW;
		if (x->occurred_at < from_ms || x->occurred_at >= to_ms)
			continue;
		if (x->type == ENTRY_PURCHASE && money_sub(out->sales_minor, x->amount_minor, &out->sales_minor) < 0)
			return STORE_OVERFLOW;
		for (int k = 0; x->type == ENTRY_PAYMENT && k < out->nmethods; k++)
			if (strcmp(out->methods[k].payment_method, x->payment_method) == 0) {
				out->methods[k].payments--;
				if (money_sub(out->methods[k].amount_minor, x->amount_minor,
						&out->methods[k].amount_minor) < 0)
					return STORE_OVERFLOW;
			}
	}
	/* The stored balance is the sum of every effect and a reversal cancels
	 * its entry exactly (quantumtrack verify checks both): the balance at
	 * an instant is what came before it, or the stored one less what came
	 * since. */
	out->nbalances = nsums;
	out->balances = arena_alloc(a, sizeof *out->balances * (size_t)(nsums ? nsums : 1));
	for (int i = 0; i < nsums; i++) {
		struct balance_pair *b = &out->balances[i];
		if (head)
			b->opening_minor = sums[i].from_minor;
		else if (money_sub(sums[i].balance_minor, sums[i].from_minor, &b->opening_minor) < 0)
			return STORE_OVERFLOW;
		if (money_sub(sums[i].balance_minor, sums[i].after_to_minor, &b->closing_minor) < 0)
			return STORE_OVERFLOW;
	}
	return STORE_OK;
}
