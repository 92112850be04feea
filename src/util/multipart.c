/* multipart.c — see multipart.h. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/errtext.h"
#include "util/multipart.h"

enum {
	S_PREAMBLE,     /* before the first delimiter */
	S_AFTER_DELIM,  /* right after "--boundary" */
	S_LWSP,         /* transport padding after it */
	S_AFTER_DASH,   /* "--boundary-": the close needs another '-' */
	S_AFTER_CR,     /* the delimiter line's CR: LF next */
	S_HEADERS,      /* a part's header lines */
	S_DATA,         /* a part's data */
	S_EPILOGUE,     /* after the closing delimiter */
	S_FAILED,
};

static int fail(struct multipart *m, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct multipart *m, int rc, const char *fmt, ...)
{
	va_list ap;
	if (m->rc != MULTIPART_OK)
		return m->rc;
	va_start(ap, fmt);
	vsnprintf(m->err, sizeof m->err, fmt, ap);
	va_end(ap);
	m->rc = rc;
	m->state = S_FAILED;
	return rc;
}

/* RFC 2046 bchars (a space is allowed, but not last). */
static int bchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("'()+_,-./:=? ", c) != NULL;
}

/* RFC 9110 tchar. */
static int tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int boundary_valid(const char *b, size_t n)
{
	if (n < 1 || n > MULTIPART_BOUNDARY_MAX || b[n - 1] == ' ')
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!bchar((unsigned char)b[i]))
			return 0;
	return 1;
}

