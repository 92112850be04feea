// Share statement: a member makes a link on the customer page (copy it or
// send it on WhatsApp); the customer opens the read-only page on a phone
// and on a desktop; a withdrawn link opens the plain "does not work" page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, shot, apiToken, customerByName, OWNER, PHONE, DESKTOP } from './helpers.mjs';

let srv, browser, member, viewer;

before(async () => {
  ({ srv, browser, member, viewer } = await setup());
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

// A demo customer who owes something.
async function owingCustomer() {
  const token = await apiToken(srv, OWNER);
  const r = await srv.api('GET', '/api/v1/customers?has_balance=true&sort=balance&limit=5', { token });
  const c = r.json.data.find((x) => x.balance_minor > 0);
  assert.ok(c, 'the demo has a customer who owes');
  return c;
}

// The shared page: no script, no horizontal scroll, nothing refused by
// the CSP (a refused style would show as a console error).
async function openShared(url, viewport) {
  const { context, page } = await newPage(browser, srv, viewport);
  const refused = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text()); });
  const res = await page.goto(url);
  return { context, page, res, refused };
}

test('a member shares a statement: copy link, WhatsApp, and the page the customer sees at 360 and 1280 px', async () => {
  const c = await owingCustomer();
  const { context, page } = await newPage(browser, srv, PHONE);
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: srv.url });
  await signIn(page, member);
  await page.goto(`/customers/${c.id}`);
  await page.locator('#main h1', { hasText: c.name }).waitFor();
  await page.getByRole('button', { name: 'Share statement' }).click();
  const dialog = page.getByRole('dialog', { name: 'Share statement' });
  await dialog.waitFor();
  const url = await page.locator('#share-url').inputValue();
  assert.match(url, new RegExp(`^${srv.url}/s/[A-Za-z0-9_-]{64}\\.[A-Za-z0-9_-]{22}$`));
  const wa = await page.locator('#btn-wa-share').getAttribute('href');
  const waUrl = new URL(wa);
  assert.equal(waUrl.origin, 'https://wa.me');
  assert.equal(waUrl.pathname, '/' + c.phone.replace(/\D/g, ''));
  assert.ok(waUrl.searchParams.get('text').includes(url), 'the message carries the link');
  assert.ok(waUrl.searchParams.get('text').includes(c.name));
  await shot(page, 'share-dialog');
  await page.locator('#btn-copy-link').click();
  await page.locator('#toast.show', { hasText: /copied|copy it/ }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), url);
  assert.deepEqual(page.errors, []);
  await context.close();

  for (const viewport of [PHONE, DESKTOP]) {
    const s = await openShared(url, viewport);
    assert.equal(s.res.status(), 200);
    assert.equal(await s.page.locator('h1').innerText(), c.name);
    await s.page.locator('#balance').waitFor();
    assert.ok(await s.page.locator('#pay').isVisible(), 'the UPI pay button');
    assert.match(await s.page.locator('#pay').getAttribute('href'), /^upi:\/\/pay\?pa=quantumtrack@upi&/);
    assert.ok(await s.page.locator('#entries li').count() > 0);
    const width = await s.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `no sideways scroll at ${viewport.width}px (content ${width}px)`);
    // the style applies: the pay button is a filled block, not a bare link
    const bg = await s.page.locator('#pay').evaluate((el) => getComputedStyle(el).backgroundColor);
    assert.equal(bg, 'rgb(19, 115, 51)');
    assert.equal(await s.page.locator('script').count(), 0);
    await shot(s.page, 'shared-statement');
    assert.deepEqual(s.refused, [], 'the CSP refused nothing');
    assert.deepEqual(s.page.errors, []);
    await s.context.close();
  }
});

test('a withdrawn link opens the plain page; a viewer has no Share button', async () => {
  const c = await owingCustomer();
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, member);
  await page.goto(`/customers/${c.id}`);
  await page.getByRole('button', { name: 'Share statement' }).click();
  await page.getByRole('dialog', { name: 'Share statement' }).waitFor();
  const url = await page.locator('#share-url').inputValue();
  await page.locator('#btn-withdraw-link').click();
  await page.locator('#toast.show', { hasText: 'Link withdrawn' }).waitFor();
  await context.close();

  const s = await openShared(url, PHONE);
  assert.equal(s.res.status(), 404);
  assert.equal(await s.page.locator('h1').innerText(), 'This link does not work');
  await shot(s.page, 'shared-statement-gone');
  assert.deepEqual(s.refused, []);
  await s.context.close();

  const v = await newPage(browser, srv, PHONE);
  await signIn(v.page, viewer);
  await v.page.goto(`/customers/${c.id}`);
  await v.page.locator('#main h1', { hasText: c.name }).waitFor();
  assert.equal(await v.page.getByRole('button', { name: 'Share statement' }).count(), 0);
  await v.context.close();
});
