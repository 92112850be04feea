// import.test.mjs — CSV import of customers and transactions (issue 10,
// "Import"), on both backends: errors by line and column, all rows or
// none, dry runs that write nothing, Idempotency-Key, BOM and line ends,
// quoted multi-line cells, unknown columns, QT_IMPORT_LIMIT, role and plan
// gates, store isolation of customer ids, entries that come out exactly as
// if recorded one by one, the export round trip, and the CLI.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, newStore, BIN } from '../lib/server.mjs';
import { customer, purchase, payment, entry, getCustomer, tokenFor, assertProblem, phone, DAY } from '../lib/ledger.mjs';

// One server for the file, with a small import limit so that going over
// it is cheap to show; most tests share one store S and scope what they
// read to their own customers.
const IMPORT_LIMIT = 256 * 1024;
let srv, S;
before(async () => {
  srv = await startServer({ env: { QT_IMPORT_LIMIT: String(IMPORT_LIMIT), QT_BODY_LIMIT: String(16 * 1024) } });
  S = await newStore(srv);
});
after(async () => { await srv?.stop(); });

const IST = 5.5 * 3600000;
const dateAgo = (daysAgo) => new Date(Date.now() + IST - daysAgo * DAY).toISOString().slice(0, 10);
const noonAgo = (daysAgo) => `${dateAgo(daysAgo)}T06:30:00.000Z`;

function imp(token, kind, csv, { dry = false, headers = {}, server = srv } = {}) {
  return server.api('POST', `/api/v1/import/${kind}${dry ? '?dry_run=true' : ''}`, {
    token, raw: csv, headers: { 'Content-Type': 'text/csv', ...headers },
  });
}

// RFC 4180 cells as the export writes them: quoted when needed; text that
// a spreadsheet would run made inert with a leading apostrophe.
function cell(v, { inert = true } = {}) {
  if (v === null || v === undefined) return '';
  let s = String(v);
  let quote = /[",\r\n]/.test(s);
  if (inert && /^[=+\-@\t\r]/.test(s)) { s = "'" + s; quote = true; }
  return quote ? `"${s.replaceAll('"', '""')}"` : s;
}
const row = (cells) => cells.join(',') + '\r\n';

async function all(token, path) {
  const out = [];
  let cursor = null;
  do {
    const r = await srv.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.data);
    cursor = r.json.next_cursor;
  } while (cursor);
  return out;
}

const localDate = (iso) => new Date(Date.parse(iso) + IST).toISOString().slice(0, 10);

