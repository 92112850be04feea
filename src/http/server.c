/* server.c — libmicrohttpd glue: bodies, limits, request ids, logging. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/metrics.h"
#include "http/response.h"
#include "http/server.h"
#include "util/cidr.h"
#include "util/clock.h"
#include "util/jsonesc.h"
#include "util/log.h"
#include "util/logbuf.h"
#include "util/uuid.h"

/* Shutdown: how long nothing must be in flight before the daemon stops. */
#define DRAIN_QUIET_MS 200
/* How often the head-deadline reaper looks at the open connections. */
#define REAP_INTERVAL_MS 200
/* Body cap of the sign-in, refresh, logout and password routes. */
#define AUTH_BODY_LIMIT (16 * 1024)
/* Retry-After for a request refused because the body budget is spent. */
#define BUSY_RETRY_S 1
/* The most a stream's read is asked for at once. */
#define STREAM_BLOCK (16 * 1024)

/* One open connection, from libmicrohttpd's "started" notice to its
 * "closed" one (which comes before it closes the socket, so the socket
 * is ours to shut down while the entry is in the list). */
struct conn_track {
	struct conn_track *prev, *next;
	MHD_socket fd;
	/* When the next request head must be complete: set at connect and
	 * at each request's end, 0 while a request is being handled. */
	_Atomic int64_t head_deadline_ms;
	int dropped;                  /* shut down by the reaper (under conns_lock) */
	/* The request target as received, before libmicrohttpd cuts off the
	 * query and decodes it in place (from the URI log callback). */
	const char *raw_target;
	size_t raw_target_len;
	const char *target_problem;   /* what is wrong with its bytes, or NULL */
};

/* One streamed response (resp_stream), from its queuing to libmicrohttpd
 * freeing it.  lock orders parking against waking: a wake that comes
 * while read is running is remembered in `pending`, so the stream never
 * parks past news it was not shown. */
struct http_stream {
	struct http_stream *prev, *next;   /* the server's list (streams_lock) */
	struct http_server *server;
	struct MHD_Connection *conn;
	const struct resp_stream_ops *ops;
	void *cls;
	pthread_mutex_t lock;
	int parked;          /* suspended, waiting for a wake */
	int pending;         /* woken since read last started */
	int completed;       /* read returned RESP_STREAM_END */
};

struct http_server {
	struct MHD_Daemon *daemon;
	http_dispatch dispatch;
	void (*prepare)(struct req *r);
	pthread_mutex_t streams_lock;
	struct http_stream *streams;
	atomic_int streams_ending;    /* the server is stopping: end them all */
	struct app *app;
	size_t body_limit;
	size_t body_budget;
	atomic_size_t body_in_flight;
	const struct cidr_list *trusted_proxies;
	int header_timeout_ms;        /* 0: no head deadline */
	int port;
	atomic_int in_flight;

	pthread_mutex_t conns_lock;
	struct conn_track *conns;
	pthread_t reaper;
	pthread_cond_t reaper_wake;
	int reaper_started;
	int stopping;                 /* under conns_lock */
	int log_writer;               /* holds a logbuf_start() */
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

static struct conn_track *conn_of(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* ---- Connections: tracking and the request-head deadline ---- */

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
	enum MHD_ConnectionNotificationCode code)
{
	struct http_server *s = cls;
	struct conn_track *t = *socket_context;

	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
		t = calloc(1, sizeof *t);
		if (!t)
			return;
		t->fd = ci ? ci->connect_fd : MHD_INVALID_SOCKET;
		atomic_store(&t->head_deadline_ms,
			s->header_timeout_ms ? clock_mono_ms() + s->header_timeout_ms : 0);
		pthread_mutex_lock(&s->conns_lock);
		t->next = s->conns;
		if (s->conns)
			s->conns->prev = t;
		s->conns = t;
		pthread_mutex_unlock(&s->conns_lock);
		*socket_context = t;
		return;
	}
	if (code == MHD_CONNECTION_NOTIFY_CLOSED && t) {
		pthread_mutex_lock(&s->conns_lock);
		if (t->prev)
			t->prev->next = t->next;
		else
			s->conns = t->next;
		if (t->next)
			t->next->prev = t->prev;
		pthread_mutex_unlock(&s->conns_lock);
		free(t);
		*socket_context = NULL;
	}
}

