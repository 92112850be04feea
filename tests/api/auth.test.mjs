// Sign-in, access tokens (and attempts to forge them), refresh-token
// rotation with reuse detection, sign-out, the web app's cookie mode,
// password change and login throttling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, newStore, createTenant, addUser, login } from '../lib/server.mjs';
import { assertProblem, jwtParts, signJwt, b64url, newOperator } from '../lib/foundation.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const now = () => Math.floor(Date.now() / 1000);
const WEB = { 'X-Requested-With': 'quantumtrack-web' };

// Claims for a token the server would issue to this session.
function claimsOf(session) {
  return jwtParts(session.access_token).payload;
}

test('login returns a bearer access token, a refresh token, the user, the store and the role', async () => {
  const s = await newStore(srv, { name: 'Login Store' });
  const j = s.session;
  assert.deepEqual(Object.keys(j).sort(), ['access_token', 'expires_in', 'refresh_token', 'role', 'tenant', 'token_type', 'user']);
  assert.equal(j.token_type, 'bearer');
  assert.equal(j.expires_in, 900);
  assert.equal(j.role, 'owner');
  assert.deepEqual(Object.keys(j.user).sort(), ['email', 'id', 'name']);
  assert.equal(j.user.email, s.email);
  assert.equal(j.tenant.slug, s.slug);
  assert.equal(j.tenant.name, 'Login Store');
  assert.match(j.refresh_token, /^[A-Za-z0-9_-]{32,}$/);
  const { header, payload } = jwtParts(j.access_token);
  assert.deepEqual(header, { alg: 'HS256', typ: 'JWT' });
  assert.equal(payload.sub, j.user.id);
  assert.equal(payload.tid, j.tenant.id);
  assert.equal(payload.role, 'owner');
  assert.equal(payload.exp - payload.iat, 900);
  assert.ok(Math.abs(payload.iat - now()) < 30);
  assert.ok(payload.jti);
  assert.equal(payload.op, undefined);
});

test('token responses are never cached (Cache-Control: no-store)', async () => {
  const t = createTenant(srv);
  const r = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: t.password } });
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  const f = await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: r.json.refresh_token } });
  assert.equal(f.headers.get('cache-control'), 'no-store');
});

test('login is case-insensitive in the email', async () => {
  const t = createTenant(srv);
  const l = await login(srv, t.slug, t.email.toUpperCase(), t.password);
  assert.equal(l.user.email, t.email);
});

test('unknown user, wrong password, unknown store and non-member get the same 401 invalid_credentials', async () => {
  const a = createTenant(srv);
  const b = createTenant(srv);
  const tries = [
    { tenant: a.slug, email: a.email, password: 'wrong-password-1' },
    { tenant: a.slug, email: `nobody@${a.slug}.example`, password: 'wrong-password-1' },
    { tenant: 'no-such-store', email: a.email, password: a.password },
    { tenant: b.slug, email: a.email, password: a.password },
    { tenant: a.slug, email: a.email, password: '' },
  ];
  const bodies = [];
  for (const body of tries) {
    const r = await srv.api('POST', '/api/v1/auth/login', { body });
    const p = assertProblem(r, 401, 'invalid_credentials');
    bodies.push({ ...p, request_id: undefined });
  }
  for (const b2 of bodies) assert.deepEqual(b2, bodies[0]);
});

