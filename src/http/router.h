/*
 * router.h — match a method and path against a table of route patterns.
 *
 * Patterns are literal segments and "{name}" parameters that match exactly
 * one non-empty segment: "/api/v1/customers/{id}/statement".  The table is
 * owned by the caller and must outlive every match.
 */
#ifndef QT_HTTP_ROUTER_H
#define QT_HTTP_ROUTER_H

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
	const char *min_role;   /* "viewer", "member", "admin", "owner" */
	int writes;             /* refused for a suspended tenant; write transaction */
	int idempotent;         /* honours Idempotency-Key */
	const char *summary;    /* one line for the OpenAPI description */
};

enum { ROUTER_FOUND = 0, ROUTER_NOT_FOUND = -1, ROUTER_METHOD_NOT_ALLOWED = -2 };

/* Find the route for method+path.  On ROUTER_FOUND fills r->param_* and
 * *out.  On ROUTER_METHOD_NOT_ALLOWED writes the allowed methods, comma
 * separated, into allow (may be NULL).  Paths longer than 1024 bytes or with
 * more than 16 segments never match. */
int router_match(const struct route *routes, size_t nroutes, struct req *r,
	const struct route **out, char *allow, size_t allowlen);

#endif
