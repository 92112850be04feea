/* store_plans.c — see store_plans.h. */
#include "store/store_internal.h"
#include "store/store_plans.h"
#include "util/clock.h"

#define PLAN_COLS "name, customer_limit, storage_mb, requests_per_min, features, created_at, updated_at"

static void plan_from_row(struct arena *a, const struct db_res *r, int row, struct plan_rec *p)
{
	p->name = store_dup(a, r, row, 0);
	p->customer_limit = db_res_isnull(r, row, 1) ? -1 : db_res_int(r, row, 1);
	p->storage_mb = db_res_int(r, row, 2);
	p->requests_per_min = db_res_isnull(r, row, 3) ? -1 : db_res_int(r, row, 3);
	p->features = store_dup(a, r, row, 4);
	p->created_at = db_res_int(r, row, 5);
	p->updated_at = db_res_int(r, row, 6);
}

int store_plan_get(struct store_tx *tx, const char *name, struct arena *a, struct plan_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(name) };
	int rc = store_one_row(store_exec(tx,
		"SELECT " PLAN_COLS " FROM plans WHERE name = $1", p, 1, &r), &r);
	if (rc == STORE_OK)
		plan_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_plan_list(struct store_tx *tx, struct arena *a, struct plan_rec **out, int *n)
{
	struct db_res *r = NULL;
	*out = NULL;
	*n = 0;
	int rc = store_exec(tx,
		"SELECT " PLAN_COLS " FROM plans ORDER BY COALESCE(customer_limit, 1000000000)",
		NULL, 0, &r);
	if (rc == STORE_OK) {
		int rows = db_res_rows(r);
		*out = arena_alloc(a, sizeof **out * (size_t)rows);
		for (int i = 0; i < rows; i++)
			plan_from_row(a, r, i, &(*out)[i]);
		*n = rows;
	}
	db_res_free(r);
	return rc;
}

/* -1 (unlimited) is NULL in the table. */
static struct db_param limit_param(int64_t v)
{
	return store_opt_int(v >= 0, v);
}

int store_plan_create(struct store_tx *tx, const struct plan_rec *p)
{
	struct db_param v[] = { DB_TEXT(p->name), limit_param(p->customer_limit), DB_INT(p->storage_mb),
		limit_param(p->requests_per_min), DB_TEXT(p->features), DB_INT(clock_now_ms()) };
	store_member_touch(tx, NULL);
	return store_exec(tx, store_is_pg(tx)
		? "SELECT qt_plan_create($1, $2, $3, $4, $5, $6)"
		: "INSERT INTO plans (name, customer_limit, storage_mb, requests_per_min, features, created_at,"
		  " updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)", v, 6, NULL);
}

int store_plan_update(struct store_tx *tx, const struct plan_rec *p)
{
	struct db_param v[] = { DB_TEXT(p->name), limit_param(p->customer_limit), DB_INT(p->storage_mb),
		limit_param(p->requests_per_min), DB_TEXT(p->features), DB_INT(clock_now_ms()) };
	struct db_res *r = NULL;
	int rc;
	store_member_touch(tx, NULL);
	if (store_is_pg(tx)) {
		rc = store_one_row(store_exec(tx, "SELECT qt_plan_update($1, $2, $3, $4, $5, $6)", v, 6, &r), &r);
		if (rc == STORE_OK && db_res_int(r, 0, 0) != 1)
			rc = STORE_NOT_FOUND;
		db_res_free(r);
		return rc;
	}
	rc = store_exec(tx, "UPDATE plans SET customer_limit = $2, storage_mb = $3, requests_per_min = $4,"
		" features = $5, updated_at = MAX(updated_at + 1, $6) WHERE name = $1", v, 6, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_plan_delete(struct store_tx *tx, const char *name)
{
	struct db_param v[] = { DB_TEXT(name) };
	struct db_res *r = NULL;
	int rc;
	store_member_touch(tx, NULL);
	if (store_is_pg(tx)) {
		rc = store_one_row(store_exec(tx, "SELECT qt_plan_delete($1)", v, 1, &r), &r);
		if (rc == STORE_OK && db_res_int(r, 0, 0) != 1)
			rc = STORE_NOT_FOUND;
		db_res_free(r);
		return rc;
	}
	rc = store_exec(tx, "DELETE FROM plans WHERE name = $1", v, 1, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_plan_tenant_count(struct store_tx *tx, const char *name, int64_t *count)
{
	struct db_param v[] = { DB_TEXT(name) };
	struct db_res *r = NULL;
	int rc = store_one_row(store_exec(tx, "SELECT COUNT(*) FROM tenants WHERE plan = $1", v, 1, &r), &r);
	*count = rc == STORE_OK ? db_res_int(r, 0, 0) : 0;
	db_res_free(r);
	return rc;
}
