#!/bin/bash
# bench/events.sh — live event streams under load (not a test).
#
# Starts the server on SQLite (or PostgreSQL with PG=1, in a throwaway
# cluster from tests/lib/pg.sh), makes STORES stores with a customer each,
# then with wrk -t1 -c$CONNS -d$DURATION measures
#   (a) GET /api/v1/customers/{id} and (b) POST /api/v1/transactions
#       (entries spread over every store) with no stream open;
# then opens STORES x PER_STORE event streams (1,000 by default) with
# bench/events-client.mjs, which sends a probe purchase every PROBE_MS and
# times it from the request to its entry.created at each of its store's
# streams (fan-out latency), first with nothing else running, then while
# wrk runs (a) (with and without probes) and (b) again.  (a) reads a
# customer nothing writes to, so its cost stays the same in every phase.  Prints req/s with and without the streams
# and fan-out p50/p99 for each phase.  Client, server and wrk share the
# machine's cores.
#
#   bench/events.sh
#   STORES=10 PER_STORE=20 DURATION=5s bench/events.sh
#   PG=1 bench/events.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/bench}
STORES=${STORES:-20}
PER_STORE=${PER_STORE:-50}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
PROBE_MS=${PROBE_MS:-100}
PG=${PG:-0}

for tool in wrk curl node python3; do
	command -v "$tool" >/dev/null || { echo "bench: $tool is not installed" >&2; exit 1; }
done
# One descriptor per stream on each side, plus wrk's and the pools'.
ulimit -n 8192 2>/dev/null || ulimit -n "$(ulimit -Hn)"

work=$(mktemp -d /tmp/qt-bench-events.XXXXXX)
# The cluster's directory must be reachable by the postgres user, which
# $work (mode 700) is not.
pgdir=$(mktemp -u /tmp/qt-bench-events-pg.XXXXXX)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ "$PG" = 1 ] && tests/lib/pg.sh stop "$pgdir" >/dev/null 2>&1 || true
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
	echo "bench: $1 did not come up" >&2; tail -5 "$work/server.log" >&2
	return 1
}

echo "== build ($BUILD)"
make -s BUILD="$BUILD" "$BUILD/quantumtrack"
bin=$PWD/$BUILD/quantumtrack

export QT_DATA_DIR=$work
export QT_JWT_SECRET=bench-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export QT_MASTER_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
# Every stream and wrk connection comes from 127.0.0.1.
export QT_PER_IP_CONNECTIONS=4096
export QT_SSE_PER_TENANT=$PER_STORE
if [ "$PG" = 1 ]; then
	eval "$(tests/lib/pg.sh start "$pgdir")"
	"$bin" migrate --db "$QT_PG_OWNER_URL" >/dev/null
	export QT_DB=$QT_PG_APP_URL
	cli_db=$QT_PG_OWNER_URL
	backend=PostgreSQL
else
	export QT_DB="sqlite:$work/qt.db"
	"$bin" migrate >/dev/null
	cli_db=$QT_DB
	backend=SQLite
fi

qport=$(free_port)
url="http://127.0.0.1:$qport"
"$bin" serve --listen "127.0.0.1:$qport" >"$work/access.log" 2>"$work/server.log" &
pids+=($!)
wait_http "$url/healthz"

