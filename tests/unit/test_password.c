#include <stdint.h>

#include "check.h"

#include "security/password.h"
#include "util/clock.h"

#include <sodium.h>
#include <stdlib.h>

__attribute__((constructor(101))) static void setup(void)
{
	if (sodium_init() < 0)
		abort();
}

TEST(password_hash_is_argon2id_and_verifies)
{
	char h[PASSWORD_HASH_LEN];
	CHECK_INT(password_hash("correct horse battery", h), 0);
	CHECK(strncmp(h, "$argon2id$", 10) == 0);
	CHECK_INT(password_verify(h, "correct horse battery"), 0);
	CHECK_INT(password_verify(h, "correct horse batterY"), -1);
	CHECK_INT(password_verify(h, ""), -1);
}

TEST(password_hashes_are_salted)
{
	char a[PASSWORD_HASH_LEN], b[PASSWORD_HASH_LEN];
	CHECK_INT(password_hash("same password", a), 0);
	CHECK_INT(password_hash("same password", b), 0);
	CHECK(strcmp(a, b) != 0);
}

TEST(password_verify_refuses_null_and_garbage_hashes)
{
	CHECK_INT(password_verify(NULL, "x"), -1);
	CHECK_INT(password_verify("$argon2id$v=19$m=65536,t=2,p=1$x$y", NULL), -1);
	CHECK_INT(password_verify("not a hash", "password"), -1);
	CHECK_INT(password_verify("", "password"), -1);
}

/* The settings of a stored hash: everything up to and with its last '$'. */
static void settings_of(const char *hash, char *out)
{
	const char *last = strrchr(hash, '$');
	size_t n = (size_t)(last - hash) + 1;
	memcpy(out, hash, n);
	out[n] = '\0';
}

TEST(password_hash_with_settings_reproduces_the_stored_hash_only_for_the_right_password)
{
	char h[PASSWORD_HASH_LEN], settings[PASSWORD_HASH_LEN], again[PASSWORD_HASH_LEN];
	CHECK_INT(password_hash("operator-password-1", h), 0);
	settings_of(h, settings);
	CHECK_INT(password_hash_with_settings(settings, "operator-password-1", again), 0);
	CHECK_STR(again, h);
	CHECK_INT(password_hash_with_settings(settings, "operator-password-2", again), 0);
	CHECK(strcmp(again, h) != 0);
	CHECK_INT(password_verify(again, "operator-password-2"), 0);
	/* The fixed dummy hash of password.c, computed elsewhere. */
	CHECK_INT(password_hash_with_settings("$argon2id$v=19$m=65536,t=2,p=1$3gGkvzaXzJG/SibEnWH5zA$",
		"x", again), 0);
	CHECK(strncmp(again, "$argon2id$v=19$m=65536,t=2,p=1$3gGkvzaXzJG/SibEnWH5zA$", 54) == 0);
	CHECK_INT((int)strlen(again), 54 + 43);
}

TEST(password_hash_with_settings_refuses_malformed_or_costly_settings)
{
	char out[PASSWORD_HASH_LEN], pw[200];
	const char *salt = "3gGkvzaXzJG/SibEnWH5zA";
	char s[PASSWORD_HASH_LEN];
	static const char *const bad[] = {
		"", "$argon2i$v=19$m=65536,t=2,p=1$%s$", "$argon2id$v=16$m=65536,t=2,p=1$%s$",
		"$argon2id$v=19$m=65536,t=2,p=2$%s$", "$argon2id$v=19$m=4,t=2,p=1$%s$",
		"$argon2id$v=19$m=99999999,t=2,p=1$%s$", "$argon2id$v=19$m=65536,t=0,p=1$%s$",
		"$argon2id$v=19$m=65536,t=33,p=1$%s$", "$argon2id$v=19$m=65536,t=2,p=1$%s",
		"$argon2id$v=19$m=65536,t=2,p=1$%sAA$", "$argon2id$v=19$m=65536,t=2,p=1$$",
		"$argon2id$v=19$m=65536,t=2,p=1$%s$hash", "$argon2id$v=19$m=,t=2,p=1$%s$",
		"$argon2id$v=19$m=65536,t=2$%s$", "$argon2id$v=19$m=65536,t=2,p=1$%s=$",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		snprintf(s, sizeof s, bad[i], salt);
		CHECK_INT(password_hash_with_settings(s, "password", out), -1);
	}
	CHECK_INT(password_hash_with_settings(NULL, "password", out), -1);
	snprintf(s, sizeof s, "$argon2id$v=19$m=65536,t=2,p=1$%s$", salt);
	CHECK_INT(password_hash_with_settings(s, NULL, out), -1);
	memset(pw, 'a', sizeof pw);
	pw[129] = '\0';
	CHECK_INT(password_hash_with_settings(s, pw, out), -1);
}

TEST(password_policy_requires_8_characters)
{
	char err[128];
	CHECK_INT(password_policy_check("1234567", err, sizeof(err)), -1);
	CHECK_STR(err, "password: must be at least 8 characters");
	CHECK_INT(password_policy_check("", err, sizeof(err)), -1);
	CHECK_INT(password_policy_check(NULL, err, sizeof(err)), -1);
	CHECK_INT(password_policy_check("12345678", err, sizeof(err)), 0);
	CHECK_STR(err, "");
	/* 7 code points in 14 bytes is still too short */
	CHECK_INT(password_policy_check("ñññññññ", err, sizeof(err)), -1);
	CHECK_INT(password_policy_check("ññññññññ", err, sizeof(err)), 0);
}

TEST(password_policy_caps_at_128_bytes)
{
	char pw[130], err[128];
	memset(pw, 'a', sizeof(pw));
	pw[128] = '\0';
	CHECK_INT(password_policy_check(pw, err, sizeof(err)), 0);
	pw[128] = 'a';
	pw[129] = '\0';
	CHECK_INT(password_policy_check(pw, err, sizeof(err)), -1);
	CHECK_STR(err, "password: must be at most 128 bytes");
	char h[PASSWORD_HASH_LEN];
	CHECK_INT(password_hash(pw, h), -1);
}

TEST(password_policy_requires_utf8)
{
	char err[128];
	CHECK_INT(password_policy_check("abcdefg\xff", err, sizeof(err)), -1);
	CHECK_STR(err, "password: must be valid UTF-8");
	CHECK_INT(password_policy_check("abcdefg\xff", NULL, 0), -1);
}

TEST(password_burn_time_costs_about_one_verify)
{
	char h[PASSWORD_HASH_LEN];
	CHECK_INT(password_hash("some password", h), 0);
	password_burn_time();  /* warm up any one-time setup */
	/* The least of three runs of each: a busy machine only adds time, so
	 * the minimum is the work itself. */
	int64_t verify_ms = INT64_MAX, burn_ms = INT64_MAX;
	for (int i = 0; i < 3; i++) {
		int64_t t0 = clock_mono_ms();
		CHECK_INT(password_verify(h, "wrong password"), -1);
		int64_t t1 = clock_mono_ms();
		password_burn_time();
		int64_t t2 = clock_mono_ms();
		if (t1 - t0 < verify_ms)
			verify_ms = t1 - t0;
		if (t2 - t1 < burn_ms)
			burn_ms = t2 - t1;
	}
	fprintf(stderr, "  verify %lld ms, burn %lld ms\n", (long long)verify_ms,
		(long long)burn_ms);
	CHECK(burn_ms * 4 >= verify_ms && burn_ms <= verify_ms * 4 + 50);
}

CHECK_MAIN()
