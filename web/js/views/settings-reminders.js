// The reminder and WhatsApp provider sections of the settings screen.
//
// Reminders: language, the template (or the built-in one) with a live
// preview for a real customer, the UPI id, the schedule, quiet hours and
// receipts.  The preview is the server's own rendering
// (POST /settings/reminder-preview), so what is shown is exactly what is
// sent; only the list of placeholders to insert lives here.
//
// Provider: link, WhatsApp Cloud API or Twilio, the provider's settings and
// its secrets.  Secrets are write-only: the inputs are always empty and say
// whether a value is set; a value typed in replaces it, "Remove" clears it.
import { api } from '../api.js';
import { state } from '../app.js';
import { h, field, formError, busy, showErrors, toast, nextId, clear, debounce } from '../dom.js';
import { parseAmount, minorToInput, formatMoney, currencyCode } from '../money.js';
import { t } from '../i18n.js';

// The placeholders a reminder template may use (the server checks them).
export const placeholders = () => [
  ['name', t('srem.ph_name')], ['store', t('srem.ph_store')], ['balance', t('srem.ph_balance')],
  ['overdue', t('srem.ph_overdue')], ['due_date', t('srem.ph_due_date')], ['upi_link', t('srem.ph_upi_link')],
  ['statement_link', t('srem.ph_statement_link')],
];
const languages = () => [['en', t('srem.lang_en')], ['hi', t('srem.lang_hi')]];
const TEMPLATE_MAX = 1000;
const MESSAGE_MAX = 1024;

function segmented(legend, options, value, onChange, { disabled = false, field: fieldName } = {}) {
  const group = nextId('seg');
  const fs = h('fieldset', { class: 'segmented', dataset: fieldName ? { field: fieldName } : undefined },
    h('legend', null, legend),
    options.map(([v, label, extra = {}]) => {
      const id = nextId('opt');
      return h('span', { class: 'seg' },
        h('input', { type: 'radio', name: group, id, value: v, checked: v === value, disabled: disabled || extra.disabled, onchange: () => onChange(v) }),
        h('label', { for: id }, label));
    }));
  fs.value = () => (fs.querySelector('input:checked') || {}).value;
  return fs;
}

const hourLabel = (n) => `${String(n).padStart(2, '0')}:00`;
const HOURS = Array.from({ length: 24 }, (_, i) => [String(i), hourLabel(i)]);
const chars = (text) => [...text].length;

