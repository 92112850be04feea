// Operator console at /platform: operator sign-in, stores with plan and
// status, create a store with its owner, change plan, suspend, delete.
import { operatorLogin, refresh, getSession, logout, api, onSessionChange } from '../api.js';
import { h, clear, field, formError, busy, showErrors, toast, confirmDialog, spinner, errorBox, empty } from '../dom.js';
import { formatTime, configureDates } from '../format.js';
import { t } from '../i18n.js';

let root;

export async function start(el) {
  root = el;
  document.title = t('op.doc_title');
  configureDates(navigator.language || 'en-IN', Intl.DateTimeFormat().resolvedOptions().timeZone);
  clear(root).append(spinner());
  let signedOut = false;
  try { signedOut = localStorage.getItem('qt_operator_signed_out') === '1'; } catch { /* storage off */ }
  try {
    if (!signedOut) await refresh('operator');
  } catch { /* show sign-in */ }
  onSessionChange((s) => { if (!s) signIn(); });
  if (getSession()) consoleView(); else signIn();
}

function signIn() {
  root.removeAttribute('aria-busy');
  const email = field({ label: t('op.email'), name: 'email', type: 'email', required: true, attrs: { autocomplete: 'username' } });
  const password = field({ label: t('auth.password'), name: 'password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } });
  const submit = h('button', { type: 'submit', class: 'btn primary block' }, t('auth.sign_in'));
  const form = h('form', { class: 'card auth', novalidate: true }, formError(), email, password, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      try { await operatorLogin(email.input.value.trim(), password.input.value); consoleView(); }
      catch (err) { showErrors(form, { message: err.code === 'invalid_credentials' ? t('auth.wrong') : err.message, fields: err.fields }); }
    });
  });
  clear(root).append(h('div', { class: 'centered' },
    h('div', { class: 'auth-head' }, h('img', { src: '/icons/icon.svg', alt: '', width: 56, height: 56 }), h('p', { class: 'muted' }, t('app.name')), h('h1', { class: 'store-name' }, t('op.console'))),
    form));
  email.input.focus();
}

async function consoleView() {
  const s = getSession();
  const main = h('main', { id: 'main', tabindex: '-1', class: 'platform' });
  clear(root).append(
    h('header', { class: 'appbar' },
      h('span', { class: 'brand' }, h('img', { src: '/icons/icon.svg', alt: '', width: 28, height: 28 }), h('span', null, t('op.console'))),
      h('span', { class: 'who' }, s.user.email),
      h('nav', { class: 'topnav always', 'aria-label': t('op.nav') }, h('button', { type: 'button', class: 'btn-link signout', onclick: () => logout() }, t('nav.sign_out')))),
    main);
  await load(main);
}

