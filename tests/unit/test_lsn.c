#include "check.h"

#include "util/lsn.h"

static const char *round_trip(const char *s)
{
	static char out[LSN_TEXT_MAX];
	uint64_t v;
	if (lsn_parse(s, &v) < 0)
		return "refused";
	lsn_format(v, out);
	return out;
}

TEST(lsn_text_parses_and_formats_as_postgres_writes_it)
{
	uint64_t v = 0;
	CHECK_INT(lsn_parse("0/16B3748", &v), 0);
	CHECK(v == 0x16B3748u);
	CHECK_INT(lsn_parse("1/0", &v), 0);
	CHECK(v == (uint64_t)1 << 32);
	CHECK_INT(lsn_parse("FFFFFFFF/FFFFFFFF", &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK_STR(round_trip("0/0"), "0/0");
	CHECK_STR(round_trip("00000000/00000001"), "0/1");
	CHECK_STR(round_trip("ab/cdef0"), "AB/CDEF0");
	CHECK_STR(round_trip("FFFFFFFF/FFFFFFFF"), "FFFFFFFF/FFFFFFFF");
}

TEST(lsn_anything_else_is_refused_and_leaves_the_value)
{
	static const char *const bad[] = { "", "/", "0/", "/0", "0", "0//0", "0/0/0", " 0/0", "0/0 ",
		"123456789/0", "0/123456789", "g/0", "-1/0", "+1/0", "0x1/0", "0/1\n" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint64_t v = 42;
		CHECK_INT(lsn_parse(bad[i], &v), -1);
		CHECK(v == 42);
	}
	uint64_t v = 42;
	CHECK_INT(lsn_parse(NULL, &v), -1);
}

TEST(lsn_order_follows_the_numbers)
{
	uint64_t a, b;
	CHECK_INT(lsn_parse("0/FFFFFFFF", &a), 0);
	CHECK_INT(lsn_parse("1/0", &b), 0);
	CHECK(a < b);
}

TEST(lsn_reached_allows_only_a_page_header_past_a_page_boundary)
{
	CHECK(lsn_reached(100, 100));
	CHECK(lsn_reached(101, 100));
	CHECK(!lsn_reached(99, 100));
	/* An idle primary's insert position after a record that ended at a
	 * page boundary points past the page header. */
	CHECK(lsn_reached(8192, 8192 + 24));
	CHECK(lsn_reached(16 * 1024 * 1024, 16 * 1024 * 1024 + 40));
	CHECK(!lsn_reached(8192, 8192 + 41));
	/* Not at a boundary: no allowance. */
	CHECK(!lsn_reached(8200, 8201));
}

CHECK_MAIN()
