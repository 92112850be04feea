// Store settings: defaults, changes, validation naming the field, and the
// WhatsApp secrets that are written but never read back (the reminder and
// provider settings in detail: settings_reminders.test.mjs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { startServer, newStore, addUser, login } from '../lib/server.mjs';
import { assertProblem } from '../lib/foundation.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const KEYS = ['address', 'building_layout', 'credit_period_days', 'currency', 'default_credit_limit_minor', 'locale', 'name',
  'phone_country', 'quiet_hours_end', 'quiet_hours_start', 'receipts', 'reminder_language', 'reminder_schedule',
  'reminder_template', 'reminder_template_builtin', 'timezone', 'updated_at', 'upi_id', 'whatsapp_config',
  'whatsapp_provider', 'whatsapp_secrets_readable', 'whatsapp_secrets_set'];

// Everything stored, as raw text: the SQLite files, or a superuser dump of
// the store's PostgreSQL database.
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

test('a new store has the spec defaults (INR, en-IN, Asia/Kolkata, +91) and no secret set', async () => {
  const s = await newStore(srv, { name: 'Defaults Store' });
  const r = await srv.api('GET', '/api/v1/settings', { token: s.token });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.json).sort(), KEYS);
  assert.equal(r.json.name, 'Defaults Store');
  assert.equal(r.json.currency, 'INR');
  assert.equal(r.json.locale, 'en-IN');
  assert.equal(r.json.timezone, 'Asia/Kolkata');
  assert.equal(r.json.phone_country, '+91');
  assert.equal(r.json.whatsapp_provider, 'link');
  assert.deepEqual(r.json.whatsapp_config, {});
  assert.deepEqual(r.json.whatsapp_secrets_set, []);
  assert.equal(r.json.whatsapp_secrets_readable, true);
  assert.equal(r.json.upi_id, null);
  assert.equal(r.json.address, '');
  assert.ok(Number.isInteger(r.json.default_credit_limit_minor));
  assert.ok(Number.isInteger(r.json.credit_period_days));
  // The built-in English template, disabled schedule, quiet 21 -> 9, no receipts.
  assert.equal(r.json.reminder_language, 'en');
  assert.equal(r.json.reminder_template, null);
  assert.match(r.json.reminder_template_builtin, /\{name\}/);
  assert.deepEqual(r.json.reminder_schedule, { enabled: false, hour: 10, interval_days: 7, min_overdue_days: 0, min_amount_minor: 0 });
  assert.equal(r.json.quiet_hours_start, 21);
  assert.equal(r.json.quiet_hours_end, 9);
  assert.equal(r.json.receipts, 'off');
});

test('an admin changes settings; the change is returned, read back and audited', async () => {
  const s = await newStore(srv);
  const a = addUser(srv, { tenant: s.slug, email: `a@${s.slug}.example`, role: 'admin' });
  const al = await login(srv, s.slug, a.email, a.password);
  const change = {
    name: 'नया स्टोर', currency: 'KWD', locale: 'hi-IN', timezone: 'Asia/Kuwait', default_credit_limit_minor: 250000,
    credit_period_days: 15, phone_country: '+965', upi_id: 'shop.owner@okbank', address: 'दुकान 4, सेक्टर 21\nGurugram 122001',
    reminder_template: 'Hi {name}, you owe {balance} at {store}.',
    reminder_language: 'hi',
    reminder_schedule: { enabled: true, hour: 11, interval_days: 3, min_overdue_days: 5, min_amount_minor: 10000 },
    quiet_hours_start: 22, quiet_hours_end: 7, receipts: 'link',
    building_layout: { towers: 42, floors: 20, units: 4 }, whatsapp_provider: 'twilio',
    whatsapp_config: { account_sid: 'AC123', from: 'whatsapp:+14155238886' },
  };
  const r = await srv.api('PATCH', '/api/v1/settings', { token: al.access_token, body: change });
  assert.equal(r.status, 200, r.text);
  const { updated_at, whatsapp_secrets_set, whatsapp_secrets_readable, reminder_template_builtin, ...rest } = r.json;
  assert.deepEqual(rest, change);
  assert.deepEqual(whatsapp_secrets_set, []);
  assert.equal(whatsapp_secrets_readable, true);
  assert.match(reminder_template_builtin, /[\u0900-\u097f]/, 'the Hindi built-in template is in Devanagari');
  assert.match(updated_at, /Z$/);
  const g = await srv.api('GET', '/api/v1/settings', { token: s.token });
  assert.deepEqual(g.json, r.json);
  // The name is the store's name everywhere.
  const d = await srv.api('GET', `/api/v1/tenant?tenant=${s.slug}`);
  assert.equal(d.json.name, 'नया स्टोर');
  assert.equal(d.json.currency, 'KWD');
  const au = await srv.api('GET', '/api/v1/audit?entity=settings', { token: s.token });
  assert.equal(au.json.data[0].action, 'settings.updated');
  // An empty PATCH changes nothing.
  const e = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: {} });
  assert.equal(e.status, 200, e.text);
  assert.deepEqual({ ...e.json, updated_at: null }, { ...r.json, updated_at: null });
});

