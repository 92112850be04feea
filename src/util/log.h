/*
 * log.h — diagnostics on stderr, request logs on stdout.
 *
 * log_info/log_warn/log_error write exactly one line to stderr:
 *
 *	2025-03-01T09:30:00.123Z INFO listening on 127.0.0.1:8080
 *
 * The time is the real system time (CLOCK_REALTIME, not the test offset of
 * clock.h), in UTC, RFC 3339 with milliseconds (civil_format_rfc3339).  Messages are truncated to
 * LOG_LINE_MAX bytes, and control characters (including newlines) in the
 * formatted message are replaced by '?', so one call is always one line.
 * Each line goes out in a single write(2) under a mutex: lines from
 * different threads never interleave.
 */
#ifndef QT_UTIL_LOG_H
#define QT_UTIL_LOG_H

#include <stdint.h>

#define LOG_LINE_MAX 4096

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Write json and a '\n' to stdout as one write(2) (the caller passes a
 * single-line JSON document; embedded newlines are not altered).  Any
 * length; NULL is ignored.  Thread-safe.
 */
void log_json_line(const char *json);
/* The n bytes at line and a '\n' to fd in one write(2), under the same
 * lock as every other line, so lines from any thread never interleave. */
void log_line_fd(int fd, const char *line, size_t n);

#endif
