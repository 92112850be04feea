// Languages on the server: each account's own language (PATCH/GET
// /api/v1/auth/me), which follows the store's locale until chosen, and
// problem details in Hindi for Accept-Language: hi (or, without the header,
// for a signed-in caller whose language is Hindi).  Error codes stay
// English identifiers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore, addUser, login } from '../lib/server.mjs';
import { assertProblem, rawHttp } from '../lib/foundation.mjs';
import { customer, purchase, tokenFor } from '../lib/ledger.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const DEVANAGARI = /[\u0900-\u097F]/;

// A store with an owner and a viewer, both signed in.
async function storeWithViewer() {
  const s = await newStore(srv);
  const v = addUser(srv, { tenant: s.slug, email: `viewer@${s.slug}.example`, role: 'viewer' });
  const l = await login(srv, s.slug, v.email, v.password);
  return { slug: s.slug, owner: { token: s.token, id: s.session.user.id },
    viewer: { token: l.access_token, id: l.user.id } };
}

const me = (token) => srv.api('GET', '/api/v1/auth/me', { token });
const setLanguage = (token, language) => srv.api('PATCH', '/api/v1/auth/me', { token, body: { language } });

test('auth/me starts with no chosen language and the store locale\'s effective language', async () => {
  const t = await storeWithViewer();
  const r = await me(t.owner.token);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.language, null);
  assert.equal(r.json.effective_language, 'en');   // the default locale is en-IN
  assert.equal(r.json.role, 'owner');
});

test('a chosen language is kept server-side and returned by GET auth/me', async () => {
  const t = await storeWithViewer();
  const p = await setLanguage(t.owner.token, 'hi');
  assert.equal(p.status, 200, p.text);
  assert.equal(p.json.language, 'hi');
  assert.equal(p.json.effective_language, 'hi');
  assert.equal(p.json.user.id, t.owner.id);
  const g = await me(t.owner.token);
  assert.equal(g.json.language, 'hi');
  assert.equal(g.json.effective_language, 'hi');
  // A new sign-in of the same account sees it too.
  const back = await setLanguage(t.owner.token, 'en');
  assert.equal(back.json.language, 'en');
  assert.equal((await me(t.owner.token)).json.language, 'en');
});

test('null follows the store\'s locale again, and the locale decides the effective language', async () => {
  const t = await storeWithViewer();
  assert.equal((await setLanguage(t.viewer.token, 'en')).status, 200);
  const s = await srv.api('PATCH', '/api/v1/settings', { token: t.owner.token, body: { locale: 'hi-IN' } });
  assert.equal(s.status, 200, s.text);
  // The viewer chose English: the store's locale does not override it.
  let r = await me(t.viewer.token);
  assert.equal(r.json.language, 'en');
  assert.equal(r.json.effective_language, 'en');
  // The owner chose nothing: Hindi from hi-IN.
  r = await me(t.owner.token);
  assert.equal(r.json.language, null);
  assert.equal(r.json.effective_language, 'hi');
  const cleared = await setLanguage(t.viewer.token, null);
  assert.equal(cleared.status, 200, cleared.text);
  assert.equal(cleared.json.language, null);
  assert.equal(cleared.json.effective_language, 'hi');
  assert.equal((await me(t.viewer.token)).json.effective_language, 'hi');
});

test('a viewer sets their own language and it does not change anyone else\'s', async () => {
  const t = await storeWithViewer();
  const other = await storeWithViewer();
  await me(t.owner.token);           // the owner's context is cached before the change
  await me(other.viewer.token);
  const p = await setLanguage(t.viewer.token, 'hi');
  assert.equal(p.status, 200, p.text);
  assert.equal((await me(t.viewer.token)).json.language, 'hi');
  assert.equal((await me(t.owner.token)).json.language, null);
  assert.equal((await me(other.viewer.token)).json.language, null);
  assert.equal((await me(other.owner.token)).json.language, null);
});

