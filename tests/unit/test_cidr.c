#include "check.h"

#include "util/cidr.h"

static int parses(const char *s)
{
	struct cidr c;
	return cidr_parse(s, strlen(s), &c);
}

static const char *client(const char *trusted, const char *peer, const char *xff)
{
	static char out[CIDR_ADDR_TEXT];
	struct cidr_list l;
	char err[200];
	uint8_t p[16], c[16];
	if (cidr_list_parse(trusted, &l, err, sizeof err) < 0 || cidr_addr_parse(peer, strlen(peer), p) < 0)
		return "setup failed";
	cidr_forwarded_client(&l, p, xff, xff ? strlen(xff) : 0, c);
	cidr_addr_format(c, out);
	return out;
}

TEST(addresses_of_both_families_parse_and_format)
{
	uint8_t a[16];
	char text[CIDR_ADDR_TEXT];
	CHECK_INT(cidr_addr_parse("192.0.2.7", 9, a), 0);
	cidr_addr_format(a, text);
	CHECK_STR(text, "192.0.2.7");
	CHECK_INT(cidr_addr_parse("2001:DB8::1", 11, a), 0);
	cidr_addr_format(a, text);
	CHECK_STR(text, "2001:db8::1");
	/* The IPv4-mapped form is the same host as the dotted one. */
	CHECK_INT(cidr_addr_parse("::ffff:10.1.2.3", 15, a), 0);
	cidr_addr_format(a, text);
	CHECK_STR(text, "10.1.2.3");
	/* Only n bytes are read. */
	CHECK_INT(cidr_addr_parse("10.0.0.1junk", 8, a), 0);
	cidr_addr_format(a, text);
	CHECK_STR(text, "10.0.0.1");
}

TEST(malformed_addresses_are_refused)
{
	uint8_t a[16];
	const char *bad[] = { "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "0x7f.0.0.1", "1.2.3.4 ",
		" 1.2.3.4", "::1::2", "fe80::1%eth0", "localhost", "1.2.3.-4", "12345::" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK_INT(cidr_addr_parse(bad[i], strlen(bad[i]), a), -1);
	CHECK_INT(cidr_addr_parse("1.2\0.3.4", 8, a), -1);
}

TEST(cidr_blocks_parse_with_prefix_lengths_per_family)
{
	CHECK_INT(parses("10.0.0.0/8"), 0);
	CHECK_INT(parses("0.0.0.0/0"), 0);
	CHECK_INT(parses("127.0.0.1/32"), 0);
	CHECK_INT(parses("127.0.0.1"), 0);
	CHECK_INT(parses("::1/128"), 0);
	CHECK_INT(parses("fd00::/8"), 0);
	CHECK_INT(parses("::/0"), 0);
	CHECK_INT(parses("10.0.0.0/33"), -1);
	CHECK_INT(parses("::/129"), -1);
	CHECK_INT(parses("10.0.0.0/"), -1);
	CHECK_INT(parses("10.0.0.0/08"), -1);
	CHECK_INT(parses("10.0.0.0/+8"), -1);
	CHECK_INT(parses("10.0.0.0/8/8"), -1);
	CHECK_INT(parses("/8"), -1);
	/* Host bits below the prefix: a typo, not a block. */
	CHECK_INT(parses("10.0.0.1/8"), -2);
	CHECK_INT(parses("fd00::1/64"), -2);
}

TEST(a_list_matches_addresses_inside_its_blocks_only)
{
	struct cidr_list l;
	char err[200];
	uint8_t a[16];
	CHECK_INT(cidr_list_parse(" 10.0.0.0/8, 192.168.1.0/24 ,::1,fd00::/8,", &l, err, sizeof err), 0);
	CHECK_INT(l.n, 4);
	const char *in[] = { "10.0.0.0", "10.255.255.255", "192.168.1.77", "::1", "fd12:3456::9", "::ffff:10.9.9.9" };
	const char *out[] = { "11.0.0.0", "9.255.255.255", "192.168.2.1", "::2", "fe00::1", "127.0.0.1" };
	for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
		CHECK_INT(cidr_addr_parse(in[i], strlen(in[i]), a), 0);
		CHECK_INT(cidr_list_match(&l, a), 1);
		CHECK_INT(cidr_addr_parse(out[i], strlen(out[i]), a), 0);
		CHECK_INT(cidr_list_match(&l, a), 0);
	}
	CHECK_INT(cidr_list_parse("", &l, err, sizeof err), 0);
	CHECK_INT(l.n, 0);
	CHECK_INT(cidr_list_parse(NULL, &l, err, sizeof err), 0);
	CHECK_INT(l.n, 0);
}

