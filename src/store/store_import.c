/*
 * store_import.c — see store_import.h.
 *
 * PostgreSQL batches: each column of a batch travels as one array
 * parameter in PostgreSQL's array text form ({"a","b",NULL}) and the
 * statement unnests them side by side, so a batch is one round trip with
 * a fixed number of parameters (the driver takes at most 64), and its SQL
 * text is one static string (prepared once per connection).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "store/store_import.h"
#include "store/store_internal.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/uuid.h"

#define PG_BATCH 500

/* ---- PostgreSQL array text ---- */

/* One column of a batch: "{" elements "}" built as rows are added. */
struct pg_col {
	struct buf b;
};

static void col_sep(struct pg_col *c)
{
	buf_putc(&c->b, c->b.len ? ',' : '{');
}

static void col_text(struct pg_col *c, const char *s)
{
	col_sep(c);
	if (!s) {
		buf_puts(&c->b, "NULL");
		return;
	}
	buf_putc(&c->b, '"');
	for (const char *p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			buf_putc(&c->b, '\\');
		buf_putc(&c->b, *p);
	}
	buf_putc(&c->b, '"');
}

static void col_int(struct pg_col *c, int64_t v)
{
	col_sep(c);
	buf_printf(&c->b, "%lld", (long long)v);
}

static void col_opt_int(struct pg_col *c, int has, int64_t v)
{
	if (has) {
		col_int(c, v);
	} else {
		col_sep(c);
		buf_puts(&c->b, "NULL");
	}
}

/* The finished array text of column c (valid until the next reset). */
static const char *col_done(struct pg_col *c)
{
	if (!c->b.len)
		buf_putc(&c->b, '{');
	buf_putc(&c->b, '}');
	return c->b.data;
}

static void cols_reset(struct pg_col *c, int n)
{
	for (int i = 0; i < n; i++)
		buf_reset(&c[i].b);
}

static void cols_release(struct pg_col *c, int n)
{
	for (int i = 0; i < n; i++)
		buf_release(&c[i].b);
}

/* ---- customers ---- */

static const char customer_sqlite[] =
	"INSERT INTO customers (tenant_id, id, name, phone, apartment, tower, floor, unit, email,"
	" credit_limit_minor, notes, status, reminders_opt_out, balance_minor, last_activity_at,"
	" created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,"
	" $13, 0, $14, $14, $14)";

enum { CC_ID, CC_NAME, CC_PHONE, CC_APARTMENT, CC_TOWER, CC_FLOOR, CC_UNIT, CC_EMAIL,
	CC_LIMIT, CC_NOTES, CC_STATUS, CC_OPT_OUT, CC_CREATED, CC_N };

static const char customer_pg[] =
	"INSERT INTO customers (tenant_id, id, name, phone, apartment, tower, floor, unit, email,"
	" credit_limit_minor, notes, status, reminders_opt_out, balance_minor, last_activity_at,"
	" created_at, updated_at)"
	" SELECT $1::uuid, u.id, u.name, u.phone, u.apartment, u.tower, u.floor, u.unit, u.email,"
	" u.credit_limit_minor, u.notes, u.status, u.reminders_opt_out, 0, u.created_at,"
	" u.created_at, u.created_at"
	" FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::integer[], $7::integer[],"
	" $8::integer[], $9::text[], $10::bigint[], $11::text[], $12::text[], $13::smallint[],"
	" $14::bigint[]) AS u(id, name, phone, apartment, tower, floor, unit, email,"
	" credit_limit_minor, notes, status, reminders_opt_out, created_at)";

static const char *status_of(const struct customer_rec *c)
{
	return c->status ? c->status : "active";
}

