// sw-version.mjs — keep web/sw.js in step with the files it caches.
//
//   node tests/browser/tools/sw-version.mjs          # rewrite VERSION and SHELL
//   node tests/browser/tools/sw-version.mjs --check  # exit 1 when stale
//
// VERSION is a hash over every shell file's path and content, so any change
// to web/ makes a new worker (and a fresh cache) in every browser.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB = fileURLToPath(new URL('../../../web', import.meta.url));
const SW = join(WEB, 'sw.js');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

// The generated block for the current web/ tree.
export function expectedBlock() {
  const files = walk(WEB)
    .map((p) => '/' + relative(WEB, p).split('\\').join('/'))
    .filter((u) => u !== '/sw.js' && !u.endsWith('.map'))
    .sort();
  const hash = createHash('sha256');
  for (const u of files) hash.update(u + '\0').update(readFileSync(join(WEB, u))).update('\0');
  const version = hash.digest('hex').slice(0, 16);
  const shell = files.map((u) => (u === '/index.html' ? '/' : u)).sort();
  return `// BEGIN GENERATED (node tests/browser/tools/sw-version.mjs)\nconst VERSION = '${version}';\nconst SHELL = [\n${shell.map((u) => `  '${u}',`).join('\n')}\n];\n// END GENERATED`;
}

const RE = /\/\/ BEGIN GENERATED[^\n]*\n[\s\S]*?\/\/ END GENERATED/;

export function currentBlock() {
  const m = RE.exec(readFileSync(SW, 'utf8'));
  return m ? m[0] : null;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const want = expectedBlock();
  if (process.argv.includes('--check')) {
    if (currentBlock() !== want) { console.error('web/sw.js is stale: run node tests/browser/tools/sw-version.mjs'); process.exit(1); }
  } else {
    const src = readFileSync(SW, 'utf8');
    if (!RE.test(src)) { console.error('web/sw.js has no GENERATED block'); process.exit(1); }
    writeFileSync(SW, src.replace(RE, want));
    console.log(want.split('\n')[1]);
  }
}
