/*
 * dispatch.c — one request through the API: match the route, authenticate
 * (token, membership and role re-read, token version, store status), open
 * the request's transaction, replay or claim its Idempotency-Key, run the
 * handler, commit or roll back.  All of it happens here, before and after
 * any handler, so no handler can forget a step.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "api/api_keys.h"
#include "api/common.h"
#include "api/group_commit.h"
#include "api/handlers.h"
#include "api/ratelimit_gate.h"
#include "api/routes.h"
#include "domain/language.h"
#include "domain/role.h"
#include "http/router.h"
#include "security/jwt.h"
#include "security/token.h"
#include "store/store_events.h"
#include "store/store_idempotency.h"
#include "store/store_sessions.h"
#include "store/store_users.h"
#include "util/clock.h"
#include "util/hex.h"
#include "util/uuid.h"
#include "workers/member_cache.h"
#include "workers/usage_meter.h"

/* "Authorization: Bearer <token>" → token, or NULL. */
/* src into dst of cap bytes, cut to fit and terminated, as
 * snprintf("%s") would (NULL as ""): the caller's fields, a dozen a
 * request, without a format parser. */
static void copy_field(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strnlen(src, cap - 1) : 0;
	if (n)
		memcpy(dst, src, n);
	dst[n] = '\0';
}

