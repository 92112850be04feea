// The audit trail (every ledger change, hash-chained, admin-only reading,
// filters) and `quantumtrack verify` (balances vs entries, audit chains),
// including tampering with the SQLite file behind the server's back.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, newStore, BACKEND } from '../lib/server.mjs';
import { customer, purchase, payment, tokenFor, assertProblem } from '../lib/ledger.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const audit = (token, qs = '') => srv.api('GET', `/api/v1/audit?${qs}`, { token });
const istDate = (ms) => new Date(ms + 5.5 * 3600000).toISOString().slice(0, 10);

// Run SQL against the server's database directly, outside the API.
// Returns {code, out}.
function rawSql(sql, { dbFile } = {}) {
  try {
    const out = BACKEND === 'postgres'
      ? execFileSync('psql', [srv.db, '-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: 'pipe' })
      : execFileSync('sqlite3', [dbFile || srv.db.slice('sqlite:'.length), sql], { stdio: 'pipe' });
    return { code: 0, out: out.toString() };
  } catch (e) {
    return { code: e.status, out: String(e.stderr || '') };
  }
}

test('every_ledger_change_writes_an_audit_row_with_actor_role_request_and_a_linked_hash_chain', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token, { name: 'Audited' });
  const upd = await srv.api('PATCH', `/api/v1/customers/${c.id}`, { token: s.token, body: { notes: 'VIP' } });
  assert.equal(upd.status, 200);
  const p = await purchase(srv, s.token, c.id, 700);
  const rev = await srv.api('POST', `/api/v1/transactions/${p.id}/reverse`, { token: s.token, body: { reason: 'mistake' } });
  assert.equal(rev.status, 201);
  const del = await srv.api('DELETE', `/api/v1/customers/${c.id}`, { token: s.token });
  assert.equal(del.status, 200);
  const r = await audit(s.token, 'limit=200');
  assert.equal(r.status, 200, r.text);
  const mine = r.json.data.filter((a) => a.entity === 'customer' || a.entity === 'transaction');
  assert.deepEqual(mine.map((a) => a.action),
    ['customer.archived', 'transaction.reversed', 'transaction.created', 'customer.updated', 'customer.created']);
  const userId = s.session.user.id;
  for (const a of mine) {
    assert.equal(a.actor_id, userId);
    assert.equal(a.actor_role, 'owner');
    assert.equal(a.client_ip, '127.0.0.1');
    assert.match(a.request_id, /^[0-9a-f-]{36}$/);
    assert.match(a.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  }
  assert.equal(mine[0].request_id, del.headers.get('x-request-id'));
  assert.equal(mine[3].before.notes, '');
  assert.equal(mine[3].after.notes, 'VIP');
  assert.equal(mine[0].before.status, 'active');
  assert.equal(mine[0].after.status, 'archived');
  assert.equal(mine[1].entity_id, rev.json.id);
  assert.equal(mine[1].after.reverses_id, p.id);
  // newest first, seq strictly decreasing by one, each row linked to the one before
  const rows = r.json.data;
  for (let i = 0; i + 1 < rows.length; i++) {
    assert.equal(rows[i].seq, rows[i + 1].seq + 1);
    assert.equal(rows[i].prev_hash, rows[i + 1].hash);
    assert.match(rows[i].hash, /^[0-9a-f]{64}$/);
  }
  assert.equal(rows[rows.length - 1].seq, 1);
  assert.equal(rows[rows.length - 1].prev_hash, '0'.repeat(64));
});

test('audit_list_filters_entity_entity_id_actor_from_to_and_pages', async () => {
  const s = await newStore(srv);
  const admin = await tokenFor(srv, s, 'admin');
  const adminId = (await srv.api('GET', '/api/v1/auth/me', { token: admin })).json.user.id;
  const c1 = await customer(srv, s.token);
  const c2 = await customer(srv, admin);
  await purchase(srv, admin, c1.id, 100);
  await purchase(srv, s.token, c2.id, 100);
  const get = async (qs) => { const r = await audit(s.token, qs); assert.equal(r.status, 200, r.text); return r.json.data; };
  assert.ok((await get('entity=customer')).every((a) => a.entity === 'customer'));
  assert.equal((await get('entity=customer')).length, 2);
  assert.deepEqual((await get(`entity=customer&entity_id=${c2.id}`)).map((a) => a.action), ['customer.created']);
  const byAdmin = await get(`actor=${adminId}`);
  assert.deepEqual(byAdmin.map((a) => `${a.action}`), ['transaction.created', 'customer.created']);
  assert.ok(byAdmin.every((a) => a.actor_role === 'admin'));
  const today = istDate(Date.now());
  const total = (await get('limit=200')).length;
  assert.equal((await get(`from=${today}&to=${today}&limit=200`)).length, total);
  assert.equal((await get(`from=${istDate(Date.now() + 86400000)}`)).length, 0);
  assert.equal((await get(`to=${istDate(Date.now() - 86400000)}`)).length, 0);
  assert.equal((await audit(s.token, 'from=2026-13-01')).status, 400);
  // pages
  const seen = [];
  let cursor = null;
  do {
    const r = await audit(s.token, `limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...r.json.data.map((a) => a.seq));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.equal(seen.length, total);
  assert.deepEqual(seen, [...seen].sort((a, b) => b - a));
  assert.equal(new Set(seen).size, total);
});

test('audit_is_admin_only_and_per_store', async () => {
  const s = await newStore(srv);
  const other = await newStore(srv);
  await customer(srv, s.token);
  assertProblem(await audit(await tokenFor(srv, s, 'member')), 403, 'forbidden');
  assertProblem(await audit(await tokenFor(srv, s, 'viewer')), 403, 'forbidden');
  assert.equal((await audit(await tokenFor(srv, s, 'admin'))).status, 200);
  const theirs = await audit(other.token, 'entity=customer');
  assert.equal(theirs.json.data.length, 0);
});

test('entries_and_audit_rows_cannot_be_changed_or_deleted_through_the_database', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const p = await purchase(srv, s.token, c.id, 100);
  const seq = (await audit(s.token)).json.data[0].id;
  for (const sql of [
    `UPDATE transactions SET amount_minor = 1 WHERE id = '${p.id}'`,
    `DELETE FROM transactions WHERE id = '${p.id}'`,
    `UPDATE audit_log SET after_json = '{}' WHERE id = '${seq}'`,
    `DELETE FROM audit_log WHERE id = '${seq}'`,
  ]) {
    const r = rawSql(sql);
    assert.notEqual(r.code, 0, `${sql} was allowed`);
  }
  const g = await srv.api('GET', `/api/v1/transactions/${p.id}`, { token: s.token });
  assert.equal(g.json.amount_minor, 100);
  assert.equal(srv.cli(['verify']).code, 0);
});

test('verify_passes_on_the_demo_store_and_on_a_busy_store', async () => {
  const d = srv.cli(['demo']);
  assert.equal(d.code, 0, d.stderr);
  const s = await newStore(srv);
  const c = await customer(srv, s.token, { credit_limit_minor: 100000 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 4 ? purchase : payment)(srv, s.token, c.id, 100 + i)));
  const v = srv.cli(['verify']);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /quantumtrack: ok/);
  assert.match(v.stdout, new RegExp(`${s.slug}: ok`));
  assert.equal(srv.cli(['verify', '--tenant', 'quantumtrack']).code, 0);
  assert.equal(srv.cli(['verify', '--tenant', 'no-such-store']).code, 1);
});

// ---- tampering with the SQLite file (SQLite only: the PostgreSQL app role
// cannot UPDATE these tables at all, which the test above checks) ----

async function tamperedStore(t) {
  if (BACKEND !== 'sqlite') {
    t.skip('edits the SQLite file directly; on PostgreSQL the app role has no UPDATE on the ledger tables');
    return null;
  }
  const own = await startServer({ backend: 'sqlite' });
  const s = await newStore(own);
  const bystander = await newStore(own);
  const c = await customer(own, s.token, { name: 'Tampered Customer' });
  await purchase(own, s.token, c.id, 5000);
  await payment(own, s.token, c.id, 1200);
  await customer(own, bystander.token);
  assert.equal(own.cli(['verify']).code, 0);
  await own.stop({ keep: true });
  return { own, s, bystander, c, file: own.db.slice('sqlite:'.length) };
}

test('verify_fails_and_names_the_customer_when_a_balance_is_edited_in_the_sqlite_file', async (t) => {
  const x = await tamperedStore(t);
  if (!x) return;
  try {
    assert.equal(rawSql(`UPDATE customers SET balance_minor = balance_minor + 1 WHERE id = '${x.c.id}'`, { dbFile: x.file }).code, 0);
    const v = x.own.cli(['verify']);
    assert.equal(v.code, 1, v.stdout);
    assert.match(v.stdout, new RegExp(`customer ${x.c.id} \\(Tampered Customer\\): stored balance 3801, entries sum to 3800`));
    // the other store is unaffected
    assert.equal(x.own.cli(['verify', '--tenant', x.bystander.slug]).code, 0);
    assert.equal(x.own.cli(['verify', '--tenant', x.s.slug]).code, 1);
  } finally {
    await x.own.stop();
  }
});

test('verify_fails_and_names_the_entry_when_an_entry_is_edited_in_the_sqlite_file', async (t) => {
  const x = await tamperedStore(t);
  if (!x) return;
  try {
    const sql = "DROP TRIGGER transactions_immutable; " +
      `UPDATE transactions SET amount_minor = 1 WHERE customer_id = '${x.c.id}' AND type = 'payment';`;
    assert.equal(rawSql(sql, { dbFile: x.file }).code, 0);
    const v = x.own.cli(['verify']);
    assert.equal(v.code, 1, v.stdout);
    assert.match(v.stdout, /MISMATCH entry [0-9a-f-]{36} \(payment, amount 1\): recorded effect -1200, expected -1/);
  } finally {
    await x.own.stop();
  }
});

test('verify_fails_and_names_the_seq_when_an_audit_row_is_edited_in_the_sqlite_file', async (t) => {
  const x = await tamperedStore(t);
  if (!x) return;
  try {
    const row = rawSql(`SELECT seq FROM audit_log WHERE entity = 'transaction' AND after_json LIKE '%"payment"%' AND tenant_id = (SELECT id FROM tenants WHERE slug = '${x.s.slug}')`, { dbFile: x.file });
    const seq = Number(row.out.trim());
    assert.ok(seq > 0, row.out);
    const sql = 'DROP TRIGGER audit_log_immutable; ' +
      `UPDATE audit_log SET after_json = replace(after_json, '"amount_minor":1200', '"amount_minor":12') WHERE seq = ${seq} AND tenant_id = (SELECT id FROM tenants WHERE slug = '${x.s.slug}');`;
    assert.equal(rawSql(sql, { dbFile: x.file }).code, 0);
    const v = x.own.cli(['verify']);
    assert.equal(v.code, 1, v.stdout);
    assert.match(v.stdout, new RegExp(`${x.s.slug}: AUDIT CHAIN BROKEN audit row seq ${seq} .*content does not match its hash`));
    assert.match(v.stdout, new RegExp(`${x.bystander.slug}: ok`));
  } finally {
    await x.own.stop();
  }
});

test('verify_fails_and_names_the_missing_seq_when_an_audit_row_is_deleted_from_the_sqlite_file', async (t) => {
  const x = await tamperedStore(t);
  if (!x) return;
  try {
    const tid = `(SELECT id FROM tenants WHERE slug = '${x.s.slug}')`;
    const last = Number(rawSql(`SELECT MAX(seq) FROM audit_log WHERE tenant_id = ${tid}`, { dbFile: x.file }).out.trim());
    // deleting the newest row leaves a consistent chain: only the chain head can tell
    assert.equal(rawSql(`DROP TRIGGER audit_log_append_only; DELETE FROM audit_log WHERE tenant_id = ${tid} AND seq = ${last};`, { dbFile: x.file }).code, 0);
    const v = x.own.cli(['verify']);
    assert.equal(v.code, 1, v.stdout);
    assert.match(v.stdout, new RegExp(`AUDIT CHAIN BROKEN audit log ends at seq ${last - 1} but the chain head says ${last}`));
    // deleting a middle row breaks the sequence
    assert.equal(rawSql(`DELETE FROM audit_log WHERE tenant_id = ${tid} AND seq = 2;`, { dbFile: x.file }).code, 0);
    const v2 = x.own.cli(['verify']);
    assert.equal(v2.code, 1);
    assert.match(v2.stdout, /audit row seq 2 missing/);
  } finally {
    await x.own.stop();
  }
});
