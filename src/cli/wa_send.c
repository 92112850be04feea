/*
 * wa_send.c — `quantumtrack wa-send`: send one WhatsApp message through a
 * provider with the same client the reminders use, to check credentials
 * and templates.  The secret comes from QT_WA_SECRET only (never a flag:
 * flags show in ps and shell history).  Prints the outcome as one JSON
 * line on stdout; exit 0 sent, 1 refused or failed, 2 bad arguments.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "providers/provider.h"

#define MAX_PARAMS 32

static const char usage[] =
	"usage: quantumtrack wa-send --provider cloud|twilio --config JSON --to +E164\n"
	"                            [--text TEXT] [--param VALUE]... [--status-callback URL]\n\n"
	"Send one WhatsApp message through the WhatsApp Cloud API or Twilio, e.g. to\n"
	"check credentials and templates.  The secret (Cloud access token, Twilio auth\n"
	"token) is read from the environment variable QT_WA_SECRET.\n\n"
	"--config takes the provider's non-secret settings as a JSON object of strings:\n"
	"  cloud:  base_url, api_version, phone_number_id, template_name, template_language\n"
	"  twilio: base_url, account_sid, from | messaging_service_sid, content_sid\n"
	"(template_params and content_variables are accepted and ignored: --param gives\n"
	"the rendered values, in order).  Twilio sends --text as Body when there is no\n"
	"content_sid.  Timeouts: QT_PROVIDER_CONNECT_TIMEOUT_MS, QT_PROVIDER_TIMEOUT_MS,\n"
	"QT_PROVIDER_BACKOFF_MS.\n\n"
	"Prints one JSON line: {ok, provider_message_id | error_code, error_message,\n"
	"retryable, http_status, attempts}.  Exit 0 sent, 1 refused or failed, 2 usage.";

static const char *const cloud_keys[] = {
	"base_url", "api_version", "phone_number_id", "template_name", "template_language", "template_params",
};
static const char *const twilio_keys[] = {
	"base_url", "account_sid", "from", "messaging_service_sid", "content_sid", "content_variables",
};

/* Check config's keys against the provider's (the last one, the list of
 * placeholder names, is ignored: --param carries the rendered values);
 * every other value must be a string.  0, or EXIT_USAGE with a message. */
static int check_keys(json_t *config, const char *const *keys, size_t nkeys)
{
	const char *key;
	json_t *value;
	json_object_foreach(config, key, value) {
		size_t k;
		for (k = 0; k < nkeys; k++)
			if (strcmp(key, keys[k]) == 0)
				break;
		if (k == nkeys) {
			fprintf(stderr, "quantumtrack: wa-send: --config: unknown key \"%s\"\n", key);
			return EXIT_USAGE;
		}
		if (k != nkeys - 1 && !json_is_string(value)) {
			fprintf(stderr, "quantumtrack: wa-send: --config: \"%s\" must be a string\n", key);
			return EXIT_USAGE;
		}
	}
	return 0;
}

static const char *str(json_t *config, const char *key)
{
	return json_string_value(json_object_get(config, key));
}

static void print_result(const char *provider, const struct wa_result *r)
{
	json_t *out = json_object();
	json_object_set_new(out, "ok", json_boolean(r->ok));
	json_object_set_new(out, "provider", json_string(provider));
	if (r->ok) {
		json_object_set_new(out, "provider_message_id", json_string(r->provider_message_id));
	} else {
		json_object_set_new(out, "error_code", json_string(r->error_code));
		json_object_set_new(out, "error_message", json_string(r->error_message));
		json_object_set_new(out, "retryable", json_boolean(r->retryable));
	}
	json_object_set_new(out, "http_status", json_integer(r->http_status));
	json_object_set_new(out, "attempts", json_integer(r->attempts));
	char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (text)
		printf("%s\n", text);
	free(text);
	json_decref(out);
}

