#!/bin/bash
# bench/verify.sh — `quantumtrack verify` over the store bench/ledger.sh
# seeds (not a test): 1,000 customers x 100 entries (100,000 entries and
# their audit rows, through ledger_record), then ROUNDS runs of verify with
# one thread and with the default (the cores, at most 4), alternating, and
# the median wall time and CPU time of each.  The bar is < 0.5 s, the goal
# < 0.2 s (issue 12).
#
#   bench/verify.sh                 BUILD=build/bench, 1000 customers, 100 entries each
#   CUSTOMERS=200 ENTRIES=50 ROUNDS=5 bench/verify.sh
#   BIN=/path/to/other/quantumtrack bench/verify.sh   # another build, same seed
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/bench}
CUSTOMERS=${CUSTOMERS:-1000}
ENTRIES=${ENTRIES:-100}
ROUNDS=${ROUNDS:-5}

work=$(mktemp -d /tmp/qt-bench-verify.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== build ($BUILD)"
make -s BUILD="$BUILD" "$BUILD/quantumtrack" "$BUILD/libqt.a"
bin=${BIN:-$PWD/$BUILD/quantumtrack}
CFLAGS_PKG=$(pkg-config --cflags libmicrohttpd jansson sqlite3 libsodium libcurl libpq)
LIBS_PKG=$(pkg-config --libs libmicrohttpd jansson sqlite3 libsodium libcurl libpq)
# shellcheck disable=SC2086
gcc -std=c17 -D_GNU_SOURCE -O2 -Isrc $CFLAGS_PKG -o "$BUILD/bench-seed" bench/seed.c \
	"$BUILD/libqt.a" $LIBS_PKG -lpthread -lm

export QT_DATA_DIR=$work
export QT_DB="sqlite:$work/qt.db"
export QT_JWT_SECRET=bench-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export QT_MASTER_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')

echo "== seed: $CUSTOMERS customers x $ENTRIES entries"
"$PWD/$BUILD/quantumtrack" migrate >/dev/null
"$PWD/$BUILD/quantumtrack" tenant create --slug bench --name Bench --plan enterprise \
	--owner-email owner@bench.example --owner-password bench-password-123 >/dev/null
t0=$(date +%s.%N)
"$BUILD/bench-seed" "$QT_DB" bench owner@bench.example "$CUSTOMERS" "$ENTRIES" >"$work/ids"
t1=$(date +%s.%N)
printf 'seeded %s customers in %.1f s\n' "$(wc -l <"$work/ids")" "$(echo "$t1 - $t0" | bc)"
# A build from before --threads runs only its default.
threads=1
"$bin" verify --help 2>&1 | grep -q -- --threads || threads=

# "wall cpu" in seconds for one run of verify with the given arguments.
run() {
	local out
	out=$( { /usr/bin/time -f '%e %U %S' "$bin" verify "$@" >"$work/verify.out"; } 2>&1 ) ||
		{ echo "bench: verify failed:" >&2; head -5 "$work/verify.out" >&2; exit 1; }
	echo "$out" | awk '{ printf "%s %.2f\n", $1, $2 + $3 }'
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

: >"$work/one"
: >"$work/all"
for _ in $(seq "$ROUNDS"); do
	[ -n "$threads" ] && run --threads 1 >>"$work/one"
	run >>"$work/all"
done
[ -n "$threads" ] && printf 'verify, 1 thread:   median %s s wall, %s s CPU (%s rounds)\n' \
	"$(cut -d' ' -f1 "$work/one" | median)" "$(cut -d' ' -f2 "$work/one" | median)" "$ROUNDS"
printf 'verify, default:    median %s s wall, %s s CPU   (bar < 0.5 s, goal < 0.2 s; %s cores)\n' \
	"$(cut -d' ' -f1 "$work/all" | median)" "$(cut -d' ' -f2 "$work/all" | median)" "$(nproc)"
