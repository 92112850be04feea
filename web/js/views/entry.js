// The entry sheet: Purchase on credit / Payment received, with an amount
// keypad.  One Idempotency-Key per submission, reused on retry, so a double
// tap or a retry after a lost response records once.  The entry is kept in
// this device's outbox (outbox.js) before it is sent: with no network, or
// no answer, it waits there as pending and is sent again with the same key.
import { api, newIdempotencyKey, ApiError } from '../api.js';
import { canAdmin } from '../app.js';
import { h, field, formError, busy, showErrors, modal, nextId, toast } from '../dom.js';
import { keepAndSend, outboxList, outboxRemove, occurredNow, pendingDelta } from '../outbox.js';
import { parseAmount, formatMoney, currencyCode, decimalSeparator, parseQuantityMilli, lineTotalMinor, currencyExponent } from '../money.js';
import { storeNow, storeLocalToDate, storeTimeZone, formatTime } from '../format.js';
import { dateField, timeField } from '../datefield.js';
import { receiptsMode, receiptOffer, remindersInPlan } from '../reminders.js';
import { t } from '../i18n.js';

const DAY_MS = 86400000;

// "When did it happen?": now unless changed.  Members may go back 7 days,
// admins further; never the future.  The date and time are the store's
// wall clock (its time zone), whatever zone this device is in.
export function whenControl() {
  const now = storeNow();
  const date = dateField({ label: t('entry.date'), name: 'occurred_at', value: now.ymd, required: true });
  const time = timeField({ label: t('entry.time'), name: 'occurred_time', value: now.hm });
  const fields = h('div', { class: 'when-fields', hidden: true }, h('div', { class: 'grid-2 when-grid' }, date, time),
    h('p', { class: 'hint' }, t('entry.store_time', { zone: storeTimeZone() }), ' ', canAdmin() ? t('entry.no_future') : t('entry.seven_days')));
  const summary = h('span', { class: 'when-now' }, t('entry.now'));
  const toggle = h('button', { type: 'button', class: 'btn small', 'aria-expanded': 'false', 'aria-controls': '' }, t('entry.change_when'));
  fields.id = nextId('when');
  toggle.setAttribute('aria-controls', fields.id);
  toggle.addEventListener('click', () => {
    const open = fields.hidden;
    fields.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? t('entry.use_now') : t('entry.change_when');
    summary.textContent = open ? t('entry.earlier') : t('entry.now');
    if (open) date.input.focus();
    else { date.setError(''); const n = storeNow(); date.set(n.ymd); time.input.value = n.hm; }
  });
  const wrap = h('div', { class: 'when' }, h('div', { class: 'when-row' }, h('span', { class: 'when-label' }, t('entry.when'), ' ', summary), toggle), fields);
  // → { ok, iso } with iso null for "now"; shows errors next to the date.
  wrap.read = () => {
    if (fields.hidden) return { ok: true, iso: null };
    const ymd = date.read();
    if (!ymd) return { ok: false };
    const m = /^(\d{1,2}):(\d{2})/.exec(time.input.value || '');
    if (!m) { time.setError(t('entry.enter_time')); return { ok: false }; }
    time.setError('');
    const at = storeLocalToDate(ymd, +m[1], +m[2]);
    const delta = Date.now() - at.getTime();
    if (delta < -60000) { date.setError(t('entry.future', { now: formatTime(new Date().toISOString()) })); return { ok: false }; }
    if (delta > 7 * DAY_MS && !canAdmin()) { date.setError(t('entry.too_old')); return { ok: false }; }
    return { ok: true, iso: at.toISOString() };
  };
  return wrap;
}

const methodsList = () => [['cash', t('entry.m_cash')], ['upi', t('entry.m_upi')], ['card', t('entry.m_card')], ['bank', t('entry.m_bank')], ['other', t('entry.m_other')]];

