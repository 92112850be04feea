/* twilio.c — WhatsApp messages through Twilio's Messages API. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/outbound.h"
#include "providers/provider.h"

#define NAME "Twilio"

static const struct outbound_error_text twilio_errors[] = {
	{ 20003, 0, "Twilio refused the credentials: check the Account SID and auth token" },
	{ 20404, 0, "Twilio does not know this resource: check the Account SID" },
	{ 20429, 1, "Twilio is limiting requests from this account; retry later" },
	{ 21211, 0, "The customer's phone number is not a valid number for Twilio" },
	{ 21212, 0, "The From number is not a valid Twilio sender" },
	{ 21408, 0, "The Twilio account is not allowed to send messages to this country" },
	{ 21606, 0, "The From number is not a WhatsApp-enabled Twilio sender for this destination" },
	{ 21610, 0, "The customer has unsubscribed from messages from this sender" },
	{ 21614, 0, "The customer's phone number is not a mobile number" },
	{ 21656, 0, "The template variables (ContentVariables) are invalid for this content_sid" },
	{ 63003, 0, "The customer's number could not be reached on WhatsApp" },
	{ 63007, 0, "Twilio has no WhatsApp sender for the From address; check from or messaging_service_sid" },
	{ 63016, 0, "More than 24 hours have passed since the customer last replied: only an approved template (content_sid) can be sent" },
	{ 63018, 1, "WhatsApp's rate limit for this sender was reached; retry later" },
};

const char *twilio_error_text(long code, int *retryable)
{
	return outbound_error_text(twilio_errors, sizeof twilio_errors / sizeof twilio_errors[0], code, retryable);
}

static int has(const char *s)
{
	return s && *s;
}

static int check_config(const struct twilio_config *cfg, const char *token,
	const struct wa_message *msg, struct wa_result *res)
{
#define INVALID(...) outbound_fail(res, WA_ERR_INVALID, 0, "invalid_request", __VA_ARGS__)
	if (!cfg || !msg)
		return INVALID("No Twilio settings or message");
	if (has(cfg->base_url) && outbound_check_url(cfg->base_url) != 0)
		return INVALID("base_url \"%.80s\": must be an http:// or https:// URL without query or fragment",
			cfg->base_url);
	if (outbound_check_segment(cfg->account_sid) != 0)
		return INVALID("account_sid \"%.40s\": must be the Account SID (AC…)",
			cfg->account_sid ? cfg->account_sid : "");
	if (has(cfg->from)) {
		const char *number = strncmp(cfg->from, "whatsapp:", 9) == 0 ? cfg->from + 9 : cfg->from;
		if (outbound_check_e164(number) != 0)
			return INVALID("from \"%.40s\": must be whatsapp:+ and 8-15 digits", cfg->from);
	} else if (has(cfg->messaging_service_sid)) {
		if (outbound_check_segment(cfg->messaging_service_sid) != 0)
			return INVALID("messaging_service_sid \"%.40s\": must be a Messaging Service SID (MG…)",
				cfg->messaging_service_sid);
	} else {
		return INVALID("from or messaging_service_sid is required");
	}
	if (has(cfg->content_sid) && outbound_check_segment(cfg->content_sid) != 0)
		return INVALID("content_sid \"%.40s\": must be a Content SID (HX…)", cfg->content_sid);
	if (outbound_check_token(token) != 0)
		return INVALID("The auth token is missing or contains spaces or control characters");
	if (outbound_check_e164(msg->to_e164) != 0)
		return INVALID("to \"%.20s\": must be + and 8-15 digits", msg->to_e164 ? msg->to_e164 : "");
	if (has(cfg->content_sid)) {
		if (msg->nparams && !msg->params)
			return INVALID("Template parameters are missing");
		for (size_t i = 0; i < msg->nparams; i++)
			if (!msg->params[i])
				return INVALID("Template parameter %zu is missing", i + 1);
	} else if (!has(msg->body_text)) {
		return INVALID("The message text is empty (and no content_sid is configured)");
	} else if (outbound_check_utf8(msg->body_text) != 0) {
		return INVALID("The message text is not valid UTF-8");
	}
	if (has(msg->status_callback_url) && outbound_check_callback_url(msg->status_callback_url) != 0)
		return INVALID("StatusCallback \"%.80s\": must be an http:// or https:// URL",
			msg->status_callback_url);
#undef INVALID
	return 0;
}

/* application/x-www-form-urlencoded: unreserved bytes as they are,
 * everything else (space included) as %XX. */
static void form_add(struct buf *b, const char *name, const char *value)
{
	static const char hex[] = "0123456789ABCDEF";
	if (b->len)
		buf_putc(b, '&');
	buf_puts(b, name);
	buf_putc(b, '=');
	for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')
			|| *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			buf_putc(b, (char)*p);
		} else {
			buf_putc(b, '%');
			buf_putc(b, hex[*p >> 4]);
			buf_putc(b, hex[*p & 15]);
		}
	}
}

