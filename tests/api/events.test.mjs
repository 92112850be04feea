// events.test.mjs — the live event stream (issue 10): GET /api/v1/events
// as Server-Sent Events and POST /api/v1/events/ticket, on both backends.
// Each change is an event written in its own transaction, with ids that
// run 1, 2, 3... per store in commit order; a client that drops resumes
// from Last-Event-ID without a gap, one whose id is older than what is
// kept is told to reset; tickets open one stream once, within 60 s; a
// write made through one server process reaches a client of another
// (LISTEN/NOTIFY on PostgreSQL, surviving a cut LISTEN connection; the
// event heads polled on SQLite).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startServer, newStore, addUser, login, createPostgresDatabase, dropPostgresDatabase, BACKEND } from '../lib/server.mjs';
import { openEvents, ticketFor } from '../lib/sse.mjs';
import { psql, adminUrlFor } from '../lib/psql.mjs';

let srv;
const open = [];

// Streams opened through this are closed after each test.
async function stream(opts, s = srv) {
  const st = await openEvents(s.url, opts);
  open.push(st);
  return st;
}

function sql(s, text) {
  if (s.backend === 'postgres') return psql(adminUrlFor(new URL(s.db).pathname.slice(1)), text);
  return execFileSync('sqlite3', [s.db.slice('sqlite:'.length), text], { stdio: 'pipe' }).toString();
}

let phoneSeq = 0;
const phone = () => `98${String(Date.now() % 1e5).padStart(5, '0')}${String(phoneSeq++ % 1000).padStart(3, '0')}`;

async function call(s, token, method, path, body, status) {
  const r = await s.api(method, path, { token, body });
  if (status) assert.equal(r.status, status, `${method} ${path}: ${r.status} ${r.text}`);
  return r;
}
const customer = async (st, s = srv) => (await call(s, st.token, 'POST', '/api/v1/customers',
  { name: `Resident ${phoneSeq}`, phone: phone() }, 201)).json;
const entry = async (st, customerId, type, amount, s = srv) => (await call(s, st.token, 'POST', '/api/v1/transactions',
  { customer_id: customerId, type, amount_minor: amount }, 201)).json;

// A ready stream: the `ready` event has come (it carries the head id).
async function readyStream(st, opts = {}, s = srv) {
  const es = await stream({ token: st.token, ...opts }, s);
  assert.equal(es.status, 200, es.text);
  const ready = await es.waitFor((e) => e.event === 'ready' || e.event === 'reset');
  return { es, head: Number(ready.id) };
}

// Heartbeats each second; room for 200 streams per store (and from one
// address).  A parked stream holds no socket watch, so a client that went
// away is noticed at its next heartbeat.
before(async () => {
  srv = await startServer({ env: { QT_SSE_HEARTBEAT_S: '1', QT_SSE_PER_TENANT: '200', QT_PER_IP_CONNECTIONS: '600' } });
});

after(async () => {
  for (const s of open) s.close();
  await srv?.stop();
});

