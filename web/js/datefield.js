// datefield.js — date inputs in the store's own format.
//
// A browser's <input type="date"> shows the *browser's* locale (mm/dd/yyyy on
// an en-US phone), not the store's.  These fields are text inputs that show
// and accept the store's numeric format (DD/MM/YYYY for en-IN), also accept
// ISO YYYY-MM-DD, and say which format they want next to the field with a
// live reading of what was typed ("= 29 Nov 2026").
import { field } from './dom.js';
import { storeLocale, formatDate } from './format.js';
import { t } from './i18n.js';

const NAMES = { day: 'DD', month: 'MM', year: 'YYYY' };
let cache = null;

// { order: ['day','month','year'], parts: [...formatToParts], label: 'DD/MM/YYYY' }
export function storeDatePattern() {
  const loc = storeLocale();
  if (cache && cache.loc === loc) return cache;
  let f;
  try { f = new Intl.DateTimeFormat(loc + '-u-nu-latn', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }); }
  catch { f = new Intl.DateTimeFormat('en-IN', { timeZone: 'UTC', year: 'numeric', month: '2-digit', day: '2-digit' }); }
  const parts = f.formatToParts(new Date(Date.UTC(2026, 10, 29)));
  const order = parts.filter((p) => NAMES[p.type]).map((p) => p.type);
  const label = parts.map((p) => NAMES[p.type] || p.value).join('');
  cache = { loc, f, order, label };
  return cache;
}

// "2026-11-29" → "29/11/2026" (the store's numeric format).
export function toStoreText(ymd) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd || '');
  if (!m) return '';
  return storeDatePattern().f.format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])));
}

// Text in the store's format or ISO → { ok, ymd } or { ok: false, error }.
export function parseStoreDate(text) {
  const s = String(text ?? '').trim();
  if (!s) return { ok: false, error: t('date.enter') };
  const groups = s.match(/\d+/g) || [];
  const { order, label } = storeDatePattern();
  if (groups.length !== 3 || /[^\d\s./,-]/.test(s.replace(/\u200f|\u200e/g, ''))) return { ok: false, error: t('date.use_format', { format: label }) };
  const v = {};
  if (groups[0].length === 4) { v.year = groups[0]; v.month = groups[1]; v.day = groups[2]; } // ISO
  else order.forEach((k, i) => { v[k] = groups[i]; });
  if (!v.year || v.year.length !== 4) return { ok: false, error: t('date.use_format_year', { format: label }) };
  const y = +v.year, mo = +v.month, d = +v.day;
  const at = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || d < 1 || at.getUTCMonth() !== mo - 1 || at.getUTCDate() !== d) return { ok: false, error: t('date.no_such') };
  return { ok: true, ymd: at.toISOString().slice(0, 10) };
}

// A labelled date field.  wrap.read() → "YYYY-MM-DD" or null (error shown).
export function dateField({ label, name, value = '', required = false }) {
  const { label: fmt } = storeDatePattern();
  const w = field({ label, name, value: toStoreText(value), required, hint: t('date.format', { format: fmt }),
    attrs: { inputmode: 'decimal', autocomplete: 'off', placeholder: fmt, spellcheck: 'false', class: 'date-input', maxlength: 20 } });
  const hint = w.querySelector('.hint');
  const show = () => {
    const v = w.input.value.trim();
    const p = parseStoreDate(v);
    hint.textContent = p.ok ? `${t('date.format', { format: fmt })} · ${formatDate(p.ymd)}` : t('date.format', { format: fmt });
  };
  show();
  w.input.addEventListener('input', () => { w.setError(''); show(); });
  w.read = () => {
    const v = w.input.value.trim();
    if (!v && !required) return '';
    const p = parseStoreDate(v);
    if (!p.ok) { w.setError(p.error); return null; }
    w.setError('');
    return p.ymd;
  };
  w.set = (ymd) => { w.input.value = toStoreText(ymd); show(); };
  return w;
}

// A time field (24 h "HH:MM"; the browser's time picker).
export function timeField({ label, name, value = '' }) {
  return field({ label, name, type: 'time', value, attrs: { step: 60 } });
}

