// Every report agrees with the balances `quantumtrack verify` checks, on a
// random ledger: a few hundred purchases, payments, adjustments and
// reversals over many customers, backdated up to 120 days, from a seeded
// generator (QT_SEED=<n> replays a run; the seed is in the test's name).
// The test keeps its own model of the ledger (balances, FIFO aging, days,
// towers, collections) and compares each report with it and the reports
// with each other.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore } from '../lib/server.mjs';

const DAY = 86400000;
const IST = 5.5 * 3600000; // Asia/Kolkata, the stores' default timezone (no DST)
const SEED = Number(process.env.QT_SEED || 20260517);
const CUSTOMERS = 40;
const OPERATIONS = 360;
const METHODS = ['cash', 'upi', 'card', 'bank', 'other'];

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

// mulberry32: small, seeded, good enough to pick amounts and dates.
function prng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}

const localDate = (ms) => new Date(ms + IST).toISOString().slice(0, 10);
const localMidnight = (date) => Date.parse(`${date}T00:00:00+05:30`);
const addDays = (date, n) => new Date(Date.parse(date + 'T00:00:00Z') + n * DAY).toISOString().slice(0, 10);
// round(num * scale / den) half up, as domain/collections.c; null for den 0.
const ratio = (num, den, scale) => (den === 0 ? null : Number((BigInt(num) * BigInt(scale) + BigInt(den) / 2n) / BigInt(den)));

// ---- the model ----------------------------------------------------------

// Entries that count: neither reversed nor reversals (a reversed entry
// never happened, for every report).
const live = (entries) => entries.filter((e) => e.type !== 'reversal' && !e.reversed);

function balance(entries, before = Infinity) {
  return live(entries).filter((e) => e.occurred_at < before).reduce((a, e) => a + e.effect, 0);
}

