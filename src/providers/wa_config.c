/* wa_config.c — see wa_config.h. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "domain/template.h"
#include "providers/wa_config.h"

static const char *const channel_names[] = {
	[WA_CHANNEL_NONE] = "", [WA_CHANNEL_LINK] = "link",
	[WA_CHANNEL_CLOUD] = "whatsapp_cloud", [WA_CHANNEL_TWILIO] = "twilio",
};

enum wa_channel wa_channel_parse(const char *name)
{
	for (int c = WA_CHANNEL_LINK; name && c <= WA_CHANNEL_TWILIO; c++)
		if (strcmp(name, channel_names[c]) == 0)
			return (enum wa_channel)c;
	return WA_CHANNEL_NONE;
}

const char *wa_channel_name(enum wa_channel c)
{
	if (c < WA_CHANNEL_NONE || c > WA_CHANNEL_TWILIO)
		return "";
	return channel_names[c];
}

struct field_rule {
	const char *name;
	int kind;        /* 0 string, 1 path segment, 2 url, 3 list of placeholders */
	int required;
};

static const struct field_rule cloud_rules[] = {
	{ "base_url", 2, 0 }, { "api_version", 1, 1 }, { "phone_number_id", 1, 1 },
	{ "template_name", 1, 1 }, { "template_language", 1, 1 }, { "template_params", 3, 0 },
};
static const struct field_rule twilio_rules[] = {
	{ "base_url", 2, 0 }, { "account_sid", 1, 1 }, { "from", 0, 0 },
	{ "messaging_service_sid", 1, 0 }, { "content_sid", 1, 0 }, { "content_variables", 3, 0 },
};
static const char *const cloud_secrets[] = { "access_token", "app_secret", "verify_token" };
static const char *const twilio_secrets[] = { "auth_token" };

static int fail(char *field, const char *name, char *err, size_t errlen, const char *msg)
{
	snprintf(field, WA_CONFIG_FIELD_MAX, "%s", name);
	snprintf(err, errlen, "%s", msg);
	return -1;
}

static int segment_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '.' || ch == '_' || ch == '-'))
			return 0;
	}
	return 1;
}

static int url_ok(const char *s)
{
	size_t n = strlen(s);
	if (n > 256 || strpbrk(s, "?# \t\r\n"))
		return 0;
	return strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0;
}

static int placeholder_ok(const char *name)
{
	char tpl[80];
	char err[160];
	if (strlen(name) > 60)
		return 0;
	snprintf(tpl, sizeof tpl, "{%s}", name);
	return template_check(tpl, TEMPLATE_REMINDER, err, sizeof err) == 0;
}

static int check_object(const json_t *o, const struct field_rule *rules, size_t n,
	char *field, char *err, size_t errlen)
{
	char name[WA_CONFIG_FIELD_MAX];
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return fail(field, "whatsapp_config", err, errlen, "must be an object");
	json_object_foreach((json_t *)(uintptr_t)o, key, v) {
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(key, rules[i].name) == 0)
				break;
		snprintf(name, sizeof name, "whatsapp_config.%.60s", key);
		if (i == n)
			return fail(field, name, err, errlen, "is not a field of this provider");
		if (rules[i].kind == 3) {
			size_t k;
			json_t *item;
			if (!json_is_array(v) || json_array_size(v) > WA_CONFIG_MAX_PARAMS)
				return fail(field, name, err, errlen, "must be a list of at most 10 placeholder names");
			json_array_foreach(v, k, item)
				if (!json_is_string(item) || !placeholder_ok(json_string_value(item)))
					return fail(field, name, err, errlen,
						"must name placeholders such as name, balance, upi_link");
			continue;
		}
		if (!json_is_string(v))
			return fail(field, name, err, errlen, "must be a string");
		const char *s = json_string_value(v);
		if (rules[i].kind == 1 && !segment_ok(s))
			return fail(field, name, err, errlen, "must be letters, digits, '.', '_' or '-'");
		if (rules[i].kind == 2 && !url_ok(s))
			return fail(field, name, err, errlen, "must be an http(s) URL without query");
		if (rules[i].kind == 0 && (strlen(s) == 0 || strlen(s) > 64))
			return fail(field, name, err, errlen, "must be 1-64 characters");
	}
	for (size_t i = 0; i < n; i++)
		if (rules[i].required && !json_object_get(o, rules[i].name)) {
			snprintf(name, sizeof name, "whatsapp_config.%s", rules[i].name);
			return fail(field, name, err, errlen, "is required");
		}
	return 0;
}

static int check_secrets(const json_t *o, const char *const *names, size_t n,
	char *field, char *err, size_t errlen)
{
	char name[WA_CONFIG_FIELD_MAX];
	const char *key;
	json_t *v;
	if (!json_is_object(o))
		return fail(field, "whatsapp_secrets", err, errlen, "must be an object");
	json_object_foreach((json_t *)(uintptr_t)o, key, v) {
		size_t i;
		for (i = 0; i < n; i++)
			if (strcmp(key, names[i]) == 0)
				break;
		snprintf(name, sizeof name, "whatsapp_secrets.%.60s", key);
		if (i == n)
			return fail(field, name, err, errlen, "is not a secret of this provider");
		if (json_is_null(v))
			continue;  /* clears it */
		if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > 1024)
			return fail(field, name, err, errlen, "must be a string of 1-1024 characters");
		for (const char *p = json_string_value(v); *p; p++)
			if ((unsigned char)*p <= 0x20 || (unsigned char)*p == 0x7f)
				return fail(field, name, err, errlen, "must be printable without spaces");
	}
	return 0;
}

