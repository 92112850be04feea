/* test_jsonin.c — strict request bodies: each refusal names its field. */
#include "check.h"
#include "http/jsonin.h"
#include "util/arena.h"

static const struct jfield fields[] = {
	{ "name", JF_STRING, 1, 0, 5 },
	{ "amount_minor", JF_INTEGER, 0, 0, 0 },
	{ "override", JF_BOOLEAN, 0, 0, 0 },
	{ "note", JF_STRING, 0, 1, 0 },
};

struct parsed {
	struct req r;
	json_t *o;
};

static void parse(struct parsed *p, const char *body)
{
	memset(&p->r, 0, sizeof p->r);
	p->r.arena = arena_new();
	buf_init(&p->r.body);
	buf_append(&p->r.body, body, strlen(body));
	p->o = jsonin_object(&p->r, fields, sizeof fields / sizeof fields[0]);
}

static const char *field_of(struct parsed *p)
{
	json_t *e = json_array_get(p->r.problem.errors, 0);
	const char *f = json_string_value(json_object_get(e, "field"));
	return f ? f : "(none)";
}

static void done(struct parsed *p)
{
	json_decref(p->o);
	json_decref(p->r.problem.errors);
	json_decref(p->r.problem.extra);
	buf_release(&p->r.body);
	arena_free(p->r.arena);
}

#define REFUSED(body_, status_, code_, field_)                            \
	do {                                                                  \
		struct parsed p_;                                                 \
		const char *want_field_ = (field_);                               \
		parse(&p_, (body_));                                              \
		CHECK(p_.o == NULL);                                              \
		CHECK_INT(p_.r.problem.status, (status_));                        \
		CHECK_STR(p_.r.problem.code ? p_.r.problem.code : "", (code_));   \
		if (want_field_)                                                  \
			CHECK_STR(field_of(&p_), want_field_);                        \
		done(&p_);                                                        \
	} while (0)

TEST(a_valid_body_gives_typed_values)
{
	struct parsed p;
	parse(&p, "{\"name\":\"Asha\",\"amount_minor\":125,\"override\":true,\"note\":null}");
	CHECK(p.o != NULL);
	CHECK_INT(p.r.problem.status, 0);
	CHECK_STR(jsonin_str(p.o, "name", ""), "Asha");
	CHECK_INT(jsonin_int(p.o, "amount_minor", 0), 125);
	CHECK_INT(jsonin_bool(p.o, "override", 0), 1);
	CHECK(jsonin_is_null(p.o, "note"));
	CHECK(jsonin_has(p.o, "note"));
	CHECK(!jsonin_has(p.o, "missing"));
	CHECK_STR(jsonin_str(p.o, "note", "dflt"), "dflt");
	done(&p);
}

TEST(limits_count_characters_not_bytes)
{
	struct parsed p;
	parse(&p, "{\"name\":\"\xe0\xa4\x86\xe0\xa4\xb6\xe0\xa4\xbe\"}"); /* 3 Devanagari code points */
	CHECK(p.o != NULL);
	done(&p);
	REFUSED("{\"name\":\"abcdef\"}", 422, "validation_failed", "name");
}

TEST(malformed_json_is_400)
{
	REFUSED("{\"name\":", 400, "invalid_json", NULL);
	REFUSED("", 400, "invalid_json", NULL);
	REFUSED("[1,2]", 400, "invalid_json", NULL);
}

TEST(unknown_fields_are_400_naming_the_field)
{
	REFUSED("{\"name\":\"a\",\"admin\":true}", 400, "unknown_field", "admin");
}

TEST(missing_and_mistyped_fields_are_422_naming_the_field)
{
	REFUSED("{}", 422, "validation_failed", "name");
	REFUSED("{\"name\":5}", 422, "validation_failed", "name");
	REFUSED("{\"name\":\"a\",\"amount_minor\":\"5\"}", 422, "validation_failed", "amount_minor");
	REFUSED("{\"name\":\"a\",\"amount_minor\":1.5}", 422, "validation_failed", "amount_minor");
	REFUSED("{\"name\":\"a\",\"override\":1}", 422, "validation_failed", "override");
	REFUSED("{\"name\":null}", 422, "validation_failed", "name");
}

CHECK_MAIN()
