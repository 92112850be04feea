// Reminders through the real provider clients against fake WhatsApp Cloud
// and Twilio servers on loopback: sends carry the right amount and UPI
// link, failures are recorded with the provider's code, signed webhooks
// move statuses forward only, unsigned or forged ones change nothing,
// STOP/START opt a customer out and in, the schedule honours quiet hours
// and the 24-hour rule, and two serve processes never send one reminder
// twice.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { startServer, newStore, createPostgresDatabase, dropPostgresDatabase, BACKEND, BIN } from '../lib/server.mjs';
import { assertProblem, sleep } from '../lib/foundation.mjs';
import { startFakeCloud, cloudError } from '../fakes/whatsapp_cloud.mjs';
import { startFakeTwilio } from '../fakes/twilio.mjs';

const PUBLIC = 'https://shop.example.com';
const FAST = { QT_PROVIDER_TIMEOUT_MS: '2000', QT_PROVIDER_BACKOFF_MS: '20', QT_PUBLIC_URL: PUBLIC, QT_REMINDER_TICK_S: '0' };
const CLOUD = { token: 'cloud-token-' + randomUUID(), phoneNumberId: '1098765432', apiVersion: 'v21.0' };
const APP_SECRET = 'meta-app-secret-' + randomUUID();
const TWILIO = { accountSid: 'AC' + '0123456789abcdef'.repeat(2), authToken: 'twilio-auth-' + randomUUID().replace(/-/g, '') };

let srv, cloud, twilio;
before(async () => {
  cloud = await startFakeCloud(CLOUD);
  twilio = await startFakeTwilio({ ...TWILIO, from: 'whatsapp:+14155238886' });
  srv = await startServer({ env: FAST });
});
after(async () => {
  await srv?.stop();
  await cloud?.stop();
  await twilio?.stop();
});

let seq = 0;
const phone = () => `97${String(Date.now() % 1e6).padStart(6, '0')}${String(seq++ % 100).padStart(2, '0')}`;
const DAY = 86400000;

async function cloudStore(s = null) {
  s ??= await newStore(srv);
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: {
    upi_id: 'shop@okhdfc', whatsapp_provider: 'whatsapp_cloud',
    whatsapp_config: { base_url: cloud.url, api_version: CLOUD.apiVersion, phone_number_id: CLOUD.phoneNumberId,
      template_name: 'payment_due', template_language: 'en', template_params: ['name', 'balance', 'upi_link'] },
    whatsapp_secrets: { access_token: CLOUD.token, app_secret: APP_SECRET, verify_token: 'verify-me-please' },
  } });
  assert.equal(r.status, 200, r.text);
  return s;
}

async function twilioStore() {
  const s = await newStore(srv);
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: {
    whatsapp_provider: 'twilio',
    whatsapp_config: { base_url: twilio.url, account_sid: TWILIO.accountSid, from: 'whatsapp:+14155238886' },
    whatsapp_secrets: { auth_token: TWILIO.authToken },
  } });
  assert.equal(r.status, 200, r.text);
  return s;
}

async function owing(s, name, amount = 150000, server = srv) {
  const c = await server.api('POST', '/api/v1/customers', { token: s.token, body: { name, phone: phone() } });
  assert.equal(c.status, 201, c.text);
  const t = await server.api('POST', '/api/v1/transactions', { token: s.token, body: {
    customer_id: c.json.id, type: 'purchase', amount_minor: amount, occurred_at: new Date(Date.now() - 40 * DAY).toISOString(),
    ...(amount > 500000 ? { override: true, override_reason: 'test' } : {}) } });
  assert.equal(t.status, 201, t.text);
  return c.json;
}

const metaSign = (body, secret = APP_SECRET) => 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
function twilioSign(url, params, token = TWILIO.authToken) {
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  return createHmac('sha1', token).update(data).digest('base64');
}
const form = (params) => new URLSearchParams(params).toString();

// The CLI without blocking this process: the fake providers answer from
// this event loop.
function cli(args) {
  return new Promise((resolve) => {
    execFile(BIN, args, { env: { ...srv.env, QT_DB: srv.ownerDb } }, (err, stdout, stderr) =>
      resolve({ code: err ? (err.code ?? 1) : 0, stdout, stderr }));
  });
}

async function metaHook(s, payload, { sign = true, signature } = {}) {
  const body = JSON.stringify(payload);
  const headers = { 'Content-Type': 'application/json' };
  if (sign) headers['X-Hub-Signature-256'] = signature ?? metaSign(body);
  return srv.api('POST', `/api/v1/webhooks/whatsapp/${s.slug}`, { raw: body, headers });
}
const statusPayload = (id, status, extra = {}) => ({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages',
  value: { messaging_product: 'whatsapp', metadata: { phone_number_id: CLOUD.phoneNumberId }, statuses: [{ id, status, timestamp: String(Math.floor(Date.now() / 1000)), recipient_id: '919876543210', ...extra }] } }] }] });
