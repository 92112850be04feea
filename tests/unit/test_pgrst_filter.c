/* Unit tests for src/compat/pgrst_filter.c: PostgREST's filters, logic
 * trees, select, order and paging over a whitelist, with SQL's nulls. */
#include "check.h"
#include "compat/pgrst_filter.h"

#include <stdlib.h>

static const struct pgrst_column person_cols[] = {
	{ "id", PGRST_TEXT }, { "name", PGRST_TEXT },
};
static const struct pgrst_resource people = { "people", person_cols, 2, NULL, 0 };
static const struct pgrst_column cols[] = {
	{ "name", PGRST_TEXT }, { "tower", PGRST_INT }, { "paid", PGRST_BOOL },
	{ "at", PGRST_TIME }, { "items", PGRST_JSON }, { "person_id", PGRST_TEXT },
};
static const struct pgrst_link links[] = { { "people", "person_id", &people } };
static const struct pgrst_resource res = { "rows", cols, 6, links, 1 };

static struct pgrst_query *query(struct pgrst_error *err, const char *const *pairs, int *rc)
{
	struct pgrst_query *q = malloc(sizeof *q);
	pgrst_query_init(q, &res);
	*rc = 0;
	for (int i = 0; pairs[i]; i += 2)
		if ((*rc = pgrst_query_add(q, pairs[i], pairs[i + 1], err)) < 0)
			break;
	return q;
}

static int matches(const char *name, const char *value, const char *row_json)
{
	struct pgrst_error err;
	const char *pairs[] = { name, value, NULL };
	int rc;
	struct pgrst_query *q = query(&err, pairs, &rc);
	json_t *row = json_loads(row_json, 0, NULL);
	int m = rc == 0 ? pgrst_match(q, row) : -1;
	json_decref(row);
	free(q);
	return m;
}

static const char *refusal(const char *name, const char *value)
{
	static struct pgrst_error err;
	const char *pairs[] = { name, value, NULL };
	int rc;
	memset(&err, 0, sizeof err);
	free(query(&err, pairs, &rc));
	return rc < 0 ? err.code : "accepted";
}

TEST(each_operator_compares_by_the_columns_type)
{
	const char *row = "{\"name\":\"Rajesh Kumar\",\"tower\":36,\"paid\":false,\"at\":\"2026-11-29T10:30:00.000Z\"}";
	CHECK_INT(matches("name", "eq.Rajesh Kumar", row), 1);
	CHECK_INT(matches("name", "neq.Rajesh Kumar", row), 0);
	CHECK_INT(matches("tower", "gt.9", row), 1);      /* as integers, not text */
	CHECK_INT(matches("tower", "gte.36", row), 1);
	CHECK_INT(matches("tower", "lt.36", row), 0);
	CHECK_INT(matches("tower", "lte.36", row), 1);
	CHECK_INT(matches("name", "like.Raj*", row), 1);
	CHECK_INT(matches("name", "like.raj*", row), 0);
	CHECK_INT(matches("name", "ilike.*KUMAR", row), 1);
	CHECK_INT(matches("name", "ilike.R_jesh%", row), 1);
	CHECK_INT(matches("tower", "in.(10,36,42)", row), 1);
	CHECK_INT(matches("tower", "in.(10,42)", row), 0);
	CHECK_INT(matches("paid", "is.false", row), 1);
	CHECK_INT(matches("paid", "eq.true", row), 0);
	/* times compare as instants, whatever their spelling */
	CHECK_INT(matches("at", "gt.2026-11-29T12:00:00+05:30", row), 1);
	CHECK_INT(matches("at", "lt.2026-11-30", row), 1);
	CHECK_INT(matches("name", "in.(\"Kumar, Rajesh\",\"Rajesh Kumar\")", row), 1);
}

