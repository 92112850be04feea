#!/bin/bash
# bench/all.sh — every figure of issue 12 against its reference, measured in
# one run, in one process tree, on this machine; prints one markdown table.
# Not a test (never part of `make test`).
#
#   bench/all.sh                 the full run: DURATION=10s, ROUNDS=3
#   QUICK=1 bench/all.sh         to try it: 2 s runs, 1 round
#   bench/all.sh --tenants       then bench/tenants.sh (latency across 1, 100,
#                                10,000 stores) with the same knobs
#
# What it measures (wrk -t1 -c$CONNS -d$DURATION --latency for HTTP):
#   SQLite      nginx (worker_processes 1) serving a 200-byte file: the
#               reference of the SQLite rows; our GET /api/v1/customers/{id}
#               (a customer with $ENTRIES entries) and POST
#               /api/v1/transactions (purchases spread over 100 customers),
#               on a store of $CUSTOMERS customers x $ENTRIES entries seeded
#               by bench/seed.c; the Node peer's GET (bench/peer).
#   PostgreSQL  a throwaway cluster (tests/lib/pg.sh); `pgbench -S -M
#               prepared` and `pgbench -b simple-update -M prepared` (scale
#               10, -c $CONNS -j $PGBENCH_JOBS, in a database of their own on
#               that cluster), then our GET and POST and the peer's GET on
#               the same data, seeded the same way, the server connected as
#               the app role (RLS in force).
#   verify      `quantumtrack verify` on the SQLite store right after the
#               seed ($CUSTOMERS x $ENTRIES entries: 100,000 by default).
#   serve       exec to the first 200 from /readyz and VmRSS after
#               $IDLE_MS ms idle, by bench/startup.c (a C poll loop: a fresh
#               connection every 100 us, CLOCK_MONOTONIC), on the seeded
#               SQLite store and on an empty one.
# Each figure is the median of $ROUNDS rounds, each ratio the median of the
# rounds' ratios; a round runs the reference and ours one after the other (nginx, our GET, the peer's GET, our POST;
# pgbench -S, our GET, the peer's GET, pgbench simple-update, our POST), so
# a change in the machine's load falls on both.  The server runs with plan
# enterprise (no request rate limit).
#
# Knobs: DURATION (10s), ROUNDS (3), CONNS (32), QUICK=1, CUSTOMERS (1000),
# ENTRIES (100), PG_CUSTOMERS (CUSTOMERS; 200 with QUICK=1), BUILD (build/bench), PGBENCH_JOBS (2), IDLE_MS (1000),
# SQLITE=0 / PG=0 / PEER=0 to leave a part out, KEEP=1 keeps $work.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

RUN_TENANTS=0
for a in "$@"; do
	case $a in
	--tenants) RUN_TENANTS=1 ;;
	-h | --help) sed -n '2,40p' "$0"; exit 0 ;;
	*) echo "bench/all.sh: unknown argument $a" >&2; exit 2 ;;
	esac
done

CUSTOMERS=${CUSTOMERS:-1000}
ENTRIES=${ENTRIES:-100}
# Seeding PostgreSQL goes at the API's pace (about 8 round trips an entry):
# a few minutes for 100,000 entries; QUICK=1 seeds 200 customers there.
if [ "${QUICK:-0}" = 1 ]; then PG_CUSTOMERS=${PG_CUSTOMERS:-200}; fi
PG_CUSTOMERS=${PG_CUSTOMERS:-$CUSTOMERS}
PGBENCH_JOBS=${PGBENCH_JOBS:-2}
IDLE_MS=${IDLE_MS:-1000}
SQLITE=${SQLITE:-1}
PG=${PG:-1}
PEER=${PEER:-1}
SLUG=bench
EMAIL=owner@bench.example
PASSWORD=bench-password-123

bench_need wrk nginx curl python3 gcc make pkg-config
[ "$PG" = 1 ] && bench_need pgbench psql initdb pg_ctl ss
[ "$PEER" = 1 ] && bench_need node npm
bench_work
bench_secrets
bench_build
[ "$PEER" = 1 ] && bench_peer_install

