/* store_users.c — see store_users.h. */
#include <assert.h>

#include "store/store_internal.h"
#include "store/store_users.h"
#include "util/clock.h"
#include "util/uuid.h"

/* ---- accounts ---- */

#define USER_COLS "u.id, u.email, u.name, u.password_hash, m.created_at, u.updated_at, m.role, u.token_version"
#define USER_FROM " FROM users u JOIN memberships m ON m.tenant_id = u.tenant_id AND m.user_id = u.id"

static void user_from_row(struct arena *a, const struct db_res *r, int row, struct user_rec *u)
{
	u->id = store_dup(a, r, row, 0);
	u->email = store_dup(a, r, row, 1);
	u->name = store_dup(a, r, row, 2);
	u->password_hash = store_dup(a, r, row, 3);
	u->created_at = db_res_int(r, row, 4);
	u->updated_at = db_res_int(r, row, 5);
	u->role = store_dup(a, r, row, 6);
	u->token_version = db_res_int(r, row, 7);
}

static int user_by(struct store_tx *tx, const char *sql, const char *value,
	struct arena *a, struct user_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(value) };
	assert(tx->tenant_id[0]);
	int rc = store_one_row(store_exec(tx, sql, p, 2, &r), &r);
	if (rc == STORE_OK)
		user_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_user_create(struct store_tx *tx, const char *email, const char *name,
	const char *password_hash, const char *role, struct arena *a, struct user_rec *out)
{
	char id[37];
	uuid_v7(id);
	assert(tx->tenant_id[0]);
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_TEXT(email), DB_TEXT(name),
		DB_TEXT(password_hash), DB_INT(clock_now_ms()), DB_TEXT(role) };
	int rc = store_exec(tx,
		"INSERT INTO users (tenant_id, id, email, name, password_hash, created_at, updated_at)"
		" VALUES ($1, $2, $3, $4, $5, $6, $6)", p, 6, NULL);
	if (rc == STORE_OK)
		rc = store_exec(tx,
			"INSERT INTO memberships (tenant_id, user_id, role, created_at, updated_at)"
			" VALUES ($1, $2, $7, $6, $6)", p, 7, NULL);
	if (rc != STORE_OK)
		return rc;
	store_member_touch(tx, tx->tenant_id);
	return store_user_by_id(tx, id, a, out);
}

int store_user_by_email(struct store_tx *tx, const char *email, struct arena *a, struct user_rec *out)
{
	return user_by(tx, "SELECT " USER_COLS USER_FROM " WHERE u.tenant_id = $1 AND u.email = $2",
		email, a, out);
}

int store_user_by_id(struct store_tx *tx, const char *id, struct arena *a, struct user_rec *out)
{
	if (!uuid_valid(id))
		return STORE_NOT_FOUND;
	return user_by(tx, "SELECT " USER_COLS USER_FROM " WHERE u.tenant_id = $1 AND u.id = $2",
		id, a, out);
}

int store_user_set_password(struct store_tx *tx, const char *id, const char *password_hash)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_TEXT(password_hash),
		DB_INT(clock_now_ms()) };
	int rc = store_exec(tx, "UPDATE users SET password_hash = $3, updated_at = $4"
		" WHERE tenant_id = $1 AND id = $2", p, 4, NULL);
	if (rc != STORE_OK)
		return rc;
	if (db_changes(tx->conn) != 1)
		return STORE_NOT_FOUND;
	store_member_touch(tx, tx->tenant_id);
	return store_user_end_sessions(tx, id);
}

int store_user_set_name(struct store_tx *tx, const char *id, const char *name)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_TEXT(name),
		DB_INT(clock_now_ms()) };
	int rc = store_exec(tx, "UPDATE users SET name = $3, updated_at = $4"
		" WHERE tenant_id = $1 AND id = $2", p, 4, NULL);
	if (rc != STORE_OK)
		return rc;
	store_member_touch(tx, tx->tenant_id);
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_user_set_language(struct store_tx *tx, const char *id, const char *language)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_TEXT(language),
		DB_INT(clock_now_ms()) };
	int rc = store_exec(tx, "UPDATE users SET language = $3, updated_at = $4"
		" WHERE tenant_id = $1 AND id = $2", p, 4, NULL);
	if (rc != STORE_OK)
		return rc;
	store_member_touch(tx, tx->tenant_id);
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_user_end_sessions(struct store_tx *tx, const char *id)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(id), DB_INT(clock_now_ms()) };
	int rc = store_exec(tx, "UPDATE users SET token_version = token_version + 1"
		" WHERE tenant_id = $1 AND id = $2", p, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	if (db_changes(tx->conn) != 1)
		return STORE_NOT_FOUND;
	store_member_touch(tx, tx->tenant_id);
	return store_exec(tx,
		"UPDATE refresh_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND subject_id = $2"
		" AND revoked_at IS NULL", p, 3, NULL);
}

/* ---- memberships ---- */

