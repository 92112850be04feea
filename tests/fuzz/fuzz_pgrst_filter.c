/*
 * fuzz_pgrst_filter — PostgREST query parameters (compat/pgrst_filter.c)
 * from arbitrary bytes: one "name=value" a line (a line without '=' is a
 * bare name).  Properties: never crashes nor reads past its limits; a
 * refusal always has a code, a 4xx status and a message; an accepted
 * query keeps every limit, matches each row 0 or 1 times the same way
 * twice, sorts rows into a permutation that sorting again leaves as it
 * is, and projects each row into an object.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "compat/pgrst_filter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct pgrst_column person_cols[] = {
	{ "id", PGRST_TEXT }, { "name", PGRST_TEXT }, { "tower", PGRST_INT },
};
static const struct pgrst_resource people = { "customers", person_cols, 3, NULL, 0 };
static const struct pgrst_column cols[] = {
	{ "id", PGRST_TEXT }, { "customer_id", PGRST_TEXT }, { "type", PGRST_TEXT },
	{ "amount_minor", PGRST_INT }, { "override", PGRST_BOOL }, { "occurred_at", PGRST_TIME },
	{ "items", PGRST_JSON }, { "note", PGRST_TEXT },
};
static const struct pgrst_link links[] = { { "customers", "customer_id", &people } };
static const struct pgrst_resource res = { "transactions", cols, 8, links, 1 };

static const char *const rows_json[] = {
	"{\"id\":\"a\",\"customer_id\":\"c1\",\"type\":\"purchase\",\"amount_minor\":500,\"override\":false,"
	"\"occurred_at\":\"2026-11-29T10:30:00.000Z\",\"items\":null,\"note\":\"rice, dal\"}",
	"{\"id\":\"b\",\"customer_id\":\"c2\",\"type\":\"payment\",\"amount_minor\":-3,\"override\":true,"
	"\"occurred_at\":\"2026-01-01T00:00:00.000Z\",\"items\":[{\"name\":\"x\"}],\"note\":\"\\u0930\"}",
	"{\"id\":\"c\",\"customer_id\":null,\"type\":null,\"amount_minor\":null,\"override\":null,"
	"\"occurred_at\":null,\"note\":null}",
	"{}",
};
#define NROWS (sizeof rows_json / sizeof rows_json[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pgrst_query *q = malloc(sizeof *q);
	struct pgrst_error err;
	char *text = malloc(size + 1);
	int rc = 0;

	if (!q || !text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	pgrst_query_init(q, &res);
	char *line = text;
	while (line && rc == 0) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		char *eq = strchr(line, '=');
		if (eq)
			*eq = '\0';
		memset(&err, 0, sizeof err);
		if (*line)
			rc = pgrst_query_add(q, line, eq ? eq + 1 : NULL, &err);
		line = nl ? nl + 1 : NULL;
	}
	if (rc < 0) {
		if (!err.code || err.status < 400 || err.status > 499 || !err.message[0] ||
		    !memchr(err.message, '\0', sizeof err.message))
			abort();
		goto out;
	}
	if (q->nconditions > PGRST_MAX_CONDITIONS || q->nnodes > PGRST_MAX_NODES ||
	    q->npicks > PGRST_MAX_SELECT || q->norder > PGRST_MAX_ORDER || q->nembeds > PGRST_MAX_EMBEDS ||
	    q->pool_used > sizeof q->pool || q->nvalues > PGRST_MAX_VALUES)
		abort();
	json_t *rows[NROWS], *sorted[NROWS];
	for (size_t i = 0; i < NROWS; i++) {
		rows[i] = json_loads(rows_json[i], 0, NULL);
		int m = pgrst_match(q, rows[i]);
		if ((m != 0 && m != 1) || m != pgrst_match(q, rows[i]))
			abort();
		sorted[i] = rows[i];
	}
	pgrst_sort(q, sorted, NROWS);
	json_t *again[NROWS];
	memcpy(again, sorted, sizeof again);
	pgrst_sort(q, again, NROWS);
	for (size_t i = 0; i < NROWS; i++) {
		int found = 0;
		for (size_t j = 0; j < NROWS; j++)
			found += sorted[j] == rows[i];
		if (found != 1 || again[i] != sorted[i])
			abort();
	}
	json_t *person = json_loads("{\"id\":\"c1\",\"name\":\"Rajesh\",\"tower\":36}", 0, NULL);
	json_t *embedded[PGRST_MAX_EMBEDS] = { person, NULL };
	for (size_t i = 0; i < NROWS; i++) {
		json_t *o = pgrst_project(q, rows[i], embedded);
		if (!json_is_object(o))
			abort();
		json_decref(o);
		json_decref(rows[i]);
	}
	json_decref(person);
out:
	free(text);
	free(q);
	return 0;
}