/* libmicrohttpd's own timeout counts from the last byte received, so a
 * client that trickles its headers a byte at a time is never idle.  This
 * thread shuts down any connection whose request head is not complete
 * by its deadline; libmicrohttpd then sees the end of the stream and
 * closes the connection itself. */
static void *reaper_main(void *arg)
{
	struct http_server *s = arg;
	pthread_mutex_lock(&s->conns_lock);
	while (!s->stopping) {
		int64_t now = clock_mono_ms();
		for (struct conn_track *t = s->conns; t; t = t->next) {
			int64_t deadline = atomic_load(&t->head_deadline_ms);
			if (deadline && now >= deadline && !t->dropped && t->fd != MHD_INVALID_SOCKET) {
				shutdown(t->fd, SHUT_RDWR);
				t->dropped = 1;
				metrics_head_timeout();
			}
		}
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += REAP_INTERVAL_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->reaper_wake, &s->conns_lock, &ts);
	}
	pthread_mutex_unlock(&s->conns_lock);
	return NULL;
}

/* Called once the request line is parsed, before libmicrohttpd cuts the
 * query off the target and percent-decodes it in place: the only moment
 * the target's own length can be seen. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	(void)cls;
	struct conn_track *t = conn_of(c);
	if (!t)
		return NULL;
	t->raw_target = uri;
	t->raw_target_len = uri ? strlen(uri) : 0;
	t->target_problem = NULL;
	for (size_t i = 0; i < t->raw_target_len; i++) {
		unsigned char ch = (unsigned char)uri[i];
		if (ch <= 0x20 || ch == 0x7f) {
			t->target_problem = "a control character or a space in the request target";
			break;
		}
	}
	/* %00 decodes to the same NUL that a raw one is. */
	if (!t->target_problem && memmem(uri, t->raw_target_len, "%00", 3))
		t->target_problem = "an encoded NUL (%00) in the request target";
	return NULL;
}

/* ---- Request bodies: the budget shared by all connections ---- */

static int budget_take(struct http_server *s, size_t n)
{
	size_t cur = atomic_load(&s->body_in_flight);
	do {
		if (n > s->body_budget - cur)
			return -1;
	} while (!atomic_compare_exchange_weak(&s->body_in_flight, &cur, cur + n));
	return 0;
}

static void body_release(struct http_server *s, struct req *r)
{
	buf_release(&r->body);
	if (r->body_reserved) {
		atomic_fetch_sub(&s->body_in_flight, r->body_reserved);
		r->body_reserved = 0;
	}
}

/* ---- The request head, checked against RFC 9112 ---- */

/* tchar (RFC 9110 section 5.6.2): what field names and methods are made of. */
static int is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int all_nul(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\0')
			return 0;
	return 1;
}

/*
 * libmicrohttpd 0.9.75 parses the head in place in its read buffer: each
 * CR and LF becomes NUL, the colon after a field name becomes NUL, and
 * names and values are then measured with strlen.  A NUL byte sent by the
 * client therefore cuts a name, value or target short without a trace in
 * what the API returns, and a name with a space before its colon
 * ("Content-Length : 5") is kept as a different header - both are
 * request-smuggling gadgets behind a proxy that reads the bytes
 * differently.  The head is one block of the buffer, [method, method +
 * header size), and the fields lie in it in arrival order, so its exact
 * layout can be checked: between the end of one value and the next name
 * lie only the line end's NULs, the same width (CRLF or bare LF) on every
 * line, and the head ends with exactly one more line end.
 */
struct head_scan {
	const char *cursor;  /* end of the previous line's content */
	const char *end;     /* end of the head */
	size_t term;         /* line-end width: 1 (LF) or 2 (CRLF); 0 = not yet known */
	const char *bad;
	int content_lengths;
	const char *first_cl;
	size_t first_cl_len;
	int transfer_encodings;
	int bad_transfer_encoding; /* anything but a single "chunked" */
};

