/* outbound.c — one provider POST over libcurl with the retry policy of provider.h. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "providers/outbound.h"
#include "util/log.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static int curl_ready;

static void curl_init_once(void)
{
	curl_ready = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK;
}

static pthread_once_t env_once = PTHREAD_ONCE_INIT;
static struct wa_transport env_transport;

static long env_ms(const char *name, long dflt)
{
	const char *v = getenv(name);
	char *end;
	if (!v || !*v)
		return dflt;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < 1 || n > 600000) {
		log_warn("%s=\"%.32s\": must be milliseconds 1-600000; using %ld", name, v, dflt);
		return dflt;
	}
	return n;
}

static void env_init_once(void)
{
	env_transport.connect_timeout_ms = env_ms("QT_PROVIDER_CONNECT_TIMEOUT_MS", WA_DEFAULT_CONNECT_TIMEOUT_MS);
	env_transport.timeout_ms = env_ms("QT_PROVIDER_TIMEOUT_MS", WA_DEFAULT_TIMEOUT_MS);
	env_transport.backoff_ms = env_ms("QT_PROVIDER_BACKOFF_MS", WA_DEFAULT_BACKOFF_MS);
	env_transport.max_attempts = WA_MAX_ATTEMPTS;
}

void outbound_transport_resolve(const struct wa_transport *in, struct wa_transport *out)
{
	pthread_once(&env_once, env_init_once);
	*out = env_transport;
	if (!in)
		return;
	if (in->connect_timeout_ms > 0)
		out->connect_timeout_ms = in->connect_timeout_ms;
	if (in->timeout_ms > 0)
		out->timeout_ms = in->timeout_ms;
	if (in->backoff_ms > 0)
		out->backoff_ms = in->backoff_ms;
	if (in->max_attempts > 0)
		out->max_attempts = in->max_attempts < WA_MAX_ATTEMPTS ? in->max_attempts : WA_MAX_ATTEMPTS;
}

struct sink {
	struct buf *body;
	int too_large;
};

static size_t sink_write(char *p, size_t size, size_t n, void *ctx)
{
	struct sink *s = ctx;
	size_t len = size * n;
	if (s->body->len + len > WA_RESPONSE_MAX) {
		s->too_large = 1;
		return 0;  /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	buf_append(s->body, p, len);
	return len;
}

static int classify_curl(CURLcode c, int too_large)
{
	if (too_large || c == CURLE_FILESIZE_EXCEEDED)
		return OUTBOUND_TOO_LARGE;
	switch (c) {
	case CURLE_OPERATION_TIMEDOUT:
		return OUTBOUND_TIMEOUT;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
		return OUTBOUND_CONNECT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
		return OUTBOUND_TLS;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return OUTBOUND_NETWORK;
	default:
		return OUTBOUND_SETUP;
	}
}

/* A failed attempt worth repeating: the provider is busy or unreachable.
 * TLS failures (a bad certificate will not fix itself in a second) and
 * oversized answers (the message may have been taken) are final. */
static int worth_retrying(int rc, long status)
{
	if (rc == 0)
		return status == 429 || (status >= 500 && status <= 599);
	return rc == OUTBOUND_TIMEOUT || rc == OUTBOUND_CONNECT || rc == OUTBOUND_NETWORK;
}

static const char *transport_reason(int rc)
{
	switch (rc) {
	case OUTBOUND_TIMEOUT: return "timeout";
	case OUTBOUND_CONNECT: return "connection failed";
	case OUTBOUND_TLS: return "TLS error";
	case OUTBOUND_NETWORK: return "network error";
	case OUTBOUND_TOO_LARGE: return "response too large";
	default: return "request could not be made";
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int setup(CURL *h, const struct wa_transport *t, const struct outbound_request *req,
	struct curl_slist *headers, struct sink *sink, char *errbuf)
{
	CURLcode c = CURLE_OK;
#define SET(opt, val) do { if (c == CURLE_OK) c = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_CONNECTTIMEOUT_MS, t->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, t->timeout_ms);
	SET(CURLOPT_POST, 1L);
	SET(CURLOPT_POSTFIELDS, req->body);
	SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	SET(CURLOPT_HTTPHEADER, headers);
	SET(CURLOPT_USERAGENT, "QuantumTrack");
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)WA_RESPONSE_MAX);
	SET(CURLOPT_WRITEFUNCTION, sink_write);
	SET(CURLOPT_WRITEDATA, sink);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (req->bearer_token) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BEARER);
		SET(CURLOPT_XOAUTH2_BEARER, req->bearer_token);
	} else if (req->basic_user) {
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		SET(CURLOPT_USERNAME, req->basic_user);
		SET(CURLOPT_PASSWORD, req->basic_password ? req->basic_password : "");
	}
#undef SET
	return c == CURLE_OK ? 0 : -1;
}