test('a bad language is refused naming the field; other fields are refused by name', async () => {
  const t = await storeWithViewer();
  for (const bad of ['fr', 'HI', 'hi-IN', '', 'hindi', 'e'.repeat(200)]) {
    const r = await setLanguage(t.owner.token, bad);
    assertProblem(r, 422, 'validation_failed', 'language');
  }
  for (const bad of [1, true, ['hi'], { hi: 1 }]) {
    const r = await setLanguage(t.owner.token, bad);
    assertProblem(r, 422, 'validation_failed', 'language');
  }
  assertProblem(await srv.api('PATCH', '/api/v1/auth/me', { token: t.owner.token, body: { language: 'hi', role: 'owner' } }),
    400, 'unknown_field', 'role');
  assertProblem(await srv.api('PATCH', '/api/v1/auth/me', { token: t.owner.token, body: { name: 'X' } }),
    400, 'unknown_field', 'name');
  assertProblem(await srv.api('PATCH', '/api/v1/auth/me', { token: t.owner.token, raw: '{"language":', headers: { 'Content-Type': 'application/json' } }),
    400, 'invalid_json');
  assertProblem(await srv.api('PATCH', '/api/v1/auth/me', { body: { language: 'hi' } }), 401, 'unauthorized');
  // Nothing was changed by the refusals.
  assert.equal((await me(t.owner.token)).json.language, null);
  // An empty object changes nothing and answers the caller.
  const empty = await srv.api('PATCH', '/api/v1/auth/me', { token: t.owner.token, body: {} });
  assert.equal(empty.status, 200, empty.text);
  assert.equal(empty.json.language, null);
});

// ---- problem details in the asked language ----------------------------

const HI = { 'Accept-Language': 'hi' };
const MISSING = '/api/v1/customers/00000000-0000-7000-8000-000000000000';

// A Hindi problem: the code stays the English identifier, the detail is
// Devanagari, and Content-Language says so.
function assertHindi(r, status, code, field) {
  const p = assertProblem(r, status, code, field);
  assert.match(p.detail, DEVANAGARI, `detail in Hindi: ${p.detail}`);
  assert.match(p.code, /^[a-z_]+$/);
  assert.equal(r.headers.get('content-language'), 'hi');
  assert.match(r.headers.get('vary') || '', /Accept-Language/i);
  return p;
}

function assertEnglish(r, status, code) {
  const p = assertProblem(r, status, code);
  assert.doesNotMatch(p.detail, DEVANAGARI, `detail in English: ${p.detail}`);
  assert.equal(r.headers.get('content-language'), 'en');
  return p;
}

test('validation failures name the field in Hindi: the detail and the field messages', async () => {
  const s = await newStore(srv);
  const phoneBad = await srv.api('POST', '/api/v1/customers', { token: s.token, headers: HI, body: { name: 'रमेश', phone: '12345' } });
  let p = assertHindi(phoneBad, 422, 'validation_failed', 'phone');
  assert.match(p.detail, /^phone: फ़ोन "12345": /);
  assert.match(p.errors[0].message, DEVANAGARI);
  const missing = await srv.api('POST', '/api/v1/transactions', { token: s.token, headers: HI, body: { type: 'purchase', amount_minor: 100 } });
  p = assertHindi(missing, 422, 'validation_failed', 'customer_id');
  assert.equal(p.detail, 'customer_id: ज़रूरी है');
  const long = await srv.api('PATCH', '/api/v1/auth/me', { token: s.token, headers: HI, body: { language: 'x'.repeat(20) } });
  p = assertHindi(long, 422, 'validation_failed', 'language');
  assert.equal(p.detail, 'language: ज़्यादा से ज़्यादा 8 अक्षर हो सकते हैं');
  const unknown = await srv.api('PATCH', '/api/v1/auth/me', { token: s.token, headers: HI, body: { colour: 'red' } });
  p = assertHindi(unknown, 400, 'unknown_field', 'colour');
  assert.equal(p.detail, 'colour: यह कोई मान्य फ़ील्ड नहीं है');
  // The same request in English is unchanged.
  p = assertEnglish(await srv.api('POST', '/api/v1/customers', { token: s.token, body: { name: 'X', phone: '12345' } }), 422, 'validation_failed');
  assert.match(p.detail, /^phone: phone "12345": /);
});

test('credit limit exceeded, in Hindi, with the amounts of the English detail', async () => {
  const s = await newStore(srv);
  const c = await customer(srv, s.token, { credit_limit_minor: 50000 });
  await purchase(srv, s.token, c.id, 40000);
  const r = await srv.api('POST', '/api/v1/transactions', { token: s.token, headers: { 'Accept-Language': 'hi-IN,hi;q=0.9,en;q=0.8' },
    body: { customer_id: c.id, type: 'purchase', amount_minor: 25000 } });
  const p = assertHindi(r, 422, 'credit_limit_exceeded');
  assert.equal(p.detail, 'इस उधार से बकाया 65000 हो जाएगा, जो उधार सीमा 50000 से 15000 ज़्यादा है');
  assert.equal(p.shortfall_minor, 15000);
  assert.equal(p.errors[0].field, 'amount_minor');
  assert.equal(p.errors[0].message, 'बची हुई उधार सीमा से ज़्यादा है');
});

