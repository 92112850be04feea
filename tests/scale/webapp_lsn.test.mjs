// The web app's read-your-writes (web/js/api.js): it keeps the highest
// X-QT-Commit-LSN any answer carried and sends it as X-QT-Min-LSN with every
// later request; a lower position never replaces a higher one.
import { test } from 'node:test';
import assert from 'node:assert/strict';

test('web_app_sends_back_the_highest_commit_lsn_it_saw', async () => {
  const sent = [];
  let answerLsn = null;
  globalThis.window = { dispatchEvent() {} };
  globalThis.CustomEvent = class { constructor(type, init) { this.type = type; this.detail = init?.detail; } };
  globalThis.fetch = async (url, init) => {
    sent.push(init.headers['X-QT-Min-LSN'] ?? null);
    const headers = new Headers({ 'Content-Type': 'application/json' });
    if (answerLsn) headers.set('X-QT-Commit-LSN', answerLsn);
    return new Response('{}', { status: 200, headers });
  };
  const { api } = await import('../../web/js/api.js');
  await api('GET', 'customers');
  answerLsn = '0/16B3748';
  await api('POST', 'customers', { body: {} });
  answerLsn = null;
  await api('GET', 'customers');
  answerLsn = '0/16B0000';                 // older: kept the higher one
  await api('POST', 'transactions', { body: {} });
  answerLsn = null;
  await api('GET', 'customers');
  answerLsn = '1/0';                       // past the 32-bit half
  await api('POST', 'transactions', { body: {} });
  answerLsn = null;
  await api('GET', 'customers');
  assert.deepEqual(sent, [null, null, '0/16B3748', '0/16B3748', '0/16B3748', '0/16B3748', '1/0']);
});
