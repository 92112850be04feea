/*
 * tz.h — UTC offsets of IANA time zones, without the process-global,
 * non-thread-safe TZ machinery of libc (setenv("TZ") + localtime()).
 *
 * Zones are read from the system's compiled TZif files under
 * /usr/share/zoneinfo (RFC 8536, versions 1 to 4), parsed once and cached
 * for the life of the process.  The parser is fuzzed
 * (tests/fuzz/fuzz_tzif.c); tests/unit/test_tz.c and test_civil.c are the
 * contract.
 *
 * Written by hand because libc has no per-zone API, and the two maintained
 * libraries that do, GLib's GTimeZone and ICU's ucal, were measured and do
 * not fit (bench/tz.sh; Debian 12, GLib 2.74.6, ICU 72.1, tzdata 2025b,
 * x86-64 Xeon, 2 shared cores):
 *
 *                     offsets that differ    ns per lookup, cached   start-up,
 *                     from glibc's (of 16.1M) zone: table / rule      max RSS
 *   util/tz.c         0                      4-40 / 3-220            +0, +0.25 MiB
 *   GLib GTimeZone    5,539 (Europe/Dublin)  27-520 / 14-800         +0.24 ms, +0.25 MiB
 *   ICU ucal          1,070,586 (6.7 %)      310-1030 / 345-1460     +2.9 ms, +2.3 MiB
 *
 * (Offsets: all 447 zone files in /usr/share/zoneinfo, every 3 days 1 hour
 * 7 seconds from 1850 to 2150, against localtime_r under TZ=<zone>.
 * Lookups: Asia/Kolkata, America/New_York and Europe/London at random
 * times in the transition table (2000-2037) and in the POSIX rule
 * (2040-2100), ranges over two runs on a busy machine.  Start-up: 200 runs
 * of a program doing one lookup against one doing none: none 633 us, ours
 * 609 us, GLib 869 us, ICU 3511 us.)
 *
 *   - GLib: g_time_zone_find_interval() is a linear scan over the
 *     transitions, 3-20 times slower than the binary search here, and
 *     civil_local_days() runs once per entry in statements and daily
 *     reports.  It misreads Dublin's negative-DST rule
 *     (IST-1GMT0,M10.5.0,M3.5.0/1): +02:00 instead of +00:00 every winter
 *     after 2037.  And it takes POSIX TZ strings and offsets ("ABC3",
 *     "+05:30") as zones and opens any absolute path it is given
 *     ("/etc/passwd" is read, then refused with a GLib-CRITICAL), so a
 *     store's timezone setting would still need this file's name check and
 *     file test in front of it.
 *   - ICU: it carries its own copy of the tz database (2022e in Debian 12's
 *     libicu72), not the system tzdata that Debian keeps current and
 *     PostgreSQL reads: it does not know America/Ciudad_Juarez or
 *     America/Coyhaique and disagrees with the system data in 132 zones
 *     (in 32 since 1970).  It is also the slowest, and maps 37 MiB of shared
 *     objects (libicudata, libstdc++) where GLib maps 1.8 MiB; tz.c and
 *     civil.c compile to 11 KiB.
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
