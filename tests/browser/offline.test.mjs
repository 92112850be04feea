// Works offline at the counter, and faster entry: entries made with no
// network wait in the IndexedDB outbox (pending badge, projected balance)
// and are recorded exactly once when it returns; a refusal on sync is shown
// and the entry kept; the last data seen is readable offline ("as of");
// sign-out wipes the user's copy; chips, keyboard shortcuts and the
// entry-time measure (type 361, purchase, 250, confirm).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { addUser } from '../lib/server.mjs';
import { setup, newPage, signIn, shot, apiToken, customerByName, OWNER, PHONE, DESKTOP } from './helpers.mjs';
import { check } from './a11y-audit.mjs';

let srv, browser;

before(async () => {
  ({ srv, browser } = await setup());
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// Each test signs in as its own member: signing out ends every session of
// the account, and each test's outbox and copy are its own.
let n = 0;
const counterUser = (role = 'member') => addUser(srv, { tenant: 'quantumtrack', email: `counter${++n}@quantumtrack.example`, role });
const ownerToken = () => apiToken(srv, OWNER);

async function newCustomer(body) {
  const r = await srv.api('POST', '/api/v1/customers', { token: await ownerToken(), body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function balanceOf(id) {
  return (await srv.api('GET', `/api/v1/customers/${id}`, { token: await ownerToken() })).json.balance_minor;
}
async function entriesOf(id) {
  return (await srv.api('GET', `/api/v1/transactions?customer_id=${id}&limit=200`, { token: await ownerToken() })).json.data;
}

// The app shell from the service worker, so a reload works offline.
async function workerReady(page) {
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);
}

// Every record in this origin's IndexedDB: { cache: [...], outbox: [...] }.
function idbDump(page) {
  return page.evaluate(() => new Promise((resolve, reject) => {
    const req = indexedDB.open('quantumtrack');
    req.onerror = () => reject(req.error);
    req.onsuccess = () => {
      const db = req.result;
      const names = [...db.objectStoreNames];
      const out = {};
      if (!names.length) { db.close(); resolve(out); return; }
      const t = db.transaction(names, 'readonly');
      for (const name of names) { const g = t.objectStore(name).getAll(); g.onsuccess = () => { out[name] = g.result; }; }
      t.oncomplete = () => { db.close(); resolve(out); };
    };
  }));
}

async function openCustomer(page, c) {
  await page.goto(`/customers/${c.id}`);
  await page.locator('#main h1', { hasText: c.name }).waitFor();
}

async function keypad(page, text) {
  const dialog = page.locator('dialog[open]');
  for (const ch of text) await dialog.getByRole('button', { name: ch === '.' ? 'Decimal point' : ch, exact: true }).click();
}

// Record through the sheet on the customer page with the on-screen keypad.
async function record(page, type, amount) {
  await page.getByRole('button', { name: type === 'purchase' ? 'Purchase on credit' : 'Payment received' }).click();
  await keypad(page, amount);
  await page.locator('dialog[open]').getByRole('button', { name: type === 'purchase' ? /Record purchase/ : /Record payment/ }).click();
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
}

// Screenshots without a passing toast over the subject.
async function noToast(page) {
  await page.waitForFunction(() => !document.querySelector('#toast.show'));
  await page.waitForTimeout(300); // its fade (.2 s) to the end
}

const money = (minor) => '₹' + (minor / 100).toLocaleString('en-IN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

test('three entries made offline survive a reload and are recorded exactly once when the network returns', async () => {
  const user = counterUser();
  const c = await newCustomer({ name: 'Offline Olga', phone: '+919800000101', credit_limit_minor: 500000 });
  await srv.api('POST', '/api/v1/transactions', { token: await ownerToken(), body: { customer_id: c.id, type: 'purchase', amount_minor: 20000 } });
  const { context, page } = await newPage(browser, srv, PHONE);
  const keys = [];
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/transactions')) keys.push(r.headers()['idempotency-key']); });
  await signIn(page, user);
  await workerReady(page);
  await openCustomer(page, c);
  await page.locator('#balance', { hasText: money(20000) }).waitFor();

  await context.setOffline(true);
  await page.locator('#offline-banner').waitFor();
  await record(page, 'purchase', '100');
  await record(page, 'payment', '30');
  await record(page, 'purchase', '5.5');
  const pending = page.locator('.pending-list .entry.pending');
  await page.waitForFunction(() => document.querySelectorAll('.pending-list .entry.pending').length === 3);
  assert.equal(await page.locator('.badge-pending').count(), 3);
  const want = 20000 + 10000 - 3000 + 550;
  await page.locator('#balance', { hasText: money(want) }).waitFor();
  assert.match(await page.locator('#balance-confirmed').innerText(), /₹200\.00 recorded \+ 3 pending/);
  await page.locator('#outbox-banner', { hasText: '3 entries waiting to be sent' }).waitFor();
  await noToast(page);
  await shot(page, 'offline-pending');
  await page.setViewportSize(DESKTOP);
  await noToast(page);
  await shot(page, 'offline-pending');
  await page.setViewportSize(PHONE);
  await page.locator('.pending-box').scrollIntoViewIfNeeded();
  await noToast(page);
  await shot(page, 'offline-pending-list');
  const kept = (await idbDump(page)).outbox;
  assert.equal(kept.length, 3);
  for (const r of kept) assert.match(r.key, /^[0-9a-f-]{32,36}$/);
  assert.equal(await balanceOf(c.id), 20000, 'nothing reached the store yet');

  // Reload with no network: the app opens on this device's copy; the
  // entries are still there, pending.
  await page.reload();
  await page.locator('#main h1', { hasText: c.name }).waitFor();
  await page.locator('.as-of', { hasText: /as of \d\d:\d\d/ }).waitFor();
  assert.equal(await pending.count(), 3);
  await page.locator('#balance', { hasText: money(want) }).waitFor();

  // Back online: sent by themselves, each once; the page shows the store's figures.
  await context.setOffline(false);
  // The outbox empties (the page may redraw meanwhile), then the page shows it.
  for (let i = 0; i < 150 && (await idbDump(page).catch(() => ({ outbox: [1] }))).outbox.length; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await idbDump(page)).outbox.length, 0, 'all sent');
  await page.locator('#main h1', { hasText: c.name }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.pending-list .entry').length === 0, null, { timeout: 15000 });
  await page.locator('#balance-confirmed').waitFor({ state: 'detached' }); // the store's figure, fetched again
  await page.locator('#balance', { hasText: money(want) }).waitFor();
  assert.equal(await balanceOf(c.id), want);
  const rows = (await entriesOf(c.id)).map((e) => [e.type, e.amount_minor]).sort((x, y) => x[0].localeCompare(y[0]) || x[1] - y[1]);
  assert.deepEqual(rows, [['payment', 3000], ['purchase', 550], ['purchase', 10000], ['purchase', 20000]]);
  assert.deepEqual(new Set(keys.filter(Boolean)), new Set(kept.map((r) => r.key)), 'sent with the keys made offline');
  assert.equal((await idbDump(page)).outbox.length, 0);
  assert.ok(await page.locator('#outbox-banner').isHidden());
  // The ledger time is when the entry was made, not when it arrived.
  const made = Math.min(...kept.map((r) => r.created_at));
  for (const e of (await entriesOf(c.id)).filter((x) => x.amount_minor !== 20000))
    assert.ok(Math.abs(Date.parse(e.occurred_at) - made) < 120000, e.occurred_at);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a tab killed while sending: the next start sends the entry again with the same key, recorded once', async () => {
  const user = counterUser();
  const c = await newCustomer({ name: 'Killed Kamal', phone: '+919800000102' });
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, user);
  await openCustomer(page, c);
  const keys = [];
  // The request reaches the store and is recorded, then the tab dies
  // before the answer arrives.
  await page.route('**/api/v1/transactions', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    await route.fetch();
    await route.abort('failed');
  });
  await page.getByRole('button', { name: 'Purchase on credit' }).click();
  await keypad(page, '42');
  const closing = page.waitForEvent('close');
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/transactions')) setTimeout(() => page.close().catch(() => {}), 0); });
  await page.locator('dialog[open]').getByRole('button', { name: /Record purchase/ }).click().catch(() => {});
  await closing;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(await balanceOf(c.id), 4200, 'the first attempt was recorded');

  const again = await context.newPage();
  again.errors = [];
  again.on('pageerror', (e) => again.errors.push(e.message));
  again.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/v1/transactions')) keys.push(r.headers()['idempotency-key']); });
  const replayed = again.waitForResponse((r) => r.url().endsWith('/api/v1/transactions') && r.request().method() === 'POST');
  await again.goto(`/customers/${c.id}`);
  const res = await replayed;
  assert.equal(res.headers()['idempotent-replayed'], 'true');
  await again.locator('#main h1', { hasText: c.name }).waitFor();
  await again.waitForFunction(() => document.querySelectorAll('.pending-list .entry').length === 0);
  assert.equal(keys.length, 2);
  assert.equal(keys[0], keys[1], 'the same Idempotency-Key');
  assert.equal(await balanceOf(c.id), 4200, 'recorded once');
  assert.equal((await entriesOf(c.id)).length, 1);
  assert.deepEqual(again.errors, []);
  await context.close();
});

test('a refusal on sync (over the limit meanwhile) is shown and the entry kept until it is edited', async () => {
  const user = counterUser();
  const c = await newCustomer({ name: 'Limit Lata', phone: '+919800000103', credit_limit_minor: 10000 });
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, user);
  await openCustomer(page, c);
  await context.setOffline(true);
  await page.locator('#offline-banner').waitFor();
  await record(page, 'purchase', '80');
  await page.locator('.badge-pending').waitFor();
  // Meanwhile another device sells on credit to the same customer.
  const other = await srv.api('POST', '/api/v1/transactions', { token: await ownerToken(), body: { customer_id: c.id, type: 'purchase', amount_minor: 5000 } });
  assert.equal(other.status, 201, other.text);

  await context.setOffline(false);
  const refused = page.locator('.pending-list .entry.refused');
  await refused.waitFor({ timeout: 15000 });
  assert.match(await refused.innerText(), /refused/);
  assert.match(await refused.innerText(), /Over the credit limit now/);
  assert.match(await refused.innerText(), /It is ₹30\.00 over the limit of ₹100\.00/);
  await page.locator('#outbox-banner', { hasText: '1 refused by the store: needs you' }).waitFor();
  for (const name of ['Retry', 'Edit', 'Discard']) await refused.getByRole('button', { name }).waitFor();
  await page.locator('#balance', { hasText: money(5000) }).waitFor(); // the store's figure, fetched again
  await refused.scrollIntoViewIfNeeded();
  const found = [];
  await check(page, 'refused', found);
  await noToast(page);
  await shot(page, 'offline-refused');
  await page.setViewportSize(DESKTOP);
  await noToast(page);
  await shot(page, 'offline-refused');
  await page.setViewportSize(PHONE);
  const box = (await idbDump(page)).outbox;
  assert.equal(box.length, 1, 'the entry is kept');
  assert.equal(box[0].state, 'refused');
  assert.equal(box[0].problem.code, 'credit_limit_exceeded');
  assert.equal(await balanceOf(c.id), 5000);

  // The list of entries on this device shows it too.
  await page.locator('#outbox-banner').getByRole('link', { name: 'Resolve' }).click();
  await page.getByRole('heading', { name: 'Entries on this device' }).waitFor();
  await page.locator('#outbox-list .entry.refused', { hasText: c.name }).waitFor();
  await check(page, 'outbox-list', found);
  assert.deepEqual(found, [], found.join('\n'));
  await page.goBack();
  await page.locator('#main h1', { hasText: c.name }).waitFor();

  // Edit: a smaller amount fits; it replaces the refused entry.
  await page.locator('.pending-list .entry.refused').getByRole('button', { name: 'Edit' }).click();
  const dlg = page.locator('dialog[open]');
  assert.equal(await dlg.locator('.amount-input').inputValue(), '80.00');
  await dlg.getByRole('button', { name: 'Delete last digit' }).click();
  for (let i = 0; i < 4; i++) await dlg.getByRole('button', { name: 'Delete last digit' }).click();
  await keypad(page, '40');
  await dlg.getByRole('button', { name: /Record purchase of ₹40\.00/ }).click();
  await page.locator('#balance', { hasText: money(9000) }).waitFor();
  assert.equal(await page.locator('.pending-list .entry').count(), 0);
  assert.equal((await idbDump(page)).outbox.length, 0);
  assert.equal(await balanceOf(c.id), 9000);
  assert.deepEqual((await entriesOf(c.id)).map((e) => e.amount_minor).sort((a, b) => a - b), [4000, 5000]);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('offline the dashboard, the customers and a ledger read from the last data seen, marked "as of"; search works on them', async () => {
  const user = counterUser();
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, user);
  await workerReady(page);
  const rajesh = await customerByName(srv, await ownerToken(), 'Rajesh Kumar');
  await page.locator('#dashboard-figures .stat-value').first().waitFor();
  const owed = await page.locator('#dashboard-figures .stat-value').first().innerText();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
  await page.locator('#customer-list li').first().waitFor();
  const listed = await page.locator('#customer-list li').count();
  await openCustomer(page, rajesh);
  const ledgerOnline = await page.locator('.ledger').innerText();
  // The whole customer list is copied in the background for search.
  await page.waitForFunction(async () => {
    const all = await new Promise((res) => { const r = indexedDB.open('quantumtrack'); r.onsuccess = () => { const g = r.result.transaction('cache').objectStore('cache').getAll(); g.onsuccess = () => res(g.result); }; });
    return all.some((x) => x.name === 'customers-full');
  });

  await context.setOffline(true);
  await page.goto('/');
  await page.locator('#main h1').first().waitFor();
  const mark = page.locator('#main .as-of:not([hidden])').first();
  await mark.waitFor();
  assert.match(await mark.innerText(), /^Offline · as of \d\d:\d\d$/);
  assert.equal(await page.locator('#dashboard-figures .stat-value').first().innerText(), owed);
  await page.locator('#recent-chips .chip', { hasText: 'Rajesh Kumar' }).waitFor();
  const found = [];
  await check(page, 'offline-dashboard', found);
  await noToast(page);
  await shot(page, 'offline-dashboard');
  await page.setViewportSize(DESKTOP);
  await noToast(page);
  await shot(page, 'offline-dashboard');
  await page.setViewportSize(PHONE);
  // Search on this device's copy.
  await page.getByLabel('Find a customer').pressSequentially('361', { delay: 20 });
  await page.locator('#search-results', { hasText: 'Rajesh Kumar' }).waitFor();
  const hits = await page.locator('#search-results').innerText();
  assert.match(hits, /Sunita Reddy/);
  assert.doesNotMatch(hits, /Priya Singh|Amit Sharma/);
  assert.match(await page.locator('.search [role="status"]').innerText(), /Offline · as of .* found on this device/);
  await check(page, 'offline-search', found);
  assert.deepEqual(found, [], found.join('\n'));
  await shot(page, 'offline-search');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Customers' }).click();
  await page.locator('#main h1', { hasText: 'Customers' }).waitFor();
  await page.locator('#main .as-of:not([hidden])').waitFor();
  assert.ok((await page.locator('#customer-list li').count()) >= listed);
  await page.locator('#customer-list', { hasText: 'Rajesh Kumar' }).getByText('Rajesh Kumar').click();
  await page.locator('#main h1', { hasText: 'Rajesh Kumar' }).waitFor();
  await page.locator('#main .as-of').waitFor();
  assert.equal(await page.locator('.ledger').innerText(), ledgerOnline);
  await noToast(page);
  await shot(page, 'offline-ledger');
  await page.setViewportSize(DESKTOP);
  await noToast(page);
  await shot(page, 'offline-ledger');

  // Back online: the page is the server's again, no mark.
  await context.setOffline(false);
  await page.locator('#main .as-of').waitFor({ state: 'detached', timeout: 15000 });
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('sign-out wipes the user\'s copy and outbox (IndexedDB empty), after asking about unsent entries', async () => {
  const user = counterUser();
  const c = await newCustomer({ name: 'Signout Sita', phone: '+919800000104' });
  const { context, page } = await newPage(browser, srv, DESKTOP);
  await signIn(page, user);
  await openCustomer(page, c);
  await context.setOffline(true);
  await record(page, 'payment', '10');
  await page.locator('.badge-pending').waitFor();
  await context.setOffline(false);
  await page.waitForFunction(() => document.querySelectorAll('.badge-pending').length === 0);
  await context.setOffline(true);
  await record(page, 'purchase', '12');
  await page.locator('.badge-pending').waitFor();
  const before = await idbDump(page);
  assert.ok(before.cache.length > 0 && before.outbox.length === 1, JSON.stringify(Object.keys(before)));
  assert.ok(await page.evaluate(() => !!localStorage.getItem('qt_offline_session')));

  await page.locator('.topnav').getByRole('button', { name: 'Sign out' }).click();
  const ask = page.locator('dialog[open]');
  await ask.getByText('1 entry has not reached the store yet').waitFor();
  // Cancel keeps everything.
  await ask.getByRole('button', { name: 'Cancel' }).click();
  assert.equal((await idbDump(page)).outbox.length, 1);
  await page.locator('.topnav').getByRole('button', { name: 'Sign out' }).click();
  await page.locator('dialog[open]').getByRole('button', { name: 'Sign out and discard' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const afterOut = await idbDump(page);
  assert.deepEqual(afterOut, { cache: [], outbox: [] });
  assert.equal(await page.evaluate(() => localStorage.getItem('qt_offline_session')), null);
  await context.setOffline(false);
  assert.equal(await balanceOf(c.id), -1000, 'only the payment that was sent');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('keyboard on a desktop: search focused on open, / finds, p and r open the sheets, Esc closes; the keypad starts empty and projects', async () => {
  const user = counterUser();
  const a = await newCustomer({ name: 'Keys Kiran', phone: '+919800000105', credit_limit_minor: 100000 });
  const b = await newCustomer({ name: 'Keys Bharat', phone: '+919800000106' });
  const { context, page } = await newPage(browser, srv, DESKTOP);
  await signIn(page, user);
  await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'search');
  await openCustomer(page, a);
  await page.keyboard.press('p');
  const dlg = page.locator('dialog[open]');
  await dlg.getByRole('heading', { name: `Purchase on credit · ${a.name}` }).waitFor();
  await page.keyboard.type('250');
  const proj = dlg.locator('.entry-projection');
  await dlg.locator('.entry-projection', { hasText: /Balance ₹0\.00 → ₹250\.00 · Available credit ₹1,000\.00 → ₹750\.00/ }).waitFor();
  await page.keyboard.type('000');
  await dlg.locator('.entry-projection', { hasText: /₹2,49,000\.00 over the limit/ }).waitFor();
  assert.match(await proj.innerText(), /Balance ₹0\.00 → ₹2,50,000\.00/);
  await shot(page, 'keypad-projection');
  await page.keyboard.press('Escape');
  await dlg.waitFor({ state: 'detached' });
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.outerHTML.slice(0, 160));
  await page.keyboard.press('r');
  await page.locator('dialog[open]').getByRole('heading', { name: `Payment received · ${a.name}` }).waitFor({ timeout: 5000 })
    .catch((e) => { console.log('focused before r:', focused); throw e; });
  assert.equal(await page.locator('dialog[open] .amount-input').inputValue(), '');
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  // Another customer: the keypad remembers nothing.
  await openCustomer(page, b);
  await page.keyboard.press('p');
  await page.locator('dialog[open]').getByRole('heading', { name: `Purchase on credit · ${b.name}` }).waitFor();
  assert.equal(await page.locator('dialog[open] .amount-input').inputValue(), '');
  // Typing in a field is never a shortcut.
  await page.keyboard.type('p');
  assert.equal(await page.locator('dialog[open] .amount-input').inputValue(), 'p');
  await page.keyboard.press('Escape');
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  // "/" from a customer: the dashboard's search, focused.
  await page.keyboard.press('/');
  await page.waitForFunction(() => location.pathname === '/' && document.activeElement && document.activeElement.id === 'search', null, { timeout: 5000 }).catch(async (e) => { console.log('active:', await page.evaluate(() => [location.pathname, document.activeElement && document.activeElement.outerHTML.slice(0, 120)])); throw e; });
  await page.keyboard.type('Keys');
  await page.locator('#search-results', { hasText: 'Keys Kiran' }).waitFor();
  await page.keyboard.press('Escape');
  assert.equal(await page.locator('#search').inputValue(), '');
  await page.waitForFunction(() => !document.querySelector('#search-results li'));
  // Recent customers as one-tap chips.
  await page.locator('#recent-chips .chip', { hasText: 'Keys Bharat' }).waitFor();
  await noToast(page);
  await shot(page, 'recent-chips');
  await page.setViewportSize(PHONE);
  await noToast(page);
  await shot(page, 'recent-chips');
  await page.setViewportSize(DESKTOP);
  await page.locator('#recent-chips .chip', { hasText: 'Keys Kiran' }).click();
  await page.locator('#main h1', { hasText: 'Keys Kiran' }).waitFor();
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('entry time from the dashboard: 361, Rajesh\'s Purchase, 250, confirm', async () => {
  const rajesh = await customerByName(srv, await ownerToken(), 'Rajesh Kumar');
  const figures = [];
  for (const [label, viewport, touch] of [['desktop', DESKTOP, false], ['phone', PHONE, true]]) {
    const user = counterUser();
    const { context, page } = await newPage(browser, srv, viewport, { touch });
    await signIn(page, user);
    const before = await balanceOf(rajesh.id);
    let actions = 0, keys = 0;
    const t0 = Date.now();
    // Find: type 361 (one action, three keystrokes).
    if (!touch) await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'search');
    else { await page.getByLabel('Find a customer').tap(); actions++; }
    await page.keyboard.type('361'); actions++; keys += 3;
    const row = page.locator('#search-results li', { hasText: 'Rajesh Kumar' });
    // Open the purchase sheet: one tap on the match's Purchase button.
    const buy = row.getByRole('button', { name: 'Purchase on credit: Rajesh Kumar' });
    if (touch) await buy.tap(); else await buy.click();
    actions++;
    const dlg = page.locator('dialog[open]');
    await dlg.getByRole('heading', { name: /Purchase on credit · Rajesh Kumar/ }).waitFor();
    // The amount: 250 (keyboard, or the on-screen keypad on a phone).
    if (touch) for (const k of '250') await dlg.getByRole('button', { name: k, exact: true }).tap();
    else await page.keyboard.type('250');
    keys += 3;
    // Confirm: Enter, or one tap.
    if (touch) await dlg.getByRole('button', { name: /Record purchase of ₹250\.00/ }).tap();
    else await page.keyboard.press('Enter');
    actions++;
    await dlg.waitFor({ state: 'detached' });
    const ms = Date.now() - t0;
    assert.equal(await balanceOf(rajesh.id), before + 25000);
    figures.push({ label, actions, amountKeys: 3, inputs: actions + 3, ms });
    if (touch) assert.ok(actions <= 4, `phone: ${actions} actions plus the amount`);
    else assert.ok(actions <= 3, `desktop: ${actions} actions plus the amount`);
    assert.deepEqual(page.errors, []);
    await context.close();
  }
  for (const f of figures) console.log(`entry time (${f.label}): ${f.actions} actions + ${f.amountKeys} amount keys = ${f.inputs} inputs, ${f.ms} ms`);
});

test('in Hindi: the pending badge, the projected balance and a refusal read in Devanagari', async () => {
  const user = counterUser();
  const c = await newCustomer({ name: 'हिन्दी ग्राहक', phone: '+919800000107', credit_limit_minor: 10000 });
  const { context, page } = await newPage(browser, srv, PHONE);
  await page.addInitScript(() => { try { localStorage.setItem('qt_lang', 'hi'); } catch { /* storage off */ } });
  await page.goto('/?tenant=quantumtrack');
  await page.locator('input[type="email"]').fill(user.email);
  await page.locator('input[type="password"]').fill(user.password);
  await page.locator('form button[type="submit"]').click();
  await page.locator('#main h1').first().waitFor();
  await openCustomer(page, c);
  await context.setOffline(true);
  await page.locator('#btn-purchase').click();
  await keypad(page, '80');
  await page.locator('dialog[open] form button[type="submit"]').click();
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  await page.locator('.badge-pending', { hasText: 'बाकी' }).waitFor();
  await page.locator('#outbox-banner', { hasText: '1 प्रविष्टि भेजी जानी बाकी है' }).waitFor();
  await noToast(page);
  await shot(page, 'offline-pending-hi');
  await srv.api('POST', '/api/v1/transactions', { token: await ownerToken(), body: { customer_id: c.id, type: 'purchase', amount_minor: 5000 } });
  await context.setOffline(false);
  const refused = page.locator('.pending-list .entry.refused');
  await refused.waitFor({ timeout: 15000 });
  assert.match(await refused.innerText(), /लौटाया गया/);
  assert.match(await refused.innerText(), /उधार सीमा पार/);
  await refused.scrollIntoViewIfNeeded();
  await noToast(page);
  await shot(page, 'offline-refused-hi');
  assert.deepEqual(page.errors, []);
  await context.close();
});
