/* share_page.c — see share_page.h. */
#include <pthread.h>
#include <stdio.h>
#include <sodium.h>
#include <string.h>

#include "api/share_page.h"

/* The page's only style.  Its SHA-256 goes into the CSP, so any change
 * here is picked up by share_page_csp() on its own. */
static const char STYLE[] =
	"*{box-sizing:border-box}"
	"body{margin:0;font:16px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,\"Noto Sans\","
	"\"Noto Sans Devanagari\",sans-serif;color:#1b1f24;background:#f3f5f7}"
	"main{max-width:40rem;margin:0 auto;padding:16px}"
	".store{margin:0;font-weight:600;color:#0b5cad;font-size:15px;overflow-wrap:anywhere}"
	"h1{margin:4px 0 0;font-size:22px;line-height:1.25;overflow-wrap:anywhere}"
	".sub{margin:2px 0 0;color:#5b6570;font-size:14px}"
	".card{background:#fff;border:1px solid #dde2e7;border-radius:12px;padding:16px;margin:16px 0}"
	".label{display:block;color:#5b6570;font-size:14px}"
	".big{display:block;font-size:32px;font-weight:700;font-variant-numeric:tabular-nums;"
	"overflow-wrap:anywhere}"
	".owes .big{color:#b3261e}"
	".credit-bal .big{color:#137333}"
	".pay{display:block;margin-top:14px;padding:14px 16px;border-radius:10px;background:#137333;"
	"color:#fff;text-align:center;font-weight:600;font-size:17px;text-decoration:none}"
	".pay:focus{outline:3px solid #0b5cad;outline-offset:2px}"
	"h2{font-size:17px;margin:20px 0 8px}"
	"ol{list-style:none;margin:0;padding:0;background:#fff;border:1px solid #dde2e7;border-radius:12px}"
	"li{display:flex;justify-content:space-between;gap:12px;padding:12px 14px;"
	"border-top:1px solid #eef1f4}"
	"li:first-child{border-top:0}"
	".l{min-width:0}"
	".what{display:block;font-weight:600;overflow-wrap:anywhere}"
	".d,.bal,.tag{color:#5b6570;font-size:13px}"
	".d,.bal{display:block}"
	".tag{font-weight:400}"
	".r{text-align:right;white-space:nowrap;font-variant-numeric:tabular-nums}"
	".amt{display:block;font-weight:600}"
	".credit .amt{color:#137333}"
	".none{padding:14px;color:#5b6570}"
	"footer{color:#5b6570;font-size:13px;margin:20px 0 8px}"
	".qr{margin:16px auto 0;text-align:center}"
	".qr svg{display:block;margin:0 auto;max-width:70vw;height:auto}"
	".qr p{margin:6px 0 0;color:#5b6570;font-size:13px}"
	".pdf{display:block;margin-top:10px;padding:12px 16px;border-radius:10px;border:1px solid #0b5cad;"
	"color:#0b5cad;text-align:center;font-weight:600;text-decoration:none}"
	".pdf:focus{outline:3px solid #0b5cad;outline-offset:2px}";

static pthread_once_t csp_once = PTHREAD_ONCE_INIT;
static char csp[256];

static void csp_init(void)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	crypto_hash_sha256(h, (const unsigned char *)STYLE, sizeof STYLE - 1);
	sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
	snprintf(csp, sizeof csp, "default-src 'none'; style-src 'sha256-%s'; base-uri 'none'; "
		"form-action 'none'; frame-ancestors 'none'", b64);
}

const char *share_page_csp(void)
{
	pthread_once(&csp_once, csp_init);
	return csp;
}

