// totals.test.mjs — the store's outstanding total and count of customers
// owing, kept by triggers as balances change (migration 12), as the live
// summary carries them: after random purchases, payments, reversals and
// an import they equal the sum over the customers' balances, on both
// backends; on SQLite a total that is not a stored integer (a store from
// before the triggers) is summed again and stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, newStore } from '../lib/server.mjs';
import { psql, adminUrlFor } from '../lib/psql.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

function sql(text) {
  if (srv.backend === 'postgres')
    return psql(adminUrlFor(new URL(srv.db).pathname.slice(1)), text).map((row) => row.join('|')).join('\n');
  return execFileSync('sqlite3', [srv.db.slice('sqlite:'.length), text], { stdio: 'pipe' }).toString();
}

async function call(st, method, path, body, status) {
  const r = await srv.api(method, path, body ? { token: st.token, body } : { token: st.token });
  if (status) assert.equal(r.status, status, `${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

// What the customers' balances add up to, from the API.
async function expected(st) {
  const list = await call(st, 'GET', '/api/v1/customers?limit=100', null, 200);
  const owing = list.data.filter((c) => c.balance_minor > 0);
  return { outstanding: owing.reduce((a, c) => a + c.balance_minor, 0), owing: owing.length };
}

// The last summary the store's writes emitted.
function lastSummary(tenantId) {
  const out = sql(`SELECT data FROM tenant_events WHERE tenant_id = '${tenantId}' AND type = 'summary.changed' ORDER BY seq DESC LIMIT 1`).trim();
  const d = JSON.parse(out);
  return { outstanding: d.outstanding_minor, owing: d.customers_owing };
}

function tenantId(st) {
  return sql(`SELECT id FROM tenants WHERE slug = '${st.slug}'`).trim();
}

test('summary_totals_follow_random_purchases_payments_reversals_and_an_import', async () => {
  const st = await newStore(srv, { plan: 'enterprise' });
  const tid = tenantId(st);
  const ids = [];
  for (let i = 0; i < 5; i++)
    ids.push((await call(st, 'POST', '/api/v1/customers', { name: `Flat ${i}`, phone: `+9190000100${i}${i}` }, 201)).id);
  let seed = 7;
  const rand = (n) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  const entries = [];
  for (let k = 0; k < 60; k++) {
    const c = ids[rand(ids.length)];
    const op = rand(10);
    if (op < 6) {
      entries.push((await call(st, 'POST', '/api/v1/transactions', { customer_id: c, type: 'purchase', amount_minor: 100 + rand(5000) }, 201)).id);
    } else if (op < 9) {
      entries.push((await call(st, 'POST', '/api/v1/transactions', { customer_id: c, type: 'payment', amount_minor: 100 + rand(6000) }, 201)).id);
    } else if (entries.length) {
      const e = entries.splice(rand(entries.length), 1)[0];
      await call(st, 'POST', `/api/v1/transactions/${e}/reverse`, { reason: 'keyed twice' }, 201);
    }
    if (k % 10 === 9) {
      const want = await expected(st);
      assert.deepEqual(lastSummary(tid), want, `after ${k + 1} writes`);
    }
  }
  // An import writes entries by its own path: the totals follow it too.
  const when = new Date(Date.now() - 86400000).toISOString();
  const csv = 'type,amount_minor,occurred_at,phone,note\r\n' +
    `purchase,1234,${when},+919000010000,imported\r\npayment,99999,${when},+919000010011,imported\r\n`;
  const r = await srv.api('POST', '/api/v1/import/transactions', { token: st.token, raw: csv, headers: { 'Content-Type': 'text/csv' } });
  assert.ok(r.status === 200 || r.status === 201, `import: ${r.status} ${r.text}`);
  assert.deepEqual(lastSummary(tid), await expected(st));
  if (srv.backend === 'postgres') {
    const row = sql(`SELECT outstanding_minor::text || ',' || customers_owing FROM tenant_totals WHERE tenant_id = '${tid}'`).trim();
    const want = await expected(st);
    assert.equal(row, `${want.outstanding},${want.owing}`);
  }
});

// Writes of one store in parallel, some refused over the limit: on
// PostgreSQL each transaction's change is applied to the store's row at its
// commit (migration 19); the stored total and the last summary still equal
// the sum over the balances, and a refused write changes neither.
test('parallel_writes_and_refusals_leave_totals_equal_to_the_balances', async () => {
  const st = await newStore(srv, { plan: 'enterprise' });
  const tid = tenantId(st);
  const ids = [];
  for (let i = 0; i < 6; i++)
    ids.push((await call(st, 'POST', '/api/v1/customers', { name: `Par ${i}`, phone: `+9190000200${i}${i}`, credit_limit_minor: 8000 }, 201)).id);
  const statuses = await Promise.all(Array.from({ length: 48 }, (_, k) =>
    srv.api('POST', '/api/v1/transactions', { token: st.token, body: {
      customer_id: ids[k % ids.length], type: k % 5 === 4 ? 'payment' : 'purchase', amount_minor: 1500 + (k % 7) * 100 } })
      .then((r) => r.status)));
  assert.ok(statuses.every((s) => s === 201 || s === 422), statuses.join(','));
  assert.ok(statuses.includes(422), 'some purchases went over the limit');
  const want = await expected(st);
  assert.deepEqual(lastSummary(tid), want);
  if (srv.backend === 'postgres') {
    const row = sql(`SELECT outstanding_minor::text || ',' || customers_owing FROM tenant_totals WHERE tenant_id = '${tid}'`).trim();
    assert.equal(row, `${want.outstanding},${want.owing}`);
  } else {
    const row = sql(`SELECT outstanding_minor || ',' || customers_owing FROM tenant_totals WHERE tenant_id = '${tid}'`).trim();
    assert.equal(row, `${want.outstanding},${want.owing}`);
  }
});

test('sqlite_total_that_is_not_a_stored_integer_is_summed_again_and_stored', async (t) => {
  if (srv.backend !== 'sqlite') return t.skip('SQLite only');
  const st = await newStore(srv, { plan: 'enterprise' });
  const tid = tenantId(st);
  const c = (await call(st, 'POST', '/api/v1/customers', { name: 'Flat A', phone: '+919000030001' }, 201)).id;
  await call(st, 'POST', '/api/v1/transactions', { customer_id: c, type: 'purchase', amount_minor: 5000 }, 201);
  // As a store migrated from before the triggers has it.
  sql(`UPDATE tenant_totals SET outstanding_minor = NULL, customers_owing = NULL WHERE tenant_id = '${tid}'`);
  await call(st, 'POST', '/api/v1/transactions', { customer_id: c, type: 'purchase', amount_minor: 700 }, 201);
  assert.deepEqual(lastSummary(tid), { outstanding: 5700, owing: 1 });
  assert.equal(sql(`SELECT outstanding_minor || ',' || customers_owing || ',' || typeof(outstanding_minor) FROM tenant_totals WHERE tenant_id = '${tid}'`).trim(), '5700,1,integer');
  // A sum gone REAL (past int64 once) is summed again too.
  sql(`UPDATE tenant_totals SET outstanding_minor = 1.5e19 WHERE tenant_id = '${tid}'`);
  await call(st, 'POST', '/api/v1/transactions', { customer_id: c, type: 'payment', amount_minor: 200 }, 201);
  assert.deepEqual(lastSummary(tid), { outstanding: 5500, owing: 1 });
});
