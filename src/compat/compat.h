/*
 * compat.h — the Supabase-compatible layer: /auth/v1 (a GoTrue subset,
 * gotrue.c) and /rest/v1 (a PostgREST subset, postgrest.c) so that
 * supabase-js clients written for the prototype run against this server.
 *
 * It is a translator, never a second path to the data: each request runs
 * under the rules of the /api/v1 route it stands for (its authentication,
 * role, plan gates, rate limit, suspended-store check, Idempotency-Key
 * and transaction, api/dispatch.c), and reaches the data only through
 * that route's handlers, whose JSON it then reshapes.  Errors leave in
 * PostgREST's {code, details, hint, message} or GoTrue's {error,
 * error_description} shape.  docs/SUPABASE.md says what is taken.
 */
#ifndef QT_COMPAT_COMPAT_H
#define QT_COMPAT_COMPAT_H

#include "http/request.h"
#include "http/router.h"

/* Is path one of ours (/auth/v1/..., /rest/v1/...)? */
int compat_owns(const char *path);
/* Answer the request (api/dispatch.c calls this for compat_owns paths). */
void compat_dispatch(struct req *r);

/* GET /api/v1/settings/anon-key (admins): the store's anon key. */
int h_settings_anon_key(struct req *r);

/* ---- shared by gotrue.c and postgrest.c (compat.c) ---- */

/* What the apikey header said. */
struct compat_key {
	int present;          /* an apikey header came */
	int anon;             /* ... and it is a valid anon key: */
	char tenant_id[37];
	char slug[64];
	int service;          /* ... or an API key (qtk_...), checked by the route */
	const char *raw;
};

/* Read and check the apikey header into *k.  Returns 0, or -1 with
 * *status and *message saying why (401). */
int compat_apikey(struct req *r, struct compat_key *k, const char **message);

/* Run handler h under the rules of the /api/v1 route method+pattern (a
 * copy of it with h for its handler: same authentication, role, writes,
 * idempotency, never batched).  Returns the problem's status, or 0. */
int compat_run_as(struct req *r, const char *method, const char *pattern, route_handler h);

/* Call an /api/v1 handler from inside a compat handler: with query
 * parameters only from o (NULL: none), with body (NULL: empty), and return
 * its JSON answer (new reference) or NULL with the problem recorded.  The
 * handler's status goes to *status when not NULL. */
json_t *compat_call(struct req *r, route_handler h, struct req_overlay *o, const char *body,
	int *status);

/* Overlay helpers. */
void compat_overlay_query(struct req_overlay *o, const char *name, const char *value);
void compat_overlay_header(struct req_overlay *o, const char *name, const char *value);

/* Set path parameter name to value for the next compat_call. */
void compat_param(struct req *r, const char *name, const char *value);

/* Answer status with the JSON body (stolen) and the compat headers. */
int compat_json(struct req *r, int status, json_t *body);

/* gotrue.c */
void gotrue_dispatch(struct req *r);
/* postgrest.c */
void postgrest_dispatch(struct req *r);

#endif
