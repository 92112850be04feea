#!/bin/bash
# bench/ratelimit.sh — what the per-store rate limit costs (issue 11), on
# SQLite and on PostgreSQL, measured against itself in one run (not a test).
#
# For each backend: a fresh database, three stores, and wrk -t1 on
# GET /api/v1/customers?limit=1 (a cheap read, so the limiter's share shows):
#   (a) a store on enterprise: no rate, nothing counted (reference);
#   (b) a store on a plan of 2,000,000,000 requests a minute: every request
#       counted, headers set, leases taken (PostgreSQL: from the shared
#       row), never refused;
#   (c) a store on professional (1,200 a minute) hammered far past it:
#       nearly every request is a 429 answered from the process's memory.
# The three take turns, REPEAT times (a b c a b c ...), and each reports its
# median, so that a busy machine's drift falls on all three alike.  Prints
# req/s, p99 and the ratios (b)/(a) and (c)/(a).
#
#   bench/ratelimit.sh                         both backends, 3 x 5 s each, 16 connections
#   BACKENDS=sqlite DURATION=10s REPEAT=5 CONNS=32 bench/ratelimit.sh
# Env: QT_BIN (default ./quantumtrack), QT_THREADS for the server.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${QT_BIN:-$PWD/quantumtrack}
DURATION=${DURATION:-5s}
CONNS=${CONNS:-16}
REPEAT=${REPEAT:-3}
BACKENDS=${BACKENDS:-sqlite postgres}
for tool in wrk curl sqlite3 psql python3 bc; do
	command -v "$tool" >/dev/null || { echo "bench/ratelimit.sh: $tool not found" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench/ratelimit.sh: $BIN not built (make quantumtrack)" >&2; exit 1; }

work=$(mktemp -d /tmp/qt-bench-rl.XXXXXX)
server_pid=
pgdir=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	[ -n "$pgdir" ] && tests/lib/pg.sh stop "$pgdir" >/dev/null 2>&1
	rm -rf "$work"
}
trap cleanup EXIT
[ "$(id -u)" -eq 0 ] && chmod 755 "$work"

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

export QT_JWT_SECRET=bench-secret-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export QT_MASTER_KEY=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
export QT_ACCESS_TTL=3600 QT_REMINDER_TICK_S=0
password=bench-password-123
features='["ledger","link_reminders","credit_lines","whatsapp_reminders","reports","csv_export","csv_import","multi_currency","realtime","documents","api_keys"]'
plan_sql="INSERT INTO plans (name, customer_limit, storage_mb, requests_per_min, features, created_at, updated_at)
  VALUES ('bench_huge', NULL, 51200, 2000000000, '$features', 0, 0);"

# "req/s p99 non-2xx" of one wrk run.
run_wrk() {
	local token=$1 url=$2 out
	out=$(wrk -t1 -c"$CONNS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "$url")
	local rps p99 non2xx
	rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
	p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
	non2xx=$(echo "$out" | awk '/Non-2xx or 3xx responses:/ {print $5}')
	echo "$rps $p99 ${non2xx:-0}"
}

login() {
	curl -fsS -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'Content-Type: application/json' \
		-d "{\"tenant\":\"$1\",\"email\":\"owner@$1.example\",\"password\":\"$password\"}" |
		python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

results=()
for backend in $BACKENDS; do
	echo "== $backend"
	if [ "$backend" = postgres ]; then
		pgdir=$work/pg
		mkdir -p "$pgdir"
		pgenv=$(tests/lib/pg.sh start "$pgdir")
		owner=$(echo "$pgenv" | sed -n 's/^QT_PG_OWNER_URL=//p')
		app=$(echo "$pgenv" | sed -n 's/^QT_PG_APP_URL=//p')
		"$BIN" migrate --db "$owner" >/dev/null 2>&1
		psql "$owner" -qAtc "$plan_sql" >/dev/null
		admin_db=$owner serve_db=$app
	else
		db="sqlite:$work/qt.db"
		QT_DATA_DIR=$work "$BIN" migrate --db "$db" >/dev/null 2>&1
		sqlite3 "$work/qt.db" "$plan_sql"
		admin_db=$db serve_db=$db
	fi
	for s in none huge tight; do
		plan=$([ $s = none ] && echo enterprise || { [ $s = huge ] && echo bench_huge || echo professional; })
		QT_DATA_DIR=$work QT_DB=$admin_db "$BIN" tenant create --slug "rl-$s" --name "Bench $s" --plan "$plan" \
			--owner-email "owner@rl-$s.example" --owner-password "$password" >/dev/null
	done
	port=$(free_port)
	QT_DATA_DIR=$work QT_DB=$serve_db "$BIN" serve --listen "127.0.0.1:$port" >"$work/access-$backend.log" 2>"$work/server-$backend.log" &
	server_pid=$!
	for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null && break; sleep 0.1; done
	url="http://127.0.0.1:$port/api/v1/customers?limit=1"
	ta=$(login rl-none) tb=$(login rl-huge) tc=$(login rl-tight)
	: >"$work/runs"
	for i in $(seq "$REPEAT"); do
		echo "a $(run_wrk "$ta" "$url")" >>"$work/runs"
		echo "b $(run_wrk "$tb" "$url")" >>"$work/runs"
		echo "c $(run_wrk "$tc" "$url")" >>"$work/runs"
	done
	# The median run of each (by req/s): "req/s p99 non-2xx".
	median() { awk -v k="$1" '$1 == k {print $2, $3, $4}' "$work/runs" | sort -n | awk '{a[NR] = $0} END {print a[int((NR + 1) / 2)]}'; }
	read -r a a99 an <<<"$(median a)"
	read -r b b99 bn <<<"$(median b)"
	read -r c c99 cn <<<"$(median c)"
	printf '  (a) no rate (enterprise)          %10s req/s  p99 %-9s non-2xx %s\n' "$a" "$a99" "$an"
	printf '  (b) counted, 2e9 a minute         %10s req/s  p99 %-9s non-2xx %s\n' "$b" "$b99" "$bn"
	printf '  (c) 1200 a minute, past it (429)  %10s req/s  p99 %-9s non-2xx %s\n' "$c" "$c99" "$cn"
	if [ "$backend" = postgres ]; then
		leases=$(psql "$owner" -qAtc "SELECT n_tup_upd FROM pg_stat_user_tables WHERE relname = 'rate_buckets'")
		echo "  leases written to the shared rows: $leases (of $(awk '$1 == "b" {s += $2} END {printf "%.0f", s}' "$work/runs") req/s summed over (b)'s runs)"
	fi
	results+=("$(printf '| %-10s | %9.0f | %9.0f | %7.3f | %9.0f | %7.3f |' "$backend" "$a" "$b" "$(echo "$b / $a" | bc -l)" "$c" "$(echo "$c / $a" | bc -l)")")
	kill "$server_pid" 2>/dev/null || true
	wait "$server_pid" 2>/dev/null || true
	server_pid=
	if [ "$backend" = postgres ]; then tests/lib/pg.sh stop "$pgdir" >/dev/null 2>&1; pgdir=; fi
done

echo
echo "GET /api/v1/customers?limit=1, wrk -t1 -c$CONNS -d$DURATION, median of $REPEAT; $(nproc) cores shared by server, database and wrk (load $(cut -d' ' -f1 /proc/loadavg))"
echo "| backend    | (a) req/s | (b) req/s | (b)/(a) | (c) req/s | (c)/(a) |"
echo "| ---------- | --------- | --------- | ------- | --------- | ------- |"
printf '%s\n' "${results[@]}"
