/*
 * response.h — building the response of one request: what handlers call to
 * answer, and how the server turns what they left in r->resp and
 * r->problem into the final status, body and headers.
 *
 * Handlers fill r->resp with resp_json() or resp_empty() (or set its
 * fields directly for CSV, plain text and static assets), add headers with
 * resp_header(), or record a problem with req_fail*() (http/request.h).
 * After the handler, the server calls resp_finish() once and then sends
 * the status, the body and every header resp_each_header() reports; it
 * knows nothing of the response's content.
 *
 * request.h includes this header, so handlers need not.
 */
#ifndef QT_HTTP_RESPONSE_H
#define QT_HTTP_RESPONSE_H

#include <jansson.h>

struct req;

#define RESP_TYPE_JSON "application/json"
#define RESP_TYPE_PROBLEM "application/problem+json"

/* Answer with status and the compact JSON of body (NULL: no body),
 * replacing any body set before; Content-Type application/json.  Takes
 * ownership of body (json_decref'd, also on failure).  Returns 0. */
int resp_json(struct req *r, int status, json_t *body);
/* Answer with status and no body nor Content-Type.  Returns 0. */
int resp_empty(struct req *r, int status);
/* Set response header name (replacing one of the same name, compared
 * without case).  name and value are not copied: they must live as long
 * as the request (literals or r->arena).  Past REQ_MAX_HEADERS_OUT
 * distinct names the header is dropped. */
void resp_header(struct req *r, const char *name, const char *value);

/* Write r->problem (when one is recorded) as the RFC 9457 problem+json
 * body into r->resp, replacing any body, with request_id, the field
 * errors and the extra members, and Retry-After when it asks for one. */
void resp_problem(struct req *r);

/* Make r->resp final, once, after the handler: a recorded problem becomes
 * the body (resp_problem), and a status never set becomes 200. */
void resp_finish(struct req *r);

/* Call fn for each header of the final response, in order: X-Request-Id,
 * X-Content-Type-Options: nosniff, Content-Type (when there is one), the
 * handler's headers, and Cache-Control: no-store for anything under
 * /api/ (the API's answers are per caller).  Strings live as long as r. */
void resp_each_header(const struct req *r,
	void (*fn)(const char *name, const char *value, void *cls), void *cls);

#endif
