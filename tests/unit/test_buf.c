#include "check.h"

#include "util/buf.h"

#include <stdlib.h>

TEST(buf_init_is_empty_and_cstr_is_empty_string)
{
	struct buf b;
	buf_init(&b);
	CHECK(b.data == NULL);
	CHECK_INT(b.len, 0);
	CHECK_STR(buf_cstr(&b), "");
	buf_release(&b);
}

TEST(buf_appends_keep_data_nul_terminated)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "abc");
	CHECK_INT(b.len, 3);
	CHECK_INT(b.data[3], 0);
	buf_putc(&b, 'd');
	buf_append(&b, "ef", 2);
	buf_printf(&b, "-%d-%s", 12, "x");
	CHECK_STR(b.data, "abcdef-12-x");
	CHECK_INT(b.len, 11);
	buf_append(&b, NULL, 0);
	CHECK_INT(b.len, 11);
	buf_release(&b);
	CHECK(b.data == NULL);
}

TEST(buf_empty_append_still_allocates_terminator)
{
	struct buf b = BUF_INIT;
	buf_append(&b, "", 0);
	CHECK(b.data != NULL);
	CHECK_STR(b.data, "");
	buf_release(&b);
}

TEST(buf_holds_binary_data_with_nuls)
{
	struct buf b = BUF_INIT;
	buf_append(&b, "a\0b", 3);
	CHECK_INT(b.len, 3);
	CHECK(memcmp(b.data, "a\0b", 4) == 0);
	buf_release(&b);
}

TEST(buf_printf_grows_past_initial_capacity)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "x");
	buf_printf(&b, "%10000s|", "y");
	CHECK_INT(b.len, 10002);
	CHECK(b.data[10000] == 'y' && b.data[10001] == '|' && b.data[10002] == 0);
	for (int i = 0; i < 1000; i++)
		buf_printf(&b, "%d,", i);
	CHECK(strstr(b.data, "998,999,") != NULL);
	CHECK(b.cap >= b.len);
	buf_release(&b);
}

TEST(buf_detach_returns_string_and_resets)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "hello");
	char *s = buf_detach(&b);
	CHECK_STR(s, "hello");
	CHECK(b.data == NULL && b.len == 0 && b.cap == 0);
	free(s);
	s = buf_detach(&b);
	CHECK_STR(s, "");
	free(s);
}

TEST(buf_reset_keeps_allocation)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "hello");
	char *p = b.data;
	buf_reset(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.data, "");
	buf_puts(&b, "hi");
	CHECK(b.data == p);
	buf_release(&b);
}

CHECK_MAIN()
