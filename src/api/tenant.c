/*
 * tenant.c — public tenant discovery for the web app: from the Host header
 * (a custom domain, or <slug>.<QT_BASE_DOMAIN>), else X-Tenant, else
 * ?tenant=.  Only public facts leave: no settings secrets, no ids of users.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/common.h"
#include "api/handlers.h"
#include "domain/plan.h"
#include "util/idtext.h"

static int find_tenant(struct req *r, struct store_tx *tx, struct tenant_rec *t)
{
	const char *host = req_header(r, "Host");
	int rc = STORE_NOT_FOUND;

	if (host && strlen(host) < 256) {
		char h[256];
		snprintf(h, sizeof h, "%s", host);
		char *colon = strrchr(h, ':');
		if (colon && !strchr(h, ']'))
			*colon = '\0';
		for (char *p = h; *p; p++)
			if (*p >= 'A' && *p <= 'Z')
				*p = (char)(*p - 'A' + 'a');
		rc = store_tenant_by_domain(tx, h, r->arena, t);
		if (rc != STORE_NOT_FOUND)
			return rc;
		const char *base = r->app->cfg.base_domain;
		size_t hl = strlen(h), bl = base ? strlen(base) : 0;
		if (bl && hl > bl + 1 && h[hl - bl - 1] == '.' && strcasecmp(h + hl - bl, base) == 0) {
			h[hl - bl - 1] = '\0';
			if (slug_valid(h)) {
				rc = store_tenant_by_slug(tx, h, r->arena, t);
				if (rc != STORE_NOT_FOUND)
					return rc;
			}
		}
	}
	const char *slug = req_header(r, "X-Tenant");
	if (!slug)
		slug = req_query(r, "tenant");
	if (!slug)
		return STORE_NOT_FOUND;
	if (!slug_valid(slug))
		return STORE_NOT_FOUND;
	return store_tenant_by_slug(tx, slug, r->arena, t);
}

int h_tenant_discover(struct req *r)
{
	struct store_tx *tx;
	struct tenant_rec t;
	struct plan_rec plan;
	struct settings_rec s;

	int rc = store_begin_platform(r->app->store, 0, NULL, &tx);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	rc = find_tenant(r, tx, &t);
	if (rc == STORE_NOT_FOUND) {
		store_rollback(tx);
		return req_fail(r, 404, "tenant_not_found",
			"no store found for this address; use its own address or ?tenant=<slug>");
	}
	if (rc == STORE_OK)
		rc = store_plan_get(tx, t.plan, r->arena, &plan);
	if (rc == STORE_OK)
		rc = store_tx_enter_tenant(tx, t.id);
	if (rc == STORE_OK)
		rc = store_settings_get(tx, r->arena, &s);
	store_rollback(tx);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "tenant");
	snprintf(r->caller.tenant_slug, sizeof r->caller.tenant_slug, "%s", t.slug);

	uint32_t mask = 0;
	json_t *features = json_array();
	plan_features_parse(plan.features, &mask);
	for (int f = 0; f < FEATURE_COUNT; f++)
		if (mask & PLAN_FEATURE_BIT(f))
			json_array_append_new(features, json_string(plan_feature_name((enum plan_feature)f)));
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(t.id));
	json_object_set_new(o, "slug", json_string(t.slug));
	json_object_set_new(o, "name", json_string(t.name));
	json_object_set_new(o, "status", json_string(t.status));
	json_object_set_new(o, "suspended", json_boolean(strcmp(t.status, "suspended") == 0));
	json_object_set_new(o, "plan", json_string(plan.name));
	json_object_set_new(o, "features", features);
	json_object_set_new(o, "currency", json_string(s.currency));
	json_object_set_new(o, "locale", json_string(s.locale));
	json_object_set_new(o, "timezone", json_string(s.timezone));
	json_object_set_new(o, "phone_country", json_string(s.phone_country));
	json_object_set_new(o, "receipts", json_string(s.receipts ? s.receipts : "off"));
	json_object_set_new(o, "building_layout", json_pack("{s:I, s:I, s:I}",
		"towers", (json_int_t)s.building_towers, "floors", (json_int_t)s.building_floors,
		"units", (json_int_t)s.building_units));
	json_object_set_new(o, "branding", json_pack("{s:s}", "name", t.name));
	return resp_json(r, 200, o);
}
