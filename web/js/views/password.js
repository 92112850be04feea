// Change password.  The server ends every other session (all refresh tokens,
// this browser's too); the access token in memory keeps working until it
// expires.  So after a change we sign in again with the new password, which
// gives this browser a fresh session; if that fails we say so and sign out.
import { api, getSession, login, logout } from '../api.js';
import { setTitle, state } from '../app.js';
import { h, field, formError, busy, showErrors } from '../dom.js';
import { t } from '../i18n.js';

const MIN = 8;

function nice(msg) {
  const m = String(msg || '').replace(/^password:\s*/, '');
  return m.charAt(0).toUpperCase() + m.slice(1);
}

export async function render({ root }) {
  setTitle(t('more.change_password'));
  const s = getSession();
  // A hidden username field lets password managers pair the new password
  // with the right account.
  const user = h('input', { type: 'email', name: 'username', autocomplete: 'username', value: s.user.email, hidden: true, readonly: true, tabindex: '-1', 'aria-hidden': 'true' });
  const current = field({ label: t('pw.current'), name: 'current_password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } });
  const next = field({ label: t('pw.new'), name: 'new_password', type: 'password', required: true, hint: t('pw.hint', { min: MIN }), attrs: { autocomplete: 'new-password', minlength: MIN, maxlength: 128 } });
  const again = field({ label: t('pw.again'), name: 'confirm', type: 'password', required: true, attrs: { autocomplete: 'new-password', maxlength: 128 } });
  const show = field({ label: t('pw.show'), name: 'show', type: 'checkbox' });
  show.input.addEventListener('change', () => {
    for (const w of [current, next, again]) w.input.type = show.input.checked ? 'text' : 'password';
  });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('more.change_password'));
  const done = h('div', { class: 'card done-box', role: 'status', tabindex: '-1', hidden: true });
  const form = h('form', { class: 'card form', id: 'password-form', novalidate: true },
    h('p', { class: 'muted' }, t('pw.intro', { email: s.user.email, store: state.tenant.name })),
    formError(), user, current, next, again, show, h('div', { class: 'actions' }, submit));

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const cur = current.input.value, nw = next.input.value, rep = again.input.value;
      const errs = {};
      if (!cur) errs.current_password = t('pw.enter_current');
      if ([...nw].length < MIN) errs.new_password = t('pw.min', { min: MIN });
      else if (nw === cur) errs.new_password = t('pw.differ');
      if (!errs.new_password && rep !== nw) errs.confirm = t('pw.nomatch');
      if (Object.keys(errs).length) { showErrors(form, { message: t('entry.correct_fields'), fields: errs }); return; }
      try {
        await api('POST', 'auth/password', { body: { current_password: cur, new_password: nw } });
      } catch (err) {
        const fields = {};
        for (const [k, v] of Object.entries(err.fields || {}))
          fields[k] = k === 'current_password' && err.code === 'invalid_credentials' ? t('pw.wrong') : nice(v);
        showErrors(form, { message: err.network ? t('pw.net') : err.message, fields });
        return;
      }
      // Changed.  Every refresh token is revoked; get this browser a new one.
      let again_ = false;
      try { await login(state.tenant.slug, s.user.email, nw); again_ = true; } catch { /* below */ }
      showErrors(form, null);
      form.hidden = true;
      if (again_) {
        done.replaceChildren(
          h('h2', null, t('pw.changed')),
          h('p', null, t('pw.still')),
          h('p', null, h('a', { href: '/', class: 'btn primary' }, t('common.back_dashboard'))));
      } else {
        const out = h('button', { type: 'button', class: 'btn primary', onclick: async () => { history.pushState(null, '', '/'); await logout(); } }, t('pw.sign_again'));
        done.replaceChildren(
          h('h2', null, t('pw.changed')),
          h('p', null, t('pw.out')),
          h('p', null, out));
      }
      done.hidden = false;
      done.focus();
    });
  });
  root.append(h('p', { class: 'crumbs' }, h('a', { href: '/more' }, t('pw.account'))), h('h1', null, t('more.change_password')), form, done);
}
