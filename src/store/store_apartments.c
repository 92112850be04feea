/* store_apartments.c — see store_apartments.h. */
#include "store/store_apartments.h"
#include "store/store_internal.h"
#include "util/clock.h"

#define APARTMENT_COLS "number, tower, floor, unit, occupant_name, occupancy, notes, created_at, updated_at"

static void apartment_from_row(struct arena *a, struct db_res *r, int i, struct apartment_rec *ap)
{
	ap->number = store_dup(a, r, i, 0);
	ap->tower = db_res_int(r, i, 1);
	ap->floor = db_res_int(r, i, 2);
	ap->unit = db_res_int(r, i, 3);
	ap->occupant_name = store_dup(a, r, i, 4);
	ap->occupancy = store_dup(a, r, i, 5);
	ap->notes = store_dup(a, r, i, 6);
	ap->created_at = db_res_int(r, i, 7);
	ap->updated_at = db_res_int(r, i, 8);
}

int store_apartment_get(struct store_tx *tx, const char *number, struct arena *a,
	struct apartment_rec *out)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), DB_TEXT(number) };
	int rc = store_exec(tx, "SELECT " APARTMENT_COLS " FROM apartments WHERE tenant_id = $1 AND number = $2",
		p, 2, &r);
	if (rc == STORE_OK && db_res_rows(r) != 1)
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK)
		apartment_from_row(a, r, 0, out);
	db_res_free(r);
	return rc;
}

int store_apartment_insert(struct store_tx *tx, const struct apartment_rec *ap)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(ap->number), DB_INT(ap->tower), DB_INT(ap->floor),
		DB_INT(ap->unit), DB_TEXT(ap->occupant_name), DB_TEXT(ap->occupancy), DB_TEXT(ap->notes),
		DB_INT(clock_now_ms()),
	};
	return store_exec(tx,
		"INSERT INTO apartments (tenant_id, number, tower, floor, unit, occupant_name, occupancy,"
		" notes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
		p, 9, NULL);
}

int store_apartment_update(struct store_tx *tx, const struct apartment_rec *ap)
{
	struct db_param p[] = {
		DB_TEXT(tx->tenant_id), DB_TEXT(ap->number), DB_TEXT(ap->occupant_name),
		DB_TEXT(ap->occupancy), DB_TEXT(ap->notes), DB_INT(clock_now_ms()),
	};
	int rc = store_exec(tx,
		"UPDATE apartments SET occupant_name = $3, occupancy = $4, notes = $5, updated_at = $6"
		" WHERE tenant_id = $1 AND number = $2", p, 6, NULL);
	if (rc != STORE_OK)
		return rc;
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}

int store_apartment_list(struct store_tx *tx, int64_t tower, int64_t floor,
	const char *after, int limit, struct arena *a, struct apartment_rec **out, int *n)
{
	struct db_res *r = NULL;
	struct db_param p[] = { DB_TEXT(tx->tenant_id), store_opt_int(tower >= 0, tower),
		store_opt_int(floor >= 0, floor), DB_TEXT(after), DB_INT(limit) };
	int rc = store_exec(tx,
		"SELECT " APARTMENT_COLS " FROM apartments WHERE tenant_id = $1"
		" AND (tower = $2 OR $2 IS NULL) AND (floor = $3 OR $3 IS NULL)"
		" AND (number > $4 OR $4 IS NULL) ORDER BY number LIMIT $5", p, 5, &r);
	if (rc == STORE_OK) {
		*n = db_res_rows(r);
		*out = arena_alloc(a, sizeof **out * (size_t)(*n ? *n : 1));
		for (int i = 0; i < *n; i++)
			apartment_from_row(a, r, i, &(*out)[i]);
	}
	db_res_free(r);
	return rc;
}
