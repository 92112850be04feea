// The Supabase section of the settings screen (admins): the store's anon
// key and the address to give supabase-js, for apps written against the
// prototype (docs/SUPABASE.md).  The key names the store and grants
// nothing else: people still sign in for data.
import { api } from '../api.js';
import { h, clear, spinner, errorBox, toast } from '../dom.js';

async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    input.select();
    try { return document.execCommand('copy'); } catch { return false; }
  }
}

export function supabasePanel() {
  const box = h('div', { class: 'card supabase' }, spinner('Loading the anon key…'));
  const load = async () => {
    clear(box).append(spinner('Loading the anon key…'));
    try {
      const k = await api('GET', 'settings/anon-key');
      const url = location.origin;
      const keyInput = h('input', { type: 'text', readonly: true, value: k.anon_key, 'aria-label': 'Anon key', class: 'mono' });
      const copy = h('button', { type: 'button', class: 'btn' }, 'Copy key');
      copy.addEventListener('click', async () => toast(await copyText(k.anon_key, keyInput) ? 'Anon key copied' : 'Select the key and copy it'));
      clear(box).append(
        h('h2', null, 'Supabase clients'),
        h('p', null, 'Apps written with supabase-js can use this store: give them this address and anon key. The key only finds the store; people still sign in with their own email and password, and their role applies.'),
        h('label', null, 'URL', h('input', { type: 'text', readonly: true, value: url, 'aria-label': 'URL', class: 'mono' })),
        h('label', null, 'Anon key', keyInput), copy,
        h('pre', { class: 'mono' }, `createClient('${url}', '<anon key>')`));
    } catch (err) {
      clear(box).append(errorBox(err, load));
    }
  };
  load();
  return box;
}
