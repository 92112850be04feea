/* store_export.c — see store_export.h. */
#include <stdlib.h>
#include <string.h>

#include "store/store_export.h"
#include "store/store_internal.h"
#include "store/store_sql.h"
#include "util/log.h"

struct store_export {
	struct store_tx *tx;
	enum export_kind kind;
	struct db_cursor *cur;
};

/* $1 tenant, $2 from, $3 to; $4 the credit-period threshold (customers).
 * The recent lots are summed for owing customers only, through the
 * transactions_lots index; the cast makes a sum past int64 an error on
 * PostgreSQL as SQLite's SUM already is (STORE_OVERFLOW). */
static const char customers_sql[] =
	"SELECT c.id, c.name, c.phone, c.apartment, c.tower, c.floor, c.unit, c.email,"
	" c.credit_limit_minor, c.notes, c.status, c.reminders_opt_out, c.balance_minor,"
	" c.oldest_due_at, c.created_at,"
	" CASE WHEN c.balance_minor > 0 THEN ("
	"   SELECT CAST(COALESCE(SUM(t.effect_minor), 0) AS BIGINT) FROM transactions t"
	"   WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id AND t.effect_minor > 0"
	"   AND t.type <> 'reversal' AND t.occurred_at > $4 AND" SQL_NOT_REVERSED ") ELSE 0 END"
	" FROM customers c WHERE c.tenant_id = $1 AND c.created_at >= $2 AND c.created_at < $3"
	" ORDER BY c.created_at, c.id";

static const char entries_sql[] =
	"SELECT t.id, t.customer_id, t.type, t.amount_minor, t.occurred_at, t.created_at,"
	" t.created_by, t.note, t.payment_method, t.payment_reference, t.reverses_id,"
	" c.name, c.phone, c.apartment"
	" FROM transactions t JOIN customers c ON c.tenant_id = t.tenant_id AND c.id = t.customer_id"
	" WHERE t.tenant_id = $1 AND t.occurred_at >= $2 AND t.occurred_at < $3"
	" ORDER BY t.occurred_at, t.id";

static const char reminders_sql[] =
	"SELECT m.id, m.customer_id, m.kind, m.trigger, m.channel, m.status, m.message, m.currency,"
	" m.link, m.entry_id, m.provider_message_id, m.error_code, m.error_message, m.created_by,"
	" m.balance_minor, m.overdue_minor, m.created_at, m.updated_at, c.name, c.phone, c.apartment"
	" FROM reminders m JOIN customers c ON c.tenant_id = m.tenant_id AND c.id = m.customer_id"
	" WHERE m.tenant_id = $1 AND m.created_at >= $2 AND m.created_at < $3"
	" ORDER BY m.created_at, m.id";

static const char audit_sql[] =
	"SELECT seq, id, actor_id, actor_role, action, entity, entity_id, before_json, after_json,"
	" request_id, client_ip, created_at, prev_hash, hash"
	" FROM audit_log WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3"
	" ORDER BY seq";

/* As store_exec does: faults get a log line with the database's words. */
static void log_store_fault(struct store_tx *tx, int rc, const char *what)
{
	if (rc == STORE_ERROR || rc == STORE_UNAVAILABLE)
		log_error("database: %s (export: %.120s)", db_conn_error(tx->conn), what);
}

int store_export_open(struct store_tx *tx, const struct export_query *q, struct store_export **out)
{
	const char *sql;
	int n = 3;
	switch (q->kind) {
	case EXPORT_CUSTOMERS:
		sql = customers_sql;
		n = 4;
		break;
	case EXPORT_TRANSACTIONS:
		sql = entries_sql;
		break;
	case EXPORT_REMINDERS:
		sql = reminders_sql;
		break;
	case EXPORT_AUDIT:
		sql = audit_sql;
		break;
	default:
		return STORE_ERROR;
	}
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_INT(q->from_ms), DB_INT(q->to_ms), DB_INT(q->not_due_after_ms),
	};
	struct db_cursor *cur = NULL;
	int rc = store_map(db_cursor_open(tx->conn, sql, p, n, &cur));
	if (rc != STORE_OK) {
		log_store_fault(tx, rc, sql);
		return rc;
	}
	struct store_export *x = calloc(1, sizeof *x);
	if (!x)
		abort();
	x->tx = tx;
	x->kind = q->kind;
	x->cur = cur;
	*out = x;
	return STORE_OK;
}

static void customer_row(struct arena *a, const struct db_res *r, int i, struct export_customer_row *o)
{
	struct customer_rec *c = &o->c;
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
	c->created_at = db_res_int(r, i, 14);
	o->recent_minor = db_res_int(r, i, 15);
}

