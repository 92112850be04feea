// `quantumtrack keys rotate`: every store's provider secrets re-sealed under
// a new master key in one transaction.  Afterwards the server started with
// the new key reads every secret (a webhook verifies, a reminder to the fake
// WhatsApp Cloud API authenticates) and the old key opens nothing; a
// rotation that meets a secret the old key cannot open changes nothing.
// The tests run in order on one server and database.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, newStore, BIN } from '../lib/server.mjs';
import { customer, purchase } from '../lib/ledger.mjs';
import { startFakeCloud } from '../fakes/whatsapp_cloud.mjs';

const ACCESS_TOKEN = 'EAAG' + randomBytes(16).toString('hex');
const APP_SECRET = 'app' + randomBytes(12).toString('hex');
const VERIFY_TOKEN = 'verify' + randomBytes(12).toString('hex');
const AUTH_TOKEN = 'auth' + randomBytes(12).toString('hex');
const PHONE_NUMBER_ID = '1098765432';
const newKey = () => randomBytes(32).toString('hex');

let srv, fake, cloud, twilio, plain, cust;

before(async () => {
  fake = await startFakeCloud({ token: ACCESS_TOKEN, phoneNumberId: PHONE_NUMBER_ID, apiVersion: 'v21.0' });
  srv = await startServer({ env: { QT_PROVIDER_BACKOFF_MS: '10', QT_PROVIDER_TIMEOUT_MS: '3000' } });
  cloud = await newStore(srv, { name: 'Cloud Store' });
  twilio = await newStore(srv, { name: 'Twilio Store' });
  plain = await newStore(srv, { name: 'Link Store' });
  let r = await patch(cloud, { whatsapp_provider: 'whatsapp_cloud',
    whatsapp_config: { base_url: fake.url, api_version: 'v21.0', phone_number_id: PHONE_NUMBER_ID,
      template_name: 'payment_due', template_language: 'en', template_params: ['name', 'balance'] },
    whatsapp_secrets: { access_token: ACCESS_TOKEN, app_secret: APP_SECRET, verify_token: VERIFY_TOKEN } });
  assert.equal(r.status, 200, r.text);
  r = await patch(twilio, { whatsapp_provider: 'twilio',
    whatsapp_config: { account_sid: 'AC0123456789abcdef', from: 'whatsapp:+14155238886' }, whatsapp_secrets: { auth_token: AUTH_TOKEN } });
  assert.equal(r.status, 200, r.text);
  cust = await customer(srv, cloud.token, { name: 'Ravi Iyer' });
  await purchase(srv, cloud.token, cust.id, 50000);
});
after(async () => { await srv.stop(); await fake.stop(); });

function patch(s, body) { return srv.api('PATCH', '/api/v1/settings', { token: s.token, body }); }

