// supabase.test.mjs — the Supabase-compatible layer (issue 15) driven by
// the real @supabase/supabase-js client, on both backends: GoTrue's
// password sign-in, refresh, user and sign-out; the prototype's service
// calls (getCustomers, getTransactions, getApartmentRecords,
// sendWhatsAppReminder, exportToCSV); PostgREST filters, order, range and
// count checked against /api/v1's answers; .single() and .csv(); the
// ledger's rules (credit limit, roles, isolation, append-only entries)
// with PostgREST-shaped errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createClient } from '@supabase/supabase-js';
import { startServer, newStore, addUser, login, BACKEND } from '../lib/server.mjs';

let srv, A, B, anonA, anonB;
const customersA = [];

// Node 20 has no WebSocket; realtime is never used here (we offer
// /api/v1/events), so its transport is a stand-in that is never opened.
class NoSocket { constructor() { throw new Error('realtime is not offered: use /api/v1/events'); } }

function client(anonKey, headers = {}) {
  return createClient(srv.url, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: NoSocket },
    global: { headers },
  });
}

async function signedIn(anonKey, email, password, headers) {
  const sb = client(anonKey, headers);
  const { data, error } = await sb.auth.signInWithPassword({ email, password });
  assert.equal(error, null, `sign-in ${email}: ${error && error.message}`);
  assert.ok(data.session.access_token);
  return sb;
}

// A's owner through supabase-js, signed in once for the tests that read.
let ownerClient;
async function ownerA() {
  ownerClient ??= await signedIn(anonA, A.email, A.password);
  return ownerClient;
}

