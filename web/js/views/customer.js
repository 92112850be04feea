// Customer page: balance, limit, available credit, overdue, oldest due date;
// Purchase on credit / Payment received one tap away; ledger with running
// balance; reversal (admins); edit and archive (admins); a shared link to
// the statement (members).  Live: an entry or change of this customer made
// anywhere redraws the page from the server's figures.
import { api } from '../api.js';
import { setTitle, canWrite, canAdmin, navigate, entryTypeName } from '../app.js';
import { h, empty, toast, confirmDialog } from '../dom.js';
import { openShare } from './share.js';
import { formatMoney } from '../money.js';
import { formatTime, formatDate, apartmentLabel, daysFromToday } from '../format.js';
import { openEntry, openReverse, openAdjustment } from './entry.js';
import { remindControls, remindersInPlan } from '../reminders.js';
import { onLive, coalesce } from '../live.js';
import { documentsSection } from './documents.js';
import { t } from '../i18n.js';



function describe(e) {
  return t('customer.describe', { type: entryTypeName(e.type), amount: formatMoney(e.amount_minor), time: formatTime(e.occurred_at) });
}

const load = (id) => Promise.all([api('GET', `customers/${id}`), api('GET', `customers/${id}/statement`)]);

export async function render(ctx) {
  const { root, params, isCurrent } = ctx;
  const [c0, st0] = await load(params.id);
  // The documents section keeps its own state (thumbnails): a live
  // redraw moves it over rather than making it again.
  const docs = documentsSection(c0);
  paint(root, c0, st0, docs);
  let seen = 0, painted = 0;
  const again = coalesce(async () => {
    const asOf = seen;
    try {
      const [c, st] = await load(params.id);
      if (!isCurrent() || asOf < painted) return;
      painted = asOf;
      root.replaceChildren();
      paint(root, c, st, docs);
    } catch { /* archived elsewhere, offline: the next event or visit tries again */ }
  }, 250);
  onLive((e) => {
    const d = e.data || {};
    const mine = e.type === 'reset' || d.customer_id === params.id || (e.type.startsWith('customer.') && d.id === params.id) ||
      (e.type === 'summary.changed' && d.cause === 'import.completed');
    if (mine && !e.type.startsWith('reminder.')) { seen++; again(); }
  }, isCurrent);
}

