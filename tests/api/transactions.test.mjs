// Transactions: purchases, payments, adjustments, reversals, line items,
// backdating, the credit limit (and the parallel over-limit race), and the
// append-only rule.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore } from '../lib/server.mjs';
import {
  customer, entry, purchase, payment, getCustomer, tokenFor, assertProblem, isoAgo, DAY,
} from '../lib/ledger.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const post = (token, body) => srv.api('POST', '/api/v1/transactions', { token, body });
const reverse = (token, id, body = { reason: 'entered twice' }) =>
  srv.api('POST', `/api/v1/transactions/${id}/reverse`, { token, body });

test('purchase_adds_and_payment_subtracts_with_balance_after_on_each_entry', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const p = await purchase(srv, s.token, c.id, 12550, { note: 'Rice 10 kg' });
  assert.equal(p.type, 'purchase');
  assert.equal(p.amount_minor, 12550);
  assert.equal(p.currency, 'INR');
  assert.equal(p.balance_after_minor, 12550);
  assert.equal(p.note, 'Rice 10 kg');
  assert.equal(p.reversed_by_id, null);
  const q = await payment(srv, s.token, c.id, 5000, { payment_method: 'upi', payment_reference: 'UPI-123' });
  assert.equal(q.payment_method, 'upi');
  assert.equal(q.payment_reference, 'UPI-123');
  assert.equal(q.amount_minor, 5000);
  assert.equal(q.balance_after_minor, 7550);
  const cash = await payment(srv, s.token, c.id, 50);
  assert.equal(cash.payment_method, 'cash');   // the default method
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 7500);
  const g = await srv.api('GET', `/api/v1/transactions/${p.id}`, { token: s.token });
  assert.equal(g.status, 200);
  assert.deepEqual(g.json, p);
});

test('entry_input_is_validated_amount_type_currency_customer_and_payment_method', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const base = { customer_id: c.id, type: 'purchase', amount_minor: 100 };
  assertProblem(await post(s.token, { ...base, amount_minor: 0 }), 422, 'validation_failed', 'amount_minor');
  assertProblem(await post(s.token, { ...base, amount_minor: -5 }), 422, 'validation_failed', 'amount_minor');
  assertProblem(await post(s.token, { ...base, type: 'payment', amount_minor: -5 }), 422, 'validation_failed', 'amount_minor');
  const frac = await post(s.token, { ...base, amount_minor: 1.5 });
  assert.ok(frac.status === 400 || frac.status === 422, frac.text);
  assert.ok(frac.json.errors.some((e) => e.field === 'amount_minor'), frac.text);
  assertProblem(await post(s.token, { ...base, type: 'gift' }), 422, 'validation_failed', 'type');
  assertProblem(await post(s.token, { ...base, type: 'reversal' }), 422, 'validation_failed', 'type');
  assertProblem(await post(s.token, { ...base, currency: 'USD' }), 422, 'validation_failed', 'currency');
  assertProblem(await post(s.token, { ...base, type: 'payment', payment_method: 'cheque' }), 422, 'validation_failed', 'payment_method');
  assertProblem(await post(s.token, { ...base, payment_method: 'cash' }), 422, 'validation_failed', 'payment_method');
  assertProblem(await post(s.token, { ...base, payment_reference: 'x' }), 422, 'validation_failed', 'payment_reference');
  assertProblem(await post(s.token, { ...base, note: 'bell\u0007' }), 422, 'validation_failed', 'note');
  assertProblem(await post(s.token, { ...base, customer_id: 'nope' }), 422, 'validation_failed', 'customer_id');
  assertProblem(await post(s.token, { ...base, customer_id: '0190a4c2-0000-7000-8000-000000000000' }), 404, 'not_found');
  for (const m of ['cash', 'upi', 'card', 'bank', 'other'])
    assert.equal((await post(s.token, { ...base, type: 'payment', payment_method: m })).status, 201, m);
  // nothing of the refused requests reached the ledger
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, -500);
});