test('me returns the caller, the store with status and plan, and the role', async () => {
  const s = await newStore(srv);
  const r = await srv.api('GET', '/api/v1/auth/me', { token: s.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.user.id, s.session.user.id);
  assert.equal(r.json.user.email, s.email);
  assert.equal(r.json.user.name, s.session.user.name);
  assert.deepEqual(r.json.tenant, { id: s.session.tenant.id, slug: s.slug, name: s.session.tenant.name, status: 'active', plan: 'professional' });
  assert.equal(r.json.role, 'owner');
});

test('a tenant route without a token is 401 unauthorized with WWW-Authenticate: Bearer', async () => {
  const r = await srv.api('GET', '/api/v1/auth/me');
  assertProblem(r, 401, 'unauthorized');
  assert.match(r.headers.get('www-authenticate'), /^Bearer/);
});

test('garbage Authorization headers are 401, never 500', async () => {
  const s = await newStore(srv);
  const parts = s.token.split('.');
  const bad = [
    'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'Token ' + s.token, s.token, 'Bearer a.b', 'Bearer a.b.c',
    'Bearer ...', 'Bearer ' + s.token + 'x', 'Bearer ' + s.token + '.x', 'Bearer ' + 'A'.repeat(8000),
    'Bearer ' + parts[0] + '..' + parts[2], 'Bearer ' + parts[0] + '.' + parts[1] + '.',
    'Bearer ' + b64url('not json') + '.' + parts[1] + '.' + parts[2], 'Bearer ' + s.token.replace(/\./g, ' '),
    'Bearer ' + b64url('[1,2]') + '.' + b64url('"str"') + '.' + parts[2],
  ];
  for (const h of bad) {
    const r = await srv.api('GET', '/api/v1/auth/me', { headers: { Authorization: h } });
    assert.equal(r.status, 401, `${h.slice(0, 60)} -> ${r.status} ${r.text}`);
    assert.ok(['unauthorized', 'invalid_token'].includes(r.json.code), r.text);
  }
  // The scheme is case-insensitive (RFC 9110); the token still counts.
  const ok = await srv.api('GET', '/api/v1/auth/me', { headers: { Authorization: 'bearer ' + s.token } });
  assert.equal(ok.status, 200, ok.text);
});

test('a token with a changed payload is refused (401 invalid_token)', async () => {
  const t = createTenant(srv);
  const v = addUser(srv, { tenant: t.slug, email: `v@${t.slug}.example`, role: 'viewer' });
  const l = await login(srv, t.slug, v.email, v.password);
  const [h, , sig] = l.access_token.split('.');
  const p = claimsOf(l);
  for (const change of [{ role: 'owner' }, { exp: p.exp + 3600 }, { sub: randomUUID() }, { op: true }]) {
    const forged = `${h}.${b64url(JSON.stringify({ ...p, ...change }))}.${sig}`;
    assertProblem(await srv.api('GET', '/api/v1/auth/me', { token: forged }), 401, 'invalid_token');
  }
  // One flipped signature bit.
  const last = sig.at(-2) === 'A' ? 'B' : 'A';
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token: `${h}.${l.access_token.split('.')[1]}.${sig.slice(0, -2)}${last}${sig.at(-1)}` }), 401, 'invalid_token');
});

test('a token signed with the server secret is accepted (control for the forgery tests)', async () => {
  const s = await newStore(srv);
  const p = { ...claimsOf(s.session), jti: randomUUID(), iat: now(), exp: now() + 60 };
  const tok = signJwt({ alg: 'HS256', typ: 'JWT' }, p, srv.env.QT_JWT_SECRET);
  const r = await srv.api('GET', '/api/v1/auth/me', { token: tok });
  assert.equal(r.status, 200, r.text);
});

test('alg none is refused (401 invalid_token)', async () => {
  const s = await newStore(srv);
  const p = claimsOf(s.session);
  for (const alg of ['none', 'None', 'NONE']) {
    const h = b64url(JSON.stringify({ alg, typ: 'JWT' }));
    for (const tail of ['', s.token.split('.')[2]]) {
      const r = await srv.api('GET', '/api/v1/auth/me', { token: `${h}.${b64url(JSON.stringify(p))}.${tail}` });
      assertProblem(r, 401, 'invalid_token');
    }
  }
});

