/*
 * provider.h — sending one WhatsApp message through a provider: the
 * WhatsApp Cloud API (Meta) or Twilio.  The only code in the product that
 * talks to the outside; both clients share this interface.
 *
 *	struct wa_cloud_config cfg = { .api_version = "v21.0",
 *		.phone_number_id = "1234567890", .template_name = "payment_due",
 *		.template_language = "en" };
 *	const char *params[] = { "Asha", "₹1,250.00" };
 *	struct wa_message m = { .to_e164 = "+919876543210",
 *		.params = params, .nparams = 2 };
 *	struct wa_result r;
 *	if (wa_cloud_send(&cfg, access_token, &m, &r) == WA_OK)
 *		... r.provider_message_id ...
 *	else
 *		... r.error_code, r.error_message, r.retryable ...
 *
 * NEVER CALL A PROVIDER INSIDE A DATABASE TRANSACTION.  A send can take up
 * to max_attempts × timeout_ms plus the backoff (about 46 s with the
 * defaults); holding a store transaction or a customer lock for that long
 * would stall the store.  Claim the reminder row and commit, call the
 * provider, then record the outcome in a second transaction.
 *
 * Transport (both clients): libcurl, one easy handle per call (reused
 * across its attempts), HTTP and HTTPS only, redirects never followed,
 * TLS peers verified, responses capped at WA_RESPONSE_MAX bytes.  At most
 * WA_MAX_ATTEMPTS attempts: a retry happens after HTTP 429, any 5xx, a
 * timeout or a failed connection, never after any other status.  A retry
 * after a timeout may send the message twice (the provider may have taken
 * the first request; neither API offers an idempotency key for sends);
 * that is the price of the contract's "retry on timeouts".
 *
 * Secrets (access token, auth token) are passed per call, never stored by
 * this module and never logged.  Retries are logged with log_warn (the
 * provider, the attempt and the HTTP status or transport error only: no
 * URL, phone number, body or secret).
 *
 * Thread-safe: every call is independent (libcurl is initialised once,
 * with pthread_once, on the first call).
 */
#ifndef QT_PROVIDERS_PROVIDER_H
#define QT_PROVIDERS_PROVIDER_H

#include <stddef.h>

#define WA_MAX_ATTEMPTS 3
#define WA_RESPONSE_MAX (64 * 1024)
#define WA_CLOUD_DEFAULT_BASE_URL "https://graph.facebook.com"
#define TWILIO_DEFAULT_BASE_URL "https://api.twilio.com"

/* Defaults of struct wa_transport, each overridable by the environment
 * (QT_PROVIDER_CONNECT_TIMEOUT_MS, QT_PROVIDER_TIMEOUT_MS,
 * QT_PROVIDER_BACKOFF_MS: integers 1..600000; a malformed value is
 * reported once with log_warn and the default used). */
#define WA_DEFAULT_CONNECT_TIMEOUT_MS 5000
#define WA_DEFAULT_TIMEOUT_MS 15000
#define WA_DEFAULT_BACKOFF_MS 200

/*
 * Timeouts and retries.  A zero field means "the environment variable,
 * else the default" above.  timeout_ms bounds each attempt as a whole
 * (connect, send, wait, read); connect_timeout_ms the connection phase.
 * The wait before attempt n+1 is backoff_ms × 4^(n-1): 200 ms, then 800 ms.
 * max_attempts is clamped to 1..WA_MAX_ATTEMPTS.
 */
struct wa_transport {
	long connect_timeout_ms;
	long timeout_ms;
	long backoff_ms;
	int max_attempts;
};

/*
 * One message.  to_e164 is "+" and 8-15 digits.  params are the template
 * parameters, already rendered, in order (UTF-8, NUL-terminated); nparams
 * may be 0 (params may then be NULL).  body_text is the free text, used by
 * Twilio when no content_sid is configured (the Cloud client sends
 * templates only and ignores it).  status_callback_url (NULL or "" for
 * none) is Twilio's StatusCallback; the Cloud API reports statuses
 * through the app's webhook instead and ignores it.
 */
struct wa_message {
	const char *to_e164;
	const char *body_text;
	const char *const *params;
	size_t nparams;
	const char *status_callback_url;
};

