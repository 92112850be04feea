// plans.test.mjs — plans as data (issue 11): every feature gate refused
// without its feature and allowed after the operator changes the plan, with
// no restart; a downgrade keeps every row and makes what is over the limit
// read-only; plan CRUD and its validation; a plan in use cannot go; two
// server processes on one PostgreSQL see a plan edit within a second and
// sum their request counts; the platform audit chain, and `verify` finding
// a tampered row.  The store's usage and the operator's monthly CSV are in
// plans_usage.test.mjs.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, createPostgresDatabase, dropPostgresDatabase, BACKEND } from '../lib/server.mjs';
import { assertProblem, newOperator, jwtParts, sleep } from '../lib/foundation.mjs';
import { phone } from '../lib/ledger.mjs';
import { adminUrlFor } from '../lib/psql.mjs';
import { P, uniq, ops, as, customer, owes, refusedFor } from '../lib/plans.mjs';

const ALL = ['ledger', 'link_reminders', 'whatsapp_reminders', 'reports', 'csv_export', 'csv_import',
  'realtime', 'documents', 'api_keys', 'multi_currency', 'credit_lines'];

let srv, op;
before(async () => {
  srv = await startServer();
  op = await newOperator(srv);
});
after(async () => { await srv?.stop(); });

test('each gate is refused on a plan without its feature and allowed once the operator adds it, with no restart', async () => {
  const o = ops(srv, op.token);
  const plan = await o.plan({ name: uniq('bare'), features: ['ledger'] });
  const s = await o.store(plan.name);
  const api = as(srv, s);
  const pid = srv.proc.pid;
  const c = await customer(api);
  const entry = await owes(api, c.id);
  await customer(api, { credit_limit_minor: null });

  const tries = {
    link_reminders: [
      () => api('POST', `/api/v1/customers/${c.id}/reminders`, { channel: 'link' }),
      () => api('POST', '/api/v1/reminders/bulk', { channel: 'link', dry_run: true }),
      () => api('POST', `/api/v1/transactions/${entry.id}/receipt`, { channel: 'link' }),
    ],
    whatsapp_reminders: [
      () => api('POST', `/api/v1/customers/${c.id}/reminders`, { channel: 'whatsapp_cloud' }),
      () => api('POST', '/api/v1/reminders/bulk', { channel: 'twilio', dry_run: true }),
      () => api('POST', `/api/v1/transactions/${entry.id}/receipt`, { channel: 'twilio' }),
    ],
    multi_currency: [() => api('PATCH', '/api/v1/settings', { currency: 'USD' })],
    credit_lines: [
      () => api('POST', '/api/v1/customers', { name: 'Own limit', phone: phone(), credit_limit_minor: 123400 }),
      () => api('PATCH', `/api/v1/customers/${c.id}`, { credit_limit_minor: 999900 }),
    ],
    reports: [() => api('GET', '/api/v1/reports/summary')],
  };
  const fields = { multi_currency: 'currency', credit_lines: 'credit_limit_minor' };
  for (const [feature, calls] of Object.entries(tries))
    for (const call of calls) refusedFor(await call(), feature, fields[feature]);
  // The store's own default is no credit line of its own.
  const settings = (await api('GET', '/api/v1/settings')).json;
  await customer(api, { credit_limit_minor: settings.default_credit_limit_minor });
  // Nothing was changed by the refusals.
  assert.equal((await api('GET', '/api/v1/settings')).json.currency, 'INR');
  assert.equal((await api('GET', `/api/v1/customers/${c.id}`)).json.credit_limit_minor, null);
  assert.equal((await api('GET', '/api/v1/reminders')).json.data.length, 0);

  await o.editPlan(plan.name, { features: ['ledger', ...Object.keys(tries)] });
  // The very next request of the same server process sees the new plan.
  // Provider channels are past the gate: no provider is set up here.
  for (const call of tries.whatsapp_reminders) {
    const r = await call();
    assert.notEqual(r.status, 403, r.text);
    assert.equal(r.json.code, 'provider_not_configured', r.text);
  }
  const link = await api('POST', `/api/v1/customers/${c.id}/reminders`, { channel: 'link' });
  assert.equal(link.status, 201, link.text);
  assert.equal((await api('POST', '/api/v1/reminders/bulk', { channel: 'link', dry_run: true })).status, 200);
  assert.equal((await api('POST', `/api/v1/transactions/${entry.id}/receipt`, { channel: 'link' })).status, 201);
  const cur = await api('PATCH', '/api/v1/settings', { currency: 'USD' });
  assert.equal(cur.status, 200, cur.text);
  assert.equal(cur.json.currency, 'USD');
  assert.equal((await customer(api, { credit_limit_minor: 123400 })).credit_limit_minor, 123400);
  const own = await api('PATCH', `/api/v1/customers/${c.id}`, { credit_limit_minor: 999900 });
  assert.equal(own.status, 200, own.text);
  assert.equal((await api('GET', '/api/v1/reports/summary')).status, 200);
  assert.equal(srv.proc.pid, pid, 'the same server process all along');
  assert.equal(srv.proc.exitCode, null);
});

