/* server.c — libmicrohttpd glue: bodies, limits, request ids, logging. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "http/metrics.h"
#include "http/problem.h"
#include "http/server.h"
#include "util/clock.h"
#include "util/jsonesc.h"
#include "util/log.h"
#include "util/uuid.h"

/* Shutdown: how long nothing must be in flight before the daemon stops. */
#define DRAIN_QUIET_MS 200

struct http_server {
	struct MHD_Daemon *daemon;
	http_dispatch dispatch;
	struct app *app;
	size_t body_limit;
	int port;
	atomic_int in_flight;
};

const char *req_header(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *req_cookie(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *req_query(struct req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int resp_json(struct req *r, int status, json_t *body)
{
	r->resp.status = status;
	r->resp.content_type = "application/json";
	r->resp.body.len = 0;
	if (body) {
		char *text = json_dumps(body, JSON_COMPACT);
		if (text) {
			buf_puts(&r->resp.body, text);
			free(text);
		}
		json_decref(body);
	}
	return 0;
}

int resp_empty(struct req *r, int status)
{
	r->resp.status = status;
	r->resp.body.len = 0;
	r->resp.content_type = NULL;
	return 0;
}

void resp_header(struct req *r, const char *name, const char *value)
{
	for (int i = 0; i < r->resp.nheaders; i++) {
		if (strcasecmp(r->resp.header_name[i], name) == 0) {
			r->resp.header_value[i] = value;
			return;
		}
	}
	if (r->resp.nheaders < REQ_MAX_HEADERS_OUT) {
		r->resp.header_name[r->resp.nheaders] = name;
		r->resp.header_value[r->resp.nheaders] = value;
		r->resp.nheaders++;
	}
}

/* A caller-supplied request id is kept when it is short and plain. */
static int request_id_sane(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	if (n == 0 || n > 64)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

struct header_scan {
	int content_lengths;
	char first_cl[32];
	int conflict;
	int nul;
	int transfer_encodings;
	int bad_transfer_encoding; /* anything but a single "chunked" */
	const char *prev_end;      /* end of the previous header's value */
};

/* Bytes between the end of one header value and the next header's name,
 * or after the last value: line ends MHD has overwritten with NULs, and
 * trimmed whitespace.  Anything else was hidden behind a NUL byte. */
static int gap_clean(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\0' && p[i] != '\r' && p[i] != '\n' && p[i] != ' ' && p[i] != '\t')
			return 0;
	return 1;
}

/* libmicrohttpd 0.9.75 parses header lines in place in its read buffer,
 * replacing each CR and LF with NUL, and measures names and values with
 * strlen: a NUL inside a value silently cuts it short and the rest of the
 * line disappears.  The only trace is what lies between one value's end
 * and the next name, so that gap must hold nothing but line-end bytes.
 * Both pointers lie in the connection's memory pool (one block of
 * MHD_OPTION_CONNECTION_MEMORY_LIMIT bytes), so reading between them is
 * safe; a value relocated by header folding is not checked. */
#define HEADER_GAP_MAX (64 * 1024)

static enum MHD_Result scan_header(void *cls, enum MHD_ValueKind kind,
	const char *key, size_t key_size, const char *value, size_t value_size)
{
	struct header_scan *s = cls;
	(void)kind;
	if (memchr(key, '\0', key_size) || (value && memchr(value, '\0', value_size)))
		s->nul = 1;
	if (s->prev_end && key > s->prev_end && key - s->prev_end < HEADER_GAP_MAX &&
	    !gap_clean(s->prev_end, (size_t)(key - s->prev_end)))
		s->nul = 1;
	s->prev_end = value ? value + value_size : NULL;
	if (strcasecmp(key, "Content-Length") == 0) {
		if (s->content_lengths == 0)
			snprintf(s->first_cl, sizeof s->first_cl, "%.*s", (int)value_size, value ? value : "");
		else if (value_size >= sizeof s->first_cl || strncmp(s->first_cl, value, value_size) != 0 ||
			 s->first_cl[value_size] != '\0')
			s->conflict = 1;
		s->content_lengths++;
	}
	if (strcasecmp(key, "Transfer-Encoding") == 0) {
		if (!value || strcasecmp(value, "chunked") != 0)
			s->bad_transfer_encoding = 1;
		s->transfer_encodings++;
	}
	return MHD_YES;
}

static void client_ip(struct MHD_Connection *c, char *out, size_t outlen)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(out, outlen, "unknown");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ci->client_addr;
		inet_ntop(AF_INET, &a->sin_addr, out, (socklen_t)outlen);
	} else if (ci->client_addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
		inet_ntop(AF_INET6, &a->sin6_addr, out, (socklen_t)outlen);
	}
}

static struct req *req_begin(struct http_server *s, struct MHD_Connection *c,
	const char *url, const char *method)
{
	struct arena *a = arena_new();
	if (!a)
		return NULL;
	struct req *r = arena_alloc(a, sizeof *r);
	r->arena = a;
	r->app = s->app;
	r->conn = c;
	r->method = arena_strdup(a, method);
	r->path = arena_strdup(a, url);
	r->route = "unmatched";
	r->started_mono_ms = clock_mono_ms();
	buf_init(&r->body);
	buf_init(&r->resp.body);
	const char *rid = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Request-Id");
	if (request_id_sane(rid))
		snprintf(r->request_id, sizeof r->request_id, "%s", rid);
	else
		uuid_v7(r->request_id);
	client_ip(c, r->client_ip, sizeof r->client_ip);

	struct header_scan scan = { 0 };
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, scan_header, &scan);
	/* After the last value come its line end and the empty line (2-4 NULs
	 * once overwritten); a byte other than those right after the value's
	 * terminating NUL was hidden behind a NUL. */
	if (scan.prev_end && !gap_clean(scan.prev_end, 2))
		scan.nul = 1;
	/* Content-Length beside Transfer-Encoding, or a coding other than
	 * chunked, is how requests get smuggled past a proxy that reads the
	 * framing differently (RFC 9112 section 6.1): refuse them. */
	if (scan.transfer_encodings && (scan.content_lengths || scan.transfer_encodings > 1 ||
	    scan.bad_transfer_encoding))
		scan.conflict = 1;
	if (scan.nul || scan.conflict)
		r->bad_headers = 1;
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	if (cl) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);
		if (*end == '\0' && n > s->body_limit)
			r->body_too_large = 1;
	}
	return r;
}

