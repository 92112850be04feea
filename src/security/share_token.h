/*
 * share_token.h — the tokens of shared statement links (/s/<token>).
 *
 * A token names its store and its share and is signed, so that the public
 * routes can tell which tenant to enter, and refuse a made-up or altered
 * token, before touching the database:
 *
 *   token   = base64url(payload) "." base64url(tag)           87 characters
 *   payload = tenant uuid (16 bytes) || share uuid (16 bytes)
 *             || 16 random bytes                              48 bytes
 *   tag     = HMAC-SHA256(share key, payload), first 16 bytes
 *
 * The share key is derived from the server's JWT secret (share_token_key):
 * BLAKE2b-256 of the secret (libsodium's crypto_generichash) as the master
 * key of crypto_kdf_derive_from_key with context "qt-share", subkey 1.  It
 * signs nothing else, and an access token's key signs no share token.
 *
 * The signature only says "this server made it"; whether the share is
 * live (not expired, not revoked) is the database's answer, found by the
 * token's hash (security/token.h token_hash) inside the token's tenant.
 * The 16 random bytes make two tokens for the same share differ and keep
 * the stored hash unguessable even to someone who knows both ids.
 *
 * base64url is strict (util/base64url.h), so each token has one spelling:
 * a changed character anywhere changes the bytes and fails the tag.
 *
 * sodium_init() must have succeeded.  No state; thread-safe.
 */
#ifndef QT_SECURITY_SHARE_TOKEN_H
#define QT_SECURITY_SHARE_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#define SHARE_KEY_BYTES 32
#define SHARE_NONCE_BYTES 16
#define SHARE_PAYLOAD_BYTES 48
#define SHARE_TAG_BYTES 16
/* Characters of a token, excluding the NUL: 64 + "." + 22. */
#define SHARE_TOKEN_LEN 87

enum {
	SHARE_TOKEN_OK = 0,
	SHARE_TOKEN_EIDS = -1,       /* make: an id is not a UUID */
	SHARE_TOKEN_EMALFORMED = -2, /* verify: wrong length, no dot, not base64url */
	SHARE_TOKEN_ESIGNATURE = -3, /* verify: the tag does not match */
};

/* What a verified token names: lowercase 36-character UUIDs. */
struct share_token_ids {
	char tenant_id[37];
	char share_id[37];
};

/* Derive the share key from the server secret (secret_len bytes, the
 * caller's minimum length applies) into key. */
void share_token_key(const uint8_t *secret, size_t secret_len, uint8_t key[SHARE_KEY_BYTES]);

/*
 * Make a token for share_id of tenant_id (UUID text, either case) with 16
 * fresh random bytes, into out (SHARE_TOKEN_LEN characters and a NUL).
 * Returns SHARE_TOKEN_OK or SHARE_TOKEN_EIDS (out is then "").
 */
int share_token_make(const uint8_t key[SHARE_KEY_BYTES], const char *tenant_id,
	const char *share_id, char out[SHARE_TOKEN_LEN + 1]);

/* The same with the random part given (unit tests and the fuzz target). */
int share_token_make_nonce(const uint8_t key[SHARE_KEY_BYTES], const char *tenant_id,
	const char *share_id, const uint8_t nonce[SHARE_NONCE_BYTES], char out[SHARE_TOKEN_LEN + 1]);

/*
 * Check the len bytes at token (need not be NUL-terminated; NULL with len 0
 * is fine): the shape first, then the tag in constant time, and only then
 * read the ids into *out (written only on SHARE_TOKEN_OK).
 */
int share_token_verify(const uint8_t key[SHARE_KEY_BYTES], const char *token, size_t len,
	struct share_token_ids *out);

#endif
