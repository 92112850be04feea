// The OpenAPI description against the live server, on every route:
//  - each operation's curl example (x-codeSamples, what /docs shows) runs as
//    a person would paste it, in sh, with QT_URL, QT_TOKEN and the ids it
//    names set, and answers the operation's documented success;
//  - each operation also gets a request it must refuse;
//  - every answer, success or problem, matches its operation's response
//    schema, Content-Type and problem codes (tests/lib/openapi_check.mjs).
// The examples need no outside provider: reminders and receipts use the link
// channel, and the webhooks are signed here with the stores' own secrets.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, createTenant, login, addUser } from '../lib/server.mjs';
import { responseChecker } from '../lib/openapi_check.mjs';

// The literal values the examples show (docs/OPENAPI.md).
const STORE = { slug: 'sharma-stores', email: 'owner@sharma-stores.example', password: 'correct-horse-battery' };
const OPERATOR = { email: 'operator@example.com', password: 'operator-passphrase' };
const METRICS_TOKEN = 'metrics-' + 'abcdef0123456789'.repeat(2);
const APP_SECRET = 'meta-app-secret-for-the-examples';
const VERIFY_TOKEN = 'verify-token-for-the-examples';
const TWILIO_AUTH = 'twilio-auth-token-for-the-examples';

const PDF = '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';

let srv, doc, check, cwd, world;
let seq = 0;
const phone = () => `96${String(process.pid % 10000).padStart(4, '0')}${String(seq++).padStart(4, '0')}`;

async function ok(r, status = 201) {
  assert.equal(r.status, status, r.text);
  return r.json;
}

async function storeToken(slug, email, password) {
  return (await login(srv, slug, email, password)).access_token;
}

// A store on a provider channel, for its webhooks.
async function providerStore(provider) {
  const t = createTenant(srv, { plan: 'professional' });
  const token = await storeToken(t.slug, t.email, t.password);
  const body = provider === 'twilio'
    ? { whatsapp_provider: 'twilio', whatsapp_config: { account_sid: 'AC' + '0123456789abcdef'.repeat(2), from: 'whatsapp:+14155238886' },
      whatsapp_secrets: { auth_token: TWILIO_AUTH } }
    : { whatsapp_provider: 'whatsapp_cloud', whatsapp_config: { api_version: 'v21.0', phone_number_id: '1234567890',
      template_name: 'payment_due', template_language: 'en' },
      whatsapp_secrets: { access_token: 'cloud-access-token', app_secret: APP_SECRET, verify_token: VERIFY_TOKEN } };
  await ok(await srv.api('PATCH', '/api/v1/settings', { token, body }), 200);
  return t.slug;
}

before(async () => {
  srv = await startServer({ env: { QT_METRICS_TOKEN: METRICS_TOKEN } });
  // Every plan feature, and no rate limit for a test this quick.
  createTenant(srv, { ...STORE, plan: 'enterprise' });
  for (const op of [OPERATOR, { email: 'operator2@example.com', password: OPERATOR.password }]) {
    const r = srv.cli(['operator', 'add', '--email', op.email, '--password', op.password]);
    assert.equal(r.code, 0, r.stderr);
  }
  const token = await storeToken(STORE.slug, STORE.email, STORE.password);
  const operator = (await srv.api('POST', '/api/v1/platform/auth/login', { body: OPERATOR })).json.access_token;
  doc = (await srv.api('GET', '/api/v1/openapi.json')).json;
  check = responseChecker(doc);
  cwd = mkdtempSync(join(tmpdir(), 'qt-examples-'));
  world = {
    token, operator,
    twilioSlug: await providerStore('twilio'),
    cloudSlug: await providerStore('whatsapp_cloud'),
  };
});

after(async () => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
  await srv?.stop();
});

const api = (method, path, body, token = world.token) => srv.api(method, path, { token, body });
const customer = async (extra = {}) => (await ok(await api('POST', '/api/v1/customers', { name: `Customer ${seq}`, phone: phone(), ...extra }))).id;
const purchase = async (customerId, amount = 4500) =>
  (await ok(await api('POST', '/api/v1/transactions', { customer_id: customerId, type: 'purchase', amount_minor: amount }))).id;
const document = async () => (await ok(await srv.api('POST', `/api/v1/customers/${await customer()}/documents?filename=a.pdf`,
  { token: world.token, raw: PDF, headers: { 'Content-Type': 'application/pdf' } }))).id;
