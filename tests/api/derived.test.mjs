// The fields each entry keeps in its customer's row (the open lots, the
// oldest due: docs/DERIVED-FIELDS.md): on a random ledger (purchases,
// payments, adjustments and reversals, many back-dated, from a seeded
// generator; QT_SEED=<n> replays a run) a customer read equals a FIFO walk
// over the customer's entries, here in the test, at several moments (the
// server restarted with its clock moved on: the aging buckets move with
// time though nothing is written); a change of the credit period moves
// every oldest due; and `quantumtrack verify` fails, naming the customer,
// when the row's open lots or oldest due are edited in the database
// behind the server's back, on both backends.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startServer, newStore, login, BACKEND } from '../lib/server.mjs';
import { customer, entry, purchase, payment, getCustomer } from '../lib/ledger.mjs';
import { psql } from '../lib/psql.mjs';

const DAY = 86400000;
const IST = 5.5 * 3600000; // Asia/Kolkata, the stores' default timezone
const SEED = Number(process.env.QT_SEED || 20261202);
const BUCKETS = ['current_minor', 'days_1_30_minor', 'days_31_60_minor', 'days_61_90_minor', 'days_90_plus_minor'];

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)) };
}

const localDate = (ms) => new Date(ms + IST).toISOString().slice(0, 10);

// Every entry of a customer, as the API lists them.
async function entriesOf(s, id) {
  const out = [];
  let cursor = null;
  do {
    const r = await srv.api('GET', `/api/v1/transactions?customer_id=${id}&limit=200${cursor ? `&cursor=${cursor}` : ''}`, { token: s.token });
    assert.equal(r.status, 200, r.text);
    out.push(...r.json.data);
    cursor = r.json.next_cursor;
  } while (cursor);
  return out;
}

