/* jsonw.c — see jsonw.h. */
#include <assert.h>
#include <string.h>

#include "util/jsonesc.h"
#include "util/jsonw.h"

void jw_init(struct jw *w, struct buf *b)
{
	w->b = b;
	w->depth = 0;
	w->had = 0;
	w->arrays = 0;
	w->after_key = 0;
}

/* Before any value: the comma that separates it from the one before,
 * unless it follows its key. */
static void value_start(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	uint32_t bit = 1u << w->depth;
	if (w->had & bit)
		buf_putc(w->b, ',');
	w->had |= bit;
}

static void open_container(struct jw *w, int array)
{
	value_start(w);
	assert(w->depth + 1 < JW_MAX_DEPTH && "jw: nested too deep");
	buf_putc(w->b, array ? '[' : '{');
	w->depth++;
	uint32_t bit = 1u << w->depth;
	w->had &= ~bit;
	w->arrays = array ? (w->arrays | bit) : (w->arrays & ~bit);
}

void jw_obj(struct jw *w) { open_container(w, 0); }
void jw_arr(struct jw *w) { open_container(w, 1); }

void jw_end(struct jw *w)
{
	assert(w->depth > 0 && !w->after_key && "jw: end without an open object or array");
	buf_putc(w->b, (w->arrays >> w->depth) & 1u ? ']' : '}');
	w->depth--;
}

void jw_key(struct jw *w, const char *key)
{
	assert(w->depth > 0 && !((w->arrays >> w->depth) & 1u) && !w->after_key);
	value_start(w);
	size_t n = strlen(key);
	/* Keys are the caller's literals: plain ASCII goes out as it is,
	 * anything else through the escaper. */
	int plain = 1;
	for (size_t i = 0; i < n && plain; i++)
		plain = (unsigned char)key[i] >= 0x20 && key[i] != '"' && key[i] != '\\' &&
			(unsigned char)key[i] < 0x80;
	if (plain) {
		buf_grow(w->b, n + 3);
		buf_putc(w->b, '"');
		buf_append(w->b, key, n);
		buf_append(w->b, "\":", 2);
	} else {
		json_escape_append(w->b, key, n, JSON_ESCAPE_BYTES);
		buf_putc(w->b, ':');
	}
	w->after_key = 1;
}

void jw_strn(struct jw *w, const char *s, size_t n)
{
	value_start(w);
	json_escape_append(w->b, s, n, JSON_ESCAPE_BYTES);
}

void jw_str(struct jw *w, const char *s)
{
	if (!s)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

size_t jw_format_int(int64_t v, char *out)
{
	char tmp[21];
	size_t n = 0;
	/* Negate in unsigned arithmetic: INT64_MIN has no positive int64. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	size_t len = 0;
	if (v < 0)
		out[len++] = '-';
	while (n)
		out[len++] = tmp[--n];
	out[len] = '\0';
	return len;
}

void jw_int(struct jw *w, int64_t v)
{
	char t[21];
	value_start(w);
	buf_append(w->b, t, jw_format_int(v, t));
}

void jw_bool(struct jw *w, int v)
{
	value_start(w);
	buf_append(w->b, v ? "true" : "false", v ? 4 : 5);
}

void jw_null(struct jw *w)
{
	value_start(w);
	buf_append(w->b, "null", 4);
}

void jw_raw(struct jw *w, const char *json, size_t n)
{
	value_start(w);
	buf_append(w->b, json, n);
}
