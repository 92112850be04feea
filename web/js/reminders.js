// reminders.js — WhatsApp reminders and receipts shared by the screens: the
// status chip, refusals in plain words, opening a wa.me link, the Remind
// button of the customer page and the receipt offer after an entry.
//
// With the link channel the server answers with a wa.me link and the app
// opens it (on a phone that is WhatsApp with the message filled in; the
// shop taps send).  With a provider the server sends the message itself
// and the answer carries its status.
import { api, newIdempotencyKey, ApiError } from './api.js';
import { state, isAdminReader } from './app.js';
import { h } from './dom.js';
import { formatMoney } from './money.js';
import { formatTime } from './format.js';
import { t } from './i18n.js';

// Every string of the reminder screens' shared parts, in one place.
export const T = {
  get remind() { return t('rem.remind'); },
  get reminding() { return t('rem.reminding'); },
  get log() { return t('rem.log'); },
  get lastReminder() { return t('rem.lastReminder'); },
  get never() { return t('rem.never'); },
  opened: (name) => t('rem.opened', { name }),
  get openAgain() { return t('rem.openAgain'); },
  get openWhatsApp() { return t('rem.openWhatsApp'); },
  openFor: (name) => t('rem.openFor', { name }),
  sentVia: (name, channel) => t('rem.sentVia', { name, channel: channelName(channel) }),
  queuedVia: (name, channel) => t('rem.queuedVia', { name, channel: channelName(channel) }),
  failed: (name, why) => t('rem.failed', { name, why }),
  get retryLater() { return t('rem.retryLater'); },
  get useLink() { return t('rem.useLink'); },
  get section() { return t('rem.section'); },
  get optedOut() { return t('rem.optedOut'); },
  get optedOutNote() { return t('rem.optedOutNote'); },
  get openSettings() { return t('rem.openSettings'); },
  refusal: {
    customer_opted_out: (name) => t('rem.refusal.customer_opted_out', { name }),
    nothing_owed: (name) => t('rem.refusal.nothing_owed', { name }),
    reminded_recently: (name, next) => next
      ? t('rem.refusal.reminded_recently_next', { name, next })
      : t('rem.refusal.reminded_recently', { name }),
    feature_not_in_plan: () => t('rem.refusal.feature_not_in_plan'),
    provider_not_configured: () => t('rem.refusal.provider_not_configured'),
    no_phone: (name) => t('rem.refusal.no_phone', { name }),
    customer_archived: (name) => t('rem.refusal.customer_archived', { name }),
    template_failed: (name, next, detail) => (detail ? t('rem.refusal.template_failed_detail', { detail }) : t('rem.refusal.template_failed')),
  },
  reasons: {
    get opted_out() { return t('rem.reasons.opted_out'); },
    get reminded_recently() { return t('rem.reasons.reminded_recently'); },
    get not_overdue() { return t('rem.reasons.not_overdue'); },
    get below_minimum() { return t('rem.reasons.below_minimum'); },
    get no_phone() { return t('rem.reasons.no_phone'); },
  },
  status: {
    get link_ready() { return t('rem.status.link_ready'); }, get queued() { return t('rem.status.queued'); }, get sent() { return t('rem.status.sent'); }, get delivered() { return t('rem.status.delivered'); }, get read() { return t('rem.status.read'); }, get failed() { return t('rem.status.failed'); },
  },
  statusHelp: {
    get link_ready() { return t('rem.statusHelp.link_ready'); },
  },
  channels: { get link() { return t('rem.channels.link'); }, get whatsapp_cloud() { return t('rem.channels.whatsapp_cloud'); }, get twilio() { return t('rem.channels.twilio'); } },
  triggers: { get manual() { return t('rem.triggers.manual'); }, get bulk() { return t('rem.triggers.bulk'); }, get scheduled() { return t('rem.triggers.scheduled'); } },
  kinds: { get reminder() { return t('rem.kinds.reminder'); }, get receipt() { return t('rem.kinds.receipt'); } },
  receipt: {
    get offer() { return t('rem.receipt.offer'); },
    get making() { return t('rem.receipt.making'); },
    opened: (name) => t('rem.receipt.opened', { name }),
    sent: (name) => t('rem.receipt.sent', { name }),
    failed: (name, why) => t('rem.receipt.failed', { name, why }),
    get done() { return t('rem.receipt.done'); },
    recorded: (type, amount, balance) => (type === 'payment' ? t('rem.receipt.recorded_payment', { amount, balance }) : t('rem.receipt.recorded_purchase', { amount, balance })),
  },
};

