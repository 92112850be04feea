// pgbouncer.test.mjs — tenant context never leaks through a transaction
// pooler (PostgreSQL only).  A real PgBouncer in pool_mode = transaction
// with a pool of 2 server connections sits in front of the throwaway
// cluster; two quantumtrack processes share it (and one database), and
// requests of two stores are interleaved through both, so consecutive
// transactions of different tenants run on the same server connection.
// PgBouncer 1.18 cannot keep named prepared statements in transaction
// mode, hence ?statement_cache=off (db_pg.c).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync, chownSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, createPostgresDatabase, dropPostgresDatabase, newStore, BACKEND } from '../lib/server.mjs';

const PGBOUNCER = process.env.QT_PGBOUNCER || '/usr/sbin/pgbouncer';
const POOL_SIZE = 2;
const ROUNDS = 120;   // × 4 requests each, two stores, two servers

const skip = BACKEND !== 'postgres' && 'PgBouncer pools PostgreSQL connections; nothing to pool on SQLite';

let bouncer = null, dir = null, pg = null, port = 0, appUser, appPassword;
const servers = [];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// Kill whatever we started, even when the test process is going down.
function killBouncer() {
  if (bouncer && bouncer.exitCode === null && bouncer.signalCode === null) bouncer.kill('SIGKILL');
}
process.on('exit', killBouncer);

