// Sign-in screen for a store: shows the store's name.
import { login, ApiError } from '../api.js';
import { state } from '../app.js';
import { h, field, formError, busy, showErrors } from '../dom.js';
import { t, LANGUAGES, language, setLanguage, rememberLanguage } from '../i18n.js';

export function render(root, { onSignedIn }) {
  const store = state.tenant;
  document.title = t('auth.title', { store: store.name });
  const email = field({ label: t('auth.email'), name: 'email', type: 'email', required: true, attrs: { autocomplete: 'username', inputmode: 'email' } });
  const password = field({ label: t('auth.password'), name: 'password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } });
  const submit = h('button', { type: 'submit', class: 'btn primary block' }, t('auth.sign_in'));
  const form = h('form', { class: 'card auth', novalidate: true }, formError(), email, password, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      if (!email.input.value.trim() || !password.input.value) {
        showErrors(form, { message: t('auth.enter_both'), fields: {
          ...(email.input.value.trim() ? {} : { email: t('auth.required') }), ...(password.input.value ? {} : { password: t('auth.required') }) } });
        return;
      }
      try {
        await login(store.slug, email.input.value.trim(), password.input.value);
        onSignedIn();
      } catch (err) {
        let msg = err.message;
        if (err instanceof ApiError && err.code === 'invalid_credentials') msg = t('auth.wrong');
        else if (err.code === 'too_many_attempts') msg = err.message.replace(/^./, (c) => c.toUpperCase());
        else if (err.network) msg = t('error.network');
        showErrors(form, { message: msg, fields: err.fields || {} });
      }
    });
  });
  root.append(h('div', { class: 'centered' },
    h('div', { class: 'auth-head' },
      h('img', { src: '/icons/icon.svg', alt: '', width: 56, height: 56 }),
      h('p', { class: 'muted' }, t('auth.sign_in_to')),
      h('h1', { class: 'store-name' }, store.name),
      languageSwitch(root, onSignedIn),
      store.status === 'suspended' ? h('p', { class: 'banner warn' }, t('auth.suspended')) : null),
    form,
    h('p', { class: 'muted small center' }, t('auth.tagline'))));
  email.input.focus();
}

// English | हिन्दी, kept on this device (localStorage) until the user signs in.
function languageSwitch(root, onSignedIn) {
  const cur = language();
  return h('div', { class: 'lang-switch', role: 'group', 'aria-label': t('auth.language') },
    LANGUAGES.map(([code, name]) => h('button', {
      type: 'button', lang: code, 'aria-pressed': code === cur ? 'true' : 'false',
      dataset: { lang: code },
      onclick: async () => {
        rememberLanguage(code);
        await setLanguage(code);
        while (root.firstChild) root.firstChild.remove();
        render(root, { onSignedIn });
      },
    }, name)));
}