TEST(a_bad_list_item_is_named_in_the_error)
{
	struct cidr_list l;
	char err[200];
	CHECK_INT(cidr_list_parse("10.0.0.0/8, 10.0.0.300/32", &l, err, sizeof err), -1);
	CHECK(strstr(err, "10.0.0.300/32") != NULL);
	CHECK_INT(cidr_list_parse("172.16.0.1/12", &l, err, sizeof err), -1);
	CHECK(strstr(err, "172.16.0.1/12") != NULL);
	char many[2000] = "";
	for (int i = 0; i <= CIDR_LIST_MAX; i++)
		snprintf(many + strlen(many), sizeof many - strlen(many), "10.0.%d.0/24,", i);
	CHECK_INT(cidr_list_parse(many, &l, err, sizeof err), -1);
}

TEST(forwarded_for_is_ignored_unless_the_peer_is_trusted)
{
	CHECK_STR(client("", "203.0.113.5", "198.51.100.1"), "203.0.113.5");
	CHECK_STR(client("10.0.0.0/8", "203.0.113.5", "198.51.100.1"), "203.0.113.5");
	CHECK_STR(client("10.0.0.0/8", "10.0.0.2", NULL), "10.0.0.2");
	CHECK_STR(client("10.0.0.0/8", "10.0.0.2", ""), "10.0.0.2");
}

TEST(the_client_is_the_rightmost_address_that_is_not_a_trusted_proxy)
{
	CHECK_STR(client("10.0.0.0/8", "10.0.0.2", "198.51.100.1"), "198.51.100.1");
	/* A spoofed left part is not believed past the first untrusted hop. */
	CHECK_STR(client("10.0.0.0/8", "10.0.0.2", "1.1.1.1, 198.51.100.1"), "198.51.100.1");
	/* Trusted hops in the chain are skipped. */
	CHECK_STR(client("10.0.0.0/8", "10.0.0.2", "1.1.1.1, 198.51.100.1, 10.0.0.9,10.0.0.3"), "198.51.100.1");
	/* All hops trusted: the leftmost is the best there is. */
	CHECK_STR(client("10.0.0.0/8", "10.0.0.2", "10.0.0.7, 10.0.0.3"), "10.0.0.7");
	CHECK_STR(client("10.0.0.0/8,::1", "::1", "2001:db8::5"), "2001:db8::5");
	CHECK_STR(client("127.0.0.1/32", "127.0.0.1", "[2001:db8::5]:443"), "2001:db8::5");
	CHECK_STR(client("127.0.0.1/32", "127.0.0.1", "198.51.100.1:5555"), "198.51.100.1");
	CHECK_STR(client("127.0.0.1/32", "127.0.0.1", "[2001:db8::6]"), "2001:db8::6");
	CHECK_STR(client("127.0.0.1/32", "127.0.0.1", " 198.51.100.1 ,, "), "198.51.100.1");
}

TEST(a_malformed_forwarded_element_stops_the_walk)
{
	CHECK_STR(client("127.0.0.1/32", "127.0.0.1", "198.51.100.1, unknown"), "127.0.0.1");
	CHECK_STR(client("10.0.0.0/8", "10.0.0.2", "198.51.100.1, garbage, 10.0.0.5"), "10.0.0.5");
	CHECK_STR(client("127.0.0.1/32", "127.0.0.1", "1.2.3.4:99999x"), "127.0.0.1");
	CHECK_STR(client("127.0.0.1/32", "127.0.0.1", "[1.2.3.4]"), "127.0.0.1");
	CHECK_STR(client("127.0.0.1/32", "127.0.0.1", "[::1"), "127.0.0.1");
}

CHECK_MAIN()
