/*
 * statement.h — a customer's statement of account, worked out once for
 * every way it is shown: the member route (JSON and CSV,
 * api/customers.c) and the shared link (HTML and JSON, api/shares.c).
 *
 * The period is an inclusive range of the store's local dates.  The
 * opening balance is the sum of the entries before it, each entry in it
 * gets the running balance after it, and the period's purchases and
 * payments are net of reversals made in the period, so that
 * opening + purchases - payments (+ adjustments) = closing.
 */
#ifndef QT_API_STATEMENT_H
#define QT_API_STATEMENT_H

#include <stdint.h>

#include "http/request.h"
#include "store/store_customers.h"
#include "store/store_entries.h"
#include "store/store_settings.h"

struct statement_range {
	int has_from;              /* 0: from the customer's first entry */
	int64_t from_day, to_day;  /* local days (util/civil.h) */
	int64_t from_ms, to_ms;    /* [from_ms, to_ms) in unix ms */
};

/*
 * The period for ?from and ?to (has_from/has_to say which were given;
 * to defaults to today in the store's timezone).  Returns 0, or -1 with a
 * 400 invalid_parameter naming "from" or "to" (from after to, a date out
 * of range).
 */
int api_statement_range(struct req *r, const struct settings_rec *s, int has_from, int64_t from_day,
	int has_to, int64_t to_day, struct statement_range *out);

struct statement {
	struct entry_rec *entries;   /* every entry of the customer, oldest first (r's arena) */
	int nentries;
	int first, count;            /* the period's entries: entries[first .. first + count) */
	int64_t *running;            /* balance after each of the period's entries (count of them) */
	int64_t opening_minor, closing_minor, purchases_minor, payments_minor;
	char from[11], to[11];       /* the period as YYYY-MM-DD (from: the first entry's day
				        when no from was given) */
};

/*
 * Read customer c's entries (inside r->tx) and work out the statement of
 * the period into *out, from r's arena.  Returns 0, or -1 with the problem
 * recorded: a store error, or 422 amount_overflow naming the figure
 * (opening_balance_minor, entries[].running_balance_minor,
 * total_purchases_minor, total_payments_minor) when a sum does not fit
 * int64.
 */
int api_statement_build(struct req *r, const struct settings_rec *s, const struct customer_rec *c,
	const struct statement_range *range, struct statement *out);

/* What an entry was, for the customer: its note, else its items, else
 * how it was paid (in lang, "en" or "hi") or the reason given; "" when
 * there is nothing.  From r's arena or e. */
const char *api_entry_description(struct req *r, const struct entry_rec *e, const char *lang);

/* The statement's language when none is asked for: "hi" for a store whose
 * locale is Hindi (hi, hi-IN), else "en". */
const char *api_statement_lang(const struct settings_rec *s);

/*
 * Append the statement st (of range) as a PDF (pdf/statement_pdf.h) in
 * lang to out: the store's name and address, the customer, the figures,
 * the aging of the closing balance at the end of the period and, when the
 * store has a UPI id and its currency is INR, a QR code of the same pay
 * link the reminders send, for the closing balance.  At most
 * STATEMENT_PDF_MAX_ENTRIES entries are listed, the newest; the older
 * ones of the period are one line, their balance brought forward.
 * Returns 0, or -1 with a 500 recorded when it cannot be drawn.
 */
int api_statement_pdf(struct req *r, const struct settings_rec *s, const char *store_name,
	const struct customer_rec *c, const struct statement *st, const struct statement_range *range,
	const char *lang, struct buf *out);

#endif
