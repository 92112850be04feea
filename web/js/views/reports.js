// Reports: aging buckets with the customers in each, daily sales and
// collections (a CSS bar chart), outstanding by tower and floor.  A plan
// without the reports feature gets 403 feature_not_in_plan: a friendly note.
import { api, ApiError } from '../api.js';
import { setTitle, state, navigate } from '../app.js';
import { h, empty } from '../dom.js';
import { formatMoney } from '../money.js';
import { formatDate, storeToday } from '../format.js';
import { dateField } from '../datefield.js';

const TABS = [['aging', 'Aging'], ['daily', 'Daily sales'], ['towers', 'By tower']];
const BUCKETS = [
  ['current_minor', 'Not yet due', 'b-current'],
  ['days_1_30_minor', '1–30 days overdue', 'b-1'],
  ['days_31_60_minor', '31–60 days overdue', 'b-2'],
  ['days_61_90_minor', '61–90 days overdue', 'b-3'],
  ['days_90_plus_minor', 'Over 90 days overdue', 'b-4'],
];

// Bars without inline styles (the CSP forbids them): widths are classes
// .w0 … .w100 from reports.css.
function loadCss() {
  if (document.querySelector('link[data-css="reports"]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/css/reports.css', dataset: { css: 'reports' } }));
}
function pct(part, whole) {
  if (!whole || part <= 0) return 0;
  return Math.max(1, Math.min(100, Math.round((part * 100) / whole)));
}
function bar(kind, part, whole) {
  return h('span', { class: 'bar-track', 'aria-hidden': 'true' }, h('span', { class: `bar ${kind} w${pct(part, whole)}` }));
}

function notInPlan(root) {
  root.append(h('div', { class: 'card plan-note', id: 'reports-not-in-plan' },
    h('h2', null, 'Reports are not in your plan'),
    h('p', null, `${state.tenant.name} is on the ${state.tenant.plan || 'current'} plan, which does not include reports. Aging, daily sales and the tower view come with the Starter plan and above.`),
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
    else await towers(root);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'feature_not_in_plan') { notInPlan(root); return; }
    throw e;
  }
}

async function aging(root) {
  const r = await api('GET', 'reports/aging');
  const total = BUCKETS.reduce((a, [k]) => a + r.buckets[k], 0);
  const sections = BUCKETS.map(([k, label, cls]) => {
    const people = r.customers.filter((c) => c.buckets[k] > 0).sort((a, b) => b.buckets[k] - a.buckets[k]);
    const id = 'bucket-' + k.replace(/_minor$/, '');
    return h('section', { class: 'card bucket', 'aria-labelledby': id, dataset: { bucket: k } },
      h('div', { class: 'bucket-head' },
        h('h2', { id }, label),
        h('span', { class: 'bucket-total' }, formatMoney(r.buckets[k]))),
      h('div', { class: 'bucket-bar' }, bar(cls, r.buckets[k], total),
        h('span', { class: 'muted small' }, `${people.length} ${people.length === 1 ? 'customer' : 'customers'}${total ? ` · ${pct(r.buckets[k], total)}% of the total` : ''}`)),
      people.length ? h('ul', { class: 'list' }, people.map((c) => h('li', null,
        h('a', { href: `/customers/${c.id}`, class: 'row-link' },
          h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, c.name),
            h('span', { class: 'row-sub' }, [c.apartment ? `Flat ${c.apartment}` : null, k !== 'current_minor' && c.oldest_due_date ? `due since ${formatDate(c.oldest_due_date)}` : null].filter(Boolean).join(' · '))),
          h('span', { class: 'row-end' }, h('span', { class: 'amount owes' }, formatMoney(c.buckets[k])),
            c.balance_minor !== c.buckets[k] ? h('span', { class: 'row-sub' }, `of ${formatMoney(c.balance_minor)}`) : null))))) : null);
  });
  root.append(
    h('section', { class: 'stats two', 'aria-label': 'Aging totals' },
      h('div', { class: 'stat big' }, h('span', { class: 'stat-label' }, 'Total owed'), h('span', { class: 'stat-value' }, formatMoney(total)),
        h('span', { class: 'stat-extra' }, `${r.customers.length} ${r.customers.length === 1 ? 'customer' : 'customers'} owing`)),
      h('div', { class: 'stat danger' }, h('span', { class: 'stat-label' }, 'Overdue'), h('span', { class: 'stat-value' }, formatMoney(total - r.buckets.current_minor)),
        h('span', { class: 'stat-extra' }, 'past the credit period'))),
    total ? h('div', { class: 'buckets' }, sections) : empty('Nobody owes anything.'));
}

