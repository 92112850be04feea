/*
 * store_keys.h — every store's sealed provider secrets, for
 * `quantumtrack keys rotate` (cli/keys.c): read them all and write them
 * back re-sealed inside one platform write transaction, so a rotation
 * changes every store or none.
 *
 * Under PostgreSQL's Row Level Security a platform transaction sees no
 * tenant rows; these functions enter each store in turn
 * (store_tx_enter_tenant), as creating a store does, so they need no
 * privilege beyond the app role's and never switch qt.all_tenants on.
 */
#ifndef QT_STORE_KEYS_H
#define QT_STORE_KEYS_H

#include "store/store.h"

struct sealed_secrets_rec {
	char *tenant_id, *slug;
	char *sealed;               /* tenant_settings.whatsapp_secret_sealed */
};

/*
 * Every store that has sealed secrets, ordered by slug, as an arena array
 * in *out (never NULL) with *n entries.  tx must be a platform write
 * transaction; the rows read stay locked (FOR UPDATE on PostgreSQL; SQLite
 * holds its write lock) until it ends.  Afterwards tx is scoped to the last
 * store entered.
 */
QT_MUST_CHECK int store_keys_sealed_list(struct store_tx *tx, struct arena *a,
	struct sealed_secrets_rec **out, int *n);

/*
 * Replace one store's sealed secrets with `sealed` (not NULL).  Enters
 * the store, so tx is scoped to it afterwards and store_audit() writes to
 * its chain.  STORE_NOT_FOUND when it has no settings row.
 */
QT_MUST_CHECK int store_keys_sealed_replace(struct store_tx *tx, const char *tenant_id,
	const char *sealed);

#endif
