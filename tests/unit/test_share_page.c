#include "check.h"

#include "api/share_page.h"

#include <sodium.h>
#include <stdlib.h>

__attribute__((constructor(101))) static void setup(void)
{
	if (sodium_init() < 0)
		abort();
}

TEST(share_html_text_escapes_the_five_characters)
{
	struct buf b = BUF_INIT;
	share_html_text(&b, "a&b<c>d\"e'f ₹ ok");
	CHECK_STR(buf_cstr(&b), "a&amp;b&lt;c&gt;d&quot;e&#39;f ₹ ok");
	buf_reset(&b);
	share_html_text(&b, NULL);
	share_html_text(&b, "");
	CHECK_STR(buf_cstr(&b), "");
	share_html_text(&b, "<<");
	CHECK_STR(buf_cstr(&b), "&lt;&lt;");
	buf_release(&b);
}

static const char *evil = "<script>alert('x')</script>\" onmouseover=\"x";

TEST(share_page_writes_every_string_escaped)
{
	struct share_page_entry e[] = {
		{ evil, evil, evil, evil, 0, 1 },
		{ .what = "Payment · UPI", .date = "1 Jan 2025", .amount = "− ₹5.00", .balance = "₹0.00",
		  .credit = 1 },
	};
	struct share_page p = {
		.store_name = evil, .customer_name = evil, .apartment = evil, .balance = evil, .owes = 1,
		.upi_link = "upi://pay?pa=a@b&pn=<x>\"", .pay_label = evil, .as_of = evil, .expires = evil,
		.earlier = evil, .entries = e, .nentries = 2,
	};
	struct buf b = BUF_INIT;
	share_page_render(&p, &b);
	const char *html = buf_cstr(&b);
	CHECK(strstr(html, "<script") == NULL);
	CHECK(strstr(html, "onmouseover=\"") == NULL);
	CHECK(strstr(html, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot; onmouseover=&quot;x") != NULL);
	CHECK(strstr(html, "href=\"upi://pay?pa=a@b&amp;pn=&lt;x&gt;&quot;\"") != NULL);
	CHECK(strstr(html, "<meta name=\"robots\" content=\"noindex, nofollow\">") != NULL);
	CHECK(strstr(html, "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">") != NULL);
	CHECK(strstr(html, "(reversed)") != NULL);
	CHECK(strstr(html, "Balance brought forward") != NULL);
	buf_release(&b);
}

TEST(share_page_without_upi_has_no_pay_button)
{
	struct share_page p = {
		.store_name = "Store", .customer_name = "Asha", .balance = "₹0.00", .as_of = "1 Jan 2025",
		.expires = "31 Jan 2025",
	};
	struct buf b = BUF_INIT;
	share_page_render(&p, &b);
	CHECK(strstr(buf_cstr(&b), "class=\"pay\"") == NULL);
	CHECK(strstr(buf_cstr(&b), "No entries yet.") != NULL);
	CHECK(strstr(buf_cstr(&b), "Flat") == NULL);
	buf_release(&b);
}

/* The CSP names the hash of the one <style> block the pages carry, and
 * nothing that would let a script or another style in. */
TEST(share_page_csp_hash_matches_the_style_block)
{
	struct buf b = BUF_INIT;
	share_page_not_found(&b);
	const char *html = buf_cstr(&b);
	const char *s = strstr(html, "<style>"), *e = strstr(html, "</style>");
	CHECK(s && e && e > s);
	if (!s || !e)
		return;
	s += 7;
	unsigned char h[crypto_hash_sha256_BYTES];
	char b64[64], want[128];
	crypto_hash_sha256(h, (const unsigned char *)s, (unsigned long long)(e - s));
	sodium_bin2base64(b64, sizeof b64, h, sizeof h, sodium_base64_VARIANT_ORIGINAL);
	snprintf(want, sizeof want, "style-src 'sha256-%s';", b64);
	const char *csp = share_page_csp();
	CHECK(strstr(csp, want) != NULL);
	CHECK(strncmp(csp, "default-src 'none';", 19) == 0);
	CHECK(strstr(csp, "script-src") == NULL);
	CHECK(strstr(csp, "unsafe") == NULL);
	CHECK(strstr(csp, "frame-ancestors 'none'") != NULL);
	buf_release(&b);
}

TEST(share_not_found_page_names_no_reason)
{
	struct buf b = BUF_INIT;
	share_page_not_found(&b);
	CHECK(strstr(buf_cstr(&b), "noindex") != NULL);
	CHECK(strstr(buf_cstr(&b), "This link does not work") != NULL);
	buf_release(&b);
}

CHECK_MAIN()
