/*
 * compat.c — the entry of the Supabase-compatible layer, and what its two
 * halves share: the apikey header, running a handler under an /api/v1
 * route's rules, calling /api/v1 handlers from inside one, and the anon
 * key's admin route.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/common.h"
#include "api/group_commit.h"
#include "api/routes.h"
#include "compat/anon_key.h"
#include "compat/compat.h"

int compat_owns(const char *path)
{
	return strncmp(path, "/rest/v1/", 9) == 0 || strcmp(path, "/rest/v1") == 0 ||
		strncmp(path, "/auth/v1/", 9) == 0;
}

void compat_dispatch(struct req *r)
{
	/* Answers are per caller, as on /api/. */
	resp_header(r, "Cache-Control", "no-store");
	if (strncmp(r->path, "/auth/v1/", 9) == 0)
		gotrue_dispatch(r);
	else
		postgrest_dispatch(r);
}

int compat_apikey(struct req *r, struct compat_key *k, const char **message)
{
	memset(k, 0, sizeof *k);
	const char *key = req_header(r, "apikey");
	if (!key)
		key = req_query(r, "apikey");
	if (!key) {
		*message = "No API key found in request";
		return -1;
	}
	k->present = 1;
	k->raw = key;
	if (strncmp(key, "qtk_", 4) == 0) {
		/* "qtk_" and 43 base64url characters (api/api_keys.c) */
		size_t n = strlen(key);
		int shaped = n == 47;
		for (size_t i = 4; shaped && i < n; i++)
			shaped = (key[i] >= 'a' && key[i] <= 'z') || (key[i] >= 'A' && key[i] <= 'Z') ||
				(key[i] >= '0' && key[i] <= '9') || key[i] == '-' || key[i] == '_';
		if (!shaped) {
			*message = "Invalid API key";
			return -1;
		}
		/* An API key is a service key: the route checks it (it must
		 * also be the bearer, as supabase-js sends it). */
		const char *b = req_bearer(r);
		if (b && strncmp(b, "qtk_", 4) == 0 && strcmp(b, key) != 0) {
			*message = "Invalid API key: apikey and Authorization name different API keys";
			return -1;
		}
		k->service = 1;
		return 0;
	}
	if (anon_key_verify(r->app->jwt_key, r->app->jwt_key_len, key, k->tenant_id, k->slug) < 0) {
		*message = "Invalid API key";
		return -1;
	}
	k->anon = 1;
	return 0;
}

int compat_run_as(struct req *r, const char *method, const char *pattern, route_handler h)
{
	size_t n;
	const struct route *routes = api_routes(&n);
	for (size_t i = 0; i < n; i++) {
		if (strcmp(routes[i].method, method) || strcmp(routes[i].pattern, pattern))
			continue;
		struct route rt = routes[i];
		rt.handler = h;
		rt.group_commit = 0;
		rt.prepare_body = NULL;
		/* r->route stays the compat path (logs, metrics) */
		api_dispatch_route(r, &rt);
		return r->problem.status;
	}
	return req_fail(r, 500, "internal_error", "an internal error occurred");
}

void compat_overlay_query(struct req_overlay *o, const char *name, const char *value)
{
	for (int i = 0; i < o->nquery; i++)
		if (strcmp(o->query_name[i], name) == 0) {
			o->query_value[i] = value;
			return;
		}
	if (o->nquery < REQ_OVERLAY_MAX) {
		o->query_name[o->nquery] = name;
		o->query_value[o->nquery++] = value;
	}
}

void compat_overlay_header(struct req_overlay *o, const char *name, const char *value)
{
	for (int i = 0; i < o->nheaders; i++)
		if (strcasecmp(o->header_name[i], name) == 0) {
			o->header_value[i] = value;
			return;
		}
	if (o->nheaders < REQ_OVERLAY_MAX) {
		o->header_name[o->nheaders] = name;
		o->header_value[o->nheaders++] = value;
	}
}

void compat_param(struct req *r, const char *name, const char *value)
{
	for (int i = 0; i < r->nparams; i++)
		if (strcmp(r->param_name[i], name) == 0) {
			r->param_value[i] = value;
			return;
		}
	if (r->nparams < REQ_MAX_PARAMS) {
		r->param_name[r->nparams] = name;
		r->param_value[r->nparams++] = value;
	}
}

json_t *compat_call(struct req *r, route_handler h, struct req_overlay *o, const char *body,
	int *status)
{
	static struct req_overlay none;
	struct req_overlay *saved_overlay = r->overlay;
	struct buf saved_body = r->body;
	json_t *out = NULL;

	buf_init(&r->body);
	if (body)
		buf_puts(&r->body, body);
	r->overlay = o ? o : &none;
	r->resp.status = 0;
	r->resp.body.len = 0;
	r->resp.content_type = NULL;
	int rc = h(r);
	r->overlay = saved_overlay;
	buf_release(&r->body);
	r->body = saved_body;
	if (rc < 0 || r->problem.status)
		return NULL;
	if (status)
		*status = r->resp.status;
	if (r->resp.body.len) {
		json_error_t e;
		out = json_loadb(r->resp.body.data, r->resp.body.len, 0, &e);
	} else {
		out = json_null();
	}
	r->resp.status = 0;
	r->resp.body.len = 0;
	r->resp.content_type = NULL;
	if (!out)
		req_fail(r, 500, "internal_error", "an internal error occurred");
	return out;
}

int compat_json(struct req *r, int status, json_t *body)
{
	resp_json(r, status, body);
	r->resp.content_type = "application/json; charset=utf-8";
	return 0;
}

int h_settings_anon_key(struct req *r)
{
	char key[ANON_KEY_MAX];
	if (anon_key_make(r->app->jwt_key, r->app->jwt_key_len, r->caller.tenant_id,
		    r->caller.tenant_slug, key, sizeof key) < 0)
		return req_fail(r, 500, "internal_error", "the anon key could not be made");
	json_t *o = json_object();
	json_object_set_new(o, "anon_key", json_string(key));
	json_object_set_new(o, "tenant", json_string(r->caller.tenant_slug));
	json_object_set_new(o, "rest_path", json_string("/rest/v1"));
	json_object_set_new(o, "auth_path", json_string("/auth/v1"));
	return resp_json(r, 200, o);
}
