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

const TABS = [['aging', 'Aging'], ['daily', 'Daily sales'], ['towers', 'By tower'], ['collections', 'Collections']];
const BUCKETS = [
  ['current_minor', 'Not yet due', 'b-current'],
  ['days_1_30_minor', '1–30 days overdue', 'b-1'],
  ['days_31_60_minor', '31–60 days overdue', 'b-2'],
  ['days_61_90_minor', '61–90 days overdue', 'b-3'],
  ['days_90_plus_minor', 'Over 90 days overdue', 'b-4'],
];
const METHODS = { cash: 'Cash', upi: 'UPI', card: 'Card', bank: 'Bank transfer', other: 'Other' };

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
  return `${n} ${x === 100 ? 'day' : 'days'}`;
}
const plural = (n, one, many) => `${n} ${n === 1 ? one : many}`;

function notInPlan(root) {
  root.append(h('div', { class: 'card plan-note', id: 'reports-not-in-plan' },
    h('h2', null, 'Reports are not in your plan'),
    h('p', null, `${state.tenant.name} is on the ${state.tenant.plan || 'current'} plan, which does not include reports. Aging, daily sales, the tower view and collections come with the Starter plan and above.`),
    h('p', { class: 'muted' }, 'Your ledger, customers and the dashboard work as before. To add reports, ask QuantumTrack support to change your plan.'),
    h('p', null, h('a', { href: '/', class: 'btn' }, 'Back to the dashboard'))));
}

export async function render({ root, params, query }) {
  loadCss();
  const kind = TABS.some(([k]) => k === params.kind) ? params.kind : 'aging';
  setTitle('Reports');
  const tabs = h('nav', { class: 'subnav', 'aria-label': 'Reports' }, TABS.map(([k, t]) =>
    h('a', { href: `/reports/${k}`, 'aria-current': k === kind ? 'page' : null }, t)));
  root.append(h('h1', null, 'Reports'), tabs);
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
  const [r, { barList }] = await Promise.all([api('GET', 'reports/aging'), charts()]);
  const total = BUCKETS.reduce((a, [k]) => a + r.buckets[k], 0);
  const counts = Object.fromEntries(BUCKETS.map(([k]) => [k, r.customers.filter((c) => c.buckets[k] > 0).length]));
  root.append(
    h('section', { class: 'stats two', 'aria-label': 'Aging totals' },
      h('div', { class: 'stat big' }, h('span', { class: 'stat-label' }, 'Total owed'), h('span', { class: 'stat-value' }, formatMoney(total)),
        h('span', { class: 'stat-extra' }, `${plural(r.customers.length, 'customer', 'customers')} owing`)),
      h('div', { class: 'stat danger' }, h('span', { class: 'stat-label' }, 'Overdue'), h('span', { class: 'stat-value' }, formatMoney(total - r.buckets.current_minor)),
        h('span', { class: 'stat-extra' }, 'past the credit period'))));
  if (!total) { root.append(empty('Nobody owes anything.')); return; }
  root.append(chartCard({
    id: 'aging-chart', title: 'Owed by age',
    chart: barList(BUCKETS.map(([k, label, cls]) => ({ label, value: r.buckets[k], cls, note: plural(counts[k], 'customer', 'customers') })),
      { label: 'Bar chart of the amount owed in each aging bucket; the table beside it has the numbers.' }),
    table: numTable({
      caption: 'Amount owed in each aging bucket',
      head: ['Bucket', 'Owed', 'Share'],
      rows: BUCKETS.map(([k, label]) => ({ attrs: { dataset: { bucket: k } }, cells: [[label, plural(counts[k], 'customer', 'customers')], formatMoney(r.buckets[k]), `${pct(r.buckets[k], total)}%`] })),
      foot: [['Total', plural(r.customers.length, 'customer', 'customers')], formatMoney(total), '100%'],
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
            h('span', { class: 'row-sub' }, [c.apartment ? `Flat ${c.apartment}` : null, k !== 'current_minor' && c.oldest_due_date ? `due since ${formatDate(c.oldest_due_date)}` : null].filter(Boolean).join(' · '))),
          h('span', { class: 'row-end' }, h('span', { class: 'amount owes' }, formatMoney(c.buckets[k])),
            c.balance_minor !== c.buckets[k] ? h('span', { class: 'row-sub' }, `of ${formatMoney(c.balance_minor)}`) : null))))));
  });
  root.append(h('h2', { class: 'section-title' }, 'Who owes in each bucket'), h('div', { class: 'buckets' }, sections));
}

