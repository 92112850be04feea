/* statement_pdf.c — see statement_pdf.h. */
#include "pdf/statement_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/aging.h"
#include "domain/money.h"
#include "domain/money_text.h"
#include "pdf/qr.h"
#include "util/civil.h"

/* ---- the labels ---------------------------------------------------- */

enum label {
	L_TITLE, L_PERIOD, L_ISSUED, L_CUSTOMER, L_FLAT, L_OPENING, L_CLOSING, L_PURCHASES, L_PAYMENTS,
	L_DATE, L_DETAILS, L_DEBIT, L_CREDIT, L_BALANCE, L_EARLIER, L_NONE, L_AGING, L_CURRENT, L_1_30,
	L_31_60, L_61_90, L_90_PLUS, L_SCAN, L_AMOUNT_DUE, L_PAGE, L_CONTINUED, L_T_PURCHASE, L_T_PAYMENT,
	L_T_ADJUSTMENT, L_T_REVERSAL, L_REVERSED, L_IN_CREDIT, L_FOOTER, L_COUNT
};

static const char *const LABELS_EN[L_COUNT] = {
	[L_TITLE] = "Statement of account",
	[L_PERIOD] = "Period",
	[L_ISSUED] = "Issued",
	[L_CUSTOMER] = "Customer",
	[L_FLAT] = "Flat",
	[L_OPENING] = "Opening balance",
	[L_CLOSING] = "Closing balance",
	[L_PURCHASES] = "Purchases in period",
	[L_PAYMENTS] = "Payments in period",
	[L_DATE] = "Date",
	[L_DETAILS] = "Details",
	[L_DEBIT] = "Purchase",
	[L_CREDIT] = "Payment",
	[L_BALANCE] = "Balance",
	[L_EARLIER] = "%d earlier entries of the period, not listed: balance brought forward",
	[L_NONE] = "No entries in this period.",
	[L_AGING] = "Age of the balance (days past due)",
	[L_CURRENT] = "Not yet due",
	[L_1_30] = "1–30 days",
	[L_31_60] = "31–60 days",
	[L_61_90] = "61–90 days",
	[L_90_PLUS] = "Over 90 days",
	[L_SCAN] = "Scan with any UPI app to pay",
	[L_AMOUNT_DUE] = "Amount due",
	[L_PAGE] = "Page %d of %d",
	[L_CONTINUED] = "Statement of account (continued)",
	[L_T_PURCHASE] = "Purchase",
	[L_T_PAYMENT] = "Payment",
	[L_T_ADJUSTMENT] = "Adjustment",
	[L_T_REVERSAL] = "Reversal",
	[L_REVERSED] = "(reversed)",
	[L_IN_CREDIT] = "In credit",
	[L_FOOTER] = "If an entry looks wrong, please tell the store.",
};

/* Natural Hindi, not word for word: उधार for a purchase on credit, जमा
 * for a payment received, बकाया for what is owed; the words of the web
 * app's catalog (web/i18n/hi.json) where it has them. */
static const char *const LABELS_HI[L_COUNT] = {
	[L_TITLE] = "हिसाब का विवरण",
	[L_PERIOD] = "अवधि",
	[L_ISSUED] = "जारी किया",
	[L_CUSTOMER] = "ग्राहक",
	[L_FLAT] = "फ़्लैट",
	[L_OPENING] = "शुरुआती बकाया",
	[L_CLOSING] = "आख़िरी बकाया",
	[L_PURCHASES] = "इस अवधि में उधार",
	[L_PAYMENTS] = "इस अवधि में जमा",
	[L_DATE] = "तारीख़",
	[L_DETAILS] = "विवरण",
	[L_DEBIT] = "उधार",
	[L_CREDIT] = "जमा",
	[L_BALANCE] = "बकाया",
	[L_EARLIER] = "इस अवधि की %d पुरानी प्रविष्टियाँ यहाँ नहीं दिखाई गईं: उनका बकाया आगे लाया गया",
	[L_NONE] = "इस अवधि में कोई लेन-देन नहीं हुआ।",
	[L_AGING] = "बकाया कितने दिनों से देय है",
	[L_CURRENT] = "अभी देय नहीं",
	[L_1_30] = "1–30 दिन",
	[L_31_60] = "31–60 दिन",
	[L_61_90] = "61–90 दिन",
	[L_90_PLUS] = "90 दिन से ज़्यादा",
	[L_SCAN] = "किसी भी UPI ऐप से स्कैन करके भुगतान करें",
	[L_AMOUNT_DUE] = "देय राशि",
	[L_PAGE] = "पृष्ठ %d / %d",
	[L_CONTINUED] = "हिसाब का विवरण (जारी)",
	[L_T_PURCHASE] = "उधार",
	[L_T_PAYMENT] = "जमा",
	[L_T_ADJUSTMENT] = "समायोजन",
	[L_T_REVERSAL] = "रद्द",
	[L_REVERSED] = "(रद्द की गई)",
	[L_IN_CREDIT] = "अग्रिम जमा",
	[L_FOOTER] = "कोई प्रविष्टि गलत लगे तो कृपया दुकान को बताएँ।",
};

