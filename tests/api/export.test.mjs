// export.test.mjs — the streamed CSV exports (issue 10, "Export"), on both
// backends: GET /api/v1/export/{customers,transactions,reminders,audit}.csv
// and `quantumtrack export`.  Columns and header, RFC 4180 with CRLF,
// money twice, RFC 3339 times beside the local date, formula injection
// made inert, the BOM, from/to in the store's timezone, role and plan,
// isolation, Content-Disposition, chunked transfer, a client that goes
// away mid-stream, the CLI's bytes equal to the API's, and a 1,000,000-entry
// export with the server's RSS sampled (on PostgreSQL 200,000 entries, as
// loading a million takes half a minute there; QT_EXPORT_BIG=1000000 runs
// the full size, about a minute).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, newStore, BIN } from '../lib/server.mjs';
import { customer, entry, purchase, payment, getCustomer, tokenFor, assertProblem, DAY } from '../lib/ledger.mjs';

let srv, A;

const KINDS = ['customers', 'transactions', 'reminders', 'audit'];
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const CUSTOMER_COLS = 'id,name,phone,apartment,tower,floor,unit,email,credit_limit_minor,notes,balance_minor,'
  + 'overdue_minor,oldest_due_date,status,reminders_opt_out,created_at';
const TRANSACTION_COLS = 'id,date,occurred_at,customer_id,customer_name,phone,apartment,type,amount_minor,amount,'
  + 'currency,payment_method,payment_reference,note,reverses_id,created_by,created_at';
const REMINDER_COLS = 'id,date,created_at,customer_id,customer_name,phone,apartment,kind,trigger,channel,status,'
  + 'balance_minor,balance,overdue_minor,overdue,currency,entry_id,message,provider_message_id,error_code,'
  + 'error_message,created_by,updated_at';
const AUDIT_COLS = 'seq,id,date,created_at,actor_id,actor_role,action,entity,entity_id,before,after,request_id,'
  + 'client_ip,prev_hash,hash';
const RFC3339_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const IST = 5.5 * 3600000;

// The local (Asia/Kolkata, the stores' default) date of a time.
const istDate = (ms) => new Date(ms + IST).toISOString().slice(0, 10);

// fetch, once more when the keep-alive connection it picked was being
// closed: the server shuts idle connections after QT_HEADER_TIMEOUT (10 s),
// and the seeding below takes about that long.  Only for GETs.
async function fetchGet(url, opts = {}) {
  try {
    return await fetch(url, opts);
  } catch (e) {
    if (!['UND_ERR_SOCKET', 'ECONNRESET'].includes(e.cause?.code)) throw e;
    return fetch(url, opts);
  }
}

// GET an export as bytes: {status, headers, body (Buffer), text, json}.
async function getCsv(path, token) {
  const res = await fetchGet(srv.url + path, { headers: token ? { Authorization: `Bearer ${token}` } : {} })
    .catch((e) => { throw new Error(`GET ${path}: ${e.message} (${e.cause?.code || e.cause?.message})\n${srv.log.slice(-2000)}`); });
  const body = Buffer.from(await res.arrayBuffer());
  const text = body.toString('utf8');
  let json = null;
  try { json = JSON.parse(text); } catch { /* CSV */ }
  return { status: res.status, headers: res.headers, body, text, json };
}

// RFC 4180, strictly: fields separated by commas, records by CRLF (a bare
// LF or CR only inside quotes), quotes doubled inside quoted fields, the
// file ending with CRLF.  Returns an array of records (arrays of strings).
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', i = 0, quoted = false;
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 2; continue; }
      if (c === '"') { quoted = false; i++; continue; }
      field += c; i++; continue;
    }
    if (c === '"') {
      assert.equal(field, '', `a quote inside an unquoted field at ${i}`);
      quoted = true; i++; continue;
    }
    if (c === ',') { row.push(field); field = ''; i++; continue; }
    if (c === '\r') {
      assert.equal(text[i + 1], '\n', `a bare CR outside quotes at ${i}`);
      row.push(field); rows.push(row); row = []; field = ''; i += 2; continue;
    }
    assert.notEqual(c, '\n', `a bare LF outside quotes at ${i}`);
    field += c; i++;
  }
  assert.equal(quoted, false, 'unterminated quote');
  assert.equal(field, '', 'the file ends with CRLF');
  assert.equal(row.length, 0, 'the file ends with CRLF');
  return rows;
}