const plan = async () => (await ok(await srv.api('POST', '/api/v1/platform/plans', { token: world.operator, body: {
  name: `plan${seq++}`, customer_limit: 10, storage_mb: 10, requests_per_min: null, features: ['ledger'] } }))).name;
async function member(role = 'member') {
  const u = addUser(srv, { tenant: STORE.slug, email: `${role}${seq++}@sharma-stores.example`, role });
  return { ...u, session: await login(srv, STORE.slug, u.email, u.password) };
}
async function freshTenant(suspend) {
  const t = createTenant(srv, {});
  const id = (await srv.api('GET', '/api/v1/platform/tenants', { token: world.operator })).json.data.find((x) => x.slug === t.slug).id;
  if (suspend) await ok(await srv.api('PATCH', `/api/v1/platform/tenants/${id}`, { token: world.operator, body: { status: 'suspended' } }), 200);
  return id;
}
const twilioSignature = (url, params) =>
  createHmac('sha1', TWILIO_AUTH).update(url + Object.keys(params).sort().map((k) => k + params[k]).join('')).digest('base64');

// What each example needs besides QT_URL, QT_TOKEN and QT_OPERATOR_TOKEN,
// by operation.  A new route whose example names a variable needs a line here.
const needs = {
  'POST /api/v1/auth/refresh': async () => ({ REFRESH_TOKEN: (await member()).session.refresh_token }),
  'POST /api/v1/auth/logout': async () => ({ REFRESH_TOKEN: (await member()).session.refresh_token }),
  'POST /api/v1/auth/password': async () => ({ QT_TOKEN: (await member()).session.access_token }),
  'PATCH /api/v1/users/{id}': async () => ({ USER_ID: (await member()).session.user.id }),
  'DELETE /api/v1/users/{id}': async () => ({ USER_ID: (await member()).session.user.id }),
  'POST /api/v1/settings/reminder-preview': async () => ({ CUSTOMER_ID: await customer() }),
  'GET /api/v1/customers/{id}': async () => ({ CUSTOMER_ID: await customer() }),
  'PATCH /api/v1/customers/{id}': async () => ({ CUSTOMER_ID: await customer() }),
  'DELETE /api/v1/customers/{id}': async () => ({ CUSTOMER_ID: await customer() }),
  'GET /api/v1/customers/{id}/statement': async () => {
    const id = await customer();
    await purchase(id);
    return { CUSTOMER_ID: id };
  },
  'POST /api/v1/customers/{id}/share': async () => ({ CUSTOMER_ID: await customer() }),
  'DELETE /api/v1/shares/{id}': async () => ({ SHARE_ID: (await ok(await api('POST', `/api/v1/customers/${await customer()}/share`, {}))).id }),
  'GET /api/v1/shared/{token}': async () => {
    const id = await customer();
    await purchase(id);
    return { SHARE_TOKEN: (await ok(await api('POST', `/api/v1/customers/${id}/share`, {}))).url.split('/s/')[1] };
  },
  'GET /api/v1/transactions': async () => ({ CUSTOMER_ID: await customer() }),
  'POST /api/v1/transactions': async () => ({ CUSTOMER_ID: await customer() }),
  'GET /api/v1/transactions/{id}': async () => ({ TRANSACTION_ID: await purchase(await customer()) }),
  'POST /api/v1/transactions/{id}/reverse': async () => ({ TRANSACTION_ID: await purchase(await customer()) }),
  'POST /api/v1/transactions/{id}/receipt': async () => ({ TRANSACTION_ID: await purchase(await customer()) }),
  'POST /api/v1/customers/{id}/reminders': async () => {
    const id = await customer();
    await purchase(id);
    return { CUSTOMER_ID: id };
  },
  'POST /api/v1/webhooks/twilio/{tenant_slug}': async () => {
    const url = `${srv.url}/api/v1/webhooks/twilio/${world.twilioSlug}`;
    const params = { MessageSid: 'SM0123456789abcdef0123456789abcdef', MessageStatus: 'delivered' };
    return { TENANT_SLUG: world.twilioSlug, TWILIO_SIGNATURE: twilioSignature(url, params) };
  },
  'GET /api/v1/webhooks/whatsapp/{tenant_slug}': async () => ({ TENANT_SLUG: world.cloudSlug, VERIFY_TOKEN }),
  'POST /api/v1/webhooks/whatsapp/{tenant_slug}': async (source) => {
    const body = /--data-binary '([^']*)'/.exec(source)[1];
    return { TENANT_SLUG: world.cloudSlug, META_SIGNATURE: createHmac('sha256', APP_SECRET).update(body).digest('hex') };
  },
  'POST /api/v1/platform/auth/refresh': async () =>
    ({ OPERATOR_REFRESH_TOKEN: (await srv.api('POST', '/api/v1/platform/auth/login', { body: OPERATOR })).json.refresh_token }),
  'POST /api/v1/platform/auth/logout': async () => ({ OPERATOR_REFRESH_TOKEN: (await srv.api('POST', '/api/v1/platform/auth/login',
    { body: { email: 'operator2@example.com', password: OPERATOR.password } })).json.refresh_token }),
  'PATCH /api/v1/platform/tenants/{id}': async () => ({ TENANT_ID: await freshTenant(false) }),
  'DELETE /api/v1/platform/tenants/{id}': async () => ({ TENANT_ID: await freshTenant(true) }),
  // Routes on their way (x-pending in src/api/openapi_schemas.json):
  'POST /api/v1/import/transactions': async () => {
    // transactions.csv finds its customer by phone.
    if (!world.importCustomer) world.importCustomer = await customer({ name: 'Meena Iyer', phone: '98450 12345' });
    return {};
  },
  'DELETE /api/v1/api-keys/{id}': async () =>
    ({ API_KEY_ID: (await ok(await api('POST', '/api/v1/api-keys', { name: `key ${seq++}`, role: 'viewer' }))).id }),
  'POST /api/v1/customers/{id}/documents': async () => ({ CUSTOMER_ID: await customer() }),
  'GET /api/v1/customers/{id}/documents': async () => ({ CUSTOMER_ID: await customer() }),
  'GET /api/v1/documents/{id}': async () => ({ DOCUMENT_ID: await document() }),
  'DELETE /api/v1/documents/{id}': async () => ({ DOCUMENT_ID: await document() }),
  'PATCH /api/v1/platform/plans/{name}': async () => ({ PLAN_NAME: await plan() }),
  'DELETE /api/v1/platform/plans/{name}': async () => ({ PLAN_NAME: await plan() }),
  'GET /api/v1/events': async () => ({ TICKET: (await ok(await api('POST', '/api/v1/events/ticket'), 200)).ticket, QT_CURL_EXTRA: '--max-time 2' }),
};

