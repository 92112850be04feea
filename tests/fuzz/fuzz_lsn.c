/*
 * libFuzzer target for lsn_parse / lsn_format (the X-QT-Min-LSN header).
 * Properties: parsing never crashes or reads past the text; whatever
 * parses formats to text that parses to the same position; formatting
 * any position gives text that parses back to it and fits LSN_TEXT_MAX.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/lsn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[LSN_TEXT_MAX];
	uint64_t v = 0, back = 0;
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	if (lsn_parse(s, &v) == 0) {
		lsn_format(v, text);
		if (lsn_parse(text, &back) != 0 || back != v)
			abort();
	}
	free(s);
	if (size >= 8) {
		memcpy(&v, data, 8);
		lsn_format(v, text);
		if (strlen(text) >= LSN_TEXT_MAX || lsn_parse(text, &back) != 0 || back != v)
			abort();
	}
	return 0;
}
