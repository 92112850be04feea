// Settings screen, reminders and WhatsApp provider: the template editor with
// a live preview rendered by the server for a real customer, the language
// switch, an unknown placeholder named next to the field, and provider
// secrets that show only as set or not set.  Screenshots at 360×640 and
// 1280×800.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setup, newPage, signIn, shot, apiToken, OWNER, PHONE, DESKTOP } from './helpers.mjs';

let srv, browser;

before(async () => { ({ srv, browser } = await setup()); });
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// Scroll so that the element is at the top, under the sticky app bar.
const toTop = (loc) => loc.evaluate((el) => { el.scrollIntoView({ block: 'start' }); window.scrollBy(0, -60); });
const settings = async () => (await srv.api('GET', '/api/v1/settings', { token: await apiToken(srv, OWNER) })).json;

test('reminders: the preview renders the template for a customer who owes, follows the typing and the language, and names an unknown placeholder', async () => {
  for (const vp of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, vp);
    await signIn(page, OWNER, 'quantumtrack', '/settings?section=reminders');
    const form = page.getByRole('form', { name: 'Reminders' });
    await form.waitFor();
    const bubble = form.locator('.bubble');
    await bubble.filter({ hasText: /₹/ }).waitFor();
    const who = (await form.getByLabel('Preview for customer').locator('option:checked').textContent()).split(' · ')[0];
    assert.match(await bubble.textContent(), new RegExp(who));
    await shot(page, 'settings-reminders');
    await toTop(form.locator('.field[data-field="reminder_template"]'));
    await shot(page, 'settings-reminders-preview');

    // A custom message: the preview follows it.
    await form.getByLabel('Use the built-in message').uncheck();
    const tpl = form.getByLabel('Reminder message');
    await tpl.fill('Namaste {name}, please pay ');
    await form.getByRole('button', { name: '{balance}' }).click();
    await tpl.press('End');
    await tpl.pressSequentially(' at {store}.');
    await bubble.filter({ hasText: `Namaste ${who}, please pay ₹` }).waitFor();
    assert.match(await bubble.textContent(), /^Namaste .+, please pay ₹[\d,]+\.\d\d at QuantumTrack\.$/);
    await toTop(form.locator('.field[data-field="reminder_template"]'));
    await shot(page, 'settings-template-custom');

    // An unknown placeholder is named next to the field.
    await tpl.fill('Hi {nmae}, you owe {balance}');
    const err = form.locator('.field[data-field="reminder_template"] .field-error');
    await err.filter({ hasText: '{nmae}' }).waitFor();
    await toTop(form.locator('.field[data-field="reminder_template"]'));
    await shot(page, 'settings-template-error');

    // Back to the built-in text, in Hindi.
    await form.getByLabel('Use the built-in message').check();
    await form.getByText('हिन्दी (Hindi)').click();
    await bubble.filter({ hasText: /[\u0900-\u097f]/ }).waitFor();
    assert.match(await tpl.inputValue(), /[\u0900-\u097f]/, 'the editor shows the Hindi built-in text');
    assert.equal(await tpl.getAttribute('readonly'), '');
    await toTop(form.locator('.field[data-field="reminder_template"]'));
    await shot(page, 'settings-reminders-hindi');
    assert.deepEqual(page.errors, []);
    await context.close();
  }
});

