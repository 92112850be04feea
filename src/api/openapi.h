/*
 * openapi.h — the OpenAPI 3.1 description of the API (GET
 * /api/v1/openapi.json), made from two sources: the route table
 * (api/routes.c: paths, methods, summaries, who may call, Idempotency-Key)
 * and src/api/openapi_schemas.json (request and response schemas, problem
 * codes, curl examples), which the build embeds into the binary
 * (scripts/embed-file.sh).  docs/OPENAPI.md describes the JSON file.
 */
#ifndef QT_API_OPENAPI_H
#define QT_API_OPENAPI_H

#include <jansson.h>
#include <stddef.h>

/* src/api/openapi_schemas.json as it was at build time (not NUL-terminated). */
extern const unsigned char openapi_schemas_json[];
extern const size_t openapi_schemas_json_len;

/*
 * Build the document.  Returns a new reference, or NULL when the embedded
 * JSON does not parse.  When report is not NULL it receives a new object:
 *   "missing":  ["METHOD /pattern", ...] routes without an operations entry
 *               (each is still described, marked x-undocumented);
 *   "unrouted": entries without a route that are not marked x-pending
 *               (a typo in a key, or a route that was removed);
 *   "pending":  entries marked x-pending whose route does not exist yet;
 *   "error":    why the JSON did not parse (only with a NULL return).
 */
json_t *api_openapi_build(json_t **report);

struct route;
/* The same from any schemas text and route table (for tests). */
json_t *api_openapi_build_from(const char *schemas, size_t len, const struct route *routes, size_t nroutes,
	json_t **report);

#endif
