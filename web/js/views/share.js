// Share statement: make a read-only link to the customer's statement
// (POST customers/{id}/share) and offer it — copy it, or send it on
// WhatsApp to the customer's phone.  The link can be withdrawn here too.
import { api } from '../api.js';
import { state } from '../app.js';
import { t } from '../i18n.js';
import { h, modal, toast, busy } from '../dom.js';
import { formatTime } from '../format.js';

async function copy(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    // No clipboard API (a plain-http address): select the text and copy.
    input.focus();
    input.select();
    try { return document.execCommand('copy'); } catch { return false; }
  }
}

export function whatsAppLink(phone, text) {
  return `https://wa.me/${String(phone || '').replace(/\D/g, '')}?text=${encodeURIComponent(text)}`;
}

export async function openShare(c, button) {
  let link;
  await busy(button, async () => {
    try { link = await api('POST', `customers/${c.id}/share`, { body: {} }); } catch (e) { toast(e.message, 'error'); }
  });
  if (!link) return;
  const store = state.tenant && state.tenant.name ? state.tenant.name : t('share.the_store');
  const message = t('share.message', { name: c.name, store, url: link.url });
  const url = h('input', { id: 'share-url', type: 'text', readonly: true, value: link.url, 'aria-label': t('share.link_label') });
  const copyBtn = h('button', { type: 'button', class: 'btn primary', id: 'btn-copy-link' }, t('share.copy'));
  copyBtn.addEventListener('click', async () => {
    toast(await copy(link.url, url) ? t('share.copied') : t('share.select_copy'), 'ok');
  });
  const wa = h('a', { class: 'btn payment', id: 'btn-wa-share', href: whatsAppLink(c.phone, message), target: '_blank', rel: 'noopener noreferrer' }, t('share.send_wa'));
  const withdraw = h('button', { type: 'button', class: 'btn small', id: 'btn-withdraw-link' }, t('share.withdraw'));
  const m = modal(t('customer.share'), [
    h('p', null, t('share.explain', { name: c.name, until: formatTime(link.expires_at) })),
    h('div', { class: 'field' }, url),
    h('div', { class: 'primary-actions' }, copyBtn, wa),
    h('div', { class: 'actions' }, withdraw),
  ]);
  withdraw.addEventListener('click', () => busy(withdraw, async () => {
    try { await api('DELETE', `shares/${link.id}`); toast(t('share.withdrawn')); m.close(); } catch (e) { toast(e.message, 'error'); }
  }));
  url.addEventListener('focus', () => url.select());
}
