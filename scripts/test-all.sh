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

section "unit tests"
units=$(ls "$build"/tests/test_* 2>/dev/null | grep -v "\.d$")
line=$(scripts/run-unit.sh $units | tee /dev/stderr | tail -1)
add "$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/')" \
    "$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/')"

section "fuzz targets (smoke run over the committed corpus)"
fz=$(make --no-print-directory -s fuzz-smoke 2>&1)
echo "$fz" | grep -E '^(ok|not ok)'
echo "$fz" | grep -q '^not ok' && echo "$fz" | grep -vE '^ok' | tail -40
echo "$fz" | grep -qE '^(ok|not ok)' || { echo "$fz" | tail -20; add 0 1; }
add "$(echo "$fz" | grep -c '^ok')" "$(echo "$fz" | grep -c '^not ok')"

export QT_BIN="$PWD/quantumtrack"

section "API black-box tests on SQLite"
QT_TEST_DB=sqlite node_suite api-sqlite tests/api/

section "API black-box tests on PostgreSQL"
if [ "$have_pg" = 1 ]; then
	QT_TEST_DB=postgres node_suite api-postgres tests/api/
fi

# Several servers behind nginx, streaming replicas, the systemd unit: each
# file starts its own PostgreSQL primary (and replica) and nginx (about 30 s
# together; also `make test-scale`).
section "scale tests (load balancer, read replicas, deploy/)"
node_suite scale tests/scale/

if ls tests/browser/*.test.mjs >/dev/null 2>&1; then
	section "browser tests (Chromium)"
	QT_TEST_DB=sqlite node_suite browser tests/browser/
fi

echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
