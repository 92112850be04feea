// plans_usage.test.mjs — what a store uses against its plan (issue 11):
// the store's own view (GET /api/v1/usage: customers, storage, requests of
// the last minute and of today, how near each limit), the operator's
// figures, and the monthly CSV for billing.  Request counts are kept in
// memory and written when the server stops, so a restart shows them read
// back from the database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, login } from '../lib/server.mjs';
import { assertProblem, newOperator } from '../lib/foundation.mjs';
import { tokenFor } from '../lib/ledger.mjs';
import { P, DAY, uniq, ops, as, customer } from '../lib/plans.mjs';

// ---- usage: a server whose clock sits early in a UTC minute at noon, so
// that every request of these tests falls in one minute and one day ----

async function clockServer(extraEnv = {}) {
  const now = Date.now();
  const target = Math.floor(now / DAY) * DAY + 12 * 3600000 + 1000;
  return startServer({ env: { QT_CLOCK_OFFSET_MS: String(target - now), QT_USAGE_FLUSH_MS: '600000', ...extraEnv } });
}

test('the store sees its plan, limits and usage: customers, storage, requests of the last minute and of today', async () => {
  const own = await clockServer();
  try {
    const operator = await newOperator(own);
    const o = ops(own, operator.token);
    const plan = await o.plan({ name: uniq('tiny'), customer_limit: 5, storage_mb: 1, requests_per_min: 100, features: ['ledger', 'reports'] });
    const s = await o.store(plan.name);
    const api = as(own, s);
    const first = (await api('GET', '/api/v1/usage')).json;
    assert.deepEqual(first.plan, { ...plan, updated_at: first.plan.updated_at });
    assert.deepEqual({ ...first.usage, storage_bytes: 0 }, { customers: 0, storage_bytes: 0, requests_last_minute: 1, requests_today: 1 });
    assert.ok(first.usage.storage_bytes > 0);
    assert.deepEqual(first.limits.customers, { used: 0, limit: 5, percent: 0, state: 'ok' });
    assert.equal(first.limits.storage_bytes.limit, 1048576);
    assert.deepEqual(first.limits.requests_per_min, { used: 1, limit: 100, percent: 1, state: 'ok' });
    assert.equal(first.upgrade_suggested, false);
    assert.deepEqual(first.near_limits, []);
    assert.match(first.measured_at, /^\d{4}-\d\d-\d\dT12:00:\d\d\.\d{3}Z$/);

    for (let i = 0; i < 4; i++) await customer(api);
    const u = (await api('GET', '/api/v1/usage')).json;
    assert.equal(u.usage.customers, 4);
    assert.ok(u.usage.storage_bytes > first.usage.storage_bytes, `${u.usage.storage_bytes} vs ${first.usage.storage_bytes}`);
    assert.equal(u.usage.requests_today, 6);
    assert.equal(u.usage.requests_last_minute, 6);
    assert.deepEqual(u.limits.customers, { used: 4, limit: 5, percent: 80, state: 'near' });
    assert.equal(u.upgrade_suggested, true);
    assert.deepEqual(u.near_limits, ['customers']);
    // Refused requests count too; other stores' do not.
    assert.equal((await api('GET', '/api/v1/customers/not-a-uuid')).status, 404);
    const other = await o.store(plan.name);
    await as(own, other)('GET', '/api/v1/customers');
    // Unlimited limits have no percent; the operator's edit shows at once.
    await o.editPlan(plan.name, { customer_limit: null, requests_per_min: 7 });
    const v = (await api('GET', '/api/v1/usage')).json;
    assert.deepEqual(v.limits.customers, { used: 4, limit: null, percent: null, state: 'unlimited' });
    assert.deepEqual(v.limits.requests_per_min, { used: 8, limit: 7, percent: 114, state: 'reached' });
    assert.deepEqual(v.near_limits, ['requests_per_min']);
    // Back to no rate, so the store's next requests are served (and counted)
    // however fast the test sends them; each process re-reads the rate
    // within a second.
    await o.editPlan(plan.name, { requests_per_min: null });
    await new Promise((r) => setTimeout(r, 1100));
    // Admins and owners only.
    for (const role of ['member', 'viewer'])
      assertProblem(await own.api('GET', '/api/v1/usage', { token: await tokenFor(own, s, role) }), 403, 'forbidden');
    const admin = await tokenFor(own, s, 'admin');
    assert.equal((await own.api('GET', '/api/v1/usage', { token: admin })).status, 200);

    // The counts live in memory until written; stopping writes them, and a
    // new process reads them back from the database.
    const list = async () => (await own.api('GET', `${P}/tenants`, { token: operator.token })).json.data.find((t) => t.id === s.id).usage;
    const seen = await list();
    assert.equal(seen.requests_today, 11);
    assert.equal(seen.requests_last_minute, 11);
    assert.equal(seen.customers, 4);
    await own.restart();
    const relogin = await login(own, s.slug, `owner@${s.slug}.example`, 'owner-password-1');
    const after = (await own.api('GET', '/api/v1/usage', { token: relogin.access_token })).json;
    assert.equal(after.usage.requests_today, 12);
    assert.equal(after.usage.requests_last_minute, 12);

    // Storage is the quota's own figure: an upload adds at least its
    // bytes, and the refusal of one too big names the same figure.
    await o.editPlan(plan.name, { features: ['ledger', 'reports', 'documents'] });
    const token = relogin.access_token;
    const storage = async () => (await own.api('GET', '/api/v1/usage', { token })).json.usage.storage_bytes;
    const cust = (await own.api('GET', '/api/v1/customers', { token })).json.data[0];
    const head = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    const upload = (size) => own.api('POST', `/api/v1/customers/${cust.id}/documents?filename=p.png`,
      { token, raw: Buffer.concat([head, randomBytes(size - head.length)]), headers: { 'Content-Type': 'image/png' } });
    const empty = await storage();
    assert.equal((await upload(4096)).status, 201);
    const one = await storage();
    assert.ok(one >= empty + 4096, `${one} after ${empty}`);
    const big = assertProblem(await upload(1048576), 413, 'storage_quota_exceeded');
    assert.equal(big.used_bytes, one);
    assert.equal(big.limit_bytes, (await own.api('GET', '/api/v1/usage', { token })).json.limits.storage_bytes.limit);
  } finally {
    await own.stop();
  }
});

