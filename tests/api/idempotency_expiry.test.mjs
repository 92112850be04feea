// Idempotency keys are kept at least 24 hours (48 here); the server's clock
// is moved with QT_CLOCK_OFFSET_MS across restarts on the same database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, createTenant, login } from '../lib/server.mjs';

const HOUR = 3600 * 1000;

test('an Idempotency-Key still replays after 47 hours and is forgotten after 49', async () => {
  const srv = await startServer();
  try {
    const t = createTenant(srv);
    let token = (await login(srv, t.slug, t.email, t.password)).access_token;
    const c = await srv.api('POST', '/api/v1/customers', { token, body: { name: 'Kept Keys', phone: '9822200011' } });
    assert.equal(c.status, 201, c.text);
    const body = { customer_id: c.json.id, type: 'purchase', amount_minor: 4200 };
    const post = (tok) => srv.api('POST', '/api/v1/transactions', { token: tok, body, headers: { 'Idempotency-Key': 'kept-key-1' } });
    const first = await post(token);
    assert.equal(first.status, 201, first.text);

    srv.env.QT_CLOCK_OFFSET_MS = String(47 * HOUR);
    await srv.restart();
    token = (await login(srv, t.slug, t.email, t.password)).access_token;
    const replay = await post(token);
    assert.equal(replay.status, 201);
    assert.equal(replay.json.id, first.json.id, 'replayed, not recorded again');

    srv.env.QT_CLOCK_OFFSET_MS = String(49 * HOUR);
    await srv.restart();
    token = (await login(srv, t.slug, t.email, t.password)).access_token;
    const again = await post(token);
    assert.equal(again.status, 201, again.text);
    assert.notEqual(again.json.id, first.json.id, 'the expired key starts a new request');
    const cust = await srv.api('GET', `/api/v1/customers/${c.json.id}`, { token });
    assert.equal(cust.json.balance_minor, 8400);
  } finally {
    await srv.stop();
  }
});
