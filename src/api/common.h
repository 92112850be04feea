/*
 * common.h — helpers every API handler uses: mapping store errors to
 * problems, the request's tenant settings, JSON output of times and
 * money, query-string parsing with errors naming the parameter.
 */
#ifndef QT_API_COMMON_H
#define QT_API_COMMON_H

#include <jansson.h>
#include <stdint.h>

#include "app.h"
#include "domain/role.h"
#include "http/request.h"
#include "store/store_settings.h"
#include "util/jsonw.h"

/* The one place a store code becomes an HTTP problem.  `what` names the
 * thing looked up ("customer") for 404s.  STORE_OVERFLOW (a SUM in SQL past
 * int64) becomes api_overflow(r, "a sum of amounts", NULL); handlers that
 * know which figure it was check for it first.  Always returns -1. */
int api_store_fail(struct req *r, int rc, const char *what);

/* The one problem for a sum of money that does not fit int64 (in C or in
 * SQL): 422 amount_overflow, detail "<what>: more than 9223372036854775807
 * minor units, ...", and "overflowed": the response fields concerned, as
 * given in the NULL-terminated list after `what` (JSON paths such as
 * "days[].sales_minor"; none is an empty list).  Always returns -1. */
int api_overflow(struct req *r, const char *what, ...) __attribute__((sentinel));

/* RFC 3339 UTC with milliseconds, or JSON null for 0 when nullable. */
json_t *api_time(int64_t unix_ms);
json_t *api_time_or_null(int64_t unix_ms);
json_t *api_str_or_null(const char *s);

/* The handler takes the request's transaction: the dispatcher then
 * neither commits nor rolls it back, and the taker must (a streamed
 * response reading through it ends it in its done()).  NULL when the
 * route has none. */
struct store_tx *req_take_tx(struct req *r);

/* For a route's prepare_body: authenticate the request as the dispatcher
 * will (token, membership, role, a suspended store for a writing route),
 * before any of its body is read, so that a refusal can be answered
 * without taking the body.  Returns 0 with r->caller filled and r->tx a
 * read transaction the caller must end (store_rollback(req_take_tx(r)));
 * or -1 with the problem recorded and no transaction.  The dispatcher
 * authenticates again once the body is in. */
int api_authenticate_early(struct req *r);

/* The caller's store settings, read with the membership by the dispatcher
 * (tenant routes only: it answers 500 when they cannot be read). */
const struct settings_rec *api_settings(struct req *r);

/* Query parameters.  Each returns 0 (absent: *out unchanged), 1 (set) or
 * -1 with a 400/422 problem naming the parameter. */
int api_query_int(struct req *r, const char *name, int64_t min, int64_t max, int64_t *out);
int api_query_date(struct req *r, const char *name, int64_t *days);
int api_query_bool(struct req *r, const char *name, int *out);
/* ?limit= (1-200, default 50). */
int api_query_limit(struct req *r, int *limit);
/* ?from&to as local dates in timezone, inclusive, into [*from_ms, *to_ms)
 * (left as they are when absent); -1 with a 400 naming the field. */
int api_query_local_range(struct req *r, const char *timezone, int64_t *from_ms, int64_t *to_ms);

/* Keyset paging over (time, id), newest first: ?cursor= parsed into
 * *after_ms and *after_id (left as they are when absent; 400 naming
 * "cursor" when it is not one of ours), and the cursor after the last
 * row shown (arena). */
int api_keyset_cursor(struct req *r, int64_t *after_ms, const char **after_id);
const char *api_keyset_next(struct req *r, int64_t last_ms, const char *last_id);

/* scheme://host[:port] of links handed out (QT_PUBLIC_URL, else the
 * request's Host; https only when a trusted proxy says so); NULL with a
 * 400 naming Host when it cannot go into a link.  (api/shares.c) */
const char *api_public_base(struct req *r);

/* A list response {"data": [...], "next_cursor": ...}. */
int api_list(struct req *r, json_t *data, const char *next_cursor);
/* The same envelope written straight into the response (util/jsonw.h):
 * open, write each item into w, close.  api_list_close returns 0. */
void api_list_open(struct req *r, struct jw *w);
int api_list_close(struct jw *w, const char *next_cursor);

/* Role of the caller meets the minimum? else 403 forbidden. */
int api_require_role(struct req *r, enum role min_role);

/* Does the caller's plan include `feature` (a plan.h name)? else 403
 * feature_not_in_plan naming it.  Reads r->caller.plan_features. */
int api_require_feature(struct req *r, const char *feature);

/* The feature bit set of plan `plan` at `version` (the plan row's
 * updated_at), parsing features_json only when this plan and version are
 * not cached yet.  Thread-safe. */
uint32_t api_plan_features(const char *plan, int64_t version, const char *features_json);

/* Actor for audit rows from the request. */
struct store_actor api_actor(struct req *r);

#endif
