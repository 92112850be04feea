/*
 * openapi.c — GET /api/v1/openapi.json: an OpenAPI 3.1 description made
 * from the route table (api/routes.c) and the schemas in
 * src/api/openapi_schemas.json (embedded at build time).
 *
 * The route table decides which operations exist, so the document cannot
 * list a route that does not exist or miss one that does; for each route
 * this file adds its path parameters, security, least role and
 * Idempotency-Key header, takes the entry "METHOD /pattern" of the JSON
 * file's `operations` (tags, description, parameters, request body,
 * responses), expands its three shorthands and writes:
 *   - x-problem-codes: {status: [code, ...]}, the codes of the entry's
 *     `problems` and `problem_sets` plus the sets every route of its kind
 *     can answer (everywhere; token, tenant, database, suspended by the
 *     route's auth and flags; idempotent), and a problem+json response for
 *     each of those statuses;
 *   - a response `schema` becomes content application/json;
 *   - `example` becomes x-codeSamples, a copy-paste curl command.
 * docs/OPENAPI.md describes the format; tests/unit/test_openapi.c fails
 * on a route without an entry.  The document is built once per process.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "api/handlers.h"
#include "api/openapi.h"
#include "api/routes.h"
#include "util/buf.h"

/* The entry keys that are ours, not OpenAPI's. */
static const char *const shorthand_keys[] = { "problems", "problem_sets", "example", "x-pending" };

static void lower(const char *in, char *out, size_t len)
{
	size_t k = 0;
	for (; in[k] && k < len - 1; k++)
		out[k] = (char)(in[k] >= 'A' && in[k] <= 'Z' ? in[k] - 'A' + 'a' : in[k]);
	out[k] = '\0';
}

