/*
 * export.c — GET /api/v1/export/{customers,transactions,reminders,audit}.csv:
 * the store's data as CSV files (core/export.h), streamed from a cursor
 * over the request's own read transaction.  Admins and owners, on plans
 * with csv_export.  ?from&to are local dates, inclusive; ?bom=1 starts
 * the file with a UTF-8 BOM.
 *
 * The handler checks everything that can fail up front (role, plan,
 * parameters, the cursor opening, the first batch of rows) so those answer
 * as problems; then it
 * takes the transaction (req_take_tx) and hands it to the stream, whose
 * done() closes the cursor and ends the transaction, whether the file was
 * sent whole or the client went away.  A store error in the middle cuts
 * the response off (the client sees an incomplete chunked body, never a
 * file that looks complete).
 */
#include <stdlib.h>
#include <string.h>

#include "api/common.h"
#include "api/handlers.h"
#include "core/export.h"
#include "util/clock.h"
#include "util/log.h"

#define CSV_TYPE "text/csv; charset=utf-8"

struct export_job {
	struct store_tx *tx;
	struct export_stream *stream;
	char tenant_slug[64];
	enum export_kind kind;
};

static long job_read(void *cls, struct http_stream *h, char *out, size_t max)
{
	struct export_job *j = cls;
	(void)h;
	long n = export_stream_read(j->stream, out, max);
	if (n > 0)
		return n;
	if (n == 0)
		return RESP_STREAM_END;
	log_error("export %s of %s: the store could not be read (code %ld); response cut off",
		export_kind_name(j->kind), j->tenant_slug, n);
	return RESP_STREAM_ERROR;
}

/* The export changed nothing: its transaction is rolled back, also when
 * it completed. */
static void job_done(void *cls, int completed)
{
	struct export_job *j = cls;
	(void)completed;
	export_stream_close(j->stream);
	store_rollback(j->tx);
	free(j);
}

static const struct resp_stream_ops job_ops = { .read = job_read, .done = job_done };

static int export_csv(struct req *r, enum export_kind kind)
{
	const struct settings_rec *s = api_settings(r);
	int64_t from_ms = INT64_MIN, to_ms = INT64_MAX, from_day, to_day;
	int bom = 0;

	if (api_require_feature(r, "csv_export") < 0)
		return -1;
	int hf = api_query_date(r, "from", &from_day);
	int ht = api_query_date(r, "to", &to_day);
	if (hf < 0 || ht < 0)
		return -1;
	if (hf > 0 && ht > 0 && from_day > to_day)
		return req_fail_field(r, 400, "invalid_parameter", "from", "must not be after to");
	if (api_query_local_range(r, s->timezone, &from_ms, &to_ms) < 0)
		return -1;
	if (api_query_bool(r, "bom", &bom) < 0)
		return -1;

	struct export_format fmt;
	struct export_stream *stream;
	export_format_init(&fmt, s, clock_now_ms());
	int rc = export_stream_open(r->tx, kind, &fmt, from_ms, to_ms, bom, &stream);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	/* A store error in the first batch still gets a problem answer. */
	rc = export_stream_prime(stream);
	if (rc != STORE_OK) {
		export_stream_close(stream);
		if (rc == STORE_OVERFLOW && kind == EXPORT_CUSTOMERS)
			return api_overflow(r, "a customer's purchases within the credit period", "overdue_minor", NULL);
		return api_store_fail(r, rc, NULL);
	}

	char name[160];
	export_filename(name, sizeof name, r->caller.tenant_slug, kind,
		hf > 0 ? req_query(r, "from") : NULL, ht > 0 ? req_query(r, "to") : NULL);
	resp_header(r, "Content-Disposition", arena_printf(r->arena, "attachment; filename=\"%s\"", name));

	struct export_job *j = calloc(1, sizeof *j);
	if (!j)
		abort();
	j->stream = stream;
	j->kind = kind;
	snprintf(j->tenant_slug, sizeof j->tenant_slug, "%s", r->caller.tenant_slug);
	j->tx = req_take_tx(r);
	return resp_stream(r, 200, CSV_TYPE, &job_ops, j);
}

int h_export_customers(struct req *r)
{
	return export_csv(r, EXPORT_CUSTOMERS);
}

int h_export_transactions(struct req *r)
{
	return export_csv(r, EXPORT_TRANSACTIONS);
}

int h_export_reminders(struct req *r)
{
	return export_csv(r, EXPORT_REMINDERS);
}

int h_export_audit(struct req *r)
{
	return export_csv(r, EXPORT_AUDIT);
}