void share_html_text(struct buf *b, const char *s)
{
	if (!s)
		return;
	const char *run = s;
	for (; *s; s++) {
		const char *rep = NULL;
		switch (*s) {
		case '&': rep = "&amp;"; break;
		case '<': rep = "&lt;"; break;
		case '>': rep = "&gt;"; break;
		case '"': rep = "&quot;"; break;
		case '\'': rep = "&#39;"; break;
		default: continue;
		}
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, rep);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

static void head(struct buf *b, const char *title_a, const char *title_b)
{
	buf_puts(b, "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		"<meta name=\"robots\" content=\"noindex, nofollow\">\n"
		"<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
	share_html_text(b, title_a);
	if (title_b) {
		buf_puts(b, " · ");
		share_html_text(b, title_b);
	}
	buf_puts(b, "</title>\n<style>");
	buf_puts(b, STYLE);
	buf_puts(b, "</style>\n</head>\n<body>\n<main>\n");
}

static void tail(struct buf *b)
{
	buf_puts(b, "</main>\n</body>\n</html>\n");
}

void share_page_render(const struct share_page *p, struct buf *b)
{
	head(b, "Statement", p->store_name);
	buf_puts(b, "<header>\n<p class=\"store\">");
	share_html_text(b, p->store_name);
	buf_puts(b, "</p>\n<h1>");
	share_html_text(b, p->customer_name);
	buf_puts(b, "</h1>\n<p class=\"sub\">Statement as of ");
	share_html_text(b, p->as_of);
	if (p->apartment) {
		buf_puts(b, " · Flat ");
		share_html_text(b, p->apartment);
	}
	buf_puts(b, "</p>\n</header>\n");

	buf_printf(b, "<section class=\"card%s\" aria-label=\"Balance\">\n<span class=\"label\">%s</span>\n"
		"<span class=\"big\" id=\"balance\">", p->owes ? " owes" : p->in_credit ? " credit-bal" : "",
		p->in_credit ? "In credit" : p->owes ? "Balance due" : "Balance");
	share_html_text(b, p->balance);
	buf_puts(b, "</span>\n");
	if (p->upi_link) {
		buf_puts(b, "<a class=\"pay\" id=\"pay\" rel=\"noreferrer\" href=\"");
		share_html_text(b, p->upi_link);
		buf_puts(b, "\">");
		share_html_text(b, p->pay_label);
		buf_puts(b, "</a>\n");
	}
	if (p->upi_link && p->qr_svg) {
		buf_puts(b, "<figure class=\"qr\" id=\"qr\">");
		buf_puts(b, p->qr_svg);
		buf_puts(b, "<p>Scan with any UPI app to pay</p></figure>\n");
	}
	if (p->pdf_href) {
		buf_puts(b, "<a class=\"pdf\" id=\"pdf\" rel=\"noreferrer\" href=\"");
		share_html_text(b, p->pdf_href);
		buf_puts(b, "\">Download the statement (PDF)</a>\n");
	}
	buf_puts(b, "</section>\n");

	buf_puts(b, "<section aria-labelledby=\"entries-h\">\n<h2 id=\"entries-h\">Entries, latest first</h2>\n");
	if (p->nentries == 0 && !p->earlier) {
		buf_puts(b, "<p class=\"none card\">No entries yet.</p>\n");
	} else {
		buf_puts(b, "<ol id=\"entries\">\n");
		for (int i = 0; i < p->nentries; i++) {
			const struct share_page_entry *e = &p->entries[i];
			buf_printf(b, "<li class=\"%s\"><div class=\"l\"><span class=\"what\">",
				e->credit ? "credit" : "debit");
			share_html_text(b, e->what);
			if (e->reversed)
				buf_puts(b, " <span class=\"tag\">(reversed)</span>");
			buf_puts(b, "</span><span class=\"d\">");
			share_html_text(b, e->date);
			buf_puts(b, "</span></div><div class=\"r\"><span class=\"amt\">");
			share_html_text(b, e->amount);
			buf_puts(b, "</span><span class=\"bal\">Balance ");
			share_html_text(b, e->balance);
			buf_puts(b, "</span></div></li>\n");
		}
		if (p->earlier) {
			buf_puts(b, "<li class=\"earlier\"><div class=\"l\"><span class=\"what\">Earlier entries"
				"</span><span class=\"d\">Balance brought forward</span></div><div class=\"r\">"
				"<span class=\"amt\">");
			share_html_text(b, p->earlier);
			buf_puts(b, "</span></div></li>\n");
		}
		buf_puts(b, "</ol>\n");
	}
	buf_puts(b, "</section>\n<footer>\n<p>A read-only statement shared by ");
	share_html_text(b, p->store_name);
	buf_puts(b, ". This link works until ");
	share_html_text(b, p->expires);
	buf_puts(b, ". If an entry looks wrong, ask the store.</p>\n</footer>\n");
	tail(b);
}

void share_page_not_found(struct buf *b)
{
	head(b, "Link not found", NULL);
	buf_puts(b, "<h1>This link does not work</h1>\n"
		"<p class=\"sub\">It may have expired or been withdrawn, or it was copied incompletely. "
		"Ask the store to send you a new link.</p>\n");
	tail(b);
}

void share_page_unavailable(struct buf *b)
{
	head(b, "Try again shortly", NULL);
	buf_puts(b, "<h1>Please try again shortly</h1>\n"
		"<p class=\"sub\">The statement cannot be shown right now.</p>\n");
	tail(b);
}
