// The operator's API: sign-in, stores (create with owner, list with usage,
// change plan/status/domain, delete only when suspended) and plans.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { startServer, newStore, login, BACKEND } from '../lib/server.mjs';
import { assertProblem, newOperator, jwtParts, signJwt } from '../lib/foundation.mjs';

let srv, op;
before(async () => {
  srv = await startServer();
  op = await newOperator(srv);
});
after(async () => { await srv.stop(); });

const slug = () => 'p' + randomBytes(4).toString('hex');
const P = '/api/v1/platform';

async function createStore(body = {}) {
  const s = body.slug || slug();
  const r = await srv.api('POST', `${P}/tenants`, { token: op.token, body: { slug: s, name: `Store ${s}`, owner_email: `owner@${s}.example`, owner_password: 'owner-password-1', ...body } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('operator login returns an operator token (op: true, no tenant) and the operator', async () => {
  const j = op.session;
  assert.deepEqual(Object.keys(j).sort(), ['access_token', 'expires_in', 'operator', 'refresh_token', 'token_type']);
  assert.equal(j.token_type, 'bearer');
  assert.equal(j.operator.email, op.email);
  const { header, payload } = jwtParts(j.access_token);
  assert.equal(header.alg, 'HS256');
  assert.equal(payload.op, true);
  assert.equal(payload.tid, undefined);
  assert.equal(payload.role, undefined);
  assert.equal(payload.sub, j.operator.id);
});

test('operator login failures are the same 401 for unknown operator and wrong password', async () => {
  const a = assertProblem(await srv.api('POST', `${P}/auth/login`, { body: { email: op.email, password: 'wrong-password-1' } }), 401, 'invalid_credentials');
  const b = assertProblem(await srv.api('POST', `${P}/auth/login`, { body: { email: 'nobody@platform.example', password: 'wrong-password-1' } }), 401, 'invalid_credentials');
  assert.deepEqual({ ...a, request_id: 0 }, { ...b, request_id: 0 });
  // A store owner is not an operator.
  const s = await newStore(srv);
  assertProblem(await srv.api('POST', `${P}/auth/login`, { body: { email: s.email, password: s.password } }), 401, 'invalid_credentials');
  assertProblem(await srv.api('POST', `${P}/auth/login`, { body: { email: op.email } }), 422, 'validation_failed', 'password');
});

test('platform routes need an operator token', async () => {
  assertProblem(await srv.api('GET', `${P}/tenants`), 401, 'unauthorized');
  assertProblem(await srv.api('GET', `${P}/plans`), 401, 'unauthorized');
  assertProblem(await srv.api('GET', `${P}/tenants`, { token: 'not.a.token' }), 401, 'invalid_token');
});

test('plans list has the four seeded plans with the spec limits', async () => {
  const r = await srv.api('GET', `${P}/plans`, { token: op.token });
  assert.equal(r.status, 200, r.text);
  const by = Object.fromEntries(r.json.data.map((p) => [p.name, p]));
  assert.deepEqual(Object.keys(by).sort(), ['enterprise', 'free', 'professional', 'starter']);
  assert.equal(by.free.customer_limit, 50);
  assert.equal(by.free.storage_mb, 100);
  assert.equal(by.free.requests_per_min, 60);
  assert.equal(by.starter.customer_limit, 250);
  assert.equal(by.starter.storage_mb, 1024);
  assert.equal(by.starter.requests_per_min, 300);
  assert.equal(by.professional.customer_limit, 1000);
  assert.equal(by.professional.storage_mb, 5120);
  assert.equal(by.professional.requests_per_min, 1200);
  assert.equal(by.enterprise.customer_limit, null);
  assert.equal(by.enterprise.storage_mb, 51200);
  assert.equal(by.enterprise.requests_per_min, null);
  for (const p of r.json.data) assert.ok(Array.isArray(p.features), p.name);
  assert.ok(by.professional.features.length > by.free.features.length);
});

test('creating a store with a new owner: 201, listed with usage, and the owner can sign in', async () => {
  const s = slug();
  const r = await srv.api('POST', `${P}/tenants`, { token: op.token, body: { slug: s, name: 'Platform Store', plan: 'starter', domain: `${s}.shops.example`, owner_email: `Owner@${s}.example`, owner_name: 'Meera', owner_password: 'owner-password-1' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.slug, s);
  assert.equal(r.json.name, 'Platform Store');
  assert.equal(r.json.plan, 'starter');
  assert.equal(r.json.status, 'active');
  assert.equal(r.json.domain, `${s}.shops.example`);
  assert.equal(r.json.owner.email, `owner@${s}.example`);
  assert.match(r.json.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  const l = await login(srv, s, `owner@${s}.example`, 'owner-password-1');
  assert.equal(l.role, 'owner');
  assert.equal(l.user.name, 'Meera');
  assert.equal(l.tenant.id, r.json.id);
  const list = await srv.api('GET', `${P}/tenants`, { token: op.token });
  assert.equal(list.status, 200);
  const row = list.json.data.find((t) => t.id === r.json.id);
  assert.ok(row, 'listed');
  assert.equal(row.plan, 'starter');
  assert.deepEqual(Object.keys(row.usage).sort(), ['customers', 'requests_last_minute', 'requests_today', 'storage_bytes', 'users']);
  assert.deepEqual({ customers: row.usage.customers, users: row.usage.users }, { customers: 0, users: 1 });
  assert.ok(row.usage.storage_bytes > 0, 'the store\'s rows take room');
  assert.ok('next_cursor' in list.json);
  // Usage follows the store's data.
  const c = await srv.api('POST', '/api/v1/customers', { token: l.access_token, body: { name: 'Usage Test', phone: '9876500001', apartment: '36194' } });
  assert.equal(c.status, 201, c.text);
  assert.equal((await srv.api('POST', '/api/v1/users', { token: l.access_token, body: { email: `m@${s}.example`, role: 'member', password: 'member-password-1' } })).status, 201);
  const list2 = await srv.api('GET', `${P}/tenants`, { token: op.token });
  const usage2 = list2.json.data.find((t) => t.id === r.json.id).usage;
  assert.deepEqual({ customers: usage2.customers, users: usage2.users }, { customers: 1, users: 2 });
  assert.ok(usage2.storage_bytes > row.usage.storage_bytes);
  assert.ok(usage2.requests_today >= 2 && usage2.requests_last_minute >= 2, JSON.stringify(usage2));
  // The operator still sees no ledger data in the list.
  assert.ok(!list2.text.includes('Usage Test') && !list2.text.includes('9876500001'));
});

test("a store created for an email known in another store gets a new owner account: the old password does not open it", async () => {
  const a = await newStore(srv);
  assertProblem(await srv.api('POST', `${P}/tenants`, { token: op.token, body: { slug: slug(), name: 'X', owner_email: a.email } }), 422, 'validation_failed', 'owner_password');
  const t = await createStore({ owner_email: a.email, owner_password: 'new-store-owner-pw' });
  assert.equal(t.owner.email, a.email);
  assertProblem(await srv.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: a.email, password: a.password } }), 401, 'invalid_credentials');
  assert.equal((await login(srv, t.slug, a.email, 'new-store-owner-pw')).role, 'owner');
  assert.equal((await login(srv, a.slug, a.email, a.password)).role, 'owner');
});

test('creating a store refuses bad input (422/400 naming the field) and a taken slug or domain (409)', async () => {
  const t = await createStore({ domain: `${slug()}.taken.example` });
  const base = { slug: slug(), name: 'X', owner_email: `o@${slug()}.example`, owner_password: 'owner-password-1' };
  const cases = [
    [{ slug: 'A-upper' }, 422, 'validation_failed', 'slug'], [{ slug: '-dash' }, 422, 'validation_failed', 'slug'],
    [{ slug: 'x' }, 422, 'validation_failed', 'slug'], [{ slug: 'a'.repeat(64) }, 422, 'validation_failed', 'slug'],
    [{ name: '' }, 422, 'validation_failed', 'name'], [{ plan: 'platinum' }, 422, 'validation_failed', 'plan'],
    [{ domain: 'Not A Host' }, 422, 'validation_failed', 'domain'], [{ domain: 'nodots' }, 422, 'validation_failed', 'domain'],
    [{ owner_email: 'nope' }, 422, 'validation_failed', 'owner_email'],
    [{ owner_password: undefined }, 422, 'validation_failed', 'owner_password'],
    [{ owner_password: 'short' }, 422, 'validation_failed', 'owner_password'],
    [{ slug: 5 }, 422, 'validation_failed', 'slug'], [{ status: 'active' }, 400, 'unknown_field', 'status'],
    [{ slug: t.slug }, 409, 'tenant_exists', 'slug'], [{ domain: t.domain }, 409, 'tenant_exists'],
  ];
  for (const [change, status, code, field] of cases) {
    const r = await srv.api('POST', `${P}/tenants`, { token: op.token, body: { ...base, ...change } });
    assertProblem(r, status, code, field);
  }
  const list = await srv.api('GET', `${P}/tenants`, { token: op.token });
  assert.ok(!list.json.data.some((x) => x.slug === base.slug), 'no store was created by a refused request');
  // And the refused owner was not created either: the email is still free.
  const r = await srv.api('POST', `${P}/auth/login`, { body: { email: base.owner_email, password: 'owner-password-1' } });
  assert.equal(r.status, 401);
});

test('an operator changes a store plan, status and domain', async () => {
  const t = await createStore();
  const p = await srv.api('PATCH', `${P}/tenants/${t.id}`, { token: op.token, body: { plan: 'enterprise' } });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.plan, 'enterprise');
  assert.equal((await srv.api('GET', `/api/v1/tenant?tenant=${t.slug}`)).json.plan, 'enterprise');
  const d = await srv.api('PATCH', `${P}/tenants/${t.id}`, { token: op.token, body: { domain: `${t.slug}.custom.example`, name: 'Renamed Store' } });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.domain, `${t.slug}.custom.example`);
  assert.equal(d.json.name, 'Renamed Store');
  const s = await srv.api('PATCH', `${P}/tenants/${t.id}`, { token: op.token, body: { status: 'suspended' } });
  assert.equal(s.status, 200, s.text);
  assert.equal(s.json.status, 'suspended');
  const disc = await srv.api('GET', `/api/v1/tenant?tenant=${t.slug}`);
  assert.equal(disc.json.status, 'suspended');
  const back = await srv.api('PATCH', `${P}/tenants/${t.id}`, { token: op.token, body: { status: 'active', domain: null } });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.status, 'active');
  assert.equal(back.json.domain, null);
  // The store's owner sees the operator's changes in the store's audit log.
  const l = await login(srv, t.slug, t.owner.email, 'owner-password-1');
  const au = await srv.api('GET', '/api/v1/audit?entity=tenant', { token: l.access_token });
  assert.equal(au.status, 200, au.text);
  assert.ok(au.json.data.filter((e) => e.action === 'tenant.updated').length >= 4, au.text);
});

