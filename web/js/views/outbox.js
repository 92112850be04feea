// "Entries on this device": every purchase and payment this user made that
// the store has not confirmed yet — waiting to be sent, or refused by the
// store and waiting for the user (retry, edit or discard).  Nothing leaves
// this list unless the store recorded it or the user discarded it.
import { api } from '../api.js';
import { setTitle, canWrite } from '../app.js';
import { h, empty, toast, confirmDialog } from '../dom.js';
import { formatMoney } from '../money.js';
import { formatTime } from '../format.js';
import { cacheGet } from '../cache.js';
import { outboxList, onOutboxChange, syncOutbox, retryRecord, outboxRemove } from '../outbox.js';
import { openEntry } from './entry.js';

const TYPE = { purchase: 'Purchase', payment: 'Payment' };
const HINT = {
  credit_limit_exceeded: 'Over the credit limit now.',
  customer_archived: 'The customer was archived.',
  outcome_unknown: 'Sent more than two days ago without an answer: check the customer’s ledger before sending it again.',
};

async function customerFor(rec) {
  try { return await api('GET', `customers/${rec.customer_id}`); } catch { /* offline */ }
  const got = await cacheGet('customer:' + rec.customer_id);
  return got ? got.data.c : { id: rec.customer_id, name: rec.customer_name, balance_minor: 0, status: 'active' };
}

export async function render({ root, isCurrent }) {
  setTitle('Entries on this device');
  const box = h('div', { id: 'outbox-list' });
  const draw = async () => {
    const list = await outboxList();
    if (!isCurrent()) return;
    if (!list.length) { box.replaceChildren(empty('Nothing is waiting: every entry made on this device has reached the store.')); return; }
    const waiting = list.some((r) => r.state !== 'refused');
    box.replaceChildren(
      waiting ? h('p', null, h('button', { type: 'button', class: 'btn primary', id: 'btn-send-all', onclick: async (e) => {
        const b = e.currentTarget;
        b.disabled = true;
        const r = await syncOutbox();
        if (r.left) toast('Still no connection: the entries stay on this device and are sent later.', 'warn');
        if (b.isConnected) b.disabled = false;
      } }, 'Send now')) : null,
      h('ol', { class: 'ledger pending-list' }, list.map((r) => {
        const refused = r.state === 'refused';
        const pb = r.problem || {};
        return h('li', { class: 'entry pending ' + r.type + (refused ? ' refused' : ''), dataset: { key: r.key, state: r.state } },
          h('div', { class: 'entry-main' },
            h('span', { class: 'entry-type' }, h('a', { href: `/customers/${r.customer_id}` }, r.customer_name), ' · ', TYPE[r.type] || r.type,
              refused ? h('span', { class: 'badge danger badge-refused' }, 'refused') : h('span', { class: 'badge warn badge-pending' }, 'pending')),
            h('span', { class: 'entry-time' }, formatTime(r.body.occurred_at)),
            refused ? h('span', { class: 'entry-refusal', role: 'alert' }, [HINT[pb.code], pb.code === 'credit_limit_exceeded' ? null : pb.detail,
              pb.code === 'credit_limit_exceeded' && Number.isSafeInteger(pb.shortfall_minor) ? `It is ${formatMoney(pb.shortfall_minor)} over the limit of ${formatMoney(pb.credit_limit_minor)}.` : null].filter(Boolean).join(' ')) : null,
            refused && canWrite() ? h('div', { class: 'pending-actions' },
              h('button', { type: 'button', class: 'btn small', onclick: () => retryRecord(r.key) }, 'Retry'),
              h('button', { type: 'button', class: 'btn small', onclick: async () => openEntry(await customerFor(r), r.type, { draft: r, onDone: draw }) }, 'Edit'),
              h('button', { type: 'button', class: 'btn small danger', onclick: async () => {
                if (!(await confirmDialog('Discard this entry?', `The ${r.type} of ${formatMoney(r.amount_minor)} for ${r.customer_name} was never recorded by the store. Discarding deletes it from this device.`, { confirmLabel: 'Discard', danger: true }))) return;
                await outboxRemove(r.key);
                toast('Entry discarded');
              } }, 'Discard')) : null),
          h('div', { class: 'entry-end' }, h('span', { class: 'entry-amount' }, `${r.type === 'payment' ? '−' : '+'} ${formatMoney(r.amount_minor)}`)));
      })));
  };
  onOutboxChange(() => draw(), isCurrent);
  await draw();
  root.append(h('h1', null, 'Entries on this device'),
    h('p', { class: 'muted' }, 'Purchases and payments made here that the store has not recorded yet. They are sent by themselves when the connection is back.'),
    box);
}
