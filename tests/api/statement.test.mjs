// Statement of account: opening balance, entries with running balance,
// closing balance and totals over an inclusive date range; the same as CSV
// with formula-looking cells made inert.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore } from '../lib/server.mjs';
import { customer, purchase, payment, tokenFor, assertProblem, DAY } from '../lib/ledger.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const IST = 5.5 * 3600000;
// The store's (Asia/Kolkata) calendar date `daysAgo` days before today.
const dateAgo = (daysAgo) => new Date(Date.now() + IST - daysAgo * DAY).toISOString().slice(0, 10);
// Noon in Kolkata on that date, as an RFC 3339 UTC time.
const noonAgo = (daysAgo) => `${dateAgo(daysAgo)}T06:30:00.000Z`;

const statement = (token, id, qs = '') => srv.api('GET', `/api/v1/customers/${id}/statement?${qs}`, { token });

// Minimal RFC 4180 reader: rows of cells.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = '', i = 0, quoted = false;
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i += 2; continue; }
      if (ch === '"') { quoted = false; i++; continue; }
      cell += ch; i++; continue;
    }
    if (ch === '"') { quoted = true; i++; continue; }
    if (ch === ',') { row.push(cell); cell = ''; i++; continue; }
    if (ch === '\r' && text[i + 1] === '\n') { row.push(cell); rows.push(row); row = []; cell = ''; i += 2; continue; }
    cell += ch; i++;
  }
  if (cell !== '' || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

async function bookedCustomer(s) {
  const c = await customer(srv, s.token, { name: 'Statement Customer', credit_limit_minor: 1000000 });
  const p1 = await purchase(srv, s.token, c.id, 100000, { occurred_at: noonAgo(10), note: 'Monthly groceries' });
  const q1 = await payment(srv, s.token, c.id, 40000, { occurred_at: noonAgo(5), payment_method: 'upi' });
  const p2 = await purchase(srv, s.token, c.id, 30050, { occurred_at: noonAgo(2), note: 'Milk' });
  const p3 = await purchase(srv, s.token, c.id, 2000, { note: 'Bread' });
  return { c, p1, q1, p2, p3 };
}

test('statement_opening_running_closing_and_totals_over_an_inclusive_range', async () => {
  const s = await newStore(srv);
  const { c, q1, p2 } = await bookedCustomer(s);
  const r = await statement(s.token, c.id, `from=${dateAgo(5)}&to=${dateAgo(2)}`);
  assert.equal(r.status, 200, r.text);
  const st = r.json;
  assert.equal(st.customer.id, c.id);
  assert.equal(st.from, dateAgo(5));
  assert.equal(st.to, dateAgo(2));
  assert.equal(st.currency, 'INR');
  assert.equal(st.opening_balance_minor, 100000);
  assert.deepEqual(st.entries.map((e) => [e.id, e.running_balance_minor]), [[q1.id, 60000], [p2.id, 90050]]);
  assert.equal(st.closing_balance_minor, 90050);
  assert.equal(st.total_purchases_minor, 30050);
  assert.equal(st.total_payments_minor, 40000);
  // a single day, both ends inclusive
  const one = (await statement(s.token, c.id, `from=${dateAgo(5)}&to=${dateAgo(5)}`)).json;
  assert.deepEqual(one.entries.map((e) => e.id), [q1.id]);
  assert.equal(one.opening_balance_minor, 100000);
  assert.equal(one.closing_balance_minor, 60000);
  // a range with no entries carries the balance through
  const quiet = (await statement(s.token, c.id, `from=${dateAgo(4)}&to=${dateAgo(3)}`)).json;
  assert.deepEqual(quiet.entries, []);
  assert.equal(quiet.opening_balance_minor, 60000);
  assert.equal(quiet.closing_balance_minor, 60000);
});

test('statement_without_dates_covers_everything_and_closes_at_the_balance', async () => {
  const s = await newStore(srv);
  const { c } = await bookedCustomer(s);
  const st = (await statement(s.token, c.id)).json;
  assert.equal(st.opening_balance_minor, 0);
  assert.equal(st.entries.length, 4);
  assert.equal(st.closing_balance_minor, 92050);
  assert.equal(st.to, dateAgo(0));
  assert.equal(st.from, dateAgo(10));
  assert.equal(st.total_purchases_minor, 132050);
  assert.equal(st.total_payments_minor, 40000);
  const running = st.entries.map((e) => e.running_balance_minor);
  assert.deepEqual(running, [100000, 60000, 90050, 92050]);
  const bal = (await srv.api('GET', `/api/v1/customers/${c.id}`, { token: s.token })).json.balance_minor;
  assert.equal(st.closing_balance_minor, bal);
});

test('statement_running_balance_follows_reversals_and_adjustments', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const p = await purchase(srv, s.token, c.id, 1000);
  await srv.api('POST', `/api/v1/transactions/${p.id}/reverse`, { token: s.token, body: { reason: 'wrong person' } });
  await srv.api('POST', '/api/v1/transactions', { token: s.token, body: { customer_id: c.id, type: 'adjustment', amount_minor: -300, reason: 'goodwill' } });
  const st = (await statement(s.token, c.id)).json;
  assert.deepEqual(st.entries.map((e) => [e.type, e.running_balance_minor]), [['purchase', 1000], ['reversal', 0], ['adjustment', -300]]);
  assert.equal(st.closing_balance_minor, -300);
});

