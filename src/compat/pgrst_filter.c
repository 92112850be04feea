/*
 * pgrst_filter.c — PostgREST's filters, select, order and paging over a
 * whitelist of columns, evaluated on JSON rows (see pgrst_filter.h).
 * Written by hand: no library parses PostgREST's query language in C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compat/pgrst_filter.h"
#include "util/civil.h"

enum truth { T_FALSE = 0, T_TRUE = 1, T_UNKNOWN = 2 };

static int fail(struct pgrst_error *err, int status, const char *code, const char *hint,
	const char *details, const char *fmt, const char *arg)
{
	err->status = status;
	err->code = code;
	err->hint = hint;
	snprintf(err->message, sizeof err->message, fmt, arg ? arg : "");
	snprintf(err->details, sizeof err->details, "%s", details ? details : "");
	return -1;
}

static int parse_fail(struct pgrst_error *err, const char *details, const char *what)
{
	/* PostgREST: 400 PGRST100 "failed to parse ..." */
	return fail(err, 400, "PGRST100", NULL, details, "failed to parse %s", what);
}

static int limit_fail(struct pgrst_error *err, const char *what)
{
	return fail(err, 400, "PGRST100", "narrow or split the request", what,
		"query over the limit: %s", what);
}

void pgrst_query_init(struct pgrst_query *q, const struct pgrst_resource *res)
{
	memset(q, 0, sizeof *q);
	q->res = res;
	q->select_star = 1;
	q->limit = -1;
}

