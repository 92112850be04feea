/*
 * csv_read.c — the incremental CSV reader (see csv.h).
 *
 * One state machine over bytes, so a record may be split across pieces
 * anywhere: inside a field, a quote pair, a CRLF, a UTF-8 sequence or the
 * byte order mark.  The current record's fields sit one after another in
 * one buffer, each followed by a NUL; `start` holds where each begins.
 * The buffer is bounded by the limits (64 fields of at most 64 KiB), so a
 * hostile file cannot make it grow without end.
 *
 * Lines: LF, CRLF and a lone CR each end one line, inside quotes too, so
 * the line numbers are the ones a text editor shows.
 */
#include <stdlib.h>
#include <string.h>

#include "util/csv.h"

enum state {
	S_FIELD_START,  /* at the start of a field */
	S_UNQUOTED,     /* inside an unquoted field */
	S_QUOTED,       /* inside a quoted field */
	S_QUOTE,        /* a quote inside a quoted field: doubled, or the closing one */
};

struct csv_reader {
	csv_record_fn fn;
	void *cls;
	enum state state;
	enum csv_error err;
	int finished;

	/* The byte order mark is looked for in the first three bytes. */
	unsigned char bom[3];
	int bom_have;       /* bytes held in bom[] */
	int bom_done;

	/* UTF-8 check: continuation bytes still expected and their range. */
	int utf8_need;
	unsigned char utf8_lo, utf8_hi;

	uint64_t line;         /* the line being read (1-based) */
	int prev_cr;           /* the last byte was a CR (a following LF ends no new line) */
	uint64_t record_line;  /* the line the current record started on */
	uint64_t quote_line;   /* the line the open quote is on */
	int record_started;    /* any byte of the record seen (else a blank line) */

	struct buf data;                   /* the record's fields, each NUL-terminated */
	size_t start[CSV_MAX_COLUMNS];     /* where field i begins in data */
	int nfields;                       /* fields complete so far */
	size_t field_len;                  /* bytes of the field being read */

	uint64_t err_line;
	int err_column;
};

struct csv_reader *csv_reader_new(csv_record_fn fn, void *cls)
{
	struct csv_reader *r = calloc(1, sizeof *r);
	if (!r)
		return NULL;
	r->fn = fn;
	r->cls = cls;
	r->line = 1;
	r->record_line = 1;
	buf_init(&r->data);
	return r;
}

void csv_reader_free(struct csv_reader *r)
{
	if (!r)
		return;
	buf_release(&r->data);
	free(r);
}

static enum csv_error fail(struct csv_reader *r, enum csv_error e, uint64_t line)
{
	r->err = e;
	r->err_line = line;
	r->err_column = r->nfields + 1;
	if (r->err_column > CSV_MAX_COLUMNS + 1)
		r->err_column = CSV_MAX_COLUMNS + 1;
	return e;
}

static void begin_record(struct csv_reader *r)
{
	r->record_started = 1;
	r->record_line = r->line;
	r->nfields = 0;
	r->field_len = 0;
	buf_reset(&r->data);
	r->start[0] = 0;
}

/* The field being read ends; another may begin.  Returns CSV_OK or the
 * too-many-columns error. */
static enum csv_error end_field(struct csv_reader *r)
{
	if (r->nfields >= CSV_MAX_COLUMNS)
		return fail(r, CSV_E_TOO_MANY_COLUMNS, r->record_line);
	buf_putc(&r->data, '\0');
	r->nfields++;
	if (r->nfields < CSV_MAX_COLUMNS)
		r->start[r->nfields] = r->data.len;
	r->field_len = 0;
	return CSV_OK;
}

