/* test_multipart.c — util/multipart.c: the framing rules, the limits, and
 * that the parts come out the same however the body is cut into pieces. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "util/buf.h"
#include "util/multipart.h"

/* Every callback written down: "B name|filename|type\n", data bytes as
 * they come, "E\n" at each part's end. */
struct log {
	struct buf b;
	int stop_at_data;
};

static int on_begin(void *cls, const struct multipart_part *p)
{
	struct log *l = cls;
	buf_printf(&l->b, "B %s|%s|%s\n", p->name, p->filename ? p->filename : "-",
		p->content_type ? p->content_type : "-");
	return 0;
}

static int on_data(void *cls, const char *d, size_t n)
{
	struct log *l = cls;
	if (l->stop_at_data)
		return 1;
	buf_append(&l->b, d, n);
	return 0;
}

static int on_end(void *cls)
{
	struct log *l = cls;
	buf_puts(&l->b, "E\n");
	return 0;
}

static const struct multipart_handler handler = { on_begin, on_data, on_end };

/* Parse body in pieces of `step` bytes (0: at once); the log, and rc of
 * feed/finish in *rc. */
static char *parse(const char *boundary, const char *body, size_t len, size_t step, int *rc,
	char *err, size_t errlen)
{
	static struct multipart m;
	struct log l = { BUF_INIT, 0 };
	buf_init(&l.b);
	if (multipart_init(&m, boundary, &handler, &l) != 0) {
		*rc = -100;
		return buf_detach(&l.b);
	}
	int r = MULTIPART_OK;
	if (step == 0)
		step = len ? len : 1;
	for (size_t i = 0; i < len && r == MULTIPART_OK; i += step)
		r = multipart_feed(&m, body + i, len - i < step ? len - i : step);
	if (r == MULTIPART_OK)
		r = multipart_finish(&m);
	*rc = r;
	if (err)
		snprintf(err, errlen, "%s", multipart_error(&m));
	buf_putc(&l.b, '\0');
	return buf_detach(&l.b);
}

#define BODY1 \
	"--xyz\r\n" \
	"Content-Disposition: form-data; name=\"file\"; filename=\"photo.jpg\"\r\n" \
	"Content-Type: image/jpeg\r\n" \
	"\r\n" \
	"\xFF\xD8\xFF data with \r\n-- and \r\n--xy and \r\r\n--xyZ inside\r\n" \
	"--xyz--\r\n"

TEST(one_part_is_parsed_with_name_filename_type_and_exact_data)
{
	int rc;
	char *log = parse("xyz", BODY1, sizeof BODY1 - 1, 0, &rc, NULL, 0);
	CHECK_INT(rc, MULTIPART_OK);
	CHECK_STR(log, "B file|photo.jpg|image/jpeg\n"
		"\xFF\xD8\xFF data with \r\n-- and \r\n--xy and \r\r\n--xyZ inside" "E\n");
	free(log);
}

TEST(every_piece_size_gives_the_same_parts)
{
	int rc0;
	char *whole = parse("xyz", BODY1, sizeof BODY1 - 1, 0, &rc0, NULL, 0);
	for (size_t step = 1; step < sizeof BODY1; step++) {
		int rc;
		char *log = parse("xyz", BODY1, sizeof BODY1 - 1, step, &rc, NULL, 0);
		CHECK_INT(rc, rc0);
		CHECK_STR(log, whole);
		free(log);
	}
	free(whole);
}

TEST(preamble_epilogue_padding_and_two_parts)
{
	static const char body[] =
		"ignored preamble\r\n"
		"--b1 \t\r\n"
		"content-disposition: FORM-DATA; name=note\r\n"
		"\r\n"
		"hello\r\n"
		"--b1\r\n"
		"Content-Disposition: form-data; name=\"file\"; filename=\"a.pdf\"; filename*=UTF-8''%E0%A4%95.pdf\r\n"
		"X-Other: whatever\r\n"
		"\r\n"
		"\r\n"
		"--b1--\r\n"
		"epilogue";
	int rc;
	char *log = parse("b1", body, sizeof body - 1, 0, &rc, NULL, 0);
	CHECK_INT(rc, MULTIPART_OK);
	CHECK_STR(log, "B note|-|-\nhelloE\nB file|\xE0\xA4\x95.pdf|-\nE\n");
	free(log);
}