/* {"1": params[0], "2": params[1], …}, or NULL (invalid UTF-8 or OOM). */
static char *content_variables(const struct wa_message *msg, size_t *bad_index)
{
	json_t *vars = json_object();
	char *text = NULL, key[24];
	*bad_index = 0;
	if (!vars)
		return NULL;
	for (size_t i = 0; i < msg->nparams; i++) {
		json_t *v = json_string(msg->params[i]);
		snprintf(key, sizeof key, "%zu", i + 1);
		if (!v || json_object_set_new(vars, key, v) != 0) {
			*bad_index = i + 1;
			goto out;
		}
	}
	text = json_dumps(vars, JSON_COMPACT | JSON_PRESERVE_ORDER);
out:
	json_decref(vars);
	return text;
}

static int build_form(const struct twilio_config *cfg, const struct wa_message *msg,
	struct buf *form, struct wa_result *res)
{
	struct buf v = BUF_INIT;
	buf_printf(&v, "whatsapp:%s", msg->to_e164);
	form_add(form, "To", v.data);
	if (has(cfg->from)) {
		buf_reset(&v);
		buf_printf(&v, "%s%s", strncmp(cfg->from, "whatsapp:", 9) == 0 ? "" : "whatsapp:", cfg->from);
		form_add(form, "From", v.data);
	} else {
		form_add(form, "MessagingServiceSid", cfg->messaging_service_sid);
	}
	buf_release(&v);
	if (has(cfg->content_sid)) {
		form_add(form, "ContentSid", cfg->content_sid);
		if (msg->nparams) {
			size_t bad;
			char *vars = content_variables(msg, &bad);
			if (!vars)
				return outbound_fail(res, WA_ERR_INVALID, 0, "invalid_request",
					"Template parameter %zu is not valid UTF-8", bad);
			form_add(form, "ContentVariables", vars);
			free(vars);
		}
	} else {
		form_add(form, "Body", msg->body_text);
	}
	if (has(msg->status_callback_url))
		form_add(form, "StatusCallback", msg->status_callback_url);
	return 0;
}

static int read_answer(const struct outbound_response *resp, struct wa_result *res)
{
	json_t *doc = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len, 0, NULL);
	int status;
	if (resp->status >= 200 && resp->status < 300) {
		status = outbound_succeed(res, json_string_value(json_object_get(doc, "sid")), NAME);
		goto out;
	}
	json_t *jcode = json_object_get(doc, "code");
	if (!json_is_integer(jcode)) {
		status = outbound_fail_http(res, resp->status, NAME);
		goto out;
	}
	long code = (long)json_integer_value(jcode);
	char code_text[32];
	snprintf(code_text, sizeof code_text, "%ld", code);
	int busy = resp->status == 429 || resp->status >= 500, retry_later;
	const char *text = twilio_error_text(code, &retry_later);
	status = busy ? WA_ERR_UNAVAILABLE : WA_ERR_REJECTED;
	if (text) {
		status = outbound_fail(res, status, busy || retry_later, code_text, "%s", text);
	} else {
		const char *message = json_string_value(json_object_get(doc, "message"));
		status = outbound_fail(res, status, busy, code_text, NAME " error %ld: %s", code,
			message ? message : "no message");
	}
out:
	json_decref(doc);
	return status;
}

int twilio_send(const struct twilio_config *cfg, const char *auth_token,
	const struct wa_message *msg, struct wa_result *res)
{
	struct buf url = BUF_INIT, form = BUF_INIT;
	struct outbound_response resp = { 0 };
	int status;

	outbound_result_init(res);
	if ((status = check_config(cfg, auth_token, msg, res)) != 0)
		return status;
	if ((status = build_form(cfg, msg, &form, res)) != 0)
		goto out;
	outbound_base_url(&url, cfg->base_url, TWILIO_DEFAULT_BASE_URL);
	buf_printf(&url, "/2010-04-01/Accounts/%s/Messages.json", cfg->account_sid);
	const struct outbound_request req = {
		.provider = "twilio",
		.url = url.data,
		.content_type = "application/x-www-form-urlencoded",
		.body = form.data,
		.body_len = form.len,
		.basic_user = cfg->account_sid,
		.basic_password = auth_token,
	};
	int rc = outbound_post(&cfg->transport, &req, &resp);
	res->attempts = resp.attempts;
	res->http_status = (int)resp.status;
	if (rc != 0)
		status = outbound_fail_transport(res, rc, &cfg->transport);
	else
		status = read_answer(&resp, res);
	outbound_response_release(&resp);
out:
	buf_release(&url);
	buf_release(&form);
	return status;
}
