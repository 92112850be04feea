// Apartments: towers → floors → units, with occupancy and what each unit owes.
import { api, apiAll } from '../api.js';
import { setTitle, isAdminReader, navigate } from '../app.js';
import { h, empty, field } from '../dom.js';
import { formatMoney } from '../money.js';
import { t } from '../i18n.js';

const pad = (n) => String(n).padStart(2, '0');
const occName = (o) => ({ owner: t('apt.owner'), tenant: t('apt.tenant'), vacant: t('apt.vacant_l'), unknown: t('apt.no_record_l') }[o] || o);

function goToFlat() {
  const f = field({ label: t('apt.go_flat'), name: 'number', attrs: { placeholder: t('apt.eg'), inputmode: 'numeric', maxlength: 5, pattern: '\\d{5}', autocomplete: 'off' } });
  const form = h('form', { class: 'inline-form card' }, f, h('button', { type: 'submit', class: 'btn' }, t('apt.open')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = f.input.value.trim();
    if (!/^\d{5}$/.test(v)) { f.setError(t('apt.five_digits')); f.input.focus(); return; }
    navigate(`/apartments/unit/${v}`);
  });
  return form;
}

async function layout() {
  if (!isAdminReader()) return null;
  try { return (await api('GET', 'settings')).building_layout; } catch { return null; }
}

export async function render({ root, params, query }) {
  if (params.tower) return renderTower(root, Number(params.tower), query.get('all') === '1');
  setTitle(t('nav.apartments'));
  const [records, customers, lay] = await Promise.all([apiAll('apartments'), apiAll('customers', { sort: 'apartment' }), layout()]);
  const towers = new Map();
  const get = (tw) => { if (!towers.has(tw)) towers.set(tw, { tower: tw, records: 0, occupied: 0, vacant: 0, residents: 0, owed: 0, owing: 0 }); return towers.get(tw); };
  if (lay && lay.towers) for (let tw = 1; tw <= lay.towers; tw++) get(tw);
  for (const r of records) { const tw = get(r.tower); tw.records++; if (r.occupancy === 'vacant') tw.vacant++; else tw.occupied++; }
  for (const c of customers) {
    if (!c.apartment) continue;
    const tw = get(c.tower);
    tw.residents++;
    if (c.balance_minor > 0) { tw.owed += c.balance_minor; tw.owing++; }
  }
  const all = [...towers.values()].sort((a, b) => a.tower - b.tower);
  const showAll = query.get('all') === '1';
  const list = all.filter((tw) => showAll || tw.records || tw.residents);
  const hiddenCount = all.length - list.length;
  root.append(
    h('h1', null, t('nav.apartments')),
    goToFlat(),
    hiddenCount || showAll ? h('p', { class: 'show-all' }, h('a', { href: showAll ? '/apartments' : '/apartments?all=1' }, showAll ? t('apt.only_towers') : t('apt.all_towers', { count: all.length }))) : null,
    list.length ? h('ul', { class: 'tiles towers' }, list.map((tw) => h('li', null,
      h('a', { href: `/apartments/${tw.tower}`, class: 'tile' + (tw.owed > 0 ? ' owes' : '') },
        h('span', { class: 'tile-title' }, t('reports.tower', { tower: pad(tw.tower) })),
        h('span', { class: 'tile-sub wrap' }, t('apt.occ_vacant', { occupied: tw.occupied, vacant: tw.vacant })),
        h('span', { class: 'tile-sub' }, t('dash.customers', { count: tw.residents })),
        h('span', { class: 'tile-amount' }, tw.owed > 0 ? t('apt.owed', { amount: formatMoney(tw.owed) }) : t('apt.nothing_owed')))))) : empty(t('apt.no_records')));
}

async function renderTower(root, tower, showAll) {
  setTitle(t('reports.tower', { tower: pad(tower) }));
  const [records, customers, lay] = await Promise.all([
    apiAll('apartments', { tower }), apiAll('customers', { tower, sort: 'apartment' }), layout()]);
  const units = new Map();
  const unit = (num) => {
    if (!units.has(num)) units.set(num, { number: num, floor: Number(num.slice(2, 4)), unit: Number(num.slice(4)), record: null, customers: [], owed: 0 });
    return units.get(num);
  };
  if (lay && lay.floors && lay.units)
    for (let f = 0; f <= lay.floors; f++) for (let u = 1; u <= lay.units; u++) if (f > 0 || records.some((r) => r.floor === 0)) unit(`${pad(tower)}${pad(f)}${u}`);
  for (const r of records) unit(r.number).record = r;
  for (const c of customers) if (c.apartment) { const u = unit(c.apartment); u.customers.push(c); u.owed += c.balance_minor; }
  const floors = new Map();
  for (const u of units.values()) { if (!floors.has(u.floor)) floors.set(u.floor, []); floors.get(u.floor).push(u); }
  const known = (list) => list.some((u) => u.record || u.customers.length);
  const fullLayout = [...floors.values()].some((list) => !known(list));
  const sorted = [...floors.entries()].filter(([, list]) => showAll || known(list)).sort((a, b) => b[0] - a[0]);
  let total = 0;
  for (const u of units.values()) total += Math.max(0, u.owed);
  root.append(
    h('p', { class: 'crumbs' }, h('a', { href: '/apartments' }, t('apt.all_towers_crumb'))),
    h('div', { class: 'page-head' }, h('h1', null, t('reports.tower', { tower: pad(tower) })), h('p', { class: 'muted' }, t('apt.owed', { amount: formatMoney(total) }))),
    h('p', { class: 'legend small muted' },
      h('span', { class: 'dot owner' }), ' ', t('apt.owner'), ' ', h('span', { class: 'dot tenant' }), ' ', t('apt.tenant'), ' ', h('span', { class: 'dot vacant' }), ' ', t('apt.vacant_l'), ' ', h('span', { class: 'dot unknown' }), ' ', t('apt.no_record_l')),
    fullLayout || showAll ? h('p', { class: 'show-all' }, h('a', { href: `/apartments/${tower}${showAll ? '' : '?all=1'}` }, showAll ? t('apt.only_floors') : t('apt.every_floor'))) : null,
    sorted.length ? sorted.map(([floor, list]) => h('section', { class: 'floor', 'aria-label': t('reports.floor_n', { floor }) },
      h('h2', { class: 'floor-h' }, t('reports.floor_n', { floor: pad(floor) })),
      h('ul', { class: 'tiles units' }, list.sort((a, b) => a.unit - b.unit).map((u) => {
        const occ = u.record ? u.record.occupancy : 'unknown';
        const who = u.record && u.record.occupant_name ? u.record.occupant_name : u.customers[0] ? u.customers[0].name : '';
        return h('li', null, h('a', { href: `/apartments/unit/${u.number}`, class: `tile unit occ-${occ}` + (u.owed > 0 ? ' owes' : ''), 'aria-label': [t('customer.flat', { flat: u.number }), occName(occ), who, u.owed > 0 ? t('apt.owed', { amount: formatMoney(u.owed) }) : t('charts.nothing_owed')].filter(Boolean).join(', ') },
          h('span', { class: 'tile-title' }, h('span', { class: 'dot ' + occ, 'aria-hidden': 'true' }), u.number),
          h('span', { class: 'tile-sub' }, who || (occ === 'vacant' ? t('apt.vacant') : '—')),
          h('span', { class: 'tile-amount' }, u.owed > 0 ? formatMoney(u.owed) : u.customers.length ? t('apt.paid_up') : '')));
      })))) : empty(t('apt.nothing_known')));
}
