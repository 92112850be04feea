import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

test('metrics count requests per tenant by status class', async () => {
  const s = await newStore(srv);
  assert.equal((await srv.api('GET', '/api/v1/customers', { token: s.token })).status, 200);
  assert.equal((await srv.api('GET', '/api/v1/customers/00000000-0000-7000-8000-000000000000', { token: s.token })).status, 404);
  const m = await srv.api('GET', '/metrics');
  const line = (cls) => new RegExp(`^qt_tenant_requests_total\\{tenant="${s.slug}",class="${cls}"\\} (\\d+)$`, 'm').exec(m.text);
  assert.ok(line('2xx') && Number(line('2xx')[1]) >= 1, m.text.slice(-600));
  assert.ok(line('4xx') && Number(line('4xx')[1]) >= 1);
});
