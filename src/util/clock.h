/*
 * clock.h — the one place the program reads wall-clock time.
 *
 * Every "now" in the product comes from clock_now_ms() so tests and the CLI
 * can move time (expiry of tokens, due dates, reminders) without touching
 * the system clock.  All functions are thread-safe.
 */
#ifndef QT_UTIL_CLOCK_H
#define QT_UTIL_CLOCK_H

#include <stdint.h>

/*
 * Unix time in milliseconds (CLOCK_REALTIME) plus the current offset.
 *
 * The offset starts at the value of the environment variable
 * QT_CLOCK_OFFSET_MS (a signed decimal integer of milliseconds), read once,
 * at the first call of any function in this module; an unset, empty or
 * malformed value means 0 (a malformed value is reported on stderr once).
 * clock_set_offset_ms() replaces it at any time and always wins over the
 * environment.
 */
int64_t clock_now_ms(void);

/* clock_now_ms() / 1000, rounded down: unix seconds (JWT iat/exp). */
int64_t clock_now_s(void);

/* Set the offset added to CLOCK_REALTIME by clock_now_ms(). */
void clock_set_offset_ms(int64_t offset_ms);

/* The current offset (after reading QT_CLOCK_OFFSET_MS if not yet done). */
int64_t clock_offset_ms(void);

/*
 * Milliseconds of CLOCK_MONOTONIC: for measuring durations and timeouts
 * only; unaffected by the offset and by changes to the system clock.
 */
int64_t clock_mono_ms(void);

#endif
