// Reminder and provider settings: language, template (null = built-in),
// schedule merged member by member, quiet hours, receipts, the provider with
// its config, and write-only secrets merged into one sealed object that no
// response, audit row, log line or database byte shows.  The preview renders
// a template for a real customer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startServer, newStore, addUser, login } from '../lib/server.mjs';
import { assertProblem } from '../lib/foundation.mjs';
import { customer, purchase } from '../lib/ledger.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const TWILIO = { account_sid: 'AC0123456789abcdef', from: 'whatsapp:+14155238886' };
const CLOUD = { api_version: 'v21.0', phone_number_id: '1098765432', template_name: 'payment_due',
  template_language: 'en', template_params: ['name', 'balance', 'upi_link'] };

const patch = (s, body) => srv.api('PATCH', '/api/v1/settings', { token: s.token, body });
const get = async (s) => (await srv.api('GET', '/api/v1/settings', { token: s.token })).json;

// Everything stored, as raw text: the SQLite files' bytes, or a superuser
// dump of the settings and audit tables on PostgreSQL.
function storedText() {
  if (srv.backend === 'postgres') {
    const u = new URL(process.env.QT_PG_ADMIN_URL);
    u.pathname = new URL(srv.db).pathname;
    return execFileSync('psql', [u.toString(), '-qAtc',
      "SELECT string_agg(t::text, E'\\n') FROM tenant_settings t UNION ALL SELECT string_agg(a::text, E'\\n') FROM audit_log a"],
    { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  }
  return readdirSync(srv.dir).filter((f) => f.startsWith('qt.db')).map((f) => readFileSync(join(srv.dir, f)).toString('latin1')).join('\n');
}

async function auditAfter(s) {
  const au = await srv.api('GET', '/api/v1/audit?entity=settings&limit=1', { token: s.token });
  assert.equal(au.status, 200, au.text);
  return au;
}

test('every reminder and provider setting is validated, 422 naming the field, and a refused PATCH changes nothing', async () => {
  const s = await newStore(srv);
  const before = await get(s);
  const cases = [
    [{ reminder_language: 'fr' }, 'reminder_language'], [{ reminder_language: 'EN' }, 'reminder_language'],
    [{ reminder_language: 5 }, 'reminder_language'],
    [{ reminder_template: '' }, 'reminder_template'], [{ reminder_template: '   ' }, 'reminder_template'],
    [{ reminder_template: 'Hi {amout}' }, 'reminder_template'], [{ reminder_template: 'Paid {amount}' }, 'reminder_template'],
    [{ reminder_template: 'Hi {name' }, 'reminder_template'], [{ reminder_template: 'x'.repeat(1001) }, 'reminder_template'],
    [{ reminder_template: 7 }, 'reminder_template'],
    [{ reminder_schedule: { hour: 24 } }, 'reminder_schedule.hour'], [{ reminder_schedule: { hour: -1 } }, 'reminder_schedule.hour'],
    [{ reminder_schedule: { hour: 9.5 } }, 'reminder_schedule.hour'], [{ reminder_schedule: { hour: null } }, 'reminder_schedule.hour'],
    [{ reminder_schedule: { enabled: 'yes' } }, 'reminder_schedule.enabled'],
    [{ reminder_schedule: { interval_days: 0 } }, 'reminder_schedule.interval_days'],
    [{ reminder_schedule: { interval_days: 366 } }, 'reminder_schedule.interval_days'],
    [{ reminder_schedule: { min_overdue_days: -1 } }, 'reminder_schedule.min_overdue_days'],
    [{ reminder_schedule: { min_amount_minor: -1 } }, 'reminder_schedule.min_amount_minor'],
    [{ reminder_schedule: { every: 'day' } }, 'reminder_schedule'],
    [{ reminder_schedule: [] }, 'reminder_schedule'], [{ reminder_schedule: null }, 'reminder_schedule'],
    [{ quiet_hours_start: 24 }, 'quiet_hours_start'], [{ quiet_hours_start: '21' }, 'quiet_hours_start'],
    [{ quiet_hours_end: -1 }, 'quiet_hours_end'], [{ quiet_hours_end: 8.5 }, 'quiet_hours_end'],
    [{ receipts: 'on' }, 'receipts'], [{ receipts: true }, 'receipts'],
    [{ upi_id: 'a@okhdfc' }, 'upi_id'], [{ upi_id: 'shop@ok_hdfc' }, 'upi_id'], [{ upi_id: 5 }, 'upi_id'],
    [{ whatsapp_provider: 'telegram' }, 'whatsapp_provider'], [{ whatsapp_provider: null }, 'whatsapp_provider'],
    // The link channel takes no config and no secrets.
    [{ whatsapp_config: { account_sid: 'AC1' } }, 'whatsapp_config'],
    [{ whatsapp_secrets: { auth_token: 'tok' } }, 'whatsapp_secrets'],
    [{ whatsapp_secrets: 'tok' }, 'whatsapp_secrets'],
    // Switching needs a config that fits the new provider.
    [{ whatsapp_provider: 'twilio' }, 'whatsapp_config'],
    [{ whatsapp_provider: 'whatsapp_cloud' }, 'whatsapp_config'],
    [{ whatsapp_provider: 'twilio', whatsapp_config: { from: TWILIO.from } }, 'whatsapp_config.account_sid'],
    [{ whatsapp_provider: 'twilio', whatsapp_config: { account_sid: 'AC1' } }, 'whatsapp_config.from'],
    [{ whatsapp_provider: 'twilio', whatsapp_config: { ...TWILIO, from: '+14155238886' } }, 'whatsapp_config.from'],
    [{ whatsapp_provider: 'twilio', whatsapp_config: { ...TWILIO, phone_number_id: '1' } }, 'whatsapp_config.phone_number_id'],
    [{ whatsapp_provider: 'twilio', whatsapp_config: { ...TWILIO, base_url: 'ftp://x' } }, 'whatsapp_config.base_url'],
    [{ whatsapp_provider: 'whatsapp_cloud', whatsapp_config: { ...CLOUD, phone_number_id: '../me' } }, 'whatsapp_config.phone_number_id'],
    [{ whatsapp_provider: 'whatsapp_cloud', whatsapp_config: { ...CLOUD, template_params: ['amout'] } }, 'whatsapp_config.template_params'],
    [{ whatsapp_provider: 'twilio', whatsapp_config: TWILIO, whatsapp_secrets: { access_token: 'tok' } }, 'whatsapp_secrets.access_token'],
    [{ whatsapp_provider: 'twilio', whatsapp_config: TWILIO, whatsapp_secrets: { auth_token: 'has space' } }, 'whatsapp_secrets.auth_token'],
    [{ whatsapp_provider: 'twilio', whatsapp_config: TWILIO, whatsapp_secrets: { auth_token: '' } }, 'whatsapp_secrets.auth_token'],
    [{ whatsapp_provider: 'twilio', whatsapp_config: TWILIO, whatsapp_secrets: { auth_token: 5 } }, 'whatsapp_secrets.auth_token'],
  ];
  for (const [body, field] of cases) {
    const r = await patch(s, { credit_period_days: 3, ...body });
    assertProblem(r, 422, 'validation_failed', field);
  }
  assert.deepEqual(await get(s), before);
});

test('a template with an unknown placeholder is refused when saved, naming the placeholder', async () => {
  const s = await newStore(srv);
  const r = await patch(s, { reminder_template: 'Namaste {name}, please pay {balanse} to {store}.' });
  assertProblem(r, 422, 'validation_failed', 'reminder_template');
  assert.match(r.json.errors[0].message, /\{balanse\}/);
  assert.match(r.json.errors[0].message, /\{balance\}/, 'the message lists the placeholders there are');
  const receipt = await patch(s, { reminder_template: 'You paid {amount}' });
  assertProblem(receipt, 422, 'validation_failed', 'reminder_template');
  assert.match(receipt.json.errors[0].message, /receipt/);
});

test('a null template is the built-in one of the language; a custom one is kept as written', async () => {
  const s = await newStore(srv);
  const custom = 'Hi {name}, {store} says: {balance} due.\n{{not a placeholder}}';
  let r = await patch(s, { reminder_template: custom });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.reminder_template, custom);
  r = await patch(s, { reminder_template: null });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.reminder_template, null);
  const en = r.json.reminder_template_builtin;
  assert.match(en, /\{name\}/);
  assert.match(en, /\{balance\}/);
  r = await patch(s, { reminder_language: 'hi' });
  assert.equal(r.json.reminder_language, 'hi');
  assert.equal(r.json.reminder_template, null);
  assert.notEqual(r.json.reminder_template_builtin, en);
  assert.match(r.json.reminder_template_builtin, /[\u0900-\u097f]/);
  // The audit row records the change of template and language.
  await patch(s, { reminder_template: custom });
  const au = (await auditAfter(s)).json.data[0];
  assert.equal(au.action, 'settings.updated');
  assert.equal(au.after.reminder_template, custom);
  assert.equal(au.after.reminder_language, 'hi');
  assert.equal(au.before.reminder_template, '');
});

