/* session.c — sign-in, refresh-token rotation, sign-out and password change. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "security/jwt.h"
#include "security/password.h"
#include "security/session.h"
#include "security/throttle.h"
#include "security/token.h"
#include "store/store.h"
#include "store/store_operators.h"
#include "store/store_platform_audit.h"
#include "store/store_sessions.h"
#include "store/store_tenants.h"
#include "store/store_users.h"
#include "util/arena.h"
#include "util/uuid.h"

static void result_init(struct session_result *out)
{
	memset(out, 0, sizeof *out);
}

static enum session_outcome finish(struct session_result *out, enum session_outcome o)
{
	out->outcome = o;
	return o;
}

static enum session_outcome store_failed(struct session_result *out, int rc)
{
	out->store_rc = rc;
	return finish(out, SESSION_STORE_ERROR);
}

static enum session_outcome internal(struct session_result *out, const char *message)
{
	snprintf(out->message, sizeof out->message, "%s", message);
	return finish(out, SESSION_INTERNAL);
}

static int64_t now_s(const struct session_env *env)
{
	return env->now_ms / 1000;
}

/* When a refresh token issued now expires (unix ms). */
static int64_t refresh_expiry(const struct session_env *env)
{
	return (now_s(env) + env->refresh_ttl_s) * 1000;
}

/* Over-long passwords are refused as input before anything is looked up:
 * a known and an unknown account answer alike, and nothing is hashed. */
static int too_long(struct session_result *out, const char *input, const char *password)
{
	if (strlen(password) <= PASSWORD_MAX_BYTES)
		return 0;
	out->input = input;
	finish(out, SESSION_PASSWORD_TOO_LONG);
	return 1;
}

/* Locked out: the seconds left on account_key (and, for sign-ins, the
 * client address), or 0. */
static int throttled(const struct session_env *env, const char *account_key, int by_ip,
	struct session_result *out)
{
	int a = throttle_retry_after(env->by_account, account_key, now_s(env));
	int b = by_ip ? throttle_retry_after(env->by_ip, env->client_ip, now_s(env)) : 0;
	int wait = a > b ? a : b;
	if (wait <= 0)
		return 0;
	out->retry_after = wait;
	finish(out, SESSION_THROTTLED);
	return 1;
}

static enum session_outcome login_failed(const struct session_env *env, const char *account_key,
	struct session_result *out)
{
	throttle_fail(env->by_account, account_key, now_s(env));
	throttle_fail(env->by_ip, env->client_ip, now_s(env));
	return finish(out, SESSION_INVALID_CREDENTIALS);
}

/* Sign the access token into out.  A store user's carries the account's
 * token version, an operator's (tenant_id NULL) the session id. */
static int sign_access(const struct session_env *env, const char *subject, const char *tenant_id,
	const char *role, int64_t token_version, const char *session_id, struct session_result *out)
{
	struct jwt_claims c = { 0 };

	snprintf(c.sub, sizeof c.sub, "%s", subject);
	snprintf(c.tid, sizeof c.tid, "%s", tenant_id ? tenant_id : "");
	snprintf(c.role, sizeof c.role, "%s", role ? role : "");
	snprintf(c.sid, sizeof c.sid, "%s", session_id ? session_id : "");
	uuid_v7(c.jti);
	c.iat = now_s(env);
	c.exp = c.iat + env->access_ttl_s;
	c.op = !tenant_id;
	c.ver = token_version;
	if (jwt_sign(&c, env->jwt_key, env->jwt_key_len, out->access_token, sizeof out->access_token) < 0)
		return -1;
	out->expires_in = env->access_ttl_s;
	out->refresh_ttl_s = env->refresh_ttl_s;
	return 0;
}

/* A store user's new refresh token (a new session when family_id is NULL)
 * into tx and out, and the access token beside it.  Returns the outcome
 * so far: SESSION_OK, SESSION_STORE_ERROR or SESSION_INTERNAL. */