test('each change is an event with the figures it moved, in the headers an event stream needs', async () => {
  const st = await newStore(srv);
  const { es, head } = await readyStream(st);
  assert.equal(head, 1 - 1, 'a new store has no events yet');
  assert.match(es.headers['content-type'], /^text\/event-stream/);
  assert.equal(es.headers['x-accel-buffering'], 'no');
  assert.equal(es.headers['cache-control'], 'no-store');
  assert.equal(es.retry, 3000);

  const c = await customer(st);
  const p = await entry(st, c.id, 'purchase', 2500);
  const pay = await entry(st, c.id, 'payment', 1000);
  const rev = await call(srv, st.token, 'POST', `/api/v1/transactions/${pay.id}/reverse`, { reason: 'typed twice' }, 201);
  await call(srv, st.token, 'PATCH', `/api/v1/customers/${c.id}`, { notes: 'gate 2' }, 200);
  const rem = await call(srv, st.token, 'POST', `/api/v1/customers/${c.id}/reminders`, { channel: 'link' }, 201);
  await entry(st, c.id, 'payment', 2500);
  await call(srv, st.token, 'DELETE', `/api/v1/customers/${c.id}`, undefined, 200);

  const last = await es.waitFor((e) => e.event === 'customer.archived');
  const got = es.events.filter((e) => e.event !== 'ready');
  assert.deepEqual(got.map((e) => e.event), [
    'customer.created', 'entry.created', 'summary.changed', 'entry.created', 'summary.changed',
    'entry.reversed', 'summary.changed', 'customer.updated', 'reminder.created',
    'entry.created', 'summary.changed', 'customer.archived',
  ]);
  assert.deepEqual(got.map((e) => Number(e.id)), got.map((_, i) => i + 1), 'ids run 1, 2, 3... without a gap');
  const [created, e1, s1, e2, s2, reversed, s3, updated, reminder] = got;
  assert.equal(created.data.id, c.id);
  assert.equal(e1.data.id, p.id);
  assert.equal(e1.data.customer_id, c.id);
  assert.equal(e1.data.balance_minor, 2500, 'an entry carries the customer\'s new balance');
  assert.deepEqual([s1.data.outstanding_minor, s1.data.customers_owing], [2500, 1]);
  assert.equal(e2.data.balance_minor, 1500);
  assert.equal(s2.data.outstanding_minor, 1500);
  assert.equal(reversed.data.reverses_id, pay.id);
  assert.equal(reversed.data.id, rev.json.id);
  assert.equal(reversed.data.balance_minor, 2500);
  assert.equal(s3.data.outstanding_minor, 2500);
  assert.equal(updated.data.id, c.id);
  assert.equal(updated.data.balance_minor, 2500);
  assert.deepEqual([reminder.data.id, reminder.data.customer_id, reminder.data.status, reminder.data.kind],
    [rem.json.id, c.id, 'link_ready', 'reminder']);
  assert.equal(last.data.status, 'archived');
  // The summary's figures are the report's.
  await entry(st, (await customer(st)).id, 'purchase', 700);
  const s4 = await es.waitFor((e) => e.event === 'summary.changed' && e.data.outstanding_minor === 700);
  const report = await call(srv, st.token, 'GET', '/api/v1/reports/summary', undefined, 200);
  assert.deepEqual([s4.data.outstanding_minor, s4.data.customers_owing],
    [report.json.outstanding_minor, report.json.customers_owing]);
});

test('a refused change leaves no event', async () => {
  const st = await newStore(srv);
  const c = await customer(st);
  const { es, head } = await readyStream(st);
  const over = await call(srv, st.token, 'POST', '/api/v1/transactions',
    { customer_id: c.id, type: 'purchase', amount_minor: 999999999 });
  assert.equal(over.status, 422, over.text);
  await entry(st, c.id, 'purchase', 100);
  const e = await es.waitFor((x) => x.event === 'entry.created');
  assert.equal(Number(e.id), head + 1, 'the refused purchase took no id');
  assert.equal(e.data.balance_minor, 100);
});

test('a CSV import is one summary.changed, and a dry run none', async () => {
  const st = await newStore(srv);
  const { es, head } = await readyStream(st);
  const csv = 'name,phone\r\nImported One,9811100001\r\nImported Two,9811100002\r\n';
  const post = (q) => fetch(`${srv.url}/api/v1/import/customers${q}`, {
    method: 'POST', headers: { Authorization: `Bearer ${st.token}`, 'Content-Type': 'text/csv' }, body: csv,
  });
  const dry = await post('?dry_run=true');
  assert.equal(dry.status, 200, await dry.text());
  const real = await post('');
  assert.equal(real.status, 200, await real.text());
  const e = await es.waitFor((x) => x.event === 'summary.changed');
  assert.equal(Number(e.id), head + 1, 'the dry run left no event');
  assert.deepEqual([e.data.cause, e.data.kind, e.data.rows, e.data.created, e.data.customers_owing],
    ['import.completed', 'customers', 2, 2, 0]);
  await customer(st);
  const next = await es.waitFor((x) => x.event === 'customer.created');
  assert.equal(Number(next.id), head + 2, 'one event for the whole import');
});

