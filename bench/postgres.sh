#!/bin/bash
# bench/postgres.sh — our server on PostgreSQL against PostgreSQL itself,
# measured in one run on one machine, so the ratio means something where
# absolute numbers do not.
#
#   1. a throwaway cluster (tests/lib/pg.sh), durability off as in tests;
#   2. reference: pgbench -S -M prepared -c $CLIENTS -j 2 -T $SECONDS_EACH on a
#      scratch database, over TCP as our server connects;
#   3. ours: quantumtrack serve on PostgreSQL, a store with 1,000 customers
#      and some entries, then wrk -t2 -c$CLIENTS on GET /api/v1/customers/{id}
#      (one customer with 20 entries: the aging read is part of the
#      request) and on POST /api/v1/transactions (purchases spread over
#      100 customers with a huge credit limit);
#   4. prints GET req/s ÷ pgbench TPS (target ≥ 0.5) and the POST rate.
#
# Usage: bench/postgres.sh            (needs pgbench, wrk, psql, node)
# Env:   QT_BIN (default ./quantumtrack), SECONDS_EACH (default 10),
#        CLIENTS (default 32: wrk connections and pgbench clients; 1 shows
#        one request's latency, round trips included),
#        QT_THREADS / QT_DB_POOL for the server (defaults: cores, 2 × threads).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${QT_BIN:-$PWD/quantumtrack}
SECS=${SECONDS_EACH:-10}
CLIENTS=${CLIENTS:-32}
JOBS=$((CLIENTS < 2 ? CLIENTS : 2))
for tool in pgbench wrk psql node; do
	command -v "$tool" >/dev/null || { echo "bench/postgres.sh: $tool not found" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "bench/postgres.sh: $BIN not built (make quantumtrack)" >&2; exit 1; }

work=$(mktemp -d /tmp/qt-bench.XXXXXX)
pgdir=$work/pg
server_pid=
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	tests/lib/pg.sh stop "$pgdir" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$pgdir"
[ "$(id -u)" -eq 0 ] && chmod 755 "$work"

set -a
eval "$(tests/lib/pg.sh start "$pgdir")"
set +a
echo "cluster: PostgreSQL on port $PGPORT ($(nproc) cores here; load $(cut -d' ' -f1-3 /proc/loadavg))"

# ---- reference: pgbench select-only, prepared --------------------------------
psql "$QT_PG_ADMIN_URL" -qAtc "CREATE DATABASE pgbench OWNER qt_owner"
bench_url=${QT_PG_OWNER_URL%/quantumtrack}/pgbench
pgbench -i -q -s 10 "$bench_url" >"$work/pgbench-init.log" 2>&1
pgbench -S -M prepared -c "$CLIENTS" -j $JOBS -T "$SECS" "$bench_url" >"$work/pgbench.log" 2>&1
ref_tps=$(sed -nE 's/^tps = ([0-9.]+) \(without initial connection time\)/\1/p' "$work/pgbench.log")
[ -n "$ref_tps" ] || { cat "$work/pgbench.log"; exit 1; }
printf 'pgbench -S -M prepared -c %d -j %d -T %s: %.0f TPS\n' "$CLIENTS" $JOBS "$SECS" "$ref_tps"

# ---- our server ---------------------------------------------------------------
"$BIN" migrate --db "$QT_PG_OWNER_URL" >/dev/null
export QT_DB=$QT_PG_APP_URL QT_DATA_DIR=$work QT_ACCESS_TTL=3600
QT_JWT_SECRET=bench-$(od -An -tx1 -N24 /dev/urandom | tr -d ' \n')
QT_MASTER_KEY=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
export QT_JWT_SECRET QT_MASTER_KEY
QT_DB=$QT_PG_OWNER_URL "$BIN" tenant create --slug bench --name Bench --plan enterprise \
	--owner-email owner@bench.example --owner-password correct-horse-battery >/dev/null
"$BIN" serve --listen 127.0.0.1:0 2>"$work/server.log" >/dev/null &
server_pid=$!
url=
for _ in $(seq 100); do
	url=$(sed -nE 's/.*listening on (http:\/\/[0-9.]+:[0-9]+).*/\1/p' "$work/server.log" | head -1)
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || { cat "$work/server.log"; exit 1; }
echo "server: $(grep -o 'listening on [^"]*' "$work/server.log" | head -1)"

