/*
 * banned.h — C library functions QuantumTrack code may not call (after
 * Git's banned.h).  The Makefile force-includes this header into every C
 * file of the project (`-include src/util/banned.h`, in the normal,
 * SANITIZE and fuzz builds), so a banned call fails to compile with a
 * message that names the function and what to use instead:
 *
 *	error: static assertion failed: "strcpy is banned in QuantumTrack:
 *	use memcpy with a known length, snprintf, or buf_puts (util/buf.h)"
 *
 * Why each is banned:
 *   strcpy, strcat, sprintf, vsprintf   no bound on the destination;
 *   strncpy, strncat                    bounded, but strncpy leaves the
 *                                       result unterminated and strncat's
 *                                       bound is not the buffer size;
 *   strtok                              hidden static state (not
 *                                       thread-safe, not reentrant);
 *   gmtime, localtime, ctime, asctime   results in a static buffer, and
 *   (and the _r forms of the last two)  the zone is libc's global TZ.
 *
 * Technique.  Git includes its banned.h last in git-compat-util.h, after
 * every system header.  A force-included header comes first instead, so
 * it includes the system headers that declare these functions itself
 * (their include guards then make the later #include <string.h> of a
 * source file a no-op) and only then defines the function-like macros.
 * The prototypes — and glibc's _FORTIFY_SOURCE inline wrappers, which
 * contain "strcpy (" too — are therefore read before the macros exist.
 * A call `strcpy(a, b)` expands to a statement expression holding a
 * failing _Static_assert, which GCC and Clang both report with the text
 * above.  The name alone (taking the address, `&strcpy`) is not caught;
 * nobody does that by accident.  tests/unit/test_banned.c compiles
 * snippets with this header under gcc and clang and expects each banned
 * call to be refused and ordinary code (with every library header the
 * project uses) to compile.
 *
 * Needs the feature-test macros (-D_GNU_SOURCE) on the command line, as
 * the Makefile sets them, since the system headers are read here first.
 */
#ifndef QT_UTIL_BANNED_H
#define QT_UTIL_BANNED_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define QT_BANNED(func, instead)                                            \
	(__extension__({                                                    \
		_Static_assert(0, #func " is banned in QuantumTrack: use " instead); \
		0;                                                          \
	}))

#undef strcpy
#define strcpy(...) QT_BANNED(strcpy, "memcpy with a known length, snprintf, or buf_puts (util/buf.h)")
#undef strcat
#define strcat(...) QT_BANNED(strcat, "buf_append/buf_puts (util/buf.h) or snprintf")
#undef strncpy
#define strncpy(...) QT_BANNED(strncpy, "memcpy with a known length, or snprintf(dst, size, \"%s\", src)")
#undef strncat
#define strncat(...) QT_BANNED(strncat, "buf_append (util/buf.h) or snprintf")
#undef sprintf
#define sprintf(...) QT_BANNED(sprintf, "snprintf or buf_printf (util/buf.h)")
#undef vsprintf
#define vsprintf(...) QT_BANNED(vsprintf, "vsnprintf or buf_vprintf (util/buf.h)")
#undef strtok
#define strtok(...) QT_BANNED(strtok, "strtok_r, or memchr/strcspn over a known length")
#undef gmtime
#define gmtime(...) QT_BANNED(gmtime, "civil_ymd_from_days/civil_format_rfc3339 (util/civil.h)")
#undef localtime
#define localtime(...) QT_BANNED(localtime, "civil_local_days (util/civil.h) with an IANA zone")
#undef ctime
#define ctime(...) QT_BANNED(ctime, "civil_format_rfc3339 (util/civil.h)")
#undef ctime_r
#define ctime_r(...) QT_BANNED(ctime_r, "civil_format_rfc3339 (util/civil.h)")
#undef asctime
#define asctime(...) QT_BANNED(asctime, "civil_format_rfc3339 (util/civil.h)")
#undef asctime_r
#define asctime_r(...) QT_BANNED(asctime_r, "civil_format_rfc3339 (util/civil.h)")

#endif
