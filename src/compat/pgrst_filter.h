/*
 * pgrst_filter.h — the part of PostgREST's query language /rest/v1 takes,
 * parsed against one resource's whitelist of columns and applied to rows
 * that are JSON objects (the ones /api/v1 answers with).  No SQL is ever
 * made from the client's text: a column is an index into the resource's
 * whitelist, a value is compared in C.
 *
 * Taken (one query parameter at a time, pgrst_query_add):
 *   col=[not.]op.value    op: eq neq gt gte lt lte like ilike in is
 *                         (in.(a,b,"c,d"); is.null|true|false|unknown;
 *                         like/ilike with * or % for any run, _ for one
 *                         character)
 *   or=(…), and=(…), not.or=(…), not.and=(…)   with nested or(…)/and(…)
 *                         and col.[not.]op.value items, values optionally
 *                         "double-quoted" (\ escapes inside quotes)
 *   select=a,alias:b,*,embed(x,y),alias:embed(*)   (one level of embedding)
 *   order=a.desc.nullslast,b   limit=N   offset=N
 *   columns=…            (sent by supabase-js on bulk inserts; ignored)
 *
 * Limits (a refusal names the one passed, status 400): each value ≤
 * PGRST_MAX_VALUE bytes, ≤ PGRST_MAX_CONDITIONS conditions in all, logic
 * trees ≤ PGRST_MAX_DEPTH deep, ≤ PGRST_MAX_IN items in one in.(…), ≤
 * PGRST_MAX_SELECT selected columns, ≤ PGRST_MAX_ORDER order keys, and all
 * the parameters' text together ≤ PGRST_MAX_TEXT bytes.
 *
 * Semantics follow SQL: a comparison with a JSON null (or a missing key)
 * is unknown, `not.` of unknown stays unknown, and a row is kept only when
 * the whole condition is true.  Integers compare as int64, columns typed
 * PGRST_TIME as instants (RFC 3339, or YYYY-MM-DD for midnight UTC),
 * text byte-wise (ilike folds ASCII letters only).
 */
#ifndef QT_COMPAT_PGRST_FILTER_H
#define QT_COMPAT_PGRST_FILTER_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#define PGRST_MAX_VALUE 512
#define PGRST_MAX_CONDITIONS 32
#define PGRST_MAX_NODES 64
#define PGRST_MAX_DEPTH 4
#define PGRST_MAX_IN 100
#define PGRST_MAX_SELECT 40
#define PGRST_MAX_ORDER 4
#define PGRST_MAX_EMBEDS 2
#define PGRST_MAX_TEXT 6144
#define PGRST_MAX_VALUES (PGRST_MAX_CONDITIONS + PGRST_MAX_IN * 4)

enum pgrst_type {
	PGRST_TEXT,     /* JSON string */
	PGRST_INT,      /* JSON integer */
	PGRST_BOOL,     /* JSON true/false */
	PGRST_TIME,     /* JSON string, RFC 3339 */
	PGRST_JSON,     /* an object or array: selectable, not filterable */
};

struct pgrst_column {
	const char *name;
	enum pgrst_type type;
};

struct pgrst_resource;

/* A to-one link: rows of this resource carry `key`, the id of a row of
 * `target` (e.g. a transaction's customer_id names a customer). */
struct pgrst_link {
	const char *name;                    /* as written in select=, e.g. "customers" */
	const char *key;                     /* the local column holding the target's id */
	const struct pgrst_resource *target;
};

struct pgrst_resource {
	const char *name;
	const struct pgrst_column *columns;
	size_t ncolumns;
	const struct pgrst_link *links;
	size_t nlinks;
};

/* A refusal in PostgREST's terms. */
struct pgrst_error {
	int status;            /* HTTP status */
	const char *code;      /* "PGRST100", "42703", ... */
	char message[320];
	char details[320];
	const char *hint;      /* NULL for none */
};

enum pgrst_op {
	PGRST_EQ, PGRST_NEQ, PGRST_GT, PGRST_GTE, PGRST_LT, PGRST_LTE,
	PGRST_LIKE, PGRST_ILIKE, PGRST_IN, PGRST_IS,
};

enum pgrst_node_kind { PGRST_LEAF, PGRST_AND, PGRST_OR };

struct pgrst_node {
	enum pgrst_node_kind kind;
	int negate;
	/* leaf */
	int column;            /* index into the resource's columns */
	enum pgrst_op op;
	int first_value, nvalues; /* into values[] (one, except for in) */
	/* and / or */
	int first_kid, nkids;  /* into kids[] */
};

struct pgrst_pick {
	int column;            /* index into the resource's columns, or -1 for an embed */
	int link;              /* index into the resource's links (column == -1) */
	const char *alias;     /* output key */
	/* an embed's own pick: all (star) or these target columns */
	int embed_star;
	int embed_columns[PGRST_MAX_SELECT];
	const char *embed_alias[PGRST_MAX_SELECT];
	int nembed_columns;
};

struct pgrst_order {
	int column;
	int desc;
	int nulls_first;
};

struct pgrst_query {
	const struct pgrst_resource *res;
	struct pgrst_node nodes[PGRST_MAX_NODES];
	int nnodes, nconditions;
	int kids[PGRST_MAX_NODES];
	int nkids;
	int roots[PGRST_MAX_CONDITIONS];  /* top-level conditions, and-ed */
	int nroots;
	const char *values[PGRST_MAX_VALUES];
	int nvalues;
	int select_star;       /* no select= or one with *: every column */
	int select_given;
	struct pgrst_pick picks[PGRST_MAX_SELECT];
	int npicks;
	int nembeds;
	struct pgrst_order order[PGRST_MAX_ORDER];
	int norder;
	int64_t limit;         /* -1: none */
	int64_t offset;
	size_t text_used;      /* bytes of parameters seen */
	char pool[PGRST_MAX_TEXT + 256];
	size_t pool_used;
};

/* Start an empty query (every row, every column, no order) over res. */
void pgrst_query_init(struct pgrst_query *q, const struct pgrst_resource *res);

/* Take one query parameter name=value (value NULL for a bare name).
 * Returns 0, or -1 with *err filled (q is then unusable). */
int pgrst_query_add(struct pgrst_query *q, const char *name, const char *value,
	struct pgrst_error *err);

/* Is column index c of q's resource compared by a top-level eq filter
 * (not negated)?  Returns its value, else NULL: lets a caller narrow the
 * rows it reads before pgrst_match sees them. */
const char *pgrst_query_eq(const struct pgrst_query *q, int column);

/* The index of column `name` in res, or -1. */
int pgrst_column_index(const struct pgrst_resource *res, const char *name);

/* Does row satisfy every condition of q? 1 or 0. */
int pgrst_match(const struct pgrst_query *q, json_t *row);

/* Sort rows[0..n) by q's order (stable: rows equal on every key keep
 * their order).  No order: unchanged. */
void pgrst_sort(const struct pgrst_query *q, json_t **rows, size_t n);

/* The row as the client asked for it: the selected columns under their
 * names or aliases (a new reference).  Embeds are filled by the caller:
 * for each pick with column -1, embedded[k] (k counting the picks that
 * are embeds, in order) is the linked row or NULL, projected here too. */
json_t *pgrst_project(const struct pgrst_query *q, json_t *row, json_t *const *embedded);

/* Does ILIKE/LIKE pattern match text (both NUL-terminated)?  Exposed for
 * the unit tests. */
int pgrst_like(const char *pattern, const char *text, int fold_case);

#endif
