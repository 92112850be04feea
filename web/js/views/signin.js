// Sign-in screen for a store: shows the store's name.
import { login, ApiError } from '../api.js';
import { state } from '../app.js';
import { h, field, formError, busy, showErrors } from '../dom.js';

export function render(root, { onSignedIn }) {
  const t = state.tenant;
  document.title = `Sign in · ${t.name}`;
  const email = field({ label: 'Email', name: 'email', type: 'email', required: true, attrs: { autocomplete: 'username', inputmode: 'email' } });
  const password = field({ label: 'Password', name: 'password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } });
  const submit = h('button', { type: 'submit', class: 'btn primary block' }, 'Sign in');
  const form = h('form', { class: 'card auth', novalidate: true }, formError(), email, password, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      if (!email.input.value.trim() || !password.input.value) {
        showErrors(form, { message: 'Enter your email and password.', fields: {
          ...(email.input.value.trim() ? {} : { email: 'is required' }), ...(password.input.value ? {} : { password: 'is required' }) } });
        return;
      }
      try {
        await login(t.slug, email.input.value.trim(), password.input.value);
        onSignedIn();
      } catch (err) {
        let msg = err.message;
        if (err instanceof ApiError && err.code === 'invalid_credentials') msg = 'Email or password is wrong.';
        else if (err.code === 'too_many_attempts') msg = err.message.replace(/^./, (c) => c.toUpperCase());
        else if (err.network) msg = 'Could not reach the server. Check the connection and try again.';
        showErrors(form, { message: msg, fields: err.fields || {} });
      }
    });
  });
  root.append(h('div', { class: 'centered' },
    h('div', { class: 'auth-head' },
      h('img', { src: '/icons/icon.svg', alt: '', width: 56, height: 56 }),
      h('p', { class: 'muted' }, 'Sign in to'),
      h('h1', { class: 'store-name' }, t.name),
      t.status === 'suspended' ? h('p', { class: 'banner warn' }, 'This store is suspended: you can sign in and read, but not make changes.') : null),
    form,
    h('p', { class: 'muted small center' }, 'QuantumTrack · credit ledger for building stores')));
  email.input.focus();
}
