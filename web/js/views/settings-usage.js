// The plan and usage section of the settings screen: the store's plan and
// its features, a bar for each limit (active customers, storage, API
// requests per minute) and today's requests, and a plain upgrade message
// when a limit is near (80% or more) or reached.  The figures and their
// states are the server's (GET /usage); nothing is worked out here but
// the wording.
import { api } from '../api.js';
import { h, clear, spinner, errorBox } from '../dom.js';
import { storeLocale } from '../format.js';
import { t } from '../i18n.js';

const FEATURES = {
  get ledger() { return t('usage.ledger'); }, get link_reminders() { return t('usage.link_reminders'); }, get whatsapp_reminders() { return t('usage.whatsapp_reminders'); },
  get reports() { return t('usage.reports'); }, get csv_export() { return t('usage.csv_export'); }, get csv_import() { return t('usage.csv_import'); }, get realtime() { return t('usage.realtime'); },
  get documents() { return t('usage.documents'); }, get api_keys() { return t('usage.api_keys'); }, get multi_currency() { return t('usage.multi_currency'); }, get credit_lines() { return t('usage.credit_lines'); },
};

const count = (n) => new Intl.NumberFormat(storeLocale() || 'en-IN').format(n);

function bytes(n) {
  const units = [t('usage.bytes'), 'KB', 'MB', 'GB', 'TB'];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(storeLocale() || 'en-IN', { maximumFractionDigits: digits }).format(v)} ${units[i]}`;
}

const planName = (p) => p.charAt(0).toUpperCase() + p.slice(1);

// What each limit is called, how its figures read, and what reaching it means.
const limitsList = () => [
  { key: 'customers', label: t('usage.l_customers'), fmt: count,
    reached: t('usage.l_customers_reached'),
    near: t('usage.l_customers_near') },
  { key: 'storage_bytes', label: t('usage.l_storage'), fmt: bytes,
    reached: t('usage.l_storage_reached'),
    near: t('usage.l_storage_near') },
  { key: 'requests_per_min', label: t('usage.l_requests'), fmt: count, unit: t('usage.l_requests_unit'),
    reached: t('usage.l_requests_reached'),
    near: t('usage.l_requests_near') },
];

function meter(spec, figure) {
  const state = figure.state;
  const row = h('div', { class: `usage-row ${state}`, dataset: { limit: spec.key } });
  const used = spec.fmt(figure.used);
  const head = h('div', { class: 'usage-head' },
    h('span', { class: 'usage-label' }, spec.label),
    h('span', { class: 'usage-figure' }, figure.limit === null
      ? t('usage.no_limit', { used: spec.unit ? `${used} ${spec.unit}` : used })
      : `${t('usage.of', { used, limit: spec.fmt(figure.limit) })}${figure.percent !== null ? ` (${figure.percent}%)` : ''}`));
  row.append(head);
  if (figure.limit !== null) {
    const fill = h('span', { class: 'usage-fill' });
    fill.style.width = `${Math.min(figure.percent, 100)}%`;
    row.append(h('div', {
      class: 'usage-bar', role: 'meter', 'aria-label': spec.label,
      'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.min(figure.percent, 100),
      'aria-valuetext': t('usage.of', { used, limit: spec.fmt(figure.limit) }),
    }, fill));
  }
  if (state === 'near' || state === 'reached') {
    row.append(h('p', { class: 'usage-note' },
      h('strong', null, state === 'reached' ? t('usage.reached') : t('usage.near')), ' ',
      state === 'reached' ? spec.reached : spec.near));
  }
  return row;
}

function upgrade(u) {
  const rows = u.near_limits.map((k) => {
    const spec = limitsList().find((l) => l.key === k) || { label: k, fmt: count };
    const f = u.limits[k];
    return h('li', null, h('strong', null, `${spec.label}: `),
      `${t('usage.of', { used: spec.fmt(f.used), limit: spec.fmt(f.limit) })} — ${f.state === 'reached' ? t('usage.limit_reached') : t('usage.pct_used', { pct: f.percent })}`);
  });
  const reached = u.near_limits.some((k) => u.limits[k].state === 'reached');
  return h('div', { class: `upgrade ${reached ? 'reached' : 'near'}`, role: 'status' },
    h('h2', null, reached ? t('usage.time_upgrade') : t('usage.close')),
    h('ul', null, rows),
    h('p', null, t('usage.upgrade', { plan: planName(u.plan.name) })));
}

function render(u) {
  const plan = h('section', { class: 'card usage-plan', 'aria-labelledby': 'usage-plan-title' },
    h('h2', { id: 'usage-plan-title' }, t('usage.plan', { plan: planName(u.plan.name) })),
    h('ul', { class: 'usage-features', 'aria-label': t('usage.included') },
      u.plan.features.map((f) => h('li', { class: 'chip' }, FEATURES[f] || f))));
  const limits = h('section', { class: 'card usage-limits', 'aria-labelledby': 'usage-limits-title' },
    h('h2', { id: 'usage-limits-title' }, t('usage.uses')),
    limitsList().map((spec) => meter(spec, u.limits[spec.key])),
    h('p', { class: 'hint usage-today' }, t('usage.today', { n: count(u.usage.requests_today) })));
  return [u.upgrade_suggested ? upgrade(u) : null, plan, limits];
}

export function usagePanel() {
  const box = h('div', { class: 'usage' }, spinner(t('usage.loading')));
  const load = async () => {
    clear(box).append(spinner(t('usage.loading')));
    try {
      const u = await api('GET', 'usage');
      clear(box).append(...render(u).filter(Boolean));
    } catch (err) {
      clear(box).append(errorBox(err, load));
    }
  };
  load();
  return box;
}
