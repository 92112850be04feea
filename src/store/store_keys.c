/* store_keys.c — see store_keys.h. */
#include <string.h>

#include "store/store_internal.h"
#include "store/store_keys.h"
#include "store/store_tenants.h"

int store_keys_sealed_list(struct store_tx *tx, struct arena *a,
	struct sealed_secrets_rec **out, int *n)
{
	struct db_res *tenants = NULL;
	*out = arena_alloc(a, sizeof **out);
	*n = 0;
	/* tenants is a platform table: visible without a tenant scope. */
	int rc = store_exec(tx, "SELECT id, slug FROM tenants ORDER BY slug", NULL, 0, &tenants);
	if (rc != STORE_OK)
		return rc;
	int rows = db_res_rows(tenants);
	struct sealed_secrets_rec *list = arena_alloc(a, sizeof *list * (size_t)(rows ? rows : 1));
	const char *sql = store_is_pg(tx)
		? "SELECT whatsapp_secret_sealed FROM tenant_settings WHERE tenant_id = $1"
		  " AND whatsapp_secret_sealed IS NOT NULL FOR UPDATE"
		: "SELECT whatsapp_secret_sealed FROM tenant_settings WHERE tenant_id = $1"
		  " AND whatsapp_secret_sealed IS NOT NULL";
	for (int i = 0; rc == STORE_OK && i < rows; i++) {
		struct db_res *r = NULL;
		char *id = store_dup(a, tenants, i, 0);
		rc = store_tx_enter_tenant(tx, id);
		if (rc != STORE_OK)
			break;
		struct db_param p[] = { DB_TEXT(id) };
		rc = store_exec(tx, sql, p, 1, &r);
		if (rc == STORE_OK && db_res_rows(r) == 1) {
			list[*n].tenant_id = id;
			list[*n].slug = store_dup(a, tenants, i, 1);
			list[*n].sealed = store_dup(a, r, 0, 0);
			(*n)++;
		}
		db_res_free(r);
	}
	db_res_free(tenants);
	if (rc == STORE_OK)
		*out = list;
	else
		*n = 0;
	return rc;
}

int store_keys_sealed_replace(struct store_tx *tx, const char *tenant_id, const char *sealed)
{
	int rc = store_tx_enter_tenant(tx, tenant_id);
	if (rc != STORE_OK)
		return rc;
	struct db_param p[] = { DB_TEXT(tenant_id), DB_TEXT(sealed) };
	rc = store_exec(tx, "UPDATE tenant_settings SET whatsapp_secret_sealed = $2"
		" WHERE tenant_id = $1 AND whatsapp_secret_sealed IS NOT NULL", p, 2, NULL);
	if (rc != STORE_OK)
		return rc;
	store_member_touch(tx, tenant_id);
	return db_changes(tx->conn) == 1 ? STORE_OK : STORE_NOT_FOUND;
}