int wa_config_check(enum wa_channel channel, const json_t *config, const json_t *secrets,
	char *field, char *err, size_t errlen)
{
	switch (channel) {
	case WA_CHANNEL_LINK:
		if (config && (!json_is_object(config) || json_object_size(config) != 0))
			return fail(field, "whatsapp_config", err, errlen, "must be {} for the link channel");
		if (secrets && (!json_is_object(secrets) || json_object_size(secrets) != 0))
			return fail(field, "whatsapp_secrets", err, errlen, "the link channel has no secrets");
		return 0;
	case WA_CHANNEL_CLOUD:
		if (config && check_object(config, cloud_rules, sizeof cloud_rules / sizeof cloud_rules[0],
			field, err, errlen) < 0)
			return -1;
		return secrets ? check_secrets(secrets, cloud_secrets, 3, field, err, errlen) : 0;
	case WA_CHANNEL_TWILIO:
		if (config) {
			if (check_object(config, twilio_rules, sizeof twilio_rules / sizeof twilio_rules[0],
				field, err, errlen) < 0)
				return -1;
			if (!json_object_get(config, "from") && !json_object_get(config, "messaging_service_sid"))
				return fail(field, "whatsapp_config.from", err, errlen,
					"from (whatsapp:+…) or messaging_service_sid is required");
			const char *from = json_string_value(json_object_get(config, "from"));
			if (from && strncmp(from, "whatsapp:+", 10) != 0)
				return fail(field, "whatsapp_config.from", err, errlen, "must be whatsapp:+<number>");
		}
		return secrets ? check_secrets(secrets, twilio_secrets, 1, field, err, errlen) : 0;
	default:
		return fail(field, "whatsapp_provider", err, errlen, "must be link, whatsapp_cloud or twilio");
	}
}

static const char *str(json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));
	return s && s[0] ? s : NULL;
}

int wa_config_load(enum wa_channel channel, const char *config_text, const char *secrets_text,
	struct wa_config *out, char *err, size_t errlen)
{
	char field[WA_CONFIG_FIELD_MAX] = "";
	memset(out, 0, sizeof *out);
	out->channel = channel;
	if (channel == WA_CHANNEL_LINK)
		return 0;
	out->config_doc = json_loads(config_text ? config_text : "{}", 0, NULL);
	out->secrets_doc = json_loads(secrets_text ? secrets_text : "{}", 0, NULL);
	if (!out->config_doc || !out->secrets_doc ||
	    wa_config_check(channel, out->config_doc, out->secrets_doc, field, err, errlen) < 0) {
		if (!field[0])
			snprintf(err, errlen, "the stored provider settings cannot be read");
		return -1;
	}
	json_t *c = out->config_doc, *s = out->secrets_doc;
	json_t *list;
	if (channel == WA_CHANNEL_CLOUD) {
		out->cloud.base_url = str(c, "base_url");
		out->cloud.api_version = str(c, "api_version");
		out->cloud.phone_number_id = str(c, "phone_number_id");
		out->cloud.template_name = str(c, "template_name");
		out->cloud.template_language = str(c, "template_language");
		out->secret = str(s, "access_token");
		out->app_secret = str(s, "app_secret");
		out->verify_token = str(s, "verify_token");
		list = json_object_get(c, "template_params");
	} else {
		out->twilio.base_url = str(c, "base_url");
		out->twilio.account_sid = str(c, "account_sid");
		out->twilio.from = str(c, "from");
		out->twilio.messaging_service_sid = str(c, "messaging_service_sid");
		out->twilio.content_sid = str(c, "content_sid");
		out->secret = str(s, "auth_token");
		list = json_object_get(c, "content_variables");
	}
	size_t i;
	json_t *item;
	json_array_foreach(list, i, item)
		if (out->nparams < WA_CONFIG_MAX_PARAMS)
			out->params[out->nparams++] = json_string_value(item);
	if (channel == WA_CHANNEL_CLOUD && (!out->cloud.api_version || !out->cloud.phone_number_id ||
	    !out->cloud.template_name || !out->cloud.template_language)) {
		snprintf(err, errlen, "WhatsApp Cloud needs api_version, phone_number_id, template_name and template_language");
		return -1;
	}
	if (channel == WA_CHANNEL_TWILIO && !out->twilio.account_sid) {
		snprintf(err, errlen, "Twilio needs account_sid and from or messaging_service_sid");
		return -1;
	}
	if (!out->secret) {
		snprintf(err, errlen, channel == WA_CHANNEL_CLOUD ? "the WhatsApp Cloud access_token is not set"
			: "the Twilio auth_token is not set");
		return -1;
	}
	return 0;
}

void wa_config_release(struct wa_config *c)
{
	json_decref(c->config_doc);
	json_decref(c->secrets_doc);
	c->config_doc = c->secrets_doc = NULL;
}