test('reminders: saving the language, template, schedule, quiet hours, UPI id and receipts', async () => {
  const { context, page } = await newPage(browser, srv, PHONE);
  await signIn(page, OWNER, 'quantumtrack', '/settings');
  await page.getByText('Reminders', { exact: true }).click();
  const form = page.getByRole('form', { name: 'Reminders' });
  await form.waitFor();
  assert.match(page.url(), /section=reminders/);
  await form.getByText('हिन्दी (Hindi)').click();
  await form.getByLabel('Use the built-in message').uncheck();
  await form.getByLabel('Reminder message').fill('नमस्ते {name}, कृपया {balance} चुकाएँ।\nUPI: {upi_link}');
  await form.getByLabel('Store UPI id (optional)').fill('bad upi');
  await form.getByLabel('Remind overdue customers automatically').check();
  await form.getByLabel('At', { exact: true }).selectOption('11');
  await form.getByLabel('Days between reminders').fill('3');
  await form.getByLabel('Overdue for at least (days)').fill('5');
  await form.getByLabel(/Overdue at least/).fill('500');
  await form.getByLabel('Quiet from').selectOption('22');
  await form.getByLabel('until').selectOption('8');
  await form.getByLabel('Offer a WhatsApp receipt after each entry').check();
  await form.getByRole('button', { name: 'Save reminder settings' }).click();
  await form.locator('.field[data-field="upi_id"] .field-error').filter({ hasText: 'UPI' }).waitFor();
  await form.getByLabel('Store UPI id (optional)').fill('quantumtrack@okhdfc');
  await form.getByRole('button', { name: 'Save reminder settings' }).click();
  await page.locator('.toast.show', { hasText: 'Reminder settings saved' }).waitFor();
  const s = await settings();
  assert.equal(s.reminder_language, 'hi');
  assert.equal(s.reminder_template, 'नमस्ते {name}, कृपया {balance} चुकाएँ।\nUPI: {upi_link}');
  assert.equal(s.upi_id, 'quantumtrack@okhdfc');
  assert.deepEqual(s.reminder_schedule, { enabled: true, hour: 11, interval_days: 3, min_overdue_days: 5, min_amount_minor: 50000 });
  assert.equal(s.quiet_hours_start, 22);
  assert.equal(s.quiet_hours_end, 8);
  assert.equal(s.receipts, 'link');
  // The preview now carries the UPI link.
  await form.locator('.bubble').filter({ hasText: 'upi://pay?pa=quantumtrack@okhdfc' }).waitFor();
  await toTop(form.locator('.preview'));
  await shot(page, 'settings-reminders-saved');
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('WhatsApp provider: config per provider, secrets as password inputs that say set or not set, never their values', async () => {
  const token = 'EAAG' + randomBytes(12).toString('hex');
  const verify = 'verify' + randomBytes(8).toString('hex');
  for (const vp of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, vp);
    await signIn(page, OWNER, 'quantumtrack', '/settings?section=whatsapp');
    const form = page.getByRole('form', { name: 'WhatsApp provider' });
    await form.waitFor();
    if (vp === PHONE) {
      await form.getByText('WhatsApp Cloud API').click();
      await form.getByLabel('API version').fill('v21.0');
      await form.getByLabel('Phone number ID').fill('1098765432');
      await form.getByLabel('Message template name').fill('payment_due');
      await form.getByLabel('Template language').fill('hi');
      await form.getByLabel('Template parameters').fill('name, balanse');
      const access = form.getByLabel(/Access token/);
      assert.equal(await access.getAttribute('type'), 'password');
      await access.fill(token);
      await form.getByLabel(/Webhook verify token/).fill(verify);
      await form.getByRole('button', { name: 'Save provider' }).click();
      await form.locator('.field[data-field="whatsapp_config.template_params"] .field-error').waitFor();
      await shot(page, 'settings-whatsapp-error');
      await form.getByLabel('Template parameters').fill('name, balance');
      await form.getByRole('button', { name: 'Save provider' }).click();
      await page.locator('.toast.show', { hasText: 'Provider saved' }).waitFor();
    }
    await form.locator('[data-secret="access_token"]', { hasText: 'set' }).waitFor();
    assert.equal(await form.locator('[data-secret="access_token"]').textContent(), 'set');
    assert.equal(await form.locator('[data-secret="verify_token"]').textContent(), 'set');
    assert.equal(await form.locator('[data-secret="app_secret"]').textContent(), 'not set');
    assert.equal(await form.getByLabel(/Access token/).inputValue(), '', 'a secret is never filled back in');
    await form.locator('.webhook code', { hasText: '/api/v1/webhooks/whatsapp/quantumtrack' }).waitFor();
    const html = await page.content();
    assert.ok(!html.includes(token) && !html.includes(verify), 'a secret in the page');
    await shot(page, 'settings-whatsapp');
    if (vp === DESKTOP) {
      // Twilio shows its own fields; link needs nothing.
      await form.getByText('Twilio', { exact: true }).click();
      await form.getByLabel('Account SID').waitFor();
      assert.equal(await form.locator('[data-secret="auth_token"]').textContent(), 'not set');
      await shot(page, 'settings-whatsapp-twilio');
      await form.getByText('WhatsApp link', { exact: true }).click();
      await form.getByText('Nothing to set up').waitFor();
    }
    assert.deepEqual(page.errors, []);
    await context.close();
  }
  const s = await settings();
  assert.equal(s.whatsapp_provider, 'whatsapp_cloud');
  assert.deepEqual(s.whatsapp_config, { api_version: 'v21.0', phone_number_id: '1098765432', template_name: 'payment_due', template_language: 'hi', template_params: ['name', 'balance'] });
  assert.deepEqual(s.whatsapp_secrets_set, ['access_token', 'verify_token']);
});
