/* store_idempotency.c — see store_idempotency.h. */
#include <string.h>

#include "store/store_idempotency.h"
#include "store/store_internal.h"
#include "store/store_tenants.h"
#include "util/clock.h"

int store_idem_claim(struct store_tx *tx, const char *key, const char *request_hash,
	struct arena *a, int *status, char **body)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(key), DB_TEXT(request_hash),
		DB_INT(clock_now_ms()) };
	/* On PostgreSQL a concurrent duplicate blocks here until the first
	 * transaction ends, then sees its row. */
	int rc = store_exec(tx,
		"INSERT INTO idempotency_keys (tenant_id, key, request_hash, status, created_at)"
		" VALUES ($1, $2, $3, 0, $4) ON CONFLICT (tenant_id, key) DO NOTHING", p, 4, NULL);
	if (rc != STORE_OK)
		return rc;
	if (db_changes(tx->conn) == 1)
		return IDEM_NEW;
	rc = store_exec(tx,
		"SELECT request_hash, status, response_body FROM idempotency_keys"
		" WHERE tenant_id = $1 AND key = $2", p, 2, &r);
	if (rc != STORE_OK)
		return rc;
	if (db_res_rows(r) != 1) {
		db_res_free(r);
		return STORE_BUSY;
	}
	if (strcmp(db_res_text(r, 0, 0), request_hash) != 0) {
		db_res_free(r);
		return IDEM_MISMATCH;
	}
	*status = (int)db_res_int(r, 0, 1);
	*body = store_dup(a, r, 0, 2);
	db_res_free(r);
	return IDEM_REPLAY;
}

int store_idem_complete(struct store_tx *tx, const char *key, int status, const char *body)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(key), DB_INT(status), DB_TEXT(body) };
	return store_exec(tx,
		"UPDATE idempotency_keys SET status = $3, response_body = $4"
		" WHERE tenant_id = $1 AND key = $2", p, 4, NULL);
}

int store_idem_expire(struct store *s, int64_t cutoff_ms)
{
	/* Expiry runs per tenant so it works under RLS too.  A tenant that
	 * fails does not stop the others; the first failure is returned. */
	struct store_tx *tx;
	const char **ids = NULL;
	int nids = 0;
	struct arena *a = arena_new();
	int rc = store_tenant_ids(s, a, &ids, &nids);
	if (rc != STORE_OK) {
		arena_free(a);
		return rc;
	}
	int first = STORE_OK;
	for (int i = 0; i < nids; i++) {
		rc = store_begin_tenant(s, ids[i], 1, NULL, &tx);
		if (rc == STORE_OK) {
			struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(cutoff_ms) };
			rc = store_exec(tx, "DELETE FROM idempotency_keys WHERE tenant_id = $1 AND created_at < $2",
				p, 2, NULL);
			if (rc == STORE_OK)
				rc = store_commit(tx);
			else
				store_rollback(tx);
		}
		if (rc != STORE_OK && first == STORE_OK)
			first = rc;
	}
	arena_free(a);
	return first;
}
