// group_commit.test.mjs — writes applied in batches (SQLite: one writer,
// one transaction per batch, a savepoint per request; api/group_commit.h).
// A burst of concurrent writes, many refused for different reasons (over
// the credit limit, invalid, a duplicate phone, a bad token), shares
// batches with the writes that succeed: every 201 is in the ledger with
// the balance it reported, the refused ones left no entry, no audit row
// and no claimed Idempotency-Key behind, and replays inside a batch give
// the one entry.  On PostgreSQL the same rules hold with no batching.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, newStore, BACKEND } from '../lib/server.mjs';
import { customer, phone, getCustomer, assertProblem } from '../lib/ledger.mjs';

const METRICS_TOKEN = 'group-commit-metrics-' + 'x'.repeat(16);
let srv;
before(async () => { srv = await startServer({ env: { QT_METRICS_TOKEN: METRICS_TOKEN } }); });
after(async () => { await srv?.stop(); });

// The writer's counters: {batches, requests, largest}, or null without one.
async function writerCounters() {
  const r = await fetch(srv.url + '/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(r.status, 200);
  const text = await r.text();
  const num = (name) => {
    const m = new RegExp(`^${name} (\\d+)$`, 'm').exec(text);
    return m ? Number(m[1]) : null;
  };
  const batches = num('qt_write_batches_total');
  if (batches === null) return null;
  return { batches, requests: num('qt_write_batched_requests_total'), largest: num('qt_write_batch_largest') };
}

const post = (token, body, key) => srv.api('POST', '/api/v1/transactions', {
  token, body, headers: key ? { 'Idempotency-Key': key } : {},
});

async function ledgerOf(token, customerId) {
  const r = await srv.api('GET', `/api/v1/transactions?customer_id=${customerId}&limit=200`, { token });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.next_cursor ?? null, null);
  return r.json.data;
}