function periodForm(path, from, to) {
  const f = dateField({ label: 'From', name: 'from', value: from, required: true });
  const t = dateField({ label: 'To', name: 'to', value: to, required: true });
  const form = h('form', { class: 'card filters inline-form dates', novalidate: true, 'aria-label': 'Report period' }, f, t, h('button', { type: 'submit', class: 'btn' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const a = f.read(), b = t.read();
    if (!a || !b) return;
    if (a > b) { t.setError('must not be before the From date'); t.input.focus(); return; }
    if ((Date.parse(b) - Date.parse(a)) / 86400000 > 366) { f.setError('the period can be at most a year'); f.input.focus(); return; }
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
    h('section', { class: 'stats', 'aria-label': 'Period totals' },
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'Sales on credit'), h('span', { class: 'stat-value' }, formatMoney(sales))),
      h('div', { class: 'stat ok' }, h('span', { class: 'stat-label' }, 'Collections'), h('span', { class: 'stat-value' }, formatMoney(coll))),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'Net change in credit'), h('span', { class: 'stat-value' }, formatMoney(sales - coll))),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'Days'), h('span', { class: 'stat-value' }, String(r.days.length)),
        h('span', { class: 'stat-extra' }, `${formatDate(r.from)} – ${formatDate(r.to)}`))),
    h('section', { class: 'card chart-card', id: 'daily-chart', 'aria-labelledby': 'daily-chart-title' },
      h('h2', { id: 'daily-chart-title' }, 'Sales and collections per day'),
      h('p', { class: 'legend-row', 'aria-hidden': 'true' }, h('span', { class: 'key-sales' }), 'Sales on credit', h('span', { class: 'key-coll' }), 'Collections'),
      h('div', { class: 'chart-slot', 'aria-hidden': 'true' }, dailyChart(r.days, { label: 'Column chart of sales and collections per day; the table below has the numbers.' }))),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table daily', id: 'daily-table' },
      h('caption', null, `Sales and collections per day, ${formatDate(r.from)} to ${formatDate(r.to)}, newest first`),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Day'), h('th', { scope: 'col', class: 'num' }, 'Sales'), h('th', { scope: 'col', class: 'num' }, 'Collected'), h('th', { scope: 'col', class: 'num' }, 'Net'))),
      h('tbody', null, [...r.days].reverse().map((d) => h('tr', { dataset: { date: d.date } },
        h('th', { scope: 'row', class: 'day' }, shortDay.format(new Date(d.date + 'T00:00:00Z'))),
        h('td', { class: 'num' }, formatMoney(d.sales_minor)),
        h('td', { class: 'num' }, formatMoney(d.collections_minor)),
        h('td', { class: 'num net' + (d.net_minor < 0 ? ' minus' : '') }, formatMoney(d.net_minor))))))));
}

async function towers(root) {
  const [r, { heatMap }] = await Promise.all([api('GET', 'reports/towers'), charts()]);
  const total = r.towers.reduce((a, t) => a + t.outstanding_minor, 0);
  const fl = (n) => String(n).padStart(2, '0');
  root.append(h('p', { class: 'muted' }, `Outstanding ${formatMoney(total)} across ${plural(r.towers.length, 'tower', 'towers')} (customers with a flat number and a balance).`));
  if (!r.towers.length) { root.append(empty('No customer with a flat number owes anything.')); return; }
  root.append(
    h('section', { class: 'card chart-card', id: 'tower-heat', 'aria-labelledby': 'tower-heat-title' },
      h('h2', { id: 'tower-heat-title' }, 'Outstanding by tower and floor'),
      h('p', { class: 'muted small' }, 'Darker is more owed. Each tower\'s floors are listed with their numbers below.'),
      heatMap(r.towers, { label: 'Heat map of the amount owed on each floor of each tower; the tables below have the numbers.' })),
    h('ul', { class: 'tower-list', id: 'tower-report' }, r.towers.map((t) => h('li', { class: 'card tower-card', dataset: { tower: t.tower } },
      h('div', { class: 'bucket-head' },
        h('h2', null, h('a', { href: `/apartments/${fl(t.tower)}` }, `Tower ${fl(t.tower)}`)),
        h('span', { class: 'bucket-total' }, formatMoney(t.outstanding_minor))),
      h('p', { class: 'muted small' }, plural(t.customers, 'customer', 'customers')),
      h('table', { class: 'table floors' },
        h('caption', { class: 'sr-only' }, `Tower ${fl(t.tower)} by floor`),
        h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Floor'), h('th', { scope: 'col', class: 'num' }, 'Customers'), h('th', { scope: 'col', class: 'num' }, 'Outstanding'))),
        h('tbody', null, t.floors.map((f) => h('tr', null,
          h('th', { scope: 'row' }, `Floor ${fl(f.floor)}`),
          h('td', { class: 'num' }, String(f.customers)),
          h('td', { class: 'num' }, formatMoney(f.outstanding_minor))))))))));
}

