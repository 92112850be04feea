/*
 * libFuzzer target for util/form.c (application/x-www-form-urlencoded
 * bodies, as Twilio's webhooks send them).
 * Properties: never crashes; a parsed form keeps every limit, has no NUL
 * inside a name or value, and a sorted view that is a sorted permutation
 * of the pairs; encoding each pair again and parsing that gives the same
 * pairs back; a refusal always says why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int pair_order(const struct form_pair *x, const struct form_pair *y)
{
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = memcmp(x->name, y->name, n);
	if (c || x->name_len != y->name_len)
		return c ? c : (x->name_len < y->name_len ? -1 : 1);
	n = x->value_len < y->value_len ? x->value_len : y->value_len;
	c = memcmp(x->value, y->value, n);
	if (c || x->value_len != y->value_len)
		return c ? c : (x->value_len < y->value_len ? -1 : 1);
	return 0;
}

static void reencode_round_trip(const struct form *f)
{
	size_t cap = 1, n = 0;
	char *body;
	struct form g;

	for (size_t i = 0; i < f->count; i++)
		cap += 3 * (f->pairs[i].name_len + f->pairs[i].value_len) + 2;
	body = malloc(cap);
	if (!body)
		return;
	for (size_t i = 0; i < f->count; i++) {
		long w;
		if (i)
			body[n++] = '&';
		w = form_pct_encode(f->pairs[i].name, f->pairs[i].name_len, NULL, body + n, cap - n);
		if (w < 0)
			abort();
		n += (size_t)w;
		body[n++] = '=';
		w = form_pct_encode(f->pairs[i].value, f->pairs[i].value_len, NULL, body + n, cap - n);
		if (w < 0)
			abort();
		n += (size_t)w;
	}
	/* Encoding can grow a body past FORM_MAX_BODY; only compare when not. */
	if (n <= FORM_MAX_BODY) {
		if (form_parse(body, n, &g, NULL, 0) != 0 || g.count != f->count)
			abort();
		for (size_t i = 0; i < f->count; i++)
			if (pair_order(&f->pairs[i], &g.pairs[i]) != 0)
				abort();
		form_release(&g);
	}
	free(body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct form f;
	char err[160];

	if (form_parse((const char *)data, size, &f, err, sizeof(err)) == 0) {
		if (f.count > FORM_MAX_PAIRS || err[0] != '\0')
			abort();
		for (size_t i = 0; i < f.count; i++) {
			const struct form_pair *p = &f.pairs[i];
			if (p->name_len == 0 || p->name_len > FORM_MAX_NAME ||
			    p->value_len > FORM_MAX_VALUE || strlen(p->name) != p->name_len ||
			    strlen(p->value) != p->value_len)
				abort();
			if (form_get(&f, p->name) == NULL)
				abort();
			if (i > 0 && pair_order(f.sorted[i - 1], f.sorted[i]) > 0)
				abort();
			if (f.sorted[i] < f.pairs || f.sorted[i] >= f.pairs + f.count)
				abort();
		}
		reencode_round_trip(&f);
	} else if (err[0] == '\0' || f.count != 0 || f.pairs != NULL) {
		abort();
	}
	form_release(&f);
	return 0;
}
