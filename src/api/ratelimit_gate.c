/* ratelimit_gate.c — see ratelimit_gate.h. */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/ratelimit_gate.h"
#include "app.h"
#include "security/ratelimit.h"
#include "store/store_ratelimit.h"
#include "util/clock.h"
#include "util/uuid.h"

/* Access tokens found to name no member any more, by id: a direct-mapped
 * table (a collision forgets one, which then costs one counted request
 * again, nothing worse). */
#define DEAD_SLOTS 4096

struct api_ratelimit {
	struct store *store;
	struct ratelimiter *limiter;
	struct rl_memory *memory;    /* SQLite: the buckets themselves */
	pthread_mutex_t dead_lock;
	char dead[DEAD_SLOTS][40];
};

static size_t dead_slot(const char *credential)
{
	uint32_t h = 2166136261u;
	for (const char *p = credential; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h % DEAD_SLOTS;
}

static int credential_dead(struct api_ratelimit *g, const char *credential)
{
	if (!credential || !credential[0] || strlen(credential) >= sizeof g->dead[0])
		return 0;
	size_t i = dead_slot(credential);
	pthread_mutex_lock(&g->dead_lock);
	int dead = strcmp(g->dead[i], credential) == 0;
	pthread_mutex_unlock(&g->dead_lock);
	return dead;
}

/* A lease from the store's shared row: one short write transaction. */
static int shared_lease(void *cls, const char *tenant_id, int64_t want, int64_t now_ms,
	struct rl_lease *out)
{
	struct api_ratelimit *g = cls;
	struct store_actor actor = { "system", "system", "", "" };
	struct store_tx *tx = NULL;
	struct rate_bucket_row row;
	struct rl_shared s;

	memset(out, 0, sizeof *out);
	int rc = store_begin_tenant(g->store, tenant_id, 1, &actor, &tx);
	if (rc != STORE_OK)
		return -1;
	rc = store_rate_bucket_lock(tx, &row);
	if (rc == STORE_NOT_FOUND || (rc == STORE_OK && row.requests_per_min <= 0)) {
		/* No such store (its request fails authentication next), or a
		 * plan without a rate: nothing to count, nothing to write. */
		store_rollback(tx);
		out->rate = rc == STORE_OK ? 0 : -1;
		return 0;
	}
	if (rc != STORE_OK) {
		store_rollback(tx);
		return -1;
	}
	if (row.started) {
		s.bucket.rate = row.requests_per_min;
		s.bucket.capacity = rl_capacity(row.requests_per_min);
		/* A plan made smaller since: what it held shrinks to fit. */
		s.bucket.units = row.units < s.bucket.capacity * RL_UNITS_PER_REQUEST
			? row.units : s.bucket.capacity * RL_UNITS_PER_REQUEST;
		s.bucket.at_ms = row.updated_at;
		s.window = row.lease_window;
		s.leased_now = row.leased_now;
		s.leased_before = row.leased_before;
	} else {
		rl_shared_init(&s, row.requests_per_min, now_ms);
	}
	rl_shared_lease(&s, row.requests_per_min, want, now_ms, out);
	row.units = s.bucket.units;
	row.updated_at = s.bucket.at_ms;
	row.lease_window = s.window;
	row.leased_now = s.leased_now;
	row.leased_before = s.leased_before;
	rc = store_rate_bucket_save(tx, &row);
	if (rc != STORE_OK) {
		store_rollback(tx);
		return -1;
	}
	/* Nothing leased unless it is committed. */
	return store_commit(tx) == STORE_OK ? 0 : -1;
}

/* SQLite: the plan's rate, for the buckets kept in memory. */
static int plan_rate(void *cls, const char *tenant_id, int64_t *requests_per_min)
{
	struct api_ratelimit *g = cls;
	struct store_tx *tx = NULL;
	int rc = store_begin_tenant(g->store, tenant_id, 0, NULL, &tx);
	if (rc != STORE_OK)
		return -1;
	rc = store_rate_plan(tx, requests_per_min);
	store_rollback(tx);
	if (rc == STORE_NOT_FOUND) {
		*requests_per_min = -1;
		return 0;
	}
	return rc == STORE_OK ? 0 : -1;
}

struct api_ratelimit *api_ratelimit_open(struct store *s, int shared)
{
	struct api_ratelimit *g = calloc(1, sizeof *g);
	if (!g)
		return NULL;
	g->store = s;
	pthread_mutex_init(&g->dead_lock, NULL);
	if (shared) {
		g->limiter = ratelimiter_new(shared_lease, NULL, g);
	} else {
		g->memory = rl_memory_new(plan_rate, g);
		g->limiter = g->memory ? ratelimiter_new(rl_memory_lease, rl_memory_refund, g->memory) : NULL;
	}
	if (!g->limiter) {
		api_ratelimit_close(g);
		return NULL;
	}
	return g;
}

void api_ratelimit_close(struct api_ratelimit *g)
{
	if (!g)
		return;
	ratelimiter_free(g->limiter);
	rl_memory_free(g->memory);
	pthread_mutex_destroy(&g->dead_lock);
	free(g);
}

void api_rate_refund(struct req *r, const char *tenant_id, const char *credential)
{
	struct api_ratelimit *g = r->app->ratelimit;
	if (!g || !uuid_valid(tenant_id) || credential_dead(g, credential))
		return;
	ratelimiter_refund(g->limiter, tenant_id, clock_now_ms());
	if (credential && credential[0] && strlen(credential) < sizeof g->dead[0]) {
		size_t i = dead_slot(credential);
		pthread_mutex_lock(&g->dead_lock);
		snprintf(g->dead[i], sizeof g->dead[i], "%s", credential);
		pthread_mutex_unlock(&g->dead_lock);
	}
}

int api_rate_limit(struct req *r, const char *tenant_id, const char *credential)
{
	struct api_ratelimit *g = r->app->ratelimit;
	struct rl_verdict v;

	if (!g || !uuid_valid(tenant_id) || credential_dead(g, credential))
		return 0;
	ratelimiter_admit(g->limiter, tenant_id, clock_now_ms(), &v);
	if (!v.limited)
		return 0;
	resp_header(r, "RateLimit-Limit", arena_printf(r->arena, "%lld", (long long)v.limit));
	resp_header(r, "RateLimit-Remaining", arena_printf(r->arena, "%lld", (long long)v.remaining));
	resp_header(r, "RateLimit-Reset", arena_printf(r->arena, "%lld", (long long)v.reset_s));
	resp_header(r, "RateLimit-Policy", arena_printf(r->arena, "%lld;w=%lld",
		(long long)v.limit, (long long)v.window_s));
	if (v.allowed)
		return 0;
	req_failf(r, 429, "rate_limited",
		"this store's plan allows %lld requests a minute (bursts of %lld); try again in %lld s",
		(long long)v.rate, (long long)v.limit, (long long)v.retry_after_s);
	r->problem.retry_after = (int)v.retry_after_s;
	req_problem_extra(r, "limit_per_minute", json_integer((json_int_t)v.rate));
	req_problem_extra(r, "retry_after_s", json_integer((json_int_t)v.retry_after_s));
	return -1;
}
