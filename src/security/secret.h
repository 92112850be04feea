/*
 * secret.h — secrets at rest (provider API keys, webhook secrets) sealed
 * with a master key: XSalsa20-Poly1305 (crypto_secretbox_easy) with a
 * random 24-byte nonce per seal.  The sealed form is base64url text of
 * nonce || MAC || ciphertext, safe to store in a TEXT column.
 *
 * sodium_init() must have succeeded before any call.
 */
#ifndef QT_SECURITY_SECRET_H
#define QT_SECURITY_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define SECRET_KEY_LEN 32
/* Longest plaintext secret_seal() accepts, in bytes. */
#define SECRET_MAX_PLAINTEXT (64 * 1024)

/*
 * Turn the configured master secret into a key.  Exactly 64 hex digits are
 * decoded as the raw key; any other string of at least 32 bytes is hashed
 * with BLAKE2b-256 (crypto_generichash, with a fixed application context)
 * into the key.  Returns 0, or -1 (key zeroed) for NULL or a string shorter
 * than 32 bytes.  The caller wipes key when done (sodium_memzero).
 */
int secret_key_from_string(const char *s, uint8_t key[32]);

/*
 * Seal the NUL-terminated plaintext.  Returns a malloc'd NUL-terminated
 * base64url string the caller frees with free(); NULL if plaintext is NULL,
 * longer than SECRET_MAX_PLAINTEXT, or on OOM.
 */
char *secret_seal(const uint8_t key[32], const char *plaintext);

/*
 * Open what secret_seal() produced.  Returns a malloc'd NUL-terminated
 * plaintext the caller releases with secret_free(); NULL if sealed is
 * NULL, not valid base64url, too short, fails authentication (wrong key or
 * tampered), contains a NUL byte, or on OOM.
 */
char *secret_open(const uint8_t key[32], const char *sealed);

/* Wipe (sodium_memzero) and free a plaintext from secret_open().  NULL ok. */
void secret_free(char *plaintext);

#endif
