// app_role.test.mjs — what the server's own PostgreSQL role
// (quantumtrack_app) cannot do with plain SQL, tried as an attacker holding
// its password would (PostgreSQL only; SQLite has no roles).
//
// The audit's attack: create a temporary table `tenants` saying an active
// store is suspended, so that the SECURITY DEFINER purge function, whose
// search_path left pg_temp first, reads it and wipes the store, audit trail
// included.  Also: suspend a store with UPDATE, change plans, add an
// operator, mint an operator session.  Each attempt must fail and leave
// every row as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, newStore, BACKEND, BIN } from '../lib/server.mjs';
import { newOperator, jwtParts } from '../lib/foundation.mjs';
import { psql, psqlError, adminUrlFor } from '../lib/psql.mjs';

const skip = BACKEND !== 'postgres' && 'database roles are a PostgreSQL feature';
const P = '/api/v1/platform';
const NEEDS = /needs the database owner role or a live operator session/;

let srv, appUrl, adminUrl, dbName, op, sid, victim, parked;

async function populate() {
  const s = await newStore(srv);
  s.tid = jwtParts(s.token).payload.tid;
  const api = (m, p, body, headers) => srv.api(m, p, { token: s.token, body, headers });
  const c = await api('POST', '/api/v1/customers', { name: 'Resident', phone: '9876500001', apartment: '10101' });
  assert.equal(c.status, 201, c.text);
  const t = await api('POST', '/api/v1/transactions', { customer_id: c.json.id, type: 'purchase', amount_minor: 900 });
  assert.equal(t.status, 201, t.text);
  return s;
}

// Everything a purge or a status change would touch, read as a superuser.
function snapshot(tid) {
  return psql(adminUrl, `SELECT
    (SELECT status || ':' || plan || ':' || coalesce(domain, '') || ':' || name FROM tenants WHERE id = '${tid}'),
    (SELECT count(*) FROM customers WHERE tenant_id = '${tid}'),
    (SELECT count(*) FROM transactions WHERE tenant_id = '${tid}'),
    (SELECT count(*) FROM audit_log WHERE tenant_id = '${tid}'),
    (SELECT seq || ':' || hash FROM audit_heads WHERE tenant_id = '${tid}'),
    (SELECT count(*) FROM memberships WHERE tenant_id = '${tid}'),
    (SELECT count(*) FROM tenant_settings WHERE tenant_id = '${tid}'),
    (SELECT count(*) FROM refresh_tokens WHERE tenant_id = '${tid}')`)[0];
}

function platformSnapshot() {
  return psql(adminUrl, `SELECT
    (SELECT md5(string_agg(p::text, ',' ORDER BY name)) FROM plans p),
    (SELECT md5(string_agg(o::text, ',' ORDER BY id)) FROM operators o),
    (SELECT md5(coalesce(string_agg(s::text, ',' ORDER BY token_hash), '')) FROM operator_sessions s),
    (SELECT md5(string_agg(t::text, ',' ORDER BY id)) FROM tenants t)`)[0];
}

before(async () => {
  if (skip) return;
  srv = await startServer({ backend: 'postgres' });
  appUrl = srv.db;
  dbName = new URL(srv.db).pathname.slice(1);
  adminUrl = adminUrlFor(dbName);
  op = await newOperator(srv);
  sid = jwtParts(op.token).payload.sid;
  victim = await populate();
  // A store the operator has suspended: purgeable, but only by the operator.
  parked = await populate();
  const r = await srv.api('PATCH', `${P}/tenants/${parked.tid}`, { token: op.token, body: { status: 'suspended' } });
  assert.equal(r.status, 200, r.text);
});

after(async () => { await srv?.stop(); });

test('the app role cannot create temporary tables', { skip }, () => {
  assert.match(psqlError(appUrl, 'CREATE TEMP TABLE tenants (id uuid, status text);'),
    /permission denied to create temporary tables/);
  const [[app, pub]] = psql(adminUrl, `SELECT has_database_privilege('quantumtrack_app', current_database(), 'TEMP'),
      (SELECT count(*) FROM pg_database d, aclexplode(d.datacl) a
       WHERE d.datname = current_database() AND a.grantee = 0 AND a.privilege_type = 'TEMPORARY')`);
  assert.deepEqual([app, pub], ['f', '0']);
});