static enum csv_error end_record(struct csv_reader *r)
{
	const char *fields[CSV_MAX_COLUMNS];
	size_t len[CSV_MAX_COLUMNS];
	enum csv_error e = end_field(r);
	if (e != CSV_OK)
		return e;
	for (int i = 0; i < r->nfields; i++) {
		fields[i] = r->data.data + r->start[i];
		size_t end = i + 1 < r->nfields ? r->start[i + 1] : r->data.len;
		len[i] = end - r->start[i] - 1;
	}
	r->record_started = 0;
	r->state = S_FIELD_START;
	int stop = r->fn(r->cls, r->record_line, fields, len, r->nfields);
	r->nfields = 0;
	buf_reset(&r->data);
	return stop ? fail(r, CSV_E_ABORTED, r->record_line) : CSV_OK;
}

static enum csv_error put(struct csv_reader *r, unsigned char c)
{
	if (r->field_len >= CSV_MAX_FIELD)
		return fail(r, CSV_E_FIELD_TOO_LONG, r->record_line);
	buf_putc(&r->data, (char)c);
	r->field_len++;
	return CSV_OK;
}

/* UTF-8 as RFC 3629 has it: no overlong forms, no surrogates, nothing past
 * U+10FFFF. */
static int utf8_ok(struct csv_reader *r, unsigned char c)
{
	if (r->utf8_need) {
		if (c < r->utf8_lo || c > r->utf8_hi)
			return 0;
		r->utf8_need--;
		r->utf8_lo = 0x80;
		r->utf8_hi = 0xBF;
		return 1;
	}
	if (c < 0x80)
		return 1;
	r->utf8_lo = 0x80;
	r->utf8_hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF)
		r->utf8_need = 1;
	else if (c == 0xE0)
		r->utf8_need = 2, r->utf8_lo = 0xA0;
	else if (c == 0xED)
		r->utf8_need = 2, r->utf8_hi = 0x9F;
	else if (c >= 0xE1 && c <= 0xEF)
		r->utf8_need = 2;
	else if (c == 0xF0)
		r->utf8_need = 3, r->utf8_lo = 0x90;
	else if (c >= 0xF1 && c <= 0xF3)
		r->utf8_need = 3;
	else if (c == 0xF4)
		r->utf8_need = 3, r->utf8_hi = 0x8F;
	else
		return 0;
	return 1;
}

static enum csv_error byte(struct csv_reader *r, unsigned char c)
{
	int was_cr = r->prev_cr;
	r->prev_cr = c == '\r';

	if (c == '\0')
		return fail(r, CSV_E_NUL, r->record_started ? r->record_line : r->line);
	if (!utf8_ok(r, c))
		return fail(r, CSV_E_NOT_UTF8, r->record_started ? r->record_line : r->line);

	if (c == '\n' || c == '\r') {
		/* The LF of a CRLF ends no further line. */
		int new_line = !(c == '\n' && was_cr);
		if (r->state == S_QUOTED) {
			enum csv_error e = put(r, c);
			if (new_line)
				r->line++;
			return e;
		}
		enum csv_error e = CSV_OK;
		if (r->record_started)
			e = end_record(r);
		if (new_line)
			r->line++;
		return e;
	}
	if (!r->record_started)
		begin_record(r);
	switch (r->state) {
	case S_FIELD_START:
		if (c == '"') {
			r->state = S_QUOTED;
			r->quote_line = r->line;
			return CSV_OK;
		}
		if (c == ',')
			return end_field(r);
		r->state = S_UNQUOTED;
		return put(r, c);
	case S_UNQUOTED:
		if (c == ',') {
			r->state = S_FIELD_START;
			return end_field(r);
		}
		if (c == '"')
			return fail(r, CSV_E_BAD_QUOTE, r->record_line);
		return put(r, c);
	case S_QUOTED:
		if (c == '"') {
			r->state = S_QUOTE;
			return CSV_OK;
		}
		return put(r, c);
	case S_QUOTE:
		if (c == '"') {
			r->state = S_QUOTED;
			return put(r, c);
		}
		if (c == ',') {
			r->state = S_FIELD_START;
			return end_field(r);
		}
		return fail(r, CSV_E_BAD_QUOTE, r->record_line);
	}
	return CSV_OK;
}

