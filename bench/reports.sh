#!/bin/bash
# bench/reports.sh — the time of each report on the bench store, against
# the sqlite3 shell running the same SQL on the same file in the same run
# (not a test).
#
# Builds quantumtrack and bench/seed.c, seeds a SQLite store with 1,000
# customers x 100 entries over 180 days (as bench/ledger.sh does), adds six
# delivered reminders per customer a month apart (so the collections report
# has reminders to follow), starts the server, and for each report prints
# the best, median and worst of RUNS requests (curl, one at a time, HTTP
# on loopback included) beside the best of RUNS runs of its SQL in the
# sqlite3 shell (.timer; each statement once per run; the aging reference
# reads all open lots of the owing customers in one query where the server
# pages per customer).  Target: median < 50 ms for each report.  The load
# average is printed: on a shared machine other work slows every figure.
#
#   bench/reports.sh                BUILD=build/bench, 1000 customers, 100 entries each
#   CUSTOMERS=200 ENTRIES=50 RUNS=10 bench/reports.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${BUILD:-build/bench}
CUSTOMERS=${CUSTOMERS:-1000}
ENTRIES=${ENTRIES:-100}
RUNS=${RUNS:-21}
TARGET_MS=50

for tool in curl sqlite3 python3; do
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
export QT_REMINDER_TICK_S=0
slug=bench
email=owner@bench.example
password=bench-password-123
db=$work/qt.db

echo "== seed: $CUSTOMERS customers x $ENTRIES entries"
"$bin" migrate >/dev/null
"$bin" tenant create --slug "$slug" --name Bench --plan enterprise --owner-email "$email" \
	--owner-password "$password" >/dev/null
t0=$(date +%s.%N)
"$BUILD/bench-seed" "$QT_DB" "$slug" "$email" "$CUSTOMERS" "$ENTRIES" >"$work/ids"
t1=$(date +%s.%N)
now_ms=$(( $(date +%s) * 1000 ))
day=86400000
tenant=$(sqlite3 "$db" "SELECT id FROM tenants WHERE slug = '$slug'")
sqlite3 "$db" "INSERT INTO reminders (tenant_id, id, customer_id, kind, trigger, channel, status, message,
	  balance_minor, overdue_minor, currency, created_by, created_at, updated_at)
	SELECT c.tenant_id, lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-7' || substr(hex(randomblob(2)), 2)
	  || '-8' || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))), c.id, 'reminder', 'scheduled',
	  'whatsapp_cloud', 'delivered', 'bench', c.balance_minor, 0, 'INR', 'bench',
	  $now_ms - k.n * 30 * $day - 3600000, $now_ms - k.n * 30 * $day - 3600000
	FROM customers c, (SELECT 0 AS n UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3
	  UNION ALL SELECT 4 UNION ALL SELECT 5) k WHERE c.tenant_id = '$tenant'"
printf 'seeded %s customers, %s entries, %s reminders in %.1f s\n' "$(wc -l <"$work/ids")" \
	"$(sqlite3 "$db" 'SELECT COUNT(*) FROM transactions')" "$(sqlite3 "$db" 'SELECT COUNT(*) FROM reminders')" \
	"$(echo "$t1 - $t0" | bc)"

