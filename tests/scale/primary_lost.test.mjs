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

// pg_auto_failover promotes the secondary, then holds it read-only until
// the old primary is out of the way (stop_replication): for a moment the
// multi-host URL reaches a primary that takes no writes.  That is no
// primary yet: reads go on from the promoted replica, writes get 503.
test('the failover\'s new primary is read-only for a while: reads go on from it as a replica, writes get 503, then writes resume', async () => {
  const primary = startPrimary();
  cleanups.push(() => primary.stop());
  const replica = startReplica(primary);
  cleanups.push(() => replica.stop());
  const pg = createPostgresDatabase(primary.env);
  cleanups.push(() => dropPostgresDatabase(pg));
  await until(() => { try { return psql(replica.adminUrl(pg.name), 'SELECT 1') === '1'; } catch { return false; } },
    15000, 'the database on the replica');
  // Both nodes in one URL, as pg_autoctl show uri gives it.
  const both = (url) => {
    const u = new URL(url);
    const r = new URL(replica.appUrl(pg.name));
    return `postgres://${u.username}:${u.password}@${u.host},${r.host}${u.pathname}?target_session_attrs=read-write`;
  };
  const srv = await startServer({ pg: { ...pg, app: both(pg.app) }, env: { QT_DB_REPLICAS: replica.appUrl(pg.name) } });
  cleanups.push(() => srv.stop());
  const s = await newStore(srv);
  const c = await call(srv, 'POST', '/api/v1/customers', { token: s.token, body: { name: 'Bala', phone: '9876543211' } });
  assert.equal(c.status, 201, c.text);
  await until(async () => (await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token })).db === 'replica',
    10000, 'the replica in use');
  const buy = () => call(srv, 'POST', '/api/v1/transactions', {
    token: s.token, body: { customer_id: c.json.id, type: 'purchase', amount_minor: 100 },
  });

  execFileSync(PG_SH, ['stop-server', primary.dir], { stdio: 'pipe' });
  const admin = replica.adminUrl(pg.name);
  psql(admin, 'SELECT pg_promote()');
  await until(async () => (await buy()).status === 201, 15000, 'a write on the promoted replica');
  psql(admin, 'ALTER SYSTEM SET default_transaction_read_only = on');
  psql(admin, 'SELECT pg_reload_conf()');
  await sleep(500);
  for (const end = Date.now() + 2000; Date.now() < end;) {
    const g = await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token });
    assert.equal(g.status, 200, `read while the new primary takes no writes: ${g.status} ${g.text}\n` +
      srv.log.split('\n').filter((l) => /replica|primary/.test(l)).join('\n'));
    assert.equal(g.db, 'replica');
    assertUnavailable(await buy(), 'purchase while the new primary takes no writes');
    await sleep(100);
  }

  psql(admin, 'ALTER SYSTEM RESET default_transaction_read_only');
  psql(admin, 'SELECT pg_reload_conf()');
  await until(async () => {
    const r = await buy();
    if (r.status !== 201) assertUnavailable(r, 'purchase as the new primary takes writes');
    return r.status === 201;
  }, 15000, 'writes on the new primary');
  const g = await until(async () => {
    const r = await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token });
    return r.db === 'primary' && r;
  }, 10000, 'reads from the new primary');
  assert.equal(g.json.balance_minor, 200);
});
