#!/bin/bash
# Every test: unit, fuzz smoke, black-box API on SQLite and on PostgreSQL,
# browser.  Ends with one line "N passed, N failed".
set -u
build=${1:-build/rel}
cd "$(dirname "$0")/.."
out=${QT_TEST_OUT:-test-output}
mkdir -p "$out"
pass=0; fail=0

add() { pass=$((pass + $1)); fail=$((fail + $2)); }

section() { printf '\n=== %s ===\n' "$1"; }

# Node's TAP reporter ends with "# pass N" and "# fail N".
node_suite() {
	local label=$1; shift
	local log="$out/$label.tap"
	local t0=$SECONDS
	# One test file at a time (each starts its own servers); Node before 20
	# has no --test-concurrency and runs files one per spare core anyway.
	local conc=--test-concurrency=1
	node --test-concurrency=1 -e 0 >/dev/null 2>&1 || conc=
	node --test --test-reporter=tap $conc "$@" >"$log" 2>&1
	local rc=$?
	local p f
	p=$(grep -E '^# pass ' "$log" | tail -1 | awk '{print $3}')
	f=$(grep -E '^# fail ' "$log" | tail -1 | awk '{print $3}')
	p=${p:-0}; f=${f:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	grep -E '^\s*not ok' "$log" | head -40
	if [ "$f" -ne 0 ]; then
		echo "--- $label failures (see $log) ---"
		grep -B2 -A25 -E '^\s*not ok' "$log" | head -150
	fi
	echo "$label: $p passed, $f failed ($((SECONDS - t0)) s)"
	echo "$p $f" >"$out/$label.counts"
}

# Suites run two at a time (most of a black-box test's time is waiting on
# its servers, so two share the 2 cores well): run_bg starts one with its
# report in a file, collect prints the report once it is done and counts it.
run_bg() {
	local label=$1; shift
	rm -f "$out/$label.counts"
	node_suite "$label" "$@" >"$out/$label.report" 2>&1 &
}
collect() {
	local label=$1 p=0 f=1
	wait "$2"
	cat "$out/$label.report"
	[ -f "$out/$label.counts" ] && read -r p f <"$out/$label.counts"
	add "$p" "$f"
}

# One throwaway PostgreSQL cluster for the whole run (stopped on exit, also
# when a test fails); each API test file creates its own database in it.
pgdir=$(mktemp -u /tmp/qt-pg.XXXXXX)
if pgenv=$(tests/lib/pg.sh start "$pgdir"); then
	trap 'tests/lib/pg.sh stop "$pgdir" >/dev/null 2>&1' EXIT
	set -a; eval "$pgenv"; set +a
	have_pg=1
else
	echo "could not start a throwaway PostgreSQL cluster"; add 0 1
	have_pg=0
fi

# The fuzz targets build (clang) while the unit tests run.
fuzz_log="$out/fuzz.log"
make --no-print-directory -s fuzz-smoke >"$fuzz_log" 2>&1 &
fuzz_pid=$!

section "unit tests"
units=$(ls "$build"/tests/test_* 2>/dev/null | grep -v "\.d$")
line=$(scripts/run-unit.sh $units | tee /dev/stderr | tail -1)
add "$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/')" \
    "$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/')"

section "fuzz targets (smoke run over the committed corpus)"
wait "$fuzz_pid"
fz=$(cat "$fuzz_log")
echo "$fz" | grep -E '^(ok|not ok)'
echo "$fz" | grep -q '^not ok' && echo "$fz" | grep -vE '^ok' | tail -40
echo "$fz" | grep -qE '^(ok|not ok)' || { echo "$fz" | tail -20; add 0 1; }
add "$(echo "$fz" | grep -c '^ok')" "$(echo "$fz" | grep -c '^not ok')"

export QT_BIN="$PWD/quantumtrack"

# The API suite on both backends at once, then the scale and browser tests.
QT_TEST_DB=sqlite run_bg api-sqlite tests/api/
sqlite_pid=$!
if [ "$have_pg" = 1 ]; then
	QT_TEST_DB=postgres run_bg api-postgres tests/api/
	pg_pid=$!
fi
section "API black-box tests on SQLite"
collect api-sqlite "$sqlite_pid"
if [ "$have_pg" = 1 ]; then
	section "API black-box tests on PostgreSQL"
	collect api-postgres "$pg_pid"
fi

# Several servers behind nginx, streaming replicas, failover, the tenant
# directory, the systemd unit: each file starts its own PostgreSQL
# clusters and nginx (also `make test-scale`).
run_bg scale tests/scale/
scale_pid=$!
if ls tests/browser/*.test.mjs >/dev/null 2>&1; then
	QT_TEST_DB=sqlite run_bg browser tests/browser/
	browser_pid=$!
	section "browser tests (Chromium)"
	collect browser "$browser_pid"
fi
section "scale tests (load balancer, read replicas, failover, directory, deploy/)"
collect scale "$scale_pid"

echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