static const char *bearer(struct req *r)
{
	const char *h = req_header(r, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

static int verify_token(struct req *r, struct jwt_claims *c)
{
	const char *tok = bearer(r);
	if (!tok) {
		resp_header(r, "WWW-Authenticate", "Bearer");
		return req_fail(r, 401, "unauthorized", "an access token is required (Authorization: Bearer ...)");
	}
	int rc = jwt_verify(tok, strlen(tok), r->app->jwt_key, r->app->jwt_key_len, clock_now_s(), c);
	if (rc != JWT_OK) {
		resp_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
		return req_failf(r, 401, rc == JWT_EEXPIRED ? "token_expired" : "invalid_token",
			"access token rejected: %s", jwt_strerror(rc));
	}
	return 0;
}

/*
 * An event ticket "<tenant id>.<43 base64url characters>" (made by
 * api/events.c) in place of a token: used once, in a transaction of its
 * own that commits before anything else happens, so a ticket cannot serve
 * two streams even across server processes.  On success *c holds what a
 * token would: the account, its store and its token version at issue.
 */
static int redeem_ticket(struct req *r, const char *ticket, struct jwt_claims *c)
{
	static const struct store_actor actor = { "event-ticket", "system", "", "" };
	enum event_ticket_state state = TICKET_UNKNOWN;
	struct store_tx *tx;
	char hash[65], *user_id = NULL;
	int64_t version = 0;

	size_t n = strlen(ticket);
	int shaped = n == 36 + 1 + TOKEN_LEN && ticket[36] == '.';
	for (size_t i = 37; shaped && i < n; i++) {
		char ch = ticket[i];
		shaped = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
			ch == '-' || ch == '_';
	}
	memset(c, 0, sizeof *c);
	if (shaped) {
		memcpy(c->tid, ticket, 36);
		c->tid[36] = '\0';
		shaped = uuid_valid(c->tid);
	}
	if (!shaped)
		return req_fail_field(r, 401, "invalid_ticket", "ticket", "is not an event ticket");
	token_hash(ticket, hash);
	int rc = store_begin_tenant(r->app->store, c->tid, 1, &actor, &tx);
	if (rc == STORE_OK)
		rc = store_event_ticket_use(tx, hash, clock_now_ms(), r->arena, &state, &user_id, &version);
	if (rc == STORE_OK && state == TICKET_VALID)
		rc = store_commit(tx);
	else
		store_rollback(tx);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	if (state == TICKET_USED)
		return req_fail_field(r, 401, "invalid_ticket", "ticket",
			"was already used: each ticket opens one stream (POST /api/v1/events/ticket for another)");
	if (state == TICKET_EXPIRED)
		return req_fail_field(r, 401, "invalid_ticket", "ticket", "has expired (tickets last 60 seconds)");
	if (state != TICKET_VALID)
		return req_fail_field(r, 401, "invalid_ticket", "ticket", "is not known");
	snprintf(c->sub, sizeof c->sub, "%s", user_id);
	c->ver = version;
	return 0;
}

static int auth_tenant(struct req *r, const struct route *rt)
{
	struct jwt_claims c;
	struct member_ctx m = { 0 };
	struct member_cache_mark mark;
	uint32_t features = 0;

	/* An integration's API key stands where a user's token would: it
	 * opens the transaction and reads the key's role and store into m
	 * (not cached: the key itself is looked up by hash first anyway). */
	const char *key = api_key_presented(r);
	if (key) {
		if (api_key_begin(r, rt, key, &m) < 0)
			return -1;
		features = r->caller.plan_features;
		goto caller;
	}
	/* A ticket counts only on the routes that take one, and only when no
	 * token is offered: every other route still needs the token. */
	const char *ticket = rt->event_ticket && !bearer(r) ? req_query(r, "ticket") : NULL;
	if (ticket) {
		if (redeem_ticket(r, ticket, &c) < 0)
			return -1;
	} else if (verify_token(r, &c) < 0) {
		return -1;
	}
	if (c.op)
		return req_fail(r, 403, "forbidden", "operator tokens cannot reach tenant data");
	/* The actor's strings must outlive this frame: the transaction keeps
	 * pointers to them for its audit rows. */
	copy_field(r->caller.user_id, sizeof r->caller.user_id, c.sub);
	/* Counted against the store's rate before its transaction opens. */
	if (api_rate_limit(r, c.tid, c.jti) < 0)
		return -1;
	struct store_actor actor = { r->caller.user_id, "member", r->request_id, r->client_ip };
	/* The membership, role, token version, store, plan and settings come
	 * from the member cache when it holds them, and then nothing about
	 * the caller is read; else from the request's transaction, and kept.
	 * A removal, a demotion or a sign-out is heard by the cache of this
	 * process before it is answered, and by every other process's within
	 * a second (workers/member_cache.h): the member loses access at once.
	 * The lookup comes before the transaction's first read. */
	int cached = member_cache_get(r->app->members, c.sub, c.tid, clock_mono_ms(), r->arena, &m,
		&features, &mark);
	int rc = store_begin_tenant(r->app->store, c.tid, rt->writes, &actor, &r->tx);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	if (!cached) {
		rc = store_member_context(r->tx, c.sub, r->arena, &m);
		if (rc == STORE_OK) {
			features = api_plan_features(m.plan, m.plan_updated_at, m.plan_features);
			member_cache_put(r->app->members, c.sub, c.tid, &mark, &m, features);
		}
	}
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && c.ver != m.token_version))
		api_rate_refund(r, c.tid, c.jti);   /* not the store's request after all */
	if (rc == STORE_NOT_FOUND)
		return req_fail(r, 401, "invalid_token", "access token rejected: no longer a member of this store");
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	/* Sign-out and a password change bump the account's token version:
	 * every access token issued before is refused from then on. */
	if (c.ver != m.token_version)
		return req_fail(r, 401, "invalid_token", "access token rejected: the session was ended (signed out or password changed)");
	copy_field(r->caller.tenant_id, sizeof r->caller.tenant_id, c.tid);
	copy_field(r->caller.jti, sizeof r->caller.jti, c.jti);
caller:
	r->caller.authenticated = 1;
	copy_field(r->caller.role, sizeof r->caller.role, m.role);
	copy_field(r->caller.tenant_slug, sizeof r->caller.tenant_slug, m.tenant_slug);
	copy_field(r->caller.tenant_status, sizeof r->caller.tenant_status, m.tenant_status);
	copy_field(r->caller.plan, sizeof r->caller.plan, m.plan);
	r->caller.plan_features = features;
	r->caller.plan_customer_limit = m.plan_customer_limit;
	r->caller.plan_storage_mb = m.plan_storage_mb;
	r->caller.plan_requests_per_min = m.plan_requests_per_min;
	copy_field(r->caller.email, sizeof r->caller.email, m.email);
	copy_field(r->caller.name, sizeof r->caller.name, m.name);
	copy_field(r->caller.tenant_name, sizeof r->caller.tenant_name, m.tenant_name);
	copy_field(r->caller.language, sizeof r->caller.language,
		language_code(language_from_code(m.language)) ? m.language : "");
	store_tx_set_actor_role(r->tx, arena_strdup(r->arena, m.role));
	if (!m.settings)
		return req_fail(r, 500, "settings_unavailable", "the store's settings could not be read");
	r->settings = m.settings;
	copy_field(r->caller.effective_language, sizeof r->caller.effective_language,
		r->caller.language[0] ? r->caller.language
		: language_code(language_of_locale(m.settings->locale)));
	if (rt->min_role && api_require_role(r, rt->min_role) < 0)
		return -1;
	/* A suspended store is read-only, but its people may still change
	 * their own password (it changes nothing of the store's). */
	if (rt->writes && strcmp(m.tenant_status, "active") != 0 && !rt->allow_suspended)
		return req_fail(r, 403, "tenant_suspended", "this store is suspended: it can be read but not changed");
	return 0;
}

