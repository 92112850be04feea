/*
 * outbound.h — internal to providers/: one HTTP POST to a provider with
 * timeouts, a response cap and bounded retries (the policy of provider.h),
 * and the checks and result helpers both clients share.
 */
#ifndef QT_PROVIDERS_OUTBOUND_H
#define QT_PROVIDERS_OUTBOUND_H

#include <stddef.h>

#include "providers/provider.h"
#include "util/buf.h"

/* Transport failures (no usable HTTP answer). */
enum outbound_error {
	OUTBOUND_TIMEOUT = -1,
	OUTBOUND_CONNECT = -2,   /* resolve or connect failed */
	OUTBOUND_TLS = -3,
	OUTBOUND_NETWORK = -4,   /* send/receive failed mid-way */
	OUTBOUND_TOO_LARGE = -5, /* body over WA_RESPONSE_MAX */
	OUTBOUND_SETUP = -6,     /* libcurl refused an option or out of memory */
};

struct outbound_request {
	const char *provider;      /* "whatsapp_cloud" / "twilio", for logs */
	const char *url;
	const char *content_type;
	const char *body;
	size_t body_len;
	const char *bearer_token;  /* Authorization: Bearer, or NULL */
	const char *basic_user;    /* HTTP Basic, or NULL */
	const char *basic_password;
};

struct outbound_response {
	long status;       /* last HTTP status, 0 when none */
	struct buf body;   /* last answer's body (released by outbound_response_release) */
	int attempts;
};

/*
 * POST req, retrying on 429, 5xx, timeouts and connection failures as
 * transport says.  Returns 0 when the last attempt got an HTTP answer (any
 * status: the caller reads resp->status and resp->body), or an enum
 * outbound_error for the last attempt's transport failure.  resp is
 * initialised here; release it in every case.
 */
int outbound_post(const struct wa_transport *transport, const struct outbound_request *req,
	struct outbound_response *resp);

void outbound_response_release(struct outbound_response *resp);

/* 0 if url is http:// or https://, printable ASCII without spaces, with a
 * host and no '?' or '#'; -1 otherwise. */
int outbound_check_url(const char *url);

/* 0 if url is http:// or https://, printable ASCII without spaces, with a
 * host, at most 2048 bytes (a query is allowed: a callback URL); -1 otherwise. */
int outbound_check_callback_url(const char *url);

/* 0 if s is valid UTF-8 (no overlongs, surrogates or code points past
 * U+10FFFF); -1 otherwise (including NULL). */
int outbound_check_utf8(const char *s);

/* The base URL without trailing '/' into b (dflt when base is NULL/""). */
void outbound_base_url(struct buf *b, const char *base, const char *dflt);

/* 0 if s is a non-empty path segment of [A-Za-z0-9._-] (not "." or ".."),
 * at most 128 bytes; -1 otherwise. */
int outbound_check_segment(const char *s);

/* 0 if s is non-empty printable ASCII without spaces (a token that can go
 * into a header), at most 4096 bytes; -1 otherwise. */
int outbound_check_token(const char *s);

/* 0 if s is "+" then 8-15 digits, the first not 0; -1 otherwise. */
int outbound_check_e164(const char *s);

/* Copy src into dst (cap bytes, always NUL-terminated), cut at a UTF-8
 * character boundary, with control characters and invalid bytes turned
 * into '?' so the text is safe for JSON and one log line. */
void outbound_copy_text(char *dst, size_t cap, const char *src);

/* One provider error code and the sentence a store owner reads. */
struct outbound_error_text {
	long code;
	int retryable;      /* a rate limit: retry later */
	const char *text;
};

/* The sentence for code in table (n rows), or NULL; *retryable (may be
 * NULL) is set, 0 for an unknown code. */
const char *outbound_error_text(const struct outbound_error_text *table, size_t n, long code,
	int *retryable);

/* Reset res to "nothing happened yet". */
void outbound_result_init(struct wa_result *res);

/* Mark res failed with code and a printf-formatted message (truncated as
 * outbound_copy_text does).  Returns status, for `return outbound_fail(…)`. */
int outbound_fail(struct wa_result *res, int status, int retryable, const char *code,
	const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Fill res for a transport failure rc of outbound_post (status:
 * WA_ERR_UNAVAILABLE, or WA_ERR_RESPONSE for an oversized answer). */
int outbound_fail_transport(struct wa_result *res, int rc, const struct wa_transport *transport);

/* The generic failure for an HTTP answer without a provider error code:
 * "http_<status>", retryable for 429/5xx.  name is "WhatsApp Cloud API" or
 * "Twilio". */
int outbound_fail_http(struct wa_result *res, long status, const char *name);

/* Store a provider's message id; WA_ERR_RESPONSE when id is NULL, empty,
 * too long for res or not printable ASCII. */
int outbound_succeed(struct wa_result *res, const char *id, const char *name);

/* The effective timeouts and attempts (zero fields resolved). */
void outbound_transport_resolve(const struct wa_transport *in, struct wa_transport *out);

#endif
