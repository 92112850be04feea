/*
 * api_keys.c — API keys for integrations (issue 11, docs/API-KEYS.md).
 *
 * Managing them (plan feature api_keys, owners only):
 *   POST   /api/v1/api-keys {name, role, expires_at?}  201, the key shown once
 *   GET    /api/v1/api-keys                            the live keys, never the key
 *   DELETE /api/v1/api-keys/{id}                       revoked at once
 *
 * Using one: "Authorization: Bearer qtk_..." or "X-API-Key: qtk_..." acts in
 * the key's store with the key's role (api/dispatch.c calls api_key_begin
 * where it would read a user's token).  A key is found by the SHA-256 of
 * its text on every request, and its row is read again inside the
 * request's own transaction: a revoked key stops at its next request on
 * every server process, with nothing cached to invalidate.
 *
 * What a key may not do, whatever its role: manage people, keys or
 * sessions (/users, /api-keys, /auth/...: 403 api_key_not_allowed), nor
 * change the WhatsApp provider, its config or its secrets (they decide
 * where the store's provider credentials go).  Its changes are audited
 * with the key's id as the actor, like any change; its reads are not in
 * the audit trail (it records changes) but each request is in the access
 * log with "api_key", and last_used_at says when it was last used (to the
 * minute: the row is written at most once a minute).
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "api/api_keys.h"
#include "api/common.h"
#include "api/handlers.h"
#include "api/ratelimit_gate.h"
#include "domain/role.h"
#include "http/jsonin.h"
#include "security/token.h"
#include "store/store_api_keys.h"
#include "util/base64url.h"
#include "util/civil.h"
#include "util/clock.h"
#include "util/idtext.h"
#include "util/log.h"
#include "util/uuid.h"

#define KEY_PREFIX "qtk_"
#define KEY_PREFIX_LEN 4
#define KEY_LEN (KEY_PREFIX_LEN + TOKEN_LEN)   /* "qtk_" + 32 bytes base64url */
#define KEY_SHOWN_CHARS 8                      /* the prefix a list shows */
#define KEY_TOUCH_GAP_MS 60000                 /* last_used_at: at most once a minute */
#define KEY_NAME_MAX 100

/* ---- using a key ---- */

static const char *bearer_key(struct req *r)
{
	const char *h = req_bearer(r);
	return h && strncmp(h, KEY_PREFIX, KEY_PREFIX_LEN) == 0 ? h : NULL;
}

const char *api_key_presented(struct req *r)
{
	const char *x = req_header(r, "X-API-Key");
	return x ? x : bearer_key(r);
}

/* "qtk_" and 43 characters that decode to 32 bytes. */
static int key_well_formed(const char *key)
{
	uint8_t raw[BASE64URL_DECODED_MAX(TOKEN_LEN)];
	size_t n;
	if (strlen(key) != KEY_LEN || strncmp(key, KEY_PREFIX, KEY_PREFIX_LEN) != 0)
		return 0;
	int ok = base64url_decode(key + KEY_PREFIX_LEN, TOKEN_LEN, raw, sizeof raw, &n) == 0 && n == 32;
	sodium_memzero(raw, sizeof raw);
	return ok;
}