static enum MHD_Result scan_field(void *cls, enum MHD_ValueKind kind,
	const char *key, size_t key_size, const char *value, size_t value_size)
{
	struct head_scan *h = cls;
	(void)kind;
	if (h->bad)
		return MHD_NO;
	if (!value || key < h->cursor || key >= h->end || value < key ||
	    value_size > (size_t)(h->end - value)) {
		/* Moved out of the head: libmicrohttpd does that for obsolete
		 * line folding, which RFC 9112 section 5.2 lets a server refuse. */
		h->bad = "obsolete line folding is not accepted";
		return MHD_NO;
	}
	size_t gap = (size_t)(key - h->cursor);
	if (h->term == 0)
		h->term = gap;
	if ((gap != 1 && gap != 2) || gap != h->term || !all_nul(h->cursor, gap)) {
		h->bad = "a NUL byte in a header field, or mixed CRLF and bare LF line ends";
		return MHD_NO;
	}
	if (key_size == 0) {
		h->bad = "an empty header field name";
		return MHD_NO;
	}
	for (size_t i = 0; i < key_size; i++) {
		if (!is_tchar((unsigned char)key[i])) {
			h->bad = "a header field name with a character other than a token character "
				"(a space before the colon?)";
			return MHD_NO;
		}
	}
	const char *p = key + key_size;
	if (*p++ != '\0') {
		h->bad = "a malformed header field";
		return MHD_NO;
	}
	while (p < value && (*p == ' ' || *p == '\t'))
		p++;
	if (p != value) {
		h->bad = "a NUL byte in a header field";
		return MHD_NO;
	}
	for (size_t i = 0; i < value_size; i++) {
		unsigned char c = (unsigned char)value[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f) {
			h->bad = "a control character in a header field value";
			return MHD_NO;
		}
	}
	h->cursor = value + value_size;

	if (key_size == 14 && strncasecmp(key, "Content-Length", 14) == 0) {
		if (h->content_lengths == 0) {
			h->first_cl = value;
			h->first_cl_len = value_size;
		} else if (value_size != h->first_cl_len || memcmp(value, h->first_cl, value_size) != 0) {
			h->bad = "conflicting Content-Length headers";
		}
		h->content_lengths++;
	}
	if (key_size == 17 && strncasecmp(key, "Transfer-Encoding", 17) == 0) {
		if (strcasecmp(value, "chunked") != 0)
			h->bad_transfer_encoding = 1;
		h->transfer_encodings++;
	}
	return MHD_YES;
}

/* Why the head of this request must be refused, or NULL when it is sound. */
static const char *head_problem(struct MHD_Connection *c, const char *method,
	const char *version)
{
	struct conn_track *t = conn_of(c);
	const union MHD_ConnectionInfo *hs =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	if (!t || !t->raw_target || !hs || !method || !version || strlen(version) != 8)
		return "a malformed request line";
	const char *end = method + hs->header_size;

	/* The request line: method SP request-target SP HTTP-version, one
	 * space each (libmicrohttpd also takes runs of spaces). */
	size_t mlen = strlen(method);
	if (mlen == 0)
		return "a malformed request line";
	for (size_t i = 0; i < mlen; i++)
		if (!is_tchar((unsigned char)method[i]))
			return "a method with a character other than a token character";
	if (method + mlen + 1 != t->raw_target)
		return "a malformed request line (one space between method and target)";
	/* A NUL in the target ends strlen early, short of the version. */
	if (t->raw_target + t->raw_target_len + 1 != version)
		return "a NUL byte or a space in the request target";
	if (t->target_problem)
		return t->target_problem;
	if (version + 8 > end)
		return "a malformed request line";

	struct head_scan h = { .cursor = version + 8, .end = end };
	MHD_get_connection_values_n(c, MHD_HEADER_KIND, scan_field, &h);
	if (h.bad)
		return h.bad;
	/* What is left is the last line's end and the empty line. */
	size_t rest = (size_t)(end - h.cursor);
	if ((h.term == 0 ? (rest != 2 && rest != 4) : rest != 2 * h.term) || !all_nul(h.cursor, rest))
		return "a NUL byte in a header field, or mixed CRLF and bare LF line ends";
	/* Content-Length beside Transfer-Encoding, or a coding other than
	 * chunked, is how requests get smuggled past a proxy that reads the
	 * framing differently (RFC 9112 section 6.1). */
	if (h.transfer_encodings && (h.content_lengths || h.transfer_encodings > 1 ||
	    h.bad_transfer_encoding))
		return "Transfer-Encoding other than a single chunked, or beside Content-Length";
	return NULL;
}

