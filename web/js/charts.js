// charts.js — the reports' charts, as SVG drawn here (no library: three
// small charts need less code than any library's loader, and they follow
// the app's CSS).  Loaded with import() by the reports screens only.
//
// Every chart is drawn for the width its container has, so text stays
// its real size on a 360 px phone, and is drawn again when that width
// changes.  Colours are CSS classes (reports.css), never inline styles
// (the CSP forbids them).  A chart is decoration for sighted readers: the
// numbers are always in a table next to it (the caller's), and the SVG
// says so in its accessible name.
//
// Money stays integer minor units: bar lengths are geometry (a ratio of
// two amounts), labels are formatted from exact decimal strings.
import { minorToDecimal, currencyCode } from './money.js';
import { storeLocale } from './format.js';
import { t } from './i18n.js';

const NS = 'http://www.w3.org/2000/svg';

function s(tag, attrs, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined && v !== false) el.setAttribute(k, String(v));
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// One decimal place at most, 1.2K / 1.2L / 1.2Cr in en-IN.
let compact = null, compactKey = '';
export function compactMoney(minor) {
  const key = storeLocale() + currencyCode();
  if (key !== compactKey) {
    compactKey = key;
    try { compact = new Intl.NumberFormat(storeLocale(), { style: 'currency', currency: currencyCode(), notation: 'compact', maximumFractionDigits: 1 }); }
    catch { compact = new Intl.NumberFormat('en-IN', { style: 'currency', currency: currencyCode(), notation: 'compact', maximumFractionDigits: 1 }); }
  }
  return compact.format(minorToDecimal(minor));
}

// A step of 1, 2 or 5 × 10^k minor units giving at most `ticks` steps up to max.
function niceStep(max, ticks) {
  if (max <= 0) return 1;
  const raw = max / ticks;
  let p = 1;
  while (p * 10 <= raw) p *= 10;
  for (const m of [1, 2, 5, 10]) if (p * m >= raw) return p * m;
  return p * 10;
}

// Roughly how wide a label is at the given font size (px); enough to lay
// out axes without measuring text.
const textWidth = (text, size = 12) => String(text).length * size * 0.6;

// Draw into `box` for its width now and again whenever that width changes.
function responsive(box, draw) {
  let drawn = -1;
  const paint = () => {
    const w = Math.floor(box.clientWidth);
    if (w <= 0 || w === drawn) return;
    drawn = w;
    box.replaceChildren(draw(w));
  };
  if (typeof ResizeObserver === 'function') new ResizeObserver(paint).observe(box);
  requestAnimationFrame(paint);
  paint();
  return box;
}

function svgRoot(w, hgt, label) {
  return s('svg', { class: 'chart-svg', width: w, height: hgt, viewBox: `0 0 ${w} ${hgt}`, role: 'img', 'aria-label': label, focusable: 'false' });
}

// ---- daily sales and collections ------------------------------------------

const dayFmt = () => new Intl.DateTimeFormat(storeLocale(), { timeZone: 'UTC', day: 'numeric', month: 'short' });

