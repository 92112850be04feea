#!/bin/bash
# bench/startup.sh — time to ready and idle RSS of `quantumtrack serve` on
# SQLite (not a test).
#
# Builds quantumtrack (BUILD=build/bench) and bench/ready.c, then ROUNDS
# times starts the server, polls GET /readyz in a tight loop from exec to
# the first 200, waits IDLE_MS and reads VmRSS from /proc/PID/status.
# Prints the medians, and with MAPS=1 the mappings of the last round that
# hold the most resident memory.
#
#   bench/startup.sh                 a fresh database, 11 rounds
#   DB_DIR=/path bench/startup.sh    an existing data directory (QT_DATA_DIR, qt.db)
#   BIN=/path/quantumtrack ROUNDS=5 MAPS=1 bench/startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/bench}
ROUNDS=${ROUNDS:-11}
IDLE_MS=${IDLE_MS:-1000}

if [ -z "${BIN:-}" ]; then
	make -s BUILD="$BUILD" "$BUILD/quantumtrack"
	BIN=$PWD/$BUILD/quantumtrack
fi
mkdir -p "$BUILD"
gcc -std=c17 -D_GNU_SOURCE -O2 -Wall -Wextra -o "$BUILD/bench-ready" bench/ready.c

work=$(mktemp -d /tmp/qt-startup.XXXXXX)
trap 'rm -rf "$work"' EXIT
export QT_DATA_DIR=${DB_DIR:-$work}
export QT_DB="sqlite:$QT_DATA_DIR/qt.db"
export QT_JWT_SECRET=${QT_JWT_SECRET:-bench-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')}
export QT_MASTER_KEY=${QT_MASTER_KEY:-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')}
[ -n "${DB_DIR:-}" ] || "$BIN" migrate >/dev/null

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
ready=() rss=()
for _ in $(seq "$ROUNDS"); do
	read -r _ r _ k < <("$BUILD/bench-ready" -i "$IDLE_MS" "$port" -- "$BIN" serve --listen "127.0.0.1:$port")
	ready+=("$r") rss+=("$k")
done
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
printf 'time to ready: median %s ms (min %s) over %s rounds\n' "$(median "${ready[@]}")" \
	"$(printf '%s\n' "${ready[@]}" | sort -n | head -1)" "$ROUNDS"
printf 'idle RSS:      median %s KiB (%s MiB)\n' "$(median "${rss[@]}")" \
	"$(echo "scale=1; $(median "${rss[@]}") / 1024" | bc)"
if [ "${MAPS:-0}" = 1 ]; then
	"$BUILD/bench-ready" -m -i "$IDLE_MS" "$port" -- "$BIN" serve --listen "127.0.0.1:$port" | sed -n '2,25p'
fi