// Records as objects keyed by the header row; asserts the header.
function records(text, header) {
  const rows = parseCsv(text);
  assert.equal(rows[0].join(','), header);
  const cols = rows[0];
  for (const r of rows) assert.equal(r.length, cols.length, `row of ${r.length} fields: ${r.join(',')}`);
  return rows.slice(1).map((r) => Object.fromEntries(cols.map((c, k) => [c, r[k]])));
}

// SQL as the database's superuser (PostgreSQL) or through the sqlite3 shell.
function sql(text) {
  if (srv.backend === 'postgres') {
    const u = new URL(srv.pg.adminUrl);
    u.pathname = '/' + srv.pg.name;
    return execFileSync('psql', [u.toString(), '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', '-'],
      { input: text, stdio: 'pipe', maxBuffer: 1 << 26 }).toString();
  }
  return execFileSync('sqlite3', [srv.db.slice('sqlite:'.length)], { input: `.timeout 10000\n${text}\n`, stdio: 'pipe', maxBuffer: 1 << 26 }).toString();
}

function claims(token) {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
}

// The CLI's stdout as bytes (srv.cli decodes it, which would drop a BOM).
function cliBytes(args, { ownerRole = true } = {}) {
  return execFileSync(BIN, args, {
    env: { ...srv.env, QT_DB: ownerRole ? srv.ownerDb : srv.db }, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 28,
  });
}

before(async () => {
  srv = await startServer();
  A = await newStore(srv);
  A.tid = claims(A.token).tid;
});

after(async () => { await srv?.stop(); });

test('customers.csv and transactions.csv: the documented columns, CRLF, money twice, times and local dates', async () => {
  const s = await newStore(srv);
  const asha = await customer(srv, s.token, {
    name: 'आशा Sharma, "Didi"', phone: '9812345678', apartment: '42012', email: 'asha@example.com',
    credit_limit_minor: 300000, notes: 'line one\nline two',
  });
  const ravi = await customer(srv, s.token, { name: 'Ravi', phone: '9812345679' });
  const t0 = Date.now() - 40 * DAY;
  const p1 = await purchase(srv, s.token, asha.id, 125000, { occurred_at: new Date(t0).toISOString(), note: 'Monthly groceries' });
  const pay = await payment(srv, s.token, asha.id, 50050, { payment_method: 'upi', payment_reference: 'UPI-123' });
  const adj = (await entry(srv, s.token, { customer_id: asha.id, type: 'adjustment', amount_minor: -250, reason: 'rounding' })).json;
  const wrong = await purchase(srv, s.token, ravi.id, 700);
  const rev = await srv.api('POST', `/api/v1/transactions/${wrong.id}/reverse`, { token: s.token, body: { reason: 'wrong customer' } });
  assert.equal(rev.status, 201, rev.text);

  const c = await getCsv('/api/v1/export/customers.csv', s.token);
  assert.equal(c.status, 200, c.text);
  assert.equal(c.headers.get('content-type'), 'text/csv; charset=utf-8');
  assert.ok(c.body.subarray(0, 3).compare(BOM) !== 0, 'no BOM unless asked');
  const cust = records(c.text, CUSTOMER_COLS);
  assert.deepEqual(cust.map((r) => r.id), [asha.id, ravi.id], 'oldest first');
  const a = cust[0];
  const apiAsha = await getCustomer(srv, s.token, asha.id);
  assert.equal(a.name, 'आशा Sharma, "Didi"');
  assert.equal(a.phone, "'+919812345678", 'E.164 phones are made inert');
  assert.equal(a.apartment, '42012');
  assert.deepEqual([a.tower, a.floor, a.unit], ['42', '1', '2']);
  assert.equal(a.email, 'asha@example.com');
  assert.equal(a.credit_limit_minor, '300000');
  assert.equal(a.notes, 'line one\nline two');
  assert.equal(a.balance_minor, String(apiAsha.balance_minor));
  assert.equal(a.balance_minor, String(125000 - 50050 - 250));
  assert.equal(a.overdue_minor, String(apiAsha.overdue_minor));
  assert.ok(apiAsha.overdue_minor > 0, 'the purchase 40 days ago is overdue');
  assert.equal(a.oldest_due_date, apiAsha.oldest_due_date);
  assert.equal(a.status, 'active');
  assert.equal(a.reminders_opt_out, 'false');
  assert.match(a.created_at, RFC3339_MS);
  assert.equal(a.created_at, apiAsha.created_at);
  const r = cust[1];
  assert.deepEqual([r.apartment, r.tower, r.floor, r.unit, r.email, r.credit_limit_minor, r.oldest_due_date],
    ['', '', '', '', '', '', ''], 'absent values are empty cells');
  assert.equal(r.balance_minor, '0');
  assert.equal(r.overdue_minor, '0');
  // The raw bytes: the name with a comma and quotes is quoted, the
  // phone's cell carries the apostrophe inside quotes.
  assert.ok(c.text.includes(`,"आशा Sharma, ""Didi""","'+919812345678",42012,42,1,2,`), c.text);

  const t = await getCsv('/api/v1/export/transactions.csv', s.token);
  assert.equal(t.status, 200, t.text);
  const rows = records(t.text, TRANSACTION_COLS);
  assert.deepEqual(rows.map((x) => x.id), [p1.id, pay.id, adj.id, wrong.id, rev.json.id], 'by occurred_at');
  const byId = Object.fromEntries(rows.map((x) => [x.id, x]));
  const e1 = byId[p1.id];
  assert.equal(e1.occurred_at, p1.occurred_at);
  assert.match(e1.occurred_at, RFC3339_MS);
  assert.equal(e1.date, istDate(Date.parse(p1.occurred_at)));
  assert.deepEqual([e1.customer_id, e1.customer_name, e1.phone, e1.apartment], [asha.id, 'आशा Sharma, "Didi"', "'+919812345678", '42012']);
  assert.deepEqual([e1.type, e1.amount_minor, e1.amount, e1.currency, e1.note], ['purchase', '125000', '1250.00', 'INR', 'Monthly groceries']);
  assert.equal(e1.created_by, claims(s.token).sub);
  assert.equal(e1.created_at, p1.created_at);
  assert.deepEqual([byId[pay.id].amount_minor, byId[pay.id].amount, byId[pay.id].payment_method, byId[pay.id].payment_reference],
    ['50050', '500.50', 'upi', 'UPI-123']);
  // A negative adjustment stays a plain number in both money columns.
  assert.deepEqual([byId[adj.id].type, byId[adj.id].amount_minor, byId[adj.id].amount], ['adjustment', '-250', '-2.50']);
  assert.ok(t.text.includes(',adjustment,-250,-2.50,INR,'), 'no apostrophe, no quotes on our own numbers');
  assert.equal(byId[rev.json.id].type, 'reversal');
  assert.equal(byId[rev.json.id].reverses_id, wrong.id);
  assert.equal(byId[rev.json.id].amount_minor, '700');
  assert.equal(byId[wrong.id].reverses_id, '');
});

