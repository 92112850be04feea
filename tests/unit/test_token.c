#include "check.h"

#include "security/token.h"

#include <sodium.h>
#include <stdlib.h>

__attribute__((constructor(101))) static void setup(void)
{
	if (sodium_init() < 0)
		abort();
}

TEST(token_random_is_43_base64url_chars)
{
	char t[44];
	token_random(t);
	CHECK_INT(strlen(t), TOKEN_LEN);
	for (int i = 0; i < TOKEN_LEN; i++)
		CHECK(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", t[i]));
}

TEST(token_random_values_differ)
{
	char a[44], b[44];
	token_random(a);
	token_random(b);
	CHECK(strcmp(a, b) != 0);
}

TEST(sha256_hex_matches_known_vectors)
{
	char h[65];
	sha256_hex("", 0, h);
	CHECK_STR(h, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, h);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(token_hash_is_sha256_of_token_text)
{
	char h[65], h2[65];
	token_hash("abc", h);
	CHECK_STR(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	char t[44];
	token_random(t);
	token_hash(t, h);
	sha256_hex(t, strlen(t), h2);
	CHECK_STR(h, h2);
	CHECK_INT(strlen(h), TOKEN_HASH_LEN);
}

TEST(token_equal_compares_whole_strings)
{
	CHECK(token_equal("abc", "abc"));
	CHECK(!token_equal("abc", "abd"));
	CHECK(!token_equal("abc", "abcd"));
	CHECK(!token_equal(NULL, "abc"));
	CHECK(token_equal("", ""));
}

CHECK_MAIN()