test('another_stores_customer_is_404_exactly_like_a_missing_one', async () => {
  const a = await newStore(srv);
  const b = await newStore(srv);
  const c = await customer(srv, a.token);
  const p = await purchase(srv, a.token, c.id, 100);
  assertProblem(await post(b.token, { customer_id: c.id, type: 'purchase', amount_minor: 100 }), 404, 'not_found');
  assertProblem(await srv.api('GET', `/api/v1/transactions/${p.id}`, { token: b.token }), 404, 'not_found');
  assertProblem(await reverse(b.token, p.id), 404, 'not_found');
  assert.equal((await getCustomer(srv, a.token, c.id)).balance_minor, 100);
});

test('backdating_beyond_7_days_needs_admin_and_future_dates_are_refused', async () => {
  const s = await newStore(srv);
  const member = await tokenFor(srv, s, 'member');
  const c = await customer(srv, s.token);
  const base = { customer_id: c.id, type: 'purchase', amount_minor: 100 };
  assert.equal((await post(member, { ...base, occurred_at: isoAgo(6 * DAY) })).status, 201);
  assertProblem(await post(member, { ...base, occurred_at: isoAgo(8 * DAY) }), 403, 'forbidden', 'occurred_at');
  const old = await post(s.token, { ...base, occurred_at: isoAgo(90 * DAY) });
  assert.equal(old.status, 201, old.text);
  const admin = await tokenFor(srv, s, 'admin');
  assert.equal((await post(admin, { ...base, occurred_at: isoAgo(30 * DAY) })).status, 201);
  assertProblem(await post(s.token, { ...base, occurred_at: new Date(Date.now() + 3600000).toISOString() }), 422, 'validation_failed', 'occurred_at');
  assertProblem(await post(s.token, { ...base, occurred_at: 'yesterday' }), 422, 'validation_failed', 'occurred_at');
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 300);
});

test('adjustment_is_admin_only_signed_and_needs_a_reason', async () => {
  const s = await newStore(srv);
  const member = await tokenFor(srv, s, 'member');
  const c = await customer(srv, s.token);
  await purchase(srv, s.token, c.id, 1000);
  const base = { customer_id: c.id, type: 'adjustment', amount_minor: -250, reason: 'damaged goods' };
  assertProblem(await post(member, base), 403, 'forbidden');
  assertProblem(await post(s.token, { ...base, reason: undefined }), 422, 'validation_failed', 'reason');
  assertProblem(await post(s.token, { ...base, reason: '' }), 422, 'validation_failed', 'reason');
  assertProblem(await post(s.token, { ...base, amount_minor: 0 }), 422, 'validation_failed', 'amount_minor');
  const down = await post(s.token, base);
  assert.equal(down.status, 201, down.text);
  assert.equal(down.json.amount_minor, -250);
  assert.equal(down.json.balance_after_minor, 750);
  const up = await post(s.token, { ...base, amount_minor: 100, reason: 'missed item' });
  assert.equal(up.json.balance_after_minor, 850);
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 850);
});

test('reversal_undoes_an_entry_once_admin_only_and_a_reversal_cannot_be_reversed', async () => {
  const s = await newStore(srv);
  const member = await tokenFor(srv, s, 'member');
  const c = await customer(srv, s.token);
  const p = await purchase(srv, s.token, c.id, 4000);
  const q = await payment(srv, s.token, c.id, 1000);
  assertProblem(await reverse(member, p.id), 403, 'forbidden');
  assertProblem(await reverse(s.token, p.id, {}), 422, 'validation_failed', 'reason');
  assertProblem(await reverse(s.token, p.id, { reason: '' }), 422, 'validation_failed', 'reason');
  assertProblem(await reverse(s.token, '0190a4c2-0000-7000-8000-000000000000'), 404, 'not_found');
  const r = await reverse(s.token, p.id);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.type, 'reversal');
  assert.equal(r.json.reverses_id, p.id);
  assert.equal(r.json.amount_minor, 4000);
  assert.equal(r.json.reason, 'entered twice');
  assert.equal(r.json.balance_after_minor, -1000);
  const orig = await srv.api('GET', `/api/v1/transactions/${p.id}`, { token: s.token });
  assert.equal(orig.json.reversed_by_id, r.json.id);
  assertProblem(await reverse(s.token, p.id), 409, 'already_reversed');
  assertProblem(await reverse(s.token, r.json.id), 422, 'cannot_reverse_reversal');
  // reversing a payment puts the amount back on the balance
  const rq = await reverse(s.token, q.id);
  assert.equal(rq.status, 201, rq.text);
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 0);
  assert.equal(srv.cli(['verify']).code, 0);
});

