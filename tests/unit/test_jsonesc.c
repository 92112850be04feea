/*
 * util/jsonesc: the one JSON string writer.  On valid UTF-8 it writes what
 * jansson's json_dumps writes (the audit chain needs byte identity); in
 * repair mode any byte string comes out as valid JSON with each bad byte
 * as U+FFFD; in bytes mode the stored bytes pass through untouched.
 */
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "check.h"
#include "util/jsonesc.h"

/* json_escape_append of s (n bytes) in mode, as a malloc'd C string. */
static char *esc(const char *s, size_t n, enum json_escape_mode mode)
{
	struct buf b = BUF_INIT;
	json_escape_append(&b, s, n, mode);
	return buf_detach(&b);
}

static int same(const char *s, enum json_escape_mode mode, const char *want)
{
	char *got = esc(s, strlen(s), mode);
	int ok = strcmp(got, want) == 0;
	if (!ok)
		fprintf(stderr, "  escaped %s, expected %s\n", got, want);
	free(got);
	return ok;
}

/* jansson's text for the valid UTF-8 string s (n bytes). */
static char *reference(const char *s, size_t n)
{
	json_t *str = json_stringn(s, n);
	char *text = str ? json_dumps(str, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
	json_decref(str);
	return text;
}

TEST(escapes_quote_backslash_and_controls_like_jansson)
{
	CHECK(same("", JSON_ESCAPE_BYTES, "\"\""));
	CHECK(same("plain text", JSON_ESCAPE_BYTES, "\"plain text\""));
	CHECK(same("a\"b\\c", JSON_ESCAPE_BYTES, "\"a\\\"b\\\\c\""));
	CHECK(same("\b\f\n\r\t", JSON_ESCAPE_BYTES, "\"\\b\\f\\n\\r\\t\""));
	CHECK(same("\x01\x1f", JSON_ESCAPE_BYTES, "\"\\u0001\\u001F\""));
	CHECK(same("/\x7f", JSON_ESCAPE_BYTES, "\"/\x7f\""));
	CHECK(same("₹ राजेश", JSON_ESCAPE_REPAIR_UTF8, "\"₹ राजेश\""));
}

TEST(embedded_nul_is_written_as_u0000)
{
	char *got = esc("a\0b", 3, JSON_ESCAPE_REPAIR_UTF8);
	CHECK_STR(got, "\"a\\u0000b\"");
	free(got);
	got = esc(NULL, 0, JSON_ESCAPE_BYTES);
	CHECK_STR(got, "\"\"");
	free(got);
}

static uint64_t rng = 0x243F6A8885A308D3ull;
static unsigned next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

TEST(valid_utf8_matches_jansson_byte_for_byte_in_both_modes)
{
	static const char *const pieces[] = { "a", "Z", "\"", "\\", "\n", "\t", "\r", "\b", "\f",
		"\x01", "\x1f", "/", " ", "{\"k\":1}", "₹", "é", "\xf0\x9f\x98\x80", "\x7f",
		"\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xe2\x80\xa8", "", "\x00" };
	char text[256];
	for (int round = 0; round < 20000; round++) {
		size_t used = 0, k = next() % 16;
		for (size_t i = 0; i < k; i++) {
			const char *piece = pieces[next() % (sizeof pieces / sizeof pieces[0])];
			size_t len = piece[0] ? strlen(piece) : (next() & 1);  /* "" or one NUL */
			if (used + len >= sizeof text)
				break;
			memcpy(text + used, piece, len);
			used += len;
		}
		char *want = reference(text, used);
		char *bytes = esc(text, used, JSON_ESCAPE_BYTES);
		char *repair = esc(text, used, JSON_ESCAPE_REPAIR_UTF8);
		CHECK(want != NULL);
		if (want) {
			CHECK_STR(bytes, want);
			CHECK_STR(repair, want);
		}
		free(want);
		free(bytes);
		free(repair);
		if (*check_failed)
			return;
	}
}

/* Long plain runs with the odd byte to escape, at every offset within 16
 * bytes and past 4096 bytes (the two ways the buffer grows). */
TEST(long_strings_with_sparse_escapes_match_jansson)
{
	static char text[9000];
	for (int round = 0; round < 300; round++) {
		size_t n = round < 100 ? 17 + next() % 64 : round < 200 ? 100 + next() % 900 : 4000 + next() % 4990;
		for (size_t i = 0; i < n; i++)
			text[i] = (char)('a' + next() % 26);
		for (size_t k = next() % 6; k > 0; k--) {
			static const char specials[] = "\"\\\n\t\x01\x1f\x7f";
			text[next() % n] = specials[next() % (sizeof specials - 1)];
		}
		char *want = reference(text, n);
		char *got = esc(text, n, JSON_ESCAPE_BYTES);
		CHECK(want != NULL);
		if (want)
			CHECK_STR(got, want);
		free(want);
		free(got);
		if (*check_failed)
			return;
	}
}

TEST(repair_mode_replaces_each_bad_byte_with_u_fffd)
{
	/* stray continuation, overlong '/', surrogate, above U+10FFFF, truncated, 0xff */
	CHECK(same("a\x80z", JSON_ESCAPE_REPAIR_UTF8, "\"a\\ufffdz\""));
	CHECK(same("\xc0\xaf", JSON_ESCAPE_REPAIR_UTF8, "\"\\ufffd\\ufffd\""));
	CHECK(same("\xed\xa0\x80", JSON_ESCAPE_REPAIR_UTF8, "\"\\ufffd\\ufffd\\ufffd\""));
	CHECK(same("\xf4\x90\x80\x80", JSON_ESCAPE_REPAIR_UTF8, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""));
	CHECK(same("\xe2\x82", JSON_ESCAPE_REPAIR_UTF8, "\"\\ufffd\\ufffd\""));
	CHECK(same("\xe2\x82\"", JSON_ESCAPE_REPAIR_UTF8, "\"\\ufffd\\ufffd\\\"\""));
	CHECK(same("\xff", JSON_ESCAPE_REPAIR_UTF8, "\"\\ufffd\""));
	CHECK(same("ok \xe2\x82\xac", JSON_ESCAPE_REPAIR_UTF8, "\"ok \xe2\x82\xac\""));
}

TEST(repair_mode_output_is_always_valid_json)
{
	char text[64];
	for (int round = 0; round < 20000; round++) {
		size_t n = next() % sizeof text;
		for (size_t i = 0; i < n; i++)
			text[i] = (char)next();
		char *out = esc(text, n, JSON_ESCAPE_REPAIR_UTF8);
		json_error_t err;
		json_t *back = json_loads(out, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
		CHECK(back != NULL && json_is_string(back));
		json_decref(back);
		free(out);
		if (*check_failed)
			return;
	}
}

TEST(bytes_mode_keeps_stored_bytes_as_they_are)
{
	CHECK(same("a\x80z\xff", JSON_ESCAPE_BYTES, "\"a\x80z\xff\""));
	CHECK(same("\xe2\x82\"", JSON_ESCAPE_BYTES, "\"\xe2\x82\\\"\""));
}

TEST(appends_after_what_the_buffer_holds)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "{\"k\":");
	json_escape_append(&b, "v\n", 2, JSON_ESCAPE_BYTES);
	buf_putc(&b, '}');
	CHECK_STR(buf_cstr(&b), "{\"k\":\"v\\n\"}");
	buf_release(&b);
}

CHECK_MAIN()
