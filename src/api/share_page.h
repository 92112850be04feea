/*
 * share_page.h — the HTML of a shared statement (/s/<token>) and of the
 * one "not found" page every bad link gets.
 *
 * A small, read-only page rendered here in C, with no script: the store's
 * name, the customer's name, the balance, a UPI pay button when there is
 * one, and the entries newest first with their running balance.  Every
 * string from the database goes through share_html_text(), which escapes
 * & < > " and ' — nothing is written into the page unescaped.  The only
 * style is one inline <style> block whose hash the Content-Security-Policy
 * names (share_page_csp), so the policy allows no inline style but this
 * one, and no script at all.
 *
 * Pure: the caller formats the money and dates; nothing here reads the
 * database or the clock.  Thread-safe.
 */
#ifndef QT_API_SHARE_PAGE_H
#define QT_API_SHARE_PAGE_H

#include "util/buf.h"

struct share_page_entry {
	const char *what;          /* "Milk and bread" (or "Purchase" when nothing more is known) */
	const char *date;          /* "Purchase · 12 Mar 2025": the kind of entry and its date */
	const char *amount;        /* "+ ₹300.50" or "− ₹500.00" */
	const char *balance;       /* running balance after the entry */
	int credit;                /* 1 when the entry lowered what is owed */
	int reversed;              /* 1 when a later entry reversed it */
};

struct share_page {
	const char *store_name;
	const char *customer_name;
	const char *apartment;     /* NULL: none */
	const char *balance;       /* formatted; the amount without sign when in credit */
	int owes;                  /* balance > 0 */
	int in_credit;             /* balance < 0 */
	const char *upi_link;      /* NULL: no pay button */
	const char *pay_label;     /* "Pay ₹1,234.50 with UPI" */
	const char *qr_svg;        /* NULL, or the pay link's QR code as an <svg> (pdf/qr.h),
				      written as it is: made here, never from the database */
	const char *pdf_href;      /* NULL, or the link to the statement as a PDF */
	const char *as_of;         /* "12 Mar 2025": the statement's last day */
	const char *expires;       /* "11 Apr 2025" */
	const char *earlier;       /* NULL, or the balance brought forward when
				      older entries are left out */
	const struct share_page_entry *entries;  /* newest first */
	int nentries;
};

/* Append s with & < > " ' escaped (NULL appends nothing). */
void share_html_text(struct buf *b, const char *s);

/* Append the whole statement page. */
void share_page_render(const struct share_page *p, struct buf *out);

/* Append the page for a link that is expired, revoked, tampered with or
 * unknown — one page for all of them, so it tells nobody which. */
void share_page_not_found(struct buf *out);

/* Append the page for "try again later" (the database is unavailable). */
void share_page_unavailable(struct buf *out);

/* The Content-Security-Policy for these pages: default-src 'none', the
 * inline style by its hash, nothing else.  A static string. */
const char *share_page_csp(void);

#endif
