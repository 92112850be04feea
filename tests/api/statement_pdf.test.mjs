// The statement as a PDF (format=pdf): read back with pdftotext (names,
// amounts, totals, a Devanagari name, Hindi labels), its UPI QR code
// decoded with zbarimg after pdftoppm (the reminders' link, for the closing
// balance), several pages for a long ledger, and the same access rules as
// the JSON and CSV.  The pages are rendered to PNG into
// test-output/screenshots/ to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, readdirSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, newStore } from '../lib/server.mjs';
import { customer, purchase, payment, tokenFor, assertProblem, DAY } from '../lib/ledger.mjs';

let srv;
let work;
const SHOTS = new URL('../../test-output/screenshots/', import.meta.url).pathname;
before(async () => {
  srv = await startServer();
  work = mkdtempSync(join(tmpdir(), 'qt-pdf-'));
  mkdirSync(SHOTS, { recursive: true });
});
after(async () => {
  await srv?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const IST = 5.5 * 3600000;
const dateAgo = (daysAgo) => new Date(Date.now() + IST - daysAgo * DAY).toISOString().slice(0, 10);
const noonAgo = (daysAgo) => `${dateAgo(daysAgo)}T06:30:00.000Z`;

// GET the statement as bytes (srv.api reads text, which a PDF is not).
async function pdf(token, id, qs = '') {
  const res = await fetch(`${srv.url}/api/v1/customers/${id}/statement?format=pdf${qs ? '&' + qs : ''}`,
    { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  const bytes = Buffer.from(await res.arrayBuffer());
  let json = null;
  try { json = JSON.parse(bytes.toString('utf8')); } catch { /* a PDF */ }
  return { status: res.status, headers: res.headers, bytes, json, text: bytes.toString('utf8') };
}

let n = 0;
function save(bytes) {
  const file = join(work, `s${++n}.pdf`);
  writeFileSync(file, bytes);
  return file;
}
const pdftext = (file) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
const pages = (file) => Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))[1]);

// Every page as PNG; copies named `name-<page>.png` go to test-output/screenshots/.
function pngs(file, name, dpi = 110) {
  const prefix = join(work, `png${++n}`);
  execFileSync('pdftoppm', ['-png', '-r', String(dpi), file, prefix]);
  const out = readdirSync(work).filter((f) => f.startsWith(`png${n}`) && f.endsWith('.png')).sort()
    .map((f) => join(work, f));
  out.forEach((f, i) => copyFileSync(f, join(SHOTS, `${name}-${i + 1}.png`)));
  return out;
}

// The QR codes zbarimg finds on a page image: their texts.
function qrTexts(png) {
  const r = spawnSync('zbarimg', ['--quiet', '--raw', '-Sdisable', '-Sqrcode.enable', png], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n').filter(Boolean) : [];
}

async function shop(s, extra = {}) {
  const r = await srv.api('PATCH', '/api/v1/settings', { token: s.token, body: {
    name: 'Sharma General Store', upi_id: 'sharma.store@okhdfc',
    address: 'Shop 4, Green Valley Apartments\nसेक्टर 21, गुरुग्राम 122001', ...extra } });
  assert.equal(r.status, 200, r.text);
}

async function booked(s) {
  const c = await customer(srv, s.token, { name: 'राजेश कुमार', apartment: '36194', credit_limit_minor: 10000000 });
  await purchase(srv, s.token, c.id, 100000, { occurred_at: noonAgo(10), note: 'Monthly groceries' });
  await payment(srv, s.token, c.id, 40000, { occurred_at: noonAgo(5), payment_method: 'upi' });
  await purchase(srv, s.token, c.id, 30050, { occurred_at: noonAgo(2), note: 'दूध और ब्रेड' });
  return c;
}

test('pdf_statement_holds_store_customer_period_figures_and_the_reminders_upi_link_as_a_qr_code', async () => {
  const s = await newStore(srv);
  await shop(s);
  const c = await booked(s);
  const r = await pdf(s.token, c.id);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.match(r.headers.get('content-disposition'), new RegExp(`^attachment; filename="statement-${dateAgo(10)}-${dateAgo(0)}\\.pdf"$`));
  assert.equal(r.bytes.subarray(0, 5).toString(), '%PDF-');
  const file = save(r.bytes);
  assert.equal(pages(file), 1);
  const t = pdftext(file);
  for (const want of ['Sharma General Store', 'Shop 4, Green Valley Apartments', 'सेक्टर 21, गुरुग्राम 122001',
    'राजेश कुमार', 'Flat 36194', 'Statement of account', 'Opening balance', 'Closing balance',
    'Monthly groceries', 'दूध और ब्रेड', 'Payment · UPI',
    '₹1,000.00', '₹400.00', '₹300.50', '₹600.00', '₹900.50', '₹1,300.50', 'Not yet due', 'Page 1 of 1'])
    assert.ok(t.includes(want), `the PDF text has ${want}:\n${t}`);
  // The period, from the first entry to today.
  const [y, m, d] = dateAgo(10).split('-').map(Number);
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][m - 1];
  assert.ok(t.includes(`${d} ${mon} ${y}`), t);
  // The running balances, in order.
  const table = t.slice(t.indexOf('Monthly groceries'));
  const order = ['₹1,000.00', '₹600.00', '₹900.50'].map((a) => table.indexOf(a));
  assert.ok(order.every((i) => i >= 0), table);
  assert.deepEqual([...order].sort((a, b) => a - b), order);

  const [png] = pngs(file, 'statement-pdf-en');
  const codes = qrTexts(png);
  assert.equal(codes.length, 1, 'one QR code on the page');
  const link = new URL(codes[0]);
  assert.equal(link.protocol, 'upi:');
  assert.equal(link.searchParams.get('pa'), 'sharma.store@okhdfc');
  assert.equal(link.searchParams.get('am'), '900.50');
  assert.equal(link.searchParams.get('cu'), 'INR');
  assert.equal(link.searchParams.get('pn'), 'Sharma General Store');
  // The very link a reminder sends for this balance.
  const pre = await srv.api('POST', '/api/v1/settings/reminder-preview', { token: s.token, body: { customer_id: c.id } });
  assert.equal(pre.status, 200, pre.text);
  assert.equal(codes[0], /upi:\/\/pay\?\S+/.exec(pre.json.message)[0]);
});

test('pdf_statement_of_a_past_period_has_its_opening_and_closing_and_a_qr_for_that_closing', async () => {
  const s = await newStore(srv);
  await shop(s);
  const c = await booked(s);
  const r = await pdf(s.token, c.id, `from=${dateAgo(5)}&to=${dateAgo(3)}`);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const file = save(r.bytes);
  const t = pdftext(file);
  assert.ok(t.includes('₹1,000.00') && t.includes('₹600.00'), t);
  assert.ok(!t.includes('दूध और ब्रेड'), 'an entry after the period is not listed');
  const link = new URL(qrTexts(pngs(file, 'statement-pdf-period')[0])[0]);
  assert.equal(link.searchParams.get('am'), '600.00');
});

test('pdf_statement_in_hindi_with_lang_hi_or_a_hindi_store_locale', async () => {
  const s = await newStore(srv);
  await shop(s);
  const c = await booked(s);
  const r = await pdf(s.token, c.id, 'lang=hi');
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const file = save(r.bytes);
  const t = pdftext(file);
  for (const want of ['हिसाब का विवरण', 'शुरुआती बकाया', 'आख़िरी बकाया', 'उधार', 'जमा', 'तारीख़', 'विवरण',
    'राजेश कुमार', '₹900.50', 'पृष्ठ 1 / 1', 'फ़्लैट 36194'])
    assert.ok(t.includes(want), `the Hindi PDF has ${want}:\n${t}`);
  // pdftotext breaks a word where a vowel sign sits far left over its
  // letter ("देय" reads "दे य"): these are compared without the spaces.
  const squashed = t.replace(/([\u0900-\u097f]) +(?=[\u0900-\u097f])/g, '$1');
  for (const want of ['अभी देय नहीं', 'देय राशि', 'बकाया कितने दिनों से देय है'])
    assert.ok(squashed.includes(want.replaceAll(' ', '')), `the Hindi PDF has ${want}:\n${t}`);
  assert.ok(!t.includes('Closing balance'), t);
  pngs(file, 'statement-pdf-hi');
  // A store whose locale is Hindi gets Hindi without asking; lang=en overrides it.
  await shop(s, { locale: 'hi-IN' });
  const h = pdftext(save((await pdf(s.token, c.id)).bytes));
  assert.ok(h.includes('आख़िरी बकाया'), h);
  const e = pdftext(save((await pdf(s.token, c.id, 'lang=en')).bytes));
  assert.ok(e.includes('Closing balance'), e);
});

test('pdf_statement_of_a_long_ledger_runs_over_several_pages', async () => {
  const s = await newStore(srv);
  await shop(s);
  const c = await customer(srv, s.token, { name: 'Long Ledger Customer', credit_limit_minor: 100000000 });
  const N = 75;
  for (let i = 0; i < N; i++)
    await purchase(srv, s.token, c.id, 1000 + i, { occurred_at: noonAgo(40 - Math.floor(i / 2)), note: `Item ${i + 1}` });
  const total = Array.from({ length: N }, (_, i) => 1000 + i).reduce((a, b) => a + b, 0);
  const r = await pdf(s.token, c.id);
  assert.equal(r.status, 200, r.text.slice(0, 300));
  const file = save(r.bytes);
  const np = pages(file);
  assert.ok(np >= 2, `${np} pages`);
  const t = pdftext(file);
  assert.ok(t.includes('Item 1 ') || t.includes('Item 1\n'), t);
  assert.ok(t.includes(`Item ${N}`), t);
  assert.ok(t.includes(`Page ${np} of ${np}`), t);
  assert.ok(t.includes('Statement of account (continued)'), t);
  const rupees = (total / 100).toLocaleString('en-IN', { minimumFractionDigits: 2 });
  assert.ok(t.includes(`₹${rupees}`), `closing ₹${rupees}`);
  // Every entry is listed once.
  for (let i = 1; i <= N; i++)
    assert.equal(t.split(`Item ${i} `).length + t.split(`Item ${i}\n`).length - 2, 1, `Item ${i} once`);
  const shots = pngs(file, 'statement-pdf-long', 60);
  assert.equal(shots.length, np);
  // The QR code is on the first page only.
  assert.equal(qrTexts(pngs(file, 'statement-pdf-long-qr', 110)[0]).length, 1);
});

test('pdf_statement_without_upi_id_or_with_nothing_owed_has_no_qr_code', async () => {
  const s = await newStore(srv);
  await shop(s, { upi_id: null });
  const c = await booked(s);
  const file = save((await pdf(s.token, c.id)).bytes);
  assert.deepEqual(qrTexts(pngs(file, 'statement-pdf-no-upi')[0]), []);
  assert.ok(pdftext(file).includes('₹900.50'));
  await shop(s);
  const paid = await customer(srv, s.token, { name: 'Paid Up' });
  await purchase(srv, s.token, paid.id, 5000);
  await payment(srv, s.token, paid.id, 5000);
  const f2 = save((await pdf(s.token, paid.id)).bytes);
  assert.deepEqual(qrTexts(pngs(f2, 'statement-pdf-paid')[0]), []);
});

test('pdf_statement_access_is_as_for_csv_and_lang_is_validated', async () => {
  const s = await newStore(srv);
  await shop(s);
  const c = await booked(s);
  const viewer = await tokenFor(srv, s, 'viewer');
  const v = await pdf(viewer, c.id);
  assert.equal(v.status, 200, v.text.slice(0, 300));
  assert.equal(v.bytes.subarray(0, 5).toString(), '%PDF-');
  const other = await newStore(srv);
  assertProblem(await pdf(other.token, c.id), 404, 'not_found');
  assertProblem(await pdf(s.token, '0190a4c2-0000-7000-8000-000000000000'), 404, 'not_found');
  assertProblem(await pdf(null, c.id), 401, 'unauthorized');
  for (const bad of ['fr', 'HI', '', 'en-IN'])
    assertProblem(await pdf(s.token, c.id, `lang=${encodeURIComponent(bad)}`), 400, 'invalid_parameter', 'lang');
  assertProblem(await pdf(s.token, c.id, `from=${dateAgo(1)}&to=${dateAgo(3)}`), 400, 'invalid_parameter', 'from');
  // Through srv.api, so the answer is checked against the OpenAPI document.
  const doc = await srv.api('GET', `/api/v1/customers/${c.id}/statement?format=pdf&lang=hi`, { token: s.token });
  assert.equal(doc.status, 200);
  assert.equal(doc.headers.get('content-type'), 'application/pdf');
});

// The shared statement page (/s/<token>): the QR code as inline SVG, and a
// link to the PDF that works with the link's token alone.
test('shared_page_shows_the_upi_qr_as_inline_svg_and_links_its_pdf_which_works_without_signing_in', async () => {
  const s = await newStore(srv);
  await shop(s);
  const c = await booked(s);
  const sh = await srv.api('POST', `/api/v1/customers/${c.id}/share`, { token: s.token, body: {} });
  assert.equal(sh.status, 201, sh.text);
  const url = new URL(sh.json.url);
  const page = await fetch(url);
  const html = await page.text();
  assert.equal(page.status, 200);
  const svg = /<figure class="qr" id="qr"><svg [^>]*role="img"[^>]*>.*?<\/svg>/s.exec(html);
  assert.ok(svg, html);
  assert.doesNotMatch(svg[0], /style=|<script|href=/);
  assert.match(svg[0], /<path fill="#000" d="(M\d+ \d+h\d+v1h-\d+z)+"\/>/);
  const payHref = /<a class="pay" id="pay" rel="noreferrer" href="([^"]+)"/.exec(html)[1].replaceAll('&amp;', '&');
  const csp = page.headers.get('content-security-policy');
  assert.match(csp, /^default-src 'none';/);
  const m = /<a class="pdf" id="pdf" rel="noreferrer" href="([^"]+)"/.exec(html);
  assert.ok(m, 'the page links its PDF');
  const pdfUrl = new URL(m[1], url);
  assert.equal(pdfUrl.pathname, `${url.pathname}.pdf`);
  const r = await fetch(pdfUrl);
  assert.equal(r.status, 200);
  assert.equal(r.headers.get('content-type'), 'application/pdf');
  assert.match(r.headers.get('content-disposition'), /^inline; filename="statement-\d{4}-\d\d-\d\d\.pdf"$/);
  assert.equal(r.headers.get('cache-control'), 'no-store');
  const file = save(Buffer.from(await r.arrayBuffer()));
  const t = pdftext(file);
  assert.ok(t.includes('राजेश कुमार') && t.includes('₹900.50') && t.includes('Sharma General Store'), t);
  const codes = qrTexts(pngs(file, 'statement-pdf-shared')[0]);
  assert.equal(codes.length, 1);
  // The PDF's code pays what the page's button pays.
  for (const k of ['pa', 'pn', 'am', 'cu'])
    assert.equal(new URL(codes[0]).searchParams.get(k), new URL(payHref).searchParams.get(k), k);
  assert.equal(new URL(codes[0]).searchParams.get('am'), '900.50');
  // Hindi on request.
  const hi = await fetch(`${pdfUrl}?lang=hi`);
  assert.ok(pdftext(save(Buffer.from(await hi.arrayBuffer()))).includes('आख़िरी बकाया'));
  // A tampered, revoked or unknown token gets the one not-found page, no PDF.
  const tampered = new URL(pdfUrl);
  tampered.pathname = tampered.pathname.replace(/.(\.pdf)$/, (x, ext) => (x[0] === 'A' ? 'B' : 'A') + ext);
  const bad = await fetch(tampered);
  assert.equal(bad.status, 404);
  assert.match(bad.headers.get('content-type'), /^text\/html/);
  assert.equal(bad.headers.get('content-security-policy'), csp, 'the not-found page keeps its policy');
  assert.equal(r.headers.get('content-security-policy'), null, 'a PDF is shown by a plugin default-src none refuses');
  assert.equal((await srv.api('DELETE', `/api/v1/shares/${sh.json.id}`, { token: s.token })).status, 204);
  const revoked = await fetch(pdfUrl);
  assert.equal(revoked.status, 404);
  assert.match(revoked.headers.get('content-type'), /^text\/html/);
});

test('shared_page_without_a_upi_id_has_no_qr_but_still_the_pdf_link', async () => {
  const s = await newStore(srv);
  await shop(s, { upi_id: null });
  const c = await booked(s);
  const sh = await srv.api('POST', `/api/v1/customers/${c.id}/share`, { token: s.token, body: {} });
  const html = await (await fetch(sh.json.url)).text();
  assert.doesNotMatch(html, /<svg/);
  assert.match(html, /id="pdf"/);
});
