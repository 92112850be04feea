/*
 * ratelimit_gate.h — the per-store request rate limit at the door of
 * every tenant route (issue 11; the rule is security/ratelimit.h).
 *
 * api/dispatch.c counts each authenticated tenant request once the store
 * is known (from the access token or the API key) and before its
 * transaction opens: the lease, when one is needed, is a short write
 * transaction of its own, so it is never rolled back with the request and
 * never waits for a second pooled connection while holding one.  Public
 * routes (/healthz, /readyz, the store lookup, sign-in, webhooks, shared
 * statements) and operator routes are not counted; sign-in has its own
 * throttles.
 */
#ifndef QT_API_RATELIMIT_GATE_H
#define QT_API_RATELIMIT_GATE_H

#include "http/request.h"
#include "store/store.h"

struct api_ratelimit;

/* The limiter of one server process over store s: shared = 1 leases from
 * the store's row in the database (PostgreSQL, several processes);
 * shared = 0 keeps exact buckets in this process (SQLite).  NULL on OOM. */
struct api_ratelimit *api_ratelimit_open(struct store *s, int shared);
void api_ratelimit_close(struct api_ratelimit *g);

/* Count one request of store tenant_id made with credential (an access
 * token's id; NULL for an API key, whose dead ones fail before): sets
 * RateLimit-Limit,
 * RateLimit-Remaining, RateLimit-Reset and RateLimit-Policy on the
 * response (kept on any problem it meets later), and returns 0; or
 * records 429 rate_limited with Retry-After and returns -1.  A plan
 * without a rate sets no headers.  No limiter (r->app->ratelimit NULL)
 * counts nothing.  A credential api_rate_refund found dead is not
 * counted (nor given headers) again. */
int api_rate_limit(struct req *r, const char *tenant_id, const char *credential);
/* Un-count the request api_rate_limit counted for tenant_id when its
 * token turns out to name no member of the store any more (removed, or
 * signed out): such a request does not spend the store's rate, and
 * neither will the token's next ones in this process (a token that stops
 * naming a member never names one again). */
void api_rate_refund(struct req *r, const char *tenant_id, const char *credential);

#endif