test('whatsapp_secrets are write-only: never returned, reported as whatsapp_secrets_set, and not stored in clear', async () => {
  const s = await newStore(srv);
  const secret = 'wa-secret-' + randomBytes(12).toString('hex');
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { whatsapp_provider: 'twilio',
    whatsapp_config: { account_sid: 'AC123', from: 'whatsapp:+14155238886' }, whatsapp_secrets: { auth_token: secret } } });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.whatsapp_secrets_set, ['auth_token']);
  assert.ok(!('whatsapp_secrets' in r.json));
  assert.ok(!r.text.includes(secret));
  const g = await srv.api('GET', '/api/v1/settings', { token: s.token });
  assert.deepEqual(g.json.whatsapp_secrets_set, ['auth_token']);
  assert.ok(!g.text.includes(secret));
  const au = await srv.api('GET', '/api/v1/audit?limit=200', { token: s.token });
  assert.equal(au.status, 200);
  assert.ok(!au.text.includes(secret), 'the secret leaked into the audit log');
  assert.ok(!storedText().includes(secret), 'the secret is stored in clear');
  // Other changes keep it; null removes it.
  const keep = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { credit_period_days: 20 } });
  assert.deepEqual(keep.json.whatsapp_secrets_set, ['auth_token']);
  const clear = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { whatsapp_secrets: { auth_token: null } } });
  assert.equal(clear.status, 200, clear.text);
  assert.deepEqual(clear.json.whatsapp_secrets_set, []);
  // The old single-string field is gone.
  const old = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { whatsapp_secret: secret } });
  assert.equal(old.status, 400, old.text);
  assert.equal(old.json.code, 'unknown_field');
});

test('invalid settings are 422 naming the field and change nothing', async () => {
  const s = await newStore(srv);
  const before = await srv.api('GET', '/api/v1/settings', { token: s.token });
  const cases = [
    [{ currency: 'XYZ' }, 'currency'], [{ currency: 'inr' }, 'currency'],
    [{ locale: 'e' }, 'locale'], [{ locale: 'en_IN!' }, 'locale'],
    [{ timezone: 'Mars/Olympus' }, 'timezone'], [{ timezone: '../../etc/passwd' }, 'timezone'],
    [{ default_credit_limit_minor: -1 }, 'default_credit_limit_minor'],
    [{ default_credit_limit_minor: 1e16 }, 'default_credit_limit_minor'],
    [{ credit_period_days: -1 }, 'credit_period_days'], [{ credit_period_days: 366 }, 'credit_period_days'],
    [{ phone_country: '91' }, 'phone_country'], [{ phone_country: '+0' }, 'phone_country'],
    [{ upi_id: 'no-at-sign' }, 'upi_id'], [{ upi_id: 'a@b@c' }, 'upi_id'], [{ upi_id: 'x@okhdfc' }, 'upi_id'],
    [{ upi_id: 'shop@9bank' }, 'upi_id'], [{ upi_id: 'shop@b' }, 'upi_id'], [{ upi_id: 'sh op@okhdfc' }, 'upi_id'],
    [{ reminder_template: '' }, 'reminder_template'],
    [{ quiet_hours_start: 24 }, 'quiet_hours_start'], [{ quiet_hours_end: -1 }, 'quiet_hours_end'],
    [{ building_layout: { towers: 100, floors: 10, units: 4 } }, 'building_layout'],
    [{ building_layout: { towers: 10, floors: 10 } }, 'building_layout.units'],
    [{ whatsapp_provider: 'telegram' }, 'whatsapp_provider'],
    [{ whatsapp_config: { blob: 'x'.repeat(4100) } }, 'whatsapp_config'],
    [{ name: '' }, 'name'], [{ name: 'bad\nname' }, 'name'],
  ];
  for (const [body, field] of cases) {
    const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { credit_period_days: 7, ...body } });
    assertProblem(r, 422, 'validation_failed', field);
  }
  const after = await srv.api('GET', '/api/v1/settings', { token: s.token });
  assert.deepEqual(after.json, before.json);
});