/* operationId: method plus the path's words, e.g. get_api_v1_customers_id */
static json_t *operation_id(const struct route *rt)
{
	char id[160];
	size_t k = 0;
	for (const char *p = rt->method; *p && k < sizeof id - 1; p++)
		id[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
	for (const char *p = rt->pattern; *p && k < sizeof id - 1; p++) {
		if (*p == '{' || *p == '}')
			continue;
		id[k++] = (*p == '/' || *p == '.' || *p == '-') ? '_' : *p;
	}
	id[k] = '\0';
	return json_string(id);
}

/* ---- problem codes ------------------------------------------------ */

/* Add the codes of a {status: [codes]} object into acc, each once. */
static void add_codes(json_t *acc, json_t *codes)
{
	const char *status;
	json_t *list;
	json_object_foreach(codes, status, list) {
		if (!json_is_array(list))
			continue; /* "x-about" */
		json_t *have = json_object_get(acc, status);
		if (!have) {
			have = json_array();
			json_object_set_new(acc, status, have);
		}
		size_t i, j;
		json_t *c;
		json_array_foreach(list, i, c) {
			int dup = 0;
			for (j = 0; j < json_array_size(have); j++)
				if (json_equal(json_array_get(have, j), c))
					dup = 1;
			if (!dup)
				json_array_append(have, c);
		}
	}
}

static void add_set(json_t *acc, json_t *sets, const char *name)
{
	add_codes(acc, json_object_get(sets, name));
}

static int cmp_status(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The problem codes of one route, by status in ascending order. */
static json_t *problem_codes(const struct route *rt, json_t *entry, json_t *sets)
{
	json_t *acc = json_object();
	size_t i;
	json_t *v;

	add_set(acc, sets, "everywhere");
	if (rt->auth != ROUTE_PUBLIC) {
		add_set(acc, sets, "token");
		add_set(acc, sets, "database");
	}
	if (rt->auth == ROUTE_TENANT) {
		add_set(acc, sets, "tenant");
		if (rt->writes && !rt->allow_suspended)
			add_set(acc, sets, "suspended");
	}
	if (rt->idempotent)
		add_set(acc, sets, "idempotent");
	json_array_foreach(json_object_get(entry, "problem_sets"), i, v)
		add_set(acc, sets, json_string_value(v));
	add_codes(acc, json_object_get(entry, "problems"));

	/* Statuses in order, so the document reads 400, 401, ... */
	const char *keys[64];
	size_t n = 0;
	const char *k;
	json_object_foreach(acc, k, v)
		if (n < 64)
			keys[n++] = k;
	qsort(keys, n, sizeof keys[0], cmp_status);
	json_t *out = json_object();
	for (i = 0; i < n; i++)
		json_object_set(out, keys[i], json_object_get(acc, keys[i]));
	json_decref(acc);
	return out;
}

/* ---- the curl example --------------------------------------------- */

/* s in single quotes for sh. */
static void sh_single(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			buf_puts(b, "'\\''");
		else
			buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

static const char *auth_variable(const struct route *rt, const char *auth)
{
	if (!auth)
		auth = rt->auth == ROUTE_TENANT ? "token" : rt->auth == ROUTE_OPERATOR ? "operator" : "none";
	if (strcmp(auth, "token") == 0)
		return "QT_TOKEN";
	if (strcmp(auth, "operator") == 0)
		return "QT_OPERATOR_TOKEN";
	if (strcmp(auth, "metrics") == 0)
		return "QT_METRICS_TOKEN";
	return NULL;
}

/*
 * A curl command for the entry's `example`:
 *   path     the path with $VARIABLES for its parameters (default: the pattern)
 *   query    the query string
 *   headers  {name: value}
 *   auth     token | operator | metrics | none (default: the route's)
 *   body     a JSON value; sent in a heredoc when it names $VARIABLES
 *   raw      a body sent byte for byte (signed webhooks)
 *   form     [[name, value], ...] as --data-urlencode
 *   data_file, content_type   a file sent as the body
 *   output   -o FILE;  stream  -N (Server-Sent Events)
 */
static char *curl_command(const struct route *rt, json_t *ex)
{
	struct buf b;
	const char *path = json_string_value(json_object_get(ex, "path"));
	const char *query = json_string_value(json_object_get(ex, "query"));
	const char *var = auth_variable(rt, json_string_value(json_object_get(ex, "auth")));
	json_t *body = json_object_get(ex, "body");
	const char *raw = json_string_value(json_object_get(ex, "raw"));
	const char *file = json_string_value(json_object_get(ex, "data_file"));
	const char *ctype = json_string_value(json_object_get(ex, "content_type"));
	const char *output = json_string_value(json_object_get(ex, "output"));
	const char *name;
	json_t *v;
	size_t i;

	buf_init(&b);
	buf_puts(&b, "curl -sS");
	if (json_is_true(json_object_get(ex, "stream")))
		buf_puts(&b, " -N");
	if (strcmp(rt->method, "GET") != 0)
		buf_printf(&b, " -X %s", rt->method);
	buf_printf(&b, " \"$QT_URL%s%s%s\"", path ? path : rt->pattern, query ? "?" : "", query ? query : "");
	if (var)
		buf_printf(&b, " \\\n  -H \"Authorization: Bearer $%s\"", var);
	json_object_foreach(json_object_get(ex, "headers"), name, v)
		buf_printf(&b, " \\\n  -H \"%s: %s\"", name, json_string_value(v));
	if (body || raw)
		buf_puts(&b, " \\\n  -H \"Content-Type: application/json\"");
	if (ctype)
		buf_printf(&b, " \\\n  -H \"Content-Type: %s\"", ctype);
	if (output)
		buf_printf(&b, " \\\n  -o %s", output);
	json_array_foreach(json_object_get(ex, "form"), i, v) {
		buf_printf(&b, " \\\n  --data-urlencode \"%s=%s\"", json_string_value(json_array_get(v, 0)),
			json_string_value(json_array_get(v, 1)));
	}
	if (file)
		buf_printf(&b, " \\\n  --data-binary @%s", file);
	if (raw) {
		buf_puts(&b, " \\\n  --data-binary ");
		sh_single(&b, raw);
	}
	if (body) {
		char *text = json_dumps(body, JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
		if (text && strchr(text, '$')) {
			/* An unquoted heredoc: the shell fills in the $VARIABLES and
			 * the JSON's quotes stay as they are. */
			buf_printf(&b, " \\\n  --data-binary @- <<EOF\n%s\nEOF", text);
		} else if (text) {
			buf_puts(&b, " \\\n  -d ");
			sh_single(&b, text);
		}
		free(text);
	}
	return buf_detach(&b);
}

/* ---- one operation ------------------------------------------------- */

static int param_named(json_t *params, const char *in, const char *name, size_t len)
{
	size_t i;
	json_t *p;
	json_array_foreach(params, i, p) {
		const char *pin = json_string_value(json_object_get(p, "in"));
		const char *pn = json_string_value(json_object_get(p, "name"));
		if (pin && pn && strcmp(pin, in) == 0 && strlen(pn) == len && strncmp(pn, name, len) == 0)
			return 1;
	}
	return 0;
}

static json_t *problem_response(json_t *codes)
{
	struct buf d;
	size_t i;
	json_t *c;
	buf_init(&d);
	buf_puts(&d, "Problem:");
	json_array_foreach(codes, i, c)
		buf_printf(&d, "%s %s", i ? "," : "", json_string_value(c));
	json_t *r = json_pack("{s:s, s:{s:{s:{s:s}}}}", "description", buf_cstr(&d),
		"content", "application/problem+json", "schema", "$ref", "#/components/schemas/Problem");
	buf_release(&d);
	return r;
}

static json_t *operation(const struct route *rt, json_t *entry, json_t *src)
{
	json_t *op = json_object();
	json_t *components = json_object_get(src, "components");
	const char *key;
	json_t *v;

	/* The entry, less our shorthands. */
	json_object_foreach(entry, key, v) {
		size_t k;
		for (k = 0; k < sizeof shorthand_keys / sizeof shorthand_keys[0]; k++)
			if (strcmp(key, shorthand_keys[k]) == 0)
				break;
		if (k == sizeof shorthand_keys / sizeof shorthand_keys[0])
			json_object_set_new(op, key, json_deep_copy(v));
	}
	if (!entry) {
		json_object_set_new(op, "tags", json_pack("[s]", "Undocumented"));
		json_object_set_new(op, "x-undocumented", json_true());
	}
	json_object_set_new(op, "operationId", operation_id(rt));
	json_object_set_new(op, "summary", json_string(rt->summary ? rt->summary : ""));

	/* Path parameters (the entry may describe them itself), then the
	 * entry's, then Idempotency-Key. */
	json_t *given = json_object_get(op, "parameters");
	json_t *params = json_array();
	for (const char *p = strchr(rt->pattern, '{'); p; p = strchr(p + 1, '{')) {
		const char *end = strchr(p, '}');
		if (!end)
			break;
		size_t len = (size_t)(end - p - 1);
		if (param_named(given, "path", p + 1, len))
			continue;
		char ref[96];
		snprintf(ref, sizeof ref, "path_%.*s", (int)len, p + 1);
		if (json_object_get(json_object_get(components, "parameters"), ref)) {
			char full[128];
			snprintf(full, sizeof full, "#/components/parameters/%s", ref);
			json_array_append_new(params, json_pack("{s:s}", "$ref", full));
		} else {
			json_array_append_new(params, json_pack("{s:s%, s:s, s:b, s:{s:s}}",
				"name", p + 1, len, "in", "path", "required", 1, "schema", "type", "string"));
		}
	}
	if (given)
		json_array_extend(params, given);
	if (rt->idempotent)
		json_array_append_new(params, json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i, s:i}}",
			"name", "Idempotency-Key", "in", "header", "required", 0,
			"description", "Retrying with the same key and body answers the first success again",
			"schema", "type", "string", "minLength", 1, "maxLength", 255));
	if (json_array_size(params))
		json_object_set_new(op, "parameters", params);
	else
		json_decref(params);

	if (!json_object_get(op, "security")) {
		if (rt->auth == ROUTE_PUBLIC)
			json_object_set_new(op, "security", json_array());
		else
			json_object_set_new(op, "security", json_pack("[{s:[]}]", "bearer"));
	}
	if (rt->auth == ROUTE_TENANT)
		json_object_set_new(op, "x-min-role", json_string(role_name(rt->min_role ? rt->min_role : ROLE_VIEWER)));
	else if (rt->auth == ROUTE_OPERATOR)
		json_object_set_new(op, "x-operator-only", json_true());

	/* Responses: the `schema` shorthand, then a problem response for
	 * each status a problem code can have. */
	json_t *responses = json_object_get(op, "responses");
	if (!responses) {
		responses = json_pack("{s:{s:s}}", "2XX", "description", "Success (not described yet)");
		json_object_set_new(op, "responses", responses);
	}
	json_object_foreach(responses, key, v) {
		json_t *schema = json_object_get(v, "schema");
		if (schema) {
			json_object_set_new(v, "content", json_pack("{s:{s:O}}", "application/json", "schema", schema));
			json_object_del(v, "schema");
		}
	}
	json_t *codes = problem_codes(rt, entry, json_object_get(src, "problem_sets"));
	json_object_foreach(codes, key, v)
		if (!json_object_get(responses, key))
			json_object_set_new(responses, key, problem_response(v));
	json_object_set_new(responses, "default", json_pack("{s:s, s:{s:{s:{s:s}}}}",
		"description", "Problem details (RFC 9457)",
		"content", "application/problem+json", "schema", "$ref", "#/components/schemas/Problem"));
	json_object_set_new(op, "x-problem-codes", codes);

	json_t *ex = json_object_get(entry, "example");
	ex = ex ? json_incref(ex) : json_object();
	char *curl = curl_command(rt, ex);
	json_decref(ex);
	json_object_set_new(op, "x-codeSamples", json_pack("[{s:s, s:s, s:s}]", "lang", "Shell", "label", "curl",
		"source", curl));
	free(curl);
	return op;
}

/* ---- the document ------------------------------------------------ */

json_t *api_openapi_build(json_t **report)
{
	size_t n;
	const struct route *routes = api_routes(&n);
	return api_openapi_build_from((const char *)openapi_schemas_json, openapi_schemas_json_len, routes, n, report);
}

json_t *api_openapi_build_from(const char *schemas, size_t len, const struct route *routes, size_t n,
	json_t **report)
{
	json_error_t err;
	json_t *src = json_loadb(schemas, len, 0, &err);

	if (report)
		*report = json_pack("{s:[], s:[], s:[]}", "missing", "unrouted", "pending");
	if (!src) {
		if (report)
			json_object_set_new(*report, "error", json_sprintf("src/api/openapi_schemas.json line %d: %s",
				err.line, err.text));
		return NULL;
	}
	json_t *ops = json_object_get(src, "operations");
	json_t *paths = json_object();
	json_t *seen = json_object();
	for (size_t i = 0; i < n; i++) {
		char key[300], method[8];
		snprintf(key, sizeof key, "%s %s", routes[i].method, routes[i].pattern);
		json_t *entry = json_object_get(ops, key);
		if (!entry && report)
			json_array_append_new(json_object_get(*report, "missing"), json_string(key));
		json_object_set_new(seen, key, json_true());
		json_t *item = json_object_get(paths, routes[i].pattern);
		if (!item) {
			item = json_object();
			json_object_set_new(paths, routes[i].pattern, item);
		}
		lower(routes[i].method, method, sizeof method);
		json_object_set_new(item, method, operation(&routes[i], entry, src));
	}
	if (report) {
		const char *key;
		json_t *entry;
		json_object_foreach(ops, key, entry) {
			if (json_object_get(seen, key))
				continue;
			json_array_append_new(json_object_get(*report,
				json_is_true(json_object_get(entry, "x-pending")) ? "pending" : "unrouted"), json_string(key));
		}
	}
	json_decref(seen);

	/* Only the tags some operation has: a tag written ahead for a route on
	 * its way would be an empty section of the reference. */
	json_t *used = json_object(), *tags = json_array();
	const char *pkey, *mkey;
	json_t *pitem, *op, *tag;
	size_t ti;
	json_object_foreach(paths, pkey, pitem)
		json_object_foreach(pitem, mkey, op)
			json_array_foreach(json_object_get(op, "tags"), ti, tag)
				json_object_set(used, json_string_value(tag), json_true());
	json_array_foreach(json_object_get(src, "tags"), ti, tag)
		if (json_object_get(used, json_string_value(json_object_get(tag, "name"))))
			json_array_append(tags, tag);
	json_decref(used);

	json_t *info = json_deep_copy(json_object_get(src, "info"));
	if (!info)
		info = json_object();
	json_object_set_new(info, "version", json_string("v1"));
	json_t *doc = json_pack("{s:s, s:o, s:[{s:s}], s:o, s:o, s:O}",
		"openapi", "3.1.0", "info", info, "servers", "url", "/",
		"tags", tags, "paths", paths,
		"components", json_object_get(src, "components"));
	json_decref(src);
	return doc;
}

static pthread_once_t doc_once = PTHREAD_ONCE_INIT;
static char *doc_text;
static size_t doc_len;

static void build_once(void)
{
	json_t *doc = api_openapi_build(NULL);
	if (!doc)
		return;
	doc_text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	doc_len = doc_text ? strlen(doc_text) : 0;
	json_decref(doc);
}

int h_openapi(struct req *r)
{
	pthread_once(&doc_once, build_once);
	if (!doc_text)
		return req_fail(r, 500, "internal_error", "the OpenAPI description could not be built");
	/* Built once for the process; the body is not copied. */
	r->resp.status = 200;
	r->resp.content_type = RESP_TYPE_JSON;
	r->resp.static_body = doc_text;
	r->resp.static_len = doc_len;
	return 0;
}
