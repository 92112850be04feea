// ratelimit.test.mjs — per-store request rates from the plan (issue 11),
// on both backends: a token bucket of capacity max(10, rate/10) refilled
// at rate/60 a second; RateLimit-* headers on every tenant response,
// problems included; 429 rate_limited with Retry-After at the boundary;
// the refill; health checks, webhooks and public routes not counted;
// requests made with an API key counted like any other; and on
// PostgreSQL, two server processes sharing one store's bucket so that
// together they serve no more than one bucket allows (capacity + rate ×
// window: over a minute, 110% of the rate).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startServer, newStore, createTenant, login, BACKEND } from '../lib/server.mjs';
import { assertProblem, newOperator, sleep } from '../lib/foundation.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv?.stop(); });

const HEADERS = ['ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'ratelimit-policy'];
const limitOf = (r) => Number(r.headers.get('ratelimit-limit'));
const remainingOf = (r) => Number(r.headers.get('ratelimit-remaining'));

function assertHeaders(r, limit, what) {
  for (const h of HEADERS) assert.ok(r.headers.get(h) !== null, `${what}: ${h} missing (${r.status})`);
  assert.equal(limitOf(r), limit, what);
  const remaining = remainingOf(r), reset = Number(r.headers.get('ratelimit-reset'));
  assert.ok(Number.isInteger(remaining) && remaining >= 0 && remaining <= limit, `${what}: remaining ${remaining}`);
  assert.ok(Number.isInteger(reset) && reset >= 0, `${what}: reset ${reset}`);
  assert.match(r.headers.get('ratelimit-policy'), new RegExp(`^${limit};w=\\d+$`), what);
}

function assertNoHeaders(r, what) {
  for (const h of HEADERS) assert.equal(r.headers.get(h), null, `${what}: ${h} should be absent`);
}

// Send GETs until the first 429 (at most max); returns {allowed, refused, ms}.
async function untilRefused(send, max = 400) {
  const t0 = Date.now();
  let allowed = 0;
  for (let i = 0; i < max; i++) {
    const r = await send(i);
    if (r.status === 429) return { allowed, refused: r, ms: Date.now() - t0 };
    assert.ok(r.status < 400, `${r.status} ${r.text}`);
    allowed++;
  }
  assert.fail(`no 429 after ${max} requests`);
}

test('every tenant response carries RateLimit-Limit, -Remaining, -Reset and -Policy, problems too', async () => {
  const s = await newStore(srv);   // professional: 1200 a minute, bursts of 120
  const cases = [
    ['GET', '/api/v1/customers', undefined, 200],
    ['POST', '/api/v1/customers', { name: 'Headers', phone: '9812300001' }, 201],
    ['GET', `/api/v1/customers/${randomUUID()}`, undefined, 404],
    ['POST', '/api/v1/customers', { name: '' }, 422],
    ['POST', '/api/v1/customers', '{', 400],
    ['GET', '/api/v1/auth/me', undefined, 200],
    ['GET', '/api/v1/reports/summary', undefined, 200],
  ];
  let last;
  for (const [m, p, body, status] of cases) {
    const r = typeof body === 'string'
      ? await srv.api(m, p, { token: s.token, raw: body, headers: { 'Content-Type': 'application/json' } })
      : await srv.api(m, p, { token: s.token, body });
    assert.equal(r.status, status, `${m} ${p}: ${r.text}`);
    assertHeaders(r, 120, `${m} ${p}`);
    last = remainingOf(r);
  }
  // Seven spent; the bucket refills 20 a second meanwhile.
  assert.ok(last < 120 && last >= 100, `remaining after ${cases.length} requests: ${last}`);
  // A 403 from a role or a plan gate is a counted tenant response too.
  const free = await newStore(srv, { plan: 'free' });
  const gated = await srv.api('GET', '/api/v1/reports/summary', { token: free.token });
  assertProblem(gated, 403, 'feature_not_in_plan');
  assertHeaders(gated, 10, 'feature gate');
  // An invalid token names no store: nothing to count, no headers.
  const bad = await srv.api('GET', '/api/v1/customers', { token: 'not.a.token' });
  assert.equal(bad.status, 401);
  assertNoHeaders(bad, 'invalid token');
});

test('limits follow the plan: free 10, starter 30, professional 120, enterprise none', async () => {
  for (const [plan, limit] of [['free', 10], ['starter', 30], ['professional', 120], ['enterprise', null]]) {
    const s = await newStore(srv, { plan });
    const r = await srv.api('GET', '/api/v1/customers', { token: s.token });
    assert.equal(r.status, 200, r.text);
    if (limit === null) assertNoHeaders(r, plan);
    else {
      assertHeaders(r, limit, plan);
      assert.equal(remainingOf(r), limit - 1, plan);
      // A full bucket lasts capacity / (rate / 60) seconds at the rate.
      assert.equal(r.headers.get('ratelimit-policy'), `${limit};w=${plan === 'free' ? 10 : 6}`);
    }
  }
});

test('the capacity is served, the next request is 429 rate_limited with Retry-After, and the bucket refills', async () => {
  const s = await newStore(srv, { plan: 'free' });   // 60 a minute: 10 at once, then one a second
  const { allowed, refused, ms } = await untilRefused(() => srv.api('GET', '/api/v1/customers', { token: s.token }));
  assert.ok(allowed >= 10 && allowed <= 10 + Math.ceil(ms / 1000), `allowed ${allowed} in ${ms} ms`);
  const p = assertProblem(refused, 429, 'rate_limited');
  assertHeaders(refused, 10, '429');
  assert.equal(remainingOf(refused), 0);
  const retry = Number(refused.headers.get('retry-after'));
  assert.ok(Number.isInteger(retry) && retry >= 1 && retry <= 10, `Retry-After ${retry}`);
  assert.equal(p.retry_after_s, retry);
  assert.equal(p.limit_per_minute, 60);
  assert.match(p.detail, /60 requests a minute/);
  // Writes are refused the same way, and nothing is written.
  const w = await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'Refused', phone: '9812300002' } });
  assertProblem(w, 429, 'rate_limited');
  // Retry-After is honest: after it, requests go through again.
  await sleep(retry * 1000 + 150);
  const again = await srv.api('GET', '/api/v1/customers?limit=200', { token: s.token });
  assert.equal(again.status, 200, again.text);
  assert.ok(!again.text.includes('Refused'));
  // ...at the refill rate, not another full burst.
  const more = await untilRefused(() => srv.api('GET', '/api/v1/customers', { token: s.token }), 40);
  assert.ok(more.allowed <= 3, `after ${retry} s of refill: ${more.allowed + 1} allowed`);
});

