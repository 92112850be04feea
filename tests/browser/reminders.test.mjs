// WhatsApp reminders in the web app, against the real server: Remind on
// the customer page (wa.me link opened; refusals in plain words), Remind
// all overdue (dry-run preview, one action, one WhatsApp link after another),
// the reminders log (status chips, customer filter, keyset "Load more"),
// a provider channel (Twilio fake on loopback), and the receipt offer after
// an entry.  Screenshots at 360×640 and 1280×800; accessibility checked on
// every new screen and dialog.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { newStore, addUser } from '../lib/server.mjs';
import { startFakeTwilio } from '../fakes/twilio.mjs';
import { setup, newPage, signIn, shot, PHONE, DESKTOP } from './helpers.mjs';
import { check } from './a11y-audit.mjs';

let srv, browser;
const found = []; // accessibility problems over the whole file

before(async () => {
  ({ srv, browser } = await setup());
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

const DAY = 86400000;
const daysAgo = (n) => new Date(Date.now() - n * DAY).toISOString();

async function call(token, method, path, body, headers) {
  const r = await srv.api(method, path, { token, body, headers });
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.text}`);
  return r.json;
}

async function customer(token, { name, phone, owes = 0, ago = 45, optOut = false }) {
  const c = await call(token, 'POST', '/api/v1/customers', { name, phone, reminders_opt_out: optOut });
  if (owes) c.entry = await call(token, 'POST', '/api/v1/transactions', { customer_id: c.id, type: 'purchase', amount_minor: owes, occurred_at: daysAgo(ago) });
  return c;
}

// A store of our own (so one test's reminders do not stop another's):
// three overdue customers, one overdue but opted out, one owing but not
// overdue yet, one owing nothing.
async function seededStore() {
  const s = await newStore(srv);
  const t = s.token;
  [s.meera, s.kiran, s.dev, s.arjun, s.neha, s.ravi] = await Promise.all([
    customer(t, { name: 'Meera Iyer', phone: '+919811100001', owes: 250050 }),
    customer(t, { name: 'Kiran Rao', phone: '+919811100002', owes: 78000, ago: 60 }),
    customer(t, { name: 'Dev Malhotra', phone: '+919811100003', owes: 12000, ago: 40 }),
    customer(t, { name: 'Arjun Nair', phone: '+919811100004', owes: 50000, optOut: true }),
    customer(t, { name: 'Neha Joshi', phone: '+919811100005', owes: 30000, ago: 2 }),
    customer(t, { name: 'Ravi Menon', phone: '+919811100006' }),
  ]);
  return s;
}

// A browser signed in to store s, with wa.me answered locally (the real
// site is on the internet) and every WhatsApp tab it opens recorded.
async function open(s, viewport, who = s) {
  const { context, page } = await newPage(browser, srv, viewport);
  const opened = [];
  await context.route('https://wa.me/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>WhatsApp</title><p>wa.me</p>' }));
  context.on('page', (p) => { opened.push(p); });
  await signIn(page, who, s.slug);
  return { context, page, opened };
}

// The next tab the page opens; its wa.me link decoded.
async function nextTab(context, action) {
  const [tab] = await Promise.all([context.waitForEvent('page'), action()]);
  await tab.waitForLoadState('domcontentloaded').catch(() => {});
  const url = new URL(tab.url());
  await tab.close();
  return { url, host: url.host, phone: url.pathname.slice(1), text: url.searchParams.get('text') };
}

async function reminders(token, query = '') {
  return (await call(token, 'GET', '/api/v1/reminders?limit=200' + query)).data;
}

// Screenshots at both sizes of what the page shows now (centred on
// `locator` when given), back to the page's own size afterwards.
async function shotBoth(page, name, locator) {
  const own = page.viewportSize();
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp);
    if (locator) await centre(locator);
    await shot(page, name);
  }
  await page.setViewportSize(own);
}

// Screenshots and the accessibility check at both sizes, back to the
// page's own size afterwards.
async function look(page, name) {
  const own = page.viewportSize();
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp);
    await shot(page, name);
    await check(page, name, found);
  }
  await page.setViewportSize(own);
}

// Scroll el to the middle of the screen (above the phone's tab bar) for a screenshot.
async function centre(locator) {
  await locator.evaluate((el) => el.scrollIntoView({ block: 'center' }));
}

test('Remind on the customer page opens WhatsApp with the message; the second tap is refused with the time it is allowed again', async () => {
  const s = await seededStore();
  const { context, page } = await open(s, PHONE);
  const cases = [[PHONE, s.meera, '919811100001', '₹2,500.50'], [DESKTOP, s.kiran, '919811100002', '₹780.00']];
  for (const [vp, c, digits, amount] of cases) {
    await page.setViewportSize(vp);
    await page.goto(`/customers/${c.id}`);
    const btn = page.getByRole('button', { name: 'Remind on WhatsApp' });
    await btn.waitFor();
    await page.locator('.remind-last', { hasText: 'No reminder sent yet' }).waitFor();
    await check(page, 'customer-remind', found);
    const tab = await nextTab(context, () => btn.click());
    assert.equal(tab.host, 'wa.me');
    assert.equal(tab.phone, digits);
    assert.match(tab.text, new RegExp(c.name));
    assert.ok(tab.text.includes(amount), tab.text);
    const status = page.locator('.remind-status');
    await status.getByText(`WhatsApp opened with the reminder for ${c.name}`).waitFor();
    // The same link once more, for when the tab was blocked or closed.
    const again = status.getByRole('link', { name: 'Open WhatsApp again' });
    const rows = await reminders(s.token, `&customer_id=${c.id}`);
    assert.equal(rows.length, 1);
    assert.equal(rows[0].status, 'link_ready');
    assert.equal(await again.getAttribute('href'), rows[0].link);
    assert.equal(await again.getAttribute('target'), '_blank');
    assert.match(await again.getAttribute('rel'), /noopener/);
    await page.locator('.remind-last .chip', { hasText: 'link ready' }).waitFor();
    await centre(page.locator('.remind'));
    await shot(page, 'remind-customer-ready');
    await check(page, 'customer-reminded', found);

    // Again within 24 hours: refused, in plain words, with the next time.
    await btn.click();
    const refused = page.locator('.remind-status.refused [role=alert]');
    await refused.waitFor();
    const next = new Date(rows[0].created_at).getTime() + DAY;
    const when = await page.evaluate((t) => new Intl.DateTimeFormat('en-IN', { timeZone: 'Asia/Kolkata', dateStyle: 'medium', timeStyle: 'short' }).format(new Date(t)), next);
    assert.equal(await refused.innerText(), `${c.name} was already reminded in the last 24 hours. The next reminder can go at ${when}.`);
    assert.equal((await reminders(s.token, `&customer_id=${c.id}`)).length, 1, 'still one reminder');
    await centre(page.locator('.remind'));
    await shot(page, 'remind-customer-refused');
    await check(page, 'customer-refused', found);
  }
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('refusals read as sentences: nothing owed, opted out; a viewer has no Remind button but sees the log link', async () => {
  const s = await seededStore();
  const { context, page } = await open(s, PHONE);
  await page.goto(`/customers/${s.ravi.id}`);
  await page.getByRole('button', { name: 'Remind on WhatsApp' }).click();
  await page.locator('.remind-status.refused', { hasText: 'Ravi Menon owes nothing, so there is nothing to remind about.' }).waitFor();
  await page.goto(`/customers/${s.arjun.id}`);
  await page.locator('.remind .badge', { hasText: 'opted out' }).waitFor();
  await page.getByRole('button', { name: 'Remind on WhatsApp' }).click();
  await page.locator('.remind-status.refused', { hasText: 'Arjun Nair asked not to get payment reminders (opted out), so none was sent.' }).waitFor();
  await shotBoth(page, 'remind-opted-out', page.locator('.remind'));
  assert.equal((await reminders(s.token)).length, 0);
  assert.deepEqual(page.errors, []);
  await context.close();

  const viewer = addUser(srv, { tenant: s.slug, email: `viewer@${s.slug}.example`, role: 'viewer' });
  const v = await open(s, PHONE, viewer);
  await v.page.goto(`/customers/${s.meera.id}`);
  await v.page.locator('#reminders-log-link').waitFor();
  assert.equal(await v.page.getByRole('button', { name: 'Remind on WhatsApp' }).count(), 0);
  await v.page.goto('/');
  await v.page.getByText('Total owed').waitFor();
  assert.equal(await v.page.locator('#btn-remind-all').count(), 0);
  await v.context.close();
});

test('a lost answer: tapping Remind again with the same Idempotency-Key makes one reminder and opens it, not a refusal', async () => {
  const s = await seededStore();
  const { context, page } = await open(s, PHONE);
  await page.goto(`/customers/${s.dev.id}`);
  // The server makes the reminder; its answer is lost on the way back.
  const keys = [];
  await page.route('**/api/v1/customers/*/reminders', async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (keys.length === 1) { await route.fetch(); await route.abort('connectionreset'); } else await route.continue();
  });
  const btn = page.getByRole('button', { name: 'Remind on WhatsApp' });
  await btn.click();
  await page.locator('.remind-status.refused', { hasText: 'Could not reach the server' }).waitFor();
  assert.equal((await reminders(s.token, `&customer_id=${s.dev.id}`)).length, 1, 'made once already');
  const tab = await nextTab(context, () => btn.click());
  assert.equal(tab.phone, '919811100003');
  await page.locator('.remind-status').getByText('WhatsApp opened with the reminder for Dev Malhotra').waitFor();
  assert.equal(keys.length, 2);
  assert.ok(keys[0] && keys[0] === keys[1], 'the retry sends the same key');
  assert.equal((await reminders(s.token, `&customer_id=${s.dev.id}`)).length, 1, 'still one reminder');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('Remind all overdue: a dry-run preview of who and how much, the skipped with reasons, then one action and one WhatsApp link after another', async () => {
  const s = await seededStore();
  const { context, page } = await open(s, PHONE);
  await page.getByRole('button', { name: 'Remind all overdue' }).click();
  const dlg = page.locator('dialog[open]');
  await dlg.getByRole('heading', { name: 'Remind all overdue' }).waitFor();
  const send = dlg.getByRole('button', { name: 'Send 3 reminders' });
  await send.waitFor();
  // Who and how much.
  assert.equal(await dlg.locator('.bulk-summary').innerText(), '3 customers will get a reminder · ₹3,400.50 overdue in all');
  const rows = dlg.locator('.bulk-list .bulk-row');
  const who = await rows.evaluateAll((els) => els.map((e) => e.querySelector('.row-title').textContent + ' ' + e.querySelector('.amount').textContent));
  assert.deepEqual(who.sort(), ['Dev Malhotra ₹120.00 overdue', 'Kiran Rao ₹780.00 overdue', 'Meera Iyer ₹2,500.50 overdue']);
  // The message each would get.
  await rows.filter({ hasText: 'Meera Iyer' }).getByText('Message').click();
  assert.match(await rows.filter({ hasText: 'Meera Iyer' }).locator('.message-text').innerText(), /Meera Iyer[\s\S]*₹2,500\.50/);
  // The skipped, each with its reason in words.
  const skipped = await dlg.locator('.bulk-skipped .bulk-row').evaluateAll((els) => els.map((e) => e.innerText.replace(/\s+/g, ' ').trim()));
  assert.deepEqual(skipped.sort(), ['Arjun Nair asked not to get reminders', 'Neha Joshi nothing overdue yet']);
  // The dry run changed nothing.
  assert.equal((await reminders(s.token)).length, 0);
  await look(page, 'bulk-preview');

  // Who to include: at least ₹500 overdue leaves Dev out.
  await dlg.getByRole('button', { name: 'Who to include' }).click();
  await dlg.getByLabel('Overdue amount at least (INR)').fill('500');
  await dlg.getByRole('button', { name: 'Update the list' }).click();
  await dlg.getByRole('button', { name: 'Send 2 reminders' }).waitFor();
  await dlg.locator('.bulk-skipped .bulk-row', { hasText: 'Dev Malhotra' }).getByText('owes less than the minimum').waitFor();
  await look(page, 'bulk-preview-options');
  await dlg.getByLabel('Overdue amount at least (INR)').fill('');
  await dlg.getByRole('button', { name: 'Update the list' }).click();
  await send.waitFor();

  // One action.
  await send.click();
  const links = dlg.locator('.bulk-open a');
  await links.first().waitFor();
  assert.equal(await links.count(), 3);
  await dlg.getByRole('heading', { name: '3 reminders ready' }).waitFor();
  const made = await reminders(s.token);
  assert.equal(made.length, 3);
  assert.ok(made.every((r) => r.trigger === 'bulk' && r.status === 'link_ready'));
  // No tab opened by itself (browsers block a burst of popups).
  assert.equal(context.pages().length, 1);
  assert.equal(await page.evaluate(() => document.activeElement.textContent), await links.first().innerText());
  await look(page, 'bulk-links');
  // One after another: each tap opens that customer's chat; the next is ready.
  const phones = [];
  for (let i = 0; i < 3; i++) {
    const name = (await links.nth(i).innerText()).replace('Open WhatsApp for ', '');
    const tab = await nextTab(context, () => links.nth(i).click());
    assert.equal(tab.host, 'wa.me');
    assert.match(tab.text, new RegExp(name));
    phones.push(tab.phone);
    await dlg.locator('.bulk-open li.done').nth(i).waitFor();
    if (i < 2) {
      await page.waitForFunction((n) => document.activeElement && document.activeElement.textContent === n,
        await links.nth(i + 1).innerText());
      assert.equal(await dlg.locator('#bulk-progress').innerText(), `${i + 1} of 3 opened`);
    }
    if (i === 0) await look(page, 'bulk-one-opened');
  }
  assert.deepEqual(phones.sort(), ['919811100001', '919811100002', '919811100003']);
  assert.equal(await dlg.locator('#bulk-progress').innerText(), 'All reminders opened.');
  await look(page, 'bulk-all-opened');
  await dlg.getByRole('button', { name: 'Done' }).click();
  await dlg.waitFor({ state: 'detached' });

  // Again: nobody is due; everyone reminded today says so.
  await page.getByRole('button', { name: 'Remind all overdue' }).click();
  await dlg.locator('.bulk-summary', { hasText: 'Nobody is due a reminder right now.' }).waitFor();
  assert.equal(await dlg.getByRole('button', { name: /^Send/ }).count(), 0);
  assert.equal(await dlg.locator('.bulk-skipped .bulk-row', { hasText: 'already reminded in the last 24 hours' }).count(), 3);
  await look(page, 'bulk-nobody');
  await dlg.getByRole('button', { name: 'Done' }).click();
  assert.equal((await reminders(s.token)).length, 3);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('the reminders log: status chips, filter by customer, keyset Load more; reached from More, the dashboard and the customer page', async () => {
  const s = await seededStore();
  const t = s.token;
  await call(t, 'POST', `/api/v1/customers/${s.kiran.id}/reminders`, {});
  // 24 receipts for Meera (receipts have no 24-hour rule): more than a page.
  await Promise.all(Array.from({ length: 24 }, () => call(t, 'POST', `/api/v1/transactions/${s.meera.entry.id}/receipt`, {})));
  const { context, page } = await open(s, PHONE);
  for (const vp of [PHONE, DESKTOP]) {
    await page.setViewportSize(vp);
    await page.goto('/');
    if (vp === PHONE) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'More' }).click();
      await page.getByRole('link', { name: 'Reminders' }).click();
    } else {
      await page.getByRole('link', { name: 'Reminder log' }).click();
    }
    await page.getByRole('heading', { name: 'Reminders', level: 1 }).waitFor();
    const rows = page.locator('#reminder-list .reminder-row');
    await rows.first().waitFor();
    assert.equal(await rows.count(), 20);
    assert.equal(await page.locator('[role=status]', { hasText: '20+ shown' }).count(), 1);
    // Newest first: the receipts, each with its chip and a link to the customer.
    const first = rows.first();
    assert.match(await first.innerText(), /Meera Iyer[\s\S]*receipt[\s\S]*link ready/);
    assert.equal(await first.getByRole('link', { name: 'Meera Iyer', exact: true }).getAttribute('href'), `/customers/${s.meera.id}`);
    assert.match(await first.getByRole('link', { name: 'Open WhatsApp: Meera Iyer' }).getAttribute('href'), /^https:\/\/wa\.me\/919811100001\?text=/);
    await shot(page, 'reminders-log');
    await check(page, 'reminders-log', found);
    await page.getByRole('button', { name: 'Load more' }).click();
    await rows.nth(24).waitFor();
    assert.equal(await rows.count(), 25);
    assert.equal(await page.getByRole('button', { name: 'Load more' }).isHidden(), true);
    const ids = await rows.evaluateAll((els) => els.map((e) => e.dataset.id));
    assert.equal(new Set(ids).size, 25, 'no row twice across pages');
    assert.match(await rows.last().innerText(), /Kiran Rao[\s\S]*WhatsApp link · by hand/);

    // Filter by customer: type, pick from the matches.
    await page.getByLabel('Customer', { exact: true }).fill('Kiran');
    await page.locator('#reminder-customer-results').getByRole('button', { name: /Kiran Rao/ }).click();
    await page.getByRole('heading', { name: 'Reminders · Kiran Rao' }).waitFor();
    await page.waitForURL(new RegExp(`customer_id=${s.kiran.id}`));
    assert.equal(await rows.count(), 1);
    await shot(page, 'reminders-log-customer');
    await check(page, 'reminders-log-customer', found);
    // Kind filter with the customer kept.
    await page.getByLabel('Kind').selectOption('receipt');
    await page.waitForURL(/kind=receipt/);
    await page.getByText('No reminders match these filters.').waitFor();
    await page.getByRole('button', { name: 'All customers' }).click();
    await page.waitForURL((u) => !u.search.includes('customer_id') && u.search.includes('kind=receipt'));
    await rows.first().waitFor();
    assert.equal(await rows.count(), 20);

    // From the customer page.
    await page.goto(`/customers/${s.kiran.id}`);
    await page.locator('.remind-last .chip', { hasText: 'link ready' }).waitFor();
    await page.getByRole('link', { name: 'Reminder log' }).click();
    await page.getByRole('heading', { name: 'Reminders · Kiran Rao' }).waitFor();
  }
  assert.deepEqual(page.errors, []);
  await context.close();
});

// Store s sends through the fake Twilio: its settings, then (when given)
// the auth token.  The secrets' field is whatsapp_secrets {auth_token} (the
// contract); a server that still takes the single whatsapp_secret string
// gets that instead.
async function useTwilio(s, fake, sid, authToken) {
  const config = { whatsapp_provider: 'twilio', whatsapp_config: { base_url: fake.url, account_sid: sid, from: 'whatsapp:+14155238886' } };
  let r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: config });
  assert.equal(r.status, 200, r.text);
  if (!authToken) return;
  r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { whatsapp_secrets: { auth_token: authToken } } });
  if (r.status === 400 && /whatsapp_secrets/.test(r.text))
    r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { whatsapp_secret: JSON.stringify({ auth_token: authToken }) } });
  assert.equal(r.status, 200, r.text);
}

test('with a provider the reminder is sent and shows its status; a provider error and a missing setup are said plainly', async () => {
  const sid = 'AC' + 'a1'.repeat(16), authToken = 'twilio-auth-token-for-tests';
  const fake = await startFakeTwilio({ accountSid: sid, authToken, from: 'whatsapp:+14155238886' });
  try {
    const s = await seededStore();
    // Provider chosen, its auth token not given yet.
    await useTwilio(s, fake, sid, null);
    const { context, page } = await open(s, PHONE);
    await page.goto(`/customers/${s.dev.id}`);
    await page.getByRole('button', { name: 'Remind on WhatsApp' }).click();
    await page.locator('.remind-status.refused', { hasText: 'The WhatsApp provider is not set up yet: an admin can finish it in Settings.' }).waitFor();
    await page.locator('.remind-status').getByRole('link', { name: 'Open Settings' }).waitFor();
    await shotBoth(page, 'remind-provider-missing', page.locator('.remind'));

    await useTwilio(s, fake, sid, authToken);
    for (const vp of [PHONE, DESKTOP]) {
      await page.setViewportSize(vp);
      const c = vp === PHONE ? s.meera : s.kiran;
      await page.goto(`/customers/${c.id}`);
      const before_ = context.pages().length;
      await page.getByRole('button', { name: 'Remind on WhatsApp' }).click();
      const status = page.locator('.remind-status');
      await status.getByText(`Reminder to ${c.name} sent through Twilio WhatsApp.`).waitFor();
      await status.locator('.chip', { hasText: 'sent' }).waitFor();
      assert.equal(context.pages().length, before_, 'no WhatsApp tab with a provider');
      const msg = fake.messages.at(-1);
      assert.equal(msg.to, `whatsapp:${c.phone}`);
      assert.match(msg.body, new RegExp(c.name));
      await page.locator('.remind-last .chip', { hasText: 'sent' }).waitFor();
      await centre(page.locator('.remind'));
      await shot(page, 'remind-provider-sent');
      await check(page, 'remind-provider-sent', found);
    }
    // The provider refuses: the reason, and the failed chip.
    await page.setViewportSize(PHONE);
    fake.failNext({ status: 400, body: { code: 63016, message: 'Outside the allowed window', more_info: 'x', status: 400 } });
    await page.goto(`/customers/${s.dev.id}`);
    await page.getByRole('button', { name: 'Remind on WhatsApp' }).click();
    const failed = page.locator('.remind-status .remind-failed');
    await failed.waitFor();
    assert.match(await failed.innerText(), /failed[\s\S]*The reminder to Dev Malhotra could not be sent: /);
    await shotBoth(page, 'remind-provider-failed', page.locator('.remind'));
    await check(page, 'remind-provider-failed', found);
    // A failed message is not a reminder sent: a WhatsApp link still can go.
    const tab = await nextTab(context, () => page.getByRole('button', { name: 'Use a WhatsApp link instead' }).click());
    assert.equal(tab.phone, '919811100003');
    await page.locator('.remind-status').getByText('WhatsApp opened with the reminder for Dev Malhotra').waitFor();
    const devs = await reminders(s.token, `&customer_id=${s.dev.id}`);
    assert.deepEqual(devs.map((r) => `${r.channel} ${r.status}`), ['link link_ready', 'twilio failed']);
    // Remind all overdue through the provider: one action, a status each.
    const asha = await customer(s.token, { name: 'Asha Pillai', phone: '+919811100007', owes: 41000 });
    await page.goto('/');
    await page.getByRole('button', { name: 'Remind all overdue' }).click();
    const dlg = page.locator('dialog[open]');
    await dlg.getByRole('button', { name: 'Send 1 reminder' }).click();
    await dlg.getByRole('heading', { name: '1 reminder sent' }).waitFor();
    await dlg.locator('.bulk-row', { hasText: 'Asha Pillai' }).locator('.chip', { hasText: 'sent' }).waitFor();
    assert.equal(await dlg.locator('.bulk-open').count(), 0, 'no WhatsApp links with a provider');
    assert.equal(fake.messages.at(-1).to, `whatsapp:${asha.phone}`);
    await shotBoth(page, 'bulk-provider-sent');
    await check(page, 'bulk-provider-sent', found);
    await dlg.getByRole('button', { name: 'Done' }).click();
    // The log shows every status with its chip.
    await page.goto('/reminders');
    await page.locator('#reminder-list .chip-failed').waitFor();
    assert.equal(await page.locator('#reminder-list .chip-sent').count(), 3);
    assert.ok(await page.locator('#reminder-list .reminder-row[data-status=failed] .row-error').count());
    await shotBoth(page, 'reminders-log-provider');
    await check(page, 'reminders-log-provider', found);
    assert.deepEqual(page.errors, []);
    await context.close();
  } finally {
    await fake.stop();
  }
});

test('after an entry, with receipts on, the sheet offers a WhatsApp receipt; with receipts off it closes as before', async () => {
  const s = await seededStore();
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { receipts: 'link' } });
  assert.equal(r.status, 200, r.text);
  const { context, page } = await open(s, PHONE);
  const dlg = page.locator('dialog[open]');
  const cases = [[PHONE, s.kiran, '919811100002', '₹480.00'], [DESKTOP, s.meera, '919811100001', '₹2,200.50']];
  for (const [vp, c, digits, after_] of cases) {
    await page.setViewportSize(vp);
    await page.goto(`/customers/${c.id}`);
    await page.getByRole('button', { name: 'Payment received' }).click();
    await dlg.getByLabel('Amount (INR)').fill('300');
    await dlg.getByRole('button', { name: /Record payment/ }).click();
    const offer = dlg.getByRole('button', { name: 'Send receipt on WhatsApp' });
    await offer.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'btn-receipt');
    assert.equal(await dlg.locator('.done-line').innerText(), `✓ Payment of ₹300.00 recorded. Balance now ${after_}.`);
    await page.locator('#balance', { hasText: after_ }).waitFor(); // the page behind is up to date
    await shot(page, 'receipt-offer');
    await check(page, 'receipt-offer', found);
    const tab = await nextTab(context, () => offer.click());
    assert.equal(tab.phone, digits);
    assert.match(tab.text, /₹300\.00/);
    await dlg.getByText(`WhatsApp opened with the receipt for ${c.name}`).waitFor();
    await shot(page, 'receipt-opened');
    await check(page, 'receipt-opened', found);
    const made = await reminders(s.token, `&kind=receipt&customer_id=${c.id}`);
    assert.equal(made.length, 1);
    assert.equal(made[0].entry_id, (await call(s.token, 'GET', `/api/v1/transactions?customer_id=${c.id}&type=payment`)).data[0].id);
    await dlg.getByRole('button', { name: 'Done' }).click();
    await dlg.waitFor({ state: 'detached' });
  }

  // Receipts off: the sheet closes after recording, no offer.
  assert.equal((await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { receipts: 'off' } })).status, 200);
  await page.reload();
  await page.getByRole('button', { name: 'Purchase on credit' }).click();
  await dlg.getByLabel('Amount (INR)').fill('10');
  await dlg.getByRole('button', { name: /Record purchase/ }).click();
  await dlg.waitFor({ state: 'detached' });
  await page.locator('#balance', { hasText: '₹2,210.50' }).waitFor();
  assert.equal((await reminders(s.token, '&kind=receipt')).length, 2);
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('no accessibility problems on the reminder screens and dialogs', () => {
  assert.deepEqual(found, [], `${found.length} accessibility problems:\n${found.join('\n')}`);
});
