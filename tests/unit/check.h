/*
 * check.h — the unit-test helper every tests/unit/test_<module>.c uses.
 *
 * Each test is a function registered with TEST(name); main() comes from
 * CHECK_MAIN(), which runs them all and prints one TAP-style line per test
 * ("ok - name" / "not ok - name") and a final "# N passed, M failed".
 * The exit status is 1 when any test failed.
 */
#ifndef QT_CHECK_H
#define QT_CHECK_H

#include <stdio.h>
#include <string.h>
#include <stdint.h>
#include <inttypes.h>

struct check_case {
	const char *name;
	void (*fn)(int *failed);
};

#define CHECK_MAX_CASES 512
extern struct check_case check_cases[CHECK_MAX_CASES];
extern int check_ncases;

#define TEST(name)                                                        \
	static void test_##name(int *check_failed);                           \
	__attribute__((constructor)) static void register_##name(void)        \
	{                                                                     \
		if (check_ncases < CHECK_MAX_CASES)                               \
			check_cases[check_ncases++] =                                 \
				(struct check_case){ #name, test_##name };                \
	}                                                                     \
	static void test_##name(int *check_failed)

#define CHECK(cond)                                                       \
	do {                                                                  \
		if (!(cond)) {                                                    \
			fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__,      \
				__LINE__, #cond);                                         \
			*check_failed = 1;                                            \
		}                                                                 \
	} while (0)

#define CHECK_INT(a, b)                                                   \
	do {                                                                  \
		long long check_a_ = (long long)(a), check_b_ = (long long)(b);   \
		if (check_a_ != check_b_) {                                       \
			fprintf(stderr, "  %s:%d: %s == %lld, expected %lld\n",       \
				__FILE__, __LINE__, #a, check_a_, check_b_);              \
			*check_failed = 1;                                            \
		}                                                                 \
	} while (0)

#define CHECK_STR(a, b)                                                   \
	do {                                                                  \
		const char *check_a_ = (a), *check_b_ = (b);                      \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0) {  \
			fprintf(stderr, "  %s:%d: %s == \"%s\", expected \"%s\"\n",   \
				__FILE__, __LINE__, #a, check_a_ ? check_a_ : "(null)",  \
				check_b_ ? check_b_ : "(null)");                          \
			*check_failed = 1;                                            \
		}                                                                 \
	} while (0)

#define CHECK_MAIN()                                                      \
	struct check_case check_cases[CHECK_MAX_CASES];                       \
	int check_ncases;                                                     \
	int main(void)                                                        \
	{                                                                     \
		int passed = 0, failed = 0;                                       \
		for (int i = 0; i < check_ncases; i++) {                          \
			int f = 0;                                                    \
			check_cases[i].fn(&f);                                        \
			printf("%s - %s\n", f ? "not ok" : "ok", check_cases[i].name); \
			if (f)                                                        \
				failed++;                                                 \
			else                                                          \
				passed++;                                                 \
		}                                                                 \
		printf("# %d passed, %d failed\n", passed, failed);               \
		return failed ? 1 : 0;                                            \
	}

#endif
