// Apartments: building records by TTFFU number, with the customers who live
// there; list by tower and floor; admin-only changes.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore } from '../lib/server.mjs';
import { customer, purchase, tokenFor, assertProblem } from '../lib/ledger.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const post = (token, body) => srv.api('POST', '/api/v1/apartments', { token, body });
const get = (token, n) => srv.api('GET', `/api/v1/apartments/${n}`, { token });
const patch = (token, n, body) => srv.api('PATCH', `/api/v1/apartments/${n}`, { token, body });

test('apartment_record_is_created_read_and_shows_its_customers_and_what_they_owe', async () => {
  const s = await newStore(srv);
  const r = await post(s.token, { number: '36194', occupant_name: 'Rajesh Kumar', occupancy: 'owner', notes: 'corner flat' });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual([r.json.number, r.json.tower, r.json.floor, r.json.unit], ['36194', 36, 19, 4]);
  assert.equal(r.json.occupancy, 'owner');
  assert.deepEqual(r.json.customers, []);
  const c1 = await customer(srv, s.token, { apartment: '36194' });
  const c2 = await customer(srv, s.token, { apartment: '36194' });
  await customer(srv, s.token, { apartment: '36193' });
  await purchase(srv, s.token, c1.id, 1500);
  await purchase(srv, s.token, c2.id, 500);
  const g = await get(s.token, '36194');
  assert.equal(g.status, 200, g.text);
  assert.equal(g.json.occupant_name, 'Rajesh Kumar');
  assert.equal(g.json.notes, 'corner flat');
  assert.deepEqual(g.json.customers.map((c) => c.id).sort(), [c1.id, c2.id].sort());
  assert.equal(g.json.balance_minor, 2000);
  assertProblem(await post(s.token, { number: '36194' }), 409, 'apartment_exists', 'number');
});

test('apartment_number_and_occupancy_are_validated_and_layout_narrows_numbers', async () => {
  const s = await newStore(srv);
  for (const bad of ['3619', '00194', '36190', '3619x', '']) assertProblem(await post(s.token, { number: bad }), 422, 'validation_failed', 'number');
  assertProblem(await post(s.token, {}), 422, 'validation_failed', 'number');
  assertProblem(await post(s.token, { number: '12011', occupancy: 'squatter' }), 422, 'validation_failed', 'occupancy');
  const st = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { building_layout: { towers: 10, floors: 5, units: 3 } } });
  assert.equal(st.status, 200, st.text);
  assertProblem(await post(s.token, { number: '11011' }), 422, 'validation_failed', 'number');
  assertProblem(await post(s.token, { number: '10061' }), 422, 'validation_failed', 'number');
  assertProblem(await post(s.token, { number: '10054' }), 422, 'validation_failed', 'number');
  assertProblem(await post(s.token, { number: '10053' }), 422, 'validation_failed', 'number');   // 5 floors are 00-04
  const ok = await post(s.token, { number: '10043' });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(ok.json.occupancy, 'vacant');
});

test('apartment_patch_updates_creates_on_first_edit_and_never_changes_the_number', async () => {
  const s = await newStore(srv);
  await post(s.token, { number: '42012', occupant_name: 'Priya', occupancy: 'tenant' });
  const u = await patch(s.token, '42012', { occupancy: 'vacant', occupant_name: '' });
  assert.equal(u.status, 200, u.text);
  assert.equal(u.json.occupancy, 'vacant');
  assert.equal((await get(s.token, '42012')).json.occupancy, 'vacant');
  assertProblem(await patch(s.token, '42012', { number: '42013' }), 422, 'validation_failed', 'number');
  const fresh = await patch(s.token, '05031', { occupant_name: 'Vikram', occupancy: 'owner' });
  assert.equal(fresh.status, 200, fresh.text);
  assert.equal((await get(s.token, '05031')).json.occupant_name, 'Vikram');
  assertProblem(await patch(s.token, '0503', { occupant_name: 'x' }), 422, 'validation_failed', 'number');
  const audit = await srv.api('GET', '/api/v1/audit?entity=apartment', { token: s.token });
  assert.deepEqual(audit.json.data.map((a) => `${a.action} ${a.entity_id}`),
    ['apartment.created 05031', 'apartment.updated 42012', 'apartment.created 42012']);
  assert.equal(audit.json.data[1].before.occupancy, 'tenant');
  assert.equal(audit.json.data[1].after.occupancy, 'vacant');
});

test('apartment_without_record_shows_its_residents_and_unknown_is_404', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token, { apartment: '20031' });
  const g = await get(s.token, '20031');
  assert.equal(g.status, 200, g.text);
  assert.deepEqual(g.json.customers.map((x) => x.id), [c.id]);
  assertProblem(await get(s.token, '20032'), 404, 'not_found');
  assertProblem(await get(s.token, 'abcde'), 404, 'not_found');
  // another store's apartment is not visible
  const other = await newStore(srv);
  assertProblem(await get(other.token, '20031'), 404, 'not_found');
});

test('apartments_list_by_tower_and_floor_with_pagination', async () => {
  const s = await newStore(srv);
  const nums = ['36194', '36192', '36201', '42012', '10056', '36011', '36191'];
  for (const n of nums) assert.equal((await post(s.token, { number: n })).status, 201);
  const list = async (qs) => (await srv.api('GET', `/api/v1/apartments?${qs}`, { token: s.token })).json;
  assert.deepEqual((await list('tower=36')).data.map((a) => a.number), ['36011', '36191', '36192', '36194', '36201']);
  assert.deepEqual((await list('tower=36&floor=19')).data.map((a) => a.number), ['36191', '36192', '36194']);
  assert.deepEqual((await list('floor=1')).data.map((a) => a.number), ['36011', '42012']);
  const seen = [];
  let cursor = null;
  do {
    const page = await list(`limit=2${cursor ? `&cursor=${cursor}` : ''}`);
    seen.push(...page.data.map((a) => a.number));
    cursor = page.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, [...nums].sort());
  assert.equal((await srv.api('GET', '/api/v1/apartments?tower=100', { token: s.token })).status, 400);
});

test('only_admins_change_apartment_records_members_and_viewers_read', async () => {
  const s = await newStore(srv);
  const member = await tokenFor(srv, s, 'member');
  const viewer = await tokenFor(srv, s, 'viewer');
  const admin = await tokenFor(srv, s, 'admin');
  assertProblem(await post(member, { number: '11011' }), 403, 'forbidden');
  assertProblem(await post(viewer, { number: '11011' }), 403, 'forbidden');
  assert.equal((await post(admin, { number: '11011' })).status, 201);
  assertProblem(await patch(member, '11011', { occupancy: 'owner' }), 403, 'forbidden');
  assert.equal((await get(viewer, '11011')).status, 200);
  assert.equal((await srv.api('GET', '/api/v1/apartments', { token: member })).status, 200);
});
