/*
 * store_reports.h — aggregate reads over one tenant's ledger for the
 * reports API and the dashboard.  Tenant transaction first, as everywhere.
 *
 * A sum that does not fit int64 fails the read with STORE_OVERFLOW (on
 * both backends), never a wrapped or clipped number.
 */
#ifndef QT_STORE_REPORTS_H
#define QT_STORE_REPORTS_H

#include "domain/collections.h"
#include "domain/entry.h"
#include "store/store.h"

struct owing_row {
	char *id, *name, *phone, *apartment;
	int64_t balance_minor;
	int64_t recent_minor;     /* purchases (and positive adjustments) not yet due */
	int64_t oldest_due_at;
	int64_t credit_limit_minor;   /* effective */
};

/* Every customer with a positive balance, with the amount of its lots that
 * occurred after not_due_after_ms (still within the credit period).  Under
 * FIFO settlement the unpaid lots are the newest, so a customer's overdue
 * amount is max(0, balance - recent).  STORE_OVERFLOW when a customer's
 * recent lots add up past int64. */
QT_MUST_CHECK int store_report_owing(struct store_tx *tx, int64_t not_due_after_ms, int64_t default_limit,
	struct arena *a, struct owing_row **out, int *n);

struct flow_totals {
	int64_t purchases_minor, payments_minor;
};
/* Purchases and payments that occurred in [from_ms, to_ms), leaving out
 * entries that were reversed.  STORE_OVERFLOW when either total does not
 * fit int64. */
QT_MUST_CHECK int store_report_flows(struct store_tx *tx, int64_t from_ms, int64_t to_ms, struct flow_totals *out);

struct day_flow_row {
	int64_t occurred_at;
	enum entry_type type;       /* ENTRY_PURCHASE or ENTRY_PAYMENT */
	int64_t amount_minor;
};
/* Purchases and payments that occurred in [from_ms, to_ms), not reversed,
 * oldest first, for per-day totals: *n rows into *out (an arena array,
 * never NULL). */
QT_MUST_CHECK int store_report_entries(struct store_tx *tx, int64_t from_ms, int64_t to_ms,
	struct arena *a, struct day_flow_row **out, int *n);

struct tower_floor_row {
	int64_t tower, floor;
	int64_t customers;          /* customers on the floor who owe */
	int64_t outstanding_minor;  /* what they owe together */
};
/* Outstanding by tower and floor over customers who owe (a customer in
 * credit does not lower a floor's total), ordered by tower and floor: *n
 * rows into *out (an arena array, never NULL).  STORE_OVERFLOW when a
 * floor's total does not fit int64. */
QT_MUST_CHECK int store_report_towers(struct store_tx *tx, struct arena *a,
	struct tower_floor_row **out, int *n);

struct balance_pair {
	int64_t opening_minor;  /* the customer's balance at from_ms */
	int64_t closing_minor;  /* and at to_ms */
};
/* Each customer's balance at two instants, from_ms <= to_ms: the sum of
 * the effects of their entries that occurred before the instant, leaving
 * out reversed entries and reversals (so a reversed entry never happened,
 * as in aging; at any instant after the last entry this is the stored
 * balance).  Customers whose balance is 0 at both instants and who have no
 * entry since from_ms may be left out.  *n rows into *out (an arena array,
 * never NULL).  STORE_OVERFLOW when a balance does not fit int64. */
QT_MUST_CHECK int store_report_balances_at(struct store_tx *tx, int64_t from_ms, int64_t to_ms,
	struct arena *a, struct balance_pair **out, int *n);

struct method_total {
	char *payment_method;   /* cash, upi, card, bank or other (NULL is read as other) */
	int64_t payments;       /* how many */
	int64_t amount_minor;   /* together */
};
/* Payments that occurred in [from_ms, to_ms), not reversed, by payment
 * method in name order: *n rows into *out (an arena array, never NULL),
 * only methods that were used.  STORE_OVERFLOW when a total does not fit
 * int64. */
QT_MUST_CHECK int store_report_payments_by_method(struct store_tx *tx, int64_t from_ms, int64_t to_ms,
	struct arena *a, struct method_total **out, int *n);

/* Every reminder (kind reminder, not receipts) created in [from_ms,
 * to_ms) whose status is sent, delivered or read, with the customer's
 * first payment (not reversed) that occurred from the reminder's time to
 * COLLECTIONS_PAY_WINDOW_MS after it, if any: *n rows into *out (an arena
 * array, never NULL; customer ids from the arena). */
QT_MUST_CHECK int store_report_reminder_responses(struct store_tx *tx, int64_t from_ms, int64_t to_ms,
	struct arena *a, struct reminder_response **out, int *n);

#endif