TEST(nulls_are_unknown_and_not_of_unknown_stays_unknown)
{
	const char *row = "{\"name\":\"Sunita\",\"tower\":null}";
	CHECK_INT(matches("tower", "eq.36", row), 0);
	CHECK_INT(matches("tower", "not.eq.36", row), 0);   /* SQL: NOT NULL is NULL */
	CHECK_INT(matches("tower", "is.null", row), 1);
	CHECK_INT(matches("tower", "not.is.null", row), 0);
	CHECK_INT(matches("or", "(tower.eq.36,name.eq.Sunita)", row), 1);
	CHECK_INT(matches("and", "(tower.eq.36,name.eq.Sunita)", row), 0);
	CHECK_INT(matches("not.and", "(tower.eq.36,name.eq.Nobody)", row), 1); /* false wins over unknown */
	CHECK_INT(matches("not.or", "(tower.eq.36,name.eq.Nobody)", row), 0);  /* unknown */
}

TEST(logic_trees_nest_and_quote)
{
	const char *row = "{\"name\":\"a,b)\",\"tower\":5,\"paid\":true}";
	CHECK_INT(matches("or", "(and(tower.gte.1,tower.lte.9),name.eq.x)", row), 1);
	CHECK_INT(matches("or", "(name.eq.\"a,b)\",tower.eq.0)", row), 1);
	CHECK_INT(matches("and", "(not.tower.eq.5,paid.is.true)", row), 0);
	CHECK_INT(matches("and", "(tower.not.eq.4,or(paid.is.false,tower.in.(4,5)))", row), 1);
}

TEST(only_whitelisted_columns_and_known_operators)
{
	CHECK_STR(refusal("tenant_id", "eq.x"), "42703");
	CHECK_STR(refusal("or", "(password.eq.x)"), "42703");
	CHECK_STR(refusal("name", "regex.x"), "PGRST100");
	CHECK_STR(refusal("name", "eq"), "PGRST100");
	CHECK_STR(refusal("tower", "eq.ten"), "22P02");
	CHECK_STR(refusal("tower", "like.1*"), "42883");
	CHECK_STR(refusal("paid", "eq.maybe"), "22P02");
	CHECK_STR(refusal("at", "gt.yesterday"), "22007");
	CHECK_STR(refusal("items", "eq.x"), "42883");
	CHECK_STR(refusal("tower", "is.true"), "42804");
	CHECK_STR(refusal("or", "(name.eq.x"), "PGRST100");
	CHECK_STR(refusal("or", "name.eq.x"), "PGRST100");
	CHECK_STR(refusal("select", "name::text"), "PGRST100");
	CHECK_STR(refusal("select", "nope"), "42703");
	CHECK_STR(refusal("select", "x:people(y)"), "42703");
	CHECK_STR(refusal("select", "other(*)"), "PGRST200");
	CHECK_STR(refusal("select", "people(id,deeper(x))"), "PGRST100");
	CHECK_STR(refusal("order", "name.sideways"), "PGRST100");
	CHECK_STR(refusal("limit", "-1"), "PGRST100");
	CHECK_STR(refusal("offset", "lots"), "PGRST100");
	CHECK_STR(refusal("not.name", "eq.x"), "PGRST100");
	CHECK_STR(refusal("columns", "\"name\",\"tower\""), "accepted");
}

TEST(limits_are_refused_not_overrun)
{
	char big[2 * PGRST_MAX_VALUE];
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	char value[sizeof big + 8];
	snprintf(value, sizeof value, "eq.%s", big);
	CHECK_STR(refusal("name", value), "PGRST100");
	/* nesting deeper than PGRST_MAX_DEPTH */
	CHECK_STR(refusal("or", "(or(or(or(or(or(name.eq.x))))))"), "PGRST100");
	CHECK_STR(refusal("or", "(or(or(name.eq.x)))"), "accepted");
	/* too many in-list values */
	char list[4096] = "in.(";
	for (int i = 0; i < PGRST_MAX_IN + 1; i++)
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%d", i ? "," : "", i);
	snprintf(list + strlen(list), sizeof list - strlen(list), ")");
	CHECK_STR(refusal("tower", list), "PGRST100");
	/* too many conditions over several parameters */
	struct pgrst_query *q = malloc(sizeof *q);
	struct pgrst_error err;
	pgrst_query_init(q, &res);
	int rc = 0;
	for (int i = 0; i < PGRST_MAX_CONDITIONS + 1 && rc == 0; i++)
		rc = pgrst_query_add(q, "tower", "gt.1", &err);
	CHECK_INT(rc, -1);
	CHECK_STR(err.code, "PGRST100");
	free(q);
}

