// ledger.mjs — small helpers shared by the ledger black-box tests
// (customers, transactions, apartments, idempotency, audit, statement).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { addUser, login } from './server.mjs';

// A valid Indian mobile number, distinct per call: 9 followed by 9 digits.
let phoneSeq = 0;
export function phone() {
  phoneSeq++;
  const n = (randomBytes(3).readUIntBE(0, 3) * 1000 + phoneSeq) % 1000000000;
  return '9' + String(n).padStart(9, '0');
}

export const DAY = 86400000;

export function isoAgo(ms) {
  return new Date(Date.now() - ms).toISOString();
}

// POST a customer and assert 201; returns the customer JSON.
export async function customer(srv, token, body = {}) {
  const r = await srv.api('POST', '/api/v1/customers', {
    token, body: { name: 'Customer ' + randomBytes(3).toString('hex'), phone: phone(), ...body },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

export async function entry(srv, token, body, expect = 201) {
  const r = await srv.api('POST', '/api/v1/transactions', { token, body });
  if (expect !== null) assert.equal(r.status, expect, r.text);
  return r;
}

export async function purchase(srv, token, customerId, amount, extra = {}) {
  return (await entry(srv, token, { customer_id: customerId, type: 'purchase', amount_minor: amount, ...extra })).json;
}

export async function payment(srv, token, customerId, amount, extra = {}) {
  return (await entry(srv, token, { customer_id: customerId, type: 'payment', amount_minor: amount, ...extra })).json;
}

export async function getCustomer(srv, token, id) {
  const r = await srv.api('GET', `/api/v1/customers/${id}`, { token });
  assert.equal(r.status, 200, r.text);
  return r.json;
}

// A user with the given role in the store s, signed in: returns the token.
export async function tokenFor(srv, s, role) {
  const email = `${role}-${randomBytes(3).toString('hex')}@${s.slug}.example`;
  const u = addUser(srv, { tenant: s.slug, email, role });
  return (await login(srv, s.slug, u.email, u.password)).access_token;
}

// Assert a problem+json response: status, code and (optionally) a field.
export function assertProblem(r, status, code, field) {
  assert.equal(r.status, status, r.text);
  assert.match(r.headers.get('content-type') || '', /application\/problem\+json/);
  if (code) assert.equal(r.json.code, code, r.text);
  if (field) assert.ok((r.json.errors || []).some((e) => e.field === field), `no error for field ${field}: ${r.text}`);
}