test('HS512 and other algorithms are refused even when correctly signed with the secret', async () => {
  const s = await newStore(srv);
  const p = claimsOf(s.session);
  const t512 = signJwt({ alg: 'HS512', typ: 'JWT' }, p, srv.env.QT_JWT_SECRET, 'sha512');
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token: t512 }), 401, 'invalid_token');
  const t384 = signJwt({ alg: 'HS384', typ: 'JWT' }, p, srv.env.QT_JWT_SECRET, 'sha384');
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token: t384 }), 401, 'invalid_token');
  // An HS256 body under an HS512 label, and a lower-case label.
  for (const alg of ['HS512', 'hs256', 'RS256']) {
    const t = signJwt({ alg, typ: 'JWT' }, p, srv.env.QT_JWT_SECRET);
    assertProblem(await srv.api('GET', '/api/v1/auth/me', { token: t }), 401, 'invalid_token');
  }
  const noAlg = signJwt({ typ: 'JWT' }, p, srv.env.QT_JWT_SECRET);
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token: noAlg }), 401, 'invalid_token');
});

test('a token signed with another secret is refused', async () => {
  const s = await newStore(srv);
  const t = signJwt({ alg: 'HS256', typ: 'JWT' }, claimsOf(s.session), 'some-other-secret-that-is-32-bytes-long!!');
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token: t }), 401, 'invalid_token');
});

test('an expired token is refused (401 token_expired)', async () => {
  const s = await newStore(srv);
  const p = { ...claimsOf(s.session), iat: now() - 1000, exp: now() - 1 };
  const t = signJwt({ alg: 'HS256', typ: 'JWT' }, p, srv.env.QT_JWT_SECRET);
  const r = assertProblem(await srv.api('GET', '/api/v1/auth/me', { token: t }), 401, 'token_expired');
  assert.ok(r);
  // Issued in the future beyond the leeway: refused as well.
  const f = signJwt({ alg: 'HS256', typ: 'JWT' }, { ...p, iat: now() + 3600, exp: now() + 4000 }, srv.env.QT_JWT_SECRET);
  assertProblem(await srv.api('GET', '/api/v1/auth/me', { token: f }), 401, 'invalid_token');
});

test('QT_ACCESS_TTL sets the token lifetime, and the token stops working when it runs out', async () => {
  const short = await startServer({ env: { QT_ACCESS_TTL: '10' } });
  try {
    const s = await newStore(short);
    assert.equal(s.session.expires_in, 10);
    const p = claimsOf(s.session);
    assert.equal(p.exp - p.iat, 10);
    assert.equal((await short.api('GET', '/api/v1/auth/me', { token: s.token })).status, 200);
    const wait = (p.exp - Date.now() / 1000) * 1000 + 1100;
    await new Promise((r) => setTimeout(r, Math.max(0, wait)));
    assertProblem(await short.api('GET', '/api/v1/auth/me', { token: s.token }), 401, 'token_expired');
  } finally {
    await short.stop();
  }
});

test("another store's token cannot read or change this store's data", async () => {
  const a = await newStore(srv);
  const b = await newStore(srv);
  // B's own token sees only B.
  const list = await srv.api('GET', '/api/v1/users', { token: b.token });
  assert.deepEqual(list.json.data.map((u) => u.email), [b.email]);
  const aUser = a.session.user.id;
  assertProblem(await srv.api('DELETE', `/api/v1/users/${aUser}`, { token: b.token }), 404, 'not_found');
  // B's user with A's tenant id, even correctly signed, is not a member of A.
  const cross = signJwt({ alg: 'HS256', typ: 'JWT' }, { ...claimsOf(b.session), tid: a.session.tenant.id }, srv.env.QT_JWT_SECRET);
  assertProblem(await srv.api('GET', '/api/v1/users', { token: cross }), 401, 'invalid_token');
  assertProblem(await srv.api('PATCH', '/api/v1/settings', { token: cross, body: { name: 'Owned' } }), 401, 'invalid_token');
  // A tenant that does not exist.
  const ghost = signJwt({ alg: 'HS256', typ: 'JWT' }, { ...claimsOf(b.session), tid: randomUUID() }, srv.env.QT_JWT_SECRET);
  assert.equal((await srv.api('GET', '/api/v1/users', { token: ghost })).status, 401);
  const sa = await srv.api('GET', '/api/v1/settings', { token: a.token });
  assert.equal(sa.json.name, a.session.tenant.name);
});

