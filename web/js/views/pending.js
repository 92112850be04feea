// pending.js — how an entry still in this device's outbox is shown: a
// "pending" badge while it waits to be sent, or "refused" with the store's
// reason and Retry / Edit / Discard (the customer page and the list of
// entries on this device both use it).
import { canWrite, entryTypeName } from '../app.js';
import { h, toast, confirmDialog } from '../dom.js';
import { formatMoney } from '../money.js';
import { formatTime } from '../format.js';
import { retryRecord, outboxRemove, syncOutbox } from '../outbox.js';
import { t } from '../i18n.js';

// The store's refusal in words: a known code gets our sentence, anything
// else the server's own detail (already in the user's language).
export function refusalText(pb = {}) {
  if (pb.code === 'credit_limit_exceeded') {
    return Number.isSafeInteger(pb.shortfall_minor)
      ? t('outbox.refused_limit_by', { over: formatMoney(pb.shortfall_minor), limit: formatMoney(pb.credit_limit_minor) })
      : t('outbox.refused_limit');
  }
  if (pb.code === 'outcome_unknown') return t('outbox.refused_unknown');
  if (pb.code === 'customer_archived') return t('outbox.refused_archived');
  return pb.detail || t('outbox.refused_other');
}

// One row.  onEdit(rec): open the entry sheet on it; withName: show the
// customer's name (the list of all entries).
export function pendingRow(r, { onEdit, onChange = () => {}, withName = false } = {}) {
  const refused = r.state === 'refused';
  const sign = r.type === 'payment' ? '−' : '+';
  const actions = refused && canWrite() ? h('div', { class: 'pending-actions' },
    h('button', { type: 'button', class: 'btn small', onclick: async (e) => { e.currentTarget.disabled = true; await retryRecord(r.key); } }, t('outbox.retry')),
    onEdit ? h('button', { type: 'button', class: 'btn small', onclick: () => onEdit(r) }, t('outbox.edit')) : null,
    h('button', { type: 'button', class: 'btn small danger', onclick: async () => {
      const ok = await confirmDialog(t('outbox.discard_title'),
        t('outbox.discard_text', { type: entryTypeName(r.type), amount: formatMoney(r.amount_minor), name: r.customer_name }),
        { confirmLabel: t('outbox.discard'), danger: true });
      if (!ok) return;
      await outboxRemove(r.key);
      toast(t('outbox.discarded'));
      onChange();
    } }, t('outbox.discard'))) : null;
  return h('li', { class: 'entry pending ' + r.type + (refused ? ' refused' : ''), dataset: { key: r.key, state: r.state } },
    h('div', { class: 'entry-main' },
      h('span', { class: 'entry-type' },
        withName ? [h('a', { href: `/customers/${r.customer_id}` }, r.customer_name), ' · '] : null,
        entryTypeName(r.type),
        refused ? h('span', { class: 'badge danger badge-refused' }, t('outbox.badge_refused')) : h('span', { class: 'badge warn badge-pending' }, t('outbox.badge_pending'))),
      h('span', { class: 'entry-time' }, formatTime(r.body.occurred_at), refused ? null : [' · ', t('outbox.not_sent')]),
      r.body.note ? h('span', { class: 'entry-detail' }, r.body.note) : null,
      refused ? h('span', { class: 'entry-refusal', role: 'alert' }, refusalText(r.problem || {})) : null,
      actions),
    h('div', { class: 'entry-end' },
      h('span', { class: 'entry-figs' }, h('span', { class: 'entry-amount' }, `${sign} ${formatMoney(r.amount_minor)}`))));
}

// "Send now": one try at once; says so when there is still no network.
export function sendNowButton(id) {
  return h('button', { type: 'button', class: 'btn small', id, onclick: async (e) => {
    const b = e.currentTarget;
    b.disabled = true;
    const r = await syncOutbox();
    if (r.left) toast(t('outbox.still_offline'), 'warn');
    if (b.isConnected) b.disabled = false;
  } }, t('outbox.send_now'));
}
