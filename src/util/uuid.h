/*
 * uuid.h — UUIDs as 36-character text (8-4-4-4-12 hex).
 *
 * The product's ids are UUID version 7 (RFC 9562 §5.7): a 48-bit Unix
 * millisecond timestamp (from clock_now_ms(), so it follows the test clock
 * offset), then randomness.  They sort by creation time as text and as
 * bytes, which keeps B-tree inserts at the right edge of the index.
 */
#ifndef QT_UTIL_UUID_H
#define QT_UTIL_UUID_H

/*
 * Write a new lowercase v7 UUID and its NUL into out.  Thread-safe.
 * Strictly increasing within the process: when the millisecond repeats (or
 * the clock steps back) the 12-bit rand_a field is used as a counter
 * (RFC 9562 §6.2 method 1); if it overflows, the timestamp field is
 * advanced by one millisecond.  rand_b (62 bits) is always fresh from
 * randombytes_buf().  Requires sodium_init() to have succeeded (libsodium
 * also self-initialises on first randombytes use).
 */
void uuid_v7(char out[37]);

/*
 * 1 if s is exactly 36 characters of 8-4-4-4-12 hex digits (either case)
 * separated by '-', else 0.  Any version/variant is accepted.  NULL -> 0.
 */
int uuid_valid(const char *s);

/* Lowercase the ASCII letters of s in place (for comparing/storing ids). */
void uuid_lower(char *s);

#endif
