// Live updates: two people signed in on two devices (two browser
// contexts, two sessions).  A payment recorded on one shows on the other's
// dashboard, customer page and customer list without a reload; the
// dashboard says "live", and "reconnecting…" while the connection is
// gone, then catches up with what it missed, counting nothing twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, shot, apiToken, customerByName, OWNER, PHONE, DESKTOP } from './helpers.mjs';

let srv, browser, member;

before(async () => {
  ({ srv, browser, member } = await setup());
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// "₹1,23,456.50" → 12345650 (INR has two decimals).
const minorOf = (text) => Number(text.replace(/[^\d-]/g, ''));

async function outstanding(token) {
  const r = await srv.api('GET', '/api/v1/reports/summary', { token });
  assert.equal(r.status, 200, r.text);
  return r.json.outstanding_minor;
}

const totalOwed = (page) => page.locator('.stat.big .stat-value').innerText();

async function waitTotal(page, minor) {
  await page.waitForFunction((want) => {
    const el = document.querySelector('.stat.big .stat-value');
    return el && Number(el.textContent.replace(/[^\d-]/g, '')) === want;
  }, minor, { timeout: 10000 });
}

// A payment through the other device's customer page.
async function payOn(page, customerId, amount) {
  await page.goto(`/customers/${customerId}`);
  await page.locator('#balance').waitFor();
  await page.getByRole('button', { name: 'Payment received' }).click();
  const dlg = page.locator('dialog[open]');
  await dlg.getByLabel('Amount (INR)').fill(amount);
  await dlg.getByRole('button', { name: /Record payment/ }).click();
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
}

test('a payment recorded on one device shows on the other\'s dashboard, customer page and list without a reload', async () => {
  const token = await apiToken(srv, OWNER);
  const kavya = await customerByName(srv, token, 'Rajesh Kumar');
  // Make sure the customer owes enough for the payments below.
  const buy = await srv.api('POST', '/api/v1/transactions', { token, body: { customer_id: kavya.id, type: 'purchase', amount_minor: 500000, override: true, override_reason: 'live test' } });
  assert.equal(buy.status, 201, buy.text);

  const a = await newPage(browser, srv, PHONE);
  const b = await newPage(browser, srv, DESKTOP);
  await signIn(a.page, OWNER);
  await signIn(b.page, member);
  await a.page.locator('#live-state[data-state="live"]').waitFor();
  assert.equal(await a.page.locator('#live-state').innerText(), 'live');
  await a.page.evaluate(() => { window.__notReloaded = true; });
  const before = await outstanding(token);
  assert.equal(minorOf(await totalOwed(a.page)), before);
  await shot(a.page, 'dashboard-live');

  await payOn(b.page, kavya.id, '1234.50');
  await waitTotal(a.page, before - 123450);
  assert.equal(minorOf(await totalOwed(a.page)), await outstanding(token), 'the server\'s figure, not a sum of our own');
  assert.ok(await a.page.evaluate(() => window.__notReloaded), 'the dashboard page was not reloaded');

  // The same device on the customer page and on the list.
  await a.page.goto(`/customers/${kavya.id}`);
  const bal = minorOf(await a.page.locator('#balance').innerText());
  await a.page.evaluate(() => { window.__notReloaded = true; });
  await payOn(b.page, kavya.id, '100');
  await a.page.waitForFunction((want) => Number(document.querySelector('#balance')?.textContent.replace(/[^\d-]/g, '')) === want,
    bal - 10000, { timeout: 10000 });
  assert.ok(await a.page.evaluate(() => window.__notReloaded));
  await a.page.goto('/customers?q=Rajesh');
  const row = a.page.locator(`#customer-list a[href="/customers/${kavya.id}"] .amount`);
  const listed = minorOf(await row.innerText());
  await payOn(b.page, kavya.id, '1');
  await a.page.waitForFunction(([id, want]) => {
    const el = document.querySelector(`#customer-list a[href="/customers/${id}"] .amount`);
    return el && Number(el.textContent.replace(/[^\d-]/g, '')) === want;
  }, [kavya.id, listed - 100], { timeout: 10000 });
  assert.deepEqual(a.page.errors, []);
  assert.deepEqual(b.page.errors, []);
  await a.context.close();
  await b.context.close();
});

test('offline the dashboard says reconnecting…, and catches up once back, counting nothing twice', async () => {
  const token = await apiToken(srv, OWNER);
  const c = await customerByName(srv, token, 'Priya Singh');
  const buy = await srv.api('POST', '/api/v1/transactions', { token, body: { customer_id: c.id, type: 'purchase', amount_minor: 300000, override: true, override_reason: 'live test' } });
  assert.equal(buy.status, 201, buy.text);
  const a = await newPage(browser, srv, DESKTOP);
  const b = await newPage(browser, srv, PHONE);
  await signIn(a.page, OWNER);
  await signIn(b.page, member);
  await a.page.locator('#live-state[data-state="live"]').waitFor();
  await waitTotal(a.page, await outstanding(token));
  await shot(a.page, 'dashboard-live');

  await a.context.setOffline(true);
  await a.page.locator('#live-state[data-state="reconnecting"]').waitFor();
  assert.equal(await a.page.locator('#live-state').innerText(), 'reconnecting…');
  await shot(a.page, 'dashboard-reconnecting');
  // Two payments while this device is away.
  await payOn(b.page, c.id, '500');
  await payOn(b.page, c.id, '250');
  const want = await outstanding(token);
  await a.context.setOffline(false);
  await a.page.locator('#live-state[data-state="live"]').waitFor({ timeout: 15000 });
  await waitTotal(a.page, want);
  // Another event after the catch-up: still exactly the server's figure.
  await payOn(b.page, c.id, '1');
  await waitTotal(a.page, want - 100);
  assert.equal(minorOf(await totalOwed(a.page)), await outstanding(token));
  assert.deepEqual(a.page.errors, []);
  await a.context.close();
  await b.context.close();
});

test('a viewer\'s dashboard works without live updates', async () => {
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, { email: 'viewer@quantumtrack.example', password: 'correct-horse-battery' });
  await page.locator('.stat.big').waitFor();
  await page.waitForTimeout(500);
  assert.ok(await page.locator('#live-state').isHidden(), 'no indicator for a viewer');
  assert.deepEqual(page.errors, []);
  await context.close();
});
