// Limits that keep unauthenticated clients from exhausting the server:
// connections per address, a deadline for the request head, a budget for
// request bodies held at once, small bodies on the auth routes; and who
// "the client's address" is behind a trusted proxy.  Every load is a
// handful of loopback sockets, each test bounded in time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startServer, newStore } from '../lib/server.mjs';
import { rawHttp, assertProblem, sleep } from '../lib/foundation.mjs';

// A raw socket that records what arrives; `until(pred, ms)` resolves true
// once pred(c) holds, false if ms pass first.
function client(port) {
  return new Promise((resolve, reject) => {
    const c = { data: '', closed: false, checks: new Set() };
    const sock = connect(port, '127.0.0.1');
    c.sock = sock;
    const check = () => { for (const f of c.checks) f(); };
    sock.on('data', (d) => { c.data += d.toString('latin1'); check(); });
    sock.on('close', () => { c.closed = true; check(); });
    sock.on('error', () => {});
    c.send = (s) => { if (!c.closed) sock.write(s); };
    c.until = (pred, ms) => new Promise((res) => {
      const done = (v) => { clearTimeout(timer); c.checks.delete(f); res(v); };
      const f = () => { if (pred(c)) done(true); };
      const timer = setTimeout(() => done(false), ms);
      c.checks.add(f);
      f();
    });
    c.close = () => sock.destroy();
    sock.once('connect', () => resolve(c));
    sock.once('error', reject);
  });
}

const status = (c) => { const m = /^HTTP\/1\.1 (\d{3})/.exec(c.data); return m ? Number(m[1]) : 0; };
const responses = (c) => (c.data.match(/HTTP\/1\.1 \d{3} /g) || []).length;
const HEALTH = 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n';

// Poll with fresh connections until one is answered 200 (the server may
// take a moment to see a closed socket); bounded.
async function eventuallyServes(port) {
  for (let i = 0; i < 30; i++) {
    const r = await rawHttp(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { idleMs: 500 });
    if (r.status === 200) return true;
    await sleep(100);
  }
  return false;
}

test('connections past QT_PER_IP_CONNECTIONS from one address are refused; closing some lets new ones in', async () => {
  const srv = await startServer({ env: { QT_PER_IP_CONNECTIONS: '8' } });
  const held = [];
  try {
    // Eight keep-alive connections, each known to be accepted (answered).
    for (let i = 0; i < 8; i++) {
      const c = await client(srv.port);
      c.send(HEALTH);
      assert.ok(await c.until((x) => responses(x) === 1, 5000), `connection ${i}: ${c.data}`);
      held.push(c);
    }
    // The ninth is closed unanswered.
    const ninth = await client(srv.port);
    ninth.send(HEALTH);
    assert.ok(await ninth.until((x) => x.closed, 5000), 'the ninth connection was not closed');
    assert.equal(responses(ninth), 0, ninth.data);
    // The eight still work.
    held[0].send(HEALTH);
    assert.ok(await held[0].until((x) => responses(x) === 2, 5000), held[0].data);
    // Close two, and new connections are served again.
    held.shift().close();
    held.shift().close();
    assert.ok(await eventuallyServes(srv.port), 'no connection was served after closing two');
  } finally {
    for (const c of held) c.close();
    await srv.stop();
  }
});

