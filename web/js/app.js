// app.js — shared state for the store app: the discovered tenant, role
// checks, navigation.  Views import this; main.js fills it in.
import { getSession } from './api.js';
import { t } from './i18n.js';

export const state = { tenant: null };

const RANK = { viewer: 0, member: 1, admin: 2, owner: 3 };
export function role() { const s = getSession(); return s ? s.role : null; }
export function atLeast(r) { const me = role(); return me !== null && (RANK[me] ?? -1) >= RANK[r]; }
export function suspended() { return !!(state.tenant && state.tenant.status === 'suspended'); }
// May record purchases and payments, add customers.
export function canWrite() { return atLeast('member') && !suspended(); }
// May edit/archive customers, reverse, override, edit buildings, settings.
export function canAdmin() { return atLeast('admin') && !suspended(); }
export function isAdminReader() { return atLeast('admin'); }

let navigateImpl = (url) => { location.href = url; };
export function setNavigator(fn) { navigateImpl = fn; }
export function navigate(url, opts) { navigateImpl(url, opts); }

export function setTitle(title) {
  const store = state.tenant ? state.tenant.name : t('app.name');
  document.title = title ? `${title} · ${store}` : store;
}

// A role's name in the chosen language.
export function roleName(r) {
  const names = { owner: t('role.owner'), admin: t('role.admin'), member: t('role.member'), viewer: t('role.viewer') };
  return names[r] || r;
}

// An entry type's name in the chosen language (purchase → "Purchase" / "उधार").
export function entryTypeName(type) {
  const names = { purchase: t('entry.type_purchase'), payment: t('entry.type_payment'), adjustment: t('entry.type_adjustment'), reversal: t('entry.type_reversal') };
  return names[type] || type;
}
