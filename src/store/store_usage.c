/* store_usage.c — see store_usage.h. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_internal.h"
#include "store/store_tenants.h"
#include "store/store_usage.h"
#include "util/buf.h"

/* ---- storage: SQLite ----
 *
 * SQLite has no row size function, so the estimate is built from the
 * catalog: for each table with a tenant_id column (request counts and the
 * purge markers aside), 24 bytes a row plus each value's size (8 for a
 * number, the byte length of a text or blob, nothing for NULL). */

#define ROW_OVERHEAD_BYTES 24

/* The driver caches a prepared statement by the address of its SQL text
 * (store/db.h), so the statements made here from the catalog are kept, one
 * copy of each text, for the life of the process: a handful per table of
 * the schema. */
static pthread_mutex_t interned_lock = PTHREAD_MUTEX_INITIALIZER;
static char **interned;
static size_t ninterned;

static const char *intern_sql(const char *text)
{
	const char *out = NULL;
	pthread_mutex_lock(&interned_lock);
	for (size_t i = 0; i < ninterned && !out; i++)
		if (strcmp(interned[i], text) == 0)
			out = interned[i];
	if (!out) {
		char **grown = realloc(interned, sizeof *interned * (ninterned + 1));
		char *copy = strdup(text);
		if (!grown || !copy)
			abort();
		interned = grown;
		interned[ninterned++] = copy;
		out = copy;
	}
	pthread_mutex_unlock(&interned_lock);
	return out;
}