// The CLI on the server's database (as the owner role on PostgreSQL).
function cli(args, env = {}, { ownerRole = true } = {}) {
  try {
    const out = execFileSync(BIN, args, { env: { ...srv.env, QT_DB: ownerRole ? srv.ownerDb : srv.db, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    return { code: 0, stdout: out.toString(), stderr: '' };
  } catch (e) {
    return { code: e.status, stdout: String(e.stdout || ''), stderr: String(e.stderr || '') };
  }
}

// Every store's sealed column as stored, read past the server (SQLite file,
// or PostgreSQL as superuser, which RLS does not hide rows from).
function sealedColumn() {
  const sql = 'SELECT t.slug, coalesce(s.whatsapp_secret_sealed, \'\') FROM tenant_settings s JOIN tenants t ON t.id = s.tenant_id ORDER BY t.slug';
  let out;
  if (srv.backend === 'postgres') {
    const u = new URL(srv.pg.adminUrl);
    u.pathname = '/' + srv.pg.name;
    out = execFileSync('psql', [u.toString(), '-X', '-qAt', '-F', '|', '-c', sql], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  } else {
    out = execFileSync('sqlite3', ['-separator', '|', srv.db.slice('sqlite:'.length), sql], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  }
  return Object.fromEntries(out.trim().split('\n').filter(Boolean).map((l) => l.split('|')));
}

async function restartWith(key) {
  await srv.stop({ keep: true });
  srv.env.QT_MASTER_KEY = key;
  srv.url = null;
  await srv.start();
}

const verifyHook = (s) => srv.api('GET',
  `/api/v1/webhooks/whatsapp/${s.slug}?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=ch-42`);
const settingsOf = async (s) => (await srv.api('GET', '/api/v1/settings', { token: s.token })).json;

test('keys rotate re-seals every store under the new key: the server started with it reads them all, the old key opens nothing', async () => {
  const oldKey = srv.env.QT_MASTER_KEY;
  assert.equal((await verifyHook(cloud)).status, 200);
  const before = sealedColumn();
  assert.ok(before[cloud.slug] && before[twilio.slug]);
  assert.equal(before[plain.slug], '');

  await srv.stop({ keep: true });
  const key = newKey();
  const r = cli(['keys', 'rotate'], { QT_NEW_MASTER_KEY: key });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /re-sealed the provider secrets of 2 store\(s\)/);
  assert.match(r.stdout, /QT_MASTER_KEY/);
  const afterRotation = sealedColumn();
  assert.notEqual(afterRotation[cloud.slug], before[cloud.slug]);
  assert.notEqual(afterRotation[twilio.slug], before[twilio.slug]);
  assert.equal(afterRotation[plain.slug], '', 'a store without secrets stays without');
  for (const v of [ACCESS_TOKEN, APP_SECRET, VERIFY_TOKEN, AUTH_TOKEN])
    assert.ok(!JSON.stringify(afterRotation).includes(v) && !r.stdout.includes(v) && !r.stderr.includes(v));

  // The server with the new key reads every secret.
  srv.env.QT_MASTER_KEY = key;
  srv.url = null;
  await srv.start();
  const c = await settingsOf(cloud);
  assert.deepEqual(c.whatsapp_secrets_set, ['access_token', 'app_secret', 'verify_token']);
  assert.equal(c.whatsapp_secrets_readable, true);
  assert.deepEqual((await settingsOf(twilio)).whatsapp_secrets_set, ['auth_token']);
  const hook = await verifyHook(cloud);
  assert.equal(hook.status, 200, hook.text);
  assert.equal(hook.text, 'ch-42');
  const sent = await srv.api('POST', `/api/v1/customers/${cust.id}/reminders`, { token: cloud.token, body: { channel: 'whatsapp_cloud' } });
  assert.equal(sent.status, 201, sent.text);
  assert.equal(sent.json.status, 'sent', sent.text);
  assert.equal(fake.messages.length, 1, JSON.stringify(fake.rejections));
  assert.equal(fake.messages[0].params[0], 'Ravi Iyer');

  // Each re-sealed store has an audit row naming its secrets, and the chains hold.
  const au = await srv.api('GET', '/api/v1/audit?entity=settings&limit=5', { token: cloud.token });
  const row = au.json.data.find((a) => a.action === 'settings.secrets_resealed');
  assert.ok(row, au.text);
  assert.deepEqual(row.after.whatsapp_secrets_set, ['access_token', 'app_secret', 'verify_token']);
  assert.ok(!au.text.includes(ACCESS_TOKEN));
  const v = cli(['verify']);
  assert.equal(v.code, 0, v.stdout + v.stderr);

  // The old key opens nothing now.
  await restartWith(oldKey);
  const o = await settingsOf(cloud);
  assert.equal(o.whatsapp_secrets_readable, false);
  assert.deepEqual(o.whatsapp_secrets_set, []);
  assert.notEqual((await verifyHook(cloud)).status, 200);
  assert.match(srv.log, /do not open with this server's master key/);
  await restartWith(key);
  assert.equal((await verifyHook(cloud)).status, 200);
});

test('a rotation that meets a secret the current key cannot open changes nothing and names that store', async () => {
  const key = srv.env.QT_MASTER_KEY;
  const stray = await newStore(srv, { name: 'Stray Store' });
  // Secrets sealed by a server that ran with another key.
  await restartWith(newKey());
  const r1 = await patch(stray, { whatsapp_provider: 'twilio',
    whatsapp_config: { account_sid: 'AC1', from: 'whatsapp:+14155238886' }, whatsapp_secrets: { auth_token: 'stray-token-1' } });
  assert.equal(r1.status, 200, r1.text);
  await restartWith(key);
  assert.equal((await settingsOf(stray)).whatsapp_secrets_readable, false);
  const auditBefore = (await srv.api('GET', '/api/v1/audit?entity=settings&limit=50', { token: cloud.token })).json.data.length;
  const before = sealedColumn();

  await srv.stop({ keep: true });
  const r = cli(['keys', 'rotate'], { QT_NEW_MASTER_KEY: newKey() });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stderr, new RegExp(`${stray.slug}: the provider secrets do not open with the old key`));
  assert.match(r.stderr, /nothing was changed/);
  assert.ok(!r.stderr.includes(cloud.slug), 'only the failing store is named');
  assert.deepEqual(sealedColumn(), before, 'all or nothing: no store was re-sealed');
  // --dry-run says the same and changes nothing either.
  const dry = cli(['keys', 'rotate', '--dry-run']);
  assert.equal(dry.code, 1);
  assert.match(dry.stderr, new RegExp(stray.slug));
  srv.url = null;
  await srv.start();
  assert.equal((await verifyHook(cloud)).status, 200, 'the server still reads every secret with the current key');
  assert.equal((await srv.api('GET', '/api/v1/audit?entity=settings&limit=50', { token: cloud.token })).json.data.length, auditBefore);

  // New secrets, sealed under the current key, replace the unreadable ones;
  // then the rotation goes through, the new key from a file this time.
  const fixed = await patch(stray, { whatsapp_secrets: { auth_token: 'stray-token-2' } });
  assert.equal(fixed.status, 200, fixed.text);
  assert.deepEqual(fixed.json.whatsapp_secrets_set, ['auth_token']);
  assert.equal(fixed.json.whatsapp_secrets_readable, true);
  await srv.stop({ keep: true });
  const dryOk = cli(['keys', 'rotate', '--dry-run'], {}, { ownerRole: false });
  assert.equal(dryOk.code, 0, dryOk.stderr);
  assert.match(dryOk.stdout, /3 store\(s\).*nothing changed/);
  const next = newKey();
  const file = join(srv.dir, 'next.key');
  writeFileSync(file, next + '\n', { mode: 0o600 });
  const ok = cli(['keys', 'rotate', '--new-key-file', file]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, /3 store\(s\)/);
  srv.env.QT_MASTER_KEY = next;
  srv.url = null;
  await srv.start();
  assert.equal((await verifyHook(cloud)).status, 200);
  assert.deepEqual((await settingsOf(stray)).whatsapp_secrets_set, ['auth_token']);
});

test('keys rotate refuses bad arguments without touching anything', async () => {
  const before = sealedColumn();
  const key = srv.env.QT_MASTER_KEY;
  const file = join(srv.dir, 'other.key');
  writeFileSync(file, newKey() + '\n', { mode: 0o600 });
  const cases = [
    [['keys', 'rotate'], {}],                                            // no new key while QT_MASTER_KEY is set
    [['keys', 'rotate'], { QT_NEW_MASTER_KEY: key }],                    // the same key
    [['keys', 'rotate'], { QT_NEW_MASTER_KEY: 'too-short' }],            // not a key
    [['keys', 'rotate', '--new-key-file', file], { QT_NEW_MASTER_KEY: newKey() }], // both
    [['keys', 'rotate', '--bogus'], {}],
    [['keys'], {}],
    [['keys', 'spin'], {}],
  ];
  for (const [args, env] of cases) {
    const r = cli(args, env);
    assert.equal(r.code, 2, `${args.join(' ')} ${JSON.stringify(env)}: ${r.stdout}${r.stderr}`);
  }
  const missing = cli(['keys', 'rotate', '--new-key-file', join(srv.dir, 'no-such.key')]);
  assert.equal(missing.code, 1);
  const help = cli(['keys', 'rotate', '--help']);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /QT_NEW_MASTER_KEY/);
  assert.deepEqual(sealedColumn(), before);
});

test('with the development key in the data directory, rotate replaces that file and serve reads every secret with it', async () => {
  const previous = srv.env.QT_MASTER_KEY;
  const keyFile = join(srv.dir, 'master_key');
  writeFileSync(keyFile, previous + '\n', { mode: 0o600 });
  await restartWith('');  // QT_MASTER_KEY unset: the data directory's key
  assert.equal((await verifyHook(cloud)).status, 200);
  await srv.stop({ keep: true });
  const r = cli(['keys', 'rotate'], { QT_MASTER_KEY: '', QT_NEW_MASTER_KEY: '' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /master_key now holds the new key/);
  const written = readFileSync(keyFile, 'utf8').trim();
  assert.match(written, /^[0-9a-f]{64}$/);
  assert.notEqual(written, previous);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600);
  assert.ok(!existsSync(keyFile + '.new'));
  srv.url = null;
  await srv.start();
  assert.equal((await verifyHook(cloud)).status, 200);
  assert.deepEqual((await settingsOf(twilio)).whatsapp_secrets_set, ['auth_token']);
  // The key from before opens nothing any more.
  await restartWith(previous);
  assert.notEqual((await verifyHook(cloud)).status, 200);
});