// The store's export, from the export route.
async function exportCsv(token, kind) {
  const r = await srv.api('GET', `/api/v1/export/${kind}.csv`, { token });
  assert.equal(r.status, 200, `export ${kind}: ${r.status} ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^text\/csv/);
  return r.text;
}

const customersOf = async (token) => all(token, '/api/v1/customers?status=all');
const entriesOf = async (token, customerId) => all(token, `/api/v1/transactions${customerId ? `?customer_id=${customerId}` : ''}`);
const auditCount = async (token) => (await all(token, '/api/v1/audit')).length;

// What a customer is, without what differs from store to store.
function customerFacts(c) {
  const { id, created_at, updated_at, ...rest } = c;
  return rest;
}

function entryFacts(e) {
  return {
    type: e.type, amount_minor: e.amount_minor, occurred_at: e.occurred_at, note: e.note, currency: e.currency,
    payment_method: e.payment_method, payment_reference: e.payment_reference, balance_after_minor: e.balance_after_minor,
    running_balance_minor: e.running_balance_minor, reverses: !!e.reverses_id, reversed: !!e.reversed_by_id,
  };
}

async function statementFacts(token, id) {
  const r = await srv.api('GET', `/api/v1/customers/${id}/statement`, { token });
  assert.equal(r.status, 200, r.text);
  const { customer: c, entries, ...rest } = r.json;
  return { ...rest, customer: customerFacts(c), entries: entries.map(entryFacts) };
}

function verify(slug) {
  const v = srv.cli(['verify', '--tenant', slug]);
  assert.equal(v.code, 0, `verify ${slug}: ${v.stdout}${v.stderr}`);
  assert.match(v.stdout, /ok \(balances match their entries; audit chain intact\)/);
}

const TX_HEADER = 'type,amount_minor,occurred_at,phone,note\r\n';

test('errors_name_the_line_and_column_of_every_bad_row', async () => {
  const s = S;
  const c = await customer(srv, s.token);
  const csv = TX_HEADER +
    `purchase,1000,${noonAgo(3)},${c.phone},fine\r\n` +                 // line 2
    `purchace,1000,${noonAgo(3)},${c.phone},\r\n` +                     // line 3: type
    `payment,12.5,${noonAgo(3)},${c.phone},\r\n` +                      // line 4: amount_minor
    `purchase,500,yesterday,${c.phone},\r\n` +                          // line 5: occurred_at
    `purchase,500,${noonAgo(1)},9999999999,\r\n` +                      // line 6: phone
    `purchase,500,${new Date(Date.now() + 2 * DAY).toISOString()},${c.phone},\r\n` + // line 7: future
    `payment,-5,,${c.phone},\r\n`;                                      // line 8: amount and time
  const r = await imp(s.token, 'transactions', csv);
  assertProblem(r, 422, 'import_failed');
  const got = r.json.errors.map((e) => [e.line, e.column, e.code]);
  assert.deepEqual(got, [
    [3, 'type', 'invalid'],
    [4, 'amount_minor', 'invalid'],
    [5, 'occurred_at', 'invalid'],
    [6, 'phone', 'customer_not_found'],
    [7, 'occurred_at', 'future'],
    [8, 'amount_minor', 'invalid'],
    [8, 'occurred_at', 'required'],
  ], r.text);
  for (const e of r.json.errors) assert.ok(e.message.length > 5, JSON.stringify(e));
  assert.match(r.json.errors[0].message, /purchace/);
  assert.equal(r.json.rows, 7);
  assert.equal(r.json.error_count, 7);
  assert.equal((await entriesOf(s.token, c.id)).length, 0, 'nothing imported');
});

test('all_rows_or_none_a_bad_last_row_keeps_every_row_out', async () => {
  const s = S;
  const c = await customer(srv, s.token);
  let csv = TX_HEADER;
  for (let i = 0; i < 60; i++) csv += `purchase,${100 + i},${noonAgo(30 - i / 4)},${c.phone},row ${i}\r\n`;
  const before = await auditCount(s.token);
  const bad = await imp(s.token, 'transactions', csv + `payment,100,${noonAgo(1)},${c.phone},\u0007bell\r\n`);
  assertProblem(bad, 422, 'import_failed');
  assert.deepEqual(bad.json.errors.map((e) => [e.line, e.column]), [[62, 'note']]);
  assert.equal((await entriesOf(s.token, c.id)).length, 0);
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 0);
  assert.equal(await auditCount(s.token), before, 'no audit rows either');
  const good = await imp(s.token, 'transactions', csv + `payment,100,${noonAgo(1)},${c.phone},fixed\r\n`);
  assert.equal(good.status, 200, good.text);
  assert.deepEqual(good.json, { dry_run: false, rows: 61, created: 61, errors: [] });
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 60 * 100 + (59 * 60) / 2 - 100);
  verify(s.slug);
});

test('a_dry_run_reports_what_the_import_would_do_and_writes_nothing', async () => {
  const s = await newStore(srv);
  const snapshot = async () => JSON.stringify([await customersOf(s.token), await entriesOf(s.token), await auditCount(s.token)]);
  const cust = 'name,phone,apartment,email,credit_limit_minor,notes\r\n' +
    `Asha Rao,${phone()},36194,asha@example.com,150000,first\r\n` +
    `Vikram Das,${phone()},,,,\r\n`;
  const before = await snapshot();
  const dry = await imp(s.token, 'customers', cust, { dry: true });
  assert.equal(dry.status, 200, dry.text);
  assert.deepEqual(dry.json, { dry_run: true, rows: 2, created: 2, errors: [] });
  assert.equal(await snapshot(), before, 'a dry run changed the store');
  // A dry run finds the same errors a real run would.
  const dup = cust + `Asha Again,${cust.split('\r\n')[1].split(',')[1]},,,,\r\n`;
  const dryBad = await imp(s.token, 'customers', dup, { dry: true });
  assertProblem(dryBad, 422, 'import_failed');
  assert.equal(dryBad.json.dry_run, true);
  assert.deepEqual(dryBad.json.errors.map((e) => [e.line, e.column, e.code]), [[4, 'phone', 'duplicate']]);
  const real = await imp(s.token, 'customers', cust);
  assert.deepEqual(real.json, { dry_run: false, rows: 2, created: 2, errors: [] });
  const list = await customersOf(s.token);
  assert.deepEqual(list.map((c) => c.name).sort(), ['Asha Rao', 'Vikram Das']);
  const asha = list.find((c) => c.name === 'Asha Rao');
  assert.equal(asha.credit_limit_minor, 150000);
  assert.equal(asha.apartment, '36194');
  assert.equal(asha.tower, 36);
  // Entries: the dry run's counts are the real run's, and nothing moves.
  const tx = TX_HEADER + `purchase,2500,${noonAgo(2)},${asha.phone},x\r\npayment,500,${noonAgo(1)},${asha.phone},\r\n`;
  const snap2 = await snapshot();
  const dryTx = await imp(s.token, 'transactions', tx, { dry: true });
  assert.deepEqual(dryTx.json, { dry_run: true, rows: 2, created: 2, errors: [] });
  assert.equal(await snapshot(), snap2);
  assert.deepEqual((await imp(s.token, 'transactions', tx)).json, { dry_run: false, rows: 2, created: 2, errors: [] });
  assert.equal((await getCustomer(srv, s.token, asha.id)).balance_minor, 2000);
});

test('the_same_idempotency_key_does_not_import_twice', async () => {
  const s = S;
  const c = await customer(srv, s.token);
  const csv = TX_HEADER + `purchase,700,${noonAgo(2)},${c.phone},once\r\n`;
  const key = 'import-' + randomUUID();
  const headers = { 'Idempotency-Key': key };
  // A dry run under the key is not remembered: the real run still runs.
  const dry = await imp(s.token, 'transactions', csv, { dry: true, headers });
  assert.equal(dry.json.dry_run, true, dry.text);
  const first = await imp(s.token, 'transactions', csv, { headers });
  assert.equal(first.status, 200, first.text);
  assert.equal(first.json.created, 1);
  const again = await imp(s.token, 'transactions', csv, { headers });
  assert.equal(again.status, 200, again.text);
  assert.equal(again.headers.get('idempotent-replayed'), 'true');
  assert.deepEqual(again.json, first.json);
  assert.equal((await entriesOf(s.token, c.id)).length, 1, 'imported twice');
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 700);
  const other = await imp(s.token, 'transactions', csv.replace('700', '701'), { headers });
  assertProblem(other, 409, 'idempotency_key_reused');
  // Without the key the same file is a second import.
  assert.equal((await imp(s.token, 'transactions', csv)).status, 200);
  assert.equal((await entriesOf(s.token, c.id)).length, 2);
});

test('bom_crlf_lf_and_cr_line_ends_read_alike', async () => {
  const s = S;
  const lines = ['name,phone,notes', 'Meera Iyer,PHONE,plain', '"Kapoor, Dev",PHONE,"says ""hi"""'];
  const mine = [];
  const variants = {
    bom_crlf: '\uFEFF' + lines.join('\r\n') + '\r\n',
    lf: lines.join('\n') + '\n',
    cr: lines.join('\r'),
    bom_lf_no_last_end: '\uFEFF' + lines.join('\n'),
  };
  for (const [name, text] of Object.entries(variants)) {
    const p1 = phone(), p2 = phone();
    mine.push(p1, p2);
    const csv = text.replace('PHONE', p1).replace('PHONE', p2);
    const r = await imp(s.token, 'customers', csv);
    assert.deepEqual(r.json, { dry_run: false, rows: 2, created: 2, errors: [] }, `${name}: ${r.text}`);
  }
  const list = (await customersOf(s.token)).filter((c) => mine.some((p) => c.phone.endsWith(p)));
  assert.equal(list.length, 8);
  assert.equal(list.filter((c) => c.name === 'Meera Iyer' && c.notes === 'plain').length, 4, JSON.stringify(list.map((c) => c.name)));
  assert.equal(list.filter((c) => c.name === 'Kapoor, Dev' && c.notes === 'says "hi"').length, 4);
  // A byte order mark in a cell that is not the file's first is text, and
  // the header with the BOM still names "name".
  const bad = await imp(s.token, 'customers', '\uFEFFname,phone\r\n\uFEFFNo Name,' + phone() + '\r\n');
  assert.equal(bad.status, 200, bad.text);
});

test('quoted_cells_keep_commas_quotes_and_line_breaks_and_later_lines_count_right', async () => {
  const s = S;
  const p1 = phone(), p2 = phone();
  const csv = 'name,phone,notes\r\n' +
    `"Sharma, Amit",${p1},"Line one\r\nline two, with comma\r\nline ""three"""\r\n` +   // lines 2-4
    `Bad Phone,12345,\r\n` +                                                              // line 5
    `"Ok\nName",${p2},\r\n`;                                                              // line 6: a name with a line break
  const r = await imp(s.token, 'customers', csv);
  assertProblem(r, 422, 'import_failed');
  assert.deepEqual(r.json.errors.map((e) => [e.line, e.column, e.code]), [[5, 'phone', 'invalid'], [6, 'name', 'invalid']]);
  const ok = await imp(s.token, 'customers', csv.replace('Bad Phone,12345,\r\n', '').replace('"Ok\nName"', 'Ok Name'));
  assert.equal(ok.status, 200, ok.text);
  const amit = (await customersOf(s.token)).find((c) => c.phone.endsWith(p1));
  assert.equal(amit.name, 'Sharma, Amit');
  // Line breaks inside notes are kept, CRLF read as LF.
  assert.equal(amit.notes, 'Line one\nline two, with comma\nline "three"');
  // An unterminated quote is one error naming the line it opened on.
  const open = await imp(s.token, 'customers', `name,phone\r\nA,${phone()}\r\n"B,${phone()}\r\nC,${phone()}\r\n`);
  assertProblem(open, 422, 'import_failed');
  assert.deepEqual(open.json.errors.map((e) => [e.line, e.code]), [[3, 'csv_unterminated_quote']]);
  assert.match(open.json.errors[0].message, /never closed/);
});