async function anonKeyOf(s) {
  const r = await srv.api('GET', '/api/v1/settings/anon-key', { token: s.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.tenant, s.slug);
  return r.json.anon_key;
}

async function v1(method, path, token, body) {
  const r = await srv.api(method, path, { token, body });
  assert.ok(r.status < 300, `${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

// Every customer of A through /api/v1 (all statuses), in /api/v1's shape.
async function v1Customers(token = A.token) {
  return (await v1('GET', '/api/v1/customers?limit=200&status=all', token)).data;
}

before(async () => {
  srv = await startServer({ env: { QT_BASE_DOMAIN: 'stores.test' } });
  A = await newStore(srv);
  B = await newStore(srv);
  anonA = await anonKeyOf(A);
  anonB = await anonKeyOf(B);
  // The seed: the prototype's residents and some more, with purchases,
  // payments, a credit limit, an archived one and one without apartment.
  const people = [
    ['Rajesh Kumar', '9876500001', '36194'], ['Priya Singh', '9876500002', '42012'],
    ['Amit Sharma', '9876500003', '10056'], ['Rajiv Mehta', '9876500004', '36201'],
    ['Sunita Rao', '9876500005', null], ['Kiran Patel', '9876500006', '42013'],
    ['Meena Iyer', '9876500007', '10111'], ['Arjun Nair', '9876500008', '36195'],
  ];
  for (const [name, phone, apartment] of people) {
    const c = await v1('POST', '/api/v1/customers', A.token, { name, phone, ...(apartment ? { apartment } : {}) });
    customersA.push(c);
  }
  const amounts = [12000, 500, 0, 7000, 2500, 0, 900, 15000];
  for (let i = 0; i < customersA.length; i++) {
    if (amounts[i] === 0) continue;
    await v1('POST', '/api/v1/transactions', A.token, { customer_id: customersA[i].id, type: 'purchase', amount_minor: amounts[i] });
  }
  await v1('POST', '/api/v1/transactions', A.token, { customer_id: customersA[0].id, type: 'payment', amount_minor: 2000, payment_method: 'upi' });
  await v1('PATCH', `/api/v1/customers/${customersA[2].id}`, A.token, { status: 'archived' });
  await v1('POST', '/api/v1/apartments', A.token, { number: '36194', occupant_name: 'Rajesh Kumar', occupancy: 'owner' });
  await v1('POST', '/api/v1/apartments', A.token, { number: '42012', occupant_name: 'Priya Singh', occupancy: 'tenant' });
  // B has a customer of its own.
  await v1('POST', '/api/v1/customers', B.token, { name: 'B Resident', phone: '9876511111' });
});

after(async () => { await srv?.stop(); });

test('sign_in_with_password_refresh_user_and_sign_out', async () => {
  // Sign-out ends every session of the account (as /api/v1/auth/logout):
  // an admin of its own, so the owner's token used elsewhere lives on.
  const email = `admin-${Date.now()}@${A.slug}.example`;
  addUser(srv, { tenant: A.slug, email, role: 'admin' });
  const sb = client(anonA);
  const { data, error } = await sb.auth.signInWithPassword({ email, password: 'correct-horse-battery' });
  assert.equal(error, null);
  const s = data.session;
  assert.equal(s.token_type, 'bearer');
  assert.ok(s.expires_in > 0 && s.expires_at > Date.now() / 1000);
  assert.ok(s.refresh_token);
  assert.equal(data.user.email, email);
  assert.equal(data.user.app_metadata.tenant, A.slug);
  assert.equal(data.user.app_metadata.role, 'admin');
  assert.ok('user_metadata' in data.user);

  const u = await sb.auth.getUser();
  assert.equal(u.error, null);
  assert.equal(u.data.user.id, data.user.id);

  const r = await sb.auth.refreshSession();
  assert.equal(r.error, null, r.error && r.error.message);
  assert.notEqual(r.data.session.refresh_token, s.refresh_token, 'the refresh token rotates');
  assert.equal(r.data.user.app_metadata.tenant, A.slug);
  // The used refresh token is spent: GoTrue's error shape.
  const again = await fetch(`${srv.url}/auth/v1/token?grant_type=refresh_token`, {
    method: 'POST', headers: { apikey: anonA, 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: s.refresh_token }),
  });
  assert.equal(again.status, 400);
  const aj = await again.json();
  assert.equal(aj.error, 'invalid_grant');
  assert.ok(aj.error_description);

  // Reads work with the new session; sign-out ends it.
  const before = await sb.from('customers').select('id');
  assert.equal(before.error, null);
  const access = r.data.session.access_token;
  assert.equal((await sb.auth.signOut()).error, null);
  const after = await fetch(`${srv.url}/rest/v1/customers?select=id`, { headers: { apikey: anonA, Authorization: `Bearer ${access}` } });
  assert.equal(after.status, 401, 'the access token is refused after sign-out');
  const body = await after.json();
  assert.deepEqual(Object.keys(body).filter((k) => k !== 'qt').sort(), ['code', 'details', 'hint', 'message']);
});

test('gotrue_errors_wrong_password_sign_up_and_api_keys', async () => {
  const sb = client(anonA);
  const bad = await sb.auth.signInWithPassword({ email: A.email, password: 'not-the-password' });
  assert.equal(bad.data.session, null);
  assert.equal(bad.error.status, 400);
  assert.match(bad.error.message, /Invalid login credentials/);
  const raw = await fetch(`${srv.url}/auth/v1/token?grant_type=password`, {
    method: 'POST', headers: { apikey: anonA, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: A.email, password: 'wrong' }),
  });
  const j = await raw.json();
  assert.equal(j.error, 'invalid_grant');
  assert.equal(j.error_description, 'Invalid login credentials');

  const up = await sb.auth.signUp({ email: 'new@example.com', password: 'correct-horse-battery' });
  assert.ok(up.error, 'sign-up is refused');
  assert.equal(up.error.status, 422);
  assert.equal(up.error.code, 'signup_disabled');

  // No apikey, or one that is not ours: 401 before anything else.
  const none = await fetch(`${srv.url}/rest/v1/customers`);
  assert.equal(none.status, 401);
  const forged = anonA.slice(0, -4) + (anonA.endsWith('AAAA') ? 'BBBB' : 'AAAA');
  const f = await fetch(`${srv.url}/auth/v1/token?grant_type=password`, {
    method: 'POST', headers: { apikey: forged, 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: A.email, password: A.password }),
  });
  assert.equal(f.status, 401);
  // A's anon key names A: signing in to B with it fails, even with B's password.
  const cross = await client(anonA).auth.signInWithPassword({ email: B.email, password: B.password });
  assert.ok(cross.error);
  // The tenant may also come from X-Tenant (with the other store's key refused).
  const viaHeader = await client(anonB, { 'X-Tenant': B.slug }).auth.signInWithPassword({ email: B.email, password: B.password });
  assert.equal(viaHeader.error, null);
  // The anon key alone reads nothing but the store's public facts.
  const anon = client(anonA);
  const denied = await anon.from('customers').select('*');
  assert.equal(denied.status, 401);
  assert.equal(denied.error.code, '42501');
  const t = await anon.from('tenants').select('slug,name,currency');
  assert.equal(t.error, null);
  assert.deepEqual(t.data, [{ slug: A.slug, name: `Store ${A.slug}`, currency: 'INR' }]);
});

// fetch will not send a chosen Host header; node:http will.
function hostRequest(method, path, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: srv.port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(text || 'null') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the_store_comes_from_the_host_before_x_tenant_and_the_anon_key', async () => {
  const body = JSON.stringify({ email: B.email, password: B.password });
  const signIn = (headers) => hostRequest('POST', '/auth/v1/token?grant_type=password',
    { 'Content-Type': 'application/json', ...headers }, body);
  const viaHost = await signIn({ Host: `${B.slug}.stores.test`, apikey: anonB, 'X-Tenant': A.slug });
  assert.equal(viaHost.status, 200, JSON.stringify(viaHost.json));
  assert.equal(viaHost.json.user.app_metadata.tenant, B.slug);
  // the Host names B: A's anon key does not fit it
  const wrongKey = await signIn({ Host: `${B.slug}.stores.test`, apikey: anonA });
  assert.equal(wrongKey.status, 401);
  const t = await hostRequest('GET', '/rest/v1/tenants?select=slug', { Host: `${A.slug}.stores.test`, apikey: anonB });
  assert.deepEqual(t.json, [{ slug: A.slug }]);
});

test('prototype_service_calls_give_what_api_v1_gives', async () => {
  const sb = await ownerA();
  // getCustomers
  const gc = await sb.from('customers').select('*').order('name');
  assert.equal(gc.error, null);
  const mine = await v1Customers();
  assert.deepEqual(gc.data.map((c) => c.name), mine.map((c) => c.name), 'customers in the same order as /api/v1 (by name)');
  assert.deepEqual(gc.data, mine, 'customers: the same rows and fields as /api/v1');
  // getTransactions, newest first, with the customer's name embedded
  const gt = await sb.from('transactions').select('*, customers(name, phone)').order('occurred_at', { ascending: false });
  assert.equal(gt.error, null);
  const entries = (await v1('GET', '/api/v1/transactions?limit=200', A.token)).data;
  assert.deepEqual(gt.data.map(({ customers, ...e }) => e), entries);
  for (const e of gt.data) {
    const c = mine.find((x) => x.id === e.customer_id);
    assert.deepEqual(e.customers, { name: c.name, phone: c.phone });
  }
  // getApartmentRecords
  const ga = await sb.from('apartment_records').select('*');
  assert.equal(ga.error, null);
  assert.deepEqual(ga.data, (await v1('GET', '/api/v1/apartments?limit=200', A.token)).data);
  assert.deepEqual(ga.data.map((a) => a.number), ['36194', '42012']);
  // sendWhatsAppReminder: the link channel needs no provider
  const owing = customersA[1];
  const rem = await sb.rpc('send_whatsapp_reminder', { customer_id: owing.id, channel: 'link' });
  assert.equal(rem.error, null, rem.error && JSON.stringify(rem.error));
  assert.equal(rem.data.customer_id, owing.id);
  assert.equal(rem.data.channel, 'link');
  assert.match(rem.data.link, /^https:\/\/wa\.me\/919876500002\?text=/);
  const log = (await v1('GET', `/api/v1/reminders?customer_id=${owing.id}`, A.token)).data;
  assert.equal(log[0].id, rem.data.id);
  const gr = await sb.from('reminders').select('id, channel, customers(name)').eq('customer_id', owing.id);
  assert.deepEqual(gr.data, [{ id: rem.data.id, channel: 'link', customers: { name: 'Priya Singh' } }]);
  // exportToCSV
  const csv = await sb.from('customers').select('name,phone,apartment,balance_minor').order('name').csv();
  assert.equal(csv.error, null);
  const lines = csv.data.trim().split('\r\n');
  assert.equal(lines[0], 'name,phone,apartment,balance_minor');
  assert.equal(lines.length, 1 + mine.length);
  // cells are written as /api/v1/export writes them: a leading + is made inert
  assert.equal(lines[1], `${mine[0].name},"'${mine[0].phone}",${mine[0].apartment ?? ''},${mine[0].balance_minor}`);
  // The other RPCs
  const sum = await sb.rpc('dashboard_summary');
  assert.deepEqual(sum.data.outstanding_minor, (await v1('GET', '/api/v1/reports/summary', A.token)).outstanding_minor);
  const st = await sb.rpc('customer_statement', { customer_id: customersA[0].id });
  assert.equal(st.error, null);
  assert.equal(st.data.closing_balance_minor, 10000);
});

test('filters_order_range_and_count_match_api_v1', async () => {
  const sb = await ownerA();
  const all = await v1Customers();
  const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const names = (rows) => rows.map((r) => r.name);
  const check = async (q, expect, label) => {
    const r = await q;
    assert.equal(r.error, null, `${label}: ${r.error && JSON.stringify(r.error)}`);
    assert.deepEqual(names(r.data), names(expect), label);
  };
  const sorted = [...all].sort(byName);
  await check(sb.from('customers').select('name').eq('status', 'archived').order('name'), sorted.filter((c) => c.status === 'archived'), 'eq');
  await check(sb.from('customers').select('name').neq('status', 'archived').order('name'), sorted.filter((c) => c.status !== 'archived'), 'neq');
  await check(sb.from('customers').select('name').gt('balance_minor', 2500).order('name'), sorted.filter((c) => c.balance_minor > 2500), 'gt');
  await check(sb.from('customers').select('name').gte('balance_minor', 2500).order('name'), sorted.filter((c) => c.balance_minor >= 2500), 'gte');
  await check(sb.from('customers').select('name').lt('balance_minor', 900).order('name'), sorted.filter((c) => c.balance_minor < 900), 'lt');
  await check(sb.from('customers').select('name').lte('balance_minor', 900).order('name'), sorted.filter((c) => c.balance_minor <= 900), 'lte');
  await check(sb.from('customers').select('name').like('name', 'Raj*').order('name'), sorted.filter((c) => c.name.startsWith('Raj')), 'like');
  await check(sb.from('customers').select('name').ilike('name', '%SH%').order('name'), sorted.filter((c) => /sh/i.test(c.name)), 'ilike');
  await check(sb.from('customers').select('name').in('tower', [36, 42]).order('name'), sorted.filter((c) => [36, 42].includes(c.tower)), 'in');
  await check(sb.from('customers').select('name').is('apartment', null), sorted.filter((c) => c.apartment === null), 'is null');
  await check(sb.from('customers').select('name').or('tower.eq.10,balance_minor.gt.10000').order('name'),
    sorted.filter((c) => c.tower === 10 || c.balance_minor > 10000), 'or');
  await check(sb.from('customers').select('name').not('tower', 'eq', 36).order('name'),
    sorted.filter((c) => c.tower !== null && c.tower !== 36), 'not (nulls are unknown, as in SQL)');
  await check(sb.from('customers').select('name').or('and(tower.eq.36,balance_minor.gte.7000),name.eq.Priya Singh').order('name'),
    sorted.filter((c) => (c.tower === 36 && c.balance_minor >= 7000) || c.name === 'Priya Singh'), 'nested and in or');
  // /api/v1's own filters give the same rows
  const tower36 = (await v1('GET', '/api/v1/customers?limit=200&tower=36', A.token)).data;
  await check(sb.from('customers').select('name').eq('tower', 36).eq('status', 'active').order('name'), [...tower36].sort(byName), 'tower=36 as /api/v1');
  const purchases = (await v1('GET', '/api/v1/transactions?limit=200&type=purchase', A.token)).data;
  const tp = await sb.from('transactions').select('id').eq('type', 'purchase');
  assert.deepEqual(tp.data.map((e) => e.id), purchases.map((e) => e.id), 'purchases newest first, as /api/v1');

  // order: desc with nulls first and last, several keys
  const o = await sb.from('customers').select('name,tower').order('tower', { ascending: false, nullsFirst: true }).order('name');
  assert.equal(o.data[0].tower, null);
  const o2 = await sb.from('customers').select('name,tower').order('tower', { ascending: true }).order('name', { ascending: false });
  assert.equal(o2.data.at(-1).tower, null, 'nulls last by default when ascending');
  const towers = o2.data.filter((c) => c.tower !== null).map((c) => c.tower);
  assert.deepEqual(towers, [...towers].sort((a, b) => a - b));

  // range and count
  const r = await sb.from('customers').select('name', { count: 'exact' }).order('name').range(2, 4);
  assert.equal(r.error, null);
  assert.equal(r.count, all.length);
  assert.deepEqual(names(r.data), names(sorted.slice(2, 5)));
  assert.equal(r.status, 206);
  const head = await sb.from('customers').select('*', { count: 'exact', head: true }).eq('status', 'active');
  assert.equal(head.count, all.filter((c) => c.status === 'active').length);
  const lim = await sb.from('transactions').select('id').limit(2);
  assert.deepEqual(lim.data.map((e) => e.id), purchases.length >= 2 ? (await v1('GET', '/api/v1/transactions?limit=2', A.token)).data.map((e) => e.id) : []);
  // the Range header, and Content-Range in the answer
  const s = await sb.auth.getSession();
  const res = await fetch(`${srv.url}/rest/v1/customers?select=name&order=name`, {
    headers: { apikey: anonA, Authorization: `Bearer ${s.data.session.access_token}`, Range: '1-2', 'Range-Unit': 'items', Prefer: 'count=exact' },
  });
  assert.equal(res.headers.get('content-range'), `1-2/${all.length}`);
  assert.deepEqual(names(await res.json()), names(sorted.slice(1, 3)));
  const far = await sb.from('customers').select('name', { count: 'exact' }).range(100, 110);
  assert.equal(far.status, 416);
  assert.equal(far.error.code, 'PGRST103');
  // renaming columns
  const ren = await sb.from('customers').select('who:name, owes:balance_minor').eq('id', customersA[0].id);
  assert.deepEqual(ren.data, [{ who: 'Rajesh Kumar', owes: 10000 }]);
});

test('bad_queries_are_postgrest_errors_never_500', async () => {
  const sb = await ownerA();
  const col = await sb.from('customers').select('password_hash');
  assert.equal(col.status, 400);
  assert.equal(col.error.code, '42703');
  const f = await sb.from('customers').select('*').filter('tenant_id', 'eq', 'x');
  assert.equal(f.error.code, '42703', 'only whitelisted columns');
  const op = await sb.from('customers').select('*').filter('name', 'regex', 'x');
  assert.equal(op.error.code, 'PGRST100');
  const typ = await sb.from('customers').select('*').eq('balance_minor', 'lots');
  assert.equal(typ.error.code, '22P02');
  const deep = 'or(' .repeat(6) + 'name.eq.x' + ')'.repeat(6);
  const nest = await sb.from('customers').select('*').or(deep.slice(3, -1));
  assert.equal(nest.status, 400);
  const many = await sb.from('customers').select('*').in('name', Array.from({ length: 150 }, (_, i) => `n${i}`));
  assert.equal(many.status, 400);
  const table = await sb.from('users').select('*');
  assert.equal(table.status, 404);
  assert.equal(table.error.code, 'PGRST205');
  const fn = await sb.rpc('drop_everything');
  assert.equal(fn.status, 404);
  assert.equal(fn.error.code, 'PGRST202');
  const arg = await sb.rpc('dashboard_summary', { drop: true });
  assert.equal(arg.error.code, 'PGRST202', 'unknown arguments name no function');
  const notObj = await sb.from('customers').insert([1, 2]);
  assert.equal(notObj.error.code, 'PGRST102');
  const wrongType = await sb.rpc('send_whatsapp_reminder', { customer_id: 5 });
  assert.equal(wrongType.status, 400);
  const schema = await sb.schema('private').from('customers').select('*');
  assert.equal(schema.status, 406);
  assert.equal(schema.error.code, 'PGRST106');
  const embed = await sb.from('customers').select('*, transactions(*)');
  assert.equal(embed.error.code, 'PGRST200', 'embedding goes from entries and reminders to customers only');
});

test('single_errors_pgrst116_for_zero_or_many_rows', async () => {
  const sb = await ownerA();
  const one = await sb.from('customers').select('name').eq('id', customersA[0].id).single();
  assert.equal(one.error, null);
  assert.deepEqual(one.data, { name: 'Rajesh Kumar' });
  const none = await sb.from('customers').select('*').eq('phone', '+910000000000').single();
  assert.equal(none.status, 406);
  assert.equal(none.error.code, 'PGRST116');
  assert.match(none.error.details, /0 rows/);
  const many = await sb.from('customers').select('*').eq('status', 'active').single();
  assert.equal(many.status, 406);
  assert.equal(many.error.code, 'PGRST116');
  const maybe = await sb.from('customers').select('*').eq('phone', '+910000000000').maybeSingle();
  assert.equal(maybe.error, null);
  assert.equal(maybe.data, null);
});

test('csv_export_of_transactions', async () => {
  const sb = await ownerA();
  const r = await sb.from('transactions').select('id,type,amount_minor,note').eq('customer_id', customersA[0].id).csv();
  assert.equal(r.error, null);
  const entries = (await v1('GET', `/api/v1/transactions?customer_id=${customersA[0].id}`, A.token)).data;
  const expect = ['id,type,amount_minor,note', ...entries.map((e) => `${e.id},${e.type},${e.amount_minor},${e.note}`)];
  assert.deepEqual(r.data.trim().split('\r\n'), expect);
});

test('writes_insert_edit_archive_with_audit_and_idempotency', async () => {
  const sb = await ownerA();
  const ins = await sb.from('customers').insert([{ name: 'Lakshmi Devi', phone: '9876500100', apartment: '42014' },
    { name: 'Vikram Das', phone: '9876500101' }]).select('id,name,phone');
  assert.equal(ins.error, null, ins.error && JSON.stringify(ins.error));
  assert.equal(ins.status, 201);
  assert.deepEqual(ins.data.map((c) => c.phone), ['+919876500100', '+919876500101']);
  const got = await v1('GET', `/api/v1/customers/${ins.data[0].id}`, A.token);
  assert.equal(got.apartment, '42014');
  // an insert without select answers 201 and no body (return=minimal)
  const min = await sb.from('customers').insert({ name: 'Quiet One', phone: '9876500102' });
  assert.equal(min.status, 201);
  assert.equal(min.data, null);
  // a duplicate phone: 23505, and no row of the batch is written
  const dup = await sb.from('customers').insert([{ name: 'New', phone: '9876500103' }, { name: 'Dup', phone: '9876500100' }]);
  assert.equal(dup.status, 409);
  assert.equal(dup.error.code, '23505');
  assert.ok(!(await v1Customers()).some((c) => c.phone === '+919876500103'), 'all rows or none');
  // unknown columns are named
  const unk = await sb.from('customers').insert({ name: 'X', phone: '9876500104', tenant_id: 'other' });
  assert.equal(unk.error.code, 'PGRST204');
  assert.match(unk.error.message, /tenant_id/);
  // edit and archive
  const ed = await sb.from('customers').update({ notes: 'pays on Sundays' }).eq('id', ins.data[1].id).select('notes');
  assert.deepEqual(ed.data, [{ notes: 'pays on Sundays' }]);
  const del = await sb.from('customers').delete().eq('id', ins.data[1].id).select('status');
  assert.deepEqual(del.data, [{ status: 'archived' }]);
  assert.equal((await v1('GET', `/api/v1/customers/${ins.data[1].id}`, A.token)).status, 'archived');
  const owing = await sb.from('customers').delete().eq('id', customersA[0].id);
  assert.equal(owing.status, 409, 'a customer who owes is not archived');
  const noWhere = await fetch(`${srv.url}/rest/v1/customers`, { method: 'PATCH',
    headers: { apikey: anonA, Authorization: `Bearer ${(await sb.auth.getSession()).data.session.access_token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ notes: 'everyone' }) });
  assert.equal(noWhere.status, 400);
  assert.equal((await noWhere.json()).code, '21000');
  // the audit trail names the change as /api/v1 would
  const audit = (await v1('GET', `/api/v1/audit?entity_id=${ins.data[1].id}`, A.token)).data.map((a) => a.action);
  assert.ok(audit.includes('customer.created') && audit.includes('customer.updated'), audit.join(','));
  // an entry through supabase-js with an Idempotency-Key: once only
  const key = `supa-${Date.now()}`;
  const keyed = client(anonA, { 'Idempotency-Key': key });
  await keyed.auth.signInWithPassword({ email: A.email, password: A.password });
  const e1 = await keyed.from('transactions').insert({ customer_id: ins.data[0].id, type: 'purchase', amount_minor: 300 }).select();
  const e2 = await keyed.from('transactions').insert({ customer_id: ins.data[0].id, type: 'purchase', amount_minor: 300 }).select();
  assert.equal(e1.error, null);
  assert.deepEqual(e2.data, e1.data);
  assert.equal((await v1('GET', `/api/v1/customers/${ins.data[0].id}`, A.token)).balance_minor, 300);
});

