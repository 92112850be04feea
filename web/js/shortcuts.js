// shortcuts.js — keyboard shortcuts for the counter on a desktop:
//   /   find a customer (the dashboard's search; from elsewhere, goes there)
//   p   on a customer: Purchase on credit
//   r   on a customer: Payment received
//   Esc closes the open sheet (the <dialog> does it), or clears the search.
// Never while typing in a field, with a modifier held, or behind a sheet.
import { navigate } from './app.js';

let focusSearchNext = false;
// The dashboard asks whether it was opened by "/" (focus its search).
export function takeSearchFocus() { const v = focusSearchNext; focusSearchNext = false; return v; }

function typing(el) {
  if (!el || el === document.body) return false;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  return !['button', 'checkbox', 'radio', 'submit', 'reset'].includes(el.type);
}

function onKey(e) {
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  const dialog = document.querySelector('dialog[open]');
  const search = document.getElementById('search');
  if (e.key === 'Escape') {
    if (!dialog && search && document.activeElement === search && search.value) {
      search.value = '';
      search.dispatchEvent(new Event('input'));
    }
    return;
  }
  if (dialog || typing(document.activeElement)) return;
  if (e.key === '/') {
    e.preventDefault();
    const target = search || document.querySelector('#main input[type="search"]');
    if (target) { target.focus(); target.select(); return; }
    focusSearchNext = true;
    navigate('/');
    return;
  }
  const button = e.key === 'p' ? document.getElementById('btn-purchase') : e.key === 'r' ? document.getElementById('btn-payment') : null;
  if (button && !button.disabled) { e.preventDefault(); button.click(); }
}

let installed = false;
export function installShortcuts() {
  if (installed) return;
  installed = true;
  document.addEventListener('keydown', onKey);
}
