// format.js — dates and times in the store's time zone, in the locale of the
// chosen language (i18n.js intlLocale(): hi → hi-IN with Hindi month names).
import { onLanguageChange, t } from './i18n.js';

let locale = 'en-IN', timeZone = 'Asia/Kolkata';
let dt, d, dLong;

export function configureDates(loc, tz) {
  locale = loc || 'en-IN';
  timeZone = tz || 'Asia/Kolkata';
  try {
    dt = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  } catch {
    timeZone = 'UTC';
    dt = new Intl.DateTimeFormat(locale, { timeZone, dateStyle: 'medium', timeStyle: 'short' });
  }
  d = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium' });
  dLong = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'full' });
}
configureDates('en-IN', 'Asia/Kolkata');
onLanguageChange((lang, loc) => configureDates(loc, timeZone));

export function storeTimeZone() { return timeZone; }
export function storeLocale() { return locale; }

// Offset of the store's zone from UTC at instant t (ms): local wall clock − UTC.
function zoneOffset(at) {
  const p = {};
  for (const x of new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    .formatToParts(new Date(at))) p[x.type] = +x.value;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) - Math.floor(at / 1000) * 1000;
}

// A wall-clock time in the store's zone ("2026-11-29", 14, 30) → Date.
export function storeLocalToDate(ymd, hour = 0, minute = 0) {
  const [y, m, d] = ymd.split('-').map(Number);
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  let at = wall - zoneOffset(wall);
  const again = wall - zoneOffset(at); // across a DST change the offset differs
  if (again !== at) at = again;
  return new Date(at);
}

// Now in the store's zone: { ymd: "2026-11-29", hm: "14:30" }.
export function storeNow() {
  const p = {};
  for (const x of new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
    .formatToParts(new Date())) p[x.type] = x.value;
  return { ymd: `${p.year}-${p.month}-${p.day}`, hm: `${p.hour}:${p.minute}` };
}

// RFC 3339 instant → "29 Nov 2026, 4:27 pm" in the store's zone.
export function formatTime(iso) {
  if (!iso) return '—';
  const at = new Date(iso);
  return isNaN(at) ? iso : dt.format(at);
}

// "YYYY-MM-DD" (already a store-local date) → "29 Nov 2026".
export function formatDate(ymd, long = false) {
  if (!ymd) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const at = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return (long ? dLong : d).format(at);
}

// Today's date (YYYY-MM-DD) in the store's time zone, offset by days.
export function storeToday(offsetDays = 0) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(new Date());
  const get = (at) => parts.find((p) => p.type === at).value;
  const base = new Date(Date.UTC(+get('year'), +get('month') - 1, +get('day') + offsetDays));
  return base.toISOString().slice(0, 10);
}

// Days from today (store zone) to a YYYY-MM-DD date; negative = past.
export function daysFromToday(ymd) {
  if (!ymd) return null;
  const a = Date.parse(storeToday() + 'T00:00:00Z');
  const b = Date.parse(ymd + 'T00:00:00Z');
  return Math.round((b - a) / 86400000);
}

export function apartmentLabel(a) {
  if (!a) return '';
  return t('apt.label', { tower: a.slice(0, 2), floor: a.slice(2, 4), unit: a.slice(4) });
}