static int key_refused(struct req *r, const char *code, const char *detail)
{
	resp_header(r, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
	return req_fail(r, 401, code, detail);
}

/* People, keys and sessions are for people to manage. */
static int route_refuses_keys(const struct route *rt)
{
	static const char *const prefixes[] = { "/api/v1/users", "/api/v1/api-keys", "/api/v1/auth/" };
	for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
		if (strncmp(rt->pattern, prefixes[i], strlen(prefixes[i])) == 0)
			return 1;
	return 0;
}

/* PATCH /settings: the WhatsApp provider, its config (which holds the
 * provider's base URL) and its secrets stay with people.  A body that is
 * not JSON is left for the handler to refuse. */
static int settings_change_refuses_keys(struct req *r, const struct route *rt)
{
	static const char *const fields[] = { "whatsapp_provider", "whatsapp_config", "whatsapp_secrets" };
	if (strcmp(rt->pattern, "/api/v1/settings") != 0 || strcmp(r->method, "PATCH") != 0)
		return 0;
	json_t *body = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
	const char *field = NULL;
	for (size_t i = 0; json_is_object(body) && i < sizeof fields / sizeof fields[0] && !field; i++)
		if (json_object_get(body, fields[i]))
			field = fields[i];
	/* The secrets' values are wiped before the body goes. */
	json_t *secrets = json_object_get(body, "whatsapp_secrets");
	const char *k;
	json_t *v;
	json_object_foreach(secrets, k, v)
		if (json_is_string(v))
			sodium_memzero((void *)(uintptr_t)json_string_value(v), json_string_length(v));
	json_decref(body);
	if (!field)
		return 0;
	req_fail_field(r, 403, "api_key_not_allowed", field,
		"an API key cannot change the WhatsApp provider, its settings or its secrets");
	return 1;
}

int api_key_begin(struct req *r, const struct route *rt, const char *key, struct member_ctx *m)
{
	struct store_tx *tx = NULL;
	struct api_key_hit hit;
	char hash[TOKEN_HASH_LEN + 1];
	int64_t expires_at = 0, now = clock_now_ms();

	/* One credential per request: which of two would have acted? */
	const char *auth = req_header(r, "Authorization");
	const char *x = req_header(r, "X-API-Key");
	if (x && auth && !(bearer_key(r) && strcmp(bearer_key(r), x) == 0))
		return req_fail_field(r, 400, "invalid_header", "X-API-Key",
			"send either Authorization or X-API-Key, not both");
	if (!key_well_formed(key))
		return key_refused(r, "invalid_api_key", "API key rejected: not a QuantumTrack API key (qtk_...)");
	token_hash(key, hash);

	/* Which store: found by the key's hash before any tenant is known. */
	int rc = store_begin_platform(r->app->store, 0, NULL, &tx);
	if (rc == STORE_OK) {
		rc = store_api_key_lookup(tx, hash, r->arena, &hit);
		store_rollback(tx);
		tx = NULL;
	}
	if (rc == STORE_NOT_FOUND)
		return key_refused(r, "invalid_api_key", "API key rejected: unknown or revoked");
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	if (hit.expires_at && now >= hit.expires_at)
		return key_refused(r, "api_key_expired", "API key rejected: it has expired");
	/* The actor's strings outlive this frame: audit rows point at them. */
	snprintf(r->caller.user_id, sizeof r->caller.user_id, "%s", hit.id);
	snprintf(r->caller.api_key_id, sizeof r->caller.api_key_id, "%s", hit.id);
	snprintf(r->caller.tenant_id, sizeof r->caller.tenant_id, "%s", hit.tenant_id);

	/* A key's requests count against its store like anyone's. */
	if (api_rate_limit(r, hit.tenant_id, NULL) < 0)
		return -1;
	if (route_refuses_keys(rt))
		return req_failf(r, 403, "api_key_not_allowed",
			"an API key cannot use %s %s: members, API keys and sessions are managed by people",
			r->method, rt->pattern);

	/* last_used_at, at most once a minute, in a transaction of its own so
	 * that a request that fails still counts as a use. */
	if (now - hit.last_used_at >= KEY_TOUCH_GAP_MS) {
		int written;
		rc = store_begin_tenant(r->app->store, hit.tenant_id, 1, NULL, &tx);
		if (rc == STORE_OK && store_api_key_touch(tx, hit.id, now, KEY_TOUCH_GAP_MS, &written) == STORE_OK)
			rc = store_commit(tx);
		else if (rc == STORE_OK)
			store_rollback(tx);
		tx = NULL;
		if (rc != STORE_OK)
			log_warn("api key %s: could not record its use", hit.id);
	}

	struct store_actor actor = { r->caller.user_id, hit.role, r->request_id, r->client_ip };
	rc = store_begin_tenant(r->app->store, hit.tenant_id, rt->writes, &actor, &r->tx);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	/* Read again in the request's own snapshot: revoked since the lookup
	 * is revoked now. */
	rc = store_api_key_context(r->tx, hit.id, r->arena, m, &expires_at);
	if (rc == STORE_NOT_FOUND)
		return key_refused(r, "invalid_api_key", "API key rejected: unknown or revoked");
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	if (expires_at && now >= expires_at)
		return key_refused(r, "api_key_expired", "API key rejected: it has expired");
	/* Keys work while the store's plan has them: after a downgrade they
	 * stay on record but answer 403 until the plan has them again. */
	snprintf(r->caller.plan, sizeof r->caller.plan, "%s", m->plan);
	r->caller.plan_features = api_plan_features(m->plan, m->plan_updated_at, m->plan_features);
	if (api_require_feature(r, "api_keys") < 0)
		return -1;
	if (settings_change_refuses_keys(r, rt))
		return -1;
	return 0;
}

/* ---- managing keys (owners) ---- */

static json_t *key_json(const struct api_key_rec *k)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(k->id));
	json_object_set_new(o, "name", json_string(k->name));
	json_object_set_new(o, "role", json_string(k->role));
	json_object_set_new(o, "prefix", json_string(k->prefix));
	json_object_set_new(o, "created_at", api_time(k->created_at));
	json_object_set_new(o, "last_used_at", api_time_or_null(k->last_used_at));
	json_object_set_new(o, "expires_at", api_time_or_null(k->expires_at));
	return o;
}