test('an_archived_customers_entries_cannot_be_reversed', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const p = await purchase(srv, s.token, c.id, 300);
  await payment(srv, s.token, c.id, 300);
  assert.equal((await srv.api('DELETE', `/api/v1/customers/${c.id}`, { token: s.token })).status, 200);
  assertProblem(await reverse(s.token, p.id), 409, 'customer_archived');
  const g = await getCustomer(srv, s.token, c.id);
  assert.equal(g.balance_minor, 0);
  assert.equal(g.status, 'archived');
});

test('concurrent_reversals_of_one_entry_create_exactly_one', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const p = await purchase(srv, s.token, c.id, 700);
  const rs = await Promise.all(Array.from({ length: 10 }, () => reverse(s.token, p.id)));
  const codes = rs.map((r) => r.status).sort();
  assert.equal(codes.filter((x) => x === 201).length, 1, codes.join(','));
  for (const r of rs) if (r.status !== 201) assertProblem(r, 409, 'already_reversed');
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 0);
});

test('line_items_quantity_decimal_and_total_must_equal_amount', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const items = [
    { name: 'Rice (kg)', quantity: '1.5', unit_price_minor: 6000 },
    { name: 'Soap', quantity: 2, unit_price_minor: 4500 },
    { name: 'Chilli (kg)', quantity: '0.125', unit_price_minor: 20000 },
  ];
  const ok = await post(s.token, { customer_id: c.id, type: 'purchase', amount_minor: 9000 + 9000 + 2500, items });
  assert.equal(ok.status, 201, ok.text);
  assert.deepEqual(ok.json.items.map((i) => [i.name, i.quantity, i.unit_price_minor, i.line_total_minor]),
    [['Rice (kg)', '1.5', 6000, 9000], ['Soap', '2', 4500, 9000], ['Chilli (kg)', '0.125', 20000, 2500]]);
  const mismatch = await post(s.token, { customer_id: c.id, type: 'purchase', amount_minor: 20000, items });
  assertProblem(mismatch, 422, 'items_total_mismatch', 'items');
  const bad = (it) => post(s.token, { customer_id: c.id, type: 'purchase', amount_minor: 100, items: it });
  assertProblem(await bad([{ name: 'A', quantity: '1.2345', unit_price_minor: 100 }]), 422, 'validation_failed', 'items[0].quantity');
  assertProblem(await bad([{ name: 'A', quantity: '0', unit_price_minor: 100 }]), 422, 'validation_failed', 'items[0].quantity');
  assertProblem(await bad([{ name: 'A', quantity: '-1', unit_price_minor: 100 }]), 422, 'validation_failed', 'items[0].quantity');
  assertProblem(await bad([{ name: 'A', quantity: true, unit_price_minor: 100 }]), 422, 'validation_failed', 'items[0].quantity');
  assertProblem(await bad([{ name: 'A', quantity: 1, unit_price_minor: 100 }, { name: 'B', quantity: 1, unit_price_minor: -1 }]),
    422, 'validation_failed', 'items[1].unit_price_minor');
  assertProblem(await bad([{ name: '', quantity: 1, unit_price_minor: 100 }]), 422, 'validation_failed', 'items[0].name');
  assertProblem(await bad([]), 422, 'validation_failed', 'items');
  const extra = await bad([{ name: 'A', quantity: 1, unit_price_minor: 100, colour: 'red' }]);
  assert.ok(extra.status === 400 || extra.status === 422, extra.text);
  assert.ok(extra.json.errors.some((e) => e.field.startsWith('items[0]')), extra.text);
  const huge = await bad([{ name: 'A', quantity: '1000000', unit_price_minor: 9007199254740991 }]);
  assert.equal(huge.status, 422, huge.text);
  const many = await bad(Array.from({ length: 101 }, () => ({ name: 'A', quantity: 1, unit_price_minor: 1 })));
  assertProblem(many, 422, 'validation_failed', 'items');
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 20500);
});

