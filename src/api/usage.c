/*
 * usage.c — what a store uses against its plan.
 *
 * GET /api/v1/usage (admin+): the store's plan, its limits, what it uses
 * (customers, storage, requests in the last minute and today) and how near
 * each limit it is, so the web app can say when to upgrade.
 *
 * GET /api/v1/platform/usage.csv?month=YYYY-MM (operator): one row per
 * store with the month's figures for billing.  docs/PLANS.md describes
 * the columns and how each figure is made.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "api/plans.h"
#include "api/usage.h"
#include "domain/usage.h"
#include "store/store_customers.h"
#include "store/store_plans.h"
#include "store/store_tenants.h"
#include "store/store_usage.h"
#include "util/civil.h"
#include "util/clock.h"
#include "util/csv.h"
#include "workers/usage_meter.h"

void api_usage_requests(struct req *r, const char *tenant_id, int64_t now_ms,
	const struct request_counts *db, int64_t *last_minute, int64_t *today)
{
	int64_t minute = usage_minute_of(now_ms), cur, prev, day;
	usage_meter_pending(r->app->usage, tenant_id, minute, &cur, &prev, &day);
	*last_minute = usage_last_minute(db->minute + cur, db->prev_minute + prev,
		now_ms - minute * USAGE_MINUTE_MS);
	*today = db->day + day;
}

/* {used, limit (null = unlimited), percent (null when unlimited), state}. */
static json_t *limit_json(int64_t used, int64_t limit, const char *name, json_t *near)
{
	int pct;
	enum usage_state s = usage_state_of(used, limit, &pct);
	json_t *o = json_object();
	json_object_set_new(o, "used", json_integer(used));
	json_object_set_new(o, "limit", limit < 0 ? json_null() : json_integer(limit));
	json_object_set_new(o, "percent", s == USAGE_UNLIMITED ? json_null() : json_integer(pct));
	json_object_set_new(o, "state", json_string(usage_state_name(s)));
	if (s == USAGE_NEAR || s == USAGE_REACHED)
		json_array_append_new(near, json_string(name));
	return o;
}

int h_usage_get(struct req *r)
{
	struct plan_rec plan;
	struct request_counts counts;
	int64_t customers = 0, storage = 0, last_minute, today;
	int64_t now = clock_now_ms();

	int rc = store_plan_get(r->tx, r->caller.plan, r->arena, &plan);
	if (rc == STORE_OK)
		rc = store_customer_count_active(r->tx, &customers);
	if (rc == STORE_OK)
		rc = store_tenant_storage_bytes(r->tx, &storage);
	if (rc == STORE_OK)
		rc = store_usage_requests(r->tx, usage_minute_of(now), usage_day_of(now), &counts);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "plan");
	api_usage_requests(r, r->caller.tenant_id, now, &counts, &last_minute, &today);

	json_t *usage = json_pack("{s:I, s:I, s:I, s:I}", "customers", (json_int_t)customers,
		"storage_bytes", (json_int_t)storage, "requests_last_minute", (json_int_t)last_minute,
		"requests_today", (json_int_t)today);
	json_t *near = json_array();
	json_t *limits = json_object();
	json_object_set_new(limits, "customers", limit_json(customers, plan.customer_limit, "customers", near));
	json_object_set_new(limits, "storage_bytes", limit_json(storage,
		plan.storage_mb < 0 ? -1 : plan.storage_mb * 1024 * 1024, "storage_bytes", near));
	json_object_set_new(limits, "requests_per_min", limit_json(last_minute, plan.requests_per_min,
		"requests_per_min", near));
	json_t *o = json_object();
	json_object_set_new(o, "plan", api_plan_json(&plan));
	json_object_set_new(o, "usage", usage);
	json_object_set_new(o, "limits", limits);
	json_object_set_new(o, "upgrade_suggested", json_boolean(json_array_size(near) > 0));
	json_object_set_new(o, "near_limits", near);
	json_object_set_new(o, "measured_at", api_time(now));
	return resp_json(r, 200, o);
}

/* ---- the operator's monthly figures ---- */

