// The web app in real Chromium against the real binary (temp SQLite store).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTenant } from '../lib/server.mjs';
import { setup, newPage, signIn, shot, apiToken, customerByName, OWNER, OPERATOR, PHONE, DESKTOP } from './helpers.mjs';

let srv, browser, viewer, member;

before(async () => {
  ({ srv, browser, viewer, member } = await setup());
});
// A fresh owner token each time: signing out in a browser ends every
// session of the account, an API token taken earlier included.
const ownerToken = () => apiToken(srv, OWNER);

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function openCustomer(page, name) {
  const c = await customerByName(srv, await ownerToken(), name);
  await page.goto(`/customers/${c.id}`);
  await page.locator('#main h1', { hasText: name }).waitFor();
  return c;
}

// Type an amount on the on-screen keypad.
async function keypad(page, text) {
  const dialog = page.locator('dialog[open]');
  for (const ch of text) {
    const name = ch === '.' ? 'Decimal point' : ch;
    await dialog.getByRole('button', { name, exact: true }).click();
  }
}

test('unknown store shows a clear page', async () => {
  const { context, page } = await newPage(browser, srv);
  await page.goto('/?tenant=no-such-store');
  await page.getByRole('heading', { name: 'Store not found' }).waitFor();
  assert.match(await page.locator('body').innerText(), /no store called “no-such-store”/);
  await shot(page, 'unknown-store');
  await page.setViewportSize(DESKTOP);
  await shot(page, 'unknown-store');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('sign in shows the store name; the session survives a reload; sign out', async () => {
  const { context, page } = await newPage(browser, srv);
  await page.goto('/?tenant=quantumtrack');
  await page.getByRole('heading', { name: 'QuantumTrack' }).waitFor();
  assert.ok(await page.getByText('Sign in to').isVisible());
  await shot(page, 'signin');
  // Wrong password: message, no crash.
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password').fill('wrong-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByText('Email or password is wrong.').waitFor();
  await page.getByLabel('Password').fill(OWNER.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.locator('#main h1', { hasText: 'QuantumTrack' }).waitFor();
  await page.getByText('Total owed').waitFor();
  // The refresh token is not readable by page scripts.
  assert.equal(await page.evaluate(() => document.cookie), '');
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage, ...sessionStorage }));
  assert.doesNotMatch(stored, /refresh|eyJ/);
  await page.reload();
  await page.getByText('Total owed').waitFor();
  assert.equal(await page.getByLabel('Password').count(), 0);
  // A deep link in the same tab keeps the session and the store.
  await page.goto('/customers');
  await page.locator('#main h1', { hasText: 'Customers' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'More' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByLabel('Password').waitFor();
  await page.reload();
  await page.getByLabel('Password').waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('add a customer: a bad phone shows the error next to the field, then a good one', async () => {
  const { context, page } = await newPage(browser, srv);
  await signIn(page, OWNER);
  await page.goto('/customers/new');
  await page.getByLabel('Name').fill('Kavya Iyer');
  await page.getByLabel('Phone').fill('12345');
  await page.getByLabel('Flat number (TTFFU)').fill('36105');
  await page.getByLabel('Credit limit (INR)').fill('2,00,000');
  await page.getByRole('button', { name: 'Add customer' }).click();
  const phoneError = page.locator('.field[data-field="phone"] .field-error');
  await phoneError.waitFor();
  assert.match(await phoneError.innerText(), /10-digit/);
  assert.equal(await page.getByLabel('Phone').getAttribute('aria-invalid'), 'true');
  await shot(page, 'customer-form-error');
  await page.getByLabel('Phone').fill('9123456780');
  await page.getByRole('button', { name: 'Add customer' }).click();
  await page.locator('#main h1', { hasText: 'Kavya Iyer' }).waitFor();
  assert.equal(await page.locator('#balance').innerText(), '₹0.00');
  const c = await customerByName(srv, await ownerToken(), 'Kavya Iyer');
  assert.equal(c.phone, '+919123456780');
  assert.equal(c.credit_limit_minor, 20000000);
  assert.equal(c.apartment, '36105');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('record a purchase and a payment and see the balance change', async () => {
  const { context, page } = await newPage(browser, srv);
  await signIn(page, OWNER);
  const c = await openCustomer(page, 'Kavya Iyer');
  await page.getByRole('button', { name: 'Purchase on credit' }).click();
  await keypad(page, '123456.5');
  await page.locator('dialog[open]').getByLabel('Note (optional)').fill('Monthly groceries');
  await shot(page, 'entry-purchase');
  await page.getByRole('button', { name: /Record purchase of ₹1,23,456\.50/ }).click();
  await page.locator('#balance', { hasText: '₹1,23,456.50' }).waitFor();
  await page.getByRole('button', { name: 'Payment received' }).click();
  const dlg = page.locator('dialog[open]');
  await dlg.getByLabel('Amount (INR)').fill('456.50');
  await dlg.getByText('UPI', { exact: true }).click();
  await shot(page, 'entry-payment');
  await dlg.getByRole('button', { name: /Record payment/ }).click();
  await page.locator('#balance', { hasText: '₹1,23,000.00' }).waitFor();
  const ledger = await page.locator('.ledger').innerText();
  assert.match(ledger, /Monthly groceries/);
  assert.match(ledger, /UPI/);
  const r = await srv.api('GET', `/api/v1/transactions?customer_id=${c.id}`, { token: await ownerToken() });
  const amounts = r.json.data.map((e) => [e.type, e.amount_minor, e.payment_method]).sort();
  assert.deepEqual(amounts, [['payment', 45650, 'upi'], ['purchase', 12345650, null]]);
  await shot(page, 'customer');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('hitting the credit limit is explained; the override is only for admins', async () => {
  // A member: explanation, no override.
  {
    const { context, page } = await newPage(browser, srv);
    await signIn(page, member);
    await openCustomer(page, 'Priya Singh');
    await page.getByRole('button', { name: 'Purchase on credit' }).click();
    await keypad(page, '500');
    await page.getByRole('button', { name: /Record purchase/ }).click();
    const box = page.locator('.limit-box');
    await box.waitFor();
    const text = await box.innerText();
    assert.match(text, /Over the credit limit/);
    assert.match(text, /₹3,000\.00/);   // the limit
    assert.match(text, /₹350\.00/);     // over by: 2,850 + 500 − 3,000
    assert.match(text, /Only an admin or the owner can override/);
    assert.equal(await page.getByLabel('Override the credit limit').count(), 0);
    await context.close();
  }
  // The owner: override with a reason records it.
  const { context, page } = await newPage(browser, srv);
  await signIn(page, OWNER);
  const c = await openCustomer(page, 'Priya Singh');
  await page.getByRole('button', { name: 'Purchase on credit' }).click();
  await keypad(page, '500');
  await page.getByRole('button', { name: /Record purchase/ }).click();
  await page.locator('.limit-box').waitFor();
  await shot(page, 'credit-limit');
  await page.getByLabel('Override the credit limit').check();
  await page.getByRole('button', { name: /Record purchase/ }).click();
  await page.locator('.field[data-field="override_reason"] .field-error').waitFor();
  await page.getByLabel('Reason for the override').fill('Regular customer, pays on the 1st');
  await page.getByRole('button', { name: /Record purchase/ }).click();
  await page.locator('#balance', { hasText: '₹3,350.00' }).waitFor();
  const r = await srv.api('GET', `/api/v1/customers/${c.id}`, { token: await ownerToken() });
  assert.equal(r.json.balance_minor, 335000);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a double tap and a resend after a lost response record the entry once', async () => {
  const { context, page } = await newPage(browser, srv);
  await signIn(page, OWNER);
  const c = await openCustomer(page, 'Amit Sharma');
  const before = (await srv.api('GET', `/api/v1/transactions?customer_id=${c.id}&limit=200`, { token: await ownerToken() })).json.data.length;

  // Double tap on the submit button.
  await page.getByRole('button', { name: 'Purchase on credit' }).click();
  await keypad(page, '17');
  await page.getByRole('button', { name: /Record purchase/ }).dblclick();
  await page.locator('#balance', { hasText: '₹437.00' }).waitFor();

  // The first response is lost on the network: the app offers a retry with
  // the same Idempotency-Key, and the server replays the first result.
  let lost = 0;
  const keys = [];
  await page.route('**/api/v1/transactions', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (lost === 0) {
      lost++;
      await route.fetch();          // reaches the server, is recorded...
      await route.abort('failed');  // ...but the answer never arrives
    } else {
      await route.continue();
    }
  });
  await page.getByRole('button', { name: 'Payment received' }).click();
  await keypad(page, '37');
  await page.getByRole('button', { name: /Record payment/ }).click();
  // No answer: the entry waits on this device, pending, with its key.
  await page.locator('.pending-list .badge-pending').waitFor();
  await page.locator('#balance', { hasText: '₹400.00' }).waitFor(); // projected
  await shot(page, 'entry-retry');
  await page.getByRole('button', { name: 'Send now' }).click();
  await page.locator('.pending-list').waitFor({ state: 'detached' });
  await page.locator('#balance', { hasText: '₹400.00' }).waitFor();
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], 'the retry reuses the Idempotency-Key');

  const after = (await srv.api('GET', `/api/v1/transactions?customer_id=${c.id}&limit=200`, { token: await ownerToken() })).json.data;
  assert.equal(after.length, before + 2, 'one purchase and one payment, each recorded once');
  assert.equal(after.filter((e) => e.amount_minor === 1700).length, 1);
  assert.equal(after.filter((e) => e.amount_minor === 3700).length, 1);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('search finds customers by apartment prefix as you type', async () => {
  const { context, page } = await newPage(browser, srv);
  await signIn(page, OWNER);
  await page.getByLabel('Find a customer').pressSequentially('361', { delay: 30 });
  const results = page.locator('#search-results');
  await results.getByText('Rajesh Kumar').waitFor();
  const text = await results.innerText();
  assert.match(text, /Sunita Reddy/);
  assert.match(text, /Kavya Iyer/);          // 36105: tower 36, floor 10
  assert.doesNotMatch(text, /Priya Singh|Amit Sharma/);
  await shot(page, 'search');
  await results.getByText('Rajesh Kumar').click();
  await page.locator('#main h1', { hasText: 'Rajesh Kumar' }).waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the dashboard works on a plan without reports (totals from the lists)', async () => {
  const t = createTenant(srv, { slug: 'corner-shop', name: 'Corner Shop', plan: 'free' });
  const owner = await apiToken(srv, t, t.slug);
  const c = await srv.api('POST', '/api/v1/customers', { token: owner, body: { name: 'Asha', phone: '9000000001', apartment: '01021' } });
  await srv.api('POST', '/api/v1/transactions', { token: owner, body: { customer_id: c.json.id, type: 'purchase', amount_minor: 123450 } });
  const { context, page } = await newPage(browser, srv);
  await signIn(page, t, t.slug);
  const stats = page.locator('.stats');
  await stats.getByText('Total owed').waitFor();
  assert.match(await stats.innerText(), /₹1,234\.50[\s\S]*1 customer owing/);
  assert.match(await stats.innerText(), /Sold today\s*₹1,234\.50\s*1 purchase/);
  assert.match(await page.locator('#top-owing').locator('..').innerText(), /Asha/);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a viewer sees no write action', async () => {
  const { context, page } = await newPage(browser, srv);
  await signIn(page, viewer);
  assert.equal(await page.getByRole('link', { name: /Add customer/ }).count(), 0);
  await openCustomer(page, 'Priya Singh');
  await page.locator('.ledger').waitFor();
  for (const name of ['Purchase on credit', 'Payment received', 'Archive', 'Reverse'])
    assert.equal(await page.getByRole('button', { name }).count(), 0, name);
  assert.equal(await page.getByRole('link', { name: 'Edit' }).count(), 0);
  assert.ok(await page.getByRole('link', { name: 'Statement' }).isVisible());
  await shot(page, 'viewer-customer');
  await page.goto('/customers');
  await page.locator('#customer-list').waitFor();
  assert.equal(await page.getByRole('link', { name: /Add customer/ }).count(), 0);
  await page.goto('/apartments/unit/36194');
  await page.locator('#main h1', { hasText: 'Flat 36194' }).waitFor();
  assert.equal(await page.getByRole('button', { name: /record/i }).count(), 0);
  assert.equal(await page.getByRole('link', { name: /Add customer/ }).count(), 0);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('an admin reverses an entry with a reason', async () => {
  const { context, page } = await newPage(browser, srv);
  await signIn(page, OWNER);
  await openCustomer(page, 'Sunita Reddy');
  const balance = await page.locator('#balance').innerText();
  await page.locator('.ledger li.purchase').first().getByRole('button', { name: 'Reverse' }).click();
  await page.getByRole('button', { name: 'Reverse entry' }).click();
  await page.locator('.field[data-field="reason"] .field-error').waitFor();
  await page.getByLabel('Reason').fill('Entered twice by mistake');
  await page.getByRole('button', { name: 'Reverse entry' }).click();
  await page.locator('.ledger li.reversal').first().waitFor();
  assert.notEqual(await page.locator('#balance').innerText(), balance);
  assert.match(await page.locator('.ledger').innerText(), /Entered twice by mistake/);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the operator creates a store, changes its plan and suspends it', async () => {
  const { context, page } = await newPage(browser, srv, DESKTOP);
  await page.goto('/platform');
  await page.getByRole('heading', { name: 'Operator console' }).waitFor();
  await page.getByLabel('Operator email').fill(OPERATOR.email);
  await page.getByLabel('Password').fill(OPERATOR.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Stores' }).waitFor();
  const form = page.locator('#create-store');
  await form.getByLabel('Store code (slug)').fill('green-mart');
  await form.getByLabel('Store name').fill('Green Mart');
  await form.getByLabel('Plan').selectOption('starter');
  await form.getByLabel('Owner email').fill('owner@greenmart.example');
  await form.getByLabel('Owner name').fill('Meena');
  await form.getByLabel('Owner password').fill('green-mart-owner-1');
  await form.getByRole('button', { name: 'Create store' }).click();
  const row = page.locator('tr[data-slug="green-mart"]');
  await row.waitFor();
  assert.match(await row.innerText(), /Green Mart/);
  assert.equal(await row.getByLabel('Plan of Green Mart').inputValue(), 'starter');
  await row.getByLabel('Plan of Green Mart').selectOption('professional');
  await page.getByText('Green Mart is now on professional').waitFor();
  await shot(page, 'platform');
  await page.setViewportSize(PHONE);
  await shot(page, 'platform');
  await page.setViewportSize(DESKTOP);
  // The session survives a reload here too.
  await page.reload();
  await page.locator('tr[data-slug="green-mart"]').waitFor();
  const t = (await srv.api('POST', '/api/v1/platform/auth/login', { body: OPERATOR })).json.access_token;
  const list = (await srv.api('GET', '/api/v1/platform/tenants', { token: t })).json.data;
  assert.equal(list.find((x) => x.slug === 'green-mart').plan, 'professional');

  // The new store's owner can sign in to it.
  const other = await newPage(browser, srv);
  await signIn(other.page, { email: 'owner@greenmart.example', password: 'green-mart-owner-1' }, 'green-mart');
  await other.page.locator('#main h1', { hasText: 'Green Mart' }).waitFor();
  await other.context.close();

  // Suspend: the store shows a clear page before sign-in.
  await page.locator('tr[data-slug="green-mart"]').getByRole('button', { name: 'Suspend' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Suspend' }).click();
  await page.locator('tr[data-slug="green-mart"]', { hasText: 'suspended' }).waitFor();
  const s = await newPage(browser, srv);
  await s.page.goto('/?tenant=green-mart');
  await s.page.getByRole('heading', { name: 'Green Mart is suspended' }).waitFor();
  await shot(s.page, 'suspended-store');
  // Its owner can still sign in and read, with no write action offered.
  await s.page.getByRole('button', { name: 'Sign in to read' }).click();
  await s.page.getByLabel('Email').fill('owner@greenmart.example');
  await s.page.getByLabel('Password').fill('green-mart-owner-1');
  await s.page.getByRole('button', { name: 'Sign in' }).click();
  await s.page.getByText('This store is suspended: you can read everything').waitFor();
  assert.equal(await s.page.getByRole('link', { name: /Add customer/ }).count(), 0);
  assert.deepEqual(s.page.errors, []);
  await s.context.close();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('screenshots of every main screen at phone and desktop sizes', async () => {
  for (const vp of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, vp);
    await signIn(page, OWNER);
    await page.getByText('Total owed').waitFor();
    await shot(page, 'dashboard');
    const rajesh = await customerByName(srv, await ownerToken(), 'Rajesh Kumar');
    const screens = [
      ['customers', '/customers', '#customer-list'],
      ['customer-rajesh', `/customers/${rajesh.id}`, '.ledger'],
      ['statement', `/customers/${rajesh.id}/statement`, '.table'],
      ['customer-edit', `/customers/${rajesh.id}/edit`, '#customer-form'],
      ['apartments', '/apartments', '.towers'],
      ['tower', '/apartments/36', '.units'],
      ['flat', '/apartments/unit/36194', '#residents'],
      ['users', '/users', '.user-row'],
      ['settings', '/settings', 'form'],
      ['audit', '/audit', '.audit-row'],
    ];
    if (vp === PHONE) screens.push(['more', '/more', '.menu']);
    for (const [name, path, sel] of screens) {
      await page.goto(path);
      await page.locator(sel).first().waitFor();
      await shot(page, name);
    }
    await page.goto(`/customers/${rajesh.id}`);
    await page.getByRole('button', { name: 'Purchase on credit' }).click();
    await shot(page, 'entry-sheet');
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});

test('the web app is served with CSP, caching headers and a small first screen', async () => {
  const r = await fetch(srv.url + '/customers/some-deep-link');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
  assert.ok(r.headers.get('etag'));
  const html = await r.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script');
  assert.doesNotMatch(html, /style=|<style/, 'no inline style');
  // First screen: main + the modules it imports at start + sign-in + CSS.
  let total = html.length;
  for (const p of ['/css/app.css', '/js/main.js', '/js/api.js', '/js/app.js', '/js/dom.js', '/js/money.js', '/js/format.js', '/js/views/signin.js', '/js/views/dashboard.js', '/js/views/search.js']) {
    const a = await fetch(srv.url + p);
    assert.equal(a.status, 200, p);
    total += (await a.arrayBuffer()).byteLength;
  }
  assert.ok(total < 150 * 1024, `first screen is ${total} bytes`);
  const m = await fetch(srv.url + '/manifest.webmanifest');
  assert.equal(m.status, 200);
  const manifest = await m.json();
  for (const icon of manifest.icons) assert.equal((await fetch(srv.url + icon.src)).status, 200, icon.src);
});