static int auth_operator(struct req *r, const struct route *rt)
{
	struct jwt_claims c;
	struct operator_rec op;

	if (verify_token(r, &c) < 0)
		return -1;
	if (!c.op)
		return req_fail(r, 403, "forbidden", "platform routes need an operator token");
	copy_field(r->caller.user_id, sizeof r->caller.user_id, c.sub);
	struct store_actor actor = { r->caller.user_id, "operator", r->request_id, r->client_ip };
	int rc = store_begin_platform(r->app->store, rt->writes, &actor, &r->tx);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	/* The token's session must still be live (sign-out ends it at once);
	 * on PostgreSQL this also lets the transaction make platform changes. */
	rc = store_operator_session(r->tx, c.sid, r->arena, &op);
	if (rc == STORE_OK && strcmp(op.id, c.sub) != 0)
		rc = STORE_NOT_FOUND;
	if (rc == STORE_NOT_FOUND)
		return req_fail(r, 401, "invalid_token", "access token rejected: the operator's session has ended");
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	r->caller.authenticated = 1;
	r->caller.is_operator = 1;
	copy_field(r->caller.email, sizeof r->caller.email, op.email);
	return 0;
}

/* Idempotency-Key: returns 1 when the stored response was replayed, 0 to
 * run the handler, -1 on a problem. */
static int idempotency_begin(struct req *r)
{
	const char *key = req_header(r, "Idempotency-Key");
	char hash[65];
	int status = 0;
	char *body = NULL;

	if (!key)
		return 0;
	size_t n = strlen(key);
	if (n == 0 || n > 255)
		return req_fail_field(r, 400, "invalid_header", "Idempotency-Key", "must be 1-255 characters");
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)key[i] < 0x21 || (unsigned char)key[i] > 0x7e)
			return req_fail_field(r, 400, "invalid_header", "Idempotency-Key",
				"must be printable ASCII without spaces");
	struct buf b;
	buf_init(&b);
	buf_printf(&b, "%s %s\n", r->method, r->path);
	if (r->body_hashed) {
		/* A body parsed as it arrived was never kept: its digest
		 * stands for it. */
		char hex[65];
		hex_encode(r->body_sha256, sizeof r->body_sha256, hex);
		buf_printf(&b, "sha256:%s", hex);
	} else {
		buf_append(&b, r->body.data ? r->body.data : "", r->body.len);
	}
	sha256_hex(b.data, b.len, hash);
	buf_release(&b);

	int rc = store_idem_claim(r->tx, key, hash, r->arena, &status, &body);
	if (rc < 0)
		return api_store_fail(r, rc, NULL);
	if (rc == IDEM_MISMATCH)
		return req_fail(r, 409, "idempotency_key_reused",
			"this Idempotency-Key was already used with a different request");
	if (rc == IDEM_REPLAY) {
		if (status == 0)
			return req_fail(r, 409, "idempotency_key_in_use", "a request with this Idempotency-Key is still running");
		r->resp.status = status;
		r->resp.content_type = "application/json";
		if (body)
			buf_puts(&r->resp.body, body);
		resp_header(r, "Idempotent-Replayed", "true");
		return 1;
	}
	r->idempotency_key = arena_strdup(r->arena, key);
	return 0;
}

