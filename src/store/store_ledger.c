/* store_ledger.c — see store_ledger.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"
#include "store/store_ledger.h"
#include "store/store_sql.h"
#include "util/clock.h"

static int is_pg(struct store_tx *tx)
{
	return db_conn_dialect(tx->conn) == DB_POSTGRES;
}

/* ---- customers ---- */

#define CUSTOMER_COLS \
	"id, name, phone, apartment, tower, floor, unit, email, credit_limit_minor, notes," \
	" status, reminders_opt_out, balance_minor, oldest_due_at, last_purchase_at," \
	" last_payment_at, last_activity_at, created_at, updated_at"

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
}

static int customers_from(struct db_res *r, struct arena *a, struct customer_rec **out, int *n)
{
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++)
		customer_from_row(a, r, i, &(*out)[i]);
	return STORE_OK;
}

static struct db_param opt_int(int has, int64_t v)
{
	return has ? DB_INT(v) : DB_NULLP;
}

int store_customer_insert(struct store_tx *tx, const struct customer_rec *c)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(c->id), DB_TEXT(c->name), DB_TEXT(c->phone),
		DB_TEXT(c->apartment), opt_int(c->apartment != NULL, c->tower),
		opt_int(c->apartment != NULL, c->floor), opt_int(c->apartment != NULL, c->unit),
		DB_TEXT(c->email), opt_int(c->has_credit_limit, c->credit_limit_minor),
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
	int rc = store_exec(tx, lock && is_pg(tx) ? sql_lock : sql, p, 2, &r);
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
		DB_TEXT(c->apartment), opt_int(c->apartment != NULL, c->tower),
		opt_int(c->apartment != NULL, c->floor), opt_int(c->apartment != NULL, c->unit),
		DB_TEXT(c->email), opt_int(c->has_credit_limit, c->credit_limit_minor),
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
		opt_int(c->oldest_due_at != 0, c->oldest_due_at),
		opt_int(c->last_purchase_at != 0, c->last_purchase_at),
		opt_int(c->last_payment_at != 0, c->last_payment_at), DB_INT(c->last_activity_at),
	};
	int rc = store_exec(tx,
		"UPDATE customers SET balance_minor = $3, oldest_due_at = $4, last_purchase_at = $5,"
		" last_payment_at = $6, last_activity_at = $7 WHERE tenant_id = $1 AND id = $2",
		p, 7, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_customer_count_active(struct store_tx *tx, int64_t *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	/* PostgreSQL writers run READ COMMITTED: two creates could both count
	 * below the plan limit and both insert.  A per-tenant lock held to the
	 * end of the transaction serializes count-then-insert (SQLite writers
	 * are serialized by BEGIN IMMEDIATE already). */
	if (is_pg(tx)) {
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
		opt_int(f->tower >= 0, f->tower), opt_int(f->floor >= 0, f->floor),
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

/* ---- entries ---- */

#define ENTRY_COLS \
	"t.id, t.customer_id, t.type, t.amount_minor, t.effect_minor, t.occurred_at, t.created_at," \
	" t.created_by, t.note, t.items, t.payment_method, t.payment_reference, t.reason," \
	" t.override, t.override_reason, t.reverses_id, t.balance_after_minor," \
	" (SELECT x.id FROM transactions x WHERE x.tenant_id = t.tenant_id AND x.reverses_id = t.id)"

static void entry_from_row(struct arena *a, struct db_res *r, int i, struct entry_rec *e)
{
	memset(e, 0, sizeof *e);
	e->id = store_dup(a, r, i, 0);
	e->customer_id = store_dup(a, r, i, 1);
	e->type = store_dup(a, r, i, 2);
	e->amount_minor = db_res_int(r, i, 3);
	e->effect_minor = db_res_int(r, i, 4);
	e->occurred_at = db_res_int(r, i, 5);
	e->created_at = db_res_int(r, i, 6);
	e->created_by = store_dup(a, r, i, 7);
	e->note = store_dup(a, r, i, 8);
	e->items = store_dup(a, r, i, 9);
	e->payment_method = store_dup(a, r, i, 10);
	e->payment_reference = store_dup(a, r, i, 11);
	e->reason = store_dup(a, r, i, 12);
	e->override = (int)db_res_int(r, i, 13);
	e->override_reason = store_dup(a, r, i, 14);
	e->reverses_id = store_dup(a, r, i, 15);
	e->balance_after_minor = db_res_int(r, i, 16);
	e->reversed_by_id = store_dup(a, r, i, 17);
}

static void entries_from(struct db_res *r, struct arena *a, struct entry_rec **out, int *n)
{
	*n = db_res_rows(r);
	*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
	for (int i = 0; i < *n; i++)
		entry_from_row(a, r, i, &(*out)[i]);
}

int store_entry_insert(struct store_tx *tx, const struct entry_rec *e)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(e->id), DB_TEXT(e->customer_id), DB_TEXT(e->type),
		DB_INT(e->amount_minor), DB_INT(e->effect_minor), DB_INT(e->occurred_at),
		DB_INT(e->created_at), DB_TEXT(e->created_by), DB_TEXT(e->note ? e->note : ""),
		DB_TEXT(e->items), DB_TEXT(e->payment_method), DB_TEXT(e->payment_reference),
		DB_TEXT(e->reason), DB_INT(e->override), DB_TEXT(e->override_reason),
		DB_TEXT(e->reverses_id), DB_INT(e->balance_after_minor),
	};
	return store_exec(tx,
		"INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor,"
		" occurred_at, created_at, created_by, note, items, payment_method, payment_reference,"
		" reason, override, override_reason, reverses_id, balance_after_minor)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)",
		p, 18, NULL);
}

int store_entry_get(struct store_tx *tx, const char *id, struct arena *a, struct entry_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id) };
	int rc = store_exec(tx,
		"SELECT " ENTRY_COLS " FROM transactions t WHERE t.tenant_id = $1 AND t.id = $2", p, 2, &r);
	if (rc == STORE_OK && db_res_rows(r) != 1)
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK)
		entry_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_entry_all_for_customer(struct store_tx *tx, const char *customer_id,
	struct arena *a, struct entry_rec **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(customer_id) };
	int rc = store_exec(tx,
		"SELECT " ENTRY_COLS " FROM transactions t WHERE t.tenant_id = $1 AND t.customer_id = $2"
		" ORDER BY t.occurred_at, t.id", p, 2, &r);
	if (rc == STORE_OK)
		entries_from(r, a, out, n);
	db_res_free(r);
	return rc;
}