test('parallel writers get ids in commit order: no gap, balances and totals only grow', async () => {
  const st = await newStore(srv);
  const customers = [await customer(st), await customer(st), await customer(st)];
  const { es, head } = await readyStream(st);
  const N = 24;
  await Promise.all(Array.from({ length: N }, (_, i) => entry(st, customers[i % 3].id, 'purchase', 100 + i)));
  const total = Array.from({ length: N }, (_, i) => 100 + i).reduce((a, b) => a + b, 0);
  await es.waitFor((e) => e.event === 'summary.changed' && e.data.outstanding_minor === total, 10000);
  const got = es.events.filter((e) => e.event !== 'ready');
  assert.equal(got.length, 2 * N);
  assert.deepEqual(got.map((e) => Number(e.id)), got.map((_, i) => head + i + 1));
  // Each write's events are adjacent, and what a later id says was true later.
  const sums = got.filter((e) => e.event === 'summary.changed').map((e) => e.data.outstanding_minor);
  assert.deepEqual(sums, [...sums].sort((a, b) => a - b), 'outstanding totals in id order never go back');
  for (const c of customers) {
    const bal = got.filter((e) => e.event === 'entry.created' && e.data.customer_id === c.id).map((e) => e.data.balance_minor);
    assert.deepEqual(bal, [...bal].sort((a, b) => a - b), 'a customer\'s balances in id order never go back');
  }
  assert.equal(sums.at(-1), total);
});

test('a ticket opens one stream, once', async () => {
  const st = await newStore(srv);
  const t = await call(srv, st.token, 'POST', '/api/v1/events/ticket', undefined, 200);
  assert.equal(t.json.expires_in, 60);
  assert.match(t.json.ticket, /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/);
  assert.ok(!t.json.ticket.includes(st.token.split('.')[1]), 'the ticket is not the token');
  const es = await stream({ ticket: t.json.ticket });
  assert.equal(es.status, 200, es.text);
  await es.waitFor((e) => e.event === 'ready');
  const again = await stream({ ticket: t.json.ticket });
  assert.equal(again.status, 401, again.text);
  assert.equal(again.json.code, 'invalid_ticket');
  assert.match(again.json.detail, /already used/);
  assert.equal(again.json.errors[0].field, 'ticket');
  // The first stream still works.
  await customer(st);
  await es.waitFor((e) => e.event === 'customer.created');
});

test('a ticket expires after 60 seconds', async () => {
  const st = await newStore(srv);
  const ticket = await ticketFor(srv.url, st.token);
  // Age it by 61 s in the database, as the clock would.
  sql(srv, `UPDATE event_tickets SET expires_at = expires_at - 61000, created_at = created_at - 61000;`);
  const es = await stream({ ticket });
  assert.equal(es.status, 401, es.text);
  assert.equal(es.json.code, 'invalid_ticket');
  assert.match(es.json.detail, /expired/);
  // A fresh one works.
  const ok = await stream({ ticket: await ticketFor(srv.url, st.token) });
  assert.equal(ok.status, 200, ok.text);
});

test('tickets are for the event stream of their own store only', async () => {
  const A = await newStore(srv);
  const B = await newStore(srv);
  const tidA = JSON.parse(Buffer.from(A.token.split('.')[1], 'base64url')).tid;
  const tB = await ticketFor(srv.url, B.token);
  // B's ticket under A's store id is no ticket at all.
  const crossed = await stream({ ticket: `${tidA}.${tB.split('.')[1]}` });
  assert.equal(crossed.status, 401, crossed.text);
  assert.equal(crossed.json.code, 'invalid_ticket');
  for (const bad of ['x', 'a'.repeat(80), `${tidA}.short`, `${tidA}.${'*'.repeat(43)}`]) {
    const r = await stream({ ticket: bad });
    assert.equal(r.status, 401, `${bad}: ${r.text}`);
    assert.equal(r.json.errors[0].field, 'ticket');
  }
  // Another route does not take a ticket in place of a token.
  const t = await ticketFor(srv.url, A.token);
  const r = await srv.api('GET', `/api/v1/customers?ticket=${encodeURIComponent(t)}`);
  assert.equal(r.status, 401, r.text);
  assert.equal(r.json.code, 'unauthorized');
  // ...and it was not spent by that attempt.
  assert.equal((await stream({ ticket: t })).status, 200);
  // Without a ticket or a token: 401.
  const none = await stream({});
  assert.equal(none.status, 401, none.text);
});