test('purchase_over_the_limit_is_a_postgrest_error', async () => {
  const sb = await ownerA();
  const c = await v1('POST', '/api/v1/customers', A.token, { name: 'Limited', phone: '9876500200', credit_limit_minor: 1000 });
  const r = await sb.from('transactions').insert({ customer_id: c.id, type: 'purchase', amount_minor: 1500 }).select();
  assert.equal(r.data, null);
  assert.equal(r.status, 400);
  assert.equal(r.error.code, 'P0001');
  assert.match(r.error.message, /credit limit/);
  assert.equal(r.error.qt.code, 'credit_limit_exceeded');
  assert.equal(r.error.qt.shortfall_minor, 500);
  assert.equal((await v1('GET', `/api/v1/customers/${c.id}`, A.token)).balance_minor, 0, 'nothing recorded');
  // within the limit it goes through, with the balance after
  const ok = await sb.from('transactions').insert({ customer_id: c.id, type: 'purchase', amount_minor: 1000 }).select().single();
  assert.equal(ok.error, null);
  assert.equal(ok.data.balance_after_minor, 1000);
  // reversal is an RPC, admin only, once
  const rev = await sb.rpc('reverse_transaction', { id: ok.data.id, reason: 'entered twice' });
  assert.equal(rev.error, null, rev.error && JSON.stringify(rev.error));
  assert.equal(rev.data.reverses_id, ok.data.id);
  const twice = await sb.rpc('reverse_transaction', { id: ok.data.id, reason: 'again' });
  assert.equal(twice.status, 409);
});