// Run one example in sh as pasted, in a folder of its own holding the
// files the import examples send; curl also writes the status and type.
function runExample(source, vars) {
  const dir = mkdtempSync(join(cwd, 'x-'));
  writeFileSync(join(dir, 'customers.csv'), 'name,phone,apartment\r\nRavi Kumar,98450 54321,10301\r\n');
  writeFileSync(join(dir, 'transactions.csv'), 'phone,type,amount_minor,date\r\n98450 12345,purchase,5000,2026-11-02\r\n');
  writeFileSync(join(dir, 'agreement.pdf'), PDF);
  const script = `curl() { command curl -w '\\n%{http_code} %{content_type}' $QT_CURL_EXTRA "$@"; }\n${source}\n`;
  const env = { PATH: process.env.PATH, HOME: dir, QT_URL: srv.url, QT_TOKEN: world.token,
    QT_OPERATOR_TOKEN: world.operator, QT_METRICS_TOKEN: METRICS_TOKEN, QT_CURL_EXTRA: '', ...vars };
  return new Promise((resolve) => {
    execFile('sh', ['-c', script], { cwd: dir, env, timeout: 20000, maxBuffer: 8 << 20 }, (err, stdout, stderr) => {
      const cut = stdout.lastIndexOf('\n');
      const [status, contentType = ''] = stdout.slice(cut + 1).split(' ');
      resolve({ status: Number(status), contentType, text: stdout.slice(0, Math.max(cut, 0)), stderr, err, dir });
    });
  });
}

