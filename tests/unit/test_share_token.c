#include "check.h"

#include "security/share_token.h"

#include <sodium.h>
#include <stdlib.h>

__attribute__((constructor(101))) static void setup(void)
{
	if (sodium_init() < 0)
		abort();
}

static const char secret[] = "test-secret-0123456789abcdef0123456789abcdef";
static const char tenant[] = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
static const char share[] = "0190a1b2-c3d4-7e5f-8a9b-ffeeddccbbaa";

static void key_of(const char *s, uint8_t key[SHARE_KEY_BYTES])
{
	share_token_key((const uint8_t *)s, strlen(s), key);
}

TEST(share_token_round_trip_names_the_tenant_and_the_share)
{
	uint8_t key[SHARE_KEY_BYTES];
	char tok[SHARE_TOKEN_LEN + 1];
	struct share_token_ids ids;
	key_of(secret, key);
	CHECK_INT(share_token_make(key, tenant, share, tok), SHARE_TOKEN_OK);
	CHECK_INT(strlen(tok), SHARE_TOKEN_LEN);
	CHECK(tok[64] == '.');
	for (int i = 0; i < SHARE_TOKEN_LEN; i++)
		CHECK(i == 64 || strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", tok[i]));
	CHECK_INT(share_token_verify(key, tok, strlen(tok), &ids), SHARE_TOKEN_OK);
	CHECK_STR(ids.tenant_id, tenant);
	CHECK_STR(ids.share_id, share);
}

TEST(share_token_ids_come_back_lowercase)
{
	uint8_t key[SHARE_KEY_BYTES];
	char tok[SHARE_TOKEN_LEN + 1];
	struct share_token_ids ids;
	key_of(secret, key);
	CHECK_INT(share_token_make(key, "0190A1B2-C3D4-7E5F-8A9B-0C1D2E3F4A5B", share, tok), SHARE_TOKEN_OK);
	CHECK_INT(share_token_verify(key, tok, strlen(tok), &ids), SHARE_TOKEN_OK);
	CHECK_STR(ids.tenant_id, tenant);
}

TEST(share_tokens_for_one_share_differ)
{
	uint8_t key[SHARE_KEY_BYTES];
	char a[SHARE_TOKEN_LEN + 1], b[SHARE_TOKEN_LEN + 1];
	key_of(secret, key);
	CHECK_INT(share_token_make(key, tenant, share, a), SHARE_TOKEN_OK);
	CHECK_INT(share_token_make(key, tenant, share, b), SHARE_TOKEN_OK);
	CHECK(strcmp(a, b) != 0);
}

TEST(share_token_make_refuses_ids_that_are_not_uuids)
{
	uint8_t key[SHARE_KEY_BYTES];
	char tok[SHARE_TOKEN_LEN + 1] = "x";
	key_of(secret, key);
	CHECK_INT(share_token_make(key, "not-a-uuid", share, tok), SHARE_TOKEN_EIDS);
	CHECK_STR(tok, "");
	CHECK_INT(share_token_make(key, tenant, "0190a1b2c3d47e5f8a9bffeeddccbbaa", tok), SHARE_TOKEN_EIDS);
	CHECK_INT(share_token_make(key, tenant, "0190a1b2-c3d4-7e5f-8a9b-ffeeddccbbaz", tok), SHARE_TOKEN_EIDS);
	CHECK_INT(share_token_make(key, NULL, share, tok), SHARE_TOKEN_EIDS);
}

TEST(share_token_with_any_character_changed_is_refused)
{
	uint8_t key[SHARE_KEY_BYTES];
	char tok[SHARE_TOKEN_LEN + 1];
	struct share_token_ids ids;
	static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	key_of(secret, key);
	CHECK_INT(share_token_make(key, tenant, share, tok), SHARE_TOKEN_OK);
	int refused = 0;
	for (int i = 0; i < SHARE_TOKEN_LEN; i++) {
		char was = tok[i];
		for (const char *c = alphabet; *c; c++) {
			if (*c == was)
				continue;
			tok[i] = *c;
			if (share_token_verify(key, tok, SHARE_TOKEN_LEN, &ids) != SHARE_TOKEN_OK)
				refused++;
		}
		tok[i] = was;
	}
	/* 63 other characters at each of 86 places, 64 instead of the dot. */
	CHECK_INT(refused, (SHARE_TOKEN_LEN - 1) * 63 + 64);
	CHECK_INT(share_token_verify(key, tok, SHARE_TOKEN_LEN, &ids), SHARE_TOKEN_OK);
}

TEST(share_token_of_another_tenant_spliced_in_is_refused)
{
	/* Store B's tenant part with store A's tag: the tag covers the ids. */
	uint8_t key[SHARE_KEY_BYTES];
	char a[SHARE_TOKEN_LEN + 1], b[SHARE_TOKEN_LEN + 1];
	struct share_token_ids ids;
	key_of(secret, key);
	CHECK_INT(share_token_make(key, tenant, share, a), SHARE_TOKEN_OK);
	CHECK_INT(share_token_make(key, "0190a1b2-c3d4-7e5f-8a9b-111111111111", share, b), SHARE_TOKEN_OK);
	memcpy(b + 65, a + 65, 22);
	CHECK_INT(share_token_verify(key, b, SHARE_TOKEN_LEN, &ids), SHARE_TOKEN_ESIGNATURE);
	/* The first 22 characters are the tenant's 16 bytes (and 4 bits of the
	 * share's): A's prefix on B's token fails as well. */
	CHECK_INT(share_token_make(key, "0190a1b2-c3d4-7e5f-8a9b-111111111111", share, b), SHARE_TOKEN_OK);
	memcpy(b, a, 21);
	CHECK_INT(share_token_verify(key, b, SHARE_TOKEN_LEN, &ids), SHARE_TOKEN_ESIGNATURE);
}

TEST(share_token_from_another_secret_is_refused)
{
	uint8_t key[SHARE_KEY_BYTES], other[SHARE_KEY_BYTES];
	char tok[SHARE_TOKEN_LEN + 1];
	struct share_token_ids ids;
	key_of(secret, key);
	key_of("another-secret-0123456789abcdef0123456789", other);
	CHECK(memcmp(key, other, SHARE_KEY_BYTES) != 0);
	CHECK_INT(share_token_make(key, tenant, share, tok), SHARE_TOKEN_OK);
	CHECK_INT(share_token_verify(other, tok, SHARE_TOKEN_LEN, &ids), SHARE_TOKEN_ESIGNATURE);
}

TEST(share_key_is_not_the_jwt_key)
{
	/* The derived key is neither the secret nor its plain hash. */
	uint8_t key[SHARE_KEY_BYTES], plain[32];
	key_of(secret, key);
	CHECK(memcmp(key, secret, SHARE_KEY_BYTES) != 0);
	crypto_generichash(plain, sizeof plain, (const uint8_t *)secret, strlen(secret), NULL, 0);
	CHECK(memcmp(key, plain, sizeof plain) != 0);
	uint8_t again[SHARE_KEY_BYTES];
	key_of(secret, again);
	CHECK(memcmp(key, again, SHARE_KEY_BYTES) == 0);
}

TEST(share_token_known_answer)
{
	/* Pins the format: a change to the layout, the key derivation or the
	 * tag breaks every link already sent, so it must be deliberate.  The
	 * expected text comes from an independent implementation (Python's
	 * hashlib: blake2b(secret, digest_size=32) as the master key, then
	 * blake2b(key=master, salt=le64(1), person="qt-share") as crypto_kdf
	 * does, and hmac-sha256 cut to 16 bytes). */
	uint8_t key[SHARE_KEY_BYTES], nonce[SHARE_NONCE_BYTES];
	char tok[SHARE_TOKEN_LEN + 1];
	struct share_token_ids ids;
	for (int i = 0; i < SHARE_NONCE_BYTES; i++)
		nonce[i] = (uint8_t)i;
	key_of(secret, key);
	CHECK_INT(share_token_make_nonce(key, tenant, share, nonce, tok), SHARE_TOKEN_OK);
	CHECK_STR(tok, "AZChssPUfl-KmwwdLj9KWwGQobLD1H5fipv_7t3Mu6oAAQIDBAUGBwgJCgsMDQ4P.97HEXi4P_PPRHdsKeMd-jQ");
	CHECK_INT(share_token_verify(key, tok, strlen(tok), &ids), SHARE_TOKEN_OK);
}

TEST(share_token_verify_refuses_malformed_text)
{
	uint8_t key[SHARE_KEY_BYTES];
	char tok[SHARE_TOKEN_LEN + 2];
	struct share_token_ids ids;
	key_of(secret, key);
	CHECK_INT(share_token_verify(key, NULL, 0, &ids), SHARE_TOKEN_EMALFORMED);
	CHECK_INT(share_token_verify(key, "", 0, &ids), SHARE_TOKEN_EMALFORMED);
	CHECK_INT(share_token_make(key, tenant, share, tok), SHARE_TOKEN_OK);
	CHECK_INT(share_token_verify(key, tok, SHARE_TOKEN_LEN - 1, &ids), SHARE_TOKEN_EMALFORMED);
	tok[SHARE_TOKEN_LEN] = 'A';
	tok[SHARE_TOKEN_LEN + 1] = '\0';
	CHECK_INT(share_token_verify(key, tok, SHARE_TOKEN_LEN + 1, &ids), SHARE_TOKEN_EMALFORMED);
	tok[SHARE_TOKEN_LEN] = '\0';
	tok[64] = 'A';
	CHECK_INT(share_token_verify(key, tok, SHARE_TOKEN_LEN, &ids), SHARE_TOKEN_EMALFORMED);
	tok[64] = '.';
	tok[3] = '=';
	CHECK_INT(share_token_verify(key, tok, SHARE_TOKEN_LEN, &ids), SHARE_TOKEN_EMALFORMED);
	tok[3] = (char)0xc3;
	CHECK_INT(share_token_verify(key, tok, SHARE_TOKEN_LEN, &ids), SHARE_TOKEN_EMALFORMED);
	/* Non-canonical last character of the tag (its low bits are unused). */
	CHECK_INT(share_token_make(key, tenant, share, tok), SHARE_TOKEN_OK);
	char *last = &tok[SHARE_TOKEN_LEN - 1];
	const char *alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	int v = (int)(strchr(alphabet, *last) - alphabet);
	*last = alphabet[v | 1];
	if (v & 1)
		*last = alphabet[v & ~1];
	CHECK(share_token_verify(key, tok, SHARE_TOKEN_LEN, &ids) != SHARE_TOKEN_OK);
}
CHECK_MAIN()