test('an import gives a customer a credit limit of its own only on a plan with credit_lines', async () => {
  const o = ops(srv, op.token);
  const plan = await o.plan({ name: uniq('importer'), features: ['ledger', 'csv_import'] });
  const s = await o.store(plan.name);
  const csv = (limit) => `name,phone,credit_limit_minor\r\nImported ${limit},${phone()},${limit}\r\n`;
  const send = (body) => srv.api('POST', '/api/v1/import/customers', { token: s.token, raw: body, headers: { 'Content-Type': 'text/csv' } });
  const refused = assertProblem(await send(csv(123400)), 422, 'import_failed');
  assert.deepEqual(refused.errors.map((e) => [e.line, e.column, e.code]), [[2, 'credit_limit_minor', 'feature_not_in_plan']]);
  assert.match(refused.errors[0].message, /credit_lines/);
  const settings = (await srv.api('GET', '/api/v1/settings', { token: s.token })).json;
  assert.equal((await send(csv(settings.default_credit_limit_minor))).status, 200);
  await o.editPlan(plan.name, { features: ['ledger', 'csv_import', 'credit_lines'] });
  const r = await send(csv(123400));
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.created, 1);
});

test('a downgrade deletes nothing: what is over the new limits becomes read-only', async () => {
  const o = ops(srv, op.token);
  const plan = await o.plan({ name: uniq('roomy'), customer_limit: 5, features: ALL });
  const s = await o.store(plan.name);
  const api = as(srv, s);
  const custom = await customer(api, { credit_limit_minor: 777700 });
  const plain = await customer(api);
  const third = await customer(api);
  await owes(api, custom.id, 1000);
  assert.equal((await api('PATCH', '/api/v1/settings', { currency: 'USD' })).status, 200);

  await o.editPlan(plan.name, { customer_limit: 2, features: ['ledger', 'link_reminders'] });

  // No new customer: three are active and the plan allows two.
  const over = assertProblem(await api('POST', '/api/v1/customers', { name: 'One more', phone: phone() }), 403, 'plan_limit_reached');
  assert.equal(over.limit, 2);
  assert.equal(over.customers, 3);
  // The ledger of the existing customers goes on, and they can be edited.
  await owes(api, plain.id, 2500);
  const pay = await api('POST', '/api/v1/transactions', { customer_id: custom.id, type: 'payment', amount_minor: 500 });
  assert.equal(pay.status, 201, pay.text);
  assert.equal((await api('PATCH', `/api/v1/customers/${plain.id}`, { notes: 'still served' })).status, 200);
  // The custom credit limit is kept and still applies; it cannot be
  // changed to another custom value, only back to the store's default.
  assert.equal((await api('GET', `/api/v1/customers/${custom.id}`)).json.credit_limit_minor, 777700);
  assert.equal((await api('PATCH', `/api/v1/customers/${custom.id}`, { credit_limit_minor: 777700, notes: 'same limit' })).status, 200);
  refusedFor(await api('PATCH', `/api/v1/customers/${custom.id}`, { credit_limit_minor: 888800 }), 'credit_lines', 'credit_limit_minor');
  refusedFor(await api('PATCH', `/api/v1/customers/${plain.id}`, { credit_limit_minor: 100 }), 'credit_lines', 'credit_limit_minor');
  const back = await api('PATCH', `/api/v1/customers/${custom.id}`, { credit_limit_minor: null });
  assert.equal(back.status, 200, back.text);
  assert.equal(back.json.credit_limit_minor, null);
  refusedFor(await api('PATCH', `/api/v1/customers/${custom.id}`, { credit_limit_minor: 777700 }), 'credit_lines', 'credit_limit_minor');
  // The currency stays; saving it unchanged is fine, another one is not;
  // back to INR is always allowed, and then USD is a new choice.
  const set = await api('PATCH', '/api/v1/settings', { currency: 'USD', credit_period_days: 20 });
  assert.equal(set.status, 200, set.text);
  assert.equal(set.json.currency, 'USD');
  refusedFor(await api('PATCH', '/api/v1/settings', { currency: 'EUR' }), 'multi_currency', 'currency');
  assert.equal((await api('PATCH', '/api/v1/settings', { currency: 'INR' })).status, 200);
  refusedFor(await api('PATCH', '/api/v1/settings', { currency: 'USD' }), 'multi_currency', 'currency');
  // Archiving makes room; bringing one back from the archive needs room.
  assert.equal((await api('DELETE', `/api/v1/customers/${third.id}`)).status, 200);
  assertProblem(await api('POST', '/api/v1/customers', { name: 'Still no', phone: phone() }), 403, 'plan_limit_reached');
  assertProblem(await api('PATCH', `/api/v1/customers/${third.id}`, { status: 'active' }), 403, 'plan_limit_reached');
  // Every row is still there.
  const all = (await api('GET', '/api/v1/customers?status=all')).json.data.map((x) => x.id).sort();
  assert.deepEqual(all, [custom.id, plain.id, third.id].sort());
  // The store is told where it stands.
  const u = (await api('GET', '/api/v1/usage')).json;
  assert.equal(u.limits.customers.state, 'reached');
  assert.equal(u.upgrade_suggested, true);
  assert.ok(u.near_limits.includes('customers'));
  // Upgrading again opens everything up.
  await o.editPlan(plan.name, { customer_limit: 10 });
  const revived = await api('PATCH', `/api/v1/customers/${third.id}`, { status: 'active' });
  assert.equal(revived.status, 200, revived.text);
  await customer(api);
});

