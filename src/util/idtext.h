/*
 * idtext.h — validators for identifiers and human text.
 *
 * All predicates return 1 (valid / true) or 0, and treat NULL as invalid
 * (0), except text_has_control_chars() which treats NULL as "no".
 */
#ifndef QT_UTIL_IDTEXT_H
#define QT_UTIL_IDTEXT_H

#include <stddef.h>

/* Tenant slug: ^[a-z0-9][a-z0-9-]{1,62}$ (2..63 characters). */
int slug_valid(const char *s);

/*
 * Pragmatic email check, not RFC 5322: 3..254 bytes, exactly one '@', a
 * non-empty local part (≤ 64 bytes) and domain, the domain contains a '.'
 * that is neither its first nor its last character, and no spaces, no
 * control characters (C0, DEL), and valid UTF-8 throughout.
 */
int email_valid(const char *s);
/* A store's custom domain: a lowercase host name with at least one dot,
 * 3-253 characters of [a-z0-9.-], no empty label at either end.  1/0. */
int hostname_valid(const char *s);

/*
 * 1 if the n bytes at s are well-formed UTF-8 (RFC 3629: no overlongs, no
 * surrogates, nothing above U+10FFFF).  Embedded NUL bytes are allowed
 * (they are valid UTF-8); callers wanting C strings check for them.
 */
int utf8_valid(const char *s, size_t n);

/*
 * Number of code points in the NUL-terminated s, counting every byte that is
 * not a continuation byte (10xxxxxx).  Meant for valid UTF-8; on invalid
 * input the count is still bounded by strlen(s).  NULL -> 0.
 */
size_t utf8_length(const char *s);

/*
 * 1 if s contains any C0 control character (U+0000..U+001F, including tab
 * and newline), DEL (U+007F) or a C1 control (U+0080..U+009F, encoded
 * C2 80..C2 9F).  For names and other single-line text.  NULL -> 0.
 */
int text_has_control_chars(const char *s);

#endif
