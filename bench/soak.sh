#!/bin/bash
# bench/soak.sh — a long mixed load over a 10,000-store tenant directory
# (issue 14): is the server's memory, its file descriptors and its p99 flat
# over time, with no errors?  Not a test (never part of `make test`).
#
#   bench/soak.sh                   the full run: 600 s
#   SOAK_SECONDS=60 bench/soak.sh   a quick try
#
# What it sets up (everything throwaway, in one scratch directory):
#   - two PostgreSQL clusters (tests/lib/pg.sh), A and B;
#   - on A: the home database (QT_DB: operators, plans, the platform audit)
#     and the tenant directory's database (QT_DIRECTORY_DB); cluster "a" is
#     a database of its own on A, cluster "b" the database on B;
#   - $STORES stores (10,000), half on each cluster, seeded as the owner by
#     bench-seed --tenants (bench/seed.c; slugs bt00001.. on a, the rest on
#     b), each with $CUSTOMERS customers of $ENTRIES entries, then
#     registered by `quantumtrack cluster add` (which records the stores a
#     cluster already holds);
#   - one `quantumtrack serve` as the app role, with the directory; no
#     balancer in front (section 1 of docs/SCALING.md covers nginx).
# The load and the sampler are bench/soak-client.mjs: $CONNS connections,
# each request to a random customer of a random store, 60 % reads
# (customer, customer list, a customer's entries, the summary report) and
# 40 % writes (purchases and payments with an Idempotency-Key), for
# $SOAK_SECONDS; every $INTERVAL s the server's VmRSS, its open fds
# (/proc/PID/fd) and that interval's p50/p99 and errors (any answer but a
# 2xx or a 429, printed as they come).  Then a table of the samples, a
# verdict line (first sample against last), a line of costs (the server's
# and PostgreSQL's CPU a request, from /proc of the server and of each
# cluster's postmaster and backends; WAL bytes a write, from
# pg_current_wal_lsn() on both), and `quantumtrack verify` of a few stores
# on each cluster.  COSTS=1 then runs $COST_SECONDS of reads only and of
# writes only (SOAK_MIX of the client) for the cost of each.
#
# Knobs: SOAK_SECONDS (600; DURATION is the same knob), STORES (10000),
# CUSTOMERS (2 a store), ENTRIES (4 a customer), CONNS (16), INTERVAL (10),
# PG_SEED_JOBS (4 a cluster), COSTS=1, COST_SECONDS (60), BUILD (build/bench), KEEP=1, TABLE_OUT=FILE
# (a copy of the table).
set -euo pipefail
cd "$(dirname "$0")/.."
SOAK_SECONDS=${SOAK_SECONDS:-${DURATION:-600}}
SOAK_SECONDS=${SOAK_SECONDS%s}
unset DURATION
CONNS=${CONNS:-16}
. bench/lib.sh

STORES=${STORES:-10000}
CUSTOMERS=${CUSTOMERS:-2}
ENTRIES=${ENTRIES:-4}
INTERVAL=${INTERVAL:-10}
PG_SEED_JOBS=${PG_SEED_JOBS:-4}
COSTS=${COSTS:-0}
COST_SECONDS=${COST_SECONDS:-60}

bench_need curl python3 gcc make pkg-config node psql initdb pg_ctl ss
bench_work
# Cluster B is ours to stop; bench_cleanup stops A (QT_PG_DIR) and the rest.
pg_b=
soak_cleanup() {
	if [ -n "$pg_b" ]; then
		tests/lib/pg.sh stop "$pg_b" >/dev/null 2>&1 || true
	fi
	bench_cleanup
}
trap soak_cleanup EXIT
bench_secrets
bench_build

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

