/*
 * form.h — percent-encoding (RFC 3986) and application/x-www-form-urlencoded
 * bodies (the WHATWG URL Standard's "urlencoded" format), as Twilio sends
 * its webhooks and expects its API requests.
 *
 * Written by hand: libmicrohttpd's post processor is tied to a connection
 * and streams, where a webhook needs the whole body as a list (the Twilio
 * signature covers every pair, sorted), and libcurl's curl_easy_escape()
 * needs a handle.  The parser is strict, bounded and fuzzed
 * (tests/fuzz/fuzz_form.c).
 *
 * Pure functions, no global state, thread-safe.
 */
#ifndef QT_UTIL_FORM_H
#define QT_UTIL_FORM_H

#include <stddef.h>

/* Limits form_parse() enforces (decoded bytes, not counting the NUL). */
#define FORM_MAX_BODY (64 * 1024)   /* whole body, encoded */
#define FORM_MAX_PAIRS 100          /* Twilio sends about 30 */
#define FORM_MAX_NAME 128
#define FORM_MAX_VALUE (16 * 1024)  /* a 4096-character WhatsApp text in UTF-8 */

struct form_pair {
	const char *name;   /* decoded, NUL-terminated, never empty */
	size_t name_len;
	const char *value;  /* decoded, NUL-terminated, may be "" */
	size_t value_len;
};

/*
 * A parsed body.  pairs[] is in body order (duplicates kept); sorted[] holds
 * the same pairs sorted by name, then by value, bytewise (UTF-8 byte order
 * is code point order), as Twilio's signature wants them.  Every string
 * lives in one block owned by the form: valid until form_release().
 */
struct form {
	struct form_pair *pairs;
	const struct form_pair **sorted;
	size_t count;
	char *storage;  /* private */
};

/*
 * Parse len bytes of an application/x-www-form-urlencoded body into *out.
 *
 *   pairs are separated by '&'; empty pieces ("a=1&&b=2", a trailing '&')
 *     are skipped;
 *   a piece without '=' is a name with the empty value;
 *   in names and values '+' is a space and %XX (hex, either case) a byte.
 *
 * Refused (-1, *out empty, message in err naming the problem and where):
 *   body NULL with len > 0, or longer than FORM_MAX_BODY;
 *   a NUL byte, raw or as %00; '%' not followed by two hex digits;
 *   a decoded name or value that is not valid UTF-8 (overlong forms,
 *     surrogates and code points above U+10FFFF included);
 *   an empty name ("=x"); a name longer than FORM_MAX_NAME or a value
 *     longer than FORM_MAX_VALUE bytes (decoded); more than FORM_MAX_PAIRS
 *     pairs; out of memory.
 * An empty body is a form with no pairs.
 *
 * Returns 0, or -1.  err may be NULL or errlen 0; otherwise it is always
 * NUL-terminated (and "" on success).  Release *out with form_release()
 * after either result.
 */
int form_parse(const char *body, size_t len, struct form *out, char *err, size_t errlen);

/* Free what form_parse() allocated and empty *f.  NULL is a no-op; safe twice. */
void form_release(struct form *f);

/* The value of the first pair called name, or NULL when there is none.
 * The pointer is the form's (valid until form_release()). */
const char *form_get(const struct form *f, const char *name);

/*
 * Percent-encode inlen bytes of in (which may hold any bytes, NUL
 * included) into out as RFC 3986 wants query components: the unreserved
 * characters A-Z a-z 0-9 - . _ ~, and any character in keep (NULL for
 * none; for example "@" for a UPI id), stay as they are; every other byte
 * becomes %XX with upper-case hex, a space %20 (accepted by form parsers
 * too, so the result also serves as a form value).
 *
 * Returns the length written (out is NUL-terminated), or -1 when out is
 * NULL or outlen is too small for the result and its NUL (out then holds
 * "" if outlen > 0).  form_pct_encoded_len() tells the size needed.
 */
long form_pct_encode(const char *in, size_t inlen, const char *keep, char *out, size_t outlen);

/* Length form_pct_encode() would write, not counting the NUL. */
size_t form_pct_encoded_len(const char *in, size_t inlen, const char *keep);

#endif
