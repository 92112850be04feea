/*
 * test_openapi.c — the OpenAPI document (api/openapi.c): every route of
 * the table has its entry in src/api/openapi_schemas.json, and the merge
 * of an entry (problem codes, shorthands, the curl example) does what
 * docs/OPENAPI.md says.
 */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "api/handlers.h"
#include "api/openapi.h"
#include "api/routes.h"

static void print_list(json_t *report, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(report, name), i, v)
		fprintf(stderr, "  %s: %s\n", name, json_string_value(v));
}

/* A route without its entry, or an entry (not x-pending) without its
 * route, fails here: add the entry with the route (docs/OPENAPI.md). */
TEST(every_route_has_a_schema_entry_and_every_entry_a_route)
{
	json_t *report = NULL;
	json_t *doc = api_openapi_build(&report);
	if (!doc)
		fprintf(stderr, "  %s\n", json_string_value(json_object_get(report, "error")));
	CHECK(doc != NULL);
	print_list(report, "missing");
	print_list(report, "unrouted");
	CHECK_INT(json_array_size(json_object_get(report, "missing")), 0);
	CHECK_INT(json_array_size(json_object_get(report, "unrouted")), 0);
	json_decref(report);
	json_decref(doc);
}

TEST(every_operation_has_a_success_response_problem_codes_and_a_curl_example)
{
	json_t *doc = api_openapi_build(NULL);
	const char *path, *method;
	json_t *item, *op;
	size_t ops = 0, nroutes;

	api_routes(&nroutes);
	json_object_foreach(json_object_get(doc, "paths"), path, item) {
		json_object_foreach(item, method, op) {
			const char *status;
			json_t *resp;
			int success = 0;
			ops++;
			json_object_foreach(json_object_get(op, "responses"), status, resp)
				if (status[0] == '2')
					success = 1;
			if (!success)
				fprintf(stderr, "  %s %s: no 2xx response\n", method, path);
			CHECK(success);
			CHECK(json_object_size(json_object_get(op, "x-problem-codes")) > 0);
			const char *curl = json_string_value(json_object_get(json_array_get(json_object_get(op, "x-codeSamples"), 0), "source"));
			CHECK(curl && strncmp(curl, "curl -sS", 8) == 0 && strstr(curl, "$QT_URL"));
			/* A path with parameters names them as $VARIABLES (or literals). */
			const char *url = curl ? strstr(curl, "$QT_URL") : NULL;
			if (url && strchr(url, '{') && strchr(url, '{') < strchr(url, '"')) {
				fprintf(stderr, "  %s %s: the curl example keeps the pattern\n", method, path);
				CHECK(0);
			}
			CHECK(json_object_get(op, "x-undocumented") == NULL);
		}
	}
	CHECK_INT(ops, nroutes);
	json_decref(doc);
}

static const char tiny[] =
	"{\"info\": {\"description\": \"d\"},"
	" \"problem_sets\": {\"everywhere\": {\"500\": [\"internal_error\"]},"
	"   \"token\": {\"401\": [\"unauthorized\"]}, \"database\": {\"503\": [\"database_busy\"]},"
	"   \"tenant\": {}, \"suspended\": {\"403\": [\"tenant_suspended\"]},"
	"   \"idempotent\": {\"409\": [\"idempotency_key_reused\"]},"
	"   \"json_body\": {\"400\": [\"invalid_json\"], \"422\": [\"validation_failed\"]}},"
	" \"components\": {\"schemas\": {\"Thing\": {\"type\": \"object\"}},"
	"   \"parameters\": {\"path_id\": {\"name\": \"id\", \"in\": \"path\", \"required\": true, \"schema\": {\"type\": \"string\"}}}},"
	" \"operations\": {"
	"  \"POST /things/{id}\": {\"tags\": [\"Things\"],"
	"    \"responses\": {\"201\": {\"description\": \"made\", \"schema\": {\"$ref\": \"#/components/schemas/Thing\"}}},"
	"    \"problems\": {\"409\": [\"thing_taken\", \"idempotency_key_reused\"], \"422\": [\"validation_failed\"]},"
	"    \"problem_sets\": [\"json_body\"],"
	"    \"example\": {\"path\": \"/things/$THING_ID\", \"body\": {\"name\": \"Asha's\", \"owner\": \"$OWNER\"}}},"
	"  \"GET /gone\": {\"responses\": {\"200\": {\"description\": \"x\"}}},"
	"  \"GET /soon\": {\"x-pending\": true, \"responses\": {\"200\": {\"description\": \"x\"}}}"
	" }}";

static int h_none(struct req *r)
{
	(void)r;
	return 0;
}