test('an operator token on a tenant route is 403, a tenant token on /platform is 403', async () => {
  const s = await newStore(srv);
  const op = await newOperator(srv);
  for (const [m, p] of [['GET', '/api/v1/auth/me'], ['GET', '/api/v1/users'], ['GET', '/api/v1/settings'], ['GET', '/api/v1/customers']])
    assertProblem(await srv.api(m, p, { token: op.token }), 403, 'forbidden');
  for (const [m, p] of [['GET', '/api/v1/platform/tenants'], ['GET', '/api/v1/platform/plans'], ['POST', '/api/v1/platform/tenants']])
    assertProblem(await srv.api(m, p, { token: s.token, body: m === 'POST' ? { slug: 'zz-new', name: 'x', owner_email: 'a@b.example' } : undefined }), 403, 'forbidden');
  // A tenant token relabelled as an operator's, signed with the secret: no such operator.
  const p = claimsOf(s.session);
  const fake = signJwt({ alg: 'HS256', typ: 'JWT' }, { sub: p.sub, op: true, jti: p.jti, iat: p.iat, exp: p.exp }, srv.env.QT_JWT_SECRET);
  assertProblem(await srv.api('GET', '/api/v1/platform/tenants', { token: fake }), 401, 'invalid_token');
});

test('refresh returns new tokens and rotates the refresh token', async () => {
  const s = await newStore(srv);
  const r = await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.session.refresh_token } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.token_type, 'bearer');
  assert.notEqual(r.json.refresh_token, s.session.refresh_token);
  assert.notEqual(r.json.access_token, s.session.access_token);
  assert.equal(r.json.role, 'owner');
  assert.equal(r.json.tenant.slug, s.slug);
  assert.equal(r.json.user.email, s.email);
  assert.equal((await srv.api('GET', '/api/v1/auth/me', { token: r.json.access_token })).status, 200);
  const r2 = await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: r.json.refresh_token } });
  assert.equal(r2.status, 200, r2.text);
});

test('reusing a used refresh token is 401 refresh_token_reused and revokes the whole family', async () => {
  const s = await newStore(srv);
  const first = s.session.refresh_token;
  const r1 = await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: first } });
  assert.equal(r1.status, 200, r1.text);
  const reuse = await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: first } });
  assertProblem(reuse, 401, 'refresh_token_reused');
  // The newer token, never used, is dead too.
  const newer = await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: r1.json.refresh_token } });
  assert.equal(newer.status, 401, newer.text);
  assert.ok(['invalid_refresh_token', 'refresh_token_reused'].includes(newer.json.code), newer.text);
  // Another sign-in (another family) is unaffected.
  const other = await login(srv, s.slug, s.email, s.password);
  const o = await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: other.refresh_token } });
  assert.equal(o.status, 200, o.text);
});

test('an unknown or missing refresh token is refused', async () => {
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'x'.repeat(43) } }), 401, 'invalid_refresh_token');
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { body: {} }), 422, 'validation_failed', 'refresh_token');
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh'), 422, 'validation_failed', 'refresh_token');
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'x'.repeat(129) } }), 422, 'validation_failed', 'refresh_token');
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: 5 } }), 422, 'validation_failed', 'refresh_token');
});

test("a store user's refresh token does not work as an operator's, nor the reverse", async () => {
  const s = await newStore(srv);
  const op = await newOperator(srv);
  assertProblem(await srv.api('POST', '/api/v1/platform/auth/refresh', { body: { refresh_token: s.session.refresh_token } }), 401, 'invalid_refresh_token');
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: op.session.refresh_token } }), 401, 'invalid_refresh_token');
  // Both still work where they belong (the failed attempts did not burn them).
  assert.equal((await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.session.refresh_token } })).status, 200);
  const pr = await srv.api('POST', '/api/v1/platform/auth/refresh', { body: { refresh_token: op.session.refresh_token } });
  assert.equal(pr.status, 200, pr.text);
  assert.equal(pr.json.operator.email, op.email);
});

