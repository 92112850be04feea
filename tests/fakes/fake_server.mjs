// fake_server.mjs — the machinery the fake providers share: a node:http
// server on loopback that records every request, checks it with the
// provider's rules, and can be told to answer errors or to be slow.
//
//   const fake = await startFakeServer({ name, check, accept, errorBody });
//   fake.url                    http://127.0.0.1:<port> (the provider's base_url)
//   fake.requests               every request: {method, path, headers, raw, ...parsed, status}
//   fake.rejections             requests the checks refused: {request, reason}
//   fake.failNext({status, body, headers, times})   the next `times` valid requests get this answer
//   fake.delayNext(ms, times)   the next `times` requests are answered after ms
//   fake.reset()                forget requests, queued failures and delays
//   await fake.stop()
//
// check(req, raw) returns {parsed} or {reject: {status, body}, reason};
// accept(parsed) returns the success answer {status, body}.
import { createServer } from 'node:http';

export async function startFakeServer({ check, accept, errorBody }) {
  const failures = [];
  const delays = [];
  const timers = new Set();
  const fake = {
    url: null,
    requests: [],
    rejections: [],
    failNext({ status, body, headers = {}, times = 1 }) {
      for (let i = 0; i < times; i++) failures.push({ status, body, headers });
    },
    delayNext(ms, times = 1) {
      for (let i = 0; i < times; i++) delays.push(ms);
    },
    reset() {
      fake.requests.length = 0;
      fake.rejections.length = 0;
      failures.length = 0;
      delays.length = 0;
    },
    async stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };

  function send(res, { status, body, headers = {} }) {
    if (res.destroyed || res.writableEnded) return;
    const text = body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
    const h = { 'content-type': 'application/json', ...headers };
    try {
      res.writeHead(status, h);
      res.end(text);
    } catch { /* the client gave up (timeout): nothing to answer */ }
  }

  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const record = {
        method: req.method,
        path: req.url,
        headers: { ...req.headers },
        raw: raw.toString('utf8'),
        status: null,
      };
      fake.requests.push(record);
      let answer;
      const verdict = check(req, raw);
      if (verdict.reject) {
        fake.rejections.push({ request: record, reason: verdict.reason });
        answer = verdict.reject;
      } else {
        Object.assign(record, verdict.parsed);
        const f = failures.shift();
        answer = f ? { status: f.status, headers: f.headers, body: f.body === undefined ? errorBody(f.status) : f.body } : accept(verdict.parsed);
      }
      record.status = answer.status;
      const delay = delays.shift();
      if (delay) {
        const t = setTimeout(() => { timers.delete(t); send(res, answer); }, delay);
        timers.add(t);
      } else {
        send(res, answer);
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${server.address().port}`;
  return fake;
}

// Exact key set of a plain object (order not significant), or a reason.
export function exactKeys(obj, keys, where) {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return `${where}: must be an object`;
  const got = Object.keys(obj).sort();
  const want = [...keys].sort();
  if (got.join(',') !== want.join(',')) return `${where}: keys ${JSON.stringify(got)}, expected ${JSON.stringify(want)}`;
  return null;
}

export function randomId(n, alphabet = '0123456789abcdef') {
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}
