// Dashboard: totals from the summary report (or the customer lists), today's
// entries, top owing and most overdue, search; kept up to date by the live
// event stream (the figures are always the server's, never added up here).
import { api, apiAll, ApiError } from '../api.js';
import { setTitle, state, canWrite } from '../app.js';
import { h, empty, toast } from '../dom.js';
import { formatMoney } from '../money.js';
import { storeToday, formatDate } from '../format.js';
import { customerSearch, customerRow } from './search.js';
import { remindersInPlan } from '../reminders.js';
import { onLive, liveIndicator, coalesce } from '../live.js';
import { t } from '../i18n.js';
import { cachePut, cacheGet, rememberCustomers, recentCustomers, touchRecent, refreshCustomerCopy, asOfText } from '../cache.js';
import { storeTimeZone } from '../format.js';
import { takeSearchFocus } from '../shortcuts.js';

// The totals, or with no network this device's copy of them: → { t, at }
// with at null for the server's answer.
async function totalsOrCopy(today) {
  try {
    const tot = await totals(today);
    cachePut('dashboard', tot);
    rememberCustomers([...tot.top, ...tot.mostOverdue]);
    return { t: tot, at: null };
  } catch (e) {
    if (!e.network) throw e;
    const got = await cacheGet('dashboard');
    if (!got) throw e;
    return { t: got.data, at: got.at };
  }
}

// One tap to a customer seen lately.
function recentChips(list) {
  if (!list.length) return null;
  return h('nav', { class: 'chips', 'aria-label': t('quick.recent_label') },
    h('span', { class: 'chips-label muted small' }, t('quick.recent')),
    list.map((c) => h('a', { href: `/customers/${c.id}`, class: 'chip' }, c.name, c.apartment ? h('span', { class: 'chip-sub' }, c.apartment) : null)));
}

function stat(label, value, extra, kind = '') {
  return h('div', { class: 'stat ' + kind }, h('span', { class: 'stat-label' }, label), h('span', { class: 'stat-value' }, value), extra ? h('span', { class: 'stat-extra' }, extra) : null);
}

// Totals from GET /reports/summary when the plan has reports; otherwise
// computed from the customer lists and today's entries.
async function totals(today) {
  try {
    const r = await api('GET', 'reports/summary');
    return {
      total: r.outstanding_minor, count: r.customers_owing, overdueTotal: r.overdue_minor, overdueCount: r.customers_overdue,
      purchases: r.sales_today_minor, payments: r.collections_today_minor, np: null, nq: null,
      top: r.most_owing, mostOverdue: r.most_overdue,
    };
  } catch (e) {
    if (!(e instanceof ApiError) || (e.status !== 403 && e.status !== 404)) throw e;
  }
  const [owing, overdue, entries] = await Promise.all([
    apiAll('customers', { has_balance: true, sort: 'balance' }),
    apiAll('customers', { overdue: true, sort: 'balance' }),
    apiAll('transactions', { from: today, to: today }),
  ]);
  let total = 0, count = 0;
  for (const c of owing) if (c.balance_minor > 0) { total += c.balance_minor; count++; }
  let overdueTotal = 0;
  for (const c of overdue) overdueTotal += c.overdue_minor;
  let purchases = 0, payments = 0, np = 0, nq = 0;
  for (const e of entries) {
    if (e.reversed_by_id) continue;
    if (e.type === 'purchase') { purchases += e.amount_minor; np++; }
    if (e.type === 'payment') { payments += e.amount_minor; nq++; }
  }
  const mostOverdue = [...overdue].sort((a, b) => (a.oldest_due_date || '').localeCompare(b.oldest_due_date || '') || b.overdue_minor - a.overdue_minor).slice(0, 5);
  const top = owing.filter((c) => c.balance_minor > 0).slice(0, 5);
  return { total, count, overdueTotal, overdueCount: overdue.length, purchases, payments, np, nq, top, mostOverdue };
}



// The figures part of the page, drawn again whenever they change.
function figures({ total, count, overdueTotal, overdueCount, purchases, payments, np, nq, top, mostOverdue }) {
  return [
    h('section', { class: 'stats', 'aria-label': t('dash.totals') },
      stat(t('dash.total_owed'), formatMoney(total), t('dash.customers_owing', { count }), 'big'),
      stat(t('dash.overdue'), formatMoney(overdueTotal), t('dash.customers', { count: overdueCount }), overdueTotal > 0 ? 'danger' : ''),
      stat(t('dash.sold_today'), formatMoney(purchases), np === null ? t('dash.on_credit') : t('dash.purchases', { count: np })),
      stat(t('dash.collected_today'), formatMoney(payments), nq === null ? t('dash.payments_received') : t('dash.payments', { count: nq }), 'ok')),
    h('div', { class: 'two-col' },
      h('section', { class: 'card', 'aria-labelledby': 'top-owing' },
        h('h2', { id: 'top-owing' }, t('dash.owing_most')),
        top.length ? h('ul', { class: 'list' }, top.map(customerRow)) : empty(t('dash.nobody_owes')),
        h('p', null, h('a', { href: '/customers?owing=1&sort=balance' }, t('dash.all_owing')))),
      h('section', { class: 'card', 'aria-labelledby': 'most-overdue' },
        h('h2', { id: 'most-overdue' }, t('dash.most_overdue')),
        mostOverdue.length ? h('ul', { class: 'list' }, mostOverdue.map((c) => {
          const li = customerRow(c);
          li.querySelector('.row-sub').append(' · ', t('dash.due_since', { date: formatDate(c.oldest_due_date) }));
          return li;
        })) : empty(t('dash.nothing_overdue')),
        h('p', null, h('a', { href: '/customers?overdue=1&sort=balance' }, t('dash.all_overdue'))))),
  ];
}

