/* test_session.c — the session flows without a server: what is refused
 * before any lookup, the throttle keys, and sign-in, refresh rotation,
 * reuse, sign-out and password change against a temporary SQLite store. */
#include <sodium.h>
#include <stdlib.h>
#include <unistd.h>

#include "check.h"
#include "cli/cli.h"
#include "security/jwt.h"
#include "security/password.h"
#include "security/session.h"
#include "security/throttle.h"
#include "store/store.h"
#include "store/store_operators.h"
#include "store/store_sessions.h"
#include "store/store_tenants.h"
#include "store/store_users.h"
#include "util/arena.h"
#include "util/clock.h"

#define NOW_MS 1767225600000LL   /* 2026-01-01T00:00:00Z */

__attribute__((constructor(101))) static void setup(void)
{
	if (sodium_init() < 0)
		abort();
}

static const uint8_t jwt_key[32] = "0123456789abcdef0123456789abcdef";

/* An environment on store s (NULL: a flow that touches it crashes, which
 * proves it did not) with fresh throttles of max_failures per key. */
static struct session_env env_new(struct store *s, int max_failures)
{
	return (struct session_env){
		.store = s,
		.arena = arena_new(),
		.jwt_key = jwt_key,
		.jwt_key_len = sizeof jwt_key,
		.access_ttl_s = 900,
		.refresh_ttl_s = 3600,
		.by_account = throttle_new(max_failures, 900, 300),
		.by_ip = throttle_new(max_failures * 4, 900, 300),
		.client_ip = "192.0.2.7",
		.request_id = "test-session",
		.now_ms = NOW_MS,
	};
}

static void env_free(struct session_env *env)
{
	throttle_free(env->by_account);
	throttle_free(env->by_ip);
	arena_free(env->arena);
}

TEST(every_outcome_has_its_own_name)
{
	const char *seen[SESSION_INTERNAL + 1];
	for (int o = SESSION_OK; o <= SESSION_INTERNAL; o++) {
		seen[o] = session_outcome_name((enum session_outcome)o);
		CHECK(strcmp(seen[o], "unknown") != 0);
		for (int p = 0; p < o; p++)
			CHECK(strcmp(seen[o], seen[p]) != 0);
	}
	CHECK_STR(session_outcome_name(SESSION_OK), "ok");
	CHECK_STR(session_outcome_name(SESSION_TOKEN_REUSED), "token_reused");
	CHECK_STR(session_outcome_name((enum session_outcome)(SESSION_INTERNAL + 1)), "unknown");
}

TEST(throttle_keys_keep_kinds_and_stores_apart)
{
	struct arena *a = arena_new();
	CHECK_STR(session_login_key(a, "corner-shop", "x@example.com"), "login:11:corner-shop:x@example.com");
	CHECK_STR(session_operator_key(a, "x@example.com"), "operator:x@example.com");
	CHECK_STR(session_password_key(a, "t-1", "u-1"), "password:t-1:u-1");
	/* A store called "operator" is not the operators. */
	CHECK(strcmp(session_login_key(a, "operator", "x@example.com"),
		session_operator_key(a, "x@example.com")) != 0);
	/* The slug of a sign-in is whatever the client sent, colons too. */
	CHECK(strcmp(session_login_key(a, "a", "b:x@example.com"),
		session_login_key(a, "a:b", "x@example.com")) != 0);
	arena_free(a);
}

TEST(email_is_compared_in_lower_case)
{
	struct arena *a = arena_new();
	CHECK_STR(session_email_lower(a, "Owner@Example.COM"), "owner@example.com");
	CHECK_STR(session_email_lower(a, NULL), "");
	arena_free(a);
}

TEST(over_long_password_is_refused_before_any_lookup)
{
	struct session_env env = env_new(NULL, 5);
	struct session_result res;
	char pw[PASSWORD_MAX_BYTES + 2];
	memset(pw, 'p', sizeof pw - 1);
	pw[sizeof pw - 1] = '\0';

	CHECK_INT(session_login(&env, "shop", "x@example.com", pw, &res), SESSION_PASSWORD_TOO_LONG);
	CHECK_INT(res.outcome, SESSION_PASSWORD_TOO_LONG);
	CHECK_STR(res.input, "password");
	CHECK_INT(session_operator_login(&env, "x@example.com", pw, &res), SESSION_PASSWORD_TOO_LONG);
	CHECK_INT(session_password_change(&env, NULL, "t-1", "u-1", pw, "new password", &res),
		SESSION_PASSWORD_TOO_LONG);
	CHECK_STR(res.input, "current_password");
	/* Not a failed attempt: nothing was counted. */
	CHECK_INT(throttle_size(env.by_account), 0);
	env_free(&env);
}