test('an_unknown_column_is_an_error_naming_it_the_export_columns_are_accepted', async () => {
  const s = S;
  const r = await imp(s.token, 'customers', `name,phone,colour\r\nA,${phone()},blue\r\n`);
  assertProblem(r, 422, 'import_failed');
  assert.deepEqual(r.json.errors.map((e) => [e.line, e.column, e.code]), [[1, 'colour', 'unknown_column']]);
  assert.match(r.json.errors[0].message, /colour/);
  const missing = await imp(s.token, 'customers', `name,apartment\r\nA,36194\r\n`);
  assert.deepEqual(missing.json.errors.map((e) => [e.line, e.column, e.code]), [[1, 'phone', 'missing_column']]);
  const twice = await imp(s.token, 'transactions', `type,amount,amount,date,phone\r\n`);
  assert.deepEqual(twice.json.errors.map((e) => [e.line, e.column, e.code]), [[1, 'amount', 'duplicate_column']]);
  // Columns in any order, case and spaces aside; the export's derived ones ignored.
  const ok = await imp(s.token, 'customers',
    ` Phone ,BALANCE_MINOR,Name,overdue_minor,id,tower,created_at\r\n${phone()},99999,Order Free,5,${randomUUID()},36,2026-01-01T00:00:00Z\r\n`);
  assert.equal(ok.status, 200, ok.text);
  const c = (await customersOf(s.token)).find((x) => x.name === 'Order Free');
  assert.equal(c.balance_minor, 0, 'balance_minor is derived, not imported');
  const empty = await imp(s.token, 'customers', '');
  assertProblem(empty, 422, 'import_failed');
  assert.equal(empty.json.errors[0].line, 1);
  const headerOnly = await imp(s.token, 'customers', 'name,phone\r\n');
  assert.deepEqual(headerOnly.json, { dry_run: false, rows: 0, created: 0, errors: [] });
  // A value past the header's columns.
  const extra = await imp(s.token, 'customers', `name,phone\r\nX,${phone()},surplus\r\n`);
  assert.deepEqual(extra.json.errors.map((e) => [e.line, e.column, e.code]), [[2, null, 'extra_cells']]);
});

