// Customers: create, read, update, archive; phone and apartment rules; list
// filters, sorts and keyset pagination; plan limit; derived ledger fields.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore } from '../lib/server.mjs';
import { newOperator } from '../lib/foundation.mjs';
import {
  phone, customer, purchase, payment, getCustomer, tokenFor, assertProblem, isoAgo, DAY,
} from '../lib/ledger.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const post = (token, body) => srv.api('POST', '/api/v1/customers', { token, body });
const patch = (token, id, body) => srv.api('PATCH', `/api/v1/customers/${id}`, { token, body });
const list = (token, qs) => srv.api('GET', `/api/v1/customers?${qs}`, { token });

test('customer_create_read_update_round_trips_and_derives_tower_floor_unit', async () => {
  const s = await newStore(srv);
  const r = await post(s.token, { name: 'Rajesh Kumar', phone: '9876543210', apartment: '36194', email: 'rajesh@example.com', notes: 'Flat owner' });
  assert.equal(r.status, 201, r.text);
  const c = r.json;
  assert.equal(c.phone, '+919876543210');
  assert.equal(c.apartment, '36194');
  assert.deepEqual([c.tower, c.floor, c.unit], [36, 19, 4]);
  assert.equal(c.status, 'active');
  assert.equal(c.balance_minor, 0);
  assert.equal(c.overdue_minor, 0);
  assert.equal(c.oldest_due_date, null);
  assert.equal(c.last_purchase_at, null);
  assert.equal(c.last_payment_at, null);
  assert.equal(c.currency, 'INR');
  const g = await getCustomer(srv, s.token, c.id);
  assert.equal(g.name, 'Rajesh Kumar');
  assert.equal(g.email, 'rajesh@example.com');
  const u = await patch(s.token, c.id, { name: 'Rajesh K', apartment: '42012', credit_limit_minor: 1000000 });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.name, 'Rajesh K');
  assert.deepEqual([u.json.tower, u.json.floor, u.json.unit], [42, 1, 2]);
  assert.equal(u.json.credit_limit_minor, 1000000);
  assert.equal(u.json.available_credit_minor, 1000000);
  assert.equal((await getCustomer(srv, s.token, c.id)).name, 'Rajesh K');
});

test('customer_unknown_id_and_unknown_fields_are_refused', async () => {
  const s = await newStore(srv);
  const g = await srv.api('GET', '/api/v1/customers/0190a4c2-0000-7000-8000-000000000000', { token: s.token });
  assertProblem(g, 404, 'not_found');
  const g2 = await srv.api('GET', '/api/v1/customers/not-a-uuid', { token: s.token });
  assertProblem(g2, 404, 'not_found');
  const r = await post(s.token, { name: 'X', phone: phone(), balance_minor: 5 });
  assert.ok(r.status === 400 || r.status === 422, r.text);
  const r2 = await post(s.token, { phone: phone() });
  assertProblem(r2, 422, 'validation_failed', 'name');
  const r3 = await post(s.token, { name: 'X' });
  assertProblem(r3, 422, 'validation_failed', 'phone');
});

test('phone_bare_ten_digits_take_plus_91_and_separators_and_prefixes_are_stripped', async () => {
  const s = await newStore(srv);
  const cases = [
    ['9876500001', '+919876500001'],
    ['+91 98765-00002', '+919876500002'],
    ['098765 00003', '+919876500003'],
    ['919876500004', '+919876500004'],
    ['0091 9876500005', '+919876500005'],
  ];
  for (const [input, want] of cases) {
    const r = await post(s.token, { name: 'P ' + input, phone: input });
    assert.equal(r.status, 201, `${input}: ${r.text}`);
    assert.equal(r.json.phone, want, input);
  }
});

test('phone_invalid_is_422_naming_phone', async () => {
  const s = await newStore(srv);
  for (const bad of ['12345', '5876543210', 'abcdefghij', '98765432101234567', '']) {
    const r = await post(s.token, { name: 'Bad', phone: bad });
    assertProblem(r, 422, 'validation_failed', 'phone');
  }
});