test('a request head not complete within QT_HEADER_TIMEOUT is dropped, even if bytes keep trickling in', async () => {
  // QT_TIMEOUT (idle) is long: only the head deadline can close these.
  const srv = await startServer({ env: { QT_HEADER_TIMEOUT: '1', QT_TIMEOUT: '60', QT_METRICS_LISTEN: '127.0.0.1:0' } });
  const open = [];
  try {
    const trickle = await client(srv.port);
    open.push(trickle);
    const text = 'GET /healthz HTTP/1.1\r\nHost: x\r\n' + 'X-Slow: ' + 'a'.repeat(200);
    let i = 0;
    const timer = setInterval(() => { if (i < text.length) trickle.send(text[i++]); }, 100);
    const silent = await client(srv.port);
    open.push(silent);
    // Keep-alive: one request answered, then the next head trickles.
    const second = await client(srv.port);
    open.push(second);
    second.send(HEALTH);
    assert.ok(await second.until((x) => responses(x) === 1, 3000), second.data);
    const timer2 = setInterval(() => second.send('G'), 100);
    try {
      assert.ok(await trickle.until((x) => x.closed, 6000), 'the trickling head was not dropped');
      assert.ok(await silent.until((x) => x.closed, 6000), 'the silent connection was not dropped');
      assert.ok(await second.until((x) => x.closed, 6000), 'the trickling second head was not dropped');
    } finally {
      clearInterval(timer);
      clearInterval(timer2);
    }
    assert.equal(responses(trickle), 0, trickle.data);
    assert.ok(i < text.length, 'dropped only after the whole head was sent');
    assert.ok(await eventuallyServes(srv.port));
    const m = /metrics on (http:\/\/[\d.]+:\d+)/.exec(srv.log);
    const text2 = await (await fetch(m[1] + '/metrics')).text();
    const n = /^qt_http_head_timeouts_total (\d+)$/m.exec(text2);
    assert.ok(n && Number(n[1]) >= 3, text2.slice(-400));
  } finally {
    for (const c of open) c.close();
    await srv.stop();
  }
});

test('the head deadline does not cut a slow body once the head is in', async () => {
  const srv = await startServer({ env: { QT_HEADER_TIMEOUT: '1', QT_TIMEOUT: '60' } });
  try {
    const body = JSON.stringify({ refresh_token: 'not-a-token' });
    const c = await client(srv.port);
    c.send(`POST /api/v1/auth/logout HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
    // The body takes well past the head deadline to arrive.
    for (let i = 0; i < body.length; i += 4) {
      await sleep(2000 / (body.length / 4));
      c.send(body.slice(i, i + 4));
    }
    assert.ok(await c.until((x) => responses(x) === 1, 5000), c.data);
    assert.notEqual(status(c), 0);
    assert.ok(status(c) < 500, c.data);
    c.close();
  } finally {
    await srv.stop();
  }
});

test('bodies past QT_BODY_BUDGET get 503 with Retry-After before they are read; small requests keep working', async () => {
  // Two 64 KiB bodies fill most of a 160 KiB budget.
  const srv = await startServer({ env: { QT_BODY_LIMIT: '65536', QT_BODY_BUDGET: '163840' } });
  const held = [];
  const big = (n) => `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
    `Expect: 100-continue\r\nContent-Length: ${n}\r\n\r\n`;
  try {
    for (let i = 0; i < 2; i++) {
      const c = await client(srv.port);
      c.send(big(65536));
      // 100 Continue: the server has taken the head and reserved the body.
      assert.ok(await c.until((x) => /^HTTP\/1\.1 100/.test(x.data), 5000), c.data);
      c.send('{"name":"' + 'x'.repeat(1000));
      held.push(c);
    }
    const third = await client(srv.port);
    held.push(third);
    third.send(big(65536));
    assert.ok(await third.until((x) => responses(x) >= 1 && /\r\n\r\n\{.*\}/s.test(x.data), 5000), third.data);
    assert.equal(status(third), 503, third.data);
    assert.match(third.data, /\r\nRetry-After: \d+\r\n/i);
    assert.equal(JSON.parse(third.data.slice(third.data.indexOf('\r\n\r\n') + 4)).code, 'server_busy');
    // Small bodies and requests without one still get through.
    const login = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: 'none', email: 'a@b.example', password: 'x'.repeat(12) } });
    assert.equal(login.status, 401, login.text);
    assert.equal((await srv.api('GET', '/healthz')).status, 200);
    // A request that ends gives its bytes back.
    held[0].close();
    let after = 503;
    for (let i = 0; i < 30 && after === 503; i++) {
      const r = await rawHttp(srv.port, big(65536).replace('Expect: 100-continue\r\n', '') + '{"name":"' + 'y'.repeat(65536 - 11) + '"}', { idleMs: 1000 });
      after = r.status;
      if (after === 503) await sleep(100);
    }
    assert.equal(after, 401, 'a body was refused after the budget was given back');
  } finally {
    for (const c of held) c.close();
    await srv.stop();
  }
});

