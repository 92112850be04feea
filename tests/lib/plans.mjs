// plans.mjs — helpers of the plan and usage tests: the operator's calls
// (plans, stores on a plan), a store's calls, customers and debts.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { login } from './server.mjs';
import { assertProblem } from './foundation.mjs';
import { phone } from './ledger.mjs';

export const P = '/api/v1/platform';
export const DAY = 86400000;

export const uniq = (p) => `${p}-${randomBytes(3).toString('hex')}`;

export function ops(server, token) {
  const call = (m, p, body) => server.api(m, `${P}${p}`, { token, body });
  return {
    plan: async (body) => {
      const r = await call('POST', '/plans', { customer_limit: null, storage_mb: 100, requests_per_min: null, features: ['ledger'], ...body });
      assert.equal(r.status, 201, r.text);
      return r.json;
    },
    editPlan: async (name, body) => {
      const r = await call('PATCH', `/plans/${name}`, body);
      assert.equal(r.status, 200, r.text);
      return r.json;
    },
    // A store on `plan` with its owner signed in: {id, slug, token}.
    store: async (plan, extra = {}) => {
      const slug = uniq('s');
      const r = await call('POST', '/tenants', { slug, name: `Store ${slug}`, plan, owner_email: `owner@${slug}.example`, owner_password: 'owner-password-1', ...extra });
      assert.equal(r.status, 201, r.text);
      const l = await login(server, slug, `owner@${slug}.example`, 'owner-password-1');
      return { id: r.json.id, slug, token: l.access_token };
    },
    call,
  };
}

export const as = (server, s) => (m, p, body) => server.api(m, p, { token: s.token, body });

export async function customer(api, body = {}, status = 201) {
  const r = await api('POST', '/api/v1/customers', { name: uniq('Customer'), phone: phone(), ...body });
  assert.equal(r.status, status, r.text);
  return r.json;
}

export async function owes(api, id, amount = 90000) {
  const at = new Date(Date.now() - 40 * DAY).toISOString();
  const r = await api('POST', '/api/v1/transactions', { customer_id: id, type: 'purchase', amount_minor: amount, occurred_at: at });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

export function refusedFor(res, feature, field) {
  const p = assertProblem(res, 403, 'feature_not_in_plan', field);
  assert.equal(p.feature, feature, res.text);
  assert.match(p.detail, new RegExp(feature));
  return p;
}
