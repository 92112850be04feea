/* cidr.c — addresses and CIDR blocks on the 16-byte IPv6 form. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "util/cidr.h"

static const uint8_t v4_mapped_prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static int is_v4_mapped(const uint8_t a[16])
{
	return memcmp(a, v4_mapped_prefix, 12) == 0;
}

int cidr_addr_parse(const char *s, size_t n, uint8_t out[16])
{
	char text[INET6_ADDRSTRLEN + 1];
	if (n == 0 || n >= sizeof text || memchr(s, '\0', n))
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	if (memchr(text, ':', n)) {
		/* inet_pton accepts a zone-less IPv6 address only, as wanted. */
		return inet_pton(AF_INET6, text, out) == 1 ? 0 : -1;
	}
	memcpy(out, v4_mapped_prefix, 12);
	return inet_pton(AF_INET, text, out + 12) == 1 ? 0 : -1;
}

void cidr_addr_format(const uint8_t addr[16], char out[CIDR_ADDR_TEXT])
{
	if (is_v4_mapped(addr))
		inet_ntop(AF_INET, addr + 12, out, CIDR_ADDR_TEXT);
	else
		inet_ntop(AF_INET6, addr, out, CIDR_ADDR_TEXT);
}

/* 1 when a and b agree on their first `bits` bits. */
static int prefix_equal(const uint8_t a[16], const uint8_t b[16], int bits)
{
	int whole = bits / 8, rest = bits % 8;
	if (memcmp(a, b, (size_t)whole) != 0)
		return 0;
	if (rest == 0)
		return 1;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (a[whole] & mask) == (b[whole] & mask);
}

int cidr_parse(const char *s, size_t n, struct cidr *out)
{
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	if (cidr_addr_parse(s, alen, out->addr) < 0)
		return -1;
	int v4 = !memchr(s, ':', alen);
	int max = v4 ? 32 : 128;
	int bits = max;
	if (slash) {
		const char *d = slash + 1;
		size_t dn = n - alen - 1;
		if (dn == 0 || dn > 3 || (dn > 1 && d[0] == '0'))
			return -1;
		bits = 0;
		for (size_t i = 0; i < dn; i++) {
			if (d[i] < '0' || d[i] > '9')
				return -1;
			bits = bits * 10 + (d[i] - '0');
		}
		if (bits > max)
			return -1;
	}
	out->bits = v4 ? bits + 96 : bits;
	/* Host bits must be clear: "10.0.0.1/8" is more likely a typo than
	 * a wish to trust 10.0.0.0/8. */
	uint8_t zero[16] = { 0 };
	uint8_t host[16];
	memcpy(host, out->addr, 16);
	for (int i = 0; i < 16; i++) {
		int covered = out->bits - i * 8;
		if (covered >= 8)
			host[i] = 0;
		else if (covered > 0)
			host[i] &= (uint8_t)(0xff >> covered);
	}
	if (memcmp(host, zero, 16) != 0)
		return -2;
	return 0;
}

int cidr_list_parse(const char *spec, struct cidr_list *out, char *err, size_t errlen)
{
	out->n = 0;
	if (!spec)
		return 0;
	const char *p = spec;
	for (;;) {
		const char *end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		const char *a = p, *b = end;
		while (a < b && (*a == ' ' || *a == '\t'))
			a++;
		while (b > a && (b[-1] == ' ' || b[-1] == '\t'))
			b--;
		if (a < b) {
			if (out->n >= CIDR_LIST_MAX) {
				snprintf(err, errlen, "more than %d blocks", CIDR_LIST_MAX);
				return -1;
			}
			int rc = cidr_parse(a, (size_t)(b - a), &out->item[out->n]);
			if (rc == -2) {
				snprintf(err, errlen, "\"%.*s\": bits below the prefix length are set",
					(int)(b - a), a);
				return -1;
			}
			if (rc < 0) {
				snprintf(err, errlen, "\"%.*s\": must be an IPv4 or IPv6 address or CIDR block "
					"(10.0.0.0/8, ::1/128)", (int)(b - a), a);
				return -1;
			}
			out->n++;
		}
		if (*end == '\0')
			return 0;
		p = end + 1;
	}
}

int cidr_list_match(const struct cidr_list *l, const uint8_t addr[16])
{
	for (int i = 0; i < l->n; i++)
		if (prefix_equal(l->item[i].addr, addr, l->item[i].bits))
			return 1;
	return 0;
}

/* ":" and 1-5 digits. */
static int port_ok(const char *p, size_t n)
{
	if (n < 2 || n > 6 || p[0] != ':')
		return 0;
	for (size_t i = 1; i < n; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	return 1;
}

/* One X-Forwarded-For element, blanks trimmed: a bare address, "[v6]",
 * "[v6]:port" or "v4:port". */
static int forwarded_addr(const char *a, size_t n, uint8_t out[16])
{
	if (n > 0 && a[0] == '[') {
		const char *close = memchr(a, ']', n);
		if (!close)
			return -1;
		size_t inner = (size_t)(close - a) - 1, after = n - inner - 2;
		if (!memchr(a + 1, ':', inner) || (after > 0 && !port_ok(close + 1, after)))
			return -1;
		return cidr_addr_parse(a + 1, inner, out);
	}
	const char *colon = memchr(a, ':', n);
	if (colon && !memchr(colon + 1, ':', n - (size_t)(colon - a) - 1)) {
		/* One colon: IPv4 with a port (IPv6 has at least two). */
		if (!port_ok(colon, n - (size_t)(colon - a)))
			return -1;
		return cidr_addr_parse(a, (size_t)(colon - a), out);
	}
	return cidr_addr_parse(a, n, out);
}

void cidr_forwarded_client(const struct cidr_list *trusted, const uint8_t peer[16],
	const char *xff, size_t n, uint8_t out[16])
{
	memcpy(out, peer, 16);
	if (!trusted || trusted->n == 0 || !xff || !cidr_list_match(trusted, peer))
		return;
	size_t end = n;
	for (;;) {
		size_t start = end;
		while (start > 0 && xff[start - 1] != ',')
			start--;
		size_t a = start, b = end;
		while (a < b && (xff[a] == ' ' || xff[a] == '\t'))
			a++;
		while (b > a && (xff[b - 1] == ' ' || xff[b - 1] == '\t'))
			b--;
		if (a < b) {
			uint8_t hop[16];
			if (forwarded_addr(xff + a, b - a, hop) < 0)
				return;
			memcpy(out, hop, 16);
			if (!cidr_list_match(trusted, hop))
				return;
		}
		if (start == 0)
			return;
		end = start - 1;
	}
}
