/*
 * store_import.h — the bulk writes of a CSV import (core/import.c): many
 * customers, entries and audit rows in one tenant write transaction.
 *
 * The records come complete (ids, derived fields, balances after); these
 * functions only write them, in the order given, scoped by the
 * transaction's tenant like every store function.  On PostgreSQL rows go
 * in batches (one statement per few hundred rows, arrays unnested), so an
 * import of many thousands of rows does not pay a round trip per row; on
 * SQLite, in process, each row is one cached statement.
 */
#ifndef QT_STORE_IMPORT_H
#define QT_STORE_IMPORT_H

#include <stddef.h>

#include "store/store.h"
#include "store/store_customers.h"
#include "store/store_entries.h"

/* Insert n new customers as they are: status ("active" or "archived";
 * NULL is active), reminders_opt_out, created_at (also updated_at and
 * last_activity_at), balance 0.  STORE_CONFLICT when an id or an active
 * customer's phone is taken. */
QT_MUST_CHECK int store_import_customers(struct store_tx *tx, const struct customer_rec *c, size_t n);

/* Insert n entries as they are (every column of struct entry_rec but
 * reversed_by_id).  An entry may reverse one earlier in the array.
 * STORE_CONFLICT when an id is taken or an entry is reversed twice. */
QT_MUST_CHECK int store_import_entries(struct store_tx *tx, const struct entry_rec *e, size_t n);

/* The archived customers with this E.164 phone, newest first: their ids
 * into *ids (arena), *n of them.  (An archived customer's history can be
 * imported as long as it ends at a zero balance.) */
QT_MUST_CHECK int store_import_archived_by_phone(struct store_tx *tx, const char *phone, struct arena *a,
	char ***ids, int *n);

/* One audit row to append: as store_audit's arguments (before is none),
 * the payload already serialized as store_audit serializes it (compact,
 * keys sorted), so no JSON is built here. */
struct import_audit {
	const char *action, *entity, *entity_id;
	const char *after_text;
};

/* Append n rows to the tenant's audit chain, in order, exactly as n calls
 * of store_audit would (same canonical text and hash chain; verify checks
 * them alike), holding the chain head once. */
QT_MUST_CHECK int store_import_audit(struct store_tx *tx, const struct import_audit *rows, size_t n);

#endif
