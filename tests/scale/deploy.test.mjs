// deploy/quantumtrack.service passes `systemd-analyze verify` and keeps its
// hardening (a made-up user, a read-only system, no new privileges, the
// secrets from an env file), scored by `systemd-analyze security`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../lib/server.mjs';

const UNIT = new URL('../../deploy/quantumtrack.service', import.meta.url).pathname;
const have = (() => { try { execFileSync('systemd-analyze', ['--version'], { stdio: 'pipe' }); return true; } catch { return false; } })();

test('systemd_unit_verifies_and_is_hardened', { skip: !have && 'systemd-analyze is not installed' }, () => {
  const text = readFileSync(UNIT, 'utf8');
  for (const line of ['DynamicUser=yes', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ProtectHome=yes',
    'PrivateTmp=yes', 'StateDirectory=quantumtrack', 'CapabilityBoundingSet=', 'EnvironmentFile=/etc/quantumtrack/quantumtrack.env'])
    assert.ok(text.split('\n').includes(line), `the unit has ${line}`);
  assert.ok(!/^Environment=.*(SECRET|MASTER_KEY|PASSWORD)/m.test(text), 'no secret in the unit itself');
  // verify checks that ExecStart exists: point it at this build.
  const dir = mkdtempSync(join(tmpdir(), 'qt-unit-'));
  try {
    const unit = join(dir, 'quantumtrack.service');
    writeFileSync(unit, text.replace(/^ExecStart=\/usr\/local\/bin\/quantumtrack/m, `ExecStart=${BIN}`)
      .replace(/^EnvironmentFile=.*$/m, 'EnvironmentFile=-/nonexistent/quantumtrack.env'));
    execFileSync('systemd-analyze', ['verify', unit], { stdio: 'pipe' });
    const out = execFileSync('systemd-analyze', ['security', '--offline=yes', unit], { stdio: 'pipe' }).toString();
    const score = Number(/Overall exposure level for \S+: ([\d.]+)/.exec(out)[1]);
    assert.ok(score <= 2.0, `exposure ${score} (systemd-analyze security)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
