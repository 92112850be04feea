// member_cache.test.mjs — the member cache across server processes (both
// backends): two servers on one database (one SQLite file, or one
// PostgreSQL database), the members' contexts warmed in process B's cache
// (its /metrics counts the hits), then a demotion, a removal, a sign-out, a
// password change, a rename, a re-plan and a language made through process A, a
// suspension made by the CLI and a role changed by raw SQL behind every
// server's back: each is refused or seen by B within 1 s (polled, not
// slept) and by A at once where A made it.  On PostgreSQL also a process
// that cannot LISTEN (a transaction pooler's URL, no QT_EVENTS_DB): it
// still caches, and still sees a removal within 1 s.
// tests/unit/test_member_cache.c covers the table and the feed below HTTP;
// the single-process cases (removal, demotion, sign-out, password change,
// suspension) stay in users, sessions, tenant and platform tests.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startServer, newStore, login, createPostgresDatabase, dropPostgresDatabase, BACKEND } from '../lib/server.mjs';
import { newOperator, assertProblem } from '../lib/foundation.mjs';
import { ops, uniq } from '../lib/plans.mjs';
import { adminUrlFor } from '../lib/psql.mjs';

const METRICS = 'metrics-token-' + randomBytes(12).toString('hex');
const shared = {
  QT_JWT_SECRET: 'shared-secret-' + randomBytes(24).toString('hex'),
  QT_MASTER_KEY: randomBytes(32).toString('hex'),
  QT_METRICS_TOKEN: METRICS,
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let pg = null, a, b;

before(async () => {
  if (BACKEND === 'postgres') {
    pg = createPostgresDatabase();
    a = await startServer({ pg, env: shared });
    b = await startServer({ pg, env: shared });
  } else {
    // Two processes on one SQLite file: B reads the numbered changes.
    a = await startServer({ env: shared });
    b = await startServer({ env: { ...shared, QT_DB: a.db } });
  }
});

after(async () => {
  await b?.stop();
  await a?.stop();
  if (pg) dropPostgresDatabase(pg);
});

// B's cache counters from its /metrics.
async function lookups(srv) {
  const r = await srv.api('GET', '/metrics', { headers: { Authorization: `Bearer ${METRICS}` } });
  assert.equal(r.status, 200, r.text);
  const n = (result) => Number(new RegExp(`qt_member_cache_lookups_total\\{result="${result}"\\} (\\d+)`).exec(r.text)?.[1]);
  return { hit: n('hit'), miss: n('miss') };
}

// Read `path` on srv until two reads in a row were served from the cache
// (its counters say so; news arriving meanwhile may drop an entry once).
async function warm(srv, token, path = '/api/v1/auth/me') {
  let last = await lookups(srv), streak = 0;
  const t0 = Date.now();
  while (streak < 2) {
    const r = await srv.api('GET', path, { token });
    assert.equal(r.status, 200, r.text);
    const now = await lookups(srv);
    streak = now.hit > last.hit ? streak + 1 : 0;
    last = now;
    assert.ok(Date.now() - t0 < 5000, `${path} never served from the cache: ${JSON.stringify(now)}`);
  }
}

// Poll check() on the other process until it holds; fail past 1 s after t0.
async function within(what, t0, check) {
  for (;;) {
    if (await check()) return Date.now() - t0;
    assert.ok(Date.now() - t0 < 1000, `${what}: not seen within 1 s`);
    await sleep(10);
  }
}

const me = (srv, token) => srv.api('GET', '/api/v1/auth/me', { token });

// A store on enterprise (no request rate: the polling is never throttled)
// with its owner and the people named (of ROLES) signed in.
const ROLES = { admin: 'admin', removed: 'member', leaver: 'member', changer: 'viewer' };
async function team(...names) {
  const s = await newStore(a, { plan: 'enterprise' });
  const owner = (m, p, body) => a.api(m, p, { token: s.token, body });
  const people = {};
  for (const [name, role] of names.map((n) => [n, ROLES[n]])) {
    const email = `${name}@${s.slug}.example`;
    const c = await owner('POST', '/api/v1/users', { email, role, password: 'long-enough-pw', name });
    assert.equal(c.status, 201, c.text);
    const l = await login(a, s.slug, email, 'long-enough-pw');
    people[name] = { id: c.json.id, email, token: l.access_token, refresh: l.refresh_token };
  }
  return { s, owner, people };
}

test('two server processes: a demotion, a removal, a sign-out and a password change made through one are refused by the other within 1 s', async () => {
  const { s, owner, people: p } = await team('admin', 'removed', 'leaver', 'changer');
  for (const x of Object.values(p)) {
    await warm(b, x.token);
    await warm(a, x.token);
  }
  await warm(b, p.admin.token, '/api/v1/settings');
  const lag = {};

  // Demoted: B refuses what needs an admin; A at once.
  assert.equal((await owner('PATCH', `/api/v1/users/${p.admin.id}`, { role: 'member' })).status, 200);
  let t0 = Date.now();
  assertProblem(await a.api('GET', '/api/v1/settings', { token: p.admin.token }), 403, 'forbidden');
  lag.demoted = await within('demotion', t0, async () => (await b.api('GET', '/api/v1/settings', { token: p.admin.token })).status === 403);
  assert.equal((await me(b, p.admin.token)).json.role, 'member');

  // Removed: no longer a member anywhere.
  assert.equal((await owner('DELETE', `/api/v1/users/${p.removed.id}`)).status, 204);
  t0 = Date.now();
  assertProblem(await me(a, p.removed.token), 401, 'invalid_token');
  lag.removed = await within('removal', t0, async () => (await me(b, p.removed.token)).status === 401);
  assert.match((await me(b, p.removed.token)).json.detail, /no longer a member/);

  // Signed out (through A): every access token of the account ends.
  assert.equal((await a.api('POST', '/api/v1/auth/logout', { body: { refresh_token: p.leaver.refresh } })).status, 204);
  t0 = Date.now();
  assertProblem(await me(a, p.leaver.token), 401, 'invalid_token');
  lag.signedOut = await within('sign-out', t0, async () => (await me(b, p.leaver.token)).status === 401);
  assert.match((await me(b, p.leaver.token)).json.detail, /session was ended/);

  // A password change (through A, with the token it ends).
  const pw = await a.api('POST', '/api/v1/auth/password', { token: p.changer.token, body: { current_password: 'long-enough-pw', new_password: 'a-brand-new-pw' } });
  assert.equal(pw.status, 204, pw.text);
  t0 = Date.now();
  assertProblem(await me(a, p.changer.token), 401, 'invalid_token');
  lag.passwordChanged = await within('password change', t0, async () => (await me(b, p.changer.token)).status === 401);

  // The owner, untouched by all of it, is still served by B's cache.
  await warm(b, s.token);
  for (const [what, ms] of Object.entries(lag)) assert.ok(ms < 1000, `${what}: ${ms} ms`);
});

test('two server processes: a rename and a re-plan made through one are seen by the other within 1 s', async () => {
  const { s, owner } = await team();
  await warm(b, s.token);
  assert.equal((await me(b, s.token)).json.tenant.name, `Store ${s.slug}`);
  const renamed = await owner('PATCH', '/api/v1/settings', { name: 'Renamed Store' });
  assert.equal(renamed.status, 200, renamed.text);
  let t0 = Date.now();
  assert.equal((await me(a, s.token)).json.tenant.name, 'Renamed Store');
  await within('rename', t0, async () => (await me(b, s.token)).json.tenant.name === 'Renamed Store');

  // The operator moves the store to a plan without reports.
  const operator = await newOperator(a);
  const o = ops(a, operator.token);
  const bare = await o.plan({ name: uniq('bare'), features: ['ledger'] });
  const tid = (await me(a, s.token)).json.tenant.id;
  await warm(b, s.token, '/api/v1/reports/summary');
  assert.equal((await o.call('PATCH', `/tenants/${tid}`, { plan: bare.name })).status, 200);
  t0 = Date.now();
  assert.equal((await a.api('GET', '/api/v1/reports/summary', { token: s.token })).status, 403);
  await within('re-plan', t0, async () => (await b.api('GET', '/api/v1/reports/summary', { token: s.token })).status === 403);
  // The plan itself edited: its features come back everywhere.
  await warm(b, s.token);
  await o.editPlan(bare.name, { features: ['ledger', 'reports'] });
  t0 = Date.now();
  await within('plan edit', t0, async () => (await b.api('GET', '/api/v1/reports/summary', { token: s.token })).status === 200);
});

test('two server processes: a language chosen through one is seen by the other within 1 s, with its problem texts', async () => {
  const { s } = await team();
  await warm(b, s.token);
  assert.equal((await me(b, s.token)).json.language, null);
  const p = await a.api('PATCH', '/api/v1/auth/me', { token: s.token, body: { language: 'hi' } });
  assert.equal(p.status, 200, p.text);
  const t0 = Date.now();
  assert.equal((await me(a, s.token)).json.effective_language, 'hi');
  await within('language', t0, async () => (await me(b, s.token)).json.effective_language === 'hi');
  // Without Accept-Language, B's problems now speak the caller's Hindi.
  const nf = await b.api('GET', '/api/v1/customers/00000000-0000-7000-8000-000000000000', { token: s.token });
  assertProblem(nf, 404, 'not_found');
  assert.equal(nf.headers.get('content-language'), 'hi');
  await warm(b, s.token);
  await a.api('PATCH', '/api/v1/auth/me', { token: s.token, body: { language: null } });
  await within('language cleared', Date.now(), async () => (await me(b, s.token)).json.language === null);
});

test('a suspension by the CLI and a role changed by raw SQL reach every server within 1 s', async () => {
  const { s, people: p } = await team('admin');
  for (const srv of [a, b]) {
    await warm(srv, s.token);
    await warm(srv, p.admin.token, '/api/v1/settings');
  }
  // Raw SQL, outside every server: the triggers tell them.
  const sql = `UPDATE memberships SET role = 'viewer' WHERE user_id = '${p.admin.id}'`;
  if (BACKEND === 'postgres')
    execFileSync('psql', [adminUrlFor(pg.name), '-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: 'pipe' });
  else
    execFileSync('sqlite3', [a.db.slice('sqlite:'.length), sql], { stdio: 'pipe' });
  let t0 = Date.now();
  for (const srv of [a, b])
    await within('raw SQL demotion', t0, async () => (await me(srv, p.admin.token)).json?.role === 'viewer');

  const sus = a.cli(['tenant', 'suspend', s.slug]);
  assert.equal(sus.code, 0, sus.stderr);
  t0 = Date.now();
  const write = (srv) => srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'Late', phone: '9876500011' } });
  for (const srv of [a, b])
    await within('suspension', t0, async () => (await write(srv)).status === 403);
  assertProblem(await write(b), 403, 'tenant_suspended');
  assert.equal((await me(b, s.token)).json.tenant.status, 'suspended');
});

