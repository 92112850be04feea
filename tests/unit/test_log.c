#include "check.h"

#include "util/log.h"
#include "util/civil.h"

#include <time.h>
#include <unistd.h>

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
	struct timespec before, after;
	clock_gettime(CLOCK_REALTIME, &before);
	size_t n = capture(2, emit_multiline, out, sizeof(out));
	clock_gettime(CLOCK_REALTIME, &after);
	CHECK(n > 25);
	/* The stamp is civil_format_rfc3339 of the real time of the call. */
	char stamp[CIVIL_RFC3339_LEN];
	int64_t at = 0;
	memcpy(stamp, out, CIVIL_RFC3339_LEN - 1);
	stamp[CIVIL_RFC3339_LEN - 1] = '\0';
	CHECK_INT(civil_parse_rfc3339(stamp, &at), 0);
	CHECK(at >= (int64_t)before.tv_sec * 1000 + before.tv_nsec / 1000000);
	CHECK(at <= (int64_t)after.tv_sec * 1000 + after.tv_nsec / 1000000);
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
