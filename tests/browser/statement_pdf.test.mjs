// PDF statements in the web app and on the shared page: the statement
// view's "Download PDF" saves a PDF (in the app's language) and "Send on
// WhatsApp" offers a wa.me link carrying a shared link; the shared page
// shows the UPI QR code (inline SVG, nothing refused by its CSP) and a
// PDF link that works without signing in.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setup, newPage, signIn, shot, apiToken, PHONE, DESKTOP, OWNER } from './helpers.mjs';

let srv, browser, member, viewer;

before(async () => {
  ({ srv, browser, member, viewer } = await setup());
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function owingCustomer() {
  const token = await apiToken(srv, OWNER);
  const r = await srv.api('GET', '/api/v1/customers?has_balance=true&sort=balance&limit=5', { token });
  const c = r.json.data.find((x) => x.balance_minor > 0);
  assert.ok(c, 'the demo has a customer who owes');
  return c;
}

test('the statement view downloads a PDF and sends the statement on WhatsApp', async () => {
  const c = await owingCustomer();
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, member);
  await page.goto(`/customers/${c.id}/statement`);
  await page.locator('#btn-statement-pdf').waitFor();
  await shot(page, 'statement-view-pdf');
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator('#btn-statement-pdf').click()]);
  assert.match(dl.suggestedFilename(), /^statement-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.pdf$/);
  const bytes = readFileSync(await dl.path());
  assert.equal(bytes.subarray(0, 5).toString(), '%PDF-');
  assert.ok(bytes.length > 5000);

  await page.locator('#btn-statement-wa').click();
  const dialog = page.getByRole('dialog', { name: 'Share statement' });
  await dialog.waitFor();
  const url = await page.locator('#share-url').inputValue();
  assert.match(url, /\/s\/[A-Za-z0-9_.-]+$/);
  const wa = new URL(await page.locator('#btn-wa-share').getAttribute('href'));
  assert.equal(wa.origin, 'https://wa.me');
  assert.ok(wa.searchParams.get('text').includes(url), 'the WhatsApp message carries the link');
  assert.deepEqual(page.errors, []);
  await context.close();

  // A viewer downloads the PDF too, but makes no links.
  const v = await newPage(browser, srv, DESKTOP);
  await signIn(v.page, viewer);
  await v.page.goto(`/customers/${c.id}/statement`);
  await v.page.locator('#btn-statement-pdf').waitFor();
  assert.equal(await v.page.locator('#btn-statement-wa').count(), 0);
  await v.context.close();
});

test('the shared page shows the UPI QR code and links the PDF, which opens without signing in', async () => {
  const c = await owingCustomer();
  const token = await apiToken(srv, OWNER);
  const sh = await srv.api('POST', `/api/v1/customers/${c.id}/share`, { token, body: {} });
  assert.equal(sh.status, 201, sh.text);
  for (const viewport of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, viewport);
    const refused = [];
    page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text()); });
    const res = await page.goto(sh.json.url);
    assert.equal(res.status(), 200);
    const qr = page.locator('#qr svg');
    await qr.waitFor();
    const box = await qr.boundingBox();
    assert.ok(box.width >= 150 && box.width <= viewport.width, `QR ${box.width}px wide`);
    assert.equal(await page.locator('#qr svg path').count(), 1);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `no sideways scroll at ${viewport.width}px (content ${width}px)`);
    await page.locator('#qr').scrollIntoViewIfNeeded();
    await shot(page, `shared-statement-qr-${viewport.width}`);
    const href = await page.locator('#pdf').getAttribute('href');
    const pdfUrl = new URL(href, sh.json.url);
    // The link works with the token alone: a fresh context has no session.
    const r = await context.request.get(pdfUrl.toString());
    assert.equal(r.status(), 200);
    assert.equal(r.headers()['content-type'], 'application/pdf');
    assert.equal((await r.body()).subarray(0, 5).toString(), '%PDF-');
    assert.deepEqual(refused, [], 'the CSP refused nothing');
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});