# 1,000 customers (100 with a huge limit for the POST run), 20 entries on
# the one GET reads, 2 on each of 200 others.
node - "$url" "$work" <<'EOF'
const [url, work] = process.argv.slice(2);
const fs = require('node:fs');
const call = async (method, path, token, body) => {
  const r = await fetch(url + path, { method, headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: body && JSON.stringify(body) });
  const j = await r.json();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(j)}`);
  return j;
};
const pool = async (n, f) => { let i = 0; await Promise.all(Array.from({ length: 16 }, async () => { while (i < n) await f(i++); })); };
(async () => {
  const { access_token: token } = await call('POST', '/api/v1/auth/login', null, { tenant: 'bench', email: 'owner@bench.example', password: 'correct-horse-battery' });
  const ids = [];
  await pool(1000, async (i) => {
    const c = await call('POST', '/api/v1/customers', token, {
      name: `Resident ${i}`, phone: `9${String(100000000 + i)}`, apartment: `${10 + (i % 20)}${String(1 + (i % 30)).padStart(2, '0')}${1 + (i % 9)}`,
      ...(i < 100 ? { credit_limit_minor: 1e14 } : {}),
    });
    ids[i] = c.id;
  });
  const entries = [];
  for (let k = 0; k < 20; k++) entries.push([ids[0], k % 4 === 3 ? 'payment' : 'purchase']);
  for (let i = 100; i < 300; i++) entries.push([ids[i], 'purchase'], [ids[i], 'payment']);
  await pool(entries.length, async (i) => {
    await call('POST', '/api/v1/transactions', token, { customer_id: entries[i][0], type: entries[i][1], amount_minor: entries[i][1] === 'purchase' ? 5000 : 1000 });
  });
  fs.writeFileSync(`${work}/token`, token);
  fs.writeFileSync(`${work}/get_id`, ids[0]);
  fs.writeFileSync(`${work}/post.lua`, `
local ids = { ${ids.slice(0, 100).map((id) => `"${id}"`).join(', ')} }
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer ${token}"
request = function()
  n = n + 1
  local body = '{"customer_id":"' .. ids[(n % #ids) + 1] .. '","type":"purchase","amount_minor":' .. (100 + n % 900) .. '}'
  return wrk.format(nil, "/api/v1/transactions", nil, body)
end
done = function(summary, latency, requests)
  io.write(string.format("non-201 responses: %d\\n", summary.errors.status))
end
`);
})().catch((e) => { console.error(e); process.exit(1); });
EOF
token=$(cat "$work/token")
get_id=$(cat "$work/get_id")

# Warm up (connections, prepared statements), then measure.
wrk -t$JOBS -c"$CLIENTS" -d2s -H "Authorization: Bearer $token" "$url/api/v1/customers/$get_id" >/dev/null
wrk -t$JOBS -c"$CLIENTS" -d"${SECS}s" --latency -H "Authorization: Bearer $token" "$url/api/v1/customers/$get_id" >"$work/get.log"
get_rps=$(sed -nE 's/^Requests\/sec: *([0-9.]+)/\1/p' "$work/get.log")
get_p50=$(sed -nE 's/^ *50% *([0-9.]+[a-z]+)/\1/p' "$work/get.log")
get_p99=$(sed -nE 's/^ *99% *([0-9.]+[a-z]+)/\1/p' "$work/get.log")
get_bad=$(sed -nE 's/^ *Non-2xx or 3xx responses: *([0-9]+)/\1/p' "$work/get.log")
printf 'wrk GET  /api/v1/customers/{id}: %.0f req/s (p50 %s, p99 %s, non-2xx %s)\n' "$get_rps" \
	"$get_p50" "$get_p99" "${get_bad:-0}"

wrk -t$JOBS -c"$CLIENTS" -d"${SECS}s" --latency -s "$work/post.lua" "$url" >"$work/post.log"
post_rps=$(sed -nE 's/^Requests\/sec: *([0-9.]+)/\1/p' "$work/post.log")
post_p99=$(sed -nE 's/^ *99% *([0-9.]+[a-z]+)/\1/p' "$work/post.log")
post_bad=$(sed -nE 's/^non-201 responses: *([0-9]+)/\1/p' "$work/post.log")
printf 'wrk POST /api/v1/transactions:   %.0f req/s (p99 %s, non-201 %s)\n' "$post_rps" "$post_p99" "${post_bad:-?}"

QT_DB=$QT_PG_OWNER_URL "$BIN" verify >"$work/verify.log" 2>&1 || { echo "verify failed after the POST run:"; cat "$work/verify.log"; exit 1; }
ratio=$(awk -v a="$get_rps" -v b="$ref_tps" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.5 ? "meets" : "below") }')
echo "ratio GET req/s / pgbench TPS = $ratio ($verdict the 0.5 target)"
echo "POST rate = $(printf '%.0f' "$post_rps") purchases/s"
# Other work on the machine skews both sides differently: say how busy it was.
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
