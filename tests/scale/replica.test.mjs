// Read replicas: read-only store routes read from a streaming replica that
// keeps up (QT_DB_REPLICAS, QT_REPLICA_MAX_LAG_MS), writes answer
// X-QT-Commit-LSN, reads sent with X-QT-Min-LSN never show data older than
// the client's own write, a replica that goes away is skipped and used again
// when it is back, and Row Level Security holds on the replica.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID, randomBytes } from 'node:crypto';
import { startServer, newStore, createPostgresDatabase, dropPostgresDatabase } from '../lib/server.mjs';
import { startPrimary, startReplica, psql, until, sleep, accessLine } from './cluster.mjs';

const METRICS_TOKEN = 'metrics-token-' + 'x'.repeat(16);
let primary, replica, pg, srv, patient;

before(async () => {
  primary = startPrimary();
  replica = startReplica(primary);
  pg = createPostgresDatabase(primary.env);
  // The database must have reached the replica before a server reads there.
  await until(() => { try { return psql(replica.adminUrl(pg.name), 'SELECT 1') === '1'; } catch { return false; } },
    15000, 'the database on the replica');
  // Both servers share their secrets, as servers behind one balancer do.
  const env = {
    QT_DB_REPLICAS: replica.appUrl(pg.name), QT_METRICS_TOKEN: METRICS_TOKEN,
    QT_JWT_SECRET: 'scale-' + randomUUID() + randomUUID(), QT_MASTER_KEY: randomBytes(32).toString('hex'),
  };
  srv = await startServer({ pg, env });
  // A second server on the same database that tolerates a replica a
  // minute behind: a paused replica stays in use, so what Min-LSN does
  // shows on its own.
  patient = await startServer({ pg, env: { ...env, QT_REPLICA_MAX_LAG_MS: '60000' } });
});

after(async () => {
  try { psql(replica.adminUrl(pg.name), 'SELECT pg_wal_replay_resume()'); } catch { /* stopped */ }
  await srv?.stop();
  await patient?.stop();
  if (pg) dropPostgresDatabase(pg);
  replica?.stop();
  primary?.stop();
});

async function call(server, method, path, { token, body, minLsn } = {}) {
  const id = randomUUID();
  const headers = { 'X-Request-Id': id };
  if (minLsn) headers['X-QT-Min-LSN'] = minLsn;
  const r = await server.api(method, path, { token, body, headers });
  const line = await until(() => accessLine(server, id), 5000, 'the access log line');
  return { ...r, db: line.db, line };
}

function lsnValue(text) {
  const [hi, lo] = text.split('/');
  return (BigInt('0x' + hi) << 32n) | BigInt('0x' + lo);
}

const LSN = /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/;

test('write_answers_commit_lsn_and_read_only_route_is_served_by_the_replica', async () => {
  const s = await newStore(srv);
  // Signing in writes too (a session): its answer has a position.
  const login = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: s.slug, email: s.email, password: s.password } });
  assert.equal(login.status, 200);
  assert.match(login.headers.get('x-qt-commit-lsn'), /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/);
  const c = await call(srv, 'POST', '/api/v1/customers', { token: s.token, body: { name: 'Asha', phone: '9876543210' } });
  assert.equal(c.status, 201, c.text);
  const lsn = c.headers.get('x-qt-commit-lsn');
  assert.match(lsn, LSN);
  assert.equal(c.db, undefined, 'a write route does not read from a replica');
  const g = await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token, minLsn: lsn });
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.name, 'Asha');
  assert.equal(g.db, 'replica');
  assert.equal(g.headers.get('x-qt-commit-lsn'), null, 'a read commits nothing');
  // A second write's position is later than the first's.
  const c2 = await call(srv, 'POST', '/api/v1/customers', { token: s.token, body: { name: 'Bala', phone: '9876543211' } });
  assert.ok(lsnValue(c2.headers.get('x-qt-commit-lsn')) > lsnValue(lsn));
  const m = await srv.api('GET', '/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.match(m.text, /qt_db_replica_up\{replica="0"\} 1/);
  const reads = Number(/qt_db_replica_reads_total\{replica="0"\} (\d+)/.exec(m.text)[1]);
  assert.ok(reads >= 1, m.text);
});

test('malformed_min_lsn_is_refused_naming_the_header', async () => {
  const s = await newStore(srv);
  for (const bad of ['nope', '0/', '/0', '123456789/0', '0//1', '-1/2', '0/1/2']) {
    const r = await srv.api('GET', '/api/v1/customers', { token: s.token, headers: { 'X-QT-Min-LSN': bad } });
    assert.equal(r.status, 400, bad);
    assert.equal(r.json.code, 'invalid_header');
    assert.equal(r.json.errors[0].field, 'X-QT-Min-LSN');
  }
});

