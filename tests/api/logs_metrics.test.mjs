// The access log and the metrics off the request path: the log is written
// by a writer thread in batches, yet a clean stop leaves every request's
// line in it; the metrics are counted per thread, yet a scrape shows the
// sum over all of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore } from '../lib/server.mjs';
import { sleep } from '../lib/foundation.mjs';

// `total` requests over `parallel` clients at once, each its own
// connection (so the server's threads share them); `make(i)` gives
// [path, init] for request i.  Returns the statuses.
async function inParallel(total, parallel, make) {
  const statuses = [];
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < total) {
      const i = next++;
      const [url, init] = make(i);
      const res = await fetch(url, { ...init, headers: { Connection: 'close', ...(init.headers || {}) } });
      await res.arrayBuffer();
      statuses[i] = res.status;
    }
  }));
  return statuses;
}

test('after a clean stop the access log holds one whole line for every request', async () => {
  const srv = await startServer({ env: { QT_THREADS: '4' } });
  const s = await newStore(srv, { plan: 'enterprise' });
  const run = `stop-${Date.now()}`;
  const n = 300;
  const statuses = await inParallel(n, 12, (i) => [
    srv.url + (i % 3 ? `/api/v1/customers/00000000-0000-7000-8000-${String(i).padStart(12, '0')}` : '/healthz'),
    { headers: { 'X-Request-Id': `${run}-${i}`, Authorization: `Bearer ${s.token}` } },
  ]);
  // Stop at once: the last lines are still in the writer's buffers.
  const stdoutDone = new Promise((r) => srv.proc.stdout.once('end', r));
  const exit = await srv.stop();
  await stdoutDone;
  assert.equal(exit.code, 0);
  const mine = new Map();
  for (const line of srv.accessLog.split('\n')) {
    if (!line.includes(run)) continue;
    const e = JSON.parse(line); // every line whole JSON
    assert.ok(!mine.has(e.request_id), `two lines for ${e.request_id}`);
    mine.set(e.request_id, e);
  }
  assert.equal(mine.size, n, `lines for ${mine.size} of ${n} requests`);
  for (let i = 0; i < n; i++) {
    const e = mine.get(`${run}-${i}`);
    assert.equal(e.status, statuses[i]);
    assert.equal(e.method, 'GET');
    assert.equal(e.level, 'info');
    assert.equal(e.route, i % 3 ? '/api/v1/customers/{id}' : '/healthz');
    assert.equal(e.tenant, i % 3 ? s.slug : '');
    assert.equal(typeof e.duration_us, 'number');
    assert.equal(e.ip, '127.0.0.1');
    // The keys in the order the line has always had them.
    assert.deepEqual(Object.keys(e), ['level', 'request_id', 'method', 'route', 'path', 'status', 'duration_us', 'tenant', 'ip']);
  }
});

test('a line reaches the log soon after its request, without a stop', async () => {
  const srv = await startServer();
  try {
    const rid = `soon-${Date.now()}`;
    assert.equal((await srv.api('GET', '/healthz', { headers: { 'X-Request-Id': rid } })).status, 200);
    let found = false;
    for (let i = 0; i < 100 && !found; i++) {
      found = srv.accessLog.includes(`"request_id":"${rid}"`);
      if (!found) await sleep(20);
    }
    assert.ok(found, 'the line did not arrive within 2 s');
  } finally {
    await srv.stop();
  }
});

// The value of the exposition line `name` (labels included), or null.
function value(text, name) {
  const m = new RegExp(`^${name.replace(/[{}+]/g, '\\$&')} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : null;
}

test('/metrics sums the counts of every thread: N requests from parallel clients count N', async () => {
  const srv = await startServer({ env: { QT_THREADS: '4', QT_METRICS_LISTEN: '127.0.0.1:0' } });
  try {
    const metricsUrl = /metrics on (http:\/\/[\d.]+:\d+)\/metrics/.exec(srv.log)[1];
    const s = await newStore(srv, { plan: 'enterprise' });
    const tenant = `qt_tenant_requests_total{tenant="${s.slug}",class="2xx"}`;
    const before = value(await (await fetch(metricsUrl + '/metrics')).text(), tenant) || 0;
    const n = 400;
    const statuses = await inParallel(n, 16, () => [srv.url + '/api/v1/customers', { headers: { Authorization: `Bearer ${s.token}` } }]);
    assert.ok(statuses.every((x) => x === 200), `statuses: ${[...new Set(statuses)]}`);
    const series = 'route="/api/v1/customers",method="GET",status="200"';
    // Counted once the response is sent, which the client may see first.
    let text;
    for (let i = 0; i < 50; i++) {
      text = await (await fetch(metricsUrl + '/metrics')).text();
      if (value(text, `qt_http_requests_total{${series}}`) === n) break;
      await sleep(40);
    }
    assert.equal(value(text, `qt_http_requests_total{${series}}`), n, text.slice(0, 2000));
    assert.equal(value(text, `qt_http_request_duration_seconds_count{${series}}`), n);
    assert.equal(value(text, `qt_http_request_duration_seconds_bucket{${series},le="+Inf"}`), n);
    // Buckets rise with le and end at the count.
    const buckets = [...text.matchAll(new RegExp(`^qt_http_request_duration_seconds_bucket\\{${series.replace(/[/]/g, '\\/')},le="[^"]+"\\} (\\d+)$`, 'gm'))].map((m) => Number(m[1]));
    assert.equal(buckets.length, 12);
    for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i] >= buckets[i - 1], String(buckets));
    assert.equal(value(text, tenant) - before, n);
    assert.equal(value(text, 'qt_access_log_dropped_total'), 0);
  } finally {
    await srv.stop();
  }
});
