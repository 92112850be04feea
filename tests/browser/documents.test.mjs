// Documents on the customer page: a member attaches a photo (the camera
// input) and a PDF, sees them listed with a thumbnail for the photo, opens
// the photo; a file the server refuses shows why; an owner deletes; a
// viewer only reads.  At 360 and 1280 px, with nothing refused by the CSP.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, shot, apiToken, customerByName, OWNER, PHONE, DESKTOP } from './helpers.mjs';

let srv, browser, member, viewer, photo;

before(async () => {
  ({ srv, browser, member, viewer } = await setup());
  // A real PNG to attach: a rendering of a made-up signed agreement.
  const { context, page } = await newPage(browser, srv, { width: 320, height: 420 });
  await page.setContent(`<body style="margin:0;font:16px serif;background:#fffdf5;padding:18px">
    <h3>Credit agreement</h3><p>I, Asha Verma, flat 36194, agree to settle my account monthly.</p>
    <p style="margin-top:60px;font:italic 28px cursive;color:#1a237e">Asha V.</p></body>`);
  photo = await page.screenshot();
  await context.close();
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

function watch(page) {
  const refused = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text()); });
  return refused;
}

async function someCustomer() {
  const token = await apiToken(srv, OWNER);
  const r = await srv.api('GET', '/api/v1/customers?limit=5', { token });
  return r.json.data[0];
}

test('a member attaches a camera photo and a PDF, sees a thumbnail and opens the photo; a refused file says why', async () => {
  const c = await someCustomer();
  for (const viewport of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, viewport);
    const refused = watch(page);
    await signIn(page, member);
    await page.goto(`/customers/${c.id}`);
    const section = page.locator('#documents');
    await section.getByRole('heading', { name: 'Documents' }).waitFor();
    const camera = page.locator('#doc-camera');
    assert.equal(await camera.getAttribute('type'), 'file');
    assert.equal(await camera.getAttribute('accept'), 'image/*,application/pdf');
    assert.notEqual(await camera.getAttribute('capture'), null, 'the camera input asks for the camera');

    const name = `agreement-${viewport.width}.png`;
    await camera.setInputFiles({ name, mimeType: 'image/png', buffer: photo });
    await page.locator('#toast.show', { hasText: `${name} attached` }).waitFor();
    const item = section.locator('li.doc', { hasText: name });
    await item.waitFor();
    const thumb = item.locator('.doc-thumb img');
    await thumb.waitFor();
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await thumb.elementHandle());
    assert.ok(await thumb.evaluate((el) => el.src.startsWith('blob:')), 'the thumbnail comes from an object URL');

    const pdfName = `ledger page ${viewport.width}.pdf`;
    await page.locator('#doc-file').setInputFiles({ name: pdfName, mimeType: 'application/pdf',
      buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n') });
    await section.locator('li.doc', { hasText: pdfName }).waitFor();
    assert.equal(await section.locator('li.doc', { hasText: pdfName }).locator('.doc-icon').innerText(), 'PDF');
    // A member may not delete.
    assert.equal(await section.getByRole('button', { name: /^Delete / }).count(), 0);
    // The toast gone (faded out), so the screenshot shows the list.
    await page.waitForFunction(() => { const t = document.getElementById('toast'); return !t || getComputedStyle(t).opacity === '0'; });
    await section.evaluate((el) => { el.scrollIntoView({ block: 'start' }); window.scrollBy(0, -64); });
    await shot(page, 'customer-documents');

    // HTML dressed as a photo: the server's refusal is shown.
    await page.locator('#doc-file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from('<html><script>alert(1)</script></html>') });
    await section.locator('.doc-status.error', { hasText: 'Only photos (JPEG, PNG, WebP) and PDFs can be attached.' }).waitFor();

    await item.getByRole('button', { name: `Open ${name}` }).click();
    const dialog = page.getByRole('dialog', { name });
    await dialog.waitFor();
    const full = dialog.locator('img.doc-full');
    await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await full.elementHandle());
    await shot(page, 'document-open');
    await dialog.getByRole('button', { name: 'Close' }).click();

    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `no sideways scroll at ${viewport.width}px (content ${width}px)`);
    assert.deepEqual(refused, [], 'the CSP refused nothing');
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});

test('an owner deletes a document; a viewer sees the list without upload or delete', async () => {
  const c = await someCustomer();
  const token = await apiToken(srv, OWNER);
  const up = await srv.api('POST', `/api/v1/customers/${c.id}/documents?filename=old-id.png`, {
    token, raw: photo, headers: { 'Content-Type': 'image/png' },
  });
  assert.equal(up.status, 201, up.text);

  const v = await newPage(browser, srv, PHONE);
  await signIn(v.page, viewer);
  await v.page.goto(`/customers/${c.id}`);
  await v.page.locator('#documents li.doc', { hasText: 'old-id.png' }).waitFor();
  assert.equal(await v.page.locator('#doc-camera').count(), 0);
  assert.equal(await v.page.locator('#documents').getByRole('button', { name: /^Delete / }).count(), 0);
  assert.deepEqual(v.page.errors, []);
  await v.context.close();

  const { context, page } = await newPage(browser, srv, DESKTOP);
  await signIn(page, OWNER);
  await page.goto(`/customers/${c.id}`);
  const item = page.locator('#documents li.doc', { hasText: 'old-id.png' });
  await item.waitFor();
  await item.getByRole('button', { name: 'Delete old-id.png' }).click();
  await page.getByRole('dialog', { name: 'Delete document?' }).getByRole('button', { name: 'Delete' }).click();
  await page.locator('#toast.show', { hasText: 'old-id.png deleted' }).waitFor();
  await item.waitFor({ state: 'detached' });
  const left = await srv.api('GET', `/api/v1/customers/${c.id}/documents`, { token });
  assert.ok(!left.json.data.some((d) => d.id === up.json.id));
  assert.deepEqual(page.errors, []);
  await context.close();
});
