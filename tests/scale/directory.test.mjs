// directory.test.mjs — tenants over several clusters (issue 14, "Tenants
// over several clusters"; docs/SCALING.md).  Two throwaway PostgreSQL
// clusters (tests/lib/pg.sh) and a tenant directory (QT_DIRECTORY_DB) on
// the first: `cluster add|list`, placement on the least-loaded cluster or
// the one named, `serve` routing each store to its cluster, the isolation
// matrix with its two stores on different clusters, `tenant move` under a
// purchase load with `verify` before and after, and a move killed after
// each of its steps and resumed (or rolled back).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer, createTenant, login, BIN } from '../lib/server.mjs';
import { newOperator } from '../lib/foundation.mjs';

const PGSH = new URL('../lib/pg.sh', import.meta.url).pathname;
const ISOLATION = new URL('../api/isolation.test.mjs', import.meta.url).pathname;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function parseEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

function withDb(url, name) {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

function psql(url, sql) {
  return execFileSync('psql', [url, '-X', '-qAtc', sql], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
}

// A PostgreSQL cluster of our own with one fresh database (migrated as the
// owner): {env, db, owner, app, admin, stop()}.
function startCluster(label) {
  const dir = mkdtempSync(join(tmpdir(), `qt-dir-${label}-`));
  rmSync(dir, { recursive: true, force: true });
  const env = parseEnv(execFileSync(PGSH, ['start', dir], { stdio: ['ignore', 'pipe', 'pipe'] }).toString());
  return {
    dir, env,
    database(name) {
      psql(env.QT_PG_ADMIN_URL, `CREATE DATABASE ${name} OWNER qt_owner`);
      return { name, owner: withDb(env.QT_PG_OWNER_URL, name), app: withDb(env.QT_PG_APP_URL, name),
        admin: withDb(env.QT_PG_ADMIN_URL, name), adminUrl: env.QT_PG_ADMIN_URL };
    },
    stop() { try { execFileSync(PGSH, ['stop', dir], { stdio: 'pipe' }); } catch { /* gone */ } },
  };
}

let pgA, pgB, home, dbA, dbB, dirUrl, srv;

function cli(args, { env = {}, ok = true } = {}) {
  try {
    const out = execFileSync(BIN, args, { env: { ...srv.env, QT_DB: srv.ownerDb, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    return { code: 0, stdout: out, stderr: '' };
  } catch (e) {
    const r = { code: e.status, stdout: String(e.stdout || ''), stderr: String(e.stderr || '') };
    if (ok) throw new Error(`quantumtrack ${args.join(' ')}: exit ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  }
}

// Which cluster the directory names for slug.
const clusterOf = (slug) => psql(dirUrl, `SELECT cluster FROM dir_tenants WHERE slug = '${slug}'`);
// Rows of the store on one cluster's database (as the superuser: no RLS).
const rowsOn = (db, slug) => Number(psql(db.admin,
  `SELECT count(*) FROM customers c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = '${slug}'`));
const dbOf = (cluster) => (cluster === 'a' ? dbA : dbB);

before(async () => {
  pgA = startCluster('a');
  pgB = startCluster('b');
  const tag = randomBytes(4).toString('hex');
  home = pgA.database(`qt_home_${tag}`);
  dbA = pgA.database(`qt_a_${tag}`);
  dbB = pgB.database(`qt_b_${tag}`);
  const dir = pgA.database(`qt_dir_${tag}`);
  dirUrl = dir.owner;
  execFileSync(BIN, ['migrate', '--db', home.owner], { stdio: 'pipe' });
  srv = await startServer({ pg: home, env: { QT_DIRECTORY_DB: dirUrl, QT_PG_ADMIN_URL: pgA.env.QT_PG_ADMIN_URL } });
  // Registered and migrated by the CLI (the owner URL), reached by the
  // server with the app role's.
  cli(['cluster', 'add', 'a', '--primary', dbA.app, '--owner-url', dbA.owner]);
  cli(['cluster', 'add', 'b', '--primary', dbB.app, '--owner-url', dbB.owner, '--replica', dbB.app]);
});

after(async () => {
  if (process.env.QT_DIRECTORY_TEST_LOG && srv) (await import('node:fs')).writeFileSync(process.env.QT_DIRECTORY_TEST_LOG, srv.log);
  try {
    if (srv) await srv.stop();
  } finally {
    pgA?.stop();
    pgB?.stop();
  }
});

test('cluster add migrates each cluster; cluster list shows each with its stores\' count', () => {
  assert.ok(Number(psql(dbA.admin, 'SELECT max(version) FROM schema_migrations')) > 0);
  assert.ok(Number(psql(dbB.admin, 'SELECT max(version) FROM schema_migrations')) > 0);
  const out = cli(['cluster', 'list']).stdout;
  assert.match(out, /^a\s+\d+\s+0$/m);
  assert.match(out, /^b\s+\d+\s+1$/m);
  const bad = cli(['cluster', 'add', 'Bad Name', '--primary', dbA.app], { ok: false });
  assert.equal(bad.code, 2, bad.stderr);
  const none = cli(['tenant', 'create', '--slug', 'tnowhere', '--name', 'X', '--owner-email', 'o@x.example',
    '--owner-password', 'correct-horse-battery', '--cluster', 'nosuch'], { ok: false });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no cluster "nosuch"/);
});

test('new stores go to the least-loaded cluster, or the one named', () => {
  const count = () => Object.fromEntries(cli(['cluster', 'list']).stdout.split('\n').slice(1)
    .filter(Boolean).map((l) => l.trim().split(/\s+/)).map(([n, c]) => [n, Number(c)]));
  const before0 = count();
  const least = before0.a <= before0.b ? 'a' : 'b';
  const t1 = createTenant(srv, {});
  assert.equal(clusterOf(t1.slug), least);
  const t2 = createTenant(srv, {});
  const c = count();
  assert.ok(Math.abs(c.a - c.b) <= Math.abs(before0.a - before0.b) + 1);
  assert.notEqual(clusterOf(t2.slug), undefined);
  const r = cli(['tenant', 'create', '--slug', 'tplaced' + randomBytes(3).toString('hex'), '--name', 'Placed',
    '--owner-email', 'o@placed.example', '--owner-password', 'correct-horse-battery', '--cluster', 'b']);
  const slug = /created store (\S+)/.exec(r.stdout)[1];
  assert.equal(clusterOf(slug), 'b');
  assert.match(r.stdout, /on cluster b/);
  // The store's rows are on its cluster and nowhere else.
  assert.equal(psql(dbB.admin, `SELECT count(*) FROM tenants WHERE slug = '${slug}'`), '1');
  assert.equal(psql(dbA.admin, `SELECT count(*) FROM tenants WHERE slug = '${slug}'`), '0');
  assert.equal(psql(home.admin, `SELECT count(*) FROM tenants WHERE slug = '${slug}'`), '0');
});

test('serve routes each store to its cluster: sign-in, writes and reads land there', async () => {
  const ta = createTenant(srv, { plan: 'enterprise' });
  const tb = createTenant(srv, { plan: 'enterprise' });
  for (const t of [ta, tb]) {
    const s = await login(srv, t.slug, t.email, t.password);
    const c = await srv.api('POST', '/api/v1/customers', { token: s.access_token, body: { name: 'Routed', phone: '9876501234' } });
    assert.equal(c.status, 201, c.text);
    const db = dbOf(clusterOf(t.slug));
    assert.equal(rowsOn(db, t.slug), 1);
    assert.equal(rowsOn(db === dbA ? dbB : dbA, t.slug), 0);
    const list = await srv.api('GET', '/api/v1/customers', { token: s.access_token });
    assert.equal(list.status, 200);
    assert.equal(list.json.data.length, 1);
    // The refresh token lives with the store too.
    const r = await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.refresh_token } });
    assert.equal(r.status, 200, r.text);
  }
});

test('the isolation matrix passes with its two stores on different clusters', async () => {
  // tests/api/isolation.test.mjs as it is, its server and CLI given the
  // directory: its stores A and B are placed on the least-loaded cluster
  // each, so one lands on each cluster.  Its own database is a third one
  // (home) on cluster a.
  const onA = () => Number(psql(dirUrl, "SELECT count(*) FROM dir_tenants WHERE cluster = 'a'"));
  const onB = () => Number(psql(dirUrl, "SELECT count(*) FROM dir_tenants WHERE cluster = 'b'"));
  // Even the counts: the matrix's store A then goes to a (ties go by
  // name), its store B to b.
  for (let d = Math.abs(onA() - onB()); d > 0; d--) createTenant(srv, {});
  assert.equal(onA(), onB());
  const mark = psql(dirUrl, 'SELECT coalesce(max(updated_at), 0) FROM dir_tenants');
  const env = { ...process.env, ...pgA.env, QT_TEST_DB: 'postgres', QT_DIRECTORY_DB: dirUrl };
  delete env.NODE_TEST_CONTEXT;   // a run of its own, not a child of this one
  let out;
  try {
    out = execFileSync(process.execPath, ['--test', '--test-reporter=tap', ISOLATION], {
      env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 240000,
    }).toString();
  } catch (e) {
    out = String(e.stdout) + String(e.stderr);
  }
  assert.match(out, /# fail 0/, out.slice(-3000));
  // This file's server sat idle meanwhile, past its keep-alive timeout:
  // the client's pooled socket to it may be closed under the next request.
  await srv.api('GET', '/readyz').catch(() => {});
  // Its two stores were on different clusters.
  const placed = psql(dirUrl, `SELECT string_agg(cluster, ',' ORDER BY updated_at) FROM dir_tenants WHERE updated_at > ${mark}`);
  assert.deepEqual([...new Set(placed.split(','))].sort(), ['a', 'b'], placed);
});

test('the command line reaches a store on its cluster: user add, suspend, delete', async () => {
  const slug = 'tcli' + randomBytes(3).toString('hex');
  cli(['tenant', 'create', '--slug', slug, '--name', 'CLI', '--owner-email', `o@${slug}.example`,
    '--owner-password', 'correct-horse-battery', '--cluster', 'b']);
  // QT_DB is the home database's owner URL; the directory names b.
  cli(['user', 'add', '--tenant', slug, '--email', `m@${slug}.example`, '--role', 'member', '--password', 'correct-horse-battery']);
  assert.equal(psql(dbB.admin, `SELECT count(*) FROM users u JOIN tenants t ON t.id = u.tenant_id WHERE t.slug = '${slug}'`), '2');
  const m = await login(srv, slug, `m@${slug}.example`, 'correct-horse-battery');
  assert.ok(m.access_token);
  verifyOn('b', slug);
  assert.equal(cli(['verify', '--tenant', slug], { ok: false }).code, 0);
  assert.match(cli(['tenant', 'list']).stdout, new RegExp(`\\b${slug}\\b`));
  cli(['tenant', 'suspend', slug]);
  assert.equal(psql(dbB.admin, `SELECT status FROM tenants WHERE slug = '${slug}'`), 'suspended');
  cli(['tenant', 'delete', slug]);
  assert.equal(psql(dbB.admin, `SELECT count(*) FROM tenants WHERE slug = '${slug}'`), '0');
  assert.equal(clusterOf(slug), '');
});

test('an operator route that would change a store on another cluster answers 409 store_on_other_cluster', async () => {
  const slug = 'top' + randomBytes(3).toString('hex');
  cli(['tenant', 'create', '--slug', slug, '--name', 'Op', '--owner-email', `o@${slug}.example`,
    '--owner-password', 'correct-horse-battery', '--cluster', 'b']);
  const id = psql(dirUrl, `SELECT tenant_id FROM dir_tenants WHERE slug = '${slug}'`);
  const op = await newOperator(srv);
  const r = await srv.api('PATCH', `/api/v1/platform/tenants/${id}`, { token: op.token, body: { status: 'suspended' } });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.code, 'store_on_other_cluster');
  assert.equal(psql(dbB.admin, `SELECT status FROM tenants WHERE slug = '${slug}'`), 'active');
});

// A store with customers and purchases, and its owner's token.
async function populated(cluster, n = 3) {
  const t = { slug: 't' + randomBytes(4).toString('hex'), password: 'correct-horse-battery' };
  t.email = `owner@${t.slug}.example`;
  cli(['tenant', 'create', '--slug', t.slug, '--name', `Store ${t.slug}`, '--plan', 'enterprise',
    '--owner-email', t.email, '--owner-password', t.password, '--cluster', cluster]);
  assert.equal(clusterOf(t.slug), cluster);
  const s = await login(srv, t.slug, t.email, t.password);
  const customers = [];
  for (let i = 0; i < n; i++) {
    const c = await srv.api('POST', '/api/v1/customers', { token: s.access_token, body: { name: `C${i}`, phone: `98765000${10 + i}` } });
    assert.equal(c.status, 201, c.text);
    customers.push(c.json.id);
    const p = await srv.api('POST', '/api/v1/transactions', { token: s.access_token,
      body: { customer_id: c.json.id, type: 'purchase', amount_minor: 1000 + i } });
    assert.equal(p.status, 201, p.text);
  }
  return { ...t, token: s.access_token, customers };
}

// The store's entries, read where the directory says it lives (the API's
// lists are paged).
async function ledger(t) {
  const r = await srv.api('GET', '/api/v1/transactions', { token: t.token });
  assert.equal(r.status, 200, r.text);
  const db = dbOf(clusterOf(t.slug));
  return psql(db.admin, `SELECT string_agg(x.id::text, ',' ORDER BY x.id) FROM transactions x JOIN tenants t ON t.id = x.tenant_id WHERE t.slug = '${t.slug}'`)
    .split(',').filter(Boolean);
}

function verifyOn(cluster, slug) {
  const r = cli(['verify', '--tenant', slug], { env: { QT_DB: dbOf(cluster).owner }, ok: false });
  assert.equal(r.code, 0, `verify ${slug} on ${cluster}: ${r.stdout}\n${r.stderr}`);
}

test('tenant move under a purchase load: every 201 kept, 503 tenant_moving with Retry-After for a few seconds, verify before and after', async () => {
  const t = await populated('a');
  verifyOn('a', t.slug);
  const acked = [];
  const refused = [];
  let stop = false;
  const load = (async () => {
    let i = 0;
    while (!stop) {
      const r = await srv.api('POST', '/api/v1/transactions', { token: t.token,
        body: { customer_id: t.customers[i % t.customers.length], type: 'purchase', amount_minor: 100 + (i % 50) } });
      i++;
      if (r.status === 201) acked.push(r.json.id);
      else if (r.status === 503) {
        assert.equal(r.json.code, 'tenant_moving', r.text);
        assert.ok(Number(r.headers.get('retry-after')) >= 1, 'Retry-After');
        refused.push(Date.now());
        await sleep(50);
      } else assert.fail(`purchase during the move: ${r.status} ${r.text}`);
      // Reads keep answering throughout.
      if (i % 5 === 0) {
        const g = await srv.api('GET', '/api/v1/customers', { token: t.token });
        assert.equal(g.status, 200, g.text);
      }
    }
  })();
  await sleep(700);
  const move = await new Promise((resolve) => {
    const p = spawn(BIN, ['tenant', 'move', t.slug, '--to', 'b'], { env: { ...srv.env, QT_DB: srv.ownerDb }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => { out += d; });
    p.stderr.on('data', (d) => { out += d; });
    p.on('exit', (code) => resolve({ code, out }));
  });
  await sleep(1500);
  stop = true;
  await load;
  assert.equal(move.code, 0, move.out);
  assert.equal(clusterOf(t.slug), 'b');
  const frozen = Number(/frozen for (\d+) ms/.exec(move.out)[1]);
  assert.ok(frozen < 6000, `writes frozen ${frozen} ms`);
  if (refused.length > 1) assert.ok(refused.at(-1) - refused[0] < 6000, 'refusals spanned more than a few seconds');
  assert.ok(acked.length > 5, `only ${acked.length} purchases answered 201`);
  // Every acknowledged purchase is on the new cluster, the old copy is gone.
  const ids = new Set(await ledger(t));
  for (const id of acked) assert.ok(ids.has(id), `purchase ${id} answered 201 is missing after the move`);
  assert.equal(rowsOn(dbA, t.slug), 0);
  assert.equal(rowsOn(dbB, t.slug), t.customers.length);
  verifyOn('b', t.slug);
  const w = await srv.api('POST', '/api/v1/transactions', { token: t.token,
    body: { customer_id: t.customers[0], type: 'payment', amount_minor: 100 } });
  assert.equal(w.status, 201, w.text);
});

for (let step = 1; step <= 6; step++) {
  test(`a move killed after step ${step} resumes and finishes, nothing lost`, async () => {
    const from = step % 2 ? 'a' : 'b';
    const to = from === 'a' ? 'b' : 'a';
    const t = await populated(from, 2);
    const before2 = await ledger(t);
    const killed = cli(['tenant', 'move', t.slug, '--to', to], { env: { QT_MOVE_ABORT_AFTER: String(step) }, ok: false });
    assert.equal(killed.code, 3, killed.stdout + killed.stderr);
    // Killed before the flip: still served by the source (writes may be
    // frozen); after: by the target.
    assert.equal(clusterOf(t.slug), step >= 6 ? to : from);
    const g = await srv.api('GET', '/api/v1/customers', { token: t.token });
    assert.equal(g.status, 200, g.text);
    const resumed = cli(['tenant', 'move', t.slug, '--to', to]);
    assert.match(resumed.stdout, /resuming/);
    assert.equal(clusterOf(t.slug), to);
    assert.deepEqual(await ledger(t), before2);
    assert.equal(rowsOn(dbOf(from), t.slug), 0);
    assert.equal(rowsOn(dbOf(to), t.slug), 2);
    assert.equal(psql(dirUrl, 'SELECT count(*) FROM dir_moves'), '0');
    verifyOn(to, t.slug);
    const w = await srv.api('POST', '/api/v1/transactions', { token: t.token,
      body: { customer_id: t.customers[0], type: 'purchase', amount_minor: 77 } });
    assert.equal(w.status, 201, w.text);
  });
}

test('a move killed under the freeze rolls back: the store stays, its writes open, the target copy goes', async () => {
  const t = await populated('a', 2);
  const before3 = await ledger(t);
  const killed = cli(['tenant', 'move', t.slug, '--to', 'b'], { env: { QT_MOVE_ABORT_AFTER: '3' }, ok: false });
  assert.equal(killed.code, 3);
  await sleep(600);   // the server hears of the freeze
  const frozen = await srv.api('POST', '/api/v1/transactions', { token: t.token,
    body: { customer_id: t.customers[0], type: 'purchase', amount_minor: 5 } });
  assert.equal(frozen.status, 503, frozen.text);
  assert.ok(frozen.headers.get('retry-after'));
  assert.equal(frozen.json.code, 'tenant_moving');
  // A sign-in writes a refresh token: refused the same way, not a 500.
  const signin = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: t.password } });
  assert.equal(signin.status, 503, signin.text);
  assert.equal(signin.json.code, 'tenant_moving');
  cli(['tenant', 'move', t.slug, '--rollback']);
  assert.equal(clusterOf(t.slug), 'a');
  assert.equal(rowsOn(dbB, t.slug), 0);
  await sleep(600);
  const w = await srv.api('POST', '/api/v1/transactions', { token: t.token,
    body: { customer_id: t.customers[0], type: 'purchase', amount_minor: 5 } });
  assert.equal(w.status, 201, w.text);
  assert.equal((await ledger(t)).length, before3.length + 1);
  verifyOn('a', t.slug);
});
