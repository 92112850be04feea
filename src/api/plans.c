/*
 * plans.c — the operator's plans: list, create, change limits and
 * features, delete an unused one.  A plan is data: a change reaches every
 * store on it at its next request, on every server process, because each
 * request reads its plan with the membership (store_member_context) and
 * the parsed features are cached by the plan's version (api_plan_features).
 * Every change is written into the platform audit trail.
 */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "api/plans.h"
#include "core/audit_payload.h"
#include "domain/plan.h"
#include "http/jsonin.h"
#include "store/store_plans.h"
#include "store/store_platform_audit.h"

/* INTEGER columns on PostgreSQL. */
#define PLAN_LIMIT_MAX 2147483647LL

/* A limit column: -1 (unlimited) is null. */
static json_t *limit_json(int64_t limit)
{
	return limit < 0 ? json_null() : json_integer(limit);
}

json_t *api_plan_json(const struct plan_rec *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "customer_limit", limit_json(p->customer_limit));
	json_object_set_new(o, "storage_mb", json_integer(p->storage_mb));
	json_object_set_new(o, "requests_per_min", limit_json(p->requests_per_min));
	/* The column holds a JSON array; anything else shows as no features
	 * rather than failing the list. */
	json_t *features = p->features ? json_loads(p->features, 0, NULL) : NULL;
	if (!json_is_array(features)) {
		json_decref(features);
		features = json_array();
	}
	json_object_set_new(o, "features", features);
	json_object_set_new(o, "updated_at", api_time(p->updated_at));
	return o;
}

int h_platform_plans_list(struct req *r)
{
	struct plan_rec *plans;
	int n;
	int rc = store_plan_list(r->tx, r->arena, &plans, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, api_plan_json(&plans[i]));
	return api_list(r, data, NULL);
}

static int bad(struct req *r, const char *field, const char *message)
{
	return req_fail_field(r, 422, "validation_failed", field, message);
}

/* A limit member: null (when allowed) is -1, else 0..PLAN_LIMIT_MAX. */
static int limit_of(struct req *r, json_t *body, const char *field, int nullable, int64_t *out)
{
	if (!jsonin_has(body, field))
		return 0;
	if (jsonin_is_null(body, field)) {
		*out = -1;
		return 0;
	}
	int64_t v = jsonin_int(body, field, -1);
	if (v < (nullable ? 0 : 1) || v > PLAN_LIMIT_MAX)
		return bad(r, field, arena_printf(r->arena, "must be %s between %d and %lld%s",
			"an integer", nullable ? 0 : 1, PLAN_LIMIT_MAX, nullable ? ", or null for unlimited" : ""));
	*out = v;
	return 0;
}

/* features: an array of known feature names, each once; into *text
 * (arena) in the table's order. */
static int features_of(struct req *r, json_t *body, char **text)
{
	json_t *a = json_object_get(body, "features");
	uint32_t mask = 0;
	size_t i;
	json_t *v;

	if (!a)
		return 0;
	json_array_foreach(a, i, v) {
		enum plan_feature f;
		const char *name = json_string_value(v);
		const char *field = arena_printf(r->arena, "features[%zu]", i);
		if (!name)
			return bad(r, field, "must be a feature name");
		if (plan_feature_parse(name, &f) < 0) {
			struct buf known = BUF_INIT;
			for (int k = 0; k < FEATURE_COUNT; k++)
				buf_printf(&known, "%s%s", k ? ", " : "", plan_feature_name((enum plan_feature)k));
			req_failf(r, 422, "unknown_feature", "unknown feature \"%.64s\"; the features are: %s",
				name, known.data);
			req_add_field_error(r, field, arena_printf(r->arena, "\"%.64s\" is not a feature", name));
			req_problem_extra(r, "feature", json_string(name));
			buf_release(&known);
			return -1;
		}
		if (mask & PLAN_FEATURE_BIT(f))
			return bad(r, field, arena_printf(r->arena, "\"%s\" is listed twice", name));
		mask |= PLAN_FEATURE_BIT(f);
	}
	char *t = plan_features_text(mask);
	if (!t)
		return req_fail(r, 500, "internal_error", "out of memory");
	*text = arena_strdup(r->arena, t);
	free(t);
	return 0;
}

static const struct jfield plan_fields[] = {
	{ "name", JF_STRING, 0, 0, PLAN_NAME_MAX },
	{ "customer_limit", JF_INTEGER, 0, 1, 0 },
	{ "storage_mb", JF_INTEGER, 0, 0, 0 },
	{ "requests_per_min", JF_INTEGER, 0, 1, 0 },
	{ "features", JF_ARRAY, 0, 0, 0 },
};
#define NPLAN_FIELDS (sizeof plan_fields / sizeof plan_fields[0])

