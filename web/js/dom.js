// dom.js — tiny view helpers: h() builds elements (text is always text, never
// HTML), form fields with labels and error slots, dialogs, toasts.
import { t } from './i18n.js';

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'value') el.value = v;
      else if (k === 'checked') el.checked = !!v;
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else if (c instanceof Node) el.append(c);
    else el.append(document.createTextNode(String(c)));
  }
}

export function clear(el) { while (el.firstChild) el.firstChild.remove(); return el; }

let uid = 0;
export function nextId(prefix = 'f') { uid += 1; return `${prefix}-${uid}`; }

// A labelled field.  Returns the wrapper; wrapper.input is the control.
export function field({ label, name, type = 'text', value = '', required = false, hint, options, attrs = {}, textarea = false }) {
  const id = nextId(name);
  const errId = id + '-err';
  const hintId = hint ? id + '-hint' : null;
  let input;
  const common = { id, name, required, 'aria-describedby': [hintId, errId].filter(Boolean).join(' '), ...attrs };
  if (options) {
    input = h('select', common, options.map((o) => {
      const [v, text] = Array.isArray(o) ? o : [o, o];
      return h('option', { value: v, selected: String(v) === String(value ?? '') }, text);
    }));
  } else if (textarea) {
    input = h('textarea', { ...common, rows: attrs.rows || 2 });
    input.value = value ?? '';
  } else if (type === 'checkbox') {
    input = h('input', { ...common, type, checked: !!value });
  } else {
    input = h('input', { ...common, type, value: value ?? '' });
  }
  const wrap = type === 'checkbox'
    ? h('div', { class: 'field field-check' }, input, h('label', { for: id }, label))
    : h('div', { class: 'field' }, h('label', { for: id }, label, required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null), input);
  if (hint) wrap.append(h('p', { class: 'hint', id: hintId }, hint));
  wrap.append(h('p', { class: 'field-error', id: errId, role: 'alert', hidden: true }));
  wrap.input = input;
  wrap.setError = (msg) => {
    const p = wrap.querySelector('.field-error');
    p.textContent = msg || '';
    p.hidden = !msg;
    if (msg) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  };
  wrap.dataset.field = name;
  // A corrected field drops its error as soon as it changes.
  input.addEventListener(options || type === 'checkbox' ? 'change' : 'input', () => { if (input.getAttribute('aria-invalid')) wrap.setError(''); });
  return wrap;
}

// Show an ApiError's field errors next to fields (by data-field), the rest in
// the form's banner.  fieldMap maps API field names to form field names.
export function showErrors(form, err, fieldMap = {}) {
  for (const w of form.querySelectorAll('.field')) if (w.setError) w.setError('');
  const banner = form.querySelector('.form-error');
  const fields = err && err.fields ? err.fields : {};
  let shown = 0, first = null;
  for (const [apiField, msg] of Object.entries(fields)) {
    const name = fieldMap[apiField] || apiField;
    const w = form.querySelector(`.field[data-field="${CSS.escape(name)}"]`);
    if (w && w.setError) {
      w.setError(msg);
      shown++;
      if (!first) first = w.input;
    }
  }
  if (banner) {
    const text = !err ? '' : shown ? (shown === Object.keys(fields).length ? t('form.correct_highlighted') : err.message) : err.message;
    banner.textContent = text;
    banner.hidden = !text;
  }
  if (first) first.focus();
  else if (banner && err) banner.focus();
}

export function formError() { return h('p', { class: 'form-error', role: 'alert', tabindex: '-1', hidden: true }); }

// Disable a submit button while fn runs.
export async function busy(button, fn) {
  if (button.disabled) return undefined;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try { return await fn(); } finally { button.disabled = false; button.removeAttribute('aria-busy'); }
}

let toastTimer;
export function toast(msg, kind = 'ok') {
  let box = document.getElementById('toast');
  if (!box) {
    box = h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(box);
  }
  box.textContent = msg;
  box.className = 'toast show ' + kind;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.className = 'toast'; }, 3500);
}

// A modal <dialog>; returns { dialog, close }.  Removed from the DOM on close.
export function modal(title, body, { onClose, wide = false } = {}) {
  const titleId = nextId('dlg');
  const closeBtn = h('button', { type: 'button', class: 'btn-icon', 'aria-label': t('common.close') }, '✕');
  const dialog = h('dialog', { class: 'sheet' + (wide ? ' wide' : ''), 'aria-labelledby': titleId },
    h('div', { class: 'sheet-head' }, h('h2', { id: titleId }, title), closeBtn),
    h('div', { class: 'sheet-body' }, body));
  const close = () => { if (dialog.open) dialog.close(); };
  closeBtn.addEventListener('click', close);
  dialog.addEventListener('close', () => { dialog.remove(); if (onClose) onClose(); });
  dialog.addEventListener('click', (e) => { if (e.target === dialog) close(); });
  document.body.append(dialog);
  dialog.showModal();
  return { dialog, close };
}

export function confirmDialog(title, message, { confirmLabel, danger = false } = {}) {
  if (!confirmLabel) confirmLabel = t('common.confirm');
  return new Promise((resolve) => {
    let result = false;
    const ok = h('button', { type: 'button', class: danger ? 'btn danger' : 'btn primary' }, confirmLabel);
    const cancel = h('button', { type: 'button', class: 'btn' }, t('common.cancel'));
    const m = modal(title, [h('p', null, message), h('div', { class: 'actions' }, cancel, ok)], { onClose: () => resolve(result) });
    ok.addEventListener('click', () => { result = true; m.close(); });
    cancel.addEventListener('click', () => m.close());
    cancel.focus();
  });
}

export function link(href, text, attrs = {}) { return h('a', { href, ...attrs }, text); }

export function empty(text) { return h('p', { class: 'empty' }, text); }

export function spinner(text) {
  if (!text) text = t('common.loading');
  return h('div', { class: 'loading', role: 'status' }, h('span', { class: 'spin', 'aria-hidden': 'true' }), text);
}

// Message with a retry button, for a failed load.
export function errorBox(err, retry) {
  return h('div', { class: 'error-box', role: 'alert' },
    h('p', null, err && err.network ? t('error.network') : t('error.something', { message: err ? err.message : t('error.unknown') })),
    retry ? h('button', { type: 'button', class: 'btn', onclick: retry }, t('common.retry')) : null);
}

export function debounce(fn, ms) {
  let timer;
  return (...a) => { clearTimeout(timer); timer = setTimeout(() => fn(...a), ms); };
}