function paint(root, c, st, docs) {
  setTitle(c.name);
  const reload = () => navigate(`/customers/${c.id}`, { replace: true });
  const done = (key) => (entry) => {
    toast(t(key, { amount: formatMoney(entry.amount_minor), balance: formatMoney(entry.balance_after_minor) }));
    reload();
  };
  const active = c.status === 'active';
  const dueIn = daysFromToday(c.oldest_due_date);
  const actions = canWrite() && active ? h('div', { class: 'primary-actions' },
    h('button', { type: 'button', class: 'btn big purchase', id: 'btn-purchase', onclick: () => openEntry(c, 'purchase', { onDone: done('customer.purchase_done') }) }, h('span', { 'aria-hidden': 'true' }, '+ '), t('customer.purchase_btn')),
    h('button', { type: 'button', class: 'btn big payment', id: 'btn-payment', onclick: () => openEntry(c, 'payment', { onDone: done('customer.payment_done') }) }, h('span', { 'aria-hidden': 'true' }, '− '), t('customer.payment_btn'))) : null;

  const archive = async () => {
    if (c.balance_minor !== 0) {
      toast(t('customer.archive_balance', { name: c.name, amount: formatMoney(c.balance_minor) }), 'error');
      return;
    }
    if (!(await confirmDialog(t('customer.archive_q'), t('customer.archive_body', { name: c.name }), { confirmLabel: t('customer.archive'), danger: true }))) return;
    try { await api('DELETE', `customers/${c.id}`); toast(t('customer.archived_toast', { name: c.name })); reload(); } catch (e) { toast(e.message, 'error'); }
  };
  const restore = async () => {
    try { await api('PATCH', `customers/${c.id}`, { body: { status: 'active' } }); toast(t('customer.restored_toast', { name: c.name })); reload(); } catch (e) { toast(e.message, 'error'); }
  };

  const entries = [...st.entries].reverse();
  const delta = new Map(st.entries.map((e, i) => [e.id, e.running_balance_minor - (i ? st.entries[i - 1].running_balance_minor : st.opening_balance_minor)]));
  const ledger = entries.length ? h('ol', { class: 'ledger', 'aria-label': t('customer.ledger_label') }, entries.map((e) => {
    const sign = delta.get(e.id) < 0 ? '−' : '+';
    const detail = [];
    if (e.note) detail.push(e.note);
    if (e.items && e.items.length) detail.push(e.items.map((i) => `${i.name} × ${i.quantity}`).join(', '));
    if (e.payment_method) detail.push(e.payment_method.toUpperCase() + (e.payment_reference ? ` ${e.payment_reference}` : ''));
    if (e.reason) detail.push(t('customer.reason', { reason: e.reason }));
    if (e.override) detail.push(t('customer.overridden', { reason: e.override_reason }));
    const reversible = canAdmin() && e.type !== 'reversal' && !e.reversed_by_id;
    return h('li', { class: 'entry ' + e.type + (e.reversed_by_id ? ' reversed' : ''), dataset: { id: e.id } },
      h('div', { class: 'entry-main' },
        h('span', { class: 'entry-type' }, entryTypeName(e.type), e.reversed_by_id ? h('span', { class: 'badge' }, t('customer.reversed_badge')) : null),
        h('span', { class: 'entry-time' }, formatTime(e.occurred_at)),
        detail.length ? h('span', { class: 'entry-detail' }, detail.join(' · ')) : null),
      h('div', { class: 'entry-end' },
        h('span', { class: 'entry-figs' },
          h('span', { class: 'entry-amount' }, `${sign} ${formatMoney(Math.abs(e.amount_minor))}`),
          h('span', { class: 'entry-running' }, t('customer.bal'), ' ', formatMoney(e.running_balance_minor))),
        reversible ? h('button', { type: 'button', class: 'btn small', onclick: () => openReverse(e, describe(e), { onDone: () => { toast(t('customer.reversed_toast')); reload(); } }) }, t('customer.reverse')) : null));
  })) : empty(t('customer.no_entries'));

  root.append(
    h('div', { class: 'page-head' },
      h('div', null,
        h('h1', null, c.name, c.status === t('customer.archived_badge') ? h('span', { class: 'badge' }, t('customer.archived_badge')) : null),
        h('p', { class: 'muted' },
          c.apartment ? h('a', { href: `/apartments/unit/${c.apartment}` }, t('customer.flat', { flat: c.apartment })) : t('customer.no_flat'), c.apartment ? ` (${apartmentLabel(c.apartment)})` : '',
          ' · ', h('a', { href: `tel:${c.phone}` }, c.phone)))),
    h('section', { class: 'balance-card card', 'aria-label': t('customer.account') },
      h('div', { class: 'balance' + (c.balance_minor > 0 ? ' owes' : '') },
        h('span', { class: 'stat-label' }, c.balance_minor < 0 ? t('customer.in_credit') : t('customer.balance_owed')),
        h('span', { class: 'balance-value', id: 'balance' }, formatMoney(c.balance_minor))),
      h('dl', { class: 'kv grid' },
        h('div', null, h('dt', null, t('customer.credit_limit')), h('dd', null, formatMoney(c.effective_credit_limit_minor), c.credit_limit_minor === null ? h('span', { class: 'muted small' }, t('customer.store_default')) : null)),
        h('div', null, h('dt', null, t('customer.available')), h('dd', { id: 'available' }, formatMoney(c.available_credit_minor))),
        h('div', null, h('dt', null, t('customer.overdue')), h('dd', { class: c.overdue_minor > 0 ? 'danger-text' : '' }, formatMoney(c.overdue_minor))),
        h('div', null, h('dt', null, t('customer.oldest_due')), h('dd', null, c.oldest_due_date ? formatDate(c.oldest_due_date) : '—',
          c.oldest_due_date && dueIn !== null ? h('span', { class: 'muted small' }, ' (', dueIn < 0 ? t('customer.days_ago', { count: -dueIn }) : dueIn === 0 ? t('customer.today') : t('customer.in_days', { count: dueIn }), ')') : null)))),
    actions,
    remindControls(c, { canRemind: canWrite() && active && remindersInPlan() }),
    h('div', { class: 'secondary-actions' },
      h('a', { href: `/customers/${c.id}/statement`, class: 'btn' }, t('customer.statement')),
      canAdmin() && active ? h('button', { type: 'button', class: 'btn', id: 'btn-adjust', onclick: () => openAdjustment(c, { onDone: done('customer.adjustment_done') }) }, t('customer.adjustment')) : null,
      canWrite() ? h('button', { type: 'button', class: 'btn', id: 'btn-share', onclick: (e) => openShare(c, e.currentTarget) }, t('customer.share')) : null,
      canAdmin() ? h('a', { href: `/customers/${c.id}/edit`, class: 'btn' }, t('customer.edit')) : null,
      canAdmin() && active ? h('button', { type: 'button', class: 'btn', onclick: archive }, t('customer.archive')) : null,
      canAdmin() && !active ? h('button', { type: 'button', class: 'btn', onclick: restore }, t('customer.restore')) : null),
    c.notes ? h('p', { class: 'notes' }, c.notes) : null,
    docs,
    h('section', { 'aria-labelledby': 'ledger-h' }, h('h2', { id: 'ledger-h' }, t('customer.ledger')), ledger));
}
