/*
 * password.h — user and operator passwords: argon2id via libsodium's
 * crypto_pwhash_str (OPSLIMIT_INTERACTIVE, MEMLIMIT_INTERACTIVE: 64 MiB and
 * roughly 50-100 ms per hash or verify).  The stored form is the
 * self-describing "$argon2id$v=19$m=…,t=…,p=…$salt$hash" string.
 *
 * sodium_init() must have succeeded before any call.
 */
#ifndef QT_SECURITY_PASSWORD_H
#define QT_SECURITY_PASSWORD_H

#include <stddef.h>

/* Longest password accepted anywhere, in bytes. */
#define PASSWORD_MAX_BYTES 128

/* Size of the buffer password_hash() writes (crypto_pwhash_STRBYTES). */
#define PASSWORD_HASH_LEN 128
/* Longest password accepted anywhere, in bytes. */
#define PASSWORD_MAX_BYTES 128

/*
 * Hash pw (NUL-terminated) into out as a NUL-terminated string.  Returns 0,
 * or -1 if pw is NULL, longer than 128 bytes, or the 64 MiB could not be
 * allocated.  Does not apply the policy; call password_policy_check() on
 * new passwords first.
 */
int password_hash(const char *pw, char out[128]);

/*
 * 0 if pw matches stored_hash, -1 otherwise (including NULL arguments, a
 * malformed or foreign hash, and pw longer than 128 bytes).  Takes as long
 * as one hash.
 */
int password_verify(const char *stored_hash, const char *pw);

/*
 * Hash pw with the settings of a stored hash, for checking a password
 * where the stored hash may not be handed out (operator sign-in on
 * PostgreSQL: the database compares).  settings is the stored hash without
 * its last part, "$argon2id$v=19$m=M,t=T,p=1$<salt>$" (libsodium's
 * encoding; salt 16 bytes).  Writes into out the string crypto_pwhash_str()
 * would have produced for pw with that salt and those limits, so it equals
 * the stored hash exactly when pw is right.  Returns 0, or -1 if an
 * argument is NULL, pw is over 128 bytes, the settings are malformed or out
 * of bounds (t 1..32, m 8 KiB..1 GiB, p 1), or the memory is not there.
 * Takes as long as one hash.
 */
int password_hash_with_settings(const char *settings, const char *pw, char out[128]);

/*
 * The rule for new passwords: valid UTF-8, at least 8 characters (Unicode
 * code points, so "ñ" counts once) and at most 128 bytes.  Returns 0, or
 * -1 and a message in err (errlen bytes, always NUL-terminated if errlen >
 * 0; err may be NULL):
 *	"password: must be at least 8 characters"
 *	"password: must be at most 128 bytes"
 *	"password: must be valid UTF-8"
 */
int password_policy_check(const char *pw, char *err, size_t errlen);

/*
 * Spend the time of one password_verify() against a fixed dummy hash with
 * the same parameters, so a login for an unknown account takes as long as
 * one with a wrong password.  Thread-safe.
 */
void password_burn_time(void);

#endif
