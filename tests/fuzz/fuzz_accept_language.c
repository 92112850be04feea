/*
 * libFuzzer target for domain/language.c (Accept-Language) and
 * http/problem_text.c (problem details in Hindi).  Input: the header's
 * bytes, then the same bytes as a problem's English detail and field
 * message.
 * Properties: never crashes nor reads past the input (no NUL is needed);
 * the answer is one of the three languages; a header past
 * LANGUAGE_ACCEPT_MAX (up to a NUL, which ends it) is English; the answer does not change when the
 * header is followed by a NUL and more bytes; a header without "hi" in
 * any case is never Hindi; a translated detail is valid UTF-8 when the
 * input was, and English asked for leaves the detail untouched.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "domain/language.h"
#include "http/problem_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int mentions_hi(const uint8_t *d, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		if ((d[i] | 0x20) == 'h' && (d[i + 1] | 0x20) == 'i')
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* An exact-size copy, so that ASan sees any read past the end. */
	char *h = malloc(size ? size : 1);
	if (!h)
		return 0;
	memcpy(h, data, size);
	enum language l = language_from_accept(h, size);
	if (l != LANGUAGE_NONE && l != LANGUAGE_EN && l != LANGUAGE_HI)
		abort();
	const uint8_t *nul = memchr(data, '\0', size);
	size_t value_len = nul ? (size_t)(nul - data) : size;
	if (value_len > LANGUAGE_ACCEPT_MAX && l != LANGUAGE_EN)
		abort();
	if (l == LANGUAGE_HI && !mentions_hi(data, size))
		abort();
	if (size <= LANGUAGE_ACCEPT_MAX && !memchr(data, '\0', size)) {
		char *longer = malloc(size + 4);
		if (longer) {
			memcpy(longer, data, size);
			memcpy(longer + size, "\0hi", 3);
			if (language_from_accept(longer, size + 3) != l)
				abort();
			free(longer);
		}
	}
	free(h);

	/* The bytes as a detail and a field message. */
	char *text = malloc(size + 1);
	struct arena *a = arena_new();
	if (!text || !a) {
		free(text);
		arena_free(a);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';
	json_t *message = json_string(text);   /* NULL unless valid UTF-8 */
	struct problem p = { .status = 422, .code = "validation_failed", .detail = text };
	if (message) {
		p.errors = json_array();
		json_array_append_new(p.errors, json_pack("{s:s, s:O}", "field", "f", "message", message));
	}
	if (problem_text_localize(&p, a, LANGUAGE_EN) != LANGUAGE_EN || p.detail != text)
		abort();
	enum language spoken = problem_text_localize(&p, a, LANGUAGE_HI);
	if (spoken != LANGUAGE_HI && spoken != LANGUAGE_EN)
		abort();
	if (!p.detail)
		abort();
	if (message) {
		json_t *check = json_string(p.detail);
		if (!check)
			abort();   /* valid UTF-8 in, valid UTF-8 out */
		json_decref(check);
	}
	const char *hi = problem_text_hindi(text, 1, a);
	(void)hi;
	json_decref(p.errors);
	json_decref(message);
	arena_free(a);
	free(text);
	return 0;
}
