/*
 * open_lots.h — a customer's open lots as the customer row keeps them, so
 * that reading a customer's aging reads that one row and no entries.
 *
 * Under FIFO settlement (domain/aging.h) what a customer owes is a run of
 * lots: the newest purchases (entries with a positive effect that were not
 * reversed) whose amounts, the oldest of them cut short, add up to the
 * balance.  The row keeps, for each open lot, oldest first, the date of the
 * entry that made it and the amount still unpaid.  From that, at read time
 * and for any `now`:
 *
 *   balance         = the sum of the remaining amounts (also a column);
 *   due of a lot    = its date + the store's credit period;
 *   overdue         = the lots with due <= now;
 *   oldest due date = the due of the first lot;
 *   aging buckets   = each lot's remaining amount by days past its due.
 *
 * The buckets are a function of `now`: a lot moves from "current" to
 * "1-30" to "31-60" … as time passes, with no entry written.  That is why
 * the dates of the lots are kept rather than the bucket sums, and why the
 * date of the entry is kept rather than the due instant: the credit period
 * is a store setting that may change, and a read always uses the one in
 * force, as the full walk over the entries does.
 *
 * Bound.  At most OPEN_LOTS_MAX lots are kept.  A customer with more open
 * lots than that has no list in the row (SQL NULL: "not kept") and is read
 * from the entries as before (the transactions_lots index, newest first,
 * as many as cover the balance); the first write that brings the count
 * back to OPEN_LOTS_MAX or fewer keeps the list again.
 *
 * The text form: lots separated by ',', each "<occurred_at_ms>:<remaining
 * minor>" in decimal, no spaces, no leading zeros or '+'; "" when nothing
 * is owed.  It is canonical: one list has one text, so `verify` compares
 * texts.
 *
 * Pure computation; no allocation.  Thread-safe.
 */
#ifndef QT_DOMAIN_OPEN_LOTS_H
#define QT_DOMAIN_OPEN_LOTS_H

#include <stddef.h>
#include <stdint.h>

#include "domain/aging.h"

#define OPEN_LOTS_MAX 128
/* Longest text: each lot at most 20 + 1 + 19 characters and a comma. */
#define OPEN_LOTS_TEXT_MAX ((size_t)OPEN_LOTS_MAX * 41 + 1)

struct open_lots {
	size_t n;
	struct aging_lot lot[OPEN_LOTS_MAX];  /* oldest first */
};

/* Parse the text form into *out.  Returns 0, or -1 (out->n = 0) when text
 * is NULL, not canonical, has more than OPEN_LOTS_MAX lots, a remaining
 * amount <= 0, dates out of order, or amounts whose sum passes int64. */
int open_lots_parse(const char *text, struct open_lots *out);

/* The text form of l into out (cap bytes, NUL-terminated; OPEN_LOTS_TEXT_MAX
 * is always enough).  Returns its length, or -1 when cap is too small. */
int open_lots_format(const struct open_lots *l, char *out, size_t cap);

/* 1 when l's remaining amounts add up to max(balance_minor, 0), else 0. */
int open_lots_cover(const struct open_lots *l, int64_t balance_minor);

/*
 * Follow one new entry that is not a reversal: it changed the balance from
 * balance_before (which l covers, open_lots_cover) by effect_minor, and was
 * dated occurred_at_ms.  Returns 0 with l updated, or 1 when l alone cannot
 * tell the new lots (l is then unspecified and the caller reads them from
 * the entries):
 *   effect < 0   settles the oldest lots first: always known;
 *   effect > 0   a new lot: known when it is newer than every open lot (a
 *                later date than the last one) and there is room, or when
 *                the balance stays <= 0; not known when it is back-dated
 *                into or before the open run (older, settled lots may then
 *                reopen), or the customer owed nothing before (the newest
 *                settled lot is not in l);
 *   effect 0     changes nothing.
 * Reversals are not followed here: undoing a payment can reopen lots that
 * are no longer in l.
 */
int open_lots_apply(struct open_lots *l, int64_t balance_before, int64_t effect_minor,
	int64_t occurred_at_ms);

/*
 * The open lots from lots read newest first (occurred_ms[i], amount_minor[i]
 * > 0, as store_entry_open_lots gives them) for a customer who owes
 * balance_minor.  Returns 0 with *out filled, or 1 when those lots do not
 * reach the balance or more than OPEN_LOTS_MAX of them are open (out->n
 * is then 0: nothing to keep), -1 on bad arguments.
 */
int open_lots_from_newest(const int64_t *occurred_ms, const int64_t *amount_minor, size_t n,
	int64_t balance_minor, struct open_lots *out);

/*
 * Balance, overdue, oldest due and buckets at now_ms: exactly what
 * aging_from_newest_lots (and so aging_compute over every entry) gives.
 * Returns 0, 1 when l does not cover balance_minor (the caller reads the
 * entries), -1 when a due date or sum passes int64 or on bad arguments.
 */
int open_lots_aging(const struct open_lots *l, int64_t balance_minor, int credit_period_days,
	int64_t now_ms, struct aging_result *out);

#endif