test('phone_taken_409_among_active_customers_and_archiving_frees_the_number', async () => {
  const s = await newStore(srv);
  const p = phone();
  const a = await customer(srv, s.token, { phone: p });
  assertProblem(await post(s.token, { name: 'Dup', phone: p }), 409, 'phone_taken', 'phone');
  // the same number written differently is the same number
  assertProblem(await post(s.token, { name: 'Dup', phone: '+91 ' + p }), 409, 'phone_taken', 'phone');
  // changing another customer to the number is refused too
  const b = await customer(srv, s.token);
  assertProblem(await patch(s.token, b.id, { phone: p }), 409, 'phone_taken', 'phone');
  const d = await srv.api('DELETE', `/api/v1/customers/${a.id}`, { token: s.token });
  assert.equal(d.status, 200, d.text);
  assert.equal(d.json.status, 'archived');
  const again = await post(s.token, { name: 'New owner of the number', phone: p });
  assert.equal(again.status, 201, again.text);
  // restoring the archived customer would now clash
  assertProblem(await patch(s.token, a.id, { status: 'active' }), 409, 'phone_taken', 'phone');
});

test('apartment_must_be_ttffu_tower_01_99_floor_00_99_unit_1_9', async () => {
  const s = await newStore(srv);
  for (const bad of ['3619', '361944', '00194', '36190', 'ab194', '3619a']) {
    const r = await post(s.token, { name: 'A ' + bad, phone: phone(), apartment: bad });
    assertProblem(r, 422, 'validation_failed', 'apartment');
  }
  for (const good of ['01001', '99999', '42012']) {
    const r = await post(s.token, { name: 'A ' + good, phone: phone(), apartment: good });
    assert.equal(r.status, 201, `${good}: ${r.text}`);
  }
  const none = await post(s.token, { name: 'No flat', phone: phone(), apartment: null });
  assert.equal(none.status, 201, none.text);
  assert.equal(none.json.apartment, null);
  assert.equal(none.json.tower, null);
});

test('apartment_is_narrowed_by_the_building_layout_setting', async () => {
  const s = await newStore(srv);
  const st = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { building_layout: { towers: 40, floors: 20, units: 4 } } });
  assert.equal(st.status, 200, st.text);
  assert.equal((await post(s.token, { name: 'In', phone: phone(), apartment: '36194' })).status, 201);
  for (const bad of ['42012', '36214', '36195']) {
    const r = await post(s.token, { name: 'Out ' + bad, phone: phone(), apartment: bad });
    assertProblem(r, 422, 'validation_failed', 'apartment');
  }
});

test('archive_is_refused_while_balance_is_not_zero', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  await purchase(srv, s.token, c.id, 5000);
  const d = await srv.api('DELETE', `/api/v1/customers/${c.id}`, { token: s.token });
  assertProblem(d, 409, 'balance_not_zero');
  assertProblem(await patch(s.token, c.id, { status: 'archived' }), 409, 'balance_not_zero');
  assert.equal((await getCustomer(srv, s.token, c.id)).status, 'active');
  await payment(srv, s.token, c.id, 6000);   // overpaid: balance -1000 is still not zero
  assertProblem(await srv.api('DELETE', `/api/v1/customers/${c.id}`, { token: s.token }), 409, 'balance_not_zero');
  await purchase(srv, s.token, c.id, 1000);
  const ok = await srv.api('DELETE', `/api/v1/customers/${c.id}`, { token: s.token });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.status, 'archived');
  // an archived customer takes no new entries
  const e = await srv.api('POST', '/api/v1/transactions', { token: s.token, body: { customer_id: c.id, type: 'purchase', amount_minor: 100 } });
  assertProblem(e, 409, 'customer_archived');
  // archived customers leave the default list but are found with status=archived
  const active = await list(s.token, 'limit=200');
  assert.ok(!active.json.data.some((x) => x.id === c.id));
  const arch = await list(s.token, 'status=archived');
  assert.deepEqual(arch.json.data.map((x) => x.id), [c.id]);
});