test('every function of the schema runs with pg_temp last in its search_path', { skip }, () => {
  const rows = psql(adminUrl, `SELECT p.proname, p.prosecdef, coalesce(array_to_string(p.proconfig, ';'), '')
      FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace ORDER BY 1`);
  const definers = rows.filter(([, d]) => d === 't').map(([n]) => n);
  for (const f of ['qt_purge_tenant', 'qt_tenant_usage', 'qt_user_memberships', 'qt_tenant_update', 'qt_operator_login',
    'qt_plan_create', 'qt_plan_update', 'qt_plan_delete', 'qt_platform_audit_head', 'qt_platform_audit_append',
    'qt_usage_storage', 'qt_usage_requests', 'qt_usage_month'])
    assert.ok(definers.includes(f), `${f} missing from ${definers}`);
  for (const [name, , config] of rows)
    assert.equal(config, 'search_path=pg_catalog, public, pg_temp', name);
});

test('the temp-table attack on the purge function fails even with TEMP granted back and a live operator session', { skip }, () => {
  const before = snapshot(victim.tid);
  assert.equal(before[0].split(':')[0], 'active');
  // Put back what the audit found (TEMP for the app role), so that this
  // proves the definer functions themselves cannot be misled.
  psql(adminUrl, `GRANT TEMPORARY ON DATABASE ${dbName} TO quantumtrack_app;`);
  try {
    // The shadow tables are the app role's, so it lets the owner (whom
    // the definer functions run as) read and change them.
    const shadow = `CREATE TEMP TABLE tenants (id uuid, status text);
      INSERT INTO pg_temp.tenants VALUES ('${victim.tid}', 'suspended');
      GRANT ALL ON pg_temp.tenants TO PUBLIC;
      CREATE TEMP TABLE tenant_purges (tenant_id uuid);
      INSERT INTO pg_temp.tenant_purges VALUES ('${victim.tid}');
      GRANT ALL ON pg_temp.tenant_purges TO PUBLIC;
      SET search_path = pg_temp, public;`;
    // Without a session: refused before anything is read.  (Before the
    // fix this wiped the store's audit trail, members and ledger.)
    assert.match(psqlError(appUrl, `${shadow}\nSELECT qt_purge_tenant('${victim.tid}');`), NEEDS);
    assert.deepEqual(snapshot(victim.tid), before);
    // With the operator's live session bound: the store is active in the
    // real tenants table, so the purge is refused.
    assert.match(sid, /^[0-9a-f-]{36}$/, 'operator tokens carry their session id');
    assert.match(psqlError(appUrl, `BEGIN;\n${shadow}
      SELECT count(*) FROM qt_operator_session('${sid}');
      SELECT qt_purge_tenant('${victim.tid}');\nCOMMIT;`), /only a suspended tenant can be deleted/);
    // Nor can the shadow table let the app role delete ledger rows directly.
    assert.match(psqlError(appUrl, `${shadow}\nSELECT set_config('app.tenant_id', '${victim.tid}', false);
      DELETE FROM transactions;`), /permission denied for table transactions/);
  } finally {
    psql(adminUrl, `REVOKE TEMPORARY ON DATABASE ${dbName} FROM quantumtrack_app;`);
  }
  assert.deepEqual(snapshot(victim.tid), before);
});

