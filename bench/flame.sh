#!/bin/bash
# bench/flame.sh — where the server's time goes under the benchmark's loads:
# `perf record -F 999 -g` of quantumtrack serve (all its threads) while wrk
# runs GET /api/v1/customers/{id} and POST /api/v1/transactions, on SQLite
# and on PostgreSQL; the stacks folded (bench/fold.py), drawn as SVG flame
# graphs (bench/flamegraph.py) and the top frames by self and by inclusive
# time printed as text.  Not a test.
#
#   bench/flame.sh                       both backends, GET and POST
#   OUT=/tmp/before bench/flame.sh       (then again after a change: OUT=/tmp/after)
#   BACKENDS=sqlite LOADS=get bench/flame.sh
#   CALLGRAPH=dwarf bench/flame.sh       unwind with DWARF instead of frame pointers
#
# The server is built with frame pointers (CFLAGS="-O2 -g
# -fno-omit-frame-pointer", in $BUILD, default build/bench-fp); Debian's
# libsqlite3, libc, libjansson and libmicrohttpd are not, so with the
# default -g a stack that passes through them loses its callers there (the
# self time stays right; the inclusive time of our frames above such a
# library call is undercounted).  CALLGRAPH=dwarf follows the stacks
# through them too, at the price of larger data (16 KiB of stack a sample)
# and a slower `perf script`.
#
# Into $OUT (default /tmp/qt-flame; never committed), for each backend B and
# load L: B-L.perf.data, B-L.folded, B-L.svg, B-L.top.txt, B-L.wrk.txt.
# Knobs: OUT, BACKENDS ("sqlite postgres"), LOADS ("get post"), DURATION
# (10s: the recording; wrk runs 1 s longer on each side), CONNS (32),
# CUSTOMERS (1000), PG_CUSTOMERS (200), ENTRIES (100), FREQ (999), CALLGRAPH (fp|dwarf), TOP (15),
# BUILD (build/bench-fp), KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
export BUILD=${BUILD:-build/bench-fp}
. bench/lib.sh

OUT=${OUT:-/tmp/qt-flame}
BACKENDS=${BACKENDS:-sqlite postgres}
LOADS=${LOADS:-get post}
CUSTOMERS=${CUSTOMERS:-1000}
ENTRIES=${ENTRIES:-100}
# PostgreSQL seeds at the API's pace: 200 customers there (each GET still
# reads a customer with ENTRIES entries; the POSTs go to 100 of them).
PG_CUSTOMERS=${PG_CUSTOMERS:-200}
FREQ=${FREQ:-999}
CALLGRAPH=${CALLGRAPH:-fp}
TOP=${TOP:-15}
SLUG=bench
EMAIL=owner@bench.example
PASSWORD=bench-password-123

bench_need perf wrk curl python3 gcc make pkg-config
case " $BACKENDS " in *" postgres "*) bench_need psql initdb pg_ctl ss ;; esac
case $CALLGRAPH in
fp) cg=(-g) ;;
dwarf) cg=(--call-graph dwarf,16384) ;;
*) echo "bench/flame.sh: CALLGRAPH is fp or dwarf" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
bench_work
bench_secrets
# The Makefile's `CFLAGS ?= -O2 -g` takes CFLAGS from the environment and
# adds its own flags after it.
CFLAGS="-O2 -g -fno-omit-frame-pointer" bench_build
secs=$(awk -v d="$DURATION" 'BEGIN { n = d + 0; if (d ~ /m$/) n *= 60; if (n < 1) n = 1; printf "%d", n }')