test('a_body_over_qt_import_limit_is_413_the_ordinary_body_limit_does_not_apply', async () => {
  const s = S;
  let csv = 'name,phone,notes\r\n';
  while (csv.length < IMPORT_LIMIT - 2048) csv += `Customer ${csv.length},${phone()},${'x'.repeat(600)}\r\n`;
  const dry = await imp(s.token, 'customers', csv, { dry: true });
  assert.equal(dry.status, 200, `over QT_BODY_LIMIT but under QT_IMPORT_LIMIT: ${dry.text.slice(0, 300)}`);
  while (csv.length < IMPORT_LIMIT + 1024) csv += `Customer ${csv.length},${phone()},${'x'.repeat(100)}\r\n`;
  const big = await imp(s.token, 'customers', csv);
  assertProblem(big, 413, 'payload_too_large');
  // Sent chunked (no Content-Length): cut off as it streams.
  const chunk = new TextEncoder().encode(`Chunked,${phone()},${'y'.repeat(4000)}\r\n`);
  const chunked = await fetch(srv.url + '/api/v1/import/customers', {
    method: 'POST', duplex: 'half',
    headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'text/csv' },
    body: new ReadableStream({
      start(ctl) {
        ctl.enqueue(new TextEncoder().encode('name,phone,notes\r\n'));
        for (let i = 0; i < IMPORT_LIMIT / chunk.length + 2; i++) ctl.enqueue(chunk);
        ctl.close();
      },
    }),
  });
  assert.equal(chunked.status, 413, await chunked.text());
});

test('admins_only_on_a_plan_with_csv_import_and_the_body_must_be_csv', async () => {
  const s = S;
  const csv = `name,phone\r\nGate Keeper,${phone()}\r\n`;
  for (const role of ['viewer', 'member']) {
    const t = await tokenFor(srv, s, role);
    assertProblem(await imp(t, 'customers', csv), 403, 'forbidden');
    assertProblem(await imp(t, 'transactions', TX_HEADER), 403, 'forbidden');
  }
  const admin = await tokenFor(srv, s, 'admin');
  assert.equal((await imp(admin, 'customers', csv)).status, 200);
  assertProblem(await imp(undefined, 'customers', csv), 401, 'unauthorized');
  const starter = await newStore(srv, { plan: 'starter' });
  const gated = await imp(starter.token, 'customers', csv);
  assertProblem(gated, 403, 'feature_not_in_plan');
  assert.equal(gated.json.feature, 'csv_import');
  assertProblem(await imp(starter.token, 'transactions', TX_HEADER), 403, 'feature_not_in_plan');
  const json = await srv.api('POST', '/api/v1/import/customers', { token: s.token, body: { name: 'x' } });
  assertProblem(json, 415, 'unsupported_media_type');
  assert.match(json.json.detail, /text\/csv/);
  const latin = await imp(s.token, 'customers', csv, { headers: { 'Content-Type': 'text/csv; charset=iso-8859-1' } });
  assertProblem(latin, 415, 'unsupported_media_type');
  assert.match(latin.json.detail, /UTF-8/);
  const utf8 = await imp(s.token, 'customers', `name,phone\r\nCharset Ok,${phone()}\r\n`, { headers: { 'Content-Type': 'text/csv; charset=UTF-8' } });
  assert.equal(utf8.status, 200, utf8.text);
  const maybe = await srv.api('POST', '/api/v1/import/customers?dry_run=maybe', { token: s.token, raw: csv, headers: { 'Content-Type': 'text/csv' } });
  assertProblem(maybe, 400, 'invalid_parameter', 'dry_run');
  // Not CSV: bytes that are not UTF-8.
  const bin = await imp(s.token, 'customers', Buffer.concat([Buffer.from('name,phone\n'), Buffer.from([0xff, 0xfe, 0x0a])]));
  assertProblem(bin, 422, 'import_failed');
  assert.equal(bin.json.errors[0].code, 'csv_not_utf8');
});

