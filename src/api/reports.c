/*
 * reports.c — the store's numbers: summary (the dashboard), aging buckets,
 * per-day sales and collections, outstanding by tower and floor, and the
 * collections report (by payment method, collection rate, days sales
 * outstanding, reminder effectiveness; definitions in docs/API-NOTES.md).
 * Reports are a plan feature (SPEC: starter and up).
 */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/ledger.h"
#include "domain/collections.h"
#include "domain/money.h"
#include "store/store_reports.h"
#include "util/civil.h"
#include "util/clock.h"

#define DAY_MS 86400000LL
#define TOP_N 5

static json_t *due_date(const struct settings_rec *s, int64_t due_ms)
{
	int64_t day;
	char d[11];
	if (!due_ms || civil_local_days(due_ms, s->timezone, &day) < 0)
		return json_null();
	civil_format_date(day, d);
	return json_string(d);
}

/* max(0, balance - recent); both are >= 0 (balance > 0 for owing rows),
 * so the difference cannot overflow. */
static int64_t overdue_of(const struct owing_row *o)
{
	return o->balance_minor > o->recent_minor ? o->balance_minor - o->recent_minor : 0;
}

static json_t *owing_json(const struct settings_rec *s, const struct owing_row *o)
{
	json_t *j = json_object();
	json_object_set_new(j, "id", json_string(o->id));
	json_object_set_new(j, "name", json_string(o->name));
	json_object_set_new(j, "phone", json_string(o->phone));
	json_object_set_new(j, "apartment", api_str_or_null(o->apartment));
	json_object_set_new(j, "balance_minor", json_integer(o->balance_minor));
	json_object_set_new(j, "overdue_minor", json_integer(overdue_of(o)));
	json_object_set_new(j, "oldest_due_date", due_date(s, o->oldest_due_at));
	return j;
}

static int cmp_oldest_due(const void *x, const void *y)
{
	const struct owing_row *a = *(const struct owing_row *const *)x;
	const struct owing_row *b = *(const struct owing_row *const *)y;
	if (a->oldest_due_at != b->oldest_due_at)
		return a->oldest_due_at < b->oldest_due_at ? -1 : 1;
	return strcmp(a->id, b->id);
}

