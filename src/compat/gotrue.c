/*
 * gotrue.c — /auth/v1, a GoTrue subset: password sign-in, refresh, the
 * signed-in user, sign-out; sign-up refused (stores invite their people).
 * Sign-in and refresh are /api/v1/auth's handlers (throttling, rotation,
 * reuse detection: security/session.c); their answers are reshaped into
 * GoTrue's session and user, their problems into {error,
 * error_description}.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "compat/compat.h"
#include "store/store_users.h"
#include "util/clock.h"

struct auth_state {
	struct compat_key key;
	const char *slug;     /* the store, when known */
};

static void gotrue_error(struct req *r, int status, const char *error, const char *error_code,
	const char *description)
{
	json_t *o = json_object();
	json_object_set_new(o, "error", json_string(error));
	json_object_set_new(o, "error_description", json_string(description));
	json_object_set_new(o, "error_code", json_string(error_code));
	json_object_set_new(o, "msg", json_string(description));
	compat_json(r, status, o);
}

/* The recorded /api/v1 problem as GoTrue says it; clears it. */
static void answer_problem(struct req *r)
{
	struct problem *p = &r->problem;
	const char *code = p->code ? p->code : "error";
	const char *detail = arena_strdup(r->arena, p->detail ? p->detail : "");
	int status = p->status, retry = p->retry_after;
	if (p->errors)
		json_decref(p->errors);
	if (p->extra)
		json_decref(p->extra);
	memset(p, 0, sizeof *p);
	if (retry > 0)
		resp_header(r, "Retry-After", arena_printf(r->arena, "%d", retry));
	if (strcmp(code, "invalid_credentials") == 0)
		gotrue_error(r, 400, "invalid_grant", "invalid_credentials", "Invalid login credentials");
	else if (strcmp(code, "invalid_refresh_token") == 0)
		gotrue_error(r, 400, "invalid_grant", "refresh_token_not_found",
			arena_printf(r->arena, "Invalid Refresh Token: %s", detail));
	else if (strcmp(code, "refresh_token_reused") == 0)
		gotrue_error(r, 400, "invalid_grant", "refresh_token_already_used",
			arena_printf(r->arena, "Invalid Refresh Token: Already Used (%s)", detail));
	else if (strcmp(code, "session_for_another_store") == 0)
		gotrue_error(r, 400, "invalid_grant", "refresh_token_not_found", detail);
	else if (strcmp(code, "too_many_attempts") == 0 || strcmp(code, "rate_limited") == 0)
		gotrue_error(r, 429, "over_request_rate_limit", "over_request_rate_limit", detail);
	else if (strcmp(code, "validation_failed") == 0 || strcmp(code, "invalid_json") == 0 ||
		 strcmp(code, "unknown_field") == 0)
		gotrue_error(r, 400, "invalid_request", "validation_failed", detail);
	else if (status == 401)
		gotrue_error(r, 401, "invalid_token", "bad_jwt", detail);
	else if (status == 403)
		gotrue_error(r, 403, "forbidden", "not_admin", detail);
	else
		gotrue_error(r, status, code, code, detail);
}

/* GoTrue's user from ours: account {id, email, name}, store, role. */
static json_t *gotrue_user(json_t *account, json_t *tenant, const char *role)
{
	json_t *u = json_object();
	const char *name = json_string_value(json_object_get(account, "name"));
	json_object_set(u, "id", json_object_get(account, "id"));
	json_object_set_new(u, "aud", json_string("authenticated"));
	json_object_set_new(u, "role", json_string("authenticated"));
	json_object_set(u, "email", json_object_get(account, "email"));
	json_object_set_new(u, "app_metadata", json_pack("{s:s, s:[s], s:O?, s:O?, s:s?}",
		"provider", "email", "providers", "email",
		"tenant", json_object_get(tenant, "slug"), "tenant_id", json_object_get(tenant, "id"),
		"role", role));
	json_object_set_new(u, "user_metadata", json_pack("{s:s?}", "name", name));
	json_object_set_new(u, "identities", json_array());
	return u;
}

