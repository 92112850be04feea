/*
 * libFuzzer target for tz_parse / tz_zone_offset.  Properties: never
 * crashes or reads out of bounds; offsets stay within RFC 8536's range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/tz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t probes[] = { INT64_MIN, -4000000000LL, -1, 0, 1, 1767225600,
					  2147483647, 4102444800LL, 253402300799LL, INT64_MAX };
	unsigned char *copy = malloc(size ? size : 1);
	struct tz_zone *z;

	if (!copy)
		return 0;
	memcpy(copy, data, size); /* exact-size heap copy: ASan sees any overread */
	z = tz_parse(copy, size);
	if (z) {
		for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
			int32_t o = tz_zone_offset(z, probes[i]);
			if (o < -89999 || o > 93599)
				abort();
		}
		if (size >= 8) {
			int64_t t;
			memcpy(&t, data + size - 8, 8);
			int32_t o = tz_zone_offset(z, t);
			if (o < -89999 || o > 93599)
				abort();
		}
		tz_free(z);
	}
	free(copy);
	return 0;
}
