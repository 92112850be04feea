// Import & export screen (More → Import & export), for admins: CSV exports
// carry the token and the chosen range and BOM; an import is checked first
// (rows, what would be created, every problem by line and column) and only
// then written.  Members do not see the screen.  Screenshots at 360×640 and
// 1280×800 under test-output/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setup, newPage, signIn, shot, apiToken, OWNER, PHONE, DESKTOP } from './helpers.mjs';
import { check } from './a11y-audit.mjs';

let srv, browser, member;

before(async () => {
  ({ srv, browser, member } = await setup());
});

after(async () => {
  await browser?.close();
  await srv?.stop();
});

const csvFile = (name, text) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(text) });
const uniquePhone = () => '9' + String(Date.now() % 1e9).padStart(9, '0');

async function openData(page) {
  await page.goto('/more');
  await page.getByRole('link', { name: 'Import & export' }).click();
  await page.locator('#main h1', { hasText: 'Import & export' }).waitFor();
}

test('an admin checks a customers file, sees what would be created, then imports it, at 360 and 1280 px', async () => {
  const token = await apiToken(srv, OWNER);
  const find = async (q) => (await srv.api('GET', `/api/v1/customers?q=${q}`, { token })).json.data;
  for (const [i, viewport] of [PHONE, DESKTOP].entries()) {
    const { context, page } = await newPage(browser, srv, viewport);
    await signIn(page, OWNER);
    await openData(page);
    const p1 = String(Number(uniquePhone()) + 10 * i), p2 = String(Number(p1) + 1);
    await page.getByLabel('What the file holds').selectOption('customers');
    await page.getByLabel('CSV file').setInputFiles(csvFile('customers.csv',
      `\uFEFFname,phone,apartment,credit_limit\r\nSunita Rao ${i},${p1},36195,2500\r\n"Menon, Ravi ${i}",${p2},42013,\r\n`));
    await page.getByRole('button', { name: 'Check the file' }).click();
    const ready = page.locator('.import-ok');
    await ready.waitFor();
    assert.match(await ready.innerText(), /2 rows checked, no problems\. Importing will create 2 customers\./);
    assert.equal((await find(p1)).length, 0, 'the check saved nothing');
    await ready.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await shot(page, 'data-import-ready');
    const found = [];
    await check(page, `data-import-ready-${viewport.width}`, found);
    assert.deepEqual(found, [], 'contrast, labels and names');
    await page.getByRole('button', { name: 'Import 2 rows' }).click();
    await page.locator('.import-done').waitFor();
    assert.match(await page.locator('.import-done').innerText(), /2 rows imported: 2 customers created/);
    const [sunita] = await find(p1);
    assert.equal(sunita.name, `Sunita Rao ${i}`);
    assert.equal(sunita.credit_limit_minor, 250000);
    assert.equal((await find(p2))[0].name, `Menon, Ravi ${i}`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `no sideways scroll at ${viewport.width}px (content ${width}px)`);
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});

test('a file with problems lists each by line and column and imports nothing, at 360 and 1280 px', async () => {
  for (const viewport of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, viewport);
    await signIn(page, OWNER);
    await openData(page);
    await page.getByLabel('What the file holds').selectOption('transactions');
    await page.getByLabel('CSV file').setInputFiles(csvFile('entries.csv',
      'type,amount,date,phone,note\r\n' +
      'purchase,120.50,2026-01-05,9000000001,rice\r\n' +
      'purchace,10,2026-01-06,9876543210,\r\n' +
      'payment,abc,2026-13-01,9876543210,\r\n'));
    await page.getByRole('button', { name: 'Check the file' }).click();
    const failed = page.locator('.import-failed');
    await failed.waitFor();
    assert.match(await failed.innerText(), /4 problems in the file/);
    const rows = await page.locator('table.import-errors tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)));
    assert.deepEqual(rows, [['2', 'phone'], ['3', 'type'], ['4', 'amount'], ['4', 'date']]);
    assert.equal(await page.getByRole('button', { name: /^Import / }).count(), 0, 'no Import button after a failed check');
    await page.locator('table.import-errors').evaluate((el) => el.scrollIntoView({ block: 'center' }));
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= viewport.width, `no sideways scroll at ${viewport.width}px (content ${width}px)`);
    await shot(page, 'data-import-errors');
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});

test('exports download with the token, the date range and the Excel byte order mark', async () => {
  const { context, page } = await newPage(browser, srv, DESKTOP);
  await signIn(page, OWNER);
  await openData(page);
  const seen = [];
  page.on('request', (req) => {
    if (req.url().includes('/api/v1/export/')) seen.push({ url: req.url(), auth: req.headers().authorization });
  });
  await page.getByLabel('From').fill('01/01/2026');
  await page.getByLabel('To').fill('31/01/2026');
  await page.getByLabel(/For Excel/).check();
  await shot(page, 'data-export');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Transactions (CSV)' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'quantumtrack-transactions-2026-01-01-2026-01-31.csv');
  const text = readFileSync(await download.path(), 'utf8');
  assert.ok(text.startsWith('\uFEFFid,date,occurred_at,'), 'a byte order mark, then the header: ' + text.slice(0, 40));
  assert.equal(seen.length, 1);
  const u = new URL(seen[0].url);
  assert.equal(u.pathname, '/api/v1/export/transactions.csv');
  assert.deepEqual(Object.fromEntries(u.searchParams), { from: '2026-01-01', to: '2026-01-31', bom: '1' });
  assert.match(seen[0].auth || '', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, 'the download carries the access token');
  await page.locator('.data-export [role=status]', { hasText: 'Transactions downloaded.' }).waitFor();
  for (const kind of ['customers', 'reminders', 'audit'])
    assert.equal(await page.locator(`button[data-export="${kind}"]`).count(), 1);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('members do not see import and export', async () => {
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, member);
  await page.goto('/more');
  await page.locator('#main h1', { hasText: 'More' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Import & export' }).count(), 0);
  await page.goto('/data');
  await page.locator('#main h1', { hasText: 'Import & export' }).waitFor();
  assert.match(await page.locator('#main').innerText(), /Only admins/);
  assert.equal(await page.getByRole('button', { name: 'Check the file' }).count(), 0);
  assert.deepEqual(page.errors, []);
  await context.close();
});
