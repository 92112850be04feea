/*
 * form.c — see form.h.
 */
#include "util/form.h"
#include "util/idtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/errtext.h"

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode src[0..n) into dst (room for n + 1 bytes); the decoded length in
 * *outn.  offset is where src starts in the body, for the message. */
static int decode(const char *src, size_t n, char *dst, size_t *outn, size_t offset,
		  char *err, size_t errlen)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		char c = src[i];
		if (c == '+') {
			dst[o++] = ' ';
		} else if (c == '%') {
			int hi = i + 2 < n ? hex_value(src[i + 1]) : -1;
			int lo = i + 2 < n ? hex_value(src[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				errtext_set(err, errlen, "form body: bad %%-escape at byte %zu", offset + i);
				return -1;
			}
			if (hi == 0 && lo == 0) {
				errtext_set(err, errlen, "form body: %%00 (NUL) at byte %zu", offset + i);
				return -1;
			}
			dst[o++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			dst[o++] = c;
		}
	}
	dst[o] = '\0';
	*outn = o;
	return 0;
}

static int pair_cmp(const void *a, const void *b)
{
	const struct form_pair *x = *(const struct form_pair *const *)a;
	const struct form_pair *y = *(const struct form_pair *const *)b;
	size_t n;
	int c;

	n = x->name_len < y->name_len ? x->name_len : y->name_len;
	c = memcmp(x->name, y->name, n);
	if (c || x->name_len != y->name_len)
		return c ? c : (x->name_len < y->name_len ? -1 : 1);
	n = x->value_len < y->value_len ? x->value_len : y->value_len;
	c = memcmp(x->value, y->value, n);
	if (c || x->value_len != y->value_len)
		return c ? c : (x->value_len < y->value_len ? -1 : 1);
	/* Equal pairs: keep body order, so the sort is deterministic. */
	return x < y ? -1 : x > y;
}

int form_parse(const char *body, size_t len, struct form *out, char *err, size_t errlen)
{
	size_t npieces = 0, i, start, k = 0;
	char *store = NULL, *w;
	int rc = -1;

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!body && len > 0) {
		errtext_set(err, errlen, "form body: missing");
		return -1;
	}
	if (len > FORM_MAX_BODY) {
		errtext_set(err, errlen, "form body: longer than %d bytes", FORM_MAX_BODY);
		return -1;
	}
	if (len == 0)
		return 0;
	if (memchr(body, '\0', len)) {
		errtext_set(err, errlen, "form body: NUL byte at byte %zu",
			(size_t)((const char *)memchr(body, '\0', len) - body));
		return -1;
	}
	/* Count the non-empty pieces first, so the limit holds before any work. */
	for (i = 0, start = 0; i <= len; i++) {
		if (i == len || body[i] == '&') {
			if (i > start)
				npieces++;
			start = i + 1;
		}
	}
	if (npieces > FORM_MAX_PAIRS) {
		errtext_set(err, errlen, "form body: more than %d pairs", FORM_MAX_PAIRS);
		return -1;
	}
	if (npieces == 0)
		return 0;
	/* Decoding never grows text; each piece adds two NULs at most. */
	store = malloc(len + 2 * npieces);
	out->pairs = calloc(npieces, sizeof(*out->pairs));
	out->sorted = calloc(npieces, sizeof(*out->sorted));
	if (!store || !out->pairs || !out->sorted) {
		errtext_set(err, errlen, "form body: out of memory");
		goto out;
	}
	w = store;
	for (i = 0, start = 0; i <= len; i++) {
		const char *piece, *eq;
		size_t plen, nlen, vlen, dn, dv;

		if (i < len && body[i] != '&')
			continue;
		piece = body + start;
		plen = i - start;
		if (plen == 0) {
			start = i + 1;
			continue;
		}
		eq = memchr(piece, '=', plen);
		nlen = eq ? (size_t)(eq - piece) : plen;
		vlen = eq ? plen - nlen - 1 : 0;
		if (nlen == 0) {
			errtext_set(err, errlen, "form body: empty name at byte %zu", start);
			goto out;
		}
		if (decode(piece, nlen, w, &dn, start, err, errlen) != 0)
			goto out;
		if (dn > FORM_MAX_NAME) {
			errtext_set(err, errlen, "form body: name at byte %zu longer than %d bytes", start,
				FORM_MAX_NAME);
			goto out;
		}
		if (!utf8_valid(w, dn)) {
			errtext_set(err, errlen, "form body: name at byte %zu is not UTF-8", start);
			goto out;
		}
		out->pairs[k].name = w;
		out->pairs[k].name_len = dn;
		w += dn + 1;
		if (decode(eq ? eq + 1 : piece + plen, vlen, w, &dv, start + nlen + 1, err,
			   errlen) != 0)
			goto out;
		if (dv > FORM_MAX_VALUE) {
			errtext_set(err, errlen, "form body: value of \"%s\" longer than %d bytes",
				out->pairs[k].name, FORM_MAX_VALUE);
			goto out;
		}
		if (!utf8_valid(w, dv)) {
			errtext_set(err, errlen, "form body: value at byte %zu is not UTF-8",
				start + nlen + 1);
			goto out;
		}
		out->pairs[k].value = w;
		out->pairs[k].value_len = dv;
		w += dv + 1;
		out->sorted[k] = &out->pairs[k];
		k++;
		start = i + 1;
	}
	out->count = k;
	out->storage = store;
	store = NULL;
	qsort(out->sorted, out->count, sizeof(*out->sorted), pair_cmp);
	rc = 0;
out:
	if (rc != 0) {
		free(out->pairs);
		free(out->sorted);
		memset(out, 0, sizeof(*out));
	}
	free(store);
	return rc;
}

void form_release(struct form *f)
{
	if (!f)
		return;
	free(f->pairs);
	free(f->sorted);
	free(f->storage);
	memset(f, 0, sizeof(*f));
}

const char *form_get(const struct form *f, const char *name)
{
	if (!f || !name)
		return NULL;
	for (size_t i = 0; i < f->count; i++)
		if (strcmp(f->pairs[i].name, name) == 0)
			return f->pairs[i].value;
	return NULL;
}

static int stays(unsigned char c, const char *keep)
{
	if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	    c == '-' || c == '.' || c == '_' || c == '~')
		return 1;
	return keep && c != '\0' && strchr(keep, c) != NULL;
}

size_t form_pct_encoded_len(const char *in, size_t inlen, const char *keep)
{
	size_t n = 0;

	for (size_t i = 0; in && i < inlen; i++)
		n += stays((unsigned char)in[i], keep) ? 1 : 3;
	return n;
}

long form_pct_encode(const char *in, size_t inlen, const char *keep, char *out, size_t outlen)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t need, o = 0;

	if (!out)
		return -1;
	if (!in)
		inlen = 0;
	need = form_pct_encoded_len(in, inlen, keep);
	if (need >= outlen) {
		if (outlen)
			out[0] = '\0';
		return -1;
	}
	for (size_t i = 0; i < inlen; i++) {
		unsigned char c = (unsigned char)in[i];
		if (stays(c, keep)) {
			out[o++] = (char)c;
		} else {
			out[o++] = '%';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return (long)o;
}
