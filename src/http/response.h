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

#include <stddef.h>
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
/* A JSON body to be written by the caller (util/jsonw.h) straight into
 * the response: status and type are set, the body emptied. */
struct buf *resp_json_buf(struct req *r, int status);
/* Set response header name (replacing one of the same name, compared
 * without case).  name and value are not copied: they must live as long
 * as the request (literals or r->arena).  Past REQ_MAX_HEADERS_OUT
 * distinct names the header is dropped. */
void resp_header(struct req *r, const char *name, const char *value);

/*
 * Streamed (chunked) bodies: export files and event streams.  The server
 * pulls the body from ops->read as the client takes it, so a response of
 * any size holds one block in memory.  A stream with nothing to say yet
 * answers RESP_STREAM_WAIT: the connection is parked, holding no worker
 * thread, until http_stream_wake(h); then read is called again.
 */
enum { RESP_STREAM_WAIT = 0, RESP_STREAM_END = -1, RESP_STREAM_ERROR = -2 };

struct http_stream;   /* the server's handle on one streamed response */

struct resp_stream_ops {
	/* Write up to max bytes into out.  Returns the count (> 0),
	 * RESP_STREAM_WAIT, RESP_STREAM_END after the last byte, or
	 * RESP_STREAM_ERROR to cut the response off.  Runs on a server
	 * worker thread, one call at a time per stream. */
	long (*read)(void *cls, struct http_stream *h, char *out, size_t max);
	/* Called exactly once when the response ends for any reason:
	 * completed = 1 after RESP_STREAM_END, 0 when the client went away,
	 * on an error, when the server stops, or when the response was
	 * never sent (a problem recorded after resp_stream).  Frees cls.
	 * After done returns, nothing may wake h. */
	void (*done)(void *cls, int completed);
};

/* Answer status with a body pulled from ops (chunked), of this
 * Content-Type.  Headers set with resp_header are kept.  Returns 0. */
int resp_stream(struct req *r, int status, const char *content_type,
	const struct resp_stream_ops *ops, void *cls);
/* Wake a parked stream: safe from any thread, at any time before its
 * done(); waking one that is not parked makes its next WAIT return at
 * once instead of parking. */
void http_stream_wake(struct http_stream *h);

/* Write r->problem (when one is recorded) as the RFC 9457 problem+json
 * body into r->resp, replacing any body, with request_id, the field
 * errors and the extra members, and Retry-After when it asks for one. */
void resp_problem(struct req *r);

/* Make r->resp final, once, after the handler: a recorded problem becomes
 * the body (resp_problem) and ends a stream unsent (its done(cls, 0)),
 * and a status never set becomes 200. */
void resp_finish(struct req *r);

/* Call fn for each header of the final response, in order: X-Request-Id,
 * X-Content-Type-Options: nosniff, Content-Type (when there is one), the
 * handler's headers, and Cache-Control: no-store for anything under
 * /api/ (the API's answers are per caller).  Strings live as long as r. */
void resp_each_header(const struct req *r,
	void (*fn)(const char *name, const char *value, void *cls), void *cls);

#endif
