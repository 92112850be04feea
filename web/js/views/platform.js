// Operator console at /platform: operator sign-in, stores with plan and
// status, create a store with its owner, change plan, suspend, delete.
import { operatorLogin, refresh, getSession, logout, api, onSessionChange } from '../api.js';
import { h, clear, field, formError, busy, showErrors, toast, confirmDialog, spinner, errorBox, empty } from '../dom.js';
import { formatTime, configureDates } from '../format.js';

let root;

export async function start(el) {
  root = el;
  document.title = 'Operator console · QuantumTrack';
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
  const email = field({ label: 'Operator email', name: 'email', type: 'email', required: true, attrs: { autocomplete: 'username' } });
  const password = field({ label: 'Password', name: 'password', type: 'password', required: true, attrs: { autocomplete: 'current-password' } });
  const submit = h('button', { type: 'submit', class: 'btn primary block' }, 'Sign in');
  const form = h('form', { class: 'card auth', novalidate: true }, formError(), email, password, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      try { await operatorLogin(email.input.value.trim(), password.input.value); consoleView(); }
      catch (err) { showErrors(form, { message: err.code === 'invalid_credentials' ? 'Email or password is wrong.' : err.message, fields: err.fields }); }
    });
  });
  clear(root).append(h('div', { class: 'centered' },
    h('div', { class: 'auth-head' }, h('img', { src: '/icons/icon.svg', alt: '', width: 56, height: 56 }), h('p', { class: 'muted' }, 'QuantumTrack'), h('h1', { class: 'store-name' }, 'Operator console')),
    form));
  email.input.focus();
}

async function consoleView() {
  const s = getSession();
  const main = h('main', { id: 'main', tabindex: '-1', class: 'platform' });
  clear(root).append(
    h('header', { class: 'appbar' },
      h('span', { class: 'brand' }, h('img', { src: '/icons/icon.svg', alt: '', width: 28, height: 28 }), h('span', null, 'Operator console')),
      h('span', { class: 'who' }, s.user.email),
      h('nav', { class: 'topnav always', 'aria-label': 'Operator' }, h('button', { type: 'button', class: 'btn-link signout', onclick: () => logout() }, 'Sign out'))),
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
  const rows = tenants.data.map((t) => {
    const plan = h('select', { 'aria-label': `Plan of ${t.name}`, class: 'plan-select' }, planNames.map((p) => h('option', { value: p, selected: p === t.plan }, p)));
    plan.addEventListener('change', async () => {
      try { await api('PATCH', `/api/v1/platform/tenants/${t.id}`, { body: { plan: plan.value } }); toast(`${t.name} is now on ${plan.value}`); }
      catch (e) { toast(e.message, 'error'); plan.value = t.plan; }
    });
    const suspended = t.status === 'suspended';
    const toggle = h('button', { type: 'button', class: 'btn small', onclick: async () => {
      const next = suspended ? 'active' : 'suspended';
      if (!suspended && !(await confirmDialog(`Suspend ${t.name}?`, 'Its users can still sign in and read, but cannot record anything.', { confirmLabel: 'Suspend', danger: true }))) return;
      try { await api('PATCH', `/api/v1/platform/tenants/${t.id}`, { body: { status: next } }); toast(`${t.name} ${suspended ? 'reactivated' : 'suspended'}`); reload(); }
      catch (e) { toast(e.message, 'error'); }
    } }, suspended ? 'Reactivate' : 'Suspend');
    const del = h('button', { type: 'button', class: 'btn small danger', disabled: !suspended, title: suspended ? null : 'Suspend the store first', onclick: async () => {
      if (!(await confirmDialog(`Delete ${t.name}?`, `This deletes the store “${t.slug}” and all its data. It cannot be undone.`, { confirmLabel: 'Delete store', danger: true }))) return;
      try { await api('DELETE', `/api/v1/platform/tenants/${t.id}`); toast(`${t.name} deleted`); reload(); } catch (e) { toast(e.message, 'error'); }
    } }, 'Delete');
    return h('tr', { dataset: { slug: t.slug } },
      h('th', { scope: 'row' }, h('span', { class: 'block' }, t.name), h('a', { href: `/?tenant=${encodeURIComponent(t.slug)}`, class: 'small' }, t.slug), t.domain ? h('span', { class: 'muted small block' }, t.domain) : null),
      h('td', null, plan),
      h('td', null, h('span', { class: 'badge ' + (suspended ? 'danger' : 'ok') }, t.status)),
      h('td', { class: 'num' }, t.usage ? `${t.usage.customers} / ${t.usage.users}` : '—'),
      h('td', null, formatTime(t.created_at)),
      h('td', { class: 'row-actions' }, toggle, del));
  });

  const slug = field({ label: 'Store code (slug)', name: 'slug', required: true, hint: 'Lowercase letters, digits, dashes: used in ?tenant=', attrs: { autocomplete: 'off', autocapitalize: 'none', maxlength: 63 } });
  const name = field({ label: 'Store name', name: 'name', required: true, attrs: { autocomplete: 'off', maxlength: 120 } });
  const plan = field({ label: 'Plan', name: 'plan', value: 'free', options: planNames });
  const domain = field({ label: 'Custom domain (optional)', name: 'domain', attrs: { autocomplete: 'off' } });
  const ownerEmail = field({ label: 'Owner email', name: 'owner_email', type: 'email', required: true, attrs: { autocomplete: 'off' } });
  const ownerName = field({ label: 'Owner name', name: 'owner_name', attrs: { autocomplete: 'off' } });
  const ownerPassword = field({ label: 'Owner password', name: 'owner_password', type: 'password', required: true, hint: 'A new account for this store only, even if the email is used in another store', attrs: { autocomplete: 'new-password' } });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Create store');
  const form = h('form', { class: 'card form', novalidate: true, id: 'create-store' }, h('h2', null, 'Create a store'), formError(),
    h('div', { class: 'grid-2' }, slug, name, plan, domain, ownerEmail, ownerName, ownerPassword), h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const body = { slug: slug.input.value.trim(), name: name.input.value.trim(), plan: plan.input.value, owner_email: ownerEmail.input.value.trim() };
      if (domain.input.value.trim()) body.domain = domain.input.value.trim();
      if (ownerName.input.value.trim()) body.owner_name = ownerName.input.value.trim();
      if (ownerPassword.input.value) body.owner_password = ownerPassword.input.value;
      try { const t = await api('POST', '/api/v1/platform/tenants', { body }); toast(`Store ${t.slug} created`); reload(); }
      catch (err) { showErrors(form, err); }
    });
  });
  clear(main).append(
    h('h1', null, 'Stores'),
    tenants.data.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'table stores' },
      h('caption', { class: 'sr-only' }, 'Stores with plan and status'),
      h('thead', null, h('tr', null, ['Store', 'Plan', 'Status', 'Customers / users', 'Created', 'Actions'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows))) : empty('No stores yet.'),
    form);
}
