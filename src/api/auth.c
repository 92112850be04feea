/*
 * auth.c — the HTTP side of sign-in, refresh-token rotation, sign-out, the
 * caller's own profile and password, for store users and for platform
 * operators.  The flows themselves are security/session.c; here the body
 * is decoded, the outcome becomes a status and a problem (in
 * session_problem, the one place), and the tokens become JSON and the web
 * app's cookie.
 *
 * The web app may keep the refresh token in an HttpOnly SameSite=Strict
 * cookie instead of the body; the cookie is honoured only with the
 * X-Requested-With header, which a cross-site form cannot send.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/common.h"
#include "api/handlers.h"
#include "domain/language.h"
#include "http/jsonin.h"
#include "security/password.h"
#include "security/session.h"
#include "store/store_users.h"
#include "util/clock.h"

#define REFRESH_COOKIE "qt_refresh"
#define USER_COOKIE_PATH "/api/v1/auth"
#define OPERATOR_COOKIE_PATH "/api/v1/platform/auth"

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

/* The web app's refresh cookie: token for max_age seconds, or (token
 * NULL) cleared. */
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

/* What a session flow may use of this request and the app. */
static struct session_env session_env_of(struct req *r)
{
	return (struct session_env){
		.store = r->app->store,
		.arena = r->arena,
		.jwt_key = r->app->jwt_key,
		.jwt_key_len = r->app->jwt_key_len,
		.access_ttl_s = r->app->cfg.access_ttl_s,
		.refresh_ttl_s = r->app->cfg.refresh_ttl_s,
		.by_account = r->app->login_by_account,
		.by_ip = r->app->login_by_ip,
		.client_ip = r->client_ip,
		.request_id = r->request_id,
		.now_ms = clock_now_ms(),
	};
}

/* The one place a session outcome becomes a status and a problem.  what
 * names the record for a store's 404 (api_store_fail).  Returns -1. */
static int session_problem(struct req *r, const struct session_result *res, const char *what)
{
	switch (res->outcome) {
	case SESSION_OK:
		break;
	case SESSION_PASSWORD_TOO_LONG:
		return req_fail_field(r, 422, "validation_failed", res->input,
			arena_printf(r->arena, "must be at most %d bytes", PASSWORD_MAX_BYTES));
	case SESSION_WEAK_PASSWORD:
		return req_fail_field(r, 422, "validation_failed", res->input, res->message);
	case SESSION_THROTTLED:
		req_failf(r, 429, "too_many_attempts",
			"too many failed sign-in attempts; try again in %d seconds", res->retry_after);
		r->problem.retry_after = res->retry_after;
		return -1;
	case SESSION_INVALID_CREDENTIALS:
		return req_fail(r, 401, "invalid_credentials", "email or password is wrong");
	case SESSION_WRONG_PASSWORD:
		return req_fail_field(r, 403, "invalid_credentials", res->input, "is wrong");
	case SESSION_TOKEN_INVALID:
		return req_fail(r, 401, "invalid_refresh_token", "refresh token is not valid");
	case SESSION_TOKEN_REVOKED:
		return req_fail(r, 401, "invalid_refresh_token", "refresh token was revoked");
	case SESSION_EXPIRED:
		return req_fail(r, 401, "invalid_refresh_token", "refresh token expired");
	case SESSION_ACCOUNT_GONE:
		return req_fail(r, 401, "invalid_refresh_token",
			"the account behind this refresh token no longer has access");
	case SESSION_TOKEN_REUSED:
		return req_fail(r, 401, "refresh_token_reused",
			"refresh token was already used; every session of this sign-in is now revoked");
	case SESSION_WRONG_STORE:
		return req_fail(r, 401, "session_for_another_store",
			"this session belongs to another store: sign in here");
	case SESSION_STORE_ERROR:
		return api_store_fail(r, res->store_rc, what);
	case SESSION_INTERNAL:
		return req_fail(r, 500, "internal_error", res->message);
	}
	return req_fail(r, 500, "internal_error", "an internal error occurred");
}

