/* store_usage.c — see store_usage.h. */
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_tenants.h"
#include "store/store_usage.h"

/* ---- storage ----
 *
 * The same estimate as the storage quota's (store_storage_usage,
 * docs/DOCUMENTS.md): the documents' running total plus the rows
 * estimated from the store's changes, customers and documents. */

static const char storage_sql[] =
	"SELECT COALESCE((SELECT seq FROM audit_heads WHERE tenant_id = $1), 0),"
	" (SELECT COUNT(*) FROM customers WHERE tenant_id = $1),"
	" COALESCE((SELECT documents FROM document_usage WHERE tenant_id = $1), 0),"
	" COALESCE((SELECT bytes FROM document_usage WHERE tenant_id = $1), 0)";

int store_tenant_storage_bytes(struct store_tx *tx, int64_t *bytes)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	*bytes = 0;
	int rc = store_one_row(store_exec(tx, storage_sql, p, 1, &r), &r);
	if (rc == STORE_OK)
		*bytes = db_res_int(r, 0, 3) + store_rows_bytes_estimate(db_res_int(r, 0, 0), db_res_int(r, 0, 1),
			db_res_int(r, 0, 2));
	db_res_free(r);
	return rc;
}

/* ---- request counts ---- */

int store_usage_requests(struct store_tx *tx, int64_t minute, int64_t day, struct request_counts *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(minute), DB_INT(day) };
	memset(out, 0, sizeof *out);
	int rc = store_one_row(store_exec(tx,
		"SELECT"
		" COALESCE((SELECT requests FROM request_counts_minute WHERE tenant_id = $1 AND minute = $2), 0),"
		" COALESCE((SELECT requests FROM request_counts_minute WHERE tenant_id = $1 AND minute = $2 - 1), 0),"
		" COALESCE((SELECT requests FROM request_counts_day WHERE tenant_id = $1 AND day = $3), 0)",
		p, 3, &r), &r);
	if (rc == STORE_OK) {
		out->minute = db_res_int(r, 0, 0);
		out->prev_minute = db_res_int(r, 0, 1);
		out->day = db_res_int(r, 0, 2);
	}
	db_res_free(r);
	return rc;
}

int store_usage_add(struct store_tx *tx, const char *tenant_id, int64_t minute, int64_t requests,
	int64_t keep_from_minute)
{
	int64_t day = minute / (24 * 60);
	int rc = store_tx_enter_tenant(tx, tenant_id);
	if (rc != STORE_OK)
		return rc;
	/* A store deleted since the requests were counted adds nothing. */
	struct db_param pm[] = { DB_TEXT(tenant_id), DB_INT(minute), DB_INT(requests) };
	rc = store_exec(tx,
		"INSERT INTO request_counts_minute (tenant_id, minute, requests)"
		" SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM tenants WHERE id = $1)"
		" ON CONFLICT (tenant_id, minute) DO UPDATE"
		" SET requests = request_counts_minute.requests + excluded.requests", pm, 3, NULL);
	if (rc != STORE_OK)
		return rc;
	struct db_param pd[] = { DB_TEXT(tenant_id), DB_INT(day), DB_INT(requests) };
	rc = store_exec(tx,
		"INSERT INTO request_counts_day (tenant_id, day, requests)"
		" SELECT $1, $2, $3 WHERE EXISTS (SELECT 1 FROM tenants WHERE id = $1)"
		" ON CONFLICT (tenant_id, day) DO UPDATE"
		" SET requests = request_counts_day.requests + excluded.requests", pd, 3, NULL);
	if (rc != STORE_OK)
		return rc;
	struct db_param pk[] = { DB_TEXT(tenant_id), DB_INT(keep_from_minute) };
	return store_exec(tx, "DELETE FROM request_counts_minute WHERE tenant_id = $1 AND minute < $2",
		pk, 2, NULL);
}

/* ---- across stores ---- */

static int cmp_figures(const void *x, const void *y)
{
	return strcmp(((const struct tenant_usage_figures *)x)->tenant_id,
		((const struct tenant_usage_figures *)y)->tenant_id);
}

