/* store_api_keys.c — see store_api_keys.h. */
#include <assert.h>

#include "store/store_api_keys.h"
#include "store/store_internal.h"
#include "store/store_settings.h"
#include "util/uuid.h"

#define KEY_COLS "id, name, role, prefix, created_by, created_at, last_used_at, expires_at, revoked_at"

static int64_t int_or_zero(const struct db_res *r, int row, int col)
{
	return db_res_isnull(r, row, col) ? 0 : db_res_int(r, row, col);
}

static void key_from_row(struct arena *a, const struct db_res *r, int row, struct api_key_rec *k)
{
	k->id = store_dup(a, r, row, 0);
	k->name = store_dup(a, r, row, 1);
	k->role = store_dup(a, r, row, 2);
	k->prefix = store_dup(a, r, row, 3);
	k->created_by = store_dup(a, r, row, 4);
	k->created_at = db_res_int(r, row, 5);
	k->last_used_at = int_or_zero(r, row, 6);
	k->expires_at = int_or_zero(r, row, 7);
	k->revoked_at = int_or_zero(r, row, 8);
}

int store_api_key_lookup(struct store_tx *tx, const char *key_hash, struct arena *a,
	struct api_key_hit *out)
{
	static const char sql_sqlite[] =
		"SELECT id, tenant_id, role, expires_at, last_used_at FROM api_keys"
		" WHERE key_hash = $1 AND revoked_at IS NULL";
	static const char sql_pg[] =
		"SELECT id, tenant_id, role, expires_at, last_used_at FROM qt_api_key($1)";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(key_hash) };
	/* With a tenant directory the key lives with its store, on one of
	 * the clusters. */
	int rc = store_exec_any_cluster(tx, store_is_pg(tx) ? sql_pg : sql_sqlite, p, 1, &r);
	if (rc == STORE_OK) {
		out->id = store_dup(a, r, 0, 0);
		out->tenant_id = store_dup(a, r, 0, 1);
		out->role = store_dup(a, r, 0, 2);
		out->expires_at = int_or_zero(r, 0, 3);
		out->last_used_at = int_or_zero(r, 0, 4);
	}
	db_res_free(r);
	return rc;
}

int store_api_key_insert(struct store_tx *tx, const struct api_key_rec *k, const char *key_hash)
{
	assert(tx->tenant_id[0]);
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(k->id), DB_TEXT(k->name), DB_TEXT(k->role),
		DB_TEXT(key_hash), DB_TEXT(k->prefix),
		DB_TEXT(k->created_by ? k->created_by : tx->actor.actor_id), DB_INT(k->created_at),
		store_opt_int(k->expires_at != 0, k->expires_at),
	};
	return store_exec(tx,
		"INSERT INTO api_keys (tenant_id, id, name, role, key_hash, prefix, created_by, created_at, expires_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", p, 9, NULL);
}

int store_api_key_list(struct store_tx *tx, struct arena *a, struct api_key_rec **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	*out = NULL;
	*n = 0;
	int rc = store_exec(tx, "SELECT " KEY_COLS " FROM api_keys"
		" WHERE tenant_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC, id DESC", p, 1, &r);
	if (rc == STORE_OK) {
		int rows = db_res_rows(r);
		*out = arena_alloc(a, sizeof **out * (size_t)(rows ? rows : 1));
		for (int i = 0; i < rows; i++)
			key_from_row(a, r, i, &(*out)[i]);
		*n = rows;
	}
	db_res_free(r);
	return rc;
}

int store_api_key_get(struct store_tx *tx, const char *id, struct arena *a, struct api_key_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id) };
	if (!uuid_valid(id))
		return STORE_NOT_FOUND;
	int rc = store_one_row(store_exec(tx, "SELECT " KEY_COLS " FROM api_keys"
		" WHERE tenant_id = $1 AND id = $2", p, 2, &r), &r);
	if (rc == STORE_OK)
		key_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_api_key_revoke(struct store_tx *tx, const char *id, int64_t now_ms)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_INT(now_ms) };
	if (!uuid_valid(id))
		return STORE_NOT_FOUND;
	int rc = store_exec(tx, "UPDATE api_keys SET revoked_at = $3"
		" WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL", p, 3, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_api_key_touch(struct store_tx *tx, const char *id, int64_t now_ms, int64_t min_gap_ms,
	int *written)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_INT(now_ms),
		DB_INT(now_ms - min_gap_ms) };
	*written = 0;
	/* The condition is re-checked by the UPDATE itself, so processes that
	 * race here write once between them. */
	int rc = store_exec(tx, "UPDATE api_keys SET last_used_at = $3"
		" WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL"
		" AND (last_used_at IS NULL OR last_used_at <= $4)", p, 4, NULL);
	if (rc == STORE_OK)
		*written = db_changes(tx->conn) == 1;
	return rc;
}

int store_api_key_context(struct store_tx *tx, const char *id, struct arena *a,
	struct member_ctx *out, int64_t *expires_at)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id) };
	if (!uuid_valid(id))
		return STORE_NOT_FOUND;
	/* The same round trip as a member's (store_member_context): the key
	 * stands where the membership and account do. */
	int rc = store_one_row(store_exec(tx,
		"SELECT k.role, k.name, k.expires_at, t.slug, t.name, t.status, t.plan,"
		" p.features, p.updated_at, p.customer_limit, p.storage_mb, p.requests_per_min, "
		STORE_SETTINGS_COLS
		" FROM api_keys k JOIN tenants t ON t.id = k.tenant_id JOIN plans p ON p.name = t.plan"
		" LEFT JOIN tenant_settings s ON s.tenant_id = k.tenant_id"
		" WHERE k.tenant_id = $1 AND k.id = $2 AND k.revoked_at IS NULL", p, 2, &r), &r);
	if (rc == STORE_OK) {
		out->role = store_dup(a, r, 0, 0);
		out->name = store_dup(a, r, 0, 1);
		out->email = arena_strdup(a, "");
		*expires_at = int_or_zero(r, 0, 2);
		out->tenant_slug = store_dup(a, r, 0, 3);
		out->tenant_name = store_dup(a, r, 0, 4);
		out->tenant_status = store_dup(a, r, 0, 5);
		out->plan = store_dup(a, r, 0, 6);
		out->token_version = 0;
		out->plan_features = store_dup(a, r, 0, 7);
		out->plan_updated_at = db_res_int(r, 0, 8);
		/* The plan's limits hold for a key as for a person. */
		out->plan_customer_limit = db_res_isnull(r, 0, 9) ? -1 : db_res_int(r, 0, 9);
		out->plan_storage_mb = db_res_isnull(r, 0, 10) ? -1 : db_res_int(r, 0, 10);
		out->plan_requests_per_min = db_res_isnull(r, 0, 11) ? -1 : db_res_int(r, 0, 11);
		out->settings = NULL;
		if (!db_res_isnull(r, 0, 12)) {
			out->settings = arena_alloc(a, sizeof *out->settings);
			store_settings_from_row(a, r, 12, out->settings);
		}
	}
	db_res_free(r);
	return rc;
}
