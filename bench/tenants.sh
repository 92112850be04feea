#!/bin/bash
# bench/tenants.sh — GET /api/v1/customers/{id} latency with the same data
# spread over 1, 100 and 10,000 stores (issue 12: the goal is flat).  Not a
# test.  Also run by `bench/all.sh --tenants`.
#
# For each backend and each store count T: a fresh database, $CUSTOMERS
# customers in all ($CUSTOMERS / T a store) with $ENTRIES entries each,
# seeded by `bench-seed --tenants` (bench/seed.c: the stores as `quantumtrack
# tenant create` makes them, the entries through ledger_record, and one
# access token per store signed with QT_JWT_SECRET as a login signs it);
# then the server, and wrk -t1 -c$CONNS -d$DURATION --latency with a Lua
# script that walks every (token, customer) pair in turn, so successive
# requests go to different stores (T > 1) and each store's every customer
# is read.  Medians of $ROUNDS runs of req/s, p50 and p99.
#
#   bench/tenants.sh                  both backends, 1 100 10000 stores
#   QUICK=1 bench/tenants.sh          2 s runs, 1 round
#   BACKENDS=sqlite TENANT_COUNTS="1 10000" bench/tenants.sh
#
# Knobs: BACKENDS ("sqlite postgres"), TENANT_COUNTS ("1 100 10000"),
# CUSTOMERS (10000), ENTRIES (10), DURATION (10s), ROUNDS (3), CONNS (32),
# QUICK=1, BUILD (build/bench), PG_SEED_JOBS (4), KEEP=1.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/lib.sh

BACKENDS=${BACKENDS:-sqlite postgres}
TENANT_COUNTS=${TENANT_COUNTS:-1 100 10000}
CUSTOMERS=${CUSTOMERS:-10000}
ENTRIES=${ENTRIES:-10}
# PostgreSQL seeds at the API's pace, waiting on round trips: several
# processes, each its own stores (the one-store case gains nothing).
PG_SEED_JOBS=${PG_SEED_JOBS:-4}

bench_need wrk curl python3 gcc make pkg-config
case " $BACKENDS " in *" postgres "*) bench_need psql initdb pg_ctl ss ;; esac
bench_work
bench_secrets
bench_build

# The Lua script: every request the next (token, customer) pair; the
# requests are formatted once, in init.
tenants_lua() {
	cat >"$2" <<-LUA
		local reqs = {}
		init = function(args)
			for line in io.lines("$1") do
				local token, id = line:match("^(%S+) (%S+)$")
				reqs[#reqs + 1] = wrk.format("GET", "/api/v1/customers/" .. id, { ["Authorization"] = "Bearer " .. token })
			end
		end
		local n = 0
		request = function()
			n = n + 1
			return reqs[(n % #reqs) + 1]
		end
	LUA
}

declare -A RPS P50 P99 BAD
results=()
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

for backend in $BACKENDS; do
	if [ "$backend" = postgres ] && [ -z "${QT_PG_DIR:-}" ]; then
		say "PostgreSQL: a throwaway cluster"
		bench_pg_start
	fi
	for t in $TENANT_COUNTS; do
		key=$backend-$t
		say "$backend: $CUSTOMERS customers x $ENTRIES entries over $t store(s)"
		export QT_DATA_DIR=$work/$key
		mkdir -p "$QT_DATA_DIR"
		if [ "$backend" = sqlite ]; then
			export QT_DB=sqlite:$QT_DATA_DIR/qt.db
			seed_url=$QT_DB
		else
			psql "${QT_PG_ADMIN_URL%/quantumtrack}/postgres" -qAt -c "DROP DATABASE IF EXISTS quantumtrack WITH (FORCE)" \
				-c "CREATE DATABASE quantumtrack OWNER qt_owner" >/dev/null
			export QT_DB=$QT_PG_OWNER_URL
			seed_url=$QT_PG_OWNER_URL
		fi
		"$bin" migrate >/dev/null
		t0=$EPOCHREALTIME
		jobs=1
		[ "$backend" = postgres ] && jobs=$PG_SEED_JOBS
		"$BUILD/bench-seed" --tenants --jobs "$jobs" "$seed_url" "$t" "$CUSTOMERS" "$ENTRIES" >"$work/$key.pairs"
		printf '   seeded %d stores, %d customers in %.1f s\n' "$t" "$(wc -l <"$work/$key.pairs")" \
			"$(echo "$EPOCHREALTIME - $t0" | bc)" >&2
		if [ "$backend" = postgres ]; then
			psql "$QT_PG_ADMIN_URL" -qAtc "VACUUM ANALYZE" >/dev/null
			export QT_DB=$QT_PG_APP_URL
		fi
		tenants_lua "$work/$key.pairs" "$work/$key.lua"
		bench_serve "$key"
		read -r tok cid < <(head -1 "$work/$key.pairs")
		curl -fsS -o /dev/null -H "Authorization: Bearer $tok" "$qt_url/api/v1/customers/$cid" ||
			{ echo "bench: the first pair's GET failed" >&2; tail -5 "$work/$key.err.log" >&2; exit 1; }
		DURATION=2s bench_wrk warm -s "$work/$key.lua" "$qt_url" >/dev/null
		for bench_round in $(seq "$ROUNDS"); do
			read -r rps p50 p99 bad errs <<<"$(bench_wrk "$key" -s "$work/$key.lua" "$qt_url")"
			RPS[$key]="${RPS[$key]:-} $rps"
			P50[$key]="${P50[$key]:-} $p50"
			P99[$key]="${P99[$key]:-} $p99"
			BAD[$key]=$(( ${BAD[$key]:-0} + bad + errs ))
			printf '   round %d  %-16s %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  non-2xx %s  socket errors %s\n' \
				"$bench_round" "$key" "$rps" "$(echo "$p50 / 1000" | bc -l)" "$(echo "$p99 / 1000" | bc -l)" "$bad" "$errs" >&2
		done
		bench_stop "$qt_pid"
		results+=("$key")
		[ "${KEEP:-0}" = 1 ] || rm -rf "$QT_DATA_DIR"
	done
done

ms() { awk -v u="$1" 'BEGIN { printf "%.2f", u / 1000 }'; }
{
	echo
	echo "### bench/tenants.sh — $started, $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, DURATION=$DURATION ROUNDS=$ROUNDS CONNS=$CONNS, load $load_start → $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "GET /api/v1/customers/{id}, $CUSTOMERS customers x $ENTRIES entries in all; wrk -t1 -c$CONNS walks every (store token, customer) pair in turn. Medians of $ROUNDS rounds."
	echo
	echo "| backend | stores | customers a store | req/s | p50 | p99 | p99 ÷ p99 of the fewest stores | non-2xx |"
	echo "| --- | --- | --- | --- | --- | --- | --- | --- |"
	for key in "${results[@]}"; do
		backend=${key%-*}
		t=${key##*-}
		p99=$(bench_median ${P99[$key]})
		base=$(bench_median ${P99[$backend-$(echo "$TENANT_COUNTS" | awk '{print $1}')]:-$p99})
		printf '| %s | %s | %s | %.0f | %s ms | %s ms | %s | %s |\n' "$backend" "$t" "$((CUSTOMERS / t))" \
			"$(bench_median ${RPS[$key]})" "$(ms "$(bench_median ${P50[$key]})")" "$(ms "$p99")" \
			"$(awk -v a="$p99" -v b="$base" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')" "${BAD[$key]}"
	done
	echo
} | tee "$work/tenants.md"
[ -n "${TABLE_OUT:-}" ] && cp "$work/tenants.md" "$TABLE_OUT"
exit 0
