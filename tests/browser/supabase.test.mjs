// The Supabase section of the settings screen: an admin sees the store's
// anon key and the address, copies the key, and the key is the one the
// API gives (GET /api/v1/settings/anon-key) and works as supabase-js's
// apikey for the store's public facts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, shot, OWNER, PHONE } from './helpers.mjs';
import { login } from '../lib/server.mjs';

let srv, browser;

before(async () => { ({ srv, browser } = await setup()); });
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('an admin sees and copies the store anon key', async () => {
  const { context, page } = await newPage(browser, srv, PHONE);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signIn(page, OWNER, 'quantumtrack', '/settings');
  await page.getByText('Supabase', { exact: true }).click();
  const key = page.getByLabel('Anon key');
  await key.waitFor();
  assert.match(page.url(), /section=supabase/);
  const shown = await key.inputValue();
  const s = await login(srv, 'quantumtrack', OWNER.email, OWNER.password);
  const r = await srv.api('GET', '/api/v1/settings/anon-key', { token: s.access_token });
  assert.equal(shown, r.json.anon_key);
  await page.getByRole('button', { name: 'Copy key' }).click();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), shown);
  const t = await fetch(`${srv.url}/rest/v1/tenants?select=slug`, { headers: { apikey: shown } });
  assert.deepEqual(await t.json(), [{ slug: 'quantumtrack' }]);
  await shot(page, 'settings-supabase');
  await context.close();
});