int store_member_context(struct store_tx *tx, const char *user_id, struct arena *a, struct member_ctx *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(user_id) };
	if (!uuid_valid(user_id))
		return STORE_NOT_FOUND;
	/* One round trip gives everything a request needs about its caller
	 * and store, settings included. */
	int rc = store_one_row(store_exec(tx,
		"SELECT m.role, u.email, u.name, t.slug, t.name, t.status, t.plan, u.token_version,"
		" p.features, p.updated_at, p.customer_limit, p.storage_mb, p.requests_per_min, u.language, "
		STORE_SETTINGS_COLS
		" FROM memberships m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id"
		" JOIN tenants t ON t.id = m.tenant_id JOIN plans p ON p.name = t.plan"
		" LEFT JOIN tenant_settings s ON s.tenant_id = m.tenant_id"
		" WHERE m.tenant_id = $1 AND m.user_id = $2", p, 2, &r), &r);
	if (rc == STORE_OK) {
		out->role = store_dup(a, r, 0, 0);
		out->email = store_dup(a, r, 0, 1);
		out->name = store_dup(a, r, 0, 2);
		out->tenant_slug = store_dup(a, r, 0, 3);
		out->tenant_name = store_dup(a, r, 0, 4);
		out->tenant_status = store_dup(a, r, 0, 5);
		out->plan = store_dup(a, r, 0, 6);
		out->token_version = db_res_int(r, 0, 7);
		out->plan_features = store_dup(a, r, 0, 8);
		out->plan_updated_at = db_res_int(r, 0, 9);
		out->plan_customer_limit = db_res_isnull(r, 0, 10) ? -1 : db_res_int(r, 0, 10);
		out->plan_storage_mb = db_res_isnull(r, 0, 11) ? -1 : db_res_int(r, 0, 11);
		out->plan_requests_per_min = db_res_isnull(r, 0, 12) ? -1 : db_res_int(r, 0, 12);
		out->language = db_res_isnull(r, 0, 13) ? NULL : store_dup(a, r, 0, 13);
		/* No settings row: the caller answers 500 rather than guess. */
		out->settings = NULL;
		if (!db_res_isnull(r, 0, 14)) {
			out->settings = arena_alloc(a, sizeof *out->settings);
			store_settings_from_row(a, r, 14, out->settings);
		}
	}
	db_res_free(r);
	return rc;
}

int store_member_list(struct store_tx *tx, struct arena *a, struct user_rec **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	*out = NULL;
	*n = 0;
	int rc = store_exec(tx,
		"SELECT u.id, u.email, u.name, m.role, m.created_at, m.updated_at"
		" FROM memberships m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id"
		" WHERE m.tenant_id = $1 ORDER BY u.email", p, 1, &r);
	if (rc == STORE_OK) {
		int rows = db_res_rows(r);
		/* arena_alloc zeroes: password_hash NULL, token_version 0. */
		*out = arena_alloc(a, sizeof **out * (size_t)rows);
		for (int i = 0; i < rows; i++) {
			struct user_rec *u = &(*out)[i];
			u->id = store_dup(a, r, i, 0);
			u->email = store_dup(a, r, i, 1);
			u->name = store_dup(a, r, i, 2);
			u->role = store_dup(a, r, i, 3);
			u->created_at = db_res_int(r, i, 4);
			u->updated_at = db_res_int(r, i, 5);
		}
		*n = rows;
	}
	db_res_free(r);
	return rc;
}

int store_member_set_role(struct store_tx *tx, const char *user_id, const char *role)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(user_id), DB_TEXT(role),
		DB_INT(clock_now_ms()) };
	int rc = store_exec(tx,
		"UPDATE memberships SET role = $3, updated_at = $4 WHERE tenant_id = $1 AND user_id = $2",
		p, 4, NULL);
	if (rc != STORE_OK)
		return rc;
	store_member_touch(tx, tx->tenant_id);
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_member_remove(struct store_tx *tx, const char *user_id)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(user_id) };
	int rc = store_exec(tx, "DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2",
		p, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	if (db_changes(tx->conn) != 1)
		return STORE_NOT_FOUND;
	store_member_touch(tx, tx->tenant_id);
	/* The account was this store's only: it goes too, and its sessions
	 * end now.  Entries and audit rows keep the id as text. */
	struct db_param p2[] = { DB_TEXT(tx->tenant_id), DB_TEXT(user_id), DB_INT(clock_now_ms()) };
	rc = store_exec(tx, "DELETE FROM users WHERE tenant_id = $1 AND id = $2", p2, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	return store_exec(tx,
		"UPDATE refresh_tokens SET revoked_at = $3 WHERE tenant_id = $1 AND subject_id = $2"
		" AND revoked_at IS NULL", p2, 3, NULL);
}

int store_member_count_role(struct store_tx *tx, const char *role, int64_t *count)
{
	/* On PostgreSQL the rows are locked (in a fixed order, so two callers
	 * cannot deadlock): two owners demoting each other at once must not
	 * both see two owners.  SQLite's write transaction already excludes. */
	static const char sql[] =
		"SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = $2 ORDER BY user_id";
	static const char sql_lock[] =
		"SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = $2 ORDER BY user_id FOR UPDATE";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(role) };
	int rc = store_exec(tx, store_is_pg(tx) ? sql_lock : sql, p, 2, &r);
	if (rc == STORE_OK)
		*count = db_res_rows(r);
	db_res_free(r);
	return rc;
}

