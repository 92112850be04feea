/*
 * store_export.h — one tenant's customers, entries, reminders or audit
 * rows for the CSV exports, read through a cursor a batch at a time, so
 * that an export of a million entries holds one batch in memory, never
 * the whole result (store/db.h: db_cursor_*).
 *
 * The cursor reads inside the caller's tenant transaction and so from its
 * snapshot: a export is one consistent moment of the store, however long
 * it takes to send.  Rows come oldest first, in an order that never
 * changes between runs:
 *   customers     created_at, id         (the range is on created_at)
 *   transactions  occurred_at, id        (on occurred_at, business time)
 *   reminders     created_at, id         (on created_at)
 *   audit         seq                    (on created_at)
 * Strings in the batch's records come from the arena passed to
 * store_export_next and live as long as it.
 */
#ifndef QT_STORE_EXPORT_H
#define QT_STORE_EXPORT_H

#include "store/store.h"
#include "store/store_customers.h"
#include "store/store_entries.h"
#include "store/store_reminders.h"

enum export_kind { EXPORT_CUSTOMERS, EXPORT_TRANSACTIONS, EXPORT_REMINDERS, EXPORT_AUDIT };

struct export_query {
	enum export_kind kind;
	int64_t from_ms, to_ms;       /* [from_ms, to_ms); INT64_MIN and INT64_MAX when open */
	/* customers: lots that occurred after this are still within the
	 * credit period (now - credit_period_days), see recent_minor. */
	int64_t not_due_after_ms;
};

struct export_customer_row {
	struct customer_rec c;      /* every field but last_*_at and updated_at */
	/* What the customer bought (purchases and positive adjustments, not
	 * reversed) after not_due_after_ms: under FIFO the open lots are the
	 * newest, so the overdue amount is max(0, balance - recent), as in
	 * store_report_owing.  0 when the balance is not positive. */
	int64_t recent_minor;
};

struct export_entry_row {
	struct entry_rec e;         /* id, customer_id, type, amount_minor, occurred_at,
				       created_at, created_by, note, payment_method,
				       payment_reference, reverses_id */
	char *customer_name, *phone, *apartment;   /* the customer's, now */
};

struct export_reminder_row {
	struct reminder_rec m;      /* every field */
	char *customer_name, *phone, *apartment;
};

/* One batch: n rows in the array of the query's kind (the others NULL). */
struct export_batch {
	int n;
	struct export_customer_row *customers;
	struct export_entry_row *entries;
	struct export_reminder_row *reminders;
	struct audit_row *audit;
};

struct store_export;

/* Open the cursor in tx (a tenant transaction, which must stay open until
 * store_export_close).  Returns a STORE_* code; *out is set on STORE_OK. */
QT_MUST_CHECK int store_export_open(struct store_tx *tx, const struct export_query *q,
	struct store_export **out);
/* The next rows, at most max_rows (> 0), into *out; out->n is below
 * max_rows only at the end (0 once everything was read).  Returns a STORE_*
 * code (STORE_OVERFLOW when a customer's recent lots add up past int64);
 * after an error the cursor can only be closed. */
QT_MUST_CHECK int store_export_next(struct store_export *x, int max_rows, struct arena *a,
	struct export_batch *out);
/* Close the cursor (before its transaction ends) and free it; NULL is
 * fine.  The transaction stays open: it is the caller's. */
void store_export_close(struct store_export *x);

#endif