test('a_batch_with_refused_writes_commits_the_others_and_leaves_no_trace_of_the_refused', async () => {
  const s = await newStore(srv, { plan: 'enterprise' });   // no request rate to meet
  const limited = await customer(srv, s.token, { credit_limit_minor: 10000 });
  const open = await customer(srv, s.token, { credit_limit_minor: 1e12 });
  // Open as many connections as the burst needs first (55, under the 64 a
  // client address may hold), so that its requests arrive together rather
  // than each behind a connect.
  await Promise.all(Array.from({ length: 55 }, () => srv.api('GET', '/healthz')));
  const before = await writerCounters();

  const overLimit = [], fits = [], invalid = [], replayed = [], duplicates = [], badToken = [];
  const dupPhone = phone();
  const requests = [];
  for (let i = 0; i < 24; i++) {           // 10 of these fit under the limit
    const key = randomUUID(), body = { customer_id: limited.id, type: 'purchase', amount_minor: 1000 };
    requests.push(post(s.token, body, key).then((r) => overLimit.push({ key, body, r })));
  }
  for (let i = 0; i < 12; i++) {
    const body = { customer_id: open.id, type: 'purchase', amount_minor: 100 + i };
    requests.push(post(s.token, body, randomUUID()).then((r) => fits.push({ body, r })));
  }
  for (let i = 0; i < 6; i++) {            // refused after the key was claimed
    const key = randomUUID(), body = { customer_id: open.id, type: 'purchase', amount_minor: -5 };
    requests.push(post(s.token, body, key).then((r) => invalid.push({ key, body, r })));
  }
  for (let i = 0; i < 3; i++) {            // each key sent twice at once: one entry
    const key = randomUUID(), body = { customer_id: open.id, type: 'purchase', amount_minor: 7000 + i };
    for (let k = 0; k < 2; k++)
      requests.push(post(s.token, body, key).then((r) => replayed.push({ key, body, r })));
  }
  for (let i = 0; i < 4; i++)              // one phone, four customers: one is made
    requests.push(srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: `Dup ${i}`, phone: dupPhone } })
      .then((r) => duplicates.push(r)));
  for (let i = 0; i < 3; i++)
    requests.push(post(s.token + 'x', { customer_id: open.id, type: 'purchase', amount_minor: 1 })
      .then((r) => badToken.push(r)));
  await Promise.all(requests);

  // Over the limit: exactly the ten that fit passed, each with its balance.
  const passed = overLimit.filter((x) => x.r.status === 201);
  for (const x of overLimit) if (x.r.status !== 201) assertProblem(x.r, 422, 'credit_limit_exceeded');
  assert.equal(passed.length, 10);
  assert.deepEqual(passed.map((x) => x.r.json.balance_after_minor).sort((a, b) => a - b),
    Array.from({ length: 10 }, (_, i) => (i + 1) * 1000));
  for (const x of fits) assert.equal(x.r.status, 201, x.r.text);
  for (const x of invalid) assertProblem(x.r, 422, 'validation_failed', 'amount_minor');
  for (const r of badToken) assertProblem(r, 401, 'invalid_token');
  assert.equal(duplicates.filter((r) => r.status === 201).length, 1, duplicates.map((r) => r.status).join(','));
  for (const r of duplicates) if (r.status !== 201) assert.equal(r.status, 409, r.text);
  // A key sent twice: both answered with the one entry, one of them replayed.
  for (let i = 0; i < 3; i++) {
    const pair = replayed.filter((x) => x.body.amount_minor === 7000 + i);
    assert.equal(pair.length, 2);
    for (const x of pair) assert.equal(x.r.status, 201, x.r.text);
    assert.equal(pair[0].r.json.id, pair[1].r.json.id);
    assert.equal(pair.filter((x) => x.r.headers.get('idempotent-replayed') === 'true').length, 1);
  }

  // The ledger holds every 201 and nothing else.
  const limitedLedger = await ledgerOf(s.token, limited.id);
  assert.deepEqual(limitedLedger.map((e) => e.id).sort(), passed.map((x) => x.r.json.id).sort());
  const openLedger = await ledgerOf(s.token, open.id);
  const openIds = [...fits.map((x) => x.r.json.id), ...new Set(replayed.map((x) => x.r.json.id))];
  assert.deepEqual(openLedger.map((e) => e.id).sort(), openIds.sort());
  assert.equal((await getCustomer(srv, s.token, limited.id)).balance_minor, 10000);
  const openSum = fits.reduce((t, x) => t + x.body.amount_minor, 0) + 7000 + 7001 + 7002;
  assert.equal((await getCustomer(srv, s.token, open.id)).balance_minor, openSum);
  // One audit row per entry made, none for the refused.
  const audit = await srv.api('GET', '/api/v1/audit?entity=transaction&limit=200', { token: s.token });
  assert.equal(audit.status, 200, audit.text);
  assert.equal(audit.json.data.filter((a) => a.action === 'transaction.created').length, 10 + 12 + 3);
  const custs = await srv.api('GET', `/api/v1/customers?limit=200`, { token: s.token });
  assert.equal(custs.json.data.filter((c) => c.phone === dupPhone || c.phone?.endsWith(dupPhone)).length, 1);

  // A refused request's key was not kept: sent again it runs afresh.
  const pay = await post(s.token, { customer_id: limited.id, type: 'payment', amount_minor: 2000 });
  assert.equal(pay.status, 201, pay.text);
  for (const x of overLimit.filter((y) => y.r.status !== 201).slice(0, 2)) {
    const again = await post(s.token, x.body, x.key);
    assert.equal(again.status, 201, again.text);
    assert.equal(again.headers.get('idempotent-replayed'), null);
  }
  for (const x of invalid.slice(0, 2))
    assertProblem(await post(s.token, x.body, x.key), 422, 'validation_failed', 'amount_minor');
  assert.equal((await getCustomer(srv, s.token, limited.id)).balance_minor, 10000);

  const v = srv.cli(['verify']);
  assert.equal(v.code, 0, v.stdout + v.stderr);

  const now = await writerCounters();
  if (BACKEND === 'postgres') {
    assert.equal(now, null, 'PostgreSQL runs each write in a transaction of its own');
  } else {
    // The burst's writes really shared batches (fewer batches than writes).
    const writes = requests.length;
    assert.ok(now.requests - before.requests >= writes, JSON.stringify({ before, now }));
    assert.ok(now.batches - before.batches < writes, `no two of ${writes} writes shared a batch: ${JSON.stringify({ before, now })}`);
    assert.ok(now.largest >= 2);
  }
});

test('a_lone_write_is_applied_and_answered_in_a_batch_of_its_own', { skip: BACKEND !== 'sqlite' && 'SQLite only' }, async () => {
  const s = await newStore(srv, { plan: 'enterprise' });
  const c = await customer(srv, s.token);
  const before = await writerCounters();
  for (let i = 1; i <= 5; i++) {
    const r = await post(s.token, { customer_id: c.id, type: 'purchase', amount_minor: 100 });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.balance_after_minor, 100 * i);   // committed before the next one
  }
  const now = await writerCounters();
  assert.equal(now.requests - before.requests, 5);
  assert.equal(now.batches - before.batches, 5);
});
