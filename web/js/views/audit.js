// Audit log with filters (entity, entity id, actor, dates), newest first.
import { api } from '../api.js';
import { setTitle, atLeast, navigate, roleName } from '../app.js';
import { h, field, empty, errorBox } from '../dom.js';
import { formatTime } from '../format.js';
import { t } from '../i18n.js';

export async function render({ root, query }) {
  setTitle(t('nav.audit'));
  if (!atLeast('admin')) { root.append(h('h1', null, t('nav.audit')), h('p', null, t('audit.admins_only'))); return; }
  const v = (k) => query.get(k) || '';
  const entity = field({ label: t('audit.what'), name: 'entity', value: v('entity'), options: [['', t('audit.everything')], ['customer', t('reports.customers')], ['transaction', t('audit.entries')], ['apartment', t('nav.apartments')], ['settings', t('nav.settings')], ['user', t('nav.users')], ['tenant', t('audit.store')]] });
  const entityId = field({ label: t('audit.record_id'), name: 'entity_id', value: v('entity_id'), attrs: { autocomplete: 'off' } });
  const actor = field({ label: t('audit.user_id'), name: 'actor', value: v('actor'), attrs: { autocomplete: 'off' } });
  const from = field({ label: t('reports.from'), name: 'from', type: 'date', value: v('from') });
  const to = field({ label: t('reports.to'), name: 'to', type: 'date', value: v('to') });
  const form = h('form', { class: 'card filters audit-filters' }, h('div', { class: 'grid-filters' }, entity, entityId, actor, from, to), h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'btn' }, t('customers.apply'))));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const f of [entity, entityId, actor, from, to]) if (f.input.value.trim()) p.set(f.input.name, f.input.value.trim());
    navigate('/audit' + (p.toString() ? '?' + p : ''), { replace: true });
  });
  const filters = { entity: v('entity'), entity_id: v('entity_id'), actor: v('actor'), from: v('from'), to: v('to') };
  const list = h('ol', { class: 'list card audit' });
  const more = h('button', { type: 'button', class: 'btn block', hidden: true }, t('common.show_more'));
  let cursor = null;
  const people = new Map();
  try { for (const u of (await api('GET', 'users')).data) people.set(u.id, u.email); } catch { /* ids only */ }
  async function load() {
    const page = await api('GET', 'audit', { query: { ...filters, limit: 50, cursor } });
    for (const r of page.data) {
      const snapshot = JSON.stringify({ before: r.before, after: r.after }, null, 1);
      list.append(h('li', { class: 'audit-row' },
        h('div', { class: 'row-main' },
          h('span', { class: 'row-title' }, r.action),
          h('span', { class: 'row-sub' }, `${formatTime(r.created_at)} · ${people.get(r.actor_id) || (r.actor_id ? '…' + r.actor_id.slice(-8) : t('audit.system'))} (${r.actor_role ? roleName(r.actor_role) : t('audit.system')}) · ${r.entity} ${r.entity_id ? r.entity_id.slice(-12) : ''}`),
          h('details', null, h('summary', null, t('audit.details')), h('pre', { class: 'json' }, snapshot)))));
    }
    cursor = page.next_cursor;
    more.hidden = !cursor;
    if (!list.children.length) list.replaceWith(empty(t('audit.none')));
  }
  more.addEventListener('click', async () => { more.disabled = true; try { await load(); } catch (e) { more.after(errorBox(e)); } more.disabled = false; });
  await load();
  root.append(h('h1', null, t('nav.audit')), form, list, more);
}
