// Metrics: who may read them (the per-tenant series name every store), the
// separate metrics listener, and labels that hostile input cannot flood.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startServer, newStore } from '../lib/server.mjs';
import { assertProblem, sleep } from '../lib/foundation.mjs';

const TOKEN = 'metrics-token-' + 'x'.repeat(20);

// One server with a metrics listener beside the main one.
let srv, metricsUrl;
before(async () => {
  srv = await startServer({ env: { QT_METRICS_LISTEN: '127.0.0.1:0' } });
  const m = /metrics on (http:\/\/[\d.]+:\d+)\/metrics/.exec(srv.log);
  assert.ok(m, srv.log);
  metricsUrl = m[1];
});
after(async () => { await srv.stop(); });

async function scrape(url, headers = {}) {
  const res = await fetch(url + '/metrics', { headers });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

// A request is counted once its response is sent, which the client may see
// first: scrape until `re` matches (bounded), then return the last scrape.
async function scrapeUntil(url, re, headers = {}) {
  let m;
  for (let i = 0; i < 40; i++) {
    m = await scrape(url, headers);
    if (m.status === 200 && re.test(m.text)) break;
    await sleep(50);
  }
  return m;
}

// Send `count` requests down one connection at once (pipelined) and wait
// for as many responses.
function pipelined(port, request, count) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1', () => sock.write(request.repeat(count)));
    let text = '', seen = 0;
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`only ${seen} of ${count} responses`)); }, 20000);
    sock.on('data', (d) => {
      text += d.toString('latin1');
      seen = (text.match(/HTTP\/1\.1 \d{3} /g) || []).length;
      if (seen >= count) { clearTimeout(timer); sock.destroy(); resolve(seen); }
    });
    sock.on('error', (e) => { clearTimeout(timer); reject(e); });
  });
}

test('by default the public listener does not serve /metrics, so store names stay private', async () => {
  const s = await newStore(srv);
  assert.equal((await srv.api('GET', '/api/v1/customers', { token: s.token })).status, 200);
  const r = await srv.api('GET', '/metrics');
  assertProblem(r, 404, 'not_found');
  assert.ok(!r.text.includes(s.slug), 'a store slug leaked on the public listener');
  assert.ok(!r.text.includes('qt_tenant_requests_total'));
});

test('the metrics listener serves per-tenant requests by status class, and nothing but /metrics', async () => {
  const s = await newStore(srv);
  assert.equal((await srv.api('GET', '/api/v1/customers', { token: s.token })).status, 200);
  assert.equal((await srv.api('GET', '/api/v1/customers/00000000-0000-7000-8000-000000000000', { token: s.token })).status, 404);
  const m = await scrapeUntil(metricsUrl, new RegExp(`tenant="${s.slug}",class="4xx"`));
  assert.equal(m.status, 200);
  assert.match(m.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const line = (cls) => new RegExp(`^qt_tenant_requests_total\\{tenant="${s.slug}",class="${cls}"\\} (\\d+)$`, 'm').exec(m.text);
  assert.ok(line('2xx') && Number(line('2xx')[1]) >= 1, m.text.slice(-600));
  assert.ok(line('4xx') && Number(line('4xx')[1]) >= 1);
  // The metrics listener is not a second way into the API.
  for (const path of ['/healthz', '/api/v1/customers', '/']) {
    const res = await fetch(metricsUrl + path, { headers: { Authorization: `Bearer ${s.token}` } });
    assert.equal(res.status, 404, path);
    assert.match(res.headers.get('content-type'), /^application\/problem\+json/);
  }
  const post = await fetch(metricsUrl + '/metrics', { method: 'POST' });
  assert.equal(post.status, 405);
});

test('with QT_METRICS_TOKEN, /metrics on the public listener needs it as a Bearer token', async () => {
  const t = await startServer({ env: { QT_METRICS_TOKEN: TOKEN } });
  try {
    const s = await newStore(t);
    assert.equal((await t.api('GET', '/api/v1/customers', { token: s.token })).status, 200);
    for (const auth of [undefined, 'Bearer wrong-token-of-some-length', `Bearer ${TOKEN}x`, `Basic ${TOKEN}`, `Bearer ${s.token}`]) {
      const r = await t.api('GET', '/metrics', { headers: auth ? { Authorization: auth } : {} });
      assertProblem(r, 401, 'unauthorized');
      assert.match(r.headers.get('www-authenticate') || '', /^Bearer/);
      assert.ok(!r.text.includes(s.slug));
    }
    const ok = await scrapeUntil(t.url, new RegExp(`tenant="${s.slug}",class="2xx"`), { Authorization: `Bearer ${TOKEN}` });
    assert.equal(ok.status, 200);
    assert.match(ok.text, new RegExp(`^qt_tenant_requests_total\\{tenant="${s.slug}",class="2xx"\\} [1-9]`, 'm'));
  } finally {
    await t.stop();
  }
});

test('a bad metrics setting stops the server at start with a message', async () => {
  for (const [env, re] of [
    [{ QT_METRICS_TOKEN: 'short' }, /QT_METRICS_TOKEN/],
    [{ QT_METRICS_LISTEN: 'nowhere' }, /QT_METRICS_LISTEN/],
  ]) {
    // A server that starts anyway is stopped, not left running.
    const started = await startServer({ env }).catch((e) => e);
    if (!(started instanceof Error)) {
      await started.stop();
      assert.fail(`started with ${JSON.stringify(env)}`);
    }
    assert.match(started.message, re);
  }
});

test('made-up methods share one OTHER series and cannot crowd out other series', async () => {
  // More requests than the series table holds (1,024).
  const n = 1100;
  assert.equal(await pipelined(srv.port, 'FOO /healthz HTTP/1.1\r\nHost: x\r\n\r\n', n), n);
  // A series first seen after the flood still gets its own line.
  assert.equal((await srv.api('GET', '/api/v1/openapi.json')).status, 200);
  const m = await scrapeUntil(metricsUrl, /route="\/api\/v1\/openapi\.json"/);
  assert.equal(m.status, 200);
  assert.match(m.text, /^qt_http_requests_total\{route="\/api\/v1\/openapi\.json",method="GET",status="200"\} [1-9]\d*$/m);
  const other = [...m.text.matchAll(/^qt_http_requests_total\{route="[^"]*",method="OTHER",status="405"\} (\d+)$/gm)];
  assert.equal(other.length, 1, 'one series for all unknown methods');
  assert.ok(Number(other[0][1]) >= n, other[0][0]);
  assert.ok(!/method="FOO/.test(m.text), 'a raw method name became a label');
});
