/*
 * libFuzzer target for the JSON writer (util/jsonw.c) against jansson:
 * the input is read as a program that opens objects and arrays, writes
 * keys, strings (bytes of the input; text jansson refuses as UTF-8 is
 * replaced), integers, booleans and nulls, and closes them.  The same
 * program builds a jansson tree.  Properties: the writer's text parses
 * with jansson's parser, equals the tree (json_equal), and is byte for
 * byte json_dumps(tree, JSON_COMPACT).
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/buf.h"
#include "util/jsonw.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct prog {
	const uint8_t *p;
	size_t n;
};

static int next(struct prog *g, uint8_t *out)
{
	if (!g->n)
		return 0;
	*out = *g->p++;
	g->n--;
	return 1;
}

/* A run of input bytes as a string: its length is the next byte % 24. */
static json_t *take_string(struct prog *g, char *buf, size_t *len)
{
	uint8_t l = 0;
	next(g, &l);
	size_t n = l % 24;
	if (n > g->n)
		n = g->n;
	memcpy(buf, g->p, n);
	g->p += n;
	g->n -= n;
	json_t *s = json_stringn(buf, n);
	if (!s) {
		memcpy(buf, "x\xc3\xa9", 3);   /* valid UTF-8 in its place */
		n = 3;
		s = json_stringn(buf, n);
	}
	*len = n;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 16 * 1024)
		return 0;
	struct prog g = { data, size };
	struct buf b = BUF_INIT;
	struct jw w;
	json_t *stack[JW_MAX_DEPTH];
	int depth = 0, keys = 0;
	json_t *root = NULL;
	char sbuf[32];
	size_t slen;
	uint8_t op;

	jw_init(&w, &b);
	jw_obj(&w);
	root = json_object();
	stack[depth++] = root;
	while (next(&g, &op)) {
		json_t *top = stack[depth - 1];
		json_t *v = NULL;
		int in_obj = json_is_object(top);
		char key[48];
		if (op % 8 == 7) {              /* close */
			if (depth > 1) {
				jw_end(&w);
				depth--;
			}
			continue;
		}
		if (in_obj) {
			/* Keys are made unique: jansson keeps one of duplicates. */
			json_t *ks = take_string(&g, sbuf, &slen);
			json_decref(ks);
			snprintf(key, sizeof key, "%.*s#%d", (int)slen, sbuf, keys++);
			jw_key(&w, key);
		}
		switch (op % 8) {
		case 0:
			v = take_string(&g, sbuf, &slen);
			jw_strn(&w, sbuf, slen);
			break;
		case 1: {
			int64_t x = 0;
			for (int i = 0; i < 8; i++) {
				uint8_t c = 0;
				next(&g, &c);
				x = (int64_t)(((uint64_t)x << 8) | c);
			}
			v = json_integer(x);
			jw_int(&w, x);
			break;
		}
		case 2:
			v = json_boolean(op & 8);
			jw_bool(&w, op & 8);
			break;
		case 3:
			v = json_null();
			jw_null(&w);
			break;
		case 4:
		case 5:
			if (depth + 1 >= JW_MAX_DEPTH) {
				v = json_null();
				jw_null(&w);
				break;
			}
			v = op % 8 == 4 ? json_object() : json_array();
			op % 8 == 4 ? jw_obj(&w) : jw_arr(&w);
			break;
		default:
			v = json_string("");
			jw_str(&w, "");
			break;
		}
		if (in_obj)
			json_object_set_new(top, key, v);
		else
			json_array_append_new(top, v);
		if (json_is_object(v) || json_is_array(v))
			stack[depth++] = v;
	}
	while (depth > 1) {
		jw_end(&w);
		depth--;
	}
	jw_end(&w);

	json_error_t err;
	json_t *back = json_loadb(b.data, b.len, JSON_ALLOW_NUL, &err);
	if (!back || !json_equal(back, root)) {
		fprintf(stderr, "writer: %.*s\n", (int)b.len, b.data);
		abort();
	}
	char *dump = json_dumps(root, JSON_COMPACT);
	if (!dump || strlen(dump) != b.len || memcmp(dump, b.data, b.len) != 0) {
		fprintf(stderr, "writer: %.*s\njansson: %s\n", (int)b.len, b.data, dump ? dump : "(null)");
		abort();
	}
	free(dump);
	json_decref(back);
	json_decref(root);
	buf_release(&b);
	return 0;
}