test('a_viewer_insert_is_refused_42501', async () => {
  const email = `viewer-${Date.now()}@${A.slug}.example`;
  addUser(srv, { tenant: A.slug, email, role: 'viewer' });
  const sb = await signedIn(anonA, email, 'correct-horse-battery');
  const read = await sb.from('customers').select('id');
  assert.equal(read.error, null, 'a viewer reads');
  const before = (await v1Customers()).length;
  const r = await sb.from('customers').insert({ name: 'Sneaky', phone: '9876500300' }).select();
  assert.equal(r.status, 403);
  assert.equal(r.error.code, '42501');
  const t = await sb.from('transactions').insert({ customer_id: customersA[1].id, type: 'payment', amount_minor: 100 });
  assert.equal(t.status, 403);
  assert.equal(t.error.code, '42501');
  const rem = await sb.rpc('send_whatsapp_reminder', { customer_id: customersA[1].id, channel: 'link' });
  assert.equal(rem.error.code, '42501');
  assert.equal((await v1Customers()).length, before);
  // a member may add but not edit (admins edit), as on /api/v1
  const memberEmail = `member-${Date.now()}@${A.slug}.example`;
  addUser(srv, { tenant: A.slug, email: memberEmail, role: 'member' });
  const m = await signedIn(anonA, memberEmail, 'correct-horse-battery');
  const edit = await m.from('customers').update({ notes: 'x' }).eq('id', customersA[1].id);
  assert.equal(edit.error.code, '42501');
});

