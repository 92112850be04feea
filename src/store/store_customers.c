/* store_customers.c — see store_customers.h. */
#include <string.h>

#include "store/store_customers.h"
#include "store/store_internal.h"
#include "util/clock.h"

#define CUSTOMER_COLS \
	"id, name, phone, apartment, tower, floor, unit, email, credit_limit_minor, notes," \
	" status, reminders_opt_out, balance_minor, oldest_due_at, last_purchase_at," \
	" last_payment_at, last_activity_at, created_at, updated_at, open_lots"

static void customer_from_row(struct arena *a, struct db_res *r, int i, struct customer_rec *c)
{
	memset(c, 0, sizeof *c);
	c->id = store_dup(a, r, i, 0);
	c->name = store_dup(a, r, i, 1);
	c->phone = store_dup(a, r, i, 2);
	c->apartment = store_dup(a, r, i, 3);
	c->tower = db_res_int(r, i, 4);
	c->floor = db_res_int(r, i, 5);
	c->unit = db_res_int(r, i, 6);
	c->email = store_dup(a, r, i, 7);
	c->has_credit_limit = !db_res_isnull(r, i, 8);
	c->credit_limit_minor = db_res_int(r, i, 8);
	c->notes = store_dup(a, r, i, 9);
	c->status = store_dup(a, r, i, 10);
	c->reminders_opt_out = (int)db_res_int(r, i, 11);
	c->balance_minor = db_res_int(r, i, 12);
	c->oldest_due_at = db_res_int(r, i, 13);
	c->last_purchase_at = db_res_int(r, i, 14);
	c->last_payment_at = db_res_int(r, i, 15);
	c->last_activity_at = db_res_int(r, i, 16);
	c->created_at = db_res_int(r, i, 17);
	c->updated_at = db_res_int(r, i, 18);
	c->open_lots = store_dup(a, r, i, 19);
}

static int customers_from(struct db_res *r, struct arena *a, struct customer_rec **out, int *n)
{
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++)
		customer_from_row(a, r, i, &(*out)[i]);
	return STORE_OK;
}

int store_customer_insert(struct store_tx *tx, const struct customer_rec *c)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(c->id), DB_TEXT(c->name), DB_TEXT(c->phone),
		DB_TEXT(c->apartment), store_opt_int(c->apartment != NULL, c->tower),
		store_opt_int(c->apartment != NULL, c->floor), store_opt_int(c->apartment != NULL, c->unit),
		DB_TEXT(c->email), store_opt_int(c->has_credit_limit, c->credit_limit_minor),
		DB_TEXT(c->notes ? c->notes : ""), DB_INT(c->reminders_opt_out), DB_INT(c->created_at),
	};
	return store_exec(tx,
		"INSERT INTO customers (tenant_id, id, name, phone, apartment, tower, floor, unit, email,"
		" credit_limit_minor, notes, status, reminders_opt_out, balance_minor, last_activity_at,"
		" created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'active',"
		" $12, 0, $13, $13, $13)", p, 13, NULL);
}

