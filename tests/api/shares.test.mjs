// Shared statement links (issue 9, SPEC §2 "Trust between shop and
// customer"): a member makes a signed, expiring, revocable link; the
// customer opens /s/<token> (HTML) or /api/v1/shared/<token> (JSON) and
// sees their own statement and nothing else.  Expired, revoked and
// tampered links all get the same 404.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, newStore, login } from '../lib/server.mjs';
import { customer, purchase, payment, tokenFor, assertProblem, DAY } from '../lib/ledger.mjs';

let srv, A, B;
before(async () => {
  srv = await startServer();
  A = await bookedStore('A');
  B = await bookedStore('B');
});
after(async () => { await srv?.stop(); });

const share = (token, customerId, body) => srv.api('POST', `/api/v1/customers/${customerId}/share`, { token, body });
const tokenOf = (url) => new URL(url).pathname.replace(/^\/s\//, '');
const page = (s, tok) => s.api('GET', `/s/${tok}`);
const shared = (s, tok) => s.api('GET', `/api/v1/shared/${tok}`);

// A store with a UPI id, a member, and two customers with entries; the
// first is shared.
async function bookedStore(label = 'A') {
  const s = await newStore(srv, { name: `Store ${label} & Sons` });
  const set = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: { upi_id: `store${label.toLowerCase()}@okhdfc` } });
  assert.equal(set.status, 200, set.text);
  const memberEmail = `member-${label.toLowerCase()}@${s.slug}.example`;
  const m = await srv.api('POST', '/api/v1/users', { token: s.token, body: { email: memberEmail, name: `Clerk Ramesh ${label}`, role: 'member', password: 'correct-horse-battery' } });
  assert.equal(m.status, 201, m.text);
  s.memberId = m.json.id;
  s.member = (await login(srv, s.slug, memberEmail, 'correct-horse-battery')).access_token;
  s.c1 = await customer(srv, s.token, { name: `Asha ${label}`, apartment: '30104', notes: `internal-note-${label}`, credit_limit_minor: 20000000 });
  s.c2 = await customer(srv, s.token, { name: `Other Neighbour ${label}`, notes: `other-note-${label}` });
  s.p1 = await purchase(srv, s.member, s.c1.id, 12345650, { note: `Groceries ${label}` });
  s.q1 = await payment(srv, s.member, s.c1.id, 200000, { payment_method: 'upi', payment_reference: `REF-${label}` });
  s.o1 = await purchase(srv, s.token, s.c2.id, 9900, { note: `Neighbour milk ${label}` });
  const r = await share(s.member, s.c1.id);
  assert.equal(r.status, 201, r.text);
  s.share = r.json;
  s.tok = tokenOf(r.json.url);
  return s;
}

test('share_is_made_by_a_member_and_answers_201_with_an_absolute_link_on_the_store_host', async () => {
  const r = await share(A.member, A.c1.id, { expires_in_days: 7 });
  assert.equal(r.status, 201, r.text);
  assert.match(r.json.id, /^[0-9a-f-]{36}$/);
  assert.equal(r.json.customer_id, A.c1.id);
  const u = new URL(r.json.url);
  assert.equal(u.origin, srv.url, 'the link is on the host the request came to');
  assert.match(u.pathname, /^\/s\/[A-Za-z0-9_-]{64}\.[A-Za-z0-9_-]{22}$/);
  const days = (Date.parse(r.json.expires_at) - Date.now()) / DAY;
  assert.ok(days > 6.99 && days <= 7.001, `expires in ${days} days`);
  // the default is 30 days
  const d = (Date.parse(A.share.expires_at) - Date.parse(A.share.created_at)) / DAY;
  assert.equal(d, 30);
  // the body is optional; two links for one customer are different links
  const again = await share(A.member, A.c1.id);
  assert.equal(again.status, 201, again.text);
  assert.notEqual(tokenOf(again.json.url), A.tok);
});

test('share_expiry_must_be_1_to_90_days_and_the_body_is_checked', async () => {
  for (const v of [0, 91, -1, 1000000]) assertProblem(await share(A.member, A.c1.id, { expires_in_days: v }), 422, 'validation_failed', 'expires_in_days');
  assertProblem(await share(A.member, A.c1.id, { expires_in_days: '7' }), 422, null, 'expires_in_days');
  assertProblem(await share(A.member, A.c1.id, { expires_in_days: 1.5 }), 422, null, 'expires_in_days');
  assertProblem(await share(A.member, A.c1.id, { days: 7 }), 400, 'unknown_field', 'days');
  const bad = await srv.api('POST', `/api/v1/customers/${A.c1.id}/share`, { token: A.member, raw: '{', headers: { 'Content-Type': 'application/json' } });
  assert.equal(bad.status, 400, bad.text);
  for (const v of [1, 90, null]) assert.equal((await share(A.member, A.c1.id, { expires_in_days: v })).status, 201);
});

