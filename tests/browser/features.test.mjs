// Change password, adjustments and backdated entries, reports, store-format
// date inputs, the service worker (offline shell) and the first-screen budget.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createTenant, addUser } from '../lib/server.mjs';
import { setup, newPage, signIn, shot, apiToken, customerByName, OWNER, PHONE, DESKTOP } from './helpers.mjs';
import { expectedBlock, currentBlock } from './tools/sw-version.mjs';

let srv, browser, member;

before(async () => {
  ({ srv, browser, member } = await setup());
});
// A fresh owner token each time: signing out in a browser ends every
// session of the account, an API token taken earlier included.
const ownerToken = () => apiToken(srv, OWNER);

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// YYYY-MM-DD and HH:MM in Asia/Kolkata (the demo store's zone), days ago.
function istParts(daysAgo = 0) {
  const t = new Date(Date.now() - daysAgo * 86400000 + 330 * 60000);
  return { ymd: t.toISOString().slice(0, 10), hm: t.toISOString().slice(11, 16) };
}
const dmy = (ymd) => ymd.split('-').reverse().join('/');

async function openCustomer(page, name) {
  const c = await customerByName(srv, await ownerToken(), name);
  await page.goto(`/customers/${c.id}`);
  await page.locator('#main h1', { hasText: name }).waitFor();
  return c;
}

test('change password: errors next to the fields; other sessions end; this one continues', async () => {
  const u = addUser(srv, { tenant: 'quantumtrack', email: 'pw@quantumtrack.example', role: 'member', password: 'old-password-1' });
  const a = await newPage(browser, srv);
  const b = await newPage(browser, srv, DESKTOP);
  await signIn(a.page, u);
  await signIn(b.page, u);
  const page = a.page;
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'More' }).click();
  await page.getByRole('link', { name: 'Change password' }).click();
  await page.getByRole('heading', { name: 'Change password' }).waitFor();
  const err = (name) => page.locator(`.field[data-field="${name}"] .field-error`);
  // Client checks: too short, mismatch.
  await page.getByLabel('Current password').fill('old-password-1');
  await page.getByLabel(/^New password( \*)?$/).fill('short');
  await page.getByRole('button', { name: 'Change password' }).click();
  await err('new_password').waitFor();
  assert.match(await err('new_password').innerText(), /at least 8/);
  await page.getByLabel(/^New password( \*)?$/).fill('new-password-22');
  await page.getByLabel('New password again').fill('new-password-2x');
  await page.getByRole('button', { name: 'Change password' }).click();
  await err('confirm').waitFor();
  // The server's answer: wrong current password, shown next to that field.
  await page.getByLabel('Current password').fill('not-my-password');
  await page.getByLabel('New password again').fill('new-password-22');
  await page.getByRole('button', { name: 'Change password' }).click();
  await err('current_password').waitFor();
  assert.match(await err('current_password').innerText(), /current password is wrong/);
  assert.equal(await page.getByLabel('Current password').getAttribute('aria-invalid'), 'true');
  await shot(page, 'password-error');
  await page.getByLabel('Current password').fill('old-password-1');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.getByRole('heading', { name: 'Password changed' }).waitFor();
  assert.match(await page.locator('.done-box').innerText(), /still signed in here/);
  await shot(page, 'password-done');
  // This browser signed in again (new refresh cookie): a reload keeps it.
  await page.reload();
  await page.locator('#password-form').waitFor();
  assert.equal(await page.getByRole('button', { name: 'Sign in' }).count(), 0);
  // The other browser's session is over once its access token is refreshed.
  await b.page.reload();
  await b.page.getByLabel('Password').waitFor();
  // The old password no longer works; the new one does.
  assert.equal((await srv.api('POST', '/api/v1/auth/login', { body: { tenant: 'quantumtrack', email: u.email, password: 'old-password-1' } })).status, 401);
  assert.equal((await srv.api('POST', '/api/v1/auth/login', { body: { tenant: 'quantumtrack', email: u.email, password: 'new-password-22' } })).status, 200);
  // The desktop screen, for the screenshots.
  await signIn(b.page, { email: u.email, password: 'new-password-22' }, 'quantumtrack', '/account/password');
  await b.page.getByRole('heading', { name: 'Change password' }).waitFor();
  await shot(b.page, 'password');
  assert.deepEqual(page.errors, []);
  assert.deepEqual(b.page.errors, []);
  await a.context.close();
  await b.context.close();
});

