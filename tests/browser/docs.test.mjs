// GET /docs: the API reference for integrators, drawn by Redoc from
// /api/v1/openapi.json, at phone and desktop sizes.  It loads nothing of the
// web app, the web app loads nothing of it, and its CSP refuses nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, shot, PHONE, DESKTOP } from './helpers.mjs';

let srv, browser;

before(async () => {
  ({ srv, browser } = await setup());
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function openDocs(viewport, hash = '') {
  const { context, page } = await newPage(browser, srv, viewport);
  const refused = [];
  const requests = [];
  page.on('console', (m) => { if (/Content Security Policy|Refused to/i.test(m.text())) refused.push(m.text()); });
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  const res = await page.goto('/docs' + hash);
  await page.locator('#redoc[data-ready="yes"]').waitFor({ timeout: 20000 });
  return { context, page, res, refused, requests };
}

test('/docs renders the reference with every route and its curl example, at 360 and 1280 px', async () => {
  for (const viewport of [PHONE, DESKTOP]) {
    const { context, page, res, refused, requests } = await openDocs(viewport);
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-security-policy'], /script-src 'self';/);
    assert.match(res.headers()['content-type'], /^text\/html/);
    assert.equal(await page.title(), 'QuantumTrack API reference');
    // Every tag of the document is a section of the page.
    const doc = (await srv.api('GET', '/api/v1/openapi.json')).json;
    for (const tag of doc.tags.filter((t) => Object.values(doc.paths).some((i) => Object.values(i).some((o) => o.tags.includes(t.name)))))
      assert.ok(await page.locator(`[data-section-id="tag/${tag.name.replace(/ /g, '-')}"]`).count() > 0, `section for ${tag.name}`);
    // An operation with its summary, its curl example and its problem statuses.
    const op = page.locator('[data-section-id="tag/Transactions/operation/post_api_v1_transactions"]');
    await op.scrollIntoViewIfNeeded();
    await op.getByRole('heading', { name: 'Record a purchase, payment or adjustment' }).waitFor();
    assert.match(await op.innerText(), /curl -sS -X POST "\$QT_URL\/api\/v1\/transactions"/);
    assert.match(await op.innerText(), /422/);
    assert.match(await op.innerText(), /credit_limit_exceeded/);
    // Redoc's footer always asks for its logo from its CDN; the CSP keeps the
    // page off third-party hosts (the image hides itself).  Nothing else may
    // be refused.
    assert.deepEqual(refused.filter((m) => !/'https:\/\/cdn\.redoc\.ly\/redoc\/logo-mini\.svg'/.test(m)), [], 'nothing of ours refused by the CSP');
    assert.deepEqual(page.errors, []);
    assert.ok(requests.includes('/api/v1/openapi.json'));
    assert.deepEqual(requests.filter((p) => p.startsWith('/js/') || p.startsWith('/css/')), [], 'nothing of the web app');
    // No sideways scroll on a phone.
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1));
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, 'docs');
    await op.getByText('curl -sS -X POST').first().scrollIntoViewIfNeeded();
    await shot(page, 'docs-operation');
    await context.close();
  }
});

test('the web app\'s first screen loads nothing of the API reference', async () => {
  const { context, page } = await newPage(browser, srv, DESKTOP);
  const requests = [];
  page.on('request', (r) => requests.push(new URL(r.url()).pathname));
  await page.goto('/?tenant=quantumtrack');
  await page.getByLabel('Email').waitFor();
  assert.deepEqual(requests.filter((p) => p.startsWith('/docs')), []);
  await context.close();
});