test('credit_limit_exceeded_422_carries_limit_balance_and_shortfall', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token, { credit_limit_minor: 10000 });
  await purchase(srv, s.token, c.id, 8000);
  const r = await post(s.token, { customer_id: c.id, type: 'purchase', amount_minor: 3000 });
  assertProblem(r, 422, 'credit_limit_exceeded', 'amount_minor');
  assert.equal(r.json.credit_limit_minor, 10000);
  assert.equal(r.json.balance_minor, 8000);
  assert.equal(r.json.shortfall_minor, 1000);
  // exactly up to the limit is allowed
  await purchase(srv, s.token, c.id, 2000);
  // payments are never limited, and free the credit again
  await payment(srv, s.token, c.id, 500);
  await purchase(srv, s.token, c.id, 500);
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 10000);
});

test('admin_override_with_reason_passes_the_limit_and_the_audit_row_records_it_member_override_is_403', async () => {
  const s = await newStore(srv);
  const member = await tokenFor(srv, s, 'member');
  const c = await customer(srv, s.token, { credit_limit_minor: 1000 });
  const base = { customer_id: c.id, type: 'purchase', amount_minor: 5000 };
  assertProblem(await post(member, { ...base, override: true, override_reason: 'regular' }), 403, 'forbidden', 'override');
  assertProblem(await post(s.token, { ...base, override: true }), 422, 'validation_failed', 'override_reason');
  assertProblem(await post(s.token, { ...base, override_reason: 'why' }), 422, 'validation_failed', 'override_reason');
  const ok = await post(s.token, { ...base, override: true, override_reason: 'wedding in the family' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.override, true);
  assert.equal(ok.json.override_reason, 'wedding in the family');
  const a = await srv.api('GET', `/api/v1/audit?entity=transaction&entity_id=${ok.json.id}`, { token: s.token });
  assert.equal(a.status, 200, a.text);
  assert.equal(a.json.data.length, 1);
  assert.equal(a.json.data[0].action, 'transaction.created');
  assert.equal(a.json.data[0].after.override, true);
  assert.equal(a.json.data[0].after.override_reason, 'wedding in the family');
  const g = await getCustomer(srv, s.token, c.id);
  assert.equal(g.balance_minor, 5000);
  assert.equal(g.available_credit_minor, 0);
  // over the limit, a further purchase without override is refused; the shortfall is the whole amount
  const more = await post(member, { customer_id: c.id, type: 'purchase', amount_minor: 100 });
  assertProblem(more, 422, 'credit_limit_exceeded');
  assert.equal(more.json.shortfall_minor, 4100);
});

test('parallel_purchases_never_together_pass_the_credit_limit', async () => {
  const s = await newStore(srv);
  const limit = 10000, amount = 700, n = 40;
  const c = await customer(srv, s.token, { credit_limit_minor: limit });
  const member = await tokenFor(srv, s, 'member');
  const rs = await Promise.all(Array.from({ length: n }, (_, i) =>
    post(i % 2 ? member : s.token, { customer_id: c.id, type: 'purchase', amount_minor: amount })));
  const ok = rs.filter((r) => r.status === 201);
  for (const r of rs) if (r.status !== 201) assertProblem(r, 422, 'credit_limit_exceeded');
  assert.ok(ok.length * amount <= limit, `${ok.length} purchases of ${amount} passed a limit of ${limit}`);
  assert.equal(ok.length, Math.floor(limit / amount), 'every purchase that fits should pass');
  const balances = ok.map((r) => r.json.balance_after_minor).sort((x, y) => x - y);
  assert.deepEqual(balances, ok.map((_, i) => (i + 1) * amount));
  const g = await getCustomer(srv, s.token, c.id);
  assert.equal(g.balance_minor, ok.length * amount);
  const v = srv.cli(['verify']);
  assert.equal(v.code, 0, v.stdout + v.stderr);
});

test('parallel_purchases_and_payments_on_many_customers_keep_balances_equal_to_their_entries', async () => {
  const s = await newStore(srv);
  const cs = await Promise.all(Array.from({ length: 4 }, () => customer(srv, s.token, { credit_limit_minor: 1000000 })));
  const rs = await Promise.all(Array.from({ length: 48 }, (_, i) =>
    post(s.token, { customer_id: cs[i % 4].id, type: i % 3 ? 'purchase' : 'payment', amount_minor: 100 + i })));
  for (const r of rs) assert.equal(r.status, 201, r.text);
  for (const [k, c] of cs.entries()) {
    const want = rs.filter((_, i) => i % 4 === k).reduce((sum, r) => sum + (r.json.type === 'payment' ? -1 : 1) * r.json.amount_minor, 0);
    assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, want);
  }
  assert.equal(srv.cli(['verify']).code, 0);
});

