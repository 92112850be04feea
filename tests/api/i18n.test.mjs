// Languages on the server: each account's own language (PATCH/GET
// /api/v1/auth/me), which follows the store's locale until chosen, and
// problem details in Hindi for Accept-Language: hi (or, without the header,
// for a signed-in caller whose language is Hindi).  Error codes stay
// English identifiers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore, addUser, login } from '../lib/server.mjs';
import { assertProblem } from '../lib/foundation.mjs';

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
