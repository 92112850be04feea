// HTTP layer: health, metrics, problem+json for every error, request ids,
// strict JSON input, body limits, hostile headers, SIGTERM draining.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore, addUser, login } from '../lib/server.mjs';
import { rawHttp, assertProblem, sleep } from '../lib/foundation.mjs';

// /metrics is served on the public listener only with a token (metrics.test.mjs).
const METRICS_TOKEN = 'http-test-metrics-' + 'k'.repeat(16);
let srv;
before(async () => { srv = await startServer({ env: { QT_METRICS_TOKEN: METRICS_TOKEN } }); });
after(async () => { await srv.stop(); });

// Everything a bad request could have changed, read back as the owner.
async function snapshot(s) {
  const out = {};
  for (const p of ['/api/v1/settings', '/api/v1/users', '/api/v1/auth/me', '/api/v1/audit?limit=200']) {
    const r = await srv.api('GET', p, { token: s.token });
    assert.equal(r.status, 200, `${p}: ${r.text}`);
    out[p] = r.json;
  }
  return out;
}

test('healthz answers 200 ok without a token', async () => {
  const r = await srv.api('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/json/);
  assert.deepEqual(r.json, { status: 'ok' });
  assert.ok(r.headers.get('x-request-id'));
});

test('readyz answers 200 when the database is reachable', async () => {
  const r = await srv.api('GET', '/readyz');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.status, 'ready');
  assert.equal(r.json.database, 'ok');
});