static enum session_outcome issue_user_tokens(const struct session_env *env, struct store_tx *tx,
	const char *subject, const char *tenant_id, const char *role, int64_t token_version,
	const char *family_id, struct session_result *out)
{
	char hash[TOKEN_HASH_LEN + 1], family[37];

	token_random(out->refresh_token);
	token_hash(out->refresh_token, hash);
	if (family_id)
		snprintf(family, sizeof family, "%s", family_id);
	else
		uuid_v7(family);
	struct refresh_rec rec = {
		.token_hash = hash, .family_id = family, .subject_id = (char *)(uintptr_t)subject,
		.tenant_id = (char *)(uintptr_t)tenant_id, .expires_at = refresh_expiry(env),
	};
	int rc = store_refresh_insert(tx, &rec);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	if (sign_access(env, subject, tenant_id, role, token_version, NULL, out) < 0)
		return internal(out, "could not sign the access token");
	return SESSION_OK;
}

static void set_user(struct session_result *out, const char *id, const char *email,
	const char *name, const struct tenant_rec *t, const char *role)
{
	out->account = (struct session_account){ id, email, name };
	out->tenant = (struct session_tenant){ t->id, t->slug, t->name };
	out->role = role;
	out->is_operator = 0;
}

static void set_operator(struct session_result *out, const struct operator_rec *op)
{
	out->account = (struct session_account){ op->id, op->email, op->name };
	out->is_operator = 1;
}

