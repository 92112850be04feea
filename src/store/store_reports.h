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

/* The same for each of ndays consecutive periods (days): out[i] for
 * [bounds[i], bounds[i + 1]), so bounds holds ndays + 1 increasing
 * instants.  STORE_OVERFLOW when a day's total does not fit int64: the
 * days are summed in order, each day's purchases before its payments, and
 * *failed_day (the day's index) and *failed_purchases (1 for the
 * purchases, 0 for the payments) name the first that does not. */
QT_MUST_CHECK int store_report_days(struct store_tx *tx, const int64_t *bounds, int ndays,
	struct flow_totals *out, int *failed_day, int *failed_purchases);

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
	int64_t opening_minor;  /* a customer's balance at from_ms */
	int64_t closing_minor;  /* and at to_ms */
};

struct method_total {
	const char *payment_method; /* cash, upi, card, bank or other (NULL is read as other) */
	int64_t payments;           /* how many */
	int64_t amount_minor;       /* together */
};

/* What the collections report reads, for the period [from_ms, to_ms). */
struct collections_data {
	int64_t sales_minor;           /* purchases that occurred in the period */
	struct method_total *methods;  /* payments in the period by method, the methods used */
	int nmethods;
	struct balance_pair *balances; /* per customer, in no particular order */
	int nbalances;
	struct reminder_response *responses; /* per reminder, see below */
	int nresponses;
};
/*
 * Everything the collections report needs, over the ledger as corrected:
 * reversed entries and reversals are left out of every figure (a reversed
 * entry never happened, as in aging).  A customer's balance at an instant
 * is the sum of the effects of their entries that occurred before it; at
 * any instant after their last entry it is the stored balance.  Every
 * customer has a balance pair.  Reminders are those of kind reminder (not
 * receipts) created in the period with status sent, delivered or read,
 * each with the customer's first payment (not reversed) that occurred
 * from the reminder's time to COLLECTIONS_PAY_WINDOW_MS after it.
 * Arrays and strings come from the arena (never NULL).  STORE_OVERFLOW
 * when a sum or a balance does not fit int64.
 */
QT_MUST_CHECK int store_report_collections(struct store_tx *tx, int64_t from_ms, int64_t to_ms,
	struct arena *a, struct collections_data *out);

#endif