echo "== $STORES stores ($backend)"
password=bench-password-123
stores_json=""
load_ids=()
for i in $(seq "$STORES"); do
	slug=bench$i
	QT_DB=$cli_db "$bin" tenant create --slug "$slug" --name "Bench $i" --plan enterprise \
		--owner-email "owner@$slug.example" --owner-password "$password" >/dev/null
	token=$(curl -fsS -X POST "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
		-d "{\"tenant\":\"$slug\",\"email\":\"owner@$slug.example\",\"password\":\"$password\"}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
	mk() {
		curl -fsS -X POST "$url/api/v1/customers" -H "Authorization: Bearer $token" \
			-H 'Content-Type: application/json' -d "{\"name\":\"$1\",\"phone\":\"$2\"}" |
			python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
	}
	probe=$(mk Probe "98$(printf '%08d' "$i")")
	load=$(mk Load "97$(printf '%08d' "$i")")
	# GET reads a customer nothing writes to, so the reads cost the same
	# in every phase (the load customers' ledgers grow with each POST).
	[ "$i" = 1 ] && { get_token=$token; get_id=$(mk Reader "9600000001"); }
	load_ids+=("$token $load")
	stores_json+="${stores_json:+,}{\"token\":\"$token\",\"probe_customer\":\"$probe\"}"
done

# POST: entries spread over every store's load customer, each customer's
# alternating purchase and payment, so its open lots (which every entry
# reads for aging) stay few however long the run.
{
	echo 'local pairs = {'
	for p in "${load_ids[@]}"; do read -r t c <<<"$p"; echo "{\"$t\",\"$c\"},"; done
	echo '}'
	cat <<'LUA'
wrk.method = "POST"
local n = 0
request = function()
	n = n + 1
	local p = pairs[(n % #pairs) + 1]
	local kind = (math.floor(n / #pairs) % 2 == 0) and "purchase" or "payment"
	local body = '{"customer_id":"' .. p[2] .. '","type":"' .. kind .. '","amount_minor":1}'
	return wrk.format(nil, nil, {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. p[1]}, body)
end
LUA
} >"$work/post.lua"

echo "== wrk -t1 -c$CONNS -d$DURATION without streams, then with $((STORES * PER_STORE)) (probes every ${PROBE_MS} ms)"
echo "   ($(nproc) cores shared by the server, wrk, this client and whatever else runs)"
cat >"$work/client.json" <<JSON
{"url":"$url","server_pid":${pids[0]},"streams_per_store":$PER_STORE,"duration_s":${DURATION%s},"probe_ms":$PROBE_MS,
 "wrk_conns":$CONNS,"get":{"url":"$url/api/v1/customers/$get_id","token":"$get_token"},
 "post_script":"$work/post.lua","post_url":"$url/api/v1/transactions","stores":[$stores_json]}
JSON
node --max-old-space-size=1024 bench/events-client.mjs "$work/client.json" >"$work/client.out"
python3 - "$work/client.out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ph = {p["name"]: p for p in r["phases"]}
print(f'{r["streams"]} streams opened in {r["open_ms"]} ms; {r["still_open"]} still open at the end')
def ms(v): return "-" if v is None else f"{v:.1f} ms"
print(f'{"":40} {"req/s":>8} {"API p99":>9} {"fan-out p50":>12} {"fan-out p99":>12} {"deliveries":>10} {"server CPU":>10} {"CPU/req":>9}')
rows = (("get0", "GET /customers/{id}, no streams"), ("post0", "POST /transactions, no streams"),
        ("idle", "streams + probes only"), ("get_quiet", "GET /customers/{id} + idle streams"),
        ("get", "GET /customers/{id} + streams + probes"), ("post", "POST /transactions + streams + probes"))
for name, label in rows:
    p = ph[name]
    rps = "-" if p["rps"] is None else f'{p["rps"]:.0f}'
    miss = f' ({p["missing"]} missing)' if p["missing"] else ""
    per = f'{1e6 * p["server_cpu_s"] / p["requests"]:.0f} us' if p["requests"] else "-"
    print(f'{label:40} {rps:>8} {p["p99_api"] or "-":>9} {ms(p["fanout_p50_ms"]):>12} {ms(p["fanout_p99_ms"]):>12} {p["deliveries"]:>10} {p["server_cpu_s"]:>8.1f} s {per:>9}{miss}')
print(f'with streams / without: GET (idle streams) {ph["get_quiet"]["rps"] / ph["get0"]["rps"]:.2f}, '
      f'GET (probes) {ph["get"]["rps"] / ph["get0"]["rps"]:.2f}, POST {ph["post"]["rps"] / ph["post0"]["rps"]:.2f}')
PY