test('statement_dates_are_validated', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  assertProblem(await statement(s.token, c.id, `from=${dateAgo(1)}&to=${dateAgo(3)}`), 400, 'invalid_parameter', 'from');
  assertProblem(await statement(s.token, c.id, 'from=2026-02-30'), 400, 'invalid_parameter', 'from');
  assertProblem(await statement(s.token, c.id, 'to=yesterday'), 400, 'invalid_parameter', 'to');
  assertProblem(await statement(s.token, c.id, 'format=xml'), 400, 'invalid_parameter', 'format');
  assertProblem(await statement(s.token, '0190a4c2-0000-7000-8000-000000000000'), 404, 'not_found');
  const other = await newStore(srv);
  assertProblem(await statement(other.token, c.id), 404, 'not_found');
});

test('statement_csv_has_header_opening_rows_closing_and_matches_the_json', async () => {
  const s = await newStore(srv);
  const { c, q1, p2 } = await bookedCustomer(s);
  const viewer = await tokenFor(srv, s, 'viewer');
  const r = await statement(viewer, c.id, `from=${dateAgo(5)}&to=${dateAgo(2)}&format=csv`);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/csv/);
  assert.match(r.headers.get('content-disposition') || '', /attachment; filename="statement-.*\.csv"/);
  const rows = parseCsv(r.text);
  assert.deepEqual(rows[0], ['date', 'type', 'description', 'debit', 'credit', 'balance', 'entry_id']);
  assert.deepEqual(rows[1], [dateAgo(5), 'opening', 'Statement Customer', '', '', '1000.00', '']);
  assert.deepEqual(rows[2], [dateAgo(5), 'payment', '', '', '400.00', '600.00', q1.id]);
  assert.deepEqual(rows[3], [dateAgo(2), 'purchase', 'Milk', '300.50', '', '900.50', p2.id]);
  assert.deepEqual(rows[4], [dateAgo(2), 'closing', '', '', '', '900.50', '']);
  assert.equal(rows.length, 5);
  assert.ok(r.text.endsWith('\r\n'));
});

test('statement_csv_makes_cells_starting_with_formula_characters_inert', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token, { name: '=HYPERLINK("http://evil.example")' });
  const notes = ['=1+1', '+91 call', '-5 discount', '@SUM(A1)', 'plain, with comma', 'say "hi"'];
  for (const note of notes) await purchase(srv, s.token, c.id, 100, { note });
  const r = await statement(s.token, c.id, 'format=csv');
  assert.equal(r.status, 200, r.text);
  const rows = parseCsv(r.text);
  assert.equal(rows[1][2], '\'=HYPERLINK("http://evil.example")');
  assert.deepEqual(rows.slice(2, 2 + notes.length).map((row) => row[2]),
    ["'=1+1", "'+91 call", "'-5 discount", "'@SUM(A1)", 'plain, with comma', 'say "hi"']);
  // no raw cell in the file starts with a formula character
  for (const row of rows) for (const cell of row) assert.ok(!/^[=+@]/.test(cell) && !/^-[^0-9]/.test(cell), cell);
});

test('statement totals are net of reversals in the period: opening + purchases - payments = closing', async () => {
  const s = await newStore(srv);
  const c = await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'Net Totals', phone: '9811100099' } });
  const buy = async (amount_minor) => (await srv.api('POST', '/api/v1/transactions', { token: s.token, body: { customer_id: c.json.id, type: 'purchase', amount_minor } })).json;
  const p1 = await buy(5000);
  await buy(700);
  const pay = await srv.api('POST', '/api/v1/transactions', { token: s.token, body: { customer_id: c.json.id, type: 'payment', amount_minor: 1200 } });
  await srv.api('POST', `/api/v1/transactions/${p1.id}/reverse`, { token: s.token, body: { reason: 'wrong customer' } });
  await srv.api('POST', `/api/v1/transactions/${pay.json.id}/reverse`, { token: s.token, body: { reason: 'bounced' } });
  const st = (await srv.api('GET', `/api/v1/customers/${c.json.id}/statement`, { token: s.token })).json;
  assert.equal(st.total_purchases_minor, 700);
  assert.equal(st.total_payments_minor, 0);
  assert.equal(st.opening_balance_minor + st.total_purchases_minor - st.total_payments_minor, st.closing_balance_minor);
  assert.equal(st.entries.length, 5);
});