test('share_needs_a_member_a_viewer_gets_403_and_unknown_customers_404', async () => {
  const viewer = await tokenFor(srv, A, 'viewer');
  assertProblem(await share(viewer, A.c1.id), 403, 'forbidden');
  assertProblem(await srv.api('DELETE', `/api/v1/shares/${A.share.id}`, { token: viewer }), 403, 'forbidden');
  assertProblem(await share(A.member, '00000000-0000-7000-8000-000000000000'), 404, 'not_found');
  assertProblem(await share(A.member, 'not-a-uuid'), 404, 'not_found');
  assert.equal((await srv.api('POST', `/api/v1/customers/${A.c1.id}/share`, {})).status, 401);
  // the link still works: nothing above touched it
  assert.equal((await page(srv, A.tok)).status, 200);
});

test('shared_page_shows_this_customer_only_and_no_staff', async () => {
  const r = await page(srv, A.tok);
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers.get('content-type'), /^text\/html; charset=utf-8/);
  const html = r.text;
  for (const want of ['Store A &amp; Sons', 'Asha A', 'Flat 30104', 'Groceries A', 'Purchase · ', 'Payment · UPI', '₹1,21,456.50', '₹1,23,456.50', '− ₹2,000.00'])
    assert.ok(html.includes(want), `page lacks ${want}`);
  const never = ['Other Neighbour', 'Neighbour milk', 'other-note', 'internal-note-A', A.c2.id, A.o1.id,
    'Clerk Ramesh', A.email, A.memberId, 'member-a@', 'REF-A', 'Store B', 'Asha B', 'Groceries B', A.share.id];
  for (const s of never) assert.ok(!html.includes(s), `page shows ${s}`);
  assert.ok(!/created_by/.test(html));
  // the JSON has the same facts and the same omissions
  const j = await shared(srv, A.tok);
  assert.equal(j.status, 200, j.text);
  assert.equal(j.json.store.name, 'Store A & Sons');
  assert.deepEqual(j.json.customer, { name: 'Asha A', apartment: '30104' });
  assert.equal(j.json.currency, 'INR');
  assert.equal(j.json.balance_minor, 12145650);
  assert.equal(j.json.balance_text, '₹1,21,456.50');
  assert.equal(j.json.closing_balance_minor, 12145650);
  assert.equal(j.json.opening_balance_minor, 0);
  assert.deepEqual(j.json.entries.map((e) => [e.type, e.amount_minor, e.change_minor, e.running_balance_minor, e.description]),
    [['purchase', 12345650, 12345650, 12345650, 'Groceries A'], ['payment', 200000, -200000, 12145650, 'UPI']]);
  assert.equal(j.json.expires_at, A.share.expires_at);
  for (const s of never) assert.ok(!j.text.includes(s), `JSON shows ${s}`);
  assert.ok(!j.text.includes('created_by') && !j.text.includes('"id"') && !j.text.includes('notes') && !j.text.includes('phone'), j.text);
  assert.equal(j.headers.get('cache-control'), 'no-store');
  assert.match(j.headers.get('x-robots-tag') || '', /noindex/);
});

