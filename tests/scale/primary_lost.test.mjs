// primary_lost.test.mjs — while the primary is gone (a failover under way)
// reads go on from a replica that kept up with it, promoted or not, and
// writes get 503
// database_unavailable with Retry-After; once a primary answers again,
// writes succeed without a restart.  (The failover itself, under load, with
// pg_auto_failover: failover.test.mjs.)
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startServer, newStore, createPostgresDatabase, dropPostgresDatabase } from '../lib/server.mjs';
import { startPrimary, startReplica, psql, until, sleep, accessLine } from './cluster.mjs';

const PG_SH = new URL('../lib/pg.sh', import.meta.url).pathname;
const cleanups = [];
after(async () => {
  for (const f of cleanups.reverse()) {
    try { await f(); } catch (e) { console.error('cleanup:', e); }
  }
});

async function call(srv, method, path, opts = {}) {
  const id = randomUUID();
  const r = await srv.api(method, path, { ...opts, headers: { ...(opts.headers || {}), 'X-Request-Id': id } });
  const line = await until(() => accessLine(srv, id), 5000, 'the access log line');
  return { ...r, db: line.db };
}

function assertUnavailable(r, what) {
  assert.equal(r.status, 503, `${what}: ${r.status} ${r.text}`);
  assert.equal(r.json?.code, 'database_unavailable', `${what}: ${r.text}`);
  assert.match(r.headers.get('retry-after') || '', /^[1-9][0-9]*$/, `${what}: Retry-After`);
}

test('the primary goes away: reads go on from the replica, writes get 503 with Retry-After, then writes resume', async () => {
  const primary = startPrimary();
  cleanups.push(() => primary.stop());
  const replica = startReplica(primary);
  cleanups.push(() => replica.stop());
  const pg = createPostgresDatabase(primary.env);
  cleanups.push(() => dropPostgresDatabase(pg));
  await until(() => { try { return psql(replica.adminUrl(pg.name), 'SELECT 1') === '1'; } catch { return false; } },
    15000, 'the database on the replica');
  const srv = await startServer({ pg, env: { QT_DB_REPLICAS: replica.appUrl(pg.name) } });
  cleanups.push(() => srv.stop());

  const s = await newStore(srv);
  const c = await call(srv, 'POST', '/api/v1/customers', { token: s.token, body: { name: 'Asha', phone: '9876543210' } });
  assert.equal(c.status, 201, c.text);
  const lsn = c.headers.get('x-qt-commit-lsn');
  await until(async () => (await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token, headers: { 'X-QT-Min-LSN': lsn } })).db === 'replica',
    10000, 'the replica in use');

  execFileSync(PG_SH, ['stop-server', primary.dir], { stdio: 'pipe' });
  let restarted = false;
  cleanups.push(() => { if (!restarted) execFileSync(PG_SH, ['start-server', primary.dir], { stdio: 'pipe' }); });
  // Longer than the lag limit (QT_REPLICA_MAX_LAG_MS, 500) many times
  // over: the replica is as far behind as it was when the primary left.
  for (const end = Date.now() + 3000; Date.now() < end;) {
    const g = await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token, headers: { 'X-QT-Min-LSN': lsn } });
    assert.equal(g.status, 200, `read while the primary is gone: ${g.status} ${g.text}`);
    assert.equal(g.db, 'replica');
    assert.equal(g.json.name, 'Asha');
    const list = await call(srv, 'GET', '/api/v1/customers', { token: s.token });
    assert.equal(list.status, 200, list.text);
    assertUnavailable(await call(srv, 'POST', '/api/v1/transactions', {
      token: s.token, body: { customer_id: c.json.id, type: 'purchase', amount_minor: 100 },
    }), 'purchase while the primary is gone');
    await sleep(100);
  }
  assert.match(srv.log, /the primary cannot be reached/);
  // The failover promotes the replica, which may refuse writes for a while
  // yet (pg_auto_failover's stop_replication): reads still go on from it.
  psql(replica.adminUrl(pg.name), 'SELECT pg_promote()');
  await until(() => psql(replica.adminUrl(pg.name), 'SELECT pg_is_in_recovery()') === 'f', 10000, 'the promotion');
  for (const end = Date.now() + 1500; Date.now() < end;) {
    const g = await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token, headers: { 'X-QT-Min-LSN': lsn } });
    assert.equal(g.status, 200, `read from the promoted replica while the primary is gone: ${g.status} ${g.text}`);
    assert.equal(g.db, 'replica');
    await sleep(100);
  }

  execFileSync(PG_SH, ['start-server', primary.dir], { stdio: 'pipe' });
  restarted = true;
  const p = await until(async () => {
    const r = await call(srv, 'POST', '/api/v1/transactions', {
      token: s.token, body: { customer_id: c.json.id, type: 'purchase', amount_minor: 100 },
    });
    if (r.status !== 201) assertUnavailable(r, 'purchase as the primary comes back');
    return r.status === 201 && r;
  }, 15000, 'a write to succeed once the primary is back');
  const g = await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token, headers: { 'X-QT-Min-LSN': p.headers.get('x-qt-commit-lsn') } });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.balance_minor, 100);
});
