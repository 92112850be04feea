// rls.test.mjs — Row Level Security proven on the real migrated schema
// with real data (PostgreSQL only): every table with a tenant_id column
// has RLS enabled and forced (read from pg_class and pg_attribute, no
// exceptions: refresh_tokens too); connected with psql as the server's
// own role (quantumtrack_app), with no tenant set every tenant table is
// empty; with tenant A set no row of B is visible or writable; ledger
// entries and audit rows cannot be changed by that role at all (grants);
// a refresh token is found by hash only through a definer function that
// returns that one row.  tests/unit/test_db_pg.c proves the driver sets
// the tenant; the isolation matrix (isolation.test.mjs) proves the API on
// both backends; app_role.test.mjs what else the app role cannot do.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore, BACKEND } from '../lib/server.mjs';
import { psql, psqlError, adminUrlFor } from '../lib/psql.mjs';

const skip = BACKEND !== 'postgres' &&
  'Row Level Security is a PostgreSQL feature; on SQLite the store layer\'s scoping is proven by isolation.test.mjs';

let srv, A, B, appUrl, adminUrl, tenantTables, noAccessTables;

const asTenant = (tid, sql) => `BEGIN;\nSELECT set_config('app.tenant_id', '${tid}', true) \\g /dev/null\n${sql}\nCOMMIT;\n`;

async function populate() {
  const s = await newStore(srv);
  s.tid = JSON.parse(Buffer.from(s.token.split('.')[1], 'base64url').toString()).tid;
  const api = (m, p, body, headers) => srv.api(m, p, { token: s.token, body, headers });
  const c = await api('POST', '/api/v1/customers', { name: 'Resident', phone: '9876500001', apartment: '10101' });
  assert.equal(c.status, 201, c.text);
  s.customer = c.json.id;
  const t = await api('POST', '/api/v1/transactions', { customer_id: s.customer, type: 'purchase', amount_minor: 900 },
    { 'Idempotency-Key': 'k-' + s.slug });
  assert.equal(t.status, 201, t.text);
  s.entry = t.json.id;
  assert.equal((await api('POST', '/api/v1/apartments', { number: '10102', occupant_name: 'X' })).status, 201);
  return s;
}

before(async () => {
  if (skip) return;
  srv = await startServer({ backend: 'postgres' });
  A = await populate();
  B = await populate();
  const name = new URL(srv.db).pathname.slice(1);
  appUrl = srv.db;
  adminUrl = adminUrlFor(name);
  // Every ordinary or partitioned table with a live tenant_id column.
  tenantTables = psql(adminUrl, `SELECT c.relname FROM pg_class c
      JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
      WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
      ORDER BY 1`).map((r) => r[0]);
  // Tables the app role may not read at all (tenant_purges) are checked
  // for that instead of for their rows.
  noAccessTables = psql(adminUrl, tenantTables.map((t) =>
    `SELECT '${t}' WHERE NOT has_table_privilege('quantumtrack_app', '${t}', 'SELECT');`).join('\n')).map((r) => r[0]);
  tenantTables = tenantTables.filter((t) => !noAccessTables.includes(t));
});

after(async () => { await srv?.stop(); });

test('every tenant table has RLS enabled and forced, and the app role owns nothing and cannot bypass it', { skip }, () => {
  assert.ok(tenantTables.length + noAccessTables.length >= 9, `tenant tables: ${tenantTables} + ${noAccessTables}`);
  for (const t of ['customers', 'transactions', 'audit_log', 'apartments', 'idempotency_keys', 'memberships', 'refresh_tokens'])
    assert.ok(tenantTables.includes(t), `${t} missing from ${tenantTables}`);
  const flags = Object.fromEntries(psql(adminUrl, `SELECT relname, relrowsecurity, relforcerowsecurity
      FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')`).map(([n, e, f]) => [n, e + f]));
  for (const t of [...tenantTables, ...noAccessTables]) assert.equal(flags[t], 'tt', `${t}: RLS enabled+forced`);
  for (const t of noAccessTables)
    assert.match(psqlError(appUrl, `SELECT count(*) FROM ${t};`), /permission denied for table/, t);
  const [[owned, bypass, superuser]] = psql(appUrl, `SELECT
      (SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)),
      (SELECT rolbypassrls FROM pg_roles WHERE rolname = current_user),
      (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)`);
  assert.deepEqual([owned, bypass, superuser], ['0', 'f', 'f']);
});