test('a process that cannot LISTEN (a pooler\'s URL) still caches, and still refuses a removed member within 1 s', { skip: BACKEND !== 'postgres' && 'LISTEN is PostgreSQL\'s; SQLite polls' }, async () => {
  const url = new URL(pg.app);
  url.searchParams.set('statement_cache', 'off');
  const c = await startServer({ pg, env: { ...shared, QT_DB: url.toString() } });
  try {
    const { owner, people: p } = await team('removed', 'admin');
    await warm(c, p.removed.token);
    await warm(c, p.admin.token, '/api/v1/settings');
    assert.equal((await owner('DELETE', `/api/v1/users/${p.removed.id}`)).status, 204);
    let t0 = Date.now();
    const ms = await within('removal without LISTEN', t0, async () => (await me(c, p.removed.token)).status === 401);
    assert.ok(ms < 1000, `${ms} ms`);
    assert.equal((await owner('PATCH', `/api/v1/users/${p.admin.id}`, { role: 'viewer' })).status, 200);
    t0 = Date.now();
    await within('demotion without LISTEN', t0, async () => (await c.api('GET', '/api/v1/settings', { token: p.admin.token })).status === 403);
  } finally {
    await c.stop();
  }
});

test('the LISTEN connections cut: a removal made meanwhile is still refused within 1 s', { skip: BACKEND !== 'postgres' && 'LISTEN is PostgreSQL\'s; SQLite polls' }, async () => {
  const { owner, people: p } = await team('removed', 'admin');
  await warm(b, p.removed.token);
  const admin = adminUrlFor(pg.name);
  execFileSync('psql', [admin, '-X', '-qAt', '-c', `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
    WHERE application_name = 'quantumtrack-listen' AND datname = current_database()`], { stdio: 'pipe' });
  assert.equal((await owner('DELETE', `/api/v1/users/${p.removed.id}`)).status, 204);
  const t0 = Date.now();
  await within('removal while the listeners reconnect', t0, async () => (await me(b, p.removed.token)).status === 401);
  // Listening again, B caches again.
  for (let i = 0; i < 50; i++) {
    const n = execFileSync('psql', [admin, '-X', '-qAt', '-c', `SELECT count(*) FROM pg_stat_activity
      WHERE application_name = 'quantumtrack-listen' AND datname = current_database()`]).toString().trim();
    if (n === '2') break;
    await sleep(100);
  }
  await warm(b, p.admin.token);
});
