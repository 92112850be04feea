/*
 * collections.h — the figures of the collections report that are pure
 * arithmetic: ratios as scaled integers (basis points, hundredths of a
 * day) and reminder effectiveness from reminders and the payments that
 * followed them.  docs/API-NOTES.md ("Collections report") gives the
 * definitions the API promises; this header is where they are computed.
 *
 * No floating point: every ratio is exact integer arithmetic (128-bit
 * intermediates) rounded half up.  Pure functions, thread-safe.
 */
#ifndef QT_DOMAIN_COLLECTIONS_H
#define QT_DOMAIN_COLLECTIONS_H

#include <stddef.h>
#include <stdint.h>

#define COLLECTIONS_DAY_MS ((int64_t)86400000)
/* A reminded customer counts as having paid when a payment occurred at
 * most this long after the reminder (7 days of 24 hours). */
#define COLLECTIONS_PAY_WINDOW_MS (7 * COLLECTIONS_DAY_MS)
#define COLLECTIONS_BP 10000    /* basis points in 1 (100 %) */

enum {
	COLLECTIONS_UNDEFINED = 1, /* the ratio has a zero denominator: *out untouched */
};

/*
 * *out = num * scale / den, rounded half up, for num >= 0, den >= 0 and
 * scale > 0.  Returns 0; COLLECTIONS_UNDEFINED when den == 0; -1 (*out
 * untouched) for a negative argument or a result past INT64_MAX.
 *   collections_ratio(1, 3, 10000, &x)  -> x = 3333 (33.33 %)
 *   collections_ratio(2, 3, 10000, &x)  -> x = 6667
 */
int collections_ratio(int64_t num, int64_t den, int64_t scale, int64_t *out);

/* One reminder, and the first payment by the same customer that occurred
 * from the reminder's time to COLLECTIONS_PAY_WINDOW_MS after it. */
struct reminder_response {
	const char *customer_id;
	int64_t reminded_at;   /* unix ms */
	int paid;              /* 1 when such a payment exists */
	int64_t paid_at;       /* its occurred_at (unix ms) when paid */
};

struct reminder_effect {
	int64_t reminded_customers; /* distinct customers among the reminders */
	int64_t paid_customers;     /* of whom paid after one of their reminders */
	int has_share;              /* 0 when nobody was reminded */
	int64_t paid_share_bp;      /* paid_customers / reminded_customers, basis points */
	int has_median;             /* 0 when nobody paid */
	int64_t median_days_x100;   /* median days from reminder to payment, x100 */
};

/*
 * Reminder effectiveness over rows in any order (not modified: a sorted
 * copy is made and freed).  Per customer: the customer paid when any of
 * their reminders has paid set; their days to payment are measured from
 * the earliest such reminder to its payment (exact, in days of 24 hours).
 * The median is over the customers who paid: the middle value, or the
 * mean of the two middle values for an even count, in hundredths of a day
 * rounded half up.  Returns 0, or -1 (out zeroed) when rows is NULL with
 * n > 0, out is NULL, or a paid row's payment lies outside its window.
 */
int collections_reminder_effect(const struct reminder_response *rows, size_t n,
	struct reminder_effect *out);

#endif
