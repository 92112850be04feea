/*
 * statement_pdf.h — a customer's statement of account as an A4 PDF, drawn
 * with cairo and laid out with pango (so Devanagari is shaped), with a
 * UPI QR code for the closing balance when there is a pay link.
 *
 * The renderer takes a plain struct the caller fills from the statement
 * it worked out (api/statement.h: one source for the numbers); it reads
 * no database, clock or environment, and formats the money and dates
 * itself (domain/money_text.h, the labels of the language).  Fonts come
 * from fontconfig by family, "Noto Sans" and "Noto Sans Devanagari"
 * (Debian fonts-noto-core); none are bundled.
 *
 * Every text is drawn as plain text (never pango markup): invalid UTF-8
 * is replaced by U+FFFD and control characters by spaces, each text is cut
 * to a bound before layout, and cells are one line, ellipsized to their
 * width, so a hostile name cannot push the layout off its grid.  Each
 * entry is one row; pages hold a fixed number of rows, so the page count
 * is known before drawing (statement_pdf_pages) and every page says
 * "Page n of N".
 *
 * Thread-safe: rendering is serialized by one mutex (pango's font map and
 * fontconfig are shared by every render), and everything a render
 * allocates is freed before it returns; the font map itself is made once
 * and kept.  cairo, pango and their libraries are loaded when the first
 * statement is rendered (util/lazylib.h).
 */
#ifndef QT_PDF_STATEMENT_PDF_H
#define QT_PDF_STATEMENT_PDF_H

#include <stdint.h>

#include "util/buf.h"

/* At most this many entries go into one statement; a caller with more
 * passes the newest ones and sums the older ones into left_out_*. */
#define STATEMENT_PDF_MAX_ENTRIES 2000

struct statement_pdf_entry {
	int64_t day;                 /* the store's local date (util/civil.h days) */
	const char *type;            /* "purchase", "payment", "adjustment", "reversal" (others shown as is) */
	const char *description;     /* note, items, how paid; NULL or "" for none */
	int64_t change_minor;        /* signed effect on what is owed */
	int64_t balance_minor;       /* running balance after it */
	int reversed;                /* 1: a later entry reversed it */
};

struct statement_pdf {
	const char *lang;            /* "en" or "hi" (anything else reads as "en") */
	const char *currency;        /* ISO 4217, e.g. "INR" */
	const char *locale;          /* the store's locale, for digit grouping ("en-IN") */
	const char *store_name;
	const char *store_address;   /* lines apart by \n; NULL or "" for none */
	const char *customer_name;
	const char *apartment;       /* NULL: none */
	int64_t from_day, to_day;    /* the period, inclusive */
	int64_t issued_day;          /* the day it is made */
	int64_t opening_minor, closing_minor;
	int64_t purchases_minor, payments_minor;
	int has_aging;
	int64_t aging[5];            /* domain/aging.h buckets, at the end of the period */
	const char *upi_link;        /* NULL: no QR code */
	const char *upi_id;          /* shown under the QR code; may be NULL */
	int left_out;                /* older entries of the period not listed */
	int64_t left_out_balance_minor; /* the balance after them */
	const struct statement_pdf_entry *entries;  /* oldest first */
	int nentries;                /* 0 .. STATEMENT_PDF_MAX_ENTRIES */
};

/* The number of pages statement_pdf_render() writes for s (>= 1). */
int statement_pdf_pages(const struct statement_pdf *s);

/*
 * Append the PDF of s to out.  Returns 0, or -1 (out as it was) when s is
 * NULL or has nentries outside 0..STATEMENT_PDF_MAX_ENTRIES (or entries
 * NULL with nentries > 0), or cairo fails.
 */
int statement_pdf_render(const struct statement_pdf *s, struct buf *out);

/* The labels of lang ("en", "hi"): 0 when lang is one of them, else -1. */
int statement_pdf_lang_valid(const char *lang);

#endif
