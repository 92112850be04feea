/* Tests for pdf/statement_pdf.c and pdf/qr.c: the PDF holds the figures
 * and names (read back with pdftotext when poppler-utils is installed),
 * has the pages statement_pdf_pages() says, survives hostile text, and
 * renders from several threads at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "pdf/qr.h"
#include "pdf/statement_pdf.h"
#include "util/civil.h"

/* Under ASan: fontconfig keeps its font patterns behind encoded offsets the
 * leak checker cannot follow, so what it holds for the font map made once
 * reads as leaked (see tests/fuzz/fuzz_statement_pdf.c). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

static int64_t day_of(const char *ymd)
{
	int64_t d = 0;
	civil_parse_date(ymd, &d);
	return d;
}

static struct statement_pdf_entry ENTRIES[] = {
	{ 0, "purchase", "Monthly groceries", 100000, 100000, 0 },
	{ 0, "payment", "UPI", -40000, 60000, 0 },
	{ 0, "purchase", "दूध और ब्रेड", 30050, 90050, 1 },
	{ 0, "reversal", NULL, -30050, 60000, 0 },
};

static void sample(struct statement_pdf *s, const char *lang)
{
	memset(s, 0, sizeof *s);
	s->lang = lang;
	s->currency = "INR";
	s->locale = "en-IN";
	s->store_name = "Sharma General Store";
	s->store_address = "Shop 4, Main Road\nसेक्टर 21, गुरुग्राम";
	s->customer_name = "राजेश कुमार";
	s->apartment = "A-101";
	s->from_day = day_of("2025-03-01");
	s->to_day = day_of("2025-03-31");
	s->issued_day = day_of("2025-04-01");
	s->opening_minor = 0;
	s->closing_minor = 60000;
	s->purchases_minor = 100000;
	s->payments_minor = 40000;
	s->has_aging = 1;
	s->aging[0] = 10000;
	s->aging[2] = 50000;
	s->upi_link = "upi://pay?pa=shop@okhdfc&pn=Sharma%20General%20Store&am=600.00&cu=INR&tn=Payment";
	s->upi_id = "shop@okhdfc";
	for (size_t i = 0; i < sizeof ENTRIES / sizeof ENTRIES[0]; i++)
		ENTRIES[i].day = day_of("2025-03-05") + (int64_t)i;
	s->entries = ENTRIES;
	s->nentries = 4;
}

static int have(const char *tool)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
	return system(cmd) == 0;
}

/* Run "tool args file" over pdf and return its stdout (malloc'd), or NULL. */
static char *pdf_tool(const struct buf *pdf, const char *tool_args)
{
	char path[] = "/tmp/qt-test-pdf-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		return NULL;
	if (write(fd, pdf->data, pdf->len) != (ssize_t)pdf->len) {
		close(fd);
		unlink(path);
		return NULL;
	}
	close(fd);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "%s %s - 2>/dev/null", tool_args, path);
	FILE *p = popen(cmd, "r");
	struct buf out = BUF_INIT;
	char chunk[4096];
	size_t n;
	while (p && (n = fread(chunk, 1, sizeof chunk, p)) > 0)
		buf_append(&out, chunk, n);
	if (p)
		pclose(p);
	unlink(path);
	return buf_detach(&out);
}

static int pdfinfo_pages(const struct buf *pdf)
{
	char path[] = "/tmp/qt-test-pdf-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || write(fd, pdf->data, pdf->len) != (ssize_t)pdf->len)
		return -1;
	close(fd);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "pdfinfo %s 2>/dev/null | sed -n 's/^Pages: *//p'", path);
	FILE *p = popen(cmd, "r");
	int pages = -1;
	if (p && fscanf(p, "%d", &pages) != 1)
		pages = -1;
	if (p)
		pclose(p);
	unlink(path);
	return pages;
}