// draft: an outbox record to correct (after a refusal): the sheet opens
// with its amount, note and method, and saving replaces it.
export function openEntry(customer, type, { onDone, draft = null } = {}) {
  const purchase = type === 'purchase';
  const coarse = matchMedia('(pointer: coarse)').matches;
  const amountId = nextId('amount');
  const amount = h('input', { id: amountId, name: 'amount', class: 'amount-input', autocomplete: 'off', inputmode: coarse ? 'none' : 'decimal', required: true, 'aria-describedby': amountId + '-err', placeholder: '0' });
  const amountErr = h('p', { class: 'field-error', id: amountId + '-err', role: 'alert', hidden: true });
  const amountWrap = h('div', { class: 'field amount-field', dataset: { field: 'amount_minor' } },
    h('label', { for: amountId }, t('entry.amount', { currency: currencyCode() })), amount, amountErr);
  amountWrap.input = amount;
  amountWrap.setError = (m) => { amountErr.textContent = m || ''; amountErr.hidden = !m; if (m) amount.setAttribute('aria-invalid', 'true'); else amount.removeAttribute('aria-invalid'); };

  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', currencyExponent() > 0 ? decimalSeparator() : '00', '0', '⌫'];
  const keypad = h('div', { class: 'keypad', role: 'group', 'aria-label': t('entry.keypad') }, keys.map((k) =>
    h('button', { type: 'button', class: 'key', 'aria-label': k === '⌫' ? t('entry.key_delete') : k === decimalSeparator() ? t('entry.key_decimal') : k, onclick: () => {
      if (k === '⌫') amount.value = amount.value.slice(0, -1);
      else amount.value += k;
      amount.dispatchEvent(new Event('input'));
    } }, k)));

  // Balance and available credit now (the server's figure plus this
  // device's pending entries) and after this amount, as it is typed.
  const info = h('p', { class: 'entry-projection small', id: amountId + '-proj', role: 'status', 'aria-live': 'polite' });
  let pendingMinor = 0;
  const limit = customer.effective_credit_limit_minor;
  const limited = Number.isSafeInteger(limit);
  function project() {
    const p = parseAmount(amount.value);
    const bal = customer.balance_minor + pendingMinor;
    const add = p.ok ? (purchase ? p.minor : -p.minor) : 0;
    const after = bal + add;
    const avail = limited ? Math.max(0, limit - bal) : null;
    const parts = [h('span', { class: 'proj-balance' }, t('entry.proj_balance'), ' ', h('strong', null, formatMoney(bal)),
      p.ok ? [' → ', h('strong', { id: 'projected-balance' }, formatMoney(after))] : null)];
    if (limited) {
      const left = limit - after;
      parts.push(' · ', h('span', { class: 'proj-available' + (left < 0 ? ' danger-text' : '') }, t('entry.proj_available'), ' ',
        h('strong', null, formatMoney(avail)),
        p.ok ? [' → ', h('strong', { id: 'projected-available' }, formatMoney(Math.max(0, left)))] : null,
        left < 0 ? [' ', t('entry.proj_over', { amount: formatMoney(-left) })] : null));
    }
    if (pendingMinor) parts.push(' · ', h('span', { class: 'muted' }, t('entry.proj_includes_pending')));
    info.replaceChildren(...parts);
  }
  outboxList({ customerId: customer.id }).then((list) => { pendingMinor = pendingDelta(list.filter((r) => !draft || r.key !== draft.key)); project(); });

  let method = 'cash';
  const methodName = nextId('method');
  const methods = purchase ? null : h('fieldset', { class: 'segmented', dataset: { field: 'payment_method' } },
    h('legend', null, t('entry.paid_by')),
    methodsList().map(([v, name]) => {
      const id = nextId('pm');
      const r = h('input', { type: 'radio', name: methodName, id, value: v, checked: v === 'cash', onchange: () => { method = v; } });
      return h('span', { class: 'seg' }, r, h('label', { for: id }, name));
    }));
  const reference = purchase ? null : field({ label: t('entry.reference'), name: 'payment_reference', hint: t('entry.reference_hint'), attrs: { maxlength: 100, autocomplete: 'off' } });
  const note = field({ label: t('entry.note'), name: 'note', attrs: { maxlength: 500, autocomplete: 'off' } });
  const when = whenControl();

  // Optional line items for a purchase; their total becomes the amount.
  const itemRows = h('div', { class: 'items' });
  const itemsTotal = h('p', { class: 'muted small', role: 'status' });
  const itemsWrap = purchase ? h('details', { class: 'items-box', dataset: { field: 'items' } },
    h('summary', null, t('entry.items')), itemRows, itemsTotal,
    h('button', { type: 'button', class: 'btn small', onclick: () => addItem() }, t('entry.add_item')),
    h('p', { class: 'field-error', role: 'alert', hidden: true })) : null;
  if (itemsWrap) itemsWrap.setError = (m) => { const p = itemsWrap.querySelector(':scope > .field-error'); p.textContent = m || ''; p.hidden = !m; if (m) itemsWrap.open = true; };
  function addItem() {
    const n = itemRows.children.length + 1;
    const nm = field({ label: t('entry.item_n', { n }), name: `items[${n - 1}].name`, attrs: { maxlength: 120, autocomplete: 'off' } });
    const qty = field({ label: t('entry.qty'), name: `items[${n - 1}].quantity`, value: '1', attrs: { inputmode: 'decimal', autocomplete: 'off' } });
    const price = field({ label: t('entry.price'), name: `items[${n - 1}].unit_price_minor`, attrs: { inputmode: 'decimal', autocomplete: 'off' } });
    const row = h('div', { class: 'item-row' }, nm, qty, price);
    row.read = () => ({ name: nm.input.value.trim(), qty: qty.input.value.trim(), price: price.input.value.trim() });
    for (const w of [nm, qty, price]) w.input.addEventListener('input', syncItems);
    itemRows.append(row);
    nm.input.focus();
  }
  function readItems() {
    const out = [];
    let total = 0n, ok = true;
    for (const row of itemRows.children) {
      const r = row.read();
      if (!r.name && !r.price) continue;
      const milli = parseQuantityMilli(r.qty);
      const p = parseAmount(r.price, { allowZero: true });
      if (!r.name || milli === null || !p.ok) { ok = false; continue; }
      total += lineTotalMinor(milli, p.minor);
      out.push({ name: r.name, quantity: r.qty, unit_price_minor: p.minor });
    }
    return { items: out, total, ok };
  }
  function syncItems() {
    const { items, total, ok } = readItems();
    itemsTotal.textContent = items.length ? (ok ? t('entry.items_total', { total: formatMoney(total) }) : t('entry.items_total_incomplete', { total: formatMoney(total) })) : '';
    if (items.length && ok) { amount.value = minorText(total); amount.dispatchEvent(new Event('input')); }
  }
  function minorText(minor) {
    const e = currencyExponent();
    let s = minor.toString().padStart(e + 1, '0');
    if (e) s = s.slice(0, -e) + decimalSeparator() + s.slice(-e);
    return s;
  }

  // Over the limit: explanation, and for admins the override with a reason.
  const limitBox = h('div', { class: 'limit-box', role: 'alert', hidden: true });
  // Only admins and owners may override: for anyone else it does not exist.
  let overrideBox = null, overrideCheck = null, overrideReason = null;
  if (purchase && canAdmin()) {
    overrideCheck = field({ label: t('entry.override'), name: 'override', type: 'checkbox' });
    overrideReason = field({ label: t('entry.override_reason'), name: 'override_reason', required: true, textarea: true, attrs: { maxlength: 500 } });
    overrideBox = h('div', { class: 'override', hidden: true }, overrideCheck, overrideReason);
    overrideReason.hidden = true;
    overrideCheck.input.addEventListener('change', () => { overrideReason.hidden = !overrideCheck.input.checked; if (!overrideReason.hidden) overrideReason.input.focus(); });
  }

  const submit = h('button', { type: 'submit', class: 'btn primary block big ' + (purchase ? 'purchase' : 'payment') }, purchase ? t('entry.record_purchase') : t('entry.record_payment'));
  const updateLabel = () => {
    const p = parseAmount(amount.value);
    const sum = { amount: p.ok ? formatMoney(p.minor) : '' };
    if (purchase) submit.textContent = retrying ? (p.ok ? t('entry.retry_purchase_of', sum) : t('entry.retry_purchase'))
      : p.ok ? t('entry.record_purchase_of', sum) : t('entry.record_purchase');
    else submit.textContent = retrying ? (p.ok ? t('entry.retry_payment_of', sum) : t('entry.retry_payment'))
      : p.ok ? t('entry.record_payment_of', sum) : t('entry.record_payment');
  };
  amount.addEventListener('input', () => { amountWrap.setError(''); updateLabel(); project(); });

  const form = h('form', { class: 'entry-form', novalidate: true, dataset: { type } },
    info, amountWrap, keypad, methods, reference, note, itemsWrap, when, limitBox, overrideBox, formError(), submit);
  let key = null, lastBody = null, retrying = false, autoAt = null;
  // No receipt offer to a customer who said STOP (the server would refuse it).
  const receipts = remindersInPlan() && !customer.reminders_opt_out ? receiptsMode() : Promise.resolve('off');

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const p = parseAmount(amount.value);
      if (!p.ok) { showErrors(form, { message: p.error, fields: { amount_minor: p.error } }); amount.focus(); return; }
      const w = when.read();
      if (!w.ok) return;
      const body = { customer_id: customer.id, type, amount_minor: p.minor };
      if (w.iso) body.occurred_at = w.iso;
      if (note.input.value.trim()) body.note = note.input.value.trim();
      if (!purchase) {
        body.payment_method = method;
        if (reference.input.value.trim()) body.payment_reference = reference.input.value.trim();
      } else {
        const it = readItems();
        if (!it.ok) { showErrors(form, { message: t('entry.items_incomplete'), fields: { items: t('entry.item_row_incomplete') } }); return; }
        if (it.items.length) body.items = it.items;
        if (overrideBox && !overrideBox.hidden && overrideCheck.input.checked) {
          const reason = overrideReason.input.value.trim();
          if (!reason) { showErrors(form, { message: t('entry.override_needs_reason'), fields: { override_reason: t('auth.required') } }); return; }
          body.override = true;
          body.override_reason = reason;
        }
      }
      // "Now" is written into the entry when it is made, so one sent later
      // from the outbox keeps the time it happened (not the time it arrived).
      const text = JSON.stringify(body);
      if (text !== lastBody) { key = newIdempotencyKey(); lastBody = text; autoAt = draft ? draft.body.occurred_at : occurredNow(); }
      if (!body.occurred_at) body.occurred_at = autoAt;
      form.dataset.idempotencyKey = key;
      let rec = null, first = null;
      try {
        ({ rec, result: first } = await keepAndSend(customer, body, { key, replaces: draft && draft.key }));
      } catch (e) { console.warn('outbox:', e.message); }
      const kept = () => {
        m.close();
        toast(t(purchase ? 'entry.kept_purchase' : 'entry.kept_payment', { amount: formatMoney(body.amount_minor) }), 'warn');
        if (onDone) onDone(null, rec);
      };
      if (rec && !first) { kept(); return; }
      try {
        let entry;
        if (rec) {
          const r = first;
          if (!r.ok && (r.outcome !== 'refused' || !r.err)) { kept(); return; }
          if (!r.ok) {
            // Refused with the user here: they decide in the sheet.  An edit
            // of a refused entry stays in the outbox, refused, until then.
            if (!draft) await outboxRemove(rec.key).catch(() => {});
            throw r.err;
          }
          entry = r.entry;
        } else {
          entry = await api('POST', 'transactions', { body, headers: { 'Idempotency-Key': key } });
        }
        retrying = false;
        // Receipts on: the sheet stays open with the offer of a WhatsApp
        // receipt (the page behind already shows the new balance).
        const mode = await Promise.race([receipts, new Promise((res) => setTimeout(() => res('off'), 1500))]);
        if (mode === 'link') {
          if (onDone) onDone(entry);
          const offer = receiptOffer(entry, customer, { onDone: () => m.close() });
          form.replaceWith(offer);
          offer.focusFirst();
        } else {
          m.close();
          if (onDone) onDone(entry);
        }
      } catch (err) {
        if (err instanceof ApiError && err.code === 'credit_limit_exceeded') {
          showLimit(err.problem, p.minor);
          showErrors(form, null);
          amountWrap.setError(t('entry.over_limit'));
          return;
        }
        if (err.network || err.status >= 500 || err.code === 'idempotency_key_in_use') {
          retrying = true;
          updateLabel();
          showErrors(form, { message: t('entry.conn_failed') });
          return;
        }
        showErrors(form, err, { 'items': 'items' });
      }
    });
  });

  function showLimit(pb, attempted) {
    limitBox.replaceChildren(
      h('h3', null, t('entry.over_limit')),
      h('p', null, t('entry.limit_explain', { amount: formatMoney(attempted), name: customer.name, balance: formatMoney(pb.balance_minor + attempted), over: formatMoney(pb.shortfall_minor), limit: formatMoney(pb.credit_limit_minor) })),
      h('dl', { class: 'kv' },
        h('dt', null, t('entry.balance_now')), h('dd', null, formatMoney(pb.balance_minor)),
        h('dt', null, t('customer.credit_limit')), h('dd', null, formatMoney(pb.credit_limit_minor)),
        h('dt', null, t('customer.available')), h('dd', null, formatMoney(pb.available_credit_minor ?? Math.max(0, pb.credit_limit_minor - pb.balance_minor))),
        h('dt', null, t('entry.over_by')), h('dd', null, formatMoney(pb.shortfall_minor))),
      h('p', { class: 'muted small' }, canAdmin()
        ? t('entry.limit_admin')
        : t('entry.limit_member')));
    limitBox.hidden = false;
    if (overrideBox) overrideBox.hidden = false;
    limitBox.scrollIntoView({ block: 'nearest' });
  }

  if (draft) {
    const b = draft.body;
    amount.value = minorText(BigInt(b.amount_minor));
    if (b.note) note.input.value = b.note;
    if (!purchase) {
      method = b.payment_method || 'cash';
      for (const r of methods.querySelectorAll('input')) r.checked = r.value === method;
      if (b.payment_reference) reference.input.value = b.payment_reference;
    }
  }
  const m = modal(purchase ? t('entry.purchase_title', { name: customer.name }) : t('entry.payment_title', { name: customer.name }), form);
  updateLabel();
  project();
  if (!coarse) amount.focus(); else submit.focus();
  return m;
}