TEST(an_empty_part_and_a_quoted_boundary_with_spaces)
{
	char b[MULTIPART_BOUNDARY_MAX + 1];
	CHECK_INT(multipart_boundary("multipart/form-data; charset=utf-8; boundary=\"a b:c\"", b, NULL, 0), 0);
	CHECK_STR(b, "a b:c");
	static const char body[] = "--a b:c\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n\r\n--a b:c--";
	int rc;
	char *log = parse(b, body, sizeof body - 1, 0, &rc, NULL, 0);
	CHECK_INT(rc, MULTIPART_OK);
	CHECK_STR(log, "B f|-|-\nE\n");
	free(log);
}

TEST(boundary_parameter_rules)
{
	char b[MULTIPART_BOUNDARY_MAX + 1], err[160];
	CHECK_INT(multipart_boundary("Multipart/Form-Data;boundary=----WebKitFormBoundary7MA4YWxkTrZu0gW", b, err, sizeof err), 0);
	CHECK_STR(b, "----WebKitFormBoundary7MA4YWxkTrZu0gW");
	CHECK_INT(multipart_boundary("multipart/form-data", b, err, sizeof err), -1);
	CHECK(strstr(err, "boundary") != NULL);
	CHECK_INT(multipart_boundary("multipart/mixed; boundary=x", b, err, sizeof err), -1);
	CHECK_INT(multipart_boundary("multipart/form-datax; boundary=x", b, err, sizeof err), -1);
	CHECK_INT(multipart_boundary("image/png", b, err, sizeof err), -1);
	CHECK_INT(multipart_boundary(NULL, b, err, sizeof err), -1);
	CHECK_INT(multipart_boundary("multipart/form-data; boundary=\"ends in space \"", b, err, sizeof err), -1);
	CHECK_INT(multipart_boundary("multipart/form-data; boundary=\"\"", b, err, sizeof err), -1);
	CHECK_INT(multipart_boundary("multipart/form-data; boundary=a; boundary=b", b, err, sizeof err), -1);
	CHECK_INT(multipart_boundary("multipart/form-data; boundary=\"unterminated", b, err, sizeof err), -1);
	char longb[160];
	memset(longb, 'x', sizeof longb);
	snprintf(longb, sizeof longb, "multipart/form-data; boundary=%071d", 7);
	CHECK_INT(multipart_boundary(longb, b, err, sizeof err), -1);
	snprintf(longb, sizeof longb, "multipart/form-data; boundary=%070d", 7);
	CHECK_INT(multipart_boundary(longb, b, err, sizeof err), 0);
	CHECK_INT((int)strlen(b), 70);
}

static void refused(int *check_failed, const char *body, const char *want)
{
	char err[160];
	int rc;
	char *log = parse("B", body, strlen(body), 0, &rc, err, sizeof err);
	if (rc != MULTIPART_EINVAL || !strstr(err, want)) {
		fprintf(stderr, "  body %.60s: rc %d, error \"%s\", expected \"%s\"\n", body, rc, err, want);
		*check_failed = 1;
	}
	free(log);
}