/* ---- The client address ---- */

struct forwarded {
	struct buf text;
};

static enum MHD_Result collect_forwarded(void *cls, enum MHD_ValueKind kind,
	const char *key, size_t key_size, const char *value, size_t value_size)
{
	struct forwarded *f = cls;
	(void)kind;
	if (key_size == 15 && strncasecmp(key, "X-Forwarded-For", 15) == 0 && value) {
		if (f->text.len)
			buf_putc(&f->text, ',');
		buf_append(&f->text, value, value_size);
	}
	return MHD_YES;
}

/* The client's address: the peer's, or with a trusted proxy as the peer
 * the one X-Forwarded-For names (util/cidr.h).  This is the address that
 * per-IP throttles, the audit trail and the access log see.  Returns 1
 * when the peer is a trusted proxy (its X-Forwarded-* headers count). */
static int client_ip(const struct http_server *s, struct MHD_Connection *c,
	char *out, size_t outlen)
{
	int via_proxy = 0;
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	uint8_t peer[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	snprintf(out, outlen, "unknown");
	if (!ci || !ci->client_addr)
		return 0;
	if (ci->client_addr->sa_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)(const void *)ci->client_addr;
		memcpy(peer + 12, &a->sin_addr, 4);
	} else if (ci->client_addr->sa_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)(const void *)ci->client_addr;
		memcpy(peer, &a->sin6_addr, 16);
	} else {
		return 0;
	}
	uint8_t client[16];
	memcpy(client, peer, 16);
	if (s->trusted_proxies && cidr_list_match(s->trusted_proxies, peer)) {
		struct forwarded f;
		buf_init(&f.text);
		MHD_get_connection_values_n(c, MHD_HEADER_KIND, collect_forwarded, &f);
		cidr_forwarded_client(s->trusted_proxies, peer, buf_cstr(&f.text), f.text.len, client);
		buf_release(&f.text);
		via_proxy = 1;
	}
	char text[CIDR_ADDR_TEXT];
	cidr_addr_format(client, text);
	snprintf(out, outlen, "%s", text);
	return via_proxy;
}

static int auth_route(const char *url)
{
	return strncmp(url, "/api/v1/auth/", 13) == 0 || strncmp(url, "/api/v1/platform/auth/", 22) == 0;
}

static struct req *req_begin(struct http_server *s, struct MHD_Connection *c,
	const char *url, const char *method, const char *version)
{
	/* Checked before anything is copied out of the head. */
	const char *bad = head_problem(c, method, version);
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
	r->via_trusted_proxy = client_ip(s, c, r->client_ip, sizeof r->client_ip);
	r->bad_headers = bad;
	if (bad)
		return r;

	/* Sign-in and token bodies are a few hundred bytes; a small cap,
	 * decided from the URL before any of the body is read, keeps
	 * unauthenticated clients from parking megabytes on them. */
	r->body_cap = s->body_limit;
	if (auth_route(url) && r->body_cap > AUTH_BODY_LIMIT)
		r->body_cap = AUTH_BODY_LIMIT;
	if (s->prepare)
		s->prepare(r);
	if (r->sink.write) {
		r->body_hash_state = arena_alloc(a, sizeof(crypto_hash_sha256_state));
		crypto_hash_sha256_init(r->body_hash_state);
	}
	const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
	if (cl) {
		char *end;
		unsigned long long n = strtoull(cl, &end, 10);
		if (*end == '\0' && n > r->body_cap)
			r->body_too_large = 1;
		else if (*end == '\0' && n > 0) {
			/* The whole declared body is reserved up front, so a
			 * request that would overrun the budget is refused
			 * before any of it is buffered. */
			if (budget_take(s, (size_t)n) < 0)
				r->body_over_budget = 1;
			else
				r->body_reserved = (size_t)n;
		}
	}
	return r;
}

/* ---- Answers given from another thread ---- */

/* Suspended before the request is handed on, so the resume always comes
 * after the suspend; libmicrohttpd calls on_request again once resumed. */
