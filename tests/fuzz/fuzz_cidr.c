/*
 * libFuzzer target for util/cidr: the input is split at the first newline
 * into a trusted-proxy list and an X-Forwarded-For value.  Properties:
 * never crashes or reads past its input; a block that parses formats to an
 * address that parses back to the same bytes; a list item that parses
 * matches its own address; the forwarded client is the peer, or an address
 * that parses back identically and is the peer's own value when the peer is
 * not trusted.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/cidr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	const char *text = (const char *)data;
	const char *nl = memchr(text, '\n', size);
	size_t list_len = nl ? (size_t)(nl - text) : size;

	/* One block, read from exactly list_len bytes (a heap copy, so
	 * ASan catches a read past the end). */
	char *one = malloc(list_len ? list_len : 1);
	if (!one)
		return 0;
	memcpy(one, text, list_len);
	struct cidr c;
	if (cidr_parse(one, list_len, &c) == 0) {
		char back[CIDR_ADDR_TEXT];
		uint8_t again[16];
		if (c.bits < 0 || c.bits > 128)
			abort();
		cidr_addr_format(c.addr, back);
		if (cidr_addr_parse(back, strlen(back), again) != 0 || memcmp(again, c.addr, 16) != 0)
			abort();
	}
	free(one);

	char *spec = malloc(list_len + 1);
	if (!spec)
		return 0;
	memcpy(spec, text, list_len);
	spec[list_len] = '\0';
	struct cidr_list l;
	char err[256];
	if (cidr_list_parse(spec, &l, err, sizeof err) != 0) {
		if (!err[0])
			abort();
		l.n = 0;
	}
	for (int i = 0; i < l.n; i++)
		if (!cidr_list_match(&l, l.item[i].addr))
			abort();
	free(spec);

	size_t xlen = nl ? size - list_len - 1 : 0;
	char *xff = malloc(xlen ? xlen : 1);
	if (!xff)
		return 0;
	if (xlen)
		memcpy(xff, nl + 1, xlen);
	uint8_t peer[16] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1 };
	uint8_t out[16];
	cidr_forwarded_client(&l, peer, xff, xlen, out);
	if (!cidr_list_match(&l, peer) && memcmp(out, peer, 16) != 0)
		abort();
	char back[CIDR_ADDR_TEXT];
	uint8_t again[16];
	cidr_addr_format(out, back);
	if (cidr_addr_parse(back, strlen(back), again) != 0 || memcmp(again, out, 16) != 0)
		abort();
	free(xff);
	return 0;
}