async function collections(root, query) {
  const from = query.get('from') || storeToday(-29);
  const to = query.get('to') || storeToday();
  root.append(periodForm('/reports/collections', from, to));
  const [r, { barList }] = await Promise.all([api('GET', 'reports/collections', { query: { from, to } }), charts()]);
  const m = r.reminders;
  const payments = r.by_method.reduce((a, x) => a + x.payments, 0);
  root.append(
    h('section', { class: 'stats', id: 'collection-figures', 'aria-label': 'Collection figures' },
      h('div', { class: 'stat big' }, h('span', { class: 'stat-label' }, 'Collected'), h('span', { class: 'stat-value' }, formatMoney(r.collected_minor)),
        h('span', { class: 'stat-extra' }, `${plural(payments, 'payment', 'payments')}, ${formatDate(r.from)} – ${formatDate(r.to)}`)),
      h('div', { class: 'stat ok', dataset: { figure: 'collection-rate' } }, h('span', { class: 'stat-label' }, 'Collection rate'), h('span', { class: 'stat-value' }, percentOfBp(r.collection_rate_bp)),
        h('span', { class: 'stat-extra' }, `of ${formatMoney(r.opening_outstanding_minor)} owed at the start and ${formatMoney(r.sales_minor)} sold`)),
      h('div', { class: 'stat', dataset: { figure: 'dso' } }, h('span', { class: 'stat-label' }, 'Days sales outstanding'), h('span', { class: 'stat-value' }, daysOfX100(r.days_sales_outstanding_x100)),
        h('span', { class: 'stat-extra' }, 'days of sales owed at the end')),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'Owed at the end'), h('span', { class: 'stat-value' }, formatMoney(r.closing_outstanding_minor)),
        h('span', { class: 'stat-extra' }, `from ${formatMoney(r.opening_outstanding_minor)} at the start`))),
    chartCard({
      id: 'method-chart', title: 'Collected by payment method',
      chart: r.collected_minor ? barList(r.by_method.map((x) => ({ label: METHODS[x.payment_method] || x.payment_method, value: x.amount_minor, cls: `m-${x.payment_method}`, note: plural(x.payments, 'payment', 'payments') })),
        { label: 'Bar chart of the amount collected by each payment method; the table beside it has the numbers.' }) : empty('Nothing was collected in this period.'),
      table: numTable({
        caption: 'Collected by payment method',
        head: ['Method', 'Amount', 'Share'],
        rows: r.by_method.map((x) => ({ attrs: { dataset: { method: x.payment_method } }, cells: [[METHODS[x.payment_method] || x.payment_method, plural(x.payments, 'payment', 'payments')], formatMoney(x.amount_minor), percentOfBp(x.share_bp)] })),
        foot: [['Total', plural(payments, 'payment', 'payments')], formatMoney(r.collected_minor), r.collected_minor ? '100%' : '—'],
      }),
    }),
    h('section', { class: 'card', id: 'reminder-effect', 'aria-labelledby': 'reminder-effect-title' },
      h('h2', { id: 'reminder-effect-title' }, 'Reminders that brought payments'),
      m.reminded_customers ? h('dl', { class: 'figures-list' },
        h('dt', null, 'Customers reminded'), h('dd', null, String(m.reminded_customers)),
        h('dt', null, `Paid within ${m.window_days} days`), h('dd', null, `${m.paid_customers} (${percentOfBp(m.paid_share_bp)})`),
        h('dt', null, 'Median time to pay'), h('dd', null, daysOfX100(m.median_days_to_payment_x100)))
        : h('p', { class: 'muted' }, 'No reminder was sent through WhatsApp in this period.'),
      h('p', { class: 'muted small' }, `Counts WhatsApp reminders sent, delivered or read in the period (not links opened by hand), and a payment by the same customer within ${m.window_days} days after one.`)),
    h('details', { class: 'card defs' }, h('summary', null, 'How these are worked out'),
      h('ul', null,
        h('li', null, 'Collection rate: collected ÷ (owed at the start + sales on credit in the period).'),
        h('li', null, `Days sales outstanding: owed at the end ÷ sales on credit × ${r.days} days in the period.`),
        h('li', null, 'Reversed entries count for nothing; a customer in credit does not lower what others owe.'))));
}
