// outbox.js — purchases and payments kept on this device until the store
// confirms them.
//
// Every entry is written here (IndexedDB, per store and per user) with its
// Idempotency-Key BEFORE the first attempt to send it, and removed only when
// the server has answered 2xx.  So an entry made with no network, or whose
// answer was lost, or whose tab was killed mid-send, is sent again later with
// the SAME key, and the server replays the first result instead of recording
// it twice (docs/API-NOTES.md: only successful responses are stored under a
// key, for 48 hours).
//
// Sending happens on the `online` event, on app start, every 30 s while
// something is pending, and on "Send now"; one tab at a time (Web Locks).
// A refusal (4xx: credit limit exceeded meanwhile, customer archived,
// validation) never drops the entry: it is marked `refused` with the
// server's problem until the user retries, edits or discards it.
//
// A record: { key, owner, customer_id, customer_name, type, amount_minor,
//   body, created_at, state: 'pending'|'sending'|'refused', attempts,
//   first_attempt_at, last_attempt_at, sending_until, problem }
import { api, newIdempotencyKey, ApiError, getSession, serverNow } from './api.js';
import { tx, allOf, ownerOf } from './cache.js';

export const SYNC_EVERY_MS = 30000;
// A send in flight this long without an answer is taken as lost.
const SENDING_MS = 60000;
// The server keeps a key's answer 48 h: past this, an entry sent before
// whose answer never came cannot be replayed safely and waits for the user.
const KEY_SAFE_MS = 46 * 3600000;
const SEND_TIMEOUT_MS = 20000;

function changed(detail = {}) { window.dispatchEvent(new CustomEvent('qt-outbox', { detail })); }
export function onOutboxChange(fn, isCurrent) {
  const h = (e) => { if (isCurrent && !isCurrent()) { window.removeEventListener('qt-outbox', h); return; } fn(e.detail || {}); };
  window.addEventListener('qt-outbox', h);
  return () => window.removeEventListener('qt-outbox', h);
}

// The current owner's records, oldest first; [] when there is no outbox.
export async function outboxList({ customerId } = {}) {
  const owner = ownerOf();
  if (!owner) return [];
  try {
    const all = await allOf('outbox', owner);
    return all.filter((r) => !customerId || r.customer_id === customerId).sort((a, b) => a.created_at - b.created_at);
  } catch { return []; }
}

async function put(rec) { await tx('outbox', 'readwrite', (s) => s.put(rec)); }
export async function outboxGet(key) {
  try { return (await tx('outbox', 'readonly', (s) => s.get(key))) || null; } catch { return null; }
}
export async function outboxRemove(key) {
  await tx('outbox', 'readwrite', (s) => s.delete(key));
  changed({ removed: key });
}

// "now" as the server's clock reads it, a second early, so an entry made on a
// device whose clock runs ahead is not refused as being in the future.
export function occurredNow() { return new Date(serverNow() - 1000).toISOString(); }

// Keep a new entry (its key made here, once) and return the record.  body:
// the POST /transactions body, occurred_at included.  Throws when the device
// cannot keep it (no IndexedDB).  replaces: the key of an entry this one
// corrects (edit after a refusal), removed in the same step.
export async function outboxAdd(customer, body, { key = newIdempotencyKey(), replaces = null, sending = false } = {}) {
  const owner = ownerOf();
  if (!owner) throw new Error('not signed in to a store');
  const now = Date.now();
  const rec = {
    key, owner, customer_id: customer.id, customer_name: customer.name, type: body.type, amount_minor: body.amount_minor,
    body, created_at: now, state: sending ? 'sending' : 'pending', attempts: 0, first_attempt_at: null, last_attempt_at: null,
    sending_until: sending ? now + SENDING_MS : 0, problem: null,
  };
  await tx('outbox', 'readwrite', (s) => { if (replaces && replaces !== key) s.delete(replaces); return s.put(rec); });
  changed({ added: rec });
  schedule();
  return rec;
}

// What a failed send means: 'refused' (the store said no: the user
// decides), or 'later' (no answer, overloaded, signed out: send again).
export function outcomeOf(err) {
  if (!(err instanceof ApiError) || err.network) return 'later';
  if (err.status === 401 || err.status === 408 || err.status === 429 || err.status >= 500) return 'later';
  if (err.code === 'idempotency_key_in_use') return 'later';
  return 'refused';
}

// One attempt for rec.  → { ok: true, entry } | { ok: false, outcome, err }.
// The attempt is written down before the request leaves.  While it is in
// flight this tab holds the lock "qt-send-<key>": another tab (or this one's
// timer) leaves the entry alone, and a tab killed mid-send drops the lock
// with it, so the next start sends the entry again at once (same key).
export function sendRecord(rec) {
  if (!(navigator.locks && navigator.locks.request)) return sendNow(rec);
  return navigator.locks.request('qt-send-' + rec.key, { ifAvailable: true }, (lock) =>
    (lock ? sendNow(rec) : { ok: false, outcome: 'later', err: new ApiError(409, { code: 'idempotency_key_in_use' }) }));
}

