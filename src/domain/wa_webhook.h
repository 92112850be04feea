/*
 * wa_webhook.h — the body of a WhatsApp Cloud API webhook
 * (POST /api/v1/webhooks/whatsapp/{tenant_slug}), read into delivery
 * status updates and inbound messages.
 *
 * The shape Meta sends (every other member is ignored):
 *   { "entry": [ { "changes": [ { "value": {
 *       "metadata": { "phone_number_id": "..." },
 *       "statuses": [ { "id": "wamid...", "status": "delivered",
 *                       "timestamp": "1700000000", "recipient_id": "91...",
 *                       "errors": [ { "code": 131047, "title": "...",
 *                                     "error_data": { "details": "..." } } ] } ],
 *       "messages": [ { "from": "919876543210", "id": "wamid...",
 *                       "timestamp": "1700000000", "type": "text",
 *                       "text": { "body": "STOP" } } ] } } ] } ] }
 *
 * Tolerant where Meta may change things, strict where it matters: a
 * member of the wrong type, an item without an id, a status we do not
 * track ("deleted", "warning"), or a sender that is not 8-15 digits makes
 * that one item count as skipped, never an error and never a crash.
 * Only a body that is not a JSON object, or one that is too large or has
 * too many items, is refused.  The signature (security/webhook_sig.h)
 * must be verified over the raw body before this is called.
 *
 * No global state, thread-safe.
 */
#ifndef QT_DOMAIN_WA_WEBHOOK_H
#define QT_DOMAIN_WA_WEBHOOK_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/phone.h"
#include "domain/reminder_rules.h"

#define WA_WEBHOOK_MAX_BODY (1024 * 1024)
/* Statuses and messages together, over all entries and changes. */
#define WA_WEBHOOK_MAX_ITEMS 1000
/* Longest message id or phone_number_id kept (longer: item skipped). */
#define WA_WEBHOOK_MAX_ID 256

/* One delivery status.  Strings belong to the webhook (see below). */
struct wa_status_update {
	const char *message_id;       /* statuses[].id: the provider_message_id */
	enum reminder_status status;  /* REMINDER_SENT, _DELIVERED, _READ or _FAILED */
	const char *recipient_id;     /* digits as Meta sends them, or NULL */
	int64_t timestamp_ms;         /* timestamp (unix seconds text) * 1000; 0 if absent */
	int64_t error_code;           /* errors[0].code; 0 when there is none */
	const char *error_title;      /* errors[0].title, else .message; NULL if none */
	const char *error_details;    /* errors[0].error_data.details, or NULL */
	const char *phone_number_id;  /* value.metadata.phone_number_id, or NULL */
};

/* One message a customer sent to the store's number. */
struct wa_inbound {
	const char *message_id;       /* messages[].id */
	char from[PHONE_E164_MAX];    /* the sender in E.164: "+" and from's digits */
	const char *type;             /* "text", "button", "interactive", "image", ... */
	const char *text;             /* what they wrote or tapped: text.body,
					 button.text, or interactive.button_reply.title
					 / list_reply.title; NULL for other types */
	int64_t timestamp_ms;         /* as for statuses */
	const char *phone_number_id;  /* value.metadata.phone_number_id, or NULL */
};

struct wa_webhook {
	struct wa_status_update *statuses;   /* in body order */
	size_t nstatuses;
	struct wa_inbound *messages;  /* in body order */
	size_t nmessages;
	size_t skipped;               /* items not understood (see above) */
	json_t *root;                 /* private: owns every string above */
};

/*
 * Read len bytes of a webhook body into *out.  Every string in *out
 * points into the parsed document and stays valid until
 * wa_webhook_release(*out).
 *
 * Returns 0, or -1 with *out empty and a message in err (err may be NULL
 * or errlen 0; otherwise always NUL-terminated) when body is NULL, len is
 * over WA_WEBHOOK_MAX_BODY, the body is not a JSON object, or it holds
 * more than WA_WEBHOOK_MAX_ITEMS statuses and messages, or on OOM.
 * Release *out after either result.
 */
int wa_webhook_parse(const char *body, size_t len, struct wa_webhook *out, char *err,
		     size_t errlen);

/* Free what wa_webhook_parse() made and empty *w.  NULL is a no-op; safe twice. */
void wa_webhook_release(struct wa_webhook *w);

#endif
