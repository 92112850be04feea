/*
 * routes.h — the API's entry point for the HTTP server.
 */
#ifndef QT_API_ROUTES_H
#define QT_API_ROUTES_H

#include <stddef.h>
#include "http/request.h"
#include "http/router.h"

/* Route, authenticate, run the handler inside its transaction. */
void api_dispatch(struct req *r);
/* Once a request head is in, before its body: a route whose body is
 * parsed as it arrives installs its sink (route.prepare_body). */
void api_prepare(struct req *r);
/* The metrics listener's dispatcher (QT_METRICS_LISTEN): GET /metrics
 * and nothing else. */
void api_dispatch_metrics(struct req *r);
/* The route table (for the OpenAPI test and metrics). */
const struct route *api_routes(size_t *n);

#endif
