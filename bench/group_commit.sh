#!/bin/bash
# bench/group_commit.sh — SQLite writes with and without group commit, in
# the same run on the same database (not a test).
#
# Seeds a SQLite store (bench/seed.c, as bench/ledger.sh does), then for
# ROUNDS alternating rounds starts the server with QT_GROUP_COMMIT_MAX=0
# (each write in a transaction of its own, as before group commit) and
# with QT_GROUP_COMMIT_MAX=$MAX, and measures with wrk -t1 -c$CONNS
#   POST /api/v1/transactions (purchases over 100 customers) and
#   GET /api/v1/customers/{id},
# printing each round and the medians, the server's CPU time per POST (user
# + system, from /proc: robust when other work shares the cores) and the
# writer's batch counters.
#
#   bench/group_commit.sh
#   ROUNDS=3 DURATION=5s CONNS=32 MAX=64 CUSTOMERS=200 ENTRIES=50 bench/group_commit.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/bench}
CUSTOMERS=${CUSTOMERS:-200}
ENTRIES=${ENTRIES:-50}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-32}
ROUNDS=${ROUNDS:-3}
MAX=${MAX:-64}

for tool in wrk curl; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d /tmp/qt-bench-gc.XXXXXX)
srv=
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null || true
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

echo "== build ($BUILD)"
make -s BUILD="$BUILD" "$BUILD/quantumtrack" "$BUILD/libqt.a"
bin=$PWD/$BUILD/quantumtrack
CFLAGS_PKG=$(pkg-config --cflags libmicrohttpd jansson sqlite3 libsodium libcurl libpq)
LIBS_PKG=$(pkg-config --libs libmicrohttpd jansson sqlite3 libsodium libcurl libpq)
# shellcheck disable=SC2086
gcc -std=c17 -D_GNU_SOURCE -O2 -Isrc $CFLAGS_PKG -o "$BUILD/bench-seed" bench/seed.c \
	"$BUILD/libqt.a" $LIBS_PKG -lpthread -lm

export QT_DATA_DIR=$work
export QT_DB="sqlite:$work/qt.db"
export QT_JWT_SECRET=bench-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export QT_MASTER_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export QT_METRICS_TOKEN=bench-metrics-token-0123456789
slug=bench
email=owner@bench.example
password=bench-password-123

echo "== seed: $CUSTOMERS customers x $ENTRIES entries"
"$bin" migrate >/dev/null
"$bin" tenant create --slug "$slug" --name Bench --plan enterprise --owner-email "$email" \
	--owner-password "$password" >/dev/null
"$BUILD/bench-seed" "$QT_DB" "$slug" "$email" "$CUSTOMERS" "$ENTRIES" >"$work/ids"

start_server() {
	port=$(free_port)
	QT_GROUP_COMMIT_MAX=$1 "$bin" serve --listen "127.0.0.1:$port" >/dev/null 2>"$work/server.log" &
	srv=$!
	for _ in $(seq 100); do
		curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break
		sleep 0.1
	done
	token=$(curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
		-d "{\"tenant\":\"$slug\",\"email\":\"$email\",\"password\":\"$password\"}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
}

stop_server() {
	kill "$srv" 2>/dev/null || true
	wait "$srv" 2>/dev/null || true
	srv=
}

post_lua() {
	{
		echo 'local ids = {'
		head -100 "$work/ids" | sed 's/.*/"&",/'
		echo '}'
		cat <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $token"
local n = 0
request = function()
	n = n + 1
	local body = '{"customer_id":"' .. ids[(n % #ids) + 1] .. '","type":"purchase","amount_minor":1250,"note":"bench"}'
	return wrk.format(nil, nil, nil, body)
end
local bad = 0
response = function(status, headers, body)
	if status ~= 201 then bad = bad + 1 end
end
done = function(summary, latency, requests)
	io.write(string.format("non-201 responses: %d\n", bad))
end
LUA
	} >"$work/post.lua"
}

rps() { awk '/^Requests\/sec:/ {print $2}'; }
reqs() { awk '/requests in/ {print $1}'; }
# The server's CPU time (user + system) in clock ticks: what it spent, however
# busy the machine is with others.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$srv/stat"; }
tick_us=$(( 1000000 / $(getconf CLK_TCK) ))
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

cid=$(sed -n "$(( ($(wc -l <"$work/ids") + 1) / 2 ))p" "$work/ids")
echo "== wrk -t1 -c$CONNS -d$DURATION, $ROUNDS rounds ($(nproc) cores shared with wrk)"
for round in $(seq "$ROUNDS"); do
	for max in 0 "$MAX"; do
		start_server "$max"
		post_lua
		t0=$(cpu_ticks)
		out=$(wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$work/post.lua" "http://127.0.0.1:$port/api/v1/transactions")
		t1=$(cpu_ticks)
		p=$(echo "$out" | rps)
		n=$(echo "$out" | reqs)
		cpu=$(( (t1 - t0) * tick_us / (n > 0 ? n : 1) ))
		p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
		bad=$(echo "$out" | awk '/^non-201/ {print $3}')
		g=$(wrk -t1 -c"$CONNS" -d"$DURATION" -H "Authorization: Bearer $token" \
			"http://127.0.0.1:$port/api/v1/customers/$cid" | rps)
		batches=$(curl -fsS -H "Authorization: Bearer $QT_METRICS_TOKEN" "http://127.0.0.1:$port/metrics" |
			awk '/^qt_write_batches_total/ {b=$2} /^qt_write_batched_requests_total/ {n=$2} /^qt_write_batch_largest/ {l=$2}
			     END {if (b) printf "%d batches, %.1f a batch, largest %d", b, n/b, l; else print "no batches"}')
		stop_server
		printf 'round %d  max=%-3s  POST %9s req/s (p99 %s, non-201 %s, %s us CPU each)   GET %9s req/s   %s\n' \
			"$round" "$max" "$p" "$p99" "$bad" "$cpu" "$g" "$batches"
		echo "$max $p $g $cpu" >>"$work/results"
	done
done
for max in 0 "$MAX"; do
	pm=$(awk -v m="$max" '$1 == m {print $2}' "$work/results" | median)
	gm=$(awk -v m="$max" '$1 == m {print $3}' "$work/results" | median)
	cm=$(awk -v m="$max" '$1 == m {print $4}' "$work/results" | median)
	printf 'median  max=%-3s  POST %9.0f req/s (%s us of server CPU each)   GET %9.0f req/s\n' "$max" "$pm" "$cm" "$gm"
done