static void add_common_headers(struct req *r, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Request-Id", r->request_id);
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (r->resp.content_type)
		MHD_add_response_header(resp, "Content-Type", r->resp.content_type);
	for (int i = 0; i < r->resp.nheaders; i++)
		MHD_add_response_header(resp, r->resp.header_name[i], r->resp.header_value[i]);
	if (strncmp(r->path, "/api/", 5) == 0)
		MHD_add_response_header(resp, "Cache-Control", "no-store");
}

static enum MHD_Result respond(struct req *r)
{
	struct MHD_Response *resp;

	if (r->problem.status)
		problem_render(r);
	if (r->resp.status == 0)
		r->resp.status = 200;
	if (r->resp.body.len > 0) {
		size_t len = r->resp.body.len;
		char *data = buf_detach(&r->resp.body);
		resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	} else if (r->resp.static_body) {
		resp = MHD_create_response_from_buffer(r->resp.static_len,
			(void *)(uintptr_t)r->resp.static_body, MHD_RESPMEM_PERSISTENT);
	} else {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	add_common_headers(r, resp);
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned int)r->resp.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* The problem for a request refused before dispatch. */
static void refuse(struct req *r, const struct http_server *s)
{
	if (r->bad_headers)
		req_fail(r, 400, "bad_request", "malformed request headers (NUL byte, conflicting Content-Length or Transfer-Encoding)");
	else
		req_failf(r, 413, "payload_too_large", "request body exceeds %zu bytes", s->body_limit);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
	const char *url, const char *method, const char *version,
	const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;
	(void)version;

	if (!r) {
		r = req_begin(s, c, url, method);
		if (!r)
			return MHD_NO;
		*con_cls = r;
		atomic_fetch_add(&s->in_flight, 1);
		/* Bad headers and a declared body over the limit are answered
		 * on this first call: libmicrohttpd accepts a response only
		 * before the body is read or after all of it, and one queued
		 * now is sent with Connection: close, the body left unread. */
		if (!r->bad_headers && !r->body_too_large)
			return MHD_YES;
		refuse(r, s);
		return respond(r);
	}
	if (*upload_data_size > 0) {
		/* A chunked body that outgrows the limit: keep reading (and
		 * dropping) the rest, answer 413 once it is all in. */
		if (!r->body_too_large && r->body.len + *upload_data_size > s->body_limit) {
			r->body_too_large = 1;
			buf_release(&r->body);
		}
		if (!r->body_too_large)
			buf_append(&r->body, upload_data, *upload_data_size);
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (r->bad_headers || r->body_too_large)
		refuse(r, s);
	else
		s->dispatch(r);
	return respond(r);
}

/* The access log: one JSON object per request, written by hand (this runs
 * for every request).  Strings come out exactly as jansson's compact dump
 * writes them; bytes that are not UTF-8 (a percent-decoded path can hold
 * any) become U+FFFD. */
static void line_string(struct buf *l, const char *key, const char *value)
{
	buf_putc(l, l->len ? ',' : '{');
	buf_putc(l, '"');
	buf_puts(l, key);
	buf_append(l, "\":", 2);
	json_escape_append(l, value, strlen(value), JSON_ESCAPE_REPAIR_UTF8);
}

static void line_int(struct buf *l, const char *key, long long value)
{
	buf_printf(l, ",\"%s\":%lld", key, value);
}

static void access_log(struct req *r, int status, int64_t dur_us)
{
	struct buf l = BUF_INIT;
	buf_grow(&l, 512);
	line_string(&l, "level", "info");
	line_string(&l, "request_id", r->request_id);
	line_string(&l, "method", r->method);
	line_string(&l, "route", r->route);
	line_string(&l, "path", r->path);
	line_int(&l, "status", status);
	line_int(&l, "duration_us", (long long)dur_us);
	line_string(&l, "tenant", r->caller.tenant_slug);
	line_string(&l, "ip", r->client_ip);
	buf_putc(&l, '}');
	log_json_line(buf_cstr(&l));
	buf_release(&l);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
	enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;
	(void)c;
	(void)toe;
	if (!r)
		return;
	int64_t dur_us = (clock_mono_ms() - r->started_mono_ms) * 1000;
	int status = r->resp.status ? r->resp.status : 500;
	metrics_observe(r->route, r->method, status, dur_us);
	if (r->caller.tenant_slug[0])
		metrics_observe_tenant(r->caller.tenant_slug, status);

	access_log(r, status, dur_us);
	if (r->problem.errors)
		json_decref(r->problem.errors);
	if (r->problem.extra)
		json_decref(r->problem.extra);
	buf_release(&r->body);
	buf_release(&r->resp.body);
	arena_free(r->arena);
	*con_cls = NULL;
	atomic_fetch_sub(&s->in_flight, 1);
}

struct http_server *http_server_start(const struct http_config *cfg,
	http_dispatch dispatch, struct app *app, char *err, size_t errlen)
{
	struct http_server *s = calloc(1, sizeof *s);
	struct sockaddr_in addr = { 0 };

	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->dispatch = dispatch;
	s->app = app;
	s->body_limit = cfg->body_limit;
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
		snprintf(err, errlen, "listen address \"%s\": must be an IPv4 address", cfg->host);
		free(s);
		return NULL;
	}
	unsigned int threads = cfg->threads < 2 ? 2u : (unsigned int)cfg->threads;
	s->daemon = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, 4096u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
		MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot listen on %s:%d (in use or not permitted)", cfg->host, cfg->port);
		free(s);
		return NULL;
	}
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
	s->port = di ? di->port : cfg->port;
	return s;
}

int http_server_port(const struct http_server *s)
{
	return s->port;
}

int http_server_in_flight(const struct http_server *s)
{
	return atomic_load(&((struct http_server *)s)->in_flight);
}

void http_server_stop(struct http_server *s, int max_wait_s)
{
	if (!s)
		return;
	MHD_socket fd = MHD_quiesce_daemon(s->daemon);
	if (fd != MHD_INVALID_SOCKET)
		close(fd);
	/* Requests already received finish; idle keep-alive connections are
	 * not counted, since a request is in flight only between its first
	 * callback and its completion.  A worker busy with one request has
	 * others queued on its connections that start only once it is free,
	 * so the count must stay at zero for a while, not just touch it. */
	int64_t deadline = clock_mono_ms() + (int64_t)max_wait_s * 1000;
	int64_t quiet_since = 0;
	for (;;) {
		int64_t now = clock_mono_ms();
		if (now >= deadline)
			break;
		if (atomic_load(&s->in_flight) > 0)
			quiet_since = 0;
		else if (!quiet_since)
			quiet_since = now;
		else if (now - quiet_since >= DRAIN_QUIET_MS)
			break;
		usleep(10000);
	}
	MHD_stop_daemon(s->daemon);
	free(s);
}
