/*
 * multipart.h — multipart/form-data request bodies (RFC 7578, framed as
 * RFC 2046 section 5.1.1 says), parsed as they arrive: the body is fed in
 * pieces of any size, and each part's data goes to a callback as soon as
 * it cannot be the start of the next boundary.  Nothing of a part's data
 * is kept, so a 10 MiB upload costs this parser no more than its header
 * buffer.
 *
 * Written by hand: libmicrohttpd's post processor is tied to its own
 * connection handling and buffers values it cannot stream the way a body
 * sink needs, and it accepts what a strict parser should refuse.  This one
 * is strict, bounded and fuzzed (tests/fuzz/fuzz_multipart.c: feeding a
 * body byte by byte, in random pieces or at once gives the same parts).
 *
 * What it takes:
 *   the boundary of the Content-Type (multipart_boundary): 1-70 of RFC
 *     2046's bchars, not ending in a space, quoted or not;
 *   a preamble of at most MULTIPART_PREAMBLE_MAX bytes before the first
 *     delimiter (which may also start the body), and an epilogue of at
 *     most MULTIPART_EPILOGUE_MAX after the closing one;
 *   after each delimiter "--" (the close) or optional spaces and tabs and
 *     CRLF; then the part's header lines, each "Name: value" ending in
 *     CRLF, MULTIPART_HEADER_MAX bytes at most with the empty line that
 *     ends them, no NUL, no bare CR or LF, no folded lines;
 *   Content-Disposition: form-data with a name (required) and filename
 *     (optional; filename* in RFC 8187 UTF-8 form wins over it), values
 *     quoted or tokens, each parameter at most once.  Quoted values end
 *     at the next '"': browsers percent-encode quotes in names and do not
 *     escape backslashes (WHATWG HTML, "multipart/form-data encoding");
 *   Content-Type of the part (optional, at most 255 bytes, kept as sent);
 *     other headers are ignored;
 *   at most MULTIPART_PARTS_MAX parts.
 * Anything else is an error with a message naming the part and the rule.
 *
 * No allocation: struct multipart holds its buffers, so it may live in a
 * request's arena.  Not thread-safe (one body, one parser).
 */
#ifndef QT_UTIL_MULTIPART_H
#define QT_UTIL_MULTIPART_H

#include <stddef.h>

#define MULTIPART_BOUNDARY_MAX 70
#define MULTIPART_HEADER_MAX (8 * 1024)
#define MULTIPART_PREAMBLE_MAX 1024
#define MULTIPART_EPILOGUE_MAX 1024
#define MULTIPART_PARTS_MAX 64
#define MULTIPART_NAME_MAX 256
#define MULTIPART_FILENAME_MAX 1024
#define MULTIPART_TYPE_MAX 255
#define MULTIPART_LWSP_MAX 256   /* spaces and tabs after a delimiter */
/* The most framing bytes a body can hold besides its parts' data: the
 * preamble, each part's delimiter line and headers, the closing
 * delimiter and the epilogue.  For one part, body length minus this is a
 * lower bound of the part's size. */
#define MULTIPART_OVERHEAD_MAX(parts) (MULTIPART_PREAMBLE_MAX + MULTIPART_EPILOGUE_MAX + \
	(size_t)(parts) * (MULTIPART_BOUNDARY_MAX + 6 + MULTIPART_LWSP_MAX + MULTIPART_HEADER_MAX) + \
	MULTIPART_BOUNDARY_MAX + 6)

enum {
	MULTIPART_OK = 0,
	MULTIPART_EINVAL = -1,   /* the body breaks a rule: multipart_error() says which */
	MULTIPART_ESTOPPED = -2, /* a callback returned nonzero */
};

/* One part as its headers describe it.  The strings are NUL-terminated,
 * hold no NUL, and live until the part's end callback returns. */
struct multipart_part {
	int index;                /* 0 for the first part */
	const char *name;         /* the form field's name, never NULL */
	const char *filename;     /* as decoded (may hold '/' or '\\'); NULL when none */
	const char *content_type; /* NULL when the part has none */
};

/* The callbacks, each returning 0 to go on or nonzero to stop the parse
 * (then feed returns MULTIPART_ESTOPPED, for good).  data may be called
 * any number of times per part, with n > 0; end is called at the
 * delimiter that ends the part. */
struct multipart_handler {
	int (*begin)(void *cls, const struct multipart_part *p);
	int (*data)(void *cls, const char *data, size_t n);
	int (*end)(void *cls);
};

/*
 * The boundary parameter of a multipart/form-data Content-Type value
 * (media type compared without case, parameters in any order) into out.
 * Returns 0, or -1 with a message in err (err may be NULL) when the type
 * is not multipart/form-data, there is no boundary, or it breaks RFC
 * 2046's rules.
 */
int multipart_boundary(const char *content_type, char out[MULTIPART_BOUNDARY_MAX + 1],
	char *err, size_t errlen);

/* Private state: use only through the functions below. */
struct multipart {
	const struct multipart_handler *h;
	void *cls;
	char delim[MULTIPART_BOUNDARY_MAX + 5];  /* "\r\n--" boundary */
	size_t dlen;
	size_t match;              /* bytes of delim matched (held back) */
	int assumed;               /* the first 2 of them are the CRLF assumed before the body */
	int state;
	int rc;                    /* sticky result */
	int parts;
	int in_part;
	size_t outside;            /* preamble or epilogue bytes so far */
	size_t lwsp;               /* spaces after a delimiter */
	size_t hlen;
	char hdr[MULTIPART_HEADER_MAX + 1];
	char strings[MULTIPART_NAME_MAX + MULTIPART_FILENAME_MAX + MULTIPART_TYPE_MAX + 3];
	char err[160];
};

/* Start a parse for boundary (as multipart_boundary gives it), calling h
 * with cls.  Returns 0, or -1 when the boundary is not a valid one. */
int multipart_init(struct multipart *m, const char *boundary,
	const struct multipart_handler *h, void *cls);

/* The next n bytes of the body.  Returns MULTIPART_OK, MULTIPART_EINVAL
 * or MULTIPART_ESTOPPED; after an error every later call returns it again
 * and nothing more is called back. */
int multipart_feed(struct multipart *m, const char *data, size_t n);

/* The body has ended: MULTIPART_OK only when the closing delimiter was
 * seen (and no error before); MULTIPART_EINVAL with a message otherwise. */
int multipart_finish(struct multipart *m);

/* Why the parse failed ("" while it has not).  Lives as long as m. */
const char *multipart_error(const struct multipart *m);

#endif
