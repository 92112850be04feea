/* problem.c — recording what went wrong with a request: status, code, detail, field errors.
 * The problem+json body is written by http/response.c. */
#include <stdio.h>
#include <string.h>
#include <stdarg.h>

#include "http/problem.h"

const char *problem_status_title(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Error";
	}
}

static void problem_reset(struct req *r, int status, const char *code)
{
	if (r->problem.errors)
		json_decref(r->problem.errors);
	if (r->problem.extra)
		json_decref(r->problem.extra);
	memset(&r->problem, 0, sizeof r->problem);
	r->problem.status = status;
	r->problem.code = code;
}

int req_fail(struct req *r, int status, const char *code, const char *detail)
{
	problem_reset(r, status, code);
	r->problem.detail = arena_strdup(r->arena, detail);
	return -1;
}

int req_failf(struct req *r, int status, const char *code, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return req_fail(r, status, code, buf);
}

void req_add_field_error(struct req *r, const char *field, const char *message)
{
	json_t *e = json_object();

	if (!r->problem.errors)
		r->problem.errors = json_array();
	json_object_set_new(e, "field", json_string(field));
	json_object_set_new(e, "message", json_string(message));
	json_array_append_new(r->problem.errors, e);
}

int req_fail_field(struct req *r, int status, const char *code,
	const char *field, const char *message)
{
	problem_reset(r, status, code);
	r->problem.detail = arena_printf(r->arena, "%s: %s", field, message);
	req_add_field_error(r, field, message);
	return -1;
}

void req_problem_extra(struct req *r, const char *key, json_t *value)
{
	if (!r->problem.extra)
		r->problem.extra = json_object();
	json_object_set_new(r->problem.extra, key, value);
}
