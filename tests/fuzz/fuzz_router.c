/*
 * libFuzzer target for the router over the real route table: arbitrary
 * method and path.  Properties: never crashes; a match fills exactly the
 * route's parameters, each non-empty; 405 comes with allowed methods.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api/routes.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const methods[] = { "GET", "POST", "PATCH", "DELETE", "PUT", "HEAD" };
	struct req r;
	const struct route *rt = NULL;
	char allow[64];
	size_t n;

	if (size < 1 || size > 4096)
		return 0;
	memset(&r, 0, sizeof r);
	r.arena = arena_new();
	r.method = methods[data[0] % 6];
	char *path = arena_strndup(r.arena, (const char *)data + 1, size - 1);
	r.path = path;
	const struct route *routes = api_routes(&n);
	int rc = router_match(routes, n, &r, &rt, allow, sizeof allow);
	if (rc == ROUTER_FOUND) {
		if (!rt)
			abort();
		for (int i = 0; i < r.nparams; i++)
			if (!r.param_value[i] || !r.param_value[i][0] || strchr(r.param_value[i], '/'))
				abort();
	} else if (rc == ROUTER_METHOD_NOT_ALLOWED && !allow[0]) {
		abort();
	}
	arena_free(r.arena);
	return 0;
}
