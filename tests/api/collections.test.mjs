// GET /api/v1/reports/collections against hand-computed figures: the split
// by payment method, the collection rate, days sales outstanding, and the
// effectiveness of reminders sent through the fake WhatsApp Cloud provider
// (with the server's clock moved on so that payments can follow them).
// The definitions are in docs/API-NOTES.md ("Collections report").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { startServer, newStore, addUser, login } from '../lib/server.mjs';
import { assertProblem } from '../lib/foundation.mjs';
import { startFakeCloud } from '../fakes/whatsapp_cloud.mjs';

const DAY = 86400000;
const HOUR = 3600000;
const IST = 5.5 * HOUR; // the stores' default timezone, Asia/Kolkata (no DST)
const CLOUD = { token: 'cloud-token-' + randomUUID(), phoneNumberId: '1098765432', apiVersion: 'v21.0' };
const APP_SECRET = 'meta-app-secret-' + randomUUID();
const ENV = { QT_PROVIDER_TIMEOUT_MS: '2000', QT_PROVIDER_BACKOFF_MS: '20', QT_REMINDER_TICK_S: '0' };

let srv, cloud;
before(async () => {
  cloud = await startFakeCloud(CLOUD);
  srv = await startServer({ env: ENV });
});
after(async () => {
  await srv?.stop();
  await cloud?.stop();
});

// The store's local date `days` from now, and an instant on a local date.
const istDate = (days = 0, now = Date.now()) => new Date(now + IST + days * DAY).toISOString().slice(0, 10);
const at = (date, hhmm = '12:00') => new Date(Date.parse(`${date}T${hhmm}:00+05:30`)).toISOString();

let seq = 0;
const phone = () => `96${String(Date.now() % 1e6).padStart(6, '0')}${String(seq++ % 100).padStart(2, '0')}`;

function client(server, s) {
  const api = (m, p, o = {}) => server.api(m, p, { token: s.token, ...o });
  return {
    api,
    async customer(name) {
      const r = await api('POST', '/api/v1/customers', { body: { name, phone: phone() } });
      assert.equal(r.status, 201, r.text);
      return r.json;
    },
    async entry(body) {
      const r = await api('POST', '/api/v1/transactions', { body });
      assert.equal(r.status, 201, r.text);
      return r.json;
    },
    async reverse(id) {
      const r = await api('POST', `/api/v1/transactions/${id}/reverse`, { body: { reason: 'entered by mistake' } });
      assert.equal(r.status, 201, r.text);
      return r.json;
    },
    async collections(query = '') {
      const r = await api('GET', `/api/v1/reports/collections${query}`);
      assert.equal(r.status, 200, r.text);
      return r.json;
    },
  };
}

const byMethod = (rep) => Object.fromEntries(rep.by_method.map((m) => [m.payment_method, [m.payments, m.amount_minor, m.share_bp]]));

