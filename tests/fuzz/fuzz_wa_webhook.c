/*
 * libFuzzer target for domain/wa_webhook.c: arbitrary bytes as a WhatsApp
 * Cloud webhook body.
 * Properties: never crashes; either a refusal with a message and an empty
 * result, or statuses and messages within the item limit whose every
 * field holds what the header promises (a known status, an id of 1..256
 * bytes, a sender of "+" and 8-15 digits); the STOP/START reader and the
 * status order accept whatever comes out.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/wa_webhook.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_id(const char *id)
{
	if (!id || !id[0] || strlen(id) > WA_WEBHOOK_MAX_ID)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wa_webhook w;
	char err[200];

	if (wa_webhook_parse((const char *)data, size, &w, err, sizeof(err)) == 0) {
		if (err[0] != '\0' || !w.root ||
		    w.nstatuses + w.nmessages + w.skipped > WA_WEBHOOK_MAX_ITEMS)
			abort();
		for (size_t i = 0; i < w.nstatuses; i++) {
			const struct wa_status_update *s = &w.statuses[i];
			check_id(s->message_id);
			if (s->status != REMINDER_SENT && s->status != REMINDER_DELIVERED &&
			    s->status != REMINDER_READ && s->status != REMINDER_FAILED)
				abort();
			if (s->timestamp_ms < 0 || (s->phone_number_id && strlen(s->phone_number_id) > WA_WEBHOOK_MAX_ID))
				abort();
			for (int cur = REMINDER_STATUS_NONE; cur <= REMINDER_FAILED; cur++)
				(void)reminder_status_advance((enum reminder_status)cur, s->status);
		}
		for (size_t i = 0; i < w.nmessages; i++) {
			const struct wa_inbound *m = &w.messages[i];
			size_t n = strlen(m->from);
			check_id(m->message_id);
			if (!m->type || m->from[0] != '+' || n < 9 || n > 16 || m->from[1] == '0')
				abort();
			for (size_t k = 1; k < n; k++)
				if (m->from[k] < '0' || m->from[k] > '9')
					abort();
			(void)reminder_keyword(m->text);
		}
	} else if (err[0] == '\0' || w.root || w.statuses || w.messages || w.nstatuses || w.nmessages) {
		abort();
	}
	wa_webhook_release(&w);
	return 0;
}
