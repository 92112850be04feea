// money.js — money as integer minor units, never floats.
//
// parseAmount("1,23,456.50", 2) → 12345650 (a Number, exact: at most 15
// digits); the text is read as digits, never through parseFloat.
// formatMoney(12345650) → "₹1,23,456.50" in the language's locale (i18n.js
// intlLocale(): hi → hi-IN, en → the store's locale) and the store's currency.

import { t, intlLocale, onLanguageChange } from './i18n.js';

export const MAX_AMOUNT_DIGITS = 15;

let fmt = null, fmtLocale = 'en-IN', fmtCurrency = 'INR', exponent = 2, decimalSep = '.';

export function configureMoney(locale, currency) {
  fmtLocale = locale || 'en-IN';
  fmtCurrency = currency || 'INR';
  try {
    fmt = new Intl.NumberFormat(fmtLocale, { style: 'currency', currency: fmtCurrency });
  } catch {
    fmtLocale = 'en-IN';
    fmt = new Intl.NumberFormat('en-IN', { style: 'currency', currency: fmtCurrency });
  }
  exponent = fmt.resolvedOptions().maximumFractionDigits;
  const part = new Intl.NumberFormat(fmtLocale).formatToParts(1.5).find((p) => p.type === 'decimal');
  decimalSep = part ? part.value : '.';
}
configureMoney('en-IN', 'INR');
// The chosen language decides grouping and digits (hi → hi-IN, lakh grouping).
onLanguageChange((lang, loc) => configureMoney(loc, fmtCurrency));

export function currencyExponent() { return exponent; }
export function currencyCode() { return fmtCurrency; }
export function decimalSeparator() { return decimalSep; }

// Minor units (Number or BigInt or integer string) → exact decimal string "-1234.50".
export function minorToDecimal(minor, exp = exponent) {
  let s = String(typeof minor === 'bigint' ? minor : BigInt(minor ?? 0));
  let neg = false;
  if (s.startsWith('-')) { neg = true; s = s.slice(1); }
  if (exp > 0) {
    s = s.padStart(exp + 1, '0');
    s = s.slice(0, s.length - exp) + '.' + s.slice(s.length - exp);
  }
  return (neg ? '-' : '') + s;
}

export function formatMoney(minor) {
  if (minor === null || minor === undefined) return '—';
  // Intl.NumberFormat reads a decimal string exactly (no binary float).
  return fmt.format(minorToDecimal(minor));
}

// Amount as typed in the input box (plain digits, no currency symbol).
export function minorToInput(minor) {
  if (minor === null || minor === undefined || minor === '') return '';
  let s = minorToDecimal(minor);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return decimalSep === '.' ? s : s.replace('.', decimalSep);
}

// Returns { ok: true, minor } or { ok: false, error }.
export function parseAmount(text, { exp = exponent, allowZero = false } = {}) {
  let s = String(text ?? '').trim();
  // Drop currency symbols, spaces and grouping separators.
  s = s.replace(/[\s\u00a0\u202f]/g, '').replace(/^[^\d.,-]+/, '');
  if (!s) return { ok: false, error: t('money.enter_amount') };
  if (s.startsWith('-')) return { ok: false, error: t('money.positive') };
  const dec = decimalSep;
  const group = dec === '.' ? ',' : '.';
  s = s.split(group).join('');
  if (dec !== '.') s = s.replace(dec, '.');
  if (!/^\d*(\.\d*)?$/.test(s) || s === '.') return { ok: false, error: t('money.digits') };
  let [whole, frac = ''] = s.split('.');
  if (frac.length > exp) {
    return { ok: false, error: exp === 0 ? t('money.no_decimals') : t('money.max_decimals', { count: exp }) };
  }
  const digits = ((whole || '0') + frac.padEnd(exp, '0')).replace(/^0+(?=\d)/, '');
  if (digits.length > MAX_AMOUNT_DIGITS) return { ok: false, error: t('money.too_large') };
  const minor = Number(digits); // ≤ 15 digits: an exact integer
  if (!allowZero && minor === 0) return { ok: false, error: t('money.more_than_zero') };
  return { ok: true, minor };
}

// Quantity "1.5" → milli units (BigInt); price minor → line total, rounded
// half up as the server does.
export function parseQuantityMilli(text) {
  const s = String(text ?? '').trim();
  if (!/^\d+(\.\d{1,3})?$/.test(s)) return null;
  const [w, f = ''] = s.split('.');
  return BigInt(w) * 1000n + BigInt(f.padEnd(3, '0'));
}

export function lineTotalMinor(milli, priceMinor) {
  return (milli * BigInt(priceMinor) + 500n) / 1000n;
}