test('Bearer tokens work; viewers and plans without realtime are refused', async () => {
  const st = await newStore(srv);
  const es = await stream({ token: st.token });
  assert.equal(es.status, 200, es.text);
  const v = addUser(srv, { tenant: st.slug, email: `viewer@${st.slug}.example`, role: 'viewer' });
  const vs = await login(srv, st.slug, v.email, v.password);
  const vt = await srv.api('POST', '/api/v1/events/ticket', { token: vs.access_token });
  assert.equal(vt.status, 403, vt.text);
  assert.equal(vt.json.code, 'forbidden');
  assert.equal((await stream({ token: vs.access_token })).status, 403);
  const m = addUser(srv, { tenant: st.slug, email: `member@${st.slug}.example`, role: 'member' });
  const ms = await login(srv, st.slug, m.email, m.password);
  assert.equal((await stream({ ticket: await ticketFor(srv.url, ms.access_token) })).status, 200);

  const free = await newStore(srv, { plan: 'free' });
  for (const r of [await srv.api('POST', '/api/v1/events/ticket', { token: free.token }), await stream({ token: free.token })]) {
    const j = r.json;
    assert.equal(r.status, 403);
    assert.equal(j.code, 'feature_not_in_plan');
    assert.equal(j.feature, 'realtime');
  }
});

test('store B never sees store A\'s events', async () => {
  const A = await newStore(srv);
  const B = await newStore(srv);
  const a = await readyStream(A);
  const b = await readyStream(B);
  // Even when asking from A's ids.
  const bOld = await stream({ token: B.token, lastEventId: 0 });
  const c = await customer(A);
  await entry(A, c.id, 'purchase', 4200);
  await a.es.waitFor((e) => e.event === 'summary.changed');
  const cb = await customer(B);
  await b.es.waitFor((e) => e.event === 'customer.created');
  await bOld.waitFor((e) => e.event === 'customer.created');
  for (const es of [b.es, bOld]) {
    const text = JSON.stringify(es.events);
    assert.ok(!text.includes(c.id) && !text.includes('4200'), `B's stream shows A's change: ${text}`);
    assert.deepEqual(es.events.filter((e) => e.event !== 'ready').map((e) => e.data.id), [cb.id]);
  }
  // A's last id means nothing to B: past B's head, it is a reset.
  const far = await stream({ token: B.token, lastEventId: Number(a.es.events.at(-1).id) + 50 });
  const reset = await far.waitFor(() => true);
  assert.equal(reset.event, 'reset');
});

test('a client that drops resumes from Last-Event-ID with nothing lost or repeated', async () => {
  const st = await newStore(srv);
  const c = await customer(st);
  const first = await stream({ ticket: await ticketFor(srv.url, st.token) });
  await first.waitFor((e) => e.event === 'ready');
  await entry(st, c.id, 'purchase', 100);
  const seen = await first.waitFor((e) => e.event === 'summary.changed');
  first.close();   // the connection is cut
  for (let i = 0; i < 5; i++) await entry(st, c.id, 'purchase', 10);
  // EventSource sends the header; our web app the query parameter.
  for (const how of ['header', 'query']) {
    const opts = how === 'header'
      ? { ticket: await ticketFor(srv.url, st.token), lastEventId: seen.id }
      : { ticket: await ticketFor(srv.url, st.token), query: `last_event_id=${seen.id}` };
    const again = await stream(opts);
    assert.equal(again.status, 200, again.text);
    await again.waitFor((e) => e.event === 'summary.changed' && e.data.outstanding_minor === 150);
    assert.deepEqual(again.events.map((e) => Number(e.id)), Array.from({ length: 10 }, (_, i) => Number(seen.id) + 1 + i),
      `${how}: the ids after the last one seen, each once`);
    assert.ok(!again.events.some((e) => e.event === 'ready' || e.event === 'reset'));
    assert.deepEqual(again.events.filter((e) => e.event === 'entry.created').map((e) => e.data.balance_minor),
      [110, 120, 130, 140, 150]);
  }
});