static const char *const MONTHS_EN[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep",
	"Oct", "Nov", "Dec" };
static const char *const MONTHS_HI[12] = { "जनवरी", "फ़रवरी", "मार्च", "अप्रैल", "मई", "जून", "जुलाई",
	"अगस्त", "सितंबर", "अक्टूबर", "नवंबर", "दिसंबर" };

int statement_pdf_lang_valid(const char *lang)
{
	return lang && (strcmp(lang, "en") == 0 || strcmp(lang, "hi") == 0) ? 0 : -1;
}

/* ---- geometry (PDF points) ------------------------------------------ */

#define PAGE_W 595.276
#define PAGE_H 841.890
#define MARGIN 40.0
#define CONTENT_W (PAGE_W - 2 * MARGIN)
#define BOTTOM (PAGE_H - 56.0)   /* rows end above the footer */
#define ROW_H 16.0
#define TABLE_HEAD_H 20.0
#define NEXT_TABLE_Y 70.0        /* the table's top on pages after the first */
#define END_BLOCK_H 96.0         /* totals and aging under the last row */
#define QR_BOX_W 142.0
#define QR_SIDE 112.0
#define ADDRESS_LINES 6
#define MONEY_BUF (MONEY_FORMAT_MAX + 16)

/* Columns: date, details, purchase, payment, balance. */
static const double COL_W[5] = { 66, 0, 86, 86, 96 };

/* Where things go: worked out from s alone, before anything is drawn. */
struct plan {
	int addr_lines;
	double table_y;          /* first page */
	int rows;                /* opening, earlier, entries (or "none"), closing */
	int first_rows, next_rows;
	int pages;
	int end_on_new_page;     /* the totals and aging get a page of their own */
};

static int count_lines(const char *s)
{
	if (!s || !s[0])
		return 0;
	int n = 1;
	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n > ADDRESS_LINES ? ADDRESS_LINES : n;
}

static void plan_of(const struct statement_pdf *s, struct plan *p)
{
	memset(p, 0, sizeof *p);
	p->addr_lines = count_lines(s->store_address);
	double left = 40 + 24 + 12.0 * p->addr_lines, right = 40 + 24 + 13 * 2;
	double rule = (left > right ? left : right) + 10;
	double block = 12 + 12 + 20 + (s->apartment && s->apartment[0] ? 13 : 0) + 10 + 2 * 38 + 4;
	double qr = s->upi_link ? 12 + QR_SIDE + 44 : 0;
	p->table_y = rule + (block > qr ? block : qr) + 14;
	int n = s->nentries > 0 ? s->nentries : 0;
	p->rows = 2 + (s->left_out > 0) + (n ? n : 1);
	p->first_rows = (int)((BOTTOM - p->table_y - TABLE_HEAD_H) / ROW_H);
	p->next_rows = (int)((BOTTOM - NEXT_TABLE_Y - TABLE_HEAD_H) / ROW_H);
	if (p->first_rows < 1)
		p->first_rows = 1;
	int left_rows = p->rows - p->first_rows, pages = 1, on_last = p->rows;
	double table_top = p->table_y;
	if (left_rows > 0) {
		pages += (left_rows + p->next_rows - 1) / p->next_rows;
		on_last = left_rows - (pages - 2) * p->next_rows;
		table_top = NEXT_TABLE_Y;
	}
	double end = table_top + TABLE_HEAD_H + on_last * ROW_H;
	p->end_on_new_page = end + END_BLOCK_H > PAGE_H - 44;
	p->pages = pages + p->end_on_new_page;
}