test('not found, unauthorized and forbidden in Hindi', async () => {
  const s = await newStore(srv);
  let p = assertHindi(await srv.api('GET', MISSING, { token: s.token, headers: HI }), 404, 'not_found');
  assert.equal(p.detail, 'ग्राहक नहीं मिला');
  assertHindi(await srv.api('GET', '/api/v1/no-such-route', { headers: HI }), 404, 'not_found');
  p = assertHindi(await srv.api('GET', '/api/v1/customers', { headers: HI }), 401, 'unauthorized');
  assert.match(p.detail, /साइन इन/);
  assertHindi(await srv.api('GET', '/api/v1/customers', { token: 'not.a.token', headers: HI }), 401, 'invalid_token');
  const viewer = await tokenFor(srv, s, 'viewer');
  p = assertHindi(await srv.api('POST', '/api/v1/customers', { token: viewer, headers: HI, body: { name: 'X', phone: '9876500001' } }), 403, 'forbidden');
  assert.match(p.detail, /member/);   // the role named as the API spells it
  assertHindi(await srv.api('POST', '/api/v1/auth/login', { headers: HI, body: { tenant: s.slug, email: s.email, password: 'wrong-password' } }),
    401, 'invalid_credentials');
});

test('throttling in Hindi: too many sign-in attempts and the store\'s request rate', async () => {
  const th = await startServer({ env: { QT_LOGIN_MAX_FAILURES: '2' } });
  try {
    const s = await newStore(th, { plan: 'free' });   // 10 requests at once, then one a second
    for (let i = 0; i < 2; i++)
      await th.api('POST', '/api/v1/auth/login', { body: { tenant: s.slug, email: s.email, password: 'wrong-' + i } });
    const r = await th.api('POST', '/api/v1/auth/login', { headers: HI, body: { tenant: s.slug, email: s.email, password: 'wrong-x' } });
    let p = assertHindi(r, 429, 'too_many_attempts');
    assert.match(p.detail, new RegExp(`${r.headers.get('retry-after')} सेकंड`));
    let refused = null;
    for (let i = 0; i < 200 && !refused; i++) {
      const g = await th.api('GET', '/api/v1/customers', { token: s.token, headers: HI });
      if (g.status === 429) refused = g;
    }
    assert.ok(refused, 'the free plan refuses a burst');
    p = assertHindi(refused, 429, 'rate_limited');
    assert.match(p.detail, /एक मिनट में 60 अनुरोध/);
    assert.match(p.detail, new RegExp(`${p.retry_after_s} सेकंड`));
  } finally {
    await th.stop();
  }
});

test('Accept-Language: q-values decide, regions and case do not matter, unknown is English', async () => {
  const s = await newStore(srv);
  const cases = [
    ['hi', 'hi'], ['hi-IN', 'hi'], ['HI-in', 'hi'], ['en;q=0.5, hi', 'hi'], ['hi;q=0.4, en;q=0.8', 'en'],
    ['en-US,en;q=0.9,hi;q=0.8', 'en'], ['fr, hi;q=0.1', 'hi'], ['fr', 'en'], ['*', 'en'], ['hi;q=0, *', 'en'],
    ['en;q=0, *', 'en'], ['hi;q=0', 'en'], ['hi;q=0.001', 'hi'], ['ta-IN, hi-Deva-IN;q=0.7', 'hi'],
    ['en', 'en'], ['', 'en'],
  ];
  for (const [header, want] of cases) {
    const r = await srv.api('GET', MISSING, { token: s.token, headers: { 'Accept-Language': header } });
    assertProblem(r, 404, 'not_found');
    assert.equal(r.headers.get('content-language'), want, `Accept-Language: ${header}`);
    assert.equal(DEVANAGARI.test(r.json.detail), want === 'hi', `${header}: ${r.json.detail}`);
  }
});