test('metrics is Prometheus text with request counts and latency by route pattern and status', async () => {
  const s = await newStore(srv);
  await srv.api('GET', '/healthz');
  const users = await srv.api('GET', '/api/v1/users', { token: s.token });
  const id = users.json.data[0].id;
  await srv.api('PATCH', `/api/v1/users/${id}`, { token: s.token, body: { name: 'Owner Name' } });
  await srv.api('GET', '/api/v1/no-such-route');
  const r = await srv.api('GET', '/metrics', { headers: { Authorization: `Bearer ${METRICS_TOKEN}` } });
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  assert.match(r.text, /^# HELP qt_http_requests_total /m);
  assert.match(r.text, /^# TYPE qt_http_requests_total counter$/m);
  assert.match(r.text, /^# TYPE qt_http_request_duration_seconds histogram$/m);
  assert.match(r.text, /^qt_http_requests_total\{route="\/healthz",method="GET",status="200"\} [1-9]\d*$/m);
  assert.match(r.text, /^qt_http_requests_total\{route="\/api\/v1\/users\/\{id\}",method="PATCH",status="200"\} [1-9]\d*$/m);
  assert.match(r.text, /^qt_http_request_duration_seconds_bucket\{route="\/healthz",method="GET",status="200",le="\+Inf"\} [1-9]\d*$/m);
  assert.match(r.text, /^qt_http_request_duration_seconds_count\{route="\/healthz",method="GET",status="200"\} [1-9]\d*$/m);
  assert.match(r.text, /^qt_http_request_duration_seconds_sum\{route="\/healthz",method="GET",status="200"\} \d+\.\d+$/m);
  // Route labels are patterns, never raw ids (unbounded label values).
  assert.ok(!r.text.includes(id), 'a user id leaked into a metric label');
  assert.ok(!r.text.includes('no-such-route'), 'an unmatched path leaked into a metric label');
  // Every sample line is well formed.
  for (const line of r.text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    assert.match(line, /^[a-z_]+(\{[a-z_]+="[^"\n]*"(,[a-z_]+="[^"\n]*")*\})? [0-9.e+-]+$/, line);
  }
});

test('an unknown API path is a 404 problem+json', async () => {
  const r = await srv.api('GET', '/api/v1/nothing-here');
  assertProblem(r, 404, 'not_found');
  const deep = await srv.api('GET', '/api/v2/users');
  assertProblem(deep, 404, 'not_found');
});

test('a wrong method is a 405 problem+json with an Allow header', async () => {
  const r = await srv.api('DELETE', '/api/v1/settings');
  assertProblem(r, 405, 'method_not_allowed');
  const allow = r.headers.get('allow').split(',').map((m) => m.trim()).sort();
  assert.deepEqual(allow, ['GET', 'PATCH']);
  const r2 = await srv.api('PUT', '/api/v1/auth/login', { body: {} });
  assertProblem(r2, 405, 'method_not_allowed');
  assert.equal(r2.headers.get('allow'), 'POST');
  const r3 = await srv.api('POST', '/healthz');
  assertProblem(r3, 405, 'method_not_allowed');
  assert.equal(r3.headers.get('allow'), 'GET');
});

test('every response carries X-Request-Id, and a sane incoming one is echoed', async () => {
  const s = await newStore(srv);
  const seen = new Set();
  for (const [m, p, o] of [
    ['GET', '/healthz', {}],
    ['GET', '/api/v1/nope', {}],
    ['GET', '/api/v1/users', {}],
    ['GET', '/api/v1/users', { token: s.token }],
    ['POST', '/api/v1/auth/logout', { body: { refresh_token: 'x' } }],
    ['POST', '/api/v1/auth/login', { raw: '{' }],
  ]) {
    const r = await srv.api(m, p, o);
    const id = r.headers.get('x-request-id');
    assert.ok(id && /^[A-Za-z0-9._-]{1,64}$/.test(id), `${m} ${p} -> ${r.status}: X-Request-Id ${id}`);
    assert.ok(!seen.has(id), 'request ids are unique');
    seen.add(id);
  }
  const mine = 'client-req_42.abc';
  const echo = await srv.api('GET', '/healthz', { headers: { 'X-Request-Id': mine } });
  assert.equal(echo.headers.get('x-request-id'), mine);
  const p = await srv.api('GET', '/api/v1/nope', { headers: { 'X-Request-Id': mine } });
  assert.equal(p.json.request_id, mine);
});

test('an insane incoming X-Request-Id is replaced, not echoed', async () => {
  for (const bad of ['a'.repeat(65), 'has space', 'semi;colon', '<script>', 'a"b']) {
    const r = await srv.api('GET', '/healthz', { headers: { 'X-Request-Id': bad } });
    const id = r.headers.get('x-request-id');
    assert.ok(id, 'has an id');
    assert.notEqual(id, bad);
    assert.match(id, /^[0-9a-f-]{36}$/);
  }
});

test('malformed JSON is 400 invalid_json', async () => {
  const s = await newStore(srv);
  for (const raw of ['{', '{"name": }', '{"name": "x",}', "{'name': 'x'}", 'name=x', '{"name":"x"} trailing', '\u0000']) {
    const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, raw, headers: { 'Content-Type': 'application/json' } });
    assertProblem(r, 400, 'invalid_json');
  }
  const login = await srv.api('POST', '/api/v1/auth/login', { raw: '{"tenant":', headers: { 'Content-Type': 'application/json' } });
  assertProblem(login, 400, 'invalid_json');
});

test('duplicate keys in a JSON object are refused (400 invalid_json)', async () => {
  const s = await newStore(srv);
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, raw: '{"name":"A","name":"B"}' });
  assertProblem(r, 400, 'invalid_json');
});

test('an empty body where JSON is required is 400 invalid_json', async () => {
  const s = await newStore(srv);
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, raw: '' });
  assertProblem(r, 400, 'invalid_json');
  const l = await srv.api('POST', '/api/v1/auth/login', { raw: '' });
  assertProblem(l, 400, 'invalid_json');
});

test('a JSON body that is not an object is 400 invalid_json', async () => {
  const s = await newStore(srv);
  for (const body of [[], [{ name: 'x' }], 'text', 42, true, null]) {
    const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, raw: JSON.stringify(body) });
    assertProblem(r, 400, 'invalid_json');
  }
});

