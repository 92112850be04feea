/*
 * libFuzzer target for domain/template.c.  Input: one control byte (bit 0:
 * receipt; bit 1: every value set; bits 2-7: which values are empty), then
 * the template, NUL, and a value used for {name}.
 * Properties: never crashes; render refuses exactly what check refuses;
 * a rendered message is valid UTF-8 of at most 1,024 characters and needs
 * exactly its length + 1 bytes; with every value non-empty, it equals a
 * plain reference expansion; output is "" after any error.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/template.h"
#include "util/idtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *names[] = { "name", "store", "balance", "overdue", "due_date", "upi_link",
			       "statement_link", "amount", "entry_type", "new_balance", "date" };

static const char *value_named(const struct template_values *v, const char *n, size_t len)
{
	const char *const *fields = &v->name;
	for (size_t i = 0; i < 11; i++)
		if (strlen(names[i]) == len && memcmp(names[i], n, len) == 0)
			return fields[i];
	abort(); /* check passed, so every placeholder is known */
}

/* Expansion with no line rules, for a checked template and full values.
 * Only called after a successful render, so a longer result is a bug. */
static char *reference(const char *t, const struct template_values *v)
{
	const size_t cap = TEMPLATE_RENDER_MAX;
	size_t n = 0;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	for (size_t i = 0; t[i]; i++) {
		if (n + 1 >= cap)
			abort();
		if ((t[i] == '{' || t[i] == '}') && t[i + 1] == t[i]) {
			out[n++] = t[i++];
		} else if (t[i] == '{') {
			size_t k = i + 1, len;
			const char *val;
			while (t[k] != '}')
				k++;
			val = value_named(v, t + i + 1, k - i - 1);
			len = strlen(val);
			if (n + len >= cap)
				abort();
			memcpy(out + n, val, len);
			n += len;
			i = k;
		} else {
			out[n++] = t[i];
		}
	}
	out[n] = '\0';
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char out[TEMPLATE_RENDER_MAX];
	char err[320], *buf, *tpl, *val;
	struct template_values v;
	const char **fields = &v.name;
	enum template_kind kind;
	int checked, rendered, full;

	if (size < 1 || size > 8192)
		return 0;
	kind = data[0] & 1 ? TEMPLATE_RECEIPT : TEMPLATE_REMINDER;
	full = (data[0] & 2) != 0;
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	buf[size - 1] = buf[size] = '\0';
	tpl = buf;
	val = tpl + strlen(tpl) + 1;
	if (val > buf + size - 1)
		val = buf + size;
	if (!utf8_valid(val, strlen(val)))
		val = "v";

	for (size_t i = 0; i < 11; i++)
		fields[i] = full || !(data[0] & (4u << (i % 6))) ? "x\xe2\x82\xb9" : (i % 2 ? NULL : "");
	fields[0] = full || val[0] ? (val[0] ? val : "n") : NULL;

	checked = template_check(tpl, kind, err, sizeof(err));
	if (checked != TEMPLATE_OK && (checked != TEMPLATE_INVALID || err[0] == '\0'))
		abort();
	rendered = template_render(tpl, kind, &v, out, sizeof(out), err, sizeof(err));
	if (checked != TEMPLATE_OK && rendered != TEMPLATE_INVALID)
		abort();
	if (rendered == TEMPLATE_OK) {
		size_t len = strlen(out);
		if (!utf8_valid(out, len) || utf8_length(out) > TEMPLATE_RENDER_MAX_CHARS)
			abort();
		char *tight = malloc(len + 1);
		if (tight) {
			if (template_render(tpl, kind, &v, tight, len + 1, NULL, 0) != TEMPLATE_OK ||
			    strcmp(tight, out) != 0)
				abort();
			if (len > 0 && template_render(tpl, kind, &v, tight, len, NULL, 0) != TEMPLATE_NO_SPACE)
				abort();
			free(tight);
		}
		if (full) {
			char *ref = reference(tpl, &v);
			if (ref && strcmp(ref, out) != 0)
				abort();
			free(ref);
		}
	} else if (out[0] != '\0' || (rendered != TEMPLATE_INVALID && rendered != TEMPLATE_TOO_LONG)) {
		abort();
	}
	free(buf);
	return 0;
}
