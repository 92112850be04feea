/* store_reminders.c — see store_reminders.h. */
#include <stdio.h>

#include "store/store_internal.h"
#include "store/store_reminders.h"

#define REMINDER_COLS "id, customer_id, kind, trigger, channel, status, message, currency, link," \
	" entry_id, provider_message_id, error_code, error_message, created_by, balance_minor," \
	" overdue_minor, created_at, updated_at"

static void reminder_from_row(struct arena *a, struct db_res *r, int i, struct reminder_rec *m)
{
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
}

int store_reminder_insert(struct store_tx *tx, const struct reminder_rec *m)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(m->id), DB_TEXT(m->customer_id), DB_TEXT(m->kind),
		DB_TEXT(m->trigger), DB_TEXT(m->channel), DB_TEXT(m->status), DB_TEXT(m->message),
		DB_INT(m->balance_minor), DB_INT(m->overdue_minor), DB_TEXT(m->currency), DB_TEXT(m->link),
		DB_TEXT(m->entry_id), DB_TEXT(m->provider_message_id), DB_TEXT(m->error_code),
		DB_TEXT(m->error_message), DB_TEXT(m->created_by ? m->created_by : tx->actor.actor_id),
		DB_INT(m->created_at),
	};
	return store_exec(tx,
		"INSERT INTO reminders (tenant_id, id, customer_id, kind, trigger, channel, status, message,"
		" balance_minor, overdue_minor, currency, link, entry_id, provider_message_id, error_code,"
		" error_message, created_by, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18)",
		p, 18, NULL);
}

static int one(struct store_tx *tx, const char *sql, struct db_param *p, int n,
	struct arena *a, struct reminder_rec *out)
{
	struct db_res *r = NULL;
	int rc = store_exec(tx, sql, p, n, &r);
	if (rc == STORE_OK && db_res_rows(r) != 1)
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK)
		reminder_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_reminder_get(struct store_tx *tx, const char *id, struct arena *a, struct reminder_rec *out)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id) };
	return one(tx, "SELECT " REMINDER_COLS " FROM reminders WHERE tenant_id = $1 AND id = $2",
		p, 2, a, out);
}

int store_reminder_by_provider_id(struct store_tx *tx, const char *channel,
	const char *provider_message_id, struct arena *a, struct reminder_rec *out)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(channel), DB_TEXT(provider_message_id) };
	return one(tx, "SELECT " REMINDER_COLS " FROM reminders"
		" WHERE tenant_id = $1 AND channel = $2 AND provider_message_id = $3", p, 3, a, out);
}

int store_reminder_last_at(struct store_tx *tx, const char *customer_id, int64_t *at_ms)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(customer_id) };
	*at_ms = 0;
	int rc = store_exec(tx,
		"SELECT created_at FROM reminders WHERE tenant_id = $1 AND customer_id = $2"
		" AND kind = 'reminder' AND status <> 'failed' ORDER BY created_at DESC LIMIT 1", p, 2, &r);
	if (rc == STORE_OK && db_res_rows(r) == 1)
		*at_ms = db_res_int(r, 0, 0);
	db_res_free(r);
	return rc;
}

int store_reminder_set_status(struct store_tx *tx, const char *id, const char *status,
	const char *provider_message_id, const char *error_code, const char *error_message, int64_t now_ms)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_TEXT(status),
		DB_TEXT(provider_message_id), DB_TEXT(error_code), DB_TEXT(error_message), DB_INT(now_ms) };
	int rc = store_exec(tx,
		"UPDATE reminders SET status = $3,"
		" provider_message_id = COALESCE($4, provider_message_id),"
		" error_code = COALESCE($5, error_code), error_message = COALESCE($6, error_message),"
		" updated_at = $7 WHERE tenant_id = $1 AND id = $2", p, 7, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_reminder_list(struct store_tx *tx, const struct reminder_filter *f,
	struct arena *a, struct reminder_rec **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(f->customer_id), DB_TEXT(f->status), DB_TEXT(f->kind),
		DB_INT(f->from_ms), DB_INT(f->to_ms), DB_INT(f->after_created), DB_TEXT(f->after_id),
		DB_INT(f->limit),
	};
	int rc = store_exec(tx,
		"SELECT " REMINDER_COLS " FROM reminders WHERE tenant_id = $1"
		" AND (customer_id = $2 OR $2 IS NULL) AND (status = $3 OR $3 IS NULL)"
		" AND (kind = $4 OR $4 IS NULL)"
		" AND ($5 = 0 OR created_at >= $5) AND ($6 = 0 OR created_at < $6)"
		" AND (created_at < $7 OR (created_at = $7 AND id < $8) OR $8 IS NULL)"
		" ORDER BY created_at DESC, id DESC LIMIT $9", p, 9, &r);
	*out = NULL;
	*n = 0;
	if (rc == STORE_OK) {
		int rows = db_res_rows(r);
		*out = arena_alloc(a, sizeof **out * (size_t)(rows ? rows : 1));
		for (int i = 0; i < rows; i++)
			reminder_from_row(a, r, i, &(*out)[i]);
		*n = rows;
	}
	db_res_free(r);
	return rc;
}

int store_customer_lock(struct store_tx *tx, const char *customer_id, int skip_locked)
{
	if (!store_is_pg(tx))
		return STORE_OK;
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(customer_id) };
	int rc = store_exec(tx, skip_locked
		? "SELECT id FROM customers WHERE tenant_id = $1 AND id = $2 FOR UPDATE SKIP LOCKED"
		: "SELECT id FROM customers WHERE tenant_id = $1 AND id = $2 FOR UPDATE", p, 2, &r);
	if (rc == STORE_OK && db_res_rows(r) != 1)
		rc = skip_locked ? STORE_BUSY : STORE_NOT_FOUND;
	db_res_free(r);
	return rc;
}
