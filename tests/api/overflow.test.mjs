// Money sums past int64: every total the API adds up (reports, statement,
// apartment balance, available credit) answers a clear 422 amount_overflow
// problem naming what overflowed, never a wrapped number, a 500 or a crash.
//
// Reaching INT64_MAX through the API takes ~93k maximal entries, so the
// fixtures are written straight into the database: customers are made
// through the API, then entries with crafted amounts are inserted (the
// ledger is append-only, INSERT is allowed) and the customer's stored
// balance is set to match, as the server would have kept it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startServer, newStore } from '../lib/server.mjs';
import { customer, DAY, assertProblem } from '../lib/ledger.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const INT64_MAX = 9223372036854775807n;
const HALF = 5000000000000000000n; // two of these pass INT64_MAX
const IST = 5.5 * 3600000;
const dateAgo = (daysAgo) => new Date(Date.now() + IST - daysAgo * DAY).toISOString().slice(0, 10);
const noonAgoMs = (daysAgo) => Date.parse(`${dateAgo(daysAgo)}T06:30:00.000Z`);

// SQL as the database's superuser (PostgreSQL: no RLS in the way) or
// through the sqlite3 shell on the server's file.
function sql(text) {
  if (srv.backend === 'postgres') {
    const u = new URL(srv.pg.adminUrl);
    u.pathname = '/' + srv.pg.name;
    execFileSync('psql', [u.toString(), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-f', '-'], { input: text, stdio: 'pipe' });
  } else {
    execFileSync('sqlite3', [srv.db.slice('sqlite:'.length)], { input: `.timeout 5000\n${text}\n`, stdio: 'pipe' });
  }
}

// Entries [{type, amount (BigInt), at (ms)}] for customer id, appended in
// array order with balance_after as the server computes it; the customer's
// stored balance and dates are set to match.
function book(id, entries) {
  let balance = 0n, lastPurchase = null, lastPayment = null;
  const rows = entries.map((e) => {
    const effect = e.type === 'payment' ? -e.amount : e.amount;
    balance += effect;
    if (e.type === 'purchase') lastPurchase = Math.max(lastPurchase ?? 0, e.at);
    if (e.type === 'payment') lastPayment = Math.max(lastPayment ?? 0, e.at);
    return `INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor,`
      + ` occurred_at, created_at, created_by, balance_after_minor)`
      + ` SELECT tenant_id, '${randomUUID()}', id, '${e.type}', ${e.amount}, ${effect}, ${e.at},`
      + ` ${Date.now()}, 'fixture', ${balance} FROM customers WHERE id = '${id}';`;
  });
  const oldest = entries.filter((e) => e.type === 'purchase').map((e) => e.at + 30 * DAY)[0] ?? null;
  sql(rows.join('\n') + `\nUPDATE customers SET balance_minor = ${balance},`
    + ` oldest_due_at = ${balance > 0n && oldest ? oldest : 'NULL'},`
    + ` last_purchase_at = ${lastPurchase ?? 'NULL'}, last_payment_at = ${lastPayment ?? 'NULL'}`
    + ` WHERE id = '${id}';`);
}

// 422 amount_overflow; `overflowed` lists the response fields that do not fit.
function assertOverflow(r, ...overflowed) {
  assertProblem(r, 422, 'amount_overflow');
  assert.deepEqual(r.json.overflowed, overflowed, r.text);
  assert.match(r.json.detail, /9223372036854775807/, r.text);
}

const get = (s, path) => srv.api('GET', path, { token: s.token });

test('summary_and_aging_totals_past_int64_are_a_clear_problem', async () => {
  const s = await newStore(srv);
  const a = await customer(srv, s.token);
  const b = await customer(srv, s.token);
  book(a.id, [{ type: 'purchase', amount: HALF, at: noonAgoMs(40) }]);
  book(b.id, [{ type: 'purchase', amount: HALF, at: noonAgoMs(45) }]);

  assertOverflow(await get(s, '/api/v1/reports/summary'), 'outstanding_minor');
  assertOverflow(await get(s, '/api/v1/reports/aging'), 'buckets.days_1_30_minor');
  // Each customer on its own still adds up and reads as before.
  for (const c of [a, b]) {
    const r = await get(s, `/api/v1/customers/${c.id}`);
    assert.equal(r.status, 200, r.text);
    assert.match(r.text, /"balance_minor":5000000000000000000[,}]/);
  }
  const list = await get(s, '/api/v1/customers?sort=balance');
  assert.equal(list.status, 200, list.text);
  assert.equal(list.json.data.length, 2);
});

test('sales_and_collections_past_int64_in_sql_and_per_day_are_a_clear_problem', async () => {
  // Balances stay zero; only the flows add up past INT64_MAX.
  const s = await newStore(srv);
  for (let i = 0; i < 2; i++) {
    const c = await customer(srv, s.token);
    book(c.id, [
      { type: 'purchase', amount: HALF, at: noonAgoMs(0) },
      { type: 'payment', amount: HALF, at: noonAgoMs(0) + 1000 },
    ]);
  }
  // SQL SUM over today's and this month's entries.
  assertOverflow(await get(s, '/api/v1/reports/summary'), 'sales_today_minor', 'collections_today_minor');
  // Per-day totals added up in C.
  const daily = await get(s, '/api/v1/reports/daily');
  assertOverflow(daily, 'days[].sales_minor');
  assert.match(daily.json.detail, new RegExp(dateAgo(0)));
  // Other days still report.
  const earlier = await get(s, `/api/v1/reports/daily?from=${dateAgo(20)}&to=${dateAgo(10)}`);
  assert.equal(earlier.status, 200, earlier.text);
});

test('towers_outstanding_past_int64_per_floor_and_per_tower_is_a_clear_problem', async () => {
  // Same floor: the SQL SUM per floor overflows.
  const s1 = await newStore(srv);
  for (const apartment of ['10011', '10012']) {
    const c = await customer(srv, s1.token, { apartment });
    book(c.id, [{ type: 'purchase', amount: HALF, at: noonAgoMs(3) }]);
  }
  assertOverflow(await get(s1, '/api/v1/reports/towers'), 'towers[].floors[].outstanding_minor');

  // Different floors of one tower: the tower's total, added in C, overflows.
  const s2 = await newStore(srv);
  for (const apartment of ['10011', '10021']) {
    const c = await customer(srv, s2.token, { apartment });
    book(c.id, [{ type: 'purchase', amount: HALF, at: noonAgoMs(3) }]);
  }
  assertOverflow(await get(s2, '/api/v1/reports/towers'), 'towers[].outstanding_minor');

  // Different towers: each total fits, the report answers.
  const s3 = await newStore(srv);
  for (const apartment of ['10011', '11011']) {
    const c = await customer(srv, s3.token, { apartment });
    book(c.id, [{ type: 'purchase', amount: HALF, at: noonAgoMs(3) }]);
  }
  const ok = await get(s3, '/api/v1/reports/towers');
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.towers.length, 2);
});

