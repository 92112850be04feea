/* health.c — liveness, readiness (the database answers) and metrics. */
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "api/group_commit.h"
#include "api/handlers.h"
#include "api/routes.h"
#include "app.h"
#include "http/metrics.h"
#include "store/store_replicas.h"
#include "workers/member_cache.h"

int h_healthz(struct req *r)
{
	return resp_json(r, 200, json_pack("{s:s}", "status", "ok"));
}

int h_readyz(struct req *r)
{
	if (!store_ready(r->app->store)) {
		resp_header(r, "Retry-After", "5");
		return req_fail(r, 503, "database_unavailable", "the database is not reachable");
	}
	return resp_json(r, 200, json_pack("{s:s, s:s}", "status", "ready", "database", "ok"));
}

/* With QT_METRICS_TOKEN set, every /metrics answer needs it as a Bearer
 * token; compared in constant time. */
static int metrics_authorized(struct req *r)
{
	const char *want = r->app->cfg.metrics_token;
	if (!want)
		return 1;
	const char *h = req_header(r, "Authorization");
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return 0;
	const char *got = h + 7;
	size_t n = strlen(want);
	return strlen(got) == n && sodium_memcmp(got, want, n) == 0;
}

/* The read replicas (store/store_replicas.h); none without QT_DB_REPLICAS. */
static void replica_metrics(struct req *r)
{
	int n = store_replica_count(r->app->store);
	if (!n)
		return;
	struct buf *b = &r->resp.body;
	struct store_replica_info info[16];
	for (int i = 0; i < n && i < 16; i++)
		store_replica_info(r->app->store, i, &info[i]);
	buf_puts(b, "# HELP qt_db_replica_up 1 while the replica is reachable and in recovery.\n"
		"# TYPE qt_db_replica_up gauge\n");
	for (int i = 0; i < n && i < 16; i++)
		buf_printf(b, "qt_db_replica_up{replica=\"%d\"} %d\n", i, info[i].up);
	buf_puts(b, "# HELP qt_db_replica_lag_ms Replay lag as last measured (-1: down).\n"
		"# TYPE qt_db_replica_lag_ms gauge\n");
	for (int i = 0; i < n && i < 16; i++)
		buf_printf(b, "qt_db_replica_lag_ms{replica=\"%d\"} %lld\n", i, (long long)info[i].lag_ms);
	buf_puts(b, "# HELP qt_db_replica_reads_total Read transactions the replica served.\n"
		"# TYPE qt_db_replica_reads_total counter\n");
	for (int i = 0; i < n && i < 16; i++)
		buf_printf(b, "qt_db_replica_reads_total{replica=\"%d\"} %llu\n", i,
			(unsigned long long)info[i].reads);
	buf_puts(b, "# HELP qt_db_replica_fallbacks_total Reads that waited for the replica to reach their X-QT-Min-LSN in vain and went to the primary.\n"
		"# TYPE qt_db_replica_fallbacks_total counter\n");
	for (int i = 0; i < n && i < 16; i++)
		buf_printf(b, "qt_db_replica_fallbacks_total{replica=\"%d\"} %llu\n", i,
			(unsigned long long)info[i].fallbacks);
}

static int render_metrics(struct req *r)
{
	if (!metrics_authorized(r)) {
		resp_header(r, "WWW-Authenticate", "Bearer realm=\"metrics\"");
		return req_fail(r, 401, "unauthorized", "/metrics needs the QT_METRICS_TOKEN as a Bearer token");
	}
	r->resp.status = 200;
	r->resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
	metrics_render(&r->resp.body);
	/* The member cache's counters (workers/member_cache.h); none when
	 * it is off. */
	if (r->app->members) {
		struct member_cache_stats st;
		member_cache_stats(r->app->members, &st);
		buf_printf(&r->resp.body,
			"# HELP qt_member_cache_lookups_total Tenant requests by whether the member cache held their caller.\n"
			"# TYPE qt_member_cache_lookups_total counter\n"
			"qt_member_cache_lookups_total{result=\"hit\"} %llu\n"
			"qt_member_cache_lookups_total{result=\"miss\"} %llu\n"
			"# HELP qt_member_cache_stale_total Misses that found an entry no longer good (changed or too old).\n"
			"# TYPE qt_member_cache_stale_total counter\n"
			"qt_member_cache_stale_total %llu\n"
			"# HELP qt_member_cache_evictions_total Entries pushed out for others.\n"
			"# TYPE qt_member_cache_evictions_total counter\n"
			"qt_member_cache_evictions_total %llu\n"
			"# HELP qt_member_cache_capacity Entries the member cache can hold.\n"
			"# TYPE qt_member_cache_capacity gauge\n"
			"qt_member_cache_capacity %zu\n",
			(unsigned long long)st.hits, (unsigned long long)st.misses, (unsigned long long)st.stale,
			(unsigned long long)st.evictions, st.capacity);
	}
	group_commit_metrics(r->app->group_commit, &r->resp.body);
	replica_metrics(r);
	return 0;
}

/* The series name every store that made a request, so the main listener,
 * which faces the public, serves them only to a caller holding the
 * token; without one configured /metrics is not there at all. */
int h_metrics(struct req *r)
{
	if (!r->app->cfg.metrics_token)
		return req_fail(r, 404, "not_found",
			"/metrics is served on QT_METRICS_LISTEN, or here when QT_METRICS_TOKEN is set");
	return render_metrics(r);
}

void api_dispatch_metrics(struct req *r)
{
	if (strcmp(r->path, "/metrics") != 0) {
		req_failf(r, 404, "not_found", "this listener serves only /metrics");
		return;
	}
	r->route = "/metrics";
	if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0) {
		resp_header(r, "Allow", "GET");
		req_failf(r, 405, "method_not_allowed", "%s is not allowed here; allowed: GET", r->method);
		return;
	}
	render_metrics(r);
}
