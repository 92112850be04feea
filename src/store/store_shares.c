/* store_shares.c — see store_shares.h. */
#include "store/store_internal.h"
#include "store/store_shares.h"

#define SHARE_COLS "id, customer_id, token_hash, created_by, expires_at, revoked_at, created_at"

static int one(struct store_tx *tx, const char *sql, const char *value, struct arena *a,
	struct share_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(value) };
	int rc = store_exec(tx, sql, p, 2, &r);
	if (rc == STORE_OK && db_res_rows(r) != 1)
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK) {
		out->id = store_dup(a, r, 0, 0);
		out->customer_id = store_dup(a, r, 0, 1);
		out->token_hash = store_dup(a, r, 0, 2);
		out->created_by = store_dup(a, r, 0, 3);
		out->expires_at = db_res_int(r, 0, 4);
		out->revoked_at = db_res_isnull(r, 0, 5) ? 0 : db_res_int(r, 0, 5);
		out->created_at = db_res_int(r, 0, 6);
	}
	db_res_free(r);
	return rc;
}

int store_share_insert(struct store_tx *tx, const struct share_rec *s)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(s->id), DB_TEXT(s->customer_id), DB_TEXT(s->token_hash),
		DB_INT(s->expires_at), DB_TEXT(s->created_by ? s->created_by : tx->actor.actor_id),
		DB_INT(s->created_at),
	};
	return store_exec(tx,
		"INSERT INTO shares (tenant_id, id, customer_id, token_hash, expires_at, created_by, created_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7)", p, 7, NULL);
}

int store_share_get(struct store_tx *tx, const char *id, struct arena *a, struct share_rec *out)
{
	return one(tx, "SELECT " SHARE_COLS " FROM shares WHERE tenant_id = $1 AND id = $2", id, a, out);
}

int store_share_by_hash(struct store_tx *tx, const char *token_hash, struct arena *a,
	struct share_rec *out)
{
	return one(tx, "SELECT " SHARE_COLS " FROM shares WHERE tenant_id = $1 AND token_hash = $2",
		token_hash, a, out);
}

int store_share_revoke(struct store_tx *tx, const char *id, int64_t now_ms)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_INT(now_ms) };
	int rc = store_exec(tx, "UPDATE shares SET revoked_at = COALESCE(revoked_at, $3)"
		" WHERE tenant_id = $1 AND id = $2", p, 3, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}