int statement_pdf_pages(const struct statement_pdf *s)
{
	struct plan p;
	if (!s)
		return 0;
	plan_of(s, &p);
	return p.pages;
}

/* ---- text ----------------------------------------------------------- */

/* Decode one UTF-8 sequence at s (n bytes left); *len its length.
 * -1 for an invalid one (overlong, surrogate, beyond U+10FFFF, cut). */
static long utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	unsigned char c = s[0];
	long cp;
	size_t k;
	*len = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xc2 && c <= 0xdf) {
		k = 1;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 2;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 3;
		cp = c & 0x07;
	} else {
		return -1;
	}
	if (n < k + 1)
		return -1;
	for (size_t i = 1; i <= k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((k == 2 && cp < 0x800) || (k == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return -1;
	*len = k + 1;
	return cp;
}

/* Longest text drawn in one cell, in code points: far more than a cell
 * shows, few enough that no text makes layout slow. */
#define CELL_MAX_CHARS 400

/* s as text pango may draw, into b: valid UTF-8 (U+FFFD for what is not),
 * every control character, line or paragraph separator a space (or, with
 * keep_newlines, "\n" kept), at most CELL_MAX_CHARS code points. */
static const char *clean_text(struct buf *b, const char *s, int keep_newlines)
{
	buf_reset(b);
	buf_puts(b, "");
	if (!s)
		return b->data;
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), chars = 0;
	while (n && chars < CELL_MAX_CHARS) {
		size_t len;
		long cp = utf8_next(p, n, &len);
		if (cp < 0)
			buf_puts(b, "\xef\xbf\xbd");
		else if (cp == '\n' && keep_newlines)
			buf_putc(b, '\n');
		else if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029)
			buf_putc(b, ' ');
		else
			buf_append(b, p, len);
		p += len;
		n -= len;
		chars++;
	}
	return b->data;
}

struct ctx {
	cairo_t *cr;
	PangoLayout *layout;
	PangoFontDescription *fd;
	struct buf scratch;
	const char *const *l;
	const char *const *months;
	const struct statement_pdf *s;
	struct plan plan;
	int page;
};

enum { LEFT, RIGHT, CENTER };
#define INK 0.11, 0.12, 0.14
#define GREY 0.36, 0.40, 0.44
#define RED 0.70, 0.15, 0.12
#define GREEN 0.07, 0.45, 0.20