export function remindersPanel(s, ro) {
  const a = ro ? { disabled: true } : {};
  let language = s.reminder_language;
  let builtinText = { [s.reminder_language]: s.reminder_template_builtin };

  const lang = segmented(t('srem.msg_language'), languages(), language, (v) => { language = v; syncTemplate(); schedulePreview(); }, { disabled: ro, field: 'reminder_language' });
  const useBuiltin = field({ label: t('srem.use_builtin'), name: 'use_builtin', type: 'checkbox', value: s.reminder_template === null, attrs: a });
  const tpl = field({ label: t('srem.message'), name: 'reminder_template', textarea: true, value: s.reminder_template ?? s.reminder_template_builtin,
    hint: t('srem.tpl_hint'),
    attrs: { ...a, rows: 6, maxlength: TEMPLATE_MAX, spellcheck: 'true' } });
  const counter = h('p', { class: 'hint counter', 'aria-live': 'polite' });
  const inserts = h('div', { class: 'placeholders', role: 'group', 'aria-label': t('srem.insert') },
    placeholders().map(([p, title]) => h('button', { type: 'button', class: 'btn small chip', title, disabled: ro, onclick: () => insert(`{${p}}`) }, `{${p}}`)));
  // label, placeholders and their hint, the text, its length: the preview follows right under it.
  const insertHint = tpl.querySelector('.hint');
  tpl.insertBefore(inserts, tpl.input);
  tpl.insertBefore(insertHint, tpl.input);
  tpl.insertBefore(counter, tpl.querySelector('.field-error'));

  function insert(text) {
    const ta = tpl.input;
    if (ta.readOnly || ta.disabled) return;
    const start = ta.selectionStart ?? ta.value.length, end = ta.selectionEnd ?? ta.value.length;
    ta.setRangeText(text, start, end, 'end');
    ta.focus();
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }
  function syncTemplate() {
    const builtin = useBuiltin.input.checked;
    tpl.input.readOnly = builtin;
    tpl.classList.toggle('readonly', builtin);
    // The built-in text is read only: nothing to insert into it.
    inserts.hidden = builtin;
    insertHint.hidden = builtin;
    for (const b of inserts.querySelectorAll('button')) b.disabled = ro || builtin;
    if (builtin && builtinText[language] !== undefined) tpl.input.value = builtinText[language];
    counter.textContent = t('srem.chars', { n: chars(tpl.input.value), max: TEMPLATE_MAX });
  }
  useBuiltin.input.addEventListener('change', () => { syncTemplate(); schedulePreview(); });
  tpl.input.addEventListener('input', () => { syncTemplate(); schedulePreview(); });

  // The live preview, for a customer who owes something.
  const who = h('select', { 'aria-label': t('srem.preview_for'), class: 'preview-who' });
  const previewText = h('p', { class: 'bubble' });
  const previewMeta = h('p', { class: 'hint' });
  const preview = h('div', { class: 'card preview', 'aria-live': 'polite' },
    h('div', { class: 'preview-head' }, h('h3', null, t('srem.preview')), who),
    h('div', { class: 'chat' }, previewText), previewMeta);
  let controller = null;
  async function renderPreview() {
    if (!who.value) return;
    if (controller) controller.abort();
    controller = new AbortController();
    const body = { customer_id: who.value, reminder_language: language,
      reminder_template: useBuiltin.input.checked ? null : tpl.input.value };
    try {
      const out = await api('POST', 'settings/reminder-preview', { body, signal: controller.signal });
      if (out.builtin) { builtinText[out.reminder_language] = out.template; if (useBuiltin.input.checked && out.reminder_language === language) syncTemplate(); }
      previewText.textContent = out.message;
      preview.classList.remove('stale');
      previewMeta.textContent = t('srem.preview_meta', { n: out.characters, max: MESSAGE_MAX, name: out.customer_name, amount: formatMoney(out.balance_minor) });
      tpl.setError('');
    } catch (err) {
      if (err.name === 'AbortError') return;
      preview.classList.add('stale');
      const f = err.fields || {};
      if (f.reminder_template) { tpl.setError(f.reminder_template); previewMeta.textContent = t('srem.fix_message'); }
      else previewMeta.textContent = err.message;
    }
  }
  const schedulePreview = debounce(renderPreview, 300);
  (async () => {
    try {
      const list = await api('GET', 'customers', { query: { has_balance: 'true', sort: 'balance', limit: 20 } });
      const owing = list.data.filter((c) => c.balance_minor > 0);
      if (!owing.length) { clear(preview).append(h('h3', null, t('srem.preview')), h('p', { class: 'muted' }, t('srem.preview_empty'))); return; }
      who.append(...owing.map((c) => h('option', { value: c.id }, `${c.name} · ${formatMoney(c.balance_minor)}`)));
      renderPreview();
    } catch (err) { previewMeta.textContent = err.message; }
  })();

  const upi = field({ label: t('srem.upi'), name: 'upi_id', value: s.upi_id || '', hint: t('srem.upi_hint'), attrs: { ...a, maxlength: 100, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false' } });

  const sch = s.reminder_schedule;
  const enabled = field({ label: t('srem.auto'), name: 'reminder_schedule.enabled', type: 'checkbox', value: sch.enabled, attrs: a });
  const hour = field({ label: t('srem.at'), name: 'reminder_schedule.hour', value: String(sch.hour), options: HOURS, hint: t('srem.at_hint'), attrs: a });
  const interval = field({ label: t('srem.interval'), name: 'reminder_schedule.interval_days', type: 'number', value: sch.interval_days, hint: t('srem.interval_hint'), attrs: { ...a, min: 1, max: 365, inputmode: 'numeric' } });
  const minDays = field({ label: t('srem.min_days'), name: 'reminder_schedule.min_overdue_days', type: 'number', value: sch.min_overdue_days, attrs: { ...a, min: 0, max: 3650, inputmode: 'numeric' } });
  const minAmount = field({ label: t('srem.min_amount', { currency: currencyCode() }), name: 'reminder_schedule.min_amount_minor', value: minorToInput(sch.min_amount_minor), attrs: { ...a, inputmode: 'decimal' } });
  const schedule = h('fieldset', { class: 'group' }, h('legend', null, t('srem.schedule')), enabled,
    h('div', { class: 'grid-2' }, hour, interval, minDays, minAmount));
  const quietStart = field({ label: t('srem.quiet_from'), name: 'quiet_hours_start', value: String(s.quiet_hours_start), options: HOURS, attrs: a });
  const quietEnd = field({ label: t('srem.quiet_until'), name: 'quiet_hours_end', value: String(s.quiet_hours_end), options: HOURS, attrs: a });
  const quiet = h('fieldset', { class: 'group' }, h('legend', null, t('srem.quiet')),
    h('p', { class: 'hint' }, t('srem.quiet_hint')),
    h('div', { class: 'grid-2' }, quietStart, quietEnd));
  const receipts = field({ label: t('srem.receipts'), name: 'receipts', type: 'checkbox', value: s.receipts === 'link', attrs: a });

  const submit = h('button', { type: 'submit', class: 'btn primary', disabled: ro }, t('srem.save'));
  const form = h('form', { class: 'card form', novalidate: true, 'aria-label': t('settings.sec_reminders') }, formError(),
    h('h2', null, t('srem.message')), lang, useBuiltin, h('div', { class: 'template-row' }, tpl, preview), upi, schedule, quiet, receipts, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const amount = parseAmount(minAmount.input.value || '0', { allowZero: true });
      if (!amount.ok) { showErrors(form, { message: amount.error, fields: { 'reminder_schedule.min_amount_minor': amount.error } }); return; }
      const body = {
        reminder_language: language,
        reminder_template: useBuiltin.input.checked ? null : tpl.input.value,
        upi_id: upi.input.value.trim() || null,
        reminder_schedule: {
          enabled: enabled.input.checked, hour: Number(hour.input.value),
          interval_days: Number(interval.input.value), min_overdue_days: Number(minDays.input.value || 0),
          min_amount_minor: amount.minor,
        },
        quiet_hours_start: Number(quietStart.input.value), quiet_hours_end: Number(quietEnd.input.value),
        receipts: receipts.input.checked ? 'link' : 'off',
      };
      try {
        const out = await api('PATCH', 'settings', { body });
        Object.assign(s, out);
        builtinText[out.reminder_language] = out.reminder_template_builtin;
        showErrors(form, null);
        renderPreview(); // with the saved UPI id
        toast(t('srem.saved'));
      } catch (err) { showErrors(form, err); }
    });
  });
  syncTemplate();
  return form;
}

