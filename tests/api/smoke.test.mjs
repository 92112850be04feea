import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore } from '../lib/server.mjs';

test('a new store owner signs in, adds a customer and records a purchase', async () => {
  const srv = await startServer();
  try {
    const s = await newStore(srv);
    const c = await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'Rajesh Kumar', phone: '9876543210', apartment: '36194' } });
    assert.equal(c.status, 201, c.text);
    assert.equal(c.json.phone, '+919876543210');
    const t = await srv.api('POST', '/api/v1/transactions', { token: s.token, body: { customer_id: c.json.id, type: 'purchase', amount_minor: 12550 } });
    assert.equal(t.status, 201, t.text);
    const g = await srv.api('GET', `/api/v1/customers/${c.json.id}`, { token: s.token });
    assert.equal(g.json.balance_minor, 12550);
  } finally {
    await srv.stop();
  }
});
