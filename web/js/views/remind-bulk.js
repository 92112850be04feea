// "Remind all overdue": a dry run first (who gets a reminder and for how
// much, who is skipped and why), then one action.  With the link channel
// the answer holds one wa.me link per customer; browsers block many popups
// at once, so the shop opens them one after another from a list.
import { apiAll, api, ApiError } from '../api.js';
import { h, field, modal, spinner, busy, nextId } from '../dom.js';
import { t } from '../i18n.js';
import { formatMoney, parseAmount, currencyCode } from '../money.js';
import { T as R, statusChip, reasonText, refusalText, whatsAppLink, keyedPost } from '../reminders.js';

const T = {
  get title() { return t('bulk.title'); },
  get options() { return t('bulk.options'); },
  get minDays() { return t('bulk.minDays'); },
  minAmount: (cur) => t('bulk.minAmount', { cur }),
  get minHint() { return t('bulk.minHint'); },
  get update() { return t('bulk.update'); },
  get checking() { return t('bulk.checking'); },
  get nobody() { return t('bulk.nobody'); },
  willGet: (n, total) => t('bulk.willGet', { count: n, total }),
  get overdueWord() { return t('bulk.overdueWord'); },
  balance: (b) => t('bulk.balance', { b }),
  get message() { return t('bulk.message'); },
  skipped: (n) => t('bulk.skipped', { n }),
  send: (n) => t('bulk.send', { count: n }),
  get cancel() { return t('bulk.cancel'); },
  get close() { return t('bulk.close'); },
  readyHead: (n) => t('bulk.readyHead', { count: n }),
  get readyHelp() { return t('bulk.readyHelp'); },
  progress: (a, n) => t('bulk.progress', { a, n }),
  get opened() { return t('bulk.opened'); },
  get allOpened() { return t('bulk.allOpened'); },
  sentHead: (n) => t('bulk.sentHead', { count: n }),
  failedCount: (n) => t('bulk.failedCount', { n }),
  get noneSent() { return t('bulk.noneSent'); },
  get unknown() { return t('bulk.unknown'); },
  get wholeDays() { return t('bulk.wholeDays'); },
  get tryAgain() { return t('bulk.tryAgain'); },
  get toRemind() { return t('bulk.toRemind'); },
};

function minorOf(text) {
  const s = String(text || '').trim();
  if (!s) return { ok: true, minor: undefined };
  const p = parseAmount(s, { allowZero: true });
  return p.ok ? { ok: true, minor: p.minor } : p;
}

