/* common.c — see common.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <assert.h>
#include <pthread.h>
#include <string.h>

#include "api/common.h"
#include "util/base64url.h"
#include "util/uuid.h"
#include "domain/plan.h"
#include "domain/role.h"
#include "util/civil.h"

int api_store_fail(struct req *r, int rc, const char *what)
{
	switch (rc) {
	case STORE_NOT_FOUND:
		return req_failf(r, 404, "not_found", "%s not found", what ? what : "resource");
	case STORE_CONFLICT:
		return req_failf(r, 409, "conflict", "%s conflicts with an existing one", what ? what : "resource");
	case STORE_UNAVAILABLE:
		resp_header(r, "Retry-After", "5");
		return req_fail(r, 503, "database_unavailable", "the database is unavailable; try again shortly");
	case STORE_BUSY:
		resp_header(r, "Retry-After", "1");
		return req_fail(r, 503, "database_busy", "the database is busy; try again");
	case STORE_MOVING:
		resp_header(r, "Retry-After", "2");
		return req_fail(r, 503, "tenant_moving",
			"this store is being moved to another database and takes no changes for a few seconds; try again shortly");
	case STORE_ELSEWHERE:
		return req_fail(r, 409, "store_on_other_cluster",
			"this store lives on another database cluster, which this platform operation cannot reach; "
			"use the command line with QT_DIRECTORY_DB (docs/SCALING.md)");
	case STORE_OVERFLOW:
		return api_overflow(r, "a sum of amounts", (const char *)NULL);
	default:
		return req_fail(r, 500, "internal_error", "an internal error occurred");
	}
}

int api_overflow(struct req *r, const char *what, ...)
{
	json_t *fields = json_array();
	const char *f;
	va_list ap;

	va_start(ap, what);
	while ((f = va_arg(ap, const char *)))
		json_array_append_new(fields, json_string(f));
	va_end(ap);
	req_failf(r, 422, "amount_overflow",
		"%s: more than %lld minor units, the largest amount the ledger can hold",
		what, (long long)INT64_MAX);
	req_problem_extra(r, "overflowed", fields);
	return -1;
}

json_t *api_time(int64_t unix_ms)
{
	char t[25];
	civil_format_rfc3339(unix_ms, t);
	return json_string(t);
}

json_t *api_time_or_null(int64_t unix_ms)
{
	return unix_ms ? api_time(unix_ms) : json_null();
}

json_t *api_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

const struct settings_rec *api_settings(struct req *r)
{
	/* The dispatcher read them with the membership, or answered 500. */
	assert(r->settings);
	return r->settings;
}

int api_query_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t *out)
{
	const char *v = req_query(r, name);
	char *end;
	if (!v)
		return 0;
	if (!*v || strlen(v) > 20)
		return req_fail_field(r, 400, "invalid_parameter", name, "must be an integer");
	long long n = strtoll(v, &end, 10);
	if (*end)
		return req_fail_field(r, 400, "invalid_parameter", name, "must be an integer");
	if (n < min || n > max)
		return req_fail_field(r, 400, "invalid_parameter", name,
			arena_printf(r->arena, "must be between %lld and %lld", (long long)min, (long long)max));
	*out = n;
	return 1;
}

int api_query_date(struct req *r, const char *name, int64_t *days)
{
	const char *v = req_query(r, name);
	if (!v)
		return 0;
	if (civil_parse_date(v, days) < 0)
		return req_fail_field(r, 400, "invalid_parameter", name, "must be a date YYYY-MM-DD");
	return 1;
}

int api_query_bool(struct req *r, const char *name, int *out)
{
	const char *v = req_query(r, name);
	if (!v)
		return 0;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
		*out = 1;
		return 1;
	}
	if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0) {
		*out = 0;
		return 1;
	}
	return req_fail_field(r, 400, "invalid_parameter", name, "must be true or false");
}

int api_query_limit(struct req *r, int *limit)
{
	int64_t n = 50;
	if (api_query_int(r, "limit", 1, 200, &n) < 0)
		return -1;
	*limit = (int)n;
	return 0;
}

int api_list(struct req *r, json_t *data, const char *next_cursor)
{
	json_t *o = json_object();
	json_object_set_new(o, "data", data);
	json_object_set_new(o, "next_cursor", next_cursor ? json_string(next_cursor) : json_null());
	return resp_json(r, 200, o);
}

void api_list_open(struct req *r, struct jw *w)
{
	jw_init(w, resp_json_buf(r, 200));
	jw_obj(w);
	jw_key(w, "data");
	jw_arr(w);
}

int api_list_close(struct jw *w, const char *next_cursor)
{
	jw_end(w);
	jw_key(w, "next_cursor");
	jw_str(w, next_cursor);
	jw_end(w);
	return 0;
}

int api_require_role(struct req *r, enum role min_role)
{
	if (role_at_least(r->caller.role, min_role))
		return 0;
	return req_failf(r, 403, "forbidden", "this action needs the %s role or higher; you are %s",
		role_name(min_role), r->caller.role[0] ? r->caller.role : "not a member");
}

