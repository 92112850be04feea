// Statement for a date range, with a CSV download (fetched with the bearer
// token and saved through a blob link).
import { api, download } from '../api.js';
import { setTitle, navigate, entryTypeName } from '../app.js';
import { h, toast } from '../dom.js';
import { dateField } from '../datefield.js';
import { formatMoney } from '../money.js';
import { formatTime, formatDate, storeToday } from '../format.js';
import { t } from '../i18n.js';

export async function render({ root, params, query }) {
  const from = query.get('from') || storeToday(-30);
  const to = query.get('to') || storeToday();
  const st = await api('GET', `customers/${params.id}/statement`, { query: { from, to } });
  const c = st.customer;
  setTitle(t('stmt.title', { name: c.name }));
  const f = dateField({ label: t('reports.from'), name: 'from', value: st.from, required: true });
  const tt = dateField({ label: t('reports.to'), name: 'to', value: st.to, required: true });
  const form = h('form', { class: 'card filters inline-form dates', novalidate: true, 'aria-label': t('stmt.period') }, f, tt, h('button', { type: 'submit', class: 'btn' }, t('reports.show')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const a = f.read(), b = tt.read();
    if (!a || !b) return;
    if (a > b) { tt.setError(t('reports.before_from')); tt.input.focus(); return; }
    navigate(`/customers/${c.id}/statement?from=${a}&to=${b}`, { replace: true });
  });
  const csv = h('button', { type: 'button', class: 'btn' }, t('stmt.csv'));
  csv.addEventListener('click', async () => {
    csv.disabled = true;
    try { await download(`/api/v1/customers/${c.id}/statement?from=${st.from}&to=${st.to}&format=csv`, `statement-${st.from}-${st.to}.csv`); }
    catch (e) { toast(e.message, 'error'); } finally { csv.disabled = false; }
  });
  const rows = st.entries.map((e) => {
    const effect = e.running_balance_minor;
    return h('tr', null,
      h('td', null, formatTime(e.occurred_at)),
      h('td', null, entryTypeName(e.type), e.note ? h('span', { class: 'muted small block' }, e.note) : null),
      h('td', { class: 'num' }, e.type === 'payment' || (e.type === 'adjustment' && e.amount_minor < 0) ? '' : formatMoney(Math.abs(e.amount_minor))),
      h('td', { class: 'num' }, e.type === 'payment' || (e.type === 'adjustment' && e.amount_minor < 0) ? formatMoney(Math.abs(e.amount_minor)) : ''),
      h('td', { class: 'num' }, formatMoney(effect)));
  });
  // Reversal direction: it undoes the original, so compare running balances.
  st.entries.forEach((e, i) => {
    if (e.type !== 'reversal') return;
    const prev = i === 0 ? st.opening_balance_minor : st.entries[i - 1].running_balance_minor;
    const delta = e.running_balance_minor - prev;
    rows[i].children[2].textContent = delta > 0 ? formatMoney(delta) : '';
    rows[i].children[3].textContent = delta < 0 ? formatMoney(-delta) : '';
  });
  root.append(
    h('p', { class: 'crumbs' }, h('a', { href: `/customers/${c.id}` }, `← ${c.name}`)),
    h('h1', null, t('stmt.title', { name: c.name })),
    form,
    h('section', { class: 'card' },
      h('p', null, `${formatDate(st.from)} – ${formatDate(st.to)}`),
      h('dl', { class: 'kv grid' },
        h('div', null, h('dt', null, t('stmt.opening')), h('dd', null, formatMoney(st.opening_balance_minor))),
        h('div', null, h('dt', null, t('stmt.purchases')), h('dd', null, formatMoney(st.total_purchases_minor))),
        h('div', null, h('dt', null, t('stmt.payments')), h('dd', null, formatMoney(st.total_payments_minor))),
        h('div', null, h('dt', null, t('stmt.closing')), h('dd', { class: 'strong' }, formatMoney(st.closing_balance_minor)))),
      h('div', { class: 'actions' }, csv)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table' },
      h('caption', { class: 'sr-only' }, t('stmt.caption')),
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, t('stmt.when')), h('th', { scope: 'col' }, t('stmt.entry')), h('th', { scope: 'col', class: 'num' }, t('stmt.debit')), h('th', { scope: 'col', class: 'num' }, t('stmt.credit')), h('th', { scope: 'col', class: 'num' }, t('stmt.balance')))),
      h('tbody', null, rows.length ? rows : h('tr', null, h('td', { colspan: 5 }, t('stmt.none')))))));
}