test('another_stores_ids_are_invisible', async () => {
  const sbB = await signedIn(anonB, B.email, B.password);
  const idA = customersA[0].id;
  const entryA = (await v1('GET', `/api/v1/transactions?customer_id=${idA}`, A.token)).data[0].id;
  assert.deepEqual((await sbB.from('customers').select('*').eq('id', idA)).data, []);
  assert.deepEqual((await sbB.from('transactions').select('*').eq('customer_id', idA)).data, []);
  assert.deepEqual((await sbB.from('transactions').select('*').eq('id', entryA)).data, []);
  const all = (await sbB.from('customers').select('name')).data;
  assert.deepEqual(all, [{ name: 'B Resident' }]);
  const ed = await sbB.from('customers').update({ notes: 'B was here' }).eq('id', idA).select();
  assert.deepEqual(ed.data, [], 'no row of A is changed');
  assert.equal((await v1('GET', `/api/v1/customers/${idA}`, A.token)).notes, '');
  const rev = await sbB.rpc('reverse_transaction', { id: entryA, reason: 'B' });
  assert.equal(rev.status, 404);
  const st = await sbB.rpc('customer_statement', { customer_id: idA });
  assert.equal(st.status, 404);
  const ins = await sbB.from('transactions').insert({ customer_id: idA, type: 'purchase', amount_minor: 100 });
  assert.equal(ins.status, 404);
  // B's session with A's anon key (or A's X-Tenant) is refused
  const session = (await sbB.auth.getSession()).data.session;
  for (const headers of [{ apikey: anonA }, { apikey: anonB, 'X-Tenant': A.slug }]) {
    const r = await fetch(`${srv.url}/rest/v1/customers?select=id`, { headers: { ...headers, Authorization: `Bearer ${session.access_token}` } });
    assert.equal(r.status, 401, JSON.stringify(headers));
  }
  const t = await client(anonB).from('tenants').select('slug');
  assert.deepEqual(t.data, [{ slug: B.slug }]);
});

