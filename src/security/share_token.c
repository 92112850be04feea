/* share_token.c — see share_token.h. */
#include "security/share_token.h"

#include "util/base64url.h"
#include "util/hex.h"
#include "util/uuid.h"

#include <sodium.h>
#include <string.h>

#define PAYLOAD_CHARS BASE64URL_ENCODED_LEN(SHARE_PAYLOAD_BYTES) /* 64 */
#define TAG_CHARS BASE64URL_ENCODED_LEN(SHARE_TAG_BYTES)         /* 22 */

_Static_assert(PAYLOAD_CHARS + 1 + TAG_CHARS == SHARE_TOKEN_LEN, "token length");
_Static_assert(crypto_kdf_KEYBYTES == 32 && SHARE_KEY_BYTES >= crypto_kdf_BYTES_MIN, "kdf sizes");

void share_token_key(const uint8_t *secret, size_t secret_len, uint8_t key[SHARE_KEY_BYTES])
{
	uint8_t master[crypto_kdf_KEYBYTES];
	crypto_generichash(master, sizeof master, secret, secret_len, NULL, 0);
	crypto_kdf_derive_from_key(key, SHARE_KEY_BYTES, 1, "qt-share", master);
	sodium_memzero(master, sizeof master);
}

/* 8-4-4-4-12 hex text into 16 bytes; -1 if it is not a UUID. */
static int uuid_bytes(const char *text, uint8_t out[16])
{
	static const int group[] = { 8, 4, 4, 4, 12 };
	if (!uuid_valid(text))
		return -1;
	const char *p = text;
	uint8_t *o = out;
	for (int g = 0; g < 5; g++) {
		if (hex_decode(p, (size_t)group[g], o, (size_t)(out + 16 - o), NULL) < 0)
			return -1;
		o += group[g] / 2;
		p += group[g] + 1;
	}
	return 0;
}

static void uuid_text(const uint8_t in[16], char out[37])
{
	char hex[33];
	hex_encode(in, 16, hex);
	memcpy(out, hex, 8);
	out[8] = '-';
	memcpy(out + 9, hex + 8, 4);
	out[13] = '-';
	memcpy(out + 14, hex + 12, 4);
	out[18] = '-';
	memcpy(out + 19, hex + 16, 4);
	out[23] = '-';
	memcpy(out + 24, hex + 20, 12);
	out[36] = '\0';
}

static void tag_of(const uint8_t key[SHARE_KEY_BYTES], const uint8_t payload[SHARE_PAYLOAD_BYTES],
	uint8_t tag[SHARE_TAG_BYTES])
{
	uint8_t full[crypto_auth_hmacsha256_BYTES];
	crypto_auth_hmacsha256_state st;
	crypto_auth_hmacsha256_init(&st, key, SHARE_KEY_BYTES);
	crypto_auth_hmacsha256_update(&st, payload, SHARE_PAYLOAD_BYTES);
	crypto_auth_hmacsha256_final(&st, full);
	memcpy(tag, full, SHARE_TAG_BYTES);
	sodium_memzero(full, sizeof full);
	sodium_memzero(&st, sizeof st);
}

int share_token_make_nonce(const uint8_t key[SHARE_KEY_BYTES], const char *tenant_id,
	const char *share_id, const uint8_t nonce[SHARE_NONCE_BYTES], char out[SHARE_TOKEN_LEN + 1])
{
	uint8_t payload[SHARE_PAYLOAD_BYTES], tag[SHARE_TAG_BYTES];
	out[0] = '\0';
	if (uuid_bytes(tenant_id, payload) < 0 || uuid_bytes(share_id, payload + 16) < 0)
		return SHARE_TOKEN_EIDS;
	memcpy(payload + 32, nonce, SHARE_NONCE_BYTES);
	tag_of(key, payload, tag);
	base64url_encode(payload, sizeof payload, out, PAYLOAD_CHARS + 1);
	out[PAYLOAD_CHARS] = '.';
	base64url_encode(tag, sizeof tag, out + PAYLOAD_CHARS + 1, TAG_CHARS + 1);
	sodium_memzero(payload, sizeof payload);
	return SHARE_TOKEN_OK;
}

int share_token_make(const uint8_t key[SHARE_KEY_BYTES], const char *tenant_id,
	const char *share_id, char out[SHARE_TOKEN_LEN + 1])
{
	uint8_t nonce[SHARE_NONCE_BYTES];
	randombytes_buf(nonce, sizeof nonce);
	int rc = share_token_make_nonce(key, tenant_id, share_id, nonce, out);
	sodium_memzero(nonce, sizeof nonce);
	return rc;
}

int share_token_verify(const uint8_t key[SHARE_KEY_BYTES], const char *token, size_t len,
	struct share_token_ids *out)
{
	uint8_t payload[SHARE_PAYLOAD_BYTES], tag[SHARE_TAG_BYTES], want[SHARE_TAG_BYTES];
	size_t n;

	if (!token || len != SHARE_TOKEN_LEN || token[PAYLOAD_CHARS] != '.')
		return SHARE_TOKEN_EMALFORMED;
	if (base64url_decode(token, PAYLOAD_CHARS, payload, sizeof payload, &n) < 0 ||
	    n != SHARE_PAYLOAD_BYTES)
		return SHARE_TOKEN_EMALFORMED;
	if (base64url_decode(token + PAYLOAD_CHARS + 1, TAG_CHARS, tag, sizeof tag, &n) < 0 ||
	    n != SHARE_TAG_BYTES)
		return SHARE_TOKEN_EMALFORMED;
	tag_of(key, payload, want);
	int ok = crypto_verify_16(tag, want) == 0;
	sodium_memzero(want, sizeof want);
	if (!ok)
		return SHARE_TOKEN_ESIGNATURE;
	uuid_text(payload, out->tenant_id);
	uuid_text(payload + 16, out->share_id);
	return SHARE_TOKEN_OK;
}