test('with no tenant set, every tenant table shows zero rows to the app role', { skip }, () => {
  const counts = (url, pre = '') => psql(url, pre + tenantTables.map((t) => `SELECT '${t}', count(*) FROM ${t};`).join('\n'));
  // The rows exist (a superuser is not subject to RLS)...
  const real = Object.fromEntries(counts(adminUrl));
  for (const t of ['customers', 'transactions', 'audit_log', 'audit_heads', 'apartments', 'idempotency_keys', 'memberships', 'tenant_settings', 'refresh_tokens'])
    assert.ok(Number(real[t]) >= 2, `${t} should hold rows of both stores, has ${real[t]}`);
  // ...but the app role sees none of them without a tenant, nor with an
  // empty one, nor by switching on the owner's all-tenants flag.
  for (const pre of ['', "SET app.tenant_id = '';\n", "SET qt.all_tenants = 'on';\n"]) {
    for (const [t, n] of counts(appUrl, pre)) assert.equal(n, '0', `${t} with "${pre.trim()}" shows ${n} rows`);
  }
});

test('with tenant A set, no row of B is visible, and a B row cannot be written', { skip }, () => {
  const rows = psql(appUrl, asTenant(A.tid, tenantTables.map((t) =>
    `SELECT '${t}', count(*) FILTER (WHERE tenant_id = '${A.tid}'), count(*) FILTER (WHERE tenant_id <> '${A.tid}') FROM ${t};`).join('\n')));
  assert.equal(rows.length, tenantTables.length);
  for (const [t, mine, others] of rows) {
    assert.equal(others, '0', `${t}: ${others} rows of another tenant visible`);
    if (['customers', 'transactions', 'audit_log', 'apartments', 'idempotency_keys', 'memberships', 'refresh_tokens'].includes(t))
      assert.ok(Number(mine) > 0, `${t}: A's own rows must be visible (${mine})`);
  }
  // Asked for by id.
  const [[byId]] = psql(appUrl, asTenant(A.tid, `SELECT count(*) FROM customers WHERE id = '${B.customer}';`));
  assert.equal(byId, '0');

  const now = Date.now();
  const denied = /row-level security policy/;
  assert.match(psqlError(appUrl, asTenant(A.tid,
    `INSERT INTO customers (tenant_id, id, name, phone, last_activity_at, created_at, updated_at)
     VALUES ('${B.tid}', gen_random_uuid(), 'Intruder', '+919000000009', ${now}, ${now}, ${now});`)), denied);
  assert.match(psqlError(appUrl, asTenant(A.tid,
    `INSERT INTO transactions (tenant_id, id, customer_id, type, amount_minor, effect_minor, occurred_at, created_at, created_by, balance_after_minor)
     VALUES ('${B.tid}', gen_random_uuid(), '${B.customer}', 'purchase', 1, 1, ${now}, ${now}, 'x', 1);`)), denied);
  assert.match(psqlError(appUrl, asTenant(A.tid,
    `INSERT INTO audit_log (tenant_id, seq, id, actor_id, actor_role, action, entity, entity_id, request_id, client_ip, created_at, prev_hash, hash)
     VALUES ('${B.tid}', 999, gen_random_uuid(), 'x', 'x', 'x', 'x', 'x', '', '', ${now}, '', '');`)), denied);
  assert.match(psqlError(appUrl, asTenant(A.tid,
    `INSERT INTO idempotency_keys (tenant_id, key, request_hash, created_at) VALUES ('${B.tid}', 'k', 'h', ${now});`)), denied);
  // Moving A's own row into B is refused by WITH CHECK.
  assert.match(psqlError(appUrl, asTenant(A.tid,
    `UPDATE customers SET tenant_id = '${B.tid}' WHERE id = '${A.customer}';`)), denied);
  // Without a tenant, nothing can be inserted at all.
  assert.match(psqlError(appUrl,
    `INSERT INTO customers (tenant_id, id, name, phone, last_activity_at, created_at, updated_at)
     VALUES ('${B.tid}', gen_random_uuid(), 'Intruder', '+919000000009', ${now}, ${now}, ${now});`), denied);
  // UPDATE and DELETE of B's rows find nothing to change.
  const changed = psql(appUrl, asTenant(A.tid, `
    WITH u AS (UPDATE customers SET notes = 'hacked' WHERE tenant_id = '${B.tid}' RETURNING 1) SELECT count(*) FROM u;
    WITH d AS (DELETE FROM apartments WHERE tenant_id = '${B.tid}' RETURNING 1) SELECT count(*) FROM d;
    WITH d AS (DELETE FROM idempotency_keys WHERE tenant_id = '${B.tid}' RETURNING 1) SELECT count(*) FROM d;`));
  assert.deepEqual(changed, [['0'], ['0'], ['0']]);
  const [[notes]] = psql(adminUrl, `SELECT '[' || notes || ']' FROM customers WHERE id = '${B.customer}'`);
  assert.equal(notes, '[]');
});

