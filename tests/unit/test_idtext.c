#include "check.h"

#include "util/idtext.h"

TEST(slug_accepts_lowercase_digits_and_inner_hyphens)
{
	CHECK(slug_valid("ab"));
	CHECK(slug_valid("tower-7-store"));
	CHECK(slug_valid("0a"));
	CHECK(slug_valid("a-"));
	char s63[64];
	memset(s63, 'a', 63);
	s63[63] = '\0';
	CHECK(slug_valid(s63));
}

TEST(slug_rejects_short_long_uppercase_and_leading_hyphen)
{
	CHECK(!slug_valid(NULL));
	CHECK(!slug_valid(""));
	CHECK(!slug_valid("a"));
	CHECK(!slug_valid("-ab"));
	CHECK(!slug_valid("Abc"));
	CHECK(!slug_valid("a_b"));
	CHECK(!slug_valid("a b"));
	CHECK(!slug_valid("ab\n"));
	char s64[65];
	memset(s64, 'a', 64);
	s64[64] = '\0';
	CHECK(!slug_valid(s64));
}

TEST(email_accepts_ordinary_addresses)
{
	CHECK(email_valid("a@b.co"));
	CHECK(email_valid("first.last+tag@example.com"));
	CHECK(email_valid("josé@exämple.es"));
}

TEST(email_rejects_missing_parts_spaces_and_controls)
{
	CHECK(!email_valid(NULL));
	CHECK(!email_valid("ab"));
	CHECK(!email_valid("@example.com"));
	CHECK(!email_valid("user@"));
	CHECK(!email_valid("user@localhost"));
	CHECK(!email_valid("user@.com"));
	CHECK(!email_valid("user@example."));
	CHECK(!email_valid("user@exa..mple.com"));
	CHECK(!email_valid("a@b@c.com"));
	CHECK(!email_valid("us er@example.com"));
	CHECK(!email_valid("user@example.com\n"));
	CHECK(!email_valid("user\t@example.com"));
	CHECK(!email_valid("user@ex\xff.com"));
}

TEST(email_rejects_over_254_bytes)
{
	char s[300];
	memset(s, 'a', sizeof(s));
	memcpy(s, "abc@", 4);
	memcpy(s + 251, ".com", 5);  /* 255 bytes */
	CHECK(!email_valid(s));
	memcpy(s + 250, ".com", 5);  /* 254 bytes */
	CHECK(email_valid(s));
}

TEST(utf8_valid_accepts_well_formed_text)
{
	CHECK(utf8_valid("", 0));
	CHECK(utf8_valid("ascii", 5));
	CHECK(utf8_valid("\xc3\xb1", 2));          /* ñ */
	CHECK(utf8_valid("\xe2\x82\xac", 3));      /* € */
	CHECK(utf8_valid("\xf0\x9f\x98\x80", 4));  /* 😀 */
	CHECK(utf8_valid("\xf4\x8f\xbf\xbf", 4));  /* U+10FFFF */
	CHECK(utf8_valid("a\0b", 3));
}

TEST(utf8_valid_rejects_overlongs_surrogates_and_truncation)
{
	CHECK(!utf8_valid("\xc0\x80", 2));
	CHECK(!utf8_valid("\xc1\xbf", 2));
	CHECK(!utf8_valid("\xe0\x80\x80", 3));
	CHECK(!utf8_valid("\xf0\x80\x80\x80", 4));
	CHECK(!utf8_valid("\xed\xa0\x80", 3));      /* U+D800 */
	CHECK(!utf8_valid("\xf4\x90\x80\x80", 4));  /* > U+10FFFF */
	CHECK(!utf8_valid("\xf5\x80\x80\x80", 4));
	CHECK(!utf8_valid("\x80", 1));
	CHECK(!utf8_valid("\xe2\x82", 2));
	CHECK(!utf8_valid("\xe2\x82\xac", 2));
	CHECK(!utf8_valid("\xc3(", 2));
	CHECK(!utf8_valid("\xff", 1));
}

TEST(utf8_length_counts_code_points)
{
	CHECK_INT(utf8_length(""), 0);
	CHECK_INT(utf8_length(NULL), 0);
	CHECK_INT(utf8_length("abc"), 3);
	CHECK_INT(utf8_length("ma\xc3\xb1" "ana"), 6);
	CHECK_INT(utf8_length("\xe2\x82\xac\xf0\x9f\x98\x80"), 2);
}

TEST(text_control_chars_are_detected_for_names)
{
	CHECK(!text_has_control_chars("Ana María"));
	CHECK(!text_has_control_chars(""));
	CHECK(!text_has_control_chars(NULL));
	CHECK(text_has_control_chars("a\tb"));
	CHECK(text_has_control_chars("a\nb"));
	CHECK(text_has_control_chars("\x1b[31m"));
	CHECK(text_has_control_chars("a\x7f"));
	CHECK(text_has_control_chars("a\xc2\x85"));  /* NEL, C1 */
	CHECK(!text_has_control_chars("\xc2\xa0"));   /* NBSP is fine */
}

CHECK_MAIN()