export function openBulkRemind({ onDone } = {}) {
  const days = field({ label: T.minDays, name: 'min_overdue_days', type: 'number', attrs: { min: 0, max: 3650, inputmode: 'numeric' } });
  const amount = field({ label: T.minAmount(currencyCode()), name: 'min_amount_minor', hint: T.minHint, attrs: { inputmode: 'decimal', autocomplete: 'off' } });
  const update = h('button', { type: 'submit', class: 'btn small' }, T.update);
  const optionsForm = h('form', { class: 'bulk-options', id: nextId('bulk-opts'), novalidate: true, hidden: true },
    h('div', { class: 'grid-2' }, days, amount), h('div', { class: 'actions start' }, update));
  const toggle = h('button', { type: 'button', class: 'btn small', 'aria-expanded': 'false', 'aria-controls': optionsForm.id }, T.options);
  const showOptions = (open) => {
    optionsForm.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    if (open) days.input.focus();
  };
  toggle.addEventListener('click', () => showOptions(optionsForm.hidden));
  const options = h('div', { class: 'bulk-options-box' }, toggle, optionsForm);
  const area = h('div', { class: 'bulk-area' });
  const body = h('div', { class: 'bulk', id: 'bulk-remind' }, options, area);
  // Replace what the dialog shows (null and false leave nothing).
  const put = (...nodes) => area.replaceChildren(...nodes.filter(Boolean));
  let changed = false;
  const m = modal(T.title, body, { onClose: () => { if (changed && onDone) onDone(); } });

  // Customer names for the reminded rows: the answer may carry them; if
  // not, from the list of customers owing (loaded once).
  let owingNames = null;
  const namesFor = async (items) => {
    if (items.every((r) => r.customer_name || r.name)) return new Map();
    if (!owingNames) owingNames = apiAll('customers', { has_balance: true }).then((l) => new Map(l.map((c) => [c.id, c.name]))).catch(() => new Map());
    return owingNames;
  };
  const nameOf = (map, r) => r.customer_name || r.name || map.get(r.customer_id) || T.unknown;

  function criteria() {
    const out = {};
    const d = days.input.value.trim();
    if (d) {
      if (!/^\d+$/.test(d)) { days.setError(T.wholeDays); return null; }
      out.min_overdue_days = Number(d);
    }
    const a = minorOf(amount.input.value);
    if (!a.ok) { amount.setError(a.error); return null; }
    if (a.minor !== undefined) out.min_amount_minor = a.minor;
    days.setError(''); amount.setError('');
    return out;
  }

  function skippedList(skipped) {
    if (!skipped.length) return null;
    return h('details', { class: 'bulk-skipped', open: skipped.length <= 5 },
      h('summary', null, T.skipped(skipped.length)),
      h('ul', { class: 'list', 'aria-label': T.skipped(skipped.length) }, skipped.map((s) =>
        h('li', { class: 'bulk-row skipped', dataset: { customer: s.customer_id, reason: s.reason } },
          h('span', { class: 'row-title' }, s.name || T.unknown),
          h('span', { class: 'row-sub' }, reasonText(s.reason))))));
  }

  function problem(err, retry) {
    put(h('div', { class: 'error-box', role: 'alert' },
      h('p', null, err instanceof ApiError && err.code !== 'validation_failed' ? refusalText(err) : (err.message || String(err))),
      retry ? h('button', { type: 'button', class: 'btn', onclick: retry }, T.tryAgain) : null));
  }

  async function preview() {
    const c = criteria();
    if (!c) return;
    put(spinner(T.checking));
    let out, names;
    try {
      out = await api('POST', 'reminders/bulk', { body: { ...c, dry_run: true } });
      names = await namesFor(out.reminded);
    } catch (err) {
      const fields = err instanceof ApiError ? err.fields : {};
      const mine = { min_overdue_days: days, min_amount_minor: amount };
      for (const [k, msg] of Object.entries(fields)) if (mine[k]) { mine[k].setError(msg); showOptions(true); }
      problem(err, preview);
      return;
    }
    const n = out.reminded.length;
    let total = 0;
    for (const r of out.reminded) total += r.overdue_minor || 0;
    const send = n ? h('button', { type: 'button', class: 'btn primary', id: 'bulk-send' }, T.send(n)) : null;
    const cancel = h('button', { type: 'button', class: 'btn', onclick: () => m.close() }, n ? T.cancel : T.close);
    if (send) send.addEventListener('click', () => busy(send, () => run(c)));
    put(
      h('p', { class: 'bulk-summary', role: 'status' }, n ? T.willGet(n, formatMoney(total)) : T.nobody),
      n ? h('ul', { class: 'list bulk-list', 'aria-label': T.toRemind }, out.reminded.map((r) =>
        h('li', { class: 'bulk-row', dataset: { customer: r.customer_id } },
          h('div', { class: 'bulk-row-head' },
            h('span', { class: 'row-title' }, nameOf(names, r)),
            h('span', { class: 'amount owes' }, formatMoney(r.overdue_minor), h('span', { class: 'amount-label' }, T.overdueWord))),
          h('span', { class: 'row-sub' }, T.balance(formatMoney(r.balance_minor))),
          r.message ? h('details', { class: 'reminder-message' }, h('summary', null, T.message), h('p', { class: 'message-text' }, r.message)) : null))) : null,
      skippedList(out.skipped),
      h('div', { class: 'actions' }, cancel, send));
    (n ? send : cancel).focus();
  }

  const post = keyedPost('reminders/bulk');
  async function run(c) {
    let out, names;
    try {
      out = await post(c);
      changed = true;
      names = await namesFor(out.reminded);
    } catch (err) {
      problem(err, () => run(c));
      return;
    }
    options.hidden = true;
    const links = out.reminded.filter((r) => r.status === 'link_ready' && r.link);
    const others = out.reminded.filter((r) => !(r.status === 'link_ready' && r.link));
    const parts = [];
    if (links.length) {
      let opened = 0;
      const progress = h('p', { class: 'muted small', role: 'status', id: 'bulk-progress' }, T.progress(0, links.length));
      const items = links.map((r) => {
        const name = nameOf(names, r);
        const a = whatsAppLink(r.link, R.openFor(name), { class: 'btn whatsapp block' });
        const li = h('li', { class: 'bulk-row open-row', dataset: { customer: r.customer_id } }, a);
        a.addEventListener('click', () => {
          if (!li.classList.contains('done')) {
            li.classList.add('done');
            opened++;
            li.append(h('span', { class: 'row-sub done-mark' }, h('span', { 'aria-hidden': 'true' }, '✓ '), T.opened));
            progress.textContent = opened === links.length ? T.allOpened : T.progress(opened, links.length);
          }
          // The next one not opened yet stands out, ready for the next tap.
          a.classList.remove('primary');
          const next = items.find((x) => !x.classList.contains('done'));
          if (next) {
            const na = next.querySelector('a');
            na.classList.add('primary');
            setTimeout(() => na.focus(), 0);
          }
        });
        return li;
      });
      items[0].querySelector('a').classList.add('primary');
      parts.push(h('h3', null, T.readyHead(links.length)), h('p', { class: 'small' }, T.readyHelp), progress,
        h('ol', { class: 'list bulk-open', 'aria-label': T.readyHead(links.length) }, items));
    }
    if (others.length) {
      const failed = others.filter((r) => r.status === 'failed').length;
      parts.push(h('h3', null, T.sentHead(others.length - failed)), failed ? h('p', { class: 'danger-text' }, T.failedCount(failed)) : null,
        h('ul', { class: 'list bulk-list', 'aria-label': T.sentHead(others.length - failed) }, others.map((r) =>
          h('li', { class: 'bulk-row', dataset: { customer: r.customer_id, status: r.status } },
            h('div', { class: 'bulk-row-head' }, h('span', { class: 'row-title' }, nameOf(names, r)), statusChip(r.status)),
            r.status === 'failed' ? h('span', { class: 'row-error' }, r.error_message || r.error_code || '') : null))));
    }
    if (!out.reminded.length) parts.push(h('p', { role: 'status' }, T.noneSent));
    const done = h('button', { type: 'button', class: 'btn', onclick: () => m.close() }, T.close);
    put(...parts, skippedList(out.skipped), h('div', { class: 'actions' }, done));
    const first = area.querySelector('.bulk-open a');
    (first || done).focus();
  }

  optionsForm.addEventListener('submit', (e) => { e.preventDefault(); busy(update, preview); });
  preview();
  return m;
}
