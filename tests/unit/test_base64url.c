#include "check.h"

#include "util/base64url.h"
#include "util/hex.h"

static const char *const vectors[][2] = {
	{ "", "" },           { "f", "Zg" },          { "fo", "Zm8" },
	{ "foo", "Zm9v" },    { "foob", "Zm9vYg" },   { "fooba", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy" },
};

TEST(base64url_encodes_rfc4648_vectors_without_padding)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		char out[16];
		size_t n = base64url_encode((const uint8_t *)vectors[i][0],
					    strlen(vectors[i][0]), out, sizeof(out));
		CHECK_INT(n, strlen(vectors[i][1]));
		CHECK_STR(out, vectors[i][1]);
		CHECK_INT(BASE64URL_ENCODED_LEN(strlen(vectors[i][0])), n);
	}
}

TEST(base64url_decodes_rfc4648_vectors)
{
	for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		uint8_t out[16];
		size_t n = 99;
		CHECK_INT(base64url_decode(vectors[i][1], strlen(vectors[i][1]), out,
					   sizeof(out), &n), 0);
		CHECK_INT(n, strlen(vectors[i][0]));
		CHECK(memcmp(out, vectors[i][0], n) == 0);
	}
}

TEST(base64url_uses_url_safe_alphabet)
{
	const uint8_t in[] = { 0xfb, 0xff };
	char out[8];
	base64url_encode(in, 2, out, sizeof(out));
	CHECK_STR(out, "-_8");
	uint8_t back[4];
	size_t n;
	CHECK_INT(base64url_decode("-_8", 3, back, sizeof(back), &n), 0);
	CHECK_INT(n, 2);
	CHECK(back[0] == 0xfb && back[1] == 0xff);
}

TEST(base64url_encode_refuses_small_buffer)
{
	char out[4] = "xyz";
	CHECK_INT(base64url_encode((const uint8_t *)"foo", 3, out, 4), 0);
	CHECK_STR(out, "");
	char out5[5];
	CHECK_INT(base64url_encode((const uint8_t *)"foo", 3, out5, 5), 4);
}

TEST(base64url_decode_rejects_padding_whitespace_and_std_alphabet)
{
	uint8_t out[16];
	size_t n;
	CHECK_INT(base64url_decode("Zg==", 4, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zm8=", 4, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zm 9v", 5, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zm9v\n", 5, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("+/8", 3, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zm\0v", 4, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zg=v", 4, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zm9v\r\nYmFy", 10, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zm9vYmFy", 7, out, sizeof(out), &n), -1);  /* "Zm9vYmF": bits left */
}

/* libsodium alone accepts these where char is signed (see base64url.c). */
TEST(base64url_decode_rejects_bytes_above_0x7f)
{
	uint8_t out[16];
	size_t n = 99;
	CHECK_INT(base64url_decode("m9\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xffZv", 16, out,
		sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zm9\x80", 4, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("\xc3\xa9" "AA", 4, out, sizeof(out), &n), -1);
	for (int c = 0x80; c <= 0xff; c++) {
		char text[4] = { 'Z', 'm', (char)c, 'v' };
		CHECK_INT(base64url_decode(text, 4, out, sizeof(out), &n), -1);
	}
	CHECK_INT(n, 99);
}

TEST(base64url_decode_rejects_impossible_length)
{
	uint8_t out[16];
	size_t n;
	CHECK_INT(base64url_decode("Z", 1, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zm9vY", 5, out, sizeof(out), &n), -1);
}

TEST(base64url_decode_rejects_noncanonical_trailing_bits)
{
	uint8_t out[16];
	size_t n;
	CHECK_INT(base64url_decode("Zh", 2, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zm9", 3, out, sizeof(out), &n), -1);
	CHECK_INT(base64url_decode("Zg", 2, out, sizeof(out), &n), 0);
	CHECK_INT(base64url_decode("Zm8", 3, out, sizeof(out), &n), 0);
}

TEST(base64url_decode_reports_small_output_buffer)
{
	uint8_t out[5];
	size_t n;
	CHECK_INT(base64url_decode("Zm9vYmFy", 8, out, sizeof(out), &n), -2);
	CHECK_INT(base64url_decode("Zm9vYmE", 7, out, sizeof(out), &n), 0);
	CHECK_INT(n, 5);
}

TEST(base64url_round_trips_all_byte_values)
{
	uint8_t in[256], back[256];
	char text[400];
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	for (size_t len = 0; len <= 256; len++) {
		size_t n = base64url_encode(in, len, text, sizeof(text));
		size_t m;
		CHECK_INT(base64url_decode(text, n, back, sizeof(back), &m), 0);
		CHECK_INT(m, len);
		CHECK(memcmp(in, back, len) == 0);
	}
}

TEST(hex_encodes_lowercase)
{
	const uint8_t in[] = { 0x00, 0x01, 0xab, 0xff };
	char out[9];
	hex_encode(in, 4, out);
	CHECK_STR(out, "0001abff");
	hex_encode(in, 0, out);
	CHECK_STR(out, "");
}

TEST(hex_decode_accepts_either_case_and_rejects_bad_input)
{
	uint8_t out[4];
	size_t n;
	CHECK_INT(hex_decode("0001ABff", 8, out, sizeof(out), &n), 0);
	CHECK_INT(n, 4);
	CHECK(out[2] == 0xab && out[3] == 0xff);
	CHECK_INT(hex_decode("abc", 3, out, sizeof(out), &n), -1);
	CHECK_INT(hex_decode("zz", 2, out, sizeof(out), &n), -1);
	CHECK_INT(hex_decode("0x", 2, out, sizeof(out), &n), -1);
	CHECK_INT(hex_decode("0001020304", 10, out, sizeof(out), &n), -2);
	CHECK_INT(hex_decode("", 0, out, sizeof(out), NULL), 0);
}

TEST(hex_decode_ignores_nothing_whitespace_nul_and_separators_are_refused)
{
	uint8_t out[4];
	size_t n = 99;
	CHECK_INT(hex_decode(" 0ab", 4, out, sizeof(out), &n), -1);
	CHECK_INT(hex_decode("0a b", 4, out, sizeof(out), &n), -1);
	CHECK_INT(hex_decode("0a\n0", 4, out, sizeof(out), &n), -1);
	CHECK_INT(hex_decode("0a:0b", 4, out, sizeof(out), &n), -1);
	CHECK_INT(hex_decode("0a\0b", 4, out, sizeof(out), &n), -1);
	CHECK_INT(hex_decode("0g", 2, out, sizeof(out), &n), -1);
	CHECK_INT(n, 99);
}

TEST(hex_round_trips_all_byte_values)
{
	uint8_t in[256], back[256];
	char text[513];
	for (int i = 0; i < 256; i++)
		in[i] = (uint8_t)i;
	hex_encode(in, sizeof in, text);
	CHECK_INT(strlen(text), 512);
	CHECK(memcmp(text, "000102", 6) == 0 && memcmp(text + 506, "fdfeff", 6) == 0);
	size_t n;
	CHECK_INT(hex_decode(text, 512, back, sizeof back, &n), 0);
	CHECK_INT(n, 256);
	CHECK(memcmp(in, back, sizeof in) == 0);
}

CHECK_MAIN()