test('an admin records an adjustment: explicit direction, reason required', async () => {
  for (const vp of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, vp);
    await signIn(page, OWNER);
    const c = await openCustomer(page, 'Amit Sharma');
    const before_ = (await customerByName(srv, await ownerToken(), 'Amit Sharma')).balance_minor;
    await page.getByRole('button', { name: 'Adjustment' }).click();
    const dlg = page.locator('dialog[open]');
    await dlg.getByRole('button', { name: 'Record adjustment' }).click();
    for (const f of ['direction', 'amount_minor', 'reason'])
      await dlg.locator(`.field[data-field="${f}"] .field-error`).waitFor();
    await shot(page, 'adjustment-errors');
    await dlg.getByText('Decrease what they owe').click();
    await dlg.getByLabel(/^Amount/).fill('50');
    await dlg.getByLabel('Reason').fill('Returned a damaged packet of rice');
    assert.match(await dlg.locator('.adjust-effect').innerText(), /after this/);
    await shot(page, 'adjustment');
    await dlg.getByRole('button', { name: 'Record adjustment' }).click();
    await page.locator('dialog[open]').waitFor({ state: 'detached' });
    await page.locator('#balance', { hasText: '₹370.00' }).waitFor();
    assert.match(await page.locator('.ledger li.adjustment').first().innerText(), /Returned a damaged packet[\s\S]*− ₹50\.00/);
    const after_ = (await customerByName(srv, await ownerToken(), 'Amit Sharma')).balance_minor;
    assert.equal(after_, before_ - 5000);
    // Put it back (increase), so the demo numbers stay as they were.
    await page.getByRole('button', { name: 'Adjustment' }).click();
    await dlg.getByText('Increase what they owe').click();
    await dlg.getByLabel(/^Amount/).fill('50');
    await dlg.getByLabel('Reason').fill('Test: undo the return');
    await dlg.getByRole('button', { name: 'Record adjustment' }).click();
    await page.locator('#balance', { hasText: '₹420.00' }).waitFor();
    assert.equal((await customerByName(srv, await ownerToken(), 'Amit Sharma')).balance_minor, before_);
    assert.ok(c.id);
    assert.deepEqual(page.errors, []);
    await context.close();
  }
  // Members have no adjustment button.
  const { context, page } = await newPage(browser, srv);
  await signIn(page, member);
  await openCustomer(page, 'Amit Sharma');
  await page.getByRole('button', { name: 'Purchase on credit' }).waitFor();
  assert.equal(await page.getByRole('button', { name: 'Adjustment' }).count(), 0);
  await context.close();
});

