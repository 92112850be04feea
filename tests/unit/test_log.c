#include "check.h"

#include "util/log.h"

#include <unistd.h>

TEST(log_time_is_rfc3339_utc_with_milliseconds)
{
	char t[LOG_TIME_LEN];
	log_format_time(0, t);
	CHECK_STR(t, "1970-01-01T00:00:00.000Z");
	log_format_time(951782400123LL, t);  /* leap day 2000 */
	CHECK_STR(t, "2000-02-29T00:00:00.123Z");
	log_format_time(1709251199999LL, t);
	CHECK_STR(t, "2024-02-29T23:59:59.999Z");
	log_format_time(4107542400000LL, t);  /* 2100 is not a leap year */
	CHECK_STR(t, "2100-03-01T00:00:00.000Z");
	log_format_time(-1, t);
	CHECK_STR(t, "1969-12-31T23:59:59.999Z");
}

TEST(log_time_clamps_out_of_range_years)
{
	char t[LOG_TIME_LEN];
	log_format_time(INT64_MAX, t);
	CHECK_STR(t, "9999-12-31T23:59:59.999Z");
	log_format_time(INT64_MIN, t);
	CHECK_STR(t, "0000-01-01T00:00:00.000Z");
}

/* Run fn with fd (1 or 2) redirected to a temp file; return what it wrote. */
static size_t capture(int fd, void (*fn)(void), char *out, size_t cap)
{
	FILE *tmp = tmpfile();
	int saved = dup(fd);
	fflush(NULL);
	dup2(fileno(tmp), fd);
	fn();
	dup2(saved, fd);
	close(saved);
	rewind(tmp);
	size_t n = fread(out, 1, cap - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return n;
}

static void emit_multiline(void)
{
	log_warn("line with newline\ninside %d", 1);
}

static void emit_long(void)
{
	static char big[6000];
	memset(big, 'x', sizeof(big) - 1);
	log_error("%s", big);
}

static void emit_json(void)
{
	log_json_line("{\"unit\":\"test\"}");
	log_json_line(NULL);
}

TEST(log_line_has_time_level_and_no_inner_newline)
{
	char out[8192];
	size_t n = capture(2, emit_multiline, out, sizeof(out));
	CHECK(n > 25);
	CHECK(out[10] == 'T' && out[23] == 'Z');
	CHECK(strncmp(out + 24, " WARN line with newline?inside 1\n", 33) == 0);
	CHECK(strchr(out, '\n') == out + n - 1);
}

TEST(log_long_message_is_truncated_to_one_line)
{
	static char out[16384];
	size_t n = capture(2, emit_long, out, sizeof(out));
	CHECK_INT(n, 24 + strlen(" ERROR ") + LOG_LINE_MAX + 1);
	CHECK(strchr(out, '\n') == out + n - 1);
}

TEST(log_json_line_appends_newline)
{
	char out[256];
	capture(1, emit_json, out, sizeof(out));
	CHECK_STR(out, "{\"unit\":\"test\"}\n");
}

CHECK_MAIN()
