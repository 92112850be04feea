// sse.mjs — a small Server-Sent Events client over node:http for the
// event stream tests and bench/events.sh: opens GET /api/v1/events with a
// ticket or a Bearer token, parses `id:`, `event:`, `data:` and comment
// lines as they arrive, and lets a test wait for what it expects.
//
//   const s = await openEvents(srv.url, { token, lastEventId });
//   const e = await s.waitFor((e) => e.event === 'entry.created');
//   s.close();
import http from 'node:http';

const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

// Resolves once the response head is in: {status, headers, events, comments,
// text (a non-200 body), waitFor(pred, ms), next(ms), close(), closed}.
// events: [{id, event, data (parsed JSON when it is), raw, at (ms)}].
export function openEvents(base, { ticket, token, lastEventId, query = '', headers = {} } = {}) {
  const params = new URLSearchParams(query);
  if (ticket) params.set('ticket', ticket);
  const qs = params.toString();
  const h = { Accept: 'text/event-stream', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (lastEventId !== undefined) h['Last-Event-ID'] = String(lastEventId);
  const url = new URL('/api/v1/events' + (qs ? `?${qs}` : ''), base);
  return new Promise((resolve, reject) => {
    const s = {
      status: 0, headers: {}, events: [], comments: [], text: '', closed: false, retry: null,
      waiters: [], req: null,
      close() { s.closed = true; s.req?.destroy(); },
      // The first event (from the start, already received ones included)
      // that pred accepts; rejects after ms.
      waitFor(pred, ms = 5000, from = 0) {
        const found = s.events.slice(from).find(pred);
        if (found) return Promise.resolve(found);
        return new Promise((res, rej) => {
          const w = { pred, res, rej, timer: null };
          w.timer = setTimeout(() => {
            s.waiters = s.waiters.filter((x) => x !== w);
            rej(new Error(`no matching event within ${ms} ms; got ${JSON.stringify(s.events.map((e) => [e.id, e.event]))}`));
          }, ms);
          s.waiters.push(w);
        });
      },
      // The next event after those received so far.
      next(ms = 5000) {
        const n = s.events.length;
        return s.waitFor(() => true, ms, n);
      },
      // Resolves when the server ends the response.
      ended: null,
    };
    let buf = '';
    let endResolve;
    s.ended = new Promise((r) => { endResolve = r; });
    const dispatch = (block) => {
      const ev = { id: null, event: 'message', data: null, raw: block, at: Date.now() };
      const data = [];
      let any = false;
      for (const line of block.split('\n')) {
        if (line === '') continue;
        if (line.startsWith(':')) { s.comments.push({ text: line.slice(1).trim(), at: Date.now() }); continue; }
        const i = line.indexOf(':');
        const field = i < 0 ? line : line.slice(0, i);
        let value = i < 0 ? '' : line.slice(i + 1);
        if (value.startsWith(' ')) value = value.slice(1);
        if (field === 'id') { ev.id = value; any = true; }
        else if (field === 'event') { ev.event = value; any = true; }
        else if (field === 'data') { data.push(value); any = true; }
        else if (field === 'retry') s.retry = Number(value);
      }
      if (!any) return;
      const text = data.join('\n');
      try { ev.data = JSON.parse(text); } catch { ev.data = text; }
      s.events.push(ev);
      for (const w of [...s.waiters]) {
        if (w.pred(ev)) {
          clearTimeout(w.timer);
          s.waiters = s.waiters.filter((x) => x !== w);
          w.res(ev);
        }
      }
    };
    const req = http.get(url, { headers: h, agent }, (res) => {
      s.status = res.statusCode;
      s.headers = res.headers;
      res.setEncoding('utf8');
      if (res.statusCode !== 200) {
        res.on('data', (d) => { s.text += d; });
        res.on('end', () => { try { s.json = JSON.parse(s.text); } catch { /* not JSON */ } s.closed = true; endResolve(); resolve(s); });
        return;
      }
      resolve(s);
      res.on('data', (d) => {
        buf += d.replace(/\r\n?/g, '\n');
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          dispatch(buf.slice(0, i));
          buf = buf.slice(i + 2);
        }
      });
      res.on('end', () => { s.closed = true; endResolve(); });
      res.on('error', () => { s.closed = true; endResolve(); });
      res.on('close', () => { s.closed = true; endResolve(); });
    });
    s.req = req;
    req.on('error', (e) => { s.closed = true; endResolve(); if (!s.status) reject(e); });
  });
}

// A ticket for the caller of token: POST /api/v1/events/ticket.
export async function ticketFor(base, token) {
  const r = await fetch(new URL('/api/v1/events/ticket', base), {
    method: 'POST', headers: { Authorization: `Bearer ${token}` },
  });
  const json = await r.json();
  if (r.status !== 200) throw new Error(`ticket: ${r.status} ${JSON.stringify(json)}`);
  return json.ticket;
}
