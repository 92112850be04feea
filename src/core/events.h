/*
 * events.h — what the live event stream (GET /api/v1/events) says about a
 * change, written in the change's own transaction next to its audit row.
 *
 * Each function builds the event's data (a JSON object with the entity's
 * id and the figures the change moved, so a client sets them rather than
 * adding deltas) and appends it with store_event_append.  Call them after
 * the change's store_audit, inside the same tenant write transaction;
 * they return a STORE_* code, and a failure must fail the change.
 *
 * Types: entry.created, entry.reversed, customer.created,
 * customer.updated, customer.archived, reminder.created, reminder.updated,
 * summary.changed.
 */
#ifndef QT_CORE_EVENTS_H
#define QT_CORE_EVENTS_H

#include "store/store_customers.h"
#include "store/store_entries.h"
#include "store/store_reminders.h"

/* entry.created, or entry.reversed for a reversal (its id, reverses_id),
 * with customer_id and the customer's new balance_minor; then
 * summary.changed with the store's outstanding_minor and customers_owing
 * (read inside tx, after the change). */
int events_entry(struct store_tx *tx, const struct entry_rec *e);

/* type is customer.created, customer.updated or customer.archived: the
 * customer's id, name, phone, apartment, status, balance_minor and
 * reminders_opt_out as they now stand. */
int events_customer(struct store_tx *tx, const char *type, const struct customer_rec *c);

/* type is reminder.created or reminder.updated: id, customer_id, kind,
 * channel, status (and entry_id for a receipt). */
int events_reminder(struct store_tx *tx, const char *type, const struct reminder_rec *m);

/* A CSV import (kind customers or transactions, rows in the file, created
 * rows; import_id its audit row's id) is one summary.changed with cause
 * import.completed and the store's new outstanding figures, not one event
 * per row: clients reload what they show. */
int events_import(struct store_tx *tx, const char *import_id, const char *kind, int64_t rows,
	int64_t created);

#endif