test('ledger entries and audit rows cannot be updated or deleted by the app role, even its own tenant\'s', { skip }, () => {
  const perm = /permission denied for table/;
  for (const sql of [
    `UPDATE transactions SET amount_minor = 1 WHERE id = '${A.entry}';`,
    `DELETE FROM transactions WHERE id = '${A.entry}';`,
    'UPDATE audit_log SET action = \'x\';',
    'DELETE FROM audit_log;',
    'TRUNCATE transactions;',
    'TRUNCATE audit_log;',
  ]) assert.match(psqlError(appUrl, asTenant(A.tid, sql)), perm, sql);
  const grants = psql(adminUrl, `SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type)
      FROM information_schema.role_table_grants WHERE grantee = 'quantumtrack_app'
      AND table_name IN ('transactions', 'audit_log') GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(grants, [['audit_log', 'INSERT,SELECT'], ['transactions', 'INSERT,SELECT']]);
  const [[n]] = psql(adminUrl, `SELECT count(*) FROM transactions WHERE id = '${A.entry}' AND amount_minor = 900`);
  assert.equal(n, '1');
});

test('the tenant setting ends with its transaction (safe behind a transaction pooler)', { skip }, () => {
  const rows = psql(appUrl, `${asTenant(A.tid, 'SELECT count(*) FROM customers;')}
    SELECT count(*) FROM customers;
    SELECT '[' || coalesce(current_setting('app.tenant_id', true), '') || ']';`);
  assert.deepEqual(rows, [['1'], ['0'], ['[]']]);
});

test('a refresh token row cannot be written for another tenant, nor an operator session minted through it', { skip }, () => {
  const now = Date.now();
  const denied = /row-level security policy/;
  const [[opId]] = psql(adminUrl, `INSERT INTO operators (id, email, name, password_hash, created_at)
      VALUES (gen_random_uuid(), 'rls-op-${now}@platform.example', 'X', 'x', ${now}) RETURNING id;`);
  const row = (tid) => `INSERT INTO refresh_tokens (token_hash, family_id, subject_id, tenant_id, expires_at, created_at)
      VALUES (md5(random()::text), gen_random_uuid(), '${opId}', ${tid}, ${now + 86400000}, ${now});`;
  // No tenant, B's tenant while A is set, or no tenant_id at all: refused.
  assert.match(psqlError(appUrl, row(`'${A.tid}'`)), denied);
  assert.match(psqlError(appUrl, asTenant(A.tid, row(`'${B.tid}'`))), denied);
  assert.match(psqlError(appUrl, asTenant(A.tid, row('NULL'))), /row-level security policy|null value/);
  // The old way to mint an operator session (is_operator = 1) is gone.
  assert.match(psqlError(appUrl, asTenant(A.tid,
    `INSERT INTO refresh_tokens (token_hash, family_id, subject_id, tenant_id, is_operator, expires_at, created_at)
     VALUES ('x', gen_random_uuid(), '${opId}', '${A.tid}', 1, ${now + 86400000}, ${now});`)), /column "is_operator".*does not exist/);
  // Changing whose token it is, or moving it to B, is refused too.
  assert.match(psqlError(appUrl, asTenant(A.tid, `UPDATE refresh_tokens SET subject_id = '${opId}';`)), /permission denied/);
  assert.match(psqlError(appUrl, asTenant(A.tid, `UPDATE refresh_tokens SET tenant_id = '${B.tid}';`)), /permission denied/);
  assert.match(psqlError(appUrl, asTenant(A.tid, 'DELETE FROM refresh_tokens;')), /permission denied/);
});

test('lookup by hash before the tenant is known returns that one row only, through a definer function', { skip }, () => {
  const [[hash, tid]] = psql(adminUrl, `SELECT token_hash, tenant_id FROM refresh_tokens WHERE tenant_id = '${A.tid}' LIMIT 1`);
  assert.equal(tid, A.tid);
  const rows = psql(appUrl, `SELECT token_hash, tenant_id FROM qt_refresh_token('${hash}');`);
  assert.deepEqual(rows, [[hash, A.tid]]);
  // Nothing for an unknown hash, nothing for a pattern, and the
  // all-tenants switch it flips is back off afterwards.
  assert.deepEqual(psql(appUrl, `SELECT count(*) FROM qt_refresh_token('nope');`), [['0']]);
  assert.deepEqual(psql(appUrl, `SELECT count(*) FROM qt_refresh_token('%');`), [['0']]);
  assert.deepEqual(psql(appUrl, `BEGIN;
    SELECT count(*) FROM qt_refresh_token('${hash}');
    SELECT count(*) FROM refresh_tokens;
    SELECT '[' || coalesce(current_setting('qt.all_tenants', true), '') || ']';
    COMMIT;`), [['1'], ['0'], ['[]']]);
});