struct store_actor api_actor(struct req *r)
{
	struct store_actor a = {
		.actor_id = r->caller.user_id[0] ? r->caller.user_id : "anonymous",
		.actor_role = r->caller.is_operator ? "operator" : (r->caller.role[0] ? r->caller.role : "anonymous"),
		.request_id = r->request_id,
		.client_ip = r->client_ip,
	};
	return a;
}

/* Plans change rarely and every request needs its store's features, so
 * the parsed bit set is kept per plan name and version (the plan row's
 * updated_at): the JSON is parsed again only after the plan changed.  The
 * text it was parsed from is kept beside it and must match too, so a plan
 * deleted and made again under its name within one millisecond, or a
 * version that did not move, still gives the bits of the row as read. */
#define PLAN_CACHE_SLOTS 16
#define PLAN_CACHE_TEXT 512
static struct {
	char name[32];
	int64_t version;
	char text[PLAN_CACHE_TEXT];
	uint32_t mask;
} plan_cache[PLAN_CACHE_SLOTS];
static pthread_mutex_t plan_cache_lock = PTHREAD_MUTEX_INITIALIZER;

uint32_t api_plan_features(const char *plan, int64_t version, const char *features_json)
{
	uint32_t mask = 0;
	size_t slot = 0, empty = PLAN_CACHE_SLOTS;
	const char *text = features_json ? features_json : "";

	pthread_mutex_lock(&plan_cache_lock);
	for (slot = 0; slot < PLAN_CACHE_SLOTS; slot++) {
		if (!plan_cache[slot].name[0]) {
			if (empty == PLAN_CACHE_SLOTS)
				empty = slot;
			continue;
		}
		if (strcmp(plan_cache[slot].name, plan) == 0)
			break;
	}
	if (slot < PLAN_CACHE_SLOTS && plan_cache[slot].version == version &&
	    strcmp(plan_cache[slot].text, text) == 0) {
		mask = plan_cache[slot].mask;
		pthread_mutex_unlock(&plan_cache_lock);
		return mask;
	}
	/* A malformed row grants nothing. */
	if (plan_features_parse(features_json, &mask) < 0)
		mask = 0;
	if (slot == PLAN_CACHE_SLOTS)
		slot = empty < PLAN_CACHE_SLOTS ? empty : 0;
	if (strlen(plan) < sizeof plan_cache[slot].name && strlen(text) < sizeof plan_cache[slot].text) {
		snprintf(plan_cache[slot].name, sizeof plan_cache[slot].name, "%s", plan);
		snprintf(plan_cache[slot].text, sizeof plan_cache[slot].text, "%s", text);
		plan_cache[slot].version = version;
		plan_cache[slot].mask = mask;
	}
	pthread_mutex_unlock(&plan_cache_lock);
	return mask;
}

int api_require_feature(struct req *r, const char *feature)
{
	enum plan_feature f;
	if (plan_feature_parse(feature, &f) == 0 && (r->caller.plan_features & PLAN_FEATURE_BIT(f)))
		return 0;
	req_failf(r, 403, "feature_not_in_plan", "the %s plan does not include %s", r->caller.plan, feature);
	req_problem_extra(r, "feature", json_string(feature));
	req_problem_extra(r, "plan", json_string(r->caller.plan));
	return -1;
}

int api_keyset_cursor(struct req *r, int64_t *after_ms, const char **after_id)
{
	const char *cur = req_query(r, "cursor");
	uint8_t raw[128];
	size_t len;
	char *sep, *end;

	if (!cur)
		return 0;
	if (strlen(cur) > 160 || base64url_decode(cur, strlen(cur), raw, sizeof raw - 1, &len) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "cursor", "is not a cursor from this list");
	raw[len] = '\0';
	sep = strchr((char *)raw, '|');
	if (!sep || !uuid_valid(sep + 1))
		return req_fail_field(r, 400, "invalid_parameter", "cursor", "is not a cursor from this list");
	*sep = '\0';
	long long ms = strtoll((char *)raw, &end, 10);
	if (*end || end == (char *)raw)
		return req_fail_field(r, 400, "invalid_parameter", "cursor", "is not a cursor from this list");
	*after_ms = ms;
	*after_id = arena_strdup(r->arena, sep + 1);
	return 0;
}

const char *api_keyset_next(struct req *r, int64_t last_ms, const char *last_id)
{
	char *raw = arena_printf(r->arena, "%lld|%s", (long long)last_ms, last_id);
	char *next = arena_alloc(r->arena, 200);
	base64url_encode((const uint8_t *)raw, strlen(raw), next, 200);
	return next;
}

int api_query_local_range(struct req *r, const char *timezone, int64_t *from_ms, int64_t *to_ms)
{
	int64_t from_day, to_day;
	int hf = api_query_date(r, "from", &from_day);
	int ht = api_query_date(r, "to", &to_day);
	if (hf < 0 || ht < 0)
		return -1;
	if (hf && civil_local_midnight_ms(from_day, timezone, from_ms) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "from", "is out of range");
	if (ht && civil_local_midnight_ms(to_day + 1, timezone, to_ms) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "to", "is out of range");
	return 0;
}

struct store_tx *req_take_tx(struct req *r)
{
	struct store_tx *tx = r->tx;
	r->tx = NULL;
	return tx;
}
