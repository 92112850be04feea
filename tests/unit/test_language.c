/* Unit tests for src/domain/language.c (Accept-Language, locales) and
 * src/http/problem_text.c (problem details in Hindi). */
#include "check.h"
#include "domain/language.h"
#include "http/problem_text.h"

#include <stdlib.h>

static enum language accept(const char *s)
{
	return language_from_accept(s, s ? strlen(s) : 0);
}

TEST(no_header_or_a_blank_one_says_nothing)
{
	CHECK_INT(accept(NULL), LANGUAGE_NONE);
	CHECK_INT(accept(""), LANGUAGE_NONE);
	CHECK_INT(accept("  \t "), LANGUAGE_NONE);
}

TEST(hindi_in_any_region_or_case_is_hindi)
{
	CHECK_INT(accept("hi"), LANGUAGE_HI);
	CHECK_INT(accept("hi-IN"), LANGUAGE_HI);
	CHECK_INT(accept("HI-in"), LANGUAGE_HI);
	CHECK_INT(accept("hi-Deva-IN"), LANGUAGE_HI);
	CHECK_INT(accept("  hi  "), LANGUAGE_HI);
	CHECK_INT(accept("en"), LANGUAGE_EN);
	CHECK_INT(accept("en-GB"), LANGUAGE_EN);
}

TEST(the_highest_q_wins_and_ties_go_to_the_first_named)
{
	CHECK_INT(accept("en;q=0.5, hi"), LANGUAGE_HI);
	CHECK_INT(accept("hi;q=0.4, en;q=0.8"), LANGUAGE_EN);
	CHECK_INT(accept("en-US,en;q=0.9,hi;q=0.8"), LANGUAGE_EN);
	CHECK_INT(accept("hi-IN,hi;q=0.9,en-US;q=0.8,en;q=0.7"), LANGUAGE_HI);
	CHECK_INT(accept("hi, en"), LANGUAGE_HI);
	CHECK_INT(accept("en, hi"), LANGUAGE_EN);
	CHECK_INT(accept("en;q=0.500, hi;q=0.5"), LANGUAGE_EN);
	CHECK_INT(accept("en;q=0.501, hi;q=0.5"), LANGUAGE_EN);
	CHECK_INT(accept("en;q=0.499, hi;q=0.5"), LANGUAGE_HI);
	CHECK_INT(accept("hi;Q=1.000"), LANGUAGE_HI);
	CHECK_INT(accept("hi ; q=0.3"), LANGUAGE_HI);
}

TEST(unknown_languages_are_english_and_q0_rules_a_language_out)
{
	CHECK_INT(accept("fr"), LANGUAGE_EN);
	CHECK_INT(accept("ta-IN, fr;q=0.5"), LANGUAGE_EN);
	CHECK_INT(accept("fr, hi;q=0.1"), LANGUAGE_HI);
	CHECK_INT(accept("hi;q=0"), LANGUAGE_EN);
	CHECK_INT(accept("hi;q=0.000"), LANGUAGE_EN);
	CHECK_INT(accept("hi;q=0.001"), LANGUAGE_HI);
	CHECK_INT(accept("hin"), LANGUAGE_EN);     /* not "hi" */
	CHECK_INT(accept("hindi"), LANGUAGE_EN);
}

TEST(a_wildcard_alone_leaves_the_choice_to_the_caller)
{
	CHECK_INT(accept("*"), LANGUAGE_NONE);
	CHECK_INT(accept("fr, *;q=0.5"), LANGUAGE_NONE);
	CHECK_INT(accept("*, hi;q=0.2"), LANGUAGE_HI);
	CHECK_INT(accept("*;q=0"), LANGUAGE_EN);
}

TEST(malformed_ranges_are_dropped_one_by_one)
{
	CHECK_INT(accept("hi;q=2, en"), LANGUAGE_EN);
	CHECK_INT(accept("hi;q=1.5"), LANGUAGE_EN);
	CHECK_INT(accept("hi;q=1.001"), LANGUAGE_EN);
	CHECK_INT(accept("hi;q=0.0001"), LANGUAGE_EN);
	CHECK_INT(accept("hi;q=abc"), LANGUAGE_EN);
	CHECK_INT(accept("hi;q="), LANGUAGE_EN);
	CHECK_INT(accept("hi;level=1"), LANGUAGE_EN);
	CHECK_INT(accept("hi;"), LANGUAGE_EN);
	CHECK_INT(accept("hi-, hi--IN, -hi, h!"), LANGUAGE_EN);
	CHECK_INT(accept("hi-toolongsub"), LANGUAGE_EN);
	CHECK_INT(accept("abcdefghi"), LANGUAGE_EN);   /* 9 letters */
	CHECK_INT(accept(";;;,,,"), LANGUAGE_EN);
	CHECK_INT(accept(",,hi,,"), LANGUAGE_HI);
	CHECK_INT(accept("garbage!!, hi;q=0.3"), LANGUAGE_HI);
	CHECK_INT(accept("\xe0\xa4\xb9\xe0\xa4\xbf"), LANGUAGE_EN);   /* "हि" */
}