test('plain SQL cannot suspend, re-plan or delete a store, nor touch plans, operators or their sessions', { skip }, () => {
  const before = snapshot(victim.tid);
  const platform = platformSnapshot();
  const now = Date.now();
  const perm = /permission denied for (table|relation)/;
  for (const sql of [
    `UPDATE tenants SET status = 'suspended' WHERE id = '${victim.tid}';`,
    `UPDATE tenants SET plan = 'enterprise' WHERE id = '${victim.tid}';`,
    `UPDATE tenants SET domain = 'evil.example' WHERE id = '${victim.tid}';`,
    `INSERT INTO tenants (id, slug, name, plan, status, created_at, updated_at)
       VALUES (gen_random_uuid(), 'evil', 'Evil', 'free', 'active', ${now}, ${now});`,
    `DELETE FROM tenants WHERE id = '${parked.tid}';`,
    'TRUNCATE tenants CASCADE;',
    `INSERT INTO plans VALUES ('unlimited', NULL, NULL, NULL, '[]', ${now}, ${now});`,
    'UPDATE plans SET customer_limit = NULL;',
    `DELETE FROM plans WHERE name = 'free';`,
    'SELECT password_hash FROM operators;',
    `INSERT INTO operators (id, email, name, password_hash, created_at)
       VALUES (gen_random_uuid(), 'evil@platform.example', 'Evil', 'x', ${now});`,
    `UPDATE operators SET password_hash = 'x';`,
    'SELECT * FROM operator_sessions;',
    `INSERT INTO operator_sessions (token_hash, family_id, operator_id, expires_at, created_at)
       VALUES ('x', gen_random_uuid(), '${op.session.operator.id}', ${now + 86400000}, ${now});`,
    'UPDATE operator_sessions SET revoked_at = NULL;',
    `INSERT INTO tenant_purges VALUES ('${victim.tid}');`,
  ]) assert.match(psqlError(appUrl, sql), perm, sql);
  // Inside the victim's own tenant context, too.
  assert.match(psqlError(appUrl, `BEGIN; SELECT set_config('app.tenant_id', '${victim.tid}', true);
    UPDATE tenants SET status = 'suspended' WHERE id = '${victim.tid}'; COMMIT;`), perm);
  assert.deepEqual(snapshot(victim.tid), before);
  assert.deepEqual(platformSnapshot(), platform);
});

test('the definer functions refuse platform changes without a live operator session', { skip }, async () => {
  const before = snapshot(victim.tid);
  const parkedBefore = snapshot(parked.tid);
  // An operator who signed out: their session id proves nothing any more.
  const gone = await newOperator(srv);
  const goneSid = jwtParts(gone.token).payload.sid;
  assert.equal((await srv.api('POST', `${P}/auth/logout`, { body: { refresh_token: gone.session.refresh_token } })).status, 204);
  const platform = platformSnapshot();
  const calls = [
    `SELECT qt_tenant_update('${victim.tid}', NULL, 'suspended', NULL, 0, 0);`,
    `SELECT qt_tenant_update('${victim.tid}', 'enterprise', NULL, NULL, 0, 0);`,
    `SELECT qt_purge_tenant('${parked.tid}');`,
    `SELECT qt_tenant_create(gen_random_uuid(), 'evil', 'Evil', NULL, 'free', 0);`,
  ];
  for (const pre of ['', `SET qt.operator_session = '${goneSid}';`,
    `SET qt.operator_session = '${crypto.randomUUID()}';`, "SET qt.operator_session = 'garbage';"]) {
    for (const sql of calls) assert.match(psqlError(appUrl, `${pre}\n${sql}`), NEEDS, `${pre} ${sql}`);
  }
  // The ended session cannot be bound either.
  assert.deepEqual(psql(appUrl, `SELECT count(*) FROM qt_operator_session('${goneSid}');`), [['0']]);
  assert.deepEqual(snapshot(victim.tid), before);
  assert.deepEqual(snapshot(parked.tid), parkedBefore);
  assert.deepEqual(platformSnapshot(), platform);
});