test('hostile Accept-Language headers are answered in English, never with a 5xx', async () => {
  const s = await newStore(srv);
  const hostile = [
    'hi;q=2', 'hi;q=1.5', 'hi;q=abc', 'hi;q=', 'hi;;q=1', 'hi;level=1', ';;;,,,', ',', 'h!', 'hindiiiiii',
    'hi-', '-hi', 'hi--IN', 'hi-IN-toolongsubtag', 'hi;q=0.0001', 'hi,'.repeat(600), 'fr,'.repeat(40) + 'hi',
    'en;q=0.1,'.repeat(40) + 'hi', 'x'.repeat(5000), '\u00e9\u00e8 hi',
  ];
  for (const header of hostile) {
    const r = await srv.api('GET', MISSING, { token: s.token, headers: { 'Accept-Language': header } });
    assertProblem(r, 404, 'not_found');
    assert.equal(r.headers.get('content-language'), 'en', `Accept-Language: ${header.slice(0, 60)}`);
  }
  // Bytes fetch will not send: a NUL-free binary value, a lone CR inside.
  for (const value of ['\xff\xfe\xfd hi', 'hi\x01\x02', 'hi;q=0.5\x7f']) {
    const raw = await rawHttp(srv.port, `GET /api/v1/customers HTTP/1.1\r\nHost: x\r\nAccept-Language: ${value}\r\nConnection: close\r\n\r\n`);
    assert.ok(raw.status >= 400 && raw.status < 500, raw.head);
    if (/content-language/i.test(raw.head)) assert.match(raw.head, /\r\ncontent-language: en\r\n/i, raw.head);
  }
});

test('without Accept-Language, a signed-in caller\'s own language applies; the header wins over it', async () => {
  const t = await storeWithViewer();
  assert.equal((await setLanguage(t.viewer.token, 'hi')).status, 200);
  let p = assertHindi(await srv.api('GET', MISSING, { token: t.viewer.token }), 404, 'not_found');
  assert.equal(p.detail, 'ग्राहक नहीं मिला');
  assertEnglish(await srv.api('GET', MISSING, { token: t.viewer.token, headers: { 'Accept-Language': 'en' } }), 404, 'not_found');
  // The owner chose nothing and the store is en-IN: English.
  assertEnglish(await srv.api('GET', MISSING, { token: t.owner.token }), 404, 'not_found');
  // A store whose locale is hi-IN speaks Hindi to those who chose nothing.
  assert.equal((await srv.api('PATCH', '/api/v1/settings', { token: t.owner.token, body: { locale: 'hi-IN' } })).status, 200);
  assertHindi(await srv.api('GET', MISSING, { token: t.owner.token }), 404, 'not_found');
  // Before sign-in nobody's language is known: English.
  assertEnglish(await srv.api('GET', '/api/v1/customers'), 401, 'unauthorized');
});

// ---- reminders in the store's language --------------------------------

test('a store switched to hi-IN sends its reminders and receipts in Hindi; a language set apart stays', async () => {
  const s = await newStore(srv);
  let st = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { locale: 'hi-IN', upi_id: 'shop@okhdfc' } });
  assert.equal(st.status, 200, st.text);
  assert.equal(st.json.reminder_language, 'hi');
  const c = await customer(srv, s.token, { name: 'रमेश कुमार' });
  const p = await purchase(srv, s.token, c.id, 123450, { occurred_at: new Date(Date.now() - 40 * 86400000).toISOString() });
  const r = await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: s.token, body: { channel: 'link' } });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.message, DEVANAGARI);
  assert.match(r.json.message, /रमेश कुमार/);
  assert.match(r.json.message, /₹1,234\.50/);
  assert.match(r.json.message, /बकाया/);
  const receipt = await srv.api('POST', `/api/v1/transactions/${p.id}/receipt`, { token: s.token, body: { channel: 'link' } });
  assert.equal(receipt.status, 201, receipt.text);
  assert.match(receipt.json.message, DEVANAGARI);
  // English chosen for the templates: a later locale change leaves it.
  st = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { reminder_language: 'en' } });
  assert.equal(st.json.reminder_language, 'en');
  st = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { locale: 'en-IN' } });
  assert.equal(st.json.reminder_language, 'en');
  st = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { locale: 'hi-IN' } });
  assert.equal(st.json.reminder_language, 'hi', 'en-IN and en agreed again: the templates follow');
  st = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { reminder_language: 'en' } });
  st = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { locale: 'hi' } });
  assert.equal(st.json.reminder_language, 'en', 'chosen apart from the locale: kept');
  // Both named in one change: as named.
  st = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { locale: 'en-IN', reminder_language: 'hi' } });
  assert.equal(st.json.reminder_language, 'hi');
});
