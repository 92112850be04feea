// isolation.test.mjs — the cross-tenant isolation matrix (SPEC section 5,
// issue 4), on both backends.  Two stores A and B with data; B's owner
// tries every tenant route of the API with A's ids and must get exactly
// what a missing id gets (404 with the same problem, or an empty list),
// while a checksum of everything A can see stays the same.  Then the
// tokens: a forged token naming A's tenant with B's user, a removed
// member's still-valid token, and an operator token on tenant routes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { startServer, newStore, login, BACKEND } from '../lib/server.mjs';
import { openEvents, ticketFor } from '../lib/sse.mjs';

let srv, A, B;

// The tenant routes of the table in src/api/routes.c ("METHOD /path").
function tenantRoutes() {
  const src = readFileSync(new URL('../../src/api/routes.c', import.meta.url), 'utf8');
  return [...src.matchAll(/\{\s*\.method = "(GET|POST|PATCH|DELETE|PUT)",\s*\.pattern = "([^"]+)",\s*\.handler = \w+,\s*\.auth = ROUTE_TENANT\b/g)].map((m) => `${m[1]} ${m[2]}`);
}

const missingId = () => randomUUID();

function claims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

// An HS256 token signed with the server's own secret: only the claims lie.
function forge(secret, payload) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = enc({ alg: 'HS256', typ: 'JWT' });
  const body = enc(payload);
  const sig = createHmac('sha256', secret).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

async function ok(res, status, what) {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text}`);
  return res.json;
}

// A store with two customers, a purchase, a payment, a reversal, an
// apartment record, a second member, and a purchase made with an
// Idempotency-Key; audit rows come with all of it.
async function populate(label) {
  // The matrix fires a few hundred requests a second at each store, far
  // past the professional plan's 1200 a minute: the plan without a rate
  // (and with every feature, API keys included).
  const s = await newStore(srv, { name: `Store ${label}`, plan: 'enterprise' });
  s.tid = claims(s.token).tid;
  s.ownerId = claims(s.token).sub;
  const api = (m, p, o = {}) => srv.api(m, p, { token: s.token, ...o });
  const phoneBase = label === 'A' ? '98765432' : '91234567';
  s.customers = [];
  for (let i = 0; i < 2; i++) {
    const c = await ok(await api('POST', '/api/v1/customers', {
      body: { name: `${label} Resident ${i}`, phone: `${phoneBase}1${i}`, apartment: `3${i}104`, notes: `secret-of-${label}` },
    }), 201, `${label} customer`);
    s.customers.push(c.id);
  }
  const p = await ok(await api('POST', '/api/v1/transactions', {
    body: { customer_id: s.customers[0], type: 'purchase', amount_minor: 25000, note: `milk for ${label}` },
  }), 201, `${label} purchase`);
  await ok(await api('POST', '/api/v1/transactions', {
    body: { customer_id: s.customers[0], type: 'payment', amount_minor: 5000 },
  }), 201, `${label} payment`);
  const wrong = await ok(await api('POST', '/api/v1/transactions', {
    body: { customer_id: s.customers[1], type: 'purchase', amount_minor: 700 },
  }), 201, `${label} wrong purchase`);
  const rev = await ok(await api('POST', `/api/v1/transactions/${wrong.id}/reverse`, {
    body: { reason: 'typed the wrong customer' },
  }), 201, `${label} reversal`);
  s.entries = [p.id, wrong.id, rev.id];
  s.idemKey = 'purchase-' + randomUUID();
  s.idemBody = { customer_id: s.customers[1], type: 'purchase', amount_minor: 1234 };
  s.idemEntry = (await ok(await api('POST', '/api/v1/transactions', {
    body: s.idemBody, headers: { 'Idempotency-Key': s.idemKey },
  }), 201, `${label} idempotent purchase`)).id;
  s.apartment = label === 'A' ? '21203' : '22203';
  await ok(await api('POST', '/api/v1/apartments', {
    body: { number: s.apartment, occupant_name: `Occupant of ${label}`, occupancy: 'owner', notes: `apt-secret-${label}` },
  }), 201, `${label} apartment`);
  const m = await ok(await api('POST', '/api/v1/users', {
    body: { email: `member@${s.slug}.example`, role: 'member', password: 'correct-horse-battery' },
  }), 201, `${label} member`);
  s.memberId = m.id;
  const share = await ok(await api('POST', `/api/v1/customers/${s.customers[0]}/share`, { body: {} }), 201, `${label} share`);
  s.shareId = share.id;
  s.shareUrl = share.url;
  const png = Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from(`document-of-${label}`)]);
  s.document = (await ok(await api('POST', `/api/v1/customers/${s.customers[0]}/documents?filename=id-${label}.png`, {
    raw: png, headers: { 'Content-Type': 'image/png' },
  }), 201, `${label} document`)).id;
  const key = await ok(await api('POST', '/api/v1/api-keys', { body: { name: `${label} integration`, role: 'admin' } }), 201, `${label} API key`);
  s.keyId = key.id;
  s.key = key.key;
  return s;
}

// Everything A's owner can read, hashed.  Any change to A's rows (or a row
// of B's showing up in A's lists) changes it.
async function checksum(s) {
  const h = createHash('sha256');
  const paths = [
    '/api/v1/customers?limit=200&status=all', '/api/v1/transactions?limit=200',
    '/api/v1/apartments?limit=200', '/api/v1/users', '/api/v1/audit?limit=200', '/api/v1/settings',
    '/api/v1/reminders?limit=200', '/api/v1/api-keys',
    ...s.customers.map((id) => `/api/v1/customers/${id}`),
    ...s.customers.map((id) => `/api/v1/customers/${id}/statement`),
    ...s.entries.map((id) => `/api/v1/transactions/${id}`),
    `/api/v1/apartments/${s.apartment}`,
    `/api/v1/shared/${new URL(s.shareUrl).pathname.slice(3)}`,
    ...s.customers.map((id) => `/api/v1/customers/${id}/documents`),
    `/api/v1/documents/${s.document}`,
  ];
  for (const p of paths) {
    const r = await srv.api('GET', p, { token: s.token });
    assert.equal(r.status, 200, `checksum read ${p}: ${r.status} ${r.text}`);
    h.update(p + '\n' + r.text + '\n');
  }
  return h.digest('hex');
}

// The parts of a problem that must not tell "another store's" from "none".
function problemShape(r) {
  const j = r.json || {};
  return { status: r.status, code: j.code, title: j.title, detail: j.detail, ctype: r.headers.get('content-type') };
}

before(async () => {
  srv = await startServer();
  A = await populate('A');
  B = await populate('B');
});

after(async () => { await srv?.stop(); });

test('another store\'s ids answer exactly as missing ids, on every tenant route', async () => {
  const sumBefore = await checksum(A);
  const asB = (m, p, o = {}) => srv.api(m, p, { token: B.token, ...o });
  const [c0] = A.customers;
  const [entry] = A.entries;
  const cases = [
    ['GET', (id) => `/api/v1/customers/${id}`, c0],
    ['PATCH', (id) => `/api/v1/customers/${id}`, c0, { notes: 'changed by B' }],
    ['PATCH', (id) => `/api/v1/customers/${id}`, c0, { credit_limit_minor: 1 }],
    ['DELETE', (id) => `/api/v1/customers/${id}`, A.customers[1]],
    ['GET', (id) => `/api/v1/customers/${id}/statement`, c0],
    ['GET', (id) => `/api/v1/customers/${id}/statement?format=csv`, c0],
    ['GET', (id) => `/api/v1/transactions/${id}`, entry],
    ['GET', (id) => `/api/v1/transactions/${id}`, A.idemEntry],
    ['POST', (id) => `/api/v1/transactions/${id}/reverse`, entry, { reason: 'B tries' }],
    ['POST', (id) => `/api/v1/transactions/${id}/reverse`, A.idemEntry, { reason: 'B tries' }],
    ['POST', (id) => `/api/v1/customers/${id}/reminders`, c0, {}],
    ['POST', (id) => `/api/v1/customers/${id}/reminders`, c0, { channel: 'link' }],
    ['POST', (id) => `/api/v1/transactions/${id}/receipt`, entry, {}],
    ['POST', () => '/api/v1/settings/reminder-preview', c0, null, (id) => ({ customer_id: id })],
    ['POST', () => '/api/v1/transactions', c0, null, (id) => ({ customer_id: id, type: 'purchase', amount_minor: 100 })],
    ['POST', () => '/api/v1/transactions', c0, null, (id) => ({ customer_id: id, type: 'payment', amount_minor: 100 })],
    ['POST', () => '/api/v1/transactions', c0, null, (id) => ({ customer_id: id, type: 'adjustment', amount_minor: -100, reason: 'B' })],
    ['PATCH', (id) => `/api/v1/users/${id}`, A.memberId, { role: 'viewer' }],
    ['PATCH', (id) => `/api/v1/users/${id}`, A.memberId, { name: 'renamed by B' }],
    ['PATCH', (id) => `/api/v1/users/${id}`, A.ownerId, { role: 'viewer' }],
    ['DELETE', (id) => `/api/v1/users/${id}`, A.memberId],
    ['DELETE', (id) => `/api/v1/users/${id}`, A.ownerId],
    ['POST', (id) => `/api/v1/customers/${id}/share`, c0, {}],
    ['POST', (id) => `/api/v1/customers/${id}/share`, c0, { expires_in_days: 90 }],
    ['DELETE', (id) => `/api/v1/shares/${id}`, A.shareId],
    ['GET', (id) => `/api/v1/customers/${id}/documents`, c0],
    ['POST', (id) => `/api/v1/customers/${id}/documents?filename=b.png`, c0, null, null,
      Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.from('from B')]), 'image/png'],
    ['GET', (id) => `/api/v1/documents/${id}`, A.document],
    ['DELETE', (id) => `/api/v1/documents/${id}`, A.document],
    ['DELETE', (id) => `/api/v1/api-keys/${id}`, A.keyId],
  ];
  // B's API key (an admin) tries the same, but for the routes no key may
  // use at all (members, keys: 403 api_key_not_allowed either way).
  const byKey = cases.filter(([, path]) => !/\/(users|api-keys)\//.test(path('x')))
    .map(([method, path, aId, body, makeBody, raw, type]) => [method, path, aId, body, makeBody, raw, type, { 'X-API-Key': B.key }]);
  for (const [method, path, aId, body, makeBody, raw, type, headers] of [...cases, ...byKey]) {
    const opts = (id) => (raw !== undefined
      ? { raw, headers: { 'Content-Type': type, ...(headers ?? {}) } }
      : { headers, body: makeBody ? makeBody(id) : (body ?? undefined) });
    const send = (id) => (headers ? srv.api(method, path(id), opts(id)) : asB(method, path(id), opts(id)));
    const theirs = await send(aId);
    const none = await send(missingId());
    const what = `${method} ${path(aId)} ${makeBody ? JSON.stringify(makeBody('<A id>')) : ''}${headers ? ' (API key)' : ''}`;
    assert.equal(theirs.status, 404, `${what}: ${theirs.status} ${theirs.text}`);
    assert.deepEqual(problemShape(theirs), problemShape(none), `${what} differs from a missing id`);
    assert.ok(!theirs.text.includes('secret-of-A') && !theirs.text.includes('Resident'), `${what} leaked: ${theirs.text}`);
  }

  // CSV imports: A's customer and entry ids mean nothing to B's import,
  // exactly as made-up ids (the error names the id given, so it is
  // compared with the id taken out), and nothing of A's shows.
  const csvPost = (kind, csv, dry = true) => asB('POST', `/api/v1/import/${kind}${dry ? '?dry_run=true' : ''}`,
    { raw: csv, headers: { 'Content-Type': 'text/csv' } });
  const at = new Date(Date.now() - 3600000).toISOString();
  const importCases = [
    ['transactions', (id) => `customer_id,type,amount_minor,occurred_at\r\n${id},purchase,100,${at}\r\n`, c0],
    ['transactions', (id) => `customer_id,type,amount_minor,occurred_at\r\n${id},payment,100,${at}\r\n`, A.customers[1]],
    ['transactions', (id) => `id,type,amount_minor,occurred_at,phone,reverses_id\r\nx,reversal,,${at},,${id}\r\n`, entry],
  ];
  const errorsShape = (r, id) => ({ status: r.status, code: r.json?.code,
    errors: (r.json?.errors || []).map((e) => ({ ...e, message: e.message.replaceAll(id, '<id>') })) });
  for (const [kind, csv, aId] of importCases) {
    const none = missingId();
    const theirs = await csvPost(kind, csv(aId)), made = await csvPost(kind, csv(none));
    assert.equal(theirs.status, 422, `import ${kind} naming A's ${aId}: ${theirs.text}`);
    assert.deepEqual(errorsShape(theirs, aId), errorsShape(made, none), `import naming A's id differs from a missing id`);
    assert.ok(!theirs.text.includes('secret-of-A') && !theirs.text.includes('Resident'), `import leaked: ${theirs.text}`);
  }
  // A's customer id beside B's own customer's phone: the phone decides.
  const bPhone = (await asB('GET', `/api/v1/customers/${B.customers[0]}`)).json.phone;
  const fell = await csvPost('transactions', `customer_id,phone,type,amount_minor,occurred_at\r\n${c0},${bPhone},purchase,100,${at}\r\n`);
  assert.equal(fell.status, 200, fell.text);
  // A's phones are free in B: phones are unique within a store only.
  const aPhone = (await srv.api('GET', `/api/v1/customers/${c0}`, { token: A.token })).json.phone;
  const cust = await csvPost('customers', `name,phone\r\nB's own,${aPhone}\r\n`);
  assert.equal(cust.status, 200, cust.text);

  // Apartments are addressed by number, which both stores may have: B
  // reading A's number sees nothing of A's record.
  const apt = await asB('GET', `/api/v1/apartments/${A.apartment}`);
  assert.equal(apt.status, 404, apt.text);
  assert.deepEqual(problemShape(apt), problemShape(await asB('GET', '/api/v1/apartments/29909')));
  // Filters naming A's ids give empty lists, as for unknown ids.
  const empties = [
    `/api/v1/transactions?customer_id=${c0}`,
    `/api/v1/audit?entity_id=${c0}`,
    `/api/v1/audit?entity=customer&entity_id=${c0}`,
    `/api/v1/audit?entity=transaction&entity_id=${entry}`,
    `/api/v1/audit?entity=user&entity_id=${A.memberId}`,
    `/api/v1/audit?entity=apartment&entity_id=${A.apartment}`,  // before B makes its own 21203 below
    `/api/v1/audit?actor=${A.ownerId}`,
    '/api/v1/customers?q=A%20Resident',
    `/api/v1/customers?q=${A.customers[0]}`,
  ];
  for (const p of empties) {
    const r = await asB('GET', p);
    assert.equal(r.status, 200, `${p}: ${r.text}`);
    assert.deepEqual(r.json.data, [], `${p} shows rows of another store: ${r.text}`);
  }

  // PATCH creates B's own record for that number; A's stays as it was.
  const own = await asB('PATCH', `/api/v1/apartments/${A.apartment}`, { body: { notes: 'B edits' } });
  assert.equal(own.status, 200, own.text);
  assert.equal(own.json.occupant_name, '', 'B got a fresh record, not A\'s');
  assert.ok(!own.text.includes('Occupant of A') && !own.text.includes('apt-secret-A'), own.text);

  // B's own lists hold none of A's ids or text.
  const secrets = [...A.customers, ...A.entries, A.idemEntry, A.memberId, A.ownerId, A.tid, A.shareId, A.document, A.keyId,
    'secret-of-A', 'Occupant of A', 'milk for A', 'id-A.png'];
  for (const p of ['/api/v1/customers?limit=200&status=all', '/api/v1/transactions?limit=200', '/api/v1/apartments?limit=200',
    '/api/v1/users', '/api/v1/audit?limit=200', '/api/v1/settings', '/api/v1/auth/me', '/api/v1/api-keys',
    `/api/v1/customers/${B.customers[0]}/documents`,
    '/api/v1/export/customers.csv', '/api/v1/export/transactions.csv', '/api/v1/export/reminders.csv',
    '/api/v1/export/audit.csv', '/api/v1/export/transactions.csv?from=2000-01-01&to=2099-12-31']) {
    const r = await asB('GET', p);
    assert.equal(r.status, 200, `${p}: ${r.text}`);
    for (const s of secrets) assert.ok(!r.text.includes(s), `${p} as B contains A's ${s}`);
  }
  // ...nor do the lists B's API key reads, whatever store it names.
  for (const p of ['/api/v1/customers?limit=200&status=all', '/api/v1/transactions?limit=200', '/api/v1/apartments?limit=200',
    '/api/v1/audit?limit=200', '/api/v1/settings', '/api/v1/reminders?limit=200']) {
    const r = await srv.api('GET', p, { headers: { 'X-API-Key': B.key, 'X-Tenant': A.slug } });
    assert.equal(r.status, 200, `${p} with B's key: ${r.text}`);
    for (const s of secrets) assert.ok(!r.text.includes(s), `${p} with B's key contains A's ${s}`);
  }

  // B's usage counts B's customers and rows only, and names none of A's.
  const usage = await asB('GET', '/api/v1/usage');
  assert.equal(usage.status, 200, usage.text);
  assert.equal(usage.json.usage.customers, 2);
  for (const s of [A.tid, A.slug, ...A.customers]) assert.ok(!usage.text.includes(s), `usage as B shows A's ${s}`);

  assert.equal(await checksum(A), sumBefore, 'A\'s data changed');
});