static int cmp_month(const void *x, const void *y)
{
	return strcmp(((const struct tenant_month_usage *)x)->tenant_id,
		((const struct tenant_month_usage *)y)->tenant_id);
}

static int cmp_figures(const void *x, const void *y)
{
	return strcmp(((const struct tenant_usage_figures *)x)->tenant_id,
		((const struct tenant_usage_figures *)y)->tenant_id);
}

static void csv_int(struct buf *b, int64_t v)
{
	char n[24];
	snprintf(n, sizeof n, "%lld", (long long)v);
	csv_plain(b, n, 0);
}

int h_platform_usage_csv(struct req *r)
{
	const char *month = req_query(r, "month");
	int64_t first_day, next_first;
	struct tenant_usage *tenants;
	struct tenant_month_usage *months;
	struct tenant_usage_figures *figures;
	int nt, nm, nf;

	if (!month)
		return req_fail_field(r, 400, "invalid_parameter", "month", "is required: YYYY-MM");
	if (strlen(month) != 7 || civil_parse_date(arena_printf(r->arena, "%s-01", month), &first_day) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "month", "must be a month YYYY-MM");
	int y = atoi(month), m = atoi(month + 5);
	next_first = m == 12 ? civil_days_from_ymd(y + 1, 1, 1) : civil_days_from_ymd(y, m + 1, 1);
	int64_t now = clock_now_ms();
	int rc = store_tenant_list(r->tx, r->arena, &tenants, &nt);
	if (rc == STORE_OK)
		rc = store_usage_month(r->tx, first_day, next_first - 1, first_day * USAGE_DAY_MS,
			next_first * USAGE_DAY_MS, r->arena, &months, &nm);
	if (rc == STORE_OK)
		rc = store_usage_all(r->tx, usage_minute_of(now), usage_day_of(now), 1, r->arena, &figures, &nf);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	qsort(months, (size_t)nm, sizeof *months, cmp_month);

	/* This process's counts not yet written belong to today. */
	int64_t today = usage_day_of(now);
	int current = today >= first_day && today < next_first;

	struct buf *b = &r->resp.body;
	r->resp.status = 200;
	r->resp.content_type = "text/csv; charset=utf-8";
	resp_header(r, "Content-Disposition", arena_printf(r->arena,
		"attachment; filename=\"usage-%s.csv\"", month));
	buf_puts(b, "month,tenant_id,slug,name,plan,status,requests,active_days,peak_day_requests,"
		"customers_added,customers,storage_bytes\r\n");
	for (int i = 0; i < nt; i++) {
		const struct tenant_rec *t = &tenants[i].tenant;
		struct tenant_month_usage mk = { .tenant_id = t->id }, *mu;
		struct tenant_usage_figures fk = { .tenant_id = t->id }, *fu;
		mu = bsearch(&mk, months, (size_t)nm, sizeof *months, cmp_month);
		fu = bsearch(&fk, figures, (size_t)nf, sizeof *figures, cmp_figures);
		int64_t requests = mu ? mu->requests : 0, active = mu ? mu->active_days : 0;
		int64_t peak = mu ? mu->peak_day_requests : 0;
		if (current) {
			int64_t c, p, d;
			usage_meter_pending(r->app->usage, t->id, usage_minute_of(now), &c, &p, &d);
			if (d) {
				int64_t today_total = (fu ? fu->requests.day : 0) + d;
				requests += d;
				if (!fu || fu->requests.day == 0)
					active++;
				if (today_total > peak)
					peak = today_total;
			}
		}
		csv_plain(b, month, 1);
		csv_plain(b, t->id, 0);
		csv_text(b, t->slug, 0);
		csv_text(b, t->name, 0);
		csv_text(b, t->plan, 0);
		csv_plain(b, t->status, 0);
		csv_int(b, requests);
		csv_int(b, active);
		csv_int(b, peak);
		csv_int(b, mu ? mu->customers_added : 0);
		csv_int(b, tenants[i].customers);
		csv_int(b, fu ? fu->storage_bytes : 0);
		csv_end_row(b);
	}
	return 0;
}