TEST(renders_a_pdf_with_the_names_figures_and_labels)
{
	struct statement_pdf s;
	struct buf pdf = BUF_INIT;
	sample(&s, "en");
	CHECK_INT(statement_pdf_render(&s, &pdf), 0);
	CHECK(pdf.len > 1000);
	CHECK(memcmp(pdf.data, "%PDF-", 5) == 0);
	CHECK(strstr(pdf.data + pdf.len - 8, "%%EOF") != NULL);
	CHECK_INT(statement_pdf_pages(&s), 1);
	if (!have("pdftotext")) {
		buf_release(&pdf);
		return;
	}
	char *t = pdf_tool(&pdf, "pdftotext -layout");
	CHECK(t && strstr(t, "Sharma General Store"));
	CHECK(t && strstr(t, "राजेश कुमार"));
	CHECK(t && strstr(t, "सेक्टर 21"));
	CHECK(t && strstr(t, "Statement of account"));
	CHECK(t && strstr(t, "Opening balance"));
	CHECK(t && strstr(t, "₹1,000.00"));
	CHECK(t && strstr(t, "₹600.00"));
	CHECK(t && strstr(t, "₹300.50"));
	CHECK(t && strstr(t, "Monthly groceries"));
	CHECK(t && strstr(t, "(reversed)"));
	CHECK(t && strstr(t, "31–60 days"));
	CHECK(t && strstr(t, "Page 1 of 1"));
	CHECK(t && strstr(t, "5 Mar 2025"));
	free(t);
	CHECK_INT(pdfinfo_pages(&pdf), 1);
	buf_release(&pdf);
}

TEST(hindi_labels_and_month_names)
{
	struct statement_pdf s;
	struct buf pdf = BUF_INIT;
	sample(&s, "hi");
	CHECK_INT(statement_pdf_render(&s, &pdf), 0);
	if (have("pdftotext")) {
		char *t = pdf_tool(&pdf, "pdftotext -layout");
		CHECK(t && strstr(t, "हिसाब का विवरण"));
		CHECK(t && strstr(t, "आख़िरी बकाया"));
		CHECK(t && strstr(t, "उधार"));
		CHECK(t && strstr(t, "जमा"));
		CHECK(t && strstr(t, "मार्च"));
		CHECK(t && strstr(t, "पृष्ठ 1 / 1"));
		free(t);
	}
	buf_release(&pdf);
	CHECK_INT(statement_pdf_lang_valid("hi"), 0);
	CHECK_INT(statement_pdf_lang_valid("en"), 0);
	CHECK_INT(statement_pdf_lang_valid("fr"), -1);
	CHECK_INT(statement_pdf_lang_valid(NULL), -1);
}

TEST(many_entries_run_over_the_pages_the_plan_says)
{
	static struct statement_pdf_entry many[STATEMENT_PDF_MAX_ENTRIES];
	struct statement_pdf s;
	sample(&s, "en");
	int64_t bal = 0;
	for (int i = 0; i < STATEMENT_PDF_MAX_ENTRIES; i++) {
		bal += 100 + i;
		many[i] = (struct statement_pdf_entry){ s.from_day + i % 30, "purchase", "Item", 100 + i, bal, 0 };
	}
	s.entries = many;
	int last = 0;
	static const int counts[] = { 0, 1, 30, 31, 60, 100, 500 };
	for (size_t k = 0; k < sizeof counts / sizeof counts[0]; k++) {
		s.nentries = counts[k];
		int pages = statement_pdf_pages(&s);
		CHECK(pages >= last);
		last = pages;
		struct buf pdf = BUF_INIT;
		CHECK_INT(statement_pdf_render(&s, &pdf), 0);
		if (have("pdfinfo"))
			CHECK_INT(pdfinfo_pages(&pdf), pages);
		buf_release(&pdf);
	}
	CHECK(last > 10);
	s.nentries = 0;
	CHECK_INT(statement_pdf_pages(&s), 1);
	/* The earlier entries' line takes a row. */
	s.nentries = 100;
	s.left_out = 7;
	s.left_out_balance_minor = 12345;
	struct buf pdf = BUF_INIT;
	CHECK_INT(statement_pdf_render(&s, &pdf), 0);
	if (have("pdftotext")) {
		char *t = pdf_tool(&pdf, "pdftotext -layout");
		CHECK(t && strstr(t, "7 earlier entries"));
		CHECK(t && strstr(t, "Page 2 of"));
		free(t);
	}
	buf_release(&pdf);
}

TEST(bad_arguments_leave_the_buffer_alone)
{
	struct statement_pdf s;
	struct buf pdf = BUF_INIT;
	buf_puts(&pdf, "x");
	CHECK_INT(statement_pdf_render(NULL, &pdf), -1);
	sample(&s, "en");
	s.nentries = STATEMENT_PDF_MAX_ENTRIES + 1;
	CHECK_INT(statement_pdf_render(&s, &pdf), -1);
	s.nentries = -1;
	CHECK_INT(statement_pdf_render(&s, &pdf), -1);
	s.nentries = 3;
	s.entries = NULL;
	CHECK_INT(statement_pdf_render(&s, &pdf), -1);
	CHECK_INT(pdf.len, 1);
	buf_release(&pdf);
}