test('text that starts like a formula is made inert; our own numbers are not', async () => {
  const s = await newStore(srv);
  const nasty = ['=SUM(A1:A9)', '+91 cmd', '-2+3', '@HYPERLINK("http://x")'];
  const made = [];
  for (const [k, name] of nasty.entries())
    made.push(await customer(srv, s.token, { name, phone: `981234570${k}`, notes: ['\tTAB first', '\rCR first', '=1+1', '-x'][k] }));
  for (const c of made)
    await entry(srv, s.token, { customer_id: c.id, type: 'adjustment', amount_minor: -1234, reason: 'x', note: '=cmd|" /C calc"!A0' });
  const cs = await getCsv('/api/v1/export/customers.csv', s.token);
  const rows = records(cs.text, CUSTOMER_COLS);
  assert.deepEqual(rows.map((r) => r.name), nasty.map((n) => `'${n}`));
  assert.deepEqual(rows.map((r) => r.notes), ["'\tTAB first", "'\rCR first", "'=1+1", "'-x"]);
  for (const r of rows) {
    assert.equal(r.balance_minor, '-1234', 'a balance in credit is a plain negative number');
    assert.match(r.phone, /^'\+91\d{10}$/);
  }
  assert.ok(cs.text.includes('"\'=SUM(A1:A9)"') && cs.text.includes('"\'@HYPERLINK(""http://x"")"'), cs.text);
  assert.ok(cs.text.includes('"\'\rCR first"'), 'a CR at the start is made inert and quoted');
  const ts = await getCsv('/api/v1/export/transactions.csv', s.token);
  const entries = records(ts.text, TRANSACTION_COLS);
  assert.equal(entries.length, 4);
  for (const e of entries) {
    assert.equal(e.note, '\'=cmd|" /C calc"!A0');
    assert.equal(e.amount_minor, '-1234');
    assert.equal(e.amount, '-12.34');
    assert.match(e.customer_name, /^'[=+\-@]/);
  }
  // No cell of the file starts with a formula character unless it is one
  // of our plain numbers.
  for (const row of parseCsv(ts.text).slice(1))
    for (const [k, cell] of row.entries())
      if (/^[=+\-@\t\r]/.test(cell)) assert.ok([8, 9].includes(k) && /^-\d+(\.\d+)?$/.test(cell), `cell ${k}: ${JSON.stringify(cell)}`);
});

test('?bom=1 starts the file with a UTF-8 BOM and keeps Devanagari intact', async () => {
  const s = await newStore(srv);
  await customer(srv, s.token, { name: 'रमेश कुमार', phone: '9812345000' });
  for (const q of ['?bom=1', '?bom=true']) {
    const r = await getCsv(`/api/v1/export/customers.csv${q}`, s.token);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.subarray(0, 3).compare(BOM), 0, `${q}: BOM first`);
    const text = r.body.subarray(3).toString('utf8');
    assert.ok(text.startsWith('id,name,'), text.slice(0, 40));
    assert.equal(records(text, CUSTOMER_COLS)[0].name, 'रमेश कुमार');
  }
  for (const q of ['', '?bom=0', '?bom=false']) {
    const r = await getCsv(`/api/v1/export/customers.csv${q}`, s.token);
    assert.ok(r.body.subarray(0, 3).compare(BOM) !== 0, `${q}: no BOM`);
    assert.ok(r.text.startsWith('id,name,'));
  }
  for (const kind of KINDS) {
    const r = await getCsv(`/api/v1/export/${kind}.csv?bom=1`, s.token);
    assert.equal(r.body.subarray(0, 3).compare(BOM), 0, kind);
  }
  assertProblem(await srv.api('GET', '/api/v1/export/customers.csv?bom=yes', { token: s.token }), 400, 'invalid_parameter', 'bom');
});

test('?from&to are the store\'s local dates, inclusive, to the millisecond at local midnight', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  // Local midnight (Asia/Kolkata) starting the day ten days ago.
  const day = istDate(Date.now() - 10 * DAY);
  const midnight = Date.parse(`${day}T00:00:00.000+05:30`);
  const before = await purchase(srv, s.token, c.id, 101, { occurred_at: new Date(midnight - 1).toISOString() });
  const at = await purchase(srv, s.token, c.id, 102, { occurred_at: new Date(midnight).toISOString() });
  const late = await purchase(srv, s.token, c.id, 103, { occurred_at: new Date(midnight + DAY - 1).toISOString() });
  const next = await purchase(srv, s.token, c.id, 104, { occurred_at: new Date(midnight + DAY).toISOString() });
  const prevDay = istDate(midnight - 1), nextDay = istDate(midnight + DAY);
  const ids = async (q) => {
    const r = await getCsv(`/api/v1/export/transactions.csv${q}`, s.token);
    assert.equal(r.status, 200, r.text);
    return records(r.text, TRANSACTION_COLS).map((x) => [x.id, x.date]);
  };
  assert.deepEqual(await ids(`?from=${day}&to=${day}`), [[at.id, day], [late.id, day]]);
  assert.deepEqual(await ids(`?to=${prevDay}`), [[before.id, prevDay]]);
  assert.deepEqual(await ids(`?from=${nextDay}`), [[next.id, nextDay]]);
  assert.deepEqual((await ids(`?from=${prevDay}&to=${nextDay}`)).map((x) => x[0]), [before.id, at.id, late.id, next.id]);
  assert.deepEqual(await ids('?from=2001-01-01&to=2001-12-31'), [], 'a range with nothing: the header alone');

  // Customers by when they were added, reminders and audit rows by when
  // they were made: today holds them all, last year none.
  const today = istDate(Date.now());
  const custToday = await getCsv(`/api/v1/export/customers.csv?from=${today}&to=${today}`, s.token);
  assert.deepEqual(records(custToday.text, CUSTOMER_COLS).map((x) => x.id), [c.id]);
  assert.deepEqual(records((await getCsv(`/api/v1/export/customers.csv?to=${prevDay}`, s.token)).text, CUSTOMER_COLS), []);
  const auditToday = records((await getCsv(`/api/v1/export/audit.csv?from=${today}`, s.token)).text, AUDIT_COLS);
  assert.ok(auditToday.length >= 5, 'the store, the customer and four entries were audited today');
  assert.ok(auditToday.every((x) => x.date === today));
  assert.deepEqual(records((await getCsv('/api/v1/export/audit.csv?to=2001-01-01', s.token)).text, AUDIT_COLS), []);

  for (const [q, field] of [['?from=2026-13-01', 'from'], ['?to=yesterday', 'to'], ['?from=2026-02-30', 'from'],
    [`?from=${nextDay}&to=${day}`, 'from']]) {
    for (const kind of KINDS)
      assertProblem(await srv.api('GET', `/api/v1/export/${kind}.csv${q}`, { token: s.token }), 400, 'invalid_parameter', field);
  }
});