test('plans are created, changed and validated by the operator: an unknown feature is named', async () => {
  const o = ops(srv, op.token);
  const name = uniq('growth');
  const bad = async (body, status, code, field) => assertProblem(await o.call('POST', '/plans', body), status, code, field);
  const full = { name, customer_limit: 300, storage_mb: 2048, requests_per_min: 600, features: ['ledger', 'reports'] };
  for (const k of Object.keys(full)) {
    const body = { ...full };
    delete body[k];
    await bad(body, 422, 'validation_failed', k);
  }
  await bad({ ...full, name: 'Has Caps' }, 422, 'validation_failed', 'name');
  await bad({ ...full, name: 'x'.repeat(32) }, 422, 'validation_failed', 'name');
  await bad({ ...full, name: 7 }, 422, 'validation_failed', 'name');
  const unknown = await bad({ ...full, features: ['ledger', 'teleport'] }, 422, 'unknown_feature', 'features[1]');
  assert.equal(unknown.feature, 'teleport');
  assert.match(unknown.detail, /teleport/);
  assert.match(unknown.detail, /credit_lines/, 'the detail lists the known features');
  await bad({ ...full, features: ['reports', 'reports'] }, 422, 'validation_failed', 'features[1]');
  await bad({ ...full, features: [5] }, 422, 'validation_failed', 'features[0]');
  await bad({ ...full, features: 'reports' }, 422, 'validation_failed', 'features');
  await bad({ ...full, customer_limit: -1 }, 422, 'validation_failed', 'customer_limit');
  await bad({ ...full, customer_limit: 2147483648 }, 422, 'validation_failed', 'customer_limit');
  await bad({ ...full, customer_limit: '10' }, 422, 'validation_failed', 'customer_limit');
  await bad({ ...full, storage_mb: 0 }, 422, 'validation_failed', 'storage_mb');
  await bad({ ...full, storage_mb: null }, 422, 'validation_failed', 'storage_mb');
  await bad({ ...full, requests_per_min: 1.5 }, 422, 'validation_failed', 'requests_per_min');
  await bad({ ...full, unlimited: true }, 400, 'unknown_field', 'unlimited');

  const made = await o.call('POST', '/plans', { ...full, features: ['reports', 'ledger'] });
  assert.equal(made.status, 201, made.text);
  assert.deepEqual({ ...made.json, updated_at: 0 }, { ...full, updated_at: 0 });
  assertProblem(await o.call('POST', '/plans', full), 409, 'plan_exists', 'name');
  const listed = (await o.call('GET', '/plans')).json.data.find((p) => p.name === name);
  assert.deepEqual(listed, made.json);

  // PATCH: only what is sent changes; the version moves forward.
  const edited = await o.editPlan(name, { customer_limit: null, features: ['ledger', 'credit_lines', 'reports'] });
  assert.equal(edited.customer_limit, null);
  assert.equal(edited.storage_mb, 2048);
  assert.equal(edited.requests_per_min, 600);
  assert.deepEqual(edited.features, ['ledger', 'reports', 'credit_lines']);
  assert.ok(edited.updated_at > made.json.updated_at, `${edited.updated_at} after ${made.json.updated_at}`);
  const again = await o.editPlan(name, { requests_per_min: 601 });
  assert.ok(again.updated_at > edited.updated_at, 'two edits in a row are two versions');
  const patchUnknown = assertProblem(await o.call('PATCH', `/plans/${name}`, { features: ['reports', 'time_travel'] }), 422, 'unknown_feature', 'features[1]');
  assert.equal(patchUnknown.feature, 'time_travel');
  assertProblem(await o.call('PATCH', `/plans/${name}`, { name: 'other' }), 422, 'validation_failed', 'name');
  assertProblem(await o.call('PATCH', `/plans/${name}`, { storage_mb: -5 }), 422, 'validation_failed', 'storage_mb');
  assertProblem(await o.call('PATCH', '/plans/no-such-plan', { storage_mb: 5 }), 404, 'not_found');
  assert.deepEqual((await o.call('GET', '/plans')).json.data.find((p) => p.name === name), again);

  // A store can be put on it; store tokens reach none of this.
  const s = await o.store('free');
  assert.equal((await o.call('PATCH', `/tenants/${s.id}`, { plan: name })).json.plan, name);
  for (const [m, p, body] of [['GET', '/plans'], ['POST', '/plans', full], ['PATCH', `/plans/${name}`, { storage_mb: 1 }],
    ['DELETE', `/plans/${name}`], ['GET', '/audit'], ['GET', '/usage.csv?month=2026-01']])
    assertProblem(await srv.api(m, `${P}${p}`, { token: s.token, body }), 403, 'forbidden');
  for (const [m, p] of [['GET', '/plans'], ['POST', '/plans'], ['GET', '/audit'], ['GET', '/usage.csv?month=2026-01']])
    assertProblem(await srv.api(m, `${P}${p}`, { body: m === 'POST' ? full : undefined }), 401, 'unauthorized');
});

