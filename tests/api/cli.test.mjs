// The command line: --help everywhere (exit 0), usage errors (exit 2),
// failures (exit 1), and the store-management commands against the same
// database the server uses.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServer, login, BIN } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

const slug = () => 'c' + randomBytes(4).toString('hex');
const PW = 'cli-password-123';

test('--help on every command and subcommand exits 0 and prints usage on stdout', () => {
  const cmds = [
    ['--help'], ['-h'], ['help'], ['serve', '--help'], ['migrate', '--help'], ['demo', '--help'],
    ['tenant', '--help'], ['tenant', 'create', '--help'], ['tenant', 'list', '--help'],
    ['tenant', 'suspend', '--help'], ['tenant', 'delete', '--help'],
    ['user', '--help'], ['user', 'add', '--help'], ['operator', '--help'], ['operator', 'add', '--help'],
    ['verify', '--help'], ['backup', '--help'],
  ];
  for (const args of cmds) {
    const r = srv.cli(args);
    assert.equal(r.code, 0, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.match(r.stdout, /usage: quantumtrack/i, args.join(' '));
  }
  const top = srv.cli(['--help']);
  for (const c of ['serve', 'migrate', 'demo', 'tenant', 'user', 'operator', 'verify', 'backup'])
    assert.match(top.stdout, new RegExp(`^\\s+${c}\\s`, 'm'), c);
});

test('--help does not act: tenant create --help with other flags creates nothing', () => {
  const s = slug();
  const r = srv.cli(['tenant', 'create', '--slug', s, '--name', 'N', '--owner-email', `o@${s}.example`, '--owner-password', PW, '--help']);
  assert.equal(r.code, 0);
  assert.ok(!srv.cli(['tenant', 'list']).stdout.includes(s));
});

test('no command, an unknown command or an unknown option exits 2 with a reason on stderr', () => {
  const cases = [
    [], ['frobnicate'], ['serve', '--bogus'], ['migrate', '--bogus'], ['tenant'], ['tenant', 'rename', 'x'],
    ['tenant', 'list', '--bogus'], ['tenant', 'create', '--slug'], ['user'], ['user', 'remove'], ['user', 'add', '--bogus'],
    ['operator'], ['operator', 'delete'], ['operator', 'add', '--bogus'], ['verify', '--bogus'],
    ['tenant', 'suspend'], ['tenant', 'list', 'extra'],
  ];
  for (const args of cases) {
    const r = srv.cli(args);
    assert.equal(r.code, 2, `${args.join(' ') || '(none)'}: exit ${r.code}`);
    assert.ok(r.stderr.trim().length > 0, `${args.join(' ')}: a reason on stderr`);
  }
});

test('missing or invalid arguments to tenant create, user add and operator add exit 2', () => {
  const s = slug();
  const cases = [
    ['tenant', 'create', '--name', 'N', '--owner-email', 'o@x.example', '--owner-password', PW],
    ['tenant', 'create', '--slug', 'Bad_Slug', '--name', 'N', '--owner-email', 'o@x.example', '--owner-password', PW],
    ['tenant', 'create', '--slug', s, '--name', 'N', '--owner-email', 'not-an-email', '--owner-password', PW],
    ['user', 'add', '--tenant', s, '--email', 'u@x.example', '--password', PW],
    ['user', 'add', '--tenant', s, '--email', 'u@x.example', '--role', 'superuser', '--password', PW],
    ['operator', 'add', '--password', PW],
    ['operator', 'add', '--email', 'o@platform.example'],
    ['operator', 'add', '--email', 'o@platform.example', '--password', 'short'],
    ['operator', 'add', '--email', 'o@platform.example', '--password', PW, '--password-stdin'],
    ['serve', '--threads', '1'], ['serve', '--listen', 'nocolon'],
  ];
  for (const args of cases) {
    const r = srv.cli(args, { input: PW + '\n' });
    assert.equal(r.code, 2, `${args.join(' ')}: exit ${r.code} ${r.stderr}`);
    assert.ok(r.stderr.trim(), args.join(' '));
  }
  assert.ok(!srv.cli(['tenant', 'list']).stdout.includes(s));
});

test('tenant create, list, suspend and delete manage a store end to end', async () => {
  const s = slug();
  const c = srv.cli(['tenant', 'create', '--slug', s, '--name', 'CLI Store', '--plan', 'starter', '--domain', `${s}.cli.example`,
    '--owner-email', `owner@${s}.example`, '--owner-password', PW]);
  assert.equal(c.code, 0, c.stderr);
  assert.match(c.stdout, new RegExp(`created store ${s}`));
  const l = srv.cli(['tenant', 'list']);
  assert.equal(l.code, 0, l.stderr);
  const row = l.stdout.split('\n').find((x) => x.startsWith(s + ' '));
  assert.ok(row, l.stdout);
  assert.match(row, /CLI Store\s+starter\s+active\s+0$/);
  const session = await login(srv, s, `owner@${s}.example`, PW);
  assert.equal(session.role, 'owner');
  assert.equal(srv.cli(['tenant', 'create', '--slug', s, '--name', 'Again', '--owner-email', `x@${s}.example`, '--owner-password', PW]).code, 1);
  const del1 = srv.cli(['tenant', 'delete', s]);
  assert.equal(del1.code, 1, 'an active store cannot be deleted');
  assert.match(del1.stderr, /suspend/);
  const sus = srv.cli(['tenant', 'suspend', s]);
  assert.equal(sus.code, 0, sus.stderr);
  assert.match(srv.cli(['tenant', 'list']).stdout.split('\n').find((x) => x.startsWith(s + ' ')), /suspended/);
  const d = await srv.api('GET', `/api/v1/tenant?tenant=${s}`);
  assert.equal(d.json.status, 'suspended');
  const del = srv.cli(['tenant', 'delete', s]);
  assert.equal(del.code, 0, del.stderr);
  assert.ok(!srv.cli(['tenant', 'list']).stdout.includes(s));
  assert.equal((await srv.api('GET', `/api/v1/tenant?tenant=${s}`)).status, 404);
  assert.equal(srv.cli(['tenant', 'suspend', s]).code, 1);
  assert.equal(srv.cli(['tenant', 'delete', s]).code, 1);
});

test('tenant create with an unknown plan fails (exit 1) and creates nothing', () => {
  const s = slug();
  const r = srv.cli(['tenant', 'create', '--slug', s, '--name', 'N', '--plan', 'platinum', '--owner-email', `o@${s}.example`, '--owner-password', PW]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /platinum/);
  assert.ok(!srv.cli(['tenant', 'list']).stdout.includes(s));
});

test('tenant create and user add read passwords from stdin', async () => {
  const s = slug();
  const c = srv.cli(['tenant', 'create', '--slug', s, '--name', 'Stdin Store', '--owner-email', `owner@${s}.example`, '--owner-password-stdin'], { input: 'owner-from-stdin\n' });
  assert.equal(c.code, 0, c.stderr);
  await login(srv, s, `owner@${s}.example`, 'owner-from-stdin');
  const u = srv.cli(['user', 'add', '--tenant', s, '--email', `Viewer@${s}.example`, '--role', 'viewer', '--name', 'Vee', '--password-stdin'], { input: 'viewer-from-stdin\n' });
  assert.equal(u.code, 0, u.stderr);
  const l = await login(srv, s, `viewer@${s}.example`, 'viewer-from-stdin');
  assert.equal(l.role, 'viewer');
  assert.equal(l.user.name, 'Vee');
});

test('user add adds a member; a duplicate or an unknown store fails with exit 1; accounts are per store', async () => {
  const s = slug();
  assert.equal(srv.cli(['tenant', 'create', '--slug', s, '--name', 'U', '--owner-email', `owner@${s}.example`, '--owner-password', PW]).code, 0);
  const a = srv.cli(['user', 'add', '--tenant', s, '--email', `m@${s}.example`, '--role', 'member', '--password', PW]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal((await login(srv, s, `m@${s}.example`, PW)).role, 'member');
  const dup = srv.cli(['user', 'add', '--tenant', s, '--email', `m@${s}.example`, '--role', 'admin', '--password', PW]);
  assert.equal(dup.code, 1);
  assert.ok(dup.stderr.trim());
  assert.equal(srv.cli(['user', 'add', '--tenant', 'no-such-store', '--email', `z@${s}.example`, '--role', 'member', '--password', PW]).code, 1);
  // A new user without a password cannot be created.
  assert.equal(srv.cli(['user', 'add', '--tenant', s, '--email', `nopw@${s}.example`, '--role', 'member']).code, 1);
  // The same email in another store is another account, with its own password.
  const s2 = slug();
  assert.equal(srv.cli(['tenant', 'create', '--slug', s2, '--name', 'U2', '--owner-email', `owner@${s2}.example`, '--owner-password', PW]).code, 0);
  assert.equal(srv.cli(['user', 'add', '--tenant', s2, '--email', `m@${s}.example`, '--role', 'viewer']).code, 1);
  assert.equal(srv.cli(['user', 'add', '--tenant', s2, '--email', `m@${s}.example`, '--role', 'viewer', '--password', 'other-store-pw']).code, 0);
  assert.equal((await login(srv, s2, `m@${s}.example`, 'other-store-pw')).role, 'viewer');
  const old = await srv.api('POST', '/api/v1/auth/login', { body: { tenant: s2, email: `m@${s}.example`, password: PW } });
  assert.equal(old.status, 401);
});

test('operator add (flag or stdin) creates an operator who can sign in; a duplicate exits 1', async () => {
  const e1 = `op1-${slug()}@platform.example`;
  const a = srv.cli(['operator', 'add', '--email', e1, '--name', 'Op One', '--password', PW]);
  assert.equal(a.code, 0, a.stderr);
  const e2 = `op2-${slug()}@platform.example`;
  const b = srv.cli(['operator', 'add', '--email', e2, '--password-stdin'], { input: 'operator-stdin-pw\n' });
  assert.equal(b.code, 0, b.stderr);
  const l1 = await srv.api('POST', '/api/v1/platform/auth/login', { body: { email: e1, password: PW } });
  assert.equal(l1.status, 200, l1.text);
  assert.equal(l1.json.operator.name, 'Op One');
  const l2 = await srv.api('POST', '/api/v1/platform/auth/login', { body: { email: e2, password: 'operator-stdin-pw' } });
  assert.equal(l2.status, 200, l2.text);
  const dup = srv.cli(['operator', 'add', '--email', e1, '--password', PW]);
  assert.equal(dup.code, 1);
  assert.match(dup.stderr, /exists/);
});

test('verify exits 0 on a fresh store and after users and settings change', async () => {
  const s = slug();
  assert.equal(srv.cli(['tenant', 'create', '--slug', s, '--name', 'V', '--owner-email', `owner@${s}.example`, '--owner-password', PW]).code, 0);
  const v1 = srv.cli(['verify', '--tenant', s]);
  assert.equal(v1.code, 0, v1.stderr + v1.stdout);
  const l = await login(srv, s, `owner@${s}.example`, PW);
  await srv.api('PATCH', '/api/v1/settings', { token: l.access_token, body: { credit_period_days: 10, whatsapp_provider: 'twilio',
    whatsapp_config: { account_sid: 'AC1', from: 'whatsapp:+14155238886' }, whatsapp_secrets: { auth_token: 'verify-secret-1' } } });
  const u = await srv.api('POST', '/api/v1/users', { token: l.access_token, body: { email: `n@${s}.example`, role: 'member', password: PW } });
  await srv.api('PATCH', `/api/v1/users/${u.json.id}`, { token: l.access_token, body: { role: 'viewer' } });
  await srv.api('DELETE', `/api/v1/users/${u.json.id}`, { token: l.access_token });
  const v2 = srv.cli(['verify', '--tenant', s]);
  assert.equal(v2.code, 0, v2.stderr + v2.stdout);
  const all = srv.cli(['verify']);
  assert.equal(all.code, 0, all.stderr + all.stdout);
  assert.equal(srv.cli(['verify', '--tenant', 'no-such-store']).code, 1);
});

test('demo creates the demo store once: owner sign-in works, its domain finds it, a second run changes nothing', async () => {
  const d = srv.cli(['demo']);
  assert.equal(d.code, 0, d.stderr);
  const l = await login(srv, 'quantumtrack', 'owner@quantumtrack.example', 'quantumtrack-demo');
  assert.equal(l.role, 'owner');
  assert.equal(l.tenant.name, 'QuantumTrack');
  const disc = await srv.api('GET', '/api/v1/tenant?tenant=quantumtrack');
  assert.equal(disc.json.plan, 'professional');
  const ops = await srv.api('GET', '/api/v1/customers?limit=200', { token: l.access_token });
  const names = ops.json.data.map((c) => c.name);
  for (const n of ['Rajesh Kumar', 'Priya Singh', 'Amit Sharma']) assert.ok(names.includes(n), n);
  const again = srv.cli(['demo']);
  assert.equal(again.code, 0, again.stderr);
  const ops2 = await srv.api('GET', '/api/v1/customers?limit=200', { token: l.access_token });
  assert.equal(ops2.json.data.length, ops.json.data.length);
  const row = srv.cli(['tenant', 'list']).stdout.split('\n').find((x) => x.startsWith('quantumtrack '));
  assert.match(row, /QuantumTrack\s+professional\s+active/);
  assert.equal(srv.cli(['verify', '--tenant', 'quantumtrack']).code, 0);
});

test('serve refuses to start without a usable QT_JWT_SECRET or with a bad setting', async () => {
  const { execFileSync } = await import('node:child_process');
  const run = (env) => {
    try {
      execFileSync(BIN, ['serve', '--listen', '127.0.0.1:0'], { env: { ...srv.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 });
      return { code: 0, stderr: '' };
    } catch (e) {
      return { code: e.status, stderr: String(e.stderr) };
    }
  };
  const none = run({ QT_JWT_SECRET: '' });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /QT_JWT_SECRET/);
  const short = run({ QT_JWT_SECRET: 'too-short' });
  assert.equal(short.code, 1);
  assert.match(short.stderr, /QT_JWT_SECRET/);
  const mk = run({ QT_MASTER_KEY: 'short' });
  assert.equal(mk.code, 1);
  assert.match(mk.stderr, /QT_MASTER_KEY/);
  const lim = run({ QT_BODY_LIMIT: 'lots' });
  assert.equal(lim.code, 2);
  assert.match(lim.stderr, /QT_BODY_LIMIT/);
});

test('tenant create stores a custom domain in lower case (so Host discovery finds it) and refuses a bad one', async () => {
  const s = slug();
  const r = srv.cli(['tenant', 'create', '--slug', s, '--name', 'D', '--domain', `Shop-${s}.Example.COM`, '--owner-email', `o@${s}.example`, '--owner-password', PW]);
  assert.equal(r.code, 0, r.stderr);
  const { request } = await import('node:http');
  const status = await new Promise((resolve, reject) => {
    const q = request({ host: '127.0.0.1', port: srv.port, path: '/api/v1/tenant', headers: { Host: `shop-${s}.example.com` } }, (res) => { res.resume(); resolve(res.statusCode); });
    q.on('error', reject);
    q.end();
  });
  assert.equal(status, 200);
  const s2 = slug();
  const bad = srv.cli(['tenant', 'create', '--slug', s2, '--name', 'D', '--domain', 'not a host', '--owner-email', `o@${s2}.example`, '--owner-password', PW]);
  assert.equal(bad.code, 2, bad.stderr);
  assert.ok(!srv.cli(['tenant', 'list']).stdout.includes(s2));
});

test('migrate --app-password-stdin: a short password is a usage error, and SQLite has no roles', () => {
  const short = srv.cli(['migrate', '--app-password-stdin'], { input: 'short\n' });
  assert.equal(short.code, 2, short.stderr);
  assert.match(short.stderr, /app password must be 12-1024 bytes/);
  if (srv.backend !== 'sqlite') return;
  const r = srv.cli(['migrate', '--app-password-stdin'], { input: 'long-enough-password\n' });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /an app password is for PostgreSQL; SQLite has no database roles/);
});
