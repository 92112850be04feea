// The plan and usage section of the settings screen: the store's plan and
// its features, a bar for each limit (active customers, storage, API
// requests per minute) and today's requests, and a plain upgrade message
// when a limit is near (80% or more) or reached.  The figures and their
// states are the server's (GET /usage); nothing is worked out here but
// the wording.
import { api } from '../api.js';
import { h, clear, spinner, errorBox } from '../dom.js';
import { storeLocale } from '../format.js';

const FEATURES = {
  ledger: 'Credit ledger', link_reminders: 'WhatsApp link reminders', whatsapp_reminders: 'WhatsApp API reminders',
  reports: 'Reports', csv_export: 'CSV export', csv_import: 'CSV import', realtime: 'Live updates',
  documents: 'Documents', api_keys: 'API keys', multi_currency: 'Other currencies', credit_lines: 'Own credit limits',
};

const count = (n) => new Intl.NumberFormat(storeLocale() || 'en-IN').format(n);

function bytes(n) {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  const digits = i === 0 || v >= 100 ? 0 : 1;
  return `${new Intl.NumberFormat(storeLocale() || 'en-IN', { maximumFractionDigits: digits }).format(v)} ${units[i]}`;
}

const planName = (p) => p.charAt(0).toUpperCase() + p.slice(1);

// What each limit is called, how its figures read, and what reaching it means.
const LIMITS = [
  { key: 'customers', label: 'Active customers', fmt: count,
    reached: 'Existing customers and their accounts keep working, but no new customer can be added (or brought back from the archive).',
    near: 'New customers can still be added, but not many more.' },
  { key: 'storage_bytes', label: 'Storage', fmt: bytes,
    reached: 'What is stored stays, but nothing more can be uploaded.',
    near: 'Uploads still work, but the room is running out.' },
  { key: 'requests_per_min', label: 'API requests per minute', fmt: count, unit: 'in the last minute',
    reached: 'Requests above the rate are refused for a moment and work again shortly after.',
    near: 'The store is close to its request rate.' },
];

function meter(spec, figure) {
  const state = figure.state;
  const row = h('div', { class: `usage-row ${state}`, dataset: { limit: spec.key } });
  const used = spec.fmt(figure.used);
  const head = h('div', { class: 'usage-head' },
    h('span', { class: 'usage-label' }, spec.label),
    h('span', { class: 'usage-figure' }, figure.limit === null
      ? `${used}${spec.unit ? ` ${spec.unit}` : ''} · no limit`
      : `${used} of ${spec.fmt(figure.limit)}${figure.percent !== null ? ` (${figure.percent}%)` : ''}`));
  row.append(head);
  if (figure.limit !== null) {
    const fill = h('span', { class: 'usage-fill' });
    fill.style.width = `${Math.min(figure.percent, 100)}%`;
    row.append(h('div', {
      class: 'usage-bar', role: 'meter', 'aria-label': spec.label,
      'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': Math.min(figure.percent, 100),
      'aria-valuetext': `${used} of ${spec.fmt(figure.limit)}`,
    }, fill));
  }
  if (state === 'near' || state === 'reached') {
    row.append(h('p', { class: 'usage-note' },
      h('strong', null, state === 'reached' ? 'Limit reached. ' : 'Near the limit. '),
      state === 'reached' ? spec.reached : spec.near));
  }
  return row;
}

function upgrade(u) {
  const rows = u.near_limits.map((k) => {
    const spec = LIMITS.find((l) => l.key === k) || { label: k, fmt: count };
    const f = u.limits[k];
    return h('li', null, h('strong', null, `${spec.label}: `),
      `${spec.fmt(f.used)} of ${spec.fmt(f.limit)} — ${f.state === 'reached' ? 'limit reached' : `${f.percent}% used`}`);
  });
  const reached = u.near_limits.some((k) => u.limits[k].state === 'reached');
  return h('div', { class: `upgrade ${reached ? 'reached' : 'near'}`, role: 'status' },
    h('h2', null, reached ? 'Time to upgrade your plan' : 'Your store is close to its plan\'s limits'),
    h('ul', null, rows),
    h('p', null, `Upgrade from the ${planName(u.plan.name)} plan to a larger one to keep growing: ask your QuantumTrack provider to move this store. Nothing is lost in the meantime.`));
}

function render(u) {
  const plan = h('section', { class: 'card usage-plan', 'aria-labelledby': 'usage-plan-title' },
    h('h2', { id: 'usage-plan-title' }, `${planName(u.plan.name)} plan`),
    h('ul', { class: 'usage-features', 'aria-label': 'Included in the plan' },
      u.plan.features.map((f) => h('li', { class: 'chip' }, FEATURES[f] || f))));
  const limits = h('section', { class: 'card usage-limits', 'aria-labelledby': 'usage-limits-title' },
    h('h2', { id: 'usage-limits-title' }, 'What the store uses'),
    LIMITS.map((spec) => meter(spec, u.limits[spec.key])),
    h('p', { class: 'hint usage-today' }, `API requests today: ${count(u.usage.requests_today)} (days in UTC).`));
  return [u.upgrade_suggested ? upgrade(u) : null, plan, limits];
}

export function usagePanel() {
  const box = h('div', { class: 'usage' }, spinner('Loading the plan…'));
  const load = async () => {
    clear(box).append(spinner('Loading the plan…'));
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
