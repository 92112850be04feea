/*
 * lsn.h — PostgreSQL write-ahead-log positions as text and as numbers.
 *
 * An LSN is written by PostgreSQL as two hexadecimal numbers of at most 8
 * digits each, "X/Y" (pg_lsn's text form, e.g. "0/16B3748"): the high and
 * low 32 bits of a 64-bit byte position.  The server sends the position of
 * a request's commit as X-QT-Commit-LSN and a client hands it back as
 * X-QT-Min-LSN (store/db_replica.h); as numbers they compare in order.
 * Written by hand: eighteen characters need no library.
 */
#ifndef QT_UTIL_LSN_H
#define QT_UTIL_LSN_H

#include <stddef.h>
#include <stdint.h>

/* "FFFFFFFF/FFFFFFFF" and its NUL. */
#define LSN_TEXT_MAX 18

/* Parse s (NUL-terminated) into *out.  Accepts exactly 1-8 hex digits, '/',
 * 1-8 hex digits (either case), nothing around them.  Returns 0, or -1
 * (with *out untouched) for anything else, NULL included. */
int lsn_parse(const char *s, uint64_t *out);

/* Write v as PostgreSQL does (upper-case hex, no leading zeros: "0/0" for
 * zero) into out, which has LSN_TEXT_MAX bytes. */
void lsn_format(uint64_t v, char out[LSN_TEXT_MAX]);

/* 1 when a server that has replayed WAL up to `replayed` has everything
 * written before `target`.  Besides replayed >= target: a position at a
 * WAL page boundary has reached the first record position after that
 * page's header (pg_current_wal_insert_lsn() of an idle primary whose last
 * record ended at a page boundary points past the header, 24 or 40 bytes,
 * where no record can lie).  Assumes the default 8 kB WAL pages. */
int lsn_reached(uint64_t replayed, uint64_t target);

#endif
