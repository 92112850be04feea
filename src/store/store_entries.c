/* store_entries.c — see store_entries.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_entries.h"
#include "store/store_internal.h"
#include "store/store_sql.h"

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
	/* A fresh id: nothing to learn from it but a fault. */
	return store_exec_later(tx,
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
	struct arena *a, int64_t **occurred_at, int64_t **effect_minor, size_t *n)
{
	static const char first[] =
		"SELECT t.occurred_at, t.effect_minor, t.id" OPEN_LOTS_FILTER
		" ORDER BY t.occurred_at DESC, t.id DESC LIMIT $3";
	static const char next[] =
		"SELECT t.occurred_at, t.effect_minor, t.id" OPEN_LOTS_FILTER
		" AND (t.occurred_at, t.id) < ($4, $5)"
		" ORDER BY t.occurred_at DESC, t.id DESC LIMIT $3";
	int64_t covered = 0, page = OPEN_LOTS_FIRST_PAGE, after_at = 0;
	int64_t *at = NULL, *effect = NULL;
	size_t count = 0, cap = 0;
	char after_id[40] = "";
	int rc = STORE_OK;

	for (int more = 1; more && covered < balance; page *= 2) {
		struct db_res *r = NULL;
		struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(customer_id), DB_INT(page),
			DB_INT(after_at), DB_TEXT(after_id) };
		rc = store_exec(tx, after_id[0] ? next : first, p, after_id[0] ? 5 : 3, &r);
		if (rc != STORE_OK)
			goto out;
		int rows = db_res_rows(r);
		if (count + (size_t)rows > cap) {
			cap = count + (size_t)rows;
			at = realloc(at, sizeof *at * cap);
			effect = realloc(effect, sizeof *effect * cap);
			if (!at || !effect)
				abort();
		}
		for (int i = 0; i < rows && covered < balance; i++) {
			at[count] = db_res_int(r, i, 0);
			effect[count] = db_res_int(r, i, 1);
			covered = effect[count] >= balance - covered ? balance : covered + effect[count];
			count++;
		}
		more = rows == page;
		if (more && covered < balance) {
			after_at = db_res_int(r, rows - 1, 0);
			snprintf(after_id, sizeof after_id, "%s", db_res_text(r, rows - 1, 2));
		}
		db_res_free(r);
	}
	*occurred_at = arena_alloc(a, sizeof **occurred_at * (count ? count : 1));
	*effect_minor = arena_alloc(a, sizeof **effect_minor * (count ? count : 1));
	if (count) {
		memcpy(*occurred_at, at, sizeof *at * count);
		memcpy(*effect_minor, effect, sizeof *effect * count);
	}
	*n = count;
out:
	free(at);
	free(effect);
	return rc;
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