export function channelName(ch) { return T.channels[ch] || ch || ''; }
export function reasonText(reason) { return T.reasons[reason] || String(reason || '').replace(/_/g, ' '); }

const TICKS = { sent: '✓', delivered: '✓✓', read: '✓✓', failed: '!' };

// A status chip: text, not colour alone, says the status.
export function statusChip(status) {
  const tick = TICKS[status];
  return h('span', { class: `chip chip-${status}`, title: T.statusHelp[status] || null },
    tick ? h('span', { class: 'chip-tick', 'aria-hidden': 'true' }, tick) : null, T.status[status] || status);
}

// An ApiError from the reminder or receipt routes → a sentence.
export function refusalText(err, name = t('rem.this_customer')) {
  if (!(err instanceof ApiError)) return String((err && err.message) || err);
  if (err.network) return t('error.network');
  const f = T.refusal[err.code];
  if (!f) return err.message;
  const next = err.problem.next_allowed_at ? formatTime(err.problem.next_allowed_at) : null;
  return f(name, next, err.problem.detail);
}

// Opens a wa.me (or any https) link in a new tab or the WhatsApp app.
// Popup blockers may stop it, so callers also show the link to tap.
export function openLink(url) {
  if (!/^https:\/\//.test(url || '')) return;
  try { window.open(url, '_blank', 'noopener,noreferrer'); } catch { /* blocked: the link is shown */ }
}

// A link that looks like a button, opening WhatsApp (a real tap, so no
// popup blocker stops it).
export function whatsAppLink(url, text, attrs = {}) {
  return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer', class: 'btn whatsapp', ...attrs }, text);
}

// The store's plan has reminders (every seeded plan has link reminders).
export function remindersInPlan() {
  const f = state.tenant && state.tenant.features;
  return !Array.isArray(f) || f.includes('link_reminders') || f.includes('whatsapp_reminders');
}

// An API write with one Idempotency-Key per action, reused when the same
// action (same body) is retried after a lost answer.
export function keyedPost(path) {
  let key = null, last = null;
  return async (body) => {
    const text = JSON.stringify(body);
    if (!key || text !== last) { key = newIdempotencyKey(); last = text; }
    try {
      const out = await api('POST', path, { body, headers: { 'Idempotency-Key': key } });
      key = null;
      return out;
    } catch (err) {
      // Only a lost answer keeps the key: the retry then does it once.
      if (!(err.network || err.status >= 500 || err.code === 'idempotency_key_in_use')) key = null;
      throw err;
    }
  };
}

// The outcome of one reminder or receipt as a line of text and chip, with
// a link to open WhatsApp again for the link channel.
function outcome(r, name, words) {
  const box = [];
  if (r.status === 'link_ready' && r.link) {
    box.push(h('p', null, words.opened(name)),
      h('p', { class: 'actions start' }, whatsAppLink(r.link, T.openAgain, { class: 'btn whatsapp small' })));
  } else if (r.status === 'failed') {
    box.push(h('p', { class: 'remind-failed' }, statusChip('failed'), ' ', words.failed(name, r.error_message || r.error_code || t('error.unknown'))));
  } else {
    box.push(h('p', null, statusChip(r.status), ' ', words.sentText(name, r)));
  }
  return box;
}

// The Remind control of the customer page: the button, a line with the last
// reminder and a link to this customer's reminders.  `c` is the customer.
export function remindControls(c, { canRemind }) {
  const status = h('div', { class: 'remind-status', role: 'status', 'aria-live': 'polite' });
  const last = h('p', { class: 'muted small remind-last' });
  const logLink = h('a', { href: `/reminders?customer_id=${encodeURIComponent(c.id)}`, class: 'remind-log', id: 'reminders-log-link' }, T.log);
  const btn = canRemind ? h('button', { type: 'button', class: 'btn whatsapp', id: 'btn-remind' }, T.remind) : null;
  const showLast = (r) => {
    last.replaceChildren(T.lastReminder, ' ', formatTime(r.created_at), ' · ', statusChip(r.status), r.kind === 'receipt' ? ` (${T.kinds.receipt.toLocaleLowerCase()})` : '');
  };
  api('GET', 'reminders', { query: { customer_id: c.id, limit: 1 } })
    .then((p) => { if (p && p.data && p.data[0]) showLast(p.data[0]); else last.textContent = T.never; })
    .catch(() => { last.textContent = ''; });
  if (btn) {
    const post = keyedPost(`customers/${c.id}/reminders`);
    const send = async (body, button) => {
      if (button.disabled) return;
      button.disabled = true;
      button.setAttribute('aria-busy', 'true');
      status.className = 'remind-status';
      status.replaceChildren(h('p', { class: 'muted' }, T.reminding));
      try {
        const r = await post(body);
        if (r.link && r.status === 'link_ready') openLink(r.link);
        status.replaceChildren(...outcome(r, c.name, {
          opened: T.opened, failed: T.failed,
          sentText: (n, x) => (x.status === 'queued' ? T.queuedVia : T.sentVia)(n, x.channel),
        }));
        if (r.status === 'failed' && r.channel !== 'link') {
          // A failed message does not count as a reminder: a WhatsApp link can still go today.
          const viaLink = h('button', { type: 'button', class: 'btn whatsapp small', id: 'btn-remind-link' }, T.useLink);
          viaLink.addEventListener('click', () => send({ channel: 'link' }, viaLink));
          status.append(h('p', { class: 'muted small' }, T.retryLater), h('p', { class: 'actions start' }, viaLink));
        }
        showLast(r);
      } catch (err) {
        status.className = 'remind-status refused';
        status.replaceChildren(h('p', { role: 'alert' }, refusalText(err, c.name)));
        if (err.code === 'provider_not_configured' && isAdminReader()) status.append(h('p', { class: 'actions start' }, h('a', { href: '/settings', class: 'btn small' }, T.openSettings)));
      } finally {
        button.disabled = false;
        button.removeAttribute('aria-busy');
      }
    };
    btn.addEventListener('click', () => send({}, btn));
  }
  return h('section', { class: 'remind card', 'aria-label': T.section },
    btn,
    h('div', { class: 'remind-meta' }, last, logLink),
    c.reminders_opt_out ? h('p', { class: 'small' }, h('span', { class: 'badge' }, T.optedOut), ' ', T.optedOutNote) : null,
    status);
}

// receipts setting ("off" | "link"): from the store's public facts when the
// server gives it there, else from the settings (admins); members who
// cannot read the settings are not offered receipts.
let receiptsCache = null;
export function receiptsMode() {
  if (state.tenant && typeof state.tenant.receipts === 'string') return Promise.resolve(state.tenant.receipts);
  if (receiptsCache && Date.now() - receiptsCache.at < 60000) return receiptsCache.p;
  const p = isAdminReader()
    ? api('GET', 'settings').then((s) => s.receipts || 'off').catch(() => 'off')
    : Promise.resolve('off');
  receiptsCache = { at: Date.now(), p };
  return p;
}
// For the settings screen, after it saves: read the setting again.
export function forgetReceiptsMode() { receiptsCache = null; }

// After an entry: the offer of a WhatsApp receipt.  Returns the element.
export function receiptOffer(entry, customer, { onDone } = {}) {
  const status = h('div', { class: 'remind-status', role: 'status', 'aria-live': 'polite' });
  const btn = h('button', { type: 'button', class: 'btn whatsapp primary block big', id: 'btn-receipt' }, T.receipt.offer);
  const done = h('button', { type: 'button', class: 'btn block', onclick: () => onDone && onDone() }, T.receipt.done);
  const post = keyedPost(`transactions/${entry.id}/receipt`);
  btn.addEventListener('click', async () => {
    if (btn.disabled) return;
    btn.disabled = true;
    btn.setAttribute('aria-busy', 'true');
    status.className = 'remind-status';
    status.replaceChildren(h('p', { class: 'muted' }, T.receipt.making));
    try {
      const r = await post({});
      if (r.link && r.status === 'link_ready') openLink(r.link);
      status.replaceChildren(...outcome(r, customer.name, {
        opened: T.receipt.opened, failed: T.receipt.failed, sentText: (n) => T.receipt.sent(n),
      }));
      if (r.status !== 'failed') btn.hidden = true;
      done.classList.add('primary');
      done.focus();
    } catch (err) {
      status.className = 'remind-status refused';
      status.replaceChildren(h('p', { role: 'alert' }, refusalText(err, customer.name)));
    } finally {
      btn.disabled = false;
      btn.removeAttribute('aria-busy');
    }
  });
  const box = h('div', { class: 'receipt-offer' },
    h('p', { class: 'done-line' }, h('span', { 'aria-hidden': 'true' }, '✓ '),
      T.receipt.recorded(entry.type, formatMoney(entry.amount_minor), formatMoney(entry.balance_after_minor))),
    btn, status, done);
  box.focusFirst = () => btn.focus();
  return box;
}
