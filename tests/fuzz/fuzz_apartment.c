/*
 * libFuzzer target for apartment_parse / apartment_prefix_valid.
 * Properties: never crashes; a parsed number is in range (and inside the
 * layout), keeps its text, and is a valid prefix of itself.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domain/apartment.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct building_layout layout;
	struct apartment_number a;
	char *s, err[160];

	if (size < 3)
		return 0;
	layout.towers = data[0] % 128 - 10;
	layout.floors = data[1] % 128 - 10;
	layout.units = data[2] % 16 - 2;
	s = malloc(size - 2);
	if (!s)
		return 0;
	memcpy(s, data + 3, size - 3);
	s[size - 3] = '\0';

	if (apartment_parse(s, &layout, &a, err, sizeof(err)) == 0) {
		if (building_layout_valid(&layout, NULL, 0) != 0)
			abort();
		if (a.tower < 1 || a.tower > 99 || a.floor < 0 || a.floor > 99 || a.unit < 1 ||
		    a.unit > 9)
			abort();
		if ((layout.towers && a.tower > layout.towers) ||
		    (layout.floors && a.floor >= layout.floors) ||
		    (layout.units && a.unit > layout.units))
			abort();
		if (strcmp(a.text, s) != 0 || apartment_prefix_valid(s) != 0)
			abort();
		if (apartment_parse(s, NULL, &a, NULL, 0) != 0)
			abort();
	} else if (err[0] == '\0') {
		abort();
	}
	if (apartment_prefix_valid(s) == 0 && (strlen(s) < 1 || strlen(s) > 5))
		abort();
	free(s);
	return 0;
}
