// Apartments: towers → floors → units, with occupancy and what each unit owes.
import { api, apiAll } from '../api.js';
import { setTitle, isAdminReader, navigate } from '../app.js';
import { h, empty, field } from '../dom.js';
import { formatMoney } from '../money.js';

const pad = (n) => String(n).padStart(2, '0');

function goToFlat() {
  const f = field({ label: 'Go to flat (5 digits)', name: 'number', attrs: { placeholder: 'e.g. 36194', inputmode: 'numeric', maxlength: 5, pattern: '\\d{5}', autocomplete: 'off' } });
  const form = h('form', { class: 'inline-form card' }, f, h('button', { type: 'submit', class: 'btn' }, 'Open'));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const v = f.input.value.trim();
    if (!/^\d{5}$/.test(v)) { f.setError('Enter 5 digits: tower, floor, unit'); f.input.focus(); return; }
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
  setTitle('Apartments');
  const [records, customers, lay] = await Promise.all([apiAll('apartments'), apiAll('customers', { sort: 'apartment' }), layout()]);
  const towers = new Map();
  const get = (t) => { if (!towers.has(t)) towers.set(t, { tower: t, records: 0, occupied: 0, vacant: 0, residents: 0, owed: 0, owing: 0 }); return towers.get(t); };
  if (lay && lay.towers) for (let t = 1; t <= lay.towers; t++) get(t);
  for (const r of records) { const t = get(r.tower); t.records++; if (r.occupancy === 'vacant') t.vacant++; else t.occupied++; }
  for (const c of customers) {
    if (!c.apartment) continue;
    const t = get(c.tower);
    t.residents++;
    if (c.balance_minor > 0) { t.owed += c.balance_minor; t.owing++; }
  }
  const all = [...towers.values()].sort((a, b) => a.tower - b.tower);
  const showAll = query.get('all') === '1';
  const list = all.filter((t) => showAll || t.records || t.residents);
  const hiddenCount = all.length - list.length;
  root.append(
    h('h1', null, 'Apartments'),
    goToFlat(),
    hiddenCount || showAll ? h('p', { class: 'show-all' }, h('a', { href: showAll ? '/apartments' : '/apartments?all=1' }, showAll ? 'Show only towers with records or customers' : `Show all ${all.length} towers of the building layout`)) : null,
    list.length ? h('ul', { class: 'tiles towers' }, list.map((t) => h('li', null,
      h('a', { href: `/apartments/${t.tower}`, class: 'tile' + (t.owed > 0 ? ' owes' : '') },
        h('span', { class: 'tile-title' }, `Tower ${pad(t.tower)}`),
        h('span', { class: 'tile-sub wrap' }, `${t.occupied} occupied, ${t.vacant} vacant`),
        h('span', { class: 'tile-sub' }, `${t.residents} customer${t.residents === 1 ? '' : 's'}`),
        h('span', { class: 'tile-amount' }, t.owed > 0 ? `${formatMoney(t.owed)} owed` : 'Nothing owed'))))) : empty('No building records or customers with a flat yet.'));
}

async function renderTower(root, tower, showAll) {
  setTitle(`Tower ${pad(tower)}`);
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
    h('p', { class: 'crumbs' }, h('a', { href: '/apartments' }, '← All towers')),
    h('div', { class: 'page-head' }, h('h1', null, `Tower ${pad(tower)}`), h('p', { class: 'muted' }, `${formatMoney(total)} owed`)),
    h('p', { class: 'legend small muted' },
      h('span', { class: 'dot owner' }), ' owner ', h('span', { class: 'dot tenant' }), ' tenant ', h('span', { class: 'dot vacant' }), ' vacant ', h('span', { class: 'dot unknown' }), ' no record'),
    fullLayout || showAll ? h('p', { class: 'show-all' }, h('a', { href: `/apartments/${tower}${showAll ? '' : '?all=1'}` }, showAll ? 'Show only floors with records or customers' : 'Show every floor and unit of the building layout')) : null,
    sorted.length ? sorted.map(([floor, list]) => h('section', { class: 'floor', 'aria-label': `Floor ${floor}` },
      h('h2', { class: 'floor-h' }, `Floor ${pad(floor)}`),
      h('ul', { class: 'tiles units' }, list.sort((a, b) => a.unit - b.unit).map((u) => {
        const occ = u.record ? u.record.occupancy : 'unknown';
        const who = u.record && u.record.occupant_name ? u.record.occupant_name : u.customers[0] ? u.customers[0].name : '';
        return h('li', null, h('a', { href: `/apartments/unit/${u.number}`, class: `tile unit occ-${occ}` + (u.owed > 0 ? ' owes' : ''), 'aria-label': `Flat ${u.number}, ${occ === 'unknown' ? 'no record' : occ}${who ? ', ' + who : ''}, ${u.owed > 0 ? formatMoney(u.owed) + ' owed' : 'nothing owed'}` },
          h('span', { class: 'tile-title' }, h('span', { class: 'dot ' + occ, 'aria-hidden': 'true' }), u.number),
          h('span', { class: 'tile-sub' }, who || (occ === 'vacant' ? 'Vacant' : '—')),
          h('span', { class: 'tile-amount' }, u.owed > 0 ? formatMoney(u.owed) : u.customers.length ? 'Paid up' : '')));
      })))) : empty('Nothing known about this tower yet.'));
}
