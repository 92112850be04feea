/*
 * store_operators.h — the platform's operators: the people who manage
 * stores and plans and see no ledger.  Their sign-in and sessions are in
 * store_sessions.h.
 *
 * Platform transactions.  On PostgreSQL the app role can read neither
 * operators nor operator_sessions: what reads them runs in SECURITY
 * DEFINER functions, and no password hash ever leaves the database.
 * Strings in returned records come from the arena `a` and live as long
 * as it.  Every function returns STORE_OK or a negative STORE_* code.
 */
#ifndef QT_STORE_OPERATORS_H
#define QT_STORE_OPERATORS_H

#include "store/store.h"

struct operator_rec {
	char *id, *email, *name;
};

/* Add an operator, into *out.  A platform change (store_tenants.h): on
 * PostgreSQL only the owner role may (the CLI).  STORE_CONFLICT when the
 * email is taken. */
QT_MUST_CHECK int store_operator_create(struct store_tx *tx, const char *email, const char *name,
	const char *password_hash, struct arena *a, struct operator_rec *out);
/* The settings of the operator's stored password hash, all but the hash
 * itself (see password_hash_with_settings()), into *settings from a.
 * STORE_NOT_FOUND when there is no such operator or the stored hash is not
 * argon2id. */
QT_MUST_CHECK int store_operator_password_settings(struct store_tx *tx, const char *email, struct arena *a,
	char **settings);

#endif