/* Lots are read a page at a time, newest first along transactions_lots,
 * and the walk stops at the lot that covers the balance: the work follows
 * the number of open lots, not the length of the customer's ledger. */
#define OPEN_LOTS_FIRST_PAGE 16
#define OPEN_LOTS_FILTER \
	" FROM transactions t WHERE t.tenant_id = $1 AND t.customer_id = $2" \
	" AND t.effect_minor > 0 AND t.type <> 'reversal' AND" SQL_NOT_REVERSED

int store_entry_open_lots(struct store_tx *tx, const char *customer_id, int64_t balance,
	struct db_res **out)
{
	static const char first[] =
		"SELECT t.occurred_at, t.effect_minor, t.id" OPEN_LOTS_FILTER
		" ORDER BY t.occurred_at DESC, t.id DESC LIMIT $3";
	static const char next[] =
		"SELECT t.occurred_at, t.effect_minor, t.id" OPEN_LOTS_FILTER
		" AND (t.occurred_at, t.id) < ($4, $5)"
		" ORDER BY t.occurred_at DESC, t.id DESC LIMIT $3";
	struct db_res *lots = db_res_new(2);
	int64_t covered = 0, page = OPEN_LOTS_FIRST_PAGE, after_at = 0;
	char after_id[40] = "";
	int rc = STORE_OK;

	for (int more = 1; more && covered < balance; page *= 2) {
		struct db_res *r = NULL;
		struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(customer_id), DB_INT(page),
			DB_INT(after_at), DB_TEXT(after_id) };
		rc = store_exec(tx, after_id[0] ? next : first, p, after_id[0] ? 5 : 3, &r);
		if (rc != STORE_OK) {
			db_res_free(lots);
			return rc;
		}
		int n = db_res_rows(r);
		for (int i = 0; i < n && covered < balance; i++) {
			const char *vals[2] = { db_res_text(r, i, 0), db_res_text(r, i, 1) };
			size_t lens[2] = { strlen(vals[0]), strlen(vals[1]) };
			int64_t effect = db_res_int(r, i, 1);
			db_res_add_row(lots, vals, lens);
			covered = effect >= balance - covered ? balance : covered + effect;
		}
		more = n == page;
		if (more && covered < balance) {
			after_at = db_res_int(r, n - 1, 0);
			snprintf(after_id, sizeof after_id, "%s", db_res_text(r, n - 1, 2));
		}
		db_res_free(r);
	}
	*out = lots;
	return STORE_OK;
}

