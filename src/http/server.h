/*
 * server.h — the HTTP server: libmicrohttpd with an epoll thread pool.
 *
 * The server owns connections, request bodies, limits, request ids, access
 * logging and metrics; it hands each complete request to `dispatch`, which
 * fills r->resp or records r->problem.  libmicrohttpd 0.9.75 traps handled
 * here: the response is queued on the handler's second call (queuing on the
 * first forces Connection: close), and NUL bytes in headers and conflicting
 * Content-Length headers, which its parser accepts, are refused with 400.
 */
#ifndef QT_HTTP_SERVER_H
#define QT_HTTP_SERVER_H

#include <stddef.h>
#include "http/request.h"

struct http_config {
	const char *host;        /* "127.0.0.1" */
	int port;                /* 0 = pick a free port */
	int threads;             /* >= 2 */
	size_t body_limit;       /* bytes; larger bodies get 413 */
	int timeout_s;           /* idle/slow connection timeout */
};

typedef void (*http_dispatch)(struct req *r);

struct http_server;

/* Start listening; NULL on failure with a message in err. */
struct http_server *http_server_start(const struct http_config *cfg,
	http_dispatch dispatch, struct app *app, char *err, size_t errlen);
/* Port actually bound (useful with port 0). */
int http_server_port(const struct http_server *s);
/* Stop accepting, wait up to max_wait_s for in-flight requests, stop, free. */
void http_server_stop(struct http_server *s, int max_wait_s);
/* Requests currently being handled. */
int http_server_in_flight(const struct http_server *s);

#endif
