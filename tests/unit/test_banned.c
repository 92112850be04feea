/*
 * util/banned.h: every banned call is a compile error that says what to
 * use instead, under gcc and clang (the normal and the fuzz builds), and
 * ordinary code that includes the system and library headers the project
 * uses still compiles with the header force-included first.
 *
 * The Makefile passes QT_CC (the compiler of this build), QT_SRC_DIR
 * (absolute path of src/) and QT_PKG_CFLAGS (pkg-config include flags).
 * Each case compiles a snippet with -fsyntax-only; clang is tried too
 * when installed (the fuzz targets are built with it).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "util/buf.h"

#ifndef QT_CC
#define QT_CC "cc"
#endif
#ifndef QT_SRC_DIR
#define QT_SRC_DIR "src"
#endif
#ifndef QT_PKG_CFLAGS
#define QT_PKG_CFLAGS ""
#endif

static const char *const banned[] = {
	"strcpy", "strcat", "strncpy", "strncat", "sprintf", "vsprintf", "strtok",
	"gmtime", "localtime", "ctime", "ctime_r", "asctime", "asctime_r",
};
#define NBANNED (sizeof banned / sizeof banned[0])

/* One call of each banned function, each in its own function. */
static const char bad_snippet[] =
	"#include <stdarg.h>\n"
	"#include <stdio.h>\n"
	"#include <string.h>\n"
	"#include <time.h>\n"
	"char d[64];\n"
	"time_t t;\n"
	"struct tm tmv;\n"
	"void f1(const char *s) { strcpy(d, s); }\n"
	"void f2(const char *s) { strcat(d, s); }\n"
	"void f3(const char *s) { strncpy(d, s, sizeof d); }\n"
	"void f4(const char *s) { strncat(d, s, 3); }\n"
	"int f5(const char *s) { return sprintf(d, \"%s\", s); }\n"
	"int f6(const char *f, va_list ap) { return vsprintf(d, f, ap); }\n"
	"char *f7(void) { return strtok(d, \",\"); }\n"
	"struct tm *f8(void) { return gmtime(&t); }\n"
	"struct tm *f9(void) { return localtime(&t); }\n"
	"char *f10(void) { return ctime(&t); }\n"
	"char *f11(void) { return ctime_r(&t, d); }\n"
	"char *f12(void) { return asctime(&tmv); }\n"
	"char *f13(void) { return asctime_r(&tmv, d); }\n";

/* What the project's sources look like: every library header, then the
 * safe relatives of the banned functions. */
static const char good_snippet[] =
	"#include <inttypes.h>\n"
	"#include <pthread.h>\n"
	"#include <stdarg.h>\n"
	"#include <stdio.h>\n"
	"#include <stdlib.h>\n"
	"#include <string.h>\n"
	"#include <strings.h>\n"
	"#include <time.h>\n"
	"#include <wchar.h>\n"
	"#include <curl/curl.h>\n"
	"#include <jansson.h>\n"
	"#include <libpq-fe.h>\n"
	"#include <microhttpd.h>\n"
	"#include <sodium.h>\n"
	"#include <sqlite3.h>\n"
	"#include \"util/buf.h\"\n"
	"#include \"util/civil.h\"\n"
	"#include \"util/log.h\"\n"
	"char d[64];\n"
	"int f(const char *s, va_list ap)\n"
	"{\n"
	"	char *save = NULL;\n"
	"	time_t t = 0;\n"
	"	struct tm tmv;\n"
	"	memcpy(d, s, 3);\n"
	"	(void)strtok_r(d, \",\", &save);\n"
	"	(void)gmtime_r(&t, &tmv);\n"
	"	(void)vsnprintf(d, sizeof d, s, ap);\n"
	"	return snprintf(d, sizeof d, \"%s\", s);\n"
	"}\n";

struct compiled {
	int status;        /* exit status of the compiler, -1 if it did not run */
	struct buf output; /* its stdout and stderr */
};

static int have_compiler(const char *cc)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "%s --version >/dev/null 2>&1", cc);
	return system(cmd) == 0;
}

/* Compile text with cc and the header force-included as the Makefile does. */
static void compile(const char *cc, const char *text, const char *extra, struct compiled *out)
{
	char dir[] = "/tmp/qt-banned.XXXXXX";
	char path[64], cmd[2048], chunk[512];
	out->status = -1;
	buf_init(&out->output);
	if (!mkdtemp(dir))
		return;
	snprintf(path, sizeof path, "%s/snippet.c", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
		snprintf(cmd, sizeof cmd,
			"%s -std=c17 -D_GNU_SOURCE -Wall -Wextra %s -I%s %s -include %s/util/banned.h "
			"-fsyntax-only %s 2>&1",
			cc, extra, QT_SRC_DIR, QT_PKG_CFLAGS, QT_SRC_DIR, path);
		FILE *p = popen(cmd, "r");
		if (p) {
			size_t n;
			while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
				buf_append(&out->output, chunk, n);
			int st = pclose(p);
			out->status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
		}
		unlink(path);
	}
	rmdir(dir);
}

static void check_banned_calls_refused(const char *cc, int *check_failed)
{
	struct compiled c;
	compile(cc, bad_snippet, "-O2", &c);
	if (c.status <= 0) {
		fprintf(stderr, "  %s: snippet with banned calls compiled (status %d)\n", cc, c.status);
		*check_failed = 1;
	}
	for (size_t i = 0; i < NBANNED; i++) {
		char msg[96];
		snprintf(msg, sizeof msg, "\"%s is banned in QuantumTrack: use ", banned[i]);
		if (!strstr(buf_cstr(&c.output), msg)) {
			fprintf(stderr, "  %s: no error for %s\n", cc, banned[i]);
			*check_failed = 1;
		}
	}
	buf_release(&c.output);
}

static void check_ordinary_code_compiles(const char *cc, const char *extra, int *check_failed)
{
	struct compiled c;
	compile(cc, good_snippet, extra, &c);
	if (c.status != 0 || c.output.len) {
		fprintf(stderr, "  %s %s: status %d\n%s\n", cc, extra, c.status, buf_cstr(&c.output));
		*check_failed = 1;
	}
	buf_release(&c.output);
}

TEST(every_banned_call_is_a_compile_error_naming_the_replacement)
{
	check_banned_calls_refused(QT_CC, check_failed);
}

TEST(every_banned_call_is_a_compile_error_under_clang_too)
{
	if (!have_compiler("clang")) {
		fprintf(stderr, "  clang is not installed; skipped\n");
		return;
	}
	check_banned_calls_refused("clang", check_failed);
}

TEST(library_headers_after_banned_h_still_compile_with_fortify_and_sanitizers)
{
	const char *const compilers[] = { QT_CC, "clang" };
	for (size_t i = 0; i < 2; i++) {
		if (i > 0 && !have_compiler(compilers[i]))
			continue;
		check_ordinary_code_compiles(compilers[i], "-O2 -D_FORTIFY_SOURCE=3", check_failed);
		check_ordinary_code_compiles(compilers[i], "-O1 -fsanitize=address,undefined", check_failed);
		check_ordinary_code_compiles(compilers[i], "-O0", check_failed);
	}
}

CHECK_MAIN()