// FIFO aging as domain/aging.h describes it.
function aging(entries, now, periodDays) {
  const xs = live(entries).sort((x, y) => x.occurred_at - y.occurred_at || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
  const lots = [];
  let credit = 0;
  for (const e of xs) {
    if (e.effect > 0) {
      let amount = e.effect;
      const take = Math.min(credit, amount);
      credit -= take;
      amount -= take;
      if (amount > 0) lots.push({ due: e.occurred_at + periodDays * DAY, amount });
    } else if (e.effect < 0) {
      let pay = -e.effect;
      for (const lot of lots) {
        if (!pay) break;
        const take = Math.min(lot.amount, pay);
        lot.amount -= take;
        pay -= take;
      }
      credit += pay;
    }
  }
  const buckets = [0, 0, 0, 0, 0];
  for (const lot of lots) {
    if (!lot.amount) continue;
    if (now < lot.due) { buckets[0] += lot.amount; continue; }
    const d = Math.floor((now - lot.due) / DAY) + 1;
    buckets[d <= 30 ? 1 : d <= 60 ? 2 : d <= 90 ? 3 : 4] += lot.amount;
  }
  return buckets;
}

// ---- building the ledger -----------------------------------------------

async function build(rng) {
  // enterprise has no request rate: the ledger is a few hundred writes back to back.
  const s = await newStore(srv, { name: 'Random Ledger', plan: 'enterprise' });
  const api = (m, p, body) => srv.api(m, p, { token: s.token, body });
  const settings = (await api('GET', '/api/v1/settings')).json;
  const customers = [];
  for (let i = 0; i < CUSTOMERS; i++) {
    const withFlat = i % 5 !== 4;
    const apartment = withFlat ? `${String(rng.int(1, 6)).padStart(2, '0')}${String(rng.int(0, 9)).padStart(2, '0')}${rng.int(1, 4)}` : undefined;
    const limit = i % 3 === 0 ? rng.int(1, 20) * 10000 : null;
    const body = { name: i % 7 === 0 ? `ग्राहक ${i} शर्मा` : `Customer ${i}`, phone: `9${String(700000000 + SEED % 1000 * 1000 + i).padStart(9, '0')}` };
    if (apartment) body.apartment = apartment;
    if (limit !== null) body.credit_limit_minor = limit;
    const r = await api('POST', '/api/v1/customers', body);
    assert.equal(r.status, 201, r.text);
    customers.push({ id: r.json.id, apartment, tower: r.json.tower, floor: r.json.floor,
      limit: limit ?? settings.default_credit_limit_minor, entries: [] });
  }
  const all = [];
  const now = Date.now();
  for (let k = 0; k < OPERATIONS; k++) {
    const c = rng.pick(customers);
    const roll = rng.next();
    // Whole seconds plus 500 ms keep every time off the day boundaries the
    // reports cut at (local midnights, due instants of whole days).
    const backdated = rng.next() < 0.9;
    const occurred = now - rng.int(0, 120 * 86400) * 1000 - 500;
    const when = backdated ? { occurred_at: new Date(occurred).toISOString() } : {};
    if (roll < 0.14) {
      const open = all.filter((e) => e.type !== 'reversal' && !e.reversed);
      if (!open.length) continue;
      const target = rng.pick(open);
      const r = await api('POST', `/api/v1/transactions/${target.id}/reverse`, { reason: 'random reversal' });
      assert.equal(r.status, 201, r.text);
      target.reversed = true;
      const e = { id: r.json.id, type: 'reversal', effect: -target.effect, occurred_at: Date.parse(r.json.occurred_at) };
      target.customer.entries.push(e);
      all.push(e);
      continue;
    }
    let body;
    if (roll < 0.58) {
      const amount = rng.int(1, 60000);
      body = { type: 'purchase', amount_minor: amount };
      if (balance(c.entries) + amount > c.limit) Object.assign(body, { override: true, override_reason: 'random ledger' });
    } else if (roll < 0.9) {
      body = { type: 'payment', amount_minor: rng.int(1, 40000), payment_method: rng.pick(METHODS) };
    } else {
      const amount = rng.int(1, 8000) * (rng.next() < 0.5 ? -1 : 1);
      body = { type: 'adjustment', amount_minor: amount, reason: 'random adjustment' };
    }
    const r = await api('POST', '/api/v1/transactions', { customer_id: c.id, ...body, ...when });
    assert.equal(r.status, 201, `${JSON.stringify(body)}: ${r.text}`);
    const effect = body.type === 'payment' ? -body.amount_minor : body.amount_minor;
    const e = { id: r.json.id, type: body.type, amount: body.amount_minor, effect, method: body.payment_method,
      occurred_at: Date.parse(r.json.occurred_at), customer: c, reversed: false };
    c.entries.push(e);
    all.push(e);
  }
  return { s, api, settings, customers, all };
}

test(`every report agrees with the balances verify checks, on a random ledger (seed ${SEED})`, async () => {
  const rng = prng(SEED);
  const { s, api, settings, customers, all } = await build(rng);
  assert.ok(all.filter((e) => e.type === 'reversal').length > 20, 'the ledger has reversals');
  assert.ok(customers.some((c) => balance(c.entries) < 0), 'some customer is in credit');

  // verify: every stored balance is the sum of its entries, the audit chain holds.
  const v = srv.cli(['verify', '--tenant', s.slug]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, /ok \(balances match their entries; audit chain intact\)/);
  // ... and those balances are the model's.
  const list = (await api('GET', '/api/v1/customers?limit=200&status=all')).json.data;
  assert.equal(list.length, CUSTOMERS);
  const stored = Object.fromEntries(list.map((c) => [c.id, c.balance_minor]));
  for (const c of customers) {
    c.balance = balance(c.entries);
    assert.equal(stored[c.id], c.balance, `balance of ${c.id}`);
  }
  const owing = customers.filter((c) => c.balance > 0);
  const outstanding = owing.reduce((a, c) => a + c.balance, 0);

  // summary
  const now = Date.now();
  const today = localDate(now);
  const sum = (await api('GET', '/api/v1/reports/summary')).json;
  const period = settings.credit_period_days;
  for (const c of customers) c.aging = aging(c.entries, now, period);
  const overdueOf = (c) => c.aging.slice(1).reduce((a, b) => a + b, 0);
  assert.equal(sum.date, today);
  assert.equal(sum.outstanding_minor, outstanding);
  assert.equal(sum.customers_owing, owing.length);
  assert.equal(sum.overdue_minor, owing.reduce((a, c) => a + overdueOf(c), 0));
  assert.equal(sum.customers_overdue, owing.filter((c) => overdueOf(c) > 0).length);
  assert.equal(sum.customers_over_limit, customers.filter((c) => c.balance > c.limit).length);
  const flows = (pred) => {
    const xs = live(all).filter((e) => pred(localDate(e.occurred_at)));
    return [xs.filter((e) => e.type === 'purchase').reduce((a, e) => a + e.amount, 0),
      xs.filter((e) => e.type === 'payment').reduce((a, e) => a + e.amount, 0)];
  };
  assert.deepEqual([sum.sales_today_minor, sum.collections_today_minor], flows((d) => d === today));
  assert.deepEqual([sum.sales_month_minor, sum.collections_month_minor], flows((d) => d.slice(0, 7) === today.slice(0, 7) && d <= today));
  const top = [...owing].sort((a, b) => b.balance - a.balance || (a.id < b.id ? -1 : 1)).slice(0, 5).map((c) => c.id);
  assert.deepEqual(sum.most_owing.map((c) => c.id), top);

  // aging: per customer and in total, FIFO as the model does it.
  const ag = (await api('GET', '/api/v1/reports/aging')).json;
  const KEYS = ['current_minor', 'days_1_30_minor', 'days_31_60_minor', 'days_61_90_minor', 'days_90_plus_minor'];
  assert.deepEqual(ag.customers.map((c) => c.id).sort(), owing.map((c) => c.id).sort());
  for (const row of ag.customers) {
    const c = customers.find((x) => x.id === row.id);
    assert.deepEqual(KEYS.map((k) => row.buckets[k]), c.aging, `aging of ${c.id}`);
    assert.equal(row.balance_minor, c.balance);
    assert.equal(KEYS.reduce((a, k) => a + row.buckets[k], 0), c.balance);
  }
  const totals = KEYS.map((_, i) => owing.reduce((a, c) => a + c.aging[i], 0));
  assert.deepEqual(KEYS.map((k) => ag.buckets[k]), totals);
  assert.equal(totals.reduce((a, b) => a + b, 0), sum.outstanding_minor);
  assert.equal(totals.slice(1).reduce((a, b) => a + b, 0), sum.overdue_minor);

  // daily: every day from the oldest entry to today.
  const first = localDate(Math.min(...all.map((e) => e.occurred_at)));
  const daily = (await api('GET', `/api/v1/reports/daily?from=${first}&to=${today}`)).json;
  assert.equal(daily.days[0].date, first);
  assert.equal(daily.days.at(-1).date, today);
  for (const d of daily.days) {
    const [sales, coll] = flows((x) => x === d.date);
    assert.deepEqual([d.sales_minor, d.collections_minor, d.net_minor], [sales, coll, sales - coll], d.date);
  }

  // towers: customers with a flat who owe, by tower and floor.
  const tw = (await api('GET', '/api/v1/reports/towers')).json;
  const expected = new Map();
  for (const c of owing.filter((x) => x.apartment)) {
    const key = `${c.tower}/${c.floor}`;
    const f = expected.get(key) || { customers: 0, outstanding: 0 };
    f.customers++;
    f.outstanding += c.balance;
    expected.set(key, f);
  }
  const got = new Map();
  for (const t of tw.towers) {
    assert.equal(t.outstanding_minor, t.floors.reduce((a, f) => a + f.outstanding_minor, 0));
    assert.equal(t.customers, t.floors.reduce((a, f) => a + f.customers, 0));
    for (const f of t.floors) got.set(`${t.tower}/${f.floor}`, { customers: f.customers, outstanding: f.outstanding_minor });
  }
  assert.deepEqual(Object.fromEntries(got), Object.fromEntries(expected));
  assert.equal(tw.towers.reduce((a, t) => a + t.outstanding_minor, 0),
    outstanding - owing.filter((c) => !c.apartment).reduce((a, c) => a + c.balance, 0));

  // collections: the default period, one ending today, and random ones.
  const periods = [[null, null], [first, today], [addDays(today, -6), today]];
  for (let i = 0; i < 6; i++) {
    const a = addDays(first, rng.int(0, 110));
    periods.push([a, addDays(a, rng.int(0, 40))]);
  }
  for (const [from, to] of periods) {
    const q = from ? `?from=${from}&to=${to}` : '';
    const r = await api('GET', `/api/v1/reports/collections${q}`);
    assert.equal(r.status, 200, r.text);
    const rep = r.json;
    const f = from ?? addDays(today, -29), t = to ?? today;
    const start = localMidnight(f), end = localMidnight(addDays(t, 1));
    const days = Math.round((end - start) / DAY);
    const what = `collections ${f}..${t}`;
    const opening = customers.reduce((a, c) => a + Math.max(0, balance(c.entries, start)), 0);
    const closing = customers.reduce((a, c) => a + Math.max(0, balance(c.entries, end)), 0);
    const [sales, collected] = flows((d) => d >= f && d <= t);
    assert.deepEqual([rep.from, rep.to, rep.days], [f, t, days], what);
    assert.equal(rep.opening_outstanding_minor, opening, what);
    assert.equal(rep.closing_outstanding_minor, closing, what);
    assert.equal(rep.sales_minor, sales, what);
    assert.equal(rep.collected_minor, collected, what);
    assert.equal(rep.collection_rate_bp, ratio(collected, opening + sales, 10000), what);
    assert.equal(rep.days_sales_outstanding_x100, ratio(closing, sales, days * 100), what);
    const pays = live(all).filter((e) => e.type === 'payment' && localDate(e.occurred_at) >= f && localDate(e.occurred_at) <= t);
    assert.deepEqual(rep.by_method, METHODS.map((m) => {
      const xs = pays.filter((e) => e.method === m);
      const amount = xs.reduce((a, e) => a + e.amount, 0);
      return { payment_method: m, payments: xs.length, amount_minor: amount, share_bp: ratio(amount, collected, 10000) };
    }), what);
    assert.equal(rep.reminders.reminded_customers, 0, what);
    // The reports agree with each other over the same days.
    const dd = (await api('GET', `/api/v1/reports/daily?from=${f}&to=${t}`)).json.days;
    assert.equal(dd.reduce((a, d) => a + d.sales_minor, 0), rep.sales_minor, what);
    assert.equal(dd.reduce((a, d) => a + d.collections_minor, 0), rep.collected_minor, what);
    if (t === today) assert.equal(rep.closing_outstanding_minor, sum.outstanding_minor, what);
  }
});