int store_customer_get(struct store_tx *tx, const char *id, int lock, struct arena *a,
	struct customer_rec *out)
{
	static const char sql[] =
		"SELECT " CUSTOMER_COLS " FROM customers WHERE tenant_id = $1 AND id = $2";
	static const char sql_lock[] =
		"SELECT " CUSTOMER_COLS " FROM customers WHERE tenant_id = $1 AND id = $2 FOR UPDATE";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id) };
	int rc = store_exec(tx, lock && store_is_pg(tx) ? sql_lock : sql, p, 2, &r);
	if (rc == STORE_OK && db_res_rows(r) != 1)
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK)
		customer_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_customer_update(struct store_tx *tx, const struct customer_rec *c)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(c->id), DB_TEXT(c->name), DB_TEXT(c->phone),
		DB_TEXT(c->apartment), store_opt_int(c->apartment != NULL, c->tower),
		store_opt_int(c->apartment != NULL, c->floor), store_opt_int(c->apartment != NULL, c->unit),
		DB_TEXT(c->email), store_opt_int(c->has_credit_limit, c->credit_limit_minor),
		DB_TEXT(c->notes ? c->notes : ""), DB_TEXT(c->status), DB_INT(c->reminders_opt_out),
		DB_INT(clock_now_ms()),
	};
	int rc = store_exec(tx,
		"UPDATE customers SET name = $3, phone = $4, apartment = $5, tower = $6, floor = $7,"
		" unit = $8, email = $9, credit_limit_minor = $10, notes = $11, status = $12,"
		" reminders_opt_out = $13, updated_at = $14 WHERE tenant_id = $1 AND id = $2",
		p, 14, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_customer_set_ledger(struct store_tx *tx, const struct customer_rec *c)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(c->id), DB_INT(c->balance_minor),
		store_opt_int(c->oldest_due_at != 0, c->oldest_due_at),
		store_opt_int(c->last_purchase_at != 0, c->last_purchase_at),
		store_opt_int(c->last_payment_at != 0, c->last_payment_at), DB_INT(c->last_activity_at),
		DB_TEXT(c->open_lots),
	};
	/* Every caller holds the row's lock (store_customer_get with lock=1,
	 * the import's locked read), so the row is there: on PostgreSQL the
	 * update need not be waited for (store_exec_later), and any failure
	 * is a fault the next statement or the commit reports. */
	int rc = store_exec_later(tx,
		"UPDATE customers SET balance_minor = $3, oldest_due_at = $4, last_purchase_at = $5,"
		" last_payment_at = $6, last_activity_at = $7, open_lots = $8"
		" WHERE tenant_id = $1 AND id = $2", p, 8, NULL);
	if (rc != STORE_OK || store_is_pg(tx))
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_customers_shift_due(struct store_tx *tx, int64_t delta_ms)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(delta_ms) };
	return store_exec(tx, "UPDATE customers SET oldest_due_at = oldest_due_at + $2"
		" WHERE tenant_id = $1 AND oldest_due_at IS NOT NULL", p, 2, NULL);
}

int store_customer_count_active(struct store_tx *tx, int64_t *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	/* PostgreSQL writers run READ COMMITTED: two creates could both count
	 * below the plan limit and both insert.  A per-tenant lock held to the
	 * end of the transaction serializes count-then-insert (SQLite writers
	 * are serialized by BEGIN IMMEDIATE already). */
	if (store_is_pg(tx)) {
		int lrc = store_exec(tx, "SELECT pg_advisory_xact_lock(hashtextextended('customers:' || $1, 0))",
			p, 1, NULL);
		if (lrc != STORE_OK)
			return lrc;
	}
	int rc = store_exec(tx,
		"SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND status = 'active'", p, 1, &r);
	if (rc == STORE_OK)
		*n = db_res_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

int store_customers_by_phone(struct store_tx *tx, const char *phone, struct arena *a,
	char ***ids, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(phone) };
	int rc = store_exec(tx, "SELECT id FROM customers WHERE tenant_id = $1 AND phone = $2"
		" AND status = 'active' ORDER BY id", p, 2, &r);
	*ids = NULL;
	*n = 0;
	if (rc == STORE_OK) {
		int rows = db_res_rows(r);
		*ids = arena_alloc(a, sizeof **ids * (size_t)(rows ? rows : 1));
		for (int i = 0; i < rows; i++)
			(*ids)[i] = store_dup(a, r, i, 0);
		*n = rows;
	}
	db_res_free(r);
	return rc;
}

int store_customer_set_opt_out(struct store_tx *tx, const char *id, int opted_out)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_INT(opted_out ? 1 : 0),
		DB_INT(clock_now_ms()) };
	int rc = store_exec(tx, "UPDATE customers SET reminders_opt_out = $3, updated_at = $4"
		" WHERE tenant_id = $1 AND id = $2", p, 4, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_customer_phone_taken(struct store_tx *tx, const char *phone, const char *exclude_id)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(phone), DB_TEXT(exclude_id) };
	int rc = store_exec(tx,
		"SELECT COUNT(*) FROM customers WHERE tenant_id = $1 AND phone = $2"
		" AND status = 'active' AND (id <> $3 OR $3 IS NULL)", p, 3, &r);
	int taken = rc == STORE_OK && db_res_int(r, 0, 0) > 0;
	db_res_free(r);
	return rc == STORE_OK ? taken : rc;
}

/* One WHERE clause shared by the four sort orders.  $2 name pattern,
 * $3 digits pattern (phone substring), $4 apartment prefix pattern. */