TEST(select_renames_and_embeds_one_level)
{
	struct pgrst_error err;
	const char *pairs[] = { "select", "who:name, tower, p:people(name), people(*)", NULL };
	int rc;
	struct pgrst_query *q = query(&err, pairs, &rc);
	CHECK_INT(rc, 0);
	json_t *row = json_loads("{\"name\":\"Priya\",\"tower\":42,\"paid\":true,\"person_id\":\"u1\"}", 0, NULL);
	json_t *person = json_loads("{\"id\":\"u1\",\"name\":\"Priya S\"}", 0, NULL);
	json_t *embedded[2] = { person, person };
	json_t *out = pgrst_project(q, row, embedded);
	char *text = json_dumps(out, JSON_COMPACT | JSON_SORT_KEYS);
	CHECK_STR(text, "{\"p\":{\"name\":\"Priya S\"},\"people\":{\"id\":\"u1\",\"name\":\"Priya S\"},\"tower\":42,\"who\":\"Priya\"}");
	free(text);
	json_decref(out);
	json_decref(row);
	json_decref(person);
	free(q);
}

TEST(order_is_stable_with_nulls_placed_as_asked)
{
	struct pgrst_error err;
	const char *pairs[] = { "order", "tower.desc.nullslast,name", NULL };
	int rc;
	struct pgrst_query *q = query(&err, pairs, &rc);
	CHECK_INT(rc, 0);
	json_t *rows[5];
	const char *src[5] = { "{\"name\":\"e\",\"tower\":null}", "{\"name\":\"b\",\"tower\":9}",
		"{\"name\":\"a\",\"tower\":10}", "{\"name\":\"c\",\"tower\":9}", "{\"name\":\"d\",\"tower\":null}" };
	for (int i = 0; i < 5; i++)
		rows[i] = json_loads(src[i], 0, NULL);
	pgrst_sort(q, rows, 5);
	const char *want = "abcde";
	for (int i = 0; i < 5; i++) {
		CHECK_INT(json_string_value(json_object_get(rows[i], "name"))[0], want[i]);
		json_decref(rows[i]);
	}
	free(q);
	/* the default for desc is nulls first, as PostgreSQL */
	const char *p2[] = { "order", "tower.desc", NULL };
	q = query(&err, p2, &rc);
	CHECK_INT(q->order[0].nulls_first, 1);
	free(q);
}

TEST(top_level_eq_is_offered_for_pushdown_and_paging_parsed)
{
	struct pgrst_error err;
	const char *pairs[] = { "person_id", "eq.u7", "tower", "not.eq.3", "or", "(name.eq.u8)",
		"limit", "10", "offset", "20", NULL };
	int rc;
	struct pgrst_query *q = query(&err, pairs, &rc);
	CHECK_INT(rc, 0);
	CHECK_STR(pgrst_query_eq(q, 5), "u7");
	CHECK(pgrst_query_eq(q, 1) == NULL);   /* negated */
	CHECK(pgrst_query_eq(q, 0) == NULL);   /* inside or */
	CHECK_INT(q->limit, 10);
	CHECK_INT(q->offset, 20);
	free(q);
}

TEST(like_handles_utf8_escapes_and_backtracking)
{
	CHECK_INT(pgrst_like("%ar%a", "Amit Sharma", 0), 1);
	CHECK_INT(pgrst_like("*a*a*a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0), 0);
	CHECK_INT(pgrst_like("_", "\xe0\xa4\xb0", 0), 1);          /* one Devanagari letter */
	CHECK_INT(pgrst_like("100\\%", "100%", 0), 1);
	CHECK_INT(pgrst_like("100\\%", "1000", 0), 0);
	CHECK_INT(pgrst_like("", "", 0), 1);
	CHECK_INT(pgrst_like("", "x", 0), 0);
}

CHECK_MAIN()
