// bench/soak-client.mjs — the load and the sampler of bench/soak.sh.  Not a
// test.
//
//   node bench/soak-client.mjs URL PAIRS_FILE SERVER_PID SECONDS CONNS INTERVAL_S
//
// PAIRS_FILE holds "ACCESS_TOKEN CUSTOMER_ID" lines (bench-seed --tenants),
// one store's token on each of its customers' lines.  CONNS loops, each on a
// kept-alive connection, send one request after another, each to a random
// (store, customer) pair, of a random kind in these shares:
//
//   30 %  GET  /api/v1/customers/{id}
//   10 %  GET  /api/v1/customers                       (the store's list)
//   10 %  GET  /api/v1/transactions?customer_id={id}   (the customer's entries)
//   30 %  POST /api/v1/transactions  purchase, with an Idempotency-Key
//   10 %  POST /api/v1/transactions  payment (cash), with an Idempotency-Key
//   10 %  GET  /api/v1/reports/summary
//
// SOAK_MIX=reads or SOAK_MIX=writes keeps only the reads (their shares
// as above) or only the writes: bench/soak.sh's cost of each.  With
// SOAK_TOTALS=FILE it writes "REQUESTS WRITES" (answered, all kinds) there
// at the end.
//
// Every INTERVAL_S seconds it samples the server: VmRSS from
// /proc/PID/status, the entries of /proc/PID/fd, and of the requests
// answered in that interval their count, p50 and p99 (client side: from
// writing the request to the last byte of the answer) and errors (any
// answer other than 2xx or 429, and any failed connection).  The first
// errors are printed as they come (stderr), with their bodies.  At the end
// it prints (stdout) a markdown table of the samples and a verdict line.
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

const [url, pairsFile, pidArg, secondsArg, connsArg, intervalArg] = process.argv.slice(2);
if (!url || !pairsFile || !pidArg) {
  console.error('usage: node bench/soak-client.mjs URL PAIRS_FILE SERVER_PID [SECONDS] [CONNS] [INTERVAL_S]');
  process.exit(2);
}
const pid = Number(pidArg);
const seconds = Number(secondsArg || 600);
const conns = Number(connsArg || 16);
const intervalS = Number(intervalArg || 10);
const PRINT_ERRORS = 20;

const pairs = readFileSync(pairsFile, 'utf8').split('\n').filter(Boolean).map((l) => {
  const [token, id] = l.split(' ');
  return { auth: `Bearer ${token}`, id };
});
const stores = new Set(pairs.map((p) => p.auth)).size;
const base = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: conns });

const kinds = [
  [30, 'get customer', (p) => ['GET', `/api/v1/customers/${p.id}`]],
  [10, 'list customers', () => ['GET', '/api/v1/customers']],
  [10, 'list entries', (p) => ['GET', `/api/v1/transactions?customer_id=${p.id}`]],
  [30, 'purchase', (p) => ['POST', '/api/v1/transactions',
    { customer_id: p.id, type: 'purchase', amount_minor: 100 + Math.floor(Math.random() * 5000), note: 'Soak' }]],
  [10, 'payment', (p) => ['POST', '/api/v1/transactions',
    { customer_id: p.id, type: 'payment', amount_minor: 50, payment_method: 'cash' }]],
  [10, 'report', () => ['GET', '/api/v1/reports/summary']],
];
const mix = process.env.SOAK_MIX || 'mixed';
const isWrite = (k) => k[2]({ id: 'x' }).length > 2;
if (mix === 'reads' || mix === 'writes') {
  const keep = kinds.filter((k) => isWrite(k) === (mix === 'writes'));
  kinds.length = 0;
  kinds.push(...keep);
} else if (mix !== 'mixed') {
  console.error(`soak: SOAK_MIX must be mixed, reads or writes, not ${mix}`);
  process.exit(2);
}
const totalWeight = kinds.reduce((a, k) => a + k[0], 0);
function pickKind() {
  let r = Math.random() * totalWeight;
  for (const k of kinds) {
    if ((r -= k[0]) < 0) return k;
  }
  return kinds[0];
}

function send(method, path, auth, body) {
  return new Promise((resolve) => {
    const headers = { Authorization: auth };
    let data;
    if (body) {
      data = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = Buffer.byteLength(data);
      headers['Idempotency-Key'] = randomUUID();
    }
    const req = http.request({ host: base.hostname, port: base.port, path, method, headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', (e) => resolve({ status: 0, body: String(e) }));
    });
    req.on('error', (e) => resolve({ status: 0, body: String(e) }));
    if (data) req.write(data);
    req.end();
  });
}

