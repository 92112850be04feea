// faults.test.mjs — SPEC section 5 "Faults".
//  * The database goes away under a running server (PostgreSQL: its own
//    throwaway cluster, stopped and started with tests/lib/pg.sh
//    stop-server/start-server): the API answers 503 problem+json
//    database_unavailable, /readyz 503, the process lives on, and once the
//    database is back requests succeed without restarting the server.
//  * kill -9 during a burst of purchases (both backends): after a restart
//    on the same database `quantumtrack verify` passes, every purchase that
//    got a 201 is in the ledger, and retrying every Idempotency-Key gives
//    each purchase exactly once.  On SQLite the purchases go through group
//    commit (batches of writes in one transaction): the test checks that
//    they did share batches.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { startServer, createPostgresDatabase, dropPostgresDatabase, newStore, BACKEND } from '../lib/server.mjs';

const PG_SH = new URL('../lib/pg.sh', import.meta.url).pathname;
const cleanups = [];
after(async () => {
  for (const f of cleanups.reverse()) {
    try { await f(); } catch (e) { console.error('cleanup:', e); }
  }
});

// A private cluster, so stopping it cannot disturb other test files.
function privateCluster() {
  const dir = mkdtempSync('/tmp/qt-fault-');   // empty: pg.sh start takes it
  let out;
  try {
    out = execFileSync(PG_SH, ['start', dir], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } catch (e) {
    try { execFileSync(PG_SH, ['stop', dir], { stdio: 'ignore' }); } catch { /* nothing started */ }
    throw new Error(`pg.sh start failed: ${e.stderr}`);
  }
  const env = Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  const cluster = {
    dir, env,
    stopServer: () => execFileSync(PG_SH, ['stop-server', dir], { stdio: 'pipe' }),
    startServer: () => execFileSync(PG_SH, ['start-server', dir], { stdio: 'pipe' }),
    destroy: () => execFileSync(PG_SH, ['stop', dir], { stdio: 'pipe' }),
  };
  cleanups.push(() => cluster.destroy());
  return cluster;
}

function assertUnavailable(r, what) {
  assert.equal(r.status, 503, `${what}: ${r.status} ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/problem\+json/, what);
  assert.equal(r.json?.code, 'database_unavailable', `${what}: ${r.text}`);
}

test('the database goes away and comes back: 503 meanwhile, then service without a restart',
  { skip: BACKEND !== 'postgres' && 'SQLite is a file inside the process: it cannot go away while the server runs' }, async () => {
    const cluster = privateCluster();
    const pg = createPostgresDatabase(cluster.env);
    const srv = await startServer({ pg, env: { QT_THREADS: '4', QT_DB_POOL: '8' } });
    cleanups.push(() => srv.stop());
    const s = await newStore(srv);
    const c = await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'Asha', phone: '9811111111' } });
    assert.equal(c.status, 201, c.text);
    // Open several pooled connections, so stale ones exist after the restart.
    await Promise.all(Array.from({ length: 16 }, () => srv.api('GET', `/api/v1/customers/${c.json.id}`, { token: s.token })));
    assert.equal((await srv.api('GET', '/readyz')).status, 200);

    cluster.stopServer();
    for (let round = 0; round < 3; round++) {
      assertUnavailable(await srv.api('GET', `/api/v1/customers/${c.json.id}`, { token: s.token }), 'GET customer');
      assertUnavailable(await srv.api('GET', '/api/v1/customers', { token: s.token }), 'GET customers');
      assertUnavailable(await srv.api('POST', '/api/v1/transactions', {
        token: s.token, body: { customer_id: c.json.id, type: 'purchase', amount_minor: 100 },
      }), 'POST purchase');
      assertUnavailable(await srv.api('POST', '/api/v1/auth/login', { body: { tenant: s.slug, email: s.email, password: s.password } }), 'login');
      assertUnavailable(await srv.api('GET', '/readyz'), '/readyz');
    }
    const burst = await Promise.all(Array.from({ length: 24 }, () => srv.api('GET', '/api/v1/customers', { token: s.token })));
    for (const r of burst) assertUnavailable(r, 'GET customers in a burst');
    assert.equal((await srv.api('GET', '/healthz')).status, 200, 'liveness does not depend on the database');
    assert.equal(srv.proc.exitCode, null, `the server must not exit:\n${srv.log}`);
    assert.equal(srv.proc.signalCode, null, `the server must not crash:\n${srv.log}`);

    cluster.startServer();
    assert.equal((await srv.api('GET', '/readyz')).status, 200);
    // Every request succeeds now, on stale pooled connections too.
    const results = await Promise.all(Array.from({ length: 32 }, (_, i) => (i % 2
      ? srv.api('GET', `/api/v1/customers/${c.json.id}`, { token: s.token })
      : srv.api('POST', '/api/v1/transactions', { token: s.token, body: { customer_id: c.json.id, type: 'purchase', amount_minor: 100 } }))));
    for (const r of results) assert.ok(r.status === 200 || r.status === 201, `after the restart: ${r.status} ${r.text}`);
    const g = await srv.api('GET', `/api/v1/customers/${c.json.id}`, { token: s.token });
    assert.equal(g.json.balance_minor, 1600);
    assert.equal(srv.proc.exitCode, null);
  });

test('kill -9 during a burst of purchases loses no acknowledged purchase', async () => {
  const metricsToken = 'faults-metrics-' + 'x'.repeat(16);
  const srv = await startServer({ env: { QT_METRICS_TOKEN: metricsToken } });
  cleanups.push(() => srv.stop());
  // Twelve clients at full speed are an integration's load, far past the
  // professional plan's 1200 a minute: the plan without a request rate.
  const s = await newStore(srv, { plan: 'enterprise' });
  const customers = [];
  for (let i = 0; i < 4; i++) {
    const c = await srv.api('POST', '/api/v1/customers', {
      token: s.token, body: { name: `Burst ${i}`, phone: `98200000${10 + i}`, credit_limit_minor: 1e14 },
    });
    assert.equal(c.status, 201, c.text);
    customers.push(c.json.id);
  }
  const acked = new Map();   // entry id -> { amount, customer }
  const attempts = [];       // every request sent: { key, body }
  let stop = false;
  async function worker(w) {
    for (let i = 0; !stop; i++) {
      const body = { customer_id: customers[(w + i) % customers.length], type: 'purchase', amount_minor: 100 + w * 1000 + i };
      const key = randomUUID();
      attempts.push({ key, body });
      try {
        const r = await srv.api('POST', '/api/v1/transactions', { token: s.token, body, headers: { 'Idempotency-Key': key } });
        if (r.status === 201) acked.set(r.json.id, { amount: body.amount_minor, customer: body.customer_id, key });
        else if (!stop) assert.fail(`purchase before the kill: ${r.status} ${r.text}`);
      } catch (e) {
        if (e.code === 'ERR_ASSERTION') throw e;
        return;   // the connection died with the server
      }
    }
  }
  const workers = Array.from({ length: 12 }, (_, w) => worker(w));
  // Kill once a good number of purchases were acknowledged.
  const deadline = Date.now() + 10000;
  while (acked.size < 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  // On SQLite the purchases are committed in batches (group commit): the
  // kill falls on batches, and an answer is sent only after its batch's
  // COMMIT returned.
  const metrics = BACKEND === 'sqlite'
    ? await (await fetch(srv.url + '/metrics', { headers: { Authorization: `Bearer ${metricsToken}` } })).text() : '';
  srv.proc.kill('SIGKILL');
  stop = true;
  await Promise.all(workers);
  assert.ok(acked.size >= 150, `only ${acked.size} purchases before the kill`);
  if (BACKEND === 'sqlite') {
    const largest = Number(/^qt_write_batch_largest (\d+)$/m.exec(metrics)?.[1]);
    assert.ok(largest >= 2, `the purchases were not batched: ${metrics.split('\n').filter((l) => l.startsWith('qt_write')).join('; ')}`);
  }
  await new Promise((r) => (srv.proc.exitCode !== null || srv.proc.signalCode !== null ? r() : srv.proc.once('exit', r)));
  assert.equal(srv.proc.signalCode, 'SIGKILL');

  await srv.restart();
  const v = srv.cli(['verify']);
  assert.equal(v.code, 0, `verify after kill -9: ${v.stdout}${v.stderr}`);
  for (const [id, e] of acked) {
    const r = await srv.api('GET', `/api/v1/transactions/${id}`, { token: s.token });
    assert.equal(r.status, 200, `acknowledged purchase ${id} lost: ${r.status} ${r.text}`);
    assert.equal(r.json.amount_minor, e.amount);
    assert.equal(r.json.customer_id, e.customer);
  }
  // Retrying every request with its key: acknowledged ones replay the same
  // entry, the others happen now; each purchase exists exactly once.
  for (const { key, body } of attempts) {
    const r = await srv.api('POST', '/api/v1/transactions', { token: s.token, body, headers: { 'Idempotency-Key': key } });
    assert.equal(r.status, 201, `retry of ${key}: ${r.status} ${r.text}`);
  }
  let total = 0, count = 0;
  for (const id of customers) {
    const g = await srv.api('GET', `/api/v1/customers/${id}`, { token: s.token });
    total += g.json.balance_minor;
  }
  for (let cursor = null; ;) {
    const r = await srv.api('GET', `/api/v1/transactions?limit=200&type=purchase${cursor ? `&cursor=${cursor}` : ''}`, { token: s.token });
    assert.equal(r.status, 200, r.text);
    count += r.json.data.length;
    if (!r.json.next_cursor) break;
    cursor = r.json.next_cursor;
  }
  assert.equal(count, attempts.length, 'one purchase per Idempotency-Key');
  assert.equal(total, attempts.reduce((n, a) => n + a.body.amount_minor, 0));
  const v2 = srv.cli(['verify']);
  assert.equal(v2.code, 0, v2.stdout + v2.stderr);
});