int cmd_wa_send(int argc, char **argv)
{
	const char *provider = NULL, *config_text = NULL, *to = NULL, *text = NULL, *callback = NULL;
	const char *ignored = NULL;
	const char *params[MAX_PARAMS];
	size_t nparams = 0;
	char **rest = calloc((size_t)argc + 1, sizeof *rest);
	int nrest = 0, rc = EXIT_USAGE;
	json_t *config = NULL;

	if (!rest)
		return EXIT_FAIL;
	/* --param repeats, which cli_parse does not do: take them out first. */
	for (int i = 0; i < argc; i++) {
		const char *v = NULL;
		if (strncmp(argv[i], "--param=", 8) == 0)
			v = argv[i] + 8;
		else if (strcmp(argv[i], "--param") == 0 && i + 1 < argc)
			v = argv[++i];
		if (!v) {
			rest[nrest++] = argv[i];
			continue;
		}
		if (nparams == MAX_PARAMS) {
			fprintf(stderr, "quantumtrack: wa-send: at most %d --param\n", MAX_PARAMS);
			goto out;
		}
		params[nparams++] = v;
	}
	const struct cli_opt opts[] = {
		{ "provider", 1, &provider, NULL, "cloud (WhatsApp Cloud API) or twilio" },
		{ "config", 1, &config_text, NULL, "the provider's non-secret settings as JSON" },
		{ "to", 1, &to, NULL, "the recipient, E.164 (+919876543210)" },
		{ "text", 1, &text, NULL, "the message text (Twilio Body without content_sid)" },
		{ "param", 1, &ignored, NULL, "a template parameter, in order (repeat)" },
		{ "status-callback", 1, &callback, NULL, "Twilio StatusCallback URL" },
	};
	int help;
	rc = cli_parse(nrest, rest, opts, sizeof opts / sizeof opts[0], NULL, 0, NULL, usage, &help);
	if (rc != EXIT_OK) {
		rc = help ? EXIT_OK : rc;
		goto out;
	}
	rc = EXIT_USAGE;
	if (!provider || (strcmp(provider, "cloud") != 0 && strcmp(provider, "twilio") != 0)) {
		fprintf(stderr, "quantumtrack: wa-send: --provider must be cloud or twilio\n");
		goto out;
	}
	if (!config_text || !to) {
		fprintf(stderr, "quantumtrack: wa-send: --config and --to are required\n");
		goto out;
	}
	json_error_t jerr;
	config = json_loads(config_text, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(config)) {
		fprintf(stderr, "quantumtrack: wa-send: --config: not a JSON object (%s)\n",
			config ? "wrong type" : jerr.text);
		goto out;
	}
	const char *secret = getenv("QT_WA_SECRET");
	if (!secret || !*secret) {
		fprintf(stderr, "quantumtrack: wa-send: set QT_WA_SECRET to the %s\n",
			strcmp(provider, "cloud") == 0 ? "access token" : "auth token");
		goto out;
	}
	const struct wa_message msg = {
		.to_e164 = to,
		.body_text = text,
		.params = params,
		.nparams = nparams,
		.status_callback_url = callback,
	};
	struct wa_result result;
	int status;
	if (strcmp(provider, "cloud") == 0) {
		if ((rc = check_keys(config, cloud_keys, sizeof cloud_keys / sizeof cloud_keys[0])) != 0)
			goto out;
		const struct wa_cloud_config cfg = {
			.base_url = str(config, "base_url"),
			.api_version = str(config, "api_version"),
			.phone_number_id = str(config, "phone_number_id"),
			.template_name = str(config, "template_name"),
			.template_language = str(config, "template_language"),
		};
		status = wa_cloud_send(&cfg, secret, &msg, &result);
	} else {
		if ((rc = check_keys(config, twilio_keys, sizeof twilio_keys / sizeof twilio_keys[0])) != 0)
			goto out;
		const struct twilio_config cfg = {
			.base_url = str(config, "base_url"),
			.account_sid = str(config, "account_sid"),
			.from = str(config, "from"),
			.messaging_service_sid = str(config, "messaging_service_sid"),
			.content_sid = str(config, "content_sid"),
		};
		status = twilio_send(&cfg, secret, &msg, &result);
	}
	print_result(provider, &result);
	if (status != WA_OK)
		fprintf(stderr, "quantumtrack: wa-send: %s\n", result.error_message);
	rc = status == WA_OK ? EXIT_OK : status == WA_ERR_INVALID ? EXIT_USAGE : EXIT_FAIL;
out:
	json_decref(config);
	free(rest);
	return rc;
}
