/* test_router.c — route matching: literals, {params}, 404 vs 405. */
#include "check.h"
#include "http/router.h"
#include "util/arena.h"

static int h(struct req *r) { (void)r; return 0; }

static const struct route table[] = {
	{ .method = "GET", .pattern = "/healthz", .handler = h },
	{ .method = "GET", .pattern = "/api/v1/customers", .handler = h },
	{ .method = "POST", .pattern = "/api/v1/customers", .handler = h },
	{ .method = "GET", .pattern = "/api/v1/customers/{id}", .handler = h },
	{ .method = "PATCH", .pattern = "/api/v1/customers/{id}", .handler = h },
	{ .method = "GET", .pattern = "/api/v1/customers/{id}/statement", .handler = h },
	{ .method = "GET", .pattern = "/api/v1/apartments/{number}", .handler = h },
};
#define N (sizeof table / sizeof table[0])

static int match(struct req *r, const char *method, const char *path,
	const struct route **rt, char *allow, size_t allowlen)
{
	static struct arena *a;
	if (!a)
		a = arena_new();
	memset(r, 0, sizeof *r);
	r->arena = a;
	r->method = method;
	r->path = path;
	return router_match(table, N, r, rt, allow, allowlen);
}

TEST(literal_routes_match_exactly)
{
	struct req r;
	const struct route *rt = NULL;
	CHECK_INT(match(&r, "GET", "/healthz", &rt, NULL, 0), ROUTER_FOUND);
	CHECK(rt == &table[0]);
	CHECK_INT(r.nparams, 0);
	CHECK_INT(match(&r, "GET", "/healthz/", &rt, NULL, 0), ROUTER_NOT_FOUND);
	CHECK_INT(match(&r, "GET", "/healthzx", &rt, NULL, 0), ROUTER_NOT_FOUND);
	CHECK_INT(match(&r, "GET", "/HEALTHZ", &rt, NULL, 0), ROUTER_NOT_FOUND);
}

TEST(parameters_fill_one_nonempty_segment)
{
	struct req r;
	const struct route *rt = NULL;
	CHECK_INT(match(&r, "GET", "/api/v1/customers/abc-123/statement", &rt, NULL, 0), ROUTER_FOUND);
	CHECK(rt == &table[5]);
	CHECK_STR(req_param(&r, "id"), "abc-123");
	CHECK(req_param(&r, "number") == NULL);
	CHECK_INT(match(&r, "GET", "/api/v1/apartments/10203", &rt, NULL, 0), ROUTER_FOUND);
	CHECK_STR(req_param(&r, "number"), "10203");
	/* An empty segment is no parameter. */
	CHECK_INT(match(&r, "GET", "/api/v1/customers//statement", &rt, NULL, 0), ROUTER_NOT_FOUND);
	CHECK_INT(match(&r, "GET", "/api/v1/customers/a/b", &rt, NULL, 0), ROUTER_NOT_FOUND);
}

TEST(a_known_path_with_another_method_is_405_with_allow)
{
	struct req r;
	const struct route *rt = NULL;
	char allow[64] = "";
	CHECK_INT(match(&r, "DELETE", "/api/v1/customers/x", &rt, allow, sizeof allow), ROUTER_METHOD_NOT_ALLOWED);
	CHECK(strstr(allow, "GET") != NULL);
	CHECK(strstr(allow, "PATCH") != NULL);
	CHECK(strstr(allow, "POST") == NULL);
	CHECK_INT(match(&r, "PUT", "/api/v1/customers", &rt, allow, sizeof allow), ROUTER_METHOD_NOT_ALLOWED);
	CHECK(strstr(allow, "POST") != NULL);
	CHECK_INT(match(&r, "GET", "/api/v1/nothing", &rt, allow, sizeof allow), ROUTER_NOT_FOUND);
}

TEST(overlong_or_deep_paths_never_match)
{
	struct req r;
	const struct route *rt = NULL;
	char path[1100];
	memset(path, 'a', sizeof path - 1);
	path[0] = '/';
	path[sizeof path - 1] = '\0';
	CHECK_INT(match(&r, "GET", path, &rt, NULL, 0), ROUTER_NOT_FOUND);
	CHECK_INT(match(&r, "GET", "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q/r", &rt, NULL, 0), ROUTER_NOT_FOUND);
}

CHECK_MAIN()
