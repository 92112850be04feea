/*
 * libFuzzer target for pdf/statement_pdf.c: random ledgers with hostile
 * names (very long, right-to-left, emoji, control characters, invalid
 * UTF-8) rendered to a PDF in memory.
 *
 * Input: one header byte (bit 0 lang hi, bit 1 a UPI link, bit 2 aging,
 * bit 3 left-out entries, bits 4-7 the currency), a byte of entry count,
 * then NUL-separated texts: store name, address, customer name, flat, the
 * UPI id, and one description per entry; each entry's numbers come from
 * the bytes of its description.
 * Properties: never crashes, leaks or trips a sanitizer; renders (0) with
 * a "%PDF-" header and "%%EOF" trailer; the PDF has exactly the page
 * objects statement_pdf_pages() says; bad counts are refused with the
 * buffer left alone.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pdf/statement_pdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* fontconfig keeps its font patterns behind encoded offsets, which the
 * leak checker cannot follow: what it holds for the font map made once
 * reads as leaked.  Nothing of ours, pango's or cairo's is suppressed. */
const char *__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

#define MAX_ENTRIES 48

/* The next NUL-terminated piece of buf (or what is left), advancing *pos. */
static const char *piece(char *buf, size_t len, size_t *pos)
{
	if (*pos >= len)
		return "";
	char *s = buf + *pos;
	size_t n = strnlen(s, len - *pos);
	*pos += n + 1;
	return s;
}

static int64_t bytes_i64(const char *s)
{
	uint64_t v = 0;
	for (size_t i = 0; s[i] && i < 8; i++)
		v = v << 8 | (unsigned char)s[i];
	return (int64_t)v;
}

/* Page objects: "/Type /Page" not followed by "s". */
static int page_objects(const struct buf *b)
{
	int n = 0;
	const char *p = b->data, *end = b->data + b->len;
	while ((p = memmem(p, (size_t)(end - p), "/Type /Page", 11)) != NULL) {
		p += 11;
		if (p < end && *p != 's')
			n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const currencies[16] = { "INR", "USD", "EUR", "JPY", "KWD", "AED", "GBP", "XYZ",
		"", "inr", "INR", "INR", "BHD", "CLF", "\xff\xfe", "INR" };
	if (size < 2 || size > 16384)
		return 0;
	uint8_t head = data[0];
	int n = data[1] % (MAX_ENTRIES + 1);
	char *buf = malloc(size - 2 + 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 2, size - 2);
	buf[size - 2] = '\0';
	size_t len = size - 2, pos = 0;

	struct statement_pdf s = { 0 };
	s.lang = head & 1 ? "hi" : "en";
	s.currency = currencies[head >> 4];
	s.locale = head & 0x20 ? "hi-IN" : "en-US";
	s.store_name = piece(buf, len, &pos);
	s.store_address = piece(buf, len, &pos);
	s.customer_name = piece(buf, len, &pos);
	s.apartment = piece(buf, len, &pos);
	s.upi_id = piece(buf, len, &pos);
	if (head & 2)
		s.upi_link = s.upi_id[0] ? s.upi_id : "upi://pay?pa=shop@okhdfc&am=1.00&cu=INR";
	s.has_aging = (head & 4) != 0;
	struct statement_pdf_entry e[MAX_ENTRIES];
	static const char *const types[] = { "purchase", "payment", "adjustment", "reversal", "other", "" };
	int64_t bal = bytes_i64(s.customer_name);
	s.opening_minor = bal;
	for (int i = 0; i < n; i++) {
		const char *d = piece(buf, len, &pos);
		int64_t v = bytes_i64(d);
		e[i].day = 20000 + (v & 0xffff) - 0x8000 + (d[0] == 'X' ? v : 0);
		e[i].type = types[(size_t)(v & 0x7fffffff) % (sizeof types / sizeof types[0])];
		e[i].description = d;
		e[i].change_minor = d[0] == 'M' ? v : (v % 10000000);
		bal = (int64_t)((uint64_t)bal + (uint64_t)e[i].change_minor);
		e[i].balance_minor = bal;
		e[i].reversed = (v & 0x100) != 0;
	}
	s.closing_minor = bal;
	s.purchases_minor = bytes_i64(s.store_name);
	s.payments_minor = bytes_i64(s.apartment);
	for (int k = 0; k < 5; k++)
		s.aging[k] = bytes_i64(s.store_address + (strlen(s.store_address) > (size_t)k ? (size_t)k : 0));
	s.from_day = bytes_i64(s.upi_id) % 5000000;
	s.to_day = s.from_day + (head & 0x40 ? 31 : 0);
	s.issued_day = s.to_day;
	if (head & 8) {
		s.left_out = (int)(bal & 0x7fffffff);
		s.left_out_balance_minor = -bal;
	}
	s.entries = e;
	s.nentries = n;

	struct buf out = BUF_INIT;
	if (statement_pdf_render(&s, &out) != 0)
		abort();
	if (out.len < 100 || memcmp(out.data, "%PDF-", 5) != 0 || !memmem(out.data + out.len - 16, 16, "%%EOF", 5))
		abort();
	if (page_objects(&out) != statement_pdf_pages(&s))
		abort();
	size_t had = out.len;
	s.nentries = STATEMENT_PDF_MAX_ENTRIES + 1 + (head & 7);
	if (statement_pdf_render(&s, &out) != -1 || out.len != had)
		abort();
	buf_release(&out);
	free(buf);
	return 0;
}