int h_reports_summary(struct req *r)
{
	const struct settings_rec *s = api_settings(r);
	struct owing_row *rows;
	struct flow_totals today, month;
	int64_t now = clock_now_ms(), day, today_ms, month_ms, tomorrow_ms;
	int n, y, m, d;

	if (api_require_feature(r, "reports") < 0)
		return -1;
	if (civil_local_days(now, s->timezone, &day) < 0)
		day = now / DAY_MS;
	civil_ymd_from_days(day, &y, &m, &d);
	if (civil_local_midnight_ms(day, s->timezone, &today_ms) < 0 ||
	    civil_local_midnight_ms(day + 1, s->timezone, &tomorrow_ms) < 0 ||
	    civil_local_midnight_ms(civil_days_from_ymd(y, m, 1), s->timezone, &month_ms) < 0)
		return req_fail(r, 500, "internal_error", "cannot compute the store's local day");
	int rc = store_report_owing(r->tx, now - s->credit_period_days * DAY_MS,
		s->default_credit_limit_minor, r->arena, &rows, &n);
	if (rc == STORE_OVERFLOW)
		return api_overflow(r, "a customer's purchases within the credit period", "overdue_minor", NULL);
	if (rc == STORE_OK) {
		rc = store_report_flows(r->tx, today_ms, tomorrow_ms, &today);
		if (rc == STORE_OVERFLOW)
			return api_overflow(r, "today's sales or collections",
				"sales_today_minor", "collections_today_minor", NULL);
	}
	if (rc == STORE_OK) {
		rc = store_report_flows(r->tx, month_ms, tomorrow_ms, &month);
		if (rc == STORE_OVERFLOW)
			return api_overflow(r, "this month's sales or collections",
				"sales_month_minor", "collections_month_minor", NULL);
	}
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);

	int64_t outstanding = 0, overdue = 0, overdue_count = 0, over_limit = 0;
	const struct owing_row **late = arena_alloc(r->arena, sizeof *late * (size_t)(n ? n : 1));
	for (int i = 0; i < n; i++) {
		if (money_add(outstanding, rows[i].balance_minor, &outstanding) < 0)
			return api_overflow(r, "the outstanding total across customers", "outstanding_minor", NULL);
		if (overdue_of(&rows[i]) > 0) {
			if (money_add(overdue, overdue_of(&rows[i]), &overdue) < 0)
				return api_overflow(r, "the overdue total across customers", "overdue_minor", NULL);
			late[overdue_count++] = &rows[i];
		}
		if (rows[i].balance_minor > rows[i].credit_limit_minor)
			over_limit++;
	}
	json_t *most_owing = json_array(), *most_overdue = json_array();
	for (int i = 0; i < n && i < TOP_N; i++)
		json_array_append_new(most_owing, owing_json(s, &rows[i]));
	qsort(late, (size_t)overdue_count, sizeof *late, cmp_oldest_due);
	for (int64_t i = 0; i < overdue_count && i < TOP_N; i++)
		json_array_append_new(most_overdue, owing_json(s, late[i]));

	char today_text[11];
	civil_format_date(day, today_text);
	json_t *o = json_object();
	json_object_set_new(o, "currency", json_string(s->currency));
	json_object_set_new(o, "date", json_string(today_text));
	json_object_set_new(o, "outstanding_minor", json_integer(outstanding));
	json_object_set_new(o, "customers_owing", json_integer(n));
	json_object_set_new(o, "overdue_minor", json_integer(overdue));
	json_object_set_new(o, "customers_overdue", json_integer(overdue_count));
	json_object_set_new(o, "customers_over_limit", json_integer(over_limit));
	json_object_set_new(o, "sales_today_minor", json_integer(today.purchases_minor));
	json_object_set_new(o, "collections_today_minor", json_integer(today.payments_minor));
	json_object_set_new(o, "sales_month_minor", json_integer(month.purchases_minor));
	json_object_set_new(o, "collections_month_minor", json_integer(month.payments_minor));
	json_object_set_new(o, "most_owing", most_owing);
	json_object_set_new(o, "most_overdue", most_overdue);
	return resp_json(r, 200, o);
}

