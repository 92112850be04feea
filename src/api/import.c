/*
 * import.c — POST /api/v1/import/customers and /api/v1/import/transactions:
 * a text/csv body read as it arrives (core/import.c keeps the rows, not
 * the bytes), checked and written in the request's one transaction: all
 * rows or none.  ?dry_run=true goes through the same writes and rolls
 * them back.
 *
 * The body is taken by a sink set up before authentication (the head is
 * all there is then), up to QT_IMPORT_LIMIT; the handler, once the caller
 * is known, decides whether any of it is used.
 */
#include <string.h>
#include <strings.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/import.h"
#include "domain/plan.h"
#include "store/store_plans.h"
#include "util/clock.h"

/* "text/csv", optionally with parameters; a charset, when given, must be
 * UTF-8.  1 when the body is CSV we read, 0 when not CSV, -1 when the
 * charset is another. */
static int csv_type(const char *ct)
{
	if (!ct)
		return 0;
	while (*ct == ' ')
		ct++;
	if (strncasecmp(ct, "text/csv", 8) != 0 || (ct[8] && ct[8] != ';' && ct[8] != ' '))
		return 0;
	const char *cs = strcasestr(ct + 8, "charset=");
	if (!cs)
		return 1;
	cs += 8;
	if (*cs == '"')
		cs++;
	return strncasecmp(cs, "utf-8", 5) == 0 || strncasecmp(cs, "utf8", 4) == 0 ? 1 : -1;
}

static int sink_write(void *cls, const char *data, size_t n)
{
	return import_file_feed(cls, data, n);
}

/* Not CSV: none of it is kept (the handler answers 415). */
static int sink_discard(void *cls, const char *data, size_t n)
{
	(void)cls;
	(void)data;
	(void)n;
	return -1;
}

static void prepare(struct req *r, enum import_kind kind)
{
	r->body_cap = r->app->cfg.import_limit;
	if (csv_type(req_header(r, "Content-Type")) == 1) {
		r->sink.write = sink_write;
		r->sink.cls = import_file_new(kind, r->arena);
	} else {
		r->sink.write = sink_discard;
		r->sink.cls = NULL;
	}
}

void api_import_prepare_customers(struct req *r)
{
	prepare(r, IMPORT_CUSTOMERS);
}

void api_import_prepare_transactions(struct req *r)
{
	prepare(r, IMPORT_TRANSACTIONS);
}

static json_t *errors_json(const struct import_result *res)
{
	json_t *a = json_array();
	for (int i = 0; i < res->nerrors; i++) {
		const struct import_error *e = &res->errors[i];
		json_array_append_new(a, json_pack("{s:I, s:o, s:s, s:s}", "line", (json_int_t)e->line,
			"column", e->column ? json_string(e->column) : json_null(), "code", e->code,
			"message", e->message));
	}
	return a;
}

static int run(struct req *r, enum import_kind kind)
{
	struct import_result res;
	struct plan_rec plan;
	int dry_run = 0;

	if (api_require_feature(r, "csv_import") < 0)
		return -1;
	int type = csv_type(req_header(r, "Content-Type"));
	if (type < 0)
		return req_fail(r, 415, "unsupported_media_type",
			"the CSV must be UTF-8: send Content-Type: text/csv; charset=utf-8 (save the file as \"CSV UTF-8\")");
	struct import_file *f = r->sink.cls;
	if (type == 0 || !f || import_file_kind(f) != kind)
		return req_fail(r, 415, "unsupported_media_type",
			"the body must be a CSV file: send it with Content-Type: text/csv");
	if (api_query_bool(r, "dry_run", &dry_run) < 0)
		return -1;
	struct import_options o = { .now_ms = clock_now_ms(), .customer_limit = -1 };
	int rc;
	if (kind == IMPORT_CUSTOMERS) {
		rc = store_plan_get(r->tx, r->caller.plan, r->arena, &plan);
		if (rc != STORE_OK)
			return api_store_fail(r, rc, "plan");
		o.customer_limit = plan.customer_limit;
		o.no_own_credit_limits = !(r->caller.plan_features & PLAN_FEATURE_BIT(FEATURE_CREDIT_LINES));
	}
	rc = import_run(r->tx, api_settings(r), f, &o, r->arena, &res);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	if (res.nerrors || res.error_count) {
		req_failf(r, 422, "import_failed", "%llu error%s in the file; nothing was imported%s",
			(unsigned long long)res.error_count, res.error_count == 1 ? "" : "s",
			res.error_count > (uint64_t)res.nerrors ? " (the first 1000 are listed)" : "");
		r->problem.errors = errors_json(&res);
		req_problem_extra(r, "dry_run", json_boolean(dry_run));
		req_problem_extra(r, "rows", json_integer((json_int_t)res.rows));
		req_problem_extra(r, "error_count", json_integer((json_int_t)res.error_count));
		return -1;
	}
	json_t *body = json_pack("{s:b, s:I, s:I, s:[]}", "dry_run", dry_run, "rows",
		(json_int_t)res.rows, "created", (json_int_t)res.created, "errors");
	/* A dry run did every write the real one would; none of it stays
	 * (nor the Idempotency-Key's claim: a dry run may be repeated). */
	if (dry_run)
		store_rollback(req_take_tx(r));
	return resp_json(r, 200, body);
}

int h_import_customers(struct req *r)
{
	return run(r, IMPORT_CUSTOMERS);
}

int h_import_transactions(struct req *r)
{
	return run(r, IMPORT_TRANSACTIONS);
}
