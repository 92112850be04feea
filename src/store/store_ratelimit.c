/* store_ratelimit.c — see store_ratelimit.h. */
#include <string.h>

#include "store/store_internal.h"
#include "store/store_ratelimit.h"

static int read_locked(struct store_tx *tx, struct rate_bucket_row *out, int *found)
{
	static const char cols[] =
		"SELECT p.requests_per_min, b.units, b.updated_at, b.lease_window, b.leased_now, b.leased_before"
		" FROM rate_buckets b JOIN tenants t ON t.id = b.tenant_id JOIN plans p ON p.name = t.plan"
		" WHERE b.tenant_id = $1";
	static const char sql_pg[] =
		"SELECT p.requests_per_min, b.units, b.updated_at, b.lease_window, b.leased_now, b.leased_before"
		" FROM rate_buckets b JOIN tenants t ON t.id = b.tenant_id JOIN plans p ON p.name = t.plan"
		" WHERE b.tenant_id = $1 FOR UPDATE OF b";
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	/* SQLite has no row locks: its write transaction holds the database. */
	int rc = store_exec(tx, store_is_pg(tx) ? sql_pg : cols, p, 1, &r);
	*found = 0;
	if (rc == STORE_OK && db_res_rows(r) == 1) {
		*found = 1;
		out->requests_per_min = db_res_isnull(r, 0, 0) ? 0 : db_res_int(r, 0, 0);
		out->units = db_res_int(r, 0, 1);
		out->started = out->units >= 0;
		out->updated_at = db_res_int(r, 0, 2);
		out->lease_window = db_res_int(r, 0, 3);
		out->leased_now = db_res_int(r, 0, 4);
		out->leased_before = db_res_int(r, 0, 5);
	}
	db_res_free(r);
	return rc;
}

int store_rate_bucket_lock(struct store_tx *tx, struct rate_bucket_row *out)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int found;
	int rc = read_locked(tx, out, &found);
	if (rc != STORE_OK || found)
		return rc;
	/* No row: a plan without a rate never gets one (nothing to write,
	 * nothing for processes to queue on), and a store that does not
	 * exist is not found. */
	memset(out, 0, sizeof *out);
	rc = store_rate_plan(tx, &out->requests_per_min);
	if (rc != STORE_OK || out->requests_per_min <= 0)
		return rc;
	/* The store's first lease.  Another process may make the row at the
	 * same moment: DO NOTHING, then both read (and lock) the one row. */
	rc = store_exec(tx,
		"INSERT INTO rate_buckets (tenant_id, units, updated_at, lease_window, leased_now, leased_before)"
		" VALUES ($1, -1, 0, 0, 0, 0) ON CONFLICT (tenant_id) DO NOTHING", p, 1, NULL);
	if (rc == STORE_CONFLICT)
		return STORE_NOT_FOUND;
	if (rc != STORE_OK)
		return rc;
	rc = read_locked(tx, out, &found);
	if (rc == STORE_OK && !found)
		rc = STORE_NOT_FOUND;
	return rc;
}

int store_rate_bucket_save(struct store_tx *tx, const struct rate_bucket_row *row)
{
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_INT(row->units), DB_INT(row->updated_at),
		DB_INT(row->lease_window), DB_INT(row->leased_now), DB_INT(row->leased_before) };
	int rc = store_exec(tx,
		"UPDATE rate_buckets SET units = $2, updated_at = $3, lease_window = $4, leased_now = $5,"
		" leased_before = $6 WHERE tenant_id = $1", p, 6, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_rate_plan(struct store_tx *tx, int64_t *requests_per_min)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id) };
	int rc = store_one_row(store_exec(tx,
		"SELECT p.requests_per_min FROM tenants t JOIN plans p ON p.name = t.plan WHERE t.id = $1",
		p, 1, &r), &r);
	if (rc == STORE_OK)
		*requests_per_min = db_res_isnull(r, 0, 0) ? 0 : db_res_int(r, 0, 0);
	db_res_free(r);
	return rc;
}
