/* Unit tests for src/domain/upi.c and src/domain/wa_me.c */
#include "check.h"
#include "domain/upi.h"
#include "domain/wa_me.h"

#include <stdlib.h>

TEST(vpa_shapes_that_upi_apps_issue_are_valid)
{
	CHECK_INT(upi_vpa_valid("shop@okhdfc"), 0);
	CHECK_INT(upi_vpa_valid("asha.k-99_x@ybl"), 0);
	CHECK_INT(upi_vpa_valid("9876543210@paytm"), 0);
	CHECK_INT(upi_vpa_valid("ab@cd"), 0);
	CHECK_INT(upi_vpa_valid("ab@c.d-e"), 0);
	CHECK_INT(upi_vpa_valid("SHOP@OkAxis"), 0);
}

TEST(vpa_outside_the_pattern_is_invalid)
{
	CHECK_INT(upi_vpa_valid(NULL), -1);
	CHECK_INT(upi_vpa_valid(""), -1);
	CHECK_INT(upi_vpa_valid("shop"), -1);
	CHECK_INT(upi_vpa_valid("a@okhdfc"), -1);        /* local part of 1 */
	CHECK_INT(upi_vpa_valid("shop@o"), -1);          /* handle of 1 */
	CHECK_INT(upi_vpa_valid("shop@9bank"), -1);      /* handle starts with a digit */
	CHECK_INT(upi_vpa_valid("shop@ok_hdfc"), -1);    /* '_' only before '@' */
	CHECK_INT(upi_vpa_valid("sh op@okhdfc"), -1);
	CHECK_INT(upi_vpa_valid("shop@@okhdfc"), -1);
	CHECK_INT(upi_vpa_valid("shop@ok@hdfc"), -1);
	CHECK_INT(upi_vpa_valid("@okhdfc"), -1);
	CHECK_INT(upi_vpa_valid("shop@"), -1);
	CHECK_INT(upi_vpa_valid("shop@okhdfc "), -1);
	CHECK_INT(upi_vpa_valid("shöp@okhdfc"), -1);
}

TEST(vpa_length_limits_are_256_and_64)
{
	char v[400];
	memset(v, 'a', 256);
	memcpy(v + 256, "@b", 2);
	memset(v + 258, 'c', 63);
	v[321] = '\0';
	CHECK_INT(upi_vpa_valid(v), 0);
	CHECK_INT(strlen(v) + 1, UPI_VPA_MAX);
	v[321] = 'c';
	v[322] = '\0';
	CHECK_INT(upi_vpa_valid(v), -1);                 /* handle of 65 */
	memset(v, 'a', 257);
	memcpy(v + 257, "@bank", 6);
	CHECK_INT(upi_vpa_valid(v), -1);                 /* local part of 257 */
}

static const char *link(const char *vpa, const char *name, int64_t amount,
			const char *currency, const char *note, int *rc)
{
	static char out[UPI_LINK_MAX];
	*rc = upi_link(vpa, name, amount, currency, note, out, sizeof out);
	return out;
}

TEST(upi_link_carries_encoded_name_exact_amount_and_note)
{
	int rc;
	CHECK_STR(link("shop@okhdfc", "Sharma General Store", 12345650, "INR", "Balance at Sharma", &rc),
		  "upi://pay?pa=shop@okhdfc&pn=Sharma%20General%20Store&am=123456.50&cu=INR"
		  "&tn=Balance%20at%20Sharma");
	CHECK_INT(rc, 0);
	CHECK_STR(link("shop@okhdfc", "A&B=C?", 1, "INR", NULL, &rc),
		  "upi://pay?pa=shop@okhdfc&pn=A%26B%3DC%3F&am=0.01&cu=INR");
	CHECK_INT(rc, 0);
	CHECK_STR(link("shop@okhdfc", "शर्मा स्टोर", 50000, "INR", "", &rc),
		  "upi://pay?pa=shop@okhdfc&pn=%E0%A4%B6%E0%A4%B0%E0%A5%8D%E0%A4%AE%E0%A4%BE%20"
		  "%E0%A4%B8%E0%A5%8D%E0%A4%9F%E0%A5%8B%E0%A4%B0&am=500.00&cu=INR");
	CHECK_INT(rc, 0);
	CHECK_STR(link("shop@okhdfc", NULL, 100, "INR", NULL, &rc),
		  "upi://pay?pa=shop@okhdfc&am=1.00&cu=INR");
	CHECK_STR(link("shop@okhdfc", "x", INT64_MAX, "INR", NULL, &rc),
		  "upi://pay?pa=shop@okhdfc&pn=x&am=92233720368547758.07&cu=INR");
	CHECK_INT(rc, 0);
}