test('an Idempotency-Key that store A used means nothing in store B', async () => {
  const sumBefore = await checksum(A);
  // Same key, same body as A's request: B must not get A's stored response.
  const same = await srv.api('POST', '/api/v1/transactions', {
    token: B.token, body: A.idemBody, headers: { 'Idempotency-Key': A.idemKey },
  });
  assert.equal(same.status, 404, same.text);
  assert.equal(same.headers.get('idempotent-replayed'), null);
  assert.ok(!same.text.includes(A.idemEntry), same.text);
  // Same key, B's own body: a new entry in B, not a replay or a 409.
  const mine = await srv.api('POST', '/api/v1/transactions', {
    token: B.token, body: { customer_id: B.customers[1], type: 'purchase', amount_minor: 1234 },
    headers: { 'Idempotency-Key': A.idemKey },
  });
  assert.equal(mine.status, 201, mine.text);
  assert.equal(mine.headers.get('idempotent-replayed'), null);
  assert.notEqual(mine.json.id, A.idemEntry);
  assert.equal(mine.json.customer_id, B.customers[1]);
  // A still replays its own response.
  const again = await srv.api('POST', '/api/v1/transactions', {
    token: A.token, body: A.idemBody, headers: { 'Idempotency-Key': A.idemKey },
  });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.equal(again.json.id, A.idemEntry);
  assert.equal(await checksum(A), sumBefore, 'A\'s data changed');
});

