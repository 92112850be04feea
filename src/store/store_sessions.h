/*
 * store_sessions.h — sessions: the refresh tokens of store users and the
 * sessions of operators, kept in separate tables.  Only the hash of a
 * token is stored; a session is a family of tokens, each used once and
 * replaced by the next.  Strings in returned records come from the arena
 * `a` and live as long as it.  Every function returns STORE_OK or a
 * negative STORE_* code.
 */
#ifndef QT_STORE_SESSIONS_H
#define QT_STORE_SESSIONS_H

#include "store/store.h"
#include "store/store_operators.h"

/* ---- store users' refresh tokens ---- */

/*
 * refresh_tokens is under Row Level Security on PostgreSQL: these
 * functions scope tx to the token's tenant (store_tx_enter_tenant) as they
 * find or insert it, so that the use and revoke calls after them reach the
 * row.  The account's own sessions end with store_user_end_sessions
 * (store_users.h).
 */
struct refresh_rec {
	char *token_hash, *family_id, *subject_id, *tenant_id;
	int64_t expires_at;         /* unix ms */
	int64_t used_at, revoked_at; /* unix ms, 0 = not yet */
};

/* Insert r (created now).  STORE_ERROR when r->tenant_id is not a UUID. */
QT_MUST_CHECK int store_refresh_insert(struct store_tx *tx, const struct refresh_rec *r);
/* The token with this hash, before any tenant is known (a definer
 * function that returns only that row on PostgreSQL); scopes tx to its
 * tenant.  STORE_NOT_FOUND when there is none. */
QT_MUST_CHECK int store_refresh_get(struct store_tx *tx, const char *token_hash, struct arena *a,
	struct refresh_rec *out);
/* Mark used at now; STORE_CONFLICT when it was already used or revoked (a
 * race lost or a replay). */
QT_MUST_CHECK int store_refresh_use(struct store_tx *tx, const char *token_hash, int64_t now);
/* Revoke every token of the session family_id not revoked yet. */
QT_MUST_CHECK int store_refresh_revoke_family(struct store_tx *tx, const char *family_id, int64_t now);

/* ---- operators' sessions (platform transactions) ---- */

/*
 * On PostgreSQL all of these run in SECURITY DEFINER functions (the app
 * role cannot read operators or operator_sessions) and session times are
 * the database's clock; clock_now_ms() on SQLite.
 */
enum operator_refresh_outcome {
	OPERATOR_REFRESH_OK,
	OPERATOR_REFRESH_INVALID,   /* no such token */
	OPERATOR_REFRESH_REVOKED,
	OPERATOR_REFRESH_EXPIRED,
	OPERATOR_REFRESH_GONE,      /* the operator was removed */
	OPERATOR_REFRESH_REUSED,    /* a used token came back: session revoked */
};

/* Sign in: when computed (the presented password hashed with the settings
 * of store_operator_password_settings) equals the stored hash, start
 * session family_id with its first refresh token token_hash, valid until
 * expires_at (unix ms), and fill *out.  STORE_NOT_FOUND when the email or
 * the password is wrong. */
QT_MUST_CHECK int store_operator_login(struct store_tx *tx, const char *email, const char *computed,
	const char *token_hash, const char *family_id, int64_t expires_at,
	struct arena *a, struct operator_rec *out);
/* Rotate the refresh token old_hash for new_hash (valid until
 * new_expires_at).  On STORE_OK *outcome says what happened, and with
 * OPERATOR_REFRESH_OK *out and *family_id (from a) are filled.  After
 * OPERATOR_REFRESH_REUSED the session is revoked in tx: commit it. */
QT_MUST_CHECK int store_operator_refresh(struct store_tx *tx, const char *old_hash, const char *new_hash,
	int64_t new_expires_at, struct arena *a, struct operator_rec *out, char **family_id,
	enum operator_refresh_outcome *outcome);
/* Revoke the session the refresh token belongs to; unknown tokens are fine. */
QT_MUST_CHECK int store_operator_logout(struct store_tx *tx, const char *token_hash);
/* The operator of session family_id when it is live (not revoked, not
 * expired), into *out; STORE_NOT_FOUND otherwise (also for a malformed
 * id).  On PostgreSQL this also binds the session to tx, which allows the
 * platform changes of store_tenants.h for the rest of the transaction. */
QT_MUST_CHECK int store_operator_session(struct store_tx *tx, const char *family_id, struct arena *a,
	struct operator_rec *out);

#endif
