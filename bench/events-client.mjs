// bench/events-client.mjs — the load side of bench/events.sh: opens the
// event streams, sends probe writes and measures how long each takes to
// reach every stream of its store (fan-out latency), alone and while wrk
// loads the API; prints one JSON object with the results.
//
//   node bench/events-client.mjs CONFIG.json
//
// CONFIG: {url, streams_per_store, duration_s, probe_ms, wrk_conns,
//          get: {url, token}, post_script, post_url,
//          stores: [{token, probe_customer}]}
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Arrival times of probe entries at the streams, by entry id.
const arrivals = new Map();
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

// One stream, read as cheaply as the client can (the client shares the
// cores with the server): only messages naming the store's probe customer
// are parsed, the rest is skipped as text.
function openStream(store) {
  return new Promise((resolve, reject) => {
    const s = { closed: false, req: null, close() { s.closed = true; s.req.destroy(); } };
    s.req = http.get(new URL('/api/v1/events', cfg.url), { agent, headers: { Authorization: `Bearer ${store.token}` } }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`stream refused: ${res.statusCode}`)); res.resume(); return; }
      res.setEncoding('utf8');
      let buf = '';
      res.on('data', (d) => {
        buf += d;
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const msg = buf.slice(0, i);
          buf = buf.slice(i + 2);
          if (!msg.includes(store.probe_customer) || !msg.includes('event: entry.created')) continue;
          const data = JSON.parse(msg.slice(msg.indexOf('data: ') + 6));
          const t = performance.now();
          const a = arrivals.get(data.id);
          if (a) a.push(t); else arrivals.set(data.id, [t]);
        }
      });
      const end = () => { s.closed = true; };
      res.on('end', end);
      res.on('close', end);
      resolve(s);
    });
    s.req.on('error', (e) => { s.closed = true; if (!s.req.res) reject(e); });
  });
}

async function openAll() {
  const streams = [];
  const t0 = performance.now();
  for (const s of cfg.stores)
    streams.push(...await Promise.all(Array.from({ length: cfg.streams_per_store }, () => openStream(s))));
  return { streams, ms: performance.now() - t0 };
}

// One probe write; resolves with its latencies (ms, one per stream) once
// every stream of the store has it, or after 10 s with what came.
async function probe(store) {
  const t0 = performance.now();
  const r = await fetch(new URL('/api/v1/transactions', cfg.url), {
    method: 'POST',
    headers: { Authorization: `Bearer ${store.token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ customer_id: store.probe_customer, type: 'purchase', amount_minor: 1 }),
  });
  const j = await r.json();
  if (r.status !== 201) throw new Error(`probe write: ${r.status} ${JSON.stringify(j)}`);
  const deadline = performance.now() + 10000;
  while ((arrivals.get(j.id)?.length || 0) < cfg.streams_per_store && performance.now() < deadline) await sleep(2);
  const got = arrivals.get(j.id) || [];
  arrivals.delete(j.id);
  return { lat: got.map((t) => t - t0), missing: cfg.streams_per_store - got.length };
}

async function probes(untilMs) {
  const lat = [];
  let missing = 0, i = 0;
  while (performance.now() < untilMs) {
    const p = await probe(cfg.stores[i++ % cfg.stores.length]);
    lat.push(...p.lat);
    missing += p.missing;
    await sleep(cfg.probe_ms);
  }
  return { lat, missing, probes: i };
}

function pct(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

function wrk(args) {
  return new Promise((resolve, reject) => {
    const w = spawn('wrk', ['-t1', `-c${cfg.wrk_conns}`, `-d${cfg.duration_s}s`, '--latency', ...args]);
    let out = '';
    w.stdout.on('data', (d) => { out += d; });
    w.stderr.on('data', (d) => { out += d; });
    w.on('error', reject);
    w.on('exit', () => {
      const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] || 0);
      const p99 = /^\s+99%\s+(\S+)/m.exec(out)?.[1] || null;
      const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] || 0);
      resolve({ rps, p99, non2xx });
    });
  });
}

// CPU seconds the server has used (utime + stime from /proc).
function serverCpu() {
  if (!cfg.server_pid) return 0;
  const f = readFileSync(`/proc/${cfg.server_pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

async function phase(name, wrkArgs, { probing = true } = {}) {
  const until = performance.now() + cfg.duration_s * 1000;
  const cpu0 = serverCpu(), me0 = process.cpuUsage();
  const [w, p] = await Promise.all([wrkArgs ? wrk(wrkArgs) : null,
    probing ? probes(until) : sleep(cfg.duration_s * 1000).then(() => ({ lat: [], missing: 0, probes: 0 }))]);
  const me = process.cpuUsage(me0);
  return {
    name, rps: w?.rps ?? null, p99_api: w?.p99 ?? null, non2xx: w?.non2xx ?? 0,
    fanout_p50_ms: pct(p.lat, 50), fanout_p99_ms: pct(p.lat, 99), deliveries: p.lat.length,
    missing: p.missing, probes: p.probes,
    server_cpu_s: +(serverCpu() - cpu0).toFixed(2), client_cpu_s: +((me.user + me.system) / 1e6).toFixed(2),
    requests: w ? Math.round(w.rps * cfg.duration_s) : 0,
  };
}

const getArgs = ['-H', `Authorization: Bearer ${cfg.get.token}`, cfg.get.url];
const postArgs = ['-s', cfg.post_script, cfg.post_url];
const phases = [];
phases.push(await phase('get0', getArgs, { probing: false }));
phases.push(await phase('post0', postArgs, { probing: false }));
const { streams, ms } = await openAll();
phases.push(await phase('idle'));
phases.push(await phase('get_quiet', getArgs, { probing: false }));
phases.push(await phase('get', getArgs));
phases.push(await phase('post', postArgs));
const stillOpen = streams.filter((s) => !s.closed).length;
for (const s of streams) s.close();
console.log(JSON.stringify({ streams: streams.length, open_ms: Math.round(ms), still_open: stillOpen, phases }));
process.exit(0);
