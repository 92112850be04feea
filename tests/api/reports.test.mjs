import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const DAY = 86400000;

async function customer(s, name, phone) {
  const r = await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name, phone } });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

async function entry(s, body) {
  const r = await srv.api('POST', '/api/v1/transactions', { token: s.token, body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('summary_overdue_agrees_with_per_customer_fifo_aging', async () => {
  const s = await newStore(srv);
  const a = await customer(s, 'Old Debt', '9000000001');
  const b = await customer(s, 'Recent Buyer', '9000000002');
  const ago = (d) => new Date(Date.now() - d * DAY).toISOString();
  await entry(s, { customer_id: a.id, type: 'purchase', amount_minor: 50000, occurred_at: ago(45) });
  await entry(s, { customer_id: a.id, type: 'purchase', amount_minor: 20000, occurred_at: ago(10) });
  await entry(s, { customer_id: a.id, type: 'payment', amount_minor: 30000, occurred_at: ago(5) });
  const reversed = await entry(s, { customer_id: b.id, type: 'purchase', amount_minor: 99900, occurred_at: ago(40) });
  await srv.api('POST', `/api/v1/transactions/${reversed.id}/reverse`, { token: s.token, body: { reason: 'wrong customer' } });
  await entry(s, { customer_id: b.id, type: 'purchase', amount_minor: 1500 });

  const sum = await srv.api('GET', '/api/v1/reports/summary', { token: s.token });
  assert.equal(sum.status, 200, sum.text);
  // a owes 40000: 20000 of the 45-day-old purchase is overdue (FIFO), the
  // 10-day-old one is not yet due; b's reversed purchase counts for nothing.
  assert.equal(sum.json.outstanding_minor, 41500);
  assert.equal(sum.json.overdue_minor, 20000);
  assert.equal(sum.json.customers_owing, 2);
  assert.equal(sum.json.customers_overdue, 1);
  assert.equal(sum.json.most_overdue[0].id, a.id);
  assert.equal(sum.json.sales_today_minor, 1500);

  const aging = await srv.api('GET', '/api/v1/reports/aging', { token: s.token });
  assert.equal(aging.status, 200, aging.text);
  assert.equal(aging.json.buckets.days_1_30_minor, 20000);
  assert.equal(aging.json.buckets.current_minor, 21500);
  for (const c of aging.json.customers) {
    const detail = await srv.api('GET', `/api/v1/customers/${c.id}`, { token: s.token });
    assert.equal(c.overdue_minor, detail.json.overdue_minor);
  }
});

test('towers_and_daily_reports_group_by_apartment_and_local_day', async () => {
  const s = await newStore(srv);
  const r = await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'T', phone: '9000000003', apartment: '36194' } });
  await entry(s, { customer_id: r.json.id, type: 'purchase', amount_minor: 700 });
  const towers = await srv.api('GET', '/api/v1/reports/towers', { token: s.token });
  assert.deepEqual(towers.json.towers, [{ tower: 36, customers: 1, outstanding_minor: 700, floors: [{ floor: 19, customers: 1, outstanding_minor: 700 }] }]);
  const daily = await srv.api('GET', '/api/v1/reports/daily', { token: s.token });
  assert.equal(daily.status, 200);
  assert.equal(daily.json.days.length, 30);
  assert.equal(daily.json.days.at(-1).sales_minor, 700);
  const bad = await srv.api('GET', '/api/v1/reports/daily?from=2026-13-01', { token: s.token });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.errors[0].field, 'from');
});

test('reports_are_refused_on_a_plan_without_them', async () => {
  const s = await newStore(srv, { plan: 'free' });
  const r = await srv.api('GET', '/api/v1/reports/summary', { token: s.token });
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'feature_not_in_plan');
});
