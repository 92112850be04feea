// The API keys section of the settings screen (owners only): make a key
// for an integration (its name, the role it acts with, an optional expiry),
// see it once with a copy button, list the live keys with their prefix and
// last use, revoke one.  The server shows a key only in the answer that
// makes it and keeps only its hash; a revoked key stops at once.
import { api } from '../api.js';
import { state } from '../app.js';
import { h, field, formError, busy, showErrors, toast, confirmDialog, clear, empty, spinner, errorBox } from '../dom.js';
import { formatTime } from '../format.js';

const ROLES = [['viewer', 'Viewer (reads only)'], ['member', 'Member (records sales and payments)'], ['admin', 'Admin (also edits customers and settings)']];

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
  const input = h('textarea', { readonly: true, rows: 2, class: 'key-text', 'aria-label': `API key ${key.name}`, spellcheck: 'false', autocomplete: 'off' });
  input.value = key.key;
  const copy = h('button', { type: 'button', class: 'btn primary' }, 'Copy key');
  copy.addEventListener('click', async () => {
    if (await copyText(key.key, input)) { copy.textContent = 'Copied'; toast('Key copied'); }
    else toast('Select the key and copy it by hand', 'error');
  });
  const done = h('button', { type: 'button', class: 'btn' }, 'Done');
  const box = h('div', { class: 'card key-once', role: 'region', 'aria-label': 'New API key' },
    h('h3', null, `Key for ${key.name}`),
    h('p', { class: 'key-warn' }, 'Copy it now: it is shown only this once. The store keeps only a fingerprint of it.'),
    h('div', { class: 'key-row' }, input, copy),
    h('p', { class: 'hint' }, 'Send it with every request as X-API-Key: qtk_… or Authorization: Bearer qtk_…'),
    h('div', { class: 'actions' }, done));
  done.addEventListener('click', () => { input.value = ''; box.remove(); onDone(); });
  input.addEventListener('focus', () => input.select());
  return box;
}

function keyRow(k, ro, onRevoked) {
  const used = k.last_used_at ? `last used ${formatTime(k.last_used_at)}` : 'never used';
  const expired = k.expires_at && Date.parse(k.expires_at) <= Date.now();
  const expiry = k.expires_at ? `${expired ? 'expired' : 'expires'} ${formatTime(k.expires_at)}` : 'no expiry';
  const revoke = ro ? null : h('button', { type: 'button', class: 'btn small', 'aria-label': `Revoke ${k.name}`, onclick: async () => {
    if (!(await confirmDialog('Revoke API key?', `${k.name} (${k.prefix}…) stops working at once, for every integration that uses it.`, { confirmLabel: 'Revoke', danger: true }))) return;
    try { await api('DELETE', `api-keys/${k.id}`); toast(`${k.name} revoked`); onRevoked(); } catch (e) { toast(e.message, 'error'); }
  } }, 'Revoke');
  return h('li', { class: 'user-row key-item', dataset: { key: k.id } },
    h('span', { class: 'row-main' },
      h('span', { class: 'row-title' }, k.name, expired ? h('span', { class: 'badge danger' }, 'expired') : null),
      h('span', { class: 'row-sub' }, h('code', { class: 'key-prefix' }, `${k.prefix}…`), ` · made ${formatTime(k.created_at)} · ${used} · ${expiry}`)),
    h('span', { class: 'row-end' }, h('span', { class: 'badge' }, k.role), revoke));
}

export function apiKeysPanel(ro) {
  const features = (state.tenant && state.tenant.features) || [];
  if (!features.includes('api_keys'))
    return h('div', { class: 'card' }, h('h2', null, 'API keys'),
      h('p', null, 'API keys let other software (a billing tool, a spreadsheet sync) work with this store. Your plan does not include them: ask for the Professional plan to use them.'));

  const listHolder = h('div', { class: 'key-list' }, spinner());
  const onceHolder = h('div');
  async function load() {
    try {
      const keys = (await api('GET', 'api-keys')).data;
      clear(listHolder).append(keys.length
        ? h('ul', { class: 'list card', 'aria-label': 'API keys' }, keys.map((k) => keyRow(k, ro, load)))
        : empty('No API keys yet.'));
    } catch (e) { clear(listHolder).append(errorBox(e, load)); }
  }

  let form = null;
  if (!ro) {
    const name = field({ label: 'Name', name: 'name', required: true, hint: 'What uses it, e.g. “Tally sync”', attrs: { maxlength: 100, autocomplete: 'off' } });
    const role = field({ label: 'Acts as', name: 'role', value: 'viewer', options: ROLES });
    const expires = field({ label: 'Expires on (optional)', name: 'expires_at', type: 'date', hint: 'It stops working at the end of that day.' });
    const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Make key');
    form = h('form', { class: 'card form', novalidate: true, 'aria-label': 'New API key' },
      h('h2', null, 'New API key'),
      h('p', { class: 'hint' }, 'A key acts in this store with its role. It can never manage users, API keys or the WhatsApp provider and its secrets.'),
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
  return h('div', { class: 'apikeys' }, onceHolder, form, h('h2', null, 'Keys in use'), listHolder);
}