static json_t *account_json(const struct session_account *a)
{
	return json_pack("{s:s, s:s, s:s}", "id", a->id, "email", a->email, "name", a->name);
}

/* 200 with the new session: the tokens, who signed in (and, for a store
 * user, where and as what), and the web app's cookie. */
static int reply_session(struct req *r, struct session_result *res)
{
	json_t *out = json_object();
	json_object_set_new(out, "access_token", json_string(res->access_token));
	json_object_set_new(out, "token_type", json_string("bearer"));
	json_object_set_new(out, "expires_in", json_integer(res->expires_in));
	json_object_set_new(out, "refresh_token", json_string(res->refresh_token));
	if (res->is_operator) {
		json_object_set_new(out, "operator", account_json(&res->account));
	} else {
		json_object_set_new(out, "user", account_json(&res->account));
		json_object_set_new(out, "tenant", json_pack("{s:s, s:s, s:s}", "id", res->tenant.id,
			"slug", res->tenant.slug, "name", res->tenant.name));
		json_object_set_new(out, "role", json_string(res->role));
	}
	set_refresh_cookie(r, res->is_operator ? OPERATOR_COOKIE_PATH : USER_COOKIE_PATH,
		res->refresh_token, res->refresh_ttl_s);
	session_result_wipe(res);
	return resp_json(r, 200, out);
}

int h_auth_login(struct req *r)
{
	static const struct jfield fields[] = {
		{ "tenant", JF_STRING, 1, 0, 64 },
		{ "email", JF_STRING, 1, 0, 254 },
		{ "password", JF_STRING, 1, 0, 1024 },
	};
	struct session_env env = session_env_of(r);
	struct session_result res;
	json_t *body = jsonin_object(r, fields, 3);
	if (!body)
		return -1;
	enum session_outcome o = session_login(&env, jsonin_str(body, "tenant", ""),
		jsonin_str(body, "email", ""), jsonin_str(body, "password", ""), &res);
	json_decref(body);
	return o == SESSION_OK ? reply_session(r, &res) : session_problem(r, &res, NULL);
}

int h_platform_login(struct req *r)
{
	static const struct jfield fields[] = {
		{ "email", JF_STRING, 1, 0, 254 },
		{ "password", JF_STRING, 1, 0, 1024 },
	};
	struct session_env env = session_env_of(r);
	struct session_result res;
	json_t *body = jsonin_object(r, fields, 2);
	if (!body)
		return -1;
	enum session_outcome o = session_operator_login(&env, jsonin_str(body, "email", ""),
		jsonin_str(body, "password", ""), &res);
	json_decref(body);
	return o == SESSION_OK ? reply_session(r, &res) : session_problem(r, &res, NULL);
}

/* Shared by store users' and operators' refresh: rotate, or on reuse
 * revoke the session and clear the cookie. */
static int refresh(struct req *r, int is_operator)
{
	static const struct jfield fields[] = {
		{ "refresh_token", JF_STRING, 0, 0, 128 },
		{ "tenant", JF_STRING, 0, 0, 64 },
	};
	struct session_env env = session_env_of(r);
	struct session_result res;
	json_t *body = NULL;
	enum session_outcome o;

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
	if (is_operator) {
		o = session_operator_refresh(&env, token, &res);
	} else {
		/* The web app names the store it is showing: a cookie from
		 * another store's session is refused before it is rotated. */
		o = session_refresh(&env, token, jsonin_str(body, "tenant", NULL), &res);
	}
	json_decref(body);
	if (o == SESSION_OK)
		return reply_session(r, &res);
	if (o == SESSION_TOKEN_REUSED)
		set_refresh_cookie(r, is_operator ? OPERATOR_COOKIE_PATH : USER_COOKIE_PATH, NULL, 0);
	return session_problem(r, &res, NULL);
}