int pgrst_column_index(const struct pgrst_resource *res, const char *name)
{
	for (size_t i = 0; i < res->ncolumns; i++)
		if (strcmp(res->columns[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int link_index(const struct pgrst_resource *res, const char *name)
{
	for (size_t i = 0; i < res->nlinks; i++)
		if (strcmp(res->links[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* A copy of s[0..n) in the query's pool, or NULL when it is full. */
static const char *pool_dup(struct pgrst_query *q, const char *s, size_t n)
{
	if (q->pool_used + n + 1 > sizeof q->pool)
		return NULL;
	char *p = q->pool + q->pool_used;
	memcpy(p, s, n);
	p[n] = '\0';
	q->pool_used += n + 1;
	return p;
}

static int unknown_column(struct pgrst_query *q, const char *name, size_t n, struct pgrst_error *err)
{
	char col[80];
	snprintf(col, sizeof col, "%.*s", (int)(n < 64 ? n : 64), name);
	err->status = 400;
	err->code = "42703";
	err->hint = NULL;
	snprintf(err->message, sizeof err->message, "column %s.%s does not exist", q->res->name, col);
	err->details[0] = '\0';
	return -1;
}

static int column_of(struct pgrst_query *q, const char *name, size_t n, struct pgrst_error *err)
{
	char col[80];
	if (n == 0 || n >= sizeof col)
		return unknown_column(q, name, n, err);
	memcpy(col, name, n);
	col[n] = '\0';
	int c = pgrst_column_index(q->res, col);
	if (c < 0)
		return unknown_column(q, name, n, err);
	return c;
}

static int op_parse(const char *s, size_t n, enum pgrst_op *op)
{
	static const struct { const char *name; enum pgrst_op op; } ops[] = {
		{ "eq", PGRST_EQ }, { "neq", PGRST_NEQ }, { "gt", PGRST_GT }, { "gte", PGRST_GTE },
		{ "lt", PGRST_LT }, { "lte", PGRST_LTE }, { "like", PGRST_LIKE }, { "ilike", PGRST_ILIKE },
		{ "in", PGRST_IN }, { "is", PGRST_IS },
	};
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
		if (strlen(ops[i].name) == n && memcmp(ops[i].name, s, n) == 0) {
			*op = ops[i].op;
			return 0;
		}
	return -1;
}

/* One value, unquoted when it is "double-quoted", into the pool. */
static int add_value(struct pgrst_query *q, const char *s, size_t n, struct pgrst_error *err)
{
	char tmp[PGRST_MAX_VALUE + 1];
	size_t m = 0;

	if (n > PGRST_MAX_VALUE)
		return limit_fail(err, "a filter value is longer than 512 bytes");
	if (q->nvalues >= PGRST_MAX_VALUES)
		return limit_fail(err, "too many filter values");
	if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
		for (size_t i = 1; i + 1 < n; i++) {
			if (s[i] == '\\' && i + 2 < n)
				i++;
			else if (s[i] == '"')
				return parse_fail(err, "unexpected \" inside a quoted value", "filter value");
			tmp[m++] = s[i];
		}
	} else {
		memcpy(tmp, s, n);
		m = n;
	}
	if (memchr(tmp, '\0', m))
		return parse_fail(err, "a value holds a NUL byte", "filter value");
	const char *v = pool_dup(q, tmp, m);
	if (!v)
		return limit_fail(err, "the query's text is too long");
	q->values[q->nvalues++] = v;
	return 0;
}

/* Split s[0..n) at top-level commas (outside quotes and parentheses):
 * calls back for each piece.  -1 on unbalanced text. */
static int split_items(const char *s, size_t n, size_t *starts, size_t *lens, int max, int *count)
{
	int depth = 0, quoted = 0, k = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		char c = i < n ? s[i] : ',';
		if (quoted) {
			if (c == '\\' && i + 1 < n)
				i++;
			else if (c == '"')
				quoted = 0;
			if (i == n)
				return -1;
			continue;
		}
		if (c == '"') {
			quoted = 1;
		} else if (c == '(') {
			depth++;
		} else if (c == ')') {
			if (--depth < 0)
				return -1;
		} else if (c == ',' && depth == 0) {
			if (k >= max)
				return -2;
			starts[k] = start;
			lens[k] = i - start;
			k++;
			start = i + 1;
		}
	}
	if (quoted || depth != 0)
		return -1;
	*count = k;
	return 0;
}

static int new_node(struct pgrst_query *q, struct pgrst_error *err)
{
	if (q->nnodes >= PGRST_MAX_NODES)
		return limit_fail(err, "more than 64 conditions and groups");
	memset(&q->nodes[q->nnodes], 0, sizeof q->nodes[0]);
	return q->nnodes++;
}

static int check_value_type(struct pgrst_query *q, int column, const char *v, struct pgrst_error *err)
{
	enum pgrst_type t = q->res->columns[column].type;
	if (t == PGRST_INT) {
		char *end;
		if (!*v)
			goto bad_int;
		(void)strtoll(v, &end, 10);
		if (*end)
			goto bad_int;
		if (strlen(v) > 20)
			goto bad_int;
		return 0;
	bad_int:
		return fail(err, 400, "22P02", NULL, NULL, "invalid input syntax for type bigint: \"%s\"", v);
	}
	if (t == PGRST_BOOL) {
		if (strcmp(v, "true") && strcmp(v, "false"))
			return fail(err, 400, "22P02", NULL, NULL, "invalid input syntax for type boolean: \"%s\"", v);
		return 0;
	}
	if (t == PGRST_TIME) {
		int64_t ms, days;
		if (civil_parse_rfc3339(v, &ms) == 0 || civil_parse_date(v, &days) == 0)
			return 0;
		return fail(err, 400, "22007", NULL, NULL, "invalid input syntax for type timestamp with time zone: \"%s\"", v);
	}
	if (t == PGRST_JSON)
		return fail(err, 400, "42883", "filter on the columns inside instead", NULL,
			"operator does not exist for column %s", q->res->columns[column].name);
	return 0;
}

/* A leaf: column index c, then "[not.]op.value" in s[0..n). */
static int parse_leaf(struct pgrst_query *q, int c, const char *s, size_t n, int negate,
	struct pgrst_error *err)
{
	enum pgrst_op op;
	if (q->nconditions >= PGRST_MAX_CONDITIONS)
		return limit_fail(err, "more than 32 conditions");
	if (n >= 4 && memcmp(s, "not.", 4) == 0) {
		negate = !negate;
		s += 4;
		n -= 4;
	}
	const char *dot = memchr(s, '.', n);
	if (!dot || op_parse(s, (size_t)(dot - s), &op) < 0)
		return parse_fail(err, "expected an operator: eq, neq, gt, gte, lt, lte, like, ilike, in or is",
			"filter (operator)");
	const char *v = dot + 1;
	size_t vn = n - (size_t)(v - s);
	int id = new_node(q, err);
	if (id < 0)
		return -1;
	struct pgrst_node *nd = &q->nodes[id];
	nd->kind = PGRST_LEAF;
	nd->negate = negate;
	nd->column = c;
	nd->op = op;
	nd->first_value = q->nvalues;
	q->nconditions++;
	enum pgrst_type t = q->res->columns[c].type;
	if (op == PGRST_IN) {
		size_t st[PGRST_MAX_IN], ln[PGRST_MAX_IN];
		int k = 0;
		if (vn < 2 || v[0] != '(' || v[vn - 1] != ')')
			return parse_fail(err, "in. takes a list in parentheses: in.(a,b)", "filter (in list)");
		int rc = vn == 2 ? (k = 0, 0) : split_items(v + 1, vn - 2, st, ln, PGRST_MAX_IN, &k);
		if (rc == -2)
			return limit_fail(err, "more than 100 values in one in.(...)");
		if (rc < 0)
			return parse_fail(err, "unbalanced quotes or parentheses", "filter (in list)");
		for (int i = 0; i < k; i++) {
			if (add_value(q, v + 1 + st[i], ln[i], err) < 0)
				return -1;
			if (check_value_type(q, c, q->values[q->nvalues - 1], err) < 0)
				return -1;
		}
		nd = &q->nodes[id];
		nd->nvalues = k;
		return id;
	}
	if (add_value(q, v, vn, err) < 0)
		return -1;
	nd = &q->nodes[id];
	nd->nvalues = 1;
	const char *val = q->values[nd->first_value];
	if (op == PGRST_IS) {
		if (strcmp(val, "null") && strcmp(val, "true") && strcmp(val, "false") && strcmp(val, "unknown"))
			return parse_fail(err, "is. takes null, true, false or unknown", "filter (is)");
		if (strcmp(val, "null") && strcmp(val, "unknown") && t != PGRST_BOOL)
			return fail(err, 400, "42804", NULL, NULL, "argument of IS TRUE/FALSE must be boolean, not %s",
				q->res->columns[c].name);
		return id;
	}
	if ((op == PGRST_LIKE || op == PGRST_ILIKE) && t != PGRST_TEXT && t != PGRST_TIME)
		return fail(err, 404, "42883", "like and ilike take text columns", NULL,
			"operator does not exist: %s ~~ unknown", q->res->columns[c].name);
	if (op == PGRST_LIKE || op == PGRST_ILIKE)
		return id;
	if (check_value_type(q, c, val, err) < 0)
		return -1;
	return id;
}

static int parse_group(struct pgrst_query *q, enum pgrst_node_kind kind, int negate,
	const char *s, size_t n, int depth, struct pgrst_error *err);

/* One item of a logic tree: "[not.]and(...)", "[not.]or(...)" or
 * "col.[not.]op.value". */
static int parse_item(struct pgrst_query *q, const char *s, size_t n, int depth, struct pgrst_error *err)
{
	int negate = 0;
	if (n >= 4 && memcmp(s, "not.", 4) == 0) {
		negate = 1;
		s += 4;
		n -= 4;
	}
	if (n >= 4 && memcmp(s, "and(", 4) == 0 && s[n - 1] == ')')
		return parse_group(q, PGRST_AND, negate, s + 3, n - 3, depth + 1, err);
	if (n >= 3 && memcmp(s, "or(", 3) == 0 && s[n - 1] == ')')
		return parse_group(q, PGRST_OR, negate, s + 2, n - 2, depth + 1, err);
	const char *dot = memchr(s, '.', n);
	if (!dot)
		return parse_fail(err, "expected column.operator.value", "logic tree");
	int c = column_of(q, s, (size_t)(dot - s), err);
	if (c < 0)
		return -1;
	return parse_leaf(q, c, dot + 1, n - (size_t)(dot + 1 - s), negate, err);
}

/* "(item,item,...)" in s[0..n) as an and/or node. */
static int parse_group(struct pgrst_query *q, enum pgrst_node_kind kind, int negate,
	const char *s, size_t n, int depth, struct pgrst_error *err)
{
	size_t st[PGRST_MAX_CONDITIONS], ln[PGRST_MAX_CONDITIONS];
	int k = 0, kids[PGRST_MAX_CONDITIONS];

	if (depth > PGRST_MAX_DEPTH)
		return limit_fail(err, "logic trees nest more than 4 deep");
	if (n < 2 || s[0] != '(' || s[n - 1] != ')')
		return parse_fail(err, "a logic tree is a list in parentheses: or=(a.eq.1,b.eq.2)", "logic tree");
	int rc = split_items(s + 1, n - 2, st, ln, PGRST_MAX_CONDITIONS, &k);
	if (rc == -2)
		return limit_fail(err, "more than 32 conditions");
	if (rc < 0 || k == 0)
		return parse_fail(err, "unbalanced quotes or parentheses, or an empty list", "logic tree");
	for (int i = 0; i < k; i++) {
		kids[i] = parse_item(q, s + 1 + st[i], ln[i], depth, err);
		if (kids[i] < 0)
			return -1;
	}
	if (q->nkids + k > PGRST_MAX_NODES)
		return limit_fail(err, "more than 64 conditions and groups");
	int id = new_node(q, err);
	if (id < 0)
		return -1;
	q->nodes[id].kind = kind;
	q->nodes[id].negate = negate;
	q->nodes[id].first_kid = q->nkids;
	q->nodes[id].nkids = k;
	memcpy(q->kids + q->nkids, kids, (size_t)k * sizeof kids[0]);
	q->nkids += k;
	return id;
}

static int add_root(struct pgrst_query *q, int id, struct pgrst_error *err)
{
	if (id < 0)
		return -1;
	if (q->nroots >= PGRST_MAX_CONDITIONS)
		return limit_fail(err, "more than 32 conditions");
	q->roots[q->nroots++] = id;
	return 0;
}

static int parse_int_param(const char *v, int64_t *out)
{
	char *end;
	if (!v || !*v || strlen(v) > 18 || v[0] == '-' || v[0] == '+')
		return -1;
	long long n = strtoll(v, &end, 10);
	if (*end || n < 0)
		return -1;
	*out = n;
	return 0;
}

/* One select item: "col", "alias:col", "embed(...)", "alias:embed(...)". */
static int parse_pick(struct pgrst_query *q, const char *s, size_t n, struct pgrst_error *err)
{
	const char *alias = NULL;
	size_t an = 0;
	const char *paren = memchr(s, '(', n);
	const char *colon = memchr(s, ':', paren ? (size_t)(paren - s) : n);

	while (n && (*s == ' '))
		s++, n--;
	if (n == 0)
		return parse_fail(err, "an empty item in select", "select");
	if (n == 1 && s[0] == '*') {
		q->select_star = 1;
		return 0;
	}
	if (colon) {
		if (colon + 1 < s + n && colon[1] == ':')
			return parse_fail(err, "casts (::) are not supported", "select");
		alias = s;
		an = (size_t)(colon - s);
		n -= an + 1;
		s = colon + 1;
		if (an == 0 || an > 63)
			return parse_fail(err, "an alias is 1-63 characters", "select");
		for (size_t i = 0; i < an; i++) {
			char ch = alias[i];
			if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_'))
				return parse_fail(err, "an alias is letters, digits and _", "select");
		}
	}
	if (q->npicks >= PGRST_MAX_SELECT)
		return limit_fail(err, "more than 40 selected columns");
	struct pgrst_pick *p = &q->picks[q->npicks];
	memset(p, 0, sizeof *p);
	if (paren) {
		if (s[n - 1] != ')')
			return parse_fail(err, "an embed is name(columns)", "select");
		size_t name_len = (size_t)(memchr(s, '(', n) ? (const char *)memchr(s, '(', n) - s : 0);
		char name[64];
		if (name_len == 0 || name_len >= sizeof name)
			return parse_fail(err, "an embed is name(columns)", "select");
		memcpy(name, s, name_len);
		name[name_len] = '\0';
		/* "name!hint(...)" and "name!inner(...)" pick a relationship;
		 * one link per pair of resources here, so the hint is moot. */
		char *bang = strchr(name, '!');
		if (bang)
			*bang = '\0';
		int l = link_index(q->res, name);
		if (l < 0) {
			err->status = 400;
			err->code = "PGRST200";
			err->hint = NULL;
			snprintf(err->message, sizeof err->message,
				"Could not find a relationship between '%s' and '%s' in the schema cache", q->res->name, name);
			snprintf(err->details, sizeof err->details, "embedding is supported from transactions and "
				"reminders to customers, one level deep");
			return -1;
		}
		if (q->nembeds >= PGRST_MAX_EMBEDS)
			return limit_fail(err, "more than 2 embedded resources");
		const struct pgrst_resource *t = q->res->links[l].target;
		const char *in = s + name_len + 1;
		size_t inn = n - name_len - 2;
		size_t st[PGRST_MAX_SELECT], ln[PGRST_MAX_SELECT];
		int k = 0;
		int rc = split_items(in, inn, st, ln, PGRST_MAX_SELECT, &k);
		if (rc == -2)
			return limit_fail(err, "more than 40 selected columns");
		if (rc < 0)
			return parse_fail(err, "unbalanced parentheses", "select");
		p->column = -1;
		p->link = l;
		p->alias = alias ? pool_dup(q, alias, an) : pool_dup(q, name, strlen(name));
		if (!p->alias)
			return limit_fail(err, "the query's text is too long");
		if (k == 0)
			p->embed_star = 1;
		for (int i = 0; i < k; i++) {
			const char *e = in + st[i];
			size_t en = ln[i];
			if (memchr(e, '(', en))
				return fail(err, 400, "PGRST100", "embedding goes one level deep here", NULL,
					"failed to parse select: nested embedding is not supported%s", "");
			if (en == 1 && e[0] == '*') {
				p->embed_star = 1;
				continue;
			}
			const char *ec = memchr(e, ':', en);
			const char *ea = NULL;
			size_t ean = 0;
			if (ec) {
				ea = e;
				ean = (size_t)(ec - e);
				en -= ean + 1;
				e = ec + 1;
			}
			char col[80];
			if (en == 0 || en >= sizeof col || ean > 63)
				return parse_fail(err, "an embedded column is name or alias:name", "select");
			memcpy(col, e, en);
			col[en] = '\0';
			int c = pgrst_column_index(t, col);
			if (c < 0) {
				err->status = 400;
				err->code = "42703";
				err->hint = NULL;
				snprintf(err->message, sizeof err->message, "column %s.%s does not exist", t->name, col);
				err->details[0] = '\0';
				return -1;
			}
			p->embed_columns[p->nembed_columns] = c;
			p->embed_alias[p->nembed_columns] = ea ? pool_dup(q, ea, ean) : t->columns[c].name;
			if (!p->embed_alias[p->nembed_columns])
				return limit_fail(err, "the query's text is too long");
			p->nembed_columns++;
		}
		q->nembeds++;
		q->npicks++;
		return 0;
	}
	for (size_t i = 0; i + 1 < n; i++)
		if (s[i] == '-' && s[i + 1] == '>')
			return parse_fail(err, "JSON paths (->) are not supported", "select");
	int c = column_of(q, s, n, err);
	if (c < 0)
		return -1;
	p->column = c;
	p->alias = alias ? pool_dup(q, alias, an) : q->res->columns[c].name;
	if (!p->alias)
		return limit_fail(err, "the query's text is too long");
	q->npicks++;
	return 0;
}

static int parse_select(struct pgrst_query *q, const char *v, struct pgrst_error *err)
{
	size_t st[PGRST_MAX_SELECT], ln[PGRST_MAX_SELECT];
	int k = 0;
	size_t n = strlen(v);
	if (q->select_given)
		return parse_fail(err, "select= is given once", "select");
	q->select_given = 1;
	q->select_star = 0;
	/* supabase-js strips white space outside quotes; so do we. */
	char clean[PGRST_MAX_TEXT];
	size_t m = 0;
	int quoted = 0;
	for (size_t i = 0; i < n && m < sizeof clean - 1; i++) {
		if (v[i] == '"')
			quoted = !quoted;
		if (!quoted && (v[i] == ' ' || v[i] == '\n' || v[i] == '\t'))
			continue;
		if (v[i] == '"')
			continue;
		clean[m++] = v[i];
	}
	clean[m] = '\0';
	if (m == 0) {
		q->select_star = 1;
		return 0;
	}
	int rc = split_items(clean, m, st, ln, PGRST_MAX_SELECT, &k);
	if (rc == -2)
		return limit_fail(err, "more than 40 selected columns");
	if (rc < 0)
		return parse_fail(err, "unbalanced parentheses", "select");
	for (int i = 0; i < k; i++)
		if (parse_pick(q, clean + st[i], ln[i], err) < 0)
			return -1;
	return 0;
}

static int parse_order(struct pgrst_query *q, const char *v, struct pgrst_error *err)
{
	size_t st[PGRST_MAX_ORDER], ln[PGRST_MAX_ORDER];
	int k = 0;
	int rc = split_items(v, strlen(v), st, ln, PGRST_MAX_ORDER, &k);
	if (rc == -2)
		return limit_fail(err, "more than 4 order keys");
	if (rc < 0 || k == 0)
		return parse_fail(err, "order=column[.asc|.desc][.nullsfirst|.nullslast],...", "order");
	q->norder = 0;
	for (int i = 0; i < k; i++) {
		const char *s = v + st[i];
		size_t n = ln[i];
		const char *dot = memchr(s, '.', n);
		size_t cn = dot ? (size_t)(dot - s) : n;
		int c = column_of(q, s, cn, err);
		if (c < 0)
			return -1;
		struct pgrst_order *o = &q->order[q->norder++];
		o->column = c;
		o->desc = 0;
		o->nulls_first = -1;
		const char *p = dot ? dot + 1 : s + n;
		while (p < s + n) {
			const char *e = memchr(p, '.', (size_t)(s + n - p));
			size_t wn = e ? (size_t)(e - p) : (size_t)(s + n - p);
			if (wn == 3 && memcmp(p, "asc", 3) == 0)
				o->desc = 0;
			else if (wn == 4 && memcmp(p, "desc", 4) == 0)
				o->desc = 1;
			else if (wn == 10 && memcmp(p, "nullsfirst", 10) == 0)
				o->nulls_first = 1;
			else if (wn == 9 && memcmp(p, "nullslast", 9) == 0)
				o->nulls_first = 0;
			else
				return parse_fail(err, "order takes asc, desc, nullsfirst or nullslast", "order");
			p += wn + (e ? 1 : 0);
		}
		/* PostgreSQL's default: nulls sort as if larger than any value. */
		if (o->nulls_first < 0)
			o->nulls_first = o->desc;
		if (q->res->columns[c].type == PGRST_JSON)
			return fail(err, 400, "42883", NULL, NULL, "cannot order by %s", q->res->columns[c].name);
	}
	return 0;
}

int pgrst_query_add(struct pgrst_query *q, const char *name, const char *value,
	struct pgrst_error *err)
{
	size_t nn = strlen(name), vn = value ? strlen(value) : 0;
	q->text_used += nn + vn + 2;
	if (q->text_used > PGRST_MAX_TEXT)
		return limit_fail(err, "the query string is longer than 6144 bytes");
	if (strcmp(name, "select") == 0)
		return parse_select(q, value ? value : "", err);
	if (strcmp(name, "order") == 0)
		return parse_order(q, value ? value : "", err);
	if (strcmp(name, "limit") == 0) {
		if (parse_int_param(value, &q->limit) < 0)
			return parse_fail(err, "limit is a whole number", "limit");
		return 0;
	}
	if (strcmp(name, "offset") == 0) {
		if (parse_int_param(value, &q->offset) < 0)
			return parse_fail(err, "offset is a whole number", "offset");
		return 0;
	}
	if (strcmp(name, "columns") == 0 || strcmp(name, "on_conflict") == 0)
		return 0;
	if (!value)
		return parse_fail(err, "a filter is column=operator.value", "filter");
	int negate = 0;
	const char *n = name;
	if (strncmp(n, "not.", 4) == 0) {
		negate = 1;
		n += 4;
	}
	if (strcmp(n, "or") == 0)
		return add_root(q, parse_group(q, PGRST_OR, negate, value, vn, 1, err), err);
	if (strcmp(n, "and") == 0)
		return add_root(q, parse_group(q, PGRST_AND, negate, value, vn, 1, err), err);
	if (negate)
		return parse_fail(err, "not. goes before the operator: column=not.eq.value", "filter");
	int c = column_of(q, name, nn, err);
	if (c < 0)
		return -1;
	return add_root(q, parse_leaf(q, c, value, vn, 0, err), err);
}

const char *pgrst_query_eq(const struct pgrst_query *q, int column)
{
	for (int i = 0; i < q->nroots; i++) {
		const struct pgrst_node *nd = &q->nodes[q->roots[i]];
		if (nd->kind == PGRST_LEAF && !nd->negate && nd->op == PGRST_EQ && nd->column == column)
			return q->values[nd->first_value];
	}
	return NULL;
}

/* ---- evaluation ---- */

static int fold(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Length of the UTF-8 character at s (1 for a stray byte). */
static size_t utf8_len(const char *s)
{
	unsigned char c = (unsigned char)*s;
	size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

int pgrst_like(const char *p, const char *t, int fold_case)
{
	const char *star_p = NULL, *star_t = NULL;
	while (*t) {
		if (*p == '*' || *p == '%') {
			while (*p == '*' || *p == '%')
				p++;
			if (!*p)
				return 1;
			star_p = p;
			star_t = t;
			continue;
		}
		if (*p == '_') {
			p++;
			t += utf8_len(t);
			continue;
		}
		const char *pc = p;
		if (*pc == '\\' && pc[1])
			pc++;
		if (*pc && (fold_case ? fold((unsigned char)*pc) == fold((unsigned char)*t) : *pc == *t)) {
			p = pc + 1;
			t++;
			continue;
		}
		if (!star_p)
			return 0;
		star_t += utf8_len(star_t);
		t = star_t;
		p = star_p;
	}
	while (*p == '*' || *p == '%')
		p++;
	return *p == '\0';
}

static int time_of(const char *s, int64_t *ms)
{
	int64_t days;
	if (civil_parse_rfc3339(s, ms) == 0)
		return 0;
	if (civil_parse_date(s, &days) == 0) {
		*ms = days * 86400000LL;
		return 0;
	}
	return -1;
}

/* -1, 0, 1 comparing the row's value v with the filter's text x; 2 when
 * they cannot be compared (unknown). */
static int compare(enum pgrst_type t, json_t *v, const char *x)
{
	if (!v || json_is_null(v))
		return 2;
	switch (t) {
	case PGRST_INT: {
		if (!json_is_integer(v))
			return 2;
		long long a = json_integer_value(v), b = strtoll(x, NULL, 10);
		return a < b ? -1 : a > b;
	}
	case PGRST_BOOL: {
		if (!json_is_boolean(v))
			return 2;
		int a = json_is_true(v), b = strcmp(x, "true") == 0;
		return a < b ? -1 : a > b;
	}
	case PGRST_TIME: {
		int64_t a, b;
		if (!json_is_string(v) || time_of(json_string_value(v), &a) < 0 || time_of(x, &b) < 0)
			return 2;
		return a < b ? -1 : a > b;
	}
	case PGRST_TEXT: {
		if (!json_is_string(v))
			return 2;
		int c = strcmp(json_string_value(v), x);
		return c < 0 ? -1 : c > 0;
	}
	case PGRST_JSON:
		return 2;
	}
	return 2;
}

static enum truth eval(const struct pgrst_query *q, int id, json_t *row);

static enum truth eval_leaf(const struct pgrst_query *q, const struct pgrst_node *nd, json_t *row)
{
	const struct pgrst_column *col = &q->res->columns[nd->column];
	json_t *v = json_object_get(row, col->name);
	const char *x = q->values[nd->first_value];
	int c;

	switch (nd->op) {
	case PGRST_IS:
		if (strcmp(x, "null") == 0 || strcmp(x, "unknown") == 0)
			return (!v || json_is_null(v)) ? T_TRUE : T_FALSE;
		if (!v || json_is_null(v))
			return T_FALSE;
		return json_is_true(v) == (strcmp(x, "true") == 0) ? T_TRUE : T_FALSE;
	case PGRST_IN: {
		enum truth out = T_FALSE;
		for (int i = 0; i < nd->nvalues; i++) {
			c = compare(col->type, v, q->values[nd->first_value + i]);
			if (c == 0)
				return T_TRUE;
			if (c == 2)
				out = T_UNKNOWN;
		}
		return out;
	}
	case PGRST_LIKE:
	case PGRST_ILIKE:
		if (!v || !json_is_string(v))
			return T_UNKNOWN;
		return pgrst_like(x, json_string_value(v), nd->op == PGRST_ILIKE) ? T_TRUE : T_FALSE;
	default:
		break;
	}
	c = compare(col->type, v, x);
	if (c == 2)
		return T_UNKNOWN;
	switch (nd->op) {
	case PGRST_EQ: return c == 0 ? T_TRUE : T_FALSE;
	case PGRST_NEQ: return c != 0 ? T_TRUE : T_FALSE;
	case PGRST_GT: return c > 0 ? T_TRUE : T_FALSE;
	case PGRST_GTE: return c >= 0 ? T_TRUE : T_FALSE;
	case PGRST_LT: return c < 0 ? T_TRUE : T_FALSE;
	case PGRST_LTE: return c <= 0 ? T_TRUE : T_FALSE;
	default: return T_UNKNOWN;
	}
}

static enum truth eval(const struct pgrst_query *q, int id, json_t *row)
{
	const struct pgrst_node *nd = &q->nodes[id];
	enum truth out;
	if (nd->kind == PGRST_LEAF) {
		out = eval_leaf(q, nd, row);
	} else {
		int any_unknown = 0;
		out = nd->kind == PGRST_AND ? T_TRUE : T_FALSE;
		for (int i = 0; i < nd->nkids; i++) {
			enum truth k = eval(q, q->kids[nd->first_kid + i], row);
			if (k == T_UNKNOWN) {
				any_unknown = 1;
			} else if (nd->kind == PGRST_AND && k == T_FALSE) {
				out = T_FALSE;
				any_unknown = 0;
				break;
			} else if (nd->kind == PGRST_OR && k == T_TRUE) {
				out = T_TRUE;
				any_unknown = 0;
				break;
			}
		}
		if (any_unknown)
			out = T_UNKNOWN;
	}
	if (nd->negate && out != T_UNKNOWN)
		out = out == T_TRUE ? T_FALSE : T_TRUE;
	return out;
}

int pgrst_match(const struct pgrst_query *q, json_t *row)
{
	for (int i = 0; i < q->nroots; i++)
		if (eval(q, q->roots[i], row) != T_TRUE)
			return 0;
	return 1;
}

static int order_cmp(const struct pgrst_query *q, json_t *a, json_t *b)
{
	for (int i = 0; i < q->norder; i++) {
		const struct pgrst_order *o = &q->order[i];
		const struct pgrst_column *col = &q->res->columns[o->column];
		json_t *va = json_object_get(a, col->name), *vb = json_object_get(b, col->name);
		int na = !va || json_is_null(va), nb = !vb || json_is_null(vb);
		if (na || nb) {
			if (na && nb)
				continue;
			/* a null first when nulls_first */
			return na ? (o->nulls_first ? -1 : 1) : (o->nulls_first ? 1 : -1);
		}
		int c;
		if (col->type == PGRST_INT && json_is_integer(va) && json_is_integer(vb)) {
			long long x = json_integer_value(va), y = json_integer_value(vb);
			c = x < y ? -1 : x > y;
		} else if (col->type == PGRST_BOOL) {
			c = json_is_true(va) - json_is_true(vb);
		} else if (json_is_string(va) && json_is_string(vb)) {
			int64_t x, y;
			if (col->type == PGRST_TIME && time_of(json_string_value(va), &x) == 0 &&
			    time_of(json_string_value(vb), &y) == 0)
				c = x < y ? -1 : x > y;
			else
				c = strcmp(json_string_value(va), json_string_value(vb));
		} else {
			c = 0;
		}
		if (c)
			return o->desc ? (c < 0 ? 1 : -1) : (c < 0 ? -1 : 1);
	}
	return 0;
}

void pgrst_sort(const struct pgrst_query *q, json_t **rows, size_t n)
{
	if (q->norder == 0 || n < 2)
		return;
	json_t **tmp = malloc(n * sizeof *tmp);
	if (!tmp)
		return;
	/* bottom-up merge sort: stable */
	for (size_t w = 1; w < n; w *= 2) {
		for (size_t lo = 0; lo < n; lo += 2 * w) {
			size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
			size_t i = lo, j = mid, k = lo;
			while (i < mid && j < hi)
				tmp[k++] = order_cmp(q, rows[j], rows[i]) < 0 ? rows[j++] : rows[i++];
			while (i < mid)
				tmp[k++] = rows[i++];
			while (j < hi)
				tmp[k++] = rows[j++];
		}
		memcpy(rows, tmp, n * sizeof *tmp);
	}
	free(tmp);
}

static json_t *copy_or_null(json_t *v)
{
	return v ? json_incref(v) : json_null();
}

json_t *pgrst_project(const struct pgrst_query *q, json_t *row, json_t *const *embedded)
{
	json_t *out;
	if (q->select_star) {
		out = json_object();
		for (size_t i = 0; i < q->res->ncolumns; i++) {
			const char *name = q->res->columns[i].name;
			json_object_set_new(out, name, copy_or_null(json_object_get(row, name)));
		}
	} else {
		out = json_object();
	}
	int e = 0;
	for (int i = 0; i < q->npicks; i++) {
		const struct pgrst_pick *p = &q->picks[i];
		if (p->column >= 0) {
			json_object_set_new(out, p->alias,
				copy_or_null(json_object_get(row, q->res->columns[p->column].name)));
			continue;
		}
		json_t *linked = embedded ? embedded[e] : NULL;
		e++;
		if (!linked) {
			json_object_set_new(out, p->alias, json_null());
			continue;
		}
		const struct pgrst_resource *t = q->res->links[p->link].target;
		json_t *sub = json_object();
		if (p->embed_star)
			for (size_t c = 0; c < t->ncolumns; c++)
				json_object_set_new(sub, t->columns[c].name,
					copy_or_null(json_object_get(linked, t->columns[c].name)));
		for (int c = 0; c < p->nembed_columns; c++)
			json_object_set_new(sub, p->embed_alias[c],
				copy_or_null(json_object_get(linked, t->columns[p->embed_columns[c]].name)));
		json_object_set_new(out, p->alias, sub);
	}
	return out;
}
