// Documents attached to customers (plan feature `documents`), on both
// backends: the type is what the bytes are, at most 10 MiB, counted
// against the plan's storage (refused before the body is read when the
// size is declared, and while it streams when not), stored in chunks with
// checksums that a download and `quantumtrack verify` check, another
// store's ids answer 404, role and plan gates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { startServer, newStore, createTenant, login, BACKEND } from '../lib/server.mjs';
import { customer, tokenFor } from '../lib/ledger.mjs';
import { assertProblem, rawHttp, newOperator } from '../lib/foundation.mjs';
import { psql, adminUrlFor } from '../lib/psql.mjs';

const MiB = 1024 * 1024;
let srv, s, c;

// File heads the server recognises, padded with random bytes.
const HEADS = {
  png: Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'),
  jpeg: Buffer.from('ffd8ffe000104a464946', 'hex'),
  webp: Buffer.from('RIFF\x24\0\0\0WEBPVP8 ', 'latin1'),
  pdf: Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1'),
};
function file(kind, size = 4096) {
  const head = HEADS[kind];
  return Buffer.concat([head, randomBytes(Math.max(0, size - head.length))]);
}
const sha256 = (b) => createHash('sha256').update(b).digest('hex');

const docsOf = (cid) => `/api/v1/customers/${cid}/documents`;

async function upload(token, cid, body, type, { filename, headers = {} } = {}) {
  const q = filename === undefined ? '' : `?filename=${encodeURIComponent(filename)}`;
  return srv.api('POST', docsOf(cid) + q, { token, raw: body, headers: { 'Content-Type': type, ...headers } });
}