/* Plain bytes of an unquoted or quoted field, taken in one run: the
 * common case, kept off the per-byte path.  Returns how many were taken. */
static size_t run(struct csv_reader *r, const unsigned char *p, size_t n)
{
	size_t i = 0;
	if (r->utf8_need || (r->state != S_UNQUOTED && r->state != S_QUOTED))
		return 0;
	while (i < n && p[i] >= 0x20 && p[i] < 0x80 && p[i] != ',' && p[i] != '"')
		i++;
	if (i > CSV_MAX_FIELD - r->field_len)
		i = CSV_MAX_FIELD - r->field_len;
	if (i) {
		buf_append(&r->data, p, i);
		r->field_len += i;
		r->prev_cr = 0;
	}
	return i;
}

static enum csv_error feed(struct csv_reader *r, const unsigned char *p, size_t n)
{
	size_t i = 0;
	while (i < n) {
		size_t k = run(r, p + i, n - i);
		if (k) {
			i += k;
			continue;
		}
		enum csv_error e = byte(r, p[i++]);
		if (e != CSV_OK)
			return e;
	}
	return CSV_OK;
}

enum csv_error csv_feed(struct csv_reader *r, const char *data, size_t n)
{
	const unsigned char *p = (const unsigned char *)data;
	if (r->err != CSV_OK || r->finished)
		return r->err;
	if (!r->bom_done) {
		static const unsigned char mark[3] = { 0xEF, 0xBB, 0xBF };
		while (n && r->bom_have < 3 && *p == mark[r->bom_have]) {
			r->bom[r->bom_have++] = *p++;
			n--;
		}
		if (r->bom_have == 3) {
			r->bom_done = 1;
		} else if (n) {
			/* Not a byte order mark after all: what was held is text. */
			r->bom_done = 1;
			enum csv_error e = feed(r, r->bom, (size_t)r->bom_have);
			if (e != CSV_OK)
				return e;
		} else {
			return CSV_OK;
		}
	}
	return feed(r, p, n);
}

enum csv_error csv_finish(struct csv_reader *r)
{
	if (r->err != CSV_OK || r->finished)
		return r->err;
	if (!r->bom_done) {
		r->bom_done = 1;
		enum csv_error e = feed(r, r->bom, (size_t)r->bom_have);
		if (e != CSV_OK)
			return e;
	}
	r->finished = 1;
	if (r->state == S_QUOTED)
		return fail(r, CSV_E_UNTERMINATED_QUOTE, r->quote_line);
	if (r->utf8_need)
		return fail(r, CSV_E_NOT_UTF8, r->record_started ? r->record_line : r->line);
	if (r->record_started)
		return end_record(r);
	return CSV_OK;
}

uint64_t csv_error_line(const struct csv_reader *r)
{
	return r->err_line;
}

int csv_error_column(const struct csv_reader *r)
{
	return r->err_column;
}

const char *csv_strerror(enum csv_error e)
{
	switch (e) {
	case CSV_OK:
		return "no error";
	case CSV_E_FIELD_TOO_LONG:
		return "a field is longer than 65536 bytes";
	case CSV_E_TOO_MANY_COLUMNS:
		return "a row has more than 64 columns";
	case CSV_E_UNTERMINATED_QUOTE:
		return "a quoted field is never closed (a \" without its closing \")";
	case CSV_E_BAD_QUOTE:
		return "a quote inside an unquoted field, or text after a closing quote (write \"\" for a quote inside quotes)";
	case CSV_E_NOT_UTF8:
		return "the text is not UTF-8 (save the file as CSV UTF-8)";
	case CSV_E_NUL:
		return "a NUL byte (this is not a text file)";
	case CSV_E_ABORTED:
		return "the reading was stopped";
	}
	return "unknown error";
}

const char *csv_cell_uninert(const char *s, size_t *n)
{
	if (*n > 0 && s[0] == '\'') {
		(*n)--;
		return s + 1;
	}
	return s;
}
