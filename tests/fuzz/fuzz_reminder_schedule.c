/*
 * libFuzzer target for the settings parsers of domain/reminder_rules.c
 * (reminder_schedule JSON, quiet hours) and the STOP/START reader.
 * Properties: never crashes; an accepted schedule has every member in
 * range and survives to_json -> parse unchanged; a refusal names a
 * reminder_schedule field and leaves the output alone; the keyword of
 * any text is one of the three, and surrounding spaces never change it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"
#include "domain/reminder_rules.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reminder_schedule s, back, sentinel = { 7, 77, 777, 7777, 77777 };
	struct reminder_field_error e;
	char *text, *padded;
	json_t *v;
	int hour;
	enum reminder_keyword k;

	if (size > 8192)
		return 0;
	text = malloc(size + 1);
	padded = malloc(size + 5);
	if (!text || !padded) {
		free(text);
		free(padded);
		return 0;
	}
	memcpy(text, data, size);
	text[size] = '\0';

	s = sentinel;
	if (reminder_schedule_parse(text, &s, &e) == 0) {
		char *dumped;
		json_t *j;
		if (s.enabled < 0 || s.enabled > 1 || s.hour < 0 || s.hour > 23 ||
		    s.interval_days < 1 || s.interval_days > REMINDER_INTERVAL_DAYS_MAX ||
		    s.min_overdue_days < 0 || s.min_overdue_days > REMINDER_MIN_OVERDUE_DAYS_MAX ||
		    s.min_amount_minor < 0 || s.min_amount_minor > MONEY_AMOUNT_MAX)
			abort();
		j = reminder_schedule_to_json(&s);
		dumped = j ? json_dumps(j, JSON_COMPACT) : NULL;
		if (dumped) {
			if (reminder_schedule_parse(dumped, &back, &e) != 0 ||
			    memcmp(&s, &back, sizeof(s)) != 0)
				abort();
			free(dumped);
		}
		json_decref(j);
	} else {
		if (!e.field || strncmp(e.field, "reminder_schedule", 17) != 0 || !e.message[0])
			abort();
		if (memcmp(&s, &sentinel, sizeof(s)) != 0)
			abort();
	}

	v = json_loadb(text, size, JSON_DECODE_ANY, NULL);
	if (v) {
		hour = -7;
		if (reminder_hour_from_json(v, "quiet_hours_start", &hour, &e) == 0) {
			if (hour < 0 || hour > 23 || !json_is_integer(v))
				abort();
		} else if (hour != -7 || strcmp(e.field, "quiet_hours_start") != 0) {
			abort();
		}
		json_decref(v);
	}

	k = reminder_keyword(text);
	if (k != REMINDER_KEYWORD_NONE && k != REMINDER_KEYWORD_STOP && k != REMINDER_KEYWORD_START)
		abort();
	memcpy(padded, " \t", 2);
	memcpy(padded + 2, text, strlen(text));
	memcpy(padded + 2 + strlen(text), "\n ", 3);
	if (reminder_keyword(padded) != k)
		abort();
	free(text);
	free(padded);
	return 0;
}