test('logout revokes the refresh token (and its family); logging out twice is fine', async () => {
  const s = await newStore(srv);
  const r1 = await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.session.refresh_token } });
  const lo = await srv.api('POST', '/api/v1/auth/logout', { body: { refresh_token: r1.json.refresh_token } });
  assert.equal(lo.status, 204, lo.text);
  assert.equal(lo.text, '');
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: r1.json.refresh_token } }), 401, 'invalid_refresh_token');
  assert.equal((await srv.api('POST', '/api/v1/auth/logout', { body: { refresh_token: r1.json.refresh_token } })).status, 204);
  assert.equal((await srv.api('POST', '/api/v1/auth/logout', { body: { refresh_token: 'never-issued' } })).status, 204);
  assertProblem(await srv.api('POST', '/api/v1/auth/logout', { body: {} }), 422, 'validation_failed', 'refresh_token');
});

test('web cookie mode: login sets an HttpOnly SameSite=Strict qt_refresh cookie only for the web client', async () => {
  const t = createTenant(srv);
  const plain = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: t.password } });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers.get('set-cookie'), null);
  const web = await srv.api('POST', '/api/v1/auth/login', { headers: WEB, body: { tenant: t.slug, email: t.email, password: t.password } });
  assert.equal(web.status, 200, web.text);
  const c = web.headers.get('set-cookie');
  assert.ok(c, 'Set-Cookie present');
  assert.match(c, new RegExp(`^qt_refresh=${web.json.refresh_token};`));
  assert.match(c, /;\s*HttpOnly(;|$)/);
  assert.match(c, /;\s*SameSite=Strict(;|$)/);
  assert.match(c, /;\s*Path=\/api\/v1\/auth(;|$)/);
  assert.match(c, /;\s*Max-Age=\d+/);
});

test('web cookie mode: refresh with only the cookie and the header works and rotates the cookie', async () => {
  const t = createTenant(srv);
  const web = await srv.api('POST', '/api/v1/auth/login', { headers: WEB, body: { tenant: t.slug, email: t.email, password: t.password } });
  const cookie = `qt_refresh=${web.json.refresh_token}`;
  const r = await srv.api('POST', '/api/v1/auth/refresh', { headers: { ...WEB, Cookie: cookie } });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.access_token);
  const c2 = r.headers.get('set-cookie');
  assert.match(c2, new RegExp(`^qt_refresh=${r.json.refresh_token};`));
  assert.notEqual(r.json.refresh_token, web.json.refresh_token);
  // The old cookie is now a reused token.
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { headers: { ...WEB, Cookie: cookie } }), 401, 'refresh_token_reused');
});

test('web cookie mode: the cookie without the X-Requested-With header is ignored', async () => {
  const t = createTenant(srv);
  const web = await srv.api('POST', '/api/v1/auth/login', { headers: WEB, body: { tenant: t.slug, email: t.email, password: t.password } });
  const cookie = `qt_refresh=${web.json.refresh_token}`;
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { headers: { Cookie: cookie } }), 422, 'validation_failed', 'refresh_token');
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { headers: { Cookie: cookie, 'X-Requested-With': 'XMLHttpRequest' } }), 422, 'validation_failed', 'refresh_token');
  assertProblem(await srv.api('POST', '/api/v1/auth/logout', { headers: { Cookie: cookie } }), 422, 'validation_failed', 'refresh_token');
  // Not burnt by the ignored attempts.
  assert.equal((await srv.api('POST', '/api/v1/auth/refresh', { headers: { ...WEB, Cookie: cookie } })).status, 200);
});

