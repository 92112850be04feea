// Customer page: balance, limit, available credit, overdue, oldest due date;
// Purchase on credit / Payment received one tap away; ledger with running
// balance; reversal (admins); edit and archive (admins); a shared link to
// the statement (members).  Live: an entry or change of this customer made
// anywhere redraws the page from the server's figures.
// Offline: the page is drawn from this device's last copy ("as of 10:42"),
// and entries still in the outbox show on top of the ledger as pending (or
// refused, with retry / edit / discard), the balance projected with them.
import { api } from '../api.js';
import { setTitle, canWrite, canAdmin, navigate } from '../app.js';
import { cachePut, cacheGet, rememberCustomers, touchRecent, asOfText } from '../cache.js';
import { outboxList, onOutboxChange, pendingDelta, syncOutbox, retryRecord, outboxRemove } from '../outbox.js';
import { storeTimeZone } from '../format.js';
import { h, empty, toast, confirmDialog } from '../dom.js';
import { openShare } from './share.js';
import { formatMoney } from '../money.js';
import { formatTime, formatDate, apartmentLabel, daysFromToday } from '../format.js';
import { openEntry, openReverse, openAdjustment } from './entry.js';
import { remindControls, remindersInPlan } from '../reminders.js';
import { onLive, coalesce } from '../live.js';
import { documentsSection } from './documents.js';

const TYPE = { purchase: 'Purchase', payment: 'Payment', adjustment: 'Adjustment', reversal: 'Reversal' };

