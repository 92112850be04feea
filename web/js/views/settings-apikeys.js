// The API keys section of the settings screen (owners only): make a key
// for an integration (its name, the role it acts with, an optional expiry),
// see it once with a copy button, list the live keys with their prefix and
// last use, revoke one.  The server shows a key only in the answer that
// makes it and keeps only its hash; a revoked key stops at once.
import { api } from '../api.js';
import { state, roleName } from '../app.js';
import { h, field, formError, busy, showErrors, toast, confirmDialog, clear, empty, spinner, errorBox } from '../dom.js';
import { formatTime } from '../format.js';
import { t } from '../i18n.js';

const rolesList = () => [['viewer', t('keys.r_viewer')], ['member', t('keys.r_member')], ['admin', t('keys.r_admin')]];

// Copy text to the clipboard; false when the browser will not.
async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.select();
    try { return document.execCommand('copy'); } catch { return false; }
  }
}

// The one time a key is shown.
function shownOnce(key, onDone) {
  // A text area, so that the whole key shows, wrapped, on a phone too.
  const input = h('textarea', { readonly: true, rows: 2, class: 'key-text', 'aria-label': t('keys.key_named', { name: key.name }), spellcheck: 'false', autocomplete: 'off' });
  input.value = key.key;
  const copy = h('button', { type: 'button', class: 'btn primary' }, t('keys.copy'));
  copy.addEventListener('click', async () => {
    if (await copyText(key.key, input)) { copy.textContent = t('keys.copied'); toast(t('keys.key_copied')); }
    else toast(t('keys.by_hand'), 'error');
  });
  const done = h('button', { type: 'button', class: 'btn' }, t('rem.receipt.done'));
  const box = h('div', { class: 'card key-once', role: 'region', 'aria-label': t('keys.new') },
    h('h3', null, t('keys.key_for', { name: key.name })),
    h('p', { class: 'key-warn' }, t('keys.warn')),
    h('div', { class: 'key-row' }, input, copy),
    h('p', { class: 'hint' }, t('keys.send_hint')),
    h('div', { class: 'actions' }, done));
  done.addEventListener('click', () => { input.value = ''; box.remove(); onDone(); });
  input.addEventListener('focus', () => input.select());
  return box;
}

function keyRow(k, ro, onRevoked) {
  const used = k.last_used_at ? t('keys.last_used', { when: formatTime(k.last_used_at) }) : t('keys.never_used');
  const expired = k.expires_at && Date.parse(k.expires_at) <= Date.now();
  const expiry = k.expires_at ? (expired ? t('keys.expired_at', { when: formatTime(k.expires_at) }) : t('keys.expires_at', { when: formatTime(k.expires_at) })) : t('keys.no_expiry');
  const revoke = ro ? null : h('button', { type: 'button', class: 'btn small', 'aria-label': t('keys.revoke_named', { name: k.name }), onclick: async () => {
    if (!(await confirmDialog(t('keys.revoke_q'), t('keys.revoke_body', { name: k.name, prefix: k.prefix }), { confirmLabel: t('keys.revoke'), danger: true }))) return;
    try { await api('DELETE', `api-keys/${k.id}`); toast(t('keys.revoked', { name: k.name })); onRevoked(); } catch (e) { toast(e.message, 'error'); }
  } }, t('keys.revoke'));
  return h('li', { class: 'user-row key-item', dataset: { key: k.id } },
    h('span', { class: 'row-main' },
      h('span', { class: 'row-title' }, k.name, expired ? h('span', { class: 'badge danger' }, t('keys.expired')) : null),
      h('span', { class: 'row-sub' }, h('code', { class: 'key-prefix' }, `${k.prefix}…`), ` · ${t('keys.made', { when: formatTime(k.created_at) })} · ${used} · ${expiry}`)),
    h('span', { class: 'row-end' }, h('span', { class: 'badge' }, roleName(k.role)), revoke));
}

export function apiKeysPanel(ro) {
  const features = (state.tenant && state.tenant.features) || [];
  if (!features.includes('api_keys'))
    return h('div', { class: 'card' }, h('h2', null, t('settings.sec_apikeys')),
      h('p', null, t('keys.not_in_plan')));

  const listHolder = h('div', { class: 'key-list' }, spinner());
  const onceHolder = h('div');
  async function load() {
    try {
      const keys = (await api('GET', 'api-keys')).data;
      clear(listHolder).append(keys.length
        ? h('ul', { class: 'list card', 'aria-label': t('settings.sec_apikeys') }, keys.map((k) => keyRow(k, ro, load)))
        : empty(t('keys.none')));
    } catch (e) { clear(listHolder).append(errorBox(e, load)); }
  }

  let form = null;
  if (!ro) {
    const name = field({ label: t('cform.name'), name: 'name', required: true, hint: t('keys.name_hint'), attrs: { maxlength: 100, autocomplete: 'off' } });
    const role = field({ label: t('keys.acts_as'), name: 'role', value: 'viewer', options: rolesList() });
    const expires = field({ label: t('keys.expires'), name: 'expires_at', type: 'date', hint: t('keys.expires_hint') });
    const submit = h('button', { type: 'submit', class: 'btn primary' }, t('keys.make'));
    form = h('form', { class: 'card form', novalidate: true, 'aria-label': t('keys.new') },
      h('h2', null, t('keys.new')),
      h('p', { class: 'hint' }, t('keys.intro')),
      formError(), name, role, expires, h('div', { class: 'actions' }, submit));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(submit, async () => {
        const body = { name: name.input.value.trim(), role: role.input.value };
        if (expires.input.value) body.expires_at = new Date(`${expires.input.value}T23:59:59`).toISOString();
        try {
          const key = await api('POST', 'api-keys', { body });
          showErrors(form, null);
          form.reset();
          clear(onceHolder).append(shownOnce(key, () => {}));
          onceHolder.querySelector('.key-text').focus();
          load();
        } catch (err) { showErrors(form, err); }
      });
    });
  }
  load();
  return h('div', { class: 'apikeys' }, onceHolder, form, h('h2', null, t('keys.in_use')), listHolder);
}