withdb() { python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$1" "$2"; }

say "PostgreSQL: two throwaway clusters"
bench_pg_start
A_OWNER=$QT_PG_OWNER_URL A_APP=$QT_PG_APP_URL A_ADMIN=$QT_PG_ADMIN_URL
pg_b=$work/pg-b
mkdir -p "$pg_b"
b_env=$(tests/lib/pg.sh start "$pg_b")
B_OWNER=$(sed -n 's/^QT_PG_OWNER_URL=//p' <<<"$b_env")
B_APP=$(sed -n 's/^QT_PG_APP_URL=//p' <<<"$b_env")
B_ADMIN=$(sed -n 's/^QT_PG_ADMIN_URL=//p' <<<"$b_env")
psql "$A_ADMIN" -qAt -c "CREATE DATABASE qt_a OWNER qt_owner" -c "CREATE DATABASE qt_dir OWNER qt_owner" >/dev/null
HOME_OWNER=$A_OWNER HOME_APP=$A_APP
CA_OWNER=$(withdb "$A_OWNER" qt_a) CA_APP=$(withdb "$A_APP" qt_a)
CB_OWNER=$B_OWNER CB_APP=$B_APP
export QT_DIRECTORY_DB
QT_DIRECTORY_DB=$(withdb "$A_OWNER" qt_dir)

half=$((STORES / 2))
"$bin" migrate --db "$HOME_OWNER" >/dev/null
t0=$EPOCHREALTIME
say "seed $STORES stores x $CUSTOMERS customers x $ENTRIES entries, half on each cluster"
"$bin" migrate --db "$CA_OWNER" >/dev/null
"$bin" migrate --db "$CB_OWNER" >/dev/null
"$BUILD/bench-seed" --tenants --jobs "$PG_SEED_JOBS" "$CA_OWNER" "$half" $((half * CUSTOMERS)) "$ENTRIES" >"$work/a.pairs" &
seed_a=$!
"$BUILD/bench-seed" --tenants --jobs "$PG_SEED_JOBS" --first $((half + 1)) "$CB_OWNER" $((STORES - half)) \
	$(((STORES - half) * CUSTOMERS)) "$ENTRIES" >"$work/b.pairs"
wait "$seed_a"
cat "$work/a.pairs" "$work/b.pairs" >"$work/pairs"
printf '   seeded %d stores, %d customers in %.0f s\n' "$STORES" "$(wc -l <"$work/pairs")" \
	"$(echo "$EPOCHREALTIME - $t0" | bc)" >&2
for u in "$(withdb "$A_ADMIN" qt_a)" "$B_ADMIN"; do
	psql "$u" -qAtc "VACUUM ANALYZE" >/dev/null
done

say "tenant directory: clusters a and b"
"$bin" cluster add a --primary "$CA_APP" --owner-url "$CA_OWNER" >&2
"$bin" cluster add b --primary "$CB_APP" --owner-url "$CB_OWNER" >&2
"$bin" cluster list >&2

export QT_DB=$HOME_APP
export QT_DATA_DIR=$work/data
mkdir -p "$QT_DATA_DIR"
bench_serve soak
read -r tok cid < <(head -1 "$work/pairs")
curl -fsS -o /dev/null -H "Authorization: Bearer $tok" "$qt_url/api/v1/customers/$cid" ||
	{ echo "bench: the first pair's GET failed" >&2; tail -5 "$work/soak.err.log" >&2; exit 1; }
read -r tok cid < <(tail -1 "$work/pairs")
curl -fsS -o /dev/null -H "Authorization: Bearer $tok" "$qt_url/api/v1/customers/$cid" ||
	{ echo "bench: the last pair's GET (cluster b) failed" >&2; tail -5 "$work/soak.err.log" >&2; exit 1; }

# CPU ticks of a cluster: the postmaster, the backends it reaped, and the
# live ones (the pooled connections).
pg_ticks() {
	local pm t c
	pm=$(head -1 "$1/data/postmaster.pid")
	t=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat")
	for c in $(cat /proc/"$pm"/task/*/children 2>/dev/null); do
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$c/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
wal_bytes() { psql "$1" -qAtc "SELECT pg_current_wal_lsn() - '0/0'"; }
snapshot() {
	echo "$EPOCHREALTIME $(awk '{ print $14 + $15 }' "/proc/$qt_pid/stat") $(pg_ticks "$QT_PG_DIR") $(pg_ticks "$pg_b")" \
		"$(wal_bytes "$A_ADMIN") $(wal_bytes "$B_ADMIN")"
}

# run_load NAME MIX SECONDS: the client's table in $work/NAME.md, and a
# line of costs: CPU of the server and of PostgreSQL (both clusters) a
# request, WAL a write.
rc=0
run_load() {
	local name=$1 mix=$2 secs=$3 s0 s1 r=0 n w
	say "$mix load for $secs s, $CONNS connections, a sample every $INTERVAL s"
	s0=$(snapshot)
	SOAK_MIX=$mix SOAK_TOTALS=$work/$name.totals node bench/soak-client.mjs "$qt_url" "$work/pairs" "$qt_pid" \
		"$secs" "$CONNS" "$INTERVAL" >"$work/$name.md" || r=$?
	s1=$(snapshot)
	[ "$r" = 0 ] || rc=$r
	n=0 w=0
	[ -s "$work/$name.totals" ] && read -r n w <"$work/$name.totals"
	[ "$n" -gt 0 ] || { echo "bench: the $mix load answered nothing" >&2; rc=1; return; }
	awk -v n="$n" -v w="$w" -v hz="$(getconf CLK_TCK)" -v mix="$mix" 'NR == 1 { split($0, a) } NR == 2 { split($0, b) } END {
		secs = b[1] - a[1]; us = 1000000 / hz
		srv = (b[2] - a[2]) * us; pg = (b[3] - a[3] + b[4] - a[4]) * us; wal = b[5] - a[5] + b[6] - a[6]
		printf "costs (%s): %d requests (%d writes) in %.0f s, %.0f req/s; server CPU %.0f us a request; PostgreSQL CPU %.0f us a request (both clusters, with autovacuum and checkpoints); WAL %s a write, %.2f MB/s\n",
			mix, n, w, secs, n / secs, srv / n, pg / n, (w > 0 ? sprintf("%.0f bytes", wal / w) : "-"), wal / secs / 1048576
	}' <<<"$s0
$s1" >"$work/$name.costs"
	cat "$work/$name.costs" >&2
}

run_load mixed mixed "$SOAK_SECONDS"
if [ "$COSTS" = 1 ]; then
	run_load reads reads "$COST_SECONDS"
	run_load writes writes "$COST_SECONDS"
fi
if ! kill -0 "$qt_pid" 2>/dev/null; then
	echo "bench: the server died" >&2
	tail -20 "$work/soak.err.log" >&2
	rc=1
fi

say "verify: the first and last stores of each cluster"
# As the owner of the home database: the CLI reaches each store on its
# cluster as that cluster's owner.
for slug in bt00001 "$(printf 'bt%05d' "$half")" "$(printf 'bt%05d' $((half + 1)))" "$(printf 'bt%05d' "$STORES")"; do
	QT_DB=$HOME_OWNER "$bin" verify --tenant "$slug" >/dev/null 2>"$work/verify.err" ||
		{ echo "bench: verify $slug failed" >&2; cat "$work/verify.err" >&2; rc=1; }
done

{
	echo
	echo "### bench/soak.sh — $started, $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(nproc) cores, load $load_start → $(cut -d' ' -f1-3 /proc/loadavg)"
	echo
	echo "$STORES stores ($CUSTOMERS customers x $ENTRIES entries each) over two PostgreSQL clusters with a tenant directory; one server; $CONNS connections of mixed load (60 % reads, 40 % purchases and payments) for $SOAK_SECONDS s; one row every $INTERVAL s (latency from the client, which shares the cores)."
	echo
	cat "$work/mixed.md"
	echo
	cat "$work/mixed.costs"
	if [ "$COSTS" = 1 ]; then
		cat "$work/reads.costs" "$work/writes.costs"
	fi
	echo
} | tee "$work/soak.md"
[ -n "${TABLE_OUT:-}" ] && cp "$work/soak.md" "$TABLE_OUT"
exit "$rc"