TEST(locked_out_account_is_refused_before_any_lookup)
{
	struct session_env env = env_new(NULL, 2);
	struct session_result res;
	const char *key = session_login_key(env.arena, "shop", "x@example.com");
	throttle_fail(env.by_account, key, NOW_MS / 1000);
	throttle_fail(env.by_account, key, NOW_MS / 1000);

	/* The email is compared in lower case, the key too. */
	CHECK_INT(session_login(&env, "shop", "X@Example.com", "whatever1", &res), SESSION_THROTTLED);
	CHECK_INT(res.retry_after, 300);
	env.now_ms += 100 * 1000;
	CHECK_INT(session_login(&env, "shop", "x@example.com", "whatever1", &res), SESSION_THROTTLED);
	CHECK_INT(res.retry_after, 200);

	const char *pkey = session_password_key(env.arena, "t-1", "u-1");
	throttle_fail(env.by_account, pkey, env.now_ms / 1000);
	throttle_fail(env.by_account, pkey, env.now_ms / 1000);
	CHECK_INT(session_password_change(&env, NULL, "t-1", "u-1", "current1", "next-password", &res),
		SESSION_THROTTLED);
	env_free(&env);
}

TEST(locked_out_client_address_is_refused)
{
	struct session_env env = env_new(NULL, 1);
	struct session_result res;
	for (int i = 0; i < 4; i++)
		throttle_fail(env.by_ip, env.client_ip, NOW_MS / 1000);
	CHECK_INT(session_operator_login(&env, "someone@example.com", "whatever1", &res), SESSION_THROTTLED);
	CHECK(res.retry_after > 0);
	env_free(&env);
}

/* ---- Against a store ---- */

struct fixture {
	char path[64];
	struct store *store;
	struct arena *arena;
	struct tenant_rec alpha, beta;
};

static int fixture_open(struct fixture *f)
{
	char url[96], err[256];
	snprintf(f->path, sizeof f->path, "/tmp/qt-session-XXXXXX");
	int fd = mkstemp(f->path);
	if (fd < 0)
		return -1;
	close(fd);
	snprintf(url, sizeof url, "sqlite:%s", f->path);
	f->arena = arena_new();
	if (store_open(url, 1, &f->store, err, sizeof err) != STORE_OK ||
	    store_migrate(f->store, NULL, err, sizeof err) != STORE_OK) {
		fprintf(stderr, "  %s\n", err);
		return -1;
	}
	if (cli_tenant_create(f->store, "alpha", "Alpha", "free", NULL, "owner@example.com",
		"Alpha Owner", "alpha-password", f->arena, &f->alpha) != STORE_OK)
		return -1;
	/* The same email in another store is another account. */
	if (cli_tenant_create(f->store, "beta", "Beta", "free", NULL, "owner@example.com",
		"Beta Owner", "beta-password", f->arena, &f->beta) != STORE_OK)
		return -1;
	return 0;
}

static void fixture_close(struct fixture *f)
{
	store_close(f->store);
	arena_free(f->arena);
	unlink(f->path);
	char side[80];
	snprintf(side, sizeof side, "%s-wal", f->path);
	unlink(side);
	snprintf(side, sizeof side, "%s-shm", f->path);
	unlink(side);
}

TEST(sign_in_checks_the_password_of_that_store_only)
{
	struct fixture f;
	CHECK_INT(fixture_open(&f), 0);
	struct session_env env = env_new(f.store, 5);
	struct session_result res;

	CHECK_INT(session_login(&env, "alpha", "owner@example.com", "beta-password", &res),
		SESSION_INVALID_CREDENTIALS);
	CHECK_INT(session_login(&env, "gamma", "owner@example.com", "alpha-password", &res),
		SESSION_INVALID_CREDENTIALS);
	CHECK_INT(session_login(&env, "alpha", "nobody@example.com", "alpha-password", &res),
		SESSION_INVALID_CREDENTIALS);
	/* Each failure counts against its own account key. */
	CHECK_INT(throttle_size(env.by_account), 3);

	CHECK_INT(session_login(&env, "alpha", "Owner@Example.com", "alpha-password", &res), SESSION_OK);
	CHECK_STR(res.tenant.slug, "alpha");
	CHECK_STR(res.tenant.id, f.alpha.id);
	CHECK_STR(res.role, "owner");
	CHECK_STR(res.account.email, "owner@example.com");
	CHECK_STR(res.account.name, "Alpha Owner");
	CHECK_INT(res.is_operator, 0);
	CHECK_INT(res.expires_in, 900);
	CHECK_INT(res.refresh_ttl_s, 3600);
	CHECK_INT(strlen(res.refresh_token), TOKEN_LEN);

	struct jwt_claims c;
	CHECK_INT(jwt_verify(res.access_token, strlen(res.access_token), jwt_key, sizeof jwt_key,
		NOW_MS / 1000, &c), JWT_OK);
	CHECK_STR(c.sub, res.account.id);
	CHECK_STR(c.tid, f.alpha.id);
	CHECK_STR(c.role, "owner");
	CHECK_INT(c.exp - c.iat, 900);
	CHECK_INT(c.op, 0);

	session_result_wipe(&res);
	CHECK_INT(res.access_token[0], 0);
	CHECK_INT(res.refresh_token[0], 0);
	env_free(&env);
	fixture_close(&f);
}

