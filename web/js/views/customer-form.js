// Add or edit a customer; the API's validation errors appear next to the field.
import { api, newIdempotencyKey } from '../api.js';
import { setTitle, canWrite, canAdmin, atLeast, navigate } from '../app.js';
import { h, field, formError, busy, showErrors, toast } from '../dom.js';
import { parseAmount, minorToInput, currencyCode } from '../money.js';
import { t } from '../i18n.js';

export async function render({ root, params, query }) {
  const editing = !!params.id;
  const c = editing ? await api('GET', `customers/${params.id}`) : { apartment: query.get('apartment') || '' };
  if (editing ? !canAdmin() : !canWrite()) {
    root.append(h('h1', null, editing ? t('cform.edit_customer') : t('cform.add_customer')), h('p', null, t('common.role_cannot')));
    return;
  }
  setTitle(editing ? t('cform.edit_name', { name: c.name }) : t('cform.add_customer'));
  const name = field({ label: t('cform.name'), name: 'name', value: c.name, required: true, attrs: { autocomplete: 'off', maxlength: 120 } });
  const phone = field({ label: t('cform.phone'), name: 'phone', type: 'tel', value: c.phone, required: true, hint: t('cform.phone_hint'), attrs: { autocomplete: 'off', inputmode: 'tel' } });
  const apartment = field({ label: t('cform.flat'), name: 'apartment', value: c.apartment, hint: t('cform.flat_hint'), attrs: { inputmode: 'numeric', maxlength: 5, autocomplete: 'off' } });
  const email = field({ label: t('cform.email'), name: 'email', type: 'email', value: c.email, attrs: { autocomplete: 'off' } });
  const limit = atLeast('admin') ? field({ label: t('cform.limit', { currency: currencyCode() }), name: 'credit_limit', value: c.credit_limit_minor != null ? minorToInput(c.credit_limit_minor) : '', hint: t('cform.limit_hint'), attrs: { inputmode: 'decimal', autocomplete: 'off' } }) : null;
  const notes = field({ label: t('cform.notes'), name: 'notes', value: c.notes, textarea: true, attrs: { maxlength: 1000 } });
  const optout = field({ label: t('cform.optout'), name: 'reminders_opt_out', type: 'checkbox', value: c.reminders_opt_out });
  const submit = h('button', { type: 'submit', class: 'btn primary' }, editing ? t('cform.save') : t('cform.add_customer'));
  const cancel = h('a', { href: editing ? `/customers/${c.id}` : '/customers', class: 'btn' }, t('common.cancel'));
  const form = h('form', { class: 'card form', novalidate: true, id: 'customer-form' }, formError(), name, phone, apartment, email, limit, notes, optout, h('div', { class: 'actions' }, cancel, submit));
  let key = null, lastBody = null;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const body = {
        name: name.input.value.trim(), phone: phone.input.value.trim(),
        apartment: apartment.input.value.trim() || null, email: email.input.value.trim() || null,
        notes: notes.input.value, reminders_opt_out: optout.input.checked,
      };
      if (limit) {
        const text = limit.input.value.trim();
        if (!text) body.credit_limit_minor = null;
        else {
          const p = parseAmount(text, { allowZero: true });
          if (!p.ok) { showErrors(form, { message: p.error, fields: { credit_limit: p.error } }); return; }
          body.credit_limit_minor = p.minor;
        }
        if (!editing && body.credit_limit_minor === null) delete body.credit_limit_minor;
      }
      try {
        let out;
        if (editing) out = await api('PATCH', `customers/${c.id}`, { body });
        else {
          const text = JSON.stringify(body);
          if (text !== lastBody) { key = newIdempotencyKey(); lastBody = text; }
          out = await api('POST', 'customers', { body, headers: { 'Idempotency-Key': key } });
        }
        toast(editing ? t('cform.saved') : t('cform.added', { name: out.name }));
        navigate(`/customers/${out.id}`, { replace: !editing ? false : true });
      } catch (err) {
        showErrors(form, err, { credit_limit_minor: 'credit_limit' });
      }
    });
  });
  root.append(h('h1', null, editing ? t('cform.edit_name', { name: c.name }) : t('cform.add_customer')), form);
  name.input.focus();
}
