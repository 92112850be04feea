// WhatsApp reminders on the link channel (no provider account): the
// message carries the right rupee amount and UPI link, the 24-hour rule,
// opt-out and nothing-owed refusals, bulk with a dry run and skip reasons,
// the log with filters and paging, receipts, roles and another store's ids.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, newStore, addUser, login } from '../lib/server.mjs';
import { assertProblem } from '../lib/foundation.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const DAY = 86400000;
let phoneSeq = 0;
const phone = () => `98${String(Date.now() % 1e6).padStart(6, '0')}${String(phoneSeq++ % 100).padStart(2, '0')}`;

async function store() {
  const s = await newStore(srv);
  const set = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { upi_id: 'shop@okhdfc' } });
  assert.equal(set.status, 200, set.text);
  return s;
}

async function customer(s, name, { owedMinor = 0, daysAgo = 40 } = {}) {
  const c = await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name, phone: phone() } });
  assert.equal(c.status, 201, c.text);
  if (owedMinor) {
    const at = new Date(Date.now() - daysAgo * DAY).toISOString();
    const t = await srv.api('POST', '/api/v1/transactions', { token: s.token, body: { customer_id: c.json.id, type: 'purchase', amount_minor: owedMinor, occurred_at: at, override: owedMinor > 500000, override_reason: owedMinor > 500000 ? 'test' : undefined } });
    assert.equal(t.status, 201, t.text);
  }
  return c.json;
}

const remind = (s, id, opts = {}) => srv.api('POST', `/api/v1/customers/${id}/reminders`, { token: s.token, body: {}, ...opts });

test('a link reminder carries the amount in rupees and the UPI link, as a wa.me link to the customer', async () => {
  const s = await store();
  const c = await customer(s, 'Asha Verma', { owedMinor: 12345650 });
  const r = await remind(s, c.id);
  assert.equal(r.status, 201, r.text);
  const m = r.json;
  assert.equal(m.kind, 'reminder');
  assert.equal(m.trigger, 'manual');
  assert.equal(m.channel, 'link');
  assert.equal(m.status, 'link_ready');
  assert.equal(m.balance_minor, 12345650);
  assert.equal(m.overdue_minor, 12345650);
  assert.equal(m.currency, 'INR');
  assert.match(m.message, /Asha Verma/);
  assert.match(m.message, /₹1,23,456\.50/);
  assert.match(m.message, /upi:\/\/pay\?pa=shop@okhdfc&pn=[^&]+&am=123456\.50&cu=INR/);
  const digits = c.phone.replace('+', '');
  assert.ok(m.link.startsWith(`https://wa.me/${digits}?text=`), m.link);
  assert.equal(decodeURIComponent(m.link.split('?text=')[1]), m.message);
  const audit = await srv.api('GET', '/api/v1/audit', { token: s.token });
  assert.ok(audit.json.data.some((e) => e.action === 'reminder.created' && e.entity_id === m.id));
});

test('the 24-hour rule: a second reminder is 409 reminded_recently with next_allowed_at, on any channel', async () => {
  const s = await store();
  const c = await customer(s, 'Ravi', { owedMinor: 5000 });
  const first = await remind(s, c.id);
  assert.equal(first.status, 201, first.text);
  const again = await remind(s, c.id);
  assertProblem(again, 409, 'reminded_recently');
  const next = Date.parse(again.json.next_allowed_at);
  assert.ok(Math.abs(next - (Date.parse(first.json.created_at) + DAY)) < 1000, again.json.next_allowed_at);
  // Naming a provider channel does not get around it (the rule comes first).
  assertProblem(await remind(s, c.id, { body: { channel: 'link' } }), 409, 'reminded_recently');
});

test('the 24-hour rule lifts after a day on the program clock', async () => {
  const own = await startServer();
  try {
    const s = await newStore(own);
    const c = await own.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'Later', phone: phone() } });
    await own.api('POST', '/api/v1/transactions', { token: s.token, body: { customer_id: c.json.id, type: 'purchase', amount_minor: 700 } });
    assert.equal((await own.api('POST', `/api/v1/customers/${c.json.id}/reminders`, { token: s.token, body: {} })).status, 201);
    own.env.QT_CLOCK_OFFSET_MS = String(DAY + 60000);
    await own.restart();
    const tok = (await login(own, s.slug, s.email, s.password)).access_token;
    const r = await own.api('POST', `/api/v1/customers/${c.json.id}/reminders`, { token: tok, body: {} });
    assert.equal(r.status, 201, r.text);
  } finally {
    await own.stop();
  }
});