void req_defer(struct req *r)
{
	r->deferred = 1;
	MHD_suspend_connection(r->conn);
}

void req_resume(struct req *r)
{
	MHD_resume_connection(r->conn);
}

/* ---- Streamed responses ---- */

void http_stream_wake(struct http_stream *h)
{
	pthread_mutex_lock(&h->lock);
	h->pending = 1;
	if (h->parked) {
		h->parked = 0;
		MHD_resume_connection(h->conn);
	}
	pthread_mutex_unlock(&h->lock);
}

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct http_stream *h = cls;
	(void)pos;
	for (;;) {
		if (atomic_load(&h->server->streams_ending))
			return MHD_CONTENT_READER_END_WITH_ERROR;
		pthread_mutex_lock(&h->lock);
		h->pending = 0;
		pthread_mutex_unlock(&h->lock);
		long n = h->ops->read(h->cls, h, out, max);
		if (n > 0)
			return (ssize_t)n;
		if (n == RESP_STREAM_END) {
			h->completed = 1;
			return MHD_CONTENT_READER_END_OF_STREAM;
		}
		if (n != RESP_STREAM_WAIT)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		/* Park, unless a wake came while read ran (then read again).
		 * libmicrohttpd allows suspending from the content reader;
		 * returning 0 after it sends nothing until the resume. */
		pthread_mutex_lock(&h->lock);
		if (h->pending || atomic_load(&h->server->streams_ending)) {
			pthread_mutex_unlock(&h->lock);
			continue;
		}
		h->parked = 1;
		MHD_suspend_connection(h->conn);
		pthread_mutex_unlock(&h->lock);
		return 0;
	}
}