# DURATION as whole seconds, for pgbench -T.
secs=$(awk -v d="$DURATION" 'BEGIN { n = d + 0; if (d ~ /m$/) n *= 60; if (n < 1) n = 1; printf "%d", n }')
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

# Per-round figures: R[key] holds "v1 v2 ...", P99[key] the p99s (us),
# BAD[key] the non-2xx and socket errors added up, WHY[key] a breakdown.
declare -A R P99 BAD WHY
record() {
	local key=$1 rps=$2 p99=$3 bad=$4
	R[$key]="${R[$key]:-} $rps"
	P99[$key]="${P99[$key]:-} $p99"
	BAD[$key]=$(( ${BAD[$key]:-0} + bad ))
}
# wrk into R[key], its p99 into P99[key], its non-2xx and socket errors into BAD[key].
measure() {
	local key=$1 out rps p50 p99 bad errs
	shift
	out=$(bench_wrk "$key" "$@")
	read -r rps p50 p99 bad errs <<<"$out"
	record "$key" "$rps" "$p99" $((bad + errs))
	local f=$work/wrk-$key-$bench_round.txt
	local lua
	lua=$(sed -n 's/^statuses: //p' "$f")
	[ -n "$lua" ] && WHY[$key]="${WHY[$key]:-} $lua"
	printf '   round %d  %-12s %10.0f req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %s  socket errors %s%s\n' \
		"$bench_round" "$key" "$rps" "$(echo "$p50 / 1000" | bc -l)" "$(echo "$p99 / 1000" | bc -l)" \
		"$bad" "$errs" "${lua:+  ($lua)}" >&2
}
pgbench_tps() {
	local key=$1 f
	shift
	f=$work/pgbench-$key-$bench_round.txt
	pgbench "$@" -c "$CONNS" -j "$PGBENCH_JOBS" -T "$secs" -n "$pgbench_url" >"$f" 2>&1 || { cat "$f" >&2; exit 1; }
	local tps lat
	tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' "$f" | head -1)
	lat=$(sed -nE 's/^latency average = ([0-9.]+) ms/\1/p' "$f")
	R[$key]="${R[$key]:-} $tps"
	printf '   round %d  %-12s %10.0f TPS    latency average %s ms\n' "$bench_round" "$key" "$tps" "$lat" >&2
}
med() { bench_median ${R[$1]:-0}; }
rounds_of() {
	local v out=""
	for v in ${R[$1]:-}; do out="$out / $(printf '%.0f' "$v")"; done
	echo "${out# / }"
}

# POST /api/v1/transactions: purchases over the first 100 customers; the
# statuses other than 201 are counted by code.
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
			local other = {}
			response = function(status, headers, body)
				if status ~= 201 then other[status] = (other[status] or 0) + 1 end
			end
			done = function(summary, latency, requests)
				local parts = {}
				for s, c in pairs(other) do parts[#parts + 1] = s .. "x" .. c end
				if #parts > 0 then io.write("statuses: " .. table.concat(parts, " ") .. "\n") end
			end
		LUA
	} >"$3"
}

# Ids to compare ours and the peer's bodies on: the GET one, a few others.
compare_ids() {
	local n
	n=$(wc -l <"$1")
	for i in 1 2 $((n / 4)) $(((n + 1) / 2)) $((n - 1)) "$n"; do
		[ "$i" -ge 1 ] && sed -n "${i}p" "$1"
	done | sort -u
}

start_peer() {
	local port
	port=$(bench_free_port)
	PEER_LISTEN=127.0.0.1:$port bench_bg node bench/peer/server.mjs >"$work/peer-$1.log" 2>&1
	peer_pid=$!
	peer_url=http://127.0.0.1:$port
	bench_wait_http "$peer_url/healthz" || { cat "$work/peer-$1.log" >&2; exit 1; }
	head -1 "$work/peer-$1.log" >&2
}

