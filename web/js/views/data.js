// Import & export (admins): CSV downloads of customers, transactions,
// reminders and the audit log (optionally a date range, optionally with a
// byte order mark for Excel), and CSV import of customers or transactions:
// a dry run first (rows, what would be created, every error by line and
// column), then the real import, all rows or none.
import { download, sendFile, ApiError, newIdempotencyKey } from '../api.js';
import { setTitle, atLeast, canAdmin, state } from '../app.js';
import { h, field, clear, busy, toast } from '../dom.js';
import { dateField } from '../datefield.js';
import { t } from '../i18n.js';

const exportsList = () => [
  ['customers', t('data.x_customers')],
  ['transactions', t('data.x_transactions')],
  ['reminders', t('data.x_reminders')],
  ['audit', t('data.x_audit')],
];

const kinds = () => ({
  customers: {
    label: t('data.x_customers'),
    made: (count) => t('data.made_customers', { count }),
    columns: t('data.cols_customers'),
  },
  transactions: {
    label: t('data.x_transactions'),
    made: (count) => t('data.made_entries', { count }),
    columns: t('data.cols_transactions'),
  },
});

function hasFeature(name) {
  const f = state.tenant && state.tenant.features;
  return !Array.isArray(f) || f.includes(name);
}

function planNote(what) {
  return h('p', { class: 'muted plan-note' }, t('data.not_in_plan', { what, plan: state.tenant.plan || t('reports.current_plan') }));
}

function exportCard() {
  const from = dateField({ label: t('reports.from'), name: 'from' });
  const to = dateField({ label: t('reports.to'), name: 'to' });
  const bom = field({ label: t('data.bom'), name: 'bom', type: 'checkbox', value: false });
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const buttons = exportsList().map(([kind, label]) => {
    const b = h('button', { type: 'button', class: 'btn', dataset: { export: kind } }, t('data.csv_btn', { label }));
    b.addEventListener('click', () => busy(b, async () => {
      const f = from.read(), tt = to.read();
      if (f === null || tt === null) return;
      const qs = new URLSearchParams();
      if (f) qs.set('from', f);
      if (tt) qs.set('to', tt);
      if (bom.input.checked) qs.set('bom', '1');
      status.textContent = t('data.preparing', { what: label.toLocaleLowerCase() });
      try {
        await download(`/api/v1/export/${kind}.csv${qs.toString() ? '?' + qs : ''}`,
          `${state.tenant.slug}-${kind}${f ? '-' + f : ''}${tt ? '-' + tt : ''}.csv`);
        status.textContent = t('data.downloaded', { what: label });
      } catch (e) {
        status.textContent = e instanceof ApiError && e.code === 'feature_not_in_plan'
          ? t('data.export_not_plan') : t('data.export_failed', { what: label.toLocaleLowerCase(), message: e.message });
      }
    }));
    return b;
  });
  return h('section', { class: 'card data-export', 'aria-labelledby': 'export-h' },
    h('h2', { id: 'export-h' }, t('data.export')),
    h('p', { class: 'muted' }, t('data.export_intro')),
    hasFeature('csv_export') ? [
      h('div', { class: 'grid-filters' }, from, to),
      bom,
      h('div', { class: 'actions start' }, buttons),
      status,
    ] : planNote(t('data.csv_export')));
}

function errorsTable(errors) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table import-errors' },
      h('caption', { class: 'sr-only' }, t('data.problems')),
      h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'num' }, t('data.line')), h('th', { scope: 'col' }, t('data.column')), h('th', { scope: 'col' }, t('data.problem')))),
      h('tbody', null, errors.map((e) => h('tr', null,
        h('td', { class: 'num' }, String(e.line)),
        h('td', null, e.column || '—'),
        h('td', null, e.message))))));
}