test('health checks, the store lookup, sign-in and webhooks are not counted against the store', async () => {
  const t = createTenant(srv, { plan: 'free' });
  const session = await login(srv, t.slug, t.email, t.password);
  for (let i = 0; i < 15; i++) {
    for (const p of ['/healthz', '/readyz', `/api/v1/tenant?tenant=${t.slug}`]) {
      const r = await srv.api('GET', p);
      assert.equal(r.status, 200, `${p}: ${r.text}`);
      assertNoHeaders(r, p);
    }
    const wh = await srv.api('POST', `/api/v1/webhooks/twilio/${t.slug}`, {
      raw: 'MessageSid=SM1&MessageStatus=delivered', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    assert.notEqual(wh.status, 429, wh.text);
    assertNoHeaders(wh, 'twilio webhook');
    const wa = await srv.api('GET', `/api/v1/webhooks/whatsapp/${t.slug}?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`);
    assert.notEqual(wa.status, 429, wa.text);
    assertNoHeaders(wa, 'whatsapp webhook');
  }
  assert.equal((await srv.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: t.password } })).status, 200);
  // All of that left the store's bucket full.
  const r = await srv.api('GET', '/api/v1/customers', { token: session.access_token });
  assert.equal(r.status, 200, r.text);
  assert.equal(remainingOf(r), 9);
  // And with the bucket empty, they still answer.
  await untilRefused(() => srv.api('GET', '/api/v1/customers', { token: session.access_token }));
  assert.equal((await srv.api('GET', '/healthz')).status, 200);
  assert.equal((await srv.api('GET', `/api/v1/tenant?tenant=${t.slug}`)).status, 200);
  assert.equal((await srv.api('POST', '/api/v1/auth/login', { body: { tenant: t.slug, email: t.email, password: t.password } })).status, 200);
});

test('a removed member\'s still-valid token does not spend the store\'s requests', async () => {
  const s = await newStore(srv, { plan: 'free' });
  const email = `leaver-${randomUUID().slice(0, 8)}@${s.slug}.example`;
  const u = await srv.api('POST', '/api/v1/users', { token: s.token, body: { email, role: 'member', password: 'correct-horse-battery' } });
  assert.equal(u.status, 201, u.text);
  const leaver = (await login(srv, s.slug, email, 'correct-horse-battery')).access_token;
  assert.equal((await srv.api('DELETE', `/api/v1/users/${u.json.id}`, { token: s.token })).status, 204);
  // Past a lease's life too (on PostgreSQL a lease lasts at most 500 ms).
  for (let i = 0; i < 60; i++) {
    if (i === 30) await sleep(600);
    assertProblem(await srv.api('GET', '/api/v1/customers', { token: leaver }), 401, 'invalid_token');
  }
  // The owner spent 2 of the 10; the other 8 are still there (on
  // PostgreSQL less the lease of 2 the first refused request took and
  // whose life ended unspent).
  const left = srv.backend === 'postgres' ? 6 : 8;
  for (let i = 0; i < left; i++) {
    const r = await srv.api('GET', '/api/v1/customers', { token: s.token });
    assert.equal(r.status, 200, `owner's request ${i + 3}: ${r.text}`);
  }
});

