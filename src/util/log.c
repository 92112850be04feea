#include "util/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

/*
 * Howard Hinnant's days_from_civil inverse ("civil_from_days"): days since
 * 1970-01-01 to a proleptic Gregorian y/m/d.  Used instead of gmtime(),
 * which is banned (static buffer), and gmtime_r, which may take locks.
 */
static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t year = (int64_t)yoe + era * 400;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = year + (*m <= 2);
}

/* Exactly width decimal digits of v (zero-padded, high digits dropped). */
static char *put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

void log_format_time(int64_t unix_ms, char out[LOG_TIME_LEN])
{
	/* 0000-01-01 .. 9999-12-31T23:59:59.999 */
	const int64_t min_ms = -62167219200000LL, max_ms = 253402300799999LL;
	if (unix_ms < min_ms)
		unix_ms = min_ms;
	if (unix_ms > max_ms)
		unix_ms = max_ms;
	int64_t secs = unix_ms >= 0 ? unix_ms / 1000 : -((-unix_ms + 999) / 1000);
	unsigned ms = (unsigned)(unix_ms - secs * 1000);
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	unsigned sod = (unsigned)(secs - days * 86400);
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	char *p = out;
	p = put_digits(p, (unsigned)y, 4);
	*p++ = '-';
	p = put_digits(p, m, 2);
	*p++ = '-';
	p = put_digits(p, d, 2);
	*p++ = 'T';
	p = put_digits(p, sod / 3600, 2);
	*p++ = ':';
	p = put_digits(p, sod / 60 % 60, 2);
	*p++ = ':';
	p = put_digits(p, sod % 60, 2);
	*p++ = '.';
	p = put_digits(p, ms, 3);
	*p++ = 'Z';
	*p = '\0';
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;  /* nowhere left to report a logging failure */
		}
		p += w;
		n -= (size_t)w;
	}
}

__attribute__((format(printf, 2, 0)))
static void log_emit(const char *level, const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX + 64];
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	log_format_time((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, line);
	size_t len = LOG_TIME_LEN - 1;
	len += (size_t)snprintf(line + len, sizeof(line) - len, " %s ", level);

	size_t start = len;
	int n = vsnprintf(line + len, LOG_LINE_MAX + 1, fmt, ap);
	if (n < 0)
		n = 0;
	len += (size_t)n > LOG_LINE_MAX ? LOG_LINE_MAX : (size_t)n;
	for (size_t i = start; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		if (c < 0x20 || c == 0x7f)
			line[i] = '?';
	}
	line[len++] = '\n';

	pthread_mutex_lock(&log_lock);
	write_all(STDERR_FILENO, line, len);
	pthread_mutex_unlock(&log_lock);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_emit("INFO", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_emit("WARN", fmt, ap);
	va_end(ap);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_emit("ERROR", fmt, ap);
	va_end(ap);
}

void log_json_line(const char *json)
{
	if (!json)
		return;
	size_t n = strlen(json);
	char small[2048];
	char *p = n + 1 <= sizeof(small) ? small : malloc(n + 1);
	pthread_mutex_lock(&log_lock);
	if (p) {
		memcpy(p, json, n);
		p[n] = '\n';
		write_all(STDOUT_FILENO, p, n + 1);
	} else {
		/* No memory for the copy: two writes, still under the lock. */
		write_all(STDOUT_FILENO, json, n);
		write_all(STDOUT_FILENO, "\n", 1);
	}
	pthread_mutex_unlock(&log_lock);
	if (p != small)
		free(p);
}