/* What an audit row records of a key: never its text or hash. */
static json_t *key_audit(const struct api_key_rec *k)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_string(k->id));
	json_object_set_new(o, "name", json_string(k->name));
	json_object_set_new(o, "role", json_string(k->role));
	json_object_set_new(o, "prefix", json_string(k->prefix));
	json_object_set_new(o, "expires_at_ms", k->expires_at ? json_integer((json_int_t)k->expires_at) : json_null());
	json_object_set_new(o, "revoked_at_ms", k->revoked_at ? json_integer((json_int_t)k->revoked_at) : json_null());
	return o;
}

int h_api_keys_list(struct req *r)
{
	struct api_key_rec *keys;
	int n;
	if (api_require_feature(r, "api_keys") < 0)
		return -1;
	int rc = store_api_key_list(r->tx, r->arena, &keys, &n);
	if (rc != STORE_OK)
		return api_store_fail(r, rc, NULL);
	json_t *data = json_array();
	for (int i = 0; i < n; i++)
		json_array_append_new(data, key_json(&keys[i]));
	return api_list(r, data, NULL);
}

int h_api_keys_create(struct req *r)
{
	static const struct jfield fields[] = {
		{ "name", JF_STRING, 1, 0, KEY_NAME_MAX },
		{ "role", JF_STRING, 1, 0, 16 },
		{ "expires_at", JF_STRING, 0, 1, 40 },
	};
	char secret[TOKEN_LEN + 1], key[KEY_LEN + 1], hash[TOKEN_HASH_LEN + 1], id[37];
	struct api_key_rec k;
	int64_t now = clock_now_ms();
	int rc = -1;

	if (api_require_feature(r, "api_keys") < 0)
		return -1;
	json_t *body = jsonin_object(r, fields, sizeof fields / sizeof fields[0]);
	if (!body)
		return -1;
	memset(&k, 0, sizeof k);
	k.name = arena_strdup(r->arena, jsonin_str(body, "name", ""));
	k.role = arena_strdup(r->arena, jsonin_str(body, "role", ""));
	const char *expires = jsonin_str(body, "expires_at", NULL);
	if (!k.name[0] || text_has_control_chars(k.name)) {
		req_fail_field(r, 422, "validation_failed", "name",
			"must be 1-100 characters without control characters");
		goto out;
	}
	enum role role = role_parse(k.role);
	if (role != ROLE_ADMIN && role != ROLE_MEMBER && role != ROLE_VIEWER) {
		req_fail_field(r, 422, "validation_failed", "role", "must be admin, member or viewer");
		goto out;
	}
	if (expires) {
		if (civil_parse_rfc3339(expires, &k.expires_at) < 0) {
			req_fail_field(r, 422, "validation_failed", "expires_at",
				"must be an RFC 3339 time such as 2027-03-31T00:00:00Z");
			goto out;
		}
		if (k.expires_at <= now) {
			req_fail_field(r, 422, "validation_failed", "expires_at", "must be in the future");
			goto out;
		}
	}
	token_random(secret);
	snprintf(key, sizeof key, "%s%s", KEY_PREFIX, secret);
	sodium_memzero(secret, sizeof secret);
	token_hash(key, hash);
	uuid_v7(id);
	k.id = id;
	k.prefix = arena_strndup(r->arena, key, KEY_SHOWN_CHARS);
	k.created_at = now;
	rc = store_api_key_insert(r->tx, &k, hash);
	if (rc == STORE_OK) {
		json_t *after = key_audit(&k);
		rc = store_audit(r->tx, "api_key.created", "api_key", k.id, NULL, after);
		json_decref(after);
	}
	if (rc != STORE_OK) {
		rc = api_store_fail(r, rc, "API key");
		goto out;
	}
	json_t *o = key_json(&k);
	json_object_set_new(o, "key", json_string(key));
	rc = resp_json(r, 201, o);
out:
	sodium_memzero(key, sizeof key);
	json_decref(body);
	return rc;
}

int h_api_keys_revoke(struct req *r)
{
	const char *id = req_param(r, "id");
	struct api_key_rec before, after;
	if (api_require_feature(r, "api_keys") < 0)
		return -1;
	int rc = store_api_key_get(r->tx, id, r->arena, &before);
	if (rc == STORE_OK && before.revoked_at)
		rc = STORE_NOT_FOUND;
	if (rc == STORE_OK)
		rc = store_api_key_revoke(r->tx, id, clock_now_ms());
	if (rc == STORE_OK)
		rc = store_api_key_get(r->tx, id, r->arena, &after);
	if (rc == STORE_OK) {
		json_t *b = key_audit(&before), *a = key_audit(&after);
		rc = store_audit(r->tx, "api_key.revoked", "api_key", id, b, a);
		json_decref(b);
		json_decref(a);
	}
	if (rc != STORE_OK)
		return api_store_fail(r, rc, "API key");
	return resp_empty(r, 204);
}