test('apartment_balance_past_int64_is_a_clear_problem', async () => {
  const s = await newStore(srv);
  for (let i = 0; i < 2; i++) {
    const c = await customer(srv, s.token, { apartment: '10011' });
    book(c.id, [{ type: 'purchase', amount: HALF, at: noonAgoMs(3) }]);
  }
  assertOverflow(await get(s, '/api/v1/apartments/10011'), 'balance_minor');
  const put = await srv.api('PATCH', '/api/v1/apartments/10011', { token: s.token, body: { occupant_name: 'Family' } });
  assertOverflow(put, 'balance_minor');
});

test('statement_totals_and_running_balance_past_int64_are_a_clear_problem', async () => {
  const s = await newStore(srv);
  // Purchases add up past INT64_MAX while the balance never does.
  const churn = await customer(srv, s.token);
  book(churn.id, [
    { type: 'purchase', amount: HALF, at: noonAgoMs(6) },
    { type: 'payment', amount: HALF, at: noonAgoMs(5) },
    { type: 'purchase', amount: HALF, at: noonAgoMs(4) },
  ]);
  const st = await get(s, `/api/v1/customers/${churn.id}/statement`);
  assertOverflow(st, 'total_purchases_minor');
  assertOverflow(await get(s, `/api/v1/customers/${churn.id}/statement?format=csv`), 'total_purchases_minor');
  // A range that holds one purchase adds up fine.
  const part = await get(s, `/api/v1/customers/${churn.id}/statement?from=${dateAgo(5)}`);
  assert.equal(part.status, 200, part.text);

  // A payment recorded before a backdated adjustment: in the order the
  // entries were recorded the balance fits, in date order it does not.
  const late = await customer(srv, s.token);
  book(late.id, [
    { type: 'adjustment', amount: HALF, at: noonAgoMs(6) },
    { type: 'payment', amount: HALF, at: noonAgoMs(2) },
    { type: 'adjustment', amount: HALF, at: noonAgoMs(5) },
  ]);
  assertOverflow(await get(s, `/api/v1/customers/${late.id}/statement`), 'entries[].running_balance_minor');
  assertOverflow(await get(s, `/api/v1/customers/${late.id}/statement?from=${dateAgo(3)}`), 'opening_balance_minor');
});

test('available_credit_past_int64_is_a_clear_problem', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  // Credit so large that the limit minus the balance does not fit.
  book(c.id, [{ type: 'payment', amount: INT64_MAX - 1000n, at: noonAgoMs(3) }]);
  assertOverflow(await get(s, `/api/v1/customers/${c.id}`), 'available_credit_minor');
  assertOverflow(await get(s, '/api/v1/customers'), 'data[].available_credit_minor');
});

test('an_entry_that_would_take_a_balance_past_int64_is_refused', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  book(c.id, [{ type: 'purchase', amount: INT64_MAX - 10n, at: noonAgoMs(3) }]);
  const r = await srv.api('POST', '/api/v1/transactions', {
    token: s.token,
    body: { customer_id: c.id, type: 'purchase', amount_minor: 100, override: true, override_reason: 'test' },
  });
  assertProblem(r, 422, null, 'amount_minor');
  const after = await get(s, `/api/v1/customers/${c.id}`);
  assert.equal(after.status, 200, after.text);
  assert.match(after.text, /"balance_minor":9223372036854775797[,}]/);
});

test('verify_reports_entries_that_sum_past_int64_without_wrapping', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  // A tampered ledger: two entries whose effects add up past INT64_MAX.
  book(c.id, [{ type: 'purchase', amount: HALF, at: noonAgoMs(4) }]);
  sql(`INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor,`
    + ` occurred_at, created_at, created_by, balance_after_minor)`
    + ` SELECT tenant_id, '${randomUUID()}', id, 'purchase', ${HALF}, ${HALF}, ${noonAgoMs(3)},`
    + ` ${Date.now()}, 'fixture', ${HALF} FROM customers WHERE id = '${c.id}';`);
  const v = srv.cli(['verify', '--tenant', s.slug]);
  assert.notEqual(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout + v.stderr, new RegExp(`customer ${c.id} .*entries sum past int64`));
  assert.doesNotMatch(v.stdout + v.stderr, /-8446744073709551616/);
});
