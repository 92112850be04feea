/* store_plans.c — see store_plans.h. */
#include "store/store_internal.h"
#include "store/store_plans.h"

#define PLAN_COLS "name, customer_limit, storage_mb, requests_per_min, features"

static void plan_from_row(struct arena *a, const struct db_res *r, int row, struct plan_rec *p)
{
	p->name = store_dup(a, r, row, 0);
	p->customer_limit = db_res_isnull(r, row, 1) ? -1 : db_res_int(r, row, 1);
	p->storage_mb = db_res_int(r, row, 2);
	p->requests_per_min = db_res_isnull(r, row, 3) ? -1 : db_res_int(r, row, 3);
	p->features = store_dup(a, r, row, 4);
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
