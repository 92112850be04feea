/*
 * server.h — the HTTP server: libmicrohttpd with an epoll thread pool.
 *
 * The server owns connections, request bodies, limits, request ids, access
 * logging and metrics; it hands each complete request to `dispatch`, which
 * fills r->resp or records r->problem.  libmicrohttpd 0.9.75 traps handled
 * here: the response is queued on the handler's second call (queuing on the
 * first forces Connection: close), and what its parser accepts but RFC 9112
 * does not - NUL bytes anywhere in the head, field names that are not
 * tokens ("Content-Length : 5"), obsolete line folding, conflicting
 * Content-Length or Transfer-Encoding - is refused with 400.
 *
 * Exhaustion limits: connections per client address, a deadline for the
 * request head (libmicrohttpd's own timeout restarts on every byte, so a
 * client trickling its headers would never meet it), a cap per request
 * body decided from the URL and Content-Length before the body is read, and
 * a budget of body bytes buffered at once across all connections.
 */
#ifndef QT_HTTP_SERVER_H
#define QT_HTTP_SERVER_H

#include <stddef.h>
#include "http/request.h"

struct cidr_list;

struct http_config {
	const char *host;        /* "127.0.0.1" */
	int port;                /* 0 = pick a free port */
	int threads;             /* >= 2 */
	size_t body_limit;       /* bytes; larger bodies get 413 (auth routes: 16 KiB) */
	int timeout_s;           /* idle/slow connection timeout */
	unsigned int per_ip_connections; /* open connections per client address; 0 = no limit */
	int header_timeout_s;    /* a request head must be complete this long after the
	                          * connection opens or the previous response; 0 = none */
	size_t body_budget;      /* request-body bytes in flight over all connections;
	                          * past it 503 + Retry-After; 0 = no limit */
	const struct cidr_list *trusted_proxies; /* peers whose X-Forwarded-For is believed;
	                          * NULL = none (must outlive the server) */
	/* Called once a request head is in, before any of its body: may
	 * change r->body_cap and install r->sink.  NULL: nothing to do. */
	void (*prepare)(struct req *r);
};

typedef void (*http_dispatch)(struct req *r);

struct http_server;

/* Start listening; NULL on failure with a message in err. */
struct http_server *http_server_start(const struct http_config *cfg,
	http_dispatch dispatch, struct app *app, char *err, size_t errlen);
/* Port actually bound (useful with port 0). */
int http_server_port(const struct http_server *s);
/* Stop accepting, end every streamed response, wait up to max_wait_s for
 * in-flight requests, stop, free. */
void http_server_stop(struct http_server *s, int max_wait_s);
/* Requests currently being handled. */
int http_server_in_flight(const struct http_server *s);

#endif