test('web cookie mode: logout revokes the cookie token and clears the cookie', async () => {
  const t = createTenant(srv);
  const web = await srv.api('POST', '/api/v1/auth/login', { headers: WEB, body: { tenant: t.slug, email: t.email, password: t.password } });
  const cookie = `qt_refresh=${web.json.refresh_token}`;
  const lo = await srv.api('POST', '/api/v1/auth/logout', { headers: { ...WEB, Cookie: cookie } });
  assert.equal(lo.status, 204, lo.text);
  assert.match(lo.headers.get('set-cookie'), /^qt_refresh=;.*Max-Age=0/);
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { headers: { ...WEB, Cookie: cookie } }), 401, 'invalid_refresh_token');
});

test('password change needs the current password, applies at once and ends other sessions', async () => {
  const t = createTenant(srv);
  const [s1, s2] = await Promise.all([login(srv, t.slug, t.email, t.password), login(srv, t.slug, t.email, t.password)]);
  const wrong = await srv.api('POST', '/api/v1/auth/password', { token: s1.access_token, body: { current_password: 'not-it-at-all', new_password: 'brand-new-password' } });
  assertProblem(wrong, 403, 'invalid_credentials', 'current_password');
  assertProblem(await srv.api('POST', '/api/v1/auth/password', { token: s1.access_token, body: { current_password: t.password, new_password: 'short' } }), 422, 'validation_failed', 'new_password');
  assertProblem(await srv.api('POST', '/api/v1/auth/password', { token: s1.access_token, body: { current_password: t.password } }), 422, 'validation_failed', 'new_password');
  assertProblem(await srv.api('POST', '/api/v1/auth/password', { token: s1.access_token, body: { current_password: t.password, new_password: 'x'.repeat(1025) } }), 422, 'validation_failed', 'new_password');
  const ok = await srv.api('POST', '/api/v1/auth/password', { token: s1.access_token, body: { current_password: t.password, new_password: 'brand-new-password' } });
  assert.equal(ok.status, 204, ok.text);
  assertProblem(await srv.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: t.password } }), 401, 'invalid_credentials');
  await login(srv, t.slug, t.email, 'brand-new-password');
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: s2.refresh_token } }), 401, 'invalid_refresh_token');
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: s1.refresh_token } }), 401, 'invalid_refresh_token');
});

test('a viewer may change their own password', async () => {
  const t = createTenant(srv);
  const v = addUser(srv, { tenant: t.slug, email: `v@${t.slug}.example`, role: 'viewer' });
  const l = await login(srv, t.slug, v.email, v.password);
  const r = await srv.api('POST', '/api/v1/auth/password', { token: l.access_token, body: { current_password: v.password, new_password: 'viewer-new-password' } });
  assert.equal(r.status, 204, r.text);
});

test('repeated wrong passwords are throttled: 429 with Retry-After, even for the right password, per account', async () => {
  const th = await startServer({ env: { QT_LOGIN_MAX_FAILURES: '3' } });
  try {
    const t = createTenant(th);
    const other = addUser(th, { tenant: t.slug, email: `other@${t.slug}.example`, role: 'member' });
    for (let i = 0; i < 3; i++)
      assertProblem(await th.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: 'wrong-password-' + i } }), 401, 'invalid_credentials');
    const r = await th.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: 'wrong-password-x' } });
    assertProblem(r, 429, 'too_many_attempts');
    const ra = Number(r.headers.get('retry-after'));
    assert.ok(Number.isInteger(ra) && ra > 0 && ra <= 300, `Retry-After ${r.headers.get('retry-after')}`);
    const right = await th.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email.toUpperCase(), password: t.password } });
    assertProblem(right, 429, 'too_many_attempts');
    // Another account from the same address is not locked.
    const o = await th.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: other.email, password: other.password } });
    assert.equal(o.status, 200, o.text);
    // An unknown account is throttled the same way (no account probing).
    const ghost = `ghost@${t.slug}.example`;
    for (let i = 0; i < 3; i++)
      assertProblem(await th.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: ghost, password: 'whatever-pw' } }), 401, 'invalid_credentials');
    assertProblem(await th.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: ghost, password: 'whatever-pw' } }), 429, 'too_many_attempts');
  } finally {
    await th.stop();
  }
});

