// Store settings: defaults, changes, validation naming the field, and the
// WhatsApp secret that is written but never read back.
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

const KEYS = ['building_layout', 'credit_period_days', 'currency', 'default_credit_limit_minor', 'locale', 'name',
  'phone_country', 'quiet_hours_end', 'quiet_hours_start', 'reminder_schedule', 'reminder_template', 'timezone',
  'updated_at', 'upi_id', 'whatsapp_config', 'whatsapp_provider', 'whatsapp_secret_set'];

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
  assert.equal(r.json.whatsapp_secret_set, false);
  assert.equal(r.json.upi_id, null);
  assert.ok(Number.isInteger(r.json.default_credit_limit_minor));
  assert.ok(Number.isInteger(r.json.credit_period_days));
  assert.match(r.json.reminder_template, /\{name\}/);
});

test('an admin changes settings; the change is returned, read back and audited', async () => {
  const s = await newStore(srv);
  const a = addUser(srv, { tenant: s.slug, email: `a@${s.slug}.example`, role: 'admin' });
  const al = await login(srv, s.slug, a.email, a.password);
  const change = {
    name: 'नया स्टोर', currency: 'KWD', locale: 'hi-IN', timezone: 'Asia/Kuwait', default_credit_limit_minor: 250000,
    credit_period_days: 15, phone_country: '+965', upi_id: 'shop.owner@okbank', reminder_template: 'Hi {name}, you owe {balance} at {store}.',
    reminder_schedule: { enabled: true, hour: 11 }, quiet_hours_start: 22, quiet_hours_end: 7,
    building_layout: { towers: 42, floors: 20, units: 4 }, whatsapp_provider: 'twilio', whatsapp_config: { account_sid: 'AC123', from: '+14155238886' },
  };
  const r = await srv.api('PATCH', '/api/v1/settings', { token: al.access_token, body: change });
  assert.equal(r.status, 200, r.text);
  const { updated_at, whatsapp_secret_set, ...rest } = r.json;
  assert.deepEqual(rest, change);
  assert.equal(whatsapp_secret_set, false);
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

test('whatsapp_secret is write-only: never returned, reported as whatsapp_secret_set, and not stored in clear', async () => {
  const s = await newStore(srv);
  const secret = 'wa-secret-' + randomBytes(12).toString('hex');
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { whatsapp_provider: 'whatsapp_cloud', whatsapp_secret: secret } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.whatsapp_secret_set, true);
  assert.ok(!('whatsapp_secret' in r.json));
  assert.ok(!r.text.includes(secret));
  const g = await srv.api('GET', '/api/v1/settings', { token: s.token });
  assert.equal(g.json.whatsapp_secret_set, true);
  assert.ok(!('whatsapp_secret' in g.json));
  assert.ok(!g.text.includes(secret));
  const au = await srv.api('GET', '/api/v1/audit?limit=200', { token: s.token });
  assert.equal(au.status, 200);
  assert.ok(!au.text.includes(secret), 'the secret leaked into the audit log');
  assert.ok(!storedText().includes(secret), 'the secret is stored in clear');
  // Other changes keep it; null clears it.
  const keep = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { credit_period_days: 20 } });
  assert.equal(keep.json.whatsapp_secret_set, true);
  const clear = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { whatsapp_secret: null } });
  assert.equal(clear.status, 200, clear.text);
  assert.equal(clear.json.whatsapp_secret_set, false);
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
    [{ upi_id: 'no-at-sign' }, 'upi_id'], [{ upi_id: 'a@b@c' }, 'upi_id'],
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
  await srv.api('PATCH', '/api/v1/settings', { token: a.token, body: { currency: 'JPY', credit_period_days: 3, whatsapp_secret: 'only-for-a-1234' } });
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
