/*
 * logbuf.h — the buffered line writer behind the access log: request
 * threads hand over finished lines without a lock or a system call, and
 * one writer thread sends them to the file descriptor in large writes.
 *
 * One per process.  Each thread that puts a line gets a ring of its own
 * (LOGBUF_RING_BYTES, allocated at its first line): it is the only writer
 * of that ring and the writer thread its only reader, so a put is two
 * memcpy calls and a few atomic stores.  The writer thread sleeps until a
 * line arrives, then waits up to LOGBUF_FLUSH_MS for more (or less, when a
 * ring is half full) and writes everything the rings hold with one
 * writev(2).  So a line reaches the descriptor within about LOGBUF_FLUSH_MS
 * of being put, and an idle process has no writer wake-ups at all.
 *
 * A full ring drops the line and counts it (logbuf_dropped(), exported
 * as qt_access_log_dropped_total): a request never waits for the log.  A
 * ring holds some 500 access-log lines, about 80 ms of one thread's lines
 * at 25k requests/s over four threads, and is drained every
 * LOGBUF_FLUSH_MS or as soon as it is half full; so lines are lost only
 * when the descriptor stops taking them (a stalled pipe reader) or the
 * writer thread gets no CPU for that long.
 *
 * Lines from one thread come out in the order put; lines of different
 * threads are interleaved whole, never mixed.  Lines longer than half a
 * ring, and lines put while no writer runs, are written at once with one
 * write(2) under a mutex, as before.
 *
 * A thread's ring outlives the thread: the next thread to start logging
 * takes it over, so a fixed pool of threads has a fixed set of rings.
 */
#ifndef QT_UTIL_LOGBUF_H
#define QT_UTIL_LOGBUF_H

#include <stddef.h>
#include <stdint.h>

#define LOGBUF_RING_BYTES (128 * 1024)
#define LOGBUF_FLUSH_MS 25

/*
 * Start the writer thread for fd (the access log: STDOUT_FILENO).  Counted:
 * each successful call needs one logbuf_stop(), and a call while the
 * writer runs only counts (the first call's fd is kept).  0, or -1 when
 * the thread cannot be started (lines are then written at once).
 */
int logbuf_start(int fd);

/*
 * Hand over one line of n bytes (without its '\n', which is added).  With
 * no writer running the line is written at once to the last fd started
 * (STDOUT_FILENO before any start).  Thread-safe; never blocks on the
 * descriptor while a writer runs.
 */
void logbuf_put(const char *line, size_t n);

/*
 * Wait until every line put before this call (by any thread, as far as
 * this thread can know of it) has been written.  Returns at once with no
 * writer running.
 */
void logbuf_flush(void);

/*
 * Undo one logbuf_start().  The last one writes every line the rings hold
 * and joins the writer before it returns: nothing put before it is lost.
 * Lines put afterwards are written at once.
 */
void logbuf_stop(void);

/* Lines dropped because their thread's ring was full, since the process
 * started. */
uint64_t logbuf_dropped(void);

#endif
