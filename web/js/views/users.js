// Users and roles: admins manage members and viewers; owners manage everyone.
import { api, getSession } from '../api.js';
import { setTitle, atLeast, suspended, navigate, roleName } from '../app.js';
import { h, field, formError, busy, showErrors, toast, confirmDialog } from '../dom.js';
import { formatTime } from '../format.js';
import { t } from '../i18n.js';

const rolesList = () => [['viewer', t('users.r_viewer')], ['member', t('users.r_member')], ['admin', t('users.r_admin')], ['owner', t('users.r_owner')]];
const RANK = { viewer: 0, member: 1, admin: 2, owner: 3 };

export async function render({ root }) {
  setTitle(t('nav.users'));
  if (!atLeast('admin')) { root.append(h('h1', null, t('nav.users')), h('p', null, t('users.admins_only'))); return; }
  const me = getSession();
  const users = (await api('GET', 'users')).data;
  const mayManage = (role) => !suspended() && (me.role === 'owner' || RANK[role] < RANK.admin);
  const assignable = rolesList().filter(([r]) => mayManage(r));
  const reload = () => navigate('/users', { replace: true });

  const rows = users.map((u) => {
    const self = u.id === me.user.id;
    const sel = mayManage(u.role) && !self ? h('select', { 'aria-label': t('users.role_of', { email: u.email }), class: 'role-select' }, assignable.map(([v, tw]) => h('option', { value: v, selected: v === u.role }, tw))) : null;
    if (sel) sel.addEventListener('change', async () => {
      try { await api('PATCH', `users/${u.id}`, { body: { role: sel.value } }); toast(t('users.now', { email: u.email, role: roleName(sel.value) })); }
      catch (e) { toast(e.message, 'error'); sel.value = u.role; }
    });
    const remove = mayManage(u.role) && !self ? h('button', { type: 'button', class: 'btn small', onclick: async () => {
      if (!(await confirmDialog(t('users.remove_q'), t('users.remove_body', { email: u.email }), { confirmLabel: t('users.remove'), danger: true }))) return;
      try { await api('DELETE', `users/${u.id}`); toast(t('users.removed', { email: u.email })); reload(); } catch (e) { toast(e.message, 'error'); }
    } }, t('users.remove')) : null;
    return h('li', { class: 'user-row' },
      h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, u.name || u.email, self ? h('span', { class: 'badge' }, t('users.you')) : null),
        h('span', { class: 'row-sub' }, t('users.since', { email: u.email, since: formatTime(u.created_at) }))),
      h('span', { class: 'row-end' }, sel || h('span', { class: 'badge' }, roleName(u.role)), remove));
  });

  let addForm = null;
  if (!suspended()) {
    const email = field({ label: t('auth.email'), name: 'email', type: 'email', required: true, attrs: { autocomplete: 'off' } });
    const name = field({ label: t('cform.name'), name: 'name', attrs: { autocomplete: 'off', maxlength: 120 } });
    const role = field({ label: t('users.role'), name: 'role', value: 'member', options: assignable });
    const password = field({ label: t('auth.password'), name: 'password', type: 'password', required: true, hint: t('users.pw_hint'), attrs: { autocomplete: 'new-password' } });
    const submit = h('button', { type: 'submit', class: 'btn primary' }, t('users.add'));
    addForm = h('form', { class: 'card form', novalidate: true }, h('h2', null, t('users.add_a')), formError(), email, name, role, password, h('div', { class: 'actions' }, submit));
    addForm.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(submit, async () => {
        const body = { email: email.input.value.trim(), role: role.input.value };
        if (name.input.value.trim()) body.name = name.input.value.trim();
        if (password.input.value) body.password = password.input.value;
        try { await api('POST', 'users', { body }); toast(t('cform.added', { name: body.email })); reload(); } catch (err) { showErrors(addForm, err); }
      });
    });
  }
  root.append(h('h1', null, t('more.users')), h('ul', { class: 'list card' }, rows), addForm);
}