int outbound_post(const struct wa_transport *transport, const struct outbound_request *req,
	struct outbound_response *resp)
{
	struct wa_transport t;
	struct curl_slist *headers = NULL, *more;
	char errbuf[CURL_ERROR_SIZE] = "";
	char content_type[128];
	struct sink sink = { &resp->body, 0 };
	int rc = OUTBOUND_SETUP;
	CURL *h = NULL;

	resp->status = 0;
	resp->attempts = 0;
	buf_init(&resp->body);
	outbound_transport_resolve(transport, &t);
	pthread_once(&curl_once, curl_init_once);
	if (!curl_ready || !(h = curl_easy_init()))
		goto out;
	snprintf(content_type, sizeof content_type, "Content-Type: %s", req->content_type);
	/* "Expect:" keeps curl from waiting for 100-continue on larger bodies. */
	const char *lines[] = { content_type, "Accept: application/json", "Expect:" };
	for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
		if (!(more = curl_slist_append(headers, lines[i])))
			goto out;
		headers = more;
	}
	if (setup(h, &t, req, headers, &sink, errbuf) != 0)
		goto out;

	for (int attempt = 1; attempt <= t.max_attempts; attempt++) {
		buf_reset(&resp->body);
		sink.too_large = 0;
		errbuf[0] = '\0';
		resp->status = 0;
		resp->attempts = attempt;
		CURLcode c = curl_easy_perform(h);
		if (c == CURLE_OK) {
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
			rc = 0;
		} else {
			rc = classify_curl(c, sink.too_large);
		}
		if (attempt == t.max_attempts || !worth_retrying(rc, resp->status))
			break;
		long wait = t.backoff_ms;
		for (int k = 1; k < attempt; k++)
			wait *= 4;
		if (rc == 0)
			log_warn("%s: attempt %d of %d answered HTTP %ld; retrying in %ld ms",
				req->provider, attempt, t.max_attempts, resp->status, wait);
		else
			log_warn("%s: attempt %d of %d failed (%s); retrying in %ld ms",
				req->provider, attempt, t.max_attempts, transport_reason(rc), wait);
		sleep_ms(wait);
	}
	if (rc != 0)
		buf_reset(&resp->body);
out:
	/* Never pooled: libcurl's copies of the credentials die with the handle. */
	if (h)
		curl_easy_cleanup(h);
	curl_slist_free_all(headers);
	return rc;
}

void outbound_response_release(struct outbound_response *resp)
{
	buf_release(&resp->body);
}

static int printable_ascii(const char *s, size_t max, int allow_space)
{
	size_t n = 0;
	for (; s[n]; n++) {
		unsigned char ch = (unsigned char)s[n];
		if (n >= max || ch > 0x7e || ch < (allow_space ? 0x20 : 0x21))
			return -1;
	}
	return n ? 0 : -1;
}

int outbound_check_callback_url(const char *url)
{
	size_t skip;
	if (!url || printable_ascii(url, 2048, 0) != 0)
		return -1;
	if (strncmp(url, "https://", 8) == 0)
		skip = 8;
	else if (strncmp(url, "http://", 7) == 0)
		skip = 7;
	else
		return -1;
	if (url[skip] == '\0' || url[skip] == '/' || url[skip] == '?' || url[skip] == '#')
		return -1;
	return strpbrk(url, "\\") ? -1 : 0;
}

int outbound_check_url(const char *url)
{
	if (outbound_check_callback_url(url) != 0 || strpbrk(url, "?#"))
		return -1;
	return 0;
}

void outbound_base_url(struct buf *b, const char *base, const char *dflt)
{
	buf_puts(b, base && *base ? base : dflt);
	while (b->len > 0 && b->data[b->len - 1] == '/')
		b->data[--b->len] = '\0';
}

int outbound_check_segment(const char *s)
{
	if (!s || !*s || strlen(s) > 128 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return -1;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
			|| *p == '.' || *p == '_' || *p == '-'))
			return -1;
	return 0;
}

int outbound_check_token(const char *s)
{
	return s ? printable_ascii(s, 4096, 0) : -1;
}

int outbound_check_e164(const char *s)
{
	if (!s || s[0] != '+' || s[1] < '1' || s[1] > '9')
		return -1;
	size_t n = 0;
	for (const char *p = s + 1; *p; p++, n++)
		if (*p < '0' || *p > '9')
			return -1;
	return n >= 8 && n <= 15 ? 0 : -1;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	size_t n;
	unsigned min;
	unsigned cp;
	if ((p[0] & 0xe0) == 0xc0) { n = 2; min = 0x80; cp = p[0] & 0x1f; }
	else if ((p[0] & 0xf0) == 0xe0) { n = 3; min = 0x800; cp = p[0] & 0x0f; }
	else if ((p[0] & 0xf8) == 0xf0) { n = 4; min = 0x10000; cp = p[0] & 0x07; }
	else return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

int outbound_check_utf8(const char *s)
{
	if (!s)
		return -1;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		size_t n = utf8_len(p);
		if (n == 0)
			return -1;
		p += n;
	}
	return 0;
}