test('a token forged with A\'s tenant id and B\'s user is refused', async () => {
  const now = Math.floor(Date.now() / 1000);
  const secret = srv.env.QT_JWT_SECRET;
  const tok = (tid, sub, role = 'owner') => forge(secret, { sub, tid, role, jti: randomUUID(), iat: now, exp: now + 600 });
  // The signature is right: the same forgery for B's own store works.
  const control = await srv.api('GET', '/api/v1/customers', { token: tok(B.tid, B.ownerId) });
  assert.equal(control.status, 200, `control token must be accepted: ${control.text}`);

  const sumBefore = await checksum(A);
  for (const [sub, role] of [[B.ownerId, 'owner'], [B.memberId, 'owner'], [missingId(), 'owner']]) {
    const t = tok(A.tid, sub, role);
    for (const [m, p, body] of [
      ['GET', '/api/v1/customers'], ['GET', `/api/v1/customers/${A.customers[0]}`], ['GET', '/api/v1/auth/me'],
      ['GET', '/api/v1/audit'], ['GET', '/api/v1/users'], ['GET', '/api/v1/export/transactions.csv'],
      ['POST', '/api/v1/transactions', { customer_id: A.customers[0], type: 'purchase', amount_minor: 100 }],
      ['DELETE', `/api/v1/users/${A.memberId}`],
      ['PATCH', '/api/v1/auth/me', { language: 'hi' }],
    ]) {
      const r = await srv.api(m, p, { token: t, body });
      assert.equal(r.status, 401, `${m} ${p} with a forged A token (sub ${sub}): ${r.status} ${r.text}`);
      assert.equal(r.json.code, 'invalid_token');
      assert.ok(!r.text.includes('Resident'), r.text);
    }
  }
  // A token for B signed with another key.
  const wrongKey = forge('x'.repeat(48), { sub: B.ownerId, tid: B.tid, role: 'owner', jti: randomUUID(), iat: now, exp: now + 600 });
  assert.equal((await srv.api('GET', '/api/v1/customers', { token: wrongKey })).status, 401);
  // B's owner cannot sign in to A with B's password.
  const li = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: A.slug, email: B.email, password: B.password } });
  assert.equal(li.status, 401, li.text);
  assert.equal(await checksum(A), sumBefore, 'A\'s data changed');
});