// ---- provider ----------------------------------------------------------

const providers = () => [['link', t('srem.p_link')], ['whatsapp_cloud', t('srem.p_cloud')], ['twilio', t('srem.p_twilio')]];
const config = () => ({
  whatsapp_cloud: [
    { key: 'base_url', label: t('srem.c_base_url'), hint: t('srem.c_base_url_meta') },
    { key: 'api_version', label: t('srem.c_api_version'), hint: t('srem.c_api_version_hint'), required: true },
    { key: 'phone_number_id', label: t('srem.c_phone_number_id'), required: true },
    { key: 'template_name', label: t('srem.c_template_name'), hint: t('srem.c_template_name_hint'), required: true },
    { key: 'template_language', label: t('srem.c_template_language'), hint: t('srem.c_template_language_hint'), required: true },
    { key: 'template_params', label: t('srem.c_template_params'), list: true, hint: t('srem.c_template_params_hint') },
  ],
  twilio: [
    { key: 'base_url', label: t('srem.c_base_url'), hint: t('srem.c_base_url_twilio') },
    { key: 'account_sid', label: t('srem.c_account_sid'), required: true },
    { key: 'from', label: t('srem.c_from'), hint: t('srem.c_from_hint') },
    { key: 'messaging_service_sid', label: t('srem.c_messaging_sid') },
    { key: 'content_sid', label: t('srem.c_content_sid'), hint: t('srem.c_content_sid_hint') },
    { key: 'content_variables', label: t('srem.c_content_vars'), list: true, hint: t('srem.c_content_vars_hint') },
  ],
});
const secrets = () => ({
  whatsapp_cloud: [['access_token', t('srem.s_access_token')], ['app_secret', t('srem.s_app_secret'), t('srem.s_app_secret_hint')], ['verify_token', t('srem.s_verify_token'), t('srem.s_verify_token_hint')]],
  twilio: [['auth_token', t('srem.s_auth_token'), t('srem.s_auth_token_hint')]],
});