qport=$(free_port)
"$bin" serve --listen "127.0.0.1:$qport" >"$work/access.log" 2>"$work/server.log" &
pids+=($!)
for _ in $(seq 100); do curl -fsS -o /dev/null "http://127.0.0.1:$qport/healthz" 2>/dev/null && break; sleep 0.1; done
token=$(curl -fsS -X POST "http://127.0.0.1:$qport/api/v1/auth/login" -H 'Content-Type: application/json' \
	-d "{\"tenant\":\"$slug\",\"email\":\"$email\",\"password\":\"$password\"}" |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')

# The store's local day (Asia/Kolkata, the default) as the server computes it.
today=$(TZ=Asia/Kolkata date +%F)
from30=$(TZ=Asia/Kolkata date -d "$today -29 days" +%F)
from180=$(TZ=Asia/Kolkata date -d "$today -179 days" +%F)
midnight() { echo $(( $(TZ=Asia/Kolkata date -d "$1 00:00" +%s) * 1000 )); }
today_ms=$(midnight "$today")
tomorrow_ms=$(( today_ms + day ))
month_ms=$(midnight "$(TZ=Asia/Kolkata date +%Y-%m-01)")
f30_ms=$(midnight "$from30")
f180_ms=$(midnight "$from180")
not_due_after=$(( now_ms - 30 * day ))

# The SQL of src/store/store_reports.c with the parameters filled in.
T="tenant_id = '$tenant'"
NOT_REVERSED="NOT EXISTS (SELECT 1 FROM transactions x WHERE x.tenant_id = t.tenant_id AND x.reverses_id = t.id)"
sql_reversed="SELECT o.customer_id, o.occurred_at, o.type, COALESCE(o.payment_method, 'other'), o.amount_minor,
  o.effect_minor FROM transactions r CROSS JOIN transactions o WHERE r.$T AND r.reverses_id IS NOT NULL
  AND o.tenant_id = r.tenant_id AND o.id = r.reverses_id;"
sql_owing="SELECT c.id, c.name, c.apartment, c.balance_minor, (SELECT CAST(COALESCE(SUM(t.effect_minor), 0) AS BIGINT)
  FROM transactions t WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id AND t.effect_minor > 0
  AND t.type <> 'reversal' AND t.occurred_at > $not_due_after), COALESCE(c.oldest_due_at, 0),
  COALESCE(c.credit_limit_minor, 500000), c.phone FROM customers c WHERE c.$T AND c.balance_minor > 0
  ORDER BY c.balance_minor DESC, c.id;"
day_sum() {
	echo "SELECT CAST(COALESCE(SUM(t.amount_minor), 0) AS BIGINT) FROM transactions t WHERE t.$T
  AND t.occurred_at >= $1 AND t.occurred_at < $2 AND t.type = '$3';"
}
# Purchases and payments of [$1, $2), as store_report_flows.
sql_flows() {
	day_sum "$1" "$2" purchase
	day_sum "$1" "$2" payment
	echo "$sql_reversed"
}
# Each day from local date $1 to $2, as store_report_days.
sql_days() {
	local d=$1 next
	while [[ ! "$d" > "$2" ]]; do
		next=$(TZ=Asia/Kolkata date -d "$d +1 day" +%F)
		day_sum "$(midnight "$d")" "$(midnight "$next")" purchase
		day_sum "$(midnight "$d")" "$(midnight "$next")" payment
		d=$next
	done
	echo "$sql_reversed"
}
sql_lots="SELECT t.customer_id, t.occurred_at, t.effect_minor, t.id FROM customers c JOIN transactions t
  ON t.tenant_id = c.tenant_id AND t.customer_id = c.id WHERE c.$T AND c.balance_minor > 0
  AND t.effect_minor > 0 AND t.type <> 'reversal' AND $NOT_REVERSED ORDER BY t.customer_id, t.occurred_at DESC, t.id DESC;"
sql_towers="SELECT tower, floor, COUNT(*), CAST(COALESCE(SUM(balance_minor), 0) AS BIGINT) FROM customers
  WHERE $T AND apartment IS NOT NULL AND balance_minor > 0 GROUP BY tower, floor ORDER BY tower, floor;"
# $1 $2: the period; $3: head or tail, as the server chooses for it.
sql_collections() {
	local side=">= $1"
	[ "$3" = head ] && side="< $1"
	echo "SELECT 'purchase', NULL, COUNT(*), CAST(COALESCE(SUM(t.amount_minor), 0) AS BIGINT) FROM transactions t
  WHERE t.$T AND t.occurred_at >= $1 AND t.occurred_at < $2 AND t.type = 'purchase' UNION ALL
  SELECT 'payment', COALESCE(t.payment_method, 'other'), COUNT(*), CAST(COALESCE(SUM(t.amount_minor), 0) AS BIGINT)
  FROM transactions t WHERE t.$T AND t.occurred_at >= $1 AND t.occurred_at < $2 AND t.type = 'payment'
  GROUP BY COALESCE(t.payment_method, 'other');"
	echo "SELECT (SELECT MIN(occurred_at) FROM transactions WHERE $T), (SELECT MAX(occurred_at) FROM transactions WHERE $T);"
	echo "SELECT c.id, c.balance_minor, (SELECT CAST(COALESCE(SUM(t.effect_minor), 0) AS BIGINT) FROM transactions t
  WHERE t.tenant_id = c.tenant_id AND t.customer_id = c.id AND t.type <> 'reversal' AND t.occurred_at $side),
  (SELECT CAST(COALESCE(SUM(t.effect_minor), 0) AS BIGINT) FROM transactions t WHERE t.tenant_id = c.tenant_id
  AND t.customer_id = c.id AND t.type <> 'reversal' AND t.occurred_at >= $2) FROM customers c WHERE c.$T;"
	echo "SELECT o.customer_id, o.occurred_at, o.type, COALESCE(o.payment_method, 'other'), o.amount_minor, o.effect_minor
  FROM transactions r CROSS JOIN transactions o WHERE r.$T AND r.reverses_id IS NOT NULL
  AND o.tenant_id = r.tenant_id AND o.id = r.reverses_id;"
	echo "SELECT m.customer_id, m.created_at, (SELECT t.occurred_at FROM transactions t WHERE t.tenant_id = m.tenant_id
  AND t.customer_id = m.customer_id AND t.occurred_at >= m.created_at AND t.occurred_at <= m.created_at + 604800000
  AND t.type = 'payment' AND $NOT_REVERSED ORDER BY t.occurred_at LIMIT 1) FROM reminders m WHERE m.$T
  AND m.created_at >= $1 AND m.created_at < $2 AND m.kind = 'reminder' AND m.status IN ('sent', 'delivered', 'read');"
}

