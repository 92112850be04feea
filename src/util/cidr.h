/*
 * cidr.h — IP addresses, CIDR blocks and the X-Forwarded-For walk that
 * finds a client behind trusted proxies.  Pure functions, no allocation.
 *
 * Every address is kept as 16 bytes: IPv6 as is, IPv4 as the IPv4-mapped
 * IPv6 address ::ffff:a.b.c.d (its prefix length plus 96), so one match
 * serves both families and "::ffff:127.0.0.1" is the same host as
 * "127.0.0.1".  Text is parsed with inet_pton, so IPv4 is exactly four
 * decimal parts (no octal, hex or short forms).
 */
#ifndef QT_UTIL_CIDR_H
#define QT_UTIL_CIDR_H

#include <stddef.h>
#include <stdint.h>

#define CIDR_LIST_MAX 32
/* Longest address text cidr_addr_format writes, with its NUL. */
#define CIDR_ADDR_TEXT 46

struct cidr {
	uint8_t addr[16];
	int bits;            /* 0-128, counted on the 16-byte form */
};

struct cidr_list {
	int n;
	struct cidr item[CIDR_LIST_MAX];
};

/* Parse n bytes of address text (IPv4 or IPv6; no NUL needed) into out.
 * Returns 0, or -1 when it is not an address. */
int cidr_addr_parse(const char *s, size_t n, uint8_t out[16]);

/* Format an address: IPv4-mapped ones as dotted IPv4, others as IPv6. */
void cidr_addr_format(const uint8_t addr[16], char out[CIDR_ADDR_TEXT]);

/* Parse "ADDR/BITS" or a bare address (a single host) from n bytes.
 * Returns 0; -1 for bad syntax or a prefix too long for the family;
 * -2 when bits below the prefix are set ("10.0.0.1/8"). */
int cidr_parse(const char *s, size_t n, struct cidr *out);

/* Parse a comma-separated list of CIDR blocks (blanks around items and
 * empty items are ignored; an empty or NULL spec is an empty list).  Returns 0, or -1
 * with a message naming the bad item in err. */
int cidr_list_parse(const char *spec, struct cidr_list *out, char *err, size_t errlen);

/* 1 when addr lies in any block of the list, else 0. */
int cidr_list_match(const struct cidr_list *l, const uint8_t addr[16]);

/*
 * The client of a request that reached us from `peer`, given the
 * X-Forwarded-For text `xff` (n bytes; several header lines joined with
 * commas).  Unless the peer is trusted, the header is ignored and the
 * client is the peer.  Otherwise the list is walked from the right: each
 * address was appended by the hop to its right, so it is believed while
 * that hop is trusted; the first address that is not itself a trusted
 * proxy is the client.  An element that is not an address stops the walk
 * at the last address believed.  Elements may carry a port ("1.2.3.4:80",
 * "[::1]:80") or brackets ("[::1]").  Writes the client to out.
 */
void cidr_forwarded_client(const struct cidr_list *trusted, const uint8_t peer[16],
	const char *xff, size_t n, uint8_t out[16]);

#endif
