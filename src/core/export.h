/*
 * export.h — a store's CSV exports (customers, transactions, reminders,
 * audit), written once for the API, which streams them
 * (GET /api/v1/export/<kind>.csv), and the CLI (`quantumtrack export`), so
 * both give the same bytes.  The columns are listed in docs/API-NOTES.md
 * ("CSV exports").
 *
 * Format: RFC 4180 through util/csv.h, CRLF line ends, a header row, an
 * optional UTF-8 BOM first.  Text people typed (names, phones, notes,
 * messages, audit payloads) goes through csv_text, which makes a cell
 * starting with '=', '+', '-', '@', TAB or CR inert with a leading
 * apostrophe (an E.164 phone reads '+919876543210); the numbers, ids, dates
 * and times this code writes itself go through csv_plain and stay as they
 * are (a negative adjustment is -250 and -2.50).  Money is written twice:
 * *_minor as the integer and, beside it, the decimal in major units with
 * the currency's exponent (money_format_plain: dot, no grouping).  Times
 * are RFC 3339 UTC with milliseconds; a `date` column holds the local date
 * in the store's timezone.
 *
 * The stream reads through a store cursor (store/store_export.h) one batch
 * of rows at a time and formats each batch into a buffer that is drained
 * before the next is read: memory stays flat whatever the size.
 */
#ifndef QT_CORE_EXPORT_H
#define QT_CORE_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/store_export.h"
#include "store/store_settings.h"
#include "util/buf.h"
#include "util/tz.h"

/* Rows read from the store at a time. */
#define EXPORT_BATCH_ROWS 256

/* "customers", "transactions", "reminders", "audit" <-> the kind.
 * export_kind_parse returns 0, or -1 for any other name. */
int export_kind_parse(const char *name, enum export_kind *out);
const char *export_kind_name(enum export_kind kind);
/* The header row of kind, CRLF included (a static string). */
const char *export_header(enum export_kind kind);

/* What an export needs to know of its store and of the moment. */
struct export_format {
	char currency[8];           /* the store's ISO 4217 code */
	int exponent;               /* its minor-unit exponent (2 when unknown) */
	char timezone[TZ_NAME_MAX + 1]; /* the store's IANA zone, for the date columns */
	int64_t now_ms;             /* customers: overdue as of now */
	int64_t credit_period_days;
};
/* The format for a store's settings at now_ms. */
void export_format_init(struct export_format *f, const struct settings_rec *s, int64_t now_ms);

/* Append the CSV rows of batch (of kind) to b. */
void export_format_batch(struct buf *b, enum export_kind kind, const struct export_format *f,
	const struct export_batch *batch);

/* The range [*from_ms, *to_ms) of the local dates from_day..to_day
 * (inclusive) in timezone; an absent end (has_* 0) is open (INT64_MIN,
 * INT64_MAX).  Returns 0, or -1 when a date is out of range or the zone
 * unknown.  (The API reads ?from&to with api_query_local_range, which
 * computes the same.) */
int export_range(const char *timezone, int has_from, int64_t from_day, int has_to, int64_t to_day,
	int64_t *from_ms, int64_t *to_ms);

/* The download's file name into out: "<slug>-<kind>-<from>-<to>.csv" with
 * the dates as given, "start" or "latest" for an absent end, and
 * "<slug>-<kind>-all.csv" when both are absent.  from and to may be NULL. */
void export_filename(char *out, size_t outlen, const char *slug, enum export_kind kind,
	const char *from, const char *to);

struct export_stream;

/* Open an export of kind over [from_ms, to_ms) in tx (a tenant read
 * transaction that must outlive the stream), with a BOM first when bom.
 * Returns a STORE_* code; *out is set on STORE_OK. */
int export_stream_open(struct store_tx *tx, enum export_kind kind, const struct export_format *f,
	int64_t from_ms, int64_t to_ms, int bom, struct export_stream **out);
/* Read the first batch of rows now (it is read at the first
 * export_stream_read otherwise), so that a store error shows before any
 * byte is sent.  Returns a STORE_* code (STORE_OVERFLOW when a customer's
 * recent lots add up past int64). */
int export_stream_prime(struct export_stream *x);
/* Copy the next bytes of the file, at most max (> 0), into out: returns
 * the count (> 0), 0 after the last byte, or a negative STORE_* code when
 * the store could not be read (the file is then cut short). */
long export_stream_read(struct export_stream *x, char *out, size_t max);
/* Rows written so far (header not counted). */
int64_t export_stream_rows(const struct export_stream *x);
/* Close the cursor and free x; the transaction stays open.  NULL is fine. */
void export_stream_close(struct export_stream *x);

#endif
