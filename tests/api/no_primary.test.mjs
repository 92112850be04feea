// no_primary.test.mjs — while no server takes writes (a failover under way,
// or the primary frozen read-only), writes get 503 problem+json
// database_unavailable with Retry-After, never a 500, and the server finds
// the writable server again by itself.
//
// The "no primary" moment is made on a private cluster with
// default_transaction_read_only = on and a reload: the pooled connections
// stay up but every write on them fails with SQLSTATE 25006, and libpq
// refuses new connections to it under target_session_attrs=read-write, as it
// refuses a standby during a failover.  (The failover itself, under load, is
// tests/scale/failover.test.mjs.)  With no read replica configured reads
// may fail too, each as the same clean 503.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { startServer, createPostgresDatabase, newStore, BACKEND } from '../lib/server.mjs';

const PG_SH = new URL('../lib/pg.sh', import.meta.url).pathname;
const cleanups = [];
after(async () => {
  for (const f of cleanups.reverse()) {
    try { await f(); } catch (e) { console.error('cleanup:', e); }
  }
});

function privateCluster() {
  const dir = mkdtempSync('/tmp/qt-noprim-');
  let out;
  try {
    out = execFileSync(PG_SH, ['start', dir], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (e) {
    try { execFileSync(PG_SH, ['stop', dir], { stdio: 'ignore' }); } catch { /* nothing started */ }
    throw new Error(`pg.sh start failed: ${e.stderr}`);
  }
  cleanups.push(() => execFileSync(PG_SH, ['stop', dir], { stdio: 'pipe' }));
  return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

function assertUnavailable(r, what) {
  assert.equal(r.status, 503, `${what}: ${r.status} ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/, what);
  assert.equal(r.json?.code, 'database_unavailable', `${what}: ${r.text}`);
  const after = r.headers.get('retry-after');
  assert.match(after || '', /^[1-9][0-9]*$/, `${what}: Retry-After ${after}`);
}

test('no server takes writes: 503 database_unavailable with Retry-After, then writes again without a restart',
  { skip: BACKEND !== 'postgres' && 'PostgreSQL only: a SQLite file has no primary to lose' }, async () => {
    const env = privateCluster();
    const readWrite = (url) => url + (url.includes('?') ? '&' : '?') + 'target_session_attrs=read-write';
    const pg = createPostgresDatabase({ ...env, QT_PG_APP_URL: readWrite(env.QT_PG_APP_URL) });
    const srv = await startServer({ pg, env: { QT_THREADS: '4', QT_DB_POOL: '6' } });
    cleanups.push(() => srv.stop());
    const s = await newStore(srv, { plan: 'enterprise' });
    const c = await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'Asha', phone: '9811111111' } });
    assert.equal(c.status, 201, c.text);
    const buy = (key) => srv.api('POST', '/api/v1/transactions', {
      token: s.token, body: { customer_id: c.json.id, type: 'purchase', amount_minor: 100 },
      headers: { 'Idempotency-Key': key },
    });
    // Fill the pool, so writes meet open connections to the frozen server.
    const first = await Promise.all(Array.from({ length: 12 }, () => buy(randomUUID())));
    for (const r of first) assert.equal(r.status, 201, r.text);

    const admin = (sql) => execFileSync('psql', [pg.adminUrl, '-qAtc', sql], { stdio: 'pipe' });
    admin('ALTER SYSTEM SET default_transaction_read_only = on');
    admin('SELECT pg_reload_conf()');
    await new Promise((r) => setTimeout(r, 300));   // the reload reaches every backend

    const refused = [];
    for (let round = 0; round < 3; round++) {
      const burst = await Promise.all(Array.from({ length: 12 }, () => {
        const key = randomUUID();
        refused.push(key);
        return buy(key);
      }));
      for (const r of burst) assertUnavailable(r, 'purchase with no writable server');
      const customer = await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'Ravi', phone: '9822222222' } });
      assertUnavailable(customer, 'customer create with no writable server');
      for (const r of await Promise.all(Array.from({ length: 6 }, () =>
        srv.api('GET', `/api/v1/customers/${c.json.id}`, { token: s.token })))) {
        if (r.status !== 200) assertUnavailable(r, 'read with no writable server and no replica');
      }
    }
    assert.equal(srv.proc.exitCode, null, `the server must not exit:\n${srv.log}`);

    admin('ALTER SYSTEM RESET default_transaction_read_only');
    admin('SELECT pg_reload_conf()');
    await new Promise((r) => setTimeout(r, 300));
    // The refused purchases are retried with their keys: each lands once.
    const again = await Promise.all(refused.map((key) => buy(key)));
    for (const r of again) assert.equal(r.status, 201, `after the primary is back: ${r.status} ${r.text}`);
    const g = await srv.api('GET', `/api/v1/customers/${c.json.id}`, { token: s.token });
    assert.equal(g.status, 200, g.text);
    assert.equal(g.json.balance_minor, 100 * (first.length + refused.length));
    assert.ok(!/internal_error|"status":500/.test(srv.accessLog), 'no request was answered 500');
  });