test('store updates refuse bad values (422), a taken domain (409) and unknown stores (404)', async () => {
  const a = await createStore({ domain: `${slug()}.a.example` });
  const b = await createStore();
  const cases = [
    [{ plan: 'gold' }, 422, 'validation_failed', 'plan'], [{ status: 'deleted' }, 422, 'validation_failed', 'status'],
    [{ domain: 'UPPER.example' }, 422, 'validation_failed', 'domain'], [{ name: '' }, 422, 'validation_failed', 'name'],
    [{ slug: 'new-slug' }, 400, 'unknown_field', 'slug'], [{ plan: 1 }, 422, 'validation_failed', 'plan'],
    [{ domain: a.domain }, 409, 'conflict', 'domain'],
  ];
  for (const [body, status, code, field] of cases)
    assertProblem(await srv.api('PATCH', `${P}/tenants/${b.id}`, { token: op.token, body }), status, code, field);
  const list = await srv.api('GET', `${P}/tenants`, { token: op.token });
  const row = list.json.data.find((t) => t.id === b.id);
  assert.equal(row.plan, 'free');
  assert.equal(row.status, 'active');
  assert.equal(row.domain, null);
  for (const id of [randomUUID(), 'not-a-uuid', b.slug])
    assertProblem(await srv.api('PATCH', `${P}/tenants/${id}`, { token: op.token, body: { plan: 'starter' } }), 404, 'not_found');
});