test('collections: split by method, collection rate and days sales outstanding of a hand-built ledger', async () => {
  const s = await newStore(srv);
  const c = client(srv, s);
  const A = await c.customer('Asha');
  const B = await c.customer('Bala');
  const C = await c.customer('Chitra');
  const D = await c.customer('Dev');
  const day = (n) => istDate(n);

  // Before the period (20 days ago): A owes 10000, B 5000, C paid 3000 in
  // advance (in credit), D bought 7000 that is reversed today (so it never
  // happened, in this report as in aging).
  await c.entry({ customer_id: A.id, type: 'purchase', amount_minor: 10000, occurred_at: at(day(-20)) });
  await c.entry({ customer_id: B.id, type: 'purchase', amount_minor: 5000, occurred_at: at(day(-20)) });
  await c.entry({ customer_id: C.id, type: 'payment', amount_minor: 3000, payment_method: 'cash', occurred_at: at(day(-20)) });
  const dOld = await c.entry({ customer_id: D.id, type: 'purchase', amount_minor: 7000, occurred_at: at(day(-20)) });
  // The period: the 10 days from 10 days ago to yesterday.
  await c.entry({ customer_id: A.id, type: 'payment', amount_minor: 4000, payment_method: 'cash', occurred_at: at(day(-8)) });
  await c.entry({ customer_id: A.id, type: 'purchase', amount_minor: 2000, occurred_at: at(day(-7)) });
  await c.entry({ customer_id: B.id, type: 'payment', amount_minor: 5000, payment_method: 'upi', occurred_at: at(day(-6)) });
  await c.entry({ customer_id: B.id, type: 'payment', amount_minor: 1000, payment_method: 'card', occurred_at: at(day(-5)) });
  await c.entry({ customer_id: C.id, type: 'purchase', amount_minor: 2500, occurred_at: at(day(-4)) });
  const wrong = await c.entry({ customer_id: A.id, type: 'payment', amount_minor: 600, payment_method: 'upi', occurred_at: at(day(-3)) });
  await c.reverse(wrong.id);
  await c.entry({ customer_id: A.id, type: 'adjustment', amount_minor: -500, reason: 'rounding off', occurred_at: at(day(-2)) });
  await c.entry({ customer_id: D.id, type: 'purchase', amount_minor: 8000, occurred_at: at(day(-2), '00:00') });
  await c.entry({ customer_id: D.id, type: 'purchase', amount_minor: 1, occurred_at: at(day(-10), '00:00') });
  // After the period (today): B buys 9 at the first instant of today, A
  // pays 1000 by bank, D's old purchase is reversed.
  await c.entry({ customer_id: B.id, type: 'purchase', amount_minor: 9, occurred_at: at(day(0), '00:00') });
  await c.entry({ customer_id: A.id, type: 'payment', amount_minor: 1000, payment_method: 'bank' });
  await c.reverse(dOld.id);

  const r = await c.collections(`?from=${day(-10)}&to=${day(-1)}`);
  assert.equal(r.currency, 'INR');
  assert.equal(r.from, day(-10));
  assert.equal(r.to, day(-1));
  assert.equal(r.days, 10);
  // Opening (start of day -10): A 10000 + B 5000; C is in credit (-3000)
  // and does not lower the total; D's reversed purchase counts for nothing.
  assert.equal(r.opening_outstanding_minor, 15000);
  // Sales: 2000 (A) + 2500 (C) + 8000 (D, at local midnight starting day -2) + 1 (D, the first instant of the period).
  assert.equal(r.sales_minor, 12501);
  // Collected: 4000 cash + 5000 upi + 1000 card; the reversed 600 is left out.
  assert.equal(r.collected_minor, 10000);
  assert.deepEqual(byMethod(r), {
    cash: [1, 4000, 4000], upi: [1, 5000, 5000], card: [1, 1000, 1000], bank: [0, 0, 0], other: [0, 0, 0],
  });
  // Closing (end of day -1): A 10000-4000+2000-500 = 7500, B -1000, C -500,
  // D 8001: 15501 (today's entries are after the period).
  assert.equal(r.closing_outstanding_minor, 15501);
  // 10000 / (15000 + 12501) = 0.36362... -> 3636 basis points.
  assert.equal(r.collection_rate_bp, 3636);
  // 15501 / 12501 * 10 days = 12.3998... days -> 1240 hundredths.
  assert.equal(r.days_sales_outstanding_x100, 1240);
  assert.deepEqual(r.reminders, { window_days: 7, reminded_customers: 0, paid_customers: 0, paid_share_bp: null, median_days_to_payment_x100: null });

  // The period ending today closes on today's balances: the summary's outstanding.
  const now = await c.collections(`?from=${day(-10)}&to=${day(0)}`);
  const sum = (await c.api('GET', '/api/v1/reports/summary')).json;
  assert.equal(now.closing_outstanding_minor, sum.outstanding_minor);
  assert.equal(now.closing_outstanding_minor, 6500 + 8001);
  assert.equal(now.collected_minor, 11000);
  assert.equal(byMethod(now).bank[1], 1000);
  // A period before every entry: nothing owed, nothing sold, ratios undefined.
  const early = await c.collections(`?from=${day(-40)}&to=${day(-30)}`);
  assert.equal(early.opening_outstanding_minor, 0);
  assert.equal(early.closing_outstanding_minor, 0);
  assert.equal(early.sales_minor, 0);
  assert.equal(early.collection_rate_bp, null);
  assert.equal(early.days_sales_outstanding_x100, null);
  assert.ok(early.by_method.every((m) => m.payments === 0 && m.amount_minor === 0 && m.share_bp === null));
  // The defaults: the 30 days ending today, as the daily report.
  const def = await c.collections();
  assert.equal(def.to, day(0));
  assert.equal(def.from, day(-29));
  assert.equal(def.days, 30);
  assert.equal(def.opening_outstanding_minor, 0);
  assert.equal(def.sales_minor, 10000 + 5000 + 2000 + 2500 + 8000 + 1 + 9);
});

