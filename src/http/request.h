/*
 * request.h — one HTTP request as handlers see it, and the response they build.
 *
 * A `struct req` lives from the first libmicrohttpd callback of a request to
 * its completion.  Everything a handler allocates for the request comes from
 * `req->arena` and dies with it.  Handlers never touch libmicrohttpd.
 *
 * Errors: a handler that fails calls one of the req_fail*() helpers, which
 * record a problem (status, code, detail, field errors) in the request and
 * return -1; the server turns that into RFC 9457 problem+json in one place
 * (http/problem.c).
 */
#ifndef QT_HTTP_REQUEST_H
#define QT_HTTP_REQUEST_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util/arena.h"
#include "util/buf.h"

struct app;
struct MHD_Connection;
struct store_tx;

#define REQ_MAX_PARAMS 4
#define REQ_MAX_HEADERS_OUT 16

/* Who is calling, filled by api/auth_ctx.c from a verified token. */
struct caller {
	int authenticated;
	int is_operator;
	char user_id[37];    /* user or operator id */
	char tenant_id[37];  /* "" for operators */
	char role[16];       /* owner|admin|member|viewer; "" for operators */
	char tenant_slug[64];
	char tenant_status[16];
	char plan[32];
	uint32_t plan_features; /* PLAN_FEATURE_BIT set of the store's plan */
	/* The plan's limits as read with the membership (-1 = unlimited). */
	int64_t plan_customer_limit, plan_storage_mb, plan_requests_per_min;
	char email[256];
	char name[484];        /* up to 120 characters of UTF-8 */
	char tenant_name[484];
	char jti[37];
	char api_key_id[37];   /* the API key acting (user_id is the same); "" for people */
	char language[3];      /* the account's choice, "en" | "hi"; "" follows the store */
	char effective_language[3]; /* that choice, else the store's locale's; "" before sign-in */
};

struct problem {
	int status;          /* 0: none recorded */
	const char *code;    /* machine code, e.g. "validation_failed" */
	const char *title;
	const char *detail;
	json_t *errors;      /* array of {field, message} or NULL */
	json_t *extra;       /* object merged into the problem body or NULL */
	int retry_after;     /* seconds, > 0 adds Retry-After */
};

struct resp {
	int status;
	const char *content_type;
	struct buf body;
	int nheaders;
	const char *header_name[REQ_MAX_HEADERS_OUT];
	const char *header_value[REQ_MAX_HEADERS_OUT];
	/* static body not owned (web assets); used when body.len == 0 */
	const void *static_body;
	size_t static_len;
	/* a streamed body (resp_stream); used when set and no problem */
	const struct resp_stream_ops *stream_ops;
	void *stream_cls;
};

/* A request body parsed as it arrives instead of buffered (CSV import). */
struct body_sink {
	/* Each piece of the body, in order; returns 0, or -1 to stop taking
	 * it (the rest is read and dropped; the handler still runs). */
	int (*write)(void *cls, const char *data, size_t n);
	void *cls;
};

struct req {
	struct arena *arena;
	struct app *app;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;          /* decoded path, no query */
	const char *route;         /* matched route pattern, for logs and metrics */
	const char *param_name[REQ_MAX_PARAMS];
	const char *param_value[REQ_MAX_PARAMS];
	int nparams;
	char request_id[72];
	char client_ip[64];
	int via_trusted_proxy;     /* the peer is in QT_TRUSTED_PROXIES */
	struct buf body;            /* the body, unless a sink takes it */
	struct body_sink sink;      /* .write NULL: buffered in body */
	int sink_stopped;           /* the sink returned -1 */
	size_t body_seen;           /* body bytes received so far */
	unsigned char body_sha256[32]; /* SHA-256 of a sunk body ... */
	int body_hashed;            /* ... once it is all in */
	void *body_hash_state;      /* while it streams (server's) */
	size_t body_cap;           /* this request's body limit (small on auth routes) */
	size_t body_reserved;      /* bytes held from the server's body budget */
	int body_too_large;
	int body_over_budget;      /* the body budget was spent: 503 */
	const char *bad_headers;   /* why the head is malformed (400), or NULL */
	int64_t started_mono_ms;
	struct caller caller;
	struct store_tx *tx;        /* the request's transaction (tenant routes) */
	const char *idempotency_key;
	const void *settings;         /* api_settings() cache */
	struct problem problem;
	struct resp resp;
	int deferred;               /* req_defer: answered from another thread */
};

/* Request headers and query parameters; NULL when absent.  The returned
 * strings belong to libmicrohttpd and live as long as the request. */
const char *req_header(struct req *r, const char *name);
const char *req_query(struct req *r, const char *name);
const char *req_cookie(struct req *r, const char *name);
/* The path parameter named by the route pattern ("{id}" -> "id"). */
const char *req_param(struct req *r, const char *name);

/* Record a problem; returns -1 so handlers can `return req_fail(...)`. */
int req_fail(struct req *r, int status, const char *code, const char *detail);
int req_failf(struct req *r, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A problem about one field: adds {field, message} to errors. */
int req_fail_field(struct req *r, int status, const char *code,
	const char *field, const char *message);
/* Add a further field error to the recorded problem. */
void req_add_field_error(struct req *r, const char *field, const char *message);
/* Attach an extra member to the problem body; steals the reference to
 * value (pass json_integer(...) and the like directly). */
void req_problem_extra(struct req *r, const char *key, json_t *value);

/* An answer that another thread gives (api/group_commit.c).  req_defer,
 * called by the dispatcher on the server's thread, suspends the
 * connection: the server neither answers when the dispatcher returns nor
 * frees the body, and its thread goes on serving other connections.
 * req_resume, once r->resp or r->problem hold the answer (from any
 * thread), hands the request back; the server sends the answer on its
 * own thread.  After req_resume the caller must not touch r. */
void req_defer(struct req *r);
void req_resume(struct req *r);

/* Responses: resp_json, resp_empty, resp_header (http/response.c). */
#include "http/response.h"

#endif
