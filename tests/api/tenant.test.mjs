// Tenant discovery (GET /api/v1/tenant) by Host, X-Tenant and ?tenant=,
// and what a suspended store may still do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { randomBytes } from 'node:crypto';
import { startServer, createTenant, newStore, login } from '../lib/server.mjs';
import { assertProblem } from '../lib/foundation.mjs';

const BASE = 'stores.qt-test.example';
let srv;
before(async () => { srv = await startServer({ env: { QT_BASE_DOMAIN: BASE } }); });
after(async () => { await srv.stop(); });

// fetch will not send a chosen Host header; node:http will.
function discover(headers = {}, query = '') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, path: '/api/v1/tenant' + query, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { text += d; });
      res.on('end', () => {
        let json = null;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: new Headers(res.headers), json, text });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const slug = () => 't' + randomBytes(4).toString('hex');

test('discovery by a custom domain in Host returns the store', async () => {
  const s = slug();
  const domain = `${s}-shop.example.com`;
  const r0 = srv.cli(['tenant', 'create', '--slug', s, '--name', 'Domain Store', '--plan', 'starter',
    '--domain', domain, '--owner-email', `o@${s}.example`, '--owner-password', 'correct-horse-battery']);
  assert.equal(r0.code, 0, r0.stderr);
  const r = await discover({ Host: domain });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.slug, s);
  assert.equal(r.json.name, 'Domain Store');
  assert.equal(r.json.plan, 'starter');
  // With a port, and in upper case, it is the same host.
  const p = await discover({ Host: `${domain.toUpperCase()}:8443` });
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.slug, s);
});

test('discovery by <slug>.<QT_BASE_DOMAIN> in Host returns the store', async () => {
  const t = createTenant(srv, { name: 'Sub Store' });
  const r = await discover({ Host: `${t.slug}.${BASE}` });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.slug, t.slug);
  assert.equal(r.json.name, 'Sub Store');
  const p = await discover({ Host: `${t.slug}.${BASE}:8080` });
  assert.equal(p.json.slug, t.slug);
  // Only a direct sub-domain of the base domain is a slug.
  const nested = await discover({ Host: `x.${t.slug}.${BASE}` });
  assertProblem(nested, 404, 'tenant_not_found');
  const bare = await discover({ Host: BASE });
  assertProblem(bare, 404, 'tenant_not_found');
  const other = await discover({ Host: `${t.slug}.other.example` });
  assertProblem(other, 404, 'tenant_not_found');
});

test('discovery by X-Tenant returns the store', async () => {
  const t = createTenant(srv, { name: 'Header Store' });
  const r = await srv.api('GET', '/api/v1/tenant', { headers: { 'X-Tenant': t.slug } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.slug, t.slug);
});

test('discovery by ?tenant= returns the store', async () => {
  const t = createTenant(srv, { name: 'Query Store' });
  const r = await srv.api('GET', `/api/v1/tenant?tenant=${t.slug}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.slug, t.slug);
});

test('Host wins over X-Tenant, and X-Tenant over ?tenant=', async () => {
  const a = createTenant(srv), b = createTenant(srv), c = createTenant(srv);
  const r = await discover({ Host: `${a.slug}.${BASE}`, 'X-Tenant': b.slug }, `?tenant=${c.slug}`);
  assert.equal(r.json.slug, a.slug);
  const r2 = await discover({ Host: '127.0.0.1', 'X-Tenant': b.slug }, `?tenant=${c.slug}`);
  assert.equal(r2.json.slug, b.slug);
  const r3 = await discover({ Host: '127.0.0.1' }, `?tenant=${c.slug}`);
  assert.equal(r3.json.slug, c.slug);
  // An unknown host falls through to the header.
  const r4 = await discover({ Host: `nosuch.${BASE}`, 'X-Tenant': b.slug });
  assert.equal(r4.json.slug, b.slug);
});

test('an unknown store is a 404 tenant_not_found problem', async () => {
  assertProblem(await srv.api('GET', '/api/v1/tenant'), 404, 'tenant_not_found');
  assertProblem(await srv.api('GET', '/api/v1/tenant?tenant=no-such-store'), 404, 'tenant_not_found');
  assertProblem(await srv.api('GET', '/api/v1/tenant', { headers: { 'X-Tenant': 'no-such-store' } }), 404, 'tenant_not_found');
  // Not even a valid slug: still 404, never 400/500.
  for (const bad of ['A', 'UPPER', '-dash', 'x'.repeat(64), "a' OR '1'='1", '%00'])
    assertProblem(await srv.api('GET', `/api/v1/tenant?tenant=${encodeURIComponent(bad)}`), 404, 'tenant_not_found');
});

test('discovery returns public facts only, no secrets and no user data', async () => {
  const s = await newStore(srv, { name: 'Public Store' });
  const secret = 'EAAG-secret-token-' + randomBytes(8).toString('hex');
  const p = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { whatsapp_provider: 'twilio',
    whatsapp_config: { account_sid: 'AC1', from: 'whatsapp:+14155238886' }, whatsapp_secrets: { auth_token: secret }, upi_id: 'shop@upi' } });
  assert.equal(p.status, 200, p.text);
  const r = await srv.api('GET', `/api/v1/tenant?tenant=${s.slug}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json).sort(),
    ['branding', 'building_layout', 'currency', 'features', 'id', 'locale', 'name', 'phone_country', 'plan', 'receipts', 'slug', 'status', 'suspended', 'timezone']);
  assert.deepEqual(Object.keys(r.json.building_layout).sort(), ['floors', 'towers', 'units']);
  assert.equal(r.json.status, 'active');
  assert.equal(r.json.suspended, false);
  assert.equal(r.json.currency, 'INR');
  assert.equal(r.json.locale, 'en-IN');
  assert.equal(r.json.plan, 'professional');
  assert.ok(Array.isArray(r.json.features) && r.json.features.length > 0);
  assert.ok(!r.text.includes(secret));
  assert.ok(!r.text.includes(s.email));
  assert.ok(!r.text.includes('shop@upi'));
});

test('a suspended store says so in discovery', async () => {
  const t = createTenant(srv);
  const sus = srv.cli(['tenant', 'suspend', t.slug]);
  assert.equal(sus.code, 0, sus.stderr);
  const r = await srv.api('GET', `/api/v1/tenant?tenant=${t.slug}`);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'suspended');
  assert.equal(r.json.suspended, true);
});

test('a suspended store can sign in and read but not write (403 tenant_suspended)', async () => {
  const s = await newStore(srv);
  assert.equal(srv.cli(['tenant', 'suspend', s.slug]).code, 0);
  const again = await login(srv, s.slug, s.email, s.password);
  const me = await srv.api('GET', '/api/v1/auth/me', { token: again.access_token });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.json.tenant.status, 'suspended');
  const g = await srv.api('GET', '/api/v1/settings', { token: s.token });
  assert.equal(g.status, 200, g.text);
  const before = g.json;
  assertProblem(await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { name: 'Renamed' } }), 403, 'tenant_suspended');
  assertProblem(await srv.api('POST', '/api/v1/users', { token: s.token, body: { email: `n@${s.slug}.example`, role: 'member', password: 'long-enough-pw' } }), 403, 'tenant_suspended');
  const after = await srv.api('GET', '/api/v1/settings', { token: s.token });
  assert.deepEqual(after.json, before);
});
