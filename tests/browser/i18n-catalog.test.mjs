// The web app's words all come from web/i18n/en.json and hi.json: the two
// catalogs have the same keys and the same placeholders, every t('key') in
// web/js is in both, and no view puts a literal word into the DOM (see
// tools/i18n-scan.mjs for what is scanned).  Pure node, no browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanWeb, scanSource, loadCatalogs, WEB } from './tools/i18n-scan.mjs';
import { t, addCatalog, setLanguage, setStoreLocale, intlLocale } from '../../web/js/i18n.js';

const r = scanWeb();

test('both catalogs have the same keys, and every value is text or a plural object', () => {
  assert.deepEqual(r.catalogKeys, []);
  const cats = loadCatalogs();
  assert.deepEqual(Object.keys(cats).sort(), ['en', 'hi']);
  assert.ok(Object.keys(cats.en).length > 300, 'the catalogs hold the whole app');
});

test('every placeholder is the same in both languages', () => {
  assert.deepEqual(r.placeholders, []);
});

test('every t() key used in web/js is in both catalogs', () => {
  assert.deepEqual(r.usedKeys, []);
});

test('no view puts a literal word into the DOM', () => {
  assert.deepEqual(r.literals, []);
});

test('index.html shows only catalog texts', () => {
  assert.deepEqual(r.html, []);
});

test('the Hindi catalog is Hindi: Devanagari, with उधार, जमा and बकाया', () => {
  const { en, hi } = loadCatalogs();
  const same = Object.keys(en).filter((k) => typeof en[k] === 'string' && en[k] === hi[k] && /\p{L}{3}/u.test(en[k].replace(/\{\w+\}/g, '')));
  // a few names stay as they are (QuantumTrack, UPI, CSV…)
  assert.ok(same.length < 25, `untranslated: ${same.join(', ')}`);
  const all = JSON.stringify(hi);
  for (const w of ['उधार', 'जमा', 'बकाया']) assert.ok(all.includes(w), w);
  const deva = Object.values(hi).filter((v) => /[\u0900-\u097F]/.test(JSON.stringify(v))).length;
  assert.ok(deva / Object.keys(hi).length > 0.9, 'nearly every Hindi text is in Devanagari');
});

test('t(): placeholders, plural forms by Intl.PluralRules, fallback to English', async () => {
  const { en, hi } = loadCatalogs();
  addCatalog('en', { ...en, 'x.count': { one: '{count} customer', other: '{count} customers' }, 'x.only_en': 'Only {name}' });
  addCatalog('hi', { ...hi, 'x.count': { one: '{count} ग्राहक', other: '{count} ग्राहक' } });
  await setLanguage('en');
  assert.equal(t('x.count', { count: 1 }), '1 customer');
  assert.equal(t('x.count', { count: 2 }), '2 customers');
  assert.equal(t('x.count', { count: 100000 }), '1,00,000 customers');
  assert.equal(t('x.only_en', { name: 'Rajesh' }), 'Only Rajesh');
  assert.equal(t('no.such.key'), 'no.such.key');
  await setLanguage('hi');
  assert.equal(intlLocale(), 'hi-IN');
  assert.equal(t('x.count', { count: 0 }), '0 ग्राहक');
  assert.equal(t('x.only_en', { name: 'राजेश' }), 'Only राजेश', 'a missing Hindi text falls back to English');
  await setLanguage('en');
  setStoreLocale('de-DE');
  assert.equal(intlLocale(), 'de-DE', 'English uses the store locale');
  setStoreLocale('hi-IN');
  assert.equal(intlLocale(), 'en-IN', 'English in a Hindi store writes en-IN');
  setStoreLocale('en-IN');
});

test('money and dates: hi-IN keeps lakh grouping and Hindi month names', async () => {
  const { formatMoney } = await import('../../web/js/money.js');
  const { formatDate, configureDates } = await import('../../web/js/format.js');
  const cats = loadCatalogs();
  addCatalog('en', cats.en); addCatalog('hi', cats.hi);
  configureDates('en-IN', 'Asia/Kolkata');
  await setLanguage('hi');
  assert.equal(formatMoney(12345650), '₹1,23,456.50');
  assert.match(formatDate('2026-11-29'), /नव॰|नवंबर/);
  await setLanguage('en');
  assert.equal(formatMoney(12345650), '₹1,23,456.50');
  assert.match(formatDate('2026-11-29'), /Nov/);
});

