#include "check.h"

#include <stdlib.h>

#include "util/csv.h"

/* Records as text: "<line>:" then each field in brackets, one record a
 * line, so two parses compare with one strcmp. */
struct collect {
	struct buf out;
	int records;
	int stop_after;      /* > 0: ask to stop after this many records */
};

static int collect_fn(void *cls, uint64_t line, const char *const *fields, const size_t *len,
	int nfields)
{
	struct collect *c = cls;
	buf_printf(&c->out, "%llu:", (unsigned long long)line);
	for (int i = 0; i < nfields; i++) {
		if (fields[i][len[i]] != '\0')
			buf_puts(&c->out, "<not terminated>");
		buf_putc(&c->out, '[');
		buf_append(&c->out, fields[i], len[i]);
		buf_putc(&c->out, ']');
	}
	buf_putc(&c->out, '\n');
	c->records++;
	return c->stop_after && c->records >= c->stop_after;
}

struct parse {
	enum csv_error err;
	uint64_t line;
	int column;
	char *records;
	int n;
};

/* Parse data fed in pieces of `step` bytes (0: all at once). */
static struct parse parse_in(const char *data, size_t n, size_t step)
{
	struct collect c = { BUF_INIT, 0, 0 };
	struct csv_reader *r = csv_reader_new(collect_fn, &c);
	struct parse p = { 0 };
	enum csv_error e = CSV_OK;
	if (!step)
		step = n ? n : 1;
	for (size_t i = 0; i < n && e == CSV_OK; i += step)
		e = csv_feed(r, data + i, n - i < step ? n - i : step);
	if (e == CSV_OK)
		e = csv_finish(r);
	p.err = e;
	p.line = csv_error_line(r);
	p.column = csv_error_column(r);
	p.n = c.records;
	p.records = buf_detach(&c.out);
	csv_reader_free(r);
	return p;
}

static struct parse parse(const char *s)
{
	return parse_in(s, strlen(s), 0);
}

TEST(simple_records_with_lines)
{
	struct parse p = parse("a,b,c\r\n1,2,3\r\n");
	CHECK_INT(p.err, CSV_OK);
	CHECK_STR(p.records, "1:[a][b][c]\n2:[1][2][3]\n");
	free(p.records);
}

TEST(lf_crlf_and_lone_cr_all_end_lines)
{
	struct parse p = parse("a\nb\r\nc\rd");
	CHECK_INT(p.err, CSV_OK);
	CHECK_STR(p.records, "1:[a]\n2:[b]\n3:[c]\n4:[d]\n");
	free(p.records);
}

TEST(last_record_without_line_end_is_delivered)
{
	struct parse p = parse("x,y\n1,2");
	CHECK_STR(p.records, "1:[x][y]\n2:[1][2]\n");
	free(p.records);
}

TEST(blank_lines_are_skipped_but_counted)
{
	struct parse p = parse("\n\na\r\n\r\n,\n\n");
	CHECK_INT(p.err, CSV_OK);
	CHECK_STR(p.records, "3:[a]\n5:[][]\n");
	free(p.records);
}

TEST(byte_order_mark_is_skipped_only_at_the_start)
{
	struct parse p = parse(CSV_BOM "name\n" CSV_BOM "x\n");
	CHECK_INT(p.err, CSV_OK);
	CHECK_STR(p.records, "1:[name]\n2:[" CSV_BOM "x]\n");
	free(p.records);
	/* The first bytes of a BOM that is not one are text. */
	p = parse("\xEF\xBB" "a\n");
	CHECK_INT(p.err, CSV_E_NOT_UTF8);
	free(p.records);
	p = parse("\xEF");
	CHECK_INT(p.err, CSV_E_NOT_UTF8);
	free(p.records);
	p = parse(CSV_BOM);
	CHECK_INT(p.err, CSV_OK);
	CHECK_INT(p.n, 0);
	free(p.records);
}

TEST(quotes_doubled_commas_and_line_breaks_inside)
{
	struct parse p = parse("\"a,b\",\"say \"\"hi\"\"\",\"two\r\nlines\"\n\"\",x\n");
	CHECK_INT(p.err, CSV_OK);
	CHECK_STR(p.records, "1:[a,b][say \"hi\"][two\r\nlines]\n3:[][x]\n");
	free(p.records);
}

TEST(record_line_is_where_a_multi_line_record_starts)
{
	struct parse p = parse("h\n\"1\n2\n3\"\nnext\n\"a\rb\"\nlast\n");
	CHECK_INT(p.err, CSV_OK);
	CHECK_STR(p.records, "1:[h]\n2:[1\n2\n3]\n5:[next]\n6:[a\rb]\n8:[last]\n");
	free(p.records);
}

