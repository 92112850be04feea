/* store_sessions.c — see store_sessions.h. */
#include <string.h>
#include <sodium.h>

#include "store/store_internal.h"
#include "store/store_sessions.h"
#include "store/store_tenants.h"
#include "util/clock.h"
#include "util/uuid.h"

/* ---- store users' refresh tokens ---- */

/* refresh_tokens rows are reached under Row Level Security: scope tx to
 * the row's tenant first (a no-op when it already is). */
static int enter_tenant_of(struct store_tx *tx, const char *tenant_id)
{
	if (strcmp(tx->tenant_id, tenant_id) == 0)
		return STORE_OK;
	return store_tx_enter_tenant(tx, tenant_id);
}

int store_refresh_insert(struct store_tx *tx, const struct refresh_rec *t)
{
	if (!t->tenant_id || !uuid_valid(t->tenant_id))
		return STORE_ERROR;
	int rc = enter_tenant_of(tx, t->tenant_id);
	if (rc != STORE_OK)
		return rc;
	struct db_param p[] = { DB_TEXT(t->token_hash), DB_TEXT(t->family_id),
		DB_TEXT(t->subject_id), DB_TEXT(t->tenant_id), DB_INT(t->expires_at),
		DB_INT(clock_now_ms()) };
	return store_exec(tx,
		"INSERT INTO refresh_tokens (token_hash, family_id, subject_id, tenant_id,"
		" expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)", p, 6, NULL);
}

int store_refresh_get(struct store_tx *tx, const char *token_hash, struct arena *a, struct refresh_rec *out)
{
	static const char sql_sqlite[] =
		"SELECT token_hash, family_id, subject_id, tenant_id, expires_at,"
		" COALESCE(used_at, 0), COALESCE(revoked_at, 0) FROM refresh_tokens WHERE token_hash = $1";
	static const char sql_pg[] =
		"SELECT token_hash, family_id, subject_id, tenant_id, expires_at,"
		" COALESCE(used_at, 0), COALESCE(revoked_at, 0) FROM qt_refresh_token($1)";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(token_hash) };
	/* With a tenant directory the token lives with its store, on one
	 * of the clusters. */
	int rc = store_exec_any_cluster(tx, store_is_pg(tx) ? sql_pg : sql_sqlite, p, 1, &r);
	if (rc == STORE_OK) {
		out->token_hash = store_dup(a, r, 0, 0);
		out->family_id = store_dup(a, r, 0, 1);
		out->subject_id = store_dup(a, r, 0, 2);
		out->tenant_id = store_dup(a, r, 0, 3);
		out->expires_at = db_res_int(r, 0, 4);
		out->used_at = db_res_int(r, 0, 5);
		out->revoked_at = db_res_int(r, 0, 6);
	}
	db_res_free(r);
	if (rc == STORE_OK)
		rc = enter_tenant_of(tx, out->tenant_id);
	return rc;
}

