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
# 2xx or a 429, printed as they come).  Then a table of the samples and a
# verdict line (first sample against last), and `quantumtrack verify` of
# a few stores on each cluster.
#
# Knobs: SOAK_SECONDS (600; DURATION is the same knob), STORES (10000),
# CUSTOMERS (2 a store), ENTRIES (4 a customer), CONNS (16), INTERVAL (10),
# PG_SEED_JOBS (4 a cluster), BUILD (build/bench), KEEP=1, TABLE_OUT=FILE
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

bench_need curl python3 gcc make pkg-config node psql initdb pg_ctl ss
bench_work
# Cluster B is ours to stop; bench_cleanup stops A (QT_PG_DIR) and the rest.
pg_b=
soak_cleanup() {
	[ -n "$pg_b" ] && tests/lib/pg.sh stop "$pg_b" >/dev/null 2>&1 || true
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

say "mixed load for $SOAK_SECONDS s, $CONNS connections, a sample every $INTERVAL s"
rc=0
node bench/soak-client.mjs "$qt_url" "$work/pairs" "$qt_pid" "$SOAK_SECONDS" "$CONNS" "$INTERVAL" >"$work/samples.md" || rc=$?
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
	cat "$work/samples.md"
	echo
} | tee "$work/soak.md"
[ -n "${TABLE_OUT:-}" ] && cp "$work/soak.md" "$TABLE_OUT"
exit "$rc"