TEST(refresh_rotates_and_a_reused_token_ends_the_session)
{
	struct fixture f;
	CHECK_INT(fixture_open(&f), 0);
	struct session_env env = env_new(f.store, 5);
	struct session_result res;
	char first[TOKEN_LEN + 1], second[TOKEN_LEN + 1];

	CHECK_INT(session_login(&env, "alpha", "owner@example.com", "alpha-password", &res), SESSION_OK);
	snprintf(first, sizeof first, "%s", res.refresh_token);

	/* Shown in another store: refused, and the token stays good. */
	CHECK_INT(session_refresh(&env, first, "beta", &res), SESSION_WRONG_STORE);
	env.now_ms += 1000;
	CHECK_INT(session_refresh(&env, first, "alpha", &res), SESSION_OK);
	snprintf(second, sizeof second, "%s", res.refresh_token);
	CHECK(strcmp(first, second) != 0);
	CHECK_STR(res.tenant.slug, "alpha");
	CHECK_STR(res.role, "owner");
	CHECK_STR(res.account.name, "Alpha Owner");

	/* The first one again: someone kept a copy.  Its whole family ends,
	 * the token issued in its place too. */
	CHECK_INT(session_refresh(&env, first, NULL, &res), SESSION_TOKEN_REUSED);
	CHECK_INT(session_refresh(&env, second, NULL, &res), SESSION_TOKEN_REVOKED);
	CHECK_INT(session_refresh(&env, "not-a-token-we-issued", NULL, &res), SESSION_TOKEN_INVALID);

	/* Past its lifetime. */
	CHECK_INT(session_login(&env, "alpha", "owner@example.com", "alpha-password", &res), SESSION_OK);
	snprintf(first, sizeof first, "%s", res.refresh_token);
	env.now_ms += 3601 * 1000LL;
	CHECK_INT(session_refresh(&env, first, NULL, &res), SESSION_EXPIRED);
	env_free(&env);
	fixture_close(&f);
}

TEST(sign_out_ends_every_session_of_the_account)
{
	struct fixture f;
	CHECK_INT(fixture_open(&f), 0);
	struct session_env env = env_new(f.store, 5);
	struct session_result res;
	char laptop[TOKEN_LEN + 1], phone[TOKEN_LEN + 1], other_store[TOKEN_LEN + 1];

	CHECK_INT(session_login(&env, "alpha", "owner@example.com", "alpha-password", &res), SESSION_OK);
	snprintf(laptop, sizeof laptop, "%s", res.refresh_token);
	CHECK_INT(session_login(&env, "alpha", "owner@example.com", "alpha-password", &res), SESSION_OK);
	snprintf(phone, sizeof phone, "%s", res.refresh_token);
	CHECK_INT(session_login(&env, "beta", "owner@example.com", "beta-password", &res), SESSION_OK);
	snprintf(other_store, sizeof other_store, "%s", res.refresh_token);

	CHECK_INT(session_logout(&env, laptop, &res), SESSION_OK);
	CHECK_INT(session_refresh(&env, laptop, NULL, &res), SESSION_TOKEN_REVOKED);
	CHECK_INT(session_refresh(&env, phone, NULL, &res), SESSION_TOKEN_REVOKED);
	/* The same email in another store is another account. */
	CHECK_INT(session_refresh(&env, other_store, NULL, &res), SESSION_OK);
	/* Unknown or already ended: the session is over either way. */
	CHECK_INT(session_logout(&env, laptop, &res), SESSION_OK);
	CHECK_INT(session_logout(&env, "never-issued", &res), SESSION_OK);
	CHECK_INT(session_operator_logout(&env, "never-issued", &res), SESSION_OK);
	env_free(&env);
	fixture_close(&f);
}

