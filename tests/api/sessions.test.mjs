// Sessions end when they should: sign-out and a password change end every
// access token of the account at once (token version), wrong current
// passwords are throttled like sign-ins, over-long passwords are refused
// before any lookup, a suspended store's people may still change their
// password, and the refresh cookie is Secure behind HTTPS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createTenant, login } from '../lib/server.mjs';
import { assertProblem, newOperator } from '../lib/foundation.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const WEB = { 'X-Requested-With': 'quantumtrack-web' };
const me = (token) => srv.api('GET', '/api/v1/auth/me', { token });

test('logout ends every access token and refresh token of the account at once', async () => {
  const t = createTenant(srv);
  const [s1, s2] = await Promise.all([login(srv, t.slug, t.email, t.password), login(srv, t.slug, t.email, t.password)]);
  assert.equal((await me(s1.access_token)).status, 200);
  assert.equal((await me(s2.access_token)).status, 200);
  assert.equal((await srv.api('POST', '/api/v1/auth/logout', { body: { refresh_token: s1.refresh_token } })).status, 204);
  assertProblem(await me(s1.access_token), 401, 'invalid_token');
  assertProblem(await me(s2.access_token), 401, 'invalid_token');
  assertProblem(await srv.api('POST', '/api/v1/auth/refresh', { body: { refresh_token: s2.refresh_token } }), 401, 'invalid_refresh_token');
  // A new sign-in works as before.
  const s3 = await login(srv, t.slug, t.email, t.password);
  assert.equal((await me(s3.access_token)).status, 200);
});

test('a password change ends every access token of the account, the current one too', async () => {
  const t = createTenant(srv);
  const [s1, s2] = await Promise.all([login(srv, t.slug, t.email, t.password), login(srv, t.slug, t.email, t.password)]);
  const ok = await srv.api('POST', '/api/v1/auth/password', { token: s1.access_token, body: { current_password: t.password, new_password: 'a-brand-new-pw' } });
  assert.equal(ok.status, 204, ok.text);
  assertProblem(await me(s1.access_token), 401, 'invalid_token');
  assertProblem(await me(s2.access_token), 401, 'invalid_token');
  const s3 = await login(srv, t.slug, t.email, 'a-brand-new-pw');
  assert.equal((await me(s3.access_token)).status, 200);
});

test('wrong current passwords are throttled: after 5, 429 with Retry-After even for the right one', async () => {
  const t = createTenant(srv);
  const s = await login(srv, t.slug, t.email, t.password);
  for (let i = 0; i < 5; i++) {
    const r = await srv.api('POST', '/api/v1/auth/password', { token: s.access_token, body: { current_password: `wrong-${i}-password`, new_password: 'a-brand-new-pw' } });
    assertProblem(r, 403, 'invalid_credentials', 'current_password');
  }
  const locked = await srv.api('POST', '/api/v1/auth/password', { token: s.access_token, body: { current_password: t.password, new_password: 'a-brand-new-pw' } });
  assertProblem(locked, 429, 'too_many_attempts');
  assert.ok(Number(locked.headers.get('retry-after')) >= 1);
  // Nothing changed: the old password still signs in.
  await login(srv, t.slug, t.email, t.password);
});

test('an over-long password is refused before any lookup: known and unknown accounts answer alike', async () => {
  const t = createTenant(srv);
  const long = 'p'.repeat(129);
  const known = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: long } });
  const unknown = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: `nobody@${t.slug}.example`, password: long } });
  const noStore = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: 'no-such-store-x', email: t.email, password: long } });
  for (const r of [known, unknown, noStore]) assertProblem(r, 422, 'validation_failed', 'password');
  assert.equal(known.json.detail, unknown.json.detail);
  assert.equal(known.json.detail, noStore.json.detail);
  // 128 bytes is a password like any other (wrong here, so 401).
  assertProblem(await srv.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: 'p'.repeat(128) } }), 401, 'invalid_credentials');
  const op = await newOperator(srv);
  const ol = await srv.api('POST', '/api/v1/platform/auth/login', { body: { email: op.email, password: long } });
  const ou = await srv.api('POST', '/api/v1/platform/auth/login', { body: { email: 'no-operator@platform.example', password: long } });
  assertProblem(ol, 422, 'validation_failed', 'password');
  assertProblem(ou, 422, 'validation_failed', 'password');
  const s = await login(srv, t.slug, t.email, t.password);
  assertProblem(await srv.api('POST', '/api/v1/auth/password', { token: s.access_token, body: { current_password: long, new_password: 'a-brand-new-pw' } }), 422, 'validation_failed', 'current_password');
});

test("a suspended store's user may still change their password, and nothing else", async () => {
  const t = createTenant(srv);
  const s = await login(srv, t.slug, t.email, t.password);
  const sus = srv.cli(['tenant', 'suspend', t.slug]);
  assert.equal(sus.code, 0, sus.stderr);
  assertProblem(await srv.api('POST', '/api/v1/customers', { token: s.access_token, body: { name: 'X', phone: '9876543210' } }), 403, 'tenant_suspended');
  const pw = await srv.api('POST', '/api/v1/auth/password', { token: s.access_token, body: { current_password: t.password, new_password: 'suspended-new-pw' } });
  assert.equal(pw.status, 204, pw.text);
  await login(srv, t.slug, t.email, 'suspended-new-pw');
});

test('the refresh cookie is Secure only when the request came over HTTPS or QT_PUBLIC_URL is https', async () => {
  const t = createTenant(srv);
  const body = { tenant: t.slug, email: t.email, password: t.password };
  const plain = await srv.api('POST', '/api/v1/auth/login', { body, headers: WEB });
  assert.doesNotMatch(plain.headers.get('set-cookie'), /;\s*Secure/i);
  // X-Forwarded-Proto counts only from a trusted proxy.
  const spoofed = await srv.api('POST', '/api/v1/auth/login', { body, headers: { ...WEB, 'X-Forwarded-Proto': 'https' } });
  assert.doesNotMatch(spoofed.headers.get('set-cookie'), /;\s*Secure/i);
  const proxy = await startServer({ env: { QT_TRUSTED_PROXIES: '127.0.0.1/32' } });
  try {
    const tp = createTenant(proxy);
    const proxied = await proxy.api('POST', '/api/v1/auth/login', { body: { tenant: tp.slug, email: tp.email, password: tp.password }, headers: { ...WEB, 'X-Forwarded-Proto': 'https', 'X-Forwarded-For': '203.0.113.9' } });
    assert.equal(proxied.status, 200, proxied.text);
    assert.match(proxied.headers.get('set-cookie'), /;\s*Secure/i);
  } finally {
    await proxy.stop();
  }
  const https = await startServer({ env: { QT_PUBLIC_URL: 'https://shop.example.com' } });
  try {
    const t2 = createTenant(https);
    const r = await https.api('POST', '/api/v1/auth/login', { body: { tenant: t2.slug, email: t2.email, password: t2.password }, headers: WEB });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('set-cookie'), /HttpOnly; SameSite=Strict; Secure/);
  } finally {
    await https.stop();
  }
});
