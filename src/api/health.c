/* health.c — liveness, readiness (the database answers) and metrics. */
#include "api/handlers.h"
#include "app.h"
#include "http/metrics.h"

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

int h_metrics(struct req *r)
{
	r->resp.status = 200;
	r->resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
	metrics_render(&r->resp.body);
	return 0;
}