enum session_outcome session_login(const struct session_env *env, const char *tenant_slug,
	const char *email, const char *password, struct session_result *out)
{
	struct tenant_rec t;
	struct user_rec u;
	struct member_ctx m;
	struct store_tx *tx = NULL;
	enum session_outcome o;
	int rc;

	result_init(out);
	email = session_email_lower(env->arena, email);
	const char *account_key = session_login_key(env->arena, tenant_slug, email);
	if (too_long(out, "password", password) || throttled(env, account_key, 1, out))
		return out->outcome;

	rc = store_begin_platform(env->store, 0, NULL, &tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	/* Accounts belong to one store: the email is looked up only in the
	 * store being signed in to. */
	rc = store_tenant_by_slug(tx, tenant_slug, env->arena, &t);
	if (rc == STORE_OK)
		rc = store_tx_enter_tenant(tx, t.id);
	if (rc == STORE_OK)
		rc = store_user_by_email(tx, email, env->arena, &u);
	if (rc == STORE_OK)
		rc = store_member_context(tx, u.id, env->arena, &m);
	store_rollback(tx);
	tx = NULL;
	if (rc == STORE_NOT_FOUND) {
		/* Same answer, same cost, as a wrong password. */
		password_burn_time();
		return login_failed(env, account_key, out);
	}
	if (rc != STORE_OK)
		return store_failed(out, rc);
	if (password_verify(u.password_hash, password) != 0)
		return login_failed(env, account_key, out);
	throttle_success(env->by_account, account_key);

	struct store_actor actor = { u.id, m.role, env->request_id, env->client_ip };
	rc = store_begin_platform(env->store, 1, &actor, &tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	o = issue_user_tokens(env, tx, u.id, t.id, m.role, m.token_version, NULL, out);
	if (o != SESSION_OK) {
		store_rollback(tx);
		return finish(out, o);
	}
	rc = store_commit(tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	set_user(out, u.id, u.email, u.name, &t, m.role);
	return finish(out, SESSION_OK);
}

/*
 * The stored hash never leaves the store: the presented password is hashed
 * with the stored hash's settings and salt, and the store compares (on
 * PostgreSQL a definer function, which then opens the session).
 */
enum session_outcome session_operator_login(const struct session_env *env, const char *email,
	const char *password, struct session_result *out)
{
	struct operator_rec op;
	struct store_tx *tx = NULL;
	char computed[PASSWORD_HASH_LEN], hash[TOKEN_HASH_LEN + 1], family[37];
	char *settings = NULL;
	int rc;

	result_init(out);
	email = session_email_lower(env->arena, email);
	const char *account_key = session_operator_key(env->arena, email);
	if (too_long(out, "password", password) || throttled(env, account_key, 1, out))
		return out->outcome;

	rc = store_begin_platform(env->store, 1, NULL, &tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	rc = store_operator_password_settings(tx, email, env->arena, &settings);
	if (rc == STORE_NOT_FOUND) {
		store_rollback(tx);
		password_burn_time();
		return login_failed(env, account_key, out);
	}
	if (rc != STORE_OK) {
		store_rollback(tx);
		return store_failed(out, rc);
	}
	if (password_hash_with_settings(settings, password, computed) < 0) {
		store_rollback(tx);
		return login_failed(env, account_key, out);
	}
	token_random(out->refresh_token);
	token_hash(out->refresh_token, hash);
	uuid_v7(family);
	rc = store_operator_login(tx, email, computed, hash, family, refresh_expiry(env), env->arena, &op);
	sodium_memzero(computed, sizeof computed);
	if (rc != STORE_OK) {
		store_rollback(tx);
		if (rc == STORE_NOT_FOUND)
			return login_failed(env, account_key, out);
		return store_failed(out, rc);
	}
	/* The sign-in goes into the platform audit trail, in the new
	 * session (on PostgreSQL the trail takes a live one).  Never the
	 * session's id: the app role may read the trail, and a live id is
	 * what lets a transaction act as the platform. */
	struct operator_rec bound;
	rc = store_operator_session(tx, family, env->arena, &bound);
	if (rc == STORE_OK) {
		struct store_actor actor = { op.id, "operator", env->request_id, env->client_ip };
		json_t *after = json_pack("{s:s}", "email", op.email);
		rc = store_platform_audit(tx, &actor, "operator.signed_in", "operator", op.id, NULL, after);
		json_decref(after);
	}
	if (rc != STORE_OK) {
		store_rollback(tx);
		return store_failed(out, rc);
	}
	throttle_success(env->by_account, account_key);
	if (sign_access(env, op.id, NULL, NULL, 0, family, out) < 0) {
		store_rollback(tx);
		return internal(out, "could not sign the access token");
	}
	rc = store_commit(tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	set_operator(out, &op);
	return finish(out, SESSION_OK);
}

enum session_outcome session_refresh(const struct session_env *env, const char *refresh_token,
	const char *want_tenant_slug, struct session_result *out)
{
	struct refresh_rec rec;
	struct member_ctx m;
	struct tenant_rec t;
	struct store_tx *tx = NULL;
	char hash[TOKEN_HASH_LEN + 1];
	enum session_outcome o;

	result_init(out);
	token_hash(refresh_token, hash);
	int rc = store_begin_platform(env->store, 1, NULL, &tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	rc = store_refresh_get(tx, hash, env->arena, &rec);
	if (rc != STORE_OK) {
		store_rollback(tx);
		return rc == STORE_NOT_FOUND ? finish(out, SESSION_TOKEN_INVALID) : store_failed(out, rc);
	}
	if (rec.revoked_at) {
		store_rollback(tx);
		return finish(out, SESSION_TOKEN_REVOKED);
	}
	if (rec.used_at || store_refresh_use(tx, hash, env->now_ms) == STORE_CONFLICT) {
		/* A used token came back: someone kept a copy.  End the
		 * family; the answer is the same if that fails. */
		rc = store_refresh_revoke_family(tx, rec.family_id, env->now_ms);
		if (rc == STORE_OK)
			rc = store_commit(tx);
		else
			store_rollback(tx);
		return finish(out, SESSION_TOKEN_REUSED);
	}
	if (rec.expires_at <= env->now_ms) {
		store_rollback(tx);
		return finish(out, SESSION_EXPIRED);
	}
	rc = store_tenant_by_id(tx, rec.tenant_id, env->arena, &t);
	if (rc == STORE_OK && want_tenant_slug && strcmp(want_tenant_slug, t.slug) != 0) {
		/* Refused without using the token (the rollback undoes the
		 * use), so that store's session goes on. */
		store_rollback(tx);
		return finish(out, SESSION_WRONG_STORE);
	}
	if (rc == STORE_OK)
		rc = store_tx_enter_tenant(tx, rec.tenant_id);
	if (rc == STORE_OK)
		rc = store_member_context(tx, rec.subject_id, env->arena, &m);
	if (rc != STORE_OK) {
		store_rollback(tx);
		return rc == STORE_NOT_FOUND ? finish(out, SESSION_ACCOUNT_GONE) : store_failed(out, rc);
	}
	o = issue_user_tokens(env, tx, rec.subject_id, rec.tenant_id, m.role, m.token_version,
		rec.family_id, out);
	if (o != SESSION_OK) {
		store_rollback(tx);
		return finish(out, o);
	}
	rc = store_commit(tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	set_user(out, rec.subject_id, m.email, m.name, &t, m.role);
	return finish(out, SESSION_OK);
}

static enum session_outcome of_operator_refresh(enum operator_refresh_outcome o)
{
	switch (o) {
	case OPERATOR_REFRESH_OK: return SESSION_OK;
	case OPERATOR_REFRESH_INVALID: return SESSION_TOKEN_INVALID;
	case OPERATOR_REFRESH_REVOKED: return SESSION_TOKEN_REVOKED;
	case OPERATOR_REFRESH_EXPIRED: return SESSION_EXPIRED;
	case OPERATOR_REFRESH_GONE: return SESSION_ACCOUNT_GONE;
	case OPERATOR_REFRESH_REUSED: return SESSION_TOKEN_REUSED;
	}
	return SESSION_TOKEN_INVALID;
}

/* The whole rotation happens in the store (on PostgreSQL in a definer
 * function: the app role cannot reach the operators' sessions). */
enum session_outcome session_operator_refresh(const struct session_env *env,
	const char *refresh_token, struct session_result *out)
{
	struct operator_rec op;
	struct store_tx *tx;
	enum operator_refresh_outcome outcome;
	char hash[TOKEN_HASH_LEN + 1], hash_new[TOKEN_HASH_LEN + 1], *family = NULL;

	result_init(out);
	token_hash(refresh_token, hash);
	token_random(out->refresh_token);
	token_hash(out->refresh_token, hash_new);
	int rc = store_begin_platform(env->store, 1, NULL, &tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	rc = store_operator_refresh(tx, hash, hash_new, refresh_expiry(env), env->arena, &op,
		&family, &outcome);
	if (rc != STORE_OK) {
		store_rollback(tx);
		return store_failed(out, rc);
	}
	enum session_outcome o = of_operator_refresh(outcome);
	if (o == SESSION_TOKEN_REUSED) {
		/* The store has ended the session: keep that. */
		rc = store_commit(tx);
		return rc == STORE_OK ? finish(out, o) : store_failed(out, rc);
	}
	if (o != SESSION_OK) {
		store_rollback(tx);
		return finish(out, o);
	}
	if (sign_access(env, op.id, NULL, NULL, 0, family, out) < 0) {
		store_rollback(tx);
		return internal(out, "could not sign the access token");
	}
	rc = store_commit(tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	set_operator(out, &op);
	return finish(out, SESSION_OK);
}

enum session_outcome session_logout(const struct session_env *env, const char *refresh_token,
	struct session_result *out)
{
	struct refresh_rec rec;
	struct store_tx *tx;
	char hash[TOKEN_HASH_LEN + 1];

	result_init(out);
	token_hash(refresh_token, hash);
	int rc = store_begin_platform(env->store, 1, NULL, &tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	/* store_refresh_get scopes tx to the token's store. */
	rc = store_refresh_get(tx, hash, env->arena, &rec);
	if (rc == STORE_OK)
		rc = store_refresh_revoke_family(tx, rec.family_id, env->now_ms);
	/* Every session of the account ends, access tokens included. */
	if (rc == STORE_OK) {
		rc = store_user_end_sessions(tx, rec.subject_id);
		if (rc == STORE_NOT_FOUND)
			rc = STORE_OK;  /* the account is gone: nothing left to end */
	}
	if (rc == STORE_OK)
		rc = store_commit(tx);
	else
		store_rollback(tx);
	if (rc != STORE_OK && rc != STORE_NOT_FOUND)
		return store_failed(out, rc);
	return finish(out, SESSION_OK);
}

enum session_outcome session_operator_logout(const struct session_env *env,
	const char *refresh_token, struct session_result *out)
{
	struct store_tx *tx;
	char hash[TOKEN_HASH_LEN + 1];

	result_init(out);
	token_hash(refresh_token, hash);
	int rc = store_begin_platform(env->store, 1, NULL, &tx);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	rc = store_operator_logout(tx, hash);
	if (rc == STORE_OK)
		rc = store_commit(tx);
	else
		store_rollback(tx);
	if (rc != STORE_OK && rc != STORE_NOT_FOUND)
		return store_failed(out, rc);
	return finish(out, SESSION_OK);
}

enum session_outcome session_password_change(const struct session_env *env, struct store_tx *tx,
	const char *tenant_id, const char *user_id, const char *current_password,
	const char *new_password, struct session_result *out)
{
	struct user_rec u;
	char hash[PASSWORD_HASH_LEN];

	result_init(out);
	/* Wrong current passwords are throttled like sign-ins, per account. */
	const char *account_key = session_password_key(env->arena, tenant_id, user_id);
	if (too_long(out, "current_password", current_password) ||
	    throttled(env, account_key, 0, out))
		return out->outcome;
	if (password_policy_check(new_password, out->message, sizeof out->message) < 0) {
		out->input = "new_password";
		return finish(out, SESSION_WEAK_PASSWORD);
	}
	int rc = store_user_by_id(tx, user_id, env->arena, &u);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	if (password_verify(u.password_hash, current_password) != 0) {
		throttle_fail(env->by_account, account_key, now_s(env));
		out->input = "current_password";
		return finish(out, SESSION_WRONG_PASSWORD);
	}
	throttle_success(env->by_account, account_key);
	if (password_hash(new_password, hash) < 0)
		return internal(out, "could not hash the password");
	/* Every session of the account ends, this one too: tokens stolen
	 * before the change are worth nothing after it. */
	rc = store_user_set_password(tx, u.id, hash);
	sodium_memzero(hash, sizeof hash);
	if (rc == STORE_OK)
		rc = store_audit(tx, "user.password_changed", "user", u.id, NULL, NULL);
	if (rc != STORE_OK)
		return store_failed(out, rc);
	return finish(out, SESSION_OK);
}

void session_result_wipe(struct session_result *r)
{
	sodium_memzero(r->access_token, sizeof r->access_token);
	sodium_memzero(r->refresh_token, sizeof r->refresh_token);
}

const char *session_outcome_name(enum session_outcome o)
{
	switch (o) {
	case SESSION_OK: return "ok";
	case SESSION_PASSWORD_TOO_LONG: return "password_too_long";
	case SESSION_WEAK_PASSWORD: return "weak_password";
	case SESSION_THROTTLED: return "throttled";
	case SESSION_INVALID_CREDENTIALS: return "invalid_credentials";
	case SESSION_WRONG_PASSWORD: return "wrong_password";
	case SESSION_TOKEN_INVALID: return "token_invalid";
	case SESSION_TOKEN_REVOKED: return "token_revoked";
	case SESSION_EXPIRED: return "expired";
	case SESSION_TOKEN_REUSED: return "token_reused";
	case SESSION_ACCOUNT_GONE: return "account_gone";
	case SESSION_WRONG_STORE: return "wrong_store";
	case SESSION_STORE_ERROR: return "store_error";
	case SESSION_INTERNAL: return "internal";
	}
	return "unknown";
}

const char *session_login_key(struct arena *a, const char *tenant_slug, const char *email)
{
	return arena_printf(a, "login:%zu:%s:%s", strlen(tenant_slug), tenant_slug, email);
}

const char *session_operator_key(struct arena *a, const char *email)
{
	return arena_printf(a, "operator:%s", email);
}

const char *session_password_key(struct arena *a, const char *tenant_id, const char *user_id)
{
	return arena_printf(a, "password:%s:%s", tenant_id, user_id);
}

char *session_email_lower(struct arena *a, const char *email)
{
	char *s = arena_strdup(a, email ? email : "");
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}