// days: [{date, sales_minor, collections_minor}], oldest first.
export function dailyChart(days, { label }) {
  const box = document.createElement('div');
  box.className = 'chart chart-daily';
  const fmt = dayFmt();
  return responsive(box, (w) => {
    const hgt = 220, top = 10, bottom = 24;
    const max = Math.max(0, ...days.map((d) => Math.max(d.sales_minor, d.collections_minor)));
    const step = niceStep(max, 4);
    const ceil = Math.max(step, Math.ceil(max / step) * step);
    const ticks = [];
    for (let v = 0; v <= ceil; v += step) ticks.push(v);
    const left = Math.ceil(Math.max(...ticks.map((v) => textWidth(compactMoney(v), 11)))) + 8;
    const right = 4, plotW = Math.max(40, w - left - right), plotH = hgt - top - bottom;
    const y = (v) => top + plotH - (ceil ? (v / ceil) * plotH : 0);
    const band = plotW / Math.max(1, days.length);
    const barW = Math.max(1, Math.min(14, band * 0.36));
    const svg = svgRoot(w, hgt, label);
    for (const v of ticks) {
      svg.append(s('line', { class: 'grid', x1: left, x2: left + plotW, y1: y(v), y2: y(v) }),
        s('text', { class: 'axis', x: left - 6, y: y(v) + 4, 'text-anchor': 'end' }, compactMoney(v)));
    }
    // A date label every `every` days, so that labels never touch.
    const every = Math.max(1, Math.ceil(46 / band));
    days.forEach((d, i) => {
      const x0 = left + i * band + band / 2;
      const bar = (value, cls, dx, what) => {
        const hBar = value > 0 ? Math.max(1, y(0) - y(value)) : 0;
        return s('rect', { class: `bar ${cls}`, x: x0 + dx, y: y(0) - hBar, width: barW, height: hBar },
          s('title', null, `${fmt.format(new Date(d.date + 'T00:00:00Z'))}: ${what} ${compactMoney(value)}`));
      };
      svg.append(bar(d.sales_minor, 'sales', -barW - 0.5, t('charts.sales')), bar(d.collections_minor, 'coll', 0.5, t('charts.collections')));
      if ((days.length - 1 - i) % every === 0) {
        // Centred under its day, but never past either edge of the chart.
        const text = fmt.format(new Date(d.date + 'T00:00:00Z'));
        const half = textWidth(text, 11) / 2;
        const x = Math.min(w - half, Math.max(half, x0));
        svg.append(s('text', { class: 'axis', x, y: hgt - 6, 'text-anchor': 'middle' }, text));
      }
    });
    svg.append(s('line', { class: 'baseline', x1: left, x2: left + plotW, y1: y(0), y2: y(0) }));
    return svg;
  });
}

// ---- horizontal bars (aging buckets, payment methods) -----------------------

// items: [{label, value, cls, note}]; value in minor units.
export function barList(items, { label }) {
  const box = document.createElement('div');
  box.className = 'chart chart-bars';
  return responsive(box, (w) => {
    const row = 46, hgt = items.length * row + 2;
    const max = Math.max(0, ...items.map((i) => i.value));
    const svg = svgRoot(w, hgt, label);
    items.forEach((it, k) => {
      const y0 = k * row;
      const amount = compactMoney(it.value);
      const note = it.note ? ` · ${it.note}` : '';
      // The label is cut to what fits beside the amount (the table has it whole).
      const room = Math.max(4, Math.floor((w - textWidth(amount + note, 13) - 12) / (13 * 0.6)));
      const text = it.label.length > room ? it.label.slice(0, room - 1) + '…' : it.label;
      const len = max > 0 && it.value > 0 ? Math.max(2, (it.value / max) * w) : 0;
      svg.append(
        s('text', { class: 'bar-label', x: 0, y: y0 + 15 }, text),
        s('text', { class: 'bar-value', x: w, y: y0 + 15, 'text-anchor': 'end' }, amount, it.note ? s('tspan', { class: 'bar-note' }, note) : null),
        s('rect', { class: 'track', x: 0, y: y0 + 22, width: w, height: 14, rx: 4 }),
        len ? s('rect', { class: `bar ${it.cls}`, x: 0, y: y0 + 22, width: len, height: 14, rx: 4 }, s('title', null, `${it.label}: ${amount}`)) : null);
    });
    return svg;
  });
}

// ---- outstanding by tower and floor ---------------------------------------

export const HEAT_LEVELS = 5;
// The level (1..HEAT_LEVELS) of an amount against the largest, 0 for none.
export function heatLevel(value, max) {
  if (!(value > 0) || !(max > 0)) return 0;
  return Math.min(HEAT_LEVELS, Math.max(1, Math.ceil((value / max) * HEAT_LEVELS)));
}