void outbound_copy_text(char *dst, size_t cap, const char *src)
{
	size_t o = 0;
	if (cap == 0)
		return;
	const unsigned char *p = (const unsigned char *)(src ? src : "");
	while (*p) {
		size_t n = utf8_len(p);
		if (n == 0 || (n == 1 && (*p < 0x20 || *p == 0x7f))) {
			if (o + 1 >= cap)
				break;
			dst[o++] = '?';
			p++;
			continue;
		}
		if (o + n >= cap)
			break;
		memcpy(dst + o, p, n);
		o += n;
		p += n;
	}
	dst[o] = '\0';
}

void outbound_result_init(struct wa_result *res)
{
	memset(res, 0, sizeof *res);
}

int outbound_fail(struct wa_result *res, int status, int retryable, const char *code,
	const char *fmt, ...)
{
	char text[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	res->ok = 0;
	res->provider_message_id[0] = '\0';
	res->retryable = retryable;
	outbound_copy_text(res->error_code, sizeof res->error_code, code);
	outbound_copy_text(res->error_message, sizeof res->error_message, text);
	return status;
}

int outbound_fail_transport(struct wa_result *res, int rc, const struct wa_transport *transport)
{
	struct wa_transport t;
	outbound_transport_resolve(transport, &t);
	const char *tries = res->attempts == 1 ? "attempt" : "attempts";
	switch (rc) {
	case OUTBOUND_TIMEOUT:
		return outbound_fail(res, WA_ERR_UNAVAILABLE, 1, "timeout",
			"The provider did not answer within %ld ms (%d %s); try again later",
			t.timeout_ms, res->attempts, tries);
	case OUTBOUND_CONNECT:
		return outbound_fail(res, WA_ERR_UNAVAILABLE, 1, "connection_failed",
			"Could not connect to the provider (%d %s); check base_url or try again later",
			res->attempts, tries);
	case OUTBOUND_TLS:
		return outbound_fail(res, WA_ERR_UNAVAILABLE, 0, "tls_error",
			"The provider's TLS certificate could not be verified; check base_url");
	case OUTBOUND_NETWORK:
		return outbound_fail(res, WA_ERR_UNAVAILABLE, 1, "network_error",
			"The connection to the provider broke (%d %s); try again later",
			res->attempts, tries);
	case OUTBOUND_TOO_LARGE:
		return outbound_fail(res, WA_ERR_RESPONSE, 0, "response_too_large",
			"The provider's answer was larger than %d KiB; the message may have been sent",
			WA_RESPONSE_MAX / 1024);
	default:
		return outbound_fail(res, WA_ERR_UNAVAILABLE, 1, "network_error",
			"The request to the provider could not be made");
	}
}

int outbound_fail_http(struct wa_result *res, long status, const char *name)
{
	char code[32];
	snprintf(code, sizeof code, "http_%ld", status);
	if (status == 429)
		return outbound_fail(res, WA_ERR_UNAVAILABLE, 1, code,
			"%s is limiting requests (HTTP 429 after %d attempts); try again later",
			name, res->attempts);
	if (status >= 500)
		return outbound_fail(res, WA_ERR_UNAVAILABLE, 1, code,
			"%s is unavailable (HTTP %ld after %d attempts); try again later",
			name, status, res->attempts);
	if (status >= 300 && status < 400)
		return outbound_fail(res, WA_ERR_REJECTED, 0, code,
			"%s answered a redirect (HTTP %ld), which is not followed; check base_url",
			name, status);
	if (status >= 200 && status < 300)
		return outbound_fail(res, WA_ERR_RESPONSE, 0, "invalid_response",
			"%s accepted the request (HTTP %ld) but its answer could not be read; the message may have been sent",
			name, status);
	return outbound_fail(res, WA_ERR_REJECTED, 0, code, "%s refused the message (HTTP %ld)",
		name, status);
}

int outbound_succeed(struct wa_result *res, const char *id, const char *name)
{
	if (!id || strlen(id) >= sizeof res->provider_message_id || printable_ascii(id, 4096, 0) != 0)
		return outbound_fail(res, WA_ERR_RESPONSE, 0, "invalid_response",
			"%s accepted the request (HTTP %d) but returned no usable message id; the message may have been sent",
			name, res->http_status);
	res->ok = 1;
	res->retryable = 0;
	res->error_code[0] = '\0';
	res->error_message[0] = '\0';
	memcpy(res->provider_message_id, id, strlen(id) + 1);
	return WA_OK;
}

const char *outbound_error_text(const struct outbound_error_text *table, size_t n, long code,
	int *retryable)
{
	for (size_t i = 0; i < n; i++)
		if (table[i].code == code) {
			if (retryable)
				*retryable = table[i].retryable;
			return table[i].text;
		}
	if (retryable)
		*retryable = 0;
	return NULL;
}