int store_import_customers(struct store_tx *tx, const struct customer_rec *c, size_t n)
{
	int rc = STORE_OK;
	if (!store_is_pg(tx)) {
		for (size_t i = 0; i < n && rc == STORE_OK; i++) {
			const struct customer_rec *x = &c[i];
			int apt = x->apartment != NULL;
			struct db_param p[] = {
				DB_TEXT(tx->tenant_id), DB_TEXT(x->id), DB_TEXT(x->name), DB_TEXT(x->phone),
				DB_TEXT(x->apartment), store_opt_int(apt, x->tower), store_opt_int(apt, x->floor),
				store_opt_int(apt, x->unit), DB_TEXT(x->email),
				store_opt_int(x->has_credit_limit, x->credit_limit_minor),
				DB_TEXT(x->notes ? x->notes : ""), DB_TEXT(status_of(x)),
				DB_INT(x->reminders_opt_out), DB_INT(x->created_at),
			};
			rc = store_exec(tx, customer_sqlite, p, 14, NULL);
		}
		return rc;
	}
	struct pg_col col[CC_N] = { 0 };
	for (size_t at = 0; at < n && rc == STORE_OK; at += PG_BATCH) {
		size_t end = n - at < PG_BATCH ? n : at + PG_BATCH;
		cols_reset(col, CC_N);
		for (size_t i = at; i < end; i++) {
			const struct customer_rec *x = &c[i];
			int apt = x->apartment != NULL;
			col_text(&col[CC_ID], x->id);
			col_text(&col[CC_NAME], x->name);
			col_text(&col[CC_PHONE], x->phone);
			col_text(&col[CC_APARTMENT], x->apartment);
			col_opt_int(&col[CC_TOWER], apt, x->tower);
			col_opt_int(&col[CC_FLOOR], apt, x->floor);
			col_opt_int(&col[CC_UNIT], apt, x->unit);
			col_text(&col[CC_EMAIL], x->email);
			col_opt_int(&col[CC_LIMIT], x->has_credit_limit, x->credit_limit_minor);
			col_text(&col[CC_NOTES], x->notes ? x->notes : "");
			col_text(&col[CC_STATUS], status_of(x));
			col_int(&col[CC_OPT_OUT], x->reminders_opt_out);
			col_int(&col[CC_CREATED], x->created_at);
		}
		struct db_param p[1 + CC_N] = { DB_TEXT(tx->tenant_id) };
		for (int k = 0; k < CC_N; k++)
			p[1 + k] = DB_TEXT(col_done(&col[k]));
		rc = store_exec(tx, customer_pg, p, 1 + CC_N, NULL);
	}
	cols_release(col, CC_N);
	return rc;
}

int store_import_archived_by_phone(struct store_tx *tx, const char *phone, struct arena *a,
	char ***ids, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(phone) };
	int rc = store_exec(tx, "SELECT id FROM customers WHERE tenant_id = $1 AND phone = $2"
		" AND status = 'archived' ORDER BY created_at DESC, id DESC", p, 2, &r);
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

/* ---- entries ---- */

enum { EC_ID, EC_CUSTOMER, EC_TYPE, EC_AMOUNT, EC_EFFECT, EC_OCCURRED, EC_CREATED,
	EC_CREATED_BY, EC_NOTE, EC_ITEMS, EC_METHOD, EC_REFERENCE, EC_REASON, EC_OVERRIDE,
	EC_OVERRIDE_REASON, EC_REVERSES, EC_BALANCE_AFTER, EC_N };

static const char entry_pg[] =
	"INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor,"
	" occurred_at, created_at, created_by, note, items, payment_method, payment_reference,"
	" reason, override, override_reason, reverses_id, balance_after_minor)"
	" SELECT $1::uuid, u.id, u.customer_id, u.type, u.amount_minor, u.effect_minor,"
	" u.occurred_at, u.created_at, u.created_by, u.note, u.items, u.payment_method,"
	" u.payment_reference, u.reason, u.override, u.override_reason, u.reverses_id,"
	" u.balance_after_minor"
	" FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[],"
	" $8::bigint[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[],"
	" $15::smallint[], $16::text[], $17::uuid[], $18::bigint[])"
	" AS u(id, customer_id, type, amount_minor, effect_minor, occurred_at, created_at,"
	" created_by, note, items, payment_method, payment_reference, reason, override,"
	" override_reason, reverses_id, balance_after_minor)";