// The checks catch what they are for: a deliberately broken copy of web/.
test('a broken copy of the web app fails each check', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-i18n-'));
  try {
    cpSync(WEB, dir, { recursive: true });
    const en = JSON.parse(readFileSync(join(dir, 'i18n/en.json'), 'utf8'));
    const hi = JSON.parse(readFileSync(join(dir, 'i18n/hi.json'), 'utf8'));
    const placeholderKey = Object.keys(en).find((k) => typeof en[k] === 'string' && /\{\w+\}/.test(en[k]));
    hi[placeholderKey] = hi[placeholderKey].replace(/\{(\w+)\}/, '{wrong}');
    delete hi['nav.home'];
    hi['only.in.hi'] = 'केवल हिन्दी';
    writeFileSync(join(dir, 'i18n/hi.json'), JSON.stringify(hi));
    const more = join(dir, 'js/views/more.js');
    writeFileSync(more, readFileSync(more, 'utf8') +
      "\nexport function broken(el, h) {\n  el.textContent = 'Hello there';\n  el.append(h('p', { title: 'A title' }, 'Loose words'));\n  return t('no.such.key');\n}\n");
    const b = scanWeb(dir);
    assert.ok(b.catalogKeys.some((e) => /hi\.json: missing key nav\.home/.test(e)), b.catalogKeys.join('\n'));
    assert.ok(b.catalogKeys.some((e) => /en\.json: missing key only\.in\.hi/.test(e)));
    assert.ok(b.placeholders.some((e) => e.includes(placeholderKey)), 'a changed placeholder');
    assert.ok(b.usedKeys.some((e) => /no\.such\.key/.test(e)), 'an unknown key');
    for (const w of ['Hello there', 'A title', 'Loose words']) assert.ok(b.literals.some((e) => e.includes(w)), w);
    const dom = join(dir, 'js/dom.js');
    writeFileSync(dom, readFileSync(dom, 'utf8') + "\nexport function shadow(xs) { return xs.map((t) => t.name); }\n");
    assert.ok(scanWeb(dir).usedKeys.some((e) => /dom\.js.*shadows t/.test(e)), 'a local t hiding t()');
    writeFileSync(join(dir, 'index.html'), readFileSync(join(dir, 'index.html'), 'utf8').replace('</body>', '<p>Stray words</p></body>'));
    assert.ok(scanWeb(dir).html.some((e) => e.includes('Stray words')));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('the scanner: what counts as a shown literal', () => {
  const bad = [
    "h('p', null, 'Hello')", "h('p', null, ok ? 'Yes' : 'No')", "x.textContent = 'Saved'", "toast('Saved')",
    "h('input', { placeholder: 'Name' })", "h('button', { 'aria-label': 'Close' }, '✕')", "el.setAttribute('title', 'Help')",
    "field({ label: 'Email', name: 'email' })", "const m = 'Could not save the customer';", "h('p', null, `Owes ${x}`)",
    "setTitle('More')", "field({ name: 'k', options: [['', t('a')], ['r', 'Reminders']] })", "confirmDialog('Delete?', 'This cannot be undone')", "document.title = 'Offline'",
  ];
  for (const src of bad) assert.ok(scanSource(src).errs.length > 0, src);
  const good = [
    "h('p', { class: 'muted big' }, '—')", "h('p', null, t('a.b'))", "h('span', null, x === 'owner' ? t('a') : '·')",
    "console.warn('Service worker failed')", "h('a', { href: '/customers' }, t('nav.customers'))", "el.textContent = ''",
    "h('input', { type: 'text', name: 'amount', inputmode: 'decimal' })", "field({ name: 'k', options: [['', t('a')], ['r', t('b')]] })", "h('p', null, '₹', amount)",
  ];
  for (const src of good) assert.deepEqual(scanSource(src).errs, [], src);
});