test('shared_page_carries_noindex_a_strict_csp_no_store_and_no_referrer', async () => {
  const r = await page(srv, A.tok);
  const csp = r.headers.get('content-security-policy') || '';
  assert.match(csp, /^default-src 'none';/);
  assert.match(csp, /style-src 'sha256-[A-Za-z0-9+/]{43}=';/);
  assert.doesNotMatch(csp, /script-src|unsafe-|\*/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /base-uri 'none'/);
  assert.match(r.headers.get('x-robots-tag') || '', /noindex/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.match(r.text, /<meta name="robots" content="noindex, nofollow">/);
  assert.match(r.text, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
  assert.doesNotMatch(r.text, /<script|javascript:|\son[a-z]+=/i);
  // the style block is the one the CSP's hash names
  const { createHash } = await import('node:crypto');
  const style = /<style>([\s\S]*?)<\/style>/.exec(r.text)[1];
  assert.ok(csp.includes(`'sha256-${createHash('sha256').update(style).digest('base64')}'`), 'CSP hash matches the style');
  // the 404 page has the same headers
  const gone = await page(srv, 'x');
  assert.equal(gone.status, 404);
  assert.equal(gone.headers.get('content-security-policy'), csp);
  assert.equal(gone.headers.get('cache-control'), 'no-store');
  assert.match(gone.headers.get('x-robots-tag') || '', /noindex/);
  assert.match(gone.text, /<meta name="robots" content="noindex, nofollow">/);
});

test('shared_page_escapes_what_people_typed', async () => {
  const s = await newStore(srv, { name: 'Shop <b>bold</b>' });
  const c = await customer(srv, s.token, { name: 'Eve <script>alert(1)</script>' });
  await purchase(srv, s.token, c.id, 100, { note: '"><img src=x onerror=alert(1)>' });
  const r = await share(s.token, c.id);
  const p = await page(srv, tokenOf(r.json.url));
  assert.equal(p.status, 200, p.text);
  assert.doesNotMatch(p.text, /<script>alert|<img|<b>bold/);
  assert.ok(p.text.includes('Eve &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(p.text.includes('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;'));
  assert.ok(p.text.includes('Shop &lt;b&gt;bold&lt;/b&gt;'));
});

test('shared_page_pay_button_is_a_upi_link_for_the_balance_only_when_inr_with_a_upi_id', async () => {
  const r = await page(srv, A.tok);
  const href = /<a class="pay" id="pay" rel="noreferrer" href="([^"]+)">([^<]+)<\/a>/.exec(r.text);
  assert.ok(href, 'a pay button');
  const link = href[1].replaceAll('&amp;', '&');
  assert.equal(link, 'upi://pay?pa=storea@okhdfc&pn=Store%20A%20%26%20Sons&am=121456.50&cu=INR&tn=Dues%20of%20Asha%20A');
  assert.equal(href[2], 'Pay ₹1,21,456.50 with UPI');
  assert.equal((await shared(srv, A.tok)).json.upi_link, link);
  // nothing owed: no button
  const paid = await customer(srv, A.token, { name: 'Paid Up' });
  await purchase(srv, A.token, paid.id, 500);
  await payment(srv, A.token, paid.id, 700);
  const t = tokenOf((await share(A.token, paid.id)).json.url);
  const p = await page(srv, t);
  assert.equal(p.status, 200);
  assert.ok(!p.text.includes('class="pay"'));
  assert.ok(p.text.includes('In credit') && p.text.includes('₹2.00'), 'in credit by 2 rupees');
  assert.equal((await shared(srv, t)).json.upi_link, null);
  // no UPI id: no button
  const s = await newStore(srv);
  const c = await customer(srv, s.token);
  await purchase(srv, s.token, c.id, 5000);
  const t2 = tokenOf((await share(s.token, c.id)).json.url);
  assert.ok(!(await page(srv, t2)).text.includes('class="pay"'));
  // not rupees: no button, the store's money format
  const u = await newStore(srv);
  const cur = await srv.api('PATCH', '/api/v1/settings', { token: u.token, body: { currency: 'USD', locale: 'en-US', upi_id: 'shop@okhdfc' } });
  assert.equal(cur.status, 200, cur.text);
  const cu = await customer(srv, u.token);
  await purchase(srv, u.token, cu.id, 123456);
  const t3 = tokenOf((await share(u.token, cu.id)).json.url);
  const p3 = await page(srv, t3);
  assert.ok(!p3.text.includes('class="pay"'));
  assert.ok(p3.text.includes('$1,234.56'), 'dollars grouped in threes');
});

// Every way a link can be bad gets the same page, byte for byte except for
// nothing (the page names no reason and carries no request-specific text).
async function assertGone(tok, what) {
  const p = await page(srv, tok);
  assert.equal(p.status, 404, `${what}: ${p.status}`);
  assert.match(p.headers.get('content-type'), /^text\/html/);
  const j = await shared(srv, tok);
  assert.equal(j.status, 404, `${what} (JSON): ${j.status} ${j.text}`);
  assert.equal(j.json.code, 'not_found');
  return { html: p.text, detail: j.json.detail };
}

function flip(tok, i) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const c = tok[i];
  const n = alphabet[(alphabet.indexOf(c) + 1) % 64];
  return tok.slice(0, i) + n + tok.slice(i + 1);
}

test('tampered_tokens_get_the_plain_404_and_store_a_tokens_never_show_store_b', async () => {
  const reference = await assertGone('nothing-here', 'garbage');
  const bad = {
    'tenant part': flip(A.tok, 3),
    'share part': flip(A.tok, 30),
    'random part': flip(A.tok, 55),
    signature: flip(A.tok, 70),
    'last character': flip(A.tok, A.tok.length - 1),
    truncated: A.tok.slice(0, -1),
    'one more character': A.tok + 'A',
    'no signature': A.tok.slice(0, 64),
    'B tenant on A token': B.tok.slice(0, 21) + A.tok.slice(21),
    'A payload with B signature': A.tok.slice(0, 65) + B.tok.slice(65),
    'percent-encoded change': A.tok.slice(0, 10) + '%' + flip(A.tok, 10).charCodeAt(10).toString(16) + A.tok.slice(11),
  };
  for (const [what, tok] of Object.entries(bad)) {
    const g = await assertGone(tok, what);
    assert.equal(g.html, reference.html, `${what}: a different page`);
    assert.equal(g.detail, reference.detail, `${what}: a different problem`);
  }
  // paths that hold no token at all get the same page (the JSON route has
  // no such path: its 404 is the router's)
  for (const path of ['/s/', `/s/${A.tok}/x`, `/s/${A.tok}?x=1`.replace('?', '%3F')]) {
    const p = await srv.api('GET', path);
    assert.equal(p.status, 404, path);
    assert.equal(p.text, reference.html, path);
  }
  // the real tokens still work, each showing its own store
  const a = await shared(srv, A.tok);
  const b = await shared(srv, B.tok);
  assert.equal(a.json.store.name, 'Store A & Sons');
  assert.equal(b.json.store.name, 'Store B & Sons');
  assert.ok(!a.text.includes('Store B') && !b.text.includes('Store A'));
});

test('a_revoked_link_is_404_revoking_is_audited_once_and_another_stores_share_is_404', async () => {
  const r = await share(A.member, A.c1.id);
  const tok = tokenOf(r.json.url);
  assert.equal((await page(srv, tok)).status, 200);
  // B cannot revoke A's link: same answer as a missing id, and A's link lives
  const theirs = await srv.api('DELETE', `/api/v1/shares/${r.json.id}`, { token: B.token });
  const none = await srv.api('DELETE', '/api/v1/shares/00000000-0000-7000-8000-000000000000', { token: B.token });
  assertProblem(theirs, 404, 'not_found');
  assert.equal(theirs.json.detail, none.json.detail);
  assertProblem(await srv.api('DELETE', '/api/v1/shares/not-a-uuid', { token: A.member }), 404, 'not_found');
  assert.equal((await page(srv, tok)).status, 200);

  const del = await srv.api('DELETE', `/api/v1/shares/${r.json.id}`, { token: A.member });
  assert.equal(del.status, 204, del.text);
  const reference = await assertGone('nothing-here', 'garbage');
  const g = await assertGone(tok, 'revoked');
  assert.equal(g.html, reference.html);
  assert.equal(g.detail, reference.detail);
  // revoking again is fine and changes nothing
  assert.equal((await srv.api('DELETE', `/api/v1/shares/${r.json.id}`, { token: A.member })).status, 204);
  // other links of the same customer still work
  assert.equal((await page(srv, A.tok)).status, 200);

  const audit = await srv.api('GET', `/api/v1/audit?entity=share&entity_id=${r.json.id}`, { token: A.token });
  assert.equal(audit.status, 200, audit.text);
  const actions = audit.json.data.map((a) => a.action).sort();
  assert.deepEqual(actions, ['share.created', 'share.revoked']);
  const created = audit.json.data.find((a) => a.action === 'share.created');
  assert.equal(created.after.id, r.json.id);
  assert.equal(created.after.customer_id, A.c1.id);
  assert.equal(created.after.expires_at_ms, Date.parse(r.json.expires_at));
  const revoked = audit.json.data.find((a) => a.action === 'share.revoked');
  assert.equal(revoked.before.revoked_at_ms, null);
  assert.ok(revoked.after.revoked_at_ms > 0);
  // the token and its hash are nowhere in the audit trail
  const all = await srv.api('GET', '/api/v1/audit?limit=200', { token: A.token });
  assert.ok(!all.text.includes(tok) && !all.text.includes(tok.slice(65)), 'token in the audit trail');
  assert.ok(!all.text.includes('token_hash'));
});

test('links_expire_by_the_program_clock', async () => {
  const r = await share(A.member, A.c1.id, { expires_in_days: 1 });
  const tok = tokenOf(r.json.url);
  const at = async (offsetMs) => {
    const s = await startServer({
      ...(srv.pg ? { pg: srv.pg } : {}),
      env: { QT_DB: srv.db, QT_JWT_SECRET: srv.env.QT_JWT_SECRET, QT_CLOCK_OFFSET_MS: String(offsetMs) },
    });
    try {
      return { page: await page(s, tok), json: await shared(s, tok) };
    } finally { await s.stop(); }
  };
  const soon = await at(23 * 3600 * 1000);
  assert.equal(soon.page.status, 200, 'still good after 23 hours');
  assert.equal(soon.json.status, 200);
  const later = await at(DAY + 60 * 1000);
  assert.equal(later.page.status, 404, 'expired after a day');
  assert.equal(later.json.status, 404);
  const reference = await assertGone('nothing-here', 'garbage');
  assert.equal(later.page.text, reference.html, 'the expired page is the same 404');
  assert.equal(later.json.json.detail, reference.detail);
  // on this server's clock it still works
  assert.equal((await page(srv, tok)).status, 200);
});

test('the_link_follows_QT_PUBLIC_URL_and_X_Forwarded_Proto_only_from_a_trusted_proxy', async () => {
  const base = { ...(srv.pg ? { pg: srv.pg } : {}) };
  const env = { QT_DB: srv.db, QT_JWT_SECRET: srv.env.QT_JWT_SECRET };
  const pub = await startServer({ ...base, env: { ...env, QT_PUBLIC_URL: 'https://ledger.example.in/app/' } });
  try {
    const r = await pub.api('POST', `/api/v1/customers/${A.c1.id}/share`, { token: A.member, headers: { 'X-Forwarded-Proto': 'http' } });
    assert.equal(r.status, 201, r.text);
    assert.match(r.json.url, /^https:\/\/ledger\.example\.in\/s\/[A-Za-z0-9_.-]{87}$/);
  } finally { await pub.stop(); }
  const untrusted = await srv.api('POST', `/api/v1/customers/${A.c1.id}/share`, { token: A.member, headers: { 'X-Forwarded-Proto': 'https' } });
  assert.ok(untrusted.json.url.startsWith('http://'), untrusted.json.url);
  const proxied = await startServer({ ...base, env: { ...env, QT_TRUSTED_PROXIES: '127.0.0.1/32' } });
  try {
    const r = await proxied.api('POST', `/api/v1/customers/${A.c1.id}/share`, { token: A.member, headers: { 'X-Forwarded-Proto': 'https' } });
    assert.equal(r.status, 201, r.text);
    assert.ok(r.json.url.startsWith(`https://127.0.0.1:${proxied.port}/s/`), r.json.url);
    // a link made on one server works on every server with the same secret
    assert.equal((await page(srv, tokenOf(r.json.url))).status, 200);
  } finally { await proxied.stop(); }
});

test('tokens_stay_out_of_the_access_log_and_only_get_and_head_are_answered', async () => {
  await page(srv, A.tok);
  await shared(srv, A.tok);
  const head = await srv.api('HEAD', `/s/${A.tok}`);
  assert.equal(head.status, 200);
  const post = await srv.api('POST', `/s/${A.tok}`, { body: {} });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  // the access log line is written after the response
  let log = '';
  for (let i = 0; i < 50 && !(log.includes('"/s/[token]"') && log.includes('"/api/v1/shared/[token]"')); i++) {
    await new Promise((r) => setTimeout(r, 20));
    log = srv.accessLog;
  }
  assert.ok(log.includes('"/s/[token]"') && log.includes('"/api/v1/shared/[token]"'), 'redacted paths logged');
  assert.ok(!log.includes(A.tok.slice(0, 64)) && !log.includes(A.tok.slice(65)), 'a token reached the access log');
});

test('a_long_ledger_shows_the_latest_200_entries_and_brings_the_rest_forward', async () => {
  // 203 purchases as fast as the test can send them is an integration's
  // load, not a counter's: the plan without a request rate.
  const s = await newStore(srv, { plan: 'enterprise' });
  const c = await customer(srv, s.token);
  for (let i = 0; i < 203; i++) await purchase(srv, s.token, c.id, 100 + i);
  const tok = tokenOf((await share(s.token, c.id)).json.url);
  const j = (await shared(srv, tok)).json;
  assert.equal(j.entries.length, 200);
  assert.equal(j.entries_left_out, 3);
  assert.equal(j.opening_balance_minor, 100 + 101 + 102);
  assert.equal(j.entries[0].amount_minor, 103);
  assert.equal(j.entries[0].running_balance_minor, 100 + 101 + 102 + 103);
  assert.equal(j.closing_balance_minor, j.balance_minor);
  const p = await page(srv, tok);
  assert.equal((p.text.match(/<li class="(debit|credit)"/g) || []).length, 200);
  assert.ok(p.text.includes('Balance brought forward') && p.text.includes('₹3.03'));
});