test('entries can be backdated in the store time zone; members 7 days at most; never the future', async () => {
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, member);
  const c = await openCustomer(page, 'Priya Singh');
  await page.getByRole('button', { name: 'Purchase on credit' }).click();
  const dlg = page.locator('dialog[open]');
  await dlg.getByLabel('Amount (INR)').fill('12');
  await dlg.getByRole('button', { name: 'Change date/time' }).click();
  // Ten days back: refused before it reaches the server.
  const old = istParts(10);
  await dlg.getByRole('textbox', { name: 'Date', exact: true }).fill(dmy(old.ymd));
  await dlg.getByRole('button', { name: /Record purchase/ }).click();
  const dateErr = dlg.locator('.field[data-field="occurred_at"] .field-error');
  await dateErr.waitFor();
  assert.match(await dateErr.innerText(), /more than 7 days/);
  // The future is refused too.
  const tomorrow = istParts(-1);
  await dlg.getByRole('textbox', { name: 'Date', exact: true }).fill(dmy(tomorrow.ymd));
  await dlg.getByRole('button', { name: /Record purchase/ }).click();
  await dlg.locator('.field[data-field="occurred_at"] .field-error', { hasText: 'future' }).waitFor();
  // Three days back at 09:15 store time.
  const d3 = istParts(3);
  await dlg.getByRole('textbox', { name: 'Date', exact: true }).fill(dmy(d3.ymd));
  await dlg.getByLabel('Time', { exact: true }).fill('09:15');
  assert.match(await dlg.locator('.field[data-field="occurred_at"] .hint').innerText(), /Format DD\/MM\/YYYY · /);
  await dlg.locator('.when').scrollIntoViewIfNeeded();
  await shot(page, 'entry-backdate');
  await dlg.getByRole('button', { name: /Record purchase/ }).click();
  await page.locator('dialog[open]').waitFor({ state: 'detached' });
  const list = await srv.api('GET', `/api/v1/transactions?customer_id=${c.id}&limit=5`, { token: await ownerToken() });
  const e = list.json.data.find((x) => x.amount_minor === 1200);
  assert.ok(e, 'entry recorded');
  // 09:15 in Asia/Kolkata (UTC+05:30) is 03:45 UTC, whatever this machine's zone.
  assert.equal(e.occurred_at, `${d3.ymd}T03:45:00.000Z`);
  assert.deepEqual(page.errors, []);
  await context.close();
  // An admin may go further back than 7 days.
  const o = await newPage(browser, srv, PHONE);
  await signIn(o.page, OWNER);
  await openCustomer(o.page, 'Priya Singh');
  await o.page.getByRole('button', { name: 'Payment received' }).click();
  const d2 = o.page.locator('dialog[open]');
  await d2.getByLabel('Amount (INR)').fill('12');
  await d2.getByRole('button', { name: 'Change date/time' }).click();
  await d2.getByRole('textbox', { name: 'Date', exact: true }).fill(old.ymd); // ISO is accepted too
  await d2.getByLabel('Time', { exact: true }).fill('18:00');
  await d2.getByRole('button', { name: /Record payment/ }).click();
  await o.page.locator('dialog[open]').waitFor({ state: 'detached' });
  const l2 = await srv.api('GET', `/api/v1/transactions?customer_id=${c.id}&type=payment&limit=5`, { token: await ownerToken() });
  assert.ok(l2.json.data.some((x) => x.amount_minor === 1200 && x.occurred_at === `${old.ymd}T12:30:00.000Z`));
  assert.deepEqual(o.page.errors, []);
  await o.context.close();
});

test('reports: aging buckets with their customers, daily bars, towers and floors', async () => {
  for (const vp of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, vp);
    await signIn(page, OWNER);
    if (vp === PHONE) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'More' }).click();
      await page.getByRole('link', { name: 'Reports' }).click();
    } else {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click();
    }
    await page.getByRole('heading', { name: 'Reports' }).waitFor();
    const bucket = page.locator('section[data-bucket="days_1_30_minor"]');
    await bucket.waitFor();
    assert.match(await bucket.innerText(), /1–30 days overdue[\s\S]*Rajesh Kumar/);
    assert.match(await page.locator('section[data-bucket="current_minor"]').innerText(), /Priya Singh/);
    await shot(page, 'reports-aging');
    await page.getByRole('link', { name: 'Daily sales' }).click();
    await page.locator('#daily-chart').waitFor();
    const from = istParts(6).ymd, to = istParts(0).ymd;
    await page.getByRole('textbox', { name: 'From', exact: true }).fill(dmy(from));
    await page.getByRole('textbox', { name: 'To', exact: true }).fill(dmy(to));
    await page.getByRole('button', { name: 'Show' }).click();
    await page.waitForURL(new RegExp(`from=${from}&to=${to}`));
    await page.locator('#daily-chart svg').waitFor();
    assert.equal(await page.locator('#daily-table tbody tr').count(), 7);
    // Bars are SVG with classes, not inline styles.
    assert.equal(await page.locator('#main [style]').count(), 0);
    assert.equal(await page.locator('#daily-chart rect.bar.sales').count(), 7);
    await shot(page, 'reports-daily');
    await page.getByRole('link', { name: 'By tower' }).click();
    await page.locator('#tower-report').waitFor();
    assert.match(await page.locator('li[data-tower="36"]').innerText(), /Tower 36[\s\S]*Floor 19/);
    await shot(page, 'reports-towers');
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});

