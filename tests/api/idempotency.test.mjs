// Idempotency-Key on the creating POSTs of the ledger: customers,
// transactions and reversals.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, newStore } from '../lib/server.mjs';
import { phone, customer, purchase, getCustomer, assertProblem } from '../lib/ledger.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const key = () => 'k-' + randomBytes(8).toString('hex');
const send = (token, path, body, k) => srv.api('POST', path, { token, body, headers: k === undefined ? {} : { 'Idempotency-Key': k } });

test('same_key_same_body_replays_the_first_customer_response_with_one_effect', async () => {
  const s = await newStore(srv);
  const k = key();
  const body = { name: 'Idem Customer', phone: phone() };
  const a = await send(s.token, '/api/v1/customers', body, k);
  assert.equal(a.status, 201, a.text);
  const b = await send(s.token, '/api/v1/customers', body, k);
  assert.equal(b.status, 201, b.text);
  assert.equal(b.text, a.text);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  const all = await srv.api('GET', '/api/v1/customers?status=all', { token: s.token });
  assert.equal(all.json.data.length, 1);
});

test('same_key_same_body_replays_the_stored_transaction_response_even_after_the_balance_moved', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const k = key();
  const body = { customer_id: c.id, type: 'purchase', amount_minor: 1234 };
  const a = await send(s.token, '/api/v1/transactions', body, k);
  assert.equal(a.status, 201, a.text);
  await purchase(srv, s.token, c.id, 1000);
  const b = await send(s.token, '/api/v1/transactions', body, k);
  assert.equal(b.status, 201);
  assert.equal(b.text, a.text);
  assert.equal(b.json.balance_after_minor, 1234);
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 2234);
  const entries = await srv.api('GET', `/api/v1/transactions?customer_id=${c.id}`, { token: s.token });
  assert.equal(entries.json.data.length, 2);
});

test('same_key_on_reverse_replays_instead_of_already_reversed', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const p = await purchase(srv, s.token, c.id, 900);
  const k = key();
  const path = `/api/v1/transactions/${p.id}/reverse`;
  const a = await send(s.token, path, { reason: 'wrong customer' }, k);
  assert.equal(a.status, 201, a.text);
  const b = await send(s.token, path, { reason: 'wrong customer' }, k);
  assert.equal(b.status, 201, b.text);
  assert.equal(b.text, a.text);
  assertProblem(await send(s.token, path, { reason: 'wrong customer' }, key()), 409, 'already_reversed');
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 0);
});

test('same_key_with_a_different_body_or_path_is_409_idempotency_key_reused', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const k = key();
  const body = { customer_id: c.id, type: 'purchase', amount_minor: 500 };
  assert.equal((await send(s.token, '/api/v1/transactions', body, k)).status, 201);
  assertProblem(await send(s.token, '/api/v1/transactions', { ...body, amount_minor: 501 }, k), 409, 'idempotency_key_reused');
  assertProblem(await send(s.token, '/api/v1/customers', { name: 'X', phone: phone() }, k), 409, 'idempotency_key_reused');
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 500);
});

test('idempotency_keys_are_per_tenant', async () => {
  const a = await newStore(srv);
  const b = await newStore(srv);
  const k = key();
  const body = { name: 'Same Name', phone: '9876543210' };
  const ra = await send(a.token, '/api/v1/customers', body, k);
  const rb = await send(b.token, '/api/v1/customers', body, k);
  assert.equal(ra.status, 201, ra.text);
  assert.equal(rb.status, 201, rb.text);
  assert.notEqual(ra.json.id, rb.json.id);
  assert.equal(rb.headers.get('idempotent-replayed'), null);
  assertProblem(await srv.api('GET', `/api/v1/customers/${ra.json.id}`, { token: b.token }), 404, 'not_found');
});

test('twenty_concurrent_duplicates_resolve_to_exactly_one_effect', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const k = key();
  const body = { customer_id: c.id, type: 'purchase', amount_minor: 777 };
  const rs = await Promise.all(Array.from({ length: 20 }, () => send(s.token, '/api/v1/transactions', body, k)));
  const created = rs.filter((r) => r.status === 201);
  for (const r of rs) {
    if (r.status === 201) continue;
    assertProblem(r, 409, 'idempotency_key_in_use');   // the only other acceptable answer
  }
  assert.ok(created.length >= 1);
  assert.equal(new Set(created.map((r) => r.json.id)).size, 1, 'more than one entry created');
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 777);
  // same for customers
  const k2 = key();
  const cb = { name: 'Racer', phone: phone() };
  const cs = await Promise.all(Array.from({ length: 20 }, () => send(s.token, '/api/v1/customers', cb, k2)));
  assert.equal(new Set(cs.filter((r) => r.status === 201).map((r) => r.json.id)).size, 1);
  for (const r of cs) assert.ok(r.status === 201 || r.json.code === 'idempotency_key_in_use', r.text);
});

test('idempotency_key_must_be_1_to_255_printable_characters', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const body = { customer_id: c.id, type: 'purchase', amount_minor: 5 };
  assertProblem(await send(s.token, '/api/v1/transactions', body, 'x'.repeat(256)), 400, 'invalid_header', 'Idempotency-Key');
  assertProblem(await send(s.token, '/api/v1/transactions', body, 'has space'), 400, 'invalid_header', 'Idempotency-Key');
  assert.equal((await send(s.token, '/api/v1/transactions', body, 'y'.repeat(255))).status, 201);
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 5);
});

test('a_refused_request_stores_no_response_and_no_effect_under_its_key', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token, { credit_limit_minor: 100 });
  const k = key();
  const body = { customer_id: c.id, type: 'purchase', amount_minor: 500 };
  assertProblem(await send(s.token, '/api/v1/transactions', body, k), 422, 'credit_limit_exceeded');
  assertProblem(await send(s.token, '/api/v1/transactions', body, k), 422, 'credit_limit_exceeded');
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 0);
});
