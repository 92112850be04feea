/*
 * api_keys.h — how api/dispatch.c lets a request in on an API key
 * instead of a user's access token (the key routes' handlers are in
 * handlers.h; the whole story in api/api_keys.c and docs/API-KEYS.md).
 */
#ifndef QT_API_API_KEYS_H
#define QT_API_API_KEYS_H

#include "http/request.h"
#include "http/router.h"
#include "store/store_users.h"

/* The API key the request presents — the X-API-Key header, else an
 * "Authorization: Bearer qtk_..." — or NULL when it presents none (then
 * it is a user's access token, or nothing). */
const char *api_key_presented(struct req *r);

/*
 * Authenticate the request on `key` for route rt: find the live key by
 * its hash, refuse an expired one, count the request against its store's
 * rate (api_rate_limit), refuse the routes no key may use, record its use
 * (at most once a minute), open the request's transaction (r->tx) acting
 * as the key, and read the key's role, store, plan and settings again in
 * it into *m, as store_member_context does for a member.  Also sets
 * r->caller.user_id and api_key_id (the key's id), tenant_id, plan and
 * plan_features (a plan without api_keys refuses the key).  Returns 0, or
 * -1 with the problem recorded: 401 invalid_api_key / api_key_expired,
 * 400 invalid_header (a second, different credential), 403
 * api_key_not_allowed, 403 feature_not_in_plan, 429 rate_limited.
 */
int api_key_begin(struct req *r, const struct route *rt, const char *key, struct member_ctx *m);

#endif