test('member_cannot_edit_archive_or_set_credit_limits_and_viewer_cannot_create', async () => {
  const s = await newStore(srv);
  const member = await tokenFor(srv, s, 'member');
  const viewer = await tokenFor(srv, s, 'viewer');
  const c = await customer(srv, member);   // members add customers
  assertProblem(await patch(member, c.id, { name: 'Changed' }), 403, 'forbidden');
  assertProblem(await srv.api('DELETE', `/api/v1/customers/${c.id}`, { token: member }), 403, 'forbidden');
  assertProblem(await post(member, { name: 'Limit', phone: phone(), credit_limit_minor: 10 }), 403, 'forbidden');
  assertProblem(await post(viewer, { name: 'V', phone: phone() }), 403, 'forbidden');
  assertProblem(await patch(viewer, c.id, { name: 'V' }), 403, 'forbidden');
  assert.equal((await srv.api('GET', `/api/v1/customers/${c.id}`, { token: viewer })).status, 200);
  assert.equal((await srv.api('GET', '/api/v1/customers', { token: viewer })).status, 200);
});

test('list_q_matches_name_substring_phone_digits_and_apartment_prefix', async () => {
  const s = await newStore(srv);
  const raj = await customer(srv, s.token, { name: 'Rajesh Kumar', phone: '9876543210', apartment: '36194' });
  const pri = await customer(srv, s.token, { name: 'Priya Singh', phone: '9812345678', apartment: '42012' });
  const ami = await customer(srv, s.token, { name: 'Amit Sharma', phone: '7012345678', apartment: '10056' });
  const ids = async (qs) => (await list(s.token, qs)).json.data.map((c) => c.id).sort();
  assert.deepEqual(await ids('q=kumar'), [raj.id]);
  assert.deepEqual(await ids('q=SHARMA'), [ami.id]);
  assert.deepEqual(await ids('q=ya%20Si'), [pri.id]);
  assert.deepEqual(await ids('q=361'), [raj.id]);          // apartment prefix
  assert.deepEqual(await ids('q=42012'), [pri.id]);
  assert.deepEqual(await ids('q=543210'), [raj.id]);       // phone digits
  assert.deepEqual(await ids('q=12345678'), [pri.id, ami.id].sort());
  assert.deepEqual(await ids('q=zzz'), []);
  assert.deepEqual(await ids('q=%25'), []);                // LIKE wildcard is literal
});

test('list_filters_tower_floor_status_has_balance_and_overdue', async () => {
  const s = await newStore(srv);
  const a = await customer(srv, s.token, { apartment: '36194' });
  const b = await customer(srv, s.token, { apartment: '36192' });
  const c = await customer(srv, s.token, { apartment: '36201' });
  const d = await customer(srv, s.token, { apartment: '42012' });
  const e = await customer(srv, s.token);
  await purchase(srv, s.token, a.id, 1000, { occurred_at: isoAgo(45 * DAY) });  // overdue
  await purchase(srv, s.token, b.id, 1000);                                      // owes, not overdue
  await srv.api('DELETE', `/api/v1/customers/${e.id}`, { token: s.token });
  const ids = async (qs) => (await list(s.token, qs)).json.data.map((x) => x.id).sort();
  assert.deepEqual(await ids('tower=36'), [a.id, b.id, c.id].sort());
  assert.deepEqual(await ids('tower=36&floor=19'), [a.id, b.id].sort());
  assert.deepEqual(await ids('floor=1'), [d.id]);
  assert.deepEqual(await ids('status=archived'), [e.id]);
  assert.deepEqual(await ids('status=all'), [a.id, b.id, c.id, d.id, e.id].sort());
  assert.deepEqual(await ids('has_balance=true'), [a.id, b.id].sort());
  assert.deepEqual(await ids('has_balance=false'), [c.id, d.id].sort());
  assert.deepEqual(await ids('overdue=true'), [a.id]);
  assert.deepEqual(await ids('overdue=false'), [b.id, c.id, d.id].sort());
  for (const bad of ['tower=0', 'tower=100', 'floor=x', 'status=gone', 'has_balance=maybe', 'sort=phone', 'limit=0', 'limit=201', 'cursor=!!!']) {
    const r = await list(s.token, bad);
    assert.equal(r.status, 400, `${bad}: ${r.text}`);
  }
});