test('only a suspended store can be deleted (else 409); deleting removes it and its members lose access', async () => {
  const t = await createStore();
  const l = await login(srv, t.slug, t.owner.email, 'owner-password-1');
  assertProblem(await srv.api('DELETE', `${P}/tenants/${t.id}`, { token: op.token }), 409, 'tenant_not_suspended');
  assert.equal((await srv.api('GET', '/api/v1/auth/me', { token: l.access_token })).status, 200);
  assert.equal((await srv.api('PATCH', `${P}/tenants/${t.id}`, { token: op.token, body: { status: 'suspended' } })).status, 200);
  const d = await srv.api('DELETE', `${P}/tenants/${t.id}`, { token: op.token });
  assert.equal(d.status, 204, d.text);
  assertProblem(await srv.api('GET', `/api/v1/tenant?tenant=${t.slug}`), 404, 'tenant_not_found');
  const list = await srv.api('GET', `${P}/tenants`, { token: op.token });
  assert.ok(!list.json.data.some((x) => x.id === t.id));
  assert.equal((await srv.api('GET', '/api/v1/auth/me', { token: l.access_token })).status, 401);
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: l.refresh_token } }), 401, 'invalid_refresh_token');
  assertProblem(await srv.api('DELETE', `${P}/tenants/${t.id}`, { token: op.token }), 404, 'not_found');
  assertProblem(await srv.api('DELETE', `${P}/tenants/not-a-uuid`, { token: op.token }), 404, 'not_found');
  // The slug is free again.
  const again = await createStore({ slug: t.slug, owner_email: `second@${t.slug}.example` });
  assert.notEqual(again.id, t.id);
  const l2 = await login(srv, t.slug, `second@${t.slug}.example`, 'owner-password-1');
  const users = await srv.api('GET', '/api/v1/users', { token: l2.access_token });
  assert.deepEqual(users.json.data.map((u) => u.email), [`second@${t.slug}.example`]);
});