TEST(broken_bodies_are_refused_with_a_reason)
{
	refused(check_failed, "", "no boundary found");
	refused(check_failed, "no boundary at all", "no boundary found");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=f\r\n\r\nunfinished", "ends before the closing");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=f\r\n\r\nx\r\n--B", "ends before the closing");
	refused(check_failed, "--B--", "no parts");
	refused(check_failed, "--Bx\r\n", "expected CRLF");
	refused(check_failed, "--B\r\n\r\nx\r\n--B--", "no Content-Disposition");
	refused(check_failed, "--B\r\nContent-Disposition: attachment; name=f\r\n\r\nx\r\n--B--", "form-data");
	refused(check_failed, "--B\r\nContent-Disposition: form-data\r\n\r\nx\r\n--B--", "no name");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=a; name=b\r\n\r\nx\r\n--B--", "twice");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=a\r\nContent-Disposition: form-data; name=a\r\n\r\n\r\n--B--", "twice");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=a\r\nBroken line\r\n\r\n\r\n--B--", "malformed header");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=a\r\n folded\r\n\r\n\r\n--B--", "malformed header");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=a\nX: y\r\n\r\n\r\n--B--", "bare CR or LF");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=\"a\r\n\r\n\r\n--B--", "malformed Content-Disposition");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=a; filename*=latin1''x\r\n\r\n\r\n--B--", "filename*");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=a; filename*=UTF-8''%00\r\n\r\n\r\n--B--", "filename*");
	refused(check_failed, "--B\r\rContent-Disposition: form-data; name=a\r\n\r\n\r\n--B--", "CR without LF");
	refused(check_failed, "--B\r\nContent-Disposition: form-data; name=a\r\nContent-Type: \r\n\r\n\r\n--B--", "Content-Type");
}

TEST(limits_hold)
{
	/* Header block: exactly the limit passes, one more byte does not. */
	static const char head[] = "--B\r\nContent-Disposition: form-data; name=a\r\nX: ";
	static const char tail[] = "\r\n\r\nx\r\n--B--";
	size_t fixed = sizeof "Content-Disposition: form-data; name=a\r\nX: " - 1 + 4;
	for (int extra = 0; extra <= 1; extra++) {
		size_t fill = MULTIPART_HEADER_MAX - fixed + (size_t)extra;
		struct buf b = BUF_INIT;
		buf_init(&b);
		buf_puts(&b, head);
		for (size_t i = 0; i < fill; i++)
			buf_putc(&b, 'v');
		buf_puts(&b, tail);
		char err[160];
		int rc;
		char *log = parse("B", b.data, b.len, 0, &rc, err, sizeof err);
		CHECK_INT(rc, extra ? MULTIPART_EINVAL : MULTIPART_OK);
		if (extra)
			CHECK(strstr(err, "headers longer") != NULL);
		free(log);
		buf_release(&b);
	}
	/* Preamble. */
	struct buf p = BUF_INIT;
	buf_init(&p);
	for (int i = 0; i < MULTIPART_PREAMBLE_MAX + 1; i++)
		buf_putc(&p, 'p');
	buf_puts(&p, "\r\n--B\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n--B--");
	char err[160];
	int rc;
	char *log = parse("B", p.data, p.len, 7, &rc, err, sizeof err);
	CHECK_INT(rc, MULTIPART_EINVAL);
	CHECK(strstr(err, "before the first boundary") != NULL);
	free(log);
	buf_release(&p);
	/* Parts. */
	struct buf m = BUF_INIT;
	buf_init(&m);
	for (int i = 0; i <= MULTIPART_PARTS_MAX; i++)
		buf_puts(&m, "--B\r\nContent-Disposition: form-data; name=a\r\n\r\nx\r\n");
	buf_puts(&m, "--B--");
	log = parse("B", m.data, m.len, 0, &rc, err, sizeof err);
	CHECK_INT(rc, MULTIPART_EINVAL);
	CHECK(strstr(err, "parts") != NULL);
	free(log);
	buf_release(&m);
}

TEST(a_callback_can_stop_the_parse_for_good)
{
	static struct multipart m;
	struct log l = { BUF_INIT, 1 };
	buf_init(&l.b);
	CHECK_INT(multipart_init(&m, "xyz", &handler, &l), 0);
	CHECK_INT(multipart_feed(&m, BODY1, sizeof BODY1 - 1), MULTIPART_ESTOPPED);
	CHECK_INT(multipart_feed(&m, "more", 4), MULTIPART_ESTOPPED);
	CHECK_INT(multipart_finish(&m), MULTIPART_ESTOPPED);
	buf_release(&l.b);
	CHECK_INT(multipart_init(&m, "bad\r\n", &handler, &l), -1);
	CHECK_INT(multipart_init(&m, "", &handler, &l), -1);
}

CHECK_MAIN()
