// Reminders log: every WhatsApp reminder and receipt, newest first, with
// its status chip; filters (customer, status, kind) live in the URL;
// keyset "Load more".
import { api } from '../api.js';
import { setTitle, navigate } from '../app.js';
import { h, field, empty, errorBox, clear, debounce } from '../dom.js';
import { t } from '../i18n.js';
import { formatMoney } from '../money.js';
import { formatTime } from '../format.js';
import { T as R, statusChip, channelName, whatsAppLink } from '../reminders.js';

// One page of the log (keyset paging).
const PAGE = 20;

const T = {
  get title() { return t('remlog.title'); },
  forCustomer: (name) => t('remlog.forCustomer', { name }),
  get intro() { return t('remlog.intro'); },
  get customer() { return t('remlog.customer'); },
  get customerHint() { return t('remlog.customerHint'); },
  get allCustomers() { return t('remlog.allCustomers'); },
  get status() { return t('remlog.status'); },
  get kind() { return t('remlog.kind'); },
  get anyStatus() { return t('remlog.anyStatus'); },
  get anyKind() { return t('remlog.anyKind'); },
  get apply() { return t('remlog.apply'); },
  get more() { return t('remlog.more'); },
  get none() { return t('remlog.none'); },
  count: (n, more) => (more ? t('remlog.count_more', { count: n }) : t('remlog.count', { count: n })),
  get message() { return t('remlog.message'); },
  balance: (b, o) => (o ? t('remlog.balance_overdue', { b, o }) : t('remlog.balance', { b })),
  by: (who) => t('remlog.by', { who }),
  get unknown() { return t('remlog.unknown'); },
  get noMatch() { return t('remlog.noMatch'); },
  get matches() { return t('remlog.matches'); },
};

// Customer names for the rows, looked up once per id.
const names = new Map();
async function nameOf(id) {
  if (names.has(id)) return names.get(id);
  const p = api('GET', `customers/${encodeURIComponent(id)}`).then((c) => c.name).catch(() => null);
  names.set(id, p);
  return p;
}

function row(r, name) {
  const failed = r.status === 'failed';
  return h('li', { class: 'reminder-row', dataset: { id: r.id, status: r.status } },
    h('div', { class: 'reminder-head' },
      h('span', { class: 'row-title' },
        name ? h('a', { href: `/customers/${r.customer_id}` }, name) : T.unknown,
        r.kind === 'receipt' ? h('span', { class: 'badge' }, R.kinds.receipt.toLowerCase()) : null),
      statusChip(r.status)),
    h('span', { class: 'row-sub' }, [formatTime(r.created_at), channelName(r.channel), R.triggers[r.trigger] || r.trigger].filter(Boolean).join(' · ')),
    h('span', { class: 'row-sub' }, T.balance(formatMoney(r.balance_minor), r.overdue_minor > 0 ? formatMoney(r.overdue_minor) : null)),
    failed && (r.error_message || r.error_code) ? h('span', { class: 'row-error' }, r.error_message || r.error_code) : null,
    r.status === 'link_ready' && r.link ? h('p', { class: 'reminder-open' }, whatsAppLink(r.link, R.openWhatsApp, { class: 'btn whatsapp small', 'aria-label': `${R.openWhatsApp}: ${name || T.unknown}` })) : null,
    r.message ? h('details', { class: 'reminder-message' }, h('summary', null, T.message), h('p', { class: 'message-text' }, r.message)) : null);
}

