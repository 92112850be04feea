/*
 * csv.h — writing RFC 4180 CSV.  Cells are quoted when they hold a comma,
 * quote, CR or LF; a text cell starting with =, +, -, @, tab or CR is made
 * inert for spreadsheets by a leading apostrophe (formula injection).
 */
#ifndef QT_UTIL_CSV_H
#define QT_UTIL_CSV_H

#include "util/buf.h"

/* Append one text cell (NULL = empty), preceded by a comma unless first. */
void csv_text(struct buf *b, const char *s, int first);
/* Append a cell we produced ourselves (numbers, dates): quoted if needed,
 * never prefixed. */
void csv_plain(struct buf *b, const char *s, int first);
void csv_end_row(struct buf *b);

#endif