// Reverse an entry (admins), with a reason.
export function openReverse(entry, describe, { onDone } = {}) {
  const reason = field({ label: t('entry.reason'), name: 'reason', required: true, textarea: true, attrs: { maxlength: 500 } });
  const submit = h('button', { type: 'submit', class: 'btn danger block' }, t('entry.reverse_entry'));
  const form = h('form', { class: 'form', novalidate: true },
    h('p', null, t('entry.reverse_explain', { entry: describe })), reason, formError(), submit);
  let key = null, lastBody = null;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const r = reason.input.value.trim();
      if (!r) { showErrors(form, { message: t('entry.reason_required'), fields: { reason: t('auth.required') } }); return; }
      const body = { reason: r };
      const text = JSON.stringify(body);
      if (text !== lastBody) { key = newIdempotencyKey(); lastBody = text; }
      try {
        const out = await api('POST', `transactions/${entry.id}/reverse`, { body, headers: { 'Idempotency-Key': key } });
        m.close();
        if (onDone) onDone(out);
      } catch (err) { showErrors(form, err); }
    });
  });
  const m = modal(t('entry.reverse_entry'), form);
  reason.input.focus();
}

// Adjustment (admins and owners): a signed correction with a reason.  The
// direction is an explicit choice, never inferred from a minus sign.
export function openAdjustment(customer, { onDone } = {}) {
  const dirName = nextId('dir');
  let dir = null;
  const radio = (value, text, sub) => {
    const id = nextId('dir');
    const r = h('input', { type: 'radio', name: dirName, id, value, onchange: () => { dir = value; direction.setError(''); preview(); } });
    return h('span', { class: 'choice' }, r, h('label', { for: id }, h('strong', null, text), h('span', { class: 'choice-sub' }, sub)));
  };
  const direction = h('fieldset', { class: 'field choices', dataset: { field: 'direction' } },
    h('legend', null, t('entry.adjust_will'), h('span', { class: 'req', 'aria-hidden': 'true' }, ' *')),
    radio('increase', t('entry.increase'), t('entry.increase_eg')),
    radio('decrease', t('entry.decrease'), t('entry.decrease_eg')),
    h('p', { class: 'field-error', role: 'alert', hidden: true }));
  direction.setError = (m) => { const p = direction.querySelector('.field-error'); p.textContent = m || ''; p.hidden = !m; };
  direction.input = direction.querySelector('input');
  const amount = field({ label: t('entry.amount', { currency: currencyCode() }), name: 'amount_minor', required: true, attrs: { inputmode: 'decimal', autocomplete: 'off', class: 'amount-input small-amount' } });
  const reason = field({ label: t('entry.reason'), name: 'reason', required: true, textarea: true, hint: t('entry.reason_hint'), attrs: { maxlength: 500 } });
  const note = field({ label: t('entry.note'), name: 'note', attrs: { maxlength: 500, autocomplete: 'off' } });
  const when = whenControl();
  const effect = h('p', { class: 'adjust-effect', role: 'status' });
  const submit = h('button', { type: 'submit', class: 'btn primary block big' }, t('entry.record_adjustment'));
  function signed() {
    const p = parseAmount(amount.input.value);
    if (!p.ok || !dir) return null;
    return dir === 'increase' ? p.minor : -p.minor;
  }
  function preview() {
    const v = signed();
    effect.textContent = v === null ? t('entry.balance_is', { balance: formatMoney(customer.balance_minor) })
      : t('entry.balance_after', { balance: formatMoney(customer.balance_minor), after: formatMoney(customer.balance_minor + v) });
  }
  amount.input.addEventListener('input', () => { amount.setError(''); preview(); });
  preview();
  const form = h('form', { class: 'entry-form adjust-form', novalidate: true, dataset: { type: 'adjustment' } },
    direction, amount, effect, reason, note, when, formError(), submit);
  let key = null, lastBody = null;
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const errs = {};
      const p = parseAmount(amount.input.value);
      if (!dir) errs.direction = t('entry.choose_direction');
      if (!p.ok) errs.amount_minor = p.error;
      if (!reason.input.value.trim()) errs.reason = t('entry.reason_required2');
      const w = when.read();
      if (Object.keys(errs).length) {
        showErrors(form, { message: t('entry.correct_fields'), fields: errs });
        return;
      }
      if (!w.ok) return;
      const body = { customer_id: customer.id, type: 'adjustment', amount_minor: signed(), reason: reason.input.value.trim() };
      if (note.input.value.trim()) body.note = note.input.value.trim();
      if (w.iso) body.occurred_at = w.iso;
      const text = JSON.stringify(body);
      if (text !== lastBody) { key = newIdempotencyKey(); lastBody = text; }
      try {
        const entry = await api('POST', 'transactions', { body, headers: { 'Idempotency-Key': key } });
        m.close();
        if (onDone) onDone(entry);
      } catch (err) {
        if (err.network || err.status >= 500) {
          showErrors(form, { message: t('entry.conn_failed_adjust') });
          return;
        }
        showErrors(form, err);
      }
    });
  });
  const m = modal(t('entry.adjust_title', { name: customer.name }), form);
  direction.querySelector('input').focus();
  return m;
}
