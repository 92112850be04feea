/*
 * fuzz_share_token — share_token_verify() on arbitrary bytes must never
 * crash nor accept what this key did not sign; a token made from ids and
 * a nonce taken from the input must verify to the same ids, and with any
 * one byte changed must not verify.
 */
#include "security/share_token.h"

#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char secret[] = "fuzz-secret-0123456789abcdef0123456789";

static void uuid_from(const uint8_t b[16], char out[37])
{
	static const char hexd[] = "0123456789abcdef";
	int k = 0;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[k++] = '-';
		out[k++] = hexd[b[i] >> 4];
		out[k++] = hexd[b[i] & 15];
	}
	out[k] = '\0';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t key[SHARE_KEY_BYTES];
	static int ready;
	if (!ready) {
		if (sodium_init() < 0)
			abort();
		share_token_key((const uint8_t *)secret, sizeof secret - 1, key);
		ready = 1;
	}

	/* 1. Arbitrary text.  Without the key nothing may verify; the one way
	 * through is a token this key signed, which the input cannot be unless
	 * it was made by step 2 (kept in the corpus as a seed). */
	struct share_token_ids ids;
	int rc = share_token_verify(key, (const char *)data, size, &ids);
	if (rc == SHARE_TOKEN_OK) {
		char again[SHARE_TOKEN_LEN + 1];
		uint8_t nonce[SHARE_NONCE_BYTES];
		uint8_t raw[48];
		size_t n;
		/* It verified: re-signing its own payload must give the same text. */
		if (sodium_base642bin(raw, sizeof raw, (const char *)data, 64, NULL, &n, NULL,
			sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || n != 48)
			abort();
		memcpy(nonce, raw + 32, sizeof nonce);
		if (share_token_make_nonce(key, ids.tenant_id, ids.share_id, nonce, again) != SHARE_TOKEN_OK ||
		    memcmp(again, data, SHARE_TOKEN_LEN) != 0)
			abort();
	} else if (rc != SHARE_TOKEN_EMALFORMED && rc != SHARE_TOKEN_ESIGNATURE) {
		abort();
	}

	/* 2. Round trip with ids and nonce from the input. */
	uint8_t bytes[48] = { 0 };
	memcpy(bytes, data, size < sizeof bytes ? size : sizeof bytes);
	char tenant[37], share[37], tok[SHARE_TOKEN_LEN + 1];
	uuid_from(bytes, tenant);
	uuid_from(bytes + 16, share);
	if (share_token_make_nonce(key, tenant, share, bytes + 32, tok) != SHARE_TOKEN_OK)
		abort();
	if (share_token_verify(key, tok, SHARE_TOKEN_LEN, &ids) != SHARE_TOKEN_OK ||
	    strcmp(ids.tenant_id, tenant) || strcmp(ids.share_id, share))
		abort();
	/* One changed character, at a place and to a value from the input. */
	size_t at = size ? data[size - 1] % SHARE_TOKEN_LEN : 0;
	char was = tok[at];
	tok[at] = (char)(size > 1 ? data[size - 2] : 'A');
	if (tok[at] != was && share_token_verify(key, tok, SHARE_TOKEN_LEN, &ids) == SHARE_TOKEN_OK)
		abort();
	return 0;
}