TEST(the_size_limits_hold)
{
	char big[LANGUAGE_ACCEPT_MAX + 8];
	memset(big, ' ', sizeof big);
	memcpy(big, "hi", 2);
	CHECK_INT(language_from_accept(big, LANGUAGE_ACCEPT_MAX), LANGUAGE_HI);
	CHECK_INT(language_from_accept(big, LANGUAGE_ACCEPT_MAX + 1), LANGUAGE_EN);
	/* Ranges past the 32nd are not read. */
	char many[512];
	for (int ranges_before = LANGUAGE_ACCEPT_MAX_RANGES - 1; ranges_before <= LANGUAGE_ACCEPT_MAX_RANGES;
	     ranges_before++) {
		size_t at = 0;
		for (int i = 0; i < ranges_before; i++)
			at += (size_t)snprintf(many + at, sizeof many - at, "fr,");
		snprintf(many + at, sizeof many - at, "hi");
		/* hi as the 32nd range is read; as the 33rd it is not. */
		CHECK_INT(accept(many), ranges_before < LANGUAGE_ACCEPT_MAX_RANGES ? LANGUAGE_HI : LANGUAGE_EN);
	}
	/* The length is the caller's: no NUL needed, and a NUL ends it. */
	CHECK_INT(language_from_accept("hi;q=0.5XXXX", 8), LANGUAGE_HI);
	CHECK_INT(language_from_accept("fr\0hi", 5), LANGUAGE_EN);
}

TEST(codes_and_locales)
{
	CHECK_STR(language_code(LANGUAGE_EN), "en");
	CHECK_STR(language_code(LANGUAGE_HI), "hi");
	CHECK(language_code(LANGUAGE_NONE) == NULL);
	CHECK_INT(language_from_code("hi"), LANGUAGE_HI);
	CHECK_INT(language_from_code("en"), LANGUAGE_EN);
	CHECK_INT(language_from_code("HI"), LANGUAGE_NONE);
	CHECK_INT(language_from_code("hi-IN"), LANGUAGE_NONE);
	CHECK_INT(language_from_code(NULL), LANGUAGE_NONE);
	CHECK_INT(language_of_locale("hi-IN"), LANGUAGE_HI);
	CHECK_INT(language_of_locale("hi_IN"), LANGUAGE_HI);
	CHECK_INT(language_of_locale("HI"), LANGUAGE_HI);
	CHECK_INT(language_of_locale("en-IN"), LANGUAGE_EN);
	CHECK_INT(language_of_locale("hin"), LANGUAGE_EN);
	CHECK_INT(language_of_locale(""), LANGUAGE_EN);
	CHECK_INT(language_of_locale(NULL), LANGUAGE_EN);
}

/* ---- problem_text ---------------------------------------------------- */

static struct problem field_problem(struct arena *a, const char *code, const char *field,
	const char *message)
{
	struct problem p = { .status = 422, .code = code };
	p.detail = arena_printf(a, "%s: %s", field, message);
	p.errors = json_array();
	json_array_append_new(p.errors, json_pack("{s:s, s:s}", "field", field, "message", message));
	return p;
}

static const char *first_message(const struct problem *p)
{
	return json_string_value(json_object_get(json_array_get(p->errors, 0), "message"));
}

TEST(field_messages_become_hindi_with_the_field_name_kept)
{
	struct arena *a = arena_new();
	struct problem p = field_problem(a, "validation_failed", "customer_id", "is required");
	CHECK_INT(problem_text_localize(&p, a, LANGUAGE_HI), LANGUAGE_HI);
	CHECK_STR(p.detail, "customer_id: ज़रूरी है");
	CHECK_STR(first_message(&p), "ज़रूरी है");
	CHECK_STR(p.code, "validation_failed");
	json_decref(p.errors);

	p = field_problem(a, "validation_failed", "phone",
		"phone \"12345\": must be a 10-digit mobile number or +country code and number");
	CHECK_INT(problem_text_localize(&p, a, LANGUAGE_HI), LANGUAGE_HI);
	CHECK_STR(p.detail, "phone: फ़ोन \"12345\": 10 अंकों का मोबाइल नंबर, या + और देश कोड के साथ नंबर होना चाहिए");
	json_decref(p.errors);

	p = field_problem(a, "validation_failed", "name", "must be at most 120 characters");
	problem_text_localize(&p, a, LANGUAGE_HI);
	CHECK_STR(p.detail, "name: ज़्यादा से ज़्यादा 120 अक्षर हो सकते हैं");
	json_decref(p.errors);
	arena_free(a);
}

