/*
 * session.h — signing in, refreshing, signing out and changing a password,
 * for store users and for platform operators: the rules of a session,
 * without HTTP or JSON (api/auth.c decodes the body, calls these, and
 * turns the outcome into a status and a problem in one place).
 *
 * A session is an HS256 access token (security/jwt.h) and a refresh token
 * (security/token.h: random, stored only as its hash, single use).  Each
 * refresh returns a new refresh token in the same family; presenting a
 * used one again means someone kept a copy, and the whole family is
 * revoked (SESSION_TOKEN_REUSED).  A store user's access tokens carry the
 * account's token version: signing out or changing the password bumps it,
 * which ends every session of the account, access tokens included.
 * Operators' access tokens carry their session (family) id instead, and
 * their sessions live apart from store users' in the store.
 *
 * Sign-ins are throttled per account and per client address, password
 * changes per account (security/throttle.h): while a key is locked out
 * the flow answers SESSION_THROTTLED without looking anything up.  An
 * unknown account and a wrong password answer alike and take as long
 * (one password hash); a password over PASSWORD_MAX_BYTES is refused
 * before any lookup, so that too answers alike for both.
 *
 * Every flow takes the pieces of the app it needs in a struct session_env
 * and fills a struct session_result; the function returns the outcome that
 * it also stores in result->outcome.  Nothing here reads the clock: time
 * is env->now_ms (but the store times operators' sessions by its own
 * clock, so for them now_ms must be clock_now_ms()).  Strings in a result
 * come from env->arena and live as long as it.
 */
#ifndef QT_SECURITY_SESSION_H
#define QT_SECURITY_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "security/token.h"

struct arena;
struct store;
struct store_tx;
struct throttle;

/* Room for an access token (jwt_sign never needs more than 512 bytes). */
#define SESSION_ACCESS_TOKEN_MAX 2048

/* What a flow may use of the running app.  Only store, arena and now_ms
 * are read by every flow; each function says what else it needs. */
struct session_env {
	struct store *store;
	struct arena *arena;           /* strings of the result; records read on the way */
	const uint8_t *jwt_key;        /* signs access tokens */
	size_t jwt_key_len;
	int access_ttl_s;              /* access token lifetime (expires_in) */
	int refresh_ttl_s;             /* refresh token lifetime */
	struct throttle *by_account;   /* failed sign-ins / current passwords per account */
	struct throttle *by_ip;        /* failed sign-ins per client address */
	const char *client_ip;         /* key of by_ip; written into audit rows */
	const char *request_id;        /* written into audit rows */
	int64_t now_ms;                /* the time of the request, unix ms */
};

enum session_outcome {
	SESSION_OK = 0,
	SESSION_PASSWORD_TOO_LONG,     /* over PASSWORD_MAX_BYTES; result->input names it */
	SESSION_WEAK_PASSWORD,         /* the new password fails password_policy_check():
	                                * result->message says how, result->input names it */
	SESSION_THROTTLED,             /* locked out for result->retry_after seconds (>= 1) */
	SESSION_INVALID_CREDENTIALS,   /* sign-in: no such account, or the wrong password */
	SESSION_WRONG_PASSWORD,        /* password change: the current password is wrong
	                                * (result->input names it) */
	SESSION_TOKEN_INVALID,         /* no such refresh token */
	SESSION_TOKEN_REVOKED,         /* the refresh token's session was ended */
	SESSION_EXPIRED,               /* the refresh token is past its lifetime */
	SESSION_TOKEN_REUSED,          /* a used refresh token came back: its whole
	                                * session is now revoked (and that is committed) */
	SESSION_ACCOUNT_GONE,          /* the account behind the refresh token has no access */
	SESSION_WRONG_STORE,           /* the refresh token belongs to another store than
	                                * the one named; it was left unused */
	SESSION_STORE_ERROR,           /* the store failed: result->store_rc (STORE_*) */
	SESSION_INTERNAL,              /* signing or hashing failed: result->message */
};

struct session_account {
	const char *id, *email, *name;
};

struct session_tenant {
	const char *id, *slug, *name;
};

struct session_result {
	enum session_outcome outcome;
	int retry_after;               /* SESSION_THROTTLED */
	int store_rc;                  /* SESSION_STORE_ERROR */
	const char *input;             /* the argument at fault ("password",
	                                * "current_password", "new_password") */
	char message[160];             /* SESSION_WEAK_PASSWORD, SESSION_INTERNAL */

	/* SESSION_OK from a sign-in or a refresh: */
	char access_token[SESSION_ACCESS_TOKEN_MAX];
	char refresh_token[TOKEN_LEN + 1];
	int expires_in;                /* seconds the access token lasts */
	int refresh_ttl_s;             /* seconds the refresh token lasts */
	int is_operator;               /* account is a platform operator */
	struct session_account account;
	struct session_tenant tenant;  /* store users only (NULLs for operators) */
	const char *role;              /* store users only: the membership's role */
};