test('plans, the platform audit trail and every store\'s usage are out of reach without a live operator session', { skip }, async () => {
  // Another operator first (an idle keep-alive connection is closed by
  // the server's head deadline while the SQL below runs).
  const other = await newOperator(srv);
  const platform = platformSnapshot();
  const trail = () => psql(adminUrl, 'SELECT count(*), max(seq), (SELECT hash FROM platform_audit_head) FROM platform_audit_log')[0];
  const before = trail();
  const perm = /permission denied for (table|relation)/;
  const now = Date.now();
  for (const sql of [
    `INSERT INTO platform_audit_log (seq, id, actor_id, actor_role, action, entity, entity_id, request_id, client_ip, created_at, prev_hash, hash)
       VALUES (999, gen_random_uuid(), 'x', 'operator', 'plan.deleted', 'plan', 'free', '', '', ${now}, '', '');`,
    'UPDATE platform_audit_log SET action = \'x\';',
    'DELETE FROM platform_audit_log;',
    'UPDATE platform_audit_head SET seq = 0;',
  ]) assert.match(psqlError(appUrl, sql), perm, sql);
  const append = (actor) => `SELECT qt_platform_audit_append(
      (SELECT seq + 1 FROM qt_platform_audit_head()), gen_random_uuid(), '${actor}', 'operator', 'plan.deleted', 'plan', 'free',
      NULL, NULL, '', '', ${now}, (SELECT hash FROM platform_audit_head), 'f00d');`;
  const calls = [
    `SELECT qt_plan_create('evil', NULL, 1, NULL, '["ledger"]', ${now});`,
    `SELECT qt_plan_update('free', NULL, 51200, NULL, '["ledger","reports","api_keys"]', ${now});`,
    "SELECT qt_plan_delete('free');",
    'SELECT * FROM qt_platform_audit_head();',
    append(op.session.operator.id),
    'SELECT count(*) FROM qt_usage_requests(0, 0);',
    'SELECT count(*) FROM qt_usage_storage();',
    'SELECT count(*) FROM qt_usage_month(0, 0, 0, 0);',
  ];
  for (const pre of ['', `SET qt.operator_session = '${crypto.randomUUID()}';`, "SET qt.operator_session = 'garbage';"])
    for (const sql of calls) assert.match(psqlError(appUrl, `${pre}\n${sql}`), NEEDS, `${pre} ${sql}`);
  // With the operator's live session bound, the trail still takes rows in
  // that operator's name only.
  assert.match(psqlError(appUrl, `BEGIN;\nSELECT count(*) FROM qt_operator_session('${sid}');\n${append(other.session.operator.id)}\nCOMMIT;`),
    /a platform audit row names the signed-in operator/);
  // The app role may read the trail (the operator's list, verify), and
  // its own store's request counts only.
  assert.deepEqual(psql(appUrl, 'SELECT count(*) > 0 FROM platform_audit_log;'), [['t']]);
  assert.deepEqual(psql(appUrl, 'SELECT count(*) FROM request_counts_day;'), [['0']]);
  assert.deepEqual(platformSnapshot()[0], platform[0], 'plans unchanged');
  assert.deepEqual(trail(), before, 'no row was added');
});

test('operator sign-in functions give out no password hash and open no session without the password', { skip }, () => {
  const [[stored]] = psql(adminUrl, `SELECT password_hash FROM operators WHERE email = '${op.email}'`);
  const [[settings]] = psql(appUrl, `SELECT qt_operator_password_settings('${op.email}');`);
  // The settings are the stored hash minus the hash itself.
  assert.ok(stored.startsWith(settings) && settings.endsWith('$'), settings);
  assert.ok(stored.length - settings.length >= 43);
  assert.deepEqual(psql(appUrl, "SELECT count(*) FROM qt_operator_password_settings('nobody@platform.example') s WHERE s IS NOT NULL;"), [['0']]);
  const sessions = platformSnapshot()[2];
  const now = Date.now();
  for (const computed of [settings, settings + 'A'.repeat(43), '', stored.slice(0, -1)]) {
    assert.deepEqual(psql(appUrl, `SELECT count(*) FROM qt_operator_login('${op.email}', '${computed}', 'h-${computed.length}',
        gen_random_uuid(), ${now + 86400000});`), [['0']], computed);
  }
  assert.equal(platformSnapshot()[2], sessions);
  // A refresh or sign-out needs a token the app role has never seen.
  assert.deepEqual(psql(appUrl, "SELECT outcome FROM qt_operator_refresh('not-a-token', 'x', 0);"), [['invalid']]);
});