test('collections: bad ranges are 400 naming the parameter; plans and roles as for the other reports', async () => {
  const s = await newStore(srv);
  const c = client(srv, s);
  assertProblem(await c.api('GET', '/api/v1/reports/collections?from=2026-02-30'), 400, 'invalid_parameter', 'from');
  assertProblem(await c.api('GET', '/api/v1/reports/collections?to=yesterday'), 400, 'invalid_parameter', 'to');
  assertProblem(await c.api('GET', '/api/v1/reports/collections?from=2026-03-02&to=2026-03-01'), 400, 'invalid_parameter', 'from');
  assertProblem(await c.api('GET', `/api/v1/reports/collections?from=${istDate(1)}`), 400, 'invalid_parameter', 'from');
  assertProblem(await c.api('GET', '/api/v1/reports/collections?from=2025-01-01&to=2026-01-03'), 400, 'invalid_parameter', 'from');
  const year = await c.collections('?from=2025-01-01&to=2026-01-02'); // 367 days is the most
  assert.equal(year.days, 367);
  const one = await c.collections('?from=2026-03-01&to=2026-03-01');
  assert.equal(one.days, 1);
  // An empty store: zeros, undefined ratios null.
  assert.equal(one.opening_outstanding_minor, 0);
  assert.equal(one.collection_rate_bp, null);
  assert.equal(one.days_sales_outstanding_x100, null);
  assert.equal(one.by_method.length, 5);

  const viewer = addUser(srv, { tenant: s.slug, email: `viewer@${s.slug}.example`, role: 'viewer' });
  const vt = (await login(srv, s.slug, viewer.email, viewer.password)).access_token;
  assert.equal((await srv.api('GET', '/api/v1/reports/collections', { token: vt })).status, 200);
  assertProblem(await srv.api('GET', '/api/v1/reports/collections'), 401, 'unauthorized');
  const free = await newStore(srv, { plan: 'free' });
  assertProblem(await srv.api('GET', '/api/v1/reports/collections', { token: free.token }), 403, 'feature_not_in_plan');
});

const metaSign = (body) => 'sha256=' + createHmac('sha256', APP_SECRET).update(body).digest('hex');
const statusPayload = (id, status) => ({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages',
  value: { messaging_product: 'whatsapp', metadata: { phone_number_id: CLOUD.phoneNumberId },
    statuses: [{ id, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '919876543210' }] } }] }] });