int store_import_entries(struct store_tx *tx, const struct entry_rec *e, size_t n)
{
	int rc = STORE_OK;
	if (!store_is_pg(tx)) {
		for (size_t i = 0; i < n && rc == STORE_OK; i++)
			rc = store_entry_insert(tx, &e[i]);
		return rc;
	}
	struct pg_col col[EC_N] = { 0 };
	for (size_t at = 0; at < n && rc == STORE_OK; at += PG_BATCH) {
		size_t end = n - at < PG_BATCH ? n : at + PG_BATCH;
		cols_reset(col, EC_N);
		for (size_t i = at; i < end; i++) {
			const struct entry_rec *x = &e[i];
			col_text(&col[EC_ID], x->id);
			col_text(&col[EC_CUSTOMER], x->customer_id);
			col_text(&col[EC_TYPE], x->type);
			col_int(&col[EC_AMOUNT], x->amount_minor);
			col_int(&col[EC_EFFECT], x->effect_minor);
			col_int(&col[EC_OCCURRED], x->occurred_at);
			col_int(&col[EC_CREATED], x->created_at);
			col_text(&col[EC_CREATED_BY], x->created_by);
			col_text(&col[EC_NOTE], x->note ? x->note : "");
			col_text(&col[EC_ITEMS], x->items);
			col_text(&col[EC_METHOD], x->payment_method);
			col_text(&col[EC_REFERENCE], x->payment_reference);
			col_text(&col[EC_REASON], x->reason);
			col_int(&col[EC_OVERRIDE], x->override);
			col_text(&col[EC_OVERRIDE_REASON], x->override_reason);
			col_text(&col[EC_REVERSES], x->reverses_id);
			col_int(&col[EC_BALANCE_AFTER], x->balance_after_minor);
		}
		struct db_param p[1 + EC_N] = { DB_TEXT(tx->tenant_id) };
		for (int k = 0; k < EC_N; k++)
			p[1 + k] = DB_TEXT(col_done(&col[k]));
		rc = store_exec(tx, entry_pg, p, 1 + EC_N, NULL);
	}
	cols_release(col, EC_N);
	return rc;
}

/* ---- audit ---- */

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"

/* SHA-256(prev || canonical) as hex: the chain rule of store_audit.c. */
static void chain_hash(const char *prev, const char *canonical, char out[65])
{
	crypto_hash_sha256_state st;
	uint8_t digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, (const uint8_t *)prev, strlen(prev));
	crypto_hash_sha256_update(&st, (const uint8_t *)canonical, strlen(canonical));
	crypto_hash_sha256_final(&st, digest);
	hex_encode(digest, sizeof digest, out);
}

static const char audit_row_sql[] =
	"INSERT INTO audit_log (tenant_id, seq, id, actor_id, actor_role, action, entity,"
	" entity_id, before_json, after_json, request_id, client_ip, created_at, prev_hash, hash)"
	" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9, $10, $11, $12, $13, $14)";

enum { AC_SEQ, AC_ID, AC_ACTION, AC_ENTITY, AC_ENTITY_ID, AC_AFTER, AC_CREATED, AC_PREV,
	AC_HASH, AC_N };

static const char audit_pg[] =
	"INSERT INTO audit_log (tenant_id, seq, id, actor_id, actor_role, action, entity,"
	" entity_id, before_json, after_json, request_id, client_ip, created_at, prev_hash, hash)"
	" SELECT $1::uuid, u.seq, u.id, $2, $3, u.action, u.entity, u.entity_id, NULL, u.after_json,"
	" $4, $5, u.created_at, u.prev_hash, u.hash"
	" FROM unnest($6::bigint[], $7::uuid[], $8::text[], $9::text[], $10::text[], $11::text[],"
	" $12::bigint[], $13::text[], $14::text[])"
	" AS u(seq, id, action, entity, entity_id, after_json, created_at, prev_hash, hash)";