/* The body's limits and features over *p. */
static int apply(struct req *r, json_t *body, struct plan_rec *p)
{
	if (limit_of(r, body, "customer_limit", 1, &p->customer_limit) < 0 ||
	    limit_of(r, body, "storage_mb", 0, &p->storage_mb) < 0 ||
	    limit_of(r, body, "requests_per_min", 1, &p->requests_per_min) < 0 ||
	    features_of(r, body, &p->features) < 0)
		return -1;
	return 0;
}

int h_platform_plans_create(struct req *r)
{
	struct plan_rec p = { 0 };
	json_t *body = jsonin_object(r, plan_fields, NPLAN_FIELDS);
	json_t *after = NULL;
	int rc = -1;

	if (!body)
		return -1;
	/* Every member is asked for: a plan made by accident with no limits
	 * would give everything away. */
	static const char *const required[] = { "name", "customer_limit", "storage_mb",
		"requests_per_min", "features" };
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
		if (!jsonin_has(body, required[i])) {
			bad(r, required[i], i == 1 || i == 3 ? "is required (null for unlimited)" : "is required");
			goto out;
		}
	p.name = arena_strdup(r->arena, jsonin_str(body, "name", ""));
	if (!plan_name_valid(p.name)) {
		bad(r, "name", "must be 1-31 lowercase letters, digits, '-' or '_', starting with a letter");
		goto out;
	}
	if (apply(r, body, &p) < 0)
		goto out;
	rc = store_plan_create(r->tx, &p);
	if (rc == STORE_CONFLICT) {
		rc = req_fail_field(r, 409, "plan_exists", "name", "a plan with this name already exists");
		goto out;
	}
	if (rc == STORE_OK)
		rc = store_plan_get(r->tx, p.name, r->arena, &p);
	if (rc == STORE_OK) {
		after = audit_payload_plan(&p);
		rc = store_platform_audit(r->tx, NULL, "plan.created", "plan", p.name, NULL, after);
	}
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "plan");
		goto out;
	}
	rc = resp_json(r, 201, api_plan_json(&p));
out:
	json_decref(after);
	json_decref(body);
	return rc;
}

int h_platform_plans_update(struct req *r)
{
	struct plan_rec p;
	json_t *body = jsonin_object(r, plan_fields, NPLAN_FIELDS);
	json_t *before = NULL, *after = NULL;
	int rc = -1;

	if (!body)
		return -1;
	if (jsonin_has(body, "name")) {
		/* Stores name their plan by it: renaming is making another. */
		req_fail_field(r, 422, "validation_failed", "name", "a plan cannot be renamed; create another");
		goto out;
	}
	rc = store_plan_get(r->tx, req_param(r, "name"), r->arena, &p);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "plan");
		goto out;
	}
	rc = -1;
	before = audit_payload_plan(&p);
	if (apply(r, body, &p) < 0)
		goto out;
	rc = store_plan_update(r->tx, &p);
	if (rc == STORE_OK)
		rc = store_plan_get(r->tx, p.name, r->arena, &p);
	if (rc == STORE_OK) {
		after = audit_payload_plan(&p);
		rc = store_platform_audit(r->tx, NULL, "plan.updated", "plan", p.name, before, after);
	}
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "plan");
		goto out;
	}
	rc = resp_json(r, 200, api_plan_json(&p));
out:
	json_decref(before);
	json_decref(after);
	json_decref(body);
	return rc;
}

int h_platform_plans_delete(struct req *r)
{
	struct plan_rec p;
	int64_t stores = 0;
	int rc = store_plan_get(r->tx, req_param(r, "name"), r->arena, &p);
	if (rc == STORE_OK)
		rc = store_plan_tenant_count(r->tx, p.name, &stores);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "plan");
	if (stores == 0)
		rc = store_plan_delete(r->tx, p.name);
	if (stores > 0 || rc == STORE_CONFLICT) {
		req_failf(r, 409, "plan_in_use", "%lld store(s) are on the %s plan; move them to another plan first",
			(long long)stores, p.name);
		req_problem_extra(r, "tenants", json_integer(stores));
		return -1;
	}
	json_t *before = audit_payload_plan(&p);
	if (rc == STORE_OK)
		rc = store_platform_audit(r->tx, NULL, "plan.deleted", "plan", p.name, before, NULL);
	json_decref(before);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "plan");
	return resp_empty(r, 204);
}
