/* store_roles.c — see store_roles.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "store/store_internal.h"
#include "store/store_roles.h"

/* The verifier rides in a transaction-local setting, and format('%L')
 * quotes it: no string is pasted into SQL here. */
static const char set_password[] =
	"DO $$ DECLARE v text := current_setting('qt.app_role_verifier'); BEGIN"
	"  IF EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = '" STORE_APP_ROLE "') THEN"
	"    EXECUTE format('ALTER ROLE %I WITH LOGIN PASSWORD %L', '" STORE_APP_ROLE "', v);"
	"  ELSE"
	"    EXECUTE format('CREATE ROLE %I WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
	" PASSWORD %L', '" STORE_APP_ROLE "', v);"
	"  END IF;"
	"  PERFORM set_config('qt.app_role_verifier', '', true);"
	"END $$";

int store_app_role_password(struct store *s, const char *password, char *err, size_t errlen)
{
	struct store_tx *tx;
	char *verifier = NULL;

	if (store_dialect(s) != DB_POSTGRES) {
		snprintf(err, errlen, "SQLite has no database roles: an app password is for PostgreSQL");
		return STORE_ERROR;
	}
	int rc = store_begin_platform(s, 1, NULL, &tx);
	if (rc != STORE_OK) {
		snprintf(err, errlen, "cannot reach the database");
		return rc;
	}
	verifier = db_pg_password_verifier(tx->conn, STORE_APP_ROLE, password);
	if (!verifier) {
		snprintf(err, errlen, "%s", db_conn_error(tx->conn));
		store_rollback(tx);
		return STORE_ERROR;
	}
	struct db_param p[] = { DB_TEXT(verifier) };
	rc = store_map(db_exec(tx->conn, "SELECT set_config('qt.app_role_verifier', $1, true)", p, 1, NULL));
	if (rc == STORE_OK)
		rc = store_map(db_exec_script(tx->conn, set_password));
	sodium_memzero(verifier, strlen(verifier));
	free(verifier);
	if (rc != STORE_OK) {
		/* The first line says why; the rest is context. */
		snprintf(err, errlen, "%s", db_conn_error(tx->conn));
		err[strcspn(err, "\n")] = '\0';
		store_rollback(tx);
		return STORE_ERROR;
	}
	rc = store_commit(tx);
	if (rc != STORE_OK)
		snprintf(err, errlen, "commit failed");
	return rc;
}
