#include "util/buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void buf_oom(size_t n)
{
	fprintf(stderr, "buf: out of memory growing by %zu bytes\n", n);
	abort();
}

void buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void buf_grow(struct buf *b, size_t n)
{
	if (n > SIZE_MAX / 2 - b->len)
		buf_oom(n);
	size_t want = b->len + n;
	if (b->data && want <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 32;
	while (cap < want)
		cap *= 2;
	char *p = realloc(b->data, cap + 1);
	if (!p)
		buf_oom(n);
	if (!b->data)
		p[0] = '\0';
	b->data = p;
	b->cap = cap;
}

void buf_append_slow(struct buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
	buf_append(b, s, strlen(s));
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	buf_grow(b, 64);
	int n = vsnprintf(b->data + b->len, b->cap - b->len + 1, fmt, ap2);
	va_end(ap2);
	if (n < 0) {
		b->data[b->len] = '\0';
		return;
	}
	if ((size_t)n > b->cap - b->len) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	}
	b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

const char *buf_cstr(const struct buf *b)
{
	return b->data ? b->data : "";
}

void buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

char *buf_detach(struct buf *b)
{
	if (!b->data)
		buf_grow(b, 0);
	char *p = b->data;
	buf_init(b);
	return p;
}