TEST(password_change_checks_the_current_one_and_ends_sessions)
{
	struct fixture f;
	CHECK_INT(fixture_open(&f), 0);
	struct session_env env = env_new(f.store, 5);
	struct session_result res;
	struct store_tx *tx;
	char before[TOKEN_LEN + 1];

	CHECK_INT(session_login(&env, "alpha", "owner@example.com", "alpha-password", &res), SESSION_OK);
	snprintf(before, sizeof before, "%s", res.refresh_token);
	const char *user_id = arena_strdup(env.arena, res.account.id);
	struct store_actor actor = { user_id, "owner", "test-session", "192.0.2.7" };

	CHECK_INT(store_begin_tenant(f.store, f.alpha.id, 1, &actor, &tx), STORE_OK);
	CHECK_INT(session_password_change(&env, tx, f.alpha.id, user_id, "wrong-password",
		"new-alpha-password", &res), SESSION_WRONG_PASSWORD);
	CHECK_STR(res.input, "current_password");
	CHECK_INT(session_password_change(&env, tx, f.alpha.id, user_id, "alpha-password",
		"short", &res), SESSION_WEAK_PASSWORD);
	CHECK_STR(res.input, "new_password");
	CHECK(strstr(res.message, "at least 8 characters") != NULL);
	CHECK_INT(session_password_change(&env, tx, f.alpha.id, "no-such-user", "alpha-password",
		"new-alpha-password", &res), SESSION_STORE_ERROR);
	CHECK_INT(res.store_rc, STORE_NOT_FOUND);
	CHECK_INT(session_password_change(&env, tx, f.alpha.id, user_id, "alpha-password",
		"new-alpha-password", &res), SESSION_OK);
	CHECK_INT(store_commit(tx), STORE_OK);

	CHECK_INT(session_refresh(&env, before, NULL, &res), SESSION_TOKEN_REVOKED);
	CHECK_INT(session_login(&env, "alpha", "owner@example.com", "alpha-password", &res),
		SESSION_INVALID_CREDENTIALS);
	CHECK_INT(session_login(&env, "alpha", "owner@example.com", "new-alpha-password", &res), SESSION_OK);
	/* Beta's account kept its own password. */
	CHECK_INT(session_login(&env, "beta", "owner@example.com", "beta-password", &res), SESSION_OK);
	env_free(&env);
	fixture_close(&f);
}

TEST(operator_session_rotates_and_ends)
{
	struct fixture f;
	CHECK_INT(fixture_open(&f), 0);
	struct session_env env = env_new(f.store, 5);
	struct session_result res;
	struct store_tx *tx;
	struct operator_rec op;
	char hash[PASSWORD_HASH_LEN], first[TOKEN_LEN + 1], second[TOKEN_LEN + 1];

	/* Operators' session times are the store's clock, not now_ms. */
	env.now_ms = clock_now_ms();
	CHECK_INT(password_hash("operator-password", hash), 0);
	CHECK_INT(store_begin_platform(f.store, 1, NULL, &tx), STORE_OK);
	CHECK_INT(store_operator_create(tx, "ops@example.com", "Ops", hash, f.arena, &op), STORE_OK);
	CHECK_INT(store_commit(tx), STORE_OK);

	CHECK_INT(session_operator_login(&env, "ops@example.com", "alpha-password", &res),
		SESSION_INVALID_CREDENTIALS);
	CHECK_INT(session_operator_login(&env, "nobody@example.com", "operator-password", &res),
		SESSION_INVALID_CREDENTIALS);
	CHECK_INT(session_operator_login(&env, "OPS@example.com", "operator-password", &res), SESSION_OK);
	CHECK_INT(res.is_operator, 1);
	CHECK_STR(res.account.id, op.id);
	CHECK_STR(res.account.name, "Ops");
	CHECK(res.role == NULL && res.tenant.slug == NULL);
	struct jwt_claims c;
	CHECK_INT(jwt_verify(res.access_token, strlen(res.access_token), jwt_key, sizeof jwt_key,
		env.now_ms / 1000, &c), JWT_OK);
	CHECK_INT(c.op, 1);
	CHECK(c.sid[0] != '\0');
	snprintf(first, sizeof first, "%s", res.refresh_token);

	/* An operator's token is not a store user's, and the other way round. */
	CHECK_INT(session_refresh(&env, first, NULL, &res), SESSION_TOKEN_INVALID);

	CHECK_INT(session_operator_refresh(&env, first, &res), SESSION_OK);
	snprintf(second, sizeof second, "%s", res.refresh_token);
	CHECK_INT(session_operator_refresh(&env, first, &res), SESSION_TOKEN_REUSED);
	CHECK_INT(session_operator_refresh(&env, second, &res), SESSION_TOKEN_REVOKED);

	CHECK_INT(session_operator_login(&env, "ops@example.com", "operator-password", &res), SESSION_OK);
	snprintf(first, sizeof first, "%s", res.refresh_token);
	CHECK_INT(session_operator_logout(&env, first, &res), SESSION_OK);
	CHECK_INT(session_operator_refresh(&env, first, &res), SESSION_TOKEN_REVOKED);
	env_free(&env);
	fixture_close(&f);
}

CHECK_MAIN()