TEST(hostile_text_renders_on_its_grid)
{
	struct statement_pdf s;
	sample(&s, "en");
	size_t big = 200000;
	char *name = malloc(big + 1);
	static const char mix[] = "\xd8\xa7\xd9\x84\x01\n\x7f\xff\xc0\x80\xf0\x9f\x98\x80 \xe2\x80\xae";
	for (size_t i = 0; i < big; i++)
		name[i] = mix[i % (sizeof mix - 1)];
	name[big] = '\0';
	s.store_name = name;
	s.customer_name = name;
	s.store_address = name;
	s.apartment = name;
	s.upi_id = name;
	s.currency = "\xff\x01Z";
	s.locale = name;
	struct statement_pdf_entry e[3] = {
		{ INT64_MAX, name, name, INT64_MIN, INT64_MAX, 1 },
		{ INT64_MIN, "payment", "\xe2\x80\xa8\xe2\x80\xa9 line breaks", -1, 0, 0 },
		{ 0, "purchase", "שלום עולם مرحبا 😀👍🏽", 1, 1, 0 },
	};
	s.entries = e;
	s.nentries = 3;
	s.left_out = 2147483647;
	struct buf pdf = BUF_INIT;
	CHECK_INT(statement_pdf_render(&s, &pdf), 0);
	CHECK_INT(statement_pdf_pages(&s), 1);
	if (have("pdfinfo"))
		CHECK_INT(pdfinfo_pages(&pdf), 1);
	buf_release(&pdf);
	/* A link too long for a QR code leaves it out. */
	s.upi_link = name;
	CHECK_INT(statement_pdf_render(&s, &pdf), 0);
	buf_release(&pdf);
	free(name);
}

static void *render_thread(void *arg)
{
	struct statement_pdf s;
	sample(&s, arg ? "hi" : "en");
	long ok = 1;
	for (int i = 0; i < 3; i++) {
		struct buf pdf = BUF_INIT;
		if (statement_pdf_render(&s, &pdf) != 0 || pdf.len < 1000)
			ok = 0;
		buf_release(&pdf);
	}
	return (void *)ok;
}

TEST(renders_from_several_threads_at_once)
{
	pthread_t t[4];
	for (int i = 0; i < 4; i++)
		CHECK_INT(pthread_create(&t[i], NULL, render_thread, i % 2 ? (void *)1 : NULL), 0);
	for (int i = 0; i < 4; i++) {
		void *ok = NULL;
		pthread_join(t[i], &ok);
		CHECK(ok == (void *)1);
	}
}

TEST(qr_matrix_and_svg)
{
	struct qr q;
	CHECK_INT(qr_encode("upi://pay?pa=shop@okhdfc&am=1.00&cu=INR", &q), 0);
	CHECK(q.width >= 21 && (q.width - 17) % 4 == 0);
	/* The finder pattern: the top-left corner module is dark. */
	CHECK_INT(q.dark[0], 1);
	qr_free(&q);
	CHECK_INT(qr_encode("", &q), -1);
	CHECK_INT(qr_encode(NULL, &q), -1);
	char *long_text = malloc(QR_TEXT_MAX + 2);
	memset(long_text, 'a', QR_TEXT_MAX + 1);
	long_text[QR_TEXT_MAX + 1] = '\0';
	CHECK_INT(qr_encode(long_text, &q), -1);
	free(long_text);

	struct buf b = BUF_INIT;
	CHECK_INT(qr_svg("upi://pay?pa=a@b", 160, "Pay \"now\" <x>", &b), 0);
	CHECK(strncmp(buf_cstr(&b), "<svg ", 5) == 0);
	CHECK(strstr(buf_cstr(&b), "aria-label=\"Pay &quot;now&quot; &lt;x&gt;\""));
	CHECK(strstr(buf_cstr(&b), "style") == NULL);
	CHECK(strstr(buf_cstr(&b), "</svg>") != NULL);
	size_t len = b.len;
	CHECK_INT(qr_svg("", 160, NULL, &b), -1);
	CHECK_INT(b.len, len);
	buf_release(&b);
}

CHECK_MAIN()
