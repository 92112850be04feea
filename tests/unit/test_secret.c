#include "check.h"

#include "security/secret.h"

#include <sodium.h>
#include <stdlib.h>

__attribute__((constructor(101))) static void setup(void)
{
	if (sodium_init() < 0)
		abort();
}

static const char hexkey[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST(secret_key_from_64_hex_digits_is_the_raw_key)
{
	uint8_t key[32];
	CHECK_INT(secret_key_from_string(hexkey, key), 0);
	for (int i = 0; i < 32; i++)
		CHECK_INT(key[i], i);
}

TEST(secret_key_from_long_string_is_derived_and_stable)
{
	uint8_t a[32], b[32], c[32];
	CHECK_INT(secret_key_from_string("this is a long enough master secret!", a), 0);
	CHECK_INT(secret_key_from_string("this is a long enough master secret!", b), 0);
	CHECK_INT(secret_key_from_string("this is a long enough master secret?", c), 0);
	CHECK(memcmp(a, b, 32) == 0);
	CHECK(memcmp(a, c, 32) != 0);
}

TEST(secret_key_shorter_than_32_bytes_is_refused)
{
	uint8_t key[32];
	CHECK_INT(secret_key_from_string("short", key), -1);
	CHECK_INT(secret_key_from_string("0123456789abcdef0123456789abcde", key), -1);
	CHECK_INT(secret_key_from_string(NULL, key), -1);
	CHECK_INT(secret_key_from_string("0123456789abcdef0123456789abcdef", key), 0);
}

TEST(secret_seal_open_round_trip)
{
	uint8_t key[32];
	secret_key_from_string(hexkey, key);
	char *sealed = secret_seal(key, "twilio-auth-token-123");
	CHECK(sealed != NULL);
	CHECK(strstr(sealed, "twilio") == NULL);
	char *plain = secret_open(key, sealed);
	CHECK_STR(plain, "twilio-auth-token-123");
	secret_free(plain);
	free(sealed);

	sealed = secret_seal(key, "");
	plain = secret_open(key, sealed);
	CHECK_STR(plain, "");
	secret_free(plain);
	free(sealed);
}

TEST(secret_seal_uses_fresh_nonce)
{
	uint8_t key[32];
	secret_key_from_string(hexkey, key);
	char *a = secret_seal(key, "same"), *b = secret_seal(key, "same");
	CHECK(strcmp(a, b) != 0);
	free(a);
	free(b);
}

TEST(secret_open_refuses_tampering_and_wrong_key)
{
	uint8_t key[32], other[32];
	secret_key_from_string(hexkey, key);
	secret_key_from_string("another master secret, long enough", other);
	char *sealed = secret_seal(key, "webhook-secret");
	CHECK(secret_open(other, sealed) == NULL);
	size_t n = strlen(sealed);
	for (size_t i = 0; i < n; i += 5) {
		char saved = sealed[i];
		sealed[i] = saved == 'A' ? 'B' : 'A';
		CHECK(secret_open(key, sealed) == NULL);
		sealed[i] = saved;
	}
	sealed[n - 3] = '\0';
	CHECK(secret_open(key, sealed) == NULL);
	free(sealed);
	CHECK(secret_open(key, "") == NULL);
	CHECK(secret_open(key, "not base64!") == NULL);
	CHECK(secret_open(key, NULL) == NULL);
	CHECK(secret_seal(key, NULL) == NULL);
}

CHECK_MAIN()