test('admins and owners export; members and viewers get 403; a plan without csv_export gets feature_not_in_plan', async () => {
  const admin = await tokenFor(srv, A, 'admin');
  const member = await tokenFor(srv, A, 'member');
  const viewer = await tokenFor(srv, A, 'viewer');
  for (const kind of KINDS) {
    const path = `/api/v1/export/${kind}.csv`;
    assert.equal((await getCsv(path, A.token)).status, 200, `owner ${kind}`);
    assert.equal((await getCsv(path, admin)).status, 200, `admin ${kind}`);
    assertProblem(await srv.api('GET', path, { token: member }), 403, 'forbidden');
    assertProblem(await srv.api('GET', path, { token: viewer }), 403, 'forbidden');
    assertProblem(await srv.api('GET', path), 401, 'unauthorized');
  }
  const free = await newStore(srv, { plan: 'free' });
  const starter = await newStore(srv, { plan: 'starter' });
  for (const kind of KINDS) {
    const r = await srv.api('GET', `/api/v1/export/${kind}.csv`, { token: free.token });
    assertProblem(r, 403, 'feature_not_in_plan');
    assert.equal(r.json.feature, 'csv_export');
    assert.equal(r.json.plan, 'free');
    assert.equal((await getCsv(`/api/v1/export/${kind}.csv`, starter.token)).status, 200, `starter has csv_export: ${kind}`);
  }
});

