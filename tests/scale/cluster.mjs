// cluster.mjs — what the scale tests start for themselves: a throwaway
// PostgreSQL primary (tests/lib/pg.sh), streaming replicas of it
// (tests/lib/pg_replica.sh), and nginx in front of several servers
// (deploy/nginx.conf with its ports filled in).  Everything lives under one
// temporary directory and is stopped by stop().
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

const LIB = new URL('../lib/', import.meta.url).pathname;
const DEPLOY = new URL('../../deploy/', import.meta.url).pathname;

function parseEnv(text) {
  const env = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (m) env[m[1]] = m[2];
  }
  return env;
}

export function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

// A PostgreSQL primary of our own: {env (QT_PG_* of pg.sh), dir, stop()}.
export function startPrimary() {
  const dir = mkdtempSync(join(tmpdir(), 'qt-scale-'));
  rmSync(dir, { recursive: true, force: true });
  const env = parseEnv(execFileSync(join(LIB, 'pg.sh'), ['start', dir], { stdio: ['ignore', 'pipe', 'pipe'] }).toString());
  // pg.sh's clusters commit without waiting for the WAL flush
  // (synchronous_commit=off), so a commit reaches a replica only at the WAL
  // writer's next round (200 ms by default).  Production commits flush; a
  // short writer delay comes close, and keeps replication tests honest.
  execFileSync('psql', [env.QT_PG_ADMIN_URL, '-X', '-qAtc', "ALTER SYSTEM SET wal_writer_delay = '10ms'"], { stdio: 'pipe' });
  execFileSync('psql', [env.QT_PG_ADMIN_URL, '-X', '-qAtc', 'SELECT pg_reload_conf()'], { stdio: 'pipe' });
  return {
    dir, env,
    stop() { try { execFileSync(join(LIB, 'pg.sh'), ['stop', dir], { stdio: 'pipe' }); } catch { /* gone */ } },
  };
}

// A hot standby of primary: {dir, env (QT_REPLICA_*), appUrl(db), adminUrl(db),
// stopServer(), startServer(), stop()}.
export function startReplica(primary) {
  const dir = mkdtempSync(join(tmpdir(), 'qt-replica-'));
  rmSync(dir, { recursive: true, force: true });
  const env = parseEnv(execFileSync(join(LIB, 'pg_replica.sh'), ['start', primary.dir, dir], { stdio: ['ignore', 'pipe', 'pipe'] }).toString());
  const withDb = (url, db) => { const u = new URL(url); u.pathname = '/' + db; return u.toString(); };
  const pgsh = (cmd) => execFileSync(join(LIB, 'pg.sh'), [cmd, dir], { stdio: 'pipe' });
  return {
    dir, env,
    appUrl: (db) => withDb(env.QT_REPLICA_APP_URL, db),
    adminUrl: (db) => withDb(env.QT_REPLICA_ADMIN_URL, db),
    stopServer() { pgsh('stop-server'); },
    startServer() { pgsh('start-server'); },
    stop() { try { pgsh('stop'); } catch { /* gone */ } },
  };
}

export function psql(url, sql) {
  return execFileSync('psql', [url, '-X', '-qAtc', sql], { stdio: ['ignore', 'pipe', 'pipe'] }).toString().trim();
}

// Wait until fn() is truthy (it may be async), up to ms.
export async function until(fn, ms = 10000, what = 'condition') {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

// nginx from deploy/nginx.conf with the upstream servers and listen port
// filled in: {url, port, stop(), log()}.
export async function startNginx(upstreams) {
  const dir = mkdtempSync(join(tmpdir(), 'qt-nginx-'));
  mkdirSync(join(dir, 'logs'));
  mkdirSync(join(dir, 'tmp'));
  const port = await freePort();
  const conf = readFileSync(join(DEPLOY, 'nginx.conf'), 'utf8')
    .replace(/^\s*server 127\.0\.0\.1:8081[^\n]*\n\s*server 127\.0\.0\.1:8082[^\n]*\n/m,
      upstreams.map((u) => `        server ${u} max_fails=1 fail_timeout=5s;\n`).join(''))
    .replaceAll('listen 8080;', `listen 127.0.0.1:${port};`)
    .replaceAll('/var/log/nginx/quantumtrack', `${dir}/logs/quantumtrack`)
    .replaceAll('/var/lib/nginx/quantumtrack', `${dir}/tmp`)
    .replace(/^pid [^\n]*$/m, `pid ${dir}/nginx.pid;`)
    .replace(/^error_log [^\n]*$/m, `error_log ${dir}/logs/error.log warn;`)
    .replace(/^user [^\n]*\n/m, '');
  if (!conf.includes(`listen 127.0.0.1:${port};`)) throw new Error('deploy/nginx.conf: no "listen 8080;" to fill in');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const bin = ['/usr/sbin/nginx', '/usr/local/sbin/nginx'].find((b) => { try { execFileSync(b, ['-v'], { stdio: 'pipe' }); return true; } catch { return false; } });
  if (!bin) throw new Error('nginx is not installed');
  const proc = spawn(bin, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => { stderr += d; });
  const url = `http://127.0.0.1:${port}`;
  await until(async () => { try { await fetch(url + '/healthz'); return true; } catch { return false; } }, 10000, 'nginx to listen:\n' + stderr);
  return {
    url, port, dir, proc,
    log: () => { try { return readFileSync(join(dir, 'logs', 'error.log'), 'utf8'); } catch { return ''; } },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        const done = new Promise((r) => proc.once('exit', r));
        proc.kill('SIGQUIT');
        await Promise.race([done, sleep(3000)]);
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The access-log lines of a server (JSON, one a line) with this request id.
export function accessLine(srv, requestId) {
  for (const line of srv.accessLog.split('\n')) {
    if (!line.includes(requestId)) continue;
    try { const j = JSON.parse(line); if (j.request_id === requestId) return j; } catch { /* partial */ }
  }
  return null;
}