TEST(every_chunking_gives_the_same_records)
{
	static const char sample[] =
		CSV_BOM "id,name,note\r\n"
		"1,\"Kumar, Rajesh\",\"line one\r\nline \"\"two\"\"\"\r\n"
		"2,प्रिया सिंह,'+919876543210\n"
		"\r\n"
		"3,,\"\"\r"
		"4,\"x\",\xE2\x82\xB9" "12\n"
		"5,last,no line end";
	size_t n = sizeof sample - 1;
	struct parse whole = parse_in(sample, n, 0);
	CHECK_INT(whole.err, CSV_OK);
	CHECK_INT(whole.n, 6);
	/* Byte by byte, and every other piece size. */
	for (size_t step = 1; step <= n; step++) {
		struct parse p = parse_in(sample, n, step);
		CHECK_INT(p.err, CSV_OK);
		CHECK_STR(p.records, whole.records);
		free(p.records);
	}
	/* Every split into two pieces. */
	for (size_t cut = 0; cut <= n; cut++) {
		struct collect c = { BUF_INIT, 0, 0 };
		struct csv_reader *r = csv_reader_new(collect_fn, &c);
		CHECK_INT(csv_feed(r, sample, cut), CSV_OK);
		CHECK_INT(csv_feed(r, sample + cut, n - cut), CSV_OK);
		CHECK_INT(csv_finish(r), CSV_OK);
		CHECK_STR(buf_cstr(&c.out), whole.records);
		buf_release(&c.out);
		csv_reader_free(r);
	}
	free(whole.records);
}

TEST(field_of_64_kib_is_taken_one_more_byte_is_refused)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "a,b\nx,");
	for (int i = 0; i < CSV_MAX_FIELD; i++)
		buf_putc(&b, 'y');
	buf_puts(&b, "\n");
	struct parse p = parse_in(b.data, b.len, 0);
	CHECK_INT(p.err, CSV_OK);
	CHECK_INT(p.n, 2);
	free(p.records);
	/* The same field one byte longer, quoted, fed byte by byte. */
	buf_reset(&b);
	buf_puts(&b, "a,b\nx,\"");
	for (int i = 0; i <= CSV_MAX_FIELD; i++)
		buf_putc(&b, 'y');
	buf_puts(&b, "\"\n");
	p = parse_in(b.data, b.len, 1);
	CHECK_INT(p.err, CSV_E_FIELD_TOO_LONG);
	CHECK_INT(p.line, 2);
	CHECK_INT(p.column, 2);
	CHECK_INT(p.n, 1);
	free(p.records);
	buf_release(&b);
}

TEST(sixty_four_columns_are_taken_sixty_five_refused)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "h\n");
	for (int i = 0; i < CSV_MAX_COLUMNS; i++)
		buf_puts(&b, i ? ",c" : "c");
	buf_puts(&b, "\n");
	struct parse p = parse_in(b.data, b.len, 0);
	CHECK_INT(p.err, CSV_OK);
	CHECK_INT(p.n, 2);
	free(p.records);
	buf_puts(&b, "1");
	for (int i = 0; i < CSV_MAX_COLUMNS; i++)
		buf_puts(&b, ",");
	p = parse_in(b.data, b.len, 0);
	CHECK_INT(p.err, CSV_E_TOO_MANY_COLUMNS);
	CHECK_INT(p.line, 3);
	CHECK_INT(p.column, 65);
	free(p.records);
	buf_release(&b);
}

TEST(unterminated_quote_is_one_error_naming_the_line_it_opened_on)
{
	struct parse p = parse("a,b\n1,2\n3,\"never closed\n4,5\n6,7\n");
	CHECK_INT(p.err, CSV_E_UNTERMINATED_QUOTE);
	CHECK_INT(p.line, 3);
	CHECK_INT(p.column, 2);
	CHECK_INT(p.n, 2);
	free(p.records);
	/* A quote opened on a later line of a multi-line record. */
	p = parse("x,\"1\n2\",\"3\n4");
	CHECK_INT(p.err, CSV_E_UNTERMINATED_QUOTE);
	CHECK_INT(p.line, 2);
	free(p.records);
	CHECK(strstr(csv_strerror(CSV_E_UNTERMINATED_QUOTE), "never closed") != NULL);
}

TEST(stray_quotes_are_refused_with_line_and_column)
{
	struct parse p = parse("a,b\nab\"c,d\n");
	CHECK_INT(p.err, CSV_E_BAD_QUOTE);
	CHECK_INT(p.line, 2);
	CHECK_INT(p.column, 1);
	free(p.records);
	p = parse("a,b\n\n1,\"x\"y\n");
	CHECK_INT(p.err, CSV_E_BAD_QUOTE);
	CHECK_INT(p.line, 3);
	CHECK_INT(p.column, 2);
	free(p.records);
}

