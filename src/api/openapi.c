/*
 * openapi.c — GET /api/v1/openapi.json: an OpenAPI 3.1 description built
 * from the route table itself, so it cannot list a route that does not
 * exist or miss one that does (tests/api/openapi.test.mjs checks both ways
 * against the running server).  Request and response bodies are described
 * in SPEC.md and docs/API-NOTES.md; here each operation carries its path
 * parameters, security, the roles it needs and the problem+json error shape.
 */
#include <string.h>

#include "api/handlers.h"
#include "api/routes.h"

static json_t *problem_schema(void)
{
	return json_pack("{s:s, s:[s,s,s,s], s:{s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s}, s:{s:s},"
		" s:{s:s, s:{s:s, s:{s:{s:s}, s:{s:s}}}}}}",
		"type", "object", "required", "type", "title", "status", "code",
		"properties",
		"type", "type", "string", "title", "type", "string", "status", "type", "integer",
		"detail", "type", "string", "code", "type", "string", "request_id", "type", "string",
		"errors", "type", "array", "items", "type", "object", "properties",
		"field", "type", "string", "message", "type", "string");
}

static json_t *operation(const struct route *rt)
{
	json_t *op = json_object();
	char id[160];
	size_t k = 0;

	/* operationId: method plus the path's words, e.g. get_api_v1_customers_id */
	for (const char *p = rt->method; *p && k < sizeof id - 1; p++)
		id[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	for (const char *p = rt->pattern; *p && k < sizeof id - 1; p++) {
		if (*p == '{' || *p == '}')
			continue;
		id[k++] = (*p == '/' || *p == '.' || *p == '-') ? '_' : *p;
	}
	id[k] = '\0';
	json_object_set_new(op, "operationId", json_string(id));
	json_object_set_new(op, "summary", json_string(rt->summary ? rt->summary : ""));

	json_t *params = json_array();
	for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		if (!end)
			break;
		json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}",
			"name", p + 1, (size_t)(end - p - 1), "in", "path", "required", 1,
			"schema", "type", "string"));
	}
	if (rt->idempotent)
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:{s:s, s:i}}",
			"name", "Idempotency-Key", "in", "header", "required", 0,
			"schema", "type", "string", "maxLength", 255));
	if (json_array_size(params))
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);

	if (rt->auth == ROUTE_TENANT) {
		json_object_set_new(op, "security", json_pack("[{s:[]}]", "bearer"));
		json_object_set_new(op, "x-min-role", json_string(role_name(rt->min_role ? rt->min_role : ROLE_VIEWER)));
	} else if (rt->auth == ROUTE_OPERATOR) {
		json_object_set_new(op, "security", json_pack("[{s:[]}]", "bearer"));
		json_object_set_new(op, "x-operator-only", json_true());
	} else {
		json_object_set_new(op, "security", json_array());
	}
	if (strcmp(rt->method, "POST") == 0 || strcmp(rt->method, "PATCH") == 0)
		json_object_set_new(op, "requestBody", json_pack("{s:b, s:{s:{s:{s:s}}}}",
			"required", strstr(rt->pattern, "/auth/refresh") || strstr(rt->pattern, "/logout") ? 0 : 1,
			"content", "application/json", "schema", "type", "object"));
	json_object_set_new(op, "responses", json_pack("{s:{s:s}, s:{s:s, s:{s:{s:{s:s}}}}}",
		"2XX", "description", "Success; see SPEC.md section 3 for the body",
		"default", "description", "RFC 9457 problem details",
		"content", "application/problem+json", "schema", "$ref", "#/components/schemas/Problem"));
	return op;
}

int h_openapi(struct req *r)
{
	size_t n;
	const struct route *routes = api_routes(&n);
	json_t *paths = json_object();

	for (size_t i = 0; i < n; i++) {
		json_t *item = json_object_get(paths, routes[i].pattern);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, routes[i].pattern, item);
		}
		char method[8];
		size_t k;
		for (k = 0; routes[i].method[k] && k < sizeof method - 1; k++)
			method[k] = (char)(routes[i].method[k] - 'A' + 'a');
		method[k] = '\0';
		json_object_set_new(item, method, operation(&routes[i]));
	}
	json_t *doc = json_pack("{s:s, s:{s:s, s:s, s:s}, s:[{s:s}], s:o, s:{s:{s:{s:s, s:s, s:s}}, s:{s:o}}}",
		"openapi", "3.1.0",
		"info", "title", "QuantumTrack API", "version", "1",
		"description", "Multi-tenant credit ledger for building stores. Money is integer minor units beside a currency.",
		"servers", "url", "/",
		"paths", paths,
		"components", "securitySchemes", "bearer", "type", "http", "scheme", "bearer", "bearerFormat", "JWT",
		"schemas", "Problem", problem_schema());
	return resp_json(r, 200, doc);
}