int store_usage_all(struct store_tx *tx, int64_t minute, int64_t day, int with_storage,
	struct arena *a, struct tenant_usage_figures **out, int *n)
{
	static const char sql_sqlite[] =
		"SELECT t.id,"
		" COALESCE((SELECT m.requests FROM request_counts_minute m WHERE m.tenant_id = t.id AND m.minute = $1), 0),"
		" COALESCE((SELECT m.requests FROM request_counts_minute m WHERE m.tenant_id = t.id AND m.minute = $1 - 1), 0),"
		" COALESCE((SELECT d.requests FROM request_counts_day d WHERE d.tenant_id = t.id AND d.day = $2), 0),"
		" COALESCE((SELECT h.seq FROM audit_heads h WHERE h.tenant_id = t.id), 0),"
		" (SELECT COUNT(*) FROM customers c WHERE c.tenant_id = t.id),"
		" COALESCE((SELECT u.documents FROM document_usage u WHERE u.tenant_id = t.id), 0),"
		" COALESCE((SELECT u.bytes FROM document_usage u WHERE u.tenant_id = t.id), 0)"
		" FROM tenants t ORDER BY t.id";
	static const char sql_pg[] =
		"SELECT u.tenant_id, u.requests_minute, u.requests_prev_minute, u.requests_today, 0, 0, 0, 0"
		" FROM qt_usage_requests($1, $2) u ORDER BY 1";
	/* Under RLS a platform transaction sees no store's rows: the counts
	 * come from definer functions that return numbers only. */
	static const char sql_pg_storage[] =
		"SELECT u.tenant_id, u.requests_minute, u.requests_prev_minute, u.requests_today,"
		" COALESCE(s.changes, 0), COALESCE(s.customers, 0), COALESCE(s.documents, 0),"
		" COALESCE(s.documents_bytes, 0) FROM qt_usage_requests($1, $2) u"
		" LEFT JOIN qt_usage_storage() s ON s.tenant_id = u.tenant_id ORDER BY 1";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_INT(minute), DB_INT(day) };
	*out = NULL;
	*n = 0;
	int rc = store_exec(tx, !store_is_pg(tx) ? sql_sqlite : with_storage ? sql_pg_storage : sql_pg, p, 2, &r);
	if (rc != STORE_OK)
		return rc;
	int rows = db_res_rows(r);
	struct tenant_usage_figures *f = arena_alloc(a, sizeof *f * (size_t)(rows ? rows : 1));
	for (int i = 0; i < rows; i++) {
		f[i].tenant_id = store_dup(a, r, i, 0);
		f[i].requests.minute = db_res_int(r, i, 1);
		f[i].requests.prev_minute = db_res_int(r, i, 2);
		f[i].requests.day = db_res_int(r, i, 3);
		f[i].storage_bytes = with_storage ? db_res_int(r, i, 7) +
			store_rows_bytes_estimate(db_res_int(r, i, 4), db_res_int(r, i, 5), db_res_int(r, i, 6)) : 0;
	}
	db_res_free(r);
	/* Sorted by the id's text whatever the engine's order. */
	qsort(f, (size_t)rows, sizeof *f, cmp_figures);
	*out = f;
	*n = rows;
	return STORE_OK;
}

int store_usage_month(struct store_tx *tx, int64_t first_day, int64_t last_day,
	int64_t from_ms, int64_t to_ms, struct arena *a, struct tenant_month_usage **out, int *n)
{
	static const char sql_sqlite[] =
		"SELECT t.id,"
		" COALESCE((SELECT SUM(d.requests) FROM request_counts_day d"
		"   WHERE d.tenant_id = t.id AND d.day BETWEEN $1 AND $2), 0),"
		" (SELECT COUNT(*) FROM request_counts_day d"
		"   WHERE d.tenant_id = t.id AND d.day BETWEEN $1 AND $2 AND d.requests > 0),"
		" COALESCE((SELECT MAX(d.requests) FROM request_counts_day d"
		"   WHERE d.tenant_id = t.id AND d.day BETWEEN $1 AND $2), 0),"
		" (SELECT COUNT(*) FROM customers c"
		"   WHERE c.tenant_id = t.id AND c.created_at >= $3 AND c.created_at < $4)"
		" FROM tenants t ORDER BY t.id";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_INT(first_day), DB_INT(last_day), DB_INT(from_ms), DB_INT(to_ms) };
	*out = NULL;
	*n = 0;
	int rc = store_exec(tx, store_is_pg(tx)
		? "SELECT tenant_id, requests, active_days, peak_day_requests, customers_added"
		  " FROM qt_usage_month($1, $2, $3, $4) ORDER BY 1"
		: sql_sqlite, p, 4, &r);
	if (rc != STORE_OK)
		return rc;
	int rows = db_res_rows(r);
	struct tenant_month_usage *m = arena_alloc(a, sizeof *m * (size_t)(rows ? rows : 1));
	for (int i = 0; i < rows; i++) {
		m[i].tenant_id = store_dup(a, r, i, 0);
		m[i].requests = db_res_int(r, i, 1);
		m[i].active_days = db_res_int(r, i, 2);
		m[i].peak_day_requests = db_res_int(r, i, 3);
		m[i].customers_added = db_res_int(r, i, 4);
	}
	db_res_free(r);
	*out = m;
	*n = rows;
	return STORE_OK;
}