test('the app role holds only the grants the server needs on platform tables', { skip }, () => {
  const grants = psql(adminUrl, `SELECT table_name, string_agg(privilege_type, ',' ORDER BY privilege_type)
      FROM information_schema.role_table_grants WHERE grantee = 'quantumtrack_app'
      AND table_name IN ('plans', 'tenants', 'operators', 'operator_sessions', 'refresh_tokens', 'tenant_purges',
        'platform_audit_log', 'platform_audit_head')
      GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(grants, [['plans', 'SELECT'], ['platform_audit_head', 'SELECT'], ['platform_audit_log', 'SELECT'],
    ['refresh_tokens', 'INSERT,SELECT'], ['tenants', 'SELECT']]);
  const columns = psql(adminUrl, `SELECT table_name, string_agg(column_name, ',' ORDER BY column_name)
      FROM information_schema.column_privileges WHERE grantee = 'quantumtrack_app' AND privilege_type = 'UPDATE'
      AND table_name IN ('tenants', 'refresh_tokens') GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(columns, [['refresh_tokens', 'revoked_at,used_at'], ['tenants', 'name,updated_at']]);
  const [[member]] = psql(adminUrl, `SELECT pg_has_role('quantumtrack_app', (SELECT relowner FROM pg_class
      WHERE oid = 'public.tenants'::regclass), 'MEMBER')`);
  assert.equal(member, 'f');
});

test('the CLI run as the app role says it needs the owner role and changes nothing; as the owner it works', { skip }, () => {
  const before = snapshot(victim.tid);
  const platform = platformSnapshot();
  const asApp = { ownerRole: false, input: 'operator-password-1\n' };
  for (const args of [
    ['tenant', 'suspend', victim.slug],
    ['tenant', 'delete', parked.slug],
    ['tenant', 'create', '--slug', 'evil-store', '--name', 'Evil', '--owner-email', victim.email],
    ['operator', 'add', '--email', 'evil@platform.example', '--password-stdin'],
    ['demo'],
  ]) {
    const r = srv.cli(args, asApp);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stdout} ${r.stderr}`);
    assert.match(r.stderr, /needs the database owner role; on PostgreSQL give the URL you run `quantumtrack migrate` with/, args.join(' '));
  }
  assert.deepEqual(snapshot(victim.tid), before);
  assert.deepEqual(platformSnapshot(), platform);
  // Reading works as the app role; changing works as the owner.
  const list = srv.cli(['tenant', 'list'], { ownerRole: false });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, new RegExp(victim.slug));
  const s = srv.cli(['tenant', 'suspend', victim.slug]);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(snapshot(victim.tid)[0].split(':')[0], 'suspended');
});

test('migrate --app-password-stdin (or QT_APP_PASSWORD) sets the app role\'s password; a later migrate without it leaves the role alone', { skip }, () => {
  // Roles belong to the cluster, which every test database of the run
  // shares: set the password the run already uses, and watch the verifier
  // (a new salt each time it is set).
  const password = decodeURIComponent(new URL(appUrl).password);
  const verifier = () => psql(adminUrl, "SELECT rolpassword, rolcanlogin FROM pg_authid WHERE rolname = 'quantumtrack_app'")[0];
  const v0 = verifier();
  const r = srv.cli(['migrate', '--app-password-stdin'], { input: password + '\n' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /role quantumtrack_app: login with the given password/);
  const v1 = verifier();
  assert.match(v1[0], /^SCRAM-SHA-256\$/);
  assert.notEqual(v1[0], v0[0]);
  assert.equal(v1[1], 't');
  assert.deepEqual(psql(appUrl, 'SELECT current_user;'), [['quantumtrack_app']]);
  // The environment variable does the same.
  execFileSync(BIN, ['migrate'], { env: { ...srv.env, QT_DB: srv.ownerDb, QT_APP_PASSWORD: password }, stdio: 'pipe' });
  const v2 = verifier();
  assert.notEqual(v2[0], v1[0]);
  // Without either, the role is left exactly as it is.
  const plain = srv.cli(['migrate']);
  assert.equal(plain.code, 0, plain.stderr);
  assert.doesNotMatch(plain.stdout, /role quantumtrack_app/);
  assert.deepEqual(verifier(), v2);
  assert.deepEqual(psql(appUrl, 'SELECT current_user;'), [['quantumtrack_app']]);
});