/*
 * The outcome, filled in by every send (whatever it returns).
 *  ok                   1 when the provider accepted the message;
 *  provider_message_id  Cloud messages[0].id / Twilio sid ("" on failure);
 *  http_status          the last HTTP status, 0 when no answer came;
 *  error_code           "" on success; the provider's code ("131047",
 *                       "21211"), or "http_<status>" when the answer
 *                       carried none, or one of "timeout",
 *                       "connection_failed", "tls_error", "network_error",
 *                       "response_too_large", "invalid_response",
 *                       "invalid_request" (bad config or message: nothing
 *                       was sent);
 *  error_message        a sentence for a store owner, valid UTF-8 without
 *                       control characters (never a secret);
 *  retryable            1 when trying again later may succeed (429, 5xx,
 *                       timeouts, the providers' rate-limit codes);
 *  attempts             HTTP requests made, 0..WA_MAX_ATTEMPTS.
 */
struct wa_result {
	int ok;
	char provider_message_id[128];
	int http_status;
	char error_code[32];
	char error_message[256];
	int retryable;
	int attempts;
};

/* Return values of the send functions (0 or negative, as everywhere). */
enum wa_status {
	WA_OK = 0,
	WA_ERR_INVALID = -1,     /* bad config, secret or message: nothing sent */
	WA_ERR_REJECTED = -2,    /* the provider refused (4xx, 3xx): do not resend as is */
	WA_ERR_UNAVAILABLE = -3, /* 429, 5xx, timeout or network error on the last attempt */
	WA_ERR_RESPONSE = -4,    /* 2xx without a usable id, or too large: may have been sent */
};

/*
 * WhatsApp Cloud API, non-secret settings (borrowed strings).  base_url
 * NULL or "" means WA_CLOUD_DEFAULT_BASE_URL; it must be http:// or
 * https:// with no query or fragment (a trailing '/' is ignored).
 * api_version ("v21.0") and phone_number_id are path segments: letters,
 * digits, '.', '_' and '-' only.  template_name and template_language
 * ("en", "hi", "en_US") are required.
 */
struct wa_cloud_config {
	const char *base_url;
	const char *api_version;
	const char *phone_number_id;
	const char *template_name;
	const char *template_language;
	struct wa_transport transport;
};

/*
 * POST {base_url}/{api_version}/{phone_number_id}/messages with
 * "Authorization: Bearer <access_token>" and the JSON
 *   {"messaging_product":"whatsapp","to":"<digits>","type":"template",
 *    "template":{"name":…,"language":{"code":…},
 *      "components":[{"type":"body","parameters":[{"type":"text","text":…},…]}]}}
 * ("components" is left out when nparams is 0).  On success stores
 * messages[0].id.  Errors carry JSON error.code; the codes of
 * wa_cloud_error_text() get its sentence, others the provider's message.
 * access_token: printable ASCII without spaces.  Returns enum wa_status;
 * res is always filled in.
 */
int wa_cloud_send(const struct wa_cloud_config *cfg, const char *access_token,
	const struct wa_message *msg, struct wa_result *res);

/*
 * Twilio, non-secret settings (borrowed strings).  base_url as above
 * (default TWILIO_DEFAULT_BASE_URL).  account_sid is a path segment (as
 * above).  from ("whatsapp:+14155238886"; a bare "+1415…" gets the
 * "whatsapp:" prefix) or messaging_service_sid is required; when both are
 * set only From is sent.  content_sid (NULL or "" for none) selects an
 * approved template; the params fill its ContentVariables.
 */
struct twilio_config {
	const char *base_url;
	const char *account_sid;
	const char *from;
	const char *messaging_service_sid;
	const char *content_sid;
	struct wa_transport transport;
};

/*
 * POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json with
 * HTTP Basic auth account_sid:auth_token, form-encoded in this order:
 *   To=whatsapp:+<digits>
 *   From=whatsapp:+… | MessagingServiceSid=…
 *   ContentSid=… and ContentVariables={"1":…,"2":…} (when nparams > 0)
 *     | Body=<body_text> (required when there is no content_sid)
 *   StatusCallback=<url> (when msg->status_callback_url is set)
 * On success stores sid.  Errors carry JSON code/message; the codes of
 * twilio_error_text() get its sentence, others the provider's message.
 * Returns enum wa_status; res is always filled in.
 */
int twilio_send(const struct twilio_config *cfg, const char *auth_token,
	const struct wa_message *msg, struct wa_result *res);

/*
 * A store owner's sentence for a provider error code (also for the codes
 * that arrive later in status webhooks, e.g. Cloud errors[].code or
 * Twilio ErrorCode), or NULL for a code not in the table.  *retryable (may
 * be NULL) is set to 1 for rate limits ("retry later"), else 0.  Static
 * strings; thread-safe.
 */
const char *wa_cloud_error_text(long code, int *retryable);
const char *twilio_error_text(long code, int *retryable);

#endif
