// i18n.js — the web app's words: message catalogs, placeholders, plural
// rules, the chosen language and the Intl locale that money and dates use.
//
// Catalogs: web/i18n/<lang>.json (en.json, hi.json), each ONE FLAT object
// whose keys are dotted names, "area.what" (e.g. "nav.home",
// "entry.purchase_title").  A value is either
//   - a string, with {name} placeholders filled from vars:
//       "customers.found": "{name} was found"      t('customers.found', { name })
//   - or, for a plural key, an object of Intl.PluralRules categories, picked
//     by vars.count ('other' is required, 'one' usual; zero/two/few/many
//     are used when the language has them):
//       "customers.count": { "one": "{count} customer", "other": "{count} customers" }
// Numbers passed in vars are written with the language's digits and
// grouping.  A key missing from the chosen language falls back to English,
// then to the key itself (tests/browser/i18n-catalog.test.mjs keeps both
// catalogs complete and their placeholders equal).
//
// Language: setLanguage('hi') loads the catalog (fetch; the service worker
// precaches it) and tells the listeners (money.js, format.js re-make their
// Intl formatters).  intlLocale() is 'hi-IN' for Hindi (lakh grouping,
// ₹1,23,456.50; Hindi month names); for English it is the store's locale
// (default en-IN).

export const LANGUAGES = [['en', 'English'], ['hi', 'हिन्दी']];
const SUPPORTED = new Set(LANGUAGES.map(([c]) => c));
const PICK_KEY = 'qt_lang';

let lang = 'en';
let storeLoc = 'en-IN';
const catalogs = Object.create(null);
const listeners = new Set();
let plural = new Intl.PluralRules('en-IN');
let numFmt = new Intl.NumberFormat('en-IN');

export function language() { return lang; }

// 'hi', 'hi-IN', 'HI_in' → 'hi'; unknown → null.
export function normalizeLanguage(x) {
  if (!x || typeof x !== 'string') return null;
  const c = x.trim().toLowerCase().split(/[-_]/)[0];
  return SUPPORTED.has(c) ? c : null;
}

// The Intl locale for money, numbers and dates.
export function intlLocale() {
  if (lang === 'hi') return 'hi-IN';
  return normalizeLanguage(storeLoc) === 'en' || !normalizeLanguage(storeLoc) ? storeLoc : 'en-IN';
}

export function storeLocaleSetting() { return storeLoc; }

export function onLanguageChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }

function notify() {
  const loc = intlLocale();
  try { plural = new Intl.PluralRules(loc); numFmt = new Intl.NumberFormat(loc); } catch {
    plural = new Intl.PluralRules('en-IN'); numFmt = new Intl.NumberFormat('en-IN');
  }
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
  for (const fn of listeners) fn(lang, loc);
}

// The store's locale setting (e.g. 'en-IN', 'hi-IN', 'de-DE').
export function setStoreLocale(loc) {
  storeLoc = loc || 'en-IN';
  try { new Intl.NumberFormat(storeLoc); } catch { storeLoc = 'en-IN'; }
  notify();
}

// Install a catalog (also used by tests that run outside a browser).
export function addCatalog(code, messages) { catalogs[code] = messages; }

async function load(code) {
  if (catalogs[code]) return;
  const res = await fetch(`/i18n/${code}.json`);
  if (!res.ok) throw new Error(`catalog ${code}: HTTP ${res.status}`);
  catalogs[code] = await res.json();
}

// Switch the language; resolves when its words are loaded.
export async function setLanguage(code) {
  const c = normalizeLanguage(code) || 'en';
  await load('en');
  if (c !== 'en') {
    try { await load(c); } catch (e) { console.warn(e.message); lang = 'en'; notify(); return lang; }
  }
  lang = c;
  notify();
  return lang;
}

// The language picked on this device before sign-in (localStorage).
export function pickedLanguage() {
  try { return normalizeLanguage(localStorage.getItem(PICK_KEY)); } catch { return null; }
}
export function rememberLanguage(code) {
  try { localStorage.setItem(PICK_KEY, normalizeLanguage(code) || 'en'); } catch { /* storage off */ }
}

// The language to use: the user's own choice, else the one picked on this
// device, else the store's locale, else English.
export function resolveLanguage(userLanguage, storeLocale = storeLoc) {
  return normalizeLanguage(userLanguage) || pickedLanguage() || normalizeLanguage(storeLocale) || 'en';
}

function lookup(key) {
  const cur = catalogs[lang];
  if (cur && Object.prototype.hasOwnProperty.call(cur, key)) return cur[key];
  const en = catalogs.en;
  if (en && Object.prototype.hasOwnProperty.call(en, key)) return en[key];
  return undefined;
}

function fill(text, vars) {
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (m, name) => {
    if (!Object.prototype.hasOwnProperty.call(vars, name)) return m;
    const v = vars[name];
    return typeof v === 'number' ? numFmt.format(v) : String(v ?? '');
  });
}

// t('key', { name: 'Rajesh', count: 3 }) → the text in the chosen language.
export function t(key, vars) {
  let v = lookup(key);
  if (v === undefined) return key;
  if (v && typeof v === 'object') {
    const n = Number(vars && vars.count);
    const cat = Number.isFinite(n) ? plural.select(n) : 'other';
    v = v[cat] ?? v.other ?? '';
  }
  return fill(String(v), vars);
}

// Does the chosen language (or English) have this key?
export function has(key) { return lookup(key) !== undefined; }
