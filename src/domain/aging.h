/*
 * aging.h — who owes what since when: due dates, FIFO settlement and
 * aging buckets over one customer's ledger entries.
 *
 * Pure computation over entries the caller has loaded; allocates scratch
 * memory internally and frees it before returning.  Thread-safe.
 */
#ifndef QT_DOMAIN_AGING_H
#define QT_DOMAIN_AGING_H

#include <stddef.h>
#include <stdint.h>

#include "domain/entry.h"

#define AGING_DAY_MS ((int64_t)86400000)
#define AGING_MAX_ENTRIES ((size_t)10000000)
#define AGING_MAX_CREDIT_PERIOD_DAYS 36500


struct aging_entry {
	const char *id;          /* entry id (uuid text); NULL is read as "" */
	enum entry_type type;
	int64_t occurred_at_ms;  /* unix ms, business time */
	int64_t effect_minor;    /* signed effect on what the customer owes:
				    purchase +, payment -, adjustment +/-,
				    reversal = -(effect of the reversed entry) */
	const char *reverses_id; /* for ENTRY_REVERSAL: the id it undoes, else NULL */
};

enum { AGING_CURRENT, AGING_1_30, AGING_31_60, AGING_61_90, AGING_90_PLUS };

struct aging_result {
	int64_t balance_minor;  /* sum of all effects */
	int64_t overdue_minor;  /* unpaid amount of lots with due <= now */
	int64_t oldest_due_ms;  /* due time of the oldest unpaid lot, 0 if none */
	int64_t buckets[5];     /* indexed by AGING_*: unpaid amount by days past due */
};

/*
 * Compute balance, overdue amount and aging buckets at time now_ms.
 *
 * Order: entries may come in any order; a copy is sorted by occurred_at_ms,
 * then id (strcmp), then input position.  The input is not modified.
 *
 * Reversals: an ENTRY_REVERSAL whose reverses_id names another entry, and
 * whose effect is exactly the negative of that entry's effect, drops out
 * together with that entry, as if neither was ever made; a purchase that
 * is reversed therefore never forms a lot, and a payment that is reversed
 * never settles one.  Reversals are matched latest first, so reversing a
 * reversal brings the original entry back with its original date.  A
 * reversal whose target is missing, already taken by another reversal, or
 * does not cancel exactly, stays in and counts by its sign like an
 * adjustment (so the balance always equals the sum of effects).
 *
 * Lots and FIFO: the remaining entries are applied in order, by the sign
 * of effect_minor (not by type):
 *   effect > 0 creates a lot of that amount, due at
 *     occurred_at_ms + credit_period_days * AGING_DAY_MS;
 *     credit held from earlier payments settles it at once, as far as it goes;
 *   effect < 0 settles the oldest open lots first; what is left over is
 *     held as credit that settles later lots;
 *   effect 0 does nothing.
 *
 * Days past due: a lot is overdue when now_ms >= due (so with
 * credit_period_days 0 a purchase is overdue from the moment it is made).
 * For an overdue lot, d = (now_ms - due) / AGING_DAY_MS + 1 (integer
 * division), i.e. the first 24 hours from the due instant are day 1.
 * Buckets: not overdue -> AGING_CURRENT; d 1-30 -> AGING_1_30;
 * 31-60 -> AGING_31_60; 61-90 -> AGING_61_90; 91 and more -> AGING_90_PLUS.
 * Days are 24-hour periods from the due instant, not calendar dates; a
 * caller who wants "due at the end of the local day" passes a now_ms or
 * occurred_at_ms adjusted with civil_local_midnight_ms().
 *
 * Invariants on success: sum(buckets) == max(balance_minor, 0);
 * overdue_minor == buckets[1..4] summed; oldest_due_ms is the due time of
 * the first open lot.
 *
 * Returns 0, or -1 (out zeroed) when entries is NULL with n > 0, out is
 * NULL, n > AGING_MAX_ENTRIES, credit_period_days is outside
 * 0..AGING_MAX_CREDIT_PERIOD_DAYS, any sum or due time overflows int64,
 * or memory runs out.
 */
int aging_compute(const struct aging_entry *entries, size_t n, int credit_period_days,
		  int64_t now_ms, struct aging_result *out);

/* One open lot: the date of the entry that made it and what is unpaid. */
struct aging_lot {
	int64_t occurred_at_ms;
	int64_t remaining_minor;  /* > 0 */
};

/*
 * aging_compute, also giving the open lots it ends with, oldest first (the
 * FIFO order: the next payment settles open[0] first).  The first
 * min(*nopen, cap) lots go into open (may be NULL with cap 0); *nopen
 * (may be NULL) is how many there are, which may exceed cap.  Their
 * remaining amounts add up to max(balance_minor, 0).  On failure *nopen
 * is 0.
 */
int aging_compute_lots(const struct aging_entry *entries, size_t n, int credit_period_days,
		  int64_t now_ms, struct aging_result *out, struct aging_lot *open, size_t cap,
		  size_t *nopen);

/*
 * The same result from only the newest lots.  Under FIFO settlement the
 * open lots are always the newest ones, adding up to the balance, so a
 * caller that knows the balance needs only the lots from the newest
 * backwards until they cover it.
 *
 * occurred_ms[i] and amount_minor[i] (> 0) are lots (entries with a
 * positive effect that were not reversed, reversals excluded), newest
 * first (occurred_at descending, then id descending).  Returns 0 with *out
 * filled (identical to aging_compute over the full ledger), 1 when the n
 * lots do not reach the balance (the caller passes more, or falls back to
 * aging_compute), -1 on bad arguments or overflow.
 */
int aging_from_newest_lots(const int64_t *occurred_ms, const int64_t *amount_minor, size_t n,
		  int64_t balance_minor, int credit_period_days, int64_t now_ms,
		  struct aging_result *out);

/* Bucket index (AGING_*) for a lot due at due_ms, seen at now_ms. */
int aging_bucket(int64_t due_ms, int64_t now_ms);

/*
 * totals[k] += buckets[k] for every bucket k (indexed by AGING_*), with
 * money_add: the store-wide aging report adds every customer's buckets.
 * Returns 0, or -1 when some total would not fit int64: then totals is
 * left unchanged and *overflowed (may be NULL) is the first such bucket.
 */
int aging_buckets_add(int64_t totals[5], const int64_t buckets[5], int *overflowed);

#endif