TEST(merge_adds_codes_by_route_kind_expands_shorthands_and_reports_gaps)
{
	static const struct route rt[] = {
		{ .method = "POST", .pattern = "/things/{id}", .handler = h_none, .auth = ROUTE_TENANT,
		  .min_role = ROLE_MEMBER, .writes = 1, .idempotent = 1, .summary = "Make a thing" },
		{ .method = "GET", .pattern = "/plain/{slug}", .handler = h_none, .auth = ROUTE_PUBLIC, .summary = "Plain" },
	};
	json_t *report = NULL;
	json_t *doc = api_openapi_build_from(tiny, sizeof tiny - 1, rt, 2, &report);
	CHECK(doc != NULL);
	CHECK_STR(json_string_value(json_array_get(json_object_get(report, "missing"), 0)), "GET /plain/{slug}");
	CHECK_STR(json_string_value(json_array_get(json_object_get(report, "unrouted"), 0)), "GET /gone");
	CHECK_STR(json_string_value(json_array_get(json_object_get(report, "pending"), 0)), "GET /soon");
	json_t *paths = json_object_get(doc, "paths");
	CHECK(json_object_get(paths, "/gone") == NULL);
	CHECK(json_object_get(paths, "/soon") == NULL);

	json_t *op = json_object_get(json_object_get(paths, "/things/{id}"), "post");
	json_t *codes = json_object_get(op, "x-problem-codes");
	char *text = json_dumps(codes, JSON_COMPACT | JSON_PRESERVE_ORDER);
	CHECK_STR(text, "{\"400\":[\"invalid_json\"],\"401\":[\"unauthorized\"],\"403\":[\"tenant_suspended\"],"
		"\"409\":[\"idempotency_key_reused\",\"thing_taken\"],\"422\":[\"validation_failed\"],"
		"\"500\":[\"internal_error\"],\"503\":[\"database_busy\"]}");
	free(text);
	/* Statuses in order, each code once. */
	const char *prev = "";
	const char *status;
	json_t *list;
	json_object_foreach(codes, status, list) {
		CHECK(strcmp(prev, status) < 0);
		prev = status;
	}
	CHECK_INT(json_array_size(json_object_get(codes, "409")), 2);
	CHECK_STR(json_string_value(json_array_get(json_object_get(codes, "409"), 1)), "thing_taken");
	CHECK(json_object_get(codes, "401") && json_object_get(codes, "403") && json_object_get(codes, "503"));
	/* A problem response for every status, the schema shorthand expanded. */
	json_t *responses = json_object_get(op, "responses");
	CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(json_object_get(json_object_get(
		responses, "409"), "content"), "application/problem+json"), "schema"), "$ref")), "#/components/schemas/Problem");
	CHECK_STR(json_string_value(json_object_get(json_object_get(json_object_get(json_object_get(json_object_get(
		responses, "201"), "content"), "application/json"), "schema"), "$ref")), "#/components/schemas/Thing");
	CHECK(json_object_get(json_object_get(responses, "201"), "schema") == NULL);
	CHECK(json_object_get(op, "problems") == NULL && json_object_get(op, "example") == NULL);
	CHECK_STR(json_string_value(json_object_get(op, "x-min-role")), "member");
	/* Path parameter from components, then Idempotency-Key. */
	json_t *params = json_object_get(op, "parameters");
	CHECK_STR(json_string_value(json_object_get(json_array_get(params, 0), "$ref")), "#/components/parameters/path_id");
	CHECK_STR(json_string_value(json_object_get(json_array_get(params, 1), "name")), "Idempotency-Key");
	/* The curl: a heredoc because the body names a variable. */
	const char *curl = json_string_value(json_object_get(json_array_get(json_object_get(op, "x-codeSamples"), 0), "source"));
	CHECK_STR(curl, "curl -sS -X POST \"$QT_URL/things/$THING_ID\" \\\n"
		"  -H \"Authorization: Bearer $QT_TOKEN\" \\\n"
		"  -H \"Content-Type: application/json\" \\\n"
		"  --data-binary @- <<EOF\n{\"name\": \"Asha's\", \"owner\": \"$OWNER\"}\nEOF");

	/* The route without an entry: described all the same, and marked. */
	op = json_object_get(json_object_get(paths, "/plain/{slug}"), "get");
	CHECK(json_is_true(json_object_get(op, "x-undocumented")));
	CHECK_STR(json_string_value(json_object_get(json_array_get(json_object_get(op, "parameters"), 0), "name")), "slug");
	CHECK(json_array_size(json_object_get(op, "security")) == 0);
	CHECK(json_object_get(json_object_get(op, "x-problem-codes"), "401") == NULL);
	curl = json_string_value(json_object_get(json_array_get(json_object_get(op, "x-codeSamples"), 0), "source"));
	CHECK_STR(curl, "curl -sS \"$QT_URL/plain/{slug}\"");
	json_decref(report);
	json_decref(doc);
}

TEST(a_body_without_variables_is_single_quoted_with_quotes_escaped)
{
	static const char src[] = "{\"problem_sets\": {}, \"components\": {}, \"operations\": {"
		"\"PATCH /x\": {\"responses\": {\"200\": {\"description\": \"ok\"}},"
		" \"example\": {\"body\": {\"note\": \"Asha's\"}, \"headers\": {\"Idempotency-Key\": \"k1\"}, \"output\": \"x.csv\"}}}}";
	static const struct route rt[] = {
		{ .method = "PATCH", .pattern = "/x", .handler = h_none, .auth = ROUTE_OPERATOR, .summary = "x" },
	};
	json_t *doc = api_openapi_build_from(src, sizeof src - 1, rt, 1, NULL);
	json_t *op = json_object_get(json_object_get(json_object_get(doc, "paths"), "/x"), "patch");
	const char *curl = json_string_value(json_object_get(json_array_get(json_object_get(op, "x-codeSamples"), 0), "source"));
	CHECK_STR(curl, "curl -sS -X PATCH \"$QT_URL/x\" \\\n"
		"  -H \"Authorization: Bearer $QT_OPERATOR_TOKEN\" \\\n"
		"  -H \"Idempotency-Key: k1\" \\\n"
		"  -H \"Content-Type: application/json\" \\\n"
		"  -o x.csv \\\n"
		"  -d '{\"note\": \"Asha'\\''s\"}'");
	CHECK(json_is_true(json_object_get(op, "x-operator-only")));
	json_decref(doc);
}

TEST(schemas_that_do_not_parse_are_reported_not_crashed_on)
{
	json_t *report = NULL;
	CHECK(api_openapi_build_from("{\"operations\": ", 15, NULL, 0, &report) == NULL);
	CHECK(strstr(json_string_value(json_object_get(report, "error")), "openapi_schemas.json") != NULL);
	json_decref(report);
}

CHECK_MAIN()
