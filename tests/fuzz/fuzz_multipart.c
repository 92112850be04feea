/*
 * libFuzzer target for util/multipart.c (multipart/form-data bodies fed
 * as they arrive).  The input is a body with the boundary BOUNDARY; its
 * first byte also seeds the sizes of the pieces for the split feed.
 * Properties: never crashes or reads out of bounds; feeding the body at
 * once, byte by byte, and in pseudo-random pieces gives the same parts
 * (names, filenames, types, data), the same result and the same error;
 * an accepted body has at most MULTIPART_PARTS_MAX parts, strings without
 * NUL and within their limits, and no part's data holds the delimiter;
 * written out again (names quoted, filenames as filename*) it parses to
 * the same parts; a refusal always says why.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/multipart.h"

#define BOUNDARY "qtfuzz"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct rec {
	struct buf log;    /* every event, in order */
	int parts;
	/* The parts themselves, for writing the body out again. */
	struct part {
		char *name, *filename, *type;
		struct buf data;
	} part[MULTIPART_PARTS_MAX + 1];
	int bad;
};

static char *dup_or_null(const char *s, size_t max, int *bad)
{
	if (!s)
		return NULL;
	size_t n = strlen(s);
	if (n > max)
		*bad = 1;
	char *d = malloc(n + 1);
	if (!d)
		abort();
	memcpy(d, s, n + 1);
	return d;
}

static int on_begin(void *cls, const struct multipart_part *p)
{
	struct rec *r = cls;
	if (!p->name || p->index != r->parts || r->parts >= MULTIPART_PARTS_MAX)
		abort();
	struct part *q = &r->part[r->parts++];
	q->name = dup_or_null(p->name, MULTIPART_NAME_MAX, &r->bad);
	q->filename = dup_or_null(p->filename, MULTIPART_FILENAME_MAX, &r->bad);
	q->type = dup_or_null(p->content_type, MULTIPART_TYPE_MAX, &r->bad);
	buf_init(&q->data);
	buf_printf(&r->log, "B%zu:%s|%zu:%s|%zu:%s\n", strlen(p->name), p->name,
		p->filename ? strlen(p->filename) : 0, p->filename ? p->filename : "",
		p->content_type ? strlen(p->content_type) : 0, p->content_type ? p->content_type : "");
	return 0;
}

static int on_data(void *cls, const char *d, size_t n)
{
	struct rec *r = cls;
	if (n == 0 || r->parts == 0)
		abort();
	buf_append(&r->part[r->parts - 1].data, d, n);
	buf_putc(&r->log, 'D');
	buf_append(&r->log, d, n);
	return 0;
}

static int on_end(void *cls)
{
	struct rec *r = cls;
	buf_puts(&r->log, "E\n");
	return 0;
}

static const struct multipart_handler handler = { on_begin, on_data, on_end };

static void rec_release(struct rec *r)
{
	for (int i = 0; i < r->parts; i++) {
		free(r->part[i].name);
		free(r->part[i].filename);
		free(r->part[i].type);
		buf_release(&r->part[i].data);
	}
	buf_release(&r->log);
}

/* Data events merged: pieces of one part's data are the same data
 * however they were cut. */
static void canonical(const struct rec *r, struct buf *out)
{
	buf_init(out);
	for (int i = 0; i < r->parts; i++) {
		const struct part *q = &r->part[i];
		buf_printf(out, "B%s|%s|%s\n%zu:", q->name, q->filename ? q->filename : "\x01",
			q->type ? q->type : "\x01", q->data.len);
		buf_append(out, q->data.data ? q->data.data : "", q->data.len);
	}
}

static struct multipart m;

/* Feed body in pieces: step 0 at once, 1 byte by byte, otherwise sizes
 * from a little generator seeded with step. */
static int run(const char *body, size_t len, unsigned step, struct rec *r, char *err, size_t errlen)
{
	memset(r, 0, sizeof *r);
	buf_init(&r->log);
	if (multipart_init(&m, BOUNDARY, &handler, r) != 0)
		abort();
	int rc = MULTIPART_OK;
	uint32_t x = step * 2654435761u + 1;
	for (size_t i = 0; i < len && rc == MULTIPART_OK;) {
		size_t n = len - i;
		if (step == 1) {
			n = 1;
		} else if (step > 1) {
			x = x * 1103515245u + 12345u;
			size_t k = 1 + (x >> 16) % 97;
			n = k < n ? k : n;
		}
		rc = multipart_feed(&m, body + i, n);
		i += n;
	}
	if (rc == MULTIPART_OK)
		rc = multipart_finish(&m);
	snprintf(err, errlen, "%s", multipart_error(&m));
	return rc;
}

static void pct(struct buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.')
			buf_putc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

static void write_out(const struct rec *r, struct buf *b)
{
	buf_init(b);
	for (int i = 0; i < r->parts; i++) {
		const struct part *q = &r->part[i];
		buf_puts(b, i ? "\r\n--" BOUNDARY "\r\n" : "--" BOUNDARY "\r\n");
		buf_printf(b, "Content-Disposition: form-data; name=\"%s\"", q->name);
		if (q->filename) {
			buf_puts(b, "; filename*=UTF-8''");
			pct(b, q->filename);
		}
		buf_puts(b, "\r\n");
		if (q->type)
			buf_printf(b, "Content-Type: %s\r\n", q->type);
		buf_puts(b, "\r\n");
		buf_append(b, q->data.data ? q->data.data : "", q->data.len);
	}
	buf_puts(b, "\r\n--" BOUNDARY "--");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	char err0[160], err[160];
	struct rec whole, piece;
	struct buf c0, c1;

	if (size > 64 * 1024)
		return 0;
	int rc0 = run(body, size, 0, &whole, err0, sizeof err0);
	if ((rc0 == MULTIPART_OK) != (err0[0] == '\0') || rc0 == MULTIPART_ESTOPPED)
		abort();
	canonical(&whole, &c0);
	unsigned steps[] = { 1, size ? (unsigned)data[0] + 2 : 2 };
	for (size_t s = 0; s < sizeof steps / sizeof steps[0]; s++) {
		int rc = run(body, size, steps[s], &piece, err, sizeof err);
		canonical(&piece, &c1);
		if (rc != rc0 || strcmp(err, err0) != 0 || c1.len != c0.len ||
		    memcmp(c1.data, c0.data, c0.len) != 0)
			abort();
		buf_release(&c1);
		rec_release(&piece);
	}
	if (rc0 == MULTIPART_OK) {
		if (whole.bad || whole.parts < 1)
			abort();
		for (int i = 0; i < whole.parts; i++) {
			const struct buf *d = &whole.part[i].data;
			if (d->len && memmem(d->data, d->len, "\r\n--" BOUNDARY, sizeof BOUNDARY + 3))
				abort();
		}
		struct buf again;
		write_out(&whole, &again);
		int rc = run(again.data, again.len, 0, &piece, err, sizeof err);
		canonical(&piece, &c1);
		if (rc != MULTIPART_OK || c1.len != c0.len || memcmp(c1.data, c0.data, c0.len) != 0)
			abort();
		buf_release(&c1);
		rec_release(&piece);
		buf_release(&again);
	}
	buf_release(&c0);
	rec_release(&whole);
	return 0;
}
