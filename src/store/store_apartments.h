/*
 * store_apartments.h — the apartment records of one tenant (occupant,
 * occupancy, notes), keyed by the apartment number TTFFU.  Tenant
 * transaction first; strings in records come from the arena `a`.
 */
#ifndef QT_STORE_APARTMENTS_H
#define QT_STORE_APARTMENTS_H

#include "store/store.h"

struct apartment_rec {
	char *number, *occupant_name, *occupancy, *notes;
	int64_t tower, floor, unit, created_at, updated_at;
};

/* STORE_NOT_FOUND when the tenant has no record for `number`. */
QT_MUST_CHECK int store_apartment_get(struct store_tx *tx, const char *number, struct arena *a,
	struct apartment_rec *out);
/* STORE_CONFLICT when the number has a record already. */
QT_MUST_CHECK int store_apartment_insert(struct store_tx *tx, const struct apartment_rec *ap);
/* Occupant name, occupancy and notes; STORE_NOT_FOUND when no row matched. */
QT_MUST_CHECK int store_apartment_update(struct store_tx *tx, const struct apartment_rec *ap);
/* tower/floor -1 = any; ordered by number; after = keyset (number) or NULL */
QT_MUST_CHECK int store_apartment_list(struct store_tx *tx, int64_t tower, int64_t floor,
	const char *after, int limit, struct arena *a, struct apartment_rec **out, int *n);

#endif
