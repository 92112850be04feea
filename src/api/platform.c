/*
 * platform.c — the operator's console API: stores (tenants) with what
 * they use, and the platform audit trail (plans are api/plans.c).
 * Operators never see a store's ledger.  What they change about a store is
 * written into the platform's audit chain, and also into that store's own
 * while the store exists.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "api/common.h"
#include "api/handlers.h"
#include "api/usage.h"
#include "core/audit_payload.h"
#include "domain/usage.h"
#include "http/jsonin.h"
#include "security/password.h"
#include "store/store_plans.h"
#include "store/store_platform_audit.h"
#include "store/store_tenants.h"
#include "store/store_usage.h"
#include "store/store_users.h"
#include "util/clock.h"
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

static int cmp_figures(const void *x, const void *y)
{
	return strcmp(((const struct tenant_usage_figures *)x)->tenant_id,
		((const struct tenant_usage_figures *)y)->tenant_id);
}

int h_platform_tenants_list(struct req *r)
{
	struct tenant_usage *rows;
	struct tenant_usage_figures *figures;
	int n, nf;
	int64_t now = clock_now_ms();
	int rc = store_tenant_list(r->tx, r->arena, &rows, &n);
	if (rc == STORE_OK)
		rc = store_usage_all(r->tx, usage_minute_of(now), usage_day_of(now), 1, r->arena, &figures, &nf);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *data = json_array();
	for (int i = 0; i < n; i++) {
		json_t *o = tenant_json(&rows[i].tenant);
		struct tenant_usage_figures key = { .tenant_id = rows[i].tenant.id };
		const struct tenant_usage_figures *f = bsearch(&key, figures, (size_t)nf, sizeof *figures,
			cmp_figures);
		struct request_counts none = { 0 };
		int64_t last_minute, today;
		api_usage_requests(r, rows[i].tenant.id, now, f ? &f->requests : &none, &last_minute, &today);
		json_object_set_new(o, "usage", json_pack("{s:I, s:I, s:I, s:I, s:I}",
			"customers", (json_int_t)rows[i].customers, "users", (json_int_t)rows[i].users,
			"storage_bytes", (json_int_t)(f ? f->storage_bytes : 0),
			"requests_last_minute", (json_int_t)last_minute, "requests_today", (json_int_t)today));
		json_array_append_new(data, o);
	}
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
	if (rc == STORE_OK) {
		json_t *facts = audit_payload_tenant(&t);
		json_object_set_new(facts, "owner_email", json_string(u.email));
		rc = store_platform_audit(r->tx, NULL, "tenant.created", "tenant", t.id, NULL, facts);
		json_decref(facts);
	}
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

/* The platform's row for a change of store old into now, named after what
 * matters most: its status, then its plan. */
static int platform_audit_tenant(struct req *r, const struct tenant_rec *old, const struct tenant_rec *now)
{
	const char *action = "tenant.updated";
	if (strcmp(old->status, now->status) != 0)
		action = strcmp(now->status, "suspended") == 0 ? "tenant.suspended" : "tenant.reactivated";
	else if (strcmp(old->plan, now->plan) != 0)
		action = "tenant.plan_changed";
	json_t *b = audit_payload_tenant(old), *a = audit_payload_tenant(now);
	int rc = store_platform_audit(r->tx, NULL, action, "tenant", now->id, b, a);
	json_decref(b);
	json_decref(a);
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
	struct tenant_rec old = t;
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
	if (rc == STORE_OK)
		rc = platform_audit_tenant(r, &old, &t);
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
	/* The store's own trail goes with it; the platform's keeps the fact. */
	json_t *before = rc == STORE_OK ? audit_payload_tenant(&t) : NULL;
	if (rc == STORE_OK)
		rc = store_platform_audit(r->tx, NULL, "tenant.deleted", "tenant", t.id, before, NULL);
	json_decref(before);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "tenant");
	return resp_empty(r, 204);
}

/* GET /api/v1/platform/audit: the platform trail, newest first, keyset
 * paged by seq (?cursor= is the next_cursor of the page before). */
int h_platform_audit_list(struct req *r)
{
	struct platform_audit_filter f = { 0 };
	struct audit_row *rows;
	int64_t cursor = 0;
	int limit, n;
	static const char *const filters[] = { "action", "entity", "entity_id", "actor" };
	const char **slots[] = { &f.action, &f.entity, &f.entity_id, &f.actor };

	if (api_query_limit(r, &limit) < 0 || api_query_int(r, "cursor", 1, INT64_MAX, &cursor) < 0)
		return -1;
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		const char *v = req_query(r, filters[i]);
		if (v && strlen(v) > 200)
			return req_fail_field(r, 400, "invalid_parameter", filters[i], "must be at most 200 characters");
		*slots[i] = v;
	}
	f.before_seq = cursor;
	f.limit = limit + 1;
	int rc = store_platform_audit_list(r->tx, &f, r->arena, &rows, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	const char *next = NULL;
	if (n > limit) {
		n = limit;
		next = arena_printf(r->arena, "%lld", (long long)rows[n - 1].seq);
	}
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, api_audit_row_json(&rows[i]));
	return api_list(r, data, next);
}