TEST(an_unknown_field_message_gets_the_code_text_naming_the_field)
{
	struct arena *a = arena_new();
	struct problem p = field_problem(a, "validation_failed", "colour", "must be a shade of teal");
	CHECK_INT(problem_text_localize(&p, a, LANGUAGE_HI), LANGUAGE_HI);
	CHECK_STR(p.detail, "colour: यह मान सही नहीं है");
	CHECK_STR(first_message(&p), "must be a shade of teal");   /* the precise English stays */
	json_decref(p.errors);
	arena_free(a);
}

TEST(details_keep_their_numbers_and_english_stays_english)
{
	struct arena *a = arena_new();
	struct problem p = { .status = 422, .code = "credit_limit_exceeded",
		.detail = "this purchase would take the balance to 65000, over the credit limit of 50000 by 15000" };
	CHECK_INT(problem_text_localize(&p, a, LANGUAGE_EN), LANGUAGE_EN);
	CHECK_STR(p.detail, "this purchase would take the balance to 65000, over the credit limit of 50000 by 15000");
	CHECK_INT(problem_text_localize(&p, a, LANGUAGE_HI), LANGUAGE_HI);
	CHECK_STR(p.detail, "इस उधार से बकाया 65000 हो जाएगा, जो उधार सीमा 50000 से 15000 ज़्यादा है");

	struct problem q = { .status = 429, .code = "rate_limited",
		.detail = "this store's plan allows 60 requests a minute (bursts of 10); try again in 3 s" };
	problem_text_localize(&q, a, LANGUAGE_HI);
	CHECK_STR(q.detail, "इस दुकान के प्लान में एक मिनट में 60 अनुरोध (एक साथ 10 तक) हो सकते हैं; 3 सेकंड बाद फिर कोशिश करें");

	struct problem n = { .status = 404, .code = "not_found", .detail = "customer not found" };
	problem_text_localize(&n, a, LANGUAGE_HI);
	CHECK_STR(n.detail, "ग्राहक नहीं मिला");
	arena_free(a);
}

TEST(a_code_alone_gives_its_fixed_text_and_an_unknown_code_stays_english)
{
	struct arena *a = arena_new();
	struct problem p = { .status = 404, .code = "not_found", .detail = "widget 7 not found" };
	CHECK_INT(problem_text_localize(&p, a, LANGUAGE_HI), LANGUAGE_HI);
	CHECK_STR(p.detail, problem_text_hindi_code("not_found"));
	struct problem u = { .status = 418, .code = "teapot", .detail = "short and stout" };
	CHECK_INT(problem_text_localize(&u, a, LANGUAGE_HI), LANGUAGE_EN);
	CHECK_STR(u.detail, "short and stout");
	struct problem none = { .status = 500, .code = NULL, .detail = NULL };
	CHECK_INT(problem_text_localize(&none, a, LANGUAGE_HI), LANGUAGE_EN);
	arena_free(a);
}

TEST(every_common_code_has_hindi_in_devanagari)
{
	static const char *const common[] = { "validation_failed", "credit_limit_exceeded", "not_found",
		"rate_limited", "too_many_attempts", "unauthorized", "invalid_token", "token_expired",
		"forbidden", "invalid_credentials", "unknown_field", "invalid_json", "invalid_parameter" };
	for (size_t i = 0; i < sizeof common / sizeof common[0]; i++) {
		const char *hi = problem_text_hindi_code(common[i]);
		CHECK(hi != NULL);
		/* U+0900-U+097F is E0 A4 80 - E0 A5 BF in UTF-8. */
		CHECK(hi && strstr(hi, "\xe0\xa4") != NULL);
	}
}

TEST(captures_go_back_in_place_and_long_text_is_left_alone)
{
	struct arena *a = arena_new();
	CHECK_STR(problem_text_hindi("no route for GET /api/v1/x y", 1, a), "GET /api/v1/x y: API में ऐसा कोई पता नहीं है");
	CHECK_STR(problem_text_hindi("this action needs the member role or higher; you are viewer", 1, a),
		"इस काम के लिए member या उससे ऊँची भूमिका चाहिए; आपकी भूमिका viewer है");
	CHECK(problem_text_hindi("is required ", 0, a) == NULL);
	CHECK(problem_text_hindi(NULL, 0, a) == NULL);
	size_t n = 5000;
	char *big = malloc(n + 1);
	memset(big, '*', n);
	memcpy(big, "no route for ", 13);
	big[n] = '\0';
	CHECK(problem_text_hindi(big, 1, a) == NULL);
	free(big);
	arena_free(a);
}

CHECK_MAIN()