function operations() {
  const out = [];
  for (const [pattern, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) out.push({ key: `${method.toUpperCase()} ${pattern}`, method: method.toUpperCase(), pattern, op });
  return out;
}

test('every route\'s curl example answers its documented success, and every answer matches the document', async (t) => {
  const violations = [];
  for (const { key, method, pattern, op } of operations()) {
    await t.test(key, async () => {
      const source = op['x-codeSamples']?.[0]?.source;
      assert.ok(source, `${key} has no curl example`);
      const success = Object.keys(op.responses).filter((s) => /^2\d\d$/.test(s)).sort()[0];
      assert.ok(success, `${key} documents no success`);
      const vars = needs[key] ? await needs[key](source) : {};
      const given = new Set(['QT_URL', 'QT_TOKEN', 'QT_OPERATOR_TOKEN', 'QT_METRICS_TOKEN', ...Object.keys(vars)]);
      const unset = [...source.matchAll(/\$([A-Z][A-Z0-9_]*)/g)].map((m) => m[1]).filter((v) => !given.has(v));
      assert.deepEqual(unset, [], `${key}: its example names ${unset.join(', ')}: add them to \`needs\` in this file`);
      const res = await runExample(source, vars);
      assert.equal(res.status, Number(success), `${key}:\n${source}\n-> ${res.status} ${res.text.slice(0, 500)} ${res.stderr}`);
      const out = /\n {2}-o (\S+)/.exec(source);
      const text = out ? readFileSync(join(res.dir, out[1]), 'utf8') : res.text;
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      const path = pattern.replace(/\{[^}]+\}/g, 'x');
      violations.push(...check({ method, path, status: res.status, contentType: res.contentType, text, json }));
    });
  }
  assert.deepEqual(violations, []);
});

// One request each operation must refuse, and the problem it answers must be
// documented for it: no token (401), another store's or no such id (404), a
// body that is not JSON (400), an unknown field (400), bad query (400).
test('every route\'s refusals are documented problems with listed codes', async () => {
  const seen = new Set();
  const before = srv.openapiViolations.length;
  const zero = '00000000-0000-7000-8000-000000000000';
  for (const { key, method, pattern, op } of operations()) {
    const path = pattern.replace('{id}', zero).replace('{number}', '99999').replace('{token}', 'not-a-token')
      .replace('{tenant_slug}', 'no-such-store');
    const tries = [];
    if (op['x-min-role'] || op['x-operator-only']) tries.push({ token: undefined });
    const json = op.requestBody?.content?.['application/json'];
    if (json) tries.push({ raw: '{not json', headers: { 'Content-Type': 'application/json' } });
    if (json && json.schema.$ref && op['x-problem-codes']['400']?.includes('unknown_field')) tries.push({ body: { no_such_field: 1 } });
    if (pattern.includes('{')) tries.push({});
    if (op.parameters?.some((p) => p.name === 'limit' || p.$ref === '#/components/parameters/limit')) tries.push({ query: '?limit=0' });
    if (key === 'GET /api/v1/tenant') tries.push({ query: '?tenant=no-such-store' });
    if (key === 'GET /metrics') tries.push({ token: undefined });
    for (const { query = '', ...opts } of tries) {
      const token = 'token' in opts ? opts.token : op['x-operator-only'] ? world.operator : world.token;
      const r = await srv.api(method, path + query, { ...opts, token });
      assert.ok(r.status >= 400 && r.status < 500, `${key} ${JSON.stringify(opts)}${query}: ${r.status} ${r.text.slice(0, 200)}`);
      assert.equal(r.headers.get('content-type'), 'application/problem+json', key);
      seen.add(key);
    }
  }
  assert.deepEqual(srv.openapiViolations.slice(before), []);
  // Only liveness, readiness and this document have nothing to refuse.
  const untried = operations().filter((o) => !seen.has(o.key)).map((o) => o.key);
  assert.deepEqual(untried, ['GET /healthz', 'GET /readyz', 'GET /api/v1/openapi.json']);
});

test('the response check reports an undocumented field, status, type and problem code', () => {
  const p = (o) => check({ method: 'GET', path: '/api/v1/customers', contentType: 'application/json', text: '{}', ...o });
  assert.match(p({ status: 200, json: { data: [], next_cursor: null, extra: 1 } }).join('\n'), /additional properties \(extra\)/);
  assert.match(p({ status: 299, json: {} }).join('\n'), /status not documented/);
  assert.match(p({ status: 200, contentType: 'text/plain', json: null }).join('\n'), /Content-Type text\/plain not documented/);
  const problem = { type: '/problems/made_up', title: 'x', status: 409, detail: '', code: 'made_up', request_id: 'r', errors: [] };
  assert.match(p({ status: 409, contentType: 'application/problem+json', json: problem }).join('\n'), /problem code made_up not in x-problem-codes\[409\]/);
  assert.deepEqual(p({ status: 200, json: { data: [], next_cursor: null } }), []);
});