// A customer picker: search by name/phone/flat, pick one from the list.
function customerPicker(current, onPick) {
  const f = field({ label: T.customer, name: 'customer', type: 'search', value: current ? current.name : '',
    attrs: { autocomplete: 'off', placeholder: T.customerHint, 'aria-controls': 'reminder-customer-results' } });
  const results = h('ul', { id: 'reminder-customer-results', class: 'list results', 'aria-label': T.matches });
  let ctrl = null;
  const run = debounce(async () => {
    const q = f.input.value.trim();
    if (ctrl) ctrl.abort();
    clear(results);
    if (!q || (current && q === current.name)) return;
    ctrl = new AbortController();
    const mine = ctrl;
    try {
      const page = await api('GET', 'customers', { query: { q, limit: 8, status: 'all' }, signal: mine.signal });
      if (mine !== ctrl) return;
      clear(results);
      if (!page.data.length) results.append(h('li', { class: 'muted small pick-none' }, T.noMatch));
      for (const c of page.data) {
        results.append(h('li', null, h('button', { type: 'button', class: 'row-link pick', onclick: () => onPick(c) },
          h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, c.name), h('span', { class: 'row-sub' }, [c.apartment, c.phone].filter(Boolean).join(' · '))))));
      }
    } catch (e) {
      if (e.name !== 'AbortError') results.append(h('li', { class: 'muted small pick-none' }, e.message));
    }
  }, 180);
  f.input.addEventListener('input', run);
  f.append(results);
  return f;
}

export async function render({ root, query }) {
  const v = (k) => query.get(k) || '';
  const filters = { customer_id: v('customer_id'), status: v('status'), kind: v('kind') };
  let current = null;
  if (filters.customer_id) {
    try { current = await api('GET', `customers/${encodeURIComponent(filters.customer_id)}`); names.set(current.id, Promise.resolve(current.name)); } catch { current = null; }
  }
  setTitle(current ? T.forCustomer(current.name) : T.title);
  const go = (over) => {
    const p = new URLSearchParams();
    const next = { ...filters, ...over };
    for (const [k, x] of Object.entries(next)) if (x) p.set(k, x);
    navigate('/reminders' + (p.toString() ? '?' + p : ''), { replace: true });
  };
  const status = field({ label: T.status, name: 'status', value: filters.status,
    options: [['', T.anyStatus], ...Object.entries(R.status)] });
  const kind = field({ label: T.kind, name: 'kind', value: filters.kind,
    options: [['', T.anyKind], ['reminder', t('remlog.k_reminders')], ['receipt', t('remlog.k_receipts')]] });
  status.input.addEventListener('change', () => go({ status: status.input.value }));
  kind.input.addEventListener('change', () => go({ kind: kind.input.value }));
  const picker = customerPicker(current, (c) => go({ customer_id: c.id }));
  const form = h('form', { class: 'card filters reminder-filters', role: 'search', 'aria-label': t('remlog.filter') },
    h('div', { class: 'grid-filters' }, picker, status, kind),
    current ? h('p', { class: 'actions start' }, h('button', { type: 'button', class: 'btn small', onclick: () => go({ customer_id: '' }) }, T.allCustomers)) : null);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const first = form.querySelector('#reminder-customer-results button');
    if (first) first.click();
    else if (!picker.input.value.trim() && current) go({ customer_id: '' });
  });

  const list = h('ol', { class: 'list card reminders', id: 'reminder-list', 'aria-label': T.title });
  const more = h('button', { type: 'button', class: 'btn block', id: 'reminders-more', hidden: true }, T.more);
  const count = h('p', { class: 'muted small', role: 'status' });
  let cursor = null, shown = 0;
  const noneBox = empty(T.none);
  noneBox.hidden = true;
  async function load() {
    const page = await api('GET', 'reminders', { query: { ...filters, limit: PAGE, cursor } });
    const rows = await Promise.all(page.data.map(async (r) => row(r, await nameOf(r.customer_id))));
    list.append(...rows);
    shown += rows.length;
    cursor = page.next_cursor;
    more.hidden = !cursor;
    count.textContent = shown ? T.count(shown, !!cursor) : '';
    list.hidden = !shown;
    noneBox.hidden = !!shown;
  }
  more.addEventListener('click', async () => {
    more.disabled = true;
    try { await load(); } catch (e) { more.after(errorBox(e)); } finally { more.disabled = false; }
  });
  await load();
  root.append(
    current ? h('p', { class: 'crumbs' }, h('a', { href: `/customers/${current.id}` }, `← ${current.name}`)) : null,
    h('h1', null, current ? T.forCustomer(current.name) : T.title),
    h('p', { class: 'muted' }, T.intro),
    form, count, list, noneBox, more);
}
