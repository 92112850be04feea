/*
 * auth.c — sign-in, refresh-token rotation, sign-out, the caller's own
 * profile and password, for store users and for platform operators.
 *
 * Access tokens are HS256 JWTs (security/jwt.c).  Refresh tokens are random,
 * stored hashed, single use: each refresh returns a new one in the same
 * family, and presenting a used one revokes the whole family.  The web app
 * may keep the refresh token in an HttpOnly SameSite=Strict cookie instead
 * of the body; the cookie is honoured only with the X-Requested-With header,
 * which a cross-site form cannot send.
 */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api/common.h"
#include "api/handlers.h"
#include "http/jsonin.h"
#include "security/jwt.h"
#include "security/password.h"
#include "security/token.h"
#include "util/clock.h"
#include "util/uuid.h"

#define REFRESH_COOKIE "qt_refresh"

static char *lower_email(struct req *r, const char *email)
{
	char *s = arena_strdup(r->arena, email);
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

static int web_client(struct req *r)
{
	const char *x = req_header(r, "X-Requested-With");
	return x && strcmp(x, "quantumtrack-web") == 0;
}

/* The request reached us over HTTPS: QT_PUBLIC_URL says so, or a trusted
 * proxy in front (QT_TRUSTED_PROXIES) said so in X-Forwarded-Proto. */
static int over_https(struct req *r)
{
	const char *pub = r->app->cfg.public_url;
	if (pub && strncasecmp(pub, "https://", 8) == 0)
		return 1;
	if (!r->via_trusted_proxy)
		return 0;
	const char *proto = req_header(r, "X-Forwarded-Proto");
	return proto && strcasecmp(proto, "https") == 0;
}

static void set_refresh_cookie(struct req *r, const char *path, const char *token, int max_age)
{
	if (!web_client(r))
		return;
	resp_header(r, "Set-Cookie", arena_printf(r->arena,
		"%s=%s; Path=%s; Max-Age=%d; HttpOnly; SameSite=Strict%s", REFRESH_COOKIE,
		token ? token : "", path, token ? max_age : 0, over_https(r) ? "; Secure" : ""));
}

/* The refresh token from the body or, for the web app, the cookie. */
static const char *refresh_token_in(struct req *r, json_t *body)
{
	const char *t = jsonin_str(body, "refresh_token", NULL);
	if (t)
		return t;
	if (!web_client(r))
		return NULL;
	return req_cookie(r, REFRESH_COOKIE);
}

/* No refresh token came: an API client forgot a field (422); the web app
 * simply has no session yet (401, nothing to log). */
static int no_refresh_token(struct req *r)
{
	if (web_client(r))
		return req_fail(r, 401, "no_session", "no refresh cookie: sign in");
	return req_fail_field(r, 422, "validation_failed", "refresh_token", "is required");
}

/* Sign an access token for subject and put it, with the refresh token,
 * into out (and the web app's cookie).  Store users' tokens carry the
 * account's token version, operators' tokens their session id. */
static int reply_tokens(struct req *r, const char *subject, const char *tenant_id,
	const char *role, int64_t token_version, const char *session_id, const char *refresh,
	json_t *out, const char *cookie_path)
{
	struct jwt_claims c = { 0 };
	char access[2048];
	int64_t now = clock_now_s();

	snprintf(c.sub, sizeof c.sub, "%s", subject);
	snprintf(c.tid, sizeof c.tid, "%s", tenant_id ? tenant_id : "");
	snprintf(c.role, sizeof c.role, "%s", role ? role : "");
	snprintf(c.sid, sizeof c.sid, "%s", session_id ? session_id : "");
	uuid_v7(c.jti);
	c.iat = now;
	c.exp = now + r->app->cfg.access_ttl_s;
	c.op = !tenant_id;
	c.ver = token_version;
	if (jwt_sign(&c, r->app->jwt_key, r->app->jwt_key_len, access, sizeof access) < 0)
		return req_fail(r, 500, "internal_error", "could not sign the access token");
	json_object_set_new(out, "access_token", json_string(access));
	json_object_set_new(out, "token_type", json_string("bearer"));
	json_object_set_new(out, "expires_in", json_integer(r->app->cfg.access_ttl_s));
	json_object_set_new(out, "refresh_token", json_string(refresh));
	set_refresh_cookie(r, cookie_path, refresh, r->app->cfg.refresh_ttl_s);
	return 0;
}

/* When a new refresh token issued now expires (unix ms). */
static int64_t refresh_expiry(struct req *r)
{
	return (clock_now_s() + r->app->cfg.refresh_ttl_s) * 1000;
}

/* Issue a store user's access token and refresh token (new family when
 * family_id is NULL).  Fills out with the token fields. */
static int issue_tokens(struct req *r, struct store_tx *tx, const char *subject,
	const char *tenant_id, const char *role, int64_t token_version, const char *family_id,
	json_t *out, const char *cookie_path)
{
	char refresh[44], hash[65], family[37];

	token_random(refresh);
	token_hash(refresh, hash);
	if (family_id)
		snprintf(family, sizeof family, "%s", family_id);
	else
		uuid_v7(family);
	struct refresh_rec rec = {
		.token_hash = hash, .family_id = family, .subject_id = (char *)(uintptr_t)subject,
		.tenant_id = (char *)(uintptr_t)tenant_id, .expires_at = refresh_expiry(r),
	};
	int rc = store_refresh_insert(tx, &rec);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	return reply_tokens(r, subject, tenant_id, role, token_version, NULL, refresh, out, cookie_path);
}

static json_t *user_json(const char *id, const char *email, const char *name)
{
	return json_pack("{s:s, s:s, s:s}", "id", id, "email", email, "name", name);
}

static json_t *tenant_json(const struct tenant_rec *t)
{
	return json_pack("{s:s, s:s, s:s}", "id", t->id, "slug", t->slug, "name", t->name);
}

/* Passwords longer than password.h allows are refused as input, before
 * anything is looked up: 422 naming the field. */
static int password_too_long(struct req *r, const char *field, const char *password)
{
	if (strlen(password) <= PASSWORD_MAX_BYTES)
		return 0;
	req_fail_field(r, 422, "validation_failed", field, "must be at most 128 bytes");
	return -1;
}

/* 429 with Retry-After while account_key (and, for sign-ins, the client
 * address) is locked out. */
static int throttled_by(struct req *r, const char *account_key, int by_ip)
{
	int64_t now = clock_now_s();
	int a = throttle_retry_after(r->app->login_by_account, account_key, now);
	int b = by_ip ? throttle_retry_after(r->app->login_by_ip, r->client_ip, now) : 0;
	int wait = a > b ? a : b;
	if (wait <= 0)
		return 0;
	req_failf(r, 429, "too_many_attempts", "too many failed sign-in attempts; try again in %d seconds", wait);
	r->problem.retry_after = wait;
	return -1;
}

static int throttled(struct req *r, const char *account_key)
{
	return throttled_by(r, account_key, 1);
}

static int login_failed(struct req *r, const char *account_key)
{
	int64_t now = clock_now_s();
	throttle_fail(r->app->login_by_account, account_key, now);
	throttle_fail(r->app->login_by_ip, r->client_ip, now);
	return req_fail(r, 401, "invalid_credentials", "email or password is wrong");
}

int h_auth_login(struct req *r)
{
	static const struct jfield fields[] = {
		{ "tenant", JF_STRING, 1, 0, 64 },
		{ "email", JF_STRING, 1, 0, 254 },
		{ "password", JF_STRING, 1, 0, 1024 },
	};
	struct tenant_rec t;
	struct user_rec u;
	struct member_ctx m;
	struct store_tx *tx = NULL;
	json_t *body = jsonin_object(r, fields, 3);
	int rc, found = 0;

	if (!body)
		return -1;
	const char *slug = jsonin_str(body, "tenant", "");
	const char *email = lower_email(r, jsonin_str(body, "email", ""));
	const char *password = jsonin_str(body, "password", "");
	const char *account_key = arena_printf(r->arena, "%s:%s", slug, email);
	/* Before any lookup, so a known and an unknown account answer an
	 * over-long password alike (and without hashing it). */
	if (password_too_long(r, "password", password) < 0)
		goto fail;
	if (throttled(r, account_key) < 0)
		goto fail;

	rc = store_begin_platform(r->app->store, 0, NULL, &tx);
	if (rc != STORE_OK) {
		api_store_fail(r, rc, NULL);
		goto fail;
	}
	/* Accounts belong to one store: the email is looked up only in the
	 * store being signed in to. */
	rc = store_tenant_by_slug(tx, slug, r->arena, &t);
	if (rc == STORE_OK)
		rc = store_tx_enter_tenant(tx, t.id);
	if (rc == STORE_OK)
		rc = store_user_by_email(tx, email, r->arena, &u);
	if (rc == STORE_OK)
		rc = store_member_context(tx, u.id, r->arena, &m);
	store_rollback(tx);
	tx = NULL;
	if (rc == STORE_OK)
		found = 1;
	else if (rc != STORE_NOT_FOUND) {
		api_store_fail(r, rc, NULL);
		goto fail;
	}
	/* Same answer, same cost, for an unknown account and a wrong password. */
	if (!found) {
		password_burn_time();
		login_failed(r, account_key);
		goto fail;
	}
	if (password_verify(u.password_hash, password) != 0) {
		login_failed(r, account_key);
		goto fail;
	}
	throttle_success(r->app->login_by_account, account_key);

	struct store_actor actor = { u.id, m.role, r->request_id, r->client_ip };
	rc = store_begin_platform(r->app->store, 1, &actor, &tx);
	if (rc != STORE_OK) {
		api_store_fail(r, rc, NULL);
		goto fail;
	}
	json_t *out = json_object();
	if (issue_tokens(r, tx, u.id, t.id, m.role, m.token_version, NULL, out, "/api/v1/auth") < 0) {
		json_decref(out);
		goto fail;
	}
	rc = store_commit(tx);
	tx = NULL;
	if (rc != STORE_OK) {
		json_decref(out);
		api_store_fail(r, rc, NULL);
		goto fail;
	}
	json_object_set_new(out, "user", user_json(u.id, u.email, u.name));
	json_object_set_new(out, "tenant", tenant_json(&t));
	json_object_set_new(out, "role", json_string(m.role));
	json_decref(body);
	return resp_json(r, 200, out);
fail:
	store_rollback(tx);
	json_decref(body);
	return -1;
}

/* An operator's refresh: the whole rotation happens in the store (on
 * PostgreSQL in a definer function: the app role cannot reach the
 * sessions table). */
static int operator_refresh(struct req *r, const char *token, const char *cookie_path)
{
	static const char *const why[] = {
		[OPERATOR_REFRESH_INVALID] = "refresh token is not valid",
		[OPERATOR_REFRESH_REVOKED] = "refresh token was revoked",
		[OPERATOR_REFRESH_EXPIRED] = "refresh token expired",
		[OPERATOR_REFRESH_GONE] = "the account behind this refresh token no longer has access",
	};
	struct operator_rec op;
	struct store_tx *tx;
	enum operator_refresh_outcome outcome;
	char hash[65], refresh_new[44], hash_new[65], *family = NULL;

	token_hash(token, hash);
	token_random(refresh_new);
	token_hash(refresh_new, hash_new);
	int rc = store_begin_platform(r->app->store, 1, NULL, &tx);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	rc = store_operator_refresh(tx, hash, hash_new, refresh_expiry(r), r->arena, &op, &family, &outcome);
	if (rc != STORE_OK) {
		store_rollback(tx);
		return api_store_fail(r, rc, NULL);
	}
	if (outcome == OPERATOR_REFRESH_REUSED) {
		/* A used token came back: someone kept a copy.  The store has
		 * ended the session; keep that. */
		rc = store_commit(tx);
		if (rc != STORE_OK)
			return api_store_fail(r, rc, NULL);
		set_refresh_cookie(r, cookie_path, NULL, 0);
		return req_fail(r, 401, "refresh_token_reused",
			"refresh token was already used; every session of this sign-in is now revoked");
	}
	if (outcome != OPERATOR_REFRESH_OK) {
		store_rollback(tx);
		return req_fail(r, 401, "invalid_refresh_token", why[outcome]);
	}
	json_t *out = json_object();
	if (reply_tokens(r, op.id, NULL, NULL, 0, family, refresh_new, out, cookie_path) < 0) {
		store_rollback(tx);
		json_decref(out);
		return -1;
	}
	rc = store_commit(tx);
	if (rc != STORE_OK) {
		json_decref(out);
		return api_store_fail(r, rc, NULL);
	}
	json_object_set_new(out, "operator", user_json(op.id, op.email, op.name));
	return resp_json(r, 200, out);
}

/* Shared by tenant and operator refresh: rotate, or on reuse revoke. */
static int refresh(struct req *r, int want_operator)
{
	static const struct jfield fields[] = {
		{ "refresh_token", JF_STRING, 0, 0, 128 },
		{ "tenant", JF_STRING, 0, 0, 64 },
	};
	struct refresh_rec rec;
	struct store_tx *tx = NULL;
	char hash[65];
	int64_t now = clock_now_ms();
	json_t *body = NULL, *out = NULL;
	const char *cookie_path = want_operator ? "/api/v1/platform/auth" : "/api/v1/auth";

	if (r->body.len > 0) {
		body = jsonin_object(r, fields, 2);
		if (!body)
			return -1;
	}
	const char *token = refresh_token_in(r, body);
	if (!token) {
		json_decref(body);
		return no_refresh_token(r);
	}
	if (want_operator) {
		int rc = operator_refresh(r, token, cookie_path);
		json_decref(body);
		return rc;
	}
	token_hash(token, hash);
	/* The web app names the store it is showing: a cookie from another
	 * store's session is refused before it is rotated. */
	const char *want_tenant = arena_strdup(r->arena, jsonin_str(body, "tenant", NULL));
	json_decref(body);

	int rc = store_begin_platform(r->app->store, 1, NULL, &tx);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	rc = store_refresh_get(tx, hash, r->arena, &rec);
	if (rc == STORE_NOT_FOUND) {
		store_rollback(tx);
		return req_fail(r, 401, "invalid_refresh_token", "refresh token is not valid");
	}
	if (rc != STORE_OK)
		goto store_fail;
	if (rec.revoked_at) {
		store_rollback(tx);
		return req_fail(r, 401, "invalid_refresh_token", "refresh token was revoked");
	}
	if (rec.used_at || store_refresh_use(tx, hash, now) == STORE_CONFLICT) {
		/* A used token came back: someone kept a copy.  End the family. */
		rc = store_refresh_revoke_family(tx, rec.family_id, now);
		if (rc == STORE_OK)
			rc = store_commit(tx);
		else
			store_rollback(tx);
		set_refresh_cookie(r, cookie_path, NULL, 0);
		return req_fail(r, 401, "refresh_token_reused",
			"refresh token was already used; every session of this sign-in is now revoked");
	}
	if (rec.expires_at <= now) {
		store_rollback(tx);
		return req_fail(r, 401, "invalid_refresh_token", "refresh token expired");
	}
	out = json_object();
	struct member_ctx m;
	struct tenant_rec t;
	rc = store_tenant_by_id(tx, rec.tenant_id, r->arena, &t);
	if (rc == STORE_OK && want_tenant && strcmp(want_tenant, t.slug) != 0) {
		/* Refused without using the token, so that store's session
		 * goes on. */
		store_rollback(tx);
		json_decref(out);
		return req_fail(r, 401, "session_for_another_store",
			"this session belongs to another store: sign in here");
	}
	if (rc == STORE_OK)
		rc = store_tx_enter_tenant(tx, rec.tenant_id);
	if (rc == STORE_OK)
		rc = store_member_context(tx, rec.subject_id, r->arena, &m);
	if (rc == STORE_NOT_FOUND)
		goto gone;
	if (rc != STORE_OK)
		goto store_fail;
	if (issue_tokens(r, tx, rec.subject_id, rec.tenant_id, m.role, m.token_version,
		rec.family_id, out, cookie_path) < 0)
		goto fail;
	json_object_set_new(out, "user", user_json(rec.subject_id, m.email, m.name));
	json_object_set_new(out, "tenant", tenant_json(&t));
	json_object_set_new(out, "role", json_string(m.role));
	rc = store_commit(tx);
	tx = NULL;
	if (rc != STORE_OK)
		goto store_fail;
	return resp_json(r, 200, out);
gone:
	store_rollback(tx);
	json_decref(out);
	return req_fail(r, 401, "invalid_refresh_token", "the account behind this refresh token no longer has access");
store_fail:
	api_store_fail(r, rc, NULL);
fail:
	store_rollback(tx);
	json_decref(out);
	return -1;
}

int h_auth_refresh(struct req *r)
{
	return refresh(r, 0);
}

int h_platform_refresh(struct req *r)
{
	return refresh(r, 1);
}

/* Revoke the refresh token's whole family; a token of the other kind
 * (operator vs store user) is left alone.  Unknown tokens are fine: the
 * session is over either way. */
static int logout(struct req *r, int is_operator)
{
	static const struct jfield fields[] = {
		{ "refresh_token", JF_STRING, 0, 0, 128 },
	};
	const char *cookie_path = is_operator ? "/api/v1/platform/auth" : "/api/v1/auth";
	struct refresh_rec rec;
	struct store_tx *tx;
	json_t *body = NULL;
	char hash[65];

	if (r->body.len > 0) {
		body = jsonin_object(r, fields, 1);
		if (!body)
			return -1;
	}
	const char *token = refresh_token_in(r, body);
	if (!token) {
		json_decref(body);
		if (web_client(r)) {
			set_refresh_cookie(r, cookie_path, NULL, 0);
			return resp_empty(r, 204);
		}
		return no_refresh_token(r);
	}
	token_hash(token, hash);
	json_decref(body);
	int rc = store_begin_platform(r->app->store, 1, NULL, &tx);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	if (is_operator) {
		rc = store_operator_logout(tx, hash);
	} else {
		/* store_refresh_get scopes tx to the token's store. */
		rc = store_refresh_get(tx, hash, r->arena, &rec);
		if (rc == STORE_OK)
			rc = store_refresh_revoke_family(tx, rec.family_id, clock_now_ms());
		/* A store user's sign-out ends every session of the account,
		 * access tokens included (token version). */
		if (rc == STORE_OK) {
			rc = store_user_end_sessions(tx, rec.subject_id);
			if (rc == STORE_NOT_FOUND)
				rc = STORE_OK;  /* the account is gone: nothing left to end */
		}
	}
	if (rc == STORE_OK)
		rc = store_commit(tx);
	else
		store_rollback(tx);
	if (rc != STORE_OK && rc != STORE_NOT_FOUND)
		return api_store_fail(r, rc, NULL);
	set_refresh_cookie(r, cookie_path, NULL, 0);
	return resp_empty(r, 204);
}

int h_auth_logout(struct req *r)
{
	return logout(r, 0);
}

int h_platform_logout(struct req *r)
{
	return logout(r, 1);
}

/* Everything comes from the membership the dispatcher re-read for this
 * request: no second query. */
int h_auth_me(struct req *r)
{
	const struct caller *c = &r->caller;
	json_t *out = json_object();
	json_object_set_new(out, "user", user_json(c->user_id, c->email, c->name));
	json_object_set_new(out, "tenant", json_pack("{s:s, s:s, s:s, s:s, s:s}",
		"id", c->tenant_id, "slug", c->tenant_slug, "name", c->tenant_name,
		"status", c->tenant_status, "plan", c->plan));
	json_object_set_new(out, "role", json_string(c->role));
	return resp_json(r, 200, out);
}

int h_auth_password(struct req *r)
{
	static const struct jfield fields[] = {
		{ "current_password", JF_STRING, 1, 0, 1024 },
		{ "new_password", JF_STRING, 1, 0, 1024 },
	};
	struct user_rec u;
	char hash[128], err[160];
	json_t *body = jsonin_object(r, fields, 2);
	int rc;

	if (!body)
		return -1;
	const char *cur = jsonin_str(body, "current_password", "");
	const char *next = jsonin_str(body, "new_password", "");
	/* Wrong current passwords are throttled like sign-ins, per account. */
	const char *account_key = arena_printf(r->arena, "password:%s:%s",
		r->caller.tenant_id, r->caller.user_id);
	if (password_too_long(r, "current_password", cur) < 0 || throttled_by(r, account_key, 0) < 0) {
		json_decref(body);
		return -1;
	}
	if (password_policy_check(next, err, sizeof err) < 0) {
		json_decref(body);
		return req_fail_field(r, 422, "validation_failed", "new_password", err);
	}
	rc = store_user_by_id(r->tx, r->caller.user_id, r->arena, &u);
	if (rc != STORE_OK) {
		json_decref(body);
		return api_store_fail(r, rc, "user");
	}
	if (password_verify(u.password_hash, cur) != 0) {
		json_decref(body);
		throttle_fail(r->app->login_by_account, account_key, clock_now_s());
		return req_fail_field(r, 403, "invalid_credentials", "current_password", "is wrong");
	}
	throttle_success(r->app->login_by_account, account_key);
	if (password_hash(next, hash) < 0) {
		json_decref(body);
		return req_fail(r, 500, "internal_error", "could not hash the password");
	}
	json_decref(body);
	/* Every session of the account ends, this one too: tokens stolen
	 * before the change are worth nothing after it. */
	rc = store_user_set_password(r->tx, u.id, hash);
	sodium_memzero(hash, sizeof hash);
	if (rc == STORE_OK)
		rc = store_audit(r->tx, "user.password_changed", "user", u.id, NULL, NULL);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "user");
	return resp_empty(r, 204);
}