test('list_sorts_by_name_balance_apartment_and_last_activity', async () => {
  const s = await newStore(srv);
  const c1 = await customer(srv, s.token, { name: 'Charlie', apartment: '20011' });
  const c2 = await customer(srv, s.token, { name: 'Alpha', apartment: '10011' });
  const c3 = await customer(srv, s.token, { name: 'Bravo' });
  await purchase(srv, s.token, c1.id, 300);
  await purchase(srv, s.token, c3.id, 900);
  await new Promise((r) => setTimeout(r, 5));
  await purchase(srv, s.token, c2.id, 100);
  const order = async (sort) => (await list(s.token, `sort=${sort}`)).json.data.map((x) => x.id);
  const byName = (await list(s.token, 'sort=name')).json.data.map((x) => x.name);
  assert.deepEqual([...byName].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)), byName, 'sorted by name');
  assert.deepEqual(await order('balance'), [c3.id, c1.id, c2.id]);        // largest balance first
  assert.deepEqual(await order('apartment'), [c2.id, c1.id, c3.id]);      // no apartment last
  assert.equal((await order('last_activity'))[0], c2.id);                   // most recent first
});

test('list_keyset_pagination_walks_every_page_without_duplicates_or_gaps', async () => {
  const s = await newStore(srv);
  const made = [];
  for (let i = 0; i < 23; i++) {
    const apt = `${String(10 + (i % 3)).padStart(2, '0')}0${(i % 9) + 1}${(i % 7) + 1}`;
    const c = await customer(srv, s.token, { name: `Pager ${i % 4}`, apartment: i % 5 === 0 ? null : apt });
    made.push(c.id);
    if (i % 4 === 0) await purchase(srv, s.token, c.id, 100 * ((i % 3) + 1));
    if (i % 4 === 1) await purchase(srv, s.token, c.id, 100);
  }
  for (const sort of ['name', 'balance', 'apartment', 'last_activity']) {
    const full = (await list(s.token, `sort=${sort}&limit=200`)).json;
    assert.equal(full.next_cursor, null);
    assert.equal(full.data.length, 23);
    const seen = [];
    let cursor = null, pages = 0;
    do {
      const r = await list(s.token, `sort=${sort}&limit=5${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      assert.equal(r.status, 200, r.text);
      assert.ok(r.json.data.length <= 5);
      seen.push(...r.json.data.map((x) => x.id));
      cursor = r.json.next_cursor;
      pages++;
      assert.ok(pages < 10, 'pagination does not end');
    } while (cursor);
    assert.equal(pages, 5, sort);
    assert.equal(new Set(seen).size, seen.length, `${sort}: duplicates`);
    assert.deepEqual(seen, full.data.map((x) => x.id), `${sort}: pages differ from the full list`);
    assert.deepEqual([...seen].sort(), [...made].sort());
  }
  // a cursor from one sort is refused by another
  const p1 = (await list(s.token, 'sort=name&limit=5')).json;
  assert.equal((await list(s.token, `sort=balance&cursor=${p1.next_cursor}`)).status, 400);
});

// A free-plan store with n customers.  The free plan allows 60 requests a
// minute, so a store does not add 50 customers in a second on it: they
// are added on the plan without a rate, then the operator moves the store
// to free (a downgrade keeps every customer).
async function freeStoreWith(n) {
  const s = await newStore(srv, { plan: 'enterprise' });
  const made = [];
  for (let i = 0; i < n; i += 10) {
    const rs = await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => post(s.token, { name: 'Free ' + phone(), phone: phone() })));
    for (const r of rs) { assert.equal(r.status, 201, r.text); made.push(r.json.id); }
  }
  const op = await newOperator(srv);
  const d = await srv.api('PATCH', `/api/v1/platform/tenants/${s.session.tenant.id}`, { token: op.token, body: { plan: 'free' } });
  assert.equal(d.status, 200, d.text);
  return { s, made };
}

test('plan_limit_reached_403_with_limit_on_the_free_plan_and_archived_customers_do_not_count', async () => {
  const { s, made } = await freeStoreWith(50);
  const over = await post(s.token, { name: 'One too many', phone: phone() });
  assertProblem(over, 403, 'plan_limit_reached');
  assert.equal(over.json.limit, 50);
  const d = await srv.api('DELETE', `/api/v1/customers/${made[0]}`, { token: s.token });
  assert.equal(d.status, 200, d.text);
  const ok = await post(s.token, { name: 'Fits again', phone: phone() });
  assert.equal(ok.status, 201, ok.text);
  assertProblem(await post(s.token, { name: 'Over again', phone: phone() }), 403, 'plan_limit_reached');
});

test('concurrent_creates_never_pass_the_plan_customer_limit', async () => {
  const { s } = await freeStoreWith(45);
  // Eight at once for the last five places (within the free plan's burst
  // of 10 requests, with the list after).
  const rs = await Promise.all(Array.from({ length: 8 }, () => post(s.token, { name: 'Race ' + phone(), phone: phone() })));
  for (const r of rs) if (r.status !== 201) assertProblem(r, 403, 'plan_limit_reached');
  assert.equal(rs.filter((r) => r.status === 201).length, 5);
  const all = await list(s.token, 'limit=200');
  assert.equal(all.json.data.length, 50);
});

test('derived_fields_balance_available_credit_last_times_oldest_due_and_overdue_follow_fifo', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token, { credit_limit_minor: 100000 });
  const oldAt = isoAgo(40 * DAY);
  await purchase(srv, s.token, c.id, 1000, { occurred_at: oldAt });
  const recent = await purchase(srv, s.token, c.id, 500);
  const pay = await payment(srv, s.token, c.id, 300, { payment_method: 'upi' });
  const g = await getCustomer(srv, s.token, c.id);
  assert.equal(g.balance_minor, 1200);
  assert.equal(g.available_credit_minor, 100000 - 1200);
  assert.equal(g.last_purchase_at, recent.occurred_at);
  assert.equal(g.last_payment_at, pay.occurred_at);
  // the payment settles the oldest purchase first: 700 of it is still overdue
  assert.equal(g.overdue_minor, 700);
  const due = new Date(Date.parse(oldAt) + 30 * DAY + 5.5 * 3600000).toISOString().slice(0, 10);
  assert.equal(g.oldest_due_date, due);
  // paying the old purchase off moves the oldest due date to the recent one
  await payment(srv, s.token, c.id, 700);
  const g2 = await getCustomer(srv, s.token, c.id);
  assert.equal(g2.overdue_minor, 0);
  assert.equal(g2.balance_minor, 500);
  const due2 = new Date(Date.parse(recent.occurred_at) + 30 * DAY + 5.5 * 3600000).toISOString().slice(0, 10);
  assert.equal(g2.oldest_due_date, due2);
  // the list shows the same derived fields
  const row = (await list(s.token, 'limit=200')).json.data.find((x) => x.id === c.id);
  assert.equal(row.balance_minor, 500);
  assert.equal(row.overdue_minor, 0);
  assert.equal(row.oldest_due_date, due2);
});

test('available_credit_uses_the_store_default_limit_when_the_customer_has_none', async () => {
  const s = await newStore(srv);
  const st = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { default_credit_limit_minor: 20000 } });
  assert.equal(st.status, 200, st.text);
  const c = await customer(srv, s.token);
  assert.equal(c.credit_limit_minor, null);
  assert.equal(c.available_credit_minor, 20000);
  await purchase(srv, s.token, c.id, 5000);
  assert.equal((await getCustomer(srv, s.token, c.id)).available_credit_minor, 15000);
});
