/*
 * libFuzzer target for the CSV reader (util/csv_read.c).
 * Properties: never crashes; every record keeps the limits (1-64 fields,
 * each at most 64 KiB, NUL-terminated, no NUL inside, UTF-8) and starts on
 * a later line than the one before; feeding the input byte by byte, or cut
 * in two at a place taken from the data, gives the same records and the
 * same error, line and column as one feed; and what was read, written
 * again with the CSV writer, reads back as the same fields.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	struct buf out;        /* every record, length-prefixed, for comparing */
	struct buf rewritten;  /* the records written again as CSV */
	uint64_t last_line;
};

static int utf8_valid(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned c = s[i];
		size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 :
			c >= 0xF0 && c <= 0xF4 ? 4 : 0;
		if (!k || i + k > n)
			return 0;
		uint32_t cp = k == 1 ? c : k == 2 ? c & 0x1F : k == 3 ? c & 0x0F : c & 0x07;
		for (size_t j = 1; j < k; j++) {
			if ((s[i + j] & 0xC0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + j] & 0x3F);
		}
		if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return 0;
		i += k;
	}
	return 1;
}

static int record(void *cls, uint64_t line, const char *const *fields, const size_t *len,
	int nfields)
{
	struct seen *s = cls;
	if (nfields < 1 || nfields > CSV_MAX_COLUMNS || line <= s->last_line)
		abort();
	s->last_line = line;
	/* A record of one empty field is a blank line to the writer. */
	int blank = nfields == 1 && len[0] == 0;
	if (!blank)
		buf_printf(&s->out, "%d:", nfields);
	for (int i = 0; i < nfields; i++) {
		if (len[i] > CSV_MAX_FIELD || fields[i][len[i]] != '\0' || memchr(fields[i], 0, len[i]) ||
		    !utf8_valid((const unsigned char *)fields[i], len[i]))
			abort();
		if (!blank) {
			buf_printf(&s->out, "%zu:", len[i]);
			buf_append(&s->out, fields[i], len[i]);
			csv_plain(&s->rewritten, fields[i], i == 0);
		}
	}
	if (!blank)
		csv_end_row(&s->rewritten);
	return 0;
}

struct result {
	enum csv_error err;
	uint64_t line;
	int column;
	struct seen seen;
};

/* Parse in pieces: cuts[] are the piece ends (the last is size). */
static void run(const uint8_t *data, const size_t *cuts, size_t ncuts, struct result *res)
{
	memset(res, 0, sizeof *res);
	/* A BOM first, so a first field that starts with one reads back. */
	buf_puts(&res->seen.rewritten, CSV_BOM);
	struct csv_reader *r = csv_reader_new(record, &res->seen);
	if (!r)
		abort();
	enum csv_error e = CSV_OK;
	size_t at = 0;
	for (size_t i = 0; i < ncuts && e == CSV_OK; i++) {
		e = csv_feed(r, (const char *)data + at, cuts[i] - at);
		at = cuts[i];
	}
	if (e == CSV_OK)
		e = csv_finish(r);
	if (e != CSV_OK && (csv_error_line(r) < 1 || csv_error_column(r) < 1 ||
	    csv_error_column(r) > CSV_MAX_COLUMNS + 1 || !csv_strerror(e)[0]))
		abort();
	res->err = e;
	res->line = csv_error_line(r);
	res->column = csv_error_column(r);
	csv_reader_free(r);
}

static void same(const struct result *a, const struct result *b)
{
	if (a->err != b->err || a->line != b->line || a->column != b->column ||
	    a->seen.out.len != b->seen.out.len ||
	    (a->seen.out.len && memcmp(a->seen.out.data, b->seen.out.data, a->seen.out.len) != 0))
		abort();
}

static void release(struct result *r)
{
	buf_release(&r->seen.out);
	buf_release(&r->seen.rewritten);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 16)
		return 0;
	struct result whole, bytes, two;
	size_t one = size;
	run(data, &one, 1, &whole);

	size_t *each = malloc(sizeof *each * (size ? size : 1));
	if (!each)
		abort();
	for (size_t i = 0; i < size; i++)
		each[i] = i + 1;
	run(data, each, size, &bytes);
	free(each);
	same(&whole, &bytes);

	size_t cut = size ? (size_t)data[0] * 257 % (size + 1) : 0;
	size_t cuts[2] = { cut, size };
	run(data, cuts, 2, &two);
	same(&whole, &two);

	if (whole.err == CSV_OK) {
		struct result again;
		size_t n = whole.seen.rewritten.len;
		run((const uint8_t *)(n ? whole.seen.rewritten.data : ""), &n, 1, &again);
		if (again.err != CSV_OK || again.seen.out.len != whole.seen.out.len ||
		    (n && memcmp(again.seen.out.data, whole.seen.out.data, whole.seen.out.len) != 0))
			abort();
		release(&again);
	}
	release(&whole);
	release(&bytes);
	release(&two);
	return 0;
}
