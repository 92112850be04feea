// api_keys.test.mjs — API keys for integrations (issue 11), on both
// backends: made by an owner on a plan with api_keys and shown once,
// stored only as a hash (read back as the owner role), used with
// X-API-Key or Authorization: Bearer at the key's role, never to manage
// people, keys or provider secrets, audited with the key's id as the
// actor, last_used_at written at most once a minute, expiring and revoked
// at once — also as seen by a second server process — and confined to its
// own store.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { randomUUID, createHash } from 'node:crypto';
import { startServer, newStore, addUser, login, BACKEND } from '../lib/server.mjs';
import { assertProblem, newOperator } from '../lib/foundation.mjs';
import { psql } from '../lib/psql.mjs';

const K = '/api/v1/api-keys';
let srv, A, B;

const asKey = (key, method, path, body, how = 'x-api-key') =>
  srv.api(method, path, how === 'bearer' ? { token: key, body } : { headers: { 'X-API-Key': key }, body });

async function makeKey(s, body) {
  const r = await srv.api('POST', K, { token: s.token, body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

let phoneSeq = 0;
const phone = () => `98${String(Date.now() % 1e6).padStart(6, '0')}${String(phoneSeq++ % 100).padStart(2, '0')}`;

// The api_keys rows of every store, read as the owner role (on
// PostgreSQL under forced RLS it must switch on its all-tenants view).
function keyRows(srvx = srv) {
  const sql = 'SELECT tenant_id, id, name, role, key_hash, prefix, created_by, last_used_at, expires_at, revoked_at FROM api_keys ORDER BY created_at;';
  const rows = srvx.backend === 'postgres'
    ? psql(srvx.ownerDb, `SET qt.all_tenants = 'on';\n${sql}`)
    : execFileSync('sqlite3', [srvx.db.slice('sqlite:'.length)], { input: `.timeout 5000\n${sql}\n` }).toString()
      .split('\n').filter(Boolean).map((l) => l.split('|'));
  return rows.map(([tenant_id, id, name, role, key_hash, prefix, created_by, last_used_at, expires_at, revoked_at]) =>
    ({ tenant_id, id, name, role, key_hash, prefix, created_by, last_used_at, expires_at, revoked_at }));
}

// Every byte the database holds, as text: the SQLite files, or a superuser
// dump of the PostgreSQL tables that could hold a key.
function storedText() {
  if (srv.backend === 'postgres') {
    const u = new URL(process.env.QT_PG_ADMIN_URL);
    u.pathname = new URL(srv.db).pathname;
    return execFileSync('psql', [u.toString(), '-qAtc',
      "SELECT string_agg(k::text, E'\\n') FROM api_keys k UNION ALL SELECT string_agg(a::text, E'\\n') FROM audit_log a"]).toString();
  }
  return readdirSync(srv.dir).filter((f) => f.startsWith('qt.db')).map((f) => readFileSync(join(srv.dir, f)).toString('latin1')).join('\n');
}

// A second server process on the same database, its clock moved by
// offsetMs (0: the same time).
function secondServer(offsetMs = 0) {
  const env = { QT_CLOCK_OFFSET_MS: String(offsetMs), QT_JWT_SECRET: srv.env.QT_JWT_SECRET, QT_MASTER_KEY: srv.env.QT_MASTER_KEY };
  return srv.backend === 'postgres'
    ? startServer({ pg: srv.pg, env })
    : startServer({ backend: 'sqlite', env: { ...env, QT_DB: srv.db } });
}

before(async () => {
  srv = await startServer();
  A = await newStore(srv, { name: 'Key Store A' });
  B = await newStore(srv, { name: 'Key Store B' });
});

after(async () => { await srv?.stop(); });

test('an owner makes a key: 201 with qtk_ + 43 base64url characters, shown once, listed without it', async () => {
  const k = await makeKey(A, { name: 'Tally sync', role: 'member' });
  assert.match(k.key, /^qtk_[A-Za-z0-9_-]{43}$/);
  assert.equal(Buffer.from(k.key.slice(4), 'base64url').length, 32);
  assert.deepEqual(Object.keys(k).sort(), ['created_at', 'expires_at', 'id', 'key', 'last_used_at', 'name', 'prefix', 'role']);
  assert.equal(k.prefix, k.key.slice(0, 8));
  assert.equal(k.name, 'Tally sync');
  assert.equal(k.role, 'member');
  assert.equal(k.last_used_at, null);
  assert.equal(k.expires_at, null);
  const list = await srv.api('GET', K, { token: A.token });
  assert.equal(list.status, 200, list.text);
  const mine = list.json.data.find((x) => x.id === k.id);
  assert.deepEqual(Object.keys(mine).sort(), ['created_at', 'expires_at', 'id', 'last_used_at', 'name', 'prefix', 'role']);
  assert.ok(!list.text.includes(k.key), 'the list never shows a key');
  assert.ok(!list.text.includes(k.key.slice(8)), 'nor any part past the prefix');
  assert.equal(list.json.next_cursor, null);
  // Two keys are never the same.
  const k2 = await makeKey(A, { name: 'Second', role: 'viewer' });
  assert.notEqual(k2.key, k.key);
  assert.deepEqual((await srv.api('GET', K, { token: A.token })).json.data.slice(0, 2).map((x) => x.id), [k2.id, k.id]);
});

test('the database holds only the SHA-256 of a key: read as the owner role, and nowhere in its files', async () => {
  const k = await makeKey(A, { name: 'Hashed', role: 'viewer' });
  const row = keyRows().find((x) => x.id === k.id);
  assert.ok(row, 'the owner role reads the row');
  assert.equal(row.key_hash, createHash('sha256').update(k.key).digest('hex'));
  assert.equal(row.prefix, k.key.slice(0, 8));
  assert.equal(row.created_by, A.session.user.id);
  for (const r of keyRows()) assert.ok(!Object.values(r).includes(k.key));
  // Make sure the row is on disk (WAL included) before looking.
  assert.equal((await asKey(k.key, 'GET', '/api/v1/customers')).status, 200);
  const all = storedText();
  assert.ok(all.includes(row.key_hash));
  assert.ok(!all.includes(k.key), 'the key text is stored nowhere');
  assert.ok(!all.includes(k.key.slice(8, 30)), 'nor any stretch of it past the prefix');
});

test('X-API-Key and Authorization: Bearer both act in the key\'s store; malformed, unknown and doubled credentials are refused', async () => {
  const k = await makeKey(A, { name: 'Both ways', role: 'member' });
  const c = await asKey(k.key, 'POST', '/api/v1/customers', { name: 'By X-API-Key', phone: phone() });
  assert.equal(c.status, 201, c.text);
  const d = await asKey(k.key, 'POST', '/api/v1/customers', { name: 'By Bearer', phone: phone() }, 'bearer');
  assert.equal(d.status, 201, d.text);
  const list = await srv.api('GET', '/api/v1/customers?limit=200', { token: A.token });
  assert.ok(list.json.data.some((x) => x.id === c.json.id) && list.json.data.some((x) => x.id === d.json.id));
  for (const bad of ['qtk_short', 'qtk_' + 'A'.repeat(42) + '!', 'nope', 'qtk_' + 'A'.repeat(44)]) {
    const r = await srv.api('GET', '/api/v1/customers', { headers: { 'X-API-Key': bad } });
    assertProblem(r, 401, 'invalid_api_key');
  }
  // Well formed, never issued.
  const unknown = 'qtk_' + Buffer.alloc(32, 7).toString('base64url');
  assertProblem(await srv.api('GET', '/api/v1/customers', { headers: { 'X-API-Key': unknown } }), 401, 'invalid_api_key');
  assertProblem(await srv.api('GET', '/api/v1/customers', { token: unknown }), 401, 'invalid_api_key');
  // A key and someone's access token at once: which would act?
  assertProblem(await srv.api('GET', '/api/v1/customers', { token: A.token, headers: { 'X-API-Key': k.key } }), 400, 'invalid_header', 'X-API-Key');
  // The same key twice is one credential.
  assert.equal((await srv.api('GET', '/api/v1/customers', { token: k.key, headers: { 'X-API-Key': k.key } })).status, 200);
});

test('a key acts with its role: viewer reads, member records, admin edits', async () => {
  const viewer = (await makeKey(A, { name: 'Viewer', role: 'viewer' })).key;
  const member = (await makeKey(A, { name: 'Member', role: 'member' })).key;
  const admin = (await makeKey(A, { name: 'Admin', role: 'admin' })).key;
  assert.equal((await asKey(viewer, 'GET', '/api/v1/customers')).status, 200);
  assertProblem(await asKey(viewer, 'POST', '/api/v1/customers', { name: 'No', phone: phone() }), 403, 'forbidden');
  const c = await asKey(member, 'POST', '/api/v1/customers', { name: 'Member made', phone: phone() });
  assert.equal(c.status, 201, c.text);
  const p = await asKey(member, 'POST', '/api/v1/transactions', { customer_id: c.json.id, type: 'purchase', amount_minor: 1500 });
  assert.equal(p.status, 201, p.text);
  assertProblem(await asKey(member, 'PATCH', `/api/v1/customers/${c.json.id}`, { notes: 'no' }), 403, 'forbidden');
  assertProblem(await asKey(member, 'GET', '/api/v1/settings'), 403, 'forbidden');
  const e = await asKey(admin, 'PATCH', `/api/v1/customers/${c.json.id}`, { notes: 'edited by the admin key' });
  assert.equal(e.status, 200, e.text);
  assert.equal((await asKey(admin, 'GET', '/api/v1/audit')).status, 200);
  const st = await asKey(admin, 'PATCH', '/api/v1/settings', { credit_period_days: 21 });
  assert.equal(st.status, 200, st.text);
  assert.equal(st.json.credit_period_days, 21);
  assert.equal((await asKey(admin, 'POST', `/api/v1/transactions/${p.json.id}/reverse`, { reason: 'typed twice' })).status, 201);
});

test('no key manages people, keys, sessions or the WhatsApp provider and its secrets: 403 api_key_not_allowed', async () => {
  const admin = (await makeKey(A, { name: 'Strong admin', role: 'admin' })).key;
  const m = addUser(srv, { tenant: A.slug, email: `m-${randomUUID().slice(0, 8)}@${A.slug}.example`, role: 'member' });
  const member = (await login(srv, A.slug, m.email, m.password)).user;
  const keyId = (await srv.api('GET', K, { token: A.token })).json.data[0].id;
  const usersBefore = (await srv.api('GET', '/api/v1/users', { token: A.token })).text;
  // What the keys are (their last use moves as this test uses one).
  const keys = async () => (await srv.api('GET', K, { token: A.token })).json.data.map(({ id, name, role, prefix }) => ({ id, name, role, prefix }));
  const keysBefore = await keys();
  for (const [method, path, body] of [
    ['GET', '/api/v1/users'],
    ['POST', '/api/v1/users', { email: `k@${A.slug}.example`, role: 'admin', password: 'correct-horse-battery' }],
    ['PATCH', `/api/v1/users/${member.id}`, { role: 'admin' }],
    ['DELETE', `/api/v1/users/${member.id}`],
    ['GET', K], ['POST', K, { name: 'minted by a key', role: 'admin' }], ['DELETE', `${K}/${keyId}`],
    ['GET', '/api/v1/auth/me'],
    ['POST', '/api/v1/auth/password', { current_password: 'x', new_password: 'correct-horse-battery-2' }],
  ]) {
    for (const how of ['x-api-key', 'bearer']) {
      const r = await asKey(admin, method, path, body, how);
      assertProblem(r, 403, 'api_key_not_allowed');
      assert.match(r.json.detail, /API key/);
    }
  }
  for (const [field, body] of [
    ['whatsapp_secrets', { whatsapp_secrets: { access_token: 'stolen-by-key' } }],
    ['whatsapp_provider', { whatsapp_provider: 'twilio' }],
    ['whatsapp_config', { whatsapp_config: { base_url: 'https://attacker.example' } }],
  ]) assertProblem(await asKey(admin, 'PATCH', '/api/v1/settings', { credit_period_days: 9, ...body }), 403, 'api_key_not_allowed', field);
  assert.equal((await srv.api('GET', '/api/v1/users', { token: A.token })).text, usersBefore);
  assert.deepEqual(await keys(), keysBefore);
  const settings = (await srv.api('GET', '/api/v1/settings', { token: A.token })).json;
  assert.notEqual(settings.credit_period_days, 9, 'nothing of a refused settings change was written');
  assert.deepEqual(settings.whatsapp_secrets_set, []);
});

test('managing keys needs the owner and the api_keys feature; bad input names the field', async () => {
  const adminUser = addUser(srv, { tenant: A.slug, email: `a-${randomUUID().slice(0, 8)}@${A.slug}.example`, role: 'admin' });
  const admin = (await login(srv, A.slug, adminUser.email, adminUser.password)).access_token;
  for (const [m, p, body] of [['GET', K], ['POST', K, { name: 'x', role: 'viewer' }], ['DELETE', `${K}/${randomUUID()}`]])
    assertProblem(await srv.api(m, p, { token: admin, body }), 403, 'forbidden');
  const starter = await newStore(srv, { plan: 'starter' });
  for (const [m, p, body] of [['GET', K], ['POST', K, { name: 'x', role: 'viewer' }], ['DELETE', `${K}/${randomUUID()}`]]) {
    const r = await srv.api(m, p, { token: starter.token, body });
    assertProblem(r, 403, 'feature_not_in_plan');
    assert.equal(r.json.feature, 'api_keys');
  }
  for (const [body, status, code, field] of [
    [{ role: 'viewer' }, 422, 'validation_failed', 'name'],
    [{ name: '', role: 'viewer' }, 422, 'validation_failed', 'name'],
    [{ name: 'x'.repeat(101), role: 'viewer' }, 422, 'validation_failed', 'name'],
    [{ name: 'tab\there', role: 'viewer' }, 422, 'validation_failed', 'name'],
    [{ name: 'x' }, 422, 'validation_failed', 'role'],
    [{ name: 'x', role: 'owner' }, 422, 'validation_failed', 'role'],
    [{ name: 'x', role: 'superuser' }, 422, 'validation_failed', 'role'],
    [{ name: 'x', role: 'viewer', expires_at: 'tomorrow' }, 422, 'validation_failed', 'expires_at'],
    [{ name: 'x', role: 'viewer', expires_at: '2020-01-01T00:00:00Z' }, 422, 'validation_failed', 'expires_at'],
    [{ name: 'x', role: 'viewer', expires_at: 5 }, 422, 'validation_failed', 'expires_at'],
    [{ name: 'x', role: 'viewer', scopes: ['all'] }, 400, 'unknown_field', 'scopes'],
  ]) assertProblem(await srv.api('POST', K, { token: A.token, body }), status, code, field);
  assertProblem(await srv.api('POST', K, { token: A.token, raw: '{"name":', headers: { 'Content-Type': 'application/json' } }), 400, 'invalid_json');
  assertProblem(await srv.api('DELETE', `${K}/not-a-uuid`, { token: A.token }), 404, 'not_found');
  assertProblem(await srv.api('DELETE', `${K}/${randomUUID()}`, { token: A.token }), 404, 'not_found');
  // expires_at may be null: never.
  assert.equal((await makeKey(A, { name: 'Forever', role: 'viewer', expires_at: null })).expires_at, null);
});

test('a store whose plan loses api_keys keeps its keys on record, but they answer 403 until the plan has them again', async () => {
  const s = await newStore(srv);
  const k = await makeKey(s, { name: 'Downgraded', role: 'viewer' });
  assert.equal((await asKey(k.key, 'GET', '/api/v1/customers')).status, 200);
  const op = await newOperator(srv);
  const tid = s.session.tenant.id;
  assert.equal((await srv.api('PATCH', `/api/v1/platform/tenants/${tid}`, { token: op.token, body: { plan: 'starter' } })).status, 200);
  const r = await asKey(k.key, 'GET', '/api/v1/customers');
  assertProblem(r, 403, 'feature_not_in_plan');
  assert.equal(r.json.feature, 'api_keys');
  assert.ok(keyRows().some((x) => x.id === k.id && !x.revoked_at));
  assert.equal((await srv.api('PATCH', `/api/v1/platform/tenants/${tid}`, { token: op.token, body: { plan: 'professional' } })).status, 200);
  assert.equal((await asKey(k.key, 'GET', '/api/v1/customers')).status, 200);
});

test('every change made with a key is audited with the key\'s id as the actor; making and revoking keys are audited too', async () => {
  const k = await makeKey(A, { name: 'Audited', role: 'member' });
  const c = await asKey(k.key, 'POST', '/api/v1/customers', { name: 'Audited customer', phone: phone() });
  assert.equal(c.status, 201, c.text);
  const t = await asKey(k.key, 'POST', '/api/v1/transactions', { customer_id: c.json.id, type: 'purchase', amount_minor: 700 }, 'bearer');
  assert.equal(t.status, 201, t.text);
  assert.equal(t.json.created_by, k.id, 'the entry names the key that recorded it');
  const rows = (await srv.api('GET', `/api/v1/audit?actor=${k.id}`, { token: A.token })).json.data;
  assert.deepEqual(rows.map((x) => x.action).sort(), ['customer.created', 'transaction.created'].sort());
  for (const row of rows) {
    assert.equal(row.actor_id, k.id);
    assert.equal(row.actor_role, 'member');
  }
  assert.equal(rows.find((x) => x.action === 'customer.created').entity_id, c.json.id);
  // The key's own story, told by its owner.
  const made = (await srv.api('GET', `/api/v1/audit?entity=api_key&entity_id=${k.id}`, { token: A.token })).json.data;
  assert.deepEqual(made.map((x) => x.action), ['api_key.created']);
  assert.equal(made[0].actor_id, A.session.user.id);
  assert.equal(made[0].actor_role, 'owner');
  assert.deepEqual(made[0].after, { id: k.id, name: 'Audited', role: 'member', prefix: k.prefix, expires_at_ms: null, revoked_at_ms: null });
  assert.equal((await srv.api('DELETE', `${K}/${k.id}`, { token: A.token })).status, 204);
  const story = (await srv.api('GET', `/api/v1/audit?entity=api_key&entity_id=${k.id}`, { token: A.token })).json.data;
  assert.deepEqual(story.map((x) => x.action), ['api_key.revoked', 'api_key.created']);
  assert.equal(story[0].before.revoked_at_ms, null);
  assert.ok(Number.isInteger(story[0].after.revoked_at_ms));
  assert.ok(!JSON.stringify(story).includes(k.key.slice(8)), 'the audit trail holds no key');
  // Reads are not audit rows (the trail records changes), but the access
  // log names the key on every request.
  const n = rows.length;
  const k2 = await makeKey(A, { name: 'Reader', role: 'viewer' });
  for (let i = 0; i < 3; i++) assert.equal((await asKey(k2.key, 'GET', '/api/v1/customers')).status, 200);
  assert.equal((await srv.api('GET', `/api/v1/audit?actor=${k2.id}`, { token: A.token })).json.data.length, 0);
  assert.equal(n, 2);
  await new Promise((r) => setTimeout(r, 50));
  const logged = srv.accessLog.split('\n').filter((l) => l.includes(`"api_key":"${k2.id}"`));
  assert.ok(logged.length >= 3, `access log lines naming the key: ${logged.length}`);
});

test('revoking takes effect at the next request, and the key no longer lists; revoking twice is 404', async () => {
  const k = await makeKey(A, { name: 'Short-lived', role: 'viewer' });
  assert.equal((await asKey(k.key, 'GET', '/api/v1/customers')).status, 200);
  assert.equal((await srv.api('DELETE', `${K}/${k.id}`, { token: A.token })).status, 204);
  assertProblem(await asKey(k.key, 'GET', '/api/v1/customers'), 401, 'invalid_api_key');
  assertProblem(await asKey(k.key, 'GET', '/api/v1/customers', undefined, 'bearer'), 401, 'invalid_api_key');
  assert.ok(!(await srv.api('GET', K, { token: A.token })).json.data.some((x) => x.id === k.id));
  assertProblem(await srv.api('DELETE', `${K}/${k.id}`, { token: A.token }), 404, 'not_found');
  const row = keyRows().find((x) => x.id === k.id);
  assert.ok(row.revoked_at, 'the row stays, marked revoked');
});

test('a revocation on one server process is seen by another at its next request', async () => {
  const other = await secondServer();
  try {
    const k = await makeKey(A, { name: 'Two processes', role: 'viewer' });
    const via = (s) => s.api('GET', '/api/v1/customers', { headers: { 'X-API-Key': k.key } });
    assert.equal((await via(other)).status, 200);
    assert.equal((await via(srv)).status, 200);
    assert.equal((await srv.api('DELETE', `${K}/${k.id}`, { token: A.token })).status, 204);
    const r = await via(other);
    assertProblem(r, 401, 'invalid_api_key');
  } finally {
    await other.stop();
  }
});

test('a key stops at its expiry; last_used_at is written at most once a minute', async () => {
  const expires = new Date(Date.now() + 3600_000).toISOString();
  const k = await makeKey(A, { name: 'Expiring', role: 'viewer', expires_at: expires });
  assert.equal(k.expires_at, expires);
  const lastUsed = async () => (await srv.api('GET', K, { token: A.token })).json.data.find((x) => x.id === k.id).last_used_at;
  assert.equal(await lastUsed(), null);
  assert.equal((await asKey(k.key, 'GET', '/api/v1/customers')).status, 200);
  const first = await lastUsed();
  assert.ok(first && Date.parse(first) <= Date.now() + 1000, first);
  for (let i = 0; i < 3; i++) assert.equal((await asKey(k.key, 'GET', '/api/v1/customers')).status, 200);
  assert.equal(await lastUsed(), first, 'used again within the minute: not written again');
  const rowBefore = keyRows().find((x) => x.id === k.id).last_used_at;
  // A process whose clock is 2 minutes on: a use there is a new minute.
  const later = await secondServer(120_000);
  try {
    assert.equal((await later.api('GET', '/api/v1/customers', { headers: { 'X-API-Key': k.key } })).status, 200);
    const moved = keyRows().find((x) => x.id === k.id).last_used_at;
    assert.ok(Number(moved) >= Number(rowBefore) + 120_000, `${rowBefore} -> ${moved}`);
    assert.equal(await lastUsed(), new Date(Number(moved)).toISOString());
  } finally {
    await later.stop();
  }
  // Two hours on, past its expiry: refused, in any process.
  const past = await secondServer(2 * 3600_000);
  try {
    const r = await past.api('GET', '/api/v1/customers', { headers: { 'X-API-Key': k.key } });
    assertProblem(r, 401, 'api_key_expired');
    assert.match(r.headers.get('www-authenticate') || '', /invalid_token/);
  } finally {
    await past.stop();
  }
  assert.equal((await asKey(k.key, 'GET', '/api/v1/customers')).status, 200, 'still good before its time');
});

test('a key of store A never reaches store B', async () => {
  const bc = await srv.api('POST', '/api/v1/customers', { token: B.token, body: { name: 'B only', phone: phone(), notes: 'secret-of-B' } });
  assert.equal(bc.status, 201, bc.text);
  const bk = await makeKey(B, { name: 'B key', role: 'admin' });
  const ak = await makeKey(A, { name: 'A key', role: 'admin' });
  const missing = randomUUID();
  for (const [m, p, body] of [
    ['GET', (id) => `/api/v1/customers/${id}`],
    ['PATCH', (id) => `/api/v1/customers/${id}`, () => ({ notes: 'A was here' })],
    ['GET', (id) => `/api/v1/customers/${id}/statement`],
    ['POST', () => '/api/v1/transactions', (id) => ({ customer_id: id, type: 'purchase', amount_minor: 100 })],
    ['POST', (id) => `/api/v1/customers/${id}/share`, () => ({})],
  ]) {
    const send = (id) => asKey(ak.key, m, p(id), body?.(id));
    const theirs = await send(bc.json.id);
    const none = await send(missing);
    assert.equal(theirs.status, 404, `${m} ${p(bc.json.id)}: ${theirs.text}`);
    assert.equal(none.status, 404, none.text);
    assert.equal(theirs.json.detail, none.json.detail);
    assert.ok(!theirs.text.includes('secret-of-B'));
  }
  // A tenant hint changes nothing: the key's store is the key's.
  for (const headers of [{ 'X-Tenant': B.slug }, { Host: `${B.slug}.example` }]) {
    const r = await srv.api('GET', '/api/v1/customers?limit=200', { headers: { ...headers, 'X-API-Key': ak.key } });
    assert.equal(r.status, 200, r.text);
    assert.ok(!r.text.includes('B only'), r.text);
  }
  const r = await srv.api('GET', `/api/v1/customers?limit=200&tenant=${B.slug}`, { headers: { 'X-API-Key': ak.key } });
  assert.ok(!r.text.includes('B only'));
  // A's owner cannot revoke or see B's keys.
  assertProblem(await srv.api('DELETE', `${K}/${bk.id}`, { token: A.token }), 404, 'not_found');
  assert.ok(!(await srv.api('GET', K, { token: A.token })).text.includes(bk.id));
  assert.equal((await asKey(bk.key, 'GET', `/api/v1/customers/${bc.json.id}`)).status, 200, 'B\'s key still works');
});

test('a suspended store\'s keys read but do not write; deleting the store takes its keys and its rate bucket with it', async () => {
  const s = await newStore(srv);
  const k = await makeKey(s, { name: 'Goes with the store', role: 'admin' });
  assert.equal((await asKey(k.key, 'GET', '/api/v1/customers')).status, 200);
  const op = await newOperator(srv);
  const tid = s.session.tenant.id;
  assert.equal((await srv.api('PATCH', `/api/v1/platform/tenants/${tid}`, { token: op.token, body: { status: 'suspended' } })).status, 200);
  assert.equal((await asKey(k.key, 'GET', '/api/v1/customers')).status, 200);
  assertProblem(await asKey(k.key, 'POST', '/api/v1/customers', { name: 'No', phone: phone() }), 403, 'tenant_suspended');
  const d = await srv.api('DELETE', `/api/v1/platform/tenants/${tid}`, { token: op.token });
  assert.equal(d.status, 204, d.text);
  assert.ok(!keyRows().some((x) => x.tenant_id === tid), 'its keys are gone');
  assertProblem(await asKey(k.key, 'GET', '/api/v1/customers'), 401, 'invalid_api_key');
  if (srv.backend === 'postgres')
    assert.deepEqual(psql(srv.ownerDb, `SET qt.all_tenants = 'on';\nSELECT count(*) FROM rate_buckets WHERE tenant_id = '${tid}';`), [['0']]);
});

test('lookup by hash before the store is known goes through a definer function that returns that one key', { skip: BACKEND !== 'postgres' && 'PostgreSQL roles' }, async () => {
  const k = await makeKey(A, { name: 'Definer', role: 'viewer' });
  const hash = createHash('sha256').update(k.key).digest('hex');
  const tid = A.session.tenant.id;
  assert.deepEqual(psql(srv.db, `SELECT id, tenant_id, role FROM qt_api_key('${hash}');`), [[k.id, tid, 'viewer']]);
  assert.deepEqual(psql(srv.db, "SELECT count(*) FROM qt_api_key('%');"), [['0']]);
  // The app role sees no key rows without its store set, and may not delete any.
  assert.deepEqual(psql(srv.db, 'SELECT count(*) FROM api_keys;'), [['0']]);
  assert.throws(() => psql(srv.db, `BEGIN; SELECT set_config('app.tenant_id', '${tid}', true); DELETE FROM api_keys; COMMIT;`), /permission denied/);
  assert.throws(() => psql(srv.db, `BEGIN; SELECT set_config('app.tenant_id', '${tid}', true); UPDATE api_keys SET role = 'admin'; COMMIT;`), /permission denied/);
  // Revoked: the function no longer finds it.
  assert.equal((await srv.api('DELETE', `${K}/${k.id}`, { token: A.token })).status, 204);
  assert.deepEqual(psql(srv.db, `SELECT count(*) FROM qt_api_key('${hash}');`), [['0']]);
});
