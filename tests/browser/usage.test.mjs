// The settings screen's plan section: the store's plan and features, a bar
// per limit, and an upgrade message when a limit is near (80 %) or
// reached, following the operator's plan edits.  Screenshots at 360×640
// and 1280×800.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, shot, apiToken, OWNER, OPERATOR, PHONE, DESKTOP } from './helpers.mjs';

let srv, browser, op, demo, active;
const P = '/api/v1/platform';

before(async () => {
  ({ srv, browser } = await setup());
  op = (await srv.api('POST', `${P}/auth/login`, { body: OPERATOR })).json.access_token;
  demo = (await srv.api('GET', `${P}/tenants`, { token: op })).json.data.find((t) => t.slug === 'quantumtrack');
  active = (await srv.api('GET', '/api/v1/usage', { token: await apiToken(srv, OWNER) })).json.usage.customers;
  assert.ok(active >= 5, `the demo store has customers (${active})`);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

async function onPlan(body) {
  const name = `shop-${Math.random().toString(36).slice(2, 8)}`;
  const r = await srv.api('POST', `${P}/plans`, { token: op, body: { name, storage_mb: 1, requests_per_min: 600, features: ['ledger', 'link_reminders', 'reports'], ...body } });
  assert.equal(r.status, 201, r.text);
  const t = await srv.api('PATCH', `${P}/tenants/${demo.id}`, { token: op, body: { plan: name } });
  assert.equal(t.status, 200, t.text);
  return name;
}

test('plan section: bars for each limit, an upgrade message when near and when reached, none when unlimited', async () => {
  // 80 % or more of the customers allowed: near.
  const near = await onPlan({ customer_limit: Math.ceil(active / 0.85) });
  const pages = [];
  for (const vp of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, vp);
    pages.push({ context, page });
    await signIn(page, OWNER, 'quantumtrack', '/settings');
    await page.getByText('Plan', { exact: true }).click();
    const limits = page.locator('.usage-limits');
    await limits.waitFor();
    assert.match(page.url(), /section=usage/);
    assert.match(await page.locator('.usage-plan h2').textContent(), new RegExp(`^${near.charAt(0).toUpperCase()}${near.slice(1)} plan$`, 'i'));
    assert.deepEqual(await page.locator('.usage-features li').allTextContents(), ['Credit ledger', 'WhatsApp link reminders', 'Reports']);
    const customers = limits.locator('[data-limit="customers"]');
    assert.equal(await customers.getAttribute('class'), 'usage-row near');
    assert.match(await customers.textContent(), new RegExp(`${active} of ${Math.ceil(active / 0.85)}`));
    const bar = customers.getByRole('meter', { name: 'Active customers' });
    assert.ok(Number(await bar.getAttribute('aria-valuenow')) >= 80);
    const up = page.getByRole('status').filter({ hasText: 'close to its plan' });
    await up.waitFor();
    assert.match(await up.textContent(), /Active customers: \d+ of \d+ — \d+% used/);
    assert.match(await up.textContent(), /ask your QuantumTrack provider/);
    assert.equal(await limits.locator('[data-limit="storage_bytes"]').getAttribute('class'), 'usage-row ok');
    await shot(page, 'settings-usage-near');
    await limits.evaluate((el) => { el.scrollIntoView({ block: 'start' }); window.scrollBy(0, -60); });
    await shot(page, 'settings-usage-near-limits');
  }

  // At the limit: reached, with what still works said plainly.  The same
  // pages, opened again: the operator's edit shows without signing in again.
  const full = await srv.api('PATCH', `${P}/plans/${near}`, { token: op, body: { customer_limit: active } });
  assert.equal(full.status, 200, full.text);
  for (const { page } of pages) {
    await page.goto('/settings?section=usage');
    const up = page.locator('.upgrade.reached');
    await up.waitFor();
    assert.match(await up.locator('h2').textContent(), /Time to upgrade your plan/);
    assert.match(await up.textContent(), /Active customers: \d+ of \d+ — limit reached/);
    const customers = page.locator('[data-limit="customers"]');
    assert.equal(await customers.getAttribute('class'), 'usage-row reached');
    assert.match(await customers.locator('.usage-note').textContent(), /no new customer can be added/);
    await shot(page, 'settings-usage-reached');
  }

  // Nothing limited: no bars, no message.
  assert.equal((await srv.api('PATCH', `${P}/tenants/${demo.id}`, { token: op, body: { plan: 'enterprise' } })).status, 200);
  const { page } = pages[0];
  await page.goto('/settings?section=usage');
  await page.locator('.usage-plan h2').filter({ hasText: 'Enterprise plan' }).waitFor();
  assert.equal(await page.locator('.upgrade').count(), 0);
  assert.equal(await page.locator('[data-limit="customers"] [role="meter"]').count(), 0);
  assert.match(await page.locator('[data-limit="customers"]').textContent(), /no limit/);
  assert.equal(await page.locator('[data-limit="storage_bytes"] [role="meter"]').count(), 1);
  await shot(page, 'settings-usage-enterprise');
  for (const { context, page: p } of pages) {
    assert.deepEqual(p.errors, []);
    await context.close();
  }
});