int h_reports_aging(struct req *r)
{
	static const char *const names[] = { "current_minor", "days_1_30_minor", "days_31_60_minor",
		"days_61_90_minor", "days_90_plus_minor" };
	static const char *const total_names[] = { "buckets.current_minor", "buckets.days_1_30_minor",
		"buckets.days_31_60_minor", "buckets.days_61_90_minor", "buckets.days_90_plus_minor" };
	static const char *const said[] = { "not yet due", "1-30 days overdue", "31-60 days overdue",
		"61-90 days overdue", "more than 90 days overdue" };
	const struct settings_rec *s = api_settings(r);
	struct owing_row *rows;
	int64_t now = clock_now_ms(), totals[5] = { 0 };
	int n;

	if (api_require_feature(r, "reports") < 0)
		return -1;
	int rc = store_report_owing(r->tx, now - s->credit_period_days * DAY_MS,
		s->default_credit_limit_minor, r->arena, &rows, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *customers = json_array();
	for (int i = 0; i < n; i++) {
		struct aging_result ag;
		/* Only the open lots are read, as for a single customer. */
		struct customer_rec owing = { .id = rows[i].id, .balance_minor = rows[i].balance_minor };
		rc = ledger_aging(r->tx, s, &owing, now, r->arena, &ag);
		if (rc != STORE_OK) {
			json_decref(customers);
			if (rc == LEDGER_OVERFLOW)
				return api_overflow(r, arena_printf(r->arena, "the aging of customer %s",
					rows[i].id), "customers[].buckets", NULL);
			return api_store_fail(r, rc, NULL);
		}
		int k;
		if (aging_buckets_add(totals, ag.buckets, &k) < 0) {
			json_decref(customers);
			return api_overflow(r, arena_printf(r->arena, "the store's total %s (all customers)",
				said[k]), total_names[k], NULL);
		}
		json_t *c = owing_json(s, &rows[i]);
		json_object_set_new(c, "overdue_minor", json_integer(ag.overdue_minor));
		json_t *b = json_object();
		for (k = 0; k < 5; k++)
			json_object_set_new(b, names[k], json_integer(ag.buckets[k]));
		json_object_set_new(c, "buckets", b);
		json_array_append_new(customers, c);
	}
	json_t *o = json_object(), *b = json_object();
	for (int k = 0; k < 5; k++)
		json_object_set_new(b, names[k], json_integer(totals[k]));
	json_object_set_new(o, "currency", json_string(s->currency));
	json_object_set_new(o, "buckets", b);
	json_object_set_new(o, "customers", customers);
	return resp_json(r, 200, o);
}

int h_reports_daily(struct req *r)
{
	const struct settings_rec *s = api_settings(r);
	int64_t now = clock_now_ms(), today, from_day, to_day;

	if (api_require_feature(r, "reports") < 0)
		return -1;
	if (civil_local_days(now, s->timezone, &today) < 0)
		today = now / DAY_MS;
	to_day = today;
	from_day = today - 29;
	int hf = api_query_date(r, "from", &from_day);
	int ht = api_query_date(r, "to", &to_day);
	if (hf < 0 || ht < 0)
		return -1;
	if (from_day > to_day)
		return req_fail_field(r, 400, "invalid_parameter", "from", "must not be after to");
	if (to_day - from_day > 366)
		return req_fail_field(r, 400, "invalid_parameter", "from", "the range may span at most 367 days");
	int ndays = (int)(to_day - from_day + 1);
	/* Local midnights, so a day is the store's day whatever its offset
	 * (23 or 25 hours across a DST change). */
	int64_t *bounds = arena_alloc(r->arena, sizeof *bounds * (size_t)(ndays + 1));
	for (int i = 0; i <= ndays; i++)
		if (civil_local_midnight_ms(from_day + i, s->timezone, &bounds[i]) < 0)
			return req_fail_field(r, 400, "invalid_parameter", "from", "is out of range");
	struct flow_totals *flows = arena_alloc(r->arena, sizeof *flows * (size_t)ndays);
	int failed_day, failed_sales;
	int rc = store_report_days(r->tx, bounds, ndays, flows, &failed_day, &failed_sales);
	if (rc == STORE_OVERFLOW) {
		char date[11];
		civil_format_date(from_day + failed_day, date);
		return api_overflow(r, arena_printf(r->arena, "the %s of %s",
			failed_sales ? "sales" : "collections", date),
			failed_sales ? "days[].sales_minor" : "days[].collections_minor", NULL);
	}
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *days = json_array();
	for (int i = 0; i < ndays; i++) {
		char d[11];
		int64_t net;
		civil_format_date(from_day + i, d);
		if (money_sub(flows[i].purchases_minor, flows[i].payments_minor, &net) < 0) {
			json_decref(days);
			return api_overflow(r, arena_printf(r->arena, "the net of %s (sales minus collections)", d),
				"days[].net_minor", NULL);
		}
		json_array_append_new(days, json_pack("{s:s, s:I, s:I, s:I}", "date", d,
			"sales_minor", (json_int_t)flows[i].purchases_minor,
			"collections_minor", (json_int_t)flows[i].payments_minor, "net_minor", (json_int_t)net));
	}
	char f[11], t[11];
	civil_format_date(from_day, f);
	civil_format_date(to_day, t);
	return resp_json(r, 200, json_pack("{s:s, s:s, s:s, s:o}", "currency", s->currency,
		"from", f, "to", t, "days", days));
}

int h_reports_towers(struct req *r)
{
	struct tower_floor_row *rows;
	int n;
	if (api_require_feature(r, "reports") < 0)
		return -1;
	int rc = store_report_towers(r->tx, r->arena, &rows, &n);
	if (rc == STORE_OVERFLOW)
		return api_overflow(r, "the outstanding total of a floor",
			"towers[].floors[].outstanding_minor", NULL);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *towers = json_array(), *tower = NULL;
	int64_t current = -1, tower_customers = 0, tower_outstanding = 0;
	for (int i = 0; i < n; i++) {
		int64_t t = rows[i].tower;
		if (t != current) {
			tower = json_pack("{s:I, s:I, s:I, s:[]}", "tower", (json_int_t)t,
				"customers", (json_int_t)0, "outstanding_minor", (json_int_t)0, "floors");
			json_array_append_new(towers, tower);
			current = t;
			tower_customers = tower_outstanding = 0;
		}
		int64_t count = rows[i].customers, sum = rows[i].outstanding_minor;
		if (money_add(tower_outstanding, sum, &tower_outstanding) < 0) {
			json_decref(towers);
			return api_overflow(r, arena_printf(r->arena, "the outstanding total of tower %lld",
				(long long)t), "towers[].outstanding_minor", NULL);
		}
		tower_customers += count; /* at most the number of rows in customers */
		json_object_set_new(tower, "customers", json_integer(tower_customers));
		json_object_set_new(tower, "outstanding_minor", json_integer(tower_outstanding));
		json_array_append_new(json_object_get(tower, "floors"), json_pack("{s:I, s:I, s:I}",
			"floor", (json_int_t)rows[i].floor, "customers", (json_int_t)count,
			"outstanding_minor", (json_int_t)sum));
	}
	return resp_json(r, 200, json_pack("{s:s, s:o}", "currency", api_settings(r)->currency,
		"towers", towers));
}

/* The methods entry_check() accepts, in the order the report lists them. */
static const char *const methods[] = { "cash", "upi", "card", "bank", "other" };
#define NMETHODS (sizeof methods / sizeof methods[0])
#define PERIOD_MAX_DAYS 367

/* A ratio from collections_ratio(): a number, or null when undefined. */
static json_t *ratio_json(int rc, int64_t v)
{
	return rc == 0 ? json_integer(v) : json_null();
}

int h_reports_collections(struct req *r)
{
	const struct settings_rec *s = api_settings(r);
	int64_t now = clock_now_ms(), today, from_day, to_day, from_ms, to_ms;
	struct collections_data d;

	if (api_require_feature(r, "reports") < 0)
		return -1;
	if (civil_local_days(now, s->timezone, &today) < 0)
		today = now / DAY_MS;
	if (civil_local_midnight_ms(today - 29, s->timezone, &from_ms) < 0 ||
	    civil_local_midnight_ms(today + 1, s->timezone, &to_ms) < 0)
		return req_fail(r, 500, "internal_error", "cannot compute the store's local day");
	if (api_query_local_range(r, s->timezone, &from_ms, &to_ms) < 0)
		return -1;
	if (from_ms >= to_ms)
		return req_fail_field(r, 400, "invalid_parameter", "from", "must not be after to");
	if (civil_local_days(from_ms, s->timezone, &from_day) < 0 ||
	    civil_local_days(to_ms - 1, s->timezone, &to_day) < 0)
		return req_fail_field(r, 400, "invalid_parameter", "from", "is out of range");
	int64_t ndays = to_day - from_day + 1;
	if (ndays > PERIOD_MAX_DAYS)
		return req_fail_field(r, 400, "invalid_parameter", "from",
			"the range may span at most 367 days");

	int rc = store_report_collections(r->tx, from_ms, to_ms, r->arena, &d);
	if (rc == STORE_OVERFLOW)
		return api_overflow(r, "the period's sales or collections, or a customer's balance at the start"
			" or end of the period", "sales_minor", "by_method[].amount_minor",
			"opening_outstanding_minor", "closing_outstanding_minor", NULL);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);

	/* What customers owed: positive balances only, as outstanding_minor in
	 * the summary (a customer in credit does not lower the total). */
	int64_t opening = 0, closing = 0;
	for (int i = 0; i < d.nbalances; i++) {
		const struct balance_pair *b = &d.balances[i];
		if (b->opening_minor > 0 && money_add(opening, b->opening_minor, &opening) < 0)
			return api_overflow(r, "the outstanding total at the start of the period",
				"opening_outstanding_minor", NULL);
		if (b->closing_minor > 0 && money_add(closing, b->closing_minor, &closing) < 0)
			return api_overflow(r, "the outstanding total at the end of the period",
				"closing_outstanding_minor", NULL);
	}

	int64_t count[NMETHODS] = { 0 }, amount[NMETHODS] = { 0 }, collected = 0;
	for (int i = 0; i < d.nmethods; i++) {
		size_t k = NMETHODS - 1; /* anything unknown is "other" */
		for (size_t j = 0; j < NMETHODS; j++)
			if (strcmp(d.methods[i].payment_method, methods[j]) == 0)
				k = j;
		count[k] += d.methods[i].payments; /* at most the number of rows in transactions */
		if (money_add(amount[k], d.methods[i].amount_minor, &amount[k]) < 0)
			return api_overflow(r, "the period's collections by one payment method",
				"by_method[].amount_minor", NULL);
		if (money_add(collected, d.methods[i].amount_minor, &collected) < 0)
			return api_overflow(r, "the period's collections", "collected_minor", NULL);
	}

	/* collection rate = collected / (opening outstanding + sales);
	 * DSO = closing outstanding / sales * days in the period. */
	int64_t owed, rate = 0, dso = 0;
	if (money_add(opening, d.sales_minor, &owed) < 0)
		return api_overflow(r, "the outstanding total at the start of the period plus the period's sales",
			"collection_rate_bp", NULL);
	int rate_rc = collections_ratio(collected, owed, COLLECTIONS_BP, &rate);
	int dso_rc = collections_ratio(closing, d.sales_minor, ndays * 100, &dso);
	if (rate_rc < 0 || dso_rc < 0)
		return api_overflow(r, rate_rc < 0 ? "the collection rate" : "the days sales outstanding",
			rate_rc < 0 ? "collection_rate_bp" : "days_sales_outstanding_x100", NULL);
	struct reminder_effect eff;
	if (collections_reminder_effect(d.responses, (size_t)d.nresponses, &eff) < 0)
		return req_fail(r, 500, "internal_error", "reminder responses out of their window");

	json_t *by_method = json_array();
	for (size_t k = 0; k < NMETHODS; k++) {
		int64_t share = 0;
		int src = collections_ratio(amount[k], collected, COLLECTIONS_BP, &share);
		json_array_append_new(by_method, json_pack("{s:s, s:I, s:I, s:o}", "payment_method", methods[k],
			"payments", (json_int_t)count[k], "amount_minor", (json_int_t)amount[k],
			"share_bp", ratio_json(src, share)));
	}
	json_t *reminders = json_pack("{s:I, s:I, s:I, s:o, s:o}",
		"window_days", (json_int_t)(COLLECTIONS_PAY_WINDOW_MS / COLLECTIONS_DAY_MS),
		"reminded_customers", (json_int_t)eff.reminded_customers,
		"paid_customers", (json_int_t)eff.paid_customers,
		"paid_share_bp", eff.has_share ? json_integer(eff.paid_share_bp) : json_null(),
		"median_days_to_payment_x100", eff.has_median ? json_integer(eff.median_days_x100) : json_null());

	char f[11], t[11];
	civil_format_date(from_day, f);
	civil_format_date(to_day, t);
	json_t *o = json_object();
	json_object_set_new(o, "currency", json_string(s->currency));
	json_object_set_new(o, "from", json_string(f));
	json_object_set_new(o, "to", json_string(t));
	json_object_set_new(o, "days", json_integer(ndays));
	json_object_set_new(o, "opening_outstanding_minor", json_integer(opening));
	json_object_set_new(o, "sales_minor", json_integer(d.sales_minor));
	json_object_set_new(o, "collected_minor", json_integer(collected));
	json_object_set_new(o, "closing_outstanding_minor", json_integer(closing));
	json_object_set_new(o, "collection_rate_bp", ratio_json(rate_rc, rate));
	json_object_set_new(o, "days_sales_outstanding_x100", ratio_json(dso_rc, dso));
	json_object_set_new(o, "by_method", by_method);
	json_object_set_new(o, "reminders", reminders);
	return resp_json(r, 200, o);
}