#define CUSTOMER_WHERE \
	" FROM customers WHERE tenant_id = $1" \
	" AND (lower(name) LIKE $2 ESCAPE '!' OR $2 IS NULL" \
	"      OR (phone LIKE $3 ESCAPE '!' AND $3 IS NOT NULL)" \
	"      OR (apartment LIKE $4 ESCAPE '!' AND $4 IS NOT NULL))" \
	" AND (tower = $5 OR $5 IS NULL) AND (floor = $6 OR $6 IS NULL)" \
	" AND (status = $7 OR $7 IS NULL)" \
	" AND ($8 < 0 OR ($8 = 0 AND balance_minor = 0) OR ($8 = 1 AND balance_minor <> 0))" \
	" AND ($9 < 0 OR ($9 = 1 AND balance_minor > 0 AND oldest_due_at IS NOT NULL AND oldest_due_at <= $10)" \
	"      OR ($9 = 0 AND NOT (balance_minor > 0 AND oldest_due_at IS NOT NULL AND oldest_due_at <= $10)))"

static const char list_by_name[] =
	"SELECT " CUSTOMER_COLS CUSTOMER_WHERE
	" AND (name > $11 OR (name = $11 AND id > $13) OR $11 IS NULL)"
	" ORDER BY name, id LIMIT $14";
static const char list_by_balance[] =
	"SELECT " CUSTOMER_COLS CUSTOMER_WHERE
	" AND (balance_minor < $12 OR (balance_minor = $12 AND id > $13) OR $13 IS NULL)"
	" ORDER BY balance_minor DESC, id LIMIT $14";
static const char list_by_apartment[] =
	"SELECT " CUSTOMER_COLS CUSTOMER_WHERE
	" AND (COALESCE(apartment, '~') > $11 OR (COALESCE(apartment, '~') = $11 AND id > $13) OR $11 IS NULL)"
	" ORDER BY COALESCE(apartment, '~'), id LIMIT $14";
static const char list_by_activity[] =
	"SELECT " CUSTOMER_COLS CUSTOMER_WHERE
	" AND (last_activity_at < $12 OR (last_activity_at = $12 AND id > $13) OR $13 IS NULL)"
	" ORDER BY last_activity_at DESC, id LIMIT $14";

/* LIKE pattern with ! as the escape character. */
static char *like_pattern(struct arena *a, const char *s, int leading, int lower)
{
	size_t n = strlen(s);
	char *out = arena_alloc(a, n * 2 + 3), *p = out;
	if (leading)
		*p++ = '%';
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '%' || c == '_' || c == '!')
			*p++ = '!';
		*p++ = lower && c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
	}
	*p++ = '%';
	*p = '\0';
	return out;
}

int store_customer_list(struct store_tx *tx, const struct customer_filter *f,
	struct arena *a, struct customer_rec **out, int *n)
{
	const char *name_pat = NULL, *phone_pat = NULL, *apt_pat = NULL;
	if (f->q && f->q[0]) {
		int digits = 1;
		for (const char *p = f->q; *p; p++)
			if (*p < '0' || *p > '9')
				digits = 0;
		name_pat = like_pattern(a, f->q, 1, 1);
		if (digits) {
			phone_pat = like_pattern(a, f->q, 1, 0);
			if (strlen(f->q) <= 5)
				apt_pat = like_pattern(a, f->q, 0, 0);
		}
	}
	const char *sql = f->sort == SORT_BALANCE ? list_by_balance :
		f->sort == SORT_APARTMENT ? list_by_apartment :
		f->sort == SORT_LAST_ACTIVITY ? list_by_activity : list_by_name;
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(name_pat), DB_TEXT(phone_pat), DB_TEXT(apt_pat),
		store_opt_int(f->tower >= 0, f->tower), store_opt_int(f->floor >= 0, f->floor),
		DB_TEXT(f->status), DB_INT(f->has_balance), DB_INT(f->overdue), DB_INT(f->now_ms),
		DB_TEXT(f->after_text), DB_INT(f->after_int), DB_TEXT(f->after_id), DB_INT(f->limit),
	};
	struct db_res *r = NULL;
	int rc = store_exec(tx, sql, p, 14, &r);
	if (rc == STORE_OK)
		customers_from(r, a, out, n);
	db_res_free(r);
	return rc;
}

int store_customers_in_apartment(struct store_tx *tx, const char *number,
	struct arena *a, struct customer_rec **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(number) };
	int rc = store_exec(tx,
		"SELECT " CUSTOMER_COLS " FROM customers WHERE tenant_id = $1 AND apartment = $2"
		" ORDER BY name, id", p, 2, &r);
	if (rc == STORE_OK)
		customers_from(r, a, out, n);
	db_res_free(r);
	return rc;
}