test('store B\'s token never sees store A\'s rows', async () => {
  const a = await newStore(srv);
  const b = await newStore(srv);
  const ac = await customer(srv, a.token, { name: 'Secret Resident of A', notes: 'secret-of-A' });
  const ae = await purchase(srv, a.token, ac.id, 4242, { note: 'milk for A' });
  const bc = await customer(srv, b.token, { name: 'Resident of B' });
  await purchase(srv, b.token, bc.id, 100);
  const secrets = [ac.id, ae.id, claims(a.token).tid, claims(a.token).sub, 'Secret Resident', 'secret-of-A', 'milk for A', a.slug];
  for (const kind of KINDS) {
    for (const q of ['', '?from=2000-01-01&to=2099-12-31']) {
      const r = await getCsv(`/api/v1/export/${kind}.csv${q}`, b.token);
      assert.equal(r.status, 200, r.text);
      for (const x of secrets) assert.ok(!r.text.includes(x), `B's ${kind}.csv${q} holds A's ${x}`);
    }
  }
  assert.deepEqual(records((await getCsv('/api/v1/export/customers.csv', b.token)).text, CUSTOMER_COLS).map((x) => x.id), [bc.id]);
  // The CLI scopes by --tenant the same way.
  const out = cliBytes(['export', 'transactions', '--tenant', b.slug]).toString();
  for (const x of secrets) assert.ok(!out.includes(x), `the CLI's export of B holds A's ${x}`);
});

test('Content-Disposition names the store, the kind and the range', async () => {
  const today = istDate(Date.now());
  const cases = [
    ['', 'all'], ['?from=2026-01-01&to=2026-03-31', '2026-01-01-2026-03-31'], ['?from=2026-01-01', '2026-01-01-latest'],
    [`?to=${today}`, `start-${today}`],
  ];
  for (const kind of KINDS) {
    for (const [q, range] of cases) {
      const r = await getCsv(`/api/v1/export/${kind}.csv${q}`, A.token);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers.get('content-disposition'), `attachment; filename="${A.slug}-${kind}-${range}.csv"`);
      assert.equal(r.headers.get('cache-control'), 'no-store');
    }
  }
});