test('a language chosen in store B is B\'s caller\'s alone: A\'s accounts and data do not move', async () => {
  const me = (s) => srv.api('GET', '/api/v1/auth/me', { token: s.token });
  const sumBefore = await checksum(A);
  const aBefore = (await me(A)).text;
  const r = await srv.api('PATCH', '/api/v1/auth/me', { token: B.token, body: { language: 'hi' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.tenant.id, B.tid);
  assert.equal(r.json.user.id, B.ownerId);
  assert.equal((await me(B)).json.language, 'hi');
  assert.equal((await me(A)).text, aBefore);
  assert.equal((await me(A)).json.language, null);
  assert.equal(await checksum(A), sumBefore, 'A\'s data changed');
  assert.equal((await srv.api('PATCH', '/api/v1/auth/me', { token: B.token, body: { language: null } })).status, 200);
});

test('a removed member\'s still-valid token is refused at once', async () => {
  const email = `leaver-${randomUUID().slice(0, 8)}@${A.slug}.example`;
  const u = await ok(await srv.api('POST', '/api/v1/users', {
    token: A.token, body: { email, role: 'admin', password: 'correct-horse-battery' },
  }), 201, 'add leaver');
  const s = await login(srv, A.slug, email, 'correct-horse-battery');
  assert.equal((await srv.api('GET', '/api/v1/customers', { token: s.access_token })).status, 200);
  await ok(await srv.api('DELETE', `/api/v1/users/${u.id}`, { token: A.token }), 204, 'remove leaver');
  assert.ok(claims(s.access_token).exp > Date.now() / 1000 + 60, 'the token has not expired');
  for (const [m, p, body] of [
    ['GET', '/api/v1/customers'], ['GET', `/api/v1/customers/${A.customers[0]}`], ['GET', '/api/v1/auth/me'],
    ['POST', '/api/v1/customers', { name: 'Ghost', phone: '9000000001' }],
    ['POST', '/api/v1/transactions', { customer_id: A.customers[0], type: 'purchase', amount_minor: 100 }],
  ]) {
    const r = await srv.api(m, p, { token: s.access_token, body });
    assert.equal(r.status, 401, `${m} ${p} by a removed member: ${r.status} ${r.text}`);
  }
});

test('an operator token cannot reach tenant routes, nor a tenant token platform routes', async () => {
  const email = `ops-${randomUUID().slice(0, 8)}@platform.example`;
  const add = srv.cli(['operator', 'add', '--email', email, '--password', 'operator-horse-battery']);
  assert.equal(add.code, 0, add.stderr);
  const li = await srv.api('POST', '/api/v1/platform/auth/login', { body: { email, password: 'operator-horse-battery' } });
  assert.equal(li.status, 200, li.text);
  const op = li.json.access_token;
  assert.equal((await srv.api('GET', '/api/v1/platform/tenants', { token: op })).status, 200);
  const sumBefore = await checksum(A);
  const tenantRoutes = [
    ['GET', '/api/v1/auth/me'], ['GET', '/api/v1/users'], ['GET', '/api/v1/settings'], ['GET', '/api/v1/audit'],
    ['GET', '/api/v1/customers'], ['GET', `/api/v1/customers/${A.customers[0]}`],
    ['PATCH', `/api/v1/customers/${A.customers[0]}`, { notes: 'op' }],
    ['DELETE', `/api/v1/customers/${A.customers[1]}`],
    ['GET', `/api/v1/customers/${A.customers[0]}/statement`],
    ['GET', '/api/v1/apartments'], ['GET', `/api/v1/apartments/${A.apartment}`],
    ['PATCH', `/api/v1/apartments/${A.apartment}`, { notes: 'op' }],
    ['GET', '/api/v1/transactions'], ['GET', `/api/v1/transactions/${A.entries[0]}`],
    ['POST', '/api/v1/transactions', { customer_id: A.customers[0], type: 'purchase', amount_minor: 100 }],
    ['POST', `/api/v1/transactions/${A.entries[0]}/reverse`, { reason: 'op' }],
    ['PATCH', `/api/v1/users/${A.memberId}`, { role: 'viewer' }], ['DELETE', `/api/v1/users/${A.memberId}`],
    ['PATCH', '/api/v1/settings', { credit_period_days: 1 }],
    ['POST', `/api/v1/customers/${A.customers[0]}/share`, {}], ['DELETE', `/api/v1/shares/${A.shareId}`],
    ['GET', '/api/v1/export/customers.csv'], ['GET', '/api/v1/export/transactions.csv'],
    ['GET', '/api/v1/export/reminders.csv'], ['GET', '/api/v1/export/audit.csv'],
  ];
  for (const [m, p, body] of tenantRoutes) {
    for (const headers of [{}, { 'X-Tenant': A.slug }]) {
      const r = await srv.api(m, p, { token: op, body, headers });
      assert.equal(r.status, 403, `${m} ${p} with an operator token: ${r.status} ${r.text}`);
      assert.equal(r.json.code, 'forbidden');
    }
  }
  for (const [m, p] of [['GET', '/api/v1/platform/tenants'], ['GET', '/api/v1/platform/plans'], ['DELETE', `/api/v1/platform/tenants/${A.tid}`]]) {
    const r = await srv.api(m, p, { token: B.token });
    assert.equal(r.status, 403, `${m} ${p} with a tenant token: ${r.status} ${r.text}`);
  }
  assert.equal(await checksum(A), sumBefore, 'A\'s data changed');
});

// Read-only routes without ids (reports and whatever comes next): B's
// answers are the same before and after A's activity, and hold nothing of A.
// The event stream never ends, so it has a test of its own below.
const ID_FREE_READS_COVERED_ABOVE = new Set(['GET /api/v1/auth/me', 'GET /api/v1/users', 'GET /api/v1/settings',
  'GET /api/v1/audit', 'GET /api/v1/customers', 'GET /api/v1/apartments', 'GET /api/v1/transactions',
  'GET /api/v1/events']);

test('id-free reads (reports, ...) of store B do not move when store A records entries', async () => {
  const reads = tenantRoutes().filter((r) => r.startsWith('GET ') && !r.includes('{') && !ID_FREE_READS_COVERED_ABOVE.has(r))
    .map((r) => r.slice(4));
  for (const p of ['/api/v1/reports/summary', '/api/v1/reports/collections'])
    assert.ok(reads.includes(p), `${p} is not among the id-free reads: ${reads.join(' ')}`);
  // The collections report also over a longer period than its default.
  reads.push(`/api/v1/reports/collections?from=${new Date(Date.now() - 40 * 86400000).toISOString().slice(0, 10)}`);
  const snapshot = async () => {
    const out = {};
    for (const p of reads) {
      const r = await srv.api('GET', p, { token: B.token });
      assert.equal(r.status, 200, `GET ${p} as B: ${r.status} ${r.text}`);
      for (const s of [...A.customers, A.tid, 'secret-of-A', 'A Resident']) assert.ok(!r.text.includes(s), `GET ${p} as B shows A's ${s}`);
      out[p] = r.text.replace(/"(generated_at|as_of|now)":"[^"]*"/g, '');
      // B's usage moves with B's own requests (these reads) and clock;
      // what it holds of rows must not move with A's.
      if (p === '/api/v1/usage') {
        const u = r.json;
        delete u.measured_at;
        delete u.usage.requests_last_minute;
        delete u.usage.requests_today;
        delete u.limits.requests_per_min;
        u.near_limits = u.near_limits.filter((n) => n !== 'requests_per_min');
        delete u.upgrade_suggested;
        out[p] = JSON.stringify(u);
      }
    }
    return out;
  };
  const before = await snapshot();
  const big = await srv.api('POST', '/api/v1/transactions', {
    token: A.token, body: { customer_id: A.customers[0], type: 'purchase', amount_minor: 7777700, override: true, override_reason: 'isolation test' },
  });
  assert.equal(big.status, 201, big.text);
  A.entries.push(big.json.id);
  const paid = await srv.api('POST', '/api/v1/transactions', {
    token: A.token, body: { customer_id: A.customers[0], type: 'payment', amount_minor: 1200, payment_method: 'upi' },
  });
  assert.equal(paid.status, 201, paid.text);
  A.entries.push(paid.json.id);
  assert.deepEqual(await snapshot(), before, 'B\'s reports changed with A\'s activity');
});

test('store B\'s event stream carries nothing of store A, and tickets do not cross stores', async () => {
  const streams = [];
  try {
    // A's own stream is the control: it hears A's change.
    const a = await openEvents(srv.url, { token: A.token });
    streams.push(a);
    await a.waitFor((e) => e.event === 'ready');
    // B replays everything it has from id 0, and follows.
    const b = await openEvents(srv.url, { ticket: await ticketFor(srv.url, B.token), lastEventId: 0 });
    streams.push(b);
    assert.equal(b.status, 200, b.text);
    const big = await srv.api('POST', '/api/v1/transactions', {
      token: A.token, body: { customer_id: A.customers[0], type: 'purchase', amount_minor: 4242, override: true, override_reason: 'events' },
    });
    assert.equal(big.status, 201, big.text);
    A.entries.push(big.json.id);
    await a.waitFor((e) => e.event === 'entry.created' && e.data.id === big.json.id);
    const mine = await srv.api('PATCH', `/api/v1/customers/${B.customers[0]}`, { token: B.token, body: { notes: 'B after A' } });
    assert.equal(mine.status, 200, mine.text);
    await b.waitFor((e) => e.event === 'customer.updated' && e.data.id === B.customers[0]);
    const text = JSON.stringify(b.events);
    assert.ok(b.events.length > 3, `B replayed its own history: ${text}`);
    for (const s of [...A.customers, ...A.entries, A.idemEntry, A.tid, 'A Resident', 'secret-of-A'])
      assert.ok(!text.includes(s), `B's stream shows A's ${s}`);
    // B's ticket under A's store id, and A's id space, give B nothing of A.
    const tB = await ticketFor(srv.url, B.token);
    const crossed = await openEvents(srv.url, { ticket: `${A.tid}.${tB.split('.')[1]}` });
    streams.push(crossed);
    assert.equal(crossed.status, 401, crossed.text);
    assert.equal(crossed.json.code, 'invalid_ticket');
    const fromA = await openEvents(srv.url, { token: B.token, lastEventId: Number(a.events.at(-1).id) + 1000 });
    streams.push(fromA);
    const first = await fromA.waitFor(() => true);
    assert.equal(first.event, 'reset');
    // A ticket is no token elsewhere.
    const tA = await ticketFor(srv.url, A.token);
    const r = await srv.api('GET', `/api/v1/customers?ticket=${encodeURIComponent(tA)}`);
    assert.equal(r.status, 401, r.text);
  } finally {
    for (const s of streams) s.close();
  }
});

test('every tenant route of the table is covered by this matrix', async () => {
  // Guard against a new route slipping past: ids in the path need a case
  // above; id-free GETs are covered by the test before this one.
  const covered = new Set([
    'GET /api/v1/auth/me', 'PATCH /api/v1/auth/me', 'POST /api/v1/auth/password', 'GET /api/v1/users', 'POST /api/v1/users',
    'PATCH /api/v1/users/{id}', 'DELETE /api/v1/users/{id}', 'GET /api/v1/settings', 'PATCH /api/v1/settings',
    'GET /api/v1/audit', 'GET /api/v1/customers', 'POST /api/v1/customers', 'GET /api/v1/customers/{id}',
    'PATCH /api/v1/customers/{id}', 'DELETE /api/v1/customers/{id}', 'GET /api/v1/customers/{id}/statement',
    'GET /api/v1/apartments', 'POST /api/v1/apartments', 'GET /api/v1/apartments/{number}',
    'PATCH /api/v1/apartments/{number}', 'GET /api/v1/transactions', 'POST /api/v1/transactions',
    'GET /api/v1/transactions/{id}', 'POST /api/v1/transactions/{id}/reverse',
    'POST /api/v1/customers/{id}/reminders', 'POST /api/v1/reminders/bulk', 'GET /api/v1/reminders',
    'POST /api/v1/transactions/{id}/receipt', 'POST /api/v1/settings/reminder-preview',
    'POST /api/v1/customers/{id}/share', 'DELETE /api/v1/shares/{id}',
    'POST /api/v1/events/ticket', 'GET /api/v1/events',
    'GET /api/v1/export/customers.csv', 'GET /api/v1/export/transactions.csv', 'GET /api/v1/export/reminders.csv',
    'GET /api/v1/export/audit.csv',
    'POST /api/v1/import/customers', 'POST /api/v1/import/transactions',
    'GET /api/v1/customers/{id}/documents', 'POST /api/v1/customers/{id}/documents',
    'GET /api/v1/documents/{id}', 'DELETE /api/v1/documents/{id}', 'GET /api/v1/usage',
    'GET /api/v1/api-keys', 'POST /api/v1/api-keys', 'DELETE /api/v1/api-keys/{id}',
  ]);
  const routes = tenantRoutes();
  assert.ok(routes.length >= covered.size - 1, `route table not parsed: ${routes.length}`);
  const uncovered = routes.filter((r) => !covered.has(r) && !(r.startsWith('GET ') && !r.includes('{')));
  assert.deepEqual(uncovered, [], `tenant routes added without an isolation case: ${uncovered.join(', ')} (backend ${BACKEND})`);
});
