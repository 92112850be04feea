// live.js — live updates from the store's event stream (GET /api/v1/events).
//
// One EventSource per tab, opened with a single-use ticket
// (POST /api/v1/events/ticket): access tokens never go in a URL.  Every
// event's id is kept, so a stream that broke (server restart, network
// change, laptop asleep) is reopened with a new ticket and
// ?last_event_id=, and the server sends what was missed.  When the server
// no longer has that far back it sends `reset`, and screens reload
// everything.  Events carry the server's figures (a customer's new
// balance, the store's outstanding total): screens show those, or fetch
// again, and never add amounts themselves, so an event seen twice or a
// reload in between cannot count anything twice.
//
//   const off = onLive((e) => { ... }, isCurrent);   // e: {type, id, data}
//   onLiveStatus((s) => ...);                        // 'connecting' | 'live' | 'reconnecting' | 'off'
//
// Listeners go away when their isCurrent() says false (the screen was
// left) or when off() is called.  Viewers and plans without live updates
// get 'off' and no stream.
import { api, getSession, onSessionChange, ApiError } from './api.js';
import { t } from './i18n.js';

const TYPES = ['entry.created', 'entry.reversed', 'customer.created', 'customer.updated', 'customer.archived',
  'reminder.created', 'reminder.updated', 'summary.changed', 'reset'];
const RETRY_MS = [1000, 2000, 5000, 10000, 15000];

let source = null;
let lastId = null;
let status = 'off';
let attempts = 0;
let retryTimer = null;
let opening = false;
let refused = false;       // 403: this account or plan has no live updates
const listeners = new Set();
const statusListeners = new Set();

function setStatus(s) {
  if (s === status) return;
  status = s;
  for (const fn of [...statusListeners]) fn(s);
}

export function liveStatus() { return status; }

function alive(l) {
  if (l.isCurrent && !l.isCurrent()) { listeners.delete(l); return false; }
  return true;
}

function emit(type, ev) {
  if (ev.lastEventId) lastId = ev.lastEventId;
  let data = null;
  try { data = ev.data ? JSON.parse(ev.data) : null; } catch { /* not ours */ }
  const e = { type, id: ev.lastEventId ? Number(ev.lastEventId) : null, data };
  for (const l of [...listeners]) if (alive(l)) l.fn(e);
  if (!listeners.size) stop();
}

function close() {
  if (source) { source.close(); source = null; }
  clearTimeout(retryTimer);
  retryTimer = null;
}

function stop() {
  close();
  attempts = 0;
  setStatus('off');
}

function scheduleRetry() {
  close();
  if (!listeners.size || !getSession()) { stop(); return; }
  setStatus('reconnecting');
  const wait = RETRY_MS[Math.min(attempts, RETRY_MS.length - 1)];
  attempts++;
  retryTimer = setTimeout(open, wait);
}

async function open() {
  if (opening || refused) return;
  if (!getSession() || !listeners.size) { stop(); return; }
  close();
  opening = true;
  if (status !== 'reconnecting') setStatus('connecting');
  let ticket;
  try {
    ticket = (await api('POST', 'events/ticket')).ticket;
  } catch (e) {
    opening = false;
    if (e instanceof ApiError && e.status === 403) { refused = true; stop(); return; }
    scheduleRetry();
    return;
  } finally {
    opening = false;
  }
  const qs = new URLSearchParams({ ticket });
  if (lastId !== null) qs.set('last_event_id', lastId);
  const es = new EventSource('/api/v1/events?' + qs.toString());
  source = es;
  es.addEventListener('open', () => { if (source === es) { attempts = 0; setStatus('live'); } });
  // A ticket works once, so the browser's own reconnect cannot succeed:
  // every break is ours to mend, with a fresh ticket and the last id.
  es.addEventListener('error', () => { if (source === es) scheduleRetry(); });
  es.addEventListener('ready', (ev) => { if (source === es && ev.lastEventId) lastId = ev.lastEventId; });
  for (const type of TYPES) es.addEventListener(type, (ev) => { if (source === es) emit(type, ev); });
}

// After sleep or a network change the old connection may be dead without
// the browser noticing: open a fresh one (it resumes from the last id).
function wake() {
  if (!listeners.size || refused || !getSession()) return;
  attempts = 0;
  open();
}
window.addEventListener('online', wake);
window.addEventListener('offline', () => { if (listeners.size && source) { close(); setStatus('reconnecting'); } });
document.addEventListener('visibilitychange', () => { if (document.visibilityState === 'visible' && status !== 'live') wake(); });
window.addEventListener('pageshow', (e) => { if (e.persisted) wake(); });
document.addEventListener('resume', wake);

onSessionChange((s) => {
  if (!s) { refused = false; lastId = null; stop(); }
});

// Listen to every event until isCurrent() is false or off() is called.
export function onLive(fn, isCurrent) {
  const l = { fn, isCurrent };
  listeners.add(l);
  if (!source && !opening && !retryTimer) open();
  return () => { listeners.delete(l); if (!listeners.size) stop(); };
}

// Status changes (also called once now).  Returns the off function.
export function onLiveStatus(fn, isCurrent) {
  const wrapped = (s) => { if (isCurrent && !isCurrent()) { statusListeners.delete(wrapped); return; } fn(s); };
  statusListeners.add(wrapped);
  fn(status);
  return () => statusListeners.delete(wrapped);
}

// A function that runs fn at most once per ms, at the end (for reloads a
// burst of events asks for).
export function coalesce(fn, ms = 250) {
  let timer = null;
  return () => {
    if (timer) return;
    timer = setTimeout(() => { timer = null; fn(); }, ms);
  };
}

// "live" / "reconnecting…" for a screen's heading; hidden while off.
export function liveIndicator(isCurrent) {
  const el = document.createElement('span');
  el.className = 'live-state';
  el.setAttribute('role', 'status');
  el.id = 'live-state';
  onLiveStatus((s) => {
    el.dataset.state = s;
    el.hidden = s === 'off';
    el.textContent = s === 'live' ? t('live.live') : s === 'off' ? '' : s === 'connecting' ? t('live.connecting') : t('live.reconnecting');
    el.title = s === 'live' ? t('live.title_on') : t('live.title_off');
  }, isCurrent);
  return el;
}
