// "More" (account): the signed-in user, reports, password, admin screens, sign out.
import { getSession } from '../api.js';
import { signOut } from '../signout.js';
import { setTitle, isAdminReader, state } from '../app.js';
import { h } from '../dom.js';

export async function render({ root }) {
  setTitle('More');
  const s = getSession();
  root.append(
    h('h1', null, 'More'),
    h('section', { class: 'card' },
      h('p', null, h('strong', null, s.user.name || s.user.email)),
      h('p', { class: 'muted' }, `${s.user.email} · ${s.role} at ${state.tenant.name}`)),
    h('ul', { class: 'list card menu' },
      h('li', null, h('a', { href: '/customers', class: 'row-link' }, 'All customers')),
      h('li', null, h('a', { href: '/outbox', class: 'row-link' }, 'Entries on this device')),
      h('li', null, h('a', { href: '/reports', class: 'row-link' }, 'Reports')),
      h('li', null, h('a', { href: '/reminders', class: 'row-link' }, 'Reminders')),
      h('li', null, h('a', { href: '/account/password', class: 'row-link' }, 'Change password')),
      isAdminReader() ? [
        h('li', null, h('a', { href: '/users', class: 'row-link' }, 'Users and roles')),
        h('li', null, h('a', { href: '/settings', class: 'row-link' }, 'Store settings')),
        h('li', null, h('a', { href: '/audit', class: 'row-link' }, 'Audit log')),
        h('li', null, h('a', { href: '/data', class: 'row-link' }, 'Import & export')),
      ] : null),
    h('button', { type: 'button', class: 'btn block', onclick: () => signOut() }, 'Sign out'),
    h('p', { class: 'muted' }, 'Signing out ends your sessions on every phone and computer, and deletes what this device kept for offline use.'));
}