static const char *skip_ows(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/*
 * One parameter value at *s: a token, or a quoted string.  http_escapes:
 * a backslash quotes the next character (RFC 9110, for header
 * parameters); without it a quoted value simply ends at the next '"'
 * (what browsers send in Content-Disposition).  Writes at most cap-1
 * bytes and a NUL to out; returns the length, -1 when malformed, -2 when
 * too long (the value is still passed over).  *s is left after it.
 */
static long param_value(const char **s, char *out, size_t cap, int http_escapes)
{
	const char *p = *s;
	size_t n = 0;
	int truncated = 0;
	if (*p == '"') {
		for (p++; *p && *p != '"'; p++) {
			if (http_escapes && *p == '\\' && p[1])
				p++;
			if (n + 1 < cap)
				out[n++] = *p;
			else
				truncated = 1;
		}
		if (*p != '"')
			return -1;
		p++;
	} else {
		const char *start = p;
		for (; tchar((unsigned char)*p); p++) {
			if (n + 1 < cap)
				out[n++] = *p;
			else
				truncated = 1;
		}
		if (p == start)
			return -1;
	}
	out[n] = '\0';
	*s = p;
	return truncated ? -2 : (long)n;
}

/* "name=" at *s (a token), case kept; 0 and *s after the '=', or -1. */
static int param_name(const char **s, char *out, size_t cap)
{
	const char *p = *s;
	size_t n = 0;
	while (tchar((unsigned char)*p)) {
		if (n + 1 >= cap)
			return -1;
		out[n++] = *p++;
	}
	out[n] = '\0';
	p = skip_ows(p);
	if (n == 0 || *p != '=')
		return -1;
	*s = skip_ows(p + 1);
	return 0;
}

int multipart_boundary(const char *content_type, char out[MULTIPART_BOUNDARY_MAX + 1],
	char *err, size_t errlen)
{
	static const char type[] = "multipart/form-data";
	const char *s = content_type ? skip_ows(content_type) : "";
	int found = 0;

	out[0] = '\0';
	if (strncasecmp(s, type, sizeof type - 1) != 0 ||
	    (s[sizeof type - 1] && s[sizeof type - 1] != ';' && s[sizeof type - 1] != ' ' &&
	     s[sizeof type - 1] != '\t')) {
		errtext_set(err, errlen, "Content-Type: not multipart/form-data");
		return -1;
	}
	s = skip_ows(s + sizeof type - 1);
	while (*s) {
		char name[32], value[MULTIPART_BOUNDARY_MAX + 2];
		if (*s != ';')
			goto malformed;
		s = skip_ows(s + 1);
		if (!*s)
			break;
		if (param_name(&s, name, sizeof name) < 0)
			goto malformed;
		long n = param_value(&s, value, sizeof value, 1);
		if (n == -1)
			goto malformed;
		if (strcasecmp(name, "boundary") == 0) {
			if (found) {
				errtext_set(err, errlen, "Content-Type: boundary given twice");
				return -1;
			}
			if (n < 0 || !boundary_valid(value, (size_t)n)) {
				errtext_set(err, errlen, "Content-Type: the boundary must be 1-%d characters"
					" of RFC 2046's set, not ending in a space", MULTIPART_BOUNDARY_MAX);
				return -1;
			}
			memcpy(out, value, (size_t)n + 1);
			found = 1;
		}
		s = skip_ows(s);
	}
	if (!found) {
		errtext_set(err, errlen, "Content-Type: multipart/form-data needs a boundary parameter");
		return -1;
	}
	return 0;
malformed:
	out[0] = '\0';
	errtext_set(err, errlen, "Content-Type: malformed parameters");
	return -1;
}

int multipart_init(struct multipart *m, const char *boundary,
	const struct multipart_handler *h, void *cls)
{
	size_t n = boundary ? strlen(boundary) : 0;
	memset(m, 0, offsetof(struct multipart, hdr));
	m->err[0] = '\0';
	m->h = h;
	m->cls = cls;
	if (!boundary_valid(boundary ? boundary : "", n)) {
		m->rc = MULTIPART_EINVAL;
		m->state = S_FAILED;
		snprintf(m->err, sizeof m->err, "invalid boundary");
		return -1;
	}
	memcpy(m->delim, "\r\n--", 4);
	memcpy(m->delim + 4, boundary, n);
	m->dlen = n + 4;
	/* The first delimiter may open the body: as if a CRLF came before. */
	m->match = 2;
	m->assumed = 1;
	m->state = S_PREAMBLE;
	return 0;
}

/* ---- part headers ---- */

/* RFC 8187 ext-value: UTF-8'language'percent-encoded, into out. */
static int ext_value(const char *v, char *out, size_t cap)
{
	static const char utf8[] = "utf-8'";
	if (strncasecmp(v, utf8, sizeof utf8 - 1) != 0)
		return -1;
	const char *p = strchr(v + sizeof utf8 - 1, '\'');
	if (!p)
		return -1;
	size_t n = 0;
	for (p++; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '%') {
			int hi = p[1], lo = hi ? p[2] : 0;
			char hex[3] = { (char)hi, (char)lo, 0 };
			char *end;
			if (!hi || !lo || !strchr("0123456789abcdefABCDEF", hi) || !strchr("0123456789abcdefABCDEF", lo))
				return -1;
			c = (unsigned char)strtoul(hex, &end, 16);
			if (c == 0)
				return -1;
			p += 2;
		} else if (!tchar(c) || c == '%' || c == '\'' || c == '*') {
			return -1;
		}
		if (n + 1 >= cap)
			return -2;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	return 0;
}

struct disposition {
	char *name, *filename;
};

/* Content-Disposition: form-data; name="..."; filename="..."; filename*=... */
static int parse_disposition(struct multipart *m, const char *v, char *buf, struct disposition *d)
{
	char *name_buf = buf, *file_buf = buf + MULTIPART_NAME_MAX + 1;
	char ext[MULTIPART_FILENAME_MAX + 1];
	int have_name = 0, have_file = 0, have_ext = 0;
	const char *s = skip_ows(v);
	size_t n = strcspn(s, "; \t");

	if (n != 9 || strncasecmp(s, "form-data", 9) != 0)
		return fail(m, MULTIPART_EINVAL, "part %d: Content-Disposition must be form-data", m->parts + 1);
	s = skip_ows(s + n);
	while (*s) {
		/* filename* comes percent-encoded: up to three bytes each. */
		char pname[32], value[3 * MULTIPART_FILENAME_MAX + 1];
		if (*s != ';')
			goto malformed;
		s = skip_ows(s + 1);
		if (!*s)
			break;
		if (param_name(&s, pname, sizeof pname) < 0)
			goto malformed;
		long len = param_value(&s, value, sizeof value, 0);
		if (len == -1)
			goto malformed;
		s = skip_ows(s);
		int is_name = strcasecmp(pname, "name") == 0;
		int is_file = strcasecmp(pname, "filename") == 0;
		int is_ext = strcasecmp(pname, "filename*") == 0;
		if ((is_name && have_name) || (is_file && have_file) || (is_ext && have_ext))
			return fail(m, MULTIPART_EINVAL, "part %d: Content-Disposition: %s given twice",
				m->parts + 1, pname);
		if (is_name) {
			if (len < 0 || len > MULTIPART_NAME_MAX)
				return fail(m, MULTIPART_EINVAL, "part %d: the name is longer than %d bytes",
					m->parts + 1, MULTIPART_NAME_MAX);
			memcpy(name_buf, value, (size_t)len + 1);
			have_name = 1;
		} else if (is_file) {
			if (len < 0)
				return fail(m, MULTIPART_EINVAL, "part %d: the filename is longer than %d bytes",
					m->parts + 1, MULTIPART_FILENAME_MAX);
			if (!have_ext)
				memcpy(file_buf, value, (size_t)len + 1);
			have_file = 1;
		} else if (is_ext) {
			int rc = len < 0 ? -2 : ext_value(value, ext, sizeof ext);
			if (rc == -2)
				return fail(m, MULTIPART_EINVAL, "part %d: the filename is longer than %d bytes",
					m->parts + 1, MULTIPART_FILENAME_MAX);
			if (rc < 0)
				return fail(m, MULTIPART_EINVAL, "part %d: filename* must be UTF-8''"
					" followed by percent-encoded bytes (RFC 8187)", m->parts + 1);
			memcpy(file_buf, ext, strlen(ext) + 1);
			have_ext = 1;
		}
	}
	if (!have_name)
		return fail(m, MULTIPART_EINVAL, "part %d: Content-Disposition has no name", m->parts + 1);
	d->name = name_buf;
	d->filename = have_file || have_ext ? file_buf : NULL;
	return 0;
malformed:
	return fail(m, MULTIPART_EINVAL, "part %d: malformed Content-Disposition parameters", m->parts + 1);
}

/* The header block m->hdr[0..m->hlen), its final CRLF CRLF cut off. */
static int part_headers(struct multipart *m)
{
	struct multipart_part p = { .index = m->parts };
	struct disposition d = { 0 };
	char *types = m->strings + MULTIPART_NAME_MAX + 1 + MULTIPART_FILENAME_MAX + 1;
	int have_disp = 0, have_type = 0;
	char *line = m->hdr;
	char *end = m->hdr + m->hlen;

	if (m->parts >= MULTIPART_PARTS_MAX)
		return fail(m, MULTIPART_EINVAL, "more than %d parts", MULTIPART_PARTS_MAX);
	if (memchr(m->hdr, '\0', m->hlen))
		return fail(m, MULTIPART_EINVAL, "part %d: a NUL byte in the headers", m->parts + 1);
	*end = '\0';
	while (line < end) {
		char *eol = strstr(line, "\r\n");
		char *next = eol ? eol + 2 : end;
		if (eol)
			*eol = '\0';
		if (strchr(line, '\r') || strchr(line, '\n'))
			return fail(m, MULTIPART_EINVAL, "part %d: a bare CR or LF in the headers", m->parts + 1);
		char *colon = strchr(line, ':');
		size_t nlen = colon ? (size_t)(colon - line) : 0;
		for (size_t i = 0; i < nlen; i++)
			if (!tchar((unsigned char)line[i]))
				nlen = 0;
		if (nlen == 0)
			return fail(m, MULTIPART_EINVAL, "part %d: malformed header line", m->parts + 1);
		char *value = (char *)skip_ows(colon + 1);
		size_t vlen = strlen(value);
		while (vlen > 0 && (value[vlen - 1] == ' ' || value[vlen - 1] == '\t'))
			value[--vlen] = '\0';
		if (nlen == 19 && strncasecmp(line, "Content-Disposition", 19) == 0) {
			if (have_disp)
				return fail(m, MULTIPART_EINVAL, "part %d: Content-Disposition given twice", m->parts + 1);
			if (parse_disposition(m, value, m->strings, &d) != 0)
				return m->rc;
			have_disp = 1;
		} else if (nlen == 12 && strncasecmp(line, "Content-Type", 12) == 0) {
			if (have_type)
				return fail(m, MULTIPART_EINVAL, "part %d: Content-Type given twice", m->parts + 1);
			if (vlen == 0 || vlen > MULTIPART_TYPE_MAX)
				return fail(m, MULTIPART_EINVAL, "part %d: Content-Type must be 1-%d bytes",
					m->parts + 1, MULTIPART_TYPE_MAX);
			memcpy(types, value, vlen + 1);
			have_type = 1;
		}
		line = next;
	}
	if (!have_disp)
		return fail(m, MULTIPART_EINVAL, "part %d: no Content-Disposition header", m->parts + 1);
	p.name = d.name;
	p.filename = d.filename;
	p.content_type = have_type ? types : NULL;
	m->parts++;
	m->in_part = 1;
	if (m->h && m->h->begin && m->h->begin(m->cls, &p) != 0)
		return fail(m, MULTIPART_ESTOPPED, "stopped");
	return 0;
}

/* ---- the body ---- */

/* Bytes that are a part's data (S_DATA) or outside every part. */
static int emit(struct multipart *m, const char *p, size_t n)
{
	if (n == 0)
		return 0;
	if (m->state == S_DATA) {
		if (m->h && m->h->data && m->h->data(m->cls, p, n) != 0)
			return fail(m, MULTIPART_ESTOPPED, "stopped");
		return 0;
	}
	m->outside += n;
	if (m->outside > MULTIPART_PREAMBLE_MAX)
		return fail(m, MULTIPART_EINVAL, "more than %d bytes before the first boundary",
			MULTIPART_PREAMBLE_MAX);
	return 0;
}

/*
 * Look for the delimiter in p[0..n), passing on what cannot belong to it.
 * Returns 1 with *used set once the whole delimiter is matched, 0 when the
 * input ran out first, or an error.  What is held back is always a prefix
 * of the delimiter, so it is re-sent from delim itself on a mismatch; and
 * as the delimiter's only CR is its first byte, a mismatch can restart
 * the match only at the byte that broke it.
 */
static int scan(struct multipart *m, const char *p, size_t n, size_t *used)
{
	size_t i = 0;
	while (i < n) {
		if (m->match == 0) {
			const char *cr = memchr(p + i, '\r', n - i);
			size_t run = cr ? (size_t)(cr - (p + i)) : n - i;
			if (emit(m, p + i, run) != 0)
				return m->rc;
			i += run;
			if (!cr)
				break;
			m->match = 1;
			i++;
			continue;
		}
		if (p[i] == m->delim[m->match]) {
			i++;
			if (++m->match == m->dlen) {
				m->match = 0;
				m->assumed = 0;
				*used = i;
				return 1;
			}
			continue;
		}
		/* The CRLF assumed before the body was never sent: nothing
		 * to pass on for it. */
		size_t skip = m->assumed ? 2 : 0;
		m->assumed = 0;
		if (emit(m, m->delim + skip, m->match - skip) != 0)
			return m->rc;
		m->match = 0;
	}
	*used = n;
	return 0;
}

int multipart_feed(struct multipart *m, const char *data, size_t n)
{
	size_t i = 0;
	if (m->rc != MULTIPART_OK)
		return m->rc;
	if (!data && n)
		return fail(m, MULTIPART_EINVAL, "no data");
	while (i < n) {
		unsigned char c = (unsigned char)data[i];
		switch (m->state) {
		case S_PREAMBLE:
		case S_DATA: {
			size_t used = 0;
			int rc = scan(m, data + i, n - i, &used);
			if (rc < 0)
				return rc;
			i += used;
			if (rc == 1) {
				if (m->state == S_DATA) {
					m->in_part = 0;
					if (m->h && m->h->end && m->h->end(m->cls) != 0)
						return fail(m, MULTIPART_ESTOPPED, "stopped");
				}
				m->state = S_AFTER_DELIM;
			}
			break;
		}
		case S_AFTER_DELIM:
			i++;
			if (c == '-') {
				m->state = S_AFTER_DASH;
			} else if (c == ' ' || c == '\t') {
				m->lwsp = 1;
				m->state = S_LWSP;
			} else if (c == '\r') {
				m->state = S_AFTER_CR;
			} else {
				return fail(m, MULTIPART_EINVAL, "after a boundary: expected CRLF or \"--\"");
			}
			break;
		case S_LWSP:
			i++;
			if (c == '\r') {
				m->state = S_AFTER_CR;
			} else if ((c != ' ' && c != '\t') || ++m->lwsp > MULTIPART_LWSP_MAX) {
				return fail(m, MULTIPART_EINVAL, "after a boundary: expected CRLF");
			}
			break;
		case S_AFTER_DASH:
			i++;
			if (c != '-')
				return fail(m, MULTIPART_EINVAL, "after a boundary: expected CRLF or \"--\"");
			if (m->parts == 0)
				return fail(m, MULTIPART_EINVAL, "the body has no parts");
			m->outside = 0;
			m->state = S_EPILOGUE;
			break;
		case S_AFTER_CR:
			i++;
			if (c != '\n')
				return fail(m, MULTIPART_EINVAL, "after a boundary: CR without LF");
			m->hlen = 0;
			m->state = S_HEADERS;
			break;
		case S_HEADERS: {
			/* Copy up to the end of the header block (CRLF CRLF, or a
			 * CRLF first: no headers at all), at most the limit. */
			while (i < n) {
				if (m->hlen >= MULTIPART_HEADER_MAX)
					return fail(m, MULTIPART_EINVAL, "part %d: headers longer than %d bytes",
						m->parts + 1, MULTIPART_HEADER_MAX);
				m->hdr[m->hlen++] = data[i++];
				size_t h = m->hlen;
				int done = (h == 2 && memcmp(m->hdr, "\r\n", 2) == 0) ||
					(h >= 4 && memcmp(m->hdr + h - 4, "\r\n\r\n", 4) == 0);
				if (done) {
					m->hlen = h == 2 ? 0 : h - 2;  /* keep the last line's CRLF */
					if (part_headers(m) != 0)
						return m->rc;
					m->hlen = 0;
					m->match = 0;
					m->state = S_DATA;
					break;
				}
			}
			break;
		}
		case S_EPILOGUE:
			m->outside += n - i;
			i = n;
			if (m->outside > MULTIPART_EPILOGUE_MAX)
				return fail(m, MULTIPART_EINVAL, "more than %d bytes after the closing boundary",
					MULTIPART_EPILOGUE_MAX);
			break;
		default:
			return m->rc;
		}
	}
	return m->rc;
}

int multipart_finish(struct multipart *m)
{
	if (m->rc != MULTIPART_OK)
		return m->rc;
	if (m->state != S_EPILOGUE)
		return fail(m, MULTIPART_EINVAL, m->parts == 0 && m->state == S_PREAMBLE
			? "no boundary found: the body is not multipart/form-data with this boundary"
			: "the body ends before the closing boundary");
	return MULTIPART_OK;
}

const char *multipart_error(const struct multipart *m)
{
	return m->err;
}