test('patch_or_delete_on_a_transaction_is_refused', async () => {
  const sb = await ownerA();
  const entry = (await v1('GET', `/api/v1/transactions?customer_id=${customersA[1].id}`, A.token)).data[0];
  const p = await sb.from('transactions').update({ amount_minor: 1 }).eq('id', entry.id);
  assert.equal(p.status, 405);
  assert.equal(p.error.code, '25006');
  assert.match(p.error.hint, /reverse_transaction/);
  const d = await sb.from('transactions').delete().eq('id', entry.id);
  assert.equal(d.status, 405);
  assert.deepEqual(await v1('GET', `/api/v1/transactions/${entry.id}`, A.token), entry, 'the entry is unchanged');
});

test('an_api_key_is_a_service_key', async () => {
  const key = await v1('POST', '/api/v1/api-keys', A.token, { name: 'supabase service', role: 'member' });
  const sb = client(key.key);
  const r = await sb.from('customers').select('id').eq('id', customersA[1].id);
  assert.equal(r.error, null, r.error && JSON.stringify(r.error));
  assert.deepEqual(r.data, [{ id: customersA[1].id }]);
  const edit = await sb.from('customers').update({ notes: 'key' }).eq('id', customersA[1].id);
  assert.equal(edit.error.code, '42501', 'the key acts at its role');
  const bad = client('qtk_' + 'A'.repeat(43));
  const br = await bad.from('customers').select('id');
  assert.equal(br.status, 401);
});

