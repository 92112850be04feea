// server.mjs — start the real quantumtrack binary on loopback for black-box
// tests, on SQLite (a temp file) or PostgreSQL (a fresh database in the
// throwaway cluster that scripts/test-all.sh starts; see tests/lib/pg.sh).
//
//   const srv = await startServer();           // backend from QT_TEST_DB
//   const r = await srv.api('GET', '/healthz'); // {status, headers, json, text}
//   await srv.cli(['tenant', 'list']);          // same database as the server
//   await srv.stop();
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { responseChecker } from './openapi_check.mjs';

export const BIN = process.env.QT_BIN || new URL('../../quantumtrack', import.meta.url).pathname;
export const BACKEND = process.env.QT_TEST_DB || 'sqlite';

// Every srv.api() response is checked against GET /api/v1/openapi.json
// (tests/lib/openapi_check.mjs): its status, Content-Type, body schema and
// problem code must be documented for its operation.  QT_OPENAPI_CHECK=fail
// (the default) makes srv.stop() throw, listing the mismatches, so the test
// file fails; =record only collects them in srv.openapiViolations; =off
// skips the check.  It costs a few milliseconds per file.
export const OPENAPI_CHECK = process.env.QT_OPENAPI_CHECK || 'fail';
const checkers = new Map(); // binary -> Promise of a checker (one document per binary)

async function checkerFor(srv) {
  if (!checkers.has(BIN)) {
    const p = (async () => {
      let doc;
      try {
        const res = await fetch(srv.url + '/api/v1/openapi.json');
        doc = res.status === 200 ? await res.json() : null;
      } catch { /* not answering */ }
      // A server that cannot answer now (a fault test) is asked again later.
      if (!doc) {
        checkers.delete(BIN);
        return null;
      }
      return responseChecker(doc); // a broken schema throws into the test
    })();
    checkers.set(BIN, p);
  }
  return checkers.get(BIN);
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

// A fresh database per server on PostgreSQL, migrated as the owner role;
// the server connects as the app role (owns nothing, no BYPASSRLS).
// `cluster` holds the QT_PG_* URLs of tests/lib/pg.sh (default: this
// process's environment, i.e. the run's shared cluster).
export function createPostgresDatabase(cluster = process.env) {
  const name = 'qt_' + randomBytes(6).toString('hex');
  const admin = cluster.QT_PG_ADMIN_URL;
  if (!admin || !cluster.QT_PG_OWNER_URL || !cluster.QT_PG_APP_URL)
    throw new Error('PostgreSQL tests need QT_PG_ADMIN_URL, QT_PG_OWNER_URL, QT_PG_APP_URL (scripts/test-all.sh sets them)');
  execFileSync('psql', [admin, '-qAtc', `CREATE DATABASE ${name} OWNER qt_owner`], { stdio: 'pipe' });
  const owner = withDatabase(cluster.QT_PG_OWNER_URL, name);
  execFileSync(BIN, ['migrate', '--db', owner], { stdio: 'pipe' });
  return { name, owner, app: withDatabase(cluster.QT_PG_APP_URL, name), adminUrl: admin };
}

export function dropPostgresDatabase(pg) {
  try {
    execFileSync('psql', [pg.adminUrl, '-qAtc', `DROP DATABASE IF EXISTS ${pg.name} WITH (FORCE)`], { stdio: 'pipe' });
  } catch { /* cluster may be gone */ }
}

// Options: backend ('sqlite' | 'postgres', default QT_TEST_DB), env (extra
// environment, e.g. QT_DB to connect through a pooler), listen, and pg: an
// existing database from createPostgresDatabase() to share between servers
// (the caller drops it; stop() then leaves it alone).
export async function startServer(opts = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'qt-test-'));
  const backend = opts.pg ? 'postgres' : (opts.backend || BACKEND);
  let db, ownerDb, pg = null;
  const ownsDatabase = !opts.pg;
  if (backend === 'postgres') {
    pg = opts.pg || createPostgresDatabase();
    db = pg.app;
    ownerDb = pg.owner;
  } else {
    db = `sqlite:${dir}/qt.db`;
    ownerDb = db;
  }
  const env = {
    ...process.env,
    QT_DB: db,
    QT_DATA_DIR: dir,
    QT_JWT_SECRET: 'test-secret-' + randomBytes(24).toString('hex'),
    QT_MASTER_KEY: randomBytes(32).toString('hex'),
    QT_THREADS: '4',
    ...(opts.env || {}),
  };
  const srv = {
    dir, db, ownerDb, backend, env, pg, proc: null, url: null, port: null, log: '', openapiViolations: [],
    async start() {
      const proc = spawn(BIN, ['serve', '--listen', opts.listen || '127.0.0.1:0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      srv.proc = proc;
      srv.log = '';
      srv.accessLog = '';
      proc.stdout.on('data', (d) => { srv.accessLog += d; });
      await new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('server did not start:\n' + srv.log)), 15000);
        proc.stderr.on('data', (d) => {
          srv.log += d;
          const m = /listening on http:\/\/([\d.]+):(\d+)/.exec(srv.log);
          if (m && !srv.url) {
            srv.port = Number(m[2]);
            srv.url = `http://${m[1]}:${m[2]}`;
            clearTimeout(timer);
            resolve();
          }
        });
        proc.on('exit', (code, sig) => { srv.exit = { code, sig }; clearTimeout(timer); if (!srv.url) reject(new Error(`server exited ${code}:\n${srv.log}`)); });
      });
      return srv;
    },
    // Restart on the same port and database (fault tests).
    async restart() {
      const port = srv.port;
      await srv.stop({ keep: true });
      opts.listen = `127.0.0.1:${port}`;
      srv.url = null;
      return srv.start();
    },
    async stop({ keep = false, signal = 'SIGTERM' } = {}) {
      // exitCode stays null when a signal ended the process (kill -9).
      if (srv.proc && srv.proc.exitCode === null && srv.proc.signalCode === null) {
        const done = new Promise((r) => srv.proc.once('exit', (code, sig) => r({ code, sig })));
        srv.proc.kill(signal);
        srv.exit = await done;
      }
      // A sanitizer build reports memory errors on stderr: make them fail
      // the test that started this server.
      if (/(Address|UndefinedBehavior|Leak|Thread)Sanitizer|runtime error:/.test(srv.log))
        throw new Error('sanitizer report from the server:\n' + srv.log.slice(0, 4000));
      if (!keep) {
        rmSync(dir, { recursive: true, force: true });
        if (pg && ownsDatabase) dropPostgresDatabase(pg);
        if (OPENAPI_CHECK === 'fail' && srv.openapiViolations.length)
          throw new Error('responses that do not match GET /api/v1/openapi.json (src/api/openapi_schemas.json):\n  ' +
            [...new Set(srv.openapiViolations)].slice(0, 30).join('\n  '));
      }
      return srv.exit;
    },
    // Run the CLI against the same database (as the owner role on PostgreSQL).
    cli(args, { input, ownerRole = true } = {}) {
      try {
        const stdout = execFileSync(BIN, args, {
          env: { ...env, QT_DB: ownerRole ? ownerDb : db }, input, stdio: ['pipe', 'pipe', 'pipe'],
        });
        return { code: 0, stdout: stdout.toString(), stderr: '' };
      } catch (e) {
        return { code: e.status, stdout: String(e.stdout || ''), stderr: String(e.stderr || '') };
      }
    },
    async api(method, path, { token, body, headers = {}, raw } = {}) {
      const h = { ...headers };
      if (token) h.Authorization = `Bearer ${token}`;
      let payload;
      if (raw !== undefined) payload = raw;
      else if (body !== undefined) { payload = JSON.stringify(body); h['Content-Type'] ??= 'application/json'; }
      const res = await fetch(srv.url + path, { method, headers: h, body: payload });
      const text = await res.text();
      let json = null;
      try { json = JSON.parse(text); } catch { /* not JSON */ }
      if (OPENAPI_CHECK !== 'off' && method !== 'HEAD') {
        const check = await checkerFor(srv);
        if (check) srv.openapiViolations.push(...check({ method: method.toUpperCase(), path, status: res.status,
          contentType: res.headers.get('content-type'), text, json }));
      }
      return { status: res.status, headers: res.headers, json, text };
    },
  };
  await srv.start();
  return srv;
}

