// run_pg.test.mjs — `make run-pg` (scripts/run-pg.sh) from nothing: it
// makes its own PostgreSQL cluster, migrates it as the owner (creating the
// app role with a password), seeds the demo store and serves it connected
// as quantumtrack_app; run again after the cluster was stopped, it starts
// the same cluster and serves the same store.  Run in the PostgreSQL pass
// only (it needs the server binaries, not the run's shared cluster).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BACKEND, BIN } from '../lib/server.mjs';
import { psql } from '../lib/psql.mjs';

const skip = BACKEND !== 'postgres' && 'run-pg starts PostgreSQL: run in the PostgreSQL pass';
const ROOT = new URL('../..', import.meta.url).pathname;
const PG = join(ROOT, 'tests/lib/pg.sh');

const tmp = skip ? null : mkdtempSync(join(tmpdir(), 'qt-runpg-'));
// When we are root the cluster runs as the postgres user, which must be
// able to pass through the temporary directory.
if (tmp) chmodSync(tmp, 0o711);
const data = tmp && join(tmp, 'data');
const cluster = data && join(data, 'pg');
let proc = null;

// Start scripts/run-pg.sh; resolves with the server's base URL once it
// listens.  Fails with the script's output if it exits first or takes
// longer than 60 s (a new cluster needs initdb).
function runPg() {
  return new Promise((resolve, reject) => {
    let log = '';
    proc = spawn(join(ROOT, 'scripts/run-pg.sh'), [], {
      env: {
        ...process.env, QT_BIN: BIN, QT_DATA_DIR: data, QT_LISTEN: '127.0.0.1:0',
        QT_PG_PORT_FIRST: String(57000 + Math.floor(Math.random() * 900)),
        QT_DB: '', QT_JWT_SECRET: '', QT_MASTER_KEY: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer = setTimeout(() => reject(new Error('run-pg did not start:\n' + log)), 60000);
    const seen = (d) => {
      log += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(log);
      if (m) { clearTimeout(timer); resolve({ url: m[1], log }); }
    };
    proc.stdout.on('data', seen);
    proc.stderr.on('data', seen);
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`run-pg exited ${code}:\n${log}`)); });
  });
}

async function stopServer() {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const done = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await done;
}

async function signIn(url) {
  const r = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ tenant: 'quantumtrack', email: 'owner@quantumtrack.example', password: 'quantumtrack-demo' }),
  });
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body));
  return body;
}

function clusterEnv() {
  const out = execFileSync(PG, ['env', cluster], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

after(async () => {
  if (skip) return;
  await stopServer();
  try { execFileSync(PG, ['stop', cluster], { stdio: 'pipe' }); } catch { /* never started */ }
  rmSync(tmp, { recursive: true, force: true });
});

test('run-pg makes a cluster, migrates it, seeds the demo store and serves it as the app role', { skip, timeout: 90000 }, async () => {
  const { url, log } = await runPg();
  assert.match(log, /creating a PostgreSQL cluster/);
  assert.match(log, /created demo store "quantumtrack"/);
  const session = await signIn(url);
  assert.equal(session.tenant.slug, 'quantumtrack');
  const customers = await fetch(`${url}/api/v1/customers`, { headers: { Authorization: `Bearer ${session.access_token}` } });
  assert.equal(customers.status, 200);
  assert.ok((await customers.json()).data.length >= 5);
  // The server's connections are the app role's, and that role was made
  // by migrate: a login role without any power of its own.
  const env = clusterEnv();
  const roles = psql(env.QT_PG_ADMIN_URL, `SELECT DISTINCT usename FROM pg_stat_activity
      WHERE datname = 'quantumtrack' AND pid <> pg_backend_pid() AND backend_type = 'client backend';
    SELECT rolcanlogin, rolsuper, rolbypassrls, rolcreaterole FROM pg_roles WHERE rolname = 'quantumtrack_app';`);
  assert.deepEqual(roles, [['quantumtrack_app'], ['t', 'f', 'f', 'f']]);
});

test('run-pg again after the cluster was stopped starts it and serves the same store', { skip, timeout: 60000 }, async () => {
  await stopServer();
  execFileSync(PG, ['stop-server', cluster], { stdio: 'pipe' });
  const { url, log } = await runPg();
  assert.doesNotMatch(log, /creating a PostgreSQL cluster/);
  assert.match(log, /demo store "quantumtrack" already exists/);
  await signIn(url);
});
