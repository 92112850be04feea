/*
 * tz.h — UTC offsets of IANA time zones, without the process-global,
 * non-thread-safe TZ machinery of libc (setenv("TZ") + localtime()).
 *
 * Zones are read from the system's compiled TZif files under
 * /usr/share/zoneinfo (RFC 8536, versions 1 to 4), parsed once and cached
 * for the life of the process.  Written by hand because libc offers no
 * per-zone API and no small library does; the parser is fuzzed
 * (tests/fuzz/fuzz_tzif.c).
 *
 * Thread-safe: the cache is guarded by a mutex; a parsed zone is immutable.
 */
#ifndef QT_UTIL_TZ_H
#define QT_UTIL_TZ_H

#include <stddef.h>
#include <stdint.h>

#define TZ_ZONEINFO_DIR "/usr/share/zoneinfo"
#define TZ_NAME_MAX 128           /* longest zone name accepted */
#define TZ_FILE_MAX (256 * 1024)  /* largest TZif file read */

struct tz_zone;

/*
 * UTC offset in seconds (east positive: Asia/Kolkata 19800,
 * America/New_York -18000 or -14400 with DST) of `zone` at unix time
 * unix_s, into *offset_s.
 *
 * Zone names: 1..TZ_NAME_MAX characters from [A-Za-z0-9_+-/], not starting
 * or ending with '/', without "//" or ".." (so a name can never leave the
 * zoneinfo directory).  "UTC" and "Etc/UTC" always work, even without
 * tzdata installed.  Other names are loaded from
 * TZ_ZONEINFO_DIR/<zone> on first use and cached (only zones that load
 * are cached, so bad names cannot grow the cache).
 *
 * Times covered by the file's transition table use it; times before the
 * first transition use time type 0 (RFC 8536); times after the last
 * transition use the POSIX TZ footer of v2+ files (full syntax: quoted
 * <+05> names, Jn / n / Mm.w.d rules, times from -167 to 167 hours), or
 * the last transition's type when there is no usable footer.  Leap-second
 * records are ignored.
 *
 * Returns 0, or -1 (leaving *offset_s) on a bad or unknown zone.
 */
int tz_offset(const char *zone, int64_t unix_s, int32_t *offset_s);

/* 0 if `zone` names a loadable zone (as for tz_offset), -1 if not.  Test with `== 0`. */
int tz_valid(const char *zone);

/*
 * The cached zone for a name, or NULL when the name is bad or unknown.
 * The pointer stays valid until tz_cache_release(); do not tz_free() it.
 * Use with tz_zone_offset() to look up many times without the mutex.
 */
const struct tz_zone *tz_get(const char *zone);

/*
 * Free every cached zone.  Only for an orderly shutdown (and leak
 * checkers): no other thread may be using tz_* or a tz_get() pointer.
 */
void tz_cache_release(void);

/*
 * Parse a TZif blob of len bytes from memory (RFC 8536, v1-v4).  Returns
 * a new zone that the caller frees with tz_free(), or NULL if the data is
 * not a valid TZif file (bad magic, truncated, counts that do not fit,
 * a type index out of range, transitions not strictly increasing, an
 * offset outside -89999..93599 seconds).  An unparseable v2+ footer is
 * ignored rather than fatal.  Never reads outside data[0..len).
 */
struct tz_zone *tz_parse(const unsigned char *data, size_t len);

/* Free a zone from tz_parse().  NULL is a no-op. */
void tz_free(struct tz_zone *zone);

/* UTC offset in seconds of a parsed zone at unix time unix_s (any int64).  zone must not be NULL. */
int32_t tz_zone_offset(const struct tz_zone *zone, int64_t unix_s);

#endif
