// Import & export (admins): CSV downloads of customers, transactions,
// reminders and the audit log (optionally a date range, optionally with a
// byte order mark for Excel), and CSV import of customers or transactions:
// a dry run first (rows, what would be created, every error by line and
// column), then the real import, all rows or none.
import { download, sendFile, ApiError, newIdempotencyKey } from '../api.js';
import { setTitle, atLeast, canAdmin, state } from '../app.js';
import { h, field, clear, busy, toast } from '../dom.js';
import { dateField } from '../datefield.js';

const EXPORTS = [
  ['customers', 'Customers'],
  ['transactions', 'Transactions'],
  ['reminders', 'Reminders'],
  ['audit', 'Audit log'],
];

const KINDS = {
  customers: {
    label: 'Customers',
    made: (n) => `${n} customer${n === 1 ? '' : 's'}`,
    columns: 'name, phone (required), apartment, email, credit_limit_minor or credit_limit, notes',
  },
  transactions: {
    label: 'Transactions',
    made: (n) => `${n} entr${n === 1 ? 'y' : 'ies'}`,
    columns: 'type (purchase, payment, adjustment, reversal), amount_minor or amount, occurred_at or date, note, '
      + 'payment_method, payment_reference, and the customer: customer_id, phone, or apartment with name',
  },
};

function hasFeature(name) {
  const f = state.tenant && state.tenant.features;
  return !Array.isArray(f) || f.includes(name);
}

function planNote(what) {
  return h('p', { class: 'muted plan-note' }, `${what} is not in the ${state.tenant.plan || 'current'} plan. Ask QuantumTrack support to change your plan.`);
}

function exportCard() {
  const from = dateField({ label: 'From', name: 'from' });
  const to = dateField({ label: 'To', name: 'to' });
  const bom = field({ label: 'For Excel (keeps ₹ and Hindi readable)', name: 'bom', type: 'checkbox', value: false });
  const status = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const buttons = EXPORTS.map(([kind, label]) => {
    const b = h('button', { type: 'button', class: 'btn', dataset: { export: kind } }, `${label} (CSV)`);
    b.addEventListener('click', () => busy(b, async () => {
      const f = from.read(), t = to.read();
      if (f === null || t === null) return;
      const qs = new URLSearchParams();
      if (f) qs.set('from', f);
      if (t) qs.set('to', t);
      if (bom.input.checked) qs.set('bom', '1');
      status.textContent = `Preparing ${label.toLowerCase()}…`;
      try {
        await download(`/api/v1/export/${kind}.csv${qs.toString() ? '?' + qs : ''}`,
          `${state.tenant.slug}-${kind}${f ? '-' + f : ''}${t ? '-' + t : ''}.csv`);
        status.textContent = `${label} downloaded.`;
      } catch (e) {
        status.textContent = e instanceof ApiError && e.code === 'feature_not_in_plan'
          ? 'CSV export is not in your plan.' : `Could not export ${label.toLowerCase()}: ${e.message}`;
      }
    }));
    return b;
  });
  return h('section', { class: 'card data-export', 'aria-labelledby': 'export-h' },
    h('h2', { id: 'export-h' }, 'Export'),
    h('p', { class: 'muted' }, 'Download your data as CSV for your accountant or a spreadsheet. Leave the dates empty for everything.'),
    hasFeature('csv_export') ? [
      h('div', { class: 'grid-filters' }, from, to),
      bom,
      h('div', { class: 'actions start' }, buttons),
      status,
    ] : planNote('CSV export'));
}

function errorsTable(errors) {
  return h('div', { class: 'table-wrap' },
    h('table', { class: 'table import-errors' },
      h('caption', { class: 'sr-only' }, 'Problems found in the file'),
      h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'num' }, 'Line'), h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Problem'))),
      h('tbody', null, errors.map((e) => h('tr', null,
        h('td', { class: 'num' }, String(e.line)),
        h('td', null, e.column || '—'),
        h('td', null, e.message))))));
}