test('a plan a store is on cannot be deleted; an unused one can', async () => {
  const o = ops(srv, op.token);
  const plan = await o.plan({ name: uniq('short') });
  const s = await o.store(plan.name);
  const used = assertProblem(await o.call('DELETE', `/plans/${plan.name}`), 409, 'plan_in_use');
  assert.equal(used.tenants, 1);
  assert.ok((await o.call('GET', '/plans')).json.data.some((p) => p.name === plan.name));
  // A suspended store is still on it.
  assert.equal((await o.call('PATCH', `/tenants/${s.id}`, { status: 'suspended' })).status, 200);
  assertProblem(await o.call('DELETE', `/plans/${plan.name}`), 409, 'plan_in_use');
  assert.equal((await o.call('PATCH', `/tenants/${s.id}`, { plan: 'starter' })).status, 200);
  assert.equal((await o.call('DELETE', `/plans/${plan.name}`)).status, 204);
  assert.ok(!(await o.call('GET', '/plans')).json.data.some((p) => p.name === plan.name));
  assertProblem(await o.call('DELETE', `/plans/${plan.name}`), 404, 'not_found');
  assertProblem(await o.call('PATCH', `/tenants/${s.id}`, { plan: plan.name }), 422, 'validation_failed', 'plan');
  // Made again under the same name, it is a new plan with its own features.
  const again = await o.plan({ name: plan.name, features: ['ledger', 'reports'] });
  assert.deepEqual(again.features, ['ledger', 'reports']);
});

// ---- two server processes on one PostgreSQL ----

const pgOnly = BACKEND !== 'postgres' && 'two server processes share one database on PostgreSQL';