int h_auth_refresh(struct req *r)
{
	return refresh(r, 0);
}

int h_platform_refresh(struct req *r)
{
	return refresh(r, 1);
}

/* Sign-out: the cookie goes whatever the token was. */
static int logout(struct req *r, int is_operator)
{
	static const struct jfield fields[] = {
		{ "refresh_token", JF_STRING, 0, 0, 128 },
	};
	const char *cookie_path = is_operator ? OPERATOR_COOKIE_PATH : USER_COOKIE_PATH;
	struct session_env env = session_env_of(r);
	struct session_result res;
	json_t *body = NULL;

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
	enum session_outcome o = is_operator ? session_operator_logout(&env, token, &res)
		: session_logout(&env, token, &res);
	json_decref(body);
	if (o != SESSION_OK)
		return session_problem(r, &res, NULL);
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

static json_t *me_json(const struct caller *c)
{
	json_t *out = json_object();
	struct session_account a = { c->user_id, c->email, c->name };
	json_object_set_new(out, "user", account_json(&a));
	json_object_set_new(out, "tenant", json_pack("{s:s, s:s, s:s, s:s, s:s}",
		"id", c->tenant_id, "slug", c->tenant_slug, "name", c->tenant_name,
		"status", c->tenant_status, "plan", c->plan));
	json_object_set_new(out, "role", json_string(c->role));
	json_object_set_new(out, "language", c->language[0] ? json_string(c->language) : json_null());
	json_object_set_new(out, "effective_language", json_string(c->effective_language));
	return out;
}

/* Everything comes from the membership the dispatcher re-read for this
 * request: no second query. */
int h_auth_me(struct req *r)
{
	return resp_json(r, 200, me_json(&r->caller));
}

/* The caller's own preferences: any member may set their language, which
 * is theirs alone (this account of this store).  null follows the store's
 * locale.  The member cache hears of it before the answer is sent
 * (store_user_set_language touches the member feed). */
int h_auth_me_update(struct req *r)
{
	static const struct jfield fields[] = {
		{ "language", JF_STRING, 0, 1, 8 },
	};
	struct caller *c = &r->caller;
	json_t *body = jsonin_object(r, fields, 1);
	if (!body)
		return -1;
	if (jsonin_has(body, "language")) {
		const char *v = jsonin_str(body, "language", NULL);
		enum language l = language_from_code(v);
		if (v && l == LANGUAGE_NONE) {
			json_decref(body);
			return req_fail_field(r, 422, "validation_failed", "language", "must be en, hi or null");
		}
		int rc = store_user_set_language(r->tx, c->user_id, language_code(l));
		json_decref(body);
		if (rc != STORE_OK)
			return api_store_fail(r, rc, "user");
		snprintf(c->language, sizeof c->language, "%s", l == LANGUAGE_NONE ? "" : language_code(l));
		snprintf(c->effective_language, sizeof c->effective_language, "%s",
			l != LANGUAGE_NONE ? language_code(l)
			: language_code(language_of_locale(api_settings(r)->locale)));
	} else {
		json_decref(body);
	}
	return resp_json(r, 200, me_json(c));
}

int h_auth_password(struct req *r)
{
	static const struct jfield fields[] = {
		{ "current_password", JF_STRING, 1, 0, 1024 },
		{ "new_password", JF_STRING, 1, 0, 1024 },
	};
	struct session_env env = session_env_of(r);
	struct session_result res;
	json_t *body = jsonin_object(r, fields, 2);
	if (!body)
		return -1;
	enum session_outcome o = session_password_change(&env, r->tx, r->caller.tenant_id,
		r->caller.user_id, jsonin_str(body, "current_password", ""),
		jsonin_str(body, "new_password", ""), &res);
	json_decref(body);
	if (o != SESSION_OK)
		return session_problem(r, &res, "user");
	return resp_empty(r, 204);
}
