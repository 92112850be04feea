/* store_reports.c — see store_reports.h. */
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

int store_report_owing(struct store_tx *tx, int64_t not_due_after_ms, int64_t default_limit,
	struct arena *a, struct owing_row **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(not_due_after_ms), DB_INT(default_limit) };
	int rc = store_exec(tx,
		"SELECT c.id, c.name, c.apartment, c.balance_minor, ("
		"   SELECT " SUM_BIGINT("t.effect_minor") " FROM transactions t WHERE t.tenant_id = c.tenant_id"
		"   AND t.customer_id = c.id AND t.effect_minor > 0 AND t.type <> 'reversal'"
		"   AND t.occurred_at > $2" NOT_REVERSED "),"
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
	return STORE_OK;
}

int store_report_flows(struct store_tx *tx, int64_t from_ms, int64_t to_ms, struct flow_totals *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(from_ms), DB_INT(to_ms) };
	int rc = store_exec(tx,
		"SELECT " SUM_BIGINT("CASE WHEN t.type = 'purchase' THEN t.amount_minor ELSE 0 END") ","
		" " SUM_BIGINT("CASE WHEN t.type = 'payment' THEN t.amount_minor ELSE 0 END")
		" FROM transactions t WHERE t.tenant_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3"
		NOT_REVERSED, p, 3, &r);
	if (rc == STORE_OK) {
		out->purchases_minor = db_res_int(r, 0, 0);
		out->payments_minor = db_res_int(r, 0, 1);
	}
	db_res_free(r);
	return rc;
}

int store_report_entries(struct store_tx *tx, int64_t from_ms, int64_t to_ms,
	struct arena *a, struct day_flow_row **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(from_ms), DB_INT(to_ms) };
	int rc = store_exec(tx,
		"SELECT t.occurred_at, t.type, t.amount_minor FROM transactions t"
		" WHERE t.tenant_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3"
		" AND t.type IN ('purchase', 'payment')" NOT_REVERSED
		" ORDER BY t.occurred_at", p, 3, &r);
	if (rc != STORE_OK)
		return rc;
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++) {
		struct day_flow_row *f = &(*out)[i];
		f->occurred_at = db_res_int(r, i, 0);
		f->type = entry_type_parse(db_res_text(r, i, 1));
		f->amount_minor = db_res_int(r, i, 2);
	}
	db_res_free(r);
	return STORE_OK;
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

int store_report_balances_at(struct store_tx *tx, int64_t from_ms, int64_t to_ms,
	struct arena *a, struct balance_pair **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(from_ms), DB_INT(to_ms) };
	/* The stored balance is the sum of every effect, and a reversal cancels
	 * its entry exactly (quantumtrack verify checks both), so the balance
	 * at an instant is the stored one less what occurred since: only the
	 * entries after from_ms are read, not the whole history. */
	int rc = store_exec(tx,
		"SELECT c.balance_minor, COALESCE(x.since_from, 0), COALESCE(x.since_to, 0)"
		" FROM customers c LEFT JOIN ("
		"   SELECT t.customer_id, " SUM_BIGINT("t.effect_minor") " AS since_from,"
		"   " SUM_BIGINT("CASE WHEN t.occurred_at >= $3 THEN t.effect_minor ELSE 0 END") " AS since_to"
		"   FROM transactions t WHERE t.tenant_id = $1 AND t.occurred_at >= $2"
		"   AND t.type <> 'reversal'" NOT_REVERSED
		"   GROUP BY t.customer_id) x ON x.customer_id = c.id"
		" WHERE c.tenant_id = $1 AND (c.balance_minor <> 0 OR x.customer_id IS NOT NULL)",
		p, 3, &r);
	if (rc != STORE_OK)
		return rc;
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n && rc == STORE_OK; i++) {
		int64_t balance = db_res_int(r, i, 0);
		if (money_sub(balance, db_res_int(r, i, 1), &(*out)[i].opening_minor) < 0 ||
		    money_sub(balance, db_res_int(r, i, 2), &(*out)[i].closing_minor) < 0)
			rc = STORE_OVERFLOW;
	}
	db_res_free(r);
	return rc;
}

int store_report_payments_by_method(struct store_tx *tx, int64_t from_ms, int64_t to_ms,
	struct arena *a, struct method_total **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(from_ms), DB_INT(to_ms) };
	int rc = store_exec(tx,
		"SELECT COALESCE(t.payment_method, 'other') AS method, COUNT(*), " SUM_BIGINT("t.amount_minor")
		" FROM transactions t WHERE t.tenant_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3"
		" AND t.type = 'payment'" NOT_REVERSED
		" GROUP BY COALESCE(t.payment_method, 'other') ORDER BY method", p, 3, &r);
	if (rc != STORE_OK)
		return rc;
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++) {
		struct method_total *m = &(*out)[i];
		m->payment_method = store_dup(a, r, i, 0);
		m->payments = db_res_int(r, i, 1);
		m->amount_minor = db_res_int(r, i, 2);
	}
	db_res_free(r);
	return STORE_OK;
}

int store_report_reminder_responses(struct store_tx *tx, int64_t from_ms, int64_t to_ms,
	struct arena *a, struct reminder_response **out, int *n)
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
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++) {
		struct reminder_response *m = &(*out)[i];
		m->customer_id = store_dup(a, r, i, 0);
		m->reminded_at = db_res_int(r, i, 1);
		m->paid = !db_res_isnull(r, i, 2);
		m->paid_at = m->paid ? db_res_int(r, i, 2) : 0;
	}
	db_res_free(r);
	return STORE_OK;
}
