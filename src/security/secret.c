#include "security/secret.h"

#include "util/base64url.h"
#include "util/hex.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* BLAKE2b key used as a context so this derivation is not reused elsewhere. */
static const char secret_kdf_context[] = "quantumtrack secret-at-rest v1";

int secret_key_from_string(const char *s, uint8_t key[32])
{
	memset(key, 0, SECRET_KEY_LEN);
	if (!s)
		return -1;
	size_t n = strlen(s);
	size_t got;
	if (n == 64 && hex_decode(s, n, key, SECRET_KEY_LEN, &got) == 0)
		return 0;
	if (n < 32) {
		sodium_memzero(key, SECRET_KEY_LEN);
		return -1;
	}
	crypto_generichash(key, SECRET_KEY_LEN, (const unsigned char *)s, n,
			   (const unsigned char *)secret_kdf_context,
			   sizeof(secret_kdf_context) - 1);
	return 0;
}

char *secret_seal(const uint8_t key[32], const char *plaintext)
{
	if (!plaintext)
		return NULL;
	size_t n = strnlen(plaintext, SECRET_MAX_PLAINTEXT + 1);
	if (n > SECRET_MAX_PLAINTEXT)
		return NULL;
	size_t rawlen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
	uint8_t *raw = malloc(rawlen);
	size_t textcap = BASE64URL_ENCODED_LEN(rawlen) + 1;
	char *text = malloc(textcap);
	if (!raw || !text) {
		free(raw);
		free(text);
		return NULL;
	}
	randombytes_buf(raw, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(raw + crypto_secretbox_NONCEBYTES,
			      (const unsigned char *)plaintext, n, raw, key);
	base64url_encode(raw, rawlen, text, textcap);
	free(raw);  /* nonce and ciphertext only: nothing secret to wipe */
	return text;
}

char *secret_open(const uint8_t key[32], const char *sealed)
{
	if (!sealed)
		return NULL;
	size_t n = strlen(sealed);
	size_t cap = BASE64URL_DECODED_MAX(n);
	const size_t overhead = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES;
	if (n > BASE64URL_ENCODED_LEN(overhead + SECRET_MAX_PLAINTEXT))
		return NULL;
	uint8_t *raw = malloc(cap);
	char *plain = NULL;
	size_t rawlen;
	if (!raw)
		return NULL;
	if (base64url_decode(sealed, n, raw, cap, &rawlen) != 0 || rawlen < overhead)
		goto out;
	size_t plen = rawlen - overhead;
	plain = malloc(plen + 1);
	if (!plain)
		goto out;
	if (crypto_secretbox_open_easy((unsigned char *)plain,
			raw + crypto_secretbox_NONCEBYTES,
			rawlen - crypto_secretbox_NONCEBYTES, raw, key) != 0 ||
	    memchr(plain, '\0', plen)) {
		sodium_memzero(plain, plen + 1);
		free(plain);
		plain = NULL;
		goto out;
	}
	plain[plen] = '\0';
out:
	free(raw);
	return plain;
}

void secret_free(char *plaintext)
{
	if (!plaintext)
		return;
	sodium_memzero(plaintext, strlen(plaintext));
	free(plaintext);
}