function importCard() {
  const writable = canAdmin();
  const kind = field({ label: t('data.holds'), name: 'kind', value: 'customers',
    options: Object.entries(kinds()).map(([k, v]) => [k, v.label]) });
  const file = field({ label: t('data.file'), name: 'file', type: 'file', attrs: { accept: '.csv,text/csv' } });
  const columns = h('p', { class: 'hint', id: 'import-columns' });
  const check = h('button', { type: 'button', class: 'btn primary', dataset: { action: 'check' } }, t('data.check'));
  const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
  // One key per checked file: pressing Import twice imports once.
  let checked = null;

  const showColumns = () => { columns.textContent = t('data.columns', { columns: kinds()[kind.input.value].columns }); };
  showColumns();
  const reset = () => { checked = null; clear(result); };
  kind.input.addEventListener('change', () => { showColumns(); reset(); });
  file.input.addEventListener('change', reset);

  function failure(e, dryRun) {
    clear(result);
    if (e instanceof ApiError && e.code === 'import_failed') {
      const n = e.problem.error_count ?? (e.problem.errors || []).length;
      const shown = (e.problem.errors || []).length;
      result.append(
        h('div', { class: 'card import-failed', role: 'alert' },
          h('h3', null, t('data.n_problems', { count: n })),
          h('p', null, dryRun ? t('data.rows_read_dry', { count: e.problem.rows ?? 0 }) : t('data.rows_read', { count: e.problem.rows ?? 0 })),
          shown < n ? h('p', { class: 'muted' }, t('data.first_listed', { count: shown })) : null),
        errorsTable(e.problem.errors || []));
      return;
    }
    let msg = e.message;
    if (e instanceof ApiError && e.status === 413) msg = t('data.too_large');
    if (e instanceof ApiError && e.code === 'feature_not_in_plan') msg = t('data.import_not_plan');
    result.append(h('p', { class: 'form-error', role: 'alert' }, msg));
  }

  async function run(dryRun) {
    const f = file.input.files && file.input.files[0];
    if (!f) { file.setError(t('data.choose')); file.input.focus(); return null; }
    const k = kind.input.value;
    const headers = dryRun ? {} : { 'Idempotency-Key': checked.key };
    return sendFile(`/api/v1/import/${k}`, f, { contentType: 'text/csv', query: dryRun ? { dry_run: 'true' } : {}, headers });
  }

  check.addEventListener('click', () => busy(check, async () => {
    clear(result).append(h('p', { class: 'muted' }, t('data.checking')));
    const k = kind.input.value;
    let r;
    try { r = await run(true); } catch (e) { failure(e, true); return; }
    if (!r) { clear(result); return; }
    checked = { kind: k, key: newIdempotencyKey() };
    const go = h('button', { type: 'button', class: 'btn primary', dataset: { action: 'import' } }, t('data.import_n', { count: r.rows }));
    if (!r.rows) go.disabled = true;
    go.addEventListener('click', () => busy(go, async () => {
      let done;
      try { done = await run(false); } catch (e) { failure(e, false); return; }
      if (!done) return;
      clear(result).append(h('div', { class: 'card import-done', role: 'status' },
        h('h3', null, t('data.imported')),
        h('p', null, t('data.done', { count: done.rows, made: kinds()[k].made(done.created) })),
        h('p', null, h('a', { href: k === 'customers' ? '/customers' : '/' }, k === 'customers' ? t('data.see_customers') : t('common.back_dashboard')))));
      toast(t('data.imported_toast', { made: kinds()[k].made(done.created) }));
      checked = null;
    }));
    clear(result).append(h('div', { class: 'card import-ok' },
      h('h3', null, t('data.ready')),
      h('p', null, t('data.checked', { count: r.rows, made: kinds()[k].made(r.created) })),
      h('p', { class: 'muted' }, t('data.nothing_saved')),
      h('div', { class: 'actions start' }, go)));
  }));

  return h('section', { class: 'card data-import', 'aria-labelledby': 'import-h' },
    h('h2', { id: 'import-h' }, t('data.import')),
    h('p', { class: 'muted' }, t('data.import_intro')),
    !hasFeature('csv_import') ? planNote(t('data.csv_import'))
      : !writable ? h('p', { class: 'muted' }, t('data.suspended'))
        : [h('div', { class: 'grid-2' }, kind, file), columns, h('div', { class: 'actions start' }, check), result]);
}

export async function render({ root }) {
  setTitle(t('more.data'));
  if (!atLeast('admin')) {
    root.append(h('h1', null, t('more.data')), h('p', null, t('data.admins_only')));
    return;
  }
  root.append(h('h1', null, t('more.data')), exportCard(), importCard());
}