async function startBouncer() {
  const app = new URL(process.env.QT_PG_APP_URL);
  appUser = decodeURIComponent(app.username);
  appPassword = decodeURIComponent(app.password);
  port = await freePort();
  dir = mkdtempSync(join(tmpdir(), 'qt-pgb-'));
  writeFileSync(join(dir, 'userlist.txt'), `"${appUser}" "${appPassword}"\n`);
  writeFileSync(join(dir, 'pgbouncer.ini'), `[databases]
* = host=${app.hostname} port=${app.port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = ${port}
unix_socket_dir =
auth_type = scram-sha-256
auth_file = ${dir}/userlist.txt
pool_mode = transaction
default_pool_size = ${POOL_SIZE}
min_pool_size = 0
reserve_pool_size = 0
max_client_conn = 200
max_db_connections = ${POOL_SIZE}
stats_users = ${appUser}
logfile = ${dir}/pgbouncer.log
server_check_delay = 0
`);
  const argv = [join(dir, 'pgbouncer.ini')];
  let cmd = PGBOUNCER;
  // PgBouncer refuses to run as root: drop to the cluster's OS user.
  if (process.getuid && process.getuid() === 0) {
    const pgUser = process.env.PG_OS_USER || 'postgres';
    execFileSync('chown', ['-R', `${pgUser}:`, dir]);
    argv.unshift('--reuid', pgUser, '--regid', pgUser, '--init-groups', PGBOUNCER);
    cmd = 'setpriv';
  }
  bouncer = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  bouncer.stdout.on('data', (d) => { out += d; });
  bouncer.stderr.on('data', (d) => { out += d; });
  // Ready when it accepts a login.
  const deadline = Date.now() + 10000;
  for (;;) {
    if (bouncer.exitCode !== null) throw new Error(`pgbouncer exited ${bouncer.exitCode}: ${out}`);
    try {
      admin('SHOW VERSION');
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`pgbouncer did not start: ${out} ${e.stderr || e}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

const bouncerUrl = (db, extra = '') =>
  `postgres://${encodeURIComponent(appUser)}:${encodeURIComponent(appPassword)}@127.0.0.1:${port}/${db}${extra}`;

// PgBouncer's console (SHOW ...), as a stats user.
function admin(cmd) {
  return execFileSync('psql', [bouncerUrl('pgbouncer'), '-X', '-A', '-F', '|', '-c', cmd], { stdio: 'pipe' }).toString();
}

function showTable(cmd) {
  const lines = admin(cmd).trim().split('\n');
  const cols = lines[0].split('|');
  return lines.slice(1, -1).map((l) => Object.fromEntries(l.split('|').map((v, i) => [cols[i], v])));
}

before(async () => {
  if (skip) return;
  await startBouncer();
  pg = createPostgresDatabase();
  const env = {
    QT_DB: bouncerUrl(pg.name, '?statement_cache=off'),
    QT_JWT_SECRET: 'shared-secret-' + randomBytes(24).toString('hex'),
    QT_MASTER_KEY: randomBytes(32).toString('hex'),
    QT_THREADS: '4',
    QT_DB_POOL: '6',   // 12 client connections onto 2 server connections
  };
  servers.push(await startServer({ pg, env }));
  servers.push(await startServer({ pg, env }));
});

after(async () => {
  for (const s of servers) await s.stop().catch(() => {});
  killBouncer();
  if (bouncer && bouncer.exitCode === null && bouncer.signalCode === null)
    await new Promise((r) => bouncer.once('exit', r));
  if (pg) dropPostgresDatabase(pg);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('two servers behind PgBouncer (transaction mode, pool of 2) never mix two stores\' data', { skip }, async () => {
  const [s1, s2] = servers;
  // Stores are made through the CLI and signed in through either server.
  const stores = [];
  for (const label of ['A', 'B']) {
    // Rounds of requests at full speed from two servers: an integration's
    // load, not a counter's, so the plan without a request rate.
    const s = await newStore(s1, { plan: 'enterprise' });
    s.label = label;
    s.customers = new Set();
    s.entries = new Set();
    for (let i = 0; i < 3; i++) {
      const c = await (i % 2 ? s2 : s1).api('POST', '/api/v1/customers', {
        token: s.token, body: { name: `${label} Resident ${i}`, phone: `9${label === 'A' ? 1 : 2}0000000${i}`, notes: `of-${label}` },
      });
      assert.equal(c.status, 201, c.text);
      s.customers.add(c.json.id);
    }
    stores.push(s);
  }
  const [A, B] = stores;
  const other = (s) => (s === A ? B : A);
  const pick = (set, i) => [...set][i % set.size];

  // One request of store s through server srv; checks that everything in
  // the answer belongs to s.  Returns nothing; fails on any leak.
  async function step(s, srv, i) {
    const mine = s.customers;
    const kind = i % 4;
    if (kind === 0) {
      const r = await srv.api('GET', '/api/v1/customers?limit=200', { token: s.token });
      assert.equal(r.status, 200, r.text);
      const ids = r.json.data.map((c) => c.id);
      assert.equal(ids.length, mine.size, `${s.label} sees ${ids.length} customers`);
      for (const id of ids) assert.ok(mine.has(id), `${s.label}'s list holds a foreign customer ${id}`);
    } else if (kind === 1) {
      const r = await srv.api('POST', '/api/v1/transactions', {
        token: s.token, body: { customer_id: pick(mine, i), type: 'purchase', amount_minor: 100 + (i % 7) },
      });
      assert.equal(r.status, 201, r.text);
      assert.ok(mine.has(r.json.customer_id));
      s.entries.add(r.json.id);
    } else if (kind === 2) {
      const r = await srv.api('GET', `/api/v1/customers/${pick(other(s).customers, i)}`, { token: s.token });
      assert.equal(r.status, 404, `${s.label} reads the other store's customer: ${r.status} ${r.text}`);
      const own = await srv.api('GET', `/api/v1/customers/${pick(mine, i)}`, { token: s.token });
      assert.equal(own.status, 200, own.text);
      assert.ok(own.json.notes === `of-${s.label}`, own.text);
    } else {
      const r = await srv.api('GET', '/api/v1/transactions?limit=200', { token: s.token });
      assert.equal(r.status, 200, r.text);
      for (const e of r.json.data) assert.ok(mine.has(e.customer_id), `${s.label} sees a foreign entry ${e.id}`);
      const me = await srv.api('GET', '/api/v1/auth/me', { token: s.token });
      assert.equal(me.status, 200, me.text);
      assert.equal(me.json.tenant.slug, s.slug, me.text);
    }
  }

  const before = showTable('SHOW STATS').find((r) => r.database === pg.name);
  // Each round runs A and B on both servers at once, so the two pooled
  // server connections serve both stores back to back.
  for (let i = 0; i < ROUNDS; i++) {
    await Promise.all([step(A, s1, i), step(B, s1, i + 1), step(B, s2, i + 2), step(A, s2, i + 3)]);
  }
  const stats = showTable('SHOW STATS').find((r) => r.database === pg.name);
  const xacts = Number(stats.total_xact_count) - Number(before?.total_xact_count || 0);
  assert.ok(xacts >= ROUNDS * 4, `the requests went through PgBouncer (${xacts} transactions)`);
  const conns = showTable('SHOW SERVERS').filter((r) => r.database === pg.name);
  assert.ok(conns.length >= 1 && conns.length <= POOL_SIZE, `at most ${POOL_SIZE} server connections, saw ${conns.length}`);

  // Every purchase landed in its own store.
  for (const s of stores) {
    const r = await s2.api('GET', '/api/v1/transactions?limit=200&type=purchase', { token: s.token });
    const ids = new Set(r.json.data.map((e) => e.id));
    for (const id of s.entries) assert.ok(ids.has(id), `${s.label}'s purchase ${id} is missing`);
    assert.equal(ids.size, s.entries.size);
  }
  // The pooled server connections hold no tenant between transactions.
  const left = execFileSync('psql', [bouncerUrl(pg.name), '-X', '-qAt', '-c',
    "SELECT '[' || coalesce(current_setting('app.tenant_id', true), '') || ']', (SELECT count(*) FROM customers)"]).toString().trim();
  assert.equal(left, '[]|0');
  for (const s of [s1, s2]) assert.equal(s.proc.exitCode, null, s.log);
  const v = s1.cli(['verify']);
  assert.equal(v.code, 0, v.stdout + v.stderr);
});