/* Our session answer as GoTrue's. */
static json_t *gotrue_session(json_t *ours)
{
	json_t *s = json_object();
	json_int_t expires_in = json_integer_value(json_object_get(ours, "expires_in"));
	json_object_set(s, "access_token", json_object_get(ours, "access_token"));
	json_object_set_new(s, "token_type", json_string("bearer"));
	json_object_set_new(s, "expires_in", json_integer(expires_in));
	json_object_set_new(s, "expires_at", json_integer((json_int_t)clock_now_s() + expires_in));
	json_object_set(s, "refresh_token", json_object_get(ours, "refresh_token"));
	json_object_set_new(s, "user", gotrue_user(json_object_get(ours, "user"), json_object_get(ours, "tenant"),
		json_string_value(json_object_get(ours, "role"))));
	return s;
}

/* The store as /api/v1/tenant finds it: the Host (the store's domain or
 * <slug>.<base domain>), else X-Tenant, else the anon key's store.  NULL
 * when none is found. */
static const char *store_of(struct req *r, struct auth_state *as)
{
	struct req_overlay o = { 0 };
	const char *xt = req_header(r, "X-Tenant");
	if (!xt && as->key.anon)
		compat_overlay_header(&o, "X-Tenant", as->key.slug);
	json_t *t = compat_call(r, h_tenant_discover, &o, NULL, NULL);
	if (!t) {
		/* not found: no store; the problem is not ours to answer */
		if (r->problem.errors)
			json_decref(r->problem.errors);
		if (r->problem.extra)
			json_decref(r->problem.extra);
		memset(&r->problem, 0, sizeof r->problem);
		return NULL;
	}
	const char *slug = arena_strdup(r->arena, json_string_value(json_object_get(t, "slug")));
	json_decref(t);
	return slug;
}

static void token_password(struct req *r, struct auth_state *as)
{
	json_error_t e;
	json_t *in = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &e);
	const char *email = json_string_value(json_object_get(in, "email"));
	const char *password = json_string_value(json_object_get(in, "password"));
	if (!email || !password) {
		json_decref(in);
		if (json_object_get(in, "phone"))
			gotrue_error(r, 400, "invalid_request", "phone_provider_disabled", "Phone logins are disabled");
		else
			gotrue_error(r, 400, "invalid_request", "validation_failed",
				"email and password are required");
		return;
	}
	const char *slug = store_of(r, as);
	if (!slug) {
		json_decref(in);
		gotrue_error(r, 400, "invalid_request", "validation_failed",
			"no store named: send the store's anon key, or X-Tenant, or use the store's own address");
		return;
	}
	if (as->key.anon && strcmp(slug, as->key.slug) != 0) {
		json_decref(in);
		gotrue_error(r, 401, "invalid_request", "bad_jwt", "the apikey is another store's anon key");
		return;
	}
	json_t *body = json_pack("{s:s, s:s, s:s}", "tenant", slug, "email", email, "password", password);
	json_decref(in);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	/* The bodies hold a password: wiped before they are let go. */
	if (r->body.data)
		sodium_memzero(r->body.data, r->body.len);
	buf_reset(&r->body);
	buf_puts(&r->body, text);
	sodium_memzero(text, strlen(text));
	free(text);
	if (compat_run_as(r, "POST", "/api/v1/auth/login", h_auth_login)) {
		answer_problem(r);
		return;
	}
	json_t *ours = json_loadb(r->resp.body.data, r->resp.body.len, 0, &e);
	if (!ours) {
		gotrue_error(r, 500, "unexpected_failure", "unexpected_failure", "sign-in answered nothing");
		return;
	}
	compat_json(r, 200, gotrue_session(ours));
	json_decref(ours);
}

