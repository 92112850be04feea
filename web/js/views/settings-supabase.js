// The Supabase section of the settings screen (admins): the store's anon
// key and the address to give supabase-js, for apps written against the
// prototype (docs/SUPABASE.md).  The key names the store and grants
// nothing else: people still sign in for data.
import { api } from '../api.js';
import { h, clear, spinner, errorBox, toast, copyText } from '../dom.js';
import { t } from '../i18n.js';

export function supabasePanel() {
  const box = h('div', { class: 'card supabase' }, spinner(t('supabase.loading')));
  const load = async () => {
    clear(box).append(spinner(t('supabase.loading')));
    try {
      const k = await api('GET', 'settings/anon-key');
      const url = location.origin;
      const keyInput = h('input', { type: 'text', readonly: true, value: k.anon_key, 'aria-label': t('supabase.anon_key'), class: 'mono' });
      const copy = h('button', { type: 'button', class: 'btn' }, t('supabase.copy'));
      copy.addEventListener('click', async () => toast(await copyText(k.anon_key, keyInput) ? t('supabase.copied') : t('supabase.copy_failed')));
      clear(box).append(
        h('h2', null, t('supabase.title')),
        h('p', null, t('supabase.intro')),
        h('label', null, t('supabase.url'), h('input', { type: 'text', readonly: true, value: url, 'aria-label': t('supabase.url'), class: 'mono' })),
        h('label', null, t('supabase.anon_key'), keyInput), copy,
        h('pre', { class: 'mono' }, t('supabase.snippet', { url })));
    } catch (err) {
      clear(box).append(errorBox(err, load));
    }
  };
  load();
  return box;
}