test('usage.csv gives each store its month for billing, cells made inert, and refuses a bad month', async () => {
  const own = await clockServer();
  try {
    const operator = await newOperator(own);
    const o = ops(own, operator.token);
    const s = await o.store('starter', { name: '=HYPERLINK("http://evil.example")' });
    const quiet = await o.store('free');
    const api = as(own, s);
    await customer(api);
    await customer(api);
    await api('GET', '/api/v1/customers');
    const month = new Date(Date.now() + Number(own.env.QT_CLOCK_OFFSET_MS)).toISOString().slice(0, 7);
    const r = await own.api('GET', `${P}/usage.csv?month=${month}`, { token: operator.token });
    assert.equal(r.status, 200, r.text);
    assert.match(r.headers.get('content-type'), /^text\/csv; charset=utf-8/);
    assert.match(r.headers.get('content-disposition'), new RegExp(`attachment; filename="usage-${month}.csv"`));
    const lines = r.text.split('\r\n');
    assert.equal(lines[0], 'month,tenant_id,slug,name,plan,status,requests,active_days,peak_day_requests,customers_added,customers,storage_bytes');
    assert.equal(lines.at(-1), '', 'every row ends with CRLF');
    const row = lines.find((l) => l.includes(s.id)).split(',');
    assert.deepEqual(row.slice(0, 3), [month, s.id, s.slug]);
    assert.equal(row[3], '"\'=HYPERLINK(""http://evil.example"")"');
    assert.deepEqual(row.slice(4), ['starter', 'active', '3', '1', '3', '2', '2', row[11]]);
    assert.ok(Number(row[11]) > 0);
    const q = lines.find((l) => l.includes(quiet.id)).split(',');
    assert.deepEqual(q.slice(4, 11), ['free', 'active', '0', '0', '0', '0', '0']);
    // Written to the database and read back: the same figures.
    await own.restart();
    const li = await own.api('POST', `${P}/auth/login`, { body: { email: operator.email, password: operator.password } });
    const again = await own.api('GET', `${P}/usage.csv?month=${month}`, { token: li.json.access_token });
    assert.deepEqual(again.text.split('\r\n').find((l) => l.includes(s.id)).split(',').slice(4, 11), ['starter', 'active', '3', '1', '3', '2', '2']);
    // Another month has the stores but none of this month's figures.
    const [y, m] = month.split('-').map(Number);
    const prev = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
    const older = await own.api('GET', `${P}/usage.csv?month=${prev}`, { token: li.json.access_token });
    assert.deepEqual(older.text.split('\r\n').find((l) => l.includes(s.id)).split(',').slice(6, 10), ['0', '0', '0', '0']);
    for (const bad of ['', '2026-13', '2026-1', '26-01', '2026-01-01', 'x'])
      assertProblem(await own.api('GET', `${P}/usage.csv?month=${bad}`, { token: li.json.access_token }), 400, 'invalid_parameter', 'month');
    assertProblem(await own.api('GET', `${P}/usage.csv`, { token: li.json.access_token }), 400, 'invalid_parameter', 'month');
  } finally {
    await own.stop();
  }
});