static void layout_for(struct ctx *c, double size, int bold, double w, int align, int ellipsize)
{
	pango_font_description_set_absolute_size(c->fd, size * PANGO_SCALE);
	pango_font_description_set_weight(c->fd, bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
	pango_layout_set_font_description(c->layout, c->fd);
	pango_layout_set_width(c->layout, w > 0 ? (int)(w * PANGO_SCALE) : -1);
	pango_layout_set_ellipsize(c->layout, ellipsize ? PANGO_ELLIPSIZE_END : PANGO_ELLIPSIZE_NONE);
	pango_layout_set_alignment(c->layout, align == RIGHT ? PANGO_ALIGN_RIGHT
		: align == CENTER ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
}

/* The top to draw the layout at for its baseline to be at y + size
 * whatever fonts it falls back to (Devanagari's ascent is taller). */
static double top_for(struct ctx *c, double y, double size)
{
	return y + size - (double)pango_layout_get_baseline(c->layout) / PANGO_SCALE;
}

/* One line of text s in [x, x + w) at y (its top, for its size),
 * ellipsized to fit. */
static void text(struct ctx *c, double x, double y, double w, double size, int bold, int align,
	const char *s)
{
	layout_for(c, size, bold, w, align, 1);
	pango_layout_set_text(c->layout, clean_text(&c->scratch, s, 0), -1);
	cairo_move_to(c->cr, x, top_for(c, y, size));
	pango_cairo_show_layout(c->cr, c->layout);
}

/* Text that must show whole (an amount): drawn narrower when it is wider
 * than w, never cut. */
static void whole_text(struct ctx *c, double x, double y, double w, double size, int bold, int align,
	const char *s)
{
	PangoRectangle ink, logical;
	layout_for(c, size, bold, -1, LEFT, 0);
	pango_layout_set_text(c->layout, clean_text(&c->scratch, s, 0), -1);
	pango_layout_get_extents(c->layout, &ink, &logical);
	double tw = (double)logical.width / PANGO_SCALE;
	y = top_for(c, y, size);
	cairo_save(c->cr);
	if (tw > w && tw > 0) {
		cairo_translate(c->cr, x, y);
		cairo_scale(c->cr, w / tw, 1);
		cairo_move_to(c->cr, 0, 0);
	} else {
		cairo_move_to(c->cr, align == RIGHT ? x + w - tw : align == CENTER ? x + (w - tw) / 2 : x, y);
	}
	pango_cairo_show_layout(c->cr, c->layout);
	cairo_restore(c->cr);
}

static void ink(struct ctx *c, double r, double g, double b)
{
	cairo_set_source_rgb(c->cr, r, g, b);
}

static void money(const struct statement_pdf *s, int64_t minor, char *out, size_t n)
{
	if (money_text_format(minor, s->currency, s->locale, out, n) == 0)
		return;
	int e = currency_exponent(s->currency);
	char p[MONEY_FORMAT_MAX];
	if (money_format_plain(minor, e < 0 ? 2 : e, p, sizeof p) != 0)
		snprintf(p, sizeof p, "%lld", (long long)minor);
	snprintf(out, n, "%.3s %s", s->currency ? s->currency : "", p);
}

static void day_text(struct ctx *c, int64_t day, char *out, size_t n)
{
	int y, m, d;
	civil_ymd_from_days(day, &y, &m, &d);
	snprintf(out, n, "%d %s %d", d, c->months[(m - 1) % 12], y);
}

static const char *type_label(struct ctx *c, const char *type)
{
	if (!type)
		return "";
	if (strcmp(type, "purchase") == 0)
		return c->l[L_T_PURCHASE];
	if (strcmp(type, "payment") == 0)
		return c->l[L_T_PAYMENT];
	if (strcmp(type, "adjustment") == 0)
		return c->l[L_T_ADJUSTMENT];
	if (strcmp(type, "reversal") == 0)
		return c->l[L_T_REVERSAL];
	return type;
}

/* ---- the parts of a page --------------------------------------------- */

static void hline(struct ctx *c, double y, double grey)
{
	cairo_set_source_rgb(c->cr, grey, grey, grey);
	cairo_set_line_width(c->cr, 0.6);
	cairo_move_to(c->cr, MARGIN, y);
	cairo_line_to(c->cr, PAGE_W - MARGIN, y);
	cairo_stroke(c->cr);
}

static void draw_qr(struct ctx *c, double x, double y, double side, const struct qr *q)
{
	int n = q->width + 8;   /* a four-module quiet zone each side */
	double m = side / n;
	cairo_set_source_rgb(c->cr, 1, 1, 1);
	cairo_rectangle(c->cr, x, y, side, side);
	cairo_fill(c->cr);
	cairo_set_source_rgb(c->cr, 0, 0, 0);
	for (int row = 0; row < q->width; row++) {
		for (int col = 0; col < q->width;) {
			if (!q->dark[row * q->width + col]) {
				col++;
				continue;
			}
			int run = col;
			while (run < q->width && q->dark[row * q->width + run])
				run++;
			cairo_rectangle(c->cr, x + (col + 4) * m, y + (row + 4) * m, (run - col) * m, m);
			col = run;
		}
	}
	cairo_fill(c->cr);
}

static void summary_box(struct ctx *c, double x, double y, double w, const char *label, int64_t minor,
	int strong)
{
	char a[MONEY_BUF];
	cairo_set_source_rgb(c->cr, strong ? 0.93 : 0.965, strong ? 0.95 : 0.97, strong ? 0.98 : 0.98);
	cairo_rectangle(c->cr, x, y, w, 34);
	cairo_fill(c->cr);
	ink(c, GREY);
	text(c, x + 8, y + 4, w - 16, 8, 0, LEFT, label);
	/* In credit: the amount the store holds, without a sign. */
	money(c->s, strong && minor < 0 && minor != INT64_MIN ? -minor : minor, a, sizeof a);
	if (strong && minor > 0)
		ink(c, RED);
	else if (strong && minor < 0)
		ink(c, GREEN);
	else
		ink(c, INK);
	whole_text(c, x + 8, y + 15, w - 16, 12, 1, LEFT, a);
}

/* The first page's head; returns nothing, the plan says where the table is. */
static void first_head(struct ctx *c)
{
	const struct statement_pdf *s = c->s;
	char a[64], b[64], line[1024];
	double right_w = 220, left_w = CONTENT_W - right_w - 12;

	ink(c, 0.04, 0.36, 0.68);
	text(c, MARGIN, 40, left_w, 16, 1, LEFT, s->store_name);
	ink(c, INK);
	text(c, PAGE_W - MARGIN - right_w, 42, right_w, 14, 1, RIGHT, c->l[L_TITLE]);
	/* The address, line by line. */
	ink(c, GREY);
	if (c->plan.addr_lines) {
		const char *p = s->store_address;
		for (int i = 0; i < c->plan.addr_lines && p; i++) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			char *one = malloc(len + 1);
			if (!one)
				abort();
			memcpy(one, p, len);
			one[len] = '\0';
			text(c, MARGIN, 64 + 12.0 * i, left_w, 9, 0, LEFT, one);
			free(one);
			p = nl ? nl + 1 : NULL;
		}
	}
	day_text(c, s->from_day, a, sizeof a);
	day_text(c, s->to_day, b, sizeof b);
	snprintf(line, sizeof line, "%s: %s – %s", c->l[L_PERIOD], a, b);
	ink(c, INK);
	text(c, PAGE_W - MARGIN - right_w, 64, right_w, 9.5, 0, RIGHT, line);
	day_text(c, s->issued_day, a, sizeof a);
	snprintf(line, sizeof line, "%s: %s", c->l[L_ISSUED], a);
	ink(c, GREY);
	text(c, PAGE_W - MARGIN - right_w, 77, right_w, 8.5, 0, RIGHT, line);

	double left = 40 + 24 + 12.0 * c->plan.addr_lines, right = 40 + 24 + 13 * 2;
	double rule = (left > right ? left : right) + 10;
	hline(c, rule, 0.75);

	/* The customer, and the four figures. */
	double y = rule + 12;
	double bw = CONTENT_W - (s->upi_link ? QR_BOX_W + 12 : 0);
	ink(c, GREY);
	text(c, MARGIN, y, bw, 8.5, 0, LEFT, c->l[L_CUSTOMER]);
	y += 12;
	ink(c, INK);
	text(c, MARGIN, y, bw, 14, 1, LEFT, s->customer_name);
	y += 20;
	if (s->apartment && s->apartment[0]) {
		snprintf(line, sizeof line, "%s %.120s", c->l[L_FLAT], s->apartment);
		ink(c, GREY);
		text(c, MARGIN, y, bw, 9.5, 0, LEFT, line);
		y += 13;
	}
	y += 10;
	double cw = (bw - 6) / 2;
	summary_box(c, MARGIN, y, cw, c->l[L_OPENING], s->opening_minor, 0);
	summary_box(c, MARGIN + cw + 6, y, cw, c->l[L_PURCHASES], s->purchases_minor, 0);
	summary_box(c, MARGIN, y + 38, cw, c->l[L_PAYMENTS], s->payments_minor, 0);
	summary_box(c, MARGIN + cw + 6, y + 38, cw,
		s->closing_minor < 0 ? c->l[L_IN_CREDIT] : c->l[L_CLOSING], s->closing_minor, 1);

	/* The QR code for the closing balance. */
	struct qr q;
	if (s->upi_link && qr_encode(s->upi_link, &q) == 0) {
		double x = PAGE_W - MARGIN - QR_BOX_W, qy = rule + 12;
		cairo_set_source_rgb(c->cr, 0.80, 0.83, 0.86);
		cairo_set_line_width(c->cr, 0.8);
		cairo_rectangle(c->cr, x, qy, QR_BOX_W, QR_SIDE + 44);
		cairo_stroke(c->cr);
		draw_qr(c, x + (QR_BOX_W - QR_SIDE) / 2, qy + 2, QR_SIDE, &q);
		qr_free(&q);
		money(s, s->closing_minor, a, sizeof a);
		snprintf(line, sizeof line, "%s %s", c->l[L_AMOUNT_DUE], a);
		ink(c, INK);
		whole_text(c, x + 6, qy + QR_SIDE + 4, QR_BOX_W - 12, 9.5, 1, CENTER, line);
		ink(c, GREY);
		text(c, x + 4, qy + QR_SIDE + 18, QR_BOX_W - 8, 7, 0, CENTER, c->l[L_SCAN]);
		text(c, x + 4, qy + QR_SIDE + 29, QR_BOX_W - 8, 7.5, 0, CENTER, s->upi_id);
	}
}

static void next_head(struct ctx *c)
{
	char a[64], b[64], line[1024];
	const struct statement_pdf *s = c->s;
	ink(c, 0.04, 0.36, 0.68);
	text(c, MARGIN, 40, CONTENT_W / 2, 11, 1, LEFT, s->store_name);
	day_text(c, s->from_day, a, sizeof a);
	day_text(c, s->to_day, b, sizeof b);
	snprintf(line, sizeof line, "%s – %s", a, b);
	ink(c, GREY);
	text(c, MARGIN + CONTENT_W / 2, 40, CONTENT_W / 2, 9, 0, RIGHT, c->l[L_CONTINUED]);
	text(c, MARGIN + CONTENT_W / 2, 52, CONTENT_W / 2, 9, 0, RIGHT, line);
	ink(c, INK);
	text(c, MARGIN, 54, CONTENT_W / 2, 9, 1, LEFT, s->customer_name);
}

static void footer(struct ctx *c)
{
	char line[256];
	hline(c, PAGE_H - 40, 0.85);
	ink(c, GREY);
	text(c, MARGIN, PAGE_H - 34, CONTENT_W * 0.7, 7.5, 0, LEFT, c->l[L_FOOTER]);
	snprintf(line, sizeof line, c->l[L_PAGE], c->page, c->plan.pages);
	text(c, PAGE_W - MARGIN - 120, PAGE_H - 34, 120, 7.5, 0, RIGHT, line);
}

static double col_x(int k)
{
	double x = MARGIN;
	double details = CONTENT_W - COL_W[0] - COL_W[2] - COL_W[3] - COL_W[4];
	for (int i = 0; i < k; i++)
		x += i == 1 ? details : COL_W[i];
	return x;
}

static double col_w(int k)
{
	return k == 1 ? CONTENT_W - COL_W[0] - COL_W[2] - COL_W[3] - COL_W[4] : COL_W[k];
}

static void table_head(struct ctx *c, double y)
{
	static const enum label heads[5] = { L_DATE, L_DETAILS, L_DEBIT, L_CREDIT, L_BALANCE };
	cairo_set_source_rgb(c->cr, 0.92, 0.94, 0.96);
	cairo_rectangle(c->cr, MARGIN, y, CONTENT_W, TABLE_HEAD_H);
	cairo_fill(c->cr);
	ink(c, INK);
	for (int k = 0; k < 5; k++)
		text(c, col_x(k) + 4, y + 4.5, col_w(k) - 8, 8.5, 1, k >= 2 ? RIGHT : LEFT, c->l[heads[k]]);
}

/* Row i of the table: 0 the opening balance, then the earlier line (when
 * entries are left out), the entries (or "none"), and the closing one. */
static void table_row(struct ctx *c, int i, double y)
{
	const struct statement_pdf *s = c->s;
	char d[64], a[MONEY_BUF], line[1024];
	int earlier = s->left_out > 0;
	int n = s->nentries;
	int last = c->plan.rows - 1;

	if (i % 2 == 1) {
		cairo_set_source_rgb(c->cr, 0.975, 0.98, 0.985);
		cairo_rectangle(c->cr, MARGIN, y, CONTENT_W, ROW_H);
		cairo_fill(c->cr);
	}
	double ty = y + 3;
	if (i == 0 || i == last) {
		day_text(c, i == 0 ? s->from_day : s->to_day, d, sizeof d);
		ink(c, GREY);
		text(c, col_x(0) + 4, ty + 0.5, col_w(0) - 8, 8.5, 0, LEFT, d);
		ink(c, INK);
		text(c, col_x(1) + 4, ty, col_w(1) - 8, 9, 1, LEFT,
			i == 0 ? c->l[L_OPENING] : c->l[L_CLOSING]);
		money(s, i == 0 ? s->opening_minor : s->closing_minor, a, sizeof a);
		whole_text(c, col_x(4) + 4, ty, col_w(4) - 8, 9, 1, RIGHT, a);
		return;
	}
	if (earlier && i == 1) {
		snprintf(line, sizeof line, c->l[L_EARLIER], s->left_out);
		ink(c, GREY);
		text(c, col_x(1) + 4, ty, col_w(1) + col_w(2) + col_w(3) - 8, 8.5, 0, LEFT, line);
		money(s, s->left_out_balance_minor, a, sizeof a);
		ink(c, INK);
		whole_text(c, col_x(4) + 4, ty, col_w(4) - 8, 9, 0, RIGHT, a);
		return;
	}
	int k = i - 1 - earlier;
	if (n == 0 || k < 0 || k >= n) {
		ink(c, GREY);
		text(c, col_x(1) + 4, ty, col_w(1) - 8, 9, 0, LEFT, c->l[L_NONE]);
		return;
	}
	const struct statement_pdf_entry *e = &s->entries[k];
	day_text(c, e->day, d, sizeof d);
	ink(c, GREY);
	text(c, col_x(0) + 4, ty + 0.5, col_w(0) - 8, 8.5, 0, LEFT, d);
	const char *kind = type_label(c, e->type);
	const char *desc = e->description && e->description[0] ? e->description : NULL;
	snprintf(line, sizeof line, "%s%s%.300s%s%s", kind, desc ? " · " : "", desc ? desc : "",
		e->reversed ? " " : "", e->reversed ? c->l[L_REVERSED] : "");
	ink(c, INK);
	text(c, col_x(1) + 4, ty, col_w(1) - 8, 9, 0, LEFT, line);
	int64_t ch = e->change_minor;
	money(s, ch, a, sizeof a);
	/* A negative amount shows in the payment column without its sign. */
	const char *shown = a[0] == '-' ? a + 1 : a;
	if (ch >= 0) {
		ink(c, INK);
		whole_text(c, col_x(2) + 4, ty, col_w(2) - 8, 9, 0, RIGHT, shown);
	} else {
		ink(c, GREEN);
		whole_text(c, col_x(3) + 4, ty, col_w(3) - 8, 9, 0, RIGHT, shown);
	}
	money(s, e->balance_minor, a, sizeof a);
	ink(c, INK);
	whole_text(c, col_x(4) + 4, ty, col_w(4) - 8, 9, 0, RIGHT, a);
}

/* The totals and aging under the table, at y. */
static void end_block(struct ctx *c, double y)
{
	const struct statement_pdf *s = c->s;
	char a[MONEY_BUF], line[512];
	static const enum label buckets[5] = { L_CURRENT, L_1_30, L_31_60, L_61_90, L_90_PLUS };
	hline(c, y, 0.75);
	y += 8;
	money(s, s->purchases_minor, a, sizeof a);
	char b[MONEY_BUF];
	money(s, s->payments_minor, b, sizeof b);
	snprintf(line, sizeof line, "%s: %s    %s: %s", c->l[L_PURCHASES], a, c->l[L_PAYMENTS], b);
	ink(c, INK);
	whole_text(c, MARGIN, y, CONTENT_W, 9, 0, LEFT, line);
	if (!s->has_aging)
		return;
	y += 20;
	ink(c, INK);
	text(c, MARGIN, y, CONTENT_W, 9.5, 1, LEFT, c->l[L_AGING]);
	y += 16;
	double w = (CONTENT_W - 4 * 6) / 5;
	for (int k = 0; k < 5; k++) {
		double x = MARGIN + k * (w + 6);
		cairo_set_source_rgb(c->cr, 0.965, 0.97, 0.98);
		cairo_rectangle(c->cr, x, y, w, 34);
		cairo_fill(c->cr);
		ink(c, GREY);
		text(c, x + 6, y + 4, w - 12, 8, 0, LEFT, c->l[buckets[k]]);
		money(s, s->aging[k], a, sizeof a);
		if (k > 0 && s->aging[k] > 0)
			ink(c, RED);
		else
			ink(c, INK);
		whole_text(c, x + 6, y + 16, w - 12, 10, 1, LEFT, a);
	}
}

static void draw(struct ctx *c)
{
	const struct plan *p = &c->plan;
	int row = 0;
	double y = 0;

	for (c->page = 1; c->page <= p->pages; c->page++) {
		if (c->page > 1)
			cairo_show_page(c->cr);
		int cap;
		if (c->page == 1) {
			first_head(c);
			y = p->table_y;
			cap = p->first_rows;
		} else {
			next_head(c);
			y = NEXT_TABLE_Y;
			cap = p->next_rows;
		}
		if (row < p->rows) {
			table_head(c, y);
			y += TABLE_HEAD_H;
			for (int k = 0; k < cap && row < p->rows; k++, row++, y += ROW_H)
				table_row(c, row, y);
		}
		if (row >= p->rows && (c->page == p->pages))
			end_block(c, p->end_on_new_page ? NEXT_TABLE_Y : y + 10);
		footer(c);
	}
	cairo_show_page(c->cr);
}

/* ---- the PDF ---------------------------------------------------------- */

static pthread_mutex_t render_lock = PTHREAD_MUTEX_INITIALIZER;
static PangoFontMap *font_map;  /* made once, kept: fontconfig's scan is the slow part */

static cairo_status_t to_buf(void *closure, const unsigned char *data, unsigned int len)
{
	buf_append(closure, data, len);
	return CAIRO_STATUS_SUCCESS;
}

int statement_pdf_render(const struct statement_pdf *s, struct buf *out)
{
	if (!s || !out || s->nentries < 0 || s->nentries > STATEMENT_PDF_MAX_ENTRIES ||
	    (s->nentries > 0 && !s->entries))
		return -1;
	struct ctx c = { .s = s };
	int hi = s->lang && strcmp(s->lang, "hi") == 0;
	c.l = hi ? LABELS_HI : LABELS_EN;
	c.months = hi ? MONTHS_HI : MONTHS_EN;
	plan_of(s, &c.plan);

	struct buf pdf = BUF_INIT;
	int rc = -1;
	pthread_mutex_lock(&render_lock);
	if (!font_map)
		font_map = pango_cairo_font_map_new();
	cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(to_buf, &pdf, PAGE_W, PAGE_H);
	cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "QuantumTrack");
	c.cr = cairo_create(surface);
	PangoContext *pc = pango_font_map_create_context(font_map);
	pango_cairo_update_context(c.cr, pc);
	/* Units are points: a 9 pt font is 9 units tall. */
	pango_cairo_context_set_resolution(pc, 72);
	/* Glyphs where the font puts them: rounded to whole points, the marks
	 * of Devanagari drift and text read back from the PDF splits words. */
	pango_context_set_round_glyph_positions(pc, 0);
	cairo_font_options_t *fo = cairo_font_options_create();
	cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
	cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
	pango_cairo_context_set_font_options(pc, fo);
	cairo_font_options_destroy(fo);
	c.layout = pango_layout_new(pc);
	pango_layout_set_auto_dir(c.layout, 0);
	c.fd = pango_font_description_from_string("Noto Sans, Noto Sans Devanagari");

	draw(&c);

	pango_font_description_free(c.fd);
	g_object_unref(c.layout);
	g_object_unref(pc);
	cairo_destroy(c.cr);
	cairo_surface_finish(surface);
	if (cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS)
		rc = 0;
	cairo_surface_destroy(surface);
	pthread_mutex_unlock(&render_lock);
	buf_release(&c.scratch);
	if (rc == 0 && pdf.len > 5 && memcmp(pdf.data, "%PDF-", 5) == 0)
		buf_append(out, pdf.data, pdf.len);
	else
		rc = -1;
	buf_release(&pdf);
	return rc;
}