test('an unknown field is 400 unknown_field naming the field', async () => {
  const s = await newStore(srv);
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { name: 'ok', colour: 'red' } });
  const p = assertProblem(r, 400, 'unknown_field', 'colour');
  assert.match(p.detail, /colour/);
  const nested = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { building_layout: { towers: 2, floors: 3, units: 4, wings: 1 } } });
  assertProblem(nested, 400, 'unknown_field', 'building_layout.wings');
  const l = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: s.slug, email: s.email, password: s.password, remember: true } });
  assertProblem(l, 400, 'unknown_field', 'remember');
  const u = await srv.api('POST', '/api/v1/users', { token: s.token, body: { email: 'a@b.example', role: 'member', password: 'long-enough-pw', is_admin: true } });
  assertProblem(u, 400, 'unknown_field', 'is_admin');
});

test('a wrong type is 422 validation_failed naming the field', async () => {
  const s = await newStore(srv);
  const cases = [
    [{ name: 5 }, 'name'],
    [{ credit_period_days: '30' }, 'credit_period_days'],
    [{ credit_period_days: 30.5 }, 'credit_period_days'],
    [{ default_credit_limit_minor: 1000.5 }, 'default_credit_limit_minor'],
    [{ reminder_schedule: [] }, 'reminder_schedule'],
    [{ building_layout: 'big' }, 'building_layout'],
    [{ building_layout: { towers: '2', floors: 3, units: 4 } }, 'building_layout.towers'],
    [{ whatsapp_secrets: 'not-an-object' }, 'whatsapp_secrets'],
    [{ name: null }, 'name'],
    [{ locale: ['en-IN'] }, 'locale'],
  ];
  for (const [body, field] of cases) {
    const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body });
    assertProblem(r, 422, 'validation_failed', field);
  }
  // 1e3 is a JSON real, not an integer, whatever its value.
  const real = await srv.api('PATCH', '/api/v1/settings', { token: s.token, raw: '{"default_credit_limit_minor": 1e3}' });
  assertProblem(real, 422, 'validation_failed', 'default_credit_limit_minor');
  const l = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: s.slug, email: s.email, password: 12345678 } });
  assertProblem(l, 422, 'validation_failed', 'password');
  const u = await srv.api('POST', '/api/v1/users', { token: s.token, body: { email: 'x@y.example', role: 2, password: 'long-enough-pw' } });
  assertProblem(u, 422, 'validation_failed', 'role');
});

test('a missing required field is 422 naming it', async () => {
  const l = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: 'x', email: 'a@b.example' } });
  assertProblem(l, 422, 'validation_failed', 'password');
});

test('over-long strings are 422 naming the field (limits count characters, not bytes)', async () => {
  const s = await newStore(srv);
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { name: 'n'.repeat(121) } });
  assertProblem(r, 422, 'validation_failed', 'name');
  const t = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { reminder_template: 'x'.repeat(1001) } });
  assertProblem(t, 422, 'validation_failed', 'reminder_template');
  const e = await srv.api('POST', '/api/v1/users', { token: s.token, body: { email: 'a'.repeat(250) + '@b.example', role: 'member', password: 'long-enough-pw' } });
  assertProblem(e, 422, 'validation_failed', 'email');
  // 120 Devanagari characters are 360 bytes but within the limit.
  const ok = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { name: 'क'.repeat(120) } });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.json.name, 'क'.repeat(120));
});

test('a body over the default 1 MiB limit is 413 problem+json', async () => {
  const s = await newStore(srv);
  const big = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
  let r;
  try {
    r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, raw: big, headers: { 'Content-Type': 'application/json' } });
  } catch {
    // The server may close before the client finished writing; ask again over a raw socket below.
  }
  if (r) assertProblem(r, 413, 'payload_too_large');
  const raw = await rawHttp(srv.port, `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${big.length}\r\n\r\n` + big.slice(0, 70000));
  assert.equal(raw.status, 413, raw.head);
  assert.match(raw.head, /content-type: application\/problem\+json/i);
  assert.equal(JSON.parse(raw.body).code, 'payload_too_large');
  const h = await srv.api('GET', '/healthz');
  assert.equal(h.status, 200);
});