int store_entry_latest(struct store_tx *tx, const char *customer_id, const char *type,
	int64_t *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(customer_id), DB_TEXT(type) };
	int rc = store_exec(tx,
		"SELECT COALESCE(MAX(t.occurred_at), 0) FROM transactions t"
		" WHERE t.tenant_id = $1 AND t.customer_id = $2 AND t.type = $3"
		" AND" SQL_NOT_REVERSED, p, 3, &r);
	if (rc == STORE_OK)
		*out = db_res_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

int store_entry_list(struct store_tx *tx, const struct entry_filter *f,
	struct arena *a, struct entry_rec **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(f->customer_id), DB_TEXT(f->type),
		DB_INT(f->from_ms), DB_INT(f->to_ms), DB_INT(f->after_occurred), DB_TEXT(f->after_id),
		DB_INT(f->limit),
	};
	int rc = store_exec(tx,
		"SELECT " ENTRY_COLS " FROM transactions t WHERE t.tenant_id = $1"
		" AND (t.customer_id = $2 OR $2 IS NULL) AND (t.type = $3 OR $3 IS NULL)"
		" AND ($4 = 0 OR t.occurred_at >= $4) AND ($5 = 0 OR t.occurred_at < $5)"
		" AND (t.occurred_at < $6 OR (t.occurred_at = $6 AND t.id < $7) OR $7 IS NULL)"
		" ORDER BY t.occurred_at DESC, t.id DESC LIMIT $8", p, 8, &r);
	if (rc == STORE_OK)
		entries_from(r, a, out, n);
	db_res_free(r);
	return rc;
}

/* ---- apartments ---- */

#define APARTMENT_COLS "number, tower, floor, unit, occupant_name, occupancy, notes, created_at, updated_at"

static void apartment_from_row(struct arena *a, struct db_res *r, int i, struct apartment_rec *ap)
{
	ap->number = store_dup(a, r, i, 0);
	ap->tower = db_res_int(r, i, 1);
	ap->floor = db_res_int(r, i, 2);
	ap->unit = db_res_int(r, i, 3);
	ap->occupant_name = store_dup(a, r, i, 4);
	ap->occupancy = store_dup(a, r, i, 5);
	ap->notes = store_dup(a, r, i, 6);
	ap->created_at = db_res_int(r, i, 7);
	ap->updated_at = db_res_int(r, i, 8);
}

int store_apartment_get(struct store_tx *tx, const char *number, struct arena *a,
	struct apartment_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(number) };
	int rc = store_exec(tx, "SELECT " APARTMENT_COLS " FROM apartments WHERE tenant_id = $1 AND number = $2",
		p, 2, &r);
	if (rc == STORE_OK && db_res_rows(r) != 1)
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK)
		apartment_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_apartment_insert(struct store_tx *tx, const struct apartment_rec *ap)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(ap->number), DB_INT(ap->tower), DB_INT(ap->floor),
		DB_INT(ap->unit), DB_TEXT(ap->occupant_name), DB_TEXT(ap->occupancy), DB_TEXT(ap->notes),
		DB_INT(clock_now_ms()),
	};
	return store_exec(tx,
		"INSERT INTO apartments (tenant_id, number, tower, floor, unit, occupant_name, occupancy,"
		" notes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
		p, 9, NULL);
}

int store_apartment_update(struct store_tx *tx, const struct apartment_rec *ap)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(ap->number), DB_TEXT(ap->occupant_name),
		DB_TEXT(ap->occupancy), DB_TEXT(ap->notes), DB_INT(clock_now_ms()),
	};
	int rc = store_exec(tx,
		"UPDATE apartments SET occupant_name = $3, occupancy = $4, notes = $5, updated_at = $6"
		" WHERE tenant_id = $1 AND number = $2", p, 6, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_apartment_list(struct store_tx *tx, int64_t tower, int64_t floor,
	const char *after, int limit, struct arena *a, struct apartment_rec **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), opt_int(tower >= 0, tower),
		opt_int(floor >= 0, floor), DB_TEXT(after), DB_INT(limit) };
	int rc = store_exec(tx,
		"SELECT " APARTMENT_COLS " FROM apartments WHERE tenant_id = $1"
		" AND (tower = $2 OR $2 IS NULL) AND (floor = $3 OR $3 IS NULL)"
		" AND (number > $4 OR $4 IS NULL) ORDER BY number LIMIT $5", p, 5, &r);
	if (rc == STORE_OK) {
		*n = db_res_rows(r);
		*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
		for (int i = 0; i < *n; i++)
			apartment_from_row(a, r, i, &(*out)[i]);
	}
	db_res_free(r);
	return rc;
}