test('two server processes: a plan edit made through one is seen by the other within a second, and request counts add up', { skip: pgOnly }, async () => {
  const pg = createPostgresDatabase();
  const env = { QT_USAGE_FLUSH_MS: '100' };
  const a = await startServer({ pg, env });
  const b = await startServer({ pg, env: { ...env, QT_JWT_SECRET: a.env.QT_JWT_SECRET } });
  try {
    const operator = await newOperator(a);
    const o = ops(a, operator.token);
    // Rates far above what the test sends: every request it makes is served
    // and counted (the polling below would otherwise meet the store's rate).
    const plan = await o.plan({ name: uniq('shared'), customer_limit: 10, storage_mb: 50, requests_per_min: 50000, features: ['ledger', 'reports'] });
    const s = await o.store(plan.name);
    const onA = as(a, s), onB = as(b, s);
    let requests = 0;
    const count = async (p) => { requests++; return p; };
    assert.equal((await count(onB('GET', '/api/v1/reports/summary'))).status, 200);
    await count(customer(onB));

    // Within 1 s of the edit's answer on A, B answers by the new plan.
    const within = async (what, check) => {
      const t0 = Date.now();
      for (;;) {
        requests++;
        if (await check()) return Date.now() - t0;
        assert.ok(Date.now() - t0 < 1000, `${what}: not seen on the other process within 1 s`);
        await sleep(20);
      }
    };
    await o.editPlan(plan.name, { features: ['ledger'] });
    const ms = await within('feature removed', async () => (await onB('GET', '/api/v1/reports/summary')).status === 403);
    assert.ok(ms < 1000);
    await o.editPlan(plan.name, { customer_limit: 1, storage_mb: 77, requests_per_min: 33000 });
    await within('customer limit', async () => (await onB('POST', '/api/v1/customers', { name: 'Late', phone: phone() })).status === 403);
    await within('limits in the usage view', async () => {
      const u = (await onB('GET', '/api/v1/usage')).json;
      return u.plan.storage_mb === 77 && u.limits.requests_per_min.limit === 33000 && u.limits.customers.state === 'reached';
    });
    await o.editPlan(plan.name, { features: ['ledger', 'reports'], customer_limit: 10 });
    await within('feature back', async () => (await onB('GET', '/api/v1/reports/summary')).status === 200);
    // A plan change of the store itself, too.
    const bare = await o.plan({ name: uniq('bare'), customer_limit: 10, storage_mb: 50, requests_per_min: 50000, features: ['ledger'] });
    assert.equal((await o.call('PATCH', `/tenants/${s.id}`, { plan: bare.name })).status, 200);
    await within('store re-planned', async () => (await onB('GET', '/api/v1/reports/summary')).status === 403);

    // Requests on both processes: every process writes its own counts,
    // and the operator's figures are their sum.
    for (let i = 0; i < 5; i++) await count(onA('GET', '/api/v1/customers'));
    for (let i = 0; i < 7; i++) await count(onB('GET', '/api/v1/customers'));
    const t0 = Date.now();
    let seen;
    for (;;) {
      seen = (await b.api('GET', `${P}/tenants`, { token: operator.token })).json.data.find((t) => t.id === s.id).usage;
      if (seen.requests_today === requests || Date.now() - t0 > 10000) break;
      await sleep(50);
    }
    assert.equal(seen.requests_today, requests, JSON.stringify(seen));
    assert.ok(seen.requests_last_minute > 0 && seen.requests_last_minute <= requests, JSON.stringify(seen));
    // Nothing was written per request: the rows are per minute and per day.
    // The operator's figure adds what a process counted and has not written
    // yet, so the row catches up with it at that process's next flush.
    const dayRows = () => execFileSync('psql', [pg.owner, '-qAtc', `SET qt.all_tenants = 'on'; SELECT count(*), sum(requests) FROM request_counts_day WHERE tenant_id = '${s.id}'`]).toString().trim().split('|');
    let rows = dayRows();
    for (const t1 = Date.now(); rows[1] !== String(requests) && Date.now() - t1 < 10000; rows = dayRows())
      await sleep(50);
    assert.deepEqual(rows, ['1', String(requests)]);
  } finally {
    await b.stop();
    await a.stop();
    dropPostgresDatabase(pg);
  }
});

// ---- the platform audit trail ----

