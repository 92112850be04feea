// Reports: aging buckets with the customers in each, daily sales and
// collections, outstanding by tower and floor (a heat map), and
// collections (by payment method, collection rate, days sales
// outstanding, what reminders brought in).  The charts come from
// charts.js, loaded here with import() so that no other screen pays for
// them; each chart has its numbers in a table beside it.  A plan without
// the reports feature gets 403 feature_not_in_plan: a friendly note.
import { api, ApiError } from '../api.js';
import { setTitle, state, navigate } from '../app.js';
import { h, empty } from '../dom.js';
import { formatMoney } from '../money.js';
import { formatDate, storeToday, storeLocale } from '../format.js';
import { dateField } from '../datefield.js';
import { t } from '../i18n.js';

const TAB_KEYS = ['aging', 'daily', 'towers', 'collections'];
const tabs_ = () => [['aging', t('reports.tab_aging')], ['daily', t('reports.tab_daily')], ['towers', t('reports.tab_towers')], ['collections', t('reports.tab_collections')]];
const buckets = () => [
  ['current_minor', t('reports.b_current'), 'b-current'],
  ['days_1_30_minor', t('reports.b_1_30'), 'b-1'],
  ['days_31_60_minor', t('reports.b_31_60'), 'b-2'],
  ['days_61_90_minor', t('reports.b_61_90'), 'b-3'],
  ['days_90_plus_minor', t('reports.b_90'), 'b-4'],
];
const methods = () => ({ cash: t('entry.m_cash'), upi: t('entry.m_upi'), card: t('entry.m_card'), bank: t('reports.m_bank'), other: t('entry.m_other') });

function loadCss() {
  if (document.querySelector('link[data-css="reports"]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/css/reports.css', dataset: { css: 'reports' } }));
}
const charts = () => import('../charts.js');

// Whole per cent of a whole (for "x% of the total"), never below 1 for a part.
function pct(part, whole) {
  if (!whole || part <= 0) return 0;
  return Math.max(1, Math.min(100, Math.round((part * 100) / whole)));
}
// Integers with their scale, as the API sends them, to text: basis points
// as a percentage, hundredths of a day as days (exact decimal strings).
function percentOfBp(bp) {
  if (bp === null || bp === undefined) return '—';
  return new Intl.NumberFormat(storeLocale(), { style: 'percent', maximumFractionDigits: 1 }).format(`${bp}e-4`);
}
function daysOfX100(x) {
  if (x === null || x === undefined) return '—';
  const n = new Intl.NumberFormat(storeLocale(), { maximumFractionDigits: 2 }).format(`${x}e-2`);
  return x === 100 ? t('reports.one_day', { n }) : t('reports.n_days', { n });
}
const nCustomers = (count) => t('dash.customers', { count });
const nPayments = (count) => t('dash.payments', { count });

function notInPlan(root) {
  root.append(h('div', { class: 'card plan-note', id: 'reports-not-in-plan' },
    h('h2', null, t('reports.not_in_plan')),
    h('p', null, t('reports.plan_body', { store: state.tenant.name, plan: state.tenant.plan || t('reports.current_plan') })),
    h('p', { class: 'muted' }, t('reports.plan_more')),
    h('p', null, h('a', { href: '/', class: 'btn' }, t('common.back_dashboard')))));
}

export async function render({ root, params, query }) {
  loadCss();
  const kind = TAB_KEYS.includes(params.kind) ? params.kind : 'aging';
  setTitle(t('nav.reports'));
  const tabs = h('nav', { class: 'subnav', 'aria-label': t('nav.reports') }, tabs_().map(([k, label]) =>
    h('a', { href: `/reports/${k}`, 'aria-current': k === kind ? 'page' : null }, label)));
  root.append(h('h1', null, t('nav.reports')), tabs);
  try {
    if (kind === 'aging') await aging(root);
    else if (kind === 'daily') await daily(root, query);
    else if (kind === 'towers') await towers(root);
    else await collections(root, query);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'feature_not_in_plan') { notInPlan(root); return; }
    throw e;
  }
}

// A chart and its table, side by side when there is room.
function chartCard({ id, title, chart, table, note }) {
  return h('section', { class: 'card chart-card', id, 'aria-labelledby': id + '-title' },
    h('h2', { id: id + '-title' }, title),
    note ? h('p', { class: 'muted small' }, note) : null,
    h('div', { class: 'chart-pair' }, h('div', { class: 'chart-slot', 'aria-hidden': 'true' }, chart), table));
}