async function daily(root, query) {
  const from = query.get('from') || storeToday(-13);
  const to = query.get('to') || storeToday();
  const f = dateField({ label: 'From', name: 'from', value: from, required: true });
  const t = dateField({ label: 'To', name: 'to', value: to, required: true });
  const form = h('form', { class: 'card filters inline-form dates', novalidate: true, 'aria-label': 'Report period' }, f, t, h('button', { type: 'submit', class: 'btn' }, 'Show'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const a = f.read(), b = t.read();
    if (!a || !b) return;
    if (a > b) { t.setError('must not be before the From date'); t.input.focus(); return; }
    if ((Date.parse(b) - Date.parse(a)) / 86400000 > 366) { f.setError('the period can be at most a year'); f.input.focus(); return; }
    navigate(`/reports/daily?from=${a}&to=${b}`, { replace: true });
  });
  root.append(form);
  const r = await api('GET', 'reports/daily', { query: { from, to } });
  let sales = 0, coll = 0, max = 0;
  for (const d of r.days) { sales += d.sales_minor; coll += d.collections_minor; max = Math.max(max, d.sales_minor, d.collections_minor); }
  const rows = [...r.days].reverse().map((d) => h('tr', { dataset: { date: d.date } },
    h('th', { scope: 'row', class: 'day' }, formatDate(d.date)),
    h('td', { class: 'bars' },
      h('span', { class: 'bar-line' }, bar('sales', d.sales_minor, max), h('span', { class: 'bar-fig' }, h('span', { class: 'sr-only' }, 'Sales '), formatMoney(d.sales_minor))),
      h('span', { class: 'bar-line' }, bar('coll', d.collections_minor, max), h('span', { class: 'bar-fig' }, h('span', { class: 'sr-only' }, 'Collections '), formatMoney(d.collections_minor)))),
    h('td', { class: 'num net' + (d.net_minor < 0 ? ' minus' : '') }, formatMoney(d.net_minor))));
  root.append(
    h('section', { class: 'stats', 'aria-label': 'Period totals' },
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'Sales on credit'), h('span', { class: 'stat-value' }, formatMoney(sales))),
      h('div', { class: 'stat ok' }, h('span', { class: 'stat-label' }, 'Collections'), h('span', { class: 'stat-value' }, formatMoney(coll))),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'Net change in credit'), h('span', { class: 'stat-value' }, formatMoney(sales - coll))),
      h('div', { class: 'stat' }, h('span', { class: 'stat-label' }, 'Days'), h('span', { class: 'stat-value' }, String(r.days.length)),
        h('span', { class: 'stat-extra' }, `${formatDate(r.from)} – ${formatDate(r.to)}`))),
    h('p', { class: 'legend-row', 'aria-hidden': 'true' }, h('span', { class: 'key-sales' }), 'Sales on credit', h('span', { class: 'key-coll' }), 'Collections'),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table daily', id: 'daily-chart' },
      h('caption', { class: 'sr-only' }, 'Sales and collections per day, newest first'),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Day'), h('th', { scope: 'col' }, 'Sales and collections'), h('th', { scope: 'col', class: 'num' }, 'Net'))),
      h('tbody', null, rows))));
}

async function towers(root) {
  const r = await api('GET', 'reports/towers');
  const total = r.towers.reduce((a, t) => a + t.outstanding_minor, 0);
  const max = Math.max(0, ...r.towers.map((t) => t.outstanding_minor));
  const fl = (n) => String(n).padStart(2, '0');
  root.append(
    h('p', { class: 'muted' }, `Outstanding ${formatMoney(total)} across ${r.towers.length} ${r.towers.length === 1 ? 'tower' : 'towers'} (customers with a flat number and a balance).`),
    r.towers.length ? h('ul', { class: 'tower-list', id: 'tower-report' }, r.towers.map((t) => {
      const fmax = Math.max(0, ...t.floors.map((f) => f.outstanding_minor));
      return h('li', { class: 'card tower-card', dataset: { tower: t.tower } },
        h('div', { class: 'bucket-head' },
          h('h2', null, h('a', { href: `/apartments/${fl(t.tower)}` }, `Tower ${fl(t.tower)}`)),
          h('span', { class: 'bucket-total' }, formatMoney(t.outstanding_minor))),
        h('div', { class: 'bucket-bar' }, bar('tower', t.outstanding_minor, max),
          h('span', { class: 'muted small' }, `${t.customers} ${t.customers === 1 ? 'customer' : 'customers'}`)),
        h('table', { class: 'table floors' },
          h('caption', { class: 'sr-only' }, `Tower ${fl(t.tower)} by floor`),
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Floor'), h('th', { scope: 'col', class: 'num' }, 'Customers'), h('th', { scope: 'col', class: 'num' }, 'Outstanding'))),
          h('tbody', null, t.floors.map((f) => h('tr', null,
            h('th', { scope: 'row' }, `Floor ${fl(f.floor)}`, h('span', { class: 'floor-bar' }, bar('floor', f.outstanding_minor, fmax))),
            h('td', { class: 'num' }, String(f.customers)),
            h('td', { class: 'num' }, formatMoney(f.outstanding_minor)))))));
    })) : empty('No customer with a flat number owes anything.'));
}