const MOVES_FIGURES = new Set(['entry.created', 'entry.reversed', 'summary.changed', 'customer.created',
  'customer.updated', 'customer.archived', 'reset']);

export async function render({ root, isCurrent }) {
  setTitle(t('nav.home'));
  const today = storeToday();
  const first = await totalsOrCopy(today);
  let shown = first.t;
  const box = h('div', { id: 'dashboard-figures' }, figures(shown));
  const asOf = h('p', { class: 'as-of', role: 'status', hidden: !first.at });
  const markAsOf = (at) => {
    asOf.hidden = !at;
    asOf.replaceChildren(...(at ? [h('strong', null, t('offline.mark')), ' · ', t('offline.as_of', { time: asOfText(at, storeTimeZone()) })] : []));
  };
  markAsOf(first.at);
  const paint = (next) => { shown = next; box.replaceChildren(...figures(next).filter(Boolean)); markAsOf(null); };
  const chips = h('div', { id: 'recent-chips' });
  recentCustomers().then((list) => { if (isCurrent()) chips.replaceChildren(...[recentChips(list)].filter(Boolean)); });
  if (!first.at) refreshCustomerCopy();
  // The counter's shortest path: a match's Purchase / Payment button opens
  // the entry sheet here; the figures follow by the live stream.
  const quick = canWrite() ? (c, type) => {
    touchRecent(c);
    import('./entry.js').then((m) => m.openEntry(c, type, { onDone: (entry) => {
      if (entry) toast(t(type === 'purchase' ? 'quick.purchase_done' : 'quick.payment_done', { amount: formatMoney(entry.amount_minor), name: c.name, balance: formatMoney(entry.balance_after_minor) }));
    } }), (e) => toast(e.message, 'error'));
  } : null;
  const search = customerSearch({ quick });
  // Focused on open on a desktop (a keyboard at the counter), or after "/".
  const desktop = matchMedia('(hover: hover) and (pointer: fine) and (min-width: 700px)').matches;
  if (takeSearchFocus() || desktop) search.querySelector('input').dataset.autofocus = '';

  root.append(
    h('div', { class: 'page-head' },
      h('div', null, h('h1', null, state.tenant.name),
        h('p', { class: 'muted small' }, formatDate(today, true), ' ', liveIndicator(isCurrent))),
      canWrite() ? h('a', { href: '/customers/new', class: 'btn' }, t('common.add_customer')) : null),
    asOf,
    search,
    chips,
    canWrite() && remindersInPlan() ? h('div', { class: 'remind-all' },
      h('button', { type: 'button', class: 'btn whatsapp' + (shown.overdueCount > 0 ? ' primary' : ''), id: 'btn-remind-all',
        onclick: () => import('./remind-bulk.js').then((m) => m.openBulkRemind(), (e) => toast(e.message, 'error')) }, t('dash.remind_all')),
      h('a', { href: '/reminders', class: 'btn' }, t('dash.reminder_log'))) : null,
    box,
  );

  // Live: the outstanding total comes with the event; the rest (overdue,
  // today's sales, the lists) is fetched again, once per burst.  A fetch
  // that started before the figures on screen were painted is dropped, so
  // an older answer never replaces a newer one.
  let seen = 0, painted = 0;
  const refetch = coalesce(async () => {
    if (!isCurrent()) return;
    const asOf = seen;
    try {
      const next = await totals(storeToday());
      cachePut('dashboard', next);
      if (isCurrent() && asOf >= painted) { painted = asOf; paint(next); }
    } catch { /* the next event tries again */ }
  }, 300);
  onLive((e) => {
    if (!MOVES_FIGURES.has(e.type)) return;
    seen++;
    if (e.type === 'summary.changed' && e.data && Number.isSafeInteger(e.data.outstanding_minor)) {
      painted = seen;
      paint({ ...shown, total: e.data.outstanding_minor, count: e.data.customers_owing });
    }
    refetch();
  }, isCurrent);
}