const inboundPayload = (from, text) => ({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages',
  value: { messaging_product: 'whatsapp', metadata: { phone_number_id: CLOUD.phoneNumberId }, contacts: [{ wa_id: from.replace('+', '') }],
    messages: [{ from: from.replace('+', ''), id: 'wamid.IN' + randomUUID(), timestamp: '1', type: 'text', text: { body: text } }] } }] }] });

const reminderOf = async (s, id) => (await srv.api('GET', `/api/v1/reminders?limit=200`, { token: s.token })).json.data.find((m) => m.id === id);

test('WhatsApp Cloud: a reminder is sent as the template with name, rupee balance and UPI link, and recorded sent', async () => {
  const s = await cloudStore();
  const c = await owing(s, 'Cloud Customer', 12345650);
  const before = cloud.messages.length;
  const r = await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: s.token, body: {} });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.channel, 'whatsapp_cloud');
  assert.equal(r.json.status, 'sent');
  assert.equal(cloud.messages.length, before + 1);
  const m = cloud.messages.at(-1);
  assert.equal(r.json.provider_message_id, m.id);
  assert.equal(m.to, c.phone.replace('+', ''));
  assert.equal(m.name, 'payment_due');
  assert.deepEqual(m.params.slice(0, 2), ['Cloud Customer', '₹1,23,456.50']);
  assert.match(m.params[2], /^upi:\/\/pay\?pa=shop@okhdfc&.*am=123456\.50&cu=INR/);
  assert.deepEqual(cloud.rejections, []);
});

test('WhatsApp Cloud: a refusal is recorded failed with the code and a clear message; 24 h then applies only to sent ones', async () => {
  const s = await cloudStore();
  const c = await owing(s, 'Window Closed');
  cloud.failNext({ status: 400, body: cloudError(131047, 'Re-engagement message'), times: 1 });
  const r = await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: s.token, body: {} });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'failed');
  assert.equal(r.json.error_code, '131047');
  assert.match(r.json.error_message, /24 hours/);
  // A failed send does not count for the 24-hour rule: it can be retried.
  const again = await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: s.token, body: {} });
  assert.equal(again.status, 201, again.text);
  assert.equal(again.json.status, 'sent');
  assertProblem(await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: s.token, body: { channel: 'link' } }), 409, 'reminded_recently');
});

test('WhatsApp Cloud webhooks: signed statuses move forward only; unsigned, forged and altered bodies are 401 and change nothing', async () => {
  const s = await cloudStore();
  const c = await owing(s, 'Status Person');
  const r = await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: s.token, body: {} });
  const pid = r.json.provider_message_id;
  assert.equal((await metaHook(s, statusPayload(pid, 'delivered'))).status, 204);
  assert.equal((await reminderOf(s, r.json.id)).status, 'delivered');
  // Refused: no signature, a signature with another secret, a signed body then altered.
  assertProblem(await metaHook(s, statusPayload(pid, 'read'), { sign: false }), 401, 'invalid_signature');
  assertProblem(await metaHook(s, statusPayload(pid, 'read'), { signature: metaSign(JSON.stringify(statusPayload(pid, 'read')), 'wrong') }), 401, 'invalid_signature');
  const signedFor = metaSign(JSON.stringify(statusPayload(pid, 'delivered')));
  assertProblem(await metaHook(s, statusPayload(pid, 'read'), { signature: signedFor }), 401, 'invalid_signature');
  assertProblem(await metaHook(s, statusPayload(pid, 'read'), { signature: 'sha256=' + '0'.repeat(64) }), 401, 'invalid_signature');
  assert.equal((await reminderOf(s, r.json.id)).status, 'delivered');
  // read, then a late delivered: stays read.  An unknown id is accepted and ignored.
  assert.equal((await metaHook(s, statusPayload(pid, 'read'))).status, 204);
  assert.equal((await metaHook(s, statusPayload(pid, 'delivered'))).status, 204);
  assert.equal((await reminderOf(s, r.json.id)).status, 'read');
  assert.equal((await metaHook(s, statusPayload('wamid.unknown', 'read'))).status, 204);
  // Another store's slug with this body and signature is refused.
  const other = await newStore(srv);
  const body = JSON.stringify(statusPayload(pid, 'failed'));
  const x = await srv.api('POST', `/api/v1/webhooks/whatsapp/${other.slug}`, { raw: body, headers: { 'Content-Type': 'application/json', 'X-Hub-Signature-256': metaSign(body) } });
  assertProblem(x, 401, 'invalid_signature');
  assert.equal((await reminderOf(s, r.json.id)).status, 'read');
  const audit = await srv.api('GET', '/api/v1/audit?limit=200', { token: s.token });
  assert.ok(audit.json.data.some((e) => e.action === 'reminder.status_changed' && e.entity_id === r.json.id));
});

