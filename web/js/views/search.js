// Search-as-you-type: name, phone digits or apartment prefix ("361" finds
// tower 36, floors 10-19).  Shows up to 10 matches under the box.  With no
// network it searches this device's copy of the customers, and says so.
// quick: each match carries Purchase / Payment buttons that open the entry
// sheet at once (the counter's shortest path: type the flat, tap, amount).
import { api } from '../api.js';
import { h, clear, debounce } from '../dom.js';
import { formatMoney } from '../money.js';
import { apartmentLabel, storeTimeZone } from '../format.js';
import { t } from '../i18n.js';
import { rememberCustomers, searchCachedCustomers, asOfText } from '../cache.js';

export function customerSearch({ autofocus = false, quick = null } = {}) {
  const input = h('input', { id: 'search', type: 'search', name: 'q', autocomplete: 'off', placeholder: t('search.placeholder'), 'aria-controls': 'search-results', enterkeyhint: 'search' });
  const results = h('ul', { id: 'search-results', class: 'list results', 'aria-live': 'polite' });
  const status = h('p', { class: 'muted small', role: 'status' });
  let ctrl = null;
  const run = debounce(async () => {
    const q = input.value.trim();
    if (ctrl) ctrl.abort();
    if (!q) { clear(results); status.textContent = ''; return; }
    ctrl = new AbortController();
    const mine = ctrl;
    const row = (c) => (quick ? quickRow(c, quick) : customerRow(c));
    try {
      const page = await api('GET', 'customers', { query: { q, limit: 10 }, signal: mine.signal });
      if (mine !== ctrl) return;
      rememberCustomers(page.data);
      clear(results);
      status.textContent = page.data.length ? (page.next_cursor ? t('search.found_more', { count: page.data.length }) : t('search.found', { count: page.data.length })) : t('search.none');
      for (const c of page.data) results.append(row(c));
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.network) {
        const got = await searchCachedCustomers(q);
        if (mine !== ctrl) return;
        clear(results);
        if (got.at) {
          status.replaceChildren(h('span', { class: 'as-of' }, t('offline.mark'), ' · ', t('offline.as_of', { time: asOfText(got.at, storeTimeZone()) })), ' · ',
            got.rows.length ? t('offline.search_found', { count: got.rows.length }) : t('offline.search_none'));
          for (const c of got.rows) results.append(row(c));
          return;
        }
      }
      status.textContent = t('search.failed', { message: e.message });
    }
  }, 180);
  input.addEventListener('input', run);
  const wrap = h('div', { class: 'search', role: 'search' },
    h('label', { for: 'search', class: 'search-label' }, t('search.label')), input, status, results);
  if (autofocus) queueMicrotask(() => input.focus());
  return wrap;
}

// A result with the two entry buttons next to it.
function quickRow(c, open) {
  const li = customerRow(c);
  if (c.status !== 'active') return li;
  li.classList.add('quick-row');
  li.append(h('div', { class: 'quick-actions' },
    h('button', { type: 'button', class: 'btn small purchase', 'aria-label': t('quick.purchase_label', { name: c.name }), onclick: () => open(c, 'purchase') }, t('quick.purchase')),
    h('button', { type: 'button', class: 'btn small payment', 'aria-label': t('quick.payment_label', { name: c.name }), onclick: () => open(c, 'payment') }, t('quick.payment'))));
  return li;
}

export function customerRow(c) {
  const owes = c.balance_minor > 0;
  return h('li', null, h('a', { href: `/customers/${c.id}`, class: 'row-link' },
    h('span', { class: 'row-main' },
      h('span', { class: 'row-title' }, c.name, c.status === t('customer.archived_badge') ? h('span', { class: 'badge' }, t('customer.archived_badge')) : null),
      h('span', { class: 'row-sub' }, [c.apartment ? `${c.apartment} (${apartmentLabel(c.apartment)})` : t('customer.no_flat'), c.phone].filter(Boolean).join(' · '))),
    h('span', { class: 'row-end' },
      h('span', { class: 'amount' + (owes ? ' owes' : c.balance_minor < 0 ? ' credit' : '') }, formatMoney(c.balance_minor)),
      c.overdue_minor > 0 ? h('span', { class: 'badge danger' }, t('customer.overdue_badge')) : null)));
}