TEST(no_upi_link_without_a_upi_id_rupees_or_an_amount_owed)
{
	int rc;
	CHECK_STR(link(NULL, "Store", 100, "INR", NULL, &rc), "");
	CHECK_INT(rc, UPI_LINK_NONE);
	CHECK_STR(link("", "Store", 100, "INR", NULL, &rc), "");
	CHECK_INT(rc, UPI_LINK_NONE);
	CHECK_STR(link("shop@okhdfc", "Store", 100, "USD", NULL, &rc), "");
	CHECK_INT(rc, UPI_LINK_NONE);
	CHECK_STR(link("shop@okhdfc", "Store", 100, NULL, NULL, &rc), "");
	CHECK_INT(rc, UPI_LINK_NONE);
	CHECK_STR(link("shop@okhdfc", "Store", 0, "INR", NULL, &rc), "");
	CHECK_INT(rc, UPI_LINK_NONE);
	CHECK_STR(link("shop@okhdfc", "Store", -500, "INR", NULL, &rc), "");
	CHECK_INT(rc, UPI_LINK_NONE);
}

TEST(upi_link_refuses_bad_vpa_bad_text_and_short_buffers)
{
	char out[40];
	int rc;
	CHECK_STR(link("not a vpa", "Store", 100, "INR", NULL, &rc), "");
	CHECK_INT(rc, -1);
	CHECK_STR(link("shop@okhdfc", "\xff", 100, "INR", NULL, &rc), "");
	CHECK_INT(rc, -1);
	CHECK_STR(link("shop@okhdfc", "S", 100, "INR", "\xe0\xa4", &rc), "");
	CHECK_INT(rc, -1);
	/* "upi://pay?pa=shop@okhdfc&am=1.00&cu=INR" is 39 bytes. */
	CHECK_INT(upi_link("shop@okhdfc", NULL, 100, "INR", NULL, out, 40), 0);
	CHECK_INT(upi_link("shop@okhdfc", NULL, 100, "INR", NULL, out, 39), -1);
	CHECK_STR(out, "");
	CHECK_INT(upi_link("shop@okhdfc", NULL, 100, "INR", NULL, NULL, 0), -1);
}

TEST(upi_name_and_note_are_cut_on_character_boundaries)
{
	char name[400], note[400];
	int rc;
	const char *l;
	size_t n = 0;
	for (int i = 0; i < 120; i++)
		n += (size_t)snprintf(name + n, 8, "%s", i % 2 ? "a" : "\xe2\x82\xb9");
	memset(note, 'n', 80);
	note[80] = '\0';
	l = link("shop@okhdfc", name, 100, "INR", note, &rc);
	CHECK_INT(rc, 0);
	/* 100 characters: 50 × "₹" (9 encoded bytes each) and 50 × "a". */
	CHECK(strstr(l, "&am=") - strstr(l, "&pn=") == 4 + 50 * 9 + 50);
	CHECK(strlen(strstr(l, "&tn=")) == 4 + UPI_NOTE_MAX_CHARS);
}

TEST(upi_link_max_holds_the_longest_link)
{
	char vpa[330], name[500], note[300];
	char *out = malloc(UPI_LINK_MAX);
	memset(vpa, 'a', 256);
	vpa[256] = '@';
	memset(vpa + 257, 'b', 64);
	vpa[321] = '\0';
	for (int i = 0; i < 100; i++)
		memcpy(name + 4 * i, "\xf0\x9f\x98\x80", 4);
	name[400] = '\0';
	for (int i = 0; i < 50; i++)
		memcpy(note + 4 * i, "\xf0\x9f\x98\x80", 4);
	note[200] = '\0';
	CHECK_INT(upi_link(vpa, name, INT64_MAX, "INR", note, out, UPI_LINK_MAX), 0);
	free(out);
}

