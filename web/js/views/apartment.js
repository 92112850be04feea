// One flat: its building record (admins edit; PATCH creates or updates) and
// the customers who live there with what they owe.
import { api, ApiError } from '../api.js';
import { setTitle, canAdmin, canWrite, navigate } from '../app.js';
import { h, field, formError, busy, showErrors, toast, empty } from '../dom.js';
import { formatMoney } from '../money.js';
import { apartmentLabel, formatTime } from '../format.js';
import { customerRow } from './search.js';
import { t } from '../i18n.js';

export async function render({ root, params }) {
  const number = params.number;
  let ap = null;
  try { ap = await api('GET', `apartments/${number}`); } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 404) throw e;
  }
  setTitle(t('customer.flat', { flat: number }));
  const rec = ap || { number, occupant_name: '', occupancy: 'vacant', notes: '', customers: [], balance_minor: 0 };
  const tower = number.slice(0, 2);
  let editor = null;
  if (canAdmin()) {
    const occupant = field({ label: t('apt.occupant_name'), name: 'occupant_name', value: rec.occupant_name, attrs: { maxlength: 120, autocomplete: 'off' } });
    const occupancy = field({ label: t('apt.occupancy'), name: 'occupancy', value: rec.occupancy, options: [['owner', t('apt.owner_lives')], ['tenant', t('apt.tenant_lives')], ['vacant', t('apt.vacant')]] });
    const notes = field({ label: t('cform.notes'), name: 'notes', value: rec.notes, textarea: true, attrs: { maxlength: 1000 } });
    const submit = h('button', { type: 'submit', class: 'btn primary' }, ap && ap.created_at ? t('apt.save_record') : t('apt.create_record'));
    editor = h('form', { class: 'card form', novalidate: true }, h('h2', null, t('apt.building_record')), formError(), occupant, occupancy, notes, h('div', { class: 'actions' }, submit));
    editor.addEventListener('submit', (e) => {
      e.preventDefault();
      busy(submit, async () => {
        try {
          await api('PATCH', `apartments/${number}`, { body: { occupant_name: occupant.input.value.trim(), occupancy: occupancy.input.value, notes: notes.input.value } });
          toast(t('apt.saved'));
          navigate(`/apartments/unit/${number}`, { replace: true });
        } catch (err) { showErrors(editor, err, { number: 'occupant_name' }); }
      });
    });
  }
  root.append(
    h('p', { class: 'crumbs' }, h('a', { href: `/apartments/${Number(tower)}` }, `← ${t('reports.tower', { tower })}`)),
    h('div', { class: 'page-head' }, h('div', null, h('h1', null, t('customer.flat', { flat: number })), h('p', { class: 'muted' }, apartmentLabel(number)))),
    h('section', { class: 'card' },
      h('dl', { class: 'kv grid' },
        h('div', null, h('dt', null, t('apt.occupancy')), h('dd', null, ap && ap.created_at ? ({ owner: t('apt.owner'), tenant: t('apt.tenant'), vacant: t('apt.vacant_l') }[rec.occupancy] || rec.occupancy) : t('apt.no_record'))),
        h('div', null, h('dt', null, t('apt.occupant')), h('dd', null, rec.occupant_name || '—')),
        h('div', null, h('dt', null, t('apt.owed_flat')), h('dd', { class: 'strong' }, formatMoney(rec.balance_minor || 0))),
        h('div', null, h('dt', null, t('apt.updated')), h('dd', null, ap && ap.updated_at ? formatTime(ap.updated_at) : '—'))),
      rec.notes ? h('p', { class: 'notes' }, rec.notes) : null),
    h('section', { 'aria-labelledby': 'residents' },
      h('div', { class: 'page-head' }, h('h2', { id: 'residents' }, t('apt.in_flat')),
        canWrite() ? h('a', { class: 'btn', href: `/customers/new?apartment=${number}` }, t('common.add_customer')) : null),
      rec.customers.length ? h('ul', { class: 'list card' }, rec.customers.map((c) => customerRow({ ...c, apartment: number }))) : empty(t('apt.none_live'))),
    editor);
}