// The first cell of a row names it: a label, or [label, a line under it].
function numTable({ caption, head, rows, foot }) {
  const name = (c) => h('th', { scope: 'row' }, Array.isArray(c) ? [c[0], h('span', { class: 'row-sub' }, c[1])] : c);
  return h('div', { class: 'table-wrap flat' }, h('table', { class: 'table figures' },
    h('caption', null, caption),
    h('thead', null, h('tr', null, head.map((c, i) => h('th', { scope: 'col', class: i ? 'num' : null }, c)))),
    h('tbody', null, rows.map((r) => h('tr', r.attrs || null, r.cells.map((c, i) => i ? h('td', { class: 'num' }, c) : name(c))))),
    foot ? h('tfoot', null, h('tr', null, foot.map((c, i) => i ? h('td', { class: 'num' }, c) : name(c)))) : null));
}

async function aging(root) {
  const BUCKETS = buckets();
  const [r, { barList }] = await Promise.all([api('GET', 'reports/aging'), charts()]);
  const total = BUCKETS.reduce((a, [k]) => a + r.buckets[k], 0);
  const counts = Object.fromEntries(BUCKETS.map(([k]) => [k, r.customers.filter((c) => c.buckets[k] > 0).length]));
  root.append(
    h('section', { class: 'stats two', 'aria-label': t('reports.aging_totals') },
      h('div', { class: 'stat big' }, h('span', { class: 'stat-label' }, t('dash.total_owed')), h('span', { class: 'stat-value' }, formatMoney(total)),
        h('span', { class: 'stat-extra' }, t('dash.customers_owing', { count: r.customers.length }))),
      h('div', { class: 'stat danger' }, h('span', { class: 'stat-label' }, t('dash.overdue')), h('span', { class: 'stat-value' }, formatMoney(total - r.buckets.current_minor)),
        h('span', { class: 'stat-extra' }, t('reports.past_period')))));
  if (!total) { root.append(empty(t('dash.nobody_owes'))); return; }
  root.append(chartCard({
    id: 'aging-chart', title: t('reports.owed_by_age'),
    chart: barList(BUCKETS.map(([k, label, cls]) => ({ label, value: r.buckets[k], cls, note: nCustomers(counts[k]) })),
      { label: t('reports.aging_chart') }),
    table: numTable({
      caption: t('reports.aging_caption'),
      head: [t('reports.bucket'), t('reports.owed'), t('reports.share')],
      rows: BUCKETS.map(([k, label]) => ({ attrs: { dataset: { bucket: k } }, cells: [[label, nCustomers(counts[k])], formatMoney(r.buckets[k]), `${pct(r.buckets[k], total)}%`] })),
      foot: [[t('reports.total'), nCustomers(r.customers.length)], formatMoney(total), '100%'],
    }),
  }));
  const sections = BUCKETS.map(([k, label]) => {
    const people = r.customers.filter((c) => c.buckets[k] > 0).sort((a, b) => b.buckets[k] - a.buckets[k]);
    if (!people.length) return null;
    const id = 'bucket-' + k.replace(/_minor$/, '');
    return h('section', { class: 'card bucket', 'aria-labelledby': id, dataset: { bucket: k } },
      h('div', { class: 'bucket-head' }, h('h2', { id }, label), h('span', { class: 'bucket-total' }, formatMoney(r.buckets[k]))),
      h('ul', { class: 'list' }, people.map((c) => h('li', null,
        h('a', { href: `/customers/${c.id}`, class: 'row-link' },
          h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, c.name),
            h('span', { class: 'row-sub' }, [c.apartment ? t('customer.flat', { flat: c.apartment }) : null, k !== 'current_minor' && c.oldest_due_date ? t('dash.due_since', { date: formatDate(c.oldest_due_date) }) : null].filter(Boolean).join(' · '))),
          h('span', { class: 'row-end' }, h('span', { class: 'amount owes' }, formatMoney(c.buckets[k])),
            c.balance_minor !== c.buckets[k] ? h('span', { class: 'row-sub' }, t('reports.of_balance', { amount: formatMoney(c.balance_minor) })) : null))))));
  });
  root.append(h('h2', { class: 'section-title' }, t('reports.who_owes')), h('div', { class: 'buckets' }, sections));
}

