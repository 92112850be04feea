// Files on disk: the SQLite database (password hashes, customers' details)
// and the development secrets are the owner's alone, whatever the data
// directory's mode.  SQLite only: PostgreSQL keeps no files of ours.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, BACKEND, startServer, login } from '../lib/server.mjs';

const skip = BACKEND !== 'sqlite' && 'SQLite only';
const mode = (p) => (statSync(p).mode & 0o777).toString(8).padStart(4, '0');

// A data directory made 0755, the way `mkdir data` leaves it.
function dataDir() {
  const root = mkdtempSync(join(tmpdir(), 'qt-files-'));
  const dir = join(root, 'data');
  mkdirSync(dir);
  chmodSync(dir, 0o755);
  return { root, dir };
}

// Use the data directory's own files: no secrets or database from the environment.
function envFor(dir) {
  return { ...process.env, QT_DATA_DIR: dir, QT_DB: '', QT_JWT_SECRET: '', QT_MASTER_KEY: '' };
}

test('demo and serve keep the database, its -wal and -shm and the secrets at 0600', { skip }, async () => {
  const { root, dir } = dataDir();
  let srv;
  try {
    execFileSync(BIN, ['demo', '--data-dir', dir], { env: envFor(dir), stdio: 'pipe' });
    for (const f of ['quantumtrack.db', 'jwt_secret', 'master_key'])
      assert.equal(mode(join(dir, f)), '0600', f);
    srv = await startServer({ env: { QT_DATA_DIR: dir, QT_DB: `sqlite:${dir}/quantumtrack.db`, QT_JWT_SECRET: '', QT_MASTER_KEY: '' } });
    // A write, so the WAL and its index exist while the server runs.
    const s = await login(srv, 'quantumtrack', 'owner@quantumtrack.example', 'quantumtrack-demo');
    const r = await srv.api('PATCH', '/api/v1/settings', { token: s.access_token, body: { name: 'Files test' } });
    assert.equal(r.status, 200, r.text);
    for (const f of ['quantumtrack.db', 'quantumtrack.db-wal', 'quantumtrack.db-shm', 'jwt_secret', 'master_key']) {
      assert.ok(existsSync(join(dir, f)), `${f} exists`);
      assert.equal(mode(join(dir, f)), '0600', f);
    }
    // A backup is a copy of the same data.
    const out = join(dir, 'backup.db');
    execFileSync(BIN, ['backup', '--data-dir', dir, out], { env: envFor(dir), stdio: 'pipe' });
    assert.equal(mode(out), '0600', 'backup');
  } finally {
    if (srv) await srv.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('a database and secrets left readable by others are made 0600 at start', { skip }, async () => {
  const { root, dir } = dataDir();
  let srv;
  try {
    execFileSync(BIN, ['demo', '--data-dir', dir], { env: envFor(dir), stdio: 'pipe' });
    for (const f of ['quantumtrack.db', 'jwt_secret', 'master_key'])
      chmodSync(join(dir, f), 0o644);
    srv = await startServer({ env: { QT_DATA_DIR: dir, QT_DB: `sqlite:${dir}/quantumtrack.db`, QT_JWT_SECRET: '', QT_MASTER_KEY: '' } });
    assert.equal((await srv.api('GET', '/readyz')).status, 200);
    for (const f of ['quantumtrack.db', 'quantumtrack.db-wal', 'quantumtrack.db-shm', 'jwt_secret', 'master_key'])
      assert.equal(mode(join(dir, f)), '0600', f);
  } finally {
    if (srv) await srv.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