test('operator refresh rotates and detects reuse', async () => {
  const o = await newOperator(srv);
  const r = await srv.api('POST', `${P}/auth/refresh`, { body: { refresh_token: o.session.refresh_token } });
  assert.equal(r.status, 200, r.text);
  assert.equal(jwtParts(r.json.access_token).payload.op, true);
  assertProblem(await srv.api('POST', `${P}/auth/refresh`, { body: { refresh_token: o.session.refresh_token } }), 401, 'refresh_token_reused');
  assert.equal((await srv.api('POST', `${P}/auth/refresh`, { body: { refresh_token: r.json.refresh_token } })).status, 401);
  // The session is over, so its access tokens stop working at once too.
  assertProblem(await srv.api('GET', `${P}/tenants`, { token: r.json.access_token }), 401, 'invalid_token');
  assertProblem(await srv.api('GET', `${P}/tenants`, { token: o.token }), 401, 'invalid_token');
});

test('operator tokens name their session; refresh keeps it, and sign-out ends its access tokens at once', async () => {
  const o = await newOperator(srv);
  const sid = jwtParts(o.token).payload.sid;
  assert.match(sid, /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const r = await srv.api('POST', `${P}/auth/refresh`, { body: { refresh_token: o.session.refresh_token } });
  assert.equal(r.status, 200, r.text);
  assert.equal(jwtParts(r.json.access_token).payload.sid, sid);
  assert.equal((await srv.api('GET', `${P}/tenants`, { token: o.token })).status, 200);
  assert.equal((await srv.api('POST', `${P}/auth/logout`, { body: { refresh_token: r.json.refresh_token } })).status, 204);
  for (const token of [o.token, r.json.access_token]) {
    assertProblem(await srv.api('GET', `${P}/tenants`, { token }), 401, 'invalid_token');
    assertProblem(await srv.api('PATCH', `${P}/tenants/${randomUUID()}`, { token, body: { status: 'suspended' } }), 401, 'invalid_token');
  }
  // Another sign-in of the same operator is a session of its own.
  assert.equal((await srv.api('GET', `${P}/tenants`, { token: op.token })).status, 200);
});

test('an operator token signed with the secret but without a live session of that operator is refused', async () => {
  const o = await newOperator(srv);
  const p = jwtParts(o.token).payload;
  const other = jwtParts(op.token).payload;
  const sign = (claims) => signJwt({ alg: 'HS256', typ: 'JWT' }, { ...p, ...claims }, srv.env.QT_JWT_SECRET);
  const noSid = { ...p };
  delete noSid.sid;
  for (const token of [
    signJwt({ alg: 'HS256', typ: 'JWT' }, noSid, srv.env.QT_JWT_SECRET),
    sign({ sid: randomUUID() }),
    sign({ sid: 'not-a-session' }),
    sign({ sid: other.sid }),            // someone else's session
  ]) assertProblem(await srv.api('GET', `${P}/tenants`, { token }), 401, 'invalid_token');
  assert.equal((await srv.api('GET', `${P}/tenants`, { token: sign({}) })).status, 200);
});

// SQL on the server's database as its owner, outside the API.
function ownerSql(sql) {
  return BACKEND === 'postgres'
    ? execFileSync('psql', [srv.ownerDb, '-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: 'pipe' }).toString()
    : execFileSync('sqlite3', [srv.db.slice('sqlite:'.length), sql], { stdio: 'pipe' }).toString();
}

test('a store whose owner account cannot be written is not created: 500 problem, nothing left behind, the server lives on', async () => {
  // A database fault on the owner's row only (not a constraint: those are 409s).
  ownerSql(BACKEND === 'postgres'
    ? `CREATE FUNCTION refuse_owner() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN IF NEW.email LIKE 'refused@%' THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$;
       CREATE TRIGGER refuse_owner BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION refuse_owner();`
    : `CREATE TRIGGER refuse_owner BEFORE INSERT ON users WHEN NEW.email LIKE 'refused@%'
         BEGIN SELECT json('refused'); END;`);
  try {
    const s = slug();
    assertProblem(await srv.api('POST', `${P}/tenants`, { token: op.token, body: { slug: s, name: `Store ${s}`, owner_email: `refused@${s}.example`, owner_password: 'owner-password-1' } }), 500, 'internal_error');
    const list = await srv.api('GET', `${P}/tenants`, { token: op.token });
    assert.equal(list.status, 200, list.text);
    assert.ok(!list.json.data.some((t) => t.slug === s), 'the store was rolled back');
    // The same slug with another owner is free, and the server still serves.
    assert.equal((await createStore({ slug: s })).slug, s);
  } finally {
    ownerSql(BACKEND === 'postgres'
      ? 'DROP TRIGGER refuse_owner ON users; DROP FUNCTION refuse_owner();'
      : 'DROP TRIGGER refuse_owner;');
  }
});