function periodForm(path, from, to) {
  const f = dateField({ label: t('reports.from'), name: 'from', value: from, required: true });
  const tt = dateField({ label: t('reports.to'), name: 'to', value: to, required: true });
  const form = h('form', { class: 'card filters inline-form dates', novalidate: true, 'aria-label': t('reports.period') }, f, tt, h('button', { type: 'submit', class: 'btn' }, t('reports.show')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const a = f.read(), b = tt.read();
    if (!a || !b) return;
    if (a > b) { tt.setError(t('reports.before_from')); tt.input.focus(); return; }
    if ((Date.parse(b) - Date.parse(a)) / 86400000 > 366) { f.setError(t('reports.max_year')); f.input.focus(); return; }
    navigate(`${path}?from=${a}&to=${b}`, { replace: true });
  });
  return form;
}

async function daily(root, query) {
  const shortDay = new Intl.DateTimeFormat(storeLocale(), { timeZone: 'UTC', day: 'numeric', month: 'short' });
  const from = query.get('from') || storeToday(-29);
  const to = query.get('to') || storeToday();
  root.append(periodForm('/reports/daily', from, to));
  const [r, { dailyChart }] = await Promise.all([api('GET', 'reports/daily', { query: { from, to } }), charts()]);
  let sales = 0, coll = 0;
  for (const d of r.days) { sales += d.sales_minor; coll += d.collections_minor; }
  root.append(
    h('section', { class: 'stats', 'aria-label': t('reports.period_totals') },
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, t('reports.sales_credit')), h('span', { class: 'stat-value' }, formatMoney(sales))),
      h('div', { class: 'stat ok' }, h('span', { class: 'stat-label' }, t('reports.collections')), h('span', { class: 'stat-value' }, formatMoney(coll))),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, t('reports.net_change')), h('span', { class: 'stat-value' }, formatMoney(sales - coll))),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, t('reports.days')), h('span', { class: 'stat-value' }, String(r.days.length)),
        h('span', { class: 'stat-extra' }, `${formatDate(r.from)} – ${formatDate(r.to)}`))),
    h('section', { class: 'card chart-card', id: 'daily-chart', 'aria-labelledby': 'daily-chart-title' },
      h('h2', { id: 'daily-chart-title' }, t('reports.per_day')),
      h('p', { class: 'legend-row', 'aria-hidden': 'true' }, h('span', { class: 'key-sales' }), t('reports.sales_credit'), h('span', { class: 'key-coll' }), t('reports.collections')),
      h('div', { class: 'chart-slot', 'aria-hidden': 'true' }, dailyChart(r.days, { label: t('reports.daily_chart') }))),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table daily', id: 'daily-table' },
      h('caption', null, t('reports.daily_caption', { from: formatDate(r.from), to: formatDate(r.to) })),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('reports.day')), h('th', { scope: 'col', class: 'num' }, t('reports.sales')), h('th', { scope: 'col', class: 'num' }, t('reports.collected_col')), h('th', { scope: 'col', class: 'num' }, t('reports.net')))),
      h('tbody', null, [...r.days].reverse().map((d) => h('tr', { dataset: { date: d.date } },
        h('th', { scope: 'row', class: 'day' }, shortDay.format(new Date(d.date + 'T00:00:00Z'))),
        h('td', { class: 'num' }, formatMoney(d.sales_minor)),
        h('td', { class: 'num' }, formatMoney(d.collections_minor)),
        h('td', { class: 'num net' + (d.net_minor < 0 ? ' minus' : '') }, formatMoney(d.net_minor))))))));
}

async function towers(root) {
  const [r, { heatMap }] = await Promise.all([api('GET', 'reports/towers'), charts()]);
  const total = r.towers.reduce((a, tw) => a + tw.outstanding_minor, 0);
  const fl = (n) => String(n).padStart(2, '0');
  root.append(h('p', { class: 'muted' }, t('reports.towers_intro', { amount: formatMoney(total), count: r.towers.length })));
  if (!r.towers.length) { root.append(empty(t('reports.no_flat_owes'))); return; }
  root.append(
    h('section', { class: 'card chart-card', id: 'tower-heat', 'aria-labelledby': 'tower-heat-title' },
      h('h2', { id: 'tower-heat-title' }, t('reports.heat_title')),
      h('p', { class: 'muted small' }, t('reports.heat_note')),
      heatMap(r.towers, { label: t('reports.heat_label') })),
    h('ul', { class: 'tower-list', id: 'tower-report' }, r.towers.map((tw) => h('li', { class: 'card tower-card', dataset: { tower: tw.tower } },
      h('div', { class: 'bucket-head' },
        h('h2', null, h('a', { href: `/apartments/${fl(tw.tower)}` }, t('reports.tower', { tower: fl(tw.tower) }))),
        h('span', { class: 'bucket-total' }, formatMoney(tw.outstanding_minor))),
      h('p', { class: 'muted small' }, nCustomers(tw.customers)),
      h('table', { class: 'table floors' },
        h('caption', { class: 'sr-only' }, t('reports.tower_by_floor', { tower: fl(tw.tower) })),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('reports.floor')), h('th', { scope: 'col', class: 'num' }, t('reports.customers')), h('th', { scope: 'col', class: 'num' }, t('reports.outstanding')))),
        h('tbody', null, tw.floors.map((f) => h('tr', null,
          h('th', { scope: 'row' }, t('reports.floor_n', { floor: fl(f.floor) })),
          h('td', { class: 'num' }, String(f.customers)),
          h('td', { class: 'num' }, formatMoney(f.outstanding_minor))))))))));
}