test('read_your_writes_holds_while_replica_replay_is_paused', async () => {
  const s = await newStore(patient);
  const first = await call(patient, 'POST', '/api/v1/customers', { token: s.token, body: { name: 'Before', phone: '9876543220' } });
  assert.equal(first.status, 201);
  // Wait until the replica has the first customer, then stop its replay.
  await until(async () => (await call(patient, 'GET', `/api/v1/customers/${first.json.id}`,
    { token: s.token, minLsn: first.headers.get('x-qt-commit-lsn') })).db === 'replica', 5000, 'the replica to catch up');
  psql(replica.adminUrl(pg.name), 'SELECT pg_wal_replay_pause()');
  try {
    const w = await call(patient, 'POST', '/api/v1/customers', { token: s.token, body: { name: 'During', phone: '9876543221' } });
    assert.equal(w.status, 201);
    const lsn = w.headers.get('x-qt-commit-lsn');
    // Without the position the replica answers, from before the write.
    const stale = await call(patient, 'GET', `/api/v1/customers/${w.json.id}`, { token: s.token });
    assert.equal(stale.db, 'replica');
    assert.equal(stale.status, 404, 'the paused replica has not replayed the write');
    // With it, the read waits for the replica (up to 200 ms), then goes to
    // the primary: the client sees its own write.
    const t0 = Date.now();
    const fresh = await call(patient, 'GET', `/api/v1/customers/${w.json.id}`, { token: s.token, minLsn: lsn });
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.json.name, 'During');
    assert.equal(fresh.db, 'primary');
    assert.ok(Date.now() - t0 >= 150, 'it waited for the replica first');
    const m = await patient.api('GET', '/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.ok(Number(/qt_db_replica_fallbacks_total\{replica="0"\} (\d+)/.exec(m.text)[1]) >= 1);
    // The lag limit: the default server (500 ms) stops reading from the
    // paused replica once it is that far behind.
    await until(async () => (await call(srv, 'GET', `/api/v1/customers/${w.json.id}`, { token: s.token })).db === 'primary',
      5000, 'the server with the default limit to leave the paused replica');
    const viaLimit = await call(srv, 'GET', `/api/v1/customers/${w.json.id}`, { token: s.token });
    assert.equal(viaLimit.status, 200);
    assert.equal(viaLimit.db, 'primary');
    // Replay resumes: the same read is the replica's again.
    psql(replica.adminUrl(pg.name), 'SELECT pg_wal_replay_resume()');
    const back = await until(async () => {
      const r = await call(patient, 'GET', `/api/v1/customers/${w.json.id}`, { token: s.token, minLsn: lsn });
      return r.db === 'replica' && r;
    }, 5000, 'the replica to serve the read again');
    assert.equal(back.status, 200);
    assert.equal(back.json.name, 'During');
  } finally {
    psql(replica.adminUrl(pg.name), 'SELECT pg_wal_replay_resume()');
  }
});

test('row_level_security_holds_on_the_replica', async () => {
  const a = await newStore(srv);
  const b = await newStore(srv);
  const cb = await call(srv, 'POST', '/api/v1/customers', { token: b.token, body: { name: 'Secret', phone: '9876543230' } });
  assert.equal(cb.status, 201);
  const lsn = cb.headers.get('x-qt-commit-lsn');
  // Store A asks for store B's customer through the replica: not there.
  const own = await call(srv, 'GET', `/api/v1/customers/${cb.json.id}`, { token: b.token, minLsn: lsn });
  assert.equal(own.status, 200);
  assert.equal(own.db, 'replica');
  const other = await call(srv, 'GET', `/api/v1/customers/${cb.json.id}`, { token: a.token, minLsn: lsn });
  assert.equal(other.status, 404);
  assert.equal(other.db, 'replica');
  const list = await call(srv, 'GET', '/api/v1/customers', { token: a.token, minLsn: lsn });
  assert.equal(list.db, 'replica');
  assert.ok(!list.json.data.some((c) => c.id === cb.json.id));
  // The app role on the replica itself: a store's rows only with its id
  // set, none without, and nothing can be written there.
  const app = replica.appUrl(pg.name);
  const tidB = b.session.tenant.id;
  const tidA = a.session.tenant.id;
  assert.equal(psql(app, 'SELECT count(*) FROM customers'), '0');
  assert.equal(psql(app, `BEGIN; SELECT set_config('app.tenant_id', '${tidA}', true); SELECT count(*) FROM customers WHERE id = '${cb.json.id}'; COMMIT`).split('\n').pop(), '0');
  assert.equal(psql(app, `BEGIN; SELECT set_config('app.tenant_id', '${tidB}', true); SELECT count(*) FROM customers WHERE id = '${cb.json.id}'; COMMIT`).split('\n').pop(), '1');
  assert.throws(() => psql(app, `UPDATE customers SET name = 'x'`), /read-only/);
});

test('stopped_replica_is_skipped_and_used_again_once_back', async () => {
  const s = await newStore(srv);
  const c = await call(srv, 'POST', '/api/v1/customers', { token: s.token, body: { name: 'Chitra', phone: '9876543240' } });
  const lsn = c.headers.get('x-qt-commit-lsn');
  await until(async () => (await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token, minLsn: lsn })).db === 'replica',
    5000, 'the replica in use');
  replica.stopServer();
  try {
    // Every read answers while it is away: the first finds it gone and
    // moves to the primary, the next skip it.
    for (let i = 0; i < 20; i++) {
      const r = await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.db, 'primary');
    }
    const m = await srv.api('GET', '/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.match(m.text, /qt_db_replica_up\{replica="0"\} 0/);
  } finally {
    replica.startServer();
  }
  // Rechecked every few seconds: back in use without a restart.
  const back = await until(async () => {
    const r = await call(srv, 'GET', `/api/v1/customers/${c.json.id}`, { token: s.token });
    assert.equal(r.status, 200);
    return r.db === 'replica' && r;
  }, 15000, 'the replica to be used again');
  assert.equal(back.json.name, 'Chitra');
  await sleep(10);
});
