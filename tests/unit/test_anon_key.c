/* Unit tests for src/compat/anon_key.c */
#include "check.h"
#include "compat/anon_key.h"

static const uint8_t key[] = "a server secret of thirty-two bytes!";

TEST(an_anon_key_names_its_store_and_verifies)
{
	char k[ANON_KEY_MAX], tid[37], slug[64];
	CHECK_INT(anon_key_make(key, sizeof key - 1, "01a2352c-6a53-776d-9b58-690532a11921", "quantumtrack", k, sizeof k), 0);
	CHECK_INT(anon_key_verify(key, sizeof key - 1, k, tid, slug), 0);
	CHECK_STR(tid, "01a2352c-6a53-776d-9b58-690532a11921");
	CHECK_STR(slug, "quantumtrack");
	/* three JWT-shaped parts */
	int dots = 0;
	for (const char *p = k; *p; p++)
		dots += *p == '.';
	CHECK_INT(dots, 2);
}

TEST(a_changed_or_foreign_anon_key_is_refused)
{
	char k[ANON_KEY_MAX], tid[37], slug[64];
	CHECK_INT(anon_key_make(key, sizeof key - 1, "01a2352c-6a53-776d-9b58-690532a11921", "quantumtrack", k, sizeof k), 0);
	static const uint8_t other[] = "another server's secret, 32 bytes";
	CHECK_INT(anon_key_verify(other, sizeof other - 1, k, tid, slug), -1);
	size_t n = strlen(k);
	k[n - 2] = k[n - 2] == 'A' ? 'B' : 'A';
	CHECK_INT(anon_key_verify(key, sizeof key - 1, k, tid, slug), -1);
	CHECK_INT(anon_key_verify(key, sizeof key - 1, "", tid, slug), -1);
	CHECK_INT(anon_key_verify(key, sizeof key - 1, "qtk_abc", tid, slug), -1);
	CHECK_INT(anon_key_make(key, sizeof key - 1, "not-a-uuid", "quantumtrack", k, sizeof k), -1);
	CHECK_INT(anon_key_make(key, sizeof key - 1, "01a2352c-6a53-776d-9b58-690532a11921", "Bad Slug", k, sizeof k), -1);
}

CHECK_MAIN()