// A store with an owner, made through the CLI; returns {slug, email, password}.
export function createTenant(srv, { slug, name, plan = 'professional', email, password = 'correct-horse-battery' } = {}) {
  slug ??= 't' + randomBytes(4).toString('hex');
  email ??= `owner@${slug}.example`;
  const r = srv.cli(['tenant', 'create', '--slug', slug, '--name', name || `Store ${slug}`, '--plan', plan,
    '--owner-email', email, '--owner-password', password]);
  if (r.code !== 0) throw new Error(`tenant create failed: ${r.stderr}`);
  return { slug, email, password };
}

export function addUser(srv, { tenant, email, role, password = 'correct-horse-battery' }) {
  const r = srv.cli(['user', 'add', '--tenant', tenant, '--email', email, '--role', role, '--password', password]);
  if (r.code !== 0) throw new Error(`user add failed: ${r.stderr}`);
  return { email, password, role };
}

export async function login(srv, tenant, email, password) {
  const r = await srv.api('POST', '/api/v1/auth/login', { body: { tenant, email, password } });
  if (r.status !== 200) throw new Error(`login ${email}@${tenant} failed: ${r.status} ${r.text}`);
  return r.json;
}

// Owner token for a new store: {slug, token, session}.
export async function newStore(srv, opts = {}) {
  const t = createTenant(srv, opts);
  const session = await login(srv, t.slug, t.email, t.password);
  return { ...t, token: session.access_token, session };
}