// The FIFO walk of domain/aging.h over the API's entries, at `now`.
function walk(entries, now, periodDays) {
  const byId = new Map(entries.map((e) => [e.id, e]));
  const effect = (e) => (e.type === 'purchase' ? e.amount_minor : e.type === 'payment' ? -e.amount_minor
    : e.type === 'adjustment' ? e.amount_minor : -effect(byId.get(e.reverses_id)));
  const dropped = new Set();
  for (const e of entries) if (e.type === 'reversal') { dropped.add(e.id); dropped.add(e.reverses_id); }
  const xs = entries.filter((e) => !dropped.has(e.id)).map((e) => ({ id: e.id, at: Date.parse(e.occurred_at), effect: effect(e) }))
    .sort((x, y) => x.at - y.at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const lots = [];
  let credit = 0, balance = 0;
  for (const e of xs) {
    balance += e.effect;
    if (e.effect > 0) {
      const take = Math.min(credit, e.effect);
      credit -= take;
      if (e.effect - take > 0) lots.push({ due: e.at + periodDays * DAY, left: e.effect - take });
    } else {
      let pay = -e.effect;
      while (pay > 0 && lots.length) {
        const use = Math.min(pay, lots[0].left);
        lots[0].left -= use;
        pay -= use;
        if (lots[0].left === 0) lots.shift();
      }
      credit += pay;
    }
  }
  const buckets = [0, 0, 0, 0, 0];
  for (const l of lots) {
    const days = now >= l.due ? Math.floor((now - l.due) / DAY) + 1 : 0;
    buckets[days === 0 ? 0 : days <= 30 ? 1 : days <= 60 ? 2 : days <= 90 ? 3 : 4] += l.left;
  }
  return {
    balance_minor: balance,
    overdue_minor: buckets.slice(1).reduce((a, b) => a + b, 0),
    oldest_due_date: lots.length ? localDate(lots[0].due) : null,
    aging: Object.fromEntries(BUCKETS.map((k, i) => [k, buckets[i]])),
  };
}

const shown = (c) => ({ balance_minor: c.balance_minor, overdue_minor: c.overdue_minor,
  oldest_due_date: c.oldest_due_date, aging: c.aging });

// Run SQL on the server's database as its owner, outside the API.
function rawSql(sql) {
  if (BACKEND === 'postgres') return psql(srv.ownerDb, `SET qt.all_tenants = 'on'; ${sql}`);
  return execFileSync('sqlite3', [srv.db.slice('sqlite:'.length), sql], { stdio: 'pipe' }).toString();
}

test(`a customer read equals the fifo walk over its entries at several moments, on a random ledger (seed ${SEED})`, async () => {
  const rng = prng(SEED);
  const s = await newStore(srv, { plan: 'enterprise' });
  const period = rng.int(0, 40);
  const set = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { credit_period_days: period } });
  assert.equal(set.status, 200, set.text);
  const people = [];
  for (let i = 0; i < 6; i++) people.push(await customer(srv, s.token, { credit_limit_minor: 1000000000 }));
  const made = people.map(() => []);
  for (let i = 0; i < 150; i++) {
    const k = rng.int(0, people.length - 1), id = people[k].id, kind = rng.int(0, 19);
    // Mostly now; one in three back-dated up to 100 days (owners may).
    const at = rng.next() < 0.33 ? { occurred_at: new Date(Date.now() - rng.int(0, 100 * DAY)).toISOString() } : {};
    const amount = rng.int(1, 40000);
    let r;
    if (kind < 10) r = await entry(srv, s.token, { customer_id: id, type: 'purchase', amount_minor: amount, ...at });
    else if (kind < 16) r = await entry(srv, s.token, { customer_id: id, type: 'payment', amount_minor: amount, ...at });
    else if (kind < 18) {
      r = await entry(srv, s.token, { customer_id: id, type: 'adjustment', amount_minor: rng.next() < 0.5 ? amount : -amount,
        reason: 'random', ...at });
    } else {
      const open = made[k].filter((e) => e.type !== 'reversal' && !e.reversed);
      if (!open.length) continue;
      const target = open[rng.int(0, open.length - 1)];
      r = await srv.api('POST', `/api/v1/transactions/${target.id}/reverse`, { token: s.token, body: { reason: 'random' } });
      assert.equal(r.status, 201, r.text);
      target.reversed = true;
    }
    made[k].push({ id: r.json.id, type: r.json.type });
  }
  const ledgers = [];
  for (const p of people) ledgers.push(await entriesOf(s, p.id));

  // Now and later: the buckets move with time, though nothing is written.
  for (const offset of [0, 17 * DAY, 44 * DAY, 93 * DAY]) {
    if (offset) {
      srv.env.QT_CLOCK_OFFSET_MS = String(offset);
      await srv.restart();
      s.token = (await login(srv, s.slug, s.email, s.password)).access_token;
    }
    const overdue = new Set();
    for (let k = 0; k < people.length; k++) {
      const t0 = Date.now() + offset;
      const got = shown(await getCustomer(srv, s.token, people[k].id));
      const t1 = Date.now() + offset;
      // A bucket's edge may pass during the request: either end will do.
      const want0 = walk(ledgers[k], t0, period), want1 = walk(ledgers[k], t1, period);
      try {
        assert.deepEqual(got, want0);
      } catch {
        assert.deepEqual(got, want1, `customer ${k} at offset ${offset / DAY} days`);
      }
      if (got.overdue_minor > 0) overdue.add(people[k].id);
    }
    // The list's overdue filter reads the row's oldest due: it agrees.
    const r = await srv.api('GET', '/api/v1/customers?overdue=true&limit=100', { token: s.token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(new Set(r.json.data.map((c) => c.id)), overdue, `overdue list at offset ${offset / DAY} days`);
  }
  delete srv.env.QT_CLOCK_OFFSET_MS;
  await srv.restart();
  const v = srv.cli(['verify', '--tenant', s.slug]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
});

test('changing_the_credit_period_moves_every_oldest_due_and_verify_still_holds', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  const at = Date.now() - 20 * DAY;
  await purchase(srv, s.token, c.id, 500, { occurred_at: new Date(at).toISOString() });
  await purchase(srv, s.token, c.id, 300);
  let g = await getCustomer(srv, s.token, c.id);
  assert.equal(g.oldest_due_date, localDate(at + 30 * DAY));
  assert.equal(g.overdue_minor, 0);
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { credit_period_days: 7 } });
  assert.equal(r.status, 200, r.text);
  g = await getCustomer(srv, s.token, c.id);
  assert.equal(g.oldest_due_date, localDate(at + 7 * DAY));
  assert.equal(g.overdue_minor, 500);
  const list = await srv.api('GET', '/api/v1/customers?overdue=true', { token: s.token });
  assert.deepEqual(list.json.data.map((x) => x.id), [c.id]);
  const v = srv.cli(['verify', '--tenant', s.slug]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
});

