// psql.mjs — SQL through psql for the PostgreSQL-only tests that connect
// as a given role (the app role, the owner, a superuser) instead of going
// through the server.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

// Run SQL; returns the rows (fields split on '|').  Throws with psql's
// stderr when a statement fails (ON_ERROR_STOP).
export function psql(url, sql) {
  const out = execFileSync('psql', [url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-f', '-'], {
    input: sql, stdio: ['pipe', 'pipe', 'pipe'],
  }).toString();
  return out.split('\n').filter((l) => l !== '').map((l) => l.split('|'));
}

// SQL that must fail; returns psql's error text.
export function psqlError(url, sql) {
  try {
    psql(url, sql);
  } catch (e) {
    return String(e.stderr);
  }
  assert.fail(`expected an error from: ${sql}`);
}

// The superuser URL of the run's cluster (tests/lib/pg.sh), on database `name`.
export function adminUrlFor(name) {
  return process.env.QT_PG_ADMIN_URL.replace(/\/[^/?]*(\?|$)/, `/${name}$1`);
}