test('each store has its own bucket', async () => {
  const a = await newStore(srv, { plan: 'free' });
  const b = await newStore(srv, { plan: 'free' });
  await untilRefused(() => srv.api('GET', '/api/v1/customers', { token: a.token }));
  const r = await srv.api('GET', '/api/v1/customers', { token: b.token });
  assert.equal(r.status, 200, r.text);
  assert.equal(remainingOf(r), 9);
});

test('requests made with an API key count against the store like any other', async () => {
  const s = await newStore(srv);   // professional: bursts of 120, 20 a second
  const k = await srv.api('POST', '/api/v1/api-keys', { token: s.token, body: { name: 'Counted', role: 'viewer' } });
  assert.equal(k.status, 201, k.text);
  const key = k.json.key;
  const first = await srv.api('GET', '/api/v1/customers', { headers: { 'X-API-Key': key } });
  assertHeaders(first, 120, 'with a key');
  // Half with the key, half with the owner's token: one bucket between them.
  const { allowed, refused, ms } = await untilRefused((i) => (i % 2
    ? srv.api('GET', '/api/v1/customers', { token: s.token })
    : srv.api('GET', '/api/v1/customers', { headers: { 'X-API-Key': key } })));
  assert.ok(allowed + 2 >= 120 && allowed + 2 <= 120 + Math.ceil(ms / 50) + 1, `allowed ${allowed + 2} in ${ms} ms`);
  assertProblem(refused, 429, 'rate_limited');
  // The bucket is empty for both: each is refused again at once, but for
  // what refilled meanwhile (20 a second) on a slow machine.
  for (const call of [() => srv.api('GET', '/api/v1/customers', { headers: { 'X-API-Key': key } }),
    () => srv.api('GET', '/api/v1/customers', { token: s.token })]) {
    const again = await untilRefused(call);
    assert.ok(again.allowed <= Math.ceil(again.ms / 50) + 1, `allowed ${again.allowed} more in ${again.ms} ms`);
    assertProblem(again.refused, 429, 'rate_limited');
  }
});

test('a plan change reaches the limit without a restart', async () => {
  const s = await newStore(srv);
  const r0 = await srv.api('GET', '/api/v1/customers', { token: s.token });
  assert.equal(limitOf(r0), 120);
  const op = await newOperator(srv);
  assert.equal((await srv.api('PATCH', `/api/v1/platform/tenants/${s.session.tenant.id}`, { token: op.token, body: { plan: 'starter' } })).status, 200);
  let limit = 120;
  for (let i = 0; i < 30 && limit !== 30; i++) {
    await sleep(100);
    limit = limitOf(await srv.api('GET', '/api/v1/customers', { token: s.token }));
  }
  assert.equal(limit, 30);
  assert.equal((await srv.api('PATCH', `/api/v1/platform/tenants/${s.session.tenant.id}`, { token: op.token, body: { plan: 'enterprise' } })).status, 200);
  let headers = true;
  for (let i = 0; i < 30 && headers; i++) {
    await sleep(100);
    headers = (await srv.api('GET', '/api/v1/customers', { token: s.token })).headers.get('ratelimit-limit') !== null;
  }
  assert.equal(headers, false, 'an unlimited plan is not counted');
});

test('two server processes on one PostgreSQL together serve no more than one bucket allows', { skip: BACKEND !== 'postgres' && 'one process per SQLite database' }, async (t) => {
  const other = await startServer({ pg: srv.pg, env: { QT_JWT_SECRET: srv.env.QT_JWT_SECRET, QT_MASTER_KEY: srv.env.QT_MASTER_KEY } });
  try {
    const s = await newStore(srv, { plan: 'starter' });   // 300 a minute: 30 at once, 5 a second
    const cap = 30, rate = 300;
    const windowMs = 3000;
    const served = [];
    let refused = 0;
    const t0 = Date.now();
    // Four clients, two on each process, as fast as they can go.
    const client = async (server) => {
      while (Date.now() - t0 < windowMs) {
        const r = await server.api('GET', '/api/v1/customers', { token: s.token });
        if (r.status === 200) served.push(Date.now());
        else if (r.status === 429) refused++;
        else assert.fail(`${r.status} ${r.text}`);
      }
    };
    await Promise.all([client(srv), client(other), client(srv), client(other)]);
    const elapsed = Date.now() - t0;
    // One bucket: capacity + rate × window.  Each process with its own
    // would give twice that.
    const bound = cap + Math.ceil(rate * elapsed / 60000);
    t.diagnostic(`two processes served ${served.length} (refused ${refused}) in ${elapsed} ms; one bucket allows ${bound}`);
    assert.ok(refused > 0, 'the clients went past the limit');
    assert.ok(served.length <= bound + 1, `served ${served.length} in ${elapsed} ms; one bucket allows ${bound}`);
    assert.ok(served.length <= 1.1 * bound, 'within 110%');
    // ...and the store gets its rate, from both processes.
    assert.ok(served.length >= 0.7 * bound, `served only ${served.length} of ${bound}`);
  } finally {
    await other.stop();
  }
});
