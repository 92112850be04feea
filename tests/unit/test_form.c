/* Unit tests for src/util/form.c */
#include "check.h"
#include "util/form.h"

#include <stdlib.h>

static int parse(const char *body, struct form *f, char *err, size_t errlen)
{
	return form_parse(body, strlen(body), f, err, errlen);
}

TEST(twilio_status_callback_parses_in_body_order)
{
	struct form f;
	char err[160];
	CHECK_INT(parse("MessageSid=SM123&MessageStatus=delivered&To=whatsapp%3A%2B919876543210"
			"&ErrorCode=", &f, err, sizeof err), 0);
	CHECK_STR(err, "");
	CHECK_INT(f.count, 4);
	CHECK_STR(f.pairs[0].name, "MessageSid");
	CHECK_STR(f.pairs[0].value, "SM123");
	CHECK_STR(f.pairs[2].value, "whatsapp:+919876543210");
	CHECK_STR(f.pairs[3].name, "ErrorCode");
	CHECK_STR(f.pairs[3].value, "");
	CHECK_STR(form_get(&f, "MessageStatus"), "delivered");
	CHECK(form_get(&f, "messagestatus") == NULL);
	CHECK(form_get(&f, "Missing") == NULL);
	form_release(&f);
	form_release(&f);
}

TEST(plus_is_space_and_escapes_decode_in_either_case)
{
	struct form f;
	CHECK_INT(parse("Body=hello+world%21%2b%2B&n%61me=%e0%A4%B9", &f, NULL, 0), 0);
	CHECK_STR(form_get(&f, "Body"), "hello world!++");
	CHECK_INT(f.pairs[0].value_len, 14);
	CHECK_STR(form_get(&f, "name"), "\xe0\xa4\xb9");
	form_release(&f);
}

TEST(empty_pieces_are_skipped_and_bare_names_have_empty_values)
{
	struct form f;
	CHECK_INT(parse("&&a=1&&flag&b=&", &f, NULL, 0), 0);
	CHECK_INT(f.count, 3);
	CHECK_STR(form_get(&f, "a"), "1");
	CHECK_STR(form_get(&f, "flag"), "");
	CHECK_STR(form_get(&f, "b"), "");
	form_release(&f);
	CHECK_INT(parse("", &f, NULL, 0), 0);
	CHECK_INT(f.count, 0);
	form_release(&f);
	CHECK_INT(parse("&&&", &f, NULL, 0), 0);
	CHECK_INT(f.count, 0);
	form_release(&f);
	CHECK_INT(form_parse(NULL, 0, &f, NULL, 0), 0);
	form_release(&f);
}

TEST(equals_signs_after_the_first_belong_to_the_value)
{
	struct form f;
	CHECK_INT(parse("k=a=b%3D", &f, NULL, 0), 0);
	CHECK_STR(form_get(&f, "k"), "a=b=");
	form_release(&f);
}

TEST(sorted_view_orders_by_name_then_value_bytewise)
{
	struct form f;
	CHECK_INT(parse("b=2&a=z&B=1&a=y&ab=0&a=y", &f, NULL, 0), 0);
	CHECK_INT(f.count, 6);
	CHECK_STR(f.sorted[0]->name, "B");
	CHECK_STR(f.sorted[1]->name, "a");
	CHECK_STR(f.sorted[1]->value, "y");
	CHECK_STR(f.sorted[2]->value, "y");
	CHECK(f.sorted[1] == &f.pairs[3] && f.sorted[2] == &f.pairs[5]);
	CHECK_STR(f.sorted[3]->value, "z");
	CHECK_STR(f.sorted[4]->name, "ab");
	CHECK_STR(f.sorted[5]->name, "b");
	/* The body order is untouched. */
	CHECK_STR(f.pairs[0].name, "b");
	form_release(&f);
}

TEST(bad_percent_escapes_are_refused_with_their_position)
{
	struct form f;
	char err[160];
	CHECK_INT(parse("a=1&b=%zz", &f, err, sizeof err), -1);
	CHECK_STR(err, "form body: bad %-escape at byte 6");
	CHECK_INT(f.count, 0);
	CHECK(f.pairs == NULL);
	CHECK_INT(parse("a=%4", &f, err, sizeof err), -1);
	CHECK_INT(parse("a=%", &f, err, sizeof err), -1);
	CHECK_INT(parse("%=1", &f, err, sizeof err), -1);
	CHECK_INT(parse("a=%4g", &f, err, sizeof err), -1);
	form_release(&f);
}

TEST(nul_bytes_are_refused_raw_or_escaped)
{
	struct form f;
	char err[160];
	CHECK_INT(form_parse("a=1\0b", 5, &f, err, sizeof err), -1);
	CHECK_STR(err, "form body: NUL byte at byte 3");
	CHECK_INT(parse("a=x%00y", &f, err, sizeof err), -1);
	CHECK_STR(err, "form body: %00 (NUL) at byte 3");
	form_release(&f);
}

