/*
 * language.h — the languages QuantumTrack speaks ("en", "hi"), which one a
 * store's locale means, and which one a request's Accept-Language asks for.
 *
 * The Accept-Language parser is written by hand: it is a small grammar
 * (RFC 9110 12.5.4: comma-separated language ranges, each with an optional
 * ";q=" weight) and no library the project uses has it.  It reads at most
 * LANGUAGE_ACCEPT_MAX bytes and LANGUAGE_ACCEPT_MAX_RANGES ranges; anything
 * malformed in a range drops that range only.  A range matches a language
 * by lookup (RFC 4647 3.4): "hi", "hi-IN", "HI-in" and "hi-Deva-IN" all
 * mean Hindi.  The highest weight wins; of equal weights, the first
 * named; q=0 means "not this".  A header that names neither language but
 * has "*" (as fetch() and many clients send) expresses no preference.
 *
 * Pure functions, no global state, thread-safe.
 */
#ifndef QT_DOMAIN_LANGUAGE_H
#define QT_DOMAIN_LANGUAGE_H

#include <stddef.h>

enum language {
	LANGUAGE_NONE = 0,   /* nothing said: let something else decide */
	LANGUAGE_EN,
	LANGUAGE_HI,
};

/* A header longer than this is not read at all (answered in English). */
#define LANGUAGE_ACCEPT_MAX 1024
/* Ranges past this many are ignored. */
#define LANGUAGE_ACCEPT_MAX_RANGES 32

/* "en" or "hi" for LANGUAGE_EN / LANGUAGE_HI; NULL for LANGUAGE_NONE. */
const char *language_code(enum language l);
/* LANGUAGE_EN / LANGUAGE_HI for exactly "en" / "hi"; LANGUAGE_NONE for
 * anything else, NULL included (the API's stored and accepted values). */
enum language language_from_code(const char *code);
/* The language of a locale such as "hi-IN" (its primary subtag, any case,
 * '-' or '_'): LANGUAGE_HI for Hindi, LANGUAGE_EN for anything else and
 * for NULL. */
enum language language_of_locale(const char *locale);

/*
 * The language a request's Accept-Language header (value of length len,
 * need not be NUL-terminated; a NUL ends it) asks for: LANGUAGE_NONE when
 * the header is absent (value NULL), holds only whitespace, or names
 * neither language but accepts "*"; LANGUAGE_EN or LANGUAGE_HI otherwise:
 * English when nothing we speak is acceptable, when the header is
 * malformed throughout, or longer than LANGUAGE_ACCEPT_MAX.
 */
enum language language_from_accept(const char *value, size_t len);

#endif
