// API keys in the settings screen: the owner makes a key, sees it once and
// copies it, finds it in the list by its prefix, and revokes it; the key
// works against the API until then and not after.  Admins do not see the
// section; on a plan without API keys the owner is told so.  Screenshots
// at 360×640 and 1280×800.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, shot, OWNER, PHONE, DESKTOP } from './helpers.mjs';
import { addUser, createTenant } from '../lib/server.mjs';

let srv, browser;

before(async () => { ({ srv, browser } = await setup()); });
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const viaKey = (key) => srv.api('GET', '/api/v1/customers?limit=1', { headers: { 'X-API-Key': key } });

test('an owner makes a key, sees it once and copies it, lists it by prefix, and revokes it', async () => {
  for (const [vp, name] of [[PHONE, 'Tally sync'], [DESKTOP, 'Spreadsheet export']]) {
    const { context, page } = await newPage(browser, srv, vp);
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await signIn(page, OWNER, 'quantumtrack', '/settings');
    await page.getByText('API keys', { exact: true }).click();
    const form = page.getByRole('form', { name: 'New API key' });
    await form.waitFor();
    assert.match(page.url(), /section=apikeys/);
    await shot(page, 'settings-apikeys');

    // A missing name is named next to the field.
    await form.getByRole('button', { name: 'Make key' }).click();
    await form.locator('.field[data-field="name"] .field-error').filter({ hasText: /./ }).waitFor();

    await form.getByLabel('Name').fill(name);
    await form.getByLabel('Acts as').selectOption('member');
    await form.getByRole('button', { name: 'Make key' }).click();
    const once = page.getByRole('region', { name: 'New API key' });
    await once.waitFor();
    const keyBox = once.getByLabel(`API key ${name}`);
    const key = await keyBox.inputValue();
    assert.match(key, /^qtk_[A-Za-z0-9_-]{43}$/);
    await once.getByRole('button', { name: 'Copy key' }).click();
    await once.getByRole('button', { name: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key);
    await shot(page, 'settings-apikeys-shown-once');

    // The key works, as the role it was made with.
    assert.equal((await viaKey(key)).status, 200);
    const row = page.locator('.key-item').filter({ hasText: name });
    await row.waitFor();
    assert.match(await row.textContent(), new RegExp(`${key.slice(0, 8).replace(/[-]/g, '\\-')}…`));
    assert.match(await row.textContent(), /member/);
    assert.ok(!(await page.locator('.key-list').textContent()).includes(key.slice(8)), 'the list never shows the key');

    // Done: the key is gone from the screen for good.
    await once.getByRole('button', { name: 'Done' }).click();
    await once.waitFor({ state: 'detached' });
    assert.ok(!(await page.content()).includes(key), 'the key is no longer in the page');
    await page.reload();
    await page.locator('.key-item').filter({ hasText: name }).waitFor();
    assert.ok(!(await page.content()).includes(key));
    await page.locator('.key-item').filter({ hasText: name }).scrollIntoViewIfNeeded();
    await shot(page, 'settings-apikeys-list');

    // Revoke: confirmed, and the key stops at once.
    await page.getByRole('button', { name: `Revoke ${name}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke' }).click();
    await page.locator('.key-item').filter({ hasText: name }).waitFor({ state: 'detached' });
    assert.equal((await viaKey(key)).status, 401);
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});

test('admins do not see the API keys section; a plan without API keys says so to its owner', async () => {
  const admin = addUser(srv, { tenant: 'quantumtrack', email: 'admin@quantumtrack.example', role: 'admin' });
  {
    const { context, page } = await newPage(browser, srv, PHONE);
    await signIn(page, admin, 'quantumtrack', '/settings?section=apikeys');
    await page.getByRole('form', { name: 'Store' }).waitFor();
    assert.equal(await page.getByText('API keys', { exact: true }).count(), 0);
    assert.deepEqual(page.errors, []);
    await context.close();
  }
  const t = createTenant(srv, { slug: 'starter-shop', name: 'Starter Shop', plan: 'starter' });
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, { email: t.email, password: t.password }, t.slug, '/settings?section=apikeys');
  await page.getByText('Your plan does not include them').waitFor();
  assert.equal(await page.getByRole('form', { name: 'New API key' }).count(), 0);
  await shot(page, 'settings-apikeys-not-in-plan');
  assert.deepEqual(page.errors, []);
  await context.close();
});