int store_refresh_use(struct store_tx *tx, const char *token_hash, int64_t now)
{
	struct db_param p[] = { DB_TEXT(token_hash), DB_INT(now) };
	int rc = store_exec(tx,
		"UPDATE refresh_tokens SET used_at = $2 WHERE token_hash = $1"
		" AND used_at IS NULL AND revoked_at IS NULL", p, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_CONFLICT;
}

int store_refresh_revoke_family(struct store_tx *tx, const char *family_id, int64_t now)
{
	struct db_param p[] = { DB_TEXT(family_id), DB_INT(now) };
	return store_exec(tx,
		"UPDATE refresh_tokens SET revoked_at = $2 WHERE family_id = $1 AND revoked_at IS NULL",
		p, 2, NULL);
}

/* ---- operators' sessions ---- */

static void operator_from_row(struct arena *a, const struct db_res *r, int c0, struct operator_rec *o)
{
	o->id = store_dup(a, r, 0, c0);
	o->email = store_dup(a, r, 0, c0 + 1);
	o->name = store_dup(a, r, 0, c0 + 2);
}

int store_operator_login(struct store_tx *tx, const char *email, const char *computed,
	const char *token_hash, const char *family_id, int64_t expires_at,
	struct arena *a, struct operator_rec *out)
{
	struct db_res *r = NULL;
	int rc;
	if (store_is_pg(tx)) {
		struct db_param p[] = { DB_TEXT(email), DB_TEXT(computed), DB_TEXT(token_hash),
			DB_TEXT(family_id), DB_INT(expires_at) };
		rc = store_one_row(store_exec(tx, "SELECT operator_id, email, name FROM qt_operator_login($1, $2, $3, $4, $5)",
			p, 5, &r), &r);
		if (rc == STORE_OK)
			operator_from_row(a, r, 0, out);
		db_res_free(r);
		return rc;
	}
	struct db_param p[] = { DB_TEXT(email) };
	rc = store_one_row(store_exec(tx, "SELECT id, email, name, password_hash FROM operators WHERE email = $1",
		p, 1, &r), &r);
	if (rc == STORE_OK) {
		const char *stored = db_res_text(r, 0, 3);
		size_t n = strlen(stored);
		if (n != strlen(computed) || sodium_memcmp(stored, computed, n) != 0)
			rc = STORE_NOT_FOUND;
	}
	if (rc == STORE_OK) {
		operator_from_row(a, r, 0, out);
		struct db_param p2[] = { DB_TEXT(token_hash), DB_TEXT(family_id), DB_TEXT(out->id),
			DB_INT(expires_at), DB_INT(clock_now_ms()) };
		rc = store_exec(tx,
			"INSERT INTO operator_sessions (token_hash, family_id, operator_id, expires_at, created_at)"
			" VALUES ($1, $2, $3, $4, $5)", p2, 5, NULL);
	}
	db_res_free(r);
	return rc;
}

static const struct {
	const char *name;
	enum operator_refresh_outcome outcome;
} refresh_outcomes[] = {
	{ "ok", OPERATOR_REFRESH_OK }, { "invalid", OPERATOR_REFRESH_INVALID },
	{ "revoked", OPERATOR_REFRESH_REVOKED }, { "expired", OPERATOR_REFRESH_EXPIRED },
	{ "gone", OPERATOR_REFRESH_GONE }, { "reused", OPERATOR_REFRESH_REUSED },
};

/* SQLite: the same steps as qt_operator_refresh(), in the write
 * transaction that already excludes every other writer. */
static int operator_refresh_sqlite(struct store_tx *tx, const char *old_hash, const char *new_hash,
	int64_t new_expires_at, struct arena *a, struct operator_rec *out, char **family_id,
	enum operator_refresh_outcome *outcome)
{
	struct db_res *r = NULL;
	int64_t now = clock_now_ms();
	struct db_param p[] = { DB_TEXT(old_hash) };
	int rc = store_exec(tx,
		"SELECT s.family_id, s.operator_id, s.expires_at, s.used_at IS NOT NULL, s.revoked_at IS NOT NULL,"
		" o.id, o.email, o.name FROM operator_sessions s LEFT JOIN operators o ON o.id = s.operator_id"
		" WHERE s.token_hash = $1", p, 1, &r);
	if (rc != STORE_OK)
		return rc;
	if (db_res_rows(r) != 1)
		*outcome = OPERATOR_REFRESH_INVALID;
	else if (db_res_int(r, 0, 4))
		*outcome = OPERATOR_REFRESH_REVOKED;
	else if (db_res_int(r, 0, 3))
		*outcome = OPERATOR_REFRESH_REUSED;
	else if (db_res_int(r, 0, 2) <= now)
		*outcome = OPERATOR_REFRESH_EXPIRED;
	else if (db_res_isnull(r, 0, 5))
		*outcome = OPERATOR_REFRESH_GONE;
	else
		*outcome = OPERATOR_REFRESH_OK;
	if (*outcome == OPERATOR_REFRESH_REUSED) {
		struct db_param p2[] = { DB_TEXT(db_res_text(r, 0, 0)), DB_INT(now) };
		rc = store_exec(tx, "UPDATE operator_sessions SET revoked_at = $2"
			" WHERE family_id = $1 AND revoked_at IS NULL", p2, 2, NULL);
	}
	if (*outcome == OPERATOR_REFRESH_OK) {
		*family_id = store_dup(a, r, 0, 0);
		operator_from_row(a, r, 5, out);
		struct db_param p2[] = { DB_TEXT(old_hash), DB_INT(now) };
		rc = store_exec(tx, "UPDATE operator_sessions SET used_at = $2 WHERE token_hash = $1",
			p2, 2, NULL);
		struct db_param p3[] = { DB_TEXT(new_hash), DB_TEXT(*family_id), DB_TEXT(out->id),
			DB_INT(new_expires_at), DB_INT(now) };
		if (rc == STORE_OK)
			rc = store_exec(tx,
				"INSERT INTO operator_sessions (token_hash, family_id, operator_id, expires_at, created_at)"
				" VALUES ($1, $2, $3, $4, $5)", p3, 5, NULL);
	}
	db_res_free(r);
	return rc;
}

int store_operator_refresh(struct store_tx *tx, const char *old_hash, const char *new_hash,
	int64_t new_expires_at, struct arena *a, struct operator_rec *out, char **family_id,
	enum operator_refresh_outcome *outcome)
{
	if (!store_is_pg(tx))
		return operator_refresh_sqlite(tx, old_hash, new_hash, new_expires_at, a, out,
			family_id, outcome);
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(old_hash), DB_TEXT(new_hash), DB_INT(new_expires_at) };
	int rc = store_one_row(store_exec(tx,
		"SELECT outcome, family_id, operator_id, email, name FROM qt_operator_refresh($1, $2, $3)",
		p, 3, &r), &r);
	if (rc == STORE_OK) {
		const char *name = db_res_text(r, 0, 0);
		rc = STORE_ERROR;
		for (size_t i = 0; i < sizeof refresh_outcomes / sizeof refresh_outcomes[0]; i++)
			if (strcmp(name, refresh_outcomes[i].name) == 0) {
				*outcome = refresh_outcomes[i].outcome;
				rc = STORE_OK;
			}
	}
	if (rc == STORE_OK && *outcome == OPERATOR_REFRESH_OK) {
		*family_id = store_dup(a, r, 0, 1);
		operator_from_row(a, r, 2, out);
	}
	db_res_free(r);
	return rc;
}