test('a NUL byte in a header is 400 and the server keeps serving', async () => {
  const r = await rawHttp(srv.port, Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Evil: a\u0000b\r\n\r\n', 'latin1'));
  assert.equal(r.status, 400, r.raw);
  assert.match(r.head, /x-request-id: /i);
  const mid = await rawHttp(srv.port, Buffer.from('GET /healthz HTTP/1.1\r\nX-Evil: a\u0000Injected: yes\r\nHost: x\r\n\r\n', 'latin1'));
  assert.equal(mid.status, 400, mid.raw);
  assert.equal(JSON.parse(mid.body).code, 'bad_request');
  // Well-formed oddities stay accepted: trailing blanks, bare LF line ends.
  const blanks = await rawHttp(srv.port, 'GET /healthz HTTP/1.1\r\nX-A: v  \t\r\nHost: x  \r\n\r\n');
  assert.equal(blanks.status, 200, blanks.raw);
  const lf = await rawHttp(srv.port, 'GET /healthz HTTP/1.1\nX-A: v\nHost: x\n\n');
  assert.equal(lf.status, 200, lf.raw);
  const r2 = await rawHttp(srv.port, Buffer.from('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Ev\u0000il: ab\r\n\r\n', 'latin1'));
  assert.ok(r2.status === 400 || r2.status === 0, `NUL in a header name: ${r2.raw}`);
  assert.notEqual(r2.status, 200);
  const h = await srv.api('GET', '/healthz');
  assert.equal(h.status, 200);
});

// RFC 9112 head parsing: what libmicrohttpd 0.9.75 accepts but a strict
// reader (or a proxy in front of us) would read differently.
const head = (s) => Buffer.from(s, 'latin1');

test('a header name with a space before the colon is 400, not a second header (no smuggling)', async () => {
  const s = await newStore(srv);
  const before = await snapshot(s);
  // Read as "Content-Length " the body would be the next request.
  const smuggled = 'GET /api/v1/nothing-here HTTP/1.1\r\nHost: x\r\n\r\n';
  const r = await rawHttp(srv.port, `GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length : ${smuggled.length}\r\n\r\n${smuggled}`);
  assert.equal(r.status, 400, r.raw);
  assert.equal(JSON.parse(r.body).code, 'bad_request');
  assert.match(JSON.parse(r.body).detail, /token/);
  const body = '{"name":"Smuggled"}';
  const patch = await rawHttp(srv.port, `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\n` +
    `Content-Type: application/json\r\nContent-Length\t: ${body.length}\r\n\r\n${body}`);
  assert.equal(patch.status, 400, patch.raw);
  for (const name of ['X-A@b', 'X(A)', '"X"', 'X A', 'X/A', 'X=A', 'X[A]', 'X\u00e9']) {
    const bad = await rawHttp(srv.port, head(`GET /healthz HTTP/1.1\r\nHost: x\r\n${name}: 1\r\n\r\n`));
    assert.equal(bad.status, 400, `${JSON.stringify(name)}: ${bad.raw}`);
  }
  assert.deepEqual(await snapshot(s), before);
  assert.equal((await srv.api('GET', '/healthz')).status, 200);
});

test('a NUL byte anywhere in the head is 400: before a line end, as a line, in the request target', async () => {
  const cases = {
    'before CRLF at the end of a value': 'GET /healthz HTTP/1.1\r\nX-A: b\u0000\r\nHost: x\r\n\r\n',
    'before the last CRLF of the head': 'GET /healthz HTTP/1.1\r\nHost: x\u0000\r\n\r\n',
    'before a bare LF': 'GET /healthz HTTP/1.1\nX-A: b\u0000\nHost: x\n\n',
    'as a line of its own (ends the head early)': 'GET /healthz HTTP/1.1\r\nHost: x\r\n\u0000\r\nX-B: y\r\n\r\n',
    'after the colon': 'GET /healthz HTTP/1.1\r\nX-A:\u0000b\r\nHost: x\r\n\r\n',
    'in the request target': 'GET /healthz\u0000/x HTTP/1.1\r\nHost: x\r\n\r\n',
    'at the end of the request target': 'GET /healthz\u0000 HTTP/1.1\r\nHost: x\r\n\r\n',
    'in the query': 'GET /healthz?a=b\u0000c HTTP/1.1\r\nHost: x\r\n\r\n',
    'percent-encoded in the path': 'GET /healthz%00/x HTTP/1.1\r\nHost: x\r\n\r\n',
    'percent-encoded in the query': 'GET /api/v1/tenant?tenant=quantumtrack%00x HTTP/1.1\r\nHost: x\r\n\r\n',
  };
  for (const [what, req] of Object.entries(cases)) {
    const r = await rawHttp(srv.port, head(req));
    assert.equal(r.status, 400, `${what}: ${r.raw}`);
    assert.equal(JSON.parse(r.body).code, 'bad_request', what);
  }
  assert.equal((await srv.api('GET', '/healthz')).status, 200);
});

test('control characters in a value or the target, obsolete line folding and mixed line ends are 400', async () => {
  const cases = {
    'a bare CR in a value': 'GET /healthz HTTP/1.1\r\nX-A: a\rb\r\nHost: x\r\n\r\n',
    'a control character in a value': 'GET /healthz HTTP/1.1\r\nX-A: a\u0001b\r\nHost: x\r\n\r\n',
    'DEL in a value': 'GET /healthz HTTP/1.1\r\nX-A: a\u007fb\r\nHost: x\r\n\r\n',
    'a control character in the target': 'GET /healthz\u0001 HTTP/1.1\r\nHost: x\r\n\r\n',
    'a space in the target': 'GET /health z HTTP/1.1\r\nHost: x\r\n\r\n',
    'two spaces after the method': 'GET  /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    'a method that is not a token': 'G(T /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
    'obsolete line folding': 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n',
    'an empty field name': 'GET /healthz HTTP/1.1\r\nHost: x\r\n: v\r\n\r\n',
    'CRLF then bare LF': 'GET /healthz HTTP/1.1\r\nHost: x\nX-A: 1\r\n\r\n',
    'bare LF then CRLF at the end': 'GET /healthz HTTP/1.1\nHost: x\n\r\n',
  };
  for (const [what, req] of Object.entries(cases)) {
    const r = await rawHttp(srv.port, head(req));
    assert.equal(r.status, 400, `${what}: ${r.raw}`);
  }
  assert.equal((await srv.api('GET', '/healthz')).status, 200);
});

test('well-formed heads still pass: every token character, empty and tabbed values, UTF-8, encoded paths, keep-alive', async () => {
  const ok = {
    'every tchar in a name': "GET /healthz HTTP/1.1\r\nHost: x\r\nX-!#$%&'*+-.^_`|~09az: v\r\n\r\n",
    'an empty value': 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Empty:\r\nX-Blank:   \r\n\r\n',
    'tabs and spaces inside a value': 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\tb  c\r\n\r\n',
    'UTF-8 in a value': 'GET /healthz HTTP/1.1\r\nHost: x\r\nX-Name: \u00e0\u00a4\u0095\r\n\r\n',
    'no headers at all': 'GET /healthz HTTP/1.1\r\n\r\n',
    'no headers, bare LF': 'GET /healthz HTTP/1.0\n\n',
    'a query': 'GET /healthz?a=1&b=%41 HTTP/1.1\r\nHost: x\r\n\r\n',
    'an empty line before the request line': '\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n',
  };
  for (const [what, req] of Object.entries(ok)) {
    const r = await rawHttp(srv.port, head(req));
    assert.equal(r.status, 200, `${what}: ${r.raw}`);
  }
  // Percent-encoded path bytes still reach the router decoded.
  const s = await newStore(srv);
  const users = await srv.api('GET', '/api/v1/users', { token: s.token });
  const id = users.json.data[0].id;
  const enc = await rawHttp(srv.port, `GET /api/v1/users/${id.replace(/^(.)/, (c) => '%' + c.charCodeAt(0).toString(16))} HTTP/1.1\r\n` +
    `Host: x\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
  assert.notEqual(enc.status, 400, enc.raw);
  // Two requests on one connection: the second head is checked afresh.
  // (Read until the server closes: rawHttp stops at the first response.)
  const { connect } = await import('node:net');
  const two = await new Promise((resolve) => {
    let raw = '';
    const sock = connect(srv.port, '127.0.0.1', () =>
      sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz?again=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    const timer = setTimeout(() => sock.destroy(), 5000);
    sock.on('data', (d) => { raw += d.toString('latin1'); });
    sock.on('close', () => { clearTimeout(timer); resolve(raw); });
    sock.on('error', () => {});
  });
  assert.equal((two.match(/HTTP\/1\.1 200 /g) || []).length, 2, two);
});

test('two conflicting Content-Length headers are 400 and the server keeps serving', async () => {
  const s = await newStore(srv);
  const before = await snapshot(s);
  const body = '{"name":"Smuggled"}';
  const r = await rawHttp(srv.port,
    `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${body.length}\r\nContent-Length: 5\r\n\r\n${body}`);
  assert.equal(r.status, 400, r.raw);
  const r2 = await rawHttp(srv.port,
    `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\nContent-Type: application/json\r\n` +
    `Content-Length: 5\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  assert.equal(r2.status, 400, r2.raw);
  const h = await srv.api('GET', '/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(await snapshot(s), before);
});

test('Transfer-Encoding beside Content-Length, or other than chunked, is 400 (no request smuggling)', async () => {
  const s = await newStore(srv);
  const before = await snapshot(s);
  const auth = `Authorization: Bearer ${s.token}\r\nContent-Type: application/json\r\n`;
  const body = '{"name":"Smuggled"}';
  const chunked = `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`;
  const both = await rawHttp(srv.port, `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\n${auth}Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`);
  assert.equal(both.status, 400, both.raw);
  assert.equal(JSON.parse(both.body).code, 'bad_request');
  const gzip = await rawHttp(srv.port, `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: gzip, chunked\r\n\r\n${chunked}`);
  assert.equal(gzip.status, 400, gzip.raw);
  const twice = await rawHttp(srv.port, `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${chunked}`);
  assert.equal(twice.status, 400, twice.raw);
  // Plain chunked is fine.
  const ok = await rawHttp(srv.port, `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\n${auth}Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunked}`);
  assert.equal(ok.status, 200, ok.raw);
  const after = await srv.api('GET', '/api/v1/settings', { token: s.token });
  assert.equal(after.json.name, 'Smuggled');
  assert.deepEqual({ ...(await snapshot(s)), '/api/v1/settings': null, '/api/v1/audit?limit=200': null, '/api/v1/auth/me': null },
    { ...before, '/api/v1/settings': null, '/api/v1/audit?limit=200': null, '/api/v1/auth/me': null });
});

test('none of the bad inputs changes stored data', async () => {
  const s = await newStore(srv);
  const m = addUser(srv, { tenant: s.slug, email: `m@${s.slug}.example`, role: 'member' });
  const users = await srv.api('GET', '/api/v1/users', { token: s.token });
  const memberId = users.json.data.find((u) => u.email === m.email).id;
  const before = await snapshot(s);
  const bad = [
    ['PATCH', '/api/v1/settings', { raw: '{"name":"Changed"' }],
    ['PATCH', '/api/v1/settings', { body: { name: 'Changed', bogus: 1 } }],
    ['PATCH', '/api/v1/settings', { body: { name: 'Changed', credit_period_days: 'x' } }],
    ['PATCH', '/api/v1/settings', { body: { name: 'Changed', credit_period_days: 999 } }],
    ['PATCH', '/api/v1/settings', { body: { name: 'Changed', currency: 'XYZ' } }],
    ['PATCH', '/api/v1/settings', { body: { name: 'Changed', timezone: 'Mars/Base' } }],
    ['PATCH', '/api/v1/settings', { body: { name: 'Changed', whatsapp_secrets: { auth_token: 's3cret' }, upi_id: 'not a upi' } }],
    ['PATCH', '/api/v1/settings', { body: { name: 'Changed', reminder_template: 'y'.repeat(1001) } }],
    ['PATCH', '/api/v1/settings', { body: { name: 'Changed', building_layout: { towers: 100, floors: 1, units: 1 } } }],
    ['POST', '/api/v1/users', { body: { email: 'new@x.example', role: 'member', password: 'short' } }],
    ['POST', '/api/v1/users', { body: { email: 'new@x.example', role: 'superuser', password: 'long-enough-pw' } }],
    ['POST', '/api/v1/users', { body: { email: 'not-an-email', role: 'member', password: 'long-enough-pw' } }],
    ['PATCH', `/api/v1/users/${memberId}`, { body: { role: 'admin', name: '' } }],
    ['PATCH', `/api/v1/users/${memberId}`, { body: { role: 'god' } }],
    ['PATCH', `/api/v1/users/${memberId}`, { body: { name: 'New', extra: true } }],
    ['DELETE', '/api/v1/users/00000000-0000-7000-8000-000000000000', {}],
    ['DELETE', '/api/v1/users/not-a-uuid', {}],
  ];
  for (const [method, path, o] of bad) {
    const r = await srv.api(method, path, { token: s.token, ...o });
    assert.ok(r.status >= 400 && r.status < 500, `${method} ${path} ${JSON.stringify(o)} -> ${r.status} ${r.text}`);
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  }
  assert.deepEqual(await snapshot(s), before);
});

test('a path with an unknown id is 404, never 500 (ids that are not UUIDs included)', async () => {
  const s = await newStore(srv);
  for (const id of ['not-a-uuid', '00000000-0000-7000-8000-000000000000', "1'%20OR%20'1'='1", 'x'.repeat(300)]) {
    const r = await srv.api('PATCH', `/api/v1/users/${id}`, { token: s.token, body: { name: 'X' } });
    assertProblem(r, 404, 'not_found');
    const d = await srv.api('DELETE', `/api/v1/users/${id}`, { token: s.token });
    assertProblem(d, 404, 'not_found');
  }
});

test('a small QT_BODY_LIMIT is enforced with 413, bodies under it pass', async () => {
  const small = await startServer({ env: { QT_BODY_LIMIT: '1024' } });
  try {
    const s = await newStore(small);
    const ok = await small.api('PATCH', '/api/v1/settings', { token: s.token, body: { reminder_template: 'x'.repeat(900) } });
    assert.equal(ok.status, 200, ok.text);
    const raw = await rawHttp(small.port,
      `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\nContent-Type: application/json\r\n` +
      `Content-Length: 2000\r\n\r\n{"reminder_template":"${'y'.repeat(1975)}"}`);
    assert.equal(raw.status, 413, raw.raw);
    // Chunked: no Content-Length up front, so the limit must hold while reading.
    const chunk = `{"reminder_template":"${'z'.repeat(1500)}"}`;
    const chunked = await rawHttp(small.port,
      `PATCH /api/v1/settings HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\nContent-Type: application/json\r\n` +
      `Transfer-Encoding: chunked\r\n\r\n${chunk.length.toString(16)}\r\n${chunk}\r\n0\r\n\r\n`);
    assert.equal(chunked.status, 413, chunked.raw);
    const g = await small.api('GET', '/api/v1/settings', { token: s.token });
    assert.equal(g.json.reminder_template, 'x'.repeat(900));
  } finally {
    await small.stop();
  }
});

test('SIGTERM drains in-flight requests (all 200) and the process exits 0', async () => {
  // Two workers and many slow sign-ins: most requests wait queued behind
  // others when the signal comes, and all of them must still be answered.
  const d = await startServer({ env: { QT_THREADS: '2' } });
  let stopped = false;
  try {
    const s = await newStore(d);
    const logins = [];
    for (let i = 0; i < 20; i++)
      logins.push(d.api('POST', '/api/v1/auth/login', { body: { tenant: s.slug, email: s.email, password: s.password } }));
    await sleep(40);
    const exit = d.stop({ keep: true });
    const results = await Promise.allSettled(logins);
    const e = await exit;
    stopped = true;
    const outcomes = results.map((r) => (r.status === 'fulfilled' ? r.value.status : `error ${r.reason?.cause?.code || r.reason}`));
    assert.deepEqual(outcomes, Array(20).fill(200), `outcomes ${outcomes.join(',')}\n${d.log.slice(-1500)}`);
    for (const r of results) assert.ok(r.value.json.access_token);
    assert.deepEqual(e, { code: 0, sig: null });
    assert.match(d.log, /shutting down/);
  } finally {
    if (!stopped) await d.stop({ keep: true });
    await d.stop();
  }
});

test('invalid UTF-8, an escaped NUL, deep nesting and huge numbers in JSON are 4xx, never 500', async () => {
  const s = await newStore(srv);
  const before = await snapshot(s);
  const send = (raw) => srv.api('PATCH', '/api/v1/settings', { token: s.token, raw, headers: { 'Content-Type': 'application/json' } });
  assertProblem(await send(Buffer.from([0x7b, 0x22, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])), 400, 'invalid_json');
  assertProblem(await send('{"name":"a\\u0000b"}'), 400, 'invalid_json');
  assertProblem(await send('{"name":"\\ud800"}'), 400, 'invalid_json');
  assertProblem(await send('['.repeat(100000) + ']'.repeat(100000)), 400, 'invalid_json');
  const deep = await send('{"reminder_schedule":' + '{"a":'.repeat(5000) + '1' + '}'.repeat(5000) + '}');
  assert.ok(deep.status === 400 || deep.status === 422, `${deep.status} ${deep.text.slice(0, 200)}`);
  const huge = await send('{"credit_period_days": 123456789012345678901234567890}');
  assert.ok(huge.status === 400 || huge.status === 422, `${huge.status} ${huge.text}`);
  const h = await srv.api('GET', '/healthz');
  assert.equal(h.status, 200);
  assert.deepEqual(await snapshot(s), before);
});

test('free-form settings objects are size-limited (422), not stored at any size', async () => {
  const s = await newStore(srv);
  const big = {};
  for (let i = 0; i < 2000; i++) big['k' + i] = 'v'.repeat(20);
  assertProblem(await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { reminder_schedule: big } }), 422, 'validation_failed', 'reminder_schedule');
  assertProblem(await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { whatsapp_config: big } }), 422, 'validation_failed', 'whatsapp_config');
});

