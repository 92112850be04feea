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

// Every string of the reminder screens' shared parts, in one place.
export const T = {
  remind: 'Remind on WhatsApp',
  reminding: 'Preparing the reminder…',
  log: 'Reminder log',
  lastReminder: 'Last reminder',
  never: 'No reminder sent yet.',
  opened: (name) => `WhatsApp opened with the reminder for ${name}. Tap send in WhatsApp.`,
  openAgain: 'Open WhatsApp again',
  openWhatsApp: 'Open WhatsApp',
  openFor: (name) => `Open WhatsApp for ${name}`,
  sentVia: (name, channel) => `Reminder to ${name} sent through ${channelName(channel)}.`,
  queuedVia: (name, channel) => `Reminder to ${name} is on its way through ${channelName(channel)}.`,
  failed: (name, why) => `The reminder to ${name} could not be sent: ${why}`,
  retryLater: 'Try again later, or send it yourself with a WhatsApp link.',
  useLink: 'Use a WhatsApp link instead',
  section: 'Payment reminders',
  optedOut: 'opted out',
  optedOutNote: 'No payment reminders for this customer.',
  openSettings: 'Open Settings',
  refusal: {
    customer_opted_out: (name) => `${name} asked not to get payment reminders (opted out), so none was sent.`,
    nothing_owed: (name) => `${name} owes nothing, so there is nothing to remind about.`,
    reminded_recently: (name, next) => next
      ? `${name} was already reminded in the last 24 hours. The next reminder can go at ${next}.`
      : `${name} was already reminded in the last 24 hours.`,
    feature_not_in_plan: () => 'Sending through the WhatsApp Business API is not in this store’s plan. Switch the store to WhatsApp links in Settings, or upgrade the plan.',
    provider_not_configured: () => 'The WhatsApp provider is not set up yet: an admin can finish it in Settings.',
    no_phone: (name) => `${name} has no phone number to send a reminder to.`,
    customer_archived: (name) => `${name} is archived: restore the customer first.`,
    template_failed: (name, next, detail) => `The message could not be written from the store’s template${detail ? ` (${detail})` : ''}. An admin can fix the template in Settings.`,
  },
  reasons: {
    opted_out: 'asked not to get reminders',
    reminded_recently: 'already reminded in the last 24 hours',
    not_overdue: 'nothing overdue yet',
    below_minimum: 'owes less than the minimum',
    no_phone: 'no phone number',
  },
  status: {
    link_ready: 'link ready', queued: 'queued', sent: 'sent', delivered: 'delivered', read: 'read', failed: 'failed',
  },
  statusHelp: {
    link_ready: 'The WhatsApp link was made; the message goes out when it is sent from WhatsApp.',
  },
  channels: { link: 'WhatsApp link', whatsapp_cloud: 'WhatsApp Business API', twilio: 'Twilio WhatsApp' },
  triggers: { manual: 'by hand', bulk: 'remind all', scheduled: 'on schedule' },
  kinds: { reminder: 'Reminder', receipt: 'Receipt' },
  receipt: {
    offer: 'Send receipt on WhatsApp',
    making: 'Preparing the receipt…',
    opened: (name) => `WhatsApp opened with the receipt for ${name}. Tap send in WhatsApp.`,
    sent: (name) => `Receipt sent to ${name}.`,
    failed: (name, why) => `The receipt to ${name} could not be sent: ${why}`,
    done: 'Done',
    recorded: (type, amount, balance) => `${type === 'payment' ? 'Payment' : 'Purchase'} of ${amount} recorded. Balance now ${balance}.`,
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
export function refusalText(err, name = 'This customer') {
  if (!(err instanceof ApiError)) return String((err && err.message) || err);
  if (err.network) return 'Could not reach the server. Check the connection and try again.';
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
    box.push(h('p', { class: 'remind-failed' }, statusChip('failed'), ' ', words.failed(name, r.error_message || r.error_code || 'unknown error')));
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
    last.replaceChildren(T.lastReminder, ' ', formatTime(r.created_at), ' · ', statusChip(r.status), r.kind === 'receipt' ? ` (${T.kinds.receipt.toLowerCase()})` : '');
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