test('a_customer_read_ages_the_lots_its_row_keeps_and_verify_fails_naming_the_customer_when_they_are_edited', async () => {
  const s = await newStore(srv);
  const bystander = await newStore(srv);
  const c = await customer(srv, s.token, { name: 'Edited Lots' });
  const at = Date.now() - 50 * DAY;
  await purchase(srv, s.token, c.id, 700, { occurred_at: new Date(at).toISOString() });
  await purchase(srv, s.token, c.id, 400);
  await payment(srv, s.token, c.id, 200);
  await customer(srv, bystander.token);
  assert.equal(srv.cli(['verify']).code, 0);
  const tid = rawSql(`SELECT id FROM tenants WHERE slug = '${s.slug}'`).toString().trim().split('\n').pop();
  const where = `WHERE tenant_id = '${tid}' AND id = '${c.id}'`;
  const [stored] = rawSql(`SELECT open_lots FROM customers ${where}`).toString().trim().split('\n').slice(-1);
  assert.match(stored, new RegExp(`^${at}:500,\\d+:400$`));

  // The same amounts, the first lot dated ten days later: the read follows
  // the row (it does not walk the entries), verify does not.
  const edited = stored.replace(`${at}:`, `${at + 10 * DAY}:`);
  rawSql(`UPDATE customers SET open_lots = '${edited}' ${where}`);
  const g = await getCustomer(srv, s.token, c.id);
  assert.equal(g.oldest_due_date, localDate(at + 40 * DAY));
  const v = srv.cli(['verify']);
  assert.equal(v.code, 1, v.stdout);
  assert.match(v.stdout, new RegExp(`${s.slug}: MISMATCH customer ${c.id} \\(Edited Lots\\): stored open_lots "${edited}", entries give "${stored}"`));
  assert.match(v.stdout, new RegExp(`${bystander.slug}: ok`));
  assert.equal(srv.cli(['verify', '--tenant', bystander.slug]).code, 0);

  // NULL ("not kept") is sound: the read goes to the entries again.
  rawSql(`UPDATE customers SET open_lots = NULL ${where}`);
  assert.equal((await getCustomer(srv, s.token, c.id)).oldest_due_date, localDate(at + 30 * DAY));
  assert.equal(srv.cli(['verify', '--tenant', s.slug]).code, 0);

  // The oldest due, which the list's overdue filter reads.
  rawSql(`UPDATE customers SET oldest_due_at = oldest_due_at + 1 ${where}`);
  const v2 = srv.cli(['verify', '--tenant', s.slug, '--threads', '1']);
  assert.equal(v2.code, 1, v2.stdout);
  assert.match(v2.stdout, new RegExp(`MISMATCH customer ${c.id} \\(Edited Lots\\): stored oldest_due_at ${at + 30 * DAY + 1}, entries give ${at + 30 * DAY}`));
  // The next entry puts the row right again.
  await purchase(srv, s.token, c.id, 1);
  assert.equal(srv.cli(['verify', '--tenant', s.slug]).code, 0);
});

test('verify_takes_a_number_of_threads', async () => {
  const s = await newStore(srv);
  await customer(srv, s.token);
  for (const n of ['1', '3']) {
    const v = srv.cli(['verify', '--threads', n]);
    assert.equal(v.code, 0, v.stdout + v.stderr);
    assert.match(v.stdout, new RegExp(`${s.slug}: ok`));
  }
  for (const bad of ['0', '17', 'x']) {
    const v = srv.cli(['verify', '--threads', bad]);
    assert.equal(v.code, 2, v.stdout + v.stderr);
    assert.match(v.stderr, /--threads: must be a number from 1 to 16/);
  }
});