test('entries_are_immutable_no_update_or_delete_route', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const p = await purchase(srv, s.token, c.id, 100);
  for (const m of ['PATCH', 'PUT', 'DELETE']) {
    const r = await srv.api(m, `/api/v1/transactions/${p.id}`, { token: s.token, body: { amount_minor: 1 } });
    assertProblem(r, 405, 'method_not_allowed');
    assert.ok(!/PATCH|DELETE|PUT/.test(r.headers.get('allow') || ''), r.headers.get('allow'));
  }
  const g = await srv.api('GET', `/api/v1/transactions/${p.id}`, { token: s.token });
  assert.equal(g.json.amount_minor, 100);
});

test('viewer_cannot_record_entries_and_transactions_list_filters_and_pages', async () => {
  const s = await newStore(srv);
  const viewer = await tokenFor(srv, s, 'viewer');
  const a = await customer(srv, s.token);
  const b = await customer(srv, s.token);
  assertProblem(await post(viewer, { customer_id: a.id, type: 'purchase', amount_minor: 100 }), 403, 'forbidden');
  const made = [];
  for (let i = 0; i < 7; i++) made.push(await purchase(srv, s.token, i % 2 ? a.id : b.id, 100 + i, { occurred_at: isoAgo((i + 1) * 3600000) }));
  made.push(await payment(srv, s.token, a.id, 50));
  const get = (qs) => srv.api('GET', `/api/v1/transactions?${qs}`, { token: viewer });
  const forA = (await get(`customer_id=${a.id}`)).json.data;
  assert.equal(forA.length, 4);
  assert.ok(forA.every((e) => e.customer_id === a.id));
  assert.deepEqual((await get('type=payment')).json.data.map((e) => e.id), [made[7].id]);
  const seen = [];
  let cursor = null;
  do {
    const r = await get(`limit=3${cursor ? `&cursor=${cursor}` : ''}`);
    assert.equal(r.status, 200, r.text);
    seen.push(...r.json.data.map((e) => e.id));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.equal(seen.length, 8);
  assert.equal(new Set(seen).size, 8);
  assert.equal(seen[0], made[7].id);          // newest first
  assert.equal((await get('type=refund')).status, 400);
});