function describe(e) {
  return `${TYPE[e.type] || e.type} of ${formatMoney(e.amount_minor)} on ${formatTime(e.occurred_at)}`;
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

const PROBLEM_HINT = {
  credit_limit_exceeded: 'Over the credit limit now.',
  customer_archived: 'The customer was archived.',
  outcome_unknown: 'Sent more than two days ago without an answer: check the ledger whether it is there before sending it again.',
};

// The entries of this customer still on this device, newest first.
function pendingSection(c, list, { redraw }) {
  if (!list.length) return null;
  const rows = [...list].reverse().map((r) => {
    const refused = r.state === 'refused';
    const pb = r.problem || {};
    const why = refused ? [PROBLEM_HINT[pb.code], pb.code === 'credit_limit_exceeded' ? null : pb.detail].filter(Boolean).join(' ') : null;
    const limitText = refused && pb.code === 'credit_limit_exceeded' && Number.isSafeInteger(pb.shortfall_minor)
      ? ` It is ${formatMoney(pb.shortfall_minor)} over the limit of ${formatMoney(pb.credit_limit_minor)}.` : '';
    const sign = r.type === 'payment' ? '−' : '+';
    const actions = refused && canWrite() ? h('div', { class: 'pending-actions' },
      h('button', { type: 'button', class: 'btn small', onclick: async (e) => { e.currentTarget.disabled = true; await retryRecord(r.key); } }, 'Retry'),
      h('button', { type: 'button', class: 'btn small', onclick: () => openEntry(c, r.type, { draft: r, onDone: () => redraw() }) }, 'Edit'),
      h('button', { type: 'button', class: 'btn small danger', onclick: async () => {
        if (!(await confirmDialog('Discard this entry?', `The ${r.type} of ${formatMoney(r.amount_minor)} was never recorded by the store. Discarding deletes it from this device.`, { confirmLabel: 'Discard', danger: true }))) return;
        await outboxRemove(r.key);
        toast('Entry discarded');
        redraw();
      } }, 'Discard')) : null;
    return h('li', { class: 'entry pending ' + r.type + (refused ? ' refused' : ''), dataset: { key: r.key, state: r.state } },
      h('div', { class: 'entry-main' },
        h('span', { class: 'entry-type' }, TYPE[r.type] || r.type,
          refused ? h('span', { class: 'badge danger badge-refused' }, 'refused') : h('span', { class: 'badge warn badge-pending' }, 'pending')),
        h('span', { class: 'entry-time' }, formatTime(r.body.occurred_at), refused ? '' : ' · not sent yet'),
        r.body.note ? h('span', { class: 'entry-detail' }, r.body.note) : null,
        why ? h('span', { class: 'entry-refusal', role: 'alert' }, why + limitText) : null,
        actions),
      h('div', { class: 'entry-end' },
        h('span', { class: 'entry-figs' }, h('span', { class: 'entry-amount' }, `${sign} ${formatMoney(r.amount_minor)}`))));
  });
  const waiting = list.some((r) => r.state !== 'refused');
  return h('section', { class: 'pending-box', 'aria-labelledby': 'pending-h' },
    h('div', { class: 'pending-head' },
      h('h2', { id: 'pending-h' }, 'Not recorded yet'),
      waiting ? h('button', { type: 'button', class: 'btn small', id: 'btn-send-now', onclick: async (e) => {
        const b = e.currentTarget;
        b.disabled = true;
        const r = await syncOutbox();
        if (r.left && b.isConnected) { b.disabled = false; toast('Still no connection: the entries stay on this device and are sent later.', 'warn'); }
      } }, 'Send now') : null),
    h('p', { class: 'muted small' }, waiting ? 'Kept on this device; sent by themselves when the connection is back.' : 'The store refused these: retry, edit or discard each one.'),
    h('ol', { class: 'ledger pending-list', 'aria-label': 'Entries not recorded yet' }, rows));
}

function paint(root, c, st, docs, { asOf = null, outbox = [], redraw = () => {} } = {}) {
  setTitle(c.name);
  const reload = () => navigate(`/customers/${c.id}`, { replace: true });
  const done = (verb) => (entry) => {
    // Kept on this device (no network): the page shows it as pending.
    if (!entry) { redraw(); return; }
    toast(`${verb} ${formatMoney(entry.amount_minor)}. Balance now ${formatMoney(entry.balance_after_minor)}.`);
    reload();
  };
  const delta = pendingDelta(outbox);
  const waitingCount = outbox.filter((r) => r.state !== 'refused').length;
  const projected = c.balance_minor + delta;
  const active = c.status === 'active';
  const dueIn = daysFromToday(c.oldest_due_date);
  const actions = canWrite() && active ? h('div', { class: 'primary-actions' },
    h('button', { type: 'button', class: 'btn big purchase', id: 'btn-purchase', onclick: () => openEntry(c, 'purchase', { onDone: done('Purchase recorded:') }) }, h('span', { 'aria-hidden': 'true' }, '+ '), 'Purchase on credit'),
    h('button', { type: 'button', class: 'btn big payment', id: 'btn-payment', onclick: () => openEntry(c, 'payment', { onDone: done('Payment received:') }) }, h('span', { 'aria-hidden': 'true' }, '− '), 'Payment received')) : null;

  const archive = async () => {
    if (c.balance_minor !== 0) {
      toast(`${c.name} still has a balance of ${formatMoney(c.balance_minor)}; settle it before archiving.`, 'error');
      return;
    }
    if (!(await confirmDialog('Archive customer?', `${c.name} will be hidden from lists. Their ledger is kept.`, { confirmLabel: 'Archive', danger: true }))) return;
    try { await api('DELETE', `customers/${c.id}`); toast(`${c.name} archived`); reload(); } catch (e) { toast(e.message, 'error'); }
  };
  const restore = async () => {
    try { await api('PATCH', `customers/${c.id}`, { body: { status: 'active' } }); toast(`${c.name} restored`); reload(); } catch (e) { toast(e.message, 'error'); }
  };

  const entries = [...st.entries].reverse();
  const change = new Map(st.entries.map((e, i) => [e.id, e.running_balance_minor - (i ? st.entries[i - 1].running_balance_minor : st.opening_balance_minor)]));
  const ledger = entries.length ? h('ol', { class: 'ledger', 'aria-label': 'Ledger, newest first' }, entries.map((e) => {
    const sign = change.get(e.id) < 0 ? '−' : '+';
    const detail = [];
    if (e.note) detail.push(e.note);
    if (e.items && e.items.length) detail.push(e.items.map((i) => `${i.name} × ${i.quantity}`).join(', '));
    if (e.payment_method) detail.push(e.payment_method.toUpperCase() + (e.payment_reference ? ` ${e.payment_reference}` : ''));
    if (e.reason) detail.push(`Reason: ${e.reason}`);
    if (e.override) detail.push(`Limit overridden: ${e.override_reason}`);
    const reversible = canAdmin() && e.type !== 'reversal' && !e.reversed_by_id;
    return h('li', { class: 'entry ' + e.type + (e.reversed_by_id ? ' reversed' : ''), dataset: { id: e.id } },
      h('div', { class: 'entry-main' },
        h('span', { class: 'entry-type' }, TYPE[e.type] || e.type, e.reversed_by_id ? h('span', { class: 'badge' }, 'reversed') : null),
        h('span', { class: 'entry-time' }, formatTime(e.occurred_at)),
        detail.length ? h('span', { class: 'entry-detail' }, detail.join(' · ')) : null),
      h('div', { class: 'entry-end' },
        h('span', { class: 'entry-figs' },
          h('span', { class: 'entry-amount' }, `${sign} ${formatMoney(Math.abs(e.amount_minor))}`),
          h('span', { class: 'entry-running' }, 'Bal. ', formatMoney(e.running_balance_minor))),
        reversible ? h('button', { type: 'button', class: 'btn small', onclick: () => openReverse(e, describe(e), { onDone: () => { toast('Entry reversed'); reload(); } }) }, 'Reverse') : null));
  })) : empty('No entries yet.');

  root.append(
    h('div', { class: 'page-head' },
      h('div', null,
        h('h1', null, c.name, c.status === 'archived' ? h('span', { class: 'badge' }, 'archived') : null),
        h('p', { class: 'muted' },
          c.apartment ? h('a', { href: `/apartments/unit/${c.apartment}` }, `Flat ${c.apartment}`) : 'No flat', c.apartment ? ` (${apartmentLabel(c.apartment)})` : '',
          ' · ', h('a', { href: `tel:${c.phone}` }, c.phone)))),
    asOf ? h('p', { class: 'as-of', role: 'status' }, h('strong', null, 'Offline'), ` · as of ${asOfText(asOf, storeTimeZone())}`) : null,
    h('section', { class: 'balance-card card', 'aria-label': 'Account' },
      h('div', { class: 'balance' + (projected > 0 ? ' owes' : '') },
        h('span', { class: 'stat-label' }, projected < 0 ? 'In credit' : 'Balance owed',
          delta ? h('span', { class: 'badge warn' }, 'projected') : null),
        h('span', { class: 'balance-value', id: 'balance' }, formatMoney(projected)),
        delta ? h('span', { class: 'muted small', id: 'balance-confirmed' },
          `${formatMoney(c.balance_minor)} recorded + ${waitingCount} pending`) : null),
      h('dl', { class: 'kv grid' },
        h('div', null, h('dt', null, 'Credit limit'), h('dd', null, formatMoney(c.effective_credit_limit_minor), c.credit_limit_minor === null ? h('span', { class: 'muted small' }, ' (store default)') : null)),
        h('div', null, h('dt', null, 'Available credit'), h('dd', { id: 'available' },
          formatMoney(delta && Number.isSafeInteger(c.effective_credit_limit_minor) ? Math.max(0, c.effective_credit_limit_minor - projected) : c.available_credit_minor))),
        h('div', null, h('dt', null, 'Overdue'), h('dd', { class: c.overdue_minor > 0 ? 'danger-text' : '' }, formatMoney(c.overdue_minor))),
        h('div', null, h('dt', null, 'Oldest due date'), h('dd', null, c.oldest_due_date ? formatDate(c.oldest_due_date) : '—',
          c.oldest_due_date && dueIn !== null ? h('span', { class: 'muted small' }, dueIn < 0 ? ` (${-dueIn} days ago)` : dueIn === 0 ? ' (today)' : ` (in ${dueIn} days)`) : null)))),
    actions,
    pendingSection(c, outbox, { redraw }),
    remindControls(c, { canRemind: canWrite() && active && remindersInPlan() }),
    h('div', { class: 'secondary-actions' },
      h('a', { href: `/customers/${c.id}/statement`, class: 'btn' }, 'Statement'),
      canAdmin() && active ? h('button', { type: 'button', class: 'btn', id: 'btn-adjust', onclick: () => openAdjustment(c, { onDone: done('Adjustment recorded:') }) }, 'Adjustment') : null,
      canWrite() ? h('button', { type: 'button', class: 'btn', id: 'btn-share', onclick: (e) => openShare(c, e.currentTarget) }, 'Share statement') : null,
      canAdmin() ? h('a', { href: `/customers/${c.id}/edit`, class: 'btn' }, 'Edit') : null,
      canAdmin() && active ? h('button', { type: 'button', class: 'btn', onclick: archive }, 'Archive') : null,
      canAdmin() && !active ? h('button', { type: 'button', class: 'btn', onclick: restore }, 'Restore') : null),
    c.notes ? h('p', { class: 'notes' }, c.notes) : null,
    docs,
    h('section', { 'aria-labelledby': 'ledger-h' }, h('h2', { id: 'ledger-h' }, 'Ledger'), ledger,
      st.trimmed ? h('p', { class: 'muted small' }, h('a', { href: `/customers/${c.id}/statement` }, 'Older entries: the statement')) : null));
}
