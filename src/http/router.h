/*
 * router.h — match a method and path against a table of route patterns.
 *
 * Patterns are literal segments and "{name}" parameters that match exactly
 * one non-empty segment: "/api/v1/customers/{id}/statement".  The table is
 * owned by the caller and must outlive every match.
 */
#ifndef QT_HTTP_ROUTER_H
#define QT_HTTP_ROUTER_H

#include "domain/role.h"
#include "http/request.h"

typedef int (*route_handler)(struct req *r);

enum route_auth {
	ROUTE_PUBLIC,    /* no token */
	ROUTE_TENANT,    /* tenant user token; min_role applies */
	ROUTE_OPERATOR,  /* platform operator token */
};

struct route {
	const char *method;
	const char *pattern;
	route_handler handler;
	enum route_auth auth;
	enum role min_role;     /* ROUTE_TENANT: the least role (ROLE_NONE = any member) */
	int writes;             /* write transaction; refused for a suspended store */
	int allow_suspended;    /* writes, yet allowed in a suspended store */
	int idempotent;         /* honours Idempotency-Key */
	int group_commit;       /* SQLite: applied in a batch by the one writer
	                         * (api/group_commit.h); its handler works only in
	                         * r->tx: it commits nothing itself, calls no
	                         * provider and streams nothing */
	int event_ticket;       /* ROUTE_TENANT: a single-use ?ticket= (POST /api/v1/events/ticket)
	                         * may stand for the access token (EventSource sends no headers) */
	const char *summary;    /* one line for the OpenAPI description */
	/* For a body parsed as it streams in: called once the head is in,
	 * before any body byte and before authentication; sets r->body_cap
	 * and r->sink.  NULL: the body is buffered (up to QT_BODY_LIMIT). */
	void (*prepare_body)(struct req *r);
};

enum { ROUTER_FOUND = 0, ROUTER_NOT_FOUND = -1, ROUTER_METHOD_NOT_ALLOWED = -2 };

/* Find the route for method+path.  On ROUTER_FOUND fills r->param_* and
 * *out.  On ROUTER_METHOD_NOT_ALLOWED writes the allowed methods, comma
 * separated, into allow (may be NULL).  Paths longer than 1024 bytes or with
 * more than 16 segments never match. */
int router_match(const struct route *routes, size_t nroutes, struct req *r,
	const struct route **out, char *allow, size_t allowlen);

#endif