test('WhatsApp Cloud: a failed status carries its code; the subscription check answers the challenge only to the right token', async () => {
  const s = await cloudStore();
  const c = await owing(s, 'Undeliverable');
  const r = await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: s.token, body: {} });
  const res = await metaHook(s, statusPayload(r.json.provider_message_id, 'failed', { errors: [{ code: 131026, title: 'Message undeliverable' }] }));
  assert.equal(res.status, 204, res.text);
  const m = await reminderOf(s, r.json.id);
  assert.equal(m.status, 'failed');
  assert.equal(m.error_code, '131026');
  const ok = await srv.api('GET', `/api/v1/webhooks/whatsapp/${s.slug}?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=12345`);
  assert.equal(ok.status, 200);
  assert.equal(ok.text, '12345');
  assert.equal((await srv.api('GET', `/api/v1/webhooks/whatsapp/${s.slug}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=12345`)).status, 403);
  assert.equal((await srv.api('GET', `/api/v1/webhooks/whatsapp/no-such-store?hub.mode=subscribe&hub.verify_token=verify-me-please&hub.challenge=1`)).status, 403);
});

test('STOP opts a customer out (audited) and START back in, on WhatsApp Cloud', async () => {
  const s = await cloudStore();
  const c = await owing(s, 'Stopper');
  assert.equal((await metaHook(s, inboundPayload(c.phone, '  stop '))).status, 204);
  assert.equal((await srv.api('GET', `/api/v1/customers/${c.id}`, { token: s.token })).json.reminders_opt_out, true);
  assertProblem(await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: s.token, body: {} }), 409, 'customer_opted_out');
  const audit = await srv.api('GET', '/api/v1/audit?limit=200', { token: s.token });
  assert.ok(audit.json.data.some((e) => e.action === 'customer.opted_out' && e.entity_id === c.id));
  assert.equal((await metaHook(s, inboundPayload(c.phone, 'START'))).status, 204);
  assert.equal((await srv.api('GET', `/api/v1/customers/${c.id}`, { token: s.token })).json.reminders_opt_out, false);
  // A forged STOP changes nothing.
  assertProblem(await metaHook(s, inboundPayload(c.phone, 'STOP'), { sign: false }), 401, 'invalid_signature');
  assert.equal((await srv.api('GET', `/api/v1/customers/${c.id}`, { token: s.token })).json.reminders_opt_out, false);
});

test('Twilio: sent with the sid and a StatusCallback; signed callbacks move it; a bad signature is 401; STOP works here too', async () => {
  const s = await twilioStore();
  const c = await owing(s, 'Twilio Customer', 4200);
  const r = await srv.api('POST', `/api/v1/customers/${c.id}/reminders`, { token: s.token, body: {} });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status, 'sent', r.text);
  const m = twilio.messages.at(-1);
  assert.equal(r.json.provider_message_id, m.sid);
  assert.equal(m.to, `whatsapp:${c.phone}`);
  assert.match(m.body, /₹42\.00/);
  const hookUrl = `${PUBLIC}/api/v1/webhooks/twilio/${s.slug}`;
  assert.equal(m.statusCallback, hookUrl);
  const params = { MessageSid: m.sid, MessageStatus: 'delivered', AccountSid: TWILIO.accountSid };
  const post = (p, sig) => srv.api('POST', `/api/v1/webhooks/twilio/${s.slug}`, { raw: form(p), headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': sig } });
  assertProblem(await post(params, twilioSign(hookUrl, params, 'wrong-token')), 401, 'invalid_signature');
  assertProblem(await post({ ...params, MessageStatus: 'read' }, twilioSign(hookUrl, params)), 401, 'invalid_signature');
  assert.equal((await reminderOf(s, r.json.id)).status, 'sent');
  assert.equal((await post(params, twilioSign(hookUrl, params))).status, 204);
  assert.equal((await reminderOf(s, r.json.id)).status, 'delivered');
  const stop = { From: `whatsapp:${c.phone}`, Body: 'Unsubscribe', MessageSid: 'SM' + '1'.repeat(32), AccountSid: TWILIO.accountSid };
  assert.equal((await post(stop, twilioSign(hookUrl, stop))).status, 204);
  assert.equal((await srv.api('GET', `/api/v1/customers/${c.id}`, { token: s.token })).json.reminders_opt_out, true);
  assert.deepEqual(twilio.rejections, []);
});

test('bulk through a provider sends each overdue customer once and records every outcome', async () => {
  const s = await cloudStore();
  const a = await owing(s, 'Bulk A');
  const b = await owing(s, 'Bulk B');
  const before = cloud.messages.length;
  const r = await srv.api('POST', '/api/v1/reminders/bulk', { token: s.token, body: {} });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.reminded.map((m) => m.customer_id).sort(), [a.id, b.id].sort());
  assert.ok(r.json.reminded.every((m) => m.status === 'sent' && m.provider_message_id));
  assert.equal(cloud.messages.length, before + 2);
});