TEST(wa_me_link_uses_digits_and_encodes_every_byte)
{
	char out[256];
	CHECK_INT(wa_me_link("+919876543210", "Hello Asha,\nBalance ₹1,234.50 ~ok", out, sizeof out),
		  (long)strlen(out));
	CHECK_STR(out, "https://wa.me/919876543210?text=Hello%20Asha%2C%0ABalance%20%E2%82%B91%2C234.50"
		  "%20~ok");
	CHECK(wa_me_link("919876543210", "a+b&c=d?#", out, sizeof out) > 0);
	CHECK_STR(out, "https://wa.me/919876543210?text=a%2Bb%26c%3Dd%3F%23");
	CHECK(wa_me_link("+14155550100", NULL, out, sizeof out) > 0);
	CHECK_STR(out, "https://wa.me/14155550100");
	CHECK(wa_me_link("+14155550100", "", out, sizeof out) > 0);
	CHECK_STR(out, "https://wa.me/14155550100");
	CHECK(wa_me_link("+919876543210", "upi://pay?pa=shop@okhdfc&am=1.00", out, sizeof out) > 0);
	CHECK_STR(out, "https://wa.me/919876543210?text=upi%3A%2F%2Fpay%3Fpa%3Dshop%40okhdfc%26am%3D1.00");
}

TEST(wa_me_link_refuses_numbers_that_are_not_e164)
{
	char out[256];
	CHECK_INT(wa_me_link(NULL, "x", out, sizeof out), -1);
	CHECK_INT(wa_me_link("", "x", out, sizeof out), -1);
	CHECK_INT(wa_me_link("+", "x", out, sizeof out), -1);
	CHECK_INT(wa_me_link("+1234567", "x", out, sizeof out), -1);           /* 7 digits */
	CHECK_INT(wa_me_link("+1234567890123456", "x", out, sizeof out), -1);  /* 16 digits */
	CHECK_INT(wa_me_link("+0919876543210", "x", out, sizeof out), -1);
	CHECK_INT(wa_me_link("+91 98765 43210", "x", out, sizeof out), -1);
	CHECK_INT(wa_me_link("++919876543210", "x", out, sizeof out), -1);
	CHECK_STR(out, "");
	CHECK(wa_me_link("+12345678", "x", out, sizeof out) > 0);
	CHECK(wa_me_link("+123456789012345", "x", out, sizeof out) > 0);
}

TEST(wa_me_link_refuses_long_or_broken_messages_and_short_buffers)
{
	char *msg = malloc(WA_ME_MESSAGE_MAX + 2);
	char *out = malloc(WA_ME_LINK_MAX);
	char small[40];
	for (int i = 0; i < WA_ME_MESSAGE_MAX; i++)
		msg[i] = ' ';
	msg[WA_ME_MESSAGE_MAX] = '\0';
	CHECK_INT(wa_me_link("+919876543210", msg, out, WA_ME_LINK_MAX),
		  (long)(14 + 12 + 6 + 3 * WA_ME_MESSAGE_MAX));
	msg[WA_ME_MESSAGE_MAX] = ' ';
	msg[WA_ME_MESSAGE_MAX + 1] = '\0';
	CHECK_INT(wa_me_link("+919876543210", msg, out, WA_ME_LINK_MAX), -1);
	CHECK_INT(wa_me_link("+919876543210", "\xc3", out, WA_ME_LINK_MAX), -1);
	/* "https://wa.me/919876543210?text=ab" is 34 bytes. */
	CHECK_INT(wa_me_link("+919876543210", "ab", small, 35), 34);
	CHECK_INT(wa_me_link("+919876543210", "ab", small, 34), -1);
	CHECK_STR(small, "");
	CHECK_INT(wa_me_link("+919876543210", "ab", NULL, 0), -1);
	free(msg);
	free(out);
}

CHECK_MAIN()