static void append_ident(struct buf *b, const char *name)
{
	buf_putc(b, '"');
	for (const char *p = name; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

/* "SELECT tenant_id, <bytes> FROM <table> [WHERE tenant_id = $1] GROUP BY
 * tenant_id" for one table, into b. */
static int sqlite_table_sql(struct store_tx *tx, const char *table, int one_tenant, struct buf *b)
{
	struct db_res *cols = NULL;
	struct db_param p[] = { DB_TEXT(table) };
	int rc = store_exec(tx, "SELECT name FROM pragma_table_info($1) ORDER BY cid", p, 1, &cols);
	if (rc != STORE_OK)
		return rc;
	b->len = 0;
	buf_printf(b, "SELECT tenant_id, COUNT(*) * %d + COALESCE(SUM(0", ROW_OVERHEAD_BYTES);
	for (int i = 0; i < db_res_rows(cols); i++) {
		const char *c = db_res_text(cols, i, 0);
		buf_puts(b, " + COALESCE(CASE typeof(");
		append_ident(b, c);
		buf_puts(b, ") WHEN 'integer' THEN 8 WHEN 'real' THEN 8 ELSE length(CAST(");
		append_ident(b, c);
		buf_puts(b, " AS BLOB)) END, 0)");
	}
	buf_puts(b, "), 0) FROM ");
	append_ident(b, table);
	buf_puts(b, one_tenant ? " WHERE tenant_id = $1 GROUP BY tenant_id" : " GROUP BY tenant_id");
	db_res_free(cols);
	return STORE_OK;
}

static int sqlite_storage_tables(struct store_tx *tx, struct db_res **out)
{
	return store_exec(tx,
		"SELECT m.name FROM sqlite_master m WHERE m.type = 'table'"
		" AND m.name NOT IN ('tenant_purges', 'request_counts_minute', 'request_counts_day')"
		" AND EXISTS (SELECT 1 FROM pragma_table_info(m.name) c WHERE c.name = 'tenant_id')"
		" ORDER BY 1", NULL, 0, out);
}

int store_tenant_storage_bytes(struct store_tx *tx, int64_t *bytes)
{
	struct db_res *r = NULL, *tables = NULL;
	struct buf sql = BUF_INIT;
	int rc;

	*bytes = 0;
	if (store_is_pg(tx)) {
		/* Under RLS the function sees this store's rows only. */
		rc = store_one_row(store_exec(tx,
			"SELECT COALESCE(SUM(s.storage_bytes), 0)::bigint FROM qt_storage_by_tenant() s",
			NULL, 0, &r), &r);
		if (rc == STORE_OK)
			*bytes = db_res_int(r, 0, 0);
		db_res_free(r);
		return rc;
	}
	rc = sqlite_storage_tables(tx, &tables);
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	for (int i = 0; rc == STORE_OK && i < db_res_rows(tables); i++) {
		rc = sqlite_table_sql(tx, db_res_text(tables, i, 0), 1, &sql);
		if (rc == STORE_OK)
			rc = store_exec(tx, intern_sql(sql.data), p, 1, &r);
		if (rc == STORE_OK && db_res_rows(r) == 1)
			*bytes += db_res_int(r, 0, 1);
		db_res_free(r);
		r = NULL;
	}
	buf_release(&sql);
	db_res_free(tables);
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

/* SQLite: every store's storage, table by table, into the figures (sorted
 * by tenant_id). */
static int sqlite_storage_all(struct store_tx *tx, struct tenant_usage_figures *f, int n)
{
	struct db_res *r = NULL, *tables = NULL;
	struct buf sql = BUF_INIT;
	int rc = sqlite_storage_tables(tx, &tables);
	for (int i = 0; rc == STORE_OK && i < db_res_rows(tables); i++) {
		rc = sqlite_table_sql(tx, db_res_text(tables, i, 0), 0, &sql);
		if (rc == STORE_OK)
			rc = store_exec(tx, intern_sql(sql.data), NULL, 0, &r);
		for (int k = 0; rc == STORE_OK && k < db_res_rows(r); k++) {
			struct tenant_usage_figures key = { .tenant_id = (char *)db_res_text(r, k, 0) };
			struct tenant_usage_figures *hit = key.tenant_id
				? bsearch(&key, f, (size_t)n, sizeof *f, cmp_figures) : NULL;
			if (hit)
				hit->storage_bytes += db_res_int(r, k, 1);
		}
		db_res_free(r);
		r = NULL;
	}
	buf_release(&sql);
	db_res_free(tables);
	return rc;
}

int store_usage_all(struct store_tx *tx, int64_t minute, int64_t day, int with_storage,
	struct arena *a, struct tenant_usage_figures **out, int *n)
{
	static const char sql_sqlite[] =
		"SELECT t.id,"
		" COALESCE((SELECT m.requests FROM request_counts_minute m WHERE m.tenant_id = t.id AND m.minute = $1), 0),"
		" COALESCE((SELECT m.requests FROM request_counts_minute m WHERE m.tenant_id = t.id AND m.minute = $1 - 1), 0),"
		" COALESCE((SELECT d.requests FROM request_counts_day d WHERE d.tenant_id = t.id AND d.day = $2), 0),"
		" 0 FROM tenants t ORDER BY t.id";
	static const char sql_pg[] =
		"SELECT u.tenant_id, u.requests_minute, u.requests_prev_minute, u.requests_today, 0"
		" FROM qt_usage_requests($1, $2) u ORDER BY 1";
	static const char sql_pg_storage[] =
		"SELECT u.tenant_id, u.requests_minute, u.requests_prev_minute, u.requests_today,"
		" COALESCE(s.storage_bytes, 0) FROM qt_usage_requests($1, $2) u"
		" LEFT JOIN qt_usage_storage() s ON s.tenant_id = u.tenant_id ORDER BY 1";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_INT(minute), DB_INT(day) };
	int pg = store_is_pg(tx);
	*out = NULL;
	*n = 0;
	int rc = store_exec(tx, !pg ? sql_sqlite : with_storage ? sql_pg_storage : sql_pg, p, 2, &r);
	if (rc != STORE_OK)
		return rc;
	int rows = db_res_rows(r);
	struct tenant_usage_figures *f = arena_alloc(a, sizeof *f * (size_t)(rows ? rows : 1));
	for (int i = 0; i < rows; i++) {
		f[i].tenant_id = store_dup(a, r, i, 0);
		f[i].requests.minute = db_res_int(r, i, 1);
		f[i].requests.prev_minute = db_res_int(r, i, 2);
		f[i].requests.day = db_res_int(r, i, 3);
		f[i].storage_bytes = db_res_int(r, i, 4);
	}
	db_res_free(r);
	/* Sorted by the id's text whatever the engine's order. */
	qsort(f, (size_t)rows, sizeof *f, cmp_figures);
	if (!pg && with_storage)
		rc = sqlite_storage_all(tx, f, rows);
	if (rc != STORE_OK)
		return rc;
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