async function load(main) {
  clear(main).append(spinner());
  let tenants, plans;
  try {
    [tenants, plans] = await Promise.all([api('GET', '/api/v1/platform/tenants'), api('GET', '/api/v1/platform/plans')]);
  } catch (e) {
    clear(main).append(errorBox(e, () => load(main)));
    return;
  }
  const planNames = plans.data.map((p) => p.name);
  const reload = () => load(main);
  const rows = tenants.data.map((tn) => {
    const plan = h('select', { 'aria-label': t('op.plan_of', { name: tn.name }), class: 'plan-select' }, planNames.map((p) => h('option', { value: p, selected: p === tn.plan }, p)));
    plan.addEventListener('change', async () => {
      try { await api('PATCH', `/api/v1/platform/tenants/${tn.id}`, { body: { plan: plan.value } }); toast(t('op.now_on', { name: tn.name, plan: plan.value })); }
      catch (e) { toast(e.message, 'error'); plan.value = tn.plan; }
    });
    const suspended = tn.status === 'suspended';
    const toggle = h('button', { type: 'button', class: 'btn small', onclick: async () => {
      const next = suspended ? 'active' : 'suspended';
      if (!suspended && !(await confirmDialog(t('op.suspend_q', { name: tn.name }), t('op.suspend_body'), { confirmLabel: t('op.suspend'), danger: true }))) return;
      try { await api('PATCH', `/api/v1/platform/tenants/${tn.id}`, { body: { status: next } }); toast(suspended ? t('op.reactivated', { name: tn.name }) : t('op.suspended', { name: tn.name })); reload(); }
      catch (e) { toast(e.message, 'error'); }
    } }, suspended ? t('op.reactivate') : t('op.suspend'));
    const del = h('button', { type: 'button', class: 'btn small danger', disabled: !suspended, title: suspended ? null : t('op.suspend_first'), onclick: async () => {
      if (!(await confirmDialog(t('op.delete_q', { name: tn.name }), t('op.delete_body', { slug: tn.slug }), { confirmLabel: t('op.delete_store'), danger: true }))) return;
      try { await api('DELETE', `/api/v1/platform/tenants/${tn.id}`); toast(t('op.deleted', { name: tn.name })); reload(); } catch (e) { toast(e.message, 'error'); }
    } }, t('op.delete'));
    return h('tr', { dataset: { slug: tn.slug } },
      h('th', { scope: 'row' }, h('span', { class: 'block' }, tn.name), h('a', { href: `/?tenant=${encodeURIComponent(tn.slug)}`, class: 'small' }, tn.slug), tn.domain ? h('span', { class: 'muted small block' }, tn.domain) : null),
      h('td', null, plan),
      h('td', null, h('span', { class: 'badge ' + (suspended ? 'danger' : 'ok') }, suspended ? t('op.st_suspended') : t('op.st_active'))),
      h('td', { class: 'num' }, tn.usage ? `${tn.usage.customers} / ${tn.usage.users}` : '—'),
      h('td', null, formatTime(tn.created_at)),
      h('td', { class: 'row-actions' }, toggle, del));
  });

  const slug = field({ label: t('op.slug'), name: 'slug', required: true, hint: t('op.slug_hint'), attrs: { autocomplete: 'off', autocapitalize: 'none', maxlength: 63 } });
  const name = field({ label: t('settings.name'), name: 'name', required: true, attrs: { autocomplete: 'off', maxlength: 120 } });
  const plan = field({ label: t('op.plan'), name: 'plan', value: 'free', options: planNames });
  const domain = field({ label: t('op.domain'), name: 'domain', attrs: { autocomplete: 'off' } });
  const ownerEmail = field({ label: t('op.owner_email'), name: 'owner_email', type: 'email', required: true, attrs: { autocomplete: 'off' } });
  const ownerName = field({ label: t('op.owner_name'), name: 'owner_name', attrs: { autocomplete: 'off' } });
  const ownerPassword = field({ label: t('op.owner_password'), name: 'owner_password', type: 'password', required: true, hint: t('op.owner_hint'), attrs: { autocomplete: 'new-password' } });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, t('op.create'));
  const form = h('form', { class: 'card form', novalidate: true, id: 'create-store' }, h('h2', null, t('op.create_a')), formError(),
    h('div', { class: 'grid-2' }, slug, name, plan, domain, ownerEmail, ownerName, ownerPassword), h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const body = { slug: slug.input.value.trim(), name: name.input.value.trim(), plan: plan.input.value, owner_email: ownerEmail.input.value.trim() };
      if (domain.input.value.trim()) body.domain = domain.input.value.trim();
      if (ownerName.input.value.trim()) body.owner_name = ownerName.input.value.trim();
      if (ownerPassword.input.value) body.owner_password = ownerPassword.input.value;
      try { const tn = await api('POST', '/api/v1/platform/tenants', { body }); toast(t('op.created', { slug: tn.slug })); reload(); }
      catch (err) { showErrors(form, err); }
    });
  });
  clear(main).append(
    h('h1', null, t('op.stores')),
    tenants.data.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table stores' },
      h('caption', { class: 'sr-only' }, t('op.caption')),
      h('thead', null, h('tr', null, [t('op.col_store'), t('op.plan'), t('customers.status'), t('op.col_counts'), t('op.col_created'), t('op.col_actions')].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows))) : empty(t('op.none')),
    form);
}