/* ---- verification ---- */

struct vrow {
	const char *id, *customer_id, *type, *reverses_id;
	int64_t amount, effect;
};

static int cmp_id(const void *x, const void *y)
{
	return strcmp(((const struct vrow *)x)->id, ((const struct vrow *)y)->id);
}

static int cmp_customer(const void *x, const void *y)
{
	return strcmp(((const struct vrow *)x)->customer_id, ((const struct vrow *)y)->customer_id);
}

int store_ledger_verify(struct store_tx *tx, json_t *report)
{
	struct db_res *e = NULL, *c = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int problems = 0;
	int rc = store_exec(tx,
		"SELECT id, customer_id, type, amount_minor, effect_minor, reverses_id FROM transactions"
		" WHERE tenant_id = $1", p, 1, &e);
	if (rc == STORE_OK)
		rc = store_exec(tx,
			"SELECT id, name, balance_minor FROM customers WHERE tenant_id = $1 ORDER BY id", p, 1, &c);
	if (rc != STORE_OK)
		goto out;
	int n = db_res_rows(e);
	struct vrow *rows = calloc((size_t)(n ? n : 1), sizeof *rows);
	if (!rows)
		abort();
	for (int i = 0; i < n; i++) {
		rows[i].id = db_res_text(e, i, 0);
		rows[i].customer_id = db_res_text(e, i, 1);
		rows[i].type = db_res_text(e, i, 2);
		rows[i].amount = db_res_int(e, i, 3);
		rows[i].effect = db_res_int(e, i, 4);
		rows[i].reverses_id = db_res_text(e, i, 5);
	}
	qsort(rows, (size_t)n, sizeof *rows, cmp_id);
	/* Each entry's effect follows from its type and amount; a reversal's
	 * from the entry it reverses. */
	for (int i = 0; i < n; i++) {
		struct vrow *v = &rows[i];
		int64_t expect;
		if (strcmp(v->type, "purchase") == 0)
			expect = v->amount;
		else if (strcmp(v->type, "payment") == 0)
			expect = -v->amount;
		else if (strcmp(v->type, "adjustment") == 0)
			expect = v->amount;
		else {
			struct vrow key = { .id = v->reverses_id ? v->reverses_id : "" };
			struct vrow *orig = bsearch(&key, rows, (size_t)n, sizeof *rows, cmp_id);
			expect = orig ? -orig->effect : 0;
			if (!orig) {
				json_array_append_new(report, json_sprintf(
					"entry %s: reverses %s, which does not exist", v->id,
					v->reverses_id ? v->reverses_id : "(none)"));
				problems++;
			} else if (orig->amount != v->amount) {
				json_array_append_new(report, json_sprintf(
					"entry %s: reversal amount %lld differs from the reversed entry's %lld",
					v->id, (long long)v->amount, (long long)orig->amount));
				problems++;
			}
		}
		if (expect != v->effect) {
			json_array_append_new(report, json_sprintf(
				"entry %s (%s, amount %lld): recorded effect %lld, expected %lld", v->id,
				v->type, (long long)v->amount, (long long)v->effect, (long long)expect));
			problems++;
			v->effect = expect;
		}
	}
	/* Merge customers (ordered by id) with entries re-sorted by customer. */
	qsort(rows, (size_t)n, sizeof *rows, cmp_customer);
	int k = 0;
	for (int i = 0; i < db_res_rows(c); i++) {
		const char *cid = db_res_text(c, i, 0);
		int64_t stored = db_res_int(c, i, 2), sum = 0;
		int overflow = 0;
		while (k < n && strcmp(rows[k].customer_id, cid) < 0)
			k++;
		for (; k < n && strcmp(rows[k].customer_id, cid) == 0; k++)
			if (!overflow && money_add(sum, rows[k].effect, &sum) < 0)
				overflow = 1;
		if (overflow) {
			json_array_append_new(report, json_sprintf(
				"customer %s (%s): stored balance %lld, entries sum past int64 (beyond +/-%lld)", cid,
				db_res_text(c, i, 1), (long long)stored, (long long)INT64_MAX));
			problems++;
		} else if (sum != stored) {
			json_array_append_new(report, json_sprintf(
				"customer %s (%s): stored balance %lld, entries sum to %lld", cid,
				db_res_text(c, i, 1), (long long)stored, (long long)sum));
			problems++;
		}
	}
	free(rows);
out:
	db_res_free(e);
	db_res_free(c);
	return rc == STORE_OK ? problems : rc;
}
