/*
 * platform.c — the operator's console API: stores (tenants) and plans.
 * Operators never see a store's ledger; what they change about a store is
 * still written into that store's audit chain.
 */
#include <ctype.h>
#include <string.h>

#include <sodium.h>

#include "api/common.h"
#include "api/handlers.h"
#include "http/jsonin.h"
#include "security/password.h"
#include "store/store_plans.h"
#include "store/store_tenants.h"
#include "store/store_users.h"
#include "util/idtext.h"

static json_t *tenant_json(const struct tenant_rec *t)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(t->id));
	json_object_set_new(o, "slug", json_string(t->slug));
	json_object_set_new(o, "name", json_string(t->name));
	json_object_set_new(o, "domain", api_str_or_null(t->domain));
	json_object_set_new(o, "plan", json_string(t->plan));
	json_object_set_new(o, "status", json_string(t->status));
	json_object_set_new(o, "created_at", api_time(t->created_at));
	json_object_set_new(o, "updated_at", api_time(t->updated_at));
	return o;
}

int h_platform_tenants_list(struct req *r)
{
	struct tenant_usage *rows;
	int n;
	int rc = store_tenant_list(r->tx, r->arena, &rows, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = tenant_json(&rows[i].tenant);
		json_object_set_new(o, "usage", json_pack("{s:I, s:I}",
			"customers", (json_int_t)rows[i].customers, "users", (json_int_t)rows[i].users));
		json_array_append_new(data, o);
	}
	return api_list(r, data, NULL);
}

/* A limit column: -1 (unlimited) is null. */
static json_t *limit_json(int64_t limit)
{
	return limit < 0 ? json_null() : json_integer(limit);
}

static json_t *plan_json(const struct plan_rec *p)
{
	json_t *o = json_object();
	json_object_set_new(o, "name", json_string(p->name));
	json_object_set_new(o, "customer_limit", limit_json(p->customer_limit));
	json_object_set_new(o, "storage_mb", json_integer(p->storage_mb));
	json_object_set_new(o, "requests_per_min", limit_json(p->requests_per_min));
	/* The column holds a JSON array the migrations wrote; anything else
	 * shows as no features rather than failing the list. */
	json_t *features = p->features ? json_loads(p->features, 0, NULL) : NULL;
	if (!json_is_array(features)) {
		json_decref(features);
		features = json_array();
	}
	json_object_set_new(o, "features", features);
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
		json_array_append_new(data, plan_json(&plans[i]));
	return api_list(r, data, NULL);
}

static int plan_exists(struct req *r, const char *plan)
{
	struct plan_rec p;
	int rc = store_plan_get(r->tx, plan, r->arena, &p);
	if (rc == STORE_NOT_FOUND)
		return req_fail_field(r, 422, "validation_failed", "plan",
			"must be one of the plans (free, starter, professional, enterprise)");
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	return 0;
}

int h_platform_tenants_create(struct req *r)
{
	static const struct jfield fields[] = {
		{ "slug", JF_STRING, 1, 0, 63 },
		{ "name", JF_STRING, 1, 0, 120 },
		{ "domain", JF_STRING, 0, 1, 253 },
		{ "plan", JF_STRING, 0, 0, 32 },
		{ "owner_email", JF_STRING, 1, 0, 254 },
		{ "owner_password", JF_STRING, 0, 0, 1024 },
		{ "owner_name", JF_STRING, 0, 0, 120 },
	};
	struct tenant_rec t;
	struct user_rec u;
	char hash[128], err[160];
	json_t *body = jsonin_object(r, fields, sizeof fields / sizeof fields[0]);
	int rc = -1;

	if (!body)
		return -1;
	const char *slug = jsonin_str(body, "slug", "");
	const char *name = jsonin_str(body, "name", "");
	const char *domain = jsonin_str(body, "domain", NULL);
	const char *plan = jsonin_str(body, "plan", "free");
	char *email = arena_strdup(r->arena, jsonin_str(body, "owner_email", ""));
	const char *password = jsonin_str(body, "owner_password", NULL);
	const char *owner_name = jsonin_str(body, "owner_name", NULL);
	for (char *p = email; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	if (!slug_valid(slug)) {
		req_fail_field(r, 422, "validation_failed", "slug",
			"must be 2-63 lowercase letters, digits or dashes, starting with a letter or digit");
		goto out;
	}
	if (!name[0] || text_has_control_chars(name)) {
		req_fail_field(r, 422, "validation_failed", "name", "must be 1-120 characters without control characters");
		goto out;
	}
	if (domain && domain[0] && !hostname_valid(domain)) {
		req_fail_field(r, 422, "validation_failed", "domain", "must be a lowercase host name such as shop.example.com");
		goto out;
	}
	if (!email_valid(email)) {
		req_fail_field(r, 422, "validation_failed", "owner_email", "must be an email address");
		goto out;
	}
	if (plan_exists(r, plan) < 0)
		goto out;
	/* The owner is always a new account of the new store
	 * (docs/ACCOUNTS.md): an email known in another store is not
	 * attached, and its password there means nothing here. */
	if (!password) {
		rc = req_fail_field(r, 422, "validation_failed", "owner_password", "is required");
		goto out;
	}
	if (password_policy_check(password, err, sizeof err) < 0) {
		rc = req_fail_field(r, 422, "validation_failed", "owner_password", err);
		goto out;
	}
	if (password_hash(password, hash) < 0) {
		rc = req_fail(r, 500, "internal_error", "could not hash the password");
		goto out;
	}
	rc = store_tenant_create(r->tx, slug, name, domain && domain[0] ? domain : NULL, plan, r->arena, &t);
	if (rc == STORE_CONFLICT) {
		rc = req_fail_field(r, 409, "tenant_exists", "slug", "a store with this slug or domain already exists");
		goto out;
	}
	if (rc == STORE_OK)
		rc = store_user_create(r->tx, email, owner_name && owner_name[0] ? owner_name : email,
			hash, "owner", r->arena, &u);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "tenant");
		goto out;
	}
	/* t and u are filled only now: nothing reads them on a failure. */
	json_t *after = tenant_json(&t);
	json_object_set_new(after, "owner", json_pack("{s:s, s:s}", "id", u.id, "email", u.email));
	rc = store_audit(r->tx, "tenant.created", "tenant", t.id, NULL, after);
	if (rc != STORE_OK) {
		json_decref(after);
		rc = api_store_fail(r, rc, "tenant");
		goto out;
	}
	rc = resp_json(r, 201, after);
