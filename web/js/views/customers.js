// Customers list: filters (tower, floor, owing, overdue, status), sort,
// "Show more" pagination; filters live in the URL.  Live: a row whose
// customer changes anywhere is fetched again; a new customer (or a reset)
// reloads the list.
import { api } from '../api.js';
import { setTitle, canWrite, navigate } from '../app.js';
import { h, field, empty, errorBox } from '../dom.js';
import { customerRow } from './search.js';
import { onLive, coalesce } from '../live.js';
import { t } from '../i18n.js';
import { rememberCustomers, searchCachedCustomers, asOfText } from '../cache.js';
import { storeTimeZone } from '../format.js';

export async function render({ root, query, isCurrent }) {
  setTitle(t('nav.customers'));
  const f = {
    q: query.get('q') || '', tower: query.get('tower') || '', floor: query.get('floor') || '',
    owing: query.get('owing') === '1', overdue: query.get('overdue') === '1',
    status: query.get('status') || 'active', sort: query.get('sort') || 'name',
  };
  const q = field({ label: t('customers.search'), name: 'q', type: 'search', value: f.q, attrs: { placeholder: t('customers.search_placeholder'), autocomplete: 'off' } });
  const tower = field({ label: t('customers.tower'), name: 'tower', type: 'number', value: f.tower, attrs: { min: 1, max: 99, inputmode: 'numeric' } });
  const floor = field({ label: t('customers.floor'), name: 'floor', type: 'number', value: f.floor, attrs: { min: 0, max: 99, inputmode: 'numeric' } });
  const sort = field({ label: t('customers.sort_by'), name: 'sort', value: f.sort, options: [['name', t('customers.sort_name')], ['balance', t('customers.sort_balance')], ['apartment', t('customers.sort_flat')], ['last_activity', t('customers.sort_recent')]] });
  const status = field({ label: t('customers.status'), name: 'status', value: f.status, options: [['active', t('customers.active')], ['archived', t('customers.archived')], ['all', t('customers.all')]] });
  const owing = field({ label: t('customers.owing_only'), name: 'owing', type: 'checkbox', value: f.owing });
  const overdue = field({ label: t('customers.overdue_only'), name: 'overdue', type: 'checkbox', value: f.overdue });
  const active = [f.tower, f.floor, f.owing, f.overdue, f.status !== 'active', f.sort !== 'name'].filter(Boolean).length;
  const more_ = h('details', { class: 'more-filters', open: active > 0 || matchMedia('(min-width: 600px)').matches },
    h('summary', null, active ? t('customers.filters_on', { count: active }) : t('customers.filters')),
    h('div', { class: 'grid-filters' }, tower, floor, sort, status),
    h('div', { class: 'checks' }, owing, overdue));
  const form = h('form', { class: 'filters card', role: 'search', 'aria-label': t('customers.filter_label') },
    h('div', { class: 'search-row' }, q, h('button', { type: 'submit', class: 'btn' }, t('customers.apply'))), more_);
  const apply = () => {
    const p = new URLSearchParams();
    if (q.input.value.trim()) p.set('q', q.input.value.trim());
    if (tower.input.value) p.set('tower', tower.input.value);
    if (floor.input.value) p.set('floor', floor.input.value);
    if (owing.input.checked) p.set('owing', '1');
    if (overdue.input.checked) p.set('overdue', '1');
    if (status.input.value !== 'active') p.set('status', status.input.value);
    if (sort.input.value !== 'name') p.set('sort', sort.input.value);
    const s = p.toString();
    navigate('/customers' + (s ? '?' + s : ''), { replace: true });
  };
  form.addEventListener('submit', (e) => { e.preventDefault(); apply(); });
  for (const w of [sort, status, owing, overdue]) w.input.addEventListener('change', apply);

  const list = h('ul', { class: 'list card', id: 'customer-list' });
  const more = h('button', { type: 'button', class: 'btn block', hidden: true }, t('common.show_more'));
  const count = h('p', { class: 'muted small', role: 'status' });
  const params = {
    q: f.q || undefined, tower: f.tower || undefined, floor: f.floor || undefined,
    has_balance: f.owing ? 'true' : undefined, overdue: f.overdue ? 'true' : undefined,
    status: f.status !== 'active' ? f.status : undefined, sort: f.sort !== 'name' ? f.sort : undefined, limit: 50,
  };
  let cursor = null, shown = 0;
  const none = empty(t('customers.none_match'));
  const asOf = h('p', { class: 'as-of', role: 'status', hidden: true });
  // No network: this device's copy, filtered here (sorted by name).
  async function loadCopy() {
    const got = await searchCachedCustomers(f.q, { limit: 0, status: f.status });
    if (!got.at) return false;
    let rows = got.rows;
    if (f.owing) rows = rows.filter((c) => c.balance_minor > 0);
    if (f.overdue) rows = rows.filter((c) => c.overdue_minor > 0);
    if (f.tower) rows = rows.filter((c) => c.apartment && Number(String(c.apartment).slice(0, 2)) === Number(f.tower));
    if (f.floor) rows = rows.filter((c) => c.apartment && Number(String(c.apartment).slice(2, 4)) === Number(f.floor));
    if (f.sort === 'balance') rows = [...rows].sort((a, b) => b.balance_minor - a.balance_minor);
    list.replaceChildren(...rows.map(customerRow));
    shown = rows.length;
    cursor = null;
    more.hidden = true;
    count.textContent = t('offline.customers_count', { count: shown });
    asOf.hidden = false;
    asOf.replaceChildren(h('strong', null, t('offline.mark')), ' · ', t('offline.as_of', { time: asOfText(got.at, storeTimeZone()) }));
    if (!shown && list.isConnected) list.replaceWith(none);
    return true;
  }
  async function load() {
    let page;
    try {
      page = await api('GET', 'customers', { query: { ...params, cursor } });
    } catch (e) {
      if (e.network && !cursor && (await loadCopy())) return;
      throw e;
    }
    asOf.hidden = true;
    rememberCustomers(page.data);
    for (const c of page.data) list.append(customerRow(c));
    shown += page.data.length;
    cursor = page.next_cursor;
    more.hidden = !cursor;
    count.textContent = shown ? (cursor ? t('customers.count_more', { count: shown }) : t('customers.count', { count: shown })) : '';
    if (!shown && list.isConnected) list.replaceWith(none);
    else if (shown && none.isConnected) none.replaceWith(list);
  }
  // The first page again, as many rows as were shown (a new customer may
  // sort anywhere in it).
  const reloadAll = coalesce(async () => {
    if (!isCurrent()) return;
    const want = Math.max(shown, 50);
    try {
      const rows = [];
      let next = null;
      do {
        const page = await api('GET', 'customers', { query: { ...params, limit: Math.min(200, want - rows.length), cursor: next } });
        rows.push(...page.data);
        next = page.next_cursor;
      } while (next && rows.length < want);
      if (!isCurrent()) return;
      list.replaceChildren(...rows.map(customerRow));
      shown = rows.length;
      cursor = next;
      more.hidden = !cursor;
      count.textContent = shown ? (cursor ? t('customers.count_more', { count: shown }) : t('customers.count', { count: shown })) : '';
      if (!shown && list.isConnected) list.replaceWith(none);
      else if (shown && none.isConnected) none.replaceWith(list);
    } catch { /* the next event tries again */ }
  }, 300);
  // One row from the server (its balance, overdue flag, name).
  async function refreshRow(id) {
    const link = list.querySelector(`a[href="/customers/${CSS.escape(id)}"]`);
    if (!link) return;
    try {
      const c = await api('GET', `customers/${id}`);
      const li = link.closest('li');
      if (!isCurrent() || !li.isConnected) return;
      if (f.status !== 'all' && c.status !== f.status) li.remove();
      else li.replaceWith(customerRow(c));
    } catch { /* gone: the next reload drops it */ }
  }
  const pendingRows = new Set();
  const flushRows = coalesce(() => { for (const id of pendingRows) refreshRow(id); pendingRows.clear(); }, 200);
  onLive((e) => {
    const d = e.data || {};
    const imported = e.type === 'summary.changed' && d.cause === 'import.completed';
    if (e.type === 'reset' || e.type === 'customer.created' || imported) reloadAll();
    else if (e.type.startsWith('entry.') && d.customer_id) { pendingRows.add(d.customer_id); flushRows(); }
    else if ((e.type === 'customer.updated' || e.type === 'customer.archived') && d.id) { pendingRows.add(d.id); flushRows(); }
  }, isCurrent);
  more.addEventListener('click', async () => {
    more.disabled = true;
    try { await load(); } catch (e) { more.after(errorBox(e)); } finally { more.disabled = false; }
  });
  await load();
  root.append(
    h('div', { class: 'page-head' }, h('h1', null, t('nav.customers')),
      canWrite() ? h('a', { href: '/customers/new', class: 'btn primary' }, t('common.add_customer')) : null),
    asOf, form, count, list, more);
}
