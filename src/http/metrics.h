/*
 * metrics.h — Prometheus counters and latency histograms per route and
 * status, rendered as text exposition format for GET /metrics.  Methods
 * outside GET, HEAD, POST, PUT, PATCH, DELETE and OPTIONS share the label
 * OTHER.  The per-tenant series name stores, so the exposition is served
 * only where an operator allows it (api/health.c).
 */
#ifndef QT_HTTP_METRICS_H
#define QT_HTTP_METRICS_H

#include <stdint.h>
#include "util/buf.h"

/* Record one request.  `route` must be a string that lives for the whole
 * process (a route pattern or a literal). */
void metrics_observe(const char *route, const char *method, int status,
	int64_t duration_us);
/* Count one request of a tenant (its slug, [a-z0-9-]) by status class.
 * Up to 4096 tenants are tracked per process; later ones are not counted. */
void metrics_observe_tenant(const char *slug, int status);
/* Count one connection dropped for not sending its request head in time. */
void metrics_head_timeout(void);
/* Append the exposition text to out. */
void metrics_render(struct buf *out);

#endif