static void entry_row(struct arena *a, const struct db_res *r, int i, struct export_entry_row *o)
{
	struct entry_rec *e = &o->e;
	e->id = store_dup(a, r, i, 0);
	e->customer_id = store_dup(a, r, i, 1);
	e->type = store_dup(a, r, i, 2);
	e->amount_minor = db_res_int(r, i, 3);
	e->occurred_at = db_res_int(r, i, 4);
	e->created_at = db_res_int(r, i, 5);
	e->created_by = store_dup(a, r, i, 6);
	e->note = store_dup(a, r, i, 7);
	e->payment_method = store_dup(a, r, i, 8);
	e->payment_reference = store_dup(a, r, i, 9);
	e->reverses_id = store_dup(a, r, i, 10);
	o->customer_name = store_dup(a, r, i, 11);
	o->phone = store_dup(a, r, i, 12);
	o->apartment = store_dup(a, r, i, 13);
}

static void reminder_row(struct arena *a, const struct db_res *r, int i, struct export_reminder_row *o)
{
	struct reminder_rec *m = &o->m;
	m->id = store_dup(a, r, i, 0);
	m->customer_id = store_dup(a, r, i, 1);
	m->kind = store_dup(a, r, i, 2);
	m->trigger = store_dup(a, r, i, 3);
	m->channel = store_dup(a, r, i, 4);
	m->status = store_dup(a, r, i, 5);
	m->message = store_dup(a, r, i, 6);
	m->currency = store_dup(a, r, i, 7);
	m->link = store_dup(a, r, i, 8);
	m->entry_id = store_dup(a, r, i, 9);
	m->provider_message_id = store_dup(a, r, i, 10);
	m->error_code = store_dup(a, r, i, 11);
	m->error_message = store_dup(a, r, i, 12);
	m->created_by = store_dup(a, r, i, 13);
	m->balance_minor = db_res_int(r, i, 14);
	m->overdue_minor = db_res_int(r, i, 15);
	m->created_at = db_res_int(r, i, 16);
	m->updated_at = db_res_int(r, i, 17);
	o->customer_name = store_dup(a, r, i, 18);
	o->phone = store_dup(a, r, i, 19);
	o->apartment = store_dup(a, r, i, 20);
}

static void audit_row_from(struct arena *a, const struct db_res *r, int i, struct audit_row *o)
{
	o->seq = db_res_int(r, i, 0);
	o->id = store_dup(a, r, i, 1);
	o->actor_id = store_dup(a, r, i, 2);
	o->actor_role = store_dup(a, r, i, 3);
	o->action = store_dup(a, r, i, 4);
	o->entity = store_dup(a, r, i, 5);
	o->entity_id = store_dup(a, r, i, 6);
	o->before_json = store_dup(a, r, i, 7);
	o->after_json = store_dup(a, r, i, 8);
	o->request_id = store_dup(a, r, i, 9);
	o->client_ip = store_dup(a, r, i, 10);
	o->created_at = db_res_int(r, i, 11);
	o->prev_hash = store_dup(a, r, i, 12);
	o->hash = store_dup(a, r, i, 13);
}

int store_export_next(struct store_export *x, int max_rows, struct arena *a, struct export_batch *out)
{
	struct db_res *r = NULL;
	memset(out, 0, sizeof *out);
	int rc = store_map(db_cursor_fetch(x->cur, max_rows, &r));
	if (rc != STORE_OK) {
		log_store_fault(x->tx, rc, "export fetch");
		return rc;
	}
	int n = db_res_rows(r);
	size_t slots = (size_t)(n ? n : 1);
	switch (x->kind) {
	case EXPORT_CUSTOMERS:
		out->customers = arena_alloc(a, sizeof *out->customers * slots);
		for (int i = 0; i < n; i++)
			customer_row(a, r, i, &out->customers[i]);
		break;
	case EXPORT_TRANSACTIONS:
		out->entries = arena_alloc(a, sizeof *out->entries * slots);
		for (int i = 0; i < n; i++)
			entry_row(a, r, i, &out->entries[i]);
		break;
	case EXPORT_REMINDERS:
		out->reminders = arena_alloc(a, sizeof *out->reminders * slots);
		for (int i = 0; i < n; i++)
			reminder_row(a, r, i, &out->reminders[i]);
		break;
	case EXPORT_AUDIT:
		out->audit = arena_alloc(a, sizeof *out->audit * slots);
		for (int i = 0; i < n; i++)
			audit_row_from(a, r, i, &out->audit[i]);
		break;
	}
	out->n = n;
	db_res_free(r);
	return STORE_OK;
}

void store_export_close(struct store_export *x)
{
	if (!x)
		return;
	db_cursor_close(x->cur);
	free(x);
}