test('nothing owed, opted out, an unknown channel and a missing customer are refused', async () => {
  const s = await store();
  const paid = await customer(s, 'Nothing Owed');
  assertProblem(await remind(s, paid.id), 409, 'nothing_owed');
  const out = await customer(s, 'Said Stop', { owedMinor: 900 });
  const p = await srv.api('PATCH', `/api/v1/customers/${out.id}`, { token: s.token, body: { reminders_opt_out: true } });
  assert.equal(p.status, 200, p.text);
  assertProblem(await remind(s, out.id), 409, 'customer_opted_out');
  assertProblem(await remind(s, out.id, { body: { channel: 'pigeon' } }), 422, 'validation_failed', 'channel');
  assertProblem(await remind(s, randomUUID()), 404, 'not_found');
  assertProblem(await srv.api('POST', `/api/v1/customers/${out.id}/reminders`, { token: s.token, body: { channel: 5 } }), 422, 'validation_failed', 'channel');
  // A provider channel with nothing configured.
  const ow = await customer(s, 'Provider Less', { owedMinor: 900 });
  assertProblem(await remind(s, ow.id, { body: { channel: 'whatsapp_cloud' } }), 422, 'provider_not_configured');
});

test('bulk: the dry run changes nothing; then everyone overdue gets one link, the rest are skipped with a reason', async () => {
  const s = await store();
  const a = await customer(s, 'Overdue A', { owedMinor: 1000 });
  const b = await customer(s, 'Overdue B', { owedMinor: 250000 });
  const fresh = await customer(s, 'Fresh', { owedMinor: 500, daysAgo: 0 });
  const stop = await customer(s, 'Stopped', { owedMinor: 800 });
  await srv.api('PATCH', `/api/v1/customers/${stop.id}`, { token: s.token, body: { reminders_opt_out: true } });
  const dry = await srv.api('POST', '/api/v1/reminders/bulk', { token: s.token, body: { dry_run: true } });
  assert.equal(dry.status, 200, dry.text);
  assert.equal(dry.json.dry_run, true);
  assert.deepEqual(dry.json.reminded.map((m) => m.customer_id).sort(), [a.id, b.id].sort());
  assert.ok(dry.json.reminded.every((m) => m.id === null && m.link.startsWith('https://wa.me/')));
  const reasons = Object.fromEntries(dry.json.skipped.map((x) => [x.customer_id, x.reason]));
  assert.equal(reasons[fresh.id], 'not_overdue');
  assert.equal(reasons[stop.id], 'opted_out');
  assert.equal((await srv.api('GET', '/api/v1/reminders', { token: s.token })).json.data.length, 0, 'dry run wrote nothing');
  // Thresholds.
  const big = await srv.api('POST', '/api/v1/reminders/bulk', { token: s.token, body: { dry_run: true, min_amount_minor: 100000 } });
  assert.deepEqual(big.json.reminded.map((m) => m.customer_id), [b.id]);
  assert.equal(big.json.skipped.find((x) => x.customer_id === a.id).reason, 'below_minimum');
  const late = await srv.api('POST', '/api/v1/reminders/bulk', { token: s.token, body: { dry_run: true, min_overdue_days: 30 } });
  assert.equal(late.json.reminded.length, 0);
  assertProblem(await srv.api('POST', '/api/v1/reminders/bulk', { token: s.token, body: { min_overdue_days: -1 } }), 422, 'validation_failed', 'min_overdue_days');
  // For real.
  const run = await srv.api('POST', '/api/v1/reminders/bulk', { token: s.token, body: {} });
  assert.equal(run.status, 201, run.text);
  assert.equal(run.json.reminded.length, 2);
  assert.ok(run.json.reminded.every((m) => m.trigger === 'bulk' && m.status === 'link_ready' && m.id));
  const second = await srv.api('POST', '/api/v1/reminders/bulk', { token: s.token, body: {} });
  assert.equal(second.json.reminded.length, 0);
  assert.equal(second.json.skipped.find((x) => x.customer_id === a.id).reason, 'reminded_recently');
});

test('the log filters by customer, status and kind, newest first, with keyset paging', async () => {
  const s = await store();
  const ids = [];
  for (let i = 0; i < 3; i++) {
    const c = await customer(s, `Log ${i}`, { owedMinor: 100 + i });
    ids.push(c.id);
    assert.equal((await remind(s, c.id)).status, 201);
  }
  const all = await srv.api('GET', '/api/v1/reminders?limit=2', { token: s.token });
  assert.equal(all.status, 200, all.text);
  assert.equal(all.json.data.length, 2);
  assert.ok(all.json.next_cursor);
  const rest = await srv.api('GET', `/api/v1/reminders?limit=2&cursor=${all.json.next_cursor}`, { token: s.token });
  assert.equal(rest.json.data.length, 1);
  assert.equal(rest.json.next_cursor, null);
  const seen = [...all.json.data, ...rest.json.data].map((m) => m.customer_id);
  assert.deepEqual(seen, [...ids].reverse());
  const one = await srv.api('GET', `/api/v1/reminders?customer_id=${ids[1]}`, { token: s.token });
  assert.deepEqual(one.json.data.map((m) => m.customer_id), [ids[1]]);
  assert.equal((await srv.api('GET', '/api/v1/reminders?status=sent', { token: s.token })).json.data.length, 0);
  assert.equal((await srv.api('GET', '/api/v1/reminders?kind=receipt', { token: s.token })).json.data.length, 0);
  assertProblem(await srv.api('GET', '/api/v1/reminders?status=lost', { token: s.token }), 400, 'invalid_parameter', 'status');
  assertProblem(await srv.api('GET', '/api/v1/reminders?cursor=bm9wZQ', { token: s.token }), 400, 'invalid_parameter', 'cursor');
});