export function providerPanel(s, ro) {
  const a = ro ? { disabled: true } : {};
  const features = (state.tenant && state.tenant.features) || [];
  const inPlan = features.includes('whatsapp_reminders');
  let provider = s.whatsapp_provider;
  const body = h('div', { class: 'provider-body' });
  const choice = segmented(t('srem.send_through'), providers().map(([v, label]) => [v, label, { disabled: v !== 'link' && !inPlan && v !== s.whatsapp_provider }]),
    provider, (v) => { provider = v; build(); }, { disabled: ro, field: 'whatsapp_provider' });
  const planNote = inPlan ? null : h('p', { class: 'hint' }, t('srem.plan_note'));
  let inputs = {};

  function webhook(kind) {
    const slug = state.tenant && state.tenant.slug;
    if (!slug) return null;
    const url = `${location.origin}/api/v1/webhooks/${kind}/${slug}`;
    return h('div', { class: 'webhook' }, h('p', { class: 'hint' }, t('srem.webhook')), h('code', null, url));
  }

  function build() {
    clear(body);
    inputs = { config: {}, secrets: {} };
    if (provider === 'link') {
      body.append(h('p', { class: 'muted' }, t('srem.link_note')));
      return;
    }
    const same = provider === s.whatsapp_provider;
    const cfg = same ? s.whatsapp_config : {};
    const cfgFields = config()[provider].map((f) => {
      const v = cfg[f.key];
      const w = field({ label: f.label, name: `whatsapp_config.${f.key}`, required: f.required, hint: f.hint,
        value: f.list ? (v || []).join(', ') : (v || ''), attrs: { ...a, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: 256 } });
      inputs.config[f.key] = { w, list: !!f.list };
      return w;
    });
    const set = same ? s.whatsapp_secrets_set : [];
    const secretFields = secrets()[provider].map(([key, label, hint]) => {
      const isSet = set.includes(key);
      const w = field({ label, name: `whatsapp_secrets.${key}`, type: 'password', hint,
        attrs: { ...a, autocomplete: 'new-password', placeholder: isSet ? t('srem.set_replace') : t('srem.not_set'), maxlength: 1024, spellcheck: 'false' } });
      w.querySelector('label').append(h('span', { class: isSet ? 'badge ok' : 'badge', dataset: { secret: key } }, isSet ? t('srem.badge_set') : t('srem.badge_not_set')));
      let remove = null;
      if (isSet) {
        remove = field({ label: t('srem.remove', { what: label.toLocaleLowerCase() }), name: `remove_${key}`, type: 'checkbox', attrs: a });
        w.append(remove);
      }
      inputs.secrets[key] = { w, remove };
      return w;
    });
    const unreadable = same && !s.whatsapp_secrets_readable
      ? h('p', { class: 'form-error', role: 'alert' }, t('srem.unreadable')) : null;
    body.append(h('fieldset', { class: 'group' }, h('legend', null, t('nav.settings')), h('div', { class: 'grid-2' }, cfgFields)),
      h('fieldset', { class: 'group' }, h('legend', null, t('srem.secrets')),
        h('p', { class: 'hint' }, t('srem.secrets_hint')), unreadable, secretFields),
      webhook(provider === 'twilio' ? 'twilio' : 'whatsapp'));
  }

  const submit = h('button', { type: 'submit', class: 'btn primary', disabled: ro }, t('srem.save_provider'));
  const form = h('form', { class: 'card form', novalidate: true, 'aria-label': t('srem.provider'), autocomplete: 'off' }, formError(),
    choice, planNote, body, h('div', { class: 'actions' }, submit));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      const patch = { whatsapp_provider: provider };
      if (provider !== 'link') {
        const config = {};
        for (const [key, { w, list }] of Object.entries(inputs.config)) {
          const v = w.input.value.trim();
          if (list) config[key] = v ? v.split(/[\s,]+/).filter(Boolean).map((p) => p.replace(/^\{|\}$/g, '')) : [];
          else if (v) config[key] = v;
        }
        if (!config.template_params?.length) delete config.template_params;
        if (!config.content_variables?.length) delete config.content_variables;
        patch.whatsapp_config = config;
        const secrets = {};
        for (const [key, { w, remove }] of Object.entries(inputs.secrets)) {
          if (w.input.value.trim()) secrets[key] = w.input.value.trim();
          else if (remove && remove.input.checked) secrets[key] = null;
        }
        if (Object.keys(secrets).length) patch.whatsapp_secrets = secrets;
      }
      try {
        const out = await api('PATCH', 'settings', { body: patch });
        Object.assign(s, out);
        build();
        showErrors(form, null);
        toast(t('srem.provider_saved'));
      } catch (err) { showErrors(form, err); }
    });
  });
  build();
  return form;
}