TEST(empty_names_and_broken_utf8_are_refused)
{
	struct form f;
	char err[160];
	CHECK_INT(parse("=x", &f, err, sizeof err), -1);
	CHECK_STR(err, "form body: empty name at byte 0");
	CHECK_INT(parse("a=%C0%AF", &f, err, sizeof err), -1);   /* overlong '/' */
	CHECK_STR(err, "form body: value at byte 2 is not UTF-8");
	CHECK_INT(parse("a=%ED%A0%80", &f, err, sizeof err), -1); /* surrogate */
	CHECK_INT(parse("%FF=1", &f, err, sizeof err), -1);
	CHECK_STR(err, "form body: name at byte 0 is not UTF-8");
	CHECK_INT(parse("a=\xe0\xa4", &f, err, sizeof err), -1);  /* raw, truncated */
	form_release(&f);
}

TEST(limits_on_pairs_names_values_and_body_hold)
{
	struct form f;
	char err[160];
	char *body = malloc(FORM_MAX_BODY + 2);
	size_t n = 0;

	for (int i = 0; i < FORM_MAX_PAIRS; i++)
		n += (size_t)snprintf(body + n, 16, "k%d=v&", i);
	body[n] = '\0';
	CHECK_INT(parse(body, &f, err, sizeof err), 0);
	CHECK_INT(f.count, FORM_MAX_PAIRS);
	form_release(&f);
	memcpy(body + n, "x=1", 4);
	CHECK_INT(parse(body, &f, err, sizeof err), -1);
	CHECK_STR(err, "form body: more than 100 pairs");

	memset(body, 'n', FORM_MAX_NAME);
	memcpy(body + FORM_MAX_NAME, "=1", 3);
	CHECK_INT(parse(body, &f, err, sizeof err), 0);
	form_release(&f);
	memset(body, 'n', FORM_MAX_NAME + 1);
	memcpy(body + FORM_MAX_NAME + 1, "=1", 3);
	CHECK_INT(parse(body, &f, err, sizeof err), -1);
	CHECK_STR(err, "form body: name at byte 0 longer than 128 bytes");

	memcpy(body, "v=", 2);
	memset(body + 2, 'x', FORM_MAX_VALUE);
	body[FORM_MAX_VALUE + 2] = '\0';
	CHECK_INT(parse(body, &f, err, sizeof err), 0);
	form_release(&f);
	memcpy(body + FORM_MAX_VALUE + 2, "x", 2);
	CHECK_INT(parse(body, &f, err, sizeof err), -1);
	CHECK_STR(err, "form body: value of \"v\" longer than 16384 bytes");

	memset(body, 'x', FORM_MAX_BODY + 1);
	body[0] = 'a';
	body[1] = '=';
	CHECK_INT(form_parse(body, FORM_MAX_BODY + 1, &f, err, sizeof err), -1);
	CHECK_STR(err, "form body: longer than 65536 bytes");
	free(body);
}

TEST(percent_encoding_keeps_only_unreserved_characters)
{
	char out[64];
	CHECK_INT(form_pct_encode("a b&c=d/é~._-", 14, NULL, out, sizeof out), 26);
	CHECK_STR(out, "a%20b%26c%3Dd%2F%C3%A9~._-");
	CHECK_INT(form_pct_encode("shop@okhdfc", 11, "@", out, sizeof out), 11);
	CHECK_STR(out, "shop@okhdfc");
	CHECK_INT(form_pct_encode("shop@okhdfc", 11, NULL, out, sizeof out), 13);
	CHECK_STR(out, "shop%40okhdfc");
	CHECK_INT(form_pct_encode("a\0b", 3, NULL, out, sizeof out), 5);
	CHECK_STR(out, "a%00b");
	CHECK_INT(form_pct_encoded_len("+ ", 2, NULL), 6);
	CHECK_INT(form_pct_encode("", 0, NULL, out, 1), 0);
	CHECK_STR(out, "");
}

TEST(percent_encoding_refuses_a_short_buffer)
{
	char out[6];
	CHECK_INT(form_pct_encode("ab cd", 5, NULL, out, sizeof out), -1);
	CHECK_STR(out, "");
	CHECK_INT(form_pct_encode("abcde", 5, NULL, out, sizeof out), 5);
	CHECK_INT(form_pct_encode("abcdef", 6, NULL, out, sizeof out), -1);
	CHECK_INT(form_pct_encode("x", 1, NULL, NULL, 0), -1);
}

TEST(encoded_values_parse_back_unchanged)
{
	const char *vals[] = { "hello world", "a+b=c&d", "नमस्ते ₹1,23,456.50", "%41" };
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
		char enc[256], body[300];
		struct form f;
		CHECK(form_pct_encode(vals[i], strlen(vals[i]), NULL, enc, sizeof enc) > 0);
		snprintf(body, sizeof body, "v=%s", enc);
		CHECK_INT(parse(body, &f, NULL, 0), 0);
		CHECK_STR(form_get(&f, "v"), vals[i]);
		form_release(&f);
	}
}

CHECK_MAIN()
