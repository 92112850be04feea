// Customer page: balance, limit, available credit, overdue, oldest due date;
// Purchase on credit / Payment received one tap away; ledger with running
// balance; reversal (admins); edit and archive (admins); a shared link to
// the statement (members).  Live: an entry or change of this customer made
// anywhere redraws the page from the server's figures.
// Offline: the page is drawn from this device's last copy ("as of 10:42"),
// and entries still in the outbox show on top of the ledger as pending (or
// refused, with retry / edit / discard), the balance projected with them.
import { api } from '../api.js';
import { setTitle, canWrite, canAdmin, navigate, entryTypeName } from '../app.js';
import { cachePut, cacheGet, rememberCustomers, touchRecent, asOfText } from '../cache.js';
import { outboxList, onOutboxChange, pendingDelta } from '../outbox.js';
import { pendingRow, sendNowButton } from './pending.js';
import { storeTimeZone } from '../format.js';
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

// The ledger kept for offline reading: its newest entries.
const KEEP_ENTRIES = 50;
function recent(st) {
  const n = st.entries.length;
  if (n <= KEEP_ENTRIES) return st;
  const entries = st.entries.slice(n - KEEP_ENTRIES);
  return { ...st, entries, opening_balance_minor: st.entries[n - KEEP_ENTRIES - 1].running_balance_minor, trimmed: true };
}

// → [customer, statement, asOf]: asOf is null for the server's answer, the
// time of the copy when there is no network.
async function load(id) {
  try {
    const [c, st] = await Promise.all([api('GET', `customers/${id}`), api('GET', `customers/${id}/statement`)]);
    const kept = recent(st);
    cachePut('customer:' + id, { c, st: kept });
    rememberCustomers([c]);
    touchRecent(c);
    return [c, kept, null];
  } catch (e) {
    if (!e.network) throw e;
    const got = await cacheGet('customer:' + id);
    if (!got) throw e;
    return [got.data.c, got.data.st, got.at];
  }
}

export async function render(ctx) {
  const { root, params, isCurrent } = ctx;
  const [c0, st0, at0] = await load(params.id);
  // The documents section keeps its own state (thumbnails): a live
  // redraw moves it over rather than making it again.
  const docs = documentsSection(c0);
  let shown = { c: c0, st: st0, at: at0 };
  const draw = async () => {
    const out = await outboxList({ customerId: params.id });
    if (!isCurrent()) return;
    root.replaceChildren();
    paint(root, shown.c, shown.st, docs, { asOf: shown.at, outbox: out, redraw: draw });
  };
  await draw();
  let seen = 0, painted = 0;
  const again = coalesce(async () => {
    const asOf = seen;
    try {
      const [c, st, at] = await load(params.id);
      if (!isCurrent() || asOf < painted) return;
      painted = asOf;
      shown = { c, st, at };
      await draw();
    } catch { /* archived elsewhere, offline: the next event or visit tries again */ }
  }, 250);
  // The outbox moved: an entry sent is in the server's ledger now (fetch it
  // again); one kept or refused is redrawn from the outbox.
  onOutboxChange((d) => {
    const rec = d.sent || d.failed || d.added || d.retried;
    if (rec && rec.customer_id !== params.id) return;
    // Sent or refused: the server's figures moved (or were never these).
    // One being sent from the sheet is not drawn as pending: its answer
    // (recorded, or kept as pending) comes in a moment.
    if (d.added && d.added.state === 'sending') return;
    if (d.sent || (d.failed && d.outcome === 'refused')) { seen++; again(); } else draw();
  }, isCurrent);
  window.addEventListener('online', function back() { if (!isCurrent()) { window.removeEventListener('online', back); return; } seen++; again(); });
  onLive((e) => {
    const d = e.data || {};
    const mine = e.type === 'reset' || d.customer_id === params.id || (e.type.startsWith('customer.') && d.id === params.id) ||
      (e.type === 'summary.changed' && d.cause === 'import.completed');
    if (mine && !e.type.startsWith('reminder.')) { seen++; again(); }
  }, isCurrent);
}

