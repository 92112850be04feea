// "Entries on this device": every purchase and payment this user made that
// the store has not confirmed yet — waiting to be sent, or refused by the
// store and waiting for the user (retry, edit or discard).  Nothing leaves
// this list unless the store recorded it or the user discarded it.
import { api } from '../api.js';
import { setTitle } from '../app.js';
import { h, empty } from '../dom.js';
import { cacheGet } from '../cache.js';
import { outboxList, onOutboxChange } from '../outbox.js';
import { openEntry } from './entry.js';
import { pendingRow, sendNowButton } from './pending.js';
import { t } from '../i18n.js';

async function customerFor(rec) {
  try { return await api('GET', `customers/${rec.customer_id}`); } catch { /* offline */ }
  const got = await cacheGet('customer:' + rec.customer_id);
  return got ? got.data.c : { id: rec.customer_id, name: rec.customer_name, balance_minor: 0, status: 'active' };
}

export async function render({ root, isCurrent }) {
  setTitle(t('outbox.title'));
  const box = h('div', { id: 'outbox-list' });
  const draw = async () => {
    const list = await outboxList();
    if (!isCurrent()) return;
    if (!list.length) { box.replaceChildren(empty(t('outbox.empty'))); return; }
    const onEdit = async (r) => openEntry(await customerFor(r), r.type, { draft: r, onDone: draw });
    box.replaceChildren(
      list.some((r) => r.state !== 'refused') ? h('p', null, sendNowButton('btn-send-all')) : null,
      h('ol', { class: 'ledger pending-list' }, list.map((r) => pendingRow(r, { onEdit, onChange: draw, withName: true }))));
  };
  onOutboxChange(() => draw(), isCurrent);
  await draw();
  root.append(h('h1', null, t('outbox.title')), h('p', { class: 'muted' }, t('outbox.intro')), box);
}