test('a sum past int64 in the first rows answers 422 amount_overflow, never a cut or wrapped file', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  // Two recent purchases of 5e18 (written straight into the ledger, as
  // tests/api/overflow.test.mjs does): what is not yet due passes INT64_MAX.
  const at = Date.now() - DAY;
  const rows = [1, 2].map((k) => `INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor,`
    + ` occurred_at, created_at, created_by, balance_after_minor) SELECT tenant_id, '00000000-0000-7000-a000-00000000000${k}',`
    + ` id, 'purchase', 5000000000000000000, 5000000000000000000, ${at + k}, ${at + k}, 'fixture', 0 FROM customers WHERE id = '${c.id}';`);
  sql(rows.join('\n') + `\nUPDATE customers SET balance_minor = 9000000000000000000 WHERE id = '${c.id}';`);
  const r = await srv.api('GET', '/api/v1/export/customers.csv', { token: s.token });
  assertProblem(r, 422, 'amount_overflow');
  assert.deepEqual(r.json.overflowed, ['overdue_minor']);
  // The other files have no sums: they export as usual.
  assert.equal((await getCsv('/api/v1/export/transactions.csv', s.token)).status, 200);
});

// One exchange with node:http, to see the framing fetch hides.
function rawGet(path, token, { onResponse } = {}) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(srv.url + path, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      if (onResponse) { onResponse(req, res, resolve); return; }
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ res, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    // A server with no connection left would never answer.
    req.setTimeout(10000, () => { req.destroy(); reject(new Error(`GET ${path}: no answer in 10 s`)); });
    req.end();
  });
}

test('the response is chunked (no Content-Length): sent as it is read', async () => {
  for (const kind of KINDS) {
    const { res, body } = await rawGet(`/api/v1/export/${kind}.csv`, A.token);
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers['transfer-encoding'], 'chunked', kind);
    assert.equal(res.headers['content-length'], undefined, kind);
    assert.ok(body.length > 0);
  }
});

// Entries for a store written straight into the database (the ledger is
// append-only; INSERT is allowed): n purchases of 100 over `customers`
// customers, one second apart, ending an hour ago.  Each customer's
// entries are one block of time, so every index is appended to in order
// (a million rows in seconds).  Balances are not kept in step: these
// stores are only exported.
function seedEntries(s, n, customers = 100) {
  const tid = claims(s.token).tid;
  const end = Date.now() - 3600000;
  const start = end - n * 1000;
  const per = Math.ceil(n / customers);
  if (srv.backend === 'postgres') {
    // As the superuser, with the per-row foreign-key triggers off for the
    // load (the rows are consistent by construction), then ANALYZE, as
    // autovacuum would before long: without statistics the planner takes
    // the freshly loaded tables for empty ones.
    sql(`
      SET session_replication_role = replica;
      INSERT INTO customers (tenant_id, id, name, phone, last_activity_at, created_at, updated_at)
        SELECT '${tid}', ('00000000-0000-7000-8000-' || lpad(g::text, 12, '0'))::uuid, 'Bulk customer ' || g,
               '+9170' || lpad(g::text, 8, '0'), ${start}, ${start}, ${start}
        FROM generate_series(0, ${customers - 1}) g;
      INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor, occurred_at,
                                created_at, created_by, note, balance_after_minor)
        SELECT '${tid}', ('00000000-0000-7000-9000-' || lpad(g::text, 12, '0'))::uuid,
               ('00000000-0000-7000-8000-' || lpad((g / ${per})::text, 12, '0'))::uuid,
               'purchase', 100, 100, ${start} + g * 1000, ${start} + g * 1000, 'seed', 'bulk entry', 0
        FROM generate_series(0, ${n - 1}) g;
      RESET session_replication_role;
      ANALYZE customers;
      ANALYZE transactions;`);
  } else {
    sql(`
      BEGIN;
      WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g < ${customers - 1})
      INSERT INTO customers (tenant_id, id, name, phone, last_activity_at, created_at, updated_at)
        SELECT '${tid}', printf('00000000-0000-7000-8000-%012d', g), 'Bulk customer ' || g,
               printf('+9170%08d', g), ${start}, ${start}, ${start} FROM s;
      WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g < ${n - 1})
      INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor, occurred_at,
                                created_at, created_by, note, balance_after_minor)
        SELECT '${tid}', printf('00000000-0000-7000-9000-%012d', g), printf('00000000-0000-7000-8000-%012d', g / ${per}),
               'purchase', 100, 100, ${start} + g * 1000, ${start} + g * 1000, 'seed', 'bulk entry', 0 FROM s;
      COMMIT;`);
  }
}