test('the address is free text up to 300 characters in up to 6 lines: normalized, cleared by null, bad ones 422 naming address', async () => {
  const s = await newStore(srv);
  const patch = (body) => srv.api('PATCH', '/api/v1/settings', { token: s.token, body });
  let r = await patch({ address: '  Shop 4, Main Road\r\nसेक्टर 21, गुरुग्राम\n\n' });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.address, 'Shop 4, Main Road\nसेक्टर 21, गुरुग्राम');
  assert.equal((await srv.api('GET', '/api/v1/settings', { token: s.token })).json.address, r.json.address);
  // 300 characters (Devanagari: three bytes each) are fine, 301 are not.
  r = await patch({ address: 'क'.repeat(300) });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.address, 'क'.repeat(300));
  for (const bad of ['क'.repeat(301), 'a\tb', 'a\u0001b', 'a\u007fb', 'a\u0085b', '1\n2\n3\n4\n5\n6\n7', 42, ['x']]) {
    const p = await patch({ address: bad });
    assert.ok(p.status === 422 || p.status === 400, `${JSON.stringify(bad)}: ${p.status} ${p.text}`);
    assert.equal(p.json.errors?.[0]?.field ?? p.json.field, 'address', p.text);
  }
  assert.equal((await srv.api('GET', '/api/v1/settings', { token: s.token })).json.address, 'क'.repeat(300));
  r = await patch({ address: null });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.address, '');
});

test('settings are admin-only: members and viewers get 403', async () => {
  const s = await newStore(srv);
  const m = addUser(srv, { tenant: s.slug, email: `m@${s.slug}.example`, role: 'member' });
  const ml = await login(srv, s.slug, m.email, m.password);
  assertProblem(await srv.api('GET', '/api/v1/settings', { token: ml.access_token }), 403, 'forbidden');
  assertProblem(await srv.api('PATCH', '/api/v1/settings', { token: ml.access_token, body: { credit_period_days: 1 } }), 403, 'forbidden');
  assertProblem(await srv.api('GET', '/api/v1/settings'), 401, 'unauthorized');
});

test("one store's settings change does not touch another's", async () => {
  const a = await newStore(srv);
  const b = await newStore(srv);
  const bBefore = await srv.api('GET', '/api/v1/settings', { token: b.token });
  await srv.api('PATCH', '/api/v1/settings', { token: a.token, body: { currency: 'JPY', credit_period_days: 3, whatsapp_provider: 'twilio',
    whatsapp_config: { account_sid: 'AC1', from: 'whatsapp:+14155238886' }, whatsapp_secrets: { auth_token: 'only-for-a-1234' } } });
  const bAfter = await srv.api('GET', '/api/v1/settings', { token: b.token });
  assert.deepEqual(bAfter.json, bBefore.json);
});

// The store's settings are never invented: a request that cannot read them
// is a 500, not a guess at currency, limits and time zone.
test('a store whose settings row cannot be read answers 500 settings_unavailable, not made-up defaults', async () => {
  const s = await newStore(srv);
  const sqlText = `DELETE FROM tenant_settings WHERE tenant_id = '${s.session.tenant.id}';`;
  if (srv.backend === 'postgres') {
    const u = new URL(srv.pg.adminUrl);
    u.pathname = '/' + srv.pg.name;
    execFileSync('psql', [u.toString(), '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sqlText], { stdio: 'pipe' });
  } else {
    execFileSync('sqlite3', [srv.db.slice('sqlite:'.length)], { input: `.timeout 5000\n${sqlText}\n`, stdio: 'pipe' });
  }
  const r = await srv.api('GET', '/api/v1/customers', { token: s.token });
  assertProblem(r, 500, 'settings_unavailable');
});