test('reports on a plan without them: a friendly note', async () => {
  const t = createTenant(srv, { slug: 'tiny-shop', name: 'Tiny Shop', plan: 'free' });
  const { context, page } = await newPage(browser, srv);
  await signIn(page, t, t.slug, '/reports');
  await page.locator('#reports-not-in-plan').waitFor();
  assert.match(await page.locator('#reports-not-in-plan').innerText(), /not in your plan[\s\S]*free plan/);
  await shot(page, 'reports-not-in-plan');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('statement dates use the store format (DD/MM/YYYY for en-IN, MM/DD/YYYY for en-US)', async () => {
  const { context, page } = await newPage(browser, srv);
  await signIn(page, OWNER);
  const c = await customerByName(srv, await ownerToken(), 'Rajesh Kumar');
  await page.goto(`/customers/${c.id}/statement`);
  const from = page.getByRole('textbox', { name: 'From', exact: true });
  await from.waitFor();
  assert.match(await from.inputValue(), /^\d{2}\/\d{2}\/\d{4}$/);
  assert.match(await page.locator('.field[data-field="from"] .hint').innerText(), /Format DD\/MM\/YYYY/);
  await from.fill('31/02/2026');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.locator('.field[data-field="from"] .field-error', { hasText: 'no such date' }).waitFor();
  await shot(page, 'statement-date-error');
  await from.fill('01/11/2026');
  await page.getByRole('textbox', { name: 'To', exact: true }).fill('30/11/2026');
  await page.getByRole('button', { name: 'Show' }).click();
  await page.waitForURL(/from=2026-11-01&to=2026-11-30/);
  await page.locator('.table').waitFor();
  assert.match(await page.locator('#main').innerText(), /1 Nov 2026 – 30 Nov 2026/);
  await context.close();

  // A store in en-US sees MM/DD/YYYY.
  const t = createTenant(srv, { slug: 'us-deli', name: 'US Deli' });
  const tok = await apiToken(srv, t, t.slug);
  assert.equal((await srv.api('PATCH', '/api/v1/settings', { token: tok, body: { locale: 'en-US', currency: 'USD', timezone: 'America/New_York', phone_country: '+1' } })).status, 200);
  const cu = await srv.api('POST', '/api/v1/customers', { token: tok, body: { name: 'Sam', phone: '+12125550123' } });
  assert.equal(cu.status, 201, cu.text);
  const us = await newPage(browser, srv);
  await signIn(us.page, t, t.slug, `/customers/${cu.json.id}/statement?from=2026-11-01&to=2026-11-30`);
  await us.page.getByRole('textbox', { name: 'From', exact: true }).waitFor();
  assert.equal(await us.page.getByRole('textbox', { name: 'From', exact: true }).inputValue(), '11/01/2026');
  assert.match(await us.page.locator('.field[data-field="from"] .hint').innerText(), /Format MM\/DD\/YYYY/);
  await shot(us.page, 'statement-en-us');
  await us.context.close();
});

test('the service worker caches the app shell (never the API): the app opens offline with a banner, on the last data seen', async () => {
  // The worker's file list and version match web/ and the binary serves that file.
  assert.equal(currentBlock(), expectedBlock(), 'web/sw.js is stale: run node tests/browser/tools/sw-version.mjs');
  const served = await (await fetch(srv.url + '/sw.js')).text();
  assert.ok(served.includes(expectedBlock()), 'the binary serves an old sw.js: rebuild');
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, OWNER);
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.waitForFunction(() => !!navigator.serviceWorker.controller);
  const cached = await page.evaluate(async () => {
    const out = {};
    for (const name of await caches.keys()) out[name] = (await (await caches.open(name)).keys()).map((r) => new URL(r.url).pathname);
    return out;
  });
  const names = Object.keys(cached);
  assert.equal(names.length, 1, JSON.stringify(names));
  assert.match(names[0], /^qt-shell-[0-9a-f]{16}$/);
  const urls = cached[names[0]];
  for (const u of ['/', '/css/app.css', '/js/main.js', '/js/views/dashboard.js', '/icons/icon.svg']) assert.ok(urls.includes(u), u);
  assert.ok(!urls.some((u) => u.startsWith('/api/')), 'no API response is cached');
  // Static responses still carry the server's ETag and Cache-Control.
  const hdr = await page.evaluate(async () => { const r = await fetch('/js/api.js'); return [r.headers.get('etag'), r.headers.get('cache-control')]; });
  assert.ok(hdr[0] && hdr[1], JSON.stringify(hdr));

  // Connection lost while the app is open: a banner; a screen that fails says so.
  await context.setOffline(true);
  await page.locator('#offline-banner').waitFor();
  const c = await customerByName(srv, await ownerToken(), 'Rajesh Kumar');
  await page.evaluate((id) => { history.pushState(null, '', `/customers/${id}`); dispatchEvent(new PopStateEvent('popstate')); }, c.id);
  await page.locator('.error-box').waitFor();
  await shot(page, 'offline-in-app');
  // Back online: the screen loads by itself.
  await context.setOffline(false);
  await page.locator('#main h1', { hasText: 'Rajesh Kumar' }).waitFor();
  assert.ok(await page.locator('#offline-banner').isHidden());

  // Reload with no connection: the shell comes from the worker, and the
  // screen from this device's copy of what was last seen ("as of").
  await context.setOffline(true);
  await page.reload();
  await page.locator('#main h1', { hasText: 'Rajesh Kumar' }).waitFor();
  await page.locator('#main .as-of').waitFor();
  assert.ok(await page.locator('#offline-banner').isVisible());
  // A device with no copy (never signed in here) says it is offline.
  await page.evaluate(() => localStorage.removeItem('qt_offline_session'));
  await page.reload();
  await page.getByRole('heading', { name: 'You are offline' }).waitFor();
  assert.ok(await page.locator('#offline-banner').isVisible());
  await shot(page, 'offline');
  await page.setViewportSize(DESKTOP);
  await shot(page, 'offline');
  await context.setOffline(false);
  // It continues by itself when the connection is back (sign in again: the
  // access token lived in memory, the refresh cookie still works).
  await page.locator('#main h1').first().waitFor();
  assert.ok(await page.locator('#offline-banner').isHidden());
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('a new build replaces the worker and its cache', async () => {
  // Simulate: the page registered an old worker version; a new sw.js arrives.
  const { context, page } = await newPage(browser, srv);
  await page.goto('/?tenant=quantumtrack');
  await page.evaluate(async () => { await navigator.serviceWorker.ready; });
  await page.evaluate(async () => { const c = await caches.open('qt-shell-0000000000000000'); await c.put('/old', new Response('old')); });
  const reg = await page.evaluate(async () => { const r = await navigator.serviceWorker.getRegistration(); await r.update(); return r.active && r.active.state; });
  assert.equal(reg, 'activated');
  // The server sends sw.js for revalidation (its cache headers stay), and the
  // active worker's activate step drops caches of other versions.
  await page.evaluate(async () => {
    const r = await navigator.serviceWorker.getRegistration();
    await r.unregister();
    await navigator.serviceWorker.register('/sw.js');
    await navigator.serviceWorker.ready;
  });
  await page.waitForFunction(async () => !(await caches.keys()).includes('qt-shell-0000000000000000'));
  const sw = await fetch(srv.url + '/sw.js');
  assert.equal(sw.status, 200);
  assert.match(sw.headers.get('content-type'), /javascript/);
  assert.ok(sw.headers.get('etag'));
  await context.close();
});

test('JS and CSS for the first screen stay under 150 KB', async () => {
  // Follow the static imports from main.js and from the first screens it
  // loads (sign-in, dashboard), so a new import is counted automatically.
  const seen = new Set();
  const queue = ['/js/main.js', '/js/views/signin.js', '/js/views/dashboard.js'];
  let total = 0;
  const html = await (await fetch(srv.url + '/')).text();
  total += html.length;
  for (const m of html.matchAll(/(?:href|src)="(\/[^"]+\.(?:css|js))"/g)) queue.push(m[1]);
  queue.push('/sw.js');
  while (queue.length) {
    const p = queue.shift();
    if (seen.has(p)) continue;
    seen.add(p);
    const r = await fetch(srv.url + p);
    assert.equal(r.status, 200, p);
    const text = await r.text();
    total += Buffer.byteLength(text);
    if (p.endsWith('.js') && p !== '/sw.js')
      for (const m of text.matchAll(/^\s*import\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm)) queue.push(new URL(m[1], 'http://x' + p).pathname);
  }
  assert.ok(seen.has('/css/app.css') && seen.has('/js/api.js') && seen.has('/js/views/search.js'), [...seen].join(' '));
  assert.ok(!seen.has('/js/views/reports.js') && !seen.has('/css/reports.css'), 'reports load only when opened');
  assert.ok(total < 150 * 1024, `first screen is ${total} bytes: ${[...seen].join(' ')}`);
  const local = readFileSync(new URL('../../web/js/main.js', import.meta.url), 'utf8');
  assert.match(local, /serviceWorker\.register\('\/sw\.js'/);
});
