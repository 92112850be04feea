/*
 * token.h — opaque random tokens (refresh tokens, API keys, share links)
 * and their storage form.
 *
 * A token is shown to its holder once; the database keeps only
 * token_hash(token), so a leaked database cannot be replayed.  The tokens
 * carry 256 bits of randomness, so a plain fast hash is enough (no
 * password hashing needed).
 */
#ifndef QT_SECURITY_TOKEN_H
#define QT_SECURITY_TOKEN_H

#include <stddef.h>

#define TOKEN_LEN 43       /* characters, excluding the NUL */
#define TOKEN_HASH_LEN 64  /* hex characters, excluding the NUL */

/* 32 bytes from randombytes_buf() as base64url: 43 chars and a NUL. */
void token_random(char out[44]);

/* Lowercase hex SHA-256 of the NUL-terminated token: 64 chars and a NUL. */
void token_hash(const char *token, char out[65]);

/* Lowercase hex SHA-256 of n bytes at data: 64 chars and a NUL. */
void sha256_hex(const void *data, size_t n, char out[65]);

/*
 * 1 if a and b (NUL-terminated) are equal, compared in time independent of
 * where they differ (lengths may still leak).  For comparing token hashes
 * or webhook secrets.  NULL -> 0.
 */
int token_equal(const char *a, const char *b);

#endif
