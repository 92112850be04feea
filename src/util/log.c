#include "util/log.h"
#include "util/civil.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

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
	civil_format_rfc3339((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000, line);
	size_t len = CIVIL_RFC3339_LEN - 1;
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

void log_line_fd(int fd, const char *line, size_t n)
{
	char small[2048];
	char *p = n + 1 <= sizeof(small) ? small : malloc(n + 1);
	pthread_mutex_lock(&log_lock);
	if (p) {
		memcpy(p, line, n);
		p[n] = '\n';
		write_all(fd, p, n + 1);
	} else {
		/* No memory for the copy: two writes, still under the lock. */
		write_all(fd, line, n);
		write_all(fd, "\n", 1);
	}
	pthread_mutex_unlock(&log_lock);
	if (p != small)
		free(p);
}

void log_json_line(const char *json)
{
	if (json)
		log_line_fd(STDOUT_FILENO, json, strlen(json));
}
