// Users and roles: admins manage members and viewers; owners manage everyone.
import { api, getSession } from '../api.js';
import { setTitle, atLeast, suspended, navigate } from '../app.js';
import { h, field, formError, busy, showErrors, toast, confirmDialog } from '../dom.js';
import { formatTime } from '../format.js';

const ROLES = [['viewer', 'Viewer (read only)'], ['member', 'Member (sales and payments)'], ['admin', 'Admin'], ['owner', 'Owner']];
const RANK = { viewer: 0, member: 1, admin: 2, owner: 3 };

export async function render({ root }) {
  setTitle('Users');
  if (!atLeast('admin')) { root.append(h('h1', null, 'Users'), h('p', null, 'Only admins manage users.')); return; }
  const me = getSession();
  const users = (await api('GET', 'users')).data;
  const mayManage = (role) => !suspended() && (me.role === 'owner' || RANK[role] < RANK.admin);
  const assignable = ROLES.filter(([r]) => mayManage(r));
  const reload = () => navigate('/users', { replace: true });

  const rows = users.map((u) => {
    const self = u.id === me.user.id;
    const sel = mayManage(u.role) && !self ? h('select', { 'aria-label': `Role of ${u.email}`, class: 'role-select' }, assignable.map(([v, t]) => h('option', { value: v, selected: v === u.role }, t))) : null;
    if (sel) sel.addEventListener('change', async () => {
      try { await api('PATCH', `users/${u.id}`, { body: { role: sel.value } }); toast(`${u.email} is now ${sel.value}`); }
      catch (e) { toast(e.message, 'error'); sel.value = u.role; }
    });
    const remove = mayManage(u.role) && !self ? h('button', { type: 'button', class: 'btn small', onclick: async () => {
      if (!(await confirmDialog('Remove user?', `${u.email} will lose access to this store at once.`, { confirmLabel: 'Remove', danger: true }))) return;
      try { await api('DELETE', `users/${u.id}`); toast(`${u.email} removed`); reload(); } catch (e) { toast(e.message, 'error'); }
    } }, 'Remove') : null;
    return h('li', { class: 'user-row' },
      h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, u.name || u.email, self ? h('span', { class: 'badge' }, 'you') : null),
        h('span', { class: 'row-sub' }, `${u.email} · since ${formatTime(u.created_at)}`)),
      h('span', { class: 'row-end' }, sel || h('span', { class: 'badge' }, u.role), remove));
  });

  let addForm = null;
  if (!suspended()) {
    const email = field({ label: 'Email', name: 'email', type: 'email', required: true, attrs: { autocomplete: 'off' } });
    const name = field({ label: 'Name', name: 'name', attrs: { autocomplete: 'off', maxlength: 120 } });
    const role = field({ label: 'Role', name: 'role', value: 'member', options: assignable });
    const password = field({ label: 'Password', name: 'password', type: 'password', required: true, hint: 'At least 8 characters. This account is for this store only: tell the person their password; they can change it under More.', attrs: { autocomplete: 'new-password' } });
    const submit = h('button', { type: 'submit', class: 'btn primary' }, 'Add user');
    addForm = h('form', { class: 'card form', novalidate: true }, h('h2', null, 'Add a user'), formError(), email, name, role, password, h('div', { class: 'actions' }, submit));
    addForm.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(submit, async () => {
        const body = { email: email.input.value.trim(), role: role.input.value };
        if (name.input.value.trim()) body.name = name.input.value.trim();
        if (password.input.value) body.password = password.input.value;
        try { await api('POST', 'users', { body }); toast(`${body.email} added`); reload(); } catch (err) { showErrors(addForm, err); }
      });
    });
  }
  root.append(h('h1', null, 'Users and roles'), h('ul', { class: 'list card' }, rows), addForm);
}