test('a Last-Event-ID that is not a number is a 400 naming it', async () => {
  const st = await newStore(srv);
  for (const [opts, field] of [[{ lastEventId: 'abc' }, 'Last-Event-ID'], [{ lastEventId: '-1' }, 'Last-Event-ID'],
    [{ query: 'last_event_id=1e3' }, 'last_event_id'], [{ query: 'last_event_id=99999999999999999999' }, 'last_event_id']]) {
    const r = await stream({ token: st.token, ...opts });
    assert.equal(r.status, 400, r.text);
    assert.equal(r.json.errors[0].field, field);
  }
});

test('a heartbeat comment comes every QT_SSE_HEARTBEAT_S seconds', async () => {
  const st = await newStore(srv);
  const { es } = await readyStream(st);
  const t0 = Date.now();
  while (es.comments.length < 2 && Date.now() - t0 < 4000) await new Promise((r) => setTimeout(r, 100));
  assert.ok(es.comments.length >= 2, `heartbeats: ${es.comments.length}`);
  assert.equal(es.comments[0].text, 'heartbeat');
  assert.ok(!es.closed);
});

test('a removed member\'s stream ends at the next heartbeat', async () => {
  const st = await newStore(srv);
  const m = addUser(srv, { tenant: st.slug, email: `leaver@${st.slug}.example`, role: 'member' });
  const ms = await login(srv, st.slug, m.email, m.password);
  const me = await call(srv, ms.access_token, 'GET', '/api/v1/auth/me', undefined, 200);
  const { es } = await readyStream({ token: ms.access_token });
  await call(srv, st.token, 'DELETE', `/api/v1/users/${me.json.user.id}`, undefined, 204);
  await Promise.race([es.ended, new Promise((_, rej) => setTimeout(() => rej(new Error('the stream went on')), 4000))]);
  // Nothing said after the removal.
  await customer(st);
  assert.ok(!es.events.some((e) => e.event === 'customer.created'));
});

test('an id older than what is kept (48 h) gets a reset; the latest id still resumes; stopping ends streams', async () => {
  const s = await startServer();
  try {
    let st = await newStore(s);
    const c = await customer(st, s);
    await entry(st, c.id, 'purchase', 300, s);
    const { es, head } = await readyStream(st, {}, s);
    es.close();
    assert.equal(head, 3);
    // Two days later: the server prunes at start-up.
    s.env.QT_CLOCK_OFFSET_MS = String(49 * 3600 * 1000);
    await s.restart();
    st = { ...st, token: (await login(s, st.slug, st.email, st.password)).access_token };
    const old = await stream({ token: st.token, lastEventId: 1 }, s);
    const reset = await old.waitFor(() => true);
    assert.equal(reset.event, 'reset');
    assert.equal(Number(reset.id), 3);
    assert.equal(reset.data.seq, 3);
    const latest = await stream({ token: st.token, lastEventId: 3 }, s);
    await customer(st, s);
    const e = await latest.waitFor(() => true);
    assert.deepEqual([e.event, Number(e.id)], ['customer.created', 4], 'no reset: nothing after 3 was lost');
    // Stopping the server ends open streams promptly.
    const t0 = Date.now();
    await s.stop();
    await latest.ended;
    assert.ok(Date.now() - t0 < 5000, `stop took ${Date.now() - t0} ms`);
  } finally {
    for (const x of open.splice(0)) x.close();
    await s.stop();
  }
});

