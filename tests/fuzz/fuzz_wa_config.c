/*
 * libFuzzer target for the provider settings checks (providers/wa_config.c):
 * arbitrary bytes as the whatsapp_config object (first half) and the
 * whatsapp_secrets object (second half), for every channel.  Properties:
 * never crashes; a refusal always names a field; what the check accepts,
 * the loader reads without crashing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "providers/wa_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 << 14)
		return 0;
	size_t half = size / 2;
	char *cfg = strndup((const char *)data, half);
	char *sec = strndup((const char *)data + half, size - half);
	json_t *c = json_loads(cfg, 0, NULL), *s = json_loads(sec, 0, NULL);
	for (int ch = WA_CHANNEL_NONE; ch <= WA_CHANNEL_TWILIO; ch++) {
		char field[WA_CONFIG_FIELD_MAX] = "", err[200] = "";
		int rc = wa_config_check((enum wa_channel)ch, c, s, field, err, sizeof err);
		if (rc < 0 && !field[0])
			abort();
		struct wa_config out;
		if (wa_config_load((enum wa_channel)ch, cfg, sec, &out, err, sizeof err) == 0 &&
		    ch != WA_CHANNEL_LINK && !out.secret)
			abort();
		wa_config_release(&out);
	}
	json_decref(c);
	json_decref(s);
	free(cfg);
	free(sec);
	return 0;
}
