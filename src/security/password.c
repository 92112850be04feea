#include "security/password.h"

#include "util/idtext.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define PASSWORD_MIN_CHARS 8

_Static_assert(crypto_pwhash_STRBYTES == PASSWORD_HASH_LEN,
	       "password_hash() out[] size must match libsodium");

/*
 * argon2id hash of a random, discarded password with the interactive limits
 * of libsodium 1.0.18 (m=65536 KiB, t=2).  If this libsodium's limits
 * differ, a matching dummy is computed once instead, so the burn always
 * costs what a real verify costs.
 */
static const char dummy_hash_fixed[PASSWORD_HASH_LEN] =
	"$argon2id$v=19$m=65536,t=2,p=1$"
	"3gGkvzaXzJG/SibEnWH5zA$"
	"Rg3J/eHHI7knKP1oYO65VKV0rxT6qjTkQTwH2nlbeFY";

static char dummy_hash[PASSWORD_HASH_LEN];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void dummy_init(void)
{
	if (crypto_pwhash_str_needs_rehash(dummy_hash_fixed,
			crypto_pwhash_OPSLIMIT_INTERACTIVE,
			crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0) {
		memcpy(dummy_hash, dummy_hash_fixed, sizeof(dummy_hash_fixed));
		return;
	}
	char pw[33];
	uint8_t rnd[16];
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
	if (crypto_pwhash_str(dummy_hash, pw, strlen(pw),
			crypto_pwhash_OPSLIMIT_INTERACTIVE,
			crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		memcpy(dummy_hash, dummy_hash_fixed, sizeof(dummy_hash_fixed));
	sodium_memzero(pw, sizeof(pw));
}

int password_hash(const char *pw, char out[128])
{
	if (!pw)
		return -1;
	size_t n = strnlen(pw, PASSWORD_MAX_BYTES + 1);
	if (n > PASSWORD_MAX_BYTES)
		return -1;
	if (crypto_pwhash_str(out, pw, n, crypto_pwhash_OPSLIMIT_INTERACTIVE,
			crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return -1;
	return 0;
}

int password_verify(const char *stored_hash, const char *pw)
{
	if (!stored_hash || !pw)
		return -1;
	size_t n = strnlen(pw, PASSWORD_MAX_BYTES + 1);
	if (n > PASSWORD_MAX_BYTES)
		return -1;
	if (strnlen(stored_hash, PASSWORD_HASH_LEN) >= PASSWORD_HASH_LEN)
		return -1;
	return crypto_pwhash_str_verify(stored_hash, pw, n) == 0 ? 0 : -1;
}

/* A decimal in [min, max] at *p, then the character `end`; advances *p. */
static int settings_number(const char **p, char end, unsigned long min, unsigned long max,
	unsigned long *out)
{
	unsigned long v = 0;
	const char *s = *p;
	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > max)
			return -1;
	}
	if (*s != end || v < min)
		return -1;
	*p = s + 1;
	*out = v;
	return 0;
}

int password_hash_with_settings(const char *settings, const char *pw, char out[128])
{
	static const char head[] = "$argon2id$v=19$m=";
	unsigned char salt[crypto_pwhash_SALTBYTES], key[32]; /* libsodium's encoded hash length */
	unsigned long m, t, par;
	size_t salt_len;
	const char *b64_end;

	if (!settings || !pw)
		return -1;
	size_t n = strnlen(pw, PASSWORD_MAX_BYTES + 1);
	size_t slen = strnlen(settings, PASSWORD_HASH_LEN);
	if (n > PASSWORD_MAX_BYTES || slen >= PASSWORD_HASH_LEN || strncmp(settings, head, sizeof head - 1) != 0)
		return -1;
	const char *p = settings + sizeof head - 1;
	if (settings_number(&p, ',', 8, 1048576, &m) < 0 || strncmp(p, "t=", 2) != 0)
		return -1;
	p += 2;
	if (settings_number(&p, ',', 1, 32, &t) < 0 || strncmp(p, "p=", 2) != 0)
		return -1;
	p += 2;
	if (settings_number(&p, '$', 1, 1, &par) < 0)
		return -1;
	/* The salt runs to the final '$', which ends the settings. */
	if (slen < 2 || settings[slen - 1] != '$' || p >= settings + slen - 1)
		return -1;
	if (sodium_base642bin(salt, sizeof salt, p, (size_t)(settings + slen - 1 - p), NULL, &salt_len,
			&b64_end, sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0 ||
	    b64_end != settings + slen - 1 || salt_len != sizeof salt)
		return -1;
	if (crypto_pwhash(key, sizeof key, pw, n, salt, t, (size_t)m * 1024,
			crypto_pwhash_ALG_ARGON2ID13) != 0)
		return -1;
	size_t need = slen + sodium_base64_ENCODED_LEN(sizeof key, sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	if (need > PASSWORD_HASH_LEN) {
		sodium_memzero(key, sizeof key);
		return -1;
	}
	memcpy(out, settings, slen);
	sodium_bin2base64(out + slen, PASSWORD_HASH_LEN - slen, key, sizeof key,
		sodium_base64_VARIANT_ORIGINAL_NO_PADDING);
	sodium_memzero(key, sizeof key);
	return 0;
}

static int policy_fail(char *err, size_t errlen, const char *msg)
{
	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	return -1;
}

int password_policy_check(const char *pw, char *err, size_t errlen)
{
	if (!pw)
		return policy_fail(err, errlen, "password: must be at least 8 characters");
	size_t n = strnlen(pw, PASSWORD_MAX_BYTES + 1);
	if (n > PASSWORD_MAX_BYTES)
		return policy_fail(err, errlen, "password: must be at most 128 bytes");
	if (!utf8_valid(pw, n))
		return policy_fail(err, errlen, "password: must be valid UTF-8");
	if (utf8_length(pw) < PASSWORD_MIN_CHARS)
		return policy_fail(err, errlen, "password: must be at least 8 characters");
	if (err && errlen)
		err[0] = '\0';
	return 0;
}

void password_burn_time(void)
{
	static const char pw[] = "not-the-password";
	pthread_once(&dummy_once, dummy_init);
	/* The result is meaningless; the time spent is the point.  (A plain
	 * (void) cast does not silence warn_unused_result in gcc.) */
	int rc = crypto_pwhash_str_verify(dummy_hash, pw, sizeof(pw) - 1);
	(void)rc;
}