# Best, median and worst of RUNS requests, in ms (after two warm-up
# requests).  On a shared machine the best is the report's own time and
# the median what other work left of it.
api_ms() {
	local url="http://127.0.0.1:$qport$1" out
	for _ in 1 2; do curl -fsS -o /dev/null -H "Authorization: Bearer $token" "$url"; done
	out=$(for _ in $(seq "$RUNS"); do
		curl -fsS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $token" "$url"
	done | sort -n)
	echo "$out" | awk '{ v[NR] = $1 * 1000 } END { printf "%.1f %.1f %.1f", v[1], v[int((NR + 1) / 2)], v[NR] }'
}

# Best of RUNS runs of the SQL in the sqlite3 shell with the server's
# memory map and cache size, in ms (all statements of one run added up).
sqlite_ms() {
	local sql=$1 script
	script=$(printf 'PRAGMA mmap_size=268435456;\nPRAGMA cache_size=-16384;\n.timer on\n'; for _ in $(seq "$RUNS"); do
		printf '.output /dev/null\n%s\n.output stdout\n.print RUN\n' "$sql"; done)
	sqlite3 "$db" <<<"$script" 2>&1 | awk '
		/^Run Time:/ { t += $4 * 1000 }
		/^RUN$/ { if (n == 0 || t < best) best = t; n++; t = 0 }
		END { printf "%.1f", best }'
}

echo "== $RUNS requests each, one at a time ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); server, curl and sqlite3 share them)"
printf '%-40s %8s %10s %9s %11s %8s\n' report "best ms" "median ms" "worst ms" "sqlite3 ms" verdict
slow=0
row() {
	local label=$1 path=$2 sql=$3 best med worst ref verdict
	read -r best med worst <<<"$(api_ms "$path")"
	ref=$([ -n "$sql" ] && sqlite_ms "$sql" || echo "-")
	verdict=ok
	if awk -v m="$med" -v t="$TARGET_MS" 'BEGIN { exit !(m >= t) }'; then verdict=SLOW; slow=1; fi
	printf '%-40s %8s %10s %9s %11s %8s\n' "$label" "$best" "$med" "$worst" "$ref" "$verdict"
}
row "GET /reports/summary" /api/v1/reports/summary \
	"$sql_owing $sql_reversed $(sql_flows "$today_ms" "$tomorrow_ms") $(sql_flows "$month_ms" "$tomorrow_ms")"
row "GET /reports/aging" /api/v1/reports/aging "$sql_owing $sql_reversed $sql_lots"
row "GET /reports/daily (30 days)" /api/v1/reports/daily "$(sql_days "$from30" "$today")"
row "GET /reports/daily (180 days)" "/api/v1/reports/daily?from=$from180&to=$today" "$(sql_days "$from180" "$today")"
row "GET /reports/towers" /api/v1/reports/towers "$sql_towers"
row "GET /reports/collections (30 days)" /api/v1/reports/collections "$(sql_collections "$f30_ms" "$tomorrow_ms" tail)"
row "GET /reports/collections (180 days)" "/api/v1/reports/collections?from=$from180&to=$today" \
	"$(sql_collections "$f180_ms" "$tomorrow_ms" head)"
echo "target: median < ${TARGET_MS} ms for each report; sqlite3 is the same SQL without HTTP, JSON or C"
exit $slow
