/* whatsapp_cloud.c — template messages through Meta's WhatsApp Cloud API. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "providers/outbound.h"
#include "providers/provider.h"

#define NAME "WhatsApp Cloud API"

static const struct outbound_error_text cloud_errors[] = {
	{ 190, 0, "The WhatsApp access token is invalid or has expired; update it in the provider settings" },
	{ 4, 1, "The WhatsApp Cloud API app is sending too many requests; retry later" },
	{ 80007, 1, "The WhatsApp Business Account rate limit was reached; retry later" },
	{ 130429, 1, "WhatsApp's throughput limit for this phone number was reached; retry later" },
	{ 131026, 0, "The message could not be delivered: the number may not be on WhatsApp or may need to update WhatsApp" },
	{ 131030, 0, "The recipient is not in the allowed list of this test phone number" },
	{ 131042, 0, "WhatsApp refused the message because of a payment problem on the business account" },
	{ 131047, 0, "More than 24 hours have passed since the customer last replied: only an approved template message can be sent" },
	{ 131048, 1, "WhatsApp's spam rate limit was reached for this phone number; retry later" },
	{ 131056, 1, "Too many messages were sent to this number in a short time; retry later" },
	{ 132000, 0, "The number of parameters does not match the WhatsApp template" },
	{ 132001, 0, "The WhatsApp template does not exist in this language; check template_name and template_language" },
	{ 133010, 0, "The business phone number is not registered with the WhatsApp Cloud API" },
};

const char *wa_cloud_error_text(long code, int *retryable)
{
	return outbound_error_text(cloud_errors, sizeof cloud_errors / sizeof cloud_errors[0], code, retryable);
}

static int check_config(const struct wa_cloud_config *cfg, const char *token,
	const struct wa_message *msg, struct wa_result *res)
{
#define INVALID(...) outbound_fail(res, WA_ERR_INVALID, 0, "invalid_request", __VA_ARGS__)
	if (!cfg || !msg)
		return INVALID("No WhatsApp Cloud API settings or message");
	if (cfg->base_url && *cfg->base_url && outbound_check_url(cfg->base_url) != 0)
		return INVALID("base_url \"%.80s\": must be an http:// or https:// URL without query or fragment",
			cfg->base_url);
	if (outbound_check_segment(cfg->api_version) != 0)
		return INVALID("api_version \"%.40s\": must be a version such as v21.0",
			cfg->api_version ? cfg->api_version : "");
	if (outbound_check_segment(cfg->phone_number_id) != 0)
		return INVALID("phone_number_id \"%.40s\": must be the numeric id of the business phone number",
			cfg->phone_number_id ? cfg->phone_number_id : "");
	if (!cfg->template_name || !*cfg->template_name)
		return INVALID("template_name is required (the WhatsApp Cloud API sends approved templates)");
	if (!cfg->template_language || !*cfg->template_language)
		return INVALID("template_language is required (such as en or hi)");
	if (outbound_check_token(token) != 0)
		return INVALID("The access token is missing or contains spaces or control characters");
	if (outbound_check_e164(msg->to_e164) != 0)
		return INVALID("to \"%.20s\": must be + and 8-15 digits", msg->to_e164 ? msg->to_e164 : "");
	if (msg->nparams && !msg->params)
		return INVALID("Template parameters are missing");
	for (size_t i = 0; i < msg->nparams; i++)
		if (!msg->params[i])
			return INVALID("Template parameter %zu is missing", i + 1);
#undef INVALID
	return 0;
}

/* The request body, or NULL with res filled in (invalid UTF-8 or OOM). */
static char *build_body(const struct wa_cloud_config *cfg, const struct wa_message *msg,
	struct wa_result *res)
{
	json_t *root = json_object(), *tpl = json_object(), *lang = json_object();
	char *text = NULL;
	int bad = !root || !tpl || !lang;
	bad |= json_object_set_new(root, "messaging_product", json_string("whatsapp"));
	bad |= json_object_set_new(root, "to", json_string(msg->to_e164 + 1));
	bad |= json_object_set_new(root, "type", json_string("template"));
	bad |= json_object_set_new(tpl, "name", json_string(cfg->template_name));
	bad |= json_object_set_new(lang, "code", json_string(cfg->template_language));
	bad |= json_object_set(tpl, "language", lang);
	if (bad) {
		outbound_fail(res, WA_ERR_INVALID, 0, "invalid_request",
			"template_name and template_language must be valid UTF-8");
		goto out;
	}
	if (msg->nparams) {
		json_t *params = json_array(), *body = json_object(), *components = json_array();
		bad = !params || !body || !components;
		for (size_t i = 0; !bad && i < msg->nparams; i++) {
			json_t *p = json_object(), *t = json_string(msg->params[i]);
			if (!t) {
				json_decref(p);
				outbound_fail(res, WA_ERR_INVALID, 0, "invalid_request",
					"Template parameter %zu is not valid UTF-8", i + 1);
				json_decref(params);
				json_decref(body);
				json_decref(components);
				goto out;
			}
			bad |= json_object_set_new(p, "type", json_string("text"));
			bad |= json_object_set_new(p, "text", t);
			bad |= json_array_append_new(params, p);
		}
		bad |= json_object_set_new(body, "type", json_string("body"));
		bad |= json_object_set_new(body, "parameters", params);
		bad |= json_array_append_new(components, body);
		bad |= json_object_set_new(tpl, "components", components);
		if (bad) {
			outbound_fail(res, WA_ERR_INVALID, 0, "invalid_request", "Out of memory building the request");
			goto out;
		}
	}
	if (json_object_set(root, "template", tpl) != 0 ||
		!(text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		outbound_fail(res, WA_ERR_INVALID, 0, "invalid_request", "Out of memory building the request");
out:
	json_decref(lang);
	json_decref(tpl);
	json_decref(root);
	return text;
}

/* Map the answer of a completed HTTP exchange into res. */
static int read_answer(const struct outbound_response *resp, struct wa_result *res)
{
	json_t *doc = json_loadb(resp->body.data ? resp->body.data : "", resp->body.len, 0, NULL);
	int status;
	if (resp->status >= 200 && resp->status < 300) {
		json_t *first = json_array_get(json_object_get(doc, "messages"), 0);
		status = outbound_succeed(res, json_string_value(json_object_get(first, "id")), NAME);
		goto out;
	}
	json_t *err = json_object_get(doc, "error");
	json_t *jcode = json_object_get(err, "code");
	if (!json_is_integer(jcode)) {
		status = outbound_fail_http(res, resp->status, NAME);
		goto out;
	}
	long code = (long)json_integer_value(jcode);
	char code_text[32];
	snprintf(code_text, sizeof code_text, "%ld", code);
	int busy = resp->status == 429 || resp->status >= 500, retry_later;
	const char *text = wa_cloud_error_text(code, &retry_later);
	status = busy ? WA_ERR_UNAVAILABLE : WA_ERR_REJECTED;
	if (text) {
		status = outbound_fail(res, status, busy || retry_later, code_text, "%s", text);
		goto out;
	}
	const char *message = json_string_value(json_object_get(err, "message"));
	const char *details = json_string_value(json_object_get(json_object_get(err, "error_data"), "details"));
	if (details && *details)
		status = outbound_fail(res, status, busy, code_text, NAME " error %ld: %s (%s)", code,
			message ? message : "no message", details);
	else
		status = outbound_fail(res, status, busy, code_text, NAME " error %ld: %s", code,
			message ? message : "no message");
out:
	json_decref(doc);
	return status;
}

int wa_cloud_send(const struct wa_cloud_config *cfg, const char *access_token,
	const struct wa_message *msg, struct wa_result *res)
{
	struct buf url = BUF_INIT;
	struct outbound_response resp = { 0 };
	char *body = NULL;
	int status;

	outbound_result_init(res);
	if ((status = check_config(cfg, access_token, msg, res)) != 0)
		return status;
	if (!(body = build_body(cfg, msg, res)))
		return WA_ERR_INVALID;
	outbound_base_url(&url, cfg->base_url, WA_CLOUD_DEFAULT_BASE_URL);
	buf_printf(&url, "/%s/%s/messages", cfg->api_version, cfg->phone_number_id);
	const struct outbound_request req = {
		.provider = "whatsapp_cloud",
		.url = url.data,
		.content_type = "application/json",
		.body = body,
		.body_len = strlen(body),
		.bearer_token = access_token,
	};
	int rc = outbound_post(&cfg->transport, &req, &resp);
	res->attempts = resp.attempts;
	res->http_status = (int)resp.status;
	if (rc != 0)
		status = outbound_fail_transport(res, rc, &cfg->transport);
	else
		status = read_answer(&resp, res);
	outbound_response_release(&resp);
	buf_release(&url);
	free(body);
	return status;
}