static void stream_free(void *cls)
{
	struct http_stream *h = cls;
	struct http_server *s = h->server;
	h->ops->done(h->cls, h->completed);
	pthread_mutex_lock(&s->streams_lock);
	if (h->prev)
		h->prev->next = h->next;
	else
		s->streams = h->next;
	if (h->next)
		h->next->prev = h->prev;
	pthread_mutex_unlock(&s->streams_lock);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* The libmicrohttpd response of a streamed body; NULL (after telling the
 * stream's owner) when it cannot be made. */
static struct MHD_Response *stream_response(struct http_server *s, struct req *r)
{
	const struct resp_stream_ops *ops = r->resp.stream_ops;
	void *cls = r->resp.stream_cls;
	r->resp.stream_ops = NULL;
	r->resp.stream_cls = NULL;

	struct http_stream *h = calloc(1, sizeof *h);
	if (!h) {
		ops->done(cls, 0);
		return NULL;
	}
	h->server = s;
	h->conn = r->conn;
	h->ops = ops;
	h->cls = cls;
	pthread_mutex_init(&h->lock, NULL);
	struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN,
		STREAM_BLOCK, stream_read, h, stream_free);
	if (!resp) {
		ops->done(cls, 0);
		pthread_mutex_destroy(&h->lock);
		free(h);
		return NULL;
	}
	pthread_mutex_lock(&s->streams_lock);
	h->next = s->streams;
	if (s->streams)
		s->streams->prev = h;
	s->streams = h;
	pthread_mutex_unlock(&s->streams_lock);
	return resp;
}

/* Shutdown: every stream ends at its next read, and parked ones are woken
 * for it. */
static void streams_end_all(struct http_server *s)
{
	atomic_store(&s->streams_ending, 1);
	pthread_mutex_lock(&s->streams_lock);
	for (struct http_stream *h = s->streams; h; h = h->next)
		http_stream_wake(h);
	pthread_mutex_unlock(&s->streams_lock);
}

static void add_header(const char *name, const char *value, void *cls)
{
	MHD_add_response_header(cls, name, value);
}

static enum MHD_Result respond(struct http_server *s, struct req *r)
{
	struct MHD_Response *resp;

	resp_finish(r);
	if (r->resp.stream_ops) {
		resp = stream_response(s, r);
	} else if (r->resp.body.len > 0) {
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
	resp_each_header(r, add_header, resp);
	enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned int)r->resp.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* A problem recorded before dispatch comes from the route's prepare_body
 * or its sink (a file too large, say): it is the answer, and the rest of
 * the body is read and dropped. */
static int refused(const struct req *r)
{
	return r->bad_headers || r->body_too_large || r->body_over_budget || r->problem.status;
}

/* The problem for a request refused before dispatch. */
static void refuse(struct req *r)
{
	if (r->problem.status)
		return;
	if (r->bad_headers) {
		req_failf(r, 400, "bad_request", "malformed request head: %s", r->bad_headers);
	} else if (r->body_too_large) {
		req_failf(r, 413, "payload_too_large", "request body exceeds %zu bytes", r->body_cap);
	} else {
		req_fail(r, 503, "server_busy", "the server is receiving too many request bodies; try again shortly");
		r->problem.retry_after = BUSY_RETRY_S;
	}
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
	const char *url, const char *method, const char *version,
	const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;

	if (!r) {
		struct conn_track *t = conn_of(c);
		if (t)
			atomic_store(&t->head_deadline_ms, 0);
		r = req_begin(s, c, url, method, version);
		if (!r)
			return MHD_NO;
		*con_cls = r;
		atomic_fetch_add(&s->in_flight, 1);
		/* A bad head, a declared body over the cap or over the budget
		 * are answered on this first call: libmicrohttpd accepts a
		 * response only before the body is read or after all of it,
		 * and one queued now is sent with Connection: close, the body
		 * left unread. */
		if (!refused(r))
			return MHD_YES;
		refuse(r);
		return respond(s, r);
	}
	if (r->deferred) {
		/* Resumed (req_resume): the answer is in. */
		body_release(s, r);
		return respond(s, r);
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (refused(r))
			return MHD_YES;    /* read and dropped; refused at the end */
		/* A chunked body has no size up front: the cap and the budget
		 * hold while it streams, and once either is passed the rest is
		 * read and dropped and the answer comes once it is all in. */
		if (r->body_seen + n > r->body_cap) {
			r->body_too_large = 1;
			body_release(s, r);
			return MHD_YES;
		}
		if (r->body_seen + n > r->body_reserved) {
			size_t more = r->body_seen + n - r->body_reserved;
			if (budget_take(s, more) < 0) {
				r->body_over_budget = 1;
				body_release(s, r);
				return MHD_YES;
			}
			r->body_reserved += more;
		}
		if (r->sink.write) {
			/* Parsed as it arrives: the budget holds what the sink
			 * keeps of it, and the hash is what Idempotency-Key
			 * compares. */
			crypto_hash_sha256_update(r->body_hash_state,
				(const unsigned char *)upload_data, n);
			r->body_seen += n;
			if (!r->sink_stopped && r->sink.write(r->sink.cls, upload_data, n) < 0)
				r->sink_stopped = 1;
			return MHD_YES;
		}
		if (r->body.cap == 0)
			buf_grow(&r->body, r->body_reserved);
		buf_append(&r->body, upload_data, n);
		r->body_seen += n;
		return MHD_YES;
	}
	if (r->sink.write && !r->body_hashed) {
		crypto_hash_sha256_final(r->body_hash_state, r->body_sha256);
		r->body_hashed = 1;
	}
	if (refused(r))
		refuse(r);
	else
		s->dispatch(r);
	if (r->deferred)
		return MHD_YES;    /* suspended until req_resume; r is not ours now */
	/* The body is not needed for the response: give its bytes back to
	 * the budget now rather than when the response is sent. */
	body_release(s, r);
	return respond(s, r);
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

/* Formatted on the request's thread into a buffer the thread keeps (no
 * malloc once it has grown to the longest line), then handed to the log
 * writer thread (util/logbuf.h), which writes many lines at once. */
static pthread_key_t line_key;
static pthread_once_t line_once = PTHREAD_ONCE_INIT;
static _Thread_local struct buf *line_of_thread;

static void line_free(void *cls)
{
	buf_release(cls);
	free(cls);
}

static void line_key_create(void)
{
	pthread_key_create(&line_key, line_free);
}

static void access_log(struct req *r, int status, int64_t dur_us)
{
	struct buf local = BUF_INIT, *l = line_of_thread;
	if (!l) {
		pthread_once(&line_once, line_key_create);
		l = calloc(1, sizeof *l);
		if (l && pthread_setspecific(line_key, l) == 0) {
			line_of_thread = l;
			buf_grow(l, 512);
		} else {
			free(l);
			l = &local;
		}
	}
	buf_reset(l);
	line_string(l, "level", "info");
	line_string(l, "request_id", r->request_id);
	line_string(l, "method", r->method);
	line_string(l, "route", r->route);
	line_string(l, "path", r->path);
	line_int(l, "status", status);
	line_int(l, "duration_us", (long long)dur_us);
	line_string(l, "tenant", r->caller.tenant_slug);
	if (r->caller.api_key_id[0])
		line_string(l, "api_key", r->caller.api_key_id);
	line_string(l, "ip", r->client_ip);
	if (r->db_target)
		line_string(l, "db", r->db_target);
	buf_putc(l, '}');
	logbuf_put(l->data, l->len);
	/* A line far longer than most (a long path) is not kept for good. */
	if (l->cap > 8192)
		buf_release(l);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
	enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct req *r = *con_cls;
	(void)toe;
	/* The next request on this connection gets a fresh head deadline. */
	struct conn_track *t = conn_of(c);
	if (t && s->header_timeout_ms)
		atomic_store(&t->head_deadline_ms, clock_mono_ms() + s->header_timeout_ms);
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
	body_release(s, r);
	buf_release(&r->resp.body);
	arena_free(r->arena);
	*con_cls = NULL;
	atomic_fetch_sub(&s->in_flight, 1);
}

static void server_free(struct http_server *s)
{
	if (s->reaper_started) {
		pthread_mutex_lock(&s->conns_lock);
		s->stopping = 1;
		pthread_cond_signal(&s->reaper_wake);
		pthread_mutex_unlock(&s->conns_lock);
		pthread_join(s->reaper, NULL);
	}
	pthread_cond_destroy(&s->reaper_wake);
	pthread_mutex_destroy(&s->conns_lock);
	pthread_mutex_destroy(&s->streams_lock);
	/* After MHD_stop_daemon: every request's line has been put, and the
	 * last server's stop writes them all out. */
	if (s->log_writer)
		logbuf_stop();
	free(s);
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
	/* The access log's writer runs while any server does (lines are
	 * written at once if it cannot start); server_free lets go of it. */
	s->log_writer = logbuf_start(STDOUT_FILENO) == 0;
	s->dispatch = dispatch;
	s->prepare = cfg->prepare;
	s->app = app;
	s->body_limit = cfg->body_limit;
	s->body_budget = cfg->body_budget ? cfg->body_budget : SIZE_MAX;
	s->trusted_proxies = cfg->trusted_proxies;
	s->header_timeout_ms = cfg->header_timeout_s > 0 ? cfg->header_timeout_s * 1000 : 0;
	pthread_mutex_init(&s->conns_lock, NULL);
	pthread_mutex_init(&s->streams_lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->reaper_wake, &ca);
	pthread_condattr_destroy(&ca);

	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)cfg->port);
	if (inet_pton(AF_INET, cfg->host, &addr.sin_addr) != 1) {
		snprintf(err, errlen, "listen address \"%s\": must be an IPv4 address", cfg->host);
		server_free(s);
		return NULL;
	}
	if (s->header_timeout_ms) {
		if (pthread_create(&s->reaper, NULL, reaper_main, s) != 0) {
			snprintf(err, errlen, "cannot start a thread");
			server_free(s);
			return NULL;
		}
		s->reaper_started = 1;
	}
	unsigned int threads = cfg->threads < 2 ? 2u : (unsigned int)cfg->threads;
	s->daemon = MHD_start_daemon(
		MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
		MHD_ALLOW_SUSPEND_RESUME,
		0, NULL, NULL, on_request, s,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->timeout_s,
		MHD_OPTION_CONNECTION_LIMIT, 4096u,
		MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->per_ip_connections,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
		MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, s,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
		MHD_OPTION_END);
	if (!s->daemon) {
		snprintf(err, errlen, "cannot listen on %s:%d (in use or not permitted)", cfg->host, cfg->port);
		server_free(s);
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
	/* Streams never finish by themselves (an event stream is open-ended):
	 * they end now, so the drain below waits only for real requests. */
	streams_end_all(s);
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
	server_free(s);
}