TEST(utf8_is_checked)
{
	struct parse p = parse("नाम,₹,😀\n");
	CHECK_INT(p.err, CSV_OK);
	free(p.records);
	static const char *const bad[] = {
		"a\n\xC3\x28\n",         /* a lead byte without its continuation */
		"a\n\xC0\xAF\n",         /* overlong '/' */
		"a\n\xE0\x80\xAF\n",     /* overlong, three bytes */
		"a\n\xED\xA0\x80\n",     /* a UTF-16 surrogate */
		"a\n\xF4\x90\x80\x80\n", /* past U+10FFFF */
		"a\n\xFF\n",
		"a\n\x80\n",             /* a lone continuation byte */
		"a\n\xE2\x82",           /* cut off at the end */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		p = parse(bad[i]);
		CHECK_INT(p.err, CSV_E_NOT_UTF8);
		CHECK_INT(p.line, 2);
		free(p.records);
		p = parse_in(bad[i], strlen(bad[i]), 1);
		CHECK_INT(p.err, CSV_E_NOT_UTF8);
		free(p.records);
	}
}

TEST(nul_byte_is_refused)
{
	static const char data[] = "a,b\n1,x\0y\n";
	struct parse p = parse_in(data, sizeof data - 1, 0);
	CHECK_INT(p.err, CSV_E_NUL);
	CHECK_INT(p.line, 2);
	CHECK_INT(p.column, 2);
	free(p.records);
}

TEST(errors_stick_and_later_calls_return_them)
{
	struct collect c = { BUF_INIT, 0, 0 };
	struct csv_reader *r = csv_reader_new(collect_fn, &c);
	CHECK_INT(csv_feed(r, "a\"b\n", 4), CSV_E_BAD_QUOTE);
	CHECK_INT(csv_feed(r, "c\n", 2), CSV_E_BAD_QUOTE);
	CHECK_INT(csv_finish(r), CSV_E_BAD_QUOTE);
	CHECK_INT(c.records, 0);
	buf_release(&c.out);
	csv_reader_free(r);
}

TEST(callback_can_stop_the_parse)
{
	struct collect c = { BUF_INIT, 0, 2 };
	struct csv_reader *r = csv_reader_new(collect_fn, &c);
	CHECK_INT(csv_feed(r, "a\nb\nc\nd\n", 8), CSV_E_ABORTED);
	CHECK_INT(c.records, 2);
	CHECK_INT(csv_error_line(r), 2);
	CHECK_INT(csv_finish(r), CSV_E_ABORTED);
	buf_release(&c.out);
	csv_reader_free(r);
}

TEST(cell_uninert_strips_one_apostrophe)
{
	size_t n = 4;
	CHECK_STR(csv_cell_uninert("'+91", &n), "+91");
	CHECK_INT(n, 3);
	n = 2;
	CHECK_STR(csv_cell_uninert("''", &n), "'");
	CHECK_INT(n, 1);
	n = 3;
	CHECK_STR(csv_cell_uninert("abc", &n), "abc");
	CHECK_INT(n, 3);
	n = 0;
	CHECK_STR(csv_cell_uninert("", &n), "");
	CHECK_INT(n, 0);
}

TEST(what_the_writer_writes_reads_back_as_the_values)
{
	static const char *const cells[] = {
		"=SUM(A1)", "+919876543210", "-5", "@x", "\tx", "\rx", "plain", "a,b", "say \"hi\"",
		"two\r\nlines", "", "नमस्ते",
	};
	enum { N = sizeof cells / sizeof cells[0] };
	struct buf b = BUF_INIT;
	for (int i = 0; i < N; i++)
		csv_text(&b, cells[i], i == 0);
	csv_end_row(&b);
	struct collect c = { BUF_INIT, 0, 0 };
	struct csv_reader *r = csv_reader_new(collect_fn, &c);
	CHECK_INT(csv_feed(r, b.data, b.len), CSV_OK);
	CHECK_INT(csv_finish(r), CSV_OK);
	/* Rebuild the expected text from the original cells. */
	struct buf want = BUF_INIT;
	buf_puts(&want, "1:");
	for (int i = 0; i < N; i++)
		buf_printf(&want, "[%s%s]", cells[i][0] == '=' || cells[i][0] == '+' || cells[i][0] == '-' ||
			cells[i][0] == '@' || cells[i][0] == '\t' || cells[i][0] == '\r' ? "'" : "", cells[i]);
	buf_putc(&want, '\n');
	CHECK_STR(buf_cstr(&c.out), buf_cstr(&want));
	/* And csv_cell_uninert gives back each value. */
	const char *text = buf_cstr(&c.out) + 2;
	for (int i = 0; i < N; i++) {
		const char *close = strchr(text + 1, ']');
		/* cells hold no ']' so the next one ends the field */
		size_t n = (size_t)(close - text - 1);
		const char *v = csv_cell_uninert(text + 1, &n);
		CHECK_INT(n, strlen(cells[i]));
		CHECK(strncmp(v, cells[i], n) == 0);
		text = close + 1;
	}
	buf_release(&want);
	buf_release(&c.out);
	buf_release(&b);
	csv_reader_free(r);
}

CHECK_MAIN()