// SQL on the server's database as its superuser (PostgreSQL) or straight
// into the file (SQLite), outside the API.
function rawSql(server, sql) {
  return BACKEND === 'postgres'
    ? execFileSync('psql', [adminUrlFor(server.pg.name), '-X', '-qAt', '-v', 'ON_ERROR_STOP=1', '-c', sql], { stdio: 'pipe' }).toString()
    : execFileSync('sqlite3', [server.db.slice('sqlite:'.length), sql], { stdio: 'pipe' }).toString();
}

// The same with the platform trail's triggers out of the way.
function behindTriggers(server, sql) {
  return rawSql(server, BACKEND === 'postgres'
    ? `BEGIN; ALTER TABLE platform_audit_log DISABLE TRIGGER platform_audit_immutable; ${sql}; ALTER TABLE platform_audit_log ENABLE TRIGGER platform_audit_immutable; COMMIT;`
    : `DROP TRIGGER IF EXISTS platform_audit_immutable; DROP TRIGGER IF EXISTS platform_audit_append_only; ${sql};`);
}

test('every operator action lands in the hash-chained platform trail; verify finds an edited or a deleted row', async () => {
  const own = await startServer({ env: { QT_USAGE_FLUSH_MS: '50' } });
  try {
    const operator = await newOperator(own);
    const opId = operator.session.operator.id;
    const sid = jwtParts(operator.token).payload.sid;
    const o = ops(own, operator.token);
    const plan = await o.plan({ name: uniq('audited') });
    await o.editPlan(plan.name, { storage_mb: 200 });
    const s = await o.store(plan.name);
    // Its request counts are written before it goes, and go with it.
    assert.equal((await as(own, s)('GET', '/api/v1/customers')).status, 200);
    const counted = `SELECT count(*) FROM request_counts_day WHERE tenant_id = '${s.id}'`;
    for (let i = 0; i < 50 && rawSql(own, counted).trim() !== '1'; i++) await sleep(50);
    assert.equal(rawSql(own, counted).trim(), '1');
    await o.call('PATCH', `/tenants/${s.id}`, { plan: 'starter' });
    await o.call('PATCH', `/tenants/${s.id}`, { status: 'suspended' });
    await o.call('PATCH', `/tenants/${s.id}`, { status: 'active' });
    await o.call('PATCH', `/tenants/${s.id}`, { name: 'Renamed' });
    await o.call('PATCH', `/tenants/${s.id}`, { status: 'suspended' });
    assert.equal((await o.call('DELETE', `/tenants/${s.id}`)).status, 204);
    assert.equal((await o.call('GET', '/tenants')).json.data.filter((t) => t.id === s.id).length, 0);
    assert.equal(rawSql(own, counted).trim(), '0');
    assert.equal((await o.call('DELETE', `/plans/${plan.name}`)).status, 204);
    const cliStore = own.cli(['tenant', 'create', '--slug', uniq('cli'), '--name', 'By CLI', '--owner-email', 'o@cli.example', '--owner-password', 'correct-horse-battery']);
    assert.equal(cliStore.code, 0, cliStore.stderr);

    const rows = [];
    let cursor = null;
    do {
      const r = await o.call('GET', `/audit?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      assert.equal(r.status, 200, r.text);
      rows.push(...r.json.data);
      cursor = r.json.next_cursor;
    } while (cursor);
    assert.deepEqual(rows.map((x) => x.action), ['tenant.created', 'plan.deleted', 'tenant.deleted', 'tenant.suspended',
      'tenant.updated', 'tenant.reactivated', 'tenant.suspended', 'tenant.plan_changed', 'tenant.created', 'plan.updated',
      'plan.created', 'operator.signed_in', 'operator.created']);
    for (let i = 0; i + 1 < rows.length; i++) {
      assert.equal(rows[i].seq, rows[i + 1].seq + 1);
      assert.equal(rows[i].prev_hash, rows[i + 1].hash);
      assert.match(rows[i].hash, /^[0-9a-f]{64}$/);
    }
    assert.equal(rows.at(-1).seq, 1);
    assert.equal(rows.at(-1).prev_hash, '0'.repeat(64));
    const byApi = rows.slice(1, -1);
    for (const x of byApi) {
      assert.equal(x.actor_id, opId, x.action);
      assert.equal(x.actor_role, 'operator');
      assert.equal(x.client_ip, '127.0.0.1');
      assert.match(x.request_id, /^[0-9a-f-]{36}$/);
    }
    assert.equal(rows[0].actor_id, 'cli');
    assert.equal(rows.at(-1).actor_id, 'cli');
    const planEdit = rows.find((x) => x.action === 'plan.updated');
    assert.equal(planEdit.before.storage_mb, 100);
    assert.equal(planEdit.after.storage_mb, 200);
    const replan = rows.find((x) => x.action === 'tenant.plan_changed');
    assert.deepEqual([replan.entity, replan.entity_id, replan.before.plan, replan.after.plan], ['tenant', s.id, plan.name, 'starter']);
    const deleted = rows.find((x) => x.action === 'tenant.deleted');
    assert.equal(deleted.before.slug, s.slug, 'the trail outlives the store');
    // No session id, password or hash of one is ever in the trail.
    const text = JSON.stringify(rows);
    assert.ok(!text.includes(sid) && !text.includes('owner-password-1') && !text.includes(operator.password), 'no secrets');
    // Filters.
    const onlyTenant = (await o.call('GET', `/audit?entity=tenant&entity_id=${s.id}`)).json.data;
    assert.equal(onlyTenant.length, 7);
    assert.deepEqual((await o.call('GET', '/audit?action=plan.created')).json.data.map((x) => x.entity_id), [plan.name]);
    assert.equal((await o.call('GET', `/audit?actor=${opId}`)).json.data.length, byApi.length);
    assertProblem(await o.call('GET', '/audit?cursor=abc'), 400, 'invalid_parameter', 'cursor');

    // Operators acting at once: the chain stays one line.
    const burst = await Promise.all(Array.from({ length: 6 }, (_, i) => o.call('POST', '/plans',
      { name: uniq(`burst${i}`), customer_limit: null, storage_mb: 10, requests_per_min: null, features: [] })));
    assert.deepEqual(burst.map((r) => r.status), Array(6).fill(201));
    await Promise.all(burst.map((r) => o.call('PATCH', `/plans/${r.json.name}`, { storage_mb: 11 })));
    const newest = (await o.call('GET', '/audit?limit=12')).json.data;
    assert.equal(newest[0].seq, rows[0].seq + 12);
    for (let i = 0; i + 1 < newest.length; i++) assert.equal(newest[i].prev_hash, newest[i + 1].hash);

    let v = own.cli(['verify']);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, /^platform: ok \(platform audit chain intact\)$/m);

    // Rows cannot be changed or removed through the database as it stands.
    const target = rows.find((x) => x.action === 'plan.updated');
    for (const sql of [`UPDATE platform_audit_log SET action = 'x' WHERE seq = ${target.seq}`,
      `DELETE FROM platform_audit_log WHERE seq = ${target.seq}`]) {
      assert.throws(() => rawSql(own, sql), /immutable|cannot be deleted/, sql);
    }
    // Edited behind the triggers' back: verify names the row.
    behindTriggers(own, `UPDATE platform_audit_log SET after_json = replace(after_json, '"storage_mb":200', '"storage_mb":9') WHERE seq = ${target.seq}`);
    v = own.cli(['verify']);
    assert.equal(v.code, 1, v.stdout);
    assert.match(v.stdout, new RegExp(`^platform: AUDIT CHAIN BROKEN audit row seq ${target.seq} \\(id ${target.id}\\): content does not match its hash \\(edited\\)$`, 'm'));
    // A single store's check is not about the platform.
    const store = rows[0].entity_id;
    const slug = rows[0].after.slug;
    assert.ok(store && slug);
    assert.equal(own.cli(['verify', '--tenant', slug]).code, 0);
    // The newest row deleted: only the chain head can tell.
    behindTriggers(own, `UPDATE platform_audit_log SET after_json = replace(after_json, '"storage_mb":9', '"storage_mb":200') WHERE seq = ${target.seq}`);
    assert.equal(own.cli(['verify']).code, 0, 'put back as it was, the chain holds again');
    const last = newest[0].seq;
    behindTriggers(own, `DELETE FROM platform_audit_log WHERE seq = ${last}`);
    v = own.cli(['verify']);
    assert.equal(v.code, 1, v.stdout);
    assert.match(v.stdout, new RegExp(`platform: AUDIT CHAIN BROKEN audit log ends at seq ${last - 1} but the chain head says ${last}`));
    await sleep(200);
    assert.doesNotMatch(own.log, /request counts not written/);
  } finally {
    await own.stop();
  }
});