test('the_plan_customer_limit_holds_naming_the_first_line_over_it', async () => {
  const s = await newStore(srv);   // professional: 1000 active customers
  await customer(srv, s.token);
  let csv = 'name,phone\r\n';
  for (let i = 0; i < 1000; i++) csv += `Bulk ${i},${phone()}\r\n`;
  const r = await imp(s.token, 'customers', csv);
  assertProblem(r, 422, 'import_failed');
  assert.deepEqual(r.json.errors.map((e) => [e.line, e.code]), [[1001, 'plan_limit_reached']]);
  assert.match(r.json.errors[0].message, /1000/);
  assert.equal((await customersOf(s.token)).length, 1);
  // Up to the limit exactly is fine.
  const fits = csv.split('\r\n').slice(0, 1000).join('\r\n') + '\r\n';
  assert.equal((await imp(s.token, 'customers', fits)).json.created, 999);
});

test('a_customer_id_of_another_store_is_not_used_the_row_falls_back_to_phone', async () => {
  const a = await newStore(srv);
  const b = S;
  const theirs = await customer(srv, a.token, { name: 'Secret Neighbour' });
  const mine = await customer(srv, b.token, { name: 'My Customer' });
  const header = 'customer_id,phone,type,amount_minor,occurred_at\r\n';
  // Only A's id: as unknown as a made-up one, and nothing of A shows.
  const only = await imp(b.token, 'transactions', header + `${theirs.id},,purchase,100,${noonAgo(1)}\r\n`);
  const made = await imp(b.token, 'transactions', header + `${randomUUID()},,purchase,100,${noonAgo(1)}\r\n`);
  assertProblem(only, 422, 'import_failed');
  assert.deepEqual(only.json.errors.map((e) => [e.line, e.column, e.code]), made.json.errors.map((e) => [e.line, e.column, e.code]));
  assert.ok(!only.text.includes('Secret Neighbour') && !only.text.includes(theirs.phone), only.text);
  // A's id with B's customer's phone: the entry is B's customer's.
  const r = await imp(b.token, 'transactions', header + `${theirs.id},${mine.phone},purchase,1500,${noonAgo(1)}\r\n`);
  assert.equal(r.status, 200, r.text);
  assert.equal((await getCustomer(srv, b.token, mine.id)).balance_minor, 1500);
  assert.equal((await getCustomer(srv, a.token, theirs.id)).balance_minor, 0);
  assert.equal((await entriesOf(a.token)).length, 0);
  // B's own customer_id wins over a phone that names someone else.
  const other = await customer(srv, b.token, { name: 'Other One' });
  const own = await imp(b.token, 'transactions', header + `${mine.id},${other.phone},payment,500,${noonAgo(0.5)}\r\n`);
  assert.equal(own.status, 200, own.text);
  assert.equal((await getCustomer(srv, b.token, mine.id)).balance_minor, 1000);
  assert.equal((await getCustomer(srv, b.token, other.id)).balance_minor, 0);
  // Reversing an entry of another store by its id is reversing nothing in the file.
  const pa = await purchase(srv, a.token, theirs.id, 100);
  const rev = await imp(b.token, 'transactions', 'type,amount_minor,occurred_at,phone,reverses_id\r\n' +
    `reversal,100,${new Date(Date.now() - 60000).toISOString()},${mine.phone},${pa.id}\r\n`);
  assert.deepEqual(rev.json.errors.map((e) => [e.line, e.column, e.code]), [[2, 'reverses_id', 'not_found']]);
});

test('customers_are_found_by_apartment_and_name_when_a_flat_has_several', async () => {
  const s = S;
  const husband = await customer(srv, s.token, { name: 'Ravi Menon', apartment: '55012' });
  const wife = await customer(srv, s.token, { name: 'Lata Menon', apartment: '55012' });
  const alone = await customer(srv, s.token, { name: 'Solo Resident', apartment: '55056' });
  const header = 'apartment,customer_name,type,amount,date\r\n';
  const csv = header + `55012,Ravi Menon,purchase,10.50,${dateAgo(3)}\r\n` +
    `55012,lata menon,purchase,2,${dateAgo(2)}\r\n` +
    `55056,,purchase,1,${dateAgo(1)}\r\n`;
  const r = await imp(s.token, 'transactions', csv);
  assert.equal(r.status, 200, r.text);
  assert.equal((await getCustomer(srv, s.token, husband.id)).balance_minor, 1050);
  assert.equal((await getCustomer(srv, s.token, wife.id)).balance_minor, 200);
  assert.equal((await getCustomer(srv, s.token, alone.id)).balance_minor, 100);
  // date is the store's local day: the entry is at local midnight.
  const [e] = await entriesOf(s.token, alone.id);
  assert.equal(localDate(e.occurred_at), dateAgo(1));
  assert.equal(Date.parse(e.occurred_at), Date.parse(`${dateAgo(1)}T00:00:00+05:30`));
  const bad = await imp(s.token, 'transactions', header + `55012,,purchase,1,${dateAgo(1)}\r\n55012,Nobody,purchase,1,${dateAgo(1)}\r\n`);
  assert.deepEqual(bad.json.errors.map((x) => [x.line, x.column, x.code]),
    [[2, 'apartment', 'ambiguous_customer'], [3, 'apartment', 'customer_not_found']]);
});