// The entries of this customer still on this device, newest first.
function pendingSection(c, list, { redraw }) {
  if (!list.length) return null;
  const onEdit = (r) => openEntry(c, r.type, { draft: r, onDone: () => redraw() });
  const waiting = list.some((r) => r.state !== 'refused');
  return h('section', { class: 'pending-box', 'aria-labelledby': 'pending-h' },
    h('div', { class: 'pending-head' },
      h('h2', { id: 'pending-h' }, t('outbox.section_title')),
      waiting ? sendNowButton('btn-send-now') : null),
    h('p', { class: 'muted small' }, waiting ? t('outbox.section_waiting') : t('outbox.section_refused')),
    h('ol', { class: 'ledger pending-list', 'aria-label': t('outbox.section_label') },
      [...list].reverse().map((r) => pendingRow(r, { onEdit: canWrite() ? onEdit : null, onChange: redraw }))));
}

function paint(root, c, st, docs, { asOf = null, outbox = [], redraw = () => {} } = {}) {
  setTitle(c.name);
  const reload = () => navigate(`/customers/${c.id}`, { replace: true });
  const done = (key) => (entry) => {
    // Kept on this device (no network): the page shows it as pending.
    if (!entry) { redraw(); return; }
    toast(t(key, { amount: formatMoney(entry.amount_minor), balance: formatMoney(entry.balance_after_minor) }));
    reload();
  };
  const delta = pendingDelta(outbox);
  const waitingCount = outbox.filter((r) => r.state !== 'refused').length;
  const projected = c.balance_minor + delta;
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
  const change = new Map(st.entries.map((e, i) => [e.id, e.running_balance_minor - (i ? st.entries[i - 1].running_balance_minor : st.opening_balance_minor)]));
  const ledger = entries.length ? h('ol', { class: 'ledger', 'aria-label': t('customer.ledger_label') }, entries.map((e) => {
    const sign = change.get(e.id) < 0 ? '−' : '+';
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
    asOf ? h('p', { class: 'as-of', role: 'status' }, h('strong', null, t('offline.mark')), ' · ', t('offline.as_of', { time: asOfText(asOf, storeTimeZone()) })) : null,
    h('section', { class: 'balance-card card', 'aria-label': t('customer.account') },
      h('div', { class: 'balance' + (projected > 0 ? ' owes' : '') },
        h('span', { class: 'stat-label' }, projected < 0 ? t('customer.in_credit') : t('customer.balance_owed'),
          delta ? h('span', { class: 'badge warn' }, t('outbox.projected')) : null),
        h('span', { class: 'balance-value', id: 'balance' }, formatMoney(projected)),
        delta ? h('span', { class: 'muted small', id: 'balance-confirmed' },
          t('outbox.recorded_plus', { amount: formatMoney(c.balance_minor), count: waitingCount })) : null),
      h('dl', { class: 'kv grid' },
        h('div', null, h('dt', null, t('customer.credit_limit')), h('dd', null, formatMoney(c.effective_credit_limit_minor), c.credit_limit_minor === null ? h('span', { class: 'muted small' }, t('customer.store_default')) : null)),
        h('div', null, h('dt', null, t('customer.available')), h('dd', { id: 'available' },
          formatMoney(delta && Number.isSafeInteger(c.effective_credit_limit_minor) ? Math.max(0, c.effective_credit_limit_minor - projected) : c.available_credit_minor))),
        h('div', null, h('dt', null, t('customer.overdue')), h('dd', { class: c.overdue_minor > 0 ? 'danger-text' : '' }, formatMoney(c.overdue_minor))),
        h('div', null, h('dt', null, t('customer.oldest_due')), h('dd', null, c.oldest_due_date ? formatDate(c.oldest_due_date) : '—',
          c.oldest_due_date && dueIn !== null ? h('span', { class: 'muted small' }, ' (', dueIn < 0 ? t('customer.days_ago', { count: -dueIn }) : dueIn === 0 ? t('customer.today') : t('customer.in_days', { count: dueIn }), ')') : null)))),
    actions,
    pendingSection(c, outbox, { redraw }),
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
    h('section', { 'aria-labelledby': 'ledger-h' }, h('h2', { id: 'ledger-h' }, t('customer.ledger')), ledger,
      st.trimmed ? h('p', { class: 'muted small' }, h('a', { href: `/customers/${c.id}/statement` }, t('outbox.older_entries'))) : null));
}