# The customer the GET reads: the middle one, never one of the 100 the
# POST runs write to.
get_id_of() {
	local n i
	n=$(wc -l <"$1")
	i=$(((n + 1) / 2))
	[ "$i" -le 100 ] && i=$n
	sed -n "${i}p" "$1"
}

seed_store() {
	local customers=$2
	"$bin" migrate >/dev/null
	"$bin" tenant create --slug "$SLUG" --name Bench --plan enterprise --owner-email "$EMAIL" \
		--owner-password "$PASSWORD" >/dev/null
	local t0=$EPOCHREALTIME
	"$BUILD/bench-seed" "$QT_DB" "$SLUG" "$EMAIL" "$customers" "$ENTRIES" >"$1"
	printf '   seeded %d customers x %d entries in %.1f s\n' "$(wc -l <"$1")" "$ENTRIES" \
		"$(echo "$EPOCHREALTIME - $t0" | bc)" >&2
}

# ---------------------------------------------------------------- SQLite
if [ "$SQLITE" = 1 ]; then
	say "SQLite: seed $CUSTOMERS customers x $ENTRIES entries (bench/seed.c)"
	export QT_DATA_DIR=$work/sqlite QT_DB=sqlite:$work/sqlite/qt.db
	mkdir -p "$QT_DATA_DIR"
	seed_store "$work/sqlite.ids" "$CUSTOMERS"
	entries=$(sqlite3 "$work/sqlite/qt.db" 'SELECT COUNT(*) FROM transactions' 2>/dev/null || echo $((CUSTOMERS * ENTRIES)))

	say "verify over $entries entries, $ROUNDS times"
	for bench_round in $(seq "$ROUNDS"); do
		t0=$EPOCHREALTIME
		"$bin" verify >"$work/verify.out" 2>&1 || { echo "bench: verify failed:" >&2; cat "$work/verify.out" >&2; exit 1; }
		t=$(echo "$EPOCHREALTIME - $t0" | bc)
		R[verify]="${R[verify]:-} $t"
		printf '   round %d  verify %.3f s\n' "$bench_round" "$t" >&2
	done

	# On the seeded store, and on an empty one (migrated, one store, no
	# customers): what start-up does with the data shows as the difference.
	mkdir -p "$work/empty"
	QT_DB=sqlite:$work/empty/qt.db "$bin" migrate >/dev/null
	QT_DB=sqlite:$work/empty/qt.db "$bin" tenant create --slug "$SLUG" --name Bench --plan enterprise \
		--owner-email "$EMAIL" --owner-password "$PASSWORD" >/dev/null
	for store in seeded empty; do
		say "serve on the $store store: exec to ready and idle RSS ($ROUNDS times, bench/startup.c)"
		db=$QT_DB
		[ "$store" = empty ] && db=sqlite:$work/empty/qt.db
		for bench_round in $(seq "$ROUNDS"); do
			port=$(bench_free_port)
			line=$(QT_DB=$db "$BUILD/bench-startup" "$port" "$IDLE_MS" /readyz "$bin" serve --listen "127.0.0.1:$port" \
				2>>"$work/startup.err") || true
			[ -n "$line" ] || { cat "$work/startup.err" >&2; exit 1; }
			ready=${line#ready_ms=}; ready=${ready%% *}
			rss=$(echo "$line" | sed -E 's/.*rss_kib=([0-9]+).*/\1/')
			R[ready_$store]="${R[ready_$store]:-} $ready"
			R[rss_$store]="${R[rss_$store]:-} $rss"
			R[anon_$store]="${R[anon_$store]:-} $(echo "$line" | sed -E 's/.*anon_kib=([0-9-]+).*/\1/')"
			R[file_$store]="${R[file_$store]:-} $(echo "$line" | sed -E 's/.*file_kib=([0-9-]+).*/\1/')"
			printf '   round %d  ready %.2f ms  VmRSS %d KiB  (%s)\n' "$bench_round" "$ready" "$rss" "$line" >&2
		done
	done

	say "SQLite: wrk -t1 -c$CONNS -d$DURATION, $ROUNDS rounds ($(nproc) cores shared by nginx, server, peer and wrk)"
	bench_nginx
	bench_serve sqlite
	token=$(bench_login "$qt_url" "$SLUG" "$EMAIL" "$PASSWORD")
	get_id=$(get_id_of "$work/sqlite.ids")
	post_lua "$work/sqlite.ids" "$token" "$work/post-sqlite.lua"
	curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$qt_url/api/v1/customers/$get_id"
	if [ "$PEER" = 1 ]; then
		start_peer sqlite
		# shellcheck disable=SC2046
		python3 bench/compare.py "$token" "$qt_url" "$peer_url" $(compare_ids "$work/sqlite.ids") >&2
	fi
	# Warm up: caches, connections, the peer's JIT.
	DURATION=1s bench_wrk warm "$nginx_url/static.txt" >/dev/null
	DURATION=1s bench_wrk warm -H "Authorization: Bearer $token" "$qt_url/api/v1/customers/$get_id" >/dev/null
	[ "$PEER" = 1 ] && DURATION=2s bench_wrk warm -H "Authorization: Bearer $token" "$peer_url/api/v1/customers/$get_id" >/dev/null
	for bench_round in $(seq "$ROUNDS"); do
		measure nginx "$nginx_url/static.txt"
		measure sq_get -H "Authorization: Bearer $token" "$qt_url/api/v1/customers/$get_id"
		[ "$PEER" = 1 ] && measure sq_peer -H "Authorization: Bearer $token" "$peer_url/api/v1/customers/$get_id"
		measure sq_post -s "$work/post-sqlite.lua" "$qt_url"
	done
	[ "$PEER" = 1 ] && bench_stop "$peer_pid"
	bench_stop "$qt_pid"
	bench_stop "$nginx_pid"
	"$bin" verify >"$work/verify-after.out" 2>&1 || { echo "bench: verify failed after the POST runs:" >&2; cat "$work/verify-after.out" >&2; exit 1; }
	echo "   verify after the POST runs: ok" >&2
fi

# ------------------------------------------------------------ PostgreSQL
if [ "$PG" = 1 ]; then
	say "PostgreSQL: a throwaway cluster"
	bench_pg_start
	echo "   cluster on port $PGPORT" >&2
	psql "$QT_PG_ADMIN_URL" -qAtc "CREATE DATABASE pgbench OWNER qt_owner" >/dev/null
	pgbench_url=${QT_PG_OWNER_URL%/quantumtrack}/pgbench
	pgbench -i -q -s 10 "$pgbench_url" >"$work/pgbench-init.log" 2>&1 || { cat "$work/pgbench-init.log" >&2; exit 1; }

	say "PostgreSQL: seed $PG_CUSTOMERS customers x $ENTRIES entries (bench/seed.c, as the owner role)"
	export QT_DATA_DIR=$work/pgdata QT_DB=$QT_PG_OWNER_URL
	mkdir -p "$QT_DATA_DIR"
	seed_store "$work/pg.ids" "$PG_CUSTOMERS"
	psql "$QT_PG_ADMIN_URL" -qAtc "VACUUM ANALYZE" >/dev/null

	say "PostgreSQL: pgbench -c $CONNS -j $PGBENCH_JOBS -T $secs and wrk -t1 -c$CONNS -d$DURATION, $ROUNDS rounds"
	export QT_DB=$QT_PG_APP_URL
	bench_serve pg
	token=$(bench_login "$qt_url" "$SLUG" "$EMAIL" "$PASSWORD")
	get_id=$(get_id_of "$work/pg.ids")
	post_lua "$work/pg.ids" "$token" "$work/post-pg.lua"
	curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$qt_url/api/v1/customers/$get_id"
	if [ "$PEER" = 1 ]; then
		start_peer pg
		# shellcheck disable=SC2046
		python3 bench/compare.py "$token" "$qt_url" "$peer_url" $(compare_ids "$work/pg.ids") >&2
	fi
	secs_save=$secs
	secs=1
	bench_round=0
	pgbench_tps warm -S -M prepared >/dev/null 2>&1
	unset 'R[warm]'
	secs=$secs_save
	DURATION=1s bench_wrk warm -H "Authorization: Bearer $token" "$qt_url/api/v1/customers/$get_id" >/dev/null
	[ "$PEER" = 1 ] && DURATION=2s bench_wrk warm -H "Authorization: Bearer $token" "$peer_url/api/v1/customers/$get_id" >/dev/null
	for bench_round in $(seq "$ROUNDS"); do
		pgbench_tps pgS -S -M prepared
		measure pg_get -H "Authorization: Bearer $token" "$qt_url/api/v1/customers/$get_id"
		[ "$PEER" = 1 ] && measure pg_peer -H "Authorization: Bearer $token" "$peer_url/api/v1/customers/$get_id"
		pgbench_tps pgU -b simple-update -M prepared
		measure pg_post -s "$work/post-pg.lua" "$qt_url"
	done
	[ "$PEER" = 1 ] && bench_stop "$peer_pid"
	bench_stop "$qt_pid"
	QT_DB=$QT_PG_OWNER_URL "$bin" verify >"$work/verify-pg.out" 2>&1 || { echo "bench: verify failed after the POST runs:" >&2; cat "$work/verify-pg.out" >&2; exit 1; }
	echo "   verify after the POST runs: ok" >&2
fi

# ----------------------------------------------------------------- table
# The median of the rounds' ratios: each round's two figures were measured
# one right after the other, under the same load.
ratio() {
	local a=(${R[$1]:-}) b=(${R[$2]:-}) i rs=()
	for i in "${!a[@]}"; do
		[ -n "${b[$i]:-}" ] && rs+=("$(awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN { if (y > 0) printf "%.6f", x / y; else print 0 }')")
	done
	[ ${#rs[@]} -eq 0 ] && { echo "-"; return; }
	printf '%.3f' "$(bench_median "${rs[@]}")"
}
meets() { # value op bar
	awk -v v="$1" -v op="$2" -v b="$3" 'BEGIN {
		if (v == "-") { print "-"; exit }
		ok = (op == ">=" && v >= b) || (op == "<" && v < b) || (op == "<=" && v <= b)
		print ok ? "yes" : "**no**" }'
}
num() { printf '%.0f' "$1" | sed -E ':a;s/^([0-9]+)([0-9]{3})/\1,\2/;ta'; }
ms() { awk -v u="$1" 'BEGIN { printf "%.2f ms", u / 1000 }'; }
errs() {
	local s="non-2xx ${BAD[$1]:-0}"
	[ -n "${WHY[$1]:-}" ] && s="$s:${WHY[$1]}"
	echo "$s"
}
ours_cell() { echo "$(num "$(med "$1")") req/s (p99 $(ms "$(bench_median ${P99[$1]})"), $(errs "$1"))"; }

rev=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD -- src 2>/dev/null || rev="$rev+changes"
{
	echo
	echo "### bench/all.sh — $started, $rev, $(nproc) cores, DURATION=$DURATION ROUNDS=$ROUNDS CONNS=$CONNS, load $load_start → $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "Medians of $ROUNDS alternating rounds (each round's figures in the last column); a ratio is the median of the rounds' ratios. HTTP: wrk -t1 -c$CONNS -d$DURATION; pgbench -c $CONNS -j $PGBENCH_JOBS; server, references, peer and load generator share the $(nproc) cores."
	echo
	echo "| figure | ours | reference (same run) | ratio | bar | met | rounds (ours; ref) |"
	echo "| --- | --- | --- | --- | --- | --- | --- |"
	if [ "$SQLITE" = 1 ]; then
		n=$(med nginx)
		r=$(ratio sq_get nginx)
		echo "| SQLite \`GET /api/v1/customers/{id}\` | $(ours_cell sq_get) | nginx static 200 B, 1 worker: $(num "$n") req/s | $r | ≥ 0.6 | $(meets "$r" ">=" 0.6) | $(rounds_of sq_get); $(rounds_of nginx) |"
		r=$(ratio sq_post nginx)
		echo "| SQLite \`POST /api/v1/transactions\` | $(ours_cell sq_post) | nginx: $(num "$n") req/s | $r | ≥ 0.15 | $(meets "$r" ">=" 0.15) | $(rounds_of sq_post); $(rounds_of nginx) |"
	fi
	if [ "$PG" = 1 ]; then
		n=$(med pgS)
		r=$(ratio pg_get pgS)
		echo "| PostgreSQL \`GET /api/v1/customers/{id}\` | $(ours_cell pg_get) | \`pgbench -S -M prepared\`: $(num "$n") TPS | $r | ≥ 0.25 | $(meets "$r" ">=" 0.25) | $(rounds_of pg_get); $(rounds_of pgS) |"
		n=$(med pgU)
		r=$(ratio pg_post pgU)
		echo "| PostgreSQL \`POST /api/v1/transactions\` | $(ours_cell pg_post) | \`pgbench -b simple-update -M prepared\`: $(num "$n") TPS | $r | ≥ 0.3 | $(meets "$r" ">=" 0.3) | $(rounds_of pg_post); $(rounds_of pgU) |"
	fi
	if [ "$SQLITE" = 1 ]; then
		v=$(med verify)
		echo "| \`verify\`, $(num "$entries") entries (SQLite) | $(printf '%.3f' "$v") s | | | < 0.5 s | $(meets "$v" "<" 0.5) | $(for x in ${R[verify]}; do printf '%.3f ' "$x"; done) |"
		for store in seeded empty; do
			what="the seeded store"
			[ "$store" = empty ] && what="an empty store"
			v=$(awk -v k="$(med "rss_$store")" 'BEGIN { printf "%.2f", k / 1024 }')
			echo "| \`serve\` idle RSS (VmRSS ${IDLE_MS} ms after ready; SQLite, $what) | $v MiB | | | ≤ 8 MiB | $(meets "$v" "<=" 8) | VmRSS $(for x in ${R[rss_$store]}; do printf '%d ' "$x"; done)KiB; median RssAnon $(med "anon_$store") KiB, RssFile $(med "file_$store") KiB |"
		done
		for store in seeded empty; do
			what="the seeded store"
			[ "$store" = empty ] && what="an empty store"
			v=$(printf '%.2f' "$(med "ready_$store")")
			echo "| \`serve\` exec → first 200 from /readyz (SQLite, $what; bench/startup.c, a C poll every 100 µs) | $v ms | | | ≤ 20 ms | $(meets "$v" "<=" 20) | $(for x in ${R[ready_$store]}; do printf '%.2f ' "$x"; done) |"
		done
	fi
	if [ "$PEER" = 1 ]; then
		w=$(node -e 'console.log(require("os").availableParallelism())')
		if [ "$SQLITE" = 1 ]; then
			r=$(ratio sq_get sq_peer)
			echo "| GET vs the Node peer, SQLite | $(num "$(med sq_get)") req/s | Fastify + better-sqlite3, node:cluster $w workers: $(num "$(med sq_peer)") req/s (p99 $(ms "$(bench_median ${P99[sq_peer]})"), $(errs sq_peer)) | ${r}× | ≥ 2.5× | $(meets "$r" ">=" 2.5) | $(rounds_of sq_get); $(rounds_of sq_peer) |"
		fi
		if [ "$PG" = 1 ]; then
			r=$(ratio pg_get pg_peer)
			echo "| GET vs the Node peer, PostgreSQL | $(num "$(med pg_get)") req/s | Fastify + pg, node:cluster $w workers: $(num "$(med pg_peer)") req/s (p99 $(ms "$(bench_median ${P99[pg_peer]})"), $(errs pg_peer)) | ${r}× | ≥ 2.5× | $(meets "$r" ">=" 2.5) | $(rounds_of pg_get); $(rounds_of pg_peer) |"
		fi
	fi
	echo
} | tee "$work/table.md"
[ -n "${TABLE_OUT:-}" ] && cp "$work/table.md" "$TABLE_OUT"

if [ "$RUN_TENANTS" = 1 ]; then
	# Its own cluster and stores; the same knobs.
	bench/tenants.sh
fi