async function download(token, id) {
  const res = await fetch(`${srv.url}/api/v1/documents/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  const buf = Buffer.from(await res.arrayBuffer());
  let json = null;
  try { json = JSON.parse(buf.toString()); } catch { /* bytes */ }
  return { status: res.status, headers: res.headers, body: buf, json, text: buf.toString('latin1') };
}

// A body sent chunked (no Content-Length), in pieces of `piece` bytes.
async function uploadChunked(token, cid, body, type, piece = 64 * 1024) {
  let at = 0;
  const stream = new ReadableStream({
    pull(ctl) {
      if (at >= body.length) { ctl.close(); return; }
      ctl.enqueue(new Uint8Array(body.subarray(at, at + piece)));
      at += piece;
    },
  });
  try {
    const res = await fetch(`${srv.url}${docsOf(cid)}?filename=big.png`, {
      method: 'POST', body: stream, duplex: 'half',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': type },
    });
    const text = await res.text();
    let json = null;
    try { json = JSON.parse(text); } catch { /* none */ }
    return { status: res.status, headers: res.headers, json, text };
  } catch (e) {
    return { status: 0, error: e };
  }
}

// Run SQL with full rights on the server's database (the tamper tests):
// sqlite3 on the file, or psql as a superuser (RLS does not apply).
function rawSql(sql) {
  if (BACKEND === 'postgres') return psql(adminUrlFor(new URL(srv.db).pathname.slice(1)), sql);
  return execFileSync('sqlite3', [srv.db.slice('sqlite:'.length), sql], { stdio: 'pipe' }).toString()
    .split('\n').filter(Boolean).map((l) => l.split('|'));
}

// A plan allowing documents and `mb` MiB of storage, made as the owner role.
function makePlan(name, mb, features = ['ledger', 'documents']) {
  const sql = `INSERT INTO plans (name, customer_limit, storage_mb, requests_per_min, features, created_at, updated_at)
    VALUES ('${name}', 50, ${mb}, NULL, '${JSON.stringify(features)}', 0, 0)`;
  if (BACKEND === 'postgres') psql(srv.ownerDb, sql + ';');
  else execFileSync('sqlite3', [srv.db.slice('sqlite:'.length), sql], { stdio: 'pipe' });
}

before(async () => {
  srv = await startServer();
  s = await newStore(srv);
  c = await customer(srv, s.token, { name: 'Asha' });
});
after(async () => { await srv?.stop(); });

test('a PNG is stored, listed with its metadata and downloaded byte for byte with safe headers', async () => {
  const png = file('png', 300 * 1024);   // two chunks
  const r = await upload(s.token, c.id, png, 'image/png', { filename: 'ID card.png' });
  assert.equal(r.status, 201, r.text);
  const d = r.json;
  assert.match(d.id, /^[0-9a-f-]{36}$/);
  assert.equal(d.customer_id, c.id);
  assert.equal(d.filename, 'ID card.png');
  assert.equal(d.content_type, 'image/png');
  assert.equal(d.size_bytes, png.length);
  assert.equal(d.sha256, sha256(png));
  assert.equal(d.created_by, s.session.user.id);
  assert.match(d.created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const list = await srv.api('GET', docsOf(c.id), { token: s.token });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(list.json.data.find((x) => x.id === d.id), d);
  assert.equal(list.json.next_cursor, null);

  const g = await download(s.token, d.id);
  assert.equal(g.status, 200);
  assert.ok(g.body.equals(png), 'the bytes come back as they went in');
  assert.equal(g.headers.get('content-type'), 'image/png');
  assert.equal(g.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(g.headers.get('content-security-policy'), 'sandbox');
  assert.equal(g.headers.get('content-disposition'), 'attachment; filename="ID card.png"; filename*=UTF-8\'\'ID%20card.png');
  assert.equal(g.headers.get('repr-digest'), `sha-256=:${createHash('sha256').update(png).digest('base64')}:`);

  // The audit trail has it.
  const a = await srv.api('GET', `/api/v1/audit?entity=document&entity_id=${d.id}`, { token: s.token });
  assert.deepEqual(a.json.data.map((x) => x.action), ['document.created']);
  assert.equal(a.json.data[0].after.sha256, d.sha256);
});

test('names: a path is cut to its last segment, odd characters replaced, the extension made to match', async () => {
  const cases = [
    ['../../etc/passwd', 'pdf', 'application/pdf', 'passwd.pdf'],
    ['C:\\Users\\me\\scan.PDF', 'pdf', 'application/pdf', 'scan.PDF'],
    ['photo\u202egpj.exe', 'jpeg', 'image/jpeg', 'photo_gpj.exe.jpg'],
    ['रसीद "1".webp', 'webp', 'image/webp', 'रसीद _1_.webp'],
    [undefined, 'jpeg', 'image/jpeg', 'document.jpg'],
    ['...', 'png', 'image/png', 'document.png'],
  ];
  for (const [given, kind, type, kept] of cases) {
    const r = await upload(s.token, c.id, file(kind), type, { filename: given });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.json.filename, kept, `${given}`);
  }
  const list = (await srv.api('GET', docsOf(c.id), { token: s.token })).json.data;
  const hindi = list.find((x) => x.filename.startsWith('रसीद'));
  const g = await download(s.token, hindi.id);
  assert.equal(g.headers.get('content-disposition'),
    `attachment; filename="____ _1_.webp"; filename*=UTF-8''${encodeURIComponent('रसीद _1_.webp').replace(/'/g, '%27')}`);
});

test('the type is what the bytes are: a PNG renamed .pdf and declared PDF, HTML declared an image, and others are refused', async () => {
  const before = (await srv.api('GET', docsOf(c.id), { token: s.token })).json.data.length;
  // A PNG renamed to .pdf, sent as a PDF.
  let r = await upload(s.token, c.id, file('png'), 'application/pdf', { filename: 'agreement.pdf' });
  assertProblem(r, 415, 'unsupported_media_type');
  assert.equal(r.json.detected, 'image/png');
  // HTML (a stored-XSS attempt) declared as an image.
  const html = Buffer.from('<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>');
  r = await upload(s.token, c.id, html, 'image/png', { filename: 'photo.png' });
  assertProblem(r, 415, 'unsupported_media_type');
  assert.equal(r.json.detected, null);
  r = await upload(s.token, c.id, html, 'image/jpeg');
  assertProblem(r, 415, 'unsupported_media_type');
  // Types we do not take are refused from the head, before the body.
  for (const type of ['text/html', 'image/svg+xml', 'application/octet-stream', 'image/gif']) {
    r = await upload(s.token, c.id, file('png'), type);
    assertProblem(r, 415, 'unsupported_media_type');
    assert.deepEqual(r.json.accepted, ['image/jpeg', 'image/png', 'image/webp', 'application/pdf']);
  }
  r = await srv.api('POST', docsOf(c.id), { token: s.token, raw: file('png') });
  assertProblem(r, 415, 'unsupported_media_type');
  // A JPEG declared PNG, a file too short to be anything, an empty one.
  assertProblem(await upload(s.token, c.id, file('jpeg'), 'image/png'), 415, 'unsupported_media_type');
  assertProblem(await upload(s.token, c.id, Buffer.from([0xff, 0xd8]), 'image/jpeg'), 415, 'unsupported_media_type');
  assertProblem(await upload(s.token, c.id, Buffer.alloc(0), 'image/jpeg'), 422, 'validation_failed', 'file');
  assert.equal((await srv.api('GET', docsOf(c.id), { token: s.token })).json.data.length, before, 'nothing was stored');
});

test('multipart/form-data with one file part is taken; broken or extra parts are refused with the reason', async () => {
  const pdf = file('pdf', 20000);
  const form = new FormData();
  form.append('file', new Blob([pdf], { type: 'application/pdf' }), 'Credit agreement.pdf');
  const res = await fetch(`${srv.url}${docsOf(c.id)}`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${s.token}` } });
  const d = await res.json();
  assert.equal(res.status, 201, JSON.stringify(d));
  assert.equal(d.filename, 'Credit agreement.pdf');
  assert.equal(d.content_type, 'application/pdf');
  assert.equal(d.sha256, sha256(pdf));
  assert.ok((await download(s.token, d.id)).body.equals(pdf));

  const mp = (body, boundary = 'XyZ') => srv.api('POST', docsOf(c.id), {
    token: s.token, raw: Buffer.isBuffer(body) ? body : Buffer.from(body, 'latin1'),
    headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
  });
  const part = (name, type, data, filename = 'x') => Buffer.concat([
    Buffer.from(`--XyZ\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n` +
      (type ? `Content-Type: ${type}\r\n` : '') + '\r\n'), data, Buffer.from('\r\n')]);
  const end = Buffer.from('--XyZ--\r\n');
  // A JPEG whose bytes hold things that look like the boundary.
  const tricky = Buffer.concat([HEADS.jpeg, Buffer.from('\r\n--Xy-not\r\n--Xy\r\r\n--X\r\n-'), randomBytes(1000)]);
  let r = await mp(Buffer.concat([part('file', 'image/jpeg', tricky, 'tricky.jpg'), end]));
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.sha256, sha256(tricky));
  assertProblem(await mp(Buffer.concat([part('photo', 'image/jpeg', tricky), end])), 400, 'invalid_multipart', 'file');
  assertProblem(await mp(Buffer.concat([part('file', 'image/jpeg', tricky), part('file', 'image/jpeg', tricky), end])),
    400, 'invalid_multipart', 'file');
  assertProblem(await mp(Buffer.concat([part('file', 'image/jpeg', tricky)])), 400, 'invalid_multipart', 'body');
  assertProblem(await mp(Buffer.concat([part('file', null, tricky), end])), 415, 'unsupported_media_type');
  assertProblem(await mp(Buffer.concat([part('file', 'text/html', Buffer.from('<html>')), end])), 415, 'unsupported_media_type');
  assertProblem(await mp(Buffer.concat([part('file', 'image/png', tricky), end])), 415, 'unsupported_media_type');
  assertProblem(await mp(end), 400, 'invalid_multipart', 'body');
  assertProblem(await mp('garbage without a boundary'), 400, 'invalid_multipart', 'body');
  assertProblem(await srv.api('POST', docsOf(c.id), { token: s.token, raw: 'x', headers: { 'Content-Type': 'multipart/form-data' } }),
    400, 'invalid_multipart', 'Content-Type');
  assertProblem(await mp(Buffer.concat([Buffer.from('--XyZ\r\nContent-Disposition: form-data; name="file"\r\n' +
    'Content-Type: image/jpeg\r\n\r\n\r\n'), end])), 422, 'validation_failed', 'file');
});

test('exactly 10 MiB is taken and comes back intact; 10 MiB + 1 is refused, declared or streamed', async () => {
  const ten = file('jpeg', 10 * MiB);
  const r = await upload(s.token, c.id, ten, 'image/jpeg', { filename: 'big.jpg' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.size_bytes, 10 * MiB);
  const g = await download(s.token, r.json.id);
  assert.equal(g.status, 200);
  assert.equal(g.body.length, 10 * MiB);
  assert.equal(sha256(g.body), sha256(ten));

  const over = Buffer.concat([ten, Buffer.from([0])]);
  // With Content-Length: answered from the head, before the body (the
  // server may close before the client has sent it all).
  const head = `POST ${docsOf(c.id)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${s.token}\r\n` +
    `Content-Type: image/jpeg\r\nContent-Length: ${over.length}\r\n\r\n`;
  const early = await rawHttp(srv.port, head);
  assert.equal(early.status, 413, early.raw.slice(0, 300));
  assert.equal(JSON.parse(early.body).code, 'file_too_large');
  let viaFetch;
  try { viaFetch = await upload(s.token, c.id, over, 'image/jpeg'); } catch { /* closed early */ }
  if (viaFetch) assertProblem(viaFetch, 413, 'file_too_large');
  // Chunked: stopped at the 10 MiB + 1st byte.
  const chunked = await uploadChunked(s.token, c.id, over, 'image/jpeg');
  assert.equal(chunked.status, 413, chunked.text || String(chunked.error));
  assert.equal(chunked.json.code, 'file_too_large');
  // A multipart body whose file is 10 MiB + 1.
  const form = new FormData();
  form.append('file', new Blob([over], { type: 'image/jpeg' }), 'over.jpg');
  try {
    const res = await fetch(`${srv.url}${docsOf(c.id)}`, { method: 'POST', body: form, headers: { Authorization: `Bearer ${s.token}` } });
    assert.equal(res.status, 413);
    assert.equal((await res.json()).code, 'file_too_large');
  } catch (e) { if (!(e instanceof TypeError)) throw e; /* closed early */ }
  assert.equal((await srv.api('GET', '/healthz')).status, 200);
  const sizes = (await srv.api('GET', `${docsOf(c.id)}?limit=200`, { token: s.token })).json.data.map((x) => x.size_bytes);
  assert.ok(!sizes.includes(10 * MiB + 1));
});

test('the storage quota: refused before the body is read, and while it streams; deleting frees it at once', async () => {
  makePlan('tiny_docs', 1);
  const t = createTenant(srv, { plan: 'tiny_docs' });
  const tok = (await login(srv, t.slug, t.email, t.password)).access_token;
  const cu = await customer(srv, tok, { name: 'Quota' });
  const first = await upload(tok, cu.id, file('png', 600 * 1024), 'image/png');
  assert.equal(first.status, 201, first.text);
  // Declared: refused from the head, the figures in the problem.
  const big = file('png', 600 * 1024);
  const head = `POST ${docsOf(cu.id)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok}\r\n` +
    `Content-Type: image/png\r\nContent-Length: ${big.length}\r\n\r\n`;
  const early = await rawHttp(srv.port, head);
  assert.equal(early.status, 413, early.raw.slice(0, 300));
  const p = JSON.parse(early.body);
  assert.equal(p.code, 'storage_quota_exceeded');
  assert.equal(p.limit_bytes, MiB);
  assert.ok(p.used_bytes > 600 * 1024 && p.used_bytes < MiB, `used ${p.used_bytes}`);
  assert.equal(p.file_bytes, big.length);
  // The store's own rows count too: customers and every change (audit row) it makes.
  const usedAt = async () => JSON.parse((await rawHttp(srv.port, head)).body).used_bytes;
  const before = await usedAt();
  for (let i = 0; i < 3; i++) await customer(srv, tok);
  assert.equal(await usedAt(), before + 3 * (256 + 1728));
  const r = await upload(tok, cu.id, big, 'image/png').catch(() => null);
  if (r) assertProblem(r, 413, 'storage_quota_exceeded');
  // Streamed (no Content-Length): stopped once it passes what is left.
  const streamed = await uploadChunked(tok, cu.id, big, 'image/png', 16 * 1024);
  assert.equal(streamed.status, 413, streamed.text || String(streamed.error));
  assert.equal(streamed.json.code, 'storage_quota_exceeded');
  // Multipart with a declared length: its framing cannot make up the difference.
  const mhead = `POST ${docsOf(cu.id)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${tok}\r\n` +
    `Content-Type: multipart/form-data; boundary=b\r\nContent-Length: ${big.length + 20000}\r\n\r\n`;
  const m = await rawHttp(srv.port, mhead);
  assert.equal(m.status, 413, m.raw.slice(0, 300));
  assert.equal(JSON.parse(m.body).code, 'storage_quota_exceeded');
  // A small one still fits.
  assert.equal((await upload(tok, cu.id, file('png', 1000), 'image/png')).status, 201);
  // Deleting the big one frees its bytes at once.
  const admin = await tokenFor(srv, t, 'admin');
  assert.equal((await srv.api('DELETE', `/api/v1/documents/${first.json.id}`, { token: admin })).status, 204);
  const again = await upload(tok, cu.id, big, 'image/png');
  assert.equal(again.status, 201, again.text);
  assert.equal((await srv.api('GET', docsOf(cu.id), { token: tok })).json.data.length, 2);
});

test('two uploads racing for the last of the quota: one is stored, the other refused', async () => {
  makePlan('race_docs', 1);
  const t = createTenant(srv, { plan: 'race_docs' });
  const tok = (await login(srv, t.slug, t.email, t.password)).access_token;
  const cu = await customer(srv, tok);
  // Each fits alone (both pass the early check); the two do not.
  const results = await Promise.all([0, 1, 2].map(() => upload(tok, cu.id, file('jpeg', 450 * 1024), 'image/jpeg')));
  const codes = results.map((r) => r.status).sort();
  assert.deepEqual(codes, [201, 201, 413], results.map((r) => r.text).join('\n'));
  assert.equal(results.find((r) => r.status === 413).json.code, 'storage_quota_exceeded');
  assert.equal((await srv.api('GET', docsOf(cu.id), { token: tok })).json.data.length, 2);
  const v = srv.cli(['verify', '--tenant', t.slug]);
  assert.equal(v.code, 0, v.stdout);
});

test('a tampered chunk is found by verify and never served: 500 document_corrupt', async () => {
  const t = await newStore(srv);
  const cu = await customer(srv, t.token);
  const good = await upload(t.token, cu.id, file('pdf', 10000), 'application/pdf');
  const bad = await upload(t.token, cu.id, file('png', 600 * 1024), 'image/png', { filename: 'tampered.png' });
  const gone = await upload(t.token, cu.id, file('jpeg', 300 * 1024), 'image/jpeg');
  assert.equal(bad.status, 201, bad.text);
  let v = srv.cli(['verify', '--tenant', t.slug]);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  assert.match(v.stdout, new RegExp(`${t.slug}: ok \\(balances match their entries; audit chain intact\\)`));
  assert.match(v.stdout, new RegExp(`${t.slug}: ok \\(3 documents match their checksums\\)`));

  // One byte of the second chunk changed; the last chunk of another deleted.
  if (BACKEND === 'postgres')
    rawSql(`UPDATE document_chunks SET data = set_byte(data, 100, (get_byte(data, 100) + 1) % 256)
      WHERE document_id = '${bad.json.id}' AND seq = 1;
      DELETE FROM document_chunks WHERE document_id = '${gone.json.id}' AND seq = 1;`);
  else
    rawSql(`UPDATE document_chunks SET data = zeroblob(length(data)) WHERE document_id = '${bad.json.id}' AND seq = 1;
      DELETE FROM document_chunks WHERE document_id = '${gone.json.id}' AND seq = 1;`);

  v = srv.cli(['verify', '--tenant', t.slug]);
  assert.equal(v.code, 1, v.stdout + v.stderr);
  assert.match(v.stdout, new RegExp(`DOCUMENT CORRUPT document ${bad.json.id} .*"tampered.png".*checksum \\(chunk 1\\)`));
  assert.match(v.stdout, new RegExp(`DOCUMENT CORRUPT document ${gone.json.id} .*missing \\(chunk 1\\)`));
  assert.ok(!v.stdout.includes(good.json.id), v.stdout);

  const g = await download(t.token, bad.json.id);
  assertProblem({ ...g, text: g.body.toString() }, 500, 'document_corrupt');
  assert.equal(g.json.document_id, bad.json.id);
  assert.ok(!g.body.includes(HEADS.png), 'no byte of the file was sent');
  assert.match(srv.log, new RegExp(`document ${bad.json.id} of store ${t.slug} is corrupt`));
  assertProblem(await download(t.token, gone.json.id).then((x) => ({ ...x, text: x.body.toString() })), 500, 'document_corrupt');
  // The intact one is still served.
  assert.equal((await download(t.token, good.json.id)).status, 200);
  // Deleting the broken ones makes the store whole again.
  for (const id of [bad.json.id, gone.json.id])
    assert.equal((await srv.api('DELETE', `/api/v1/documents/${id}`, { token: t.token })).status, 204);
  v = srv.cli(['verify', '--tenant', t.slug]);
  assert.equal(v.code, 0, v.stdout);
});

test('another store\'s document and customer ids answer 404, as missing ones do', async () => {
  const b = await newStore(srv);
  const mine = await upload(s.token, c.id, file('png'), 'image/png');
  for (const [m, p] of [['GET', `/api/v1/documents/${mine.json.id}`], ['DELETE', `/api/v1/documents/${mine.json.id}`],
    ['GET', docsOf(c.id)]]) {
    const r = await srv.api(m, p, { token: b.token });
    assertProblem(r, 404, 'not_found');
    const none = await srv.api(m, p.replace(/[0-9a-f-]{36}/, '00000000-0000-7000-8000-000000000000'), { token: b.token });
    assert.equal(r.json.detail, none.json.detail);
  }
  assertProblem(await upload(b.token, c.id, file('png'), 'image/png'), 404, 'not_found');
  assertProblem(await srv.api('GET', '/api/v1/documents/not-a-uuid', { token: s.token }), 404, 'not_found');
  // A's document is still there and whole.
  assert.equal((await download(s.token, mine.json.id)).status, 200);
});

test('roles: viewers read, members upload, only admins delete', async () => {
  const viewer = await tokenFor(srv, s, 'viewer');
  const member = await tokenFor(srv, s, 'member');
  const admin = await tokenFor(srv, s, 'admin');
  assertProblem(await upload(viewer, c.id, file('png'), 'image/png'), 403, 'forbidden');
  const m = await upload(member, c.id, file('png'), 'image/png');
  assert.equal(m.status, 201, m.text);
  assert.equal((await srv.api('GET', docsOf(c.id), { token: viewer })).status, 200);
  assert.equal((await download(viewer, m.json.id)).status, 200);
  assertProblem(await srv.api('DELETE', `/api/v1/documents/${m.json.id}`, { token: viewer }), 403, 'forbidden');
  assertProblem(await srv.api('DELETE', `/api/v1/documents/${m.json.id}`, { token: member }), 403, 'forbidden');
  assert.equal((await srv.api('DELETE', `/api/v1/documents/${m.json.id}`, { token: admin })).status, 204);
  assertProblem(await download(admin, m.json.id).then((x) => ({ ...x, text: x.body.toString() })), 404, 'not_found');
  assertProblem(await srv.api('DELETE', `/api/v1/documents/${m.json.id}`, { token: admin }), 404, 'not_found');
  const a = await srv.api('GET', `/api/v1/audit?entity=document&entity_id=${m.json.id}`, { token: admin });
  assert.deepEqual(a.json.data.map((x) => x.action), ['document.deleted', 'document.created']);
  // Without a token: refused before the body is read.
  assertProblem(await srv.api('POST', docsOf(c.id), { raw: file('png'), headers: { 'Content-Type': 'image/png' } }), 401, 'unauthorized');
});

test('plan gate: a plan without documents refuses uploads naming the feature, and a plan change takes effect at once', async () => {
  const op = await newOperator(srv);
  const t = await newStore(srv, { plan: 'free' });
  const cu = await customer(srv, t.token);
  const r = await upload(t.token, cu.id, file('png'), 'image/png');
  assertProblem(r, 403, 'feature_not_in_plan');
  assert.equal(r.json.feature, 'documents');
  assert.equal(r.json.plan, 'free');
  const tid = JSON.parse(Buffer.from(t.token.split('.')[1], 'base64url').toString()).tid;
  const up = await srv.api('PATCH', `/api/v1/platform/tenants/${tid}`, { token: op.token, body: { plan: 'professional' } });
  assert.equal(up.status, 200, up.text);
  const ok = await upload(t.token, cu.id, file('png'), 'image/png');
  assert.equal(ok.status, 201, ok.text);
  // Downgraded: what is stored stays readable and deletable, nothing new goes in.
  assert.equal((await srv.api('PATCH', `/api/v1/platform/tenants/${tid}`, { token: op.token, body: { plan: 'free' } })).status, 200);
  assertProblem(await upload(t.token, cu.id, file('png'), 'image/png'), 403, 'feature_not_in_plan');
  assert.equal((await srv.api('GET', docsOf(cu.id), { token: t.token })).json.data.length, 1);
  assert.equal((await download(t.token, ok.json.id)).status, 200);
  assert.equal((await srv.api('DELETE', `/api/v1/documents/${ok.json.id}`, { token: t.token })).status, 204);
});

test('lists page newest first; archived customers take no new documents', async () => {
  const cu = await customer(srv, s.token);
  const ids = [];
  for (let i = 0; i < 5; i++) ids.push((await upload(s.token, cu.id, file('jpeg', 100), 'image/jpeg', { filename: `p${i}.jpg` })).json.id);
  const seen = [];
  let cursor = null;
  do {
    const r = await srv.api('GET', `${docsOf(cu.id)}?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token: s.token });
    assert.equal(r.status, 200, r.text);
    seen.push(...r.json.data.map((x) => x.id));
    cursor = r.json.next_cursor;
  } while (cursor);
  assert.deepEqual(seen, [...ids].reverse());
  assertProblem(await srv.api('GET', `${docsOf(cu.id)}?limit=0`, { token: s.token }), 400, 'invalid_parameter', 'limit');
  assertProblem(await srv.api('GET', `${docsOf(cu.id)}?cursor=zzz`, { token: s.token }), 400, 'invalid_parameter', 'cursor');
  const arch = await customer(srv, s.token);
  assert.equal((await srv.api('DELETE', `/api/v1/customers/${arch.id}`, { token: s.token })).status, 200);
  assertProblem(await upload(s.token, arch.id, file('png'), 'image/png'), 409, 'customer_archived');
  assertProblem(await upload(s.token, '00000000-0000-7000-8000-000000000000', file('png'), 'image/png'), 404, 'not_found');
});

test('an Idempotency-Key replays an upload instead of storing it twice', async () => {
  const cu = await customer(srv, s.token);
  const body = file('png', 5000);
  const key = { 'Idempotency-Key': 'doc-' + randomBytes(6).toString('hex') };
  const a = await upload(s.token, cu.id, body, 'image/png', { headers: key });
  const b = await upload(s.token, cu.id, body, 'image/png', { headers: key });
  assert.equal(a.status, 201, a.text);
  assert.equal(b.status, 201, b.text);
  assert.equal(b.headers.get('idempotent-replayed'), 'true');
  assert.equal(b.json.id, a.json.id);
  assert.equal((await srv.api('GET', docsOf(cu.id), { token: s.token })).json.data.length, 1);
  assertProblem(await upload(s.token, cu.id, file('png', 5000), 'image/png', { headers: key }), 409, 'idempotency_key_reused');
});

test('backup holds the documents (SQLite)', { skip: BACKEND !== 'sqlite' && 'backup copies SQLite databases; PostgreSQL uses pg_dump' }, async () => {
  const cu = await customer(srv, s.token);
  const pdf = file('pdf', 400 * 1024);
  const d = (await upload(s.token, cu.id, pdf, 'application/pdf')).json;
  const target = `${srv.dir}/backup-${randomBytes(4).toString('hex')}.db`;
  const b = srv.cli(['backup', target]);
  assert.equal(b.code, 0, b.stderr);
  const rows = execFileSync('sqlite3', [target,
    `SELECT d.sha256, d.size_bytes, count(c.seq), sum(length(c.data)) FROM documents d JOIN document_chunks c
     ON c.tenant_id = d.tenant_id AND c.document_id = d.id WHERE d.id = '${d.id}' GROUP BY d.id`]).toString().trim();
  assert.equal(rows, `${sha256(pdf)}|${pdf.length}|2|${pdf.length}`);
  const hex = execFileSync('sqlite3', [target,
    `SELECT hex(data) FROM document_chunks WHERE document_id = '${d.id}' ORDER BY seq`]).toString().replace(/\s/g, '');
  assert.equal(sha256(Buffer.from(hex, 'hex')), sha256(pdf));
});

test('deleting a suspended store takes its documents, chunks and usage with it', async () => {
  const op = await newOperator(srv);
  const t = await newStore(srv);
  const cu = await customer(srv, t.token);
  const d = await upload(t.token, cu.id, file('png', 300 * 1024), 'image/png');
  assert.equal(d.status, 201, d.text);
  const tid = JSON.parse(Buffer.from(t.token.split('.')[1], 'base64url').toString()).tid;
  const count = () => rawSql(`SELECT (SELECT count(*) FROM documents WHERE tenant_id = '${tid}'),
    (SELECT count(*) FROM document_chunks WHERE tenant_id = '${tid}'),
    (SELECT count(*) FROM document_usage WHERE tenant_id = '${tid}')`)[0];
  assert.deepEqual(count(), ['1', '2', '1']);
  assert.equal((await srv.api('PATCH', `/api/v1/platform/tenants/${tid}`, { token: op.token, body: { status: 'suspended' } })).status, 200);
  // Suspended: readable, not writable.
  assert.equal((await download(t.token, d.json.id)).status, 200);
  assertProblem(await upload(t.token, cu.id, file('png'), 'image/png'), 403, 'tenant_suspended');
  assertProblem(await srv.api('DELETE', `/api/v1/documents/${d.json.id}`, { token: t.token }), 403, 'tenant_suspended');
  const del = await srv.api('DELETE', `/api/v1/platform/tenants/${tid}`, { token: op.token });
  assert.equal(del.status, 204, del.text);
  assert.deepEqual(count(), ['0', '0', '0']);
});

test('RLS: the app role sees only its tenant\'s documents and chunks, and can change none (PostgreSQL)',
  { skip: BACKEND !== 'postgres' && 'Row Level Security is a PostgreSQL feature' }, async () => {
    const b = await newStore(srv);
    const tidOf = (tok) => JSON.parse(Buffer.from(tok.split('.')[1], 'base64url').toString()).tid;
    const d = (await upload(s.token, c.id, file('png', 300 * 1024), 'image/png')).json;
    const asTenant = (tid, sql) => `BEGIN;\nSELECT set_config('app.tenant_id', '${tid}', true) \\g /dev/null\n${sql}\nCOMMIT;\n`;
    const counts = `SELECT (SELECT count(*) FROM documents WHERE id = '${d.id}'),
      (SELECT count(*) FROM document_chunks WHERE document_id = '${d.id}'),
      (SELECT count(*) FROM document_usage);`;
    assert.deepEqual(psql(srv.db, asTenant(tidOf(s.token), counts)), [['1', '2', '1']]);
    assert.deepEqual(psql(srv.db, asTenant(tidOf(b.token), counts)), [['0', '0', '0']]);
    assert.deepEqual(psql(srv.db, counts), [['0', '0', '0']]);
    for (const sql of [
      `UPDATE document_chunks SET data = '\\x00'::bytea WHERE document_id = '${d.id}';`,
      `UPDATE documents SET sha256 = 'x' WHERE id = '${d.id}';`,
    ]) {
      let err = '';
      try { psql(srv.db, asTenant(tidOf(s.token), sql)); } catch (e) { err = String(e.stderr); }
      assert.match(err, /permission denied for table/, sql);
    }
    let err = '';
    try {
      psql(srv.db, asTenant(tidOf(b.token), `INSERT INTO document_usage (tenant_id, bytes) VALUES ('${tidOf(s.token)}', 0);`));
    } catch (e) { err = String(e.stderr); }
    assert.match(err, /row-level security policy/);
    assert.equal((await download(s.token, d.id)).status, 200);
  });