test('a receipt for an entry shows its amount and the new balance; the 24-hour rule does not apply', async () => {
  const s = await store();
  const c = await customer(s, 'Receipt Person', { owedMinor: 50000 });
  const pay = await srv.api('POST', '/api/v1/transactions', { token: s.token, body: { customer_id: c.id, type: 'payment', amount_minor: 20000 } });
  assert.equal(pay.status, 201, pay.text);
  const r1 = await srv.api('POST', `/api/v1/transactions/${pay.json.id}/receipt`, { token: s.token, body: {} });
  assert.equal(r1.status, 201, r1.text);
  assert.equal(r1.json.kind, 'receipt');
  assert.equal(r1.json.entry_id, pay.json.id);
  assert.equal(r1.json.balance_minor, 30000);
  assert.match(r1.json.message, /₹200\.00/);
  assert.match(r1.json.message, /₹300\.00/);
  const r2 = await srv.api('POST', `/api/v1/transactions/${pay.json.id}/receipt`, { token: s.token, body: {} });
  assert.equal(r2.status, 201, r2.text);
  // A receipt does not start the 24-hour rule for reminders.
  assert.equal((await remind(s, c.id)).status, 201);
  assertProblem(await srv.api('POST', `/api/v1/transactions/${randomUUID()}/receipt`, { token: s.token, body: {} }), 404, 'not_found');
});

test('viewers cannot remind; another store cannot remind or read this store’s customers and reminders', async () => {
  const s = await store();
  const c = await customer(s, 'Private', { owedMinor: 300 });
  const v = addUser(srv, { tenant: s.slug, email: `viewer@${s.slug}.example`, role: 'viewer' });
  const vt = (await login(srv, s.slug, v.email, v.password)).access_token;
  assertProblem(await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: vt, body: {} }), 403, 'forbidden');
  assertProblem(await srv.api('POST', '/api/v1/reminders/bulk', { token: vt, body: { dry_run: true } }), 403, 'forbidden');
  assert.equal((await srv.api('GET', '/api/v1/reminders', { token: vt })).status, 200);
  const other = await store();
  assertProblem(await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: other.token, body: {} }), 404, 'not_found');
  const mine = await remind(s, c.id);
  assert.equal(mine.status, 201);
  assert.equal((await srv.api('GET', `/api/v1/reminders?customer_id=${c.id}`, { token: other.token })).json.data.length, 0);
  const bulk = await srv.api('POST', '/api/v1/reminders/bulk', { token: other.token, body: { dry_run: true } });
  assert.ok(!JSON.stringify(bulk.json).includes(c.id));
});

test('an Idempotency-Key replays the same reminder instead of a 409', async () => {
  const s = await store();
  const c = await customer(s, 'Retry', { owedMinor: 4200 });
  const h = { 'Idempotency-Key': `rem-${randomUUID()}` };
  const a = await remind(s, c.id, { headers: h });
  const b = await remind(s, c.id, { headers: h });
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  assert.equal(b.json.id, a.json.id);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
});

test('{statement_link} makes a shared statement link for the message that opens this customer\'s statement', async () => {
  const s = await store();
  const set = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { reminder_template: 'Hi {name}, you owe {balance}. Statement: {statement_link}' } });
  assert.equal(set.status, 200, set.text);
  const c = await customer(s, 'Linked', { owedMinor: 7700 });
  const dry = await srv.api('POST', '/api/v1/reminders/bulk', { token: s.token, body: { dry_run: true } });
  assert.match(dry.json.reminded[0].message, /Statement: http:\/\/[^ ]+\/s\/…/);
  const r = await remind(s, c.id);
  assert.equal(r.status, 201, r.text);
  const url = r.json.message.match(/Statement: (\S+)/)[1];
  const token = url.split('/s/')[1];
  const shared = await srv.api('GET', `/api/v1/shared/${token}`);
  assert.equal(shared.status, 200, shared.text);
  assert.ok(JSON.stringify(shared.json).includes('Linked'));
  assert.equal((await srv.api('GET', new URL(url).pathname)).status, 200);
});