/*
 * Operator sign-in.  The stored hash never leaves the store: the server
 * hashes the presented password with the stored hash's settings and salt
 * and the store compares (on PostgreSQL a definer function, which then
 * opens the session).  Same answer and cost for an unknown operator and a
 * wrong password; an over-long one is refused before any lookup.
 */
int h_platform_login(struct req *r)
{
	static const struct jfield fields[] = {
		{ "email", JF_STRING, 1, 0, 254 },
		{ "password", JF_STRING, 1, 0, 1024 },
	};
	struct operator_rec op;
	struct store_tx *tx = NULL;
	char computed[PASSWORD_HASH_LEN], refresh_token[44], hash[65], family[37];
	char *settings = NULL;
	json_t *body = jsonin_object(r, fields, 2);
	if (!body)
		return -1;
	const char *email = lower_email(r, jsonin_str(body, "email", ""));
	const char *password = jsonin_str(body, "password", "");
	const char *account_key = arena_printf(r->arena, "operator:%s", email);
	int rc;

	if (password_too_long(r, "password", password) < 0)
		goto fail;
	if (password_too_long(r, "password", password) < 0)
		goto fail;
	if (throttled(r, account_key) < 0)
		goto fail;
	rc = store_begin_platform(r->app->store, 1, NULL, &tx);
	if (rc != STORE_OK) {
		api_store_fail(r, rc, NULL);
		goto fail;
	}
	rc = store_operator_password_settings(tx, email, r->arena, &settings);
	if (rc == STORE_NOT_FOUND) {
		password_burn_time();
		login_failed(r, account_key);
		goto fail;
	}
	if (rc != STORE_OK) {
		api_store_fail(r, rc, NULL);
		goto fail;
	}
	if (password_hash_with_settings(settings, password, computed) < 0) {
		login_failed(r, account_key);
		goto fail;
	}
	token_random(refresh_token);
	token_hash(refresh_token, hash);
	uuid_v7(family);
	rc = store_operator_login(tx, email, computed, hash, family, refresh_expiry(r), r->arena, &op);
	sodium_memzero(computed, sizeof computed);
	if (rc == STORE_NOT_FOUND) {
		login_failed(r, account_key);
		goto fail;
	}
	if (rc != STORE_OK) {
		api_store_fail(r, rc, NULL);
		goto fail;
	}
	throttle_success(r->app->login_by_account, account_key);
	json_t *out = json_object();
	if (reply_tokens(r, op.id, NULL, NULL, 0, family, refresh_token, out, "/api/v1/platform/auth") < 0) {
		json_decref(out);
		goto fail;
	}
	rc = store_commit(tx);
	tx = NULL;
	if (rc != STORE_OK) {
		json_decref(out);
		api_store_fail(r, rc, NULL);
		goto fail;
	}
	json_object_set_new(out, "operator", user_json(op.id, op.email, op.name));
	json_decref(body);
	return resp_json(r, 200, out);
fail:
	store_rollback(tx);
	json_decref(body);
	return -1;
}
