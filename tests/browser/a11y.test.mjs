// Accessibility checks on the main screens, phone and desktop: text contrast
// (WCAG AA: 4.5:1, 3:1 for large text) computed from getComputedStyle against
// the composited background; every form control has a label; every button
// and link has an accessible name; every image has an alt attribute.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, apiToken, customerByName, OWNER, OPERATOR, PHONE, DESKTOP } from './helpers.mjs';
import { createTenant } from '../lib/server.mjs';
import { audit, check } from './a11y-audit.mjs';

let srv, browser, token;

before(async () => {
  ({ srv, browser } = await setup());
  token = await apiToken(srv, OWNER);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

test('the checker itself finds low contrast, a missing label and a nameless button', async () => {
  const { context, page } = await newPage(browser, srv);
  await page.goto('/?tenant=quantumtrack');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.evaluate(() => {
    const box = document.createElement('div');
    box.id = 'bad';
    const p = document.createElement('p');
    p.textContent = 'pale text';
    p.style.color = '#aaaaaa';
    const big = document.createElement('p');
    big.textContent = 'big grey text passes as large text';
    big.style.cssText = 'color: #8c8c8c; font-size: 30px';
    const input = document.createElement('input');
    const button = document.createElement('button');
    button.innerHTML = '<span aria-hidden="true"></span>';
    box.append(p, big, input, button);
    document.body.append(box);
  });
  const problems = await page.evaluate(audit);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0], /contrast 2\.\d+ < 4\.5.*pale text/);
  assert.match(problems[1], /no label/);
  assert.match(problems[2], /no accessible name/);
  await context.close();
});

test('main screens pass contrast, label and name checks at phone and desktop sizes', async () => {
  const found = [];
  const rajesh = await customerByName(srv, token, 'Rajesh Kumar');
  for (const vp of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, vp);
    await page.goto('/?tenant=no-such-store');
    await page.getByRole('heading', { name: 'Store not found' }).waitFor();
    await check(page, 'unknown-store', found);
    await page.goto('/?tenant=quantumtrack');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await check(page, 'signin', found);
    // Errors shown too.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.form-error').waitFor();
    await check(page, 'signin-errors', found);
    await signIn(page, OWNER);
    await page.getByText('Total owed').waitFor();
    await check(page, 'dashboard', found);
    await page.locator('#search').fill('361');
    await page.locator('#search-results li').first().waitFor();
    await check(page, 'search', found);
    await context.setOffline(true);
    await page.locator('#offline-banner').waitFor();
    await check(page, 'offline-banner', found);
    await context.setOffline(false);
    const screens = [
      ['customers', '/customers', '#customer-list'],
      ['customer', `/customers/${rajesh.id}`, '.ledger'],
      ['statement', `/customers/${rajesh.id}/statement`, '.table'],
      ['customer-edit', `/customers/${rajesh.id}/edit`, '#customer-form'],
      ['customer-new', '/customers/new', '#customer-form'],
      ['apartments', '/apartments', '.towers'],
      ['tower', '/apartments/36', '.units'],
      ['flat', '/apartments/unit/36194', '#residents'],
      ['users', '/users', '.user-row'],
      ['settings', '/settings', 'form'],
      ['settings-reminders', '/settings?section=reminders', '.preview .bubble'],
      ['settings-whatsapp', '/settings?section=whatsapp', '.provider-body'],
      ['settings-usage', '/settings?section=usage', '.usage-limits'],
      ['settings-supabase', '/settings?section=supabase', '.supabase input'],
      ['audit', '/audit', '.audit-row'],
      ['more', '/more', '.menu'],
      ['password', '/account/password', '#password-form'],
      ['reports-aging', '/reports', '.bucket'],
      ['reports-daily', '/reports/daily', '#daily-chart'],
      ['reports-towers', '/reports/towers', '#tower-report'],
      ['reports-collections', '/reports/collections', '#method-chart'],
    ];
    for (const [name, path, sel] of screens) {
      await page.goto(path);
      await page.locator(sel).first().waitFor();
      await check(page, name, found);
    }
    // Sheets: purchase (with the limit box), payment, adjustment with errors, reverse.
    await page.goto(`/customers/${rajesh.id}`);
    await page.getByRole('button', { name: 'Purchase on credit' }).click();
    const dlg = page.locator('dialog[open]');
    await dlg.getByRole('button', { name: 'Change date/time' }).click();
    await dlg.locator('summary').click();
    await dlg.getByRole('button', { name: '+ Add item' }).click();
    await check(page, 'purchase-sheet', found);
    await dlg.getByLabel('Amount (INR)').fill('99999999');
    await dlg.getByRole('button', { name: /Record purchase/ }).click();
    await dlg.locator('.limit-box').waitFor();
    await check(page, 'credit-limit', found);
    await dlg.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Payment received' }).click();
    await check(page, 'payment-sheet', found);
    await dlg.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Adjustment' }).click();
    await dlg.getByRole('button', { name: 'Record adjustment' }).click();
    await dlg.locator('.field-error').first().waitFor();
    await check(page, 'adjustment-sheet', found);
    await dlg.getByRole('button', { name: 'Close' }).click();
    await page.locator('.ledger').getByRole('button', { name: 'Reverse' }).first().click();
    await check(page, 'reverse-sheet', found);
    await dlg.getByRole('button', { name: 'Close' }).click();
    assert.deepEqual(page.errors, []);
    await context.close();
  }
  // Reports on a plan without them; the operator console.
  const t = createTenant(srv, { slug: 'a11y-free', plan: 'free' });
  for (const vp of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, vp);
    await signIn(page, t, t.slug, '/reports');
    await page.locator('#reports-not-in-plan').waitFor();
    await check(page, 'reports-not-in-plan', found);
    await context.close();
    const op = await newPage(browser, srv, vp);
    await op.page.goto('/platform');
    await op.page.getByLabel('Operator email').fill(OPERATOR.email);
    await op.page.getByLabel('Password').fill(OPERATOR.password);
    await op.page.getByRole('button', { name: 'Sign in' }).click();
    await op.page.getByRole('heading', { name: 'Stores' }).waitFor();
    await check(op.page, 'platform', found);
    await op.context.close();
  }
  assert.deepEqual(found, [], `${found.length} accessibility problems:\n${found.join('\n')}`);
});
