// foundation.mjs — helpers for the foundation black-box tests: crafting
// and taking apart JWTs, raw HTTP over a socket (for requests fetch refuses
// to send), operator accounts, and problem+json assertions.
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { connect } from 'node:net';

export const b64url = (buf) => Buffer.from(buf).toString('base64url');

export function jwtParts(token) {
  const [h, p, s] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    payload: JSON.parse(Buffer.from(p, 'base64url').toString()),
    signature: s,
  };
}

// Sign header+payload with HMAC (sha256 by default) under `secret`.
export function signJwt(header, payload, secret, hash = 'sha256') {
  const h = b64url(JSON.stringify(header));
  const p = b64url(JSON.stringify(payload));
  const sig = createHmac(hash, secret).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${sig}`;
}

// One raw HTTP/1.1 exchange; resolves with the whole reply once the server
// closes or `idleMs` passes without data.  Returns {status, head, body, raw}.
export function rawHttp(port, request, { idleMs = 1500 } = {}) {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    const chunks = [];
    let timer = null;
    const finish = () => {
      clearTimeout(timer);
      sock.destroy();
      const raw = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(raw);
      const split = raw.indexOf('\r\n\r\n');
      resolve({
        status: m ? Number(m[1]) : 0,
        head: split >= 0 ? raw.slice(0, split) : raw,
        body: split >= 0 ? raw.slice(split + 4) : '',
        raw,
      });
    };
    const arm = () => { clearTimeout(timer); timer = setTimeout(finish, idleMs); };
    sock.on('connect', () => { sock.write(request); arm(); });
    sock.on('data', (d) => {
      chunks.push(d);
      // Done once a response with a Content-Length is complete.
      const raw = Buffer.concat(chunks).toString('latin1');
      const split = raw.indexOf('\r\n\r\n');
      const cl = split >= 0 && /\r\ncontent-length: *(\d+)/i.exec(raw.slice(0, split));
      if (cl && raw.length - split - 4 >= Number(cl[1])) finish();
      else arm();
    });
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', (e) => (chunks.length ? finish() : reject(e)));
  });
}

// An operator account (CLI) signed in through the API.
export async function newOperator(srv, { email, password = 'operator-password-1' } = {}) {
  email ??= `op-${randomBytes(4).toString('hex')}@platform.example`;
  const r = srv.cli(['operator', 'add', '--email', email, '--password', password]);
  if (r.code !== 0) throw new Error(`operator add failed: ${r.stderr}`);
  const l = await srv.api('POST', '/api/v1/platform/auth/login', { body: { email, password } });
  if (l.status !== 200) throw new Error(`operator login failed: ${l.status} ${l.text}`);
  return { email, password, token: l.json.access_token, session: l.json };
}

// Assert an RFC 9457 problem with this status and code; when `field` is
// given, errors[] must name it.  Returns the problem body.
export function assertProblem(res, status, code, field) {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${String(res.text).slice(0, 400)}`);
  assert.match(res.headers.get('content-type') || '', /^application\/problem\+json/, res.text);
  assert.ok(res.json, `problem body is JSON: ${res.text}`);
  assert.equal(res.json.status, status);
  assert.equal(res.json.code, code, String(res.text).slice(0, 400));
  assert.equal(res.json.type, `/problems/${code}`);
  assert.equal(typeof res.json.title, 'string');
  assert.equal(typeof res.json.detail, 'string');
  assert.ok(Array.isArray(res.json.errors));
  assert.equal(res.json.request_id, res.headers.get('x-request-id'));
  if (field !== undefined)
    assert.ok(res.json.errors.some((e) => e.field === field),
      `errors name field ${field}: ${JSON.stringify(res.json.errors)}`);
  return res.json;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