test('operator sign-in is throttled too', async () => {
  const th = await startServer({ env: { QT_LOGIN_MAX_FAILURES: '3' } });
  try {
    const op = await newOperator(th);
    for (let i = 0; i < 3; i++)
      assertProblem(await th.api('POST', '/api/v1/platform/auth/login', { body: { email: op.email, password: 'wrong-password-' + i } }), 401, 'invalid_credentials');
    const r = await th.api('POST', '/api/v1/platform/auth/login', { body: { email: op.email, password: op.password } });
    assertProblem(r, 429, 'too_many_attempts');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  } finally {
    await th.stop();
  }
});

test('many failures from one address are throttled across accounts', async () => {
  const th = await startServer({ env: { QT_LOGIN_IP_MAX_FAILURES: '4' } });
  try {
    const t = createTenant(th);
    for (let i = 0; i < 4; i++)
      assertProblem(await th.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: `u${i}@${t.slug}.example`, password: 'whatever-pw' } }), 401, 'invalid_credentials');
    const r = await th.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: t.password } });
    assertProblem(r, 429, 'too_many_attempts');
    assert.ok(Number(r.headers.get('retry-after')) > 0);
  } finally {
    await th.stop();
  }
});

test('concurrent refreshes with one refresh token: exactly one succeeds', async () => {
  const s = await newStore(srv);
  const rs = await Promise.all(Array.from({ length: 6 }, () =>
    srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: s.session.refresh_token } })));
  const ok = rs.filter((r) => r.status === 200);
  assert.equal(ok.length, 1, rs.map((r) => r.status).join(","));
  for (const r of rs.filter((x) => x.status !== 200)) {
    assert.equal(r.status, 401, r.text);
    assert.ok(['refresh_token_reused', 'invalid_refresh_token'].includes(r.json.code), r.text);
  }
  // Reuse was seen, so the family is gone: even the winner's new token fails.
  for (const r of ok)
    assert.equal((await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: r.json.refresh_token } })).status, 401);
});

test('web app without a session gets 401 no_session from refresh, and logout is a no-op', async () => {
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { headers: WEB }), 401, 'no_session');
  const lo = await srv.api('POST', '/api/v1/auth/logout', { headers: WEB });
  assert.equal(lo.status, 204);
});

test("a web refresh naming another store is refused without using that store's session", async () => {
  const a = createTenant(srv);
  const b = createTenant(srv);
  const web = await srv.api('POST', '/api/v1/auth/login', { headers: WEB, body: { tenant: a.slug, email: a.email, password: a.password } });
  const cookie = `qt_refresh=${web.json.refresh_token}`;
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { headers: { ...WEB, Cookie: cookie }, body: { tenant: b.slug } }),
    401, 'session_for_another_store');
  // The session of store A is intact: the token was not rotated.
  const ok = await srv.api('POST', '/api/v1/auth/refresh', { headers: { ...WEB, Cookie: cookie }, body: { tenant: a.slug } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.tenant.slug, a.slug);
});

test('operator logout revokes the operator session; store logout does not touch it', async () => {
  const op = await newOperator(srv);
  const rt = op.session.refresh_token;
  assert.equal((await srv.api('POST', '/api/v1/auth/logout', { body: { refresh_token: rt } })).status, 204);
  const still = await srv.api('POST', '/api/v1/platform/auth/refresh', { body: { refresh_token: rt } });
  assert.equal(still.status, 200, still.text);
  const lo = await srv.api('POST', '/api/v1/platform/auth/logout', { body: { refresh_token: still.json.refresh_token } });
  assert.equal(lo.status, 204);
  assertProblem(await srv.api('POST', '/api/v1/platform/auth/refresh', { body: { refresh_token: still.json.refresh_token } }), 401, 'invalid_refresh_token');
});
