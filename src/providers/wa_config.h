/*
 * wa_config.h — a store's WhatsApp provider settings: the non-secret
 * `whatsapp_config` object and the write-only `whatsapp_secrets` object
 * (SPEC §2 "Reminder", issue contract), parsed into the clients' configs
 * (provider.h).  Used when settings are saved (wa_config_check names the
 * bad field) and when a message is sent (wa_config_load).
 *
 *   whatsapp_cloud  config: base_url?, api_version, phone_number_id,
 *                   template_name, template_language, template_params[]
 *                   secrets: access_token, app_secret, verify_token
 *   twilio          config: base_url?, account_sid, from | messaging_service_sid,
 *                   content_sid?, content_variables[]
 *                   secrets: auth_token
 * template_params and content_variables are ordered lists of reminder
 * placeholder names (template.h) filling the provider template's body
 * parameters ("{1}", "{2}", … for Twilio).
 */
#ifndef QT_PROVIDERS_WA_CONFIG_H
#define QT_PROVIDERS_WA_CONFIG_H

#include <jansson.h>

#include "providers/provider.h"

#define WA_CONFIG_MAX_PARAMS 10
/* Room for the field named by wa_config_check(). */
#define WA_CONFIG_FIELD_MAX 96

enum wa_channel {
	WA_CHANNEL_NONE = 0,
	WA_CHANNEL_LINK,
	WA_CHANNEL_CLOUD,
	WA_CHANNEL_TWILIO,
};

/* "link", "whatsapp_cloud", "twilio" ↔ enum; NONE for anything else. */
enum wa_channel wa_channel_parse(const char *name);
const char *wa_channel_name(enum wa_channel c);

/* A provider's settings, ready to send.  Strings borrow from the parsed
 * JSON: keep the wa_config alive while they are used, then release. */
struct wa_config {
	enum wa_channel channel;
	struct wa_cloud_config cloud;
	struct twilio_config twilio;
	const char *secret;            /* access_token (Cloud) or auth_token (Twilio) */
	const char *app_secret;        /* Cloud webhooks: X-Hub-Signature-256 key */
	const char *verify_token;      /* Cloud webhook subscription */
	const char *params[WA_CONFIG_MAX_PARAMS]; /* placeholder names, in order */
	size_t nparams;
	json_t *config_doc, *secrets_doc;  /* owned */
};

/*
 * Check a provider's config object (and, when not NULL, a secrets object)
 * as PATCH /settings receives them.  Unknown fields, wrong types, bad
 * path segments, unknown placeholder names are refused.  Returns 0, or -1
 * with the field in field (WA_CONFIG_FIELD_MAX bytes:
 * "whatsapp_config.phone_number_id", "whatsapp_secrets.x") and a message
 * in err.  The link channel takes an empty config.
 */
int wa_config_check(enum wa_channel channel, const json_t *config, const json_t *secrets,
	char *field, char *err, size_t errlen);

/*
 * Parse the stored config text and the opened secrets text (NULL when none
 * are set) for channel into *out.  Returns 0, or -1 with a message in err
 * when something a send needs is missing ("provider_not_configured").
 * wa_config_release() in both cases.
 */
int wa_config_load(enum wa_channel channel, const char *config_text, const char *secrets_text,
	struct wa_config *out, char *err, size_t errlen);
void wa_config_release(struct wa_config *c);

#endif
