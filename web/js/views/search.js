// Search-as-you-type: name, phone digits or apartment prefix ("361" finds
// tower 36, floors 10-19).  Shows up to 10 matches under the box.  With no
// network it searches this device's copy of the customers, and says so.
// quick: each match carries Purchase / Payment buttons that open the entry
// sheet at once (the counter's shortest path: type the flat, tap, amount).
import { api } from '../api.js';
import { h, clear, debounce } from '../dom.js';
import { formatMoney } from '../money.js';
import { apartmentLabel, storeTimeZone } from '../format.js';
import { rememberCustomers, searchCachedCustomers, asOfText } from '../cache.js';

export function customerSearch({ autofocus = false, quick = null } = {}) {
  const input = h('input', { id: 'search', type: 'search', name: 'q', autocomplete: 'off', placeholder: 'Name, phone or flat (e.g. 361)', 'aria-controls': 'search-results', enterkeyhint: 'search' });
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
      status.textContent = page.data.length ? `${page.data.length}${page.next_cursor ? '+' : ''} found` : 'No customer matches';
      for (const c of page.data) results.append(row(c));
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.network) {
        const got = await searchCachedCustomers(q);
        if (mine !== ctrl) return;
        clear(results);
        if (got.at) {
          status.replaceChildren(h('span', { class: 'as-of' }, `Offline · as of ${asOfText(got.at, storeTimeZone())}`), ' · ',
            got.rows.length ? `${got.rows.length} found on this device` : 'No customer matches on this device');
          for (const c of got.rows) results.append(row(c));
          return;
        }
      }
      status.textContent = 'Search failed: ' + e.message;
    }
  }, 180);
  input.addEventListener('input', run);
  const wrap = h('div', { class: 'search', role: 'search' },
    h('label', { for: 'search', class: 'search-label' }, 'Find a customer'), input, status, results);
  if (autofocus) queueMicrotask(() => input.focus());
  return wrap;
}

// A result with the two entry buttons next to it.
function quickRow(c, open) {
  const li = customerRow(c);
  if (c.status !== 'active') return li;
  li.classList.add('quick-row');
  li.append(h('div', { class: 'quick-actions' },
    h('button', { type: 'button', class: 'btn small purchase', 'aria-label': `Purchase on credit: ${c.name}`, onclick: () => open(c, 'purchase') }, '+ Purchase'),
    h('button', { type: 'button', class: 'btn small payment', 'aria-label': `Payment received: ${c.name}`, onclick: () => open(c, 'payment') }, '− Payment')));
  return li;
}

export function customerRow(c) {
  const owes = c.balance_minor > 0;
  return h('li', null, h('a', { href: `/customers/${c.id}`, class: 'row-link' },
    h('span', { class: 'row-main' },
      h('span', { class: 'row-title' }, c.name, c.status === 'archived' ? h('span', { class: 'badge' }, 'archived') : null),
      h('span', { class: 'row-sub' }, [c.apartment ? `${c.apartment} (${apartmentLabel(c.apartment)})` : 'No flat', c.phone].filter(Boolean).join(' · '))),
    h('span', { class: 'row-end' },
      h('span', { class: 'amount' + (owes ? ' owes' : c.balance_minor < 0 ? ' credit' : '') }, formatMoney(c.balance_minor)),
      c.overdue_minor > 0 ? h('span', { class: 'badge danger' }, 'overdue') : null)));
}