async function sendNow(stale) {
  // Sent or discarded meanwhile (another tab, the sheet): nothing to do.
  const rec = await outboxGet(stale.key);
  if (!rec) return { ok: false, outcome: 'gone', err: null };
  if (rec.state === 'refused' && stale.state !== 'refused') return { ok: false, outcome: 'refused', err: null };
  const now = Date.now();
  rec.attempts += 1;
  rec.first_attempt_at = rec.first_attempt_at || now;
  rec.last_attempt_at = now;
  rec.state = 'sending';
  rec.sending_until = now + SENDING_MS;
  await put(rec);
  try {
    const signal = AbortSignal.timeout ? AbortSignal.timeout(SEND_TIMEOUT_MS) : undefined;
    const entry = await api('POST', 'transactions', { body: rec.body, headers: { 'Idempotency-Key': rec.key }, signal });
    await tx('outbox', 'readwrite', (s) => s.delete(rec.key));
    changed({ sent: rec, entry });
    return { ok: true, entry };
  } catch (err) {
    const outcome = outcomeOf(err);
    rec.sending_until = 0;
    if (outcome === 'refused') {
      rec.state = 'refused';
      rec.problem = { status: err.status, code: err.code, detail: err.message, errors: err.problem.errors || [],
        credit_limit_minor: err.problem.credit_limit_minor, balance_minor: err.problem.balance_minor,
        shortfall_minor: err.problem.shortfall_minor, available_credit_minor: err.problem.available_credit_minor };
    } else {
      rec.state = 'pending';
    }
    // Removed meanwhile (discarded in another tab): leave it removed.
    if (await outboxGet(rec.key)) await put(rec);
    changed({ failed: rec, outcome });
    return { ok: false, outcome, err };
  }
}

// The entry sheet's path: keep the entry, then make its first attempt, all
// under the entry's send lock, so a sync running meanwhile (another tab,
// the timer) leaves it to the sheet.  → { rec, result }: result is null
// when nothing was sent (offline), else what sendRecord answers.
export async function keepAndSend(customer, body, { key = newIdempotencyKey(), replaces = null, send = navigator.onLine } = {}) {
  const run = async () => {
    const rec = await outboxAdd(customer, body, { key, replaces, sending: send });
    return { rec, result: send ? await sendNow(rec) : null };
  };
  if (!(navigator.locks && navigator.locks.request)) return run();
  return navigator.locks.request('qt-send-' + key, run);
}

function withLock(fn) {
  if (navigator.locks && navigator.locks.request) return navigator.locks.request('qt-outbox', fn);
  return fn();
}

let syncing = null;
// Send every pending entry of the current owner, oldest first.  Stops at the
// first entry that gets no answer (the network is still gone).  Resolves to
// { sent, refused, left }.
export function syncOutbox() {
  if (syncing) return syncing;
  syncing = withLock(async () => {
    const out = { sent: 0, refused: 0, left: 0 };
    const s = getSession();
    if (!s || !s.token || !navigator.onLine) { out.left = (await outboxList()).filter((r) => r.state !== 'refused').length; return out; }
    const list = await outboxList();
    let stop = false;
    for (const rec of list) {
      if (rec.state === 'refused') continue;
      const noLocks = !(navigator.locks && navigator.locks.request);
      if (stop || (noLocks && rec.state === 'sending' && rec.sending_until > Date.now())) { out.left++; continue; }
      if (rec.first_attempt_at && Date.now() - rec.first_attempt_at > KEY_SAFE_MS) {
        rec.state = 'refused';
        rec.problem = { status: 0, code: 'outcome_unknown', detail: '', errors: [] };
        await put(rec);
        changed({ failed: rec, outcome: 'refused' });
        out.refused++;
        continue;
      }
      const r = await sendRecord(rec);
      if (r.ok) out.sent++;
      else if (r.outcome === 'refused') out.refused++;
      else if (r.outcome === 'gone') continue;
      else { out.left++; if (!r.err || r.err.code !== 'idempotency_key_in_use') stop = true; }
    }
    return out;
  }).finally(() => { syncing = null; schedule(); });
  return syncing;
}

// Try a refused entry again as it is.  The server stored nothing under its
// key (it refused), so the key is kept; after an unknown outcome a new key
// is taken, since the old one's answer is forgotten by now.
export async function retryRecord(key) {
  const rec = await outboxGet(key);
  if (!rec) return null;
  if (rec.problem && rec.problem.code === 'outcome_unknown') {
    await tx('outbox', 'readwrite', (s) => s.delete(rec.key));
    rec.key = newIdempotencyKey();
    rec.first_attempt_at = null;
  }
  rec.state = 'pending';
  rec.problem = null;
  await put(rec);
  changed({ retried: rec });
  return syncOutbox();
}

// Timers: every 30 s while something waits to be sent.
let timer = null;
async function schedule() {
  if (timer) return;
  const waiting = (await outboxList()).some((r) => r.state !== 'refused');
  if (!waiting || timer) return;
  timer = setTimeout(() => { timer = null; syncOutbox(); }, SYNC_EVERY_MS);
}

let started = false;
// Call once the app has a session: sends now, then on `online`.
export function startOutbox() {
  if (!started) {
    started = true;
    window.addEventListener('online', () => { syncOutbox(); });
  }
  return syncOutbox();
}

// What the pending entries (not the refused) of a customer add to the
// balance the server last gave: purchases raise it, payments lower it.
export function pendingDelta(records) {
  let d = 0;
  for (const r of records) {
    if (r.state === 'refused') continue;
    d += r.type === 'purchase' ? r.amount_minor : r.type === 'payment' ? -r.amount_minor : 0;
  }
  return d;
}