post_lua() {
	{
		echo 'local ids = {'
		head -100 "$1" | sed 's/.*/"&",/'
		echo '}'
		cat <<-LUA
			wrk.method = "POST"
			wrk.headers["Content-Type"] = "application/json"
			wrk.headers["Authorization"] = "Bearer $2"
			local n = 0
			request = function()
				n = n + 1
				local body = '{"customer_id":"' .. ids[(n % #ids) + 1] .. '","type":"purchase","amount_minor":' .. (100 + n % 900) .. ',"note":"bench"}'
				return wrk.format(nil, "/api/v1/transactions", nil, body)
			end
		LUA
	} >"$3"
}

profile() {
	local name=$1
	shift
	local data=$OUT/$name.perf.data
	say "$name: perf record -F $FREQ ${cg[*]} -p $qt_pid for ${secs}s under wrk -t1 -c$CONNS"
	wrk -t1 -c"$CONNS" -d"$((secs + 2))s" --latency "$@" >"$OUT/$name.wrk.txt" 2>&1 &
	local wrk_pid=$!
	sleep 1
	perf record -F "$FREQ" "${cg[@]}" -p "$qt_pid" -o "$data" -- sleep "$secs" 2>"$work/$name.perf.err" >/dev/null ||
		{ cat "$work/$name.perf.err" >&2; exit 1; }
	wait "$wrk_pid"
	perf script -i "$data" 2>/dev/null | python3 bench/fold.py >"$OUT/$name.folded"
	python3 bench/flamegraph.py --title "quantumtrack $name ($(awk '/^Requests\/sec:/ {print $2}' "$OUT/$name.wrk.txt") req/s, $(git rev-parse --short HEAD 2>/dev/null))" \
		<"$OUT/$name.folded" >"$OUT/$name.svg"
	{
		echo "## $name: $(awk '/^Requests\/sec:/ {print $2}' "$OUT/$name.wrk.txt") req/s under the recording; $(grep -c . "$OUT/$name.folded") distinct stacks"
		python3 bench/fold.py --top "$TOP" <"$OUT/$name.folded"
	} >"$OUT/$name.top.txt"
	cat "$OUT/$name.top.txt"
	echo
}

for backend in $BACKENDS; do
	if [ "$backend" = sqlite ]; then
		export QT_DATA_DIR=$work/sqlite QT_DB=sqlite:$work/sqlite/qt.db
		seed_url=$QT_DB
	else
		bench_pg_start
		export QT_DATA_DIR=$work/pg-data QT_DB=$QT_PG_OWNER_URL
		seed_url=$QT_PG_OWNER_URL
	fi
	mkdir -p "$QT_DATA_DIR"
	customers=$CUSTOMERS
	[ "$backend" = postgres ] && customers=$PG_CUSTOMERS
	say "$backend: seed $customers customers x $ENTRIES entries"
	"$bin" migrate >/dev/null
	"$bin" tenant create --slug "$SLUG" --name Bench --plan enterprise --owner-email "$EMAIL" \
		--owner-password "$PASSWORD" >/dev/null
	"$BUILD/bench-seed" "$seed_url" "$SLUG" "$EMAIL" "$customers" "$ENTRIES" >"$work/$backend.ids"
	[ "$backend" = postgres ] && export QT_DB=$QT_PG_APP_URL
	bench_serve "$backend"
	token=$(bench_login "$qt_url" "$SLUG" "$EMAIL" "$PASSWORD")
	# The middle customer, or the last: never one the POSTs write to.
	n=$(wc -l <"$work/$backend.ids")
	i=$(((n + 1) / 2))
	[ "$i" -le 100 ] && i=$n
	get_id=$(sed -n "${i}p" "$work/$backend.ids")
	post_lua "$work/$backend.ids" "$token" "$work/$backend-post.lua"
	for load in $LOADS; do
		case $load in
		get) profile "$backend-get" -H "Authorization: Bearer $token" "$qt_url/api/v1/customers/$get_id" ;;
		post) profile "$backend-post" -s "$work/$backend-post.lua" "$qt_url" ;;
		*) echo "bench/flame.sh: unknown load $load (get, post)" >&2; exit 2 ;;
		esac
	done
	bench_stop "$qt_pid"
done
say "flame graphs, folded stacks and top frames in $OUT"
ls -1 "$OUT"/*.svg >&2