function importCard() {
  const writable = canAdmin();
  const kind = field({ label: 'What the file holds', name: 'kind', value: 'customers',
    options: Object.entries(KINDS).map(([k, v]) => [k, v.label]) });
  const file = field({ label: 'CSV file', name: 'file', type: 'file', attrs: { accept: '.csv,text/csv' } });
  const columns = h('p', { class: 'hint', id: 'import-columns' });
  const check = h('button', { type: 'button', class: 'btn primary', dataset: { action: 'check' } }, 'Check the file');
  const result = h('div', { class: 'import-result', 'aria-live': 'polite' });
  // One key per checked file: pressing Import twice imports once.
  let checked = null;

  const showColumns = () => { columns.textContent = `Columns: ${KINDS[kind.input.value].columns}. The first line names the columns, in any order; an export from QuantumTrack imports as it is.`; };
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
          h('h3', null, `${n} problem${n === 1 ? '' : 's'} in the file`),
          h('p', null, `${e.problem.rows ?? 0} rows read. ${dryRun ? 'Nothing was imported.' : 'Nothing was imported: all rows or none.'} Fix the lines below and check the file again.`),
          shown < n ? h('p', { class: 'muted' }, `The first ${shown} are listed.`) : null),
        errorsTable(e.problem.errors || []));
      return;
    }
    let msg = e.message;
    if (e instanceof ApiError && e.status === 413) msg = 'The file is larger than the server accepts. Split it into smaller files.';
    if (e instanceof ApiError && e.code === 'feature_not_in_plan') msg = 'CSV import is not in your plan.';
    result.append(h('p', { class: 'form-error', role: 'alert' }, msg));
  }

  async function run(dryRun) {
    const f = file.input.files && file.input.files[0];
    if (!f) { file.setError('Choose a CSV file first'); file.input.focus(); return null; }
    const k = kind.input.value;
    const headers = dryRun ? {} : { 'Idempotency-Key': checked.key };
    return sendFile(`/api/v1/import/${k}`, f, { contentType: 'text/csv', query: dryRun ? { dry_run: 'true' } : {}, headers });
  }

  check.addEventListener('click', () => busy(check, async () => {
    clear(result).append(h('p', { class: 'muted' }, 'Checking…'));
    const k = kind.input.value;
    let r;
    try { r = await run(true); } catch (e) { failure(e, true); return; }
    if (!r) { clear(result); return; }
    checked = { kind: k, key: newIdempotencyKey() };
    const go = h('button', { type: 'button', class: 'btn primary', dataset: { action: 'import' } }, `Import ${r.rows} row${r.rows === 1 ? '' : 's'}`);
    if (!r.rows) go.disabled = true;
    go.addEventListener('click', () => busy(go, async () => {
      let done;
      try { done = await run(false); } catch (e) { failure(e, false); return; }
      if (!done) return;
      clear(result).append(h('div', { class: 'card import-done', role: 'status' },
        h('h3', null, 'Imported'),
        h('p', null, `${done.rows} rows imported: ${KINDS[k].made(done.created)} created.`),
        h('p', null, h('a', { href: k === 'customers' ? '/customers' : '/' }, k === 'customers' ? 'See the customers' : 'Back to the dashboard'))));
      toast(`Imported ${KINDS[k].made(done.created)}`);
      checked = null;
    }));
    clear(result).append(h('div', { class: 'card import-ok' },
      h('h3', null, 'The file is ready to import'),
      h('p', null, `${r.rows} row${r.rows === 1 ? '' : 's'} checked, no problems. Importing will create ${KINDS[k].made(r.created)}.`),
      h('p', { class: 'muted' }, 'Nothing has been saved yet.'),
      h('div', { class: 'actions start' }, go)));
  }));

  return h('section', { class: 'card data-import', 'aria-labelledby': 'import-h' },
    h('h2', { id: 'import-h' }, 'Import'),
    h('p', { class: 'muted' }, 'Bring customers or past entries in from a spreadsheet saved as CSV (UTF-8). The file is checked first and nothing is saved until you press Import; then every row goes in, or none.'),
    !hasFeature('csv_import') ? planNote('CSV import')
      : !writable ? h('p', { class: 'muted' }, 'This store is suspended: nothing can be imported.')
        : [h('div', { class: 'grid-2' }, kind, file), columns, h('div', { class: 'actions start' }, check), result]);
}

export async function render({ root }) {
  setTitle('Import & export');
  if (!atLeast('admin')) {
    root.append(h('h1', null, 'Import & export'), h('p', null, 'Only admins import and export the store\'s data.'));
    return;
  }
  root.append(h('h1', null, 'Import & export'), exportCard(), importCard());
}
