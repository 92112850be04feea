#!/bin/bash
# bench/ledger.sh — ledger throughput against a reference measured in the
# same run (not a test).
#
# Builds quantumtrack and bench/seed.c, seeds a SQLite store with 1,000
# customers x 100 entries (100,000 entries, through ledger_record: balances,
# derived fields and audit rows as the API writes them), starts the server,
# then with wrk -t1 -c32 -d10s measures
#   (a) nginx serving a 200-byte static file on this machine (reference),
#   (b) GET /api/v1/customers/{id} with a valid token,
#   (c) POST /api/v1/transactions (purchase) with a valid token,
# and prints req/s, p99 and the ratios (b)/(a), (c)/(a); finally times
# `quantumtrack verify` over the data.
#
#   bench/ledger.sh                 BUILD=build/bench, 1000 customers, 100 entries each
#   CUSTOMERS=200 ENTRIES=50 DURATION=5s bench/ledger.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/bench}
CUSTOMERS=${CUSTOMERS:-1000}
ENTRIES=${ENTRIES:-100}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}

for tool in wrk nginx curl sqlite3; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d /tmp/qt-bench.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_http() {
	for _ in $(seq 100); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "bench: $1 did not come up" >&2; cat "$work"/nginx/error.log "$work"/server.log 2>/dev/null | tail -5 >&2
	return 1
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
slug=bench
email=owner@bench.example
password=bench-password-123

echo "== seed: $CUSTOMERS customers x $ENTRIES entries"
"$bin" migrate >/dev/null
"$bin" tenant create --slug "$slug" --name Bench --plan enterprise --owner-email "$email" \
	--owner-password "$password" >/dev/null
t0=$(date +%s.%N)
"$BUILD/bench-seed" "$QT_DB" "$slug" "$email" "$CUSTOMERS" "$ENTRIES" >"$work/ids"
t1=$(date +%s.%N)
printf 'seeded %s customers, %s entries in %.1f s\n' "$(wc -l <"$work/ids")" \
	"$(sqlite3 "$work/qt.db" 'SELECT COUNT(*) FROM transactions')" "$(echo "$t1 - $t0" | bc)"

# ---- (a) nginx, 200-byte static file ----
nport=$(free_port)
mkdir -p "$work/nginx/html" "$work/nginx/tmp"
head -c 200 /dev/zero | tr '\0' 'x' >"$work/nginx/html/static.txt"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
$( [ "$(id -u)" -eq 0 ] && echo "user nobody nogroup;" )
events { worker_connections 1024; }
http {
	access_log off;
	client_body_temp_path $work/nginx/tmp;
	proxy_temp_path $work/nginx/tmp;
	fastcgi_temp_path $work/nginx/tmp;
	uwsgi_temp_path $work/nginx/tmp;
	scgi_temp_path $work/nginx/tmp;
	server {
		listen 127.0.0.1:$nport;
		root $work/nginx/html;
	}
}
CONF
chmod -R a+rX "$work"
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)
wait_http "http://127.0.0.1:$nport/static.txt"

# ---- the server ----
qport=$(free_port)
"$bin" serve --listen "127.0.0.1:$qport" >"$work/access.log" 2>"$work/server.log" &
pids+=($!)
wait_http "http://127.0.0.1:$qport/healthz"
token=$(curl -fsS -X POST "http://127.0.0.1:$qport/api/v1/auth/login" -H 'Content-Type: application/json' \
	-d "{\"tenant\":\"$slug\",\"email\":\"$email\",\"password\":\"$password\"}" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
# Access tokens live 15 minutes by default: plenty for this run.
cid=$(sed -n "$(( ($(wc -l <"$work/ids") + 1) / 2 ))p" "$work/ids")
curl -fsS -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$qport/api/v1/customers/$cid"

# POST: purchases spread over 100 seeded customers (each has 100 entries).
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

# Run wrk; prints "req/s p99" for the results table.
run_wrk() {
	local label=$1; shift
	local out
	out=$(wrk -t1 -c"$CONNS" -d"$DURATION" --latency "$@")
	echo "$out" >"$work/wrk-${label:1:1}.txt"
	local rps p99 errs
	rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	errs=$(echo "$out" | grep -E 'Non-2xx|Socket errors|non-201' | tr '\n' ' ' || true)
	printf '%-34s %10s req/s   p99 %-9s %s\n' "$label" "$rps" "$p99" "$errs" >&2
	echo "$rps"
}

echo "== wrk -t1 -c$CONNS -d$DURATION ($(nproc) cores; server, nginx and wrk share them)"
a=$(run_wrk "(a) nginx static 200 B" "http://127.0.0.1:$nport/static.txt")
b=$(run_wrk "(b) GET /customers/{id}" -H "Authorization: Bearer $token" \
	"http://127.0.0.1:$qport/api/v1/customers/$cid")
c=$(run_wrk "(c) POST /transactions (purchase)" -s "$work/post.lua" \
	"http://127.0.0.1:$qport/api/v1/transactions")
printf 'ratio (b)/(a) = %.3f   (target >= 0.6)\n' "$(echo "$b / $a" | bc -l)"
printf 'ratio (c)/(a) = %.3f   (target >= 0.15)\n' "$(echo "$c / $a" | bc -l)"

kill "${pids[1]}" 2>/dev/null || true
wait "${pids[1]}" 2>/dev/null || true

echo "== verify over $(sqlite3 "$work/qt.db" 'SELECT COUNT(*) FROM transactions') entries"
t0=$(date +%s.%N)
if "$bin" verify >"$work/verify.out" 2>&1; then vr=ok; else vr="FAILED: $(head -3 "$work/verify.out")"; fi
t1=$(date +%s.%N)
printf 'verify: %s in %.3f s   (target < 0.5 s)\n' "$vr" "$(echo "$t1 - $t0" | bc)"