// The current interval's figures.
let lat = [];
let errors = 0;
let limited = 0;
let errorsTotal = 0;
let printed = 0;
let answered = 0;
let writes = 0;
const isWriteKind = new Set(kinds.filter(isWrite).map((k) => k[1]));
const byStatus = new Map();

const t0 = performance.now();
const deadline = t0 + seconds * 1000;
let running = true;

async function loop() {
  while (running && performance.now() < deadline) {
    const p = pairs[Math.floor(Math.random() * pairs.length)];
    const kind = pickKind();
    const [, name, make] = kind;
    const [method, path, body] = make(p);
    const start = performance.now();
    const r = await send(method, path, p.auth, body);
    const ms = performance.now() - start;
    answered++;
    if (isWriteKind.has(name)) writes++;
    if (r.status >= 200 && r.status < 300) {
      lat.push(ms);
    } else if (r.status === 429) {
      limited++;
      lat.push(ms);
    } else {
      errors++;
      errorsTotal++;
      const key = `${r.status || 'connection'} ${name}`;
      byStatus.set(key, (byStatus.get(key) || 0) + 1);
      if (printed++ < PRINT_ERRORS) {
        console.error(`error at ${((start - t0) / 1000).toFixed(1)} s: ${method} ${path} -> ${r.status || 'no answer'} ${r.body.slice(0, 300)}`);
      }
    }
  }
}

function rssKb() {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : NaN;
  } catch {
    return NaN;
  }
}
function fds() {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return NaN;
  }
}
function pct(sorted, q) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

const samples = [];
let lastSample = 0;
function sample() {
  const l = lat.sort((a, b) => a - b);
  const now = performance.now();
  const s = {
    t: Math.round((now - t0) / 1000), secs: (now - t0 - lastSample) / 1000,
    rss: rssKb(), fds: fds(), n: l.length + errors, p50: pct(l, 0.5), p99: pct(l, 0.99),
    errors, limited, load: readFileSync('/proc/loadavg', 'utf8').split(' ')[0],
  };
  lastSample = now - t0;
  samples.push(s);
  console.error(`  ${String(s.t).padStart(4)} s  RSS ${(s.rss / 1024).toFixed(1)} MB  fds ${s.fds}  ` +
    `${(s.n / s.secs).toFixed(0)} req/s  p50 ${s.p50.toFixed(2)} ms  p99 ${s.p99.toFixed(2)} ms  ` +
    `errors ${s.errors}  429 ${s.limited}  load ${s.load}`);
  lat = [];
  errors = 0;
  limited = 0;
}

const before = { t: 0, rss: rssKb(), fds: fds() };
console.error(`soak: ${mix} load, ${conns} connections over ${pairs.length} customers of ${stores} stores for ${seconds} s; ` +
  `server before the load: RSS ${(before.rss / 1024).toFixed(1)} MB, ${before.fds} fds`);
const timer = setInterval(sample, intervalS * 1000);
await Promise.all(Array.from({ length: conns }, loop));
running = false;
clearInterval(timer);
// A last part-interval is only kept if it is at least half an interval.
if (performance.now() - t0 - lastSample >= intervalS * 500) sample();
agent.destroy();

const f = (v, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '?');
const out = [];
out.push(`| t (s) | VmRSS (MB) | fds | req/s | p50 (ms) | p99 (ms) | errors | 429 | load |`);
out.push(`| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`);
for (const s of samples) {
  out.push(`| ${s.t} | ${f(s.rss / 1024, 1)} | ${s.fds} | ${f(s.n / s.secs, 0)} | ${f(s.p50)} | ${f(s.p99)} | ${s.errors} | ${s.limited} | ${s.load} |`);
}
const first = samples[0];
const last = samples[samples.length - 1];
const requests = samples.reduce((a, s) => a + s.n, 0);
out.push('');
if (first && last) {
  out.push(`verdict: RSS ${f(first.rss / 1024, 1)} -> ${f(last.rss / 1024, 1)} MB, ` +
    `fds ${first.fds} -> ${last.fds}, p99 ${f(first.p99)} -> ${f(last.p99)} ms, ` +
    `errors ${errorsTotal} of ${requests} requests` +
    (byStatus.size ? ` (${[...byStatus].map(([k, v]) => `${k}: ${v}`).join(', ')})` : ''));
} else {
  out.push('verdict: no sample (the run was shorter than one interval)');
}
console.log(out.join('\n'));
if (process.env.SOAK_TOTALS) writeFileSync(process.env.SOAK_TOTALS, `${answered} ${writes}\n`);
process.exit(errorsTotal > 0 ? 1 : 0);