out:
	sodium_memzero(hash, sizeof hash);
	json_decref(body);
	return rc;
}

int h_platform_tenants_update(struct req *r)
{
	static const struct jfield fields[] = {
		{ "plan", JF_STRING, 0, 0, 32 },
		{ "status", JF_STRING, 0, 0, 16 },
		{ "domain", JF_STRING, 0, 1, 253 },
		{ "name", JF_STRING, 0, 0, 120 },
	};
	struct tenant_rec t;
	const char *id = req_param(r, "id");
	json_t *body = jsonin_object(r, fields, sizeof fields / sizeof fields[0]);
	json_t *before = NULL, *after = NULL;
	int rc = -1;

	if (!body)
		return -1;
	rc = store_tenant_by_id(r->tx, id, r->arena, &t);
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "tenant");
		goto out;
	}
	rc = -1;
	before = tenant_json(&t);
	const char *plan = jsonin_str(body, "plan", NULL);
	const char *status = jsonin_str(body, "status", NULL);
	const char *domain = jsonin_str(body, "domain", NULL);
	const char *name = jsonin_str(body, "name", NULL);
	int clear_domain = jsonin_is_null(body, "domain") || (domain && !domain[0]);
	if (plan && plan_exists(r, plan) < 0)
		goto out;
	if (status && strcmp(status, "active") && strcmp(status, "suspended")) {
		req_fail_field(r, 422, "validation_failed", "status", "must be active or suspended");
		goto out;
	}
	if (domain && domain[0] && !hostname_valid(domain)) {
		req_fail_field(r, 422, "validation_failed", "domain", "must be a lowercase host name such as shop.example.com");
		goto out;
	}
	if (name && (!name[0] || text_has_control_chars(name))) {
		req_fail_field(r, 422, "validation_failed", "name", "must be 1-120 characters without control characters");
		goto out;
	}
	rc = store_tenant_update(r->tx, t.id, plan, status, clear_domain ? NULL : domain, clear_domain);
	if (rc == STORE_OK && name)
		rc = store_tenant_set_name(r->tx, t.id, name);
	if (rc == STORE_CONFLICT) {
		rc = req_fail_field(r, 409, "conflict", "domain", "another store already uses this domain");
		goto out;
	}
	if (rc == STORE_OK)
		rc = store_tenant_by_id(r->tx, t.id, r->arena, &t);
	if (rc == STORE_OK)
		rc = store_tx_enter_tenant(r->tx, t.id);
	if (rc == STORE_OK) {
		after = tenant_json(&t);
		rc = store_audit(r->tx, "tenant.updated", "tenant", t.id, before, after);
	}
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "tenant");
		goto out;
	}
	rc = resp_json(r, 200, json_incref(after));
out:
	json_decref(before);
	json_decref(after);
	json_decref(body);
	return rc;
}

int h_platform_tenants_delete(struct req *r)
{
	struct tenant_rec t;
	const char *id = req_param(r, "id");
	int rc = store_tenant_by_id(r->tx, id, r->arena, &t);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "tenant");
	if (strcmp(t.status, "suspended") != 0)
		return req_fail(r, 409, "tenant_not_suspended", "suspend a store before deleting it");
	rc = store_tenant_delete(r->tx, t.id);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "tenant");
	return resp_empty(r, 204);
}