test('a chunked body is held to the budget while it streams', async () => {
  const srv = await startServer({ env: { QT_BODY_LIMIT: '65536', QT_BODY_BUDGET: '65536' } });
  const held = [];
  try {
    const a = await client(srv.port);
    held.push(a);
    a.send('PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 60000\r\n\r\n');
    assert.ok(await a.until((x) => /^HTTP\/1\.1 100/.test(x.data), 5000), a.data);
    const chunk = 'z'.repeat(8000);
    const r = await rawHttp(srv.port, 'PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Transfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
    assert.equal(r.status, 503, r.raw);
    assert.match(r.head, /\r\nRetry-After: \d+/i);
  } finally {
    for (const c of held) c.close();
    await srv.stop();
  }
});

test('auth routes take at most 16 KiB of body: 413 decided from the head, before the body is sent', async () => {
  const srv = await startServer();
  try {
    for (const path of ['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout', '/api/v1/platform/auth/login']) {
      // Only the head is sent: the answer cannot have waited for the body.
      const c = await client(srv.port);
      c.send(`POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${17 * 1024}\r\n\r\n`);
      assert.ok(await c.until((x) => x.closed || /\r\n\r\n\{.*\}/s.test(x.data), 5000), `${path}: ${c.data}`);
      c.close();
      assert.equal(status(c), 413, `${path}: ${c.data}`);
      assert.equal(JSON.parse(c.data.slice(c.data.indexOf('\r\n\r\n') + 4)).code, 'payload_too_large');
    }
    // The same through fetch, with a whole 17 KiB login body.
    const body = JSON.stringify({ tenant: 'quantumtrack', email: 'a@b.example', password: 'p'.repeat(17 * 1024) });
    let r;
    try { r = await srv.api('POST', '/api/v1/auth/login', { raw: body, headers: { 'Content-Type': 'application/json' } }); } catch { /* closed early */ }
    if (r) assertProblem(r, 413, 'payload_too_large');
    // Chunked: no Content-Length, so the cap holds while reading.
    const chunk = JSON.stringify({ tenant: 't', email: 'a@b.example', password: 'q'.repeat(17 * 1024) });
    const ch = await rawHttp(srv.port, 'POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n' +
      `Transfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
    assert.equal(ch.status, 413, ch.raw);
    // Under the cap it is an ordinary sign-in (the password is too long: 422).
    const under = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: 't', email: 'a@b.example', password: 'r'.repeat(15 * 1024) } });
    assert.notEqual(under.status, 413, under.text);
    assert.ok(under.status >= 400 && under.status < 500, under.text);
    // Other routes keep the general limit.
    const s = await newStore(srv);
    const ok = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { reminder_template: 'x'.repeat(900), name: 'n'.repeat(100) } });
    assert.equal(ok.status, 200, ok.text);
  } finally {
    await srv.stop();
  }
});

// Per-IP sign-in throttling, with an unknown account each time so only
// the per-address counter can trip (QT_LOGIN_IP_MAX_FAILURES).
async function failFrom(srv, xff, i) {
  const headers = xff ? { 'X-Forwarded-For': xff } : {};
  return srv.api('POST', '/api/v1/auth/login', { headers, body: { tenant: 'nowhere', email: `u${i}-${Math.random()}@x.example`, password: 'wrong-password' } });
}

test('behind QT_TRUSTED_PROXIES the client address comes from X-Forwarded-For: per-IP throttles tell clients apart', async () => {
  const srv = await startServer({ env: { QT_TRUSTED_PROXIES: '10.0.0.0/8, 127.0.0.1/32', QT_LOGIN_IP_MAX_FAILURES: '3' } });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await failFrom(srv, '198.51.100.7', i)).status, 401);
    const blocked = await failFrom(srv, '198.51.100.7', 9);
    assertProblem(blocked, 429, 'too_many_attempts');
    assert.ok(Number(blocked.headers.get('retry-after')) > 0);
    // Another client behind the same proxy is not locked out.
    assert.equal((await failFrom(srv, '203.0.113.9', 10)).status, 401);
    // A spoofed entry left of the real client does not help: the
    // right-most untrusted address is the client.
    assertProblem(await failFrom(srv, '203.0.113.50, 198.51.100.7', 11), 429, 'too_many_attempts');
    // Trusted hops to the right are skipped.
    assertProblem(await failFrom(srv, '198.51.100.7, 10.1.2.3', 12), 429, 'too_many_attempts');
    // The address is the one the access log and the audit trail see.
    const s = await newStore(srv);
    const rid = 'xff-' + Date.now();
    const p = await srv.api('PATCH', '/api/v1/settings', { token: s.token, headers: { 'X-Forwarded-For': '192.0.2.44', 'X-Request-Id': rid }, body: { name: 'Behind a proxy' } });
    assert.equal(p.status, 200, p.text);
    await sleep(100);
    const line = srv.accessLog.split('\n').find((x) => x.includes(rid));
    assert.equal(JSON.parse(line).ip, '192.0.2.44');
    const audit = await srv.api('GET', '/api/v1/audit?limit=50', { token: s.token });
    assert.equal(audit.status, 200, audit.text);
    const mine = audit.json.data.filter((e) => e.request_id === rid);
    assert.ok(mine.length >= 1, JSON.stringify(audit.json.data.slice(0, 3)));
    for (const e of mine) assert.equal(e.client_ip, '192.0.2.44');
  } finally {
    await srv.stop();
  }
});

test('without QT_TRUSTED_PROXIES a spoofed X-Forwarded-For cannot dodge the per-IP throttle', async () => {
  const srv = await startServer({ env: { QT_LOGIN_IP_MAX_FAILURES: '3' } });
  try {
    for (let i = 0; i < 3; i++) assert.equal((await failFrom(srv, `198.51.100.${i + 1}`, i)).status, 401);
    assertProblem(await failFrom(srv, '203.0.113.9', 10), 429, 'too_many_attempts');
    assertProblem(await failFrom(srv, null, 11), 429, 'too_many_attempts');
    const rid = 'noxff-' + Date.now();
    await srv.api('GET', '/healthz', { headers: { 'X-Forwarded-For': '192.0.2.44', 'X-Request-Id': rid } });
    await sleep(100);
    const line = srv.accessLog.split('\n').find((x) => x.includes(rid));
    assert.equal(JSON.parse(line).ip, '127.0.0.1');
  } finally {
    await srv.stop();
  }
});

test('a bad QT_TRUSTED_PROXIES or limit stops the server at start with a message naming it', async () => {
  for (const [env, re] of [
    [{ QT_TRUSTED_PROXIES: '10.0.0.0/8, not-an-address' }, /QT_TRUSTED_PROXIES.*not-an-address/],
    [{ QT_TRUSTED_PROXIES: '10.0.0.1/8' }, /QT_TRUSTED_PROXIES/],
    [{ QT_PER_IP_CONNECTIONS: '-1' }, /QT_PER_IP_CONNECTIONS/],
    [{ QT_HEADER_TIMEOUT: '0' }, /QT_HEADER_TIMEOUT/],
    [{ QT_BODY_BUDGET: '2048', QT_BODY_LIMIT: '4096' }, /QT_BODY_BUDGET/],
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
