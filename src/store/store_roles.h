/*
 * store_roles.h — the PostgreSQL role the server connects as.
 *
 * The schema (schema_postgres.c) grants quantumtrack_app what the server
 * needs and nothing more; this gives it a password so that it can log in,
 * which `quantumtrack migrate --app-password-stdin` does.
 */
#ifndef QT_STORE_ROLES_H
#define QT_STORE_ROLES_H

#include <stddef.h>

#include "store/store.h"

#define STORE_APP_ROLE "quantumtrack_app"

/*
 * Make quantumtrack_app a login role with this password, creating it
 * (NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE) when it does not exist.
 * Only the SCRAM-SHA-256 verifier, computed here, goes to the server: the
 * password is in no statement or log line.  The connection's role needs
 * CREATEROLE (or to be a superuser).  Returns STORE_OK, or STORE_ERROR with
 * a message in err (also on SQLite, which has no roles).
 */
QT_MUST_CHECK int store_app_role_password(struct store *s, const char *password, char *err, size_t errlen);

#endif
