#!/bin/sh
# bench/tz.sh — the measurement behind the choice in src/util/tz.h: our
# TZif reader against GLib's GTimeZone and ICU's ucal (not a test).
#
# Needs libglib2.0-dev and libicu-dev (neither is a build dependency of
# the product).  Builds bench/tz_compare.c and four bench/tz_startup.c
# variants into build/bench-tz, then prints
#   agree    offsets of every zone in /usr/share/zoneinfo, 1850..2150,
#            against glibc's localtime_r as referee;
#   speed    ns per UTC-offset lookup (cached zone, by name, GLib, ICU);
#   startup  wall time and max RSS of a one-lookup program per library;
#   size     what each library adds to the process (shared objects).
set -eu
cd "$(dirname "$0")/.."
out=build/bench-tz
mkdir -p "$out"
for pc in glib-2.0 icu-i18n; do
	pkg-config --exists "$pc" || { echo "bench/tz.sh: $pc not found (apt-get install libglib2.0-dev libicu-dev)" >&2; exit 1; }
done
CC=${CC:-cc}
CFLAGS="-std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Isrc -include src/util/banned.h"
UTIL="src/util/tz.c src/util/civil.c"
GLIB="$(pkg-config --cflags --libs glib-2.0)"
ICU="$(pkg-config --cflags --libs icu-i18n icu-uc)"

# shellcheck disable=SC2086
$CC $CFLAGS -o "$out/tz_compare" bench/tz_compare.c $UTIL $GLIB $ICU
# shellcheck disable=SC2086
{
	$CC $CFLAGS -DWITH_NONE -o "$out/startup_none" bench/tz_startup.c
	$CC $CFLAGS -DWITH_OURS -o "$out/startup_util_tz" bench/tz_startup.c $UTIL -lpthread
	$CC $CFLAGS -DWITH_GLIB -o "$out/startup_glib" bench/tz_startup.c $GLIB
	$CC $CFLAGS -DWITH_ICU -o "$out/startup_icu" bench/tz_startup.c $ICU
}

uname -srm
grep -m1 'model name' /proc/cpuinfo | sed 's/.*: /cpu: /'
echo "glib $(pkg-config --modversion glib-2.0), icu $(pkg-config --modversion icu-i18n), $(dpkg-query -W -f='tzdata ${Version}' tzdata 2>/dev/null || echo tzdata ?)"
echo
"$out/tz_compare" agree
echo
"$out/tz_compare" speed
echo
"$out/tz_compare" startup "$out/startup_none" "$out/startup_util_tz" "$out/startup_glib" "$out/startup_icu"
echo
echo "size: shared objects each program maps beyond libc (file sizes)"
for b in startup_util_tz startup_glib startup_icu; do
	extra=$(ldd "$out/$b" | awk '/=>/ {print $3}' | grep -vE '/(libc|libm|ld-linux[^/]*)\.so' || true)
	total=0
	names=""
	for so in $extra; do
		sz=$(stat -L -c %s "$so")
		total=$((total + sz))
		names="$names $(basename "$so")"
	done
	printf '  %-16s %6d KiB  %s\n' "$b" $((total / 1024)) "${names:- (none)}"
done
printf '  %-16s %6d KiB  (text+data of tz.o + civil.o)\n' "util/tz.c" \
	$(( $(size -t "$out"/startup_util_tz | tail -1 | awk '{print $1 + $2}') / 1024 - $(size -t "$out"/startup_none | tail -1 | awk '{print $1 + $2}') / 1024 ))
