/* response.c — the response a handler builds and the headers every answer carries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/problem.h"
#include "http/problem_text.h"
#include "http/request.h"
#include "http/response.h"

int resp_json(struct req *r, int status, json_t *body)
{
	r->resp.status = status;
	r->resp.content_type = RESP_TYPE_JSON;
	r->resp.body.len = 0;
	if (body) {
		char *text = json_dumps(body, JSON_COMPACT);
		if (text) {
			buf_puts(&r->resp.body, text);
			free(text);
		}
		json_decref(body);
	}
	return 0;
}

struct buf *resp_json_buf(struct req *r, int status)
{
	r->resp.status = status;
	r->resp.content_type = RESP_TYPE_JSON;
	r->resp.body.len = 0;
	buf_grow(&r->resp.body, 2048);   /* a customer is ~900 bytes: no regrowth */
	return &r->resp.body;
}

int resp_empty(struct req *r, int status)
{
	r->resp.status = status;
	r->resp.body.len = 0;
	r->resp.content_type = NULL;
	return 0;
}

void resp_header(struct req *r, const char *name, const char *value)
{
	for (int i = 0; i < r->resp.nheaders; i++) {
		if (strcasecmp(r->resp.header_name[i], name) == 0) {
			r->resp.header_value[i] = value;
			return;
		}
	}
	if (r->resp.nheaders < REQ_MAX_HEADERS_OUT) {
		r->resp.header_name[r->resp.nheaders] = name;
		r->resp.header_value[r->resp.nheaders] = value;
		r->resp.nheaders++;
	}
}

/* The language of a problem's detail: what Accept-Language asks for;
 * without one, the signed-in caller's own (their choice, else their
 * store's locale's); else English. */
static enum language problem_language(struct req *r)
{
	const char *accept = r->conn ? req_header(r, "Accept-Language") : NULL;
	enum language l = language_from_accept(accept, accept ? strlen(accept) : 0);
	if (l == LANGUAGE_NONE)
		l = language_from_code(r->caller.effective_language);
	return l == LANGUAGE_NONE ? LANGUAGE_EN : l;
}

void resp_problem(struct req *r)
{
	struct problem *p = &r->problem;
	const char *code = p->code ? p->code : "error";
	json_t *o = json_object();
	char type[128];

	enum language spoken = problem_text_localize(p, r->arena, problem_language(r));

	snprintf(type, sizeof type, "/problems/%s", code);
	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "title",
		json_string(p->title ? p->title : problem_status_title(p->status)));
	json_object_set_new(o, "status", json_integer(p->status));
	json_object_set_new(o, "detail", json_string(p->detail ? p->detail : ""));
	json_object_set_new(o, "code", json_string(code));
	json_object_set_new(o, "request_id", json_string(r->request_id));
	json_object_set_new(o, "errors", p->errors ? json_incref(p->errors) : json_array());
	if (p->extra)
		json_object_update_missing(o, p->extra);
	resp_json(r, p->status, o);
	r->resp.content_type = RESP_TYPE_PROBLEM;
	if (p->retry_after > 0)
		resp_header(r, "Retry-After", arena_printf(r->arena, "%d", p->retry_after));
	resp_header(r, "Content-Language", language_code(spoken));
	resp_header(r, "Vary", "Accept-Language");
}

void resp_finish(struct req *r)
{
	/* A problem recorded after resp_stream wins: the stream is never
	 * started, and its owner is told so. */
	if (r->problem.status && r->resp.stream_ops) {
		r->resp.stream_ops->done(r->resp.stream_cls, 0);
		r->resp.stream_ops = NULL;
		r->resp.stream_cls = NULL;
	}
	if (r->problem.status)
		resp_problem(r);
	if (r->resp.status == 0)
		r->resp.status = 200;
}

void resp_each_header(const struct req *r,
	void (*fn)(const char *name, const char *value, void *cls), void *cls)
{
	fn("X-Request-Id", r->request_id, cls);
	fn("X-Content-Type-Options", "nosniff", cls);
	if (r->resp.content_type)
		fn("Content-Type", r->resp.content_type, cls);
	for (int i = 0; i < r->resp.nheaders; i++)
		fn(r->resp.header_name[i], r->resp.header_value[i], cls);
	if (strncmp(r->path, "/api/", 5) == 0)
		fn("Cache-Control", "no-store", cls);
}

int resp_stream(struct req *r, int status, const char *content_type,
	const struct resp_stream_ops *ops, void *cls)
{
	r->resp.status = status;
	r->resp.content_type = content_type;
	r->resp.body.len = 0;
	r->resp.stream_ops = ops;
	r->resp.stream_cls = cls;
	return 0;
}