const two = (n) => String(n).padStart(2, '0');

// towers: [{tower, floors: [{floor, customers, outstanding_minor}]}], as
// /reports/towers answers.  Floors run top to bottom, highest first, over
// every floor between the lowest and highest that owe (gaps show as empty
// cells); towers are the ones that owe.
export function heatMap(towers, { label }) {
  const wrap = document.createElement('div');
  wrap.className = 'chart chart-heat';
  const cells = new Map();
  let max = 0, lo = Infinity, hi = -Infinity;
  for (const tw of towers) for (const f of tw.floors) {
    cells.set(`${tw.tower}/${f.floor}`, f);
    max = Math.max(max, f.outstanding_minor);
    lo = Math.min(lo, f.floor);
    hi = Math.max(hi, f.floor);
  }
  const floors = [];
  for (let f = hi; f >= lo; f--) floors.push(f);
  const scroller = document.createElement('div');
  scroller.className = 'heat-scroll';
  const legend = document.createElement('div');
  wrap.append(scroller, legend);
  responsive(scroller, (w) => {
    const labelW = 34, headH = 22;
    const cw = Math.max(26, Math.min(64, Math.floor((w - labelW) / Math.max(1, towers.length))));
    const ch = Math.max(20, Math.min(30, cw));
    const width = labelW + cw * towers.length, hgt = headH + ch * floors.length + 2;
    // Wider than the screen: the box scrolls sideways (and says so).
    if (width > w) { scroller.tabIndex = 0; scroller.setAttribute('role', 'region'); scroller.setAttribute('aria-label', t('charts.scrolls', { label })); }
    const svg = svgRoot(width, hgt, label);
    towers.forEach((tw, i) => svg.append(s('text', { class: 'axis strong', x: labelW + i * cw + cw / 2, y: 15, 'text-anchor': 'middle' }, t('charts.tower_short', { tower: two(tw.tower) }))));
    floors.forEach((f, j) => {
      const y0 = headH + j * ch;
      svg.append(s('text', { class: 'axis', x: labelW - 6, y: y0 + ch / 2 + 4, 'text-anchor': 'end' }, t('charts.floor_short', { floor: two(f) })));
      towers.forEach((tw, i) => {
        const c = cells.get(`${tw.tower}/${f}`);
        const level = c ? heatLevel(c.outstanding_minor, max) : 0;
        const x0 = labelW + i * cw;
        const what = c ? t('charts.cell', { amount: compactMoney(c.outstanding_minor), count: c.customers }) : t('charts.nothing_owed');
        svg.append(s('rect', { class: `cell heat-${level}`, x: x0 + 1, y: y0 + 1, width: cw - 2, height: ch - 2, rx: 3 },
          s('title', null, t('charts.cell_title', { tower: two(tw.tower), floor: two(f), what }))));
        if (c && cw >= 50) svg.append(s('text', { class: `cell-text heat-text-${level}`, x: x0 + cw / 2, y: y0 + ch / 2 + 4, 'text-anchor': 'middle' }, compactMoney(c.outstanding_minor)));
      });
    });
    return svg;
  });
  // The scale: what each shade stands for.
  legend.className = 'heat-legend';
  legend.setAttribute('aria-hidden', 'true');
  const bound = (k) => compactMoney(Math.ceil((max * k) / HEAT_LEVELS));
  const key = (level, text) => {
    const sw = s('svg', { width: 14, height: 14, class: 'swatch' }, s('rect', { class: `cell heat-${level}`, width: 14, height: 14, rx: 3 }));
    const span = document.createElement('span');
    span.append(sw, text);
    return span;
  };
  legend.append(key(0, t('charts.nothing_owed')));
  for (let k = 1; k <= HEAT_LEVELS; k++) legend.append(key(k, t('charts.up_to', { amount: bound(k) })));
  return wrap;
}
