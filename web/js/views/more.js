// "More" (account): the signed-in user, reports, password, admin screens, sign out.
import { getSession, api } from '../api.js';
import { signOut } from '../signout.js';
import { setTitle, isAdminReader, state, roleName } from '../app.js';
import { h, toast } from '../dom.js';
import { t, LANGUAGES, language, setLanguage, rememberLanguage } from '../i18n.js';

export async function render({ root }) {
  setTitle(t('more.title'));
  const s = getSession();
  root.append(
    h('h1', null, t('more.title')),
    h('section', { class: 'card' },
      h('p', null, h('strong', null, s.user.name || s.user.email)),
      h('p', { class: 'muted' }, t('more.role_at', { email: s.user.email, role: roleName(s.role), store: state.tenant.name }))),
    languageCard(s),
    h('ul', { class: 'list card menu' },
      h('li', null, h('a', { href: '/customers', class: 'row-link' }, t('more.all_customers'))),
      h('li', null, h('a', { href: '/outbox', class: 'row-link' }, t('more.outbox'))),
      h('li', null, h('a', { href: '/reports', class: 'row-link' }, t('more.reports'))),
      h('li', null, h('a', { href: '/reminders', class: 'row-link' }, t('more.reminders'))),
      h('li', null, h('a', { href: '/account/password', class: 'row-link' }, t('more.change_password'))),
      isAdminReader() ? [
        h('li', null, h('a', { href: '/users', class: 'row-link' }, t('more.users'))),
        h('li', null, h('a', { href: '/settings', class: 'row-link' }, t('more.settings'))),
        h('li', null, h('a', { href: '/audit', class: 'row-link' }, t('more.audit'))),
        h('li', null, h('a', { href: '/data', class: 'row-link' }, t('more.data'))),
      ] : null),
    h('button', { type: 'button', class: 'btn block', onclick: () => signOut() }, t('more.sign_out')),
    h('p', { class: 'muted' }, t('more.sign_out_note')));
}

// The user's language, kept on the server (PATCH auth/me) and on this device.
function languageCard(s) {
  const cur = language();
  const err = h('p', { class: 'field-error', role: 'alert', hidden: true });
  const buttons = LANGUAGES.map(([code, name]) => h('button', {
    type: 'button', lang: code,
    'aria-pressed': code === cur ? 'true' : 'false', dataset: { lang: code },
    onclick: async (e) => {
      if (code === language()) return;
      const btn = e.currentTarget;
      btn.disabled = true;
      try {
        await api('PATCH', 'auth/me', { body: { language: code } });
      } catch (x) {
        // A server without the route (404/405) keeps it on this device only.
        if (!(x.status === 404 || x.status === 405)) {
          btn.disabled = false;
          err.textContent = x.message;
          err.hidden = false;
          return;
        }
      }
      if (s.user) s.user.language = code;
      rememberLanguage(code);
      await setLanguage(code); // the shell and this screen are drawn again
      toast(t('more.language_saved'));
    },
  }, name));
  return h('section', { class: 'card lang-card' },
    h('h2', { id: 'lang-h' }, t('more.language')),
    h('div', { class: 'lang-switch', role: 'group', 'aria-labelledby': 'lang-h' }, buttons),
    err);
}