int store_import_audit(struct store_tx *tx, const struct import_audit *rows, size_t n)
{
	static const char head_sqlite[] = "SELECT seq, hash FROM audit_heads WHERE tenant_id = $1";
	static const char head_pg[] =
		"SELECT seq, hash FROM audit_heads WHERE tenant_id = $1 FOR UPDATE";
	struct db_res *r = NULL;
	struct pg_col col[AC_N] = { 0 };
	char prev[65], hash[65], id[37];
	int64_t seq = 0;
	int pg = store_is_pg(tx);
	int rc;

	if (!tx->tenant_id[0])
		return STORE_ERROR;
	if (n == 0)
		return STORE_OK;
	struct db_param p1[] = { DB_TEXT(tx->tenant_id) };
	rc = store_exec(tx, pg ? head_pg : head_sqlite, p1, 1, &r);
	if (rc != STORE_OK)
		goto out;
	if (db_res_rows(r) == 0) {
		snprintf(prev, sizeof prev, "%s", ZERO_HASH);
		struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(ZERO_HASH) };
		rc = store_exec(tx, "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES ($1, 0, $2)",
			p, 2, NULL);
		if (rc != STORE_OK)
			goto out;
	} else {
		seq = db_res_int(r, 0, 0);
		snprintf(prev, sizeof prev, "%s", db_res_text(r, 0, 1));
	}
	for (size_t at = 0; at < n && rc == STORE_OK; at += PG_BATCH) {
		size_t end = n - at < PG_BATCH ? n : at + PG_BATCH;
		cols_reset(col, AC_N);
		for (size_t i = at; i < end && rc == STORE_OK; i++) {
			const struct import_audit *a = &rows[i];
			const char *after = a->after_text;
			int64_t now = clock_now_ms();
			seq++;
			uuid_v7(id);
			char *canonical = audit_canonical(tx->tenant_id, seq, id, tx->actor.actor_id,
				tx->actor.actor_role, a->action, a->entity, a->entity_id, NULL, after,
				tx->actor.request_id, tx->actor.client_ip, now);
			chain_hash(prev, canonical, hash);
			free(canonical);
			if (!pg) {
				struct db_param p[] = {
					DB_TEXT(tx->tenant_id), DB_INT(seq), DB_TEXT(id), DB_TEXT(tx->actor.actor_id),
					DB_TEXT(tx->actor.actor_role), DB_TEXT(a->action), DB_TEXT(a->entity),
					DB_TEXT(a->entity_id), DB_TEXT(after), DB_TEXT(tx->actor.request_id),
					DB_TEXT(tx->actor.client_ip), DB_INT(now), DB_TEXT(prev), DB_TEXT(hash),
				};
				rc = store_exec(tx, audit_row_sql, p, 14, NULL);
			} else {
				col_int(&col[AC_SEQ], seq);
				col_text(&col[AC_ID], id);
				col_text(&col[AC_ACTION], a->action);
				col_text(&col[AC_ENTITY], a->entity);
				col_text(&col[AC_ENTITY_ID], a->entity_id);
				col_text(&col[AC_AFTER], after);
				col_int(&col[AC_CREATED], now);
				col_text(&col[AC_PREV], prev);
				col_text(&col[AC_HASH], hash);
			}
			memcpy(prev, hash, sizeof prev);
		}
		if (pg && rc == STORE_OK) {
			struct db_param p[5 + AC_N] = {
				DB_TEXT(tx->tenant_id), DB_TEXT(tx->actor.actor_id), DB_TEXT(tx->actor.actor_role),
				DB_TEXT(tx->actor.request_id), DB_TEXT(tx->actor.client_ip),
			};
			for (int k = 0; k < AC_N; k++)
				p[5 + k] = DB_TEXT(col_done(&col[k]));
			rc = store_exec(tx, audit_pg, p, 5 + AC_N, NULL);
		}
	}
	if (rc == STORE_OK) {
		struct db_param p3[] = { DB_TEXT(tx->tenant_id), DB_INT(seq), DB_TEXT(prev) };
		rc = store_exec(tx, "UPDATE audit_heads SET seq = $2, hash = $3 WHERE tenant_id = $1",
			p3, 3, NULL);
	}
out:
	cols_release(col, AC_N);
	db_res_free(r);
	return rc;
}
