// Store settings in sections: the store (name, currency, locale, time
// zone, credit period, default limit, building layout, phone country), the
// reminders (language, template with a live preview, UPI id, schedule,
// quiet hours, receipts), the WhatsApp provider (settings-reminders.js),
// the plan with what the store uses of it (settings-usage.js) and, for
// owners, API keys (settings-apikeys.js).
// ?section=reminders|whatsapp|usage|apikeys opens a section directly.
import { api, getSession } from '../api.js';
import { setTitle, atLeast, suspended, state } from '../app.js';
import { h, field, formError, busy, showErrors, toast, nextId } from '../dom.js';
import { parseAmount, minorToInput, configureMoney } from '../money.js';
import { t, setStoreLocale, intlLocale, resolveLanguage, setLanguage, language } from '../i18n.js';
import { configureDates } from '../format.js';
import { remindersPanel, providerPanel } from './settings-reminders.js';
import { usagePanel } from './settings-usage.js';
import { apiKeysPanel } from './settings-apikeys.js';

const sectionsList = () => [['store', t('settings.sec_store')], ['reminders', t('settings.sec_reminders')], ['whatsapp', t('settings.sec_whatsapp')], ['usage', t('settings.sec_usage')]];

function loadCss() {
  if (document.querySelector('link[data-css="settings"]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/css/settings.css', dataset: { css: 'settings' } }));
}

function storePanel(s, ro) {
  const a = ro ? { disabled: true } : {};
  const name = field({ label: t('settings.name'), name: 'name', value: s.name, required: true, attrs: { ...a, maxlength: 120 } });
  const currency = field({ label: t('settings.currency'), name: 'currency', value: s.currency, hint: t('settings.currency_hint'), attrs: { ...a, maxlength: 3, autocapitalize: 'characters' } });
  const locale = field({ label: t('settings.locale'), name: 'locale', value: s.locale, hint: t('settings.locale_hint'), attrs: { ...a, maxlength: 35 } });
  const timezone = field({ label: t('settings.timezone'), name: 'timezone', value: s.timezone, hint: t('settings.timezone_hint'), attrs: { ...a, maxlength: 64 } });
  const period = field({ label: t('settings.period'), name: 'credit_period_days', type: 'number', value: s.credit_period_days, attrs: { ...a, min: 0, max: 365, inputmode: 'numeric' } });
  const limit = field({ label: t('settings.default_limit', { currency: s.currency }), name: 'default_credit_limit', value: minorToInput(s.default_credit_limit_minor), attrs: { ...a, inputmode: 'decimal' } });
  const towers = field({ label: t('settings.towers'), name: 'towers', type: 'number', value: s.building_layout.towers, attrs: { ...a, min: 0, max: 99 } });
  const floors = field({ label: t('settings.floors'), name: 'floors', type: 'number', value: s.building_layout.floors, attrs: { ...a, min: 0, max: 100 } });
  const units = field({ label: t('settings.units'), name: 'units', type: 'number', value: s.building_layout.units, attrs: { ...a, min: 0, max: 9 } });
  const phone = field({ label: t('settings.phone'), name: 'phone_country', value: s.phone_country, hint: t('settings.phone_hint'), attrs: { ...a, maxlength: 5 } });
  const submit = h('button', { type: 'submit', class: 'btn primary', disabled: ro }, t('settings.save'));
  const layout = h('fieldset', { class: 'group', dataset: { field: 'building_layout' } }, h('legend', null, t('settings.layout')), h('div', { class: 'grid-3' }, towers, floors, units), h('p', { class: 'field-error', role: 'alert', hidden: true }));
  layout.setError = (m) => { const p = layout.querySelector(':scope > .field-error'); p.textContent = m || ''; p.hidden = !m; };
  layout.classList.add('field');
  const form = h('form', { class: 'card form', novalidate: true, 'aria-label': t('settings.sec_store') }, formError(), name, currency, locale, timezone, period, limit, layout, phone, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const p = parseAmount(limit.input.value, { allowZero: true });
      if (!p.ok) { showErrors(form, { message: p.error, fields: { default_credit_limit: p.error } }); return; }
      const body = {
        name: name.input.value.trim(), currency: currency.input.value.trim().toUpperCase(), locale: locale.input.value.trim(),
        timezone: timezone.input.value.trim(), credit_period_days: Number(period.input.value || 0),
        default_credit_limit_minor: p.minor, phone_country: phone.input.value.trim(),
        building_layout: { towers: Number(towers.input.value || 0), floors: Number(floors.input.value || 0), units: Number(units.input.value || 0) },
      };
      try {
        const out = await api('PATCH', 'settings', { body });
        Object.assign(s, out);
        state.tenant = { ...state.tenant, name: out.name, currency: out.currency, locale: out.locale, timezone: out.timezone };
        setStoreLocale(out.locale);
        configureMoney(intlLocale(), out.currency);
        configureDates(intlLocale(), out.timezone);
        // No language of their own: the store's new locale may change it.
        const me = getSession();
        const want = resolveLanguage(me && me.user ? me.user.language : null, out.locale);
        if (want !== language()) setLanguage(want);
        const brand = document.querySelector('.brand span');
        if (brand) brand.textContent = out.name;
        toast(t('settings.saved'));
        showErrors(form, null);
      } catch (err) { showErrors(form, err, { default_credit_limit_minor: 'default_credit_limit' }); }
    });
  });
  return form;
}

export async function render({ root }) {
  setTitle(t('nav.settings'));
  if (!atLeast('admin')) { root.append(h('h1', null, t('nav.settings')), h('p', null, t('settings.admins_only'))); return; }
  loadCss();
  const s = await api('GET', 'settings');
  const ro = suspended();
  const want = new URLSearchParams(location.search).get('section');
  const SECTIONS = sectionsList();
  const sections = atLeast('owner') ? [...SECTIONS, ['apikeys', t('settings.sec_apikeys')]] : SECTIONS;
  let current = sections.some(([k]) => k === want) ? want : 'store';
  // Panels are built when first shown: the reminders panel loads customers.
  const builders = { store: () => storePanel(s, ro), reminders: () => remindersPanel(s, ro), whatsapp: () => providerPanel(s, ro), usage: () => usagePanel(), apikeys: () => apiKeysPanel(ro) };
  const panels = {};
  const holder = h('div', { class: 'settings-panels' });
  const show = (key) => {
    current = key;
    if (!panels[key]) { panels[key] = h('section', { class: 'settings-panel', dataset: { section: key } }, builders[key]()); holder.append(panels[key]); }
    for (const [k, p] of Object.entries(panels)) p.hidden = k !== key;
    const u = new URL(location.href);
    if (key === 'store') u.searchParams.delete('section'); else u.searchParams.set('section', key);
    history.replaceState(history.state, '', u);
  };
  const group = nextId('section');
  const switcher = h('fieldset', { class: 'segmented settings-tabs' },
    h('legend', { class: 'sr-only' }, t('settings.section')),
    sections.map(([k, label]) => {
      const id = nextId('sec');
      return h('span', { class: 'seg' },
        h('input', { type: 'radio', name: group, id, value: k, checked: k === current, onchange: () => show(k) }),
        h('label', { for: id }, label));
    }));
  root.append(h('h1', null, t('more.settings')), switcher, holder);
  show(current);
}
