/*
 * libFuzzer target for the open-lots text read back from a customer row
 * (domain/open_lots.c).  Properties: never crashes; a text that parses is
 * canonical, so it formats back to exactly itself, and its lots are in date
 * order with positive amounts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/open_lots.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct open_lots l;
	static char text[OPEN_LOTS_TEXT_MAX + 64], back[OPEN_LOTS_TEXT_MAX];
	if (size >= sizeof text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (open_lots_parse(text, &l) != 0)
		return 0;
	int n = open_lots_format(&l, back, sizeof back);
	if (n < 0 || strcmp(back, text) != 0)
		abort();
	for (size_t i = 0; i < l.n; i++)
		if (l.lot[i].remaining_minor <= 0 || (i && l.lot[i].occurred_at_ms < l.lot[i - 1].occurred_at_ms))
			abort();
	return 0;
}