static void token_refresh(struct req *r, struct auth_state *as)
{
	json_error_t e;
	json_t *in = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, &e);
	const char *token = json_string_value(json_object_get(in, "refresh_token"));
	if (!token) {
		json_decref(in);
		gotrue_error(r, 400, "invalid_request", "validation_failed", "refresh_token is required");
		return;
	}
	json_t *body = json_pack("{s:s}", "refresh_token", token);
	json_decref(in);
	const char *slug = req_header(r, "X-Tenant");
	if (!slug && as->key.anon)
		slug = as->key.slug;
	if (slug)
		json_object_set_new(body, "tenant", json_string(slug));
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	buf_reset(&r->body);
	buf_puts(&r->body, text);
	free(text);
	if (compat_run_as(r, "POST", "/api/v1/auth/refresh", h_auth_refresh)) {
		answer_problem(r);
		return;
	}
	json_t *ours = json_loadb(r->resp.body.data, r->resp.body.len, 0, &e);
	if (!ours) {
		gotrue_error(r, 500, "unexpected_failure", "unexpected_failure", "refresh answered nothing");
		return;
	}
	compat_json(r, 200, gotrue_session(ours));
	json_decref(ours);
}

static int user_handler(struct req *r)
{
	json_t *me = compat_call(r, h_auth_me, NULL, NULL, NULL);
	if (!me)
		return -1;
	json_t *u = gotrue_user(json_object_get(me, "user"), json_object_get(me, "tenant"),
		json_string_value(json_object_get(me, "role")));
	json_decref(me);
	return compat_json(r, 200, u);
}

/* Sign-out with the access token (supabase-js sends no refresh token):
 * every session of the account ends, as /api/v1/auth/logout does. */
static int logout_handler(struct req *r)
{
	int rc = store_user_end_sessions(r->tx, r->caller.user_id);
	if (rc != STORE_OK && rc != STORE_NOT_FOUND)
		return api_store_fail(r, rc, NULL);
	return resp_empty(r, 204);
}

void gotrue_dispatch(struct req *r)
{
	struct auth_state as = { 0 };
	const char *message;
	const char *what = r->path + 9;

	if (compat_apikey(r, &as.key, &message) < 0) {
		gotrue_error(r, 401, "invalid_api_key", "no_authorization", message);
		return;
	}
	int post = strcmp(r->method, "POST") == 0;
	static const char *const known[] = { "token", "user", "logout", "signup", "settings" };
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (strcmp(what, known[i]) == 0)
			r->route = arena_printf(r->arena, "/auth/v1/%s", known[i]);
	if (strcmp(what, "token") == 0 && post) {
		const char *grant = req_query(r, "grant_type");
		if (grant && strcmp(grant, "password") == 0)
			token_password(r, &as);
		else if (grant && strcmp(grant, "refresh_token") == 0)
			token_refresh(r, &as);
		else
			gotrue_error(r, 400, "unsupported_grant_type", "validation_failed",
				"grant_type is password or refresh_token");
		return;
	}
	if (strcmp(what, "user") == 0 && strcmp(r->method, "GET") == 0) {
		if (compat_run_as(r, "GET", "/api/v1/auth/me", user_handler))
			answer_problem(r);
		return;
	}
	if (strcmp(what, "logout") == 0 && post) {
		if (compat_run_as(r, "POST", "/api/v1/auth/password", logout_handler))
			answer_problem(r);
		return;
	}
	if (strcmp(what, "signup") == 0 && post) {
		gotrue_error(r, 422, "signup_disabled", "signup_disabled",
			"Signups not allowed for this instance: a store's admins invite its people");
		return;
	}
	if (strcmp(what, "settings") == 0 && strcmp(r->method, "GET") == 0) {
		json_t *s = json_pack("{s:{s:b, s:b}, s:b, s:b, s:b}", "external", "email", 1, "phone", 0,
			"disable_signup", 1, "mailer_autoconfirm", 0, "phone_autoconfirm", 0);
		compat_json(r, 200, s);
		return;
	}
	gotrue_error(r, 404, "not_found", "not_found",
		"not supported here: /auth/v1 takes token (password, refresh_token), user, logout; see docs/SUPABASE.md");
}
