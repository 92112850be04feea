/*
 * wa_webhook.c — see wa_webhook.h.
 */
#include "domain/wa_webhook.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "util/errtext.h"

/* The string member key of o, or NULL when o is not an object or the
 * member is missing or not a string. */
static const char *str_of(json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *array_of(json_t *o, const char *key)
{
	json_t *v = json_is_object(o) ? json_object_get(o, key) : NULL;

	return json_is_array(v) ? v : NULL;
}

static const char *id_of(json_t *o, const char *key)
{
	const char *s = str_of(o, key);

	return s && s[0] && strlen(s) <= WA_WEBHOOK_MAX_ID ? s : NULL;
}

/* Meta writes unix seconds as a decimal string; 0 when absent or odd. */
static int64_t timestamp_of(json_t *o)
{
	const char *s = str_of(o, "timestamp");
	int64_t v = 0;
	size_t i;

	if (!s || !s[0])
		return 0;
	for (i = 0; s[i]; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= 12)
			return 0;
		v = v * 10 + (s[i] - '0');
	}
	return v * 1000;
}

static int status_item(json_t *st, const char *phone_number_id, struct wa_status_update *out)
{
	json_t *errors, *e0;
	const char *id = id_of(st, "id");
	enum reminder_status status = reminder_status_from_whatsapp(str_of(st, "status"));

	if (!id || status == REMINDER_STATUS_NONE)
		return -1;
	memset(out, 0, sizeof(*out));
	out->message_id = id;
	out->status = status;
	out->recipient_id = str_of(st, "recipient_id");
	out->timestamp_ms = timestamp_of(st);
	out->phone_number_id = phone_number_id;
	errors = array_of(st, "errors");
	e0 = errors ? json_array_get(errors, 0) : NULL;
	if (json_is_object(e0)) {
		json_t *code = json_object_get(e0, "code");
		if (json_is_integer(code))
			out->error_code = json_integer_value(code);
		out->error_title = str_of(e0, "title");
		if (!out->error_title)
			out->error_title = str_of(e0, "message");
		out->error_details = str_of(json_object_get(e0, "error_data"), "details");
	}
	return 0;
}

static int message_item(json_t *m, const char *phone_number_id, struct wa_inbound *out)
{
	const char *id = id_of(m, "id"), *from = str_of(m, "from"), *type = str_of(m, "type");
	size_t nd = 0;

	if (!id || !from || !type)
		return -1;
	while (nd <= 15 && from[nd] >= '0' && from[nd] <= '9')
		nd++;
	if (nd < 8 || nd > 15 || from[nd] != '\0' || from[0] == '0')
		return -1;
	memset(out, 0, sizeof(*out));
	out->message_id = id;
	out->from[0] = '+';
	memcpy(out->from + 1, from, nd + 1);
	out->type = type;
	out->timestamp_ms = timestamp_of(m);
	out->phone_number_id = phone_number_id;
	if (strcmp(type, "text") == 0) {
		out->text = str_of(json_object_get(m, "text"), "body");
	} else if (strcmp(type, "button") == 0) {
		out->text = str_of(json_object_get(m, "button"), "text");
	} else if (strcmp(type, "interactive") == 0) {
		json_t *in = json_object_get(m, "interactive");
		out->text = str_of(json_object_get(in, "button_reply"), "title");
		if (!out->text)
			out->text = str_of(json_object_get(in, "list_reply"), "title");
	}
	return 0;
}

/* Calls fn(value, ctx) for every entry[].changes[].value that is an object. */
static void each_value(json_t *root, void (*fn)(json_t *value, void *ctx), void *ctx)
{
	json_t *entries = array_of(root, "entry"), *entry, *changes, *change;
	size_t i, j;

	if (!entries)
		return;
	json_array_foreach(entries, i, entry) {
		changes = array_of(entry, "changes");
		if (!changes)
			continue;
		json_array_foreach(changes, j, change) {
			json_t *value = json_is_object(change) ? json_object_get(change, "value") : NULL;
			if (json_is_object(value))
				fn(value, ctx);
		}
	}
}

static void count_items(json_t *value, void *ctx)
{
	size_t *counts = ctx;
	json_t *a;

	if ((a = array_of(value, "statuses")))
		counts[0] += json_array_size(a);
	if ((a = array_of(value, "messages")))
		counts[1] += json_array_size(a);
}

static void take_items(json_t *value, void *ctx)
{
	struct wa_webhook *w = ctx;
	const char *pnid = id_of(json_object_get(value, "metadata"), "phone_number_id");
	json_t *a, *item;
	size_t i;

	if ((a = array_of(value, "statuses"))) {
		json_array_foreach(a, i, item) {
			if (status_item(item, pnid, &w->statuses[w->nstatuses]) == 0)
				w->nstatuses++;
			else
				w->skipped++;
		}
	}
	if ((a = array_of(value, "messages"))) {
		json_array_foreach(a, i, item) {
			if (message_item(item, pnid, &w->messages[w->nmessages]) == 0)
				w->nmessages++;
			else
				w->skipped++;
		}
	}
}

int wa_webhook_parse(const char *body, size_t len, struct wa_webhook *out, char *err,
		     size_t errlen)
{
	json_error_t jerr;
	size_t counts[2] = { 0, 0 };

	if (err && errlen)
		err[0] = '\0';
	if (!out)
		return -1;
	memset(out, 0, sizeof(*out));
	if (!body) {
		errtext_set(err, errlen, "webhook body: missing");
		return -1;
	}
	if (len > WA_WEBHOOK_MAX_BODY) {
		errtext_set(err, errlen, "webhook body: longer than %d bytes", WA_WEBHOOK_MAX_BODY);
		return -1;
	}
	out->root = json_loadb(body, len, 0, &jerr);
	if (!out->root) {
		errtext_set(err, errlen, "webhook body: not JSON (%s at byte %d)", jerr.text, jerr.position);
		return -1;
	}
	if (!json_is_object(out->root)) {
		errtext_set(err, errlen, "webhook body: not a JSON object");
		goto fail;
	}
	each_value(out->root, count_items, counts);
	if (counts[0] + counts[1] > WA_WEBHOOK_MAX_ITEMS) {
		errtext_set(err, errlen, "webhook body: more than %d statuses and messages",
			WA_WEBHOOK_MAX_ITEMS);
		goto fail;
	}
	/* calloc(0) may give NULL; one spare element keeps the arrays real. */
	out->statuses = calloc(counts[0] + 1, sizeof(*out->statuses));
	out->messages = calloc(counts[1] + 1, sizeof(*out->messages));
	if (!out->statuses || !out->messages) {
		errtext_set(err, errlen, "webhook body: out of memory");
		goto fail;
	}
	each_value(out->root, take_items, out);
	return 0;
fail:
	wa_webhook_release(out);
	return -1;
}

void wa_webhook_release(struct wa_webhook *w)
{
	if (!w)
		return;
	free(w->statuses);
	free(w->messages);
	if (w->root)
		json_decref(w->root);
	memset(w, 0, sizeof(*w));
}