test('reversals_tie_to_entries_of_the_same_file_and_follow_the_rules', async () => {
  const s = S;
  const c = await customer(srv, s.token);
  const h = 'id,type,amount_minor,occurred_at,phone,reverses_id,note\r\n';
  const csv = h +
    `r2,reversal,,${noonAgo(1)},,p1,wrong amount\r\n` +   // before its entry in the file: fine
    `p1,purchase,900,${noonAgo(2)},${c.phone},,\r\n` +
    `p2,purchase,400,${noonAgo(2)},${c.phone},,\r\n`;
  const r = await imp(s.token, 'transactions', csv);
  assert.equal(r.status, 200, r.text);
  const cust = await getCustomer(srv, s.token, c.id);
  assert.equal(cust.balance_minor, 400);
  const es = await entriesOf(s.token, c.id);
  const rev = es.find((e) => e.type === 'reversal');
  const orig = es.find((e) => e.id === rev.reverses_id);
  assert.equal(orig.amount_minor, 900);
  assert.equal(orig.reversed_by_id, rev.id);
  assert.equal(rev.note, 'wrong amount');
  const bad = h +
    `a,purchase,100,${noonAgo(5)},${c.phone},,\r\n` +
    `b,reversal,,${noonAgo(4)},,a,\r\n` +
    `c,reversal,,${noonAgo(3)},,a,\r\n` +          // a second reversal of a
    `d,reversal,,${noonAgo(3)},,b,\r\n` +          // reversing a reversal
    `e,purchase,100,${noonAgo(1)},${c.phone},,\r\n` +
    `f,reversal,,${noonAgo(2)},,e,\r\n` +          // before the entry it reverses
    `g,reversal,50,${noonAgo(0.5)},,e,\r\n` +      // another amount
    `h,reversal,,${noonAgo(0.5)},,zz,\r\n` +       // no such row
    `a,payment,5,${noonAgo(0.5)},${c.phone},,\r\n` + // id used twice
    `i,purchase,5,${noonAgo(0.5)},${c.phone},a,\r\n`;  // reverses_id on a purchase
  const br = await imp(s.token, 'transactions', bad);
  assertProblem(br, 422, 'import_failed');
  assert.deepEqual(br.json.errors.map((e) => [e.line, e.column, e.code]), [
    [4, 'reverses_id', 'already_reversed'],
    [5, 'reverses_id', 'cannot_reverse_reversal'],
    [7, 'reverses_id', 'reversal_before_entry'],
    [8, 'amount_minor', 'amount_mismatch'],
    [9, 'reverses_id', 'not_found'],
    [10, 'id', 'duplicate'],
    [11, 'reverses_id', 'not_allowed'],
  ], br.text);
});

test('imported_purchases_are_not_refused_for_the_credit_limit_and_the_audit_says_imported', async () => {
  const s = S;
  const c = await customer(srv, s.token, { credit_limit_minor: 1000 });
  assert.equal((await entry(srv, s.token, { customer_id: c.id, type: 'purchase', amount_minor: 5000 }, 422)).json.code, 'credit_limit_exceeded');
  const r = await imp(s.token, 'transactions', TX_HEADER + `purchase,5000,${noonAgo(400)},${c.phone},old book\r\n`);
  assert.equal(r.status, 200, r.text);
  const got = await getCustomer(srv, s.token, c.id);
  assert.equal(got.balance_minor, 5000);
  assert.equal(got.available_credit_minor, 0);
  assert.equal(got.aging.days_90_plus_minor, 5000, JSON.stringify(got.aging));
  assert.equal(got.overdue_minor, 5000);
  const [e] = await entriesOf(s.token, c.id);
  const audit = await all(s.token, `/api/v1/audit?entity=transaction&entity_id=${e.id}`);
  assert.equal(audit.length, 1);
  assert.equal(audit[0].action, 'transaction.created');
  assert.equal(audit[0].after.imported, true, JSON.stringify(audit[0]));
  assert.equal(audit[0].after.import_line, 2);
  const [done] = await all(s.token, '/api/v1/audit?entity=import');
  assert.deepEqual([done.action, done.after.kind, done.after.created], ['import.completed', 'transactions', 1]);
  verify(s.slug);
});