test('a client that goes away mid-stream ends the export: no connection or transaction is left behind', { timeout: 60000 }, async () => {
  // A server with a pool of two connections: a leaked transaction would
  // hold one, and a few of them would leave nothing for the next request.
  const small = await startServer({ env: { QT_DB_POOL: '2', QT_THREADS: '2' } });
  const saved = srv;
  try {
    srv = small;
    const s = await newStore(srv);
    seedEntries(s, 30000, 10);
    for (let k = 0; k < 4; k++) {
      const got = await rawGet('/api/v1/export/transactions.csv', s.token, {
        onResponse: (req, res, resolve) => {
          assert.equal(res.statusCode, 200);
          let n = 0;
          res.on('data', (d) => {
            n += d.length;
            // Gone after the first piece of a file of some megabytes.
            if (n > 0 && !req.destroyed) { req.destroy(); resolve(n); }
          });
          res.on('error', () => {});
        },
      });
      assert.ok(got > 0 && got < 30000 * 150, `read ${got} bytes before leaving`);
    }
    // The next requests are answered at once: reads, a write (on SQLite
    // the one writer is free), and a whole export.
    const deadline = AbortSignal.timeout(10000);
    for (let k = 0; k < 4; k++) {
      const r = await fetch(srv.url + '/api/v1/customers?limit=1', { headers: { Authorization: `Bearer ${s.token}` }, signal: deadline });
      assert.equal(r.status, 200);
      await r.arrayBuffer();
    }
    const c = await customer(srv, s.token);
    await purchase(srv, s.token, c.id, 500);
    const whole = await getCsv('/api/v1/export/transactions.csv?from=' + istDate(Date.now() - 2 * DAY), s.token);
    assert.equal(whole.status, 200);
    assert.equal(records(whole.text, TRANSACTION_COLS).length, 30001);
    if (srv.backend === 'postgres') {
      // No session of the app is left idle in a transaction.
      const left = sql(`SELECT count(*) FROM pg_stat_activity WHERE datname = '${srv.pg.name}'
        AND usename = 'quantumtrack_app' AND state LIKE 'idle in transaction%';`).trim();
      assert.equal(left, '0');
    }
    assert.equal((await srv.api('GET', '/healthz')).status, 200);
  } finally {
    srv = saved;
    await small.stop();
  }
});

test('the CLI writes the same bytes as the API, to stdout or --output; usage errors exit 2, failures 1', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token, { name: '=Ravi', notes: 'नोट' });
  await purchase(srv, s.token, c.id, 12345, { occurred_at: new Date(Date.now() - 3 * DAY).toISOString(), note: '@x' });
  await payment(srv, s.token, c.id, 345, { payment_method: 'cash' });
  const reminder = await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: s.token, body: { channel: 'link' } });
  assert.ok([200, 201].includes(reminder.status), reminder.text);
  const day = istDate(Date.now() - 3 * DAY), today = istDate(Date.now());
  for (const kind of KINDS) {
    for (const [q, flags] of [['', []], ['?bom=1', ['--bom']], [`?from=${day}&to=${today}`, ['--from', day, '--to', today]],
      [`?to=${day}`, ['--to', day]]]) {
      const api = await getCsv(`/api/v1/export/${kind}.csv${q}`, s.token);
      assert.equal(api.status, 200, api.text);
      const cli = cliBytes(['export', kind, '--tenant', s.slug, ...flags]);
      assert.equal(cli.compare(api.body), 0, `${kind} ${q}: CLI and API differ\nCLI: ${cli.toString().slice(0, 300)}\nAPI: ${api.text.slice(0, 300)}`);
    }
  }
  const reminders = records((await getCsv('/api/v1/export/reminders.csv', s.token)).text, REMINDER_COLS);
  assert.equal(reminders.length, 1);
  assert.deepEqual([reminders[0].customer_id, reminders[0].customer_name, reminders[0].channel, reminders[0].kind],
    [c.id, "'=Ravi", 'link', 'reminder']);
  assert.equal(reminders[0].balance_minor, '12000');
  assert.equal(reminders[0].balance, '120.00');
  // As the app role too (PostgreSQL: under Row Level Security).
  const asApp = cliBytes(['export', 'customers', '--tenant', s.slug], { ownerRole: false });
  assert.equal(asApp.compare((await getCsv('/api/v1/export/customers.csv', s.token)).body), 0);

  const dir = mkdtempSync(join(tmpdir(), 'qt-export-'));
  try {
    const file = join(dir, 'out.csv');
    const r = srv.cli(['export', 'transactions', '--tenant', s.slug, '--output', file, '--bom']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(file).compare((await getCsv('/api/v1/export/transactions.csv?bom=1', s.token)).body), 0);
    // A failed export leaves no file, and no temporary file either.
    const bad = srv.cli(['export', 'transactions', '--tenant', 'no-such-store', '--output', join(dir, 'none.csv')]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /no store with slug "no-such-store"/);
    assert.ok(!existsSync(join(dir, 'none.csv')));
    assert.deepEqual(readdirSync(dir), ['out.csv']);
    const unwritable = srv.cli(['export', 'customers', '--tenant', s.slug, '--output', join(dir, 'missing', 'x.csv')]);
    assert.equal(unwritable.code, 1);
    assert.ok(unwritable.stderr.includes('missing'), unwritable.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const help = srv.cli(['export', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /usage: quantumtrack export/);
  for (const args of [['export'], ['export', 'ledger', '--tenant', s.slug], ['export', 'customers'],
    ['export', 'customers', '--tenant', s.slug, '--from', '2026-02-30'], ['export', 'customers', '--tenant', s.slug, '--to', 'today'],
    ['export', 'customers', '--tenant', s.slug, '--from', '2026-03-02', '--to', '2026-03-01'],
    ['export', 'customers', 'audit', '--tenant', s.slug], ['export', 'customers', '--tenant', s.slug, '--bogus']]) {
    const r = srv.cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.ok(r.stderr.trim(), `${args.join(' ')}: a reason on stderr`);
  }
});

// VmRSS of the server process in bytes.
function rss(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m[1]) * 1024;
}