test('one JSON access-log line per request with request id, route, status, tenant and duration', async () => {
  const s = await newStore(srv);
  const rid = 'log-check-' + Date.now();
  await srv.api('PATCH', '/api/v1/users/00000000-0000-7000-8000-000000000000', { token: s.token, body: { name: 'x' }, headers: { 'X-Request-Id': rid } });
  await new Promise((r) => setTimeout(r, 100));
  const lines = srv.accessLog.split('\n').filter((l) => l.includes(rid));
  assert.equal(lines.length, 1, srv.accessLog.slice(-2000));
  const e = JSON.parse(lines[0]);
  assert.equal(e.request_id, rid);
  assert.equal(e.route, '/api/v1/users/{id}');
  assert.equal(e.method, 'PATCH');
  assert.equal(e.status, 404);
  assert.equal(e.tenant, s.slug);
  assert.equal(typeof e.duration_us, 'number');
});

test('a client that stops sending headers is disconnected after QT_TIMEOUT', async () => {
  const t = await startServer({ env: { QT_TIMEOUT: '1' } });
  try {
    const { connect } = await import('node:net');
    const closed = await new Promise((resolve) => {
      const sock = connect(t.port, '127.0.0.1', () => sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n'));
      const timer = setTimeout(() => { sock.destroy(); resolve(false); }, 6000);
      sock.on('close', () => { clearTimeout(timer); resolve(true); });
      sock.on('error', () => {});
    });
    assert.ok(closed, 'the slow connection was not closed');
    assert.equal((await t.api('GET', '/healthz')).status, 200);
  } finally {
    await t.stop();
  }
});