test('scheduled reminders: quantumtrack reminders run honours quiet hours, then sends once; the next run sends nothing', async () => {
  const s = await cloudStore();
  const c = await owing(s, 'Scheduled Person');
  // Quiet around the clock but one hour: pick quiet hours that cover now.
  const hourIST = (new Date(Date.now() + 5.5 * 3600000)).getUTCHours();
  let set = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: {
    reminder_schedule: { enabled: true, hour: 0, interval_days: 1, min_overdue_days: 0, min_amount_minor: 0 },
    quiet_hours_start: hourIST, quiet_hours_end: (hourIST + 1) % 24 } });
  assert.equal(set.status, 200, set.text);
  const before = cloud.messages.length;
  let run = await cli(['reminders', 'run', '--tenant', s.slug]);
  assert.equal(run.code, 0, run.stderr + run.stdout);
  assert.equal(cloud.messages.length, before, 'nothing inside quiet hours');
  set = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { quiet_hours_start: (hourIST + 2) % 24, quiet_hours_end: (hourIST + 3) % 24 } });
  assert.equal(set.status, 200, set.text);
  const dry = await cli(['reminders', 'run', '--tenant', s.slug, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /1 reminder\(s\) would be sent/);
  assert.equal(cloud.messages.length, before);
  run = await cli(['reminders', 'run', '--tenant', s.slug]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(cloud.messages.length, before + 1);
  const list = await srv.api('GET', `/api/v1/reminders?customer_id=${c.id}`, { token: s.token });
  assert.equal(list.json.data[0].trigger, 'scheduled');
  run = await cli(['reminders', 'run', '--tenant', s.slug]);
  assert.equal(run.code, 0, run.stderr);
  assert.equal(cloud.messages.length, before + 1, 'the 24-hour rule holds for the schedule');
});

test('two serve processes on one database never send the same reminder twice', { skip: BACKEND !== 'postgres' && 'two processes share one database on PostgreSQL' }, async () => {
  const pg = createPostgresDatabase();
  // One deployment: the same secrets in every process.
  const env = { ...FAST, QT_REMINDER_TICK_S: '1', QT_MASTER_KEY: 'ab'.repeat(32), QT_JWT_SECRET: 'shared-jwt-secret-' + randomUUID() };
  const one = await startServer({ pg, env: { ...env, QT_REMINDER_TICK_S: '0' } });
  try {
    const s = await newStore(one);
    const patch = await one.api('PATCH', '/api/v1/settings', { token: s.token, body: {
      whatsapp_provider: 'whatsapp_cloud',
      whatsapp_config: { base_url: cloud.url, api_version: CLOUD.apiVersion, phone_number_id: CLOUD.phoneNumberId, template_name: 'payment_due', template_language: 'en', template_params: ['name'] },
      whatsapp_secrets: { access_token: CLOUD.token, app_secret: APP_SECRET },
      reminder_schedule: { enabled: true, hour: 0, interval_days: 1, min_overdue_days: 0, min_amount_minor: 0 },
      quiet_hours_start: 0, quiet_hours_end: 0 } });
    assert.equal(patch.status, 200, patch.text);
    const phones = [];
    for (let i = 0; i < 6; i++) phones.push((await owing(s, `Race ${i}`, 1000, one)).phone.replace('+', ''));
    cloud.delayNext(150, 6);
    const a = await startServer({ pg, env });
    const b = await startServer({ pg, env });
    try {
      const deadline = Date.now() + 15000;
      while (Date.now() < deadline && phones.some((p) => !cloud.messages.some((m) => m.to === p))) await sleep(200);
      await sleep(2500);  // more ticks: nobody gets a second one
      for (const p of phones) assert.equal(cloud.messages.filter((m) => m.to === p).length, 1, `messages to ${p}\n${a.log.slice(-1500)}\n${b.log.slice(-1500)}`);
    } finally {
      await a.stop();
      await b.stop();
    }
  } finally {
    await one.stop();
    dropPostgresDatabase(pg);
  }
});
