// What a fresh server holds: on SQLite it maps neither libpq, libcurl,
// libcrypto nor cairo, pango and libqrencode (src/util/lazylib.h) until a
// request needs one of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { startServer, newStore, BIN, BACKEND } from '../lib/server.mjs';

const LAZY = ['libpq.so', 'libcurl.so', 'libcrypto.so', 'libcairo.so', 'libpango-1.0.so', 'libqrencode.so'];

// The libraries the binary names for the loader to map at start.
function needed() {
  try {
    return execFileSync('readelf', ['-d', BIN], { encoding: 'utf8' })
      .split('\n').filter((l) => l.includes('(NEEDED)')).join('\n');
  } catch {
    return null;
  }
}

const mapped = (srv) => readFileSync(`/proc/${srv.proc.pid}/maps`, 'utf8');

test('a server on SQLite maps no PostgreSQL, HTTP client or OpenSSL library while serving requests that need none', async (t) => {
  const deps = needed();
  if (BACKEND !== 'sqlite') return t.skip('SQLite only');
  if (deps === null) return t.skip('readelf is not installed');
  if (LAZY.some((l) => deps.includes(l))) return t.skip('binary built with LAZY_LIBS=0');
  const srv = await startServer();
  try {
    const s = await newStore(srv);
    assert.equal((await srv.api('GET', '/readyz')).status, 200);
    assert.equal((await srv.api('GET', '/api/v1/customers', { token: s.token })).status, 200);
    const maps = mapped(srv);
    for (const lib of LAZY) assert.ok(!maps.includes(`/${lib}`), `${lib} is mapped`);
  } finally {
    await srv.stop();
  }
});

test('the server loads cairo, pango and libqrencode when it first draws a PDF statement', async (t) => {
  const deps = needed();
  if (deps === null) return t.skip('readelf is not installed');
  if (LAZY.some((l) => deps.includes(l))) return t.skip('binary built with LAZY_LIBS=0');
  const srv = await startServer();
  try {
    const s = await newStore(srv);
    const c = await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'PDF Customer', phone: '+919876500001' } });
    assert.equal(c.status, 201, c.text);
    for (const lib of ['libcairo.so', 'libpango-1.0.so', 'libqrencode.so'])
      assert.ok(!mapped(srv).includes(`/${lib}`), `${lib} is mapped before any PDF`);
    const r = await fetch(`${srv.url}/api/v1/customers/${c.json.id}/statement?format=pdf`, { headers: { Authorization: `Bearer ${s.token}` } });
    assert.equal(r.status, 200);
    assert.equal(Buffer.from(await r.arrayBuffer()).subarray(0, 5).toString(), '%PDF-');
    for (const lib of ['libcairo.so', 'libpango-1.0.so'])
      assert.ok(mapped(srv).includes(`/${lib}`), `${lib} is mapped after a PDF`);
  } finally {
    await srv.stop();
  }
});

test('on PostgreSQL the server loads libpq when it connects, and serves', async (t) => {
  if (BACKEND !== 'postgres') return t.skip('PostgreSQL only');
  const srv = await startServer();
  try {
    const s = await newStore(srv);
    assert.equal((await srv.api('GET', '/api/v1/customers', { token: s.token })).status, 200);
    assert.ok(mapped(srv).includes('/libpq.so'));
  } finally {
    await srv.stop();
  }
});