test('a write made through one server reaches a client of another server', async () => {
  const shared = {
    QT_JWT_SECRET: 'shared-secret-' + randomBytes(24).toString('hex'),
    QT_MASTER_KEY: randomBytes(32).toString('hex'),
  };
  let pg = null, a, b;
  try {
    if (BACKEND === 'postgres') {
      pg = createPostgresDatabase();
      a = await startServer({ pg, env: shared });
      b = await startServer({ pg, env: shared });
    } else {
      // Two processes on one SQLite file: B finds A's commits in the heads.
      a = await startServer({ env: shared });
      b = await startServer({ env: { ...shared, QT_DB: a.db } });
    }
    const st = await newStore(a);
    const c = await customer(st, a);
    const onB = await stream({ token: st.token }, b);
    assert.equal(onB.status, 200, onB.text);
    await onB.waitFor((e) => e.event === 'ready');
    const lag = [];
    for (let i = 1; i <= 3; i++) {
      const t0 = Date.now();
      const p = await entry(st, c.id, 'purchase', 100, a);
      const e = await onB.waitFor((x) => x.event === 'entry.created' && x.data.id === p.id, 5000);
      lag.push(e.at - t0);
      assert.equal(e.data.balance_minor, 100 * i);
    }
    // PostgreSQL: LISTEN/NOTIFY, within 1 s.  SQLite: polled each second.
    const limit = BACKEND === 'postgres' ? 1000 : 2500;
    assert.ok(Math.max(...lag) < limit, `fan-out across processes took ${lag} ms`);
    if (BACKEND === 'postgres') {
      // The LISTEN connections are cut: the servers listen again, and a
      // write made meanwhile still arrives (the streams re-read).
      const admin = adminUrlFor(pg.name);
      const cut = () => psql(admin, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
        WHERE application_name = 'quantumtrack-listen' AND datname = current_database();`)[0][0];
      assert.equal(cut(), '2', 'each server has its LISTEN connection');
      const p = await entry(st, c.id, 'purchase', 100, a);
      const e = await onB.waitFor((x) => x.event === 'entry.created' && x.data.id === p.id, 8000);
      assert.equal(e.data.balance_minor, 400);
      for (let i = 0; i < 40; i++) {
        if (psql(admin, `SELECT count(*) FROM pg_stat_activity WHERE application_name = 'quantumtrack-listen'
          AND datname = current_database();`)[0][0] === '2') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const t0 = Date.now();
      const q = await entry(st, c.id, 'purchase', 100, a);
      const f = await onB.waitFor((x) => x.event === 'entry.created' && x.data.id === q.id, 5000);
      assert.ok(f.at - t0 < 1000, `after the reconnect: ${f.at - t0} ms`);
    }
  } finally {
    for (const x of open.splice(0)) x.close();
    await b?.stop();
    await a?.stop();
    if (pg) dropPostgresDatabase(pg);
  }
});

test('streams per store are limited (429), and 200 open streams leave the API answering', async () => {
  // enterprise has no request rate: 200 streams open at once, as a busy store's tabs would over minutes.
  const st = await newStore(srv, { plan: 'enterprise' });
  const c = await customer(st);
  const streams = [];
  for (let i = 0; i < 200; i += 50)
    streams.push(...await Promise.all(Array.from({ length: 50 }, () => stream({ token: st.token }))));
  assert.ok(streams.every((x) => x.status === 200), streams.map((x) => x.status).join());
  const over = await stream({ token: st.token });
  assert.equal(over.status, 429, over.text);
  assert.equal(over.json.code, 'too_many_streams');
  assert.equal(over.json.limit, 200);
  assert.ok(Number(over.headers['retry-after']) > 0);
  // Another store is not held back by this one's streams.
  const other = await newStore(srv);
  assert.equal((await stream({ token: other.token })).status, 200);
  // The API answers while they are all open, and every stream gets the news.
  const t0 = Date.now();
  for (let i = 0; i < 20; i++) await call(srv, st.token, 'GET', `/api/v1/customers/${c.id}`, undefined, 200);
  const p = await entry(st, c.id, 'purchase', 500);
  assert.ok(Date.now() - t0 < 5000, `20 reads and a write took ${Date.now() - t0} ms`);
  await Promise.all(streams.map((x) => x.waitFor((e) => e.event === 'entry.created' && e.data.id === p.id, 5000)));
  // One closes: there is room for one more (once a heartbeat has found it gone).
  streams[0].close();
  let again;
  for (let i = 0; i < 80; i++) {
    again = await stream({ token: st.token });
    if (again.status === 200) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(again.status, 200, again.text);
  for (const x of streams) x.close();
});