test('the schedule is merged member by member and always read back whole', async () => {
  const s = await newStore(srv);
  let r = await patch(s, { reminder_schedule: { enabled: true } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.reminder_schedule, { enabled: true, hour: 10, interval_days: 7, min_overdue_days: 0, min_amount_minor: 0 });
  r = await patch(s, { reminder_schedule: { hour: 8, min_amount_minor: 50000 } });
  assert.deepEqual(r.json.reminder_schedule, { enabled: true, hour: 8, interval_days: 7, min_overdue_days: 0, min_amount_minor: 50000 });
  r = await patch(s, { reminder_schedule: {}, quiet_hours_start: 22, quiet_hours_end: 6 });
  assert.deepEqual(r.json.reminder_schedule, { enabled: true, hour: 8, interval_days: 7, min_overdue_days: 0, min_amount_minor: 50000 });
  assert.equal(r.json.quiet_hours_start, 22);
  assert.equal(r.json.quiet_hours_end, 6);
  // A refused member leaves the others as they were too.
  assertProblem(await patch(s, { reminder_schedule: { interval_days: 3, hour: 99 } }), 422, 'validation_failed', 'reminder_schedule.hour');
  assert.equal((await get(s)).reminder_schedule.interval_days, 7);
  const au = (await auditAfter(s)).json.data[0];
  assert.deepEqual(au.after.reminder_schedule, { enabled: true, hour: 8, interval_days: 7, min_overdue_days: 0, min_amount_minor: 50000 });
  r = await patch(s, { receipts: 'link' });
  assert.equal(r.json.receipts, 'link');
  r = await patch(s, { receipts: 'off', upi_id: 'asha.k-99@ybl' });
  assert.equal(r.json.receipts, 'off');
  assert.equal(r.json.upi_id, 'asha.k-99@ybl');
  r = await patch(s, { upi_id: null });
  assert.equal(r.json.upi_id, null);
});

test('secrets are merged into the sealed object (null removes one) and appear nowhere: responses, audit, logs, database', async () => {
  const s = await newStore(srv);
  const token = 'EAAG' + randomBytes(16).toString('hex');
  const appSecret = 'appsecret' + randomBytes(12).toString('hex');
  const verify = 'verify' + randomBytes(12).toString('hex');
  const secrets = [token, appSecret, verify];
  let r = await patch(s, { whatsapp_provider: 'whatsapp_cloud', whatsapp_config: CLOUD,
    whatsapp_secrets: { access_token: token, app_secret: appSecret } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.whatsapp_secrets_set, ['access_token', 'app_secret']);
  assert.deepEqual(r.json.whatsapp_config, CLOUD);
  r = await patch(s, { whatsapp_secrets: { verify_token: verify } });
  assert.deepEqual(r.json.whatsapp_secrets_set, ['access_token', 'app_secret', 'verify_token']);
  // The verify token works (and so the merge kept every value, not just names).
  const hook = (t) => srv.api('GET', `/api/v1/webhooks/whatsapp/${s.slug}?hub.mode=subscribe&hub.verify_token=${t}&hub.challenge=c-123`);
  let h = await hook(verify);
  assert.equal(h.status, 200, h.text);
  assert.equal(h.text, 'c-123');
  r = await patch(s, { whatsapp_secrets: { app_secret: null, access_token: token + 'x' } });
  assert.deepEqual(r.json.whatsapp_secrets_set, ['access_token', 'verify_token']);
  h = await hook(verify);
  assert.equal(h.status, 200, 'removing one secret keeps the others');
  const g = await srv.api('GET', '/api/v1/settings', { token: s.token });
  assert.deepEqual(g.json.whatsapp_secrets_set, ['access_token', 'verify_token']);
  assert.equal(g.json.whatsapp_secrets_readable, true);
  // The audit rows show provider, config and which secrets are set.
  const au = await srv.api('GET', '/api/v1/audit?entity=settings&limit=10', { token: s.token });
  assert.equal(au.json.data[0].after.whatsapp_provider, 'whatsapp_cloud');
  assert.deepEqual(au.json.data[0].after.whatsapp_config, CLOUD);
  assert.deepEqual(au.json.data[0].before.whatsapp_secrets_set, ['access_token', 'app_secret', 'verify_token']);
  assert.deepEqual(au.json.data[0].after.whatsapp_secrets_set, ['access_token', 'verify_token']);
  assert.deepEqual(au.json.data[0].after.whatsapp_secrets_changed, ['access_token', 'app_secret'],
    'a secret replaced by another value is recorded as changed, by name');
  assert.ok(!('whatsapp_secrets_changed' in au.json.data[0].before));
  const all = await srv.api('GET', '/api/v1/audit?limit=200', { token: s.token });
  const stored = storedText();
  for (const v of [...secrets, token + 'x']) {
    assert.ok(!r.text.includes(v) && !g.text.includes(v), 'a secret in a response');
    assert.ok(!all.text.includes(v), 'a secret in the audit log');
    assert.ok(!srv.log.includes(v) && !srv.accessLog.includes(v), 'a secret in the server log');
    assert.ok(!stored.includes(v), 'a secret stored in clear');
  }
});

test('switching provider: the config must fit the new one; other secrets are dropped; link clears both', async () => {
  const s = await newStore(srv);
  let r = await patch(s, { whatsapp_provider: 'whatsapp_cloud', whatsapp_config: CLOUD, whatsapp_secrets: { access_token: 'tok-1' } });
  assert.equal(r.status, 200, r.text);
  const before = await get(s);
  // The stored config is the Cloud's: Twilio without its own config is refused.
  r = await patch(s, { whatsapp_provider: 'twilio' });
  assertProblem(r, 422, 'validation_failed', 'whatsapp_config');
  assert.match(r.json.errors[0].message, /twilio/);
  // A Cloud config for the current provider is checked against it, not Twilio's.
  assertProblem(await patch(s, { whatsapp_config: TWILIO }), 422, 'validation_failed', 'whatsapp_config.account_sid');
  assert.deepEqual(await get(s), before);
  // Sending the same provider again changes nothing about its secrets.
  r = await patch(s, { whatsapp_provider: 'whatsapp_cloud' });
  assert.deepEqual(r.json.whatsapp_secrets_set, ['access_token']);
  r = await patch(s, { whatsapp_provider: 'twilio', whatsapp_config: TWILIO, whatsapp_secrets: { auth_token: 'tw-1' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.whatsapp_provider, 'twilio');
  assert.deepEqual(r.json.whatsapp_config, TWILIO);
  assert.deepEqual(r.json.whatsapp_secrets_set, ['auth_token'], "the Cloud's token is dropped");
  r = await patch(s, { whatsapp_provider: 'link' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.whatsapp_config, {});
  assert.deepEqual(r.json.whatsapp_secrets_set, []);
  // Back to Twilio with config and no secrets: configured but not set.
  r = await patch(s, { whatsapp_provider: 'twilio', whatsapp_config: TWILIO });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.whatsapp_secrets_set, []);
});

test('the preview renders a template for a real customer without saving it', async () => {
  const s = await newStore(srv, { name: 'Sharma General Store' });
  await patch(s, { upi_id: 'sharma@okhdfc' });
  const c = await customer(srv, s.token, { name: 'Asha Verma' });
  await purchase(srv, s.token, c.id, 123450);
  const before = await get(s);
  const preview = (body) => srv.api('POST', '/api/v1/settings/reminder-preview', { token: s.token, body });
  let r = await preview({ customer_id: c.id, reminder_template: 'Hi {name}, {store} says you owe {balance}.' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.message, 'Hi Asha Verma, Sharma General Store says you owe ₹1,234.50.');
  assert.equal(r.json.customer_id, c.id);
  assert.equal(r.json.customer_name, 'Asha Verma');
  assert.equal(r.json.builtin, false);
  assert.equal(r.json.characters, [...r.json.message].length);
  // A UPI link for a store with a UPI id; an empty optional line is left out.
  r = await preview({ customer_id: c.id, reminder_template: 'Pay {balance}\nUPI: {upi_link}\nOverdue: {overdue}' });
  assert.match(r.json.message, /^Pay ₹1,234\.50\nUPI: upi:\/\/pay\?pa=sharma@okhdfc&pn=Sharma%20General%20Store&am=1234\.50&cu=INR/);
  assert.ok(!r.json.message.includes('Overdue'), 'nothing is overdue yet: the line is left out');
  // null and no template: the built-in one, of the language asked for.
  r = await preview({ customer_id: c.id, reminder_template: null, reminder_language: 'hi' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.builtin, true);
  assert.equal(r.json.reminder_language, 'hi');
  assert.match(r.json.message, /Asha Verma/);
  assert.match(r.json.message, /₹1,234\.50/);
  assert.match(r.json.message, /[\u0900-\u097f]/);
  // The template used comes back too: the editor shows the built-in text of a language not saved yet.
  assert.match(r.json.template, /[\u0900-\u097f]/);
  assert.match(r.json.template, /\{name\}/);
  r = await preview({ customer_id: c.id });
  assert.equal(r.json.template, before.reminder_template_builtin);
  assert.equal(r.json.builtin, true);
  assert.equal(r.json.reminder_language, 'en');
  // Refusals name the field; an unknown customer is 404; nothing was saved.
  assertProblem(await preview({ customer_id: c.id, reminder_template: 'Hi {nam}' }), 422, 'validation_failed', 'reminder_template');
  assertProblem(await preview({ customer_id: c.id, reminder_language: 'ta' }), 422, 'validation_failed', 'reminder_language');
  assertProblem(await preview({}), 422, 'validation_failed', 'customer_id');
  assertProblem(await preview({ customer_id: '00000000-0000-7000-8000-000000000000' }), 404, 'not_found');
  assertProblem(await preview({ customer_id: 'nope' }), 404, 'not_found');
  assert.deepEqual(await get(s), before);
  const m = addUser(srv, { tenant: s.slug, email: `m@${s.slug}.example`, role: 'member' });
  const ml = await login(srv, s.slug, m.email, m.password);
  assertProblem(await srv.api('POST', '/api/v1/settings/reminder-preview', { token: ml.access_token, body: { customer_id: c.id } }), 403, 'forbidden');
});