static void finish_tx(struct req *r, int ok)
{
	if (!r->tx)
		return;
	if (!ok) {
		store_rollback(r->tx);
		r->tx = NULL;
		return;
	}
	if (r->idempotency_key && r->resp.status < 300) {
		int rc = store_idem_complete(r->tx, r->idempotency_key, r->resp.status,
			r->resp.body.data ? r->resp.body.data : "");
		if (rc != STORE_OK) {
			store_rollback(r->tx);
			r->tx = NULL;
			api_store_fail(r, rc, NULL);
			return;
		}
	}
	int rc = store_commit(r->tx);
	r->tx = NULL;
	if (rc != STORE_OK) {
		r->resp.body.len = 0;
		api_store_fail(r, rc, NULL);
	}
}

void api_prepare(struct req *r)
{
	size_t nroutes;
	const struct route *routes = api_routes(&nroutes);
	const struct route *rt = NULL;
	if (router_match(routes, nroutes, r, &rt, NULL, 0) == ROUTER_FOUND && rt->prepare_body)
		rt->prepare_body(r);
}

int api_authenticate_early(struct req *r)
{
	size_t nroutes;
	const struct route *routes = api_routes(&nroutes);
	const struct route *rt = NULL;
	if (router_match(routes, nroutes, r, &rt, NULL, 0) != ROUTER_FOUND || rt->auth != ROUTE_TENANT)
		return req_fail(r, 500, "internal_error", "an internal error occurred");
	/* A read transaction: nothing is written before the body is in, and
	 * no write lock is held while it arrives. */
	struct route reading = *rt;
	reading.writes = 0;
	r->route = rt->pattern;
	if (auth_tenant(r, &reading) < 0 ||
	    (rt->writes && strcmp(r->caller.tenant_status, "active") != 0 && !rt->allow_suspended &&
	     req_fail(r, 403, "tenant_suspended", "this store is suspended: it can be read but not changed") < 0)) {
		store_rollback(req_take_tx(r));
		return -1;
	}
	return 0;
}

void api_dispatch(struct req *r)
{
	const struct route *rt = NULL;
	char allow[64];

	/* Shared statement pages: public, read-only, outside the web app. */
	if (strncmp(r->path, "/s/", 3) == 0) {
		r->route = "/s/{token}";
		h_shared_page(r);
		return;
	}
	if (strncmp(r->path, "/api/", 5) != 0 && strcmp(r->path, "/healthz") != 0 &&
	    strcmp(r->path, "/readyz") != 0 && strcmp(r->path, "/metrics") != 0) {
		r->route = "web";
		h_web(r);
		return;
	}
	size_t nroutes;
	const struct route *routes = api_routes(&nroutes);
	int m = router_match(routes, nroutes, r, &rt, allow, sizeof allow);
	if (m == ROUTER_NOT_FOUND) {
		req_failf(r, 404, "not_found", "no route for %s %.200s", r->method, r->path);
		return;
	}
	if (m == ROUTER_METHOD_NOT_ALLOWED) {
		resp_header(r, "Allow", arena_strdup(r->arena, allow));
		req_failf(r, 405, "method_not_allowed", "%s is not allowed here; allowed: %s", r->method, allow);
		return;
	}
	r->route = rt->pattern;
	/* SQLite's writes go to the one writer, which applies them in
	 * batches; this thread serves other connections meanwhile. */
	if (rt->group_commit && r->app->group_commit) {
		group_commit_submit(r->app->group_commit, r, rt);
		return;
	}
	api_dispatch_route(r, rt);
}

void api_dispatch_route(struct req *r, const struct route *rt)
{
	int rc = 0;
	if (rt->auth == ROUTE_TENANT) {
		rc = auth_tenant(r, rt);
		/* Every request of a signed-in store counts towards its usage,
		 * refused ones too; in memory, written every few seconds. */
		if (r->caller.authenticated && r->caller.tenant_id[0])
			usage_meter_count(r->app->usage, r->caller.tenant_id, clock_now_ms());
	}
	else if (rt->auth == ROUTE_OPERATOR)
		rc = auth_operator(r, rt);
	if (rc == 0 && rt->idempotent && r->tx) {
		rc = idempotency_begin(r);
		if (rc == 1) {
			finish_tx(r, 1);
			return;
		}
	}
	if (rc == 0)
		rc = rt->handler(r);
	finish_tx(r, rc == 0 && !r->problem.status);
}