/*
 * Sign a store user in to the store tenant_slug.  email is compared in
 * lower case.  Uses every field of env.  Outcomes: SESSION_OK (a new
 * session: tokens, account, tenant, role), SESSION_PASSWORD_TOO_LONG
 * (input "password"), SESSION_THROTTLED, SESSION_INVALID_CREDENTIALS (also
 * for an unknown store), SESSION_STORE_ERROR, SESSION_INTERNAL.  Failures
 * count against the account (session_login_key) and the client address.
 */
enum session_outcome session_login(const struct session_env *env, const char *tenant_slug,
	const char *email, const char *password, struct session_result *out);

/*
 * Sign a platform operator in.  Like session_login, without a store; the
 * stored password hash never leaves the store (password_hash_with_settings).
 * SESSION_OK fills tokens and account and sets is_operator.
 */
enum session_outcome session_operator_login(const struct session_env *env, const char *email,
	const char *password, struct session_result *out);

/*
 * Rotate a store user's refresh token: the presented one is used up and a
 * new one of the same session returned with a new access token.
 * want_tenant_slug, when not NULL, is the store the caller is showing: a
 * token of another store is refused (SESSION_WRONG_STORE) without using
 * it, so that store's session goes on.  Needs store, arena, the JWT key,
 * both TTLs and now_ms.  Outcomes: SESSION_OK (tokens, account, tenant,
 * role), SESSION_TOKEN_INVALID, SESSION_TOKEN_REVOKED, SESSION_TOKEN_REUSED,
 * SESSION_EXPIRED, SESSION_WRONG_STORE, SESSION_ACCOUNT_GONE,
 * SESSION_STORE_ERROR, SESSION_INTERNAL.
 */
enum session_outcome session_refresh(const struct session_env *env, const char *refresh_token,
	const char *want_tenant_slug, struct session_result *out);

/* The same for an operator's refresh token (the rotation happens in the
 * store).  SESSION_OK fills tokens and account and sets is_operator. */
enum session_outcome session_operator_refresh(const struct session_env *env,
	const char *refresh_token, struct session_result *out);

/*
 * Sign a store user out: revoke the refresh token's session and end every
 * session of its account (token version).  An unknown token, or one whose
 * account is gone, is SESSION_OK: the session is over either way.  A
 * token of an operator is left alone.  Needs store, arena, now_ms.
 * Outcomes: SESSION_OK, SESSION_STORE_ERROR.
 */
enum session_outcome session_logout(const struct session_env *env, const char *refresh_token,
	struct session_result *out);

/* End the operator session the refresh token belongs to (unknown tokens
 * and store users' tokens: SESSION_OK, nothing changes). */
enum session_outcome session_operator_logout(const struct session_env *env,
	const char *refresh_token, struct session_result *out);

/*
 * Change the password of user_id in tenant tx (the caller's tenant write
 * transaction, whose actor writes the audit row; the caller commits it
 * on SESSION_OK and rolls it back otherwise).  Checks, in order: the
 * current password's length (input "current_password"), the throttle of
 * the account ("password:<tenant_id>:<user_id>", by_account only), the
 * new password's policy (SESSION_WEAK_PASSWORD, input "new_password"),
 * the current password (SESSION_WRONG_PASSWORD, counted against the
 * account).  Then stores the new hash, ends every session of the
 * account, this one too, and writes user.password_changed to the audit
 * trail.  Needs arena, by_account, now_ms.  SESSION_STORE_ERROR with
 * STORE_NOT_FOUND when tx's store has no such user.
 */
enum session_outcome session_password_change(const struct session_env *env, struct store_tx *tx,
	const char *tenant_id, const char *user_id, const char *current_password,
	const char *new_password, struct session_result *out);

/* Wipe the tokens in r (sodium_memzero) once they have been handed out. */
void session_result_wipe(struct session_result *r);

/* Stable lower-case name of an outcome ("ok", "token_reused", ...), for
 * logs and tests; "unknown" for a value outside the enum. */
const char *session_outcome_name(enum session_outcome o);

/* Throttle keys (from a): a store user's sign-in
 * "login:<length of slug>:<slug>:<email>", an operator's
 * "operator:<email>", a password change "password:<tenant_id>:<user_id>".
 * email as given (see session_email_lower).  The prefixes keep the kinds
 * apart (a store whose slug is "operator" shares no key with the
 * operators), and the length keeps "a" + "b:x@y" apart from "a:b" +
 * "x@y" (the slug of a sign-in is whatever the client sent). */
const char *session_login_key(struct arena *a, const char *tenant_slug, const char *email);
const char *session_operator_key(struct arena *a, const char *email);
const char *session_password_key(struct arena *a, const char *tenant_id, const char *user_id);

/* Copy of email in ASCII lower case, from a (NULL gives ""). */
char *session_email_lower(struct arena *a, const char *email);

#endif