const BIG = Number(process.env.QT_EXPORT_BIG) || (process.env.QT_TEST_DB === 'postgres' ? 200000 : 1000000);

// A sanitizer build keeps freed memory in quarantine (AddressSanitizer's
// 256 MB by default): its RSS measures the quarantine, not the server.
const SANITIZED = readFileSync(BIN).includes('__asan_init');

test(`exporting ${BIG.toLocaleString('en')} entries keeps the server's RSS within 16 MB`, { timeout: 120000 }, async (t) => {
  const s = await newStore(srv);
  const t0 = Date.now();
  seedEntries(s, BIG, 1000);
  const seeded = Date.now() - t0;
  // Warm up: the same kind of export, small, so the one-time costs
  // (statements prepared, zone data read, buffers) are in the baseline.
  const warm = await getCsv(`/api/v1/export/transactions.csv?from=${istDate(Date.now())}`, s.token);
  assert.equal(warm.status, 200);
  const pid = srv.proc.pid;
  const base = rss(pid);
  let peak = base, bytes = 0, lines = 0, samples = 0;
  const timer = setInterval(() => { peak = Math.max(peak, rss(pid)); samples++; }, 20);
  const t1 = Date.now();
  const res = await fetchGet(srv.url + '/api/v1/export/transactions.csv', { headers: { Authorization: `Bearer ${s.token}` } });
  assert.equal(res.status, 200);
  for await (const chunk of res.body) {
    bytes += chunk.length;
    for (let k = chunk.indexOf(10); k !== -1; k = chunk.indexOf(10, k + 1)) lines++;
  }
  clearInterval(timer);
  peak = Math.max(peak, rss(pid));
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  const growth = peak - base;
  const mb = (x) => (x / 1048576).toFixed(1);
  console.log(`# ${srv.backend}: ${BIG} entries seeded in ${seeded} ms, exported in ${Date.now() - t1} ms `
    + `(${mb(bytes)} MB, ${samples} RSS samples): VmRSS ${mb(base)} MB -> peak ${mb(peak)} MB, growth ${mb(growth)} MB `
    + `(after: RssAnon ${mb(kb('RssAnon'))} MB, RssFile ${mb(kb('RssFile'))} MB)`);
  assert.equal(lines, BIG + 1, 'every entry and the header');
  assert.ok(samples > 5, 'RSS was sampled during the stream');
  if (SANITIZED) {
    t.skip('RSS is not measured on a sanitizer build');
    return;
  }
  assert.ok(growth < 16 * 1048576, `RSS grew by ${mb(growth)} MB`);
});