test('plan_gates_and_the_rate_limit_apply_as_on_api_v1', async () => {
  const free = await newStore(srv, { plan: 'free' });   // no reports, no CSV export; bursts of 10
  const sb = await signedIn(await anonKeyOf(free), free.email, free.password);
  const sum = await sb.rpc('dashboard_summary');
  assert.equal(sum.status, 403);
  assert.equal(sum.error.code, 'PT403');
  assert.equal(sum.error.qt.code, 'feature_not_in_plan');
  const csv = await sb.from('customers').select('name').csv();
  assert.equal(csv.status, 403);
  assert.equal(csv.error.qt.code, 'feature_not_in_plan');
  // a viewer of a store with CSV export may not export, as on /api/v1/export
  const email = `csv-viewer-${Date.now()}@${A.slug}.example`;
  addUser(srv, { tenant: A.slug, email, role: 'viewer' });
  const v = await signedIn(anonA, email, 'correct-horse-battery');
  assert.equal((await v.from('customers').select('name').csv()).error.code, '42501');
  // the store's request rate counts /rest/v1 requests: one each
  const session = (await sb.auth.getSession()).data.session;
  const get = () => fetch(`${srv.url}/rest/v1/customers?select=id`, { headers: { apikey: sb.supabaseKey, Authorization: `Bearer ${session.access_token}` } });
  const first = await get();
  assert.equal(first.headers.get('ratelimit-limit'), '10');
  let refused = null;
  for (let i = 0; i < 60 && !refused; i++) {
    const r = await get();
    if (r.status === 429) refused = r;
    else assert.equal(r.status, 200);
  }
  assert.ok(refused, 'no 429 within 60 requests of a 10-request burst');
  assert.ok(Number(refused.headers.get('retry-after')) >= 1);
  const body = await refused.json();
  assert.equal(body.code, 'PT429');
  assert.equal(body.qt.code, 'rate_limited');
});

test('backend is the one under test', () => {
  assert.ok(['sqlite', 'postgres'].includes(BACKEND));
  void login;
});
