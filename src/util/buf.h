/*
 * buf.h — growable byte buffer (after Git's strbuf).
 *
 *	struct buf b;
 *	buf_init(&b);
 *	buf_puts(&b, "hello");
 *	buf_printf(&b, " %d", 42);
 *	char *s = buf_detach(&b);   // caller frees s; b is empty again
 *
 * Invariants: after buf_init() data is NULL and len == cap == 0; after any
 * append data is non-NULL and data[len] == '\0' (so data can be used as a C
 * string when the contents hold no NUL bytes).  The buffer may hold binary
 * data; len is authoritative.  All growth aborts on OOM (message to stderr)
 * instead of returning an error.  Not thread-safe.
 */
#ifndef QT_UTIL_BUF_H
#define QT_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char *data;
	size_t len, cap;  /* cap counts usable bytes, excluding the NUL slot */
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);

/* Ensure room for n more bytes beyond len (plus the terminating NUL). */
void buf_grow(struct buf *b, size_t n);

/* Append n bytes from p (p may be NULL when n == 0). */
void buf_append_slow(struct buf *b, const void *p, size_t n);
static inline void buf_append(struct buf *b, const void *p, size_t n)
{
	/* The common case, room already there, without a call. */
	if (b->data && b->cap - b->len >= n) {
		if (n)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return;
	}
	buf_append_slow(b, p, n);
}
void buf_puts(struct buf *b, const char *s);
static inline void buf_putc(struct buf *b, char c)
{
	buf_append(b, &c, 1);
}
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Set len to 0 and keep the allocation (data stays NUL-terminated). */
void buf_reset(struct buf *b);

/* The contents as a C string; "" for a buffer never appended to. */
const char *buf_cstr(const struct buf *b);

/* Free the storage and return b to the buf_init() state. */
void buf_release(struct buf *b);

/*
 * Hand over the contents: a malloc'd NUL-terminated string the caller must
 * free() (never NULL; "" for an empty buffer).  b is left as after
 * buf_init().  Read b->len first if the length matters (binary data).
 */
char *buf_detach(struct buf *b);

#endif