async function collections(root, query) {
  const from = query.get('from') || storeToday(-29);
  const to = query.get('to') || storeToday();
  root.append(periodForm('/reports/collections', from, to));
  const [r, { barList }] = await Promise.all([api('GET', 'reports/collections', { query: { from, to } }), charts()]);
  const METHODS = methods();
  const m = r.reminders;
  const payments = r.by_method.reduce((a, x) => a + x.payments, 0);
  root.append(
    h('section', { class: 'stats', id: 'collection-figures', 'aria-label': t('reports.coll_figures') },
      h('div', { class: 'stat big' }, h('span', { class: 'stat-label' }, t('reports.collected_col')), h('span', { class: 'stat-value' }, formatMoney(r.collected_minor)),
        h('span', { class: 'stat-extra' }, t('reports.payments_period', { count: payments, from: formatDate(r.from), to: formatDate(r.to) }))),
      h('div', { class: 'stat ok', dataset: { figure: 'collection-rate' } }, h('span', { class: 'stat-label' }, t('reports.rate')), h('span', { class: 'stat-value' }, percentOfBp(r.collection_rate_bp)),
        h('span', { class: 'stat-extra' }, t('reports.rate_of', { opening: formatMoney(r.opening_outstanding_minor), sales: formatMoney(r.sales_minor) }))),
      h('div', { class: 'stat', dataset: { figure: 'dso' } }, h('span', { class: 'stat-label' }, t('reports.dso')), h('span', { class: 'stat-value' }, daysOfX100(r.days_sales_outstanding_x100)),
        h('span', { class: 'stat-extra' }, t('reports.dso_extra'))),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, t('reports.owed_end')), h('span', { class: 'stat-value' }, formatMoney(r.closing_outstanding_minor)),
        h('span', { class: 'stat-extra' }, t('reports.from_start', { amount: formatMoney(r.opening_outstanding_minor) })))),
    chartCard({
      id: 'method-chart', title: t('reports.by_method'),
      chart: r.collected_minor ? barList(r.by_method.map((x) => ({ label: METHODS[x.payment_method] || x.payment_method, value: x.amount_minor, cls: `m-${x.payment_method}`, note: nPayments(x.payments) })),
        { label: t('reports.method_chart') }) : empty(t('reports.none_collected')),
      table: numTable({
        caption: t('reports.by_method'),
        head: [t('reports.method'), t('reports.amount'), t('reports.share')],
        rows: r.by_method.map((x) => ({ attrs: { dataset: { method: x.payment_method } }, cells: [[METHODS[x.payment_method] || x.payment_method, nPayments(x.payments)], formatMoney(x.amount_minor), percentOfBp(x.share_bp)] })),
        foot: [[t('reports.total'), nPayments(payments)], formatMoney(r.collected_minor), r.collected_minor ? '100%' : '—'],
      }),
    }),
    h('section', { class: 'card', id: 'reminder-effect', 'aria-labelledby': 'reminder-effect-title' },
      h('h2', { id: 'reminder-effect-title' }, t('reports.reminder_effect')),
      m.reminded_customers ? h('dl', { class: 'figures-list' },
        h('dt', null, t('reports.reminded')), h('dd', null, String(m.reminded_customers)),
        h('dt', null, t('reports.paid_within', { count: m.window_days })), h('dd', null, `${m.paid_customers} (${percentOfBp(m.paid_share_bp)})`),
        h('dt', null, t('reports.median')), h('dd', null, daysOfX100(m.median_days_to_payment_x100)))
        : h('p', { class: 'muted' }, t('reports.no_reminder')),
      h('p', { class: 'muted small' }, t('reports.reminder_note', { count: m.window_days }))),
    h('details', { class: 'card defs' }, h('summary', null, t('reports.how')),
      h('ul', null,
        h('li', null, t('reports.def_rate')),
        h('li', null, t('reports.def_dso', { days: r.days })),
        h('li', null, t('reports.def_reversed')))));
}
