/* store_reports.c — see store_reports.h. */
#include <string.h>

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