int store_operator_logout(struct store_tx *tx, const char *token_hash)
{
	if (store_is_pg(tx)) {
		struct db_param p[] = { DB_TEXT(token_hash) };
		return store_exec(tx, "SELECT qt_operator_logout($1)", p, 1, NULL);
	}
	struct db_param p[] = { DB_TEXT(token_hash), DB_INT(clock_now_ms()) };
	return store_exec(tx,
		"UPDATE operator_sessions SET revoked_at = $2 WHERE family_id ="
		" (SELECT s.family_id FROM operator_sessions s WHERE s.token_hash = $1) AND revoked_at IS NULL",
		p, 2, NULL);
}

int store_operator_session(struct store_tx *tx, const char *family_id, struct arena *a,
	struct operator_rec *out)
{
	struct db_res *r = NULL;
	int rc;
	if (!uuid_valid(family_id))
		return STORE_NOT_FOUND;
	if (store_is_pg(tx)) {
		struct db_param p[] = { DB_TEXT(family_id) };
		rc = store_one_row(store_exec(tx, "SELECT operator_id, email, name FROM qt_operator_session($1)",
			p, 1, &r), &r);
	} else {
		struct db_param p[] = { DB_TEXT(family_id), DB_INT(clock_now_ms()) };
		rc = store_one_row(store_exec(tx,
			"SELECT o.id, o.email, o.name FROM operators o WHERE o.id = (SELECT s.operator_id"
			" FROM operator_sessions s WHERE s.family_id = $1 AND s.revoked_at IS NULL"
			" AND s.expires_at > $2 LIMIT 1)", p, 2, &r), &r);
	}
	if (rc == STORE_OK)
		operator_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}