test('collections: reminder effectiveness counts reminded customers who paid within 7 days, and the median days', async () => {
  const own = await startServer({ env: ENV });
  try {
    const s = await newStore(own);
    const set = await own.api('PATCH', '/api/v1/settings', { token: s.token, body: {
      whatsapp_provider: 'whatsapp_cloud',
      whatsapp_config: { base_url: cloud.url, api_version: CLOUD.apiVersion, phone_number_id: CLOUD.phoneNumberId,
        template_name: 'payment_due', template_language: 'en', template_params: ['name', 'balance'] },
      whatsapp_secrets: { access_token: CLOUD.token, app_secret: APP_SECRET, verify_token: 'verify-me-please' },
    } });
    assert.equal(set.status, 200, set.text);
    let c = client(own, s);
    const people = {};
    for (const name of ['P1', 'P2', 'P3', 'P4', 'P5', 'P6', 'P7']) {
      people[name] = await c.customer(name);
      await c.entry({ customer_id: people[name].id, type: 'purchase', amount_minor: 90000, occurred_at: new Date(Date.now() - 40 * DAY).toISOString() });
    }
    const remind = async (name, body = {}) => {
      const r = await c.api('POST', `/api/v1/customers/${people[name].id}/reminders`, { body });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    const hook = async (m, status) => {
      const body = JSON.stringify(statusPayload(m.provider_message_id, status));
      const r = await own.api('POST', `/api/v1/webhooks/whatsapp/${s.slug}`, { raw: body, headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': metaSign(body) } });
      assert.equal(r.status, 204, r.text);
    };
    const r1 = await remind('P1');
    const r2 = await remind('P2');
    await hook(r2, 'delivered');
    const r3 = await remind('P3');
    await hook(r3, 'read');
    cloud.failNext({ status: 500, times: 10 });
    const r4 = await remind('P4');
    assert.equal(r4.status, 'failed');
    cloud.reset();
    const r5 = await remind('P5', { channel: 'link' });
    assert.equal(r5.status, 'link_ready');
    const r6 = await remind('P6');
    for (const m of [r1, r2, r3, r6]) assert.equal(m.status === 'sent' || m.status === 'delivered', true, JSON.stringify(m));
    // P7 gets a receipt (not a reminder) for a payment it makes now.
    const p7 = await c.entry({ customer_id: people.P7.id, type: 'payment', amount_minor: 100, payment_method: 'cash' });
    const receipt = await c.api('POST', `/api/v1/transactions/${p7.id}/receipt`, { body: {} });
    assert.equal(receipt.status, 201, receipt.text);
    assert.equal(receipt.json.kind, 'receipt');
    assert.equal(receipt.json.status, 'sent');

    // Ten days on, the payments that followed, recorded backdated.
    own.env.QT_CLOCK_OFFSET_MS = String(10 * DAY);
    await own.restart();
    s.token = (await login(own, s.slug, s.email, s.password)).access_token;
    c = client(own, s);
    const pay = (name, when, amount = 1000) => c.entry({ customer_id: people[name].id, type: 'payment', amount_minor: amount,
      payment_method: 'upi', occurred_at: new Date(when).toISOString() });
    const t = (m) => Date.parse(m.created_at);
    await pay('P1', t(r1) + 36 * HOUR);            // 1.5 days after
    await pay('P1', t(r1) + 2 * DAY);              // a second one: only the first counts
    await pay('P2', t(r2) + 3 * DAY);              // 3 days
    await pay('P3', t(r3) + 8 * DAY);              // too late
    const early = await pay('P3', t(r3) - HOUR);   // before the reminder: does not count
    assert.ok(early.id);
    await pay('P4', t(r4) + DAY);                  // its reminder failed
    await pay('P5', t(r5) + DAY);                  // a link, not known to be sent
    await pay('P7', t(receipt.json) + DAY);        // after a receipt, not a reminder
    const reversed = await pay('P6', t(r6) + HOUR); // P6's only payment is reversed
    await c.reverse(reversed.id);

    const from = istDate(-1, t(r1)), to = istDate(0, Date.now() + 10 * DAY);
    const r = await c.collections(`?from=${from}&to=${to}`);
    // Reminded: P1, P2, P3, P6 (sent, delivered, read, sent); P4 failed and
    // P5 is a link.  Paid within 7 days: P1 (1.5 days) and P2 (3 days).
    assert.deepEqual(r.reminders, { window_days: 7, reminded_customers: 4, paid_customers: 2, paid_share_bp: 5000, median_days_to_payment_x100: 225 });
    // A period that holds none of the reminders.
    const before = await c.collections(`?from=${istDate(-30, t(r1))}&to=${istDate(-2, t(r1))}`);
    assert.deepEqual(before.reminders, { window_days: 7, reminded_customers: 0, paid_customers: 0, paid_share_bp: null, median_days_to_payment_x100: null });
  } finally {
    await own.stop();
  }
});
