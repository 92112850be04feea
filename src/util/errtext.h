/*
 * errtext.h — validators' error messages (domain/ and any other layer):
 * formatting into a caller buffer, and quoting a user's value safely
 * inside one.
 */
#ifndef QT_UTIL_ERRTEXT_H
#define QT_UTIL_ERRTEXT_H

#include <stddef.h>

/* vsnprintf into err; nothing when err is NULL or errlen is 0. */
void errtext_set(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* At most 40 bytes of a user value for a message: control characters
 * replaced by '?', cut on a UTF-8 boundary, "..." when cut.  Returns buf,
 * which must hold 48 bytes. */
const char *errtext_shown(const char *s, char buf[48]);

#endif