// The same history recorded through the API one entry at a time (in
// occurred_at order) and imported from one shuffled file.
test('balances_due_dates_and_aging_come_out_as_if_recorded_one_by_one', async () => {
  const live = await newStore(srv);
  const bulk = await newStore(srv);
  const people = [
    { name: 'Early Payer', phone: phone(), credit_limit_minor: 10000000 },
    { name: 'Late Payer', phone: phone(), credit_limit_minor: 10000000, apartment: '36194' },
    { name: 'In Credit', phone: phone(), credit_limit_minor: 10000000 },
  ];
  const ids = [];
  for (const p of people) {
    ids.push((await customer(srv, live.token, p)).id);
    await customer(srv, bulk.token, p);
  }
  const book = [];
  const days = [120, 95, 80, 61, 45, 31, 30, 29, 12, 3, 1];
  let n = 0;
  for (const d of days) {
    for (let k = 0; k < people.length; k++) {
      n++;
      const type = (n + k) % 3 === 0 ? 'payment' : (n % 7 === 0 ? 'adjustment' : 'purchase');
      const amount = type === 'adjustment' ? -(n * 37) : 1000 + n * 113 + k;
      book.push({ k, type, amount, at: new Date(Date.parse(noonAgo(d)) + k * 60000 + n).toISOString(), note: `entry ${n}` });
    }
  }
  book.push({ k: 2, type: 'payment', amount: 900000, at: noonAgo(0.5), note: 'paid ahead' });
  for (const b of book.sort((x, y) => x.at.localeCompare(y.at))) {
    const body = { customer_id: ids[b.k], type: b.type, amount_minor: b.amount, occurred_at: b.at, note: b.note };
    if (b.type === 'adjustment') body.reason = b.note;
    if (b.type === 'payment') body.payment_method = 'upi';
    await entry(srv, live.token, body);
  }
  const shuffled = [...book].sort(() => Math.random() - 0.5);
  let csv = 'phone,type,amount_minor,occurred_at,note,payment_method\r\n';
  for (const b of shuffled) csv += row([people[b.k].phone, b.type, b.amount, b.at, cell(b.note), b.type === 'payment' ? 'upi' : '']);
  const r = await imp(bulk.token, 'transactions', csv);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.created, book.length);
  const liveCs = await customersOf(live.token), bulkCs = await customersOf(bulk.token);
  for (const p of people) {
    const a = liveCs.find((c) => c.phone.endsWith(p.phone)), b = bulkCs.find((c) => c.phone.endsWith(p.phone));
    const fa = customerFacts(await getCustomer(srv, live.token, a.id)), fb = customerFacts(await getCustomer(srv, bulk.token, b.id));
    assert.deepEqual(fb, fa, `customer ${p.name}`);
    const sa = await statementFacts(live.token, a.id), sb = await statementFacts(bulk.token, b.id);
    assert.deepEqual(sb, sa, `statement of ${p.name}`);
  }
  for (const path of ['/api/v1/reports/aging', '/api/v1/reports/summary']) {
    const strip = (t) => JSON.parse(t.replace(/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"id"')
      .replace(/"(generated_at|as_of|now)":"[^"]*"/g, '"$1":""'));
    const ra = await srv.api('GET', path, { token: live.token }), rb = await srv.api('GET', path, { token: bulk.token });
    assert.equal(rb.status, 200, rb.text);
    assert.deepEqual(strip(rb.text), strip(ra.text), path);
  }
  verify(live.slug);
  verify(bulk.slug);
});

test('an_export_imports_into_a_new_store_with_identical_balances_aging_and_statements', async () => {
  const a = await newStore(srv);
  const mk = (body) => customer(srv, a.token, body);
  const raj = await mk({ name: 'Rajesh Kumar', apartment: '36194', email: 'rajesh@example.com', credit_limit_minor: 500000,
    notes: 'Prefers UPI, "evening" delivery\nTower 36, lift B' });
  const formula = await mk({ name: '=HYPERLINK("http://evil.example","x")', apartment: '42012' });
  const priya = await mk({ name: 'प्रिया सिंह', apartment: '42012', notes: '+ extra, -minus, @at' });
  const leaver = await mk({ name: 'Moved Away' });
  const quiet = await mk({ name: 'No Reminders' });
  assert.equal((await srv.api('PATCH', `/api/v1/customers/${quiet.id}`, { token: a.token, body: { reminders_opt_out: true } })).status, 200);
  await purchase(srv, a.token, raj.id, 120000, { occurred_at: noonAgo(60), note: 'Monthly groceries' });
  await payment(srv, a.token, raj.id, 50000, { occurred_at: noonAgo(40), payment_method: 'upi', payment_reference: 'UPI-123,456' });
  await purchase(srv, a.token, raj.id, 30000, { occurred_at: noonAgo(10) });
  const big = await purchase(srv, a.token, raj.id, 999999, { occurred_at: noonAgo(5), override: true, override_reason: 'festival' });
  assert.equal((await srv.api('POST', `/api/v1/transactions/${big.id}/reverse`, { token: a.token, body: { reason: 'typo' } })).status, 201);
  await purchase(srv, a.token, formula.id, 5000, { occurred_at: noonAgo(100), note: '=1+1' });
  await purchase(srv, a.token, formula.id, 7000, { occurred_at: noonAgo(35) });
  const pay = await payment(srv, a.token, formula.id, 2000, { occurred_at: noonAgo(1) });
  assert.equal((await srv.api('POST', `/api/v1/transactions/${pay.id}/reverse`, { token: a.token, body: { reason: 'bounced' } })).status, 201);
  await entry(srv, a.token, { customer_id: priya.id, type: 'adjustment', amount_minor: -1500, reason: 'opening credit', occurred_at: noonAgo(20) });
  await purchase(srv, a.token, priya.id, 2500, { occurred_at: noonAgo(2), note: 'rice, dal {1 kg} back\\slash "quoted"' });
  await purchase(srv, a.token, priya.id, 100, { occurred_at: noonAgo(1.5), note: 'NULL' });
  await purchase(srv, a.token, leaver.id, 1000, { occurred_at: noonAgo(20) });
  await payment(srv, a.token, leaver.id, 1000, { occurred_at: noonAgo(15), payment_method: 'cash' });
  assert.equal((await srv.api('DELETE', `/api/v1/customers/${leaver.id}`, { token: a.token })).status, 200);

  const customersCsv = await exportCsv(a.token, 'customers');
  const transactionsCsv = await exportCsv(a.token, 'transactions');
  assert.match(customersCsv, /"'=HYPERLINK/, 'the export makes formulas inert');

  const b = await newStore(srv);
  const ic = await imp(b.token, 'customers', customersCsv);
  assert.equal(ic.status, 200, ic.text);
  assert.equal(ic.json.created, 5);
  const it = await imp(b.token, 'transactions', transactionsCsv);
  assert.equal(it.status, 200, it.text);
  assert.equal(it.json.created, (await entriesOf(a.token)).length);

  const as = await customersOf(a.token), bs = await customersOf(b.token);
  assert.equal(bs.length, as.length);
  for (const ca of as) {
    const cb = bs.find((x) => x.phone === ca.phone);
    assert.ok(cb, `customer ${ca.name} imported`);
    assert.deepEqual(customerFacts(await getCustomer(srv, b.token, cb.id)), customerFacts(await getCustomer(srv, a.token, ca.id)), ca.name);
    assert.deepEqual(await statementFacts(b.token, cb.id), await statementFacts(a.token, ca.id), `statement of ${ca.name}`);
  }
  const strip = (t) => JSON.parse(t.replace(/"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"/g, '"id"'));
  for (const path of ['/api/v1/reports/aging', '/api/v1/reports/towers']) {
    const ra = await srv.api('GET', path, { token: a.token }), rb = await srv.api('GET', path, { token: b.token });
    assert.deepEqual(strip(rb.text), strip(ra.text), path);
  }
  verify(a.slug);
  verify(b.slug);
  // The same export again: every phone is taken now, nothing changes.
  const again = await imp(b.token, 'customers', customersCsv);
  assertProblem(again, 422, 'import_failed');
  assert.ok(again.json.errors.every((e) => e.code === 'phone_taken'), again.text);
});

test('cli_import_exits_0_1_2_prints_errors_with_line_and_column_and_a_summary', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const file = join(srv.dir, `import-${randomBytes(3).toString('hex')}.csv`);
  writeFileSync(file, TX_HEADER + `purchase,1200,${noonAgo(3)},${c.phone},cli\r\npayment,200,${noonAgo(2)},${c.phone},\r\n`);
  const dry = srv.cli(['import', 'transactions', '--tenant', s.slug, file, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^dry run: .*2 rows, 2 entries would be created/);
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 0);
  const ok = srv.cli(['import', 'transactions', '--tenant', s.slug, file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(ok.stdout.trim().split('\n').length, 1, 'one summary line');
  assert.match(ok.stdout, /2 rows imported, 2 entries created/);
  assert.equal(ok.stderr, '', 'no progress bar when stderr is not a terminal');
  assert.equal((await getCustomer(srv, s.token, c.id)).balance_minor, 1000);
  verify(s.slug);
  const badFile = join(srv.dir, 'bad.csv');
  writeFileSync(badFile, 'name,phone\r\nGood,9876500001\r\nBad,123\r\n');
  const bad = srv.cli(['import', 'customers', '--tenant', s.slug, badFile]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /line 3, column phone: .*\[invalid\]/);
  assert.match(bad.stdout, /1 error; nothing was imported/);
  assert.equal(srv.cli(['import', 'customers', '--tenant', s.slug]).code, 2);
  assert.equal(srv.cli(['import', 'orders', '--tenant', s.slug, badFile]).code, 2);
  const help = srv.cli(['import', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--dry-run/);
  assert.equal(srv.cli(['import', 'customers', '--tenant', 'no-such-store', badFile]).code, 1);
  // On a terminal the progress bar shows rows, rows/s and an ETA.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  if (hasScript) {
    const big = join(srv.dir, 'big.csv');
    let csv = 'name,phone\r\n';
    for (let i = 0; i < 800; i++) csv += `Tty ${i},${phone()}\r\n`;
    writeFileSync(big, csv);
    const cmd = [BIN, 'import', 'customers', '--tenant', s.slug, big, '--dry-run'].map((x) => `'${x}'`).join(' ');
    const out = execFileSync('script', ['-qec', cmd, '/dev/null'], {
      env: { ...srv.env, QT_DB: srv.ownerDb },
    }).toString();
    assert.match(out, /rows\/s/);
    assert.match(out, /ETA/);
    assert.match(out, /800 rows/);
  }
});
