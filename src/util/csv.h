/*
 * csv.h — RFC 4180 CSV, written once for export and import.
 *
 * Writing (util/csv.c): cells are appended to a buf; a row ends with
 * CRLF.  A cell is quoted when it holds a comma, a quote, CR or LF; a cell
 * that a spreadsheet would run as a formula (it starts with '=', '+', '-',
 * '@', TAB or CR) gets a leading apostrophe, except through
 * csv_plain(), which writes the numbers and dates we produce as they are.
 *
 * Reading (util/csv_read.c): an incremental parser fed the bytes as they
 * arrive, in pieces of any size; it calls back once per complete record
 * with the record's fields and the line the record started on.  It takes
 * an optional UTF-8 BOM, CRLF or LF line ends, quoted fields with doubled
 * quotes and line breaks inside, and keeps the limits below.  Import strips
 * one leading apostrophe from every cell (csv_cell_uninert), so a file the
 * export wrote reads back as the values it holds.
 */
#ifndef QT_UTIL_CSV_H
#define QT_UTIL_CSV_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* ---- Writing (util/csv.c) ---- */

/* Append one text cell (NULL = empty), preceded by a comma unless first;
 * formula-starting text is made inert. */
void csv_text(struct buf *b, const char *s, int first);
/* Append a cell we produced ourselves (numbers such as "-12.50", dates):
 * quoted if needed, never prefixed. */
void csv_plain(struct buf *b, const char *s, int first);
/* End the row (CRLF). */
void csv_end_row(struct buf *b);
/* The UTF-8 byte order mark, for ?bom=1. */
#define CSV_BOM "\xEF\xBB\xBF"

/* ---- Reading (util/csv_read.c) ---- */

#define CSV_MAX_FIELD (64 * 1024)   /* bytes in one field */
#define CSV_MAX_COLUMNS 64

enum csv_error {
	CSV_OK = 0,
	CSV_E_FIELD_TOO_LONG,      /* a field over CSV_MAX_FIELD bytes */
	CSV_E_TOO_MANY_COLUMNS,    /* a record over CSV_MAX_COLUMNS fields */
	CSV_E_UNTERMINATED_QUOTE,  /* end of input inside a quoted field */
	CSV_E_BAD_QUOTE,           /* a quote inside an unquoted field, or text after a closing quote */
	CSV_E_NOT_UTF8,            /* bytes that are not UTF-8 */
	CSV_E_NUL,                 /* a NUL byte */
	CSV_E_ABORTED,             /* the record callback asked to stop */
};

/* One record: nfields fields, each NUL-terminated (fields[i][len[i]] ==
 * '\0'); valid only during the callback.  line is the 1-based line the
 * record starts on.  Return 0 to go on, non-zero to stop the parse. */
typedef int (*csv_record_fn)(void *cls, uint64_t line, const char *const *fields,
	const size_t *len, int nfields);

struct csv_reader;

/* A new parser calling fn for each record; NULL when out of memory. */
struct csv_reader *csv_reader_new(csv_record_fn fn, void *cls);
/* Feed the next n bytes.  Returns CSV_OK, or the error that stopped the
 * parse (every later call returns it again). */
enum csv_error csv_feed(struct csv_reader *r, const char *data, size_t n);
/* End of input: delivers a last record that has no line end. */
enum csv_error csv_finish(struct csv_reader *r);
/* Where the parse stopped: the line the bad field's record started on
 * (for an unterminated quote, the line the quote opened on) and the
 * 1-based column number within its record. */
uint64_t csv_error_line(const struct csv_reader *r);
int csv_error_column(const struct csv_reader *r);
/* A short English message for an error ("a field is longer than 65536 bytes"). */
const char *csv_strerror(enum csv_error e);
void csv_reader_free(struct csv_reader *r);

/* The cell without one leading apostrophe, as import reads it: returns s
 * or s + 1 and sets *n to the new length. */
const char *csv_cell_uninert(const char *s, size_t *n);

#endif
