// api.js — the one place that talks to /api/v1: bearer token in memory only,
// refresh through the HttpOnly cookie (X-Requested-With), problem+json errors.

import { language, t } from './i18n.js';

const WEB = { 'X-Requested-With': 'quantumtrack-web' };

export class ApiError extends Error {
  constructor(status, problem, network = false) {
    super((problem && (problem.detail || problem.title)) || (network ? t('error.unreachable') : `HTTP ${status}`));
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || (network ? 'network_error' : 'http_' + status);
    this.network = network;
  }
  // { field: message } from problem.errors
  get fields() {
    const out = {};
    for (const e of this.problem.errors || []) if (e.field && !out[e.field]) out[e.field] = e.message;
    return out;
  }
}

// Tell the app when the server stops or starts answering (offline banner).
let netOk = true;
function netState(ok) {
  if (ok === netOk) return;
  netOk = ok;
  window.dispatchEvent(new CustomEvent('qt-net', { detail: ok }));
}

// A session is { kind: 'tenant'|'operator', token, user, tenant, role }.
let session = null;
let refreshing = null;
const listeners = new Set();

export function getSession() { return session; }
export function onSessionChange(fn) { listeners.add(fn); return () => listeners.delete(fn); }
function setSession(s) { session = s; for (const fn of listeners) fn(s); }

function base(kind) { return kind === 'operator' ? '/api/v1/platform/auth' : '/api/v1/auth'; }

async function readBody(res) {
  const text = await res.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch { return { detail: text.slice(0, 200) }; }
}

// Read-your-writes behind read replicas: every write answers the position of
// its commit (X-QT-Commit-LSN, "X/Y" in hex); the highest seen goes back as
// X-QT-Min-LSN, so a read never shows data older than our own last write.
let minLsn = null;
const lsnValue = (lsn) => { const [hi, lo] = lsn.split('/'); return BigInt('0x' + hi) * 4294967296n + BigInt('0x' + lo); };
function noteLsn(res) {
  const lsn = res.headers.get('X-QT-Commit-LSN');
  if (lsn && /^[0-9A-F]{1,8}\/[0-9A-F]{1,8}$/i.test(lsn) && (!minLsn || lsnValue(lsn) > lsnValue(minLsn))) minLsn = lsn;
}

async function raw(method, path, { body, headers = {}, token, signal } = {}) {
  // Problem details come back in the chosen language (the codes stay English).
  const h = { Accept: 'application/json', 'Accept-Language': language(), ...headers };
  if (token) h.Authorization = 'Bearer ' + token;
  if (minLsn) h['X-QT-Min-LSN'] = minLsn;
  let payload;
  if (body !== undefined) { h['Content-Type'] = 'application/json'; payload = JSON.stringify(body); }
  let res;
  try {
    res = await fetch(path, { method, headers: h, body: payload, credentials: 'same-origin', signal, cache: 'no-store' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    netState(false);
    throw new ApiError(0, null, true);
  }
  netState(true);
  noteLsn(res);
  noteServerClock(res);
  return res;
}

// The server's clock, from the Date header of its answers: entries kept
// offline carry the time they were made, and a phone whose clock is off
// must not make that time look like the future to the server.
let clockOffset = 0;
function noteServerClock(res) {
  const d = Date.parse(res.headers.get('Date') || '');
  if (!Number.isNaN(d)) clockOffset = d - Date.now();
}
export function serverNow() { return Date.now() + clockOffset; }

// Serialise refreshes across tabs: a refresh token is single use, and two
// tabs presenting the same cookie at once would revoke the whole sign-in.
function withRefreshLock(kind, fn) {
  if (navigator.locks && navigator.locks.request) return navigator.locks.request('qt-refresh-' + kind, fn);
  return fn();
}

export async function login(tenant, email, password) {
  const res = await raw('POST', '/api/v1/auth/login', { body: { tenant, email, password }, headers: WEB });
  const j = await readBody(res);
  if (!res.ok) throw new ApiError(res.status, j);
  setSession({ kind: 'tenant', token: j.access_token, user: j.user, tenant: j.tenant, role: j.role });
  return session;
}

export async function operatorLogin(email, password) {
  const res = await raw('POST', '/api/v1/platform/auth/login', { body: { email, password }, headers: WEB });
  const j = await readBody(res);
  if (!res.ok) throw new ApiError(res.status, j);
  try { localStorage.removeItem('qt_operator_signed_out'); } catch { /* storage off */ }
  setSession({ kind: 'operator', token: j.access_token, user: j.operator, role: 'operator' });
  return session;
}

// Refresh from the cookie.  Resolves to the session or null (signed out).
export function refresh(kind = session ? session.kind : 'tenant') {
  if (refreshing) return refreshing;
  refreshing = withRefreshLock(kind, async () => {
    // Name the store this page shows, so a cookie from another store's
    // session is refused (and not used up) rather than signing in there.
    let slug = null;
    try { slug = kind === 'tenant' ? sessionStorage.getItem('qt_tenant') : null; } catch { /* storage off */ }
    const res = await raw('POST', base(kind) + '/refresh', { headers: WEB, body: slug ? { tenant: slug } : undefined });
    const j = await readBody(res);
    if (res.status === 401 || res.status === 422) { if (session && session.kind === kind) setSession(null); return null; }
    if (!res.ok) throw new ApiError(res.status, j);
    const s = kind === 'operator'
      ? { kind, token: j.access_token, user: j.operator, role: 'operator' }
      : { kind, token: j.access_token, user: j.user, tenant: j.tenant, role: j.role };
    setSession(s);
    return s;
  }).finally(() => { refreshing = null; });
  return refreshing;
}

// Sign-out hooks: fn(session) runs before the session is dropped (the
// offline copy and outbox of that user are wiped there).
const signOutHooks = new Set();
export function onSignOut(fn) { signOutHooks.add(fn); return () => signOutHooks.delete(fn); }

// A session known only from this device's last sign-in, with no token: the
// app can show what was last seen while there is no network.  The first
// call that reaches the server refreshes it into a real one (or signs out).
export function setOfflineSession(s) { setSession({ ...s, token: null, offline: true }); }

export async function logout() {
  const s = session;
  for (const fn of signOutHooks) {
    try { await fn(s); } catch (e) { console.warn('sign-out:', e.message); }
  }
  setSession(null);
  if (!s) return;
  if (s.kind === 'operator') {
    // Also remember it locally, so an offline sign-out still stops the
    // automatic refresh on this browser.
    try { localStorage.setItem('qt_operator_signed_out', '1'); } catch { /* storage off */ }
  }
  try { await raw('POST', base(s.kind) + '/logout', { headers: WEB }); } catch { /* offline: cookie stays until it expires */ }
}

// An API call with the session's token; one transparent refresh on 401.
export async function api(method, path, { body, headers, signal, query } = {}) {
  if (query) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
    const q = qs.toString();
    if (q) path += (path.includes('?') ? '&' : '?') + q;
  }
  const url = path.startsWith('/') ? path : '/api/v1/' + path;
  for (let attempt = 0; ; attempt++) {
    const s = session;
    if (s && s.offline && !s.token && attempt === 0 && (await refresh(s.kind))) continue;
    const res = await raw(method, url, { body, headers, token: s && s.token, signal });
    if (res.status === 401 && attempt === 0 && s) {
      const again = await refresh(s.kind);
      if (again) continue;
    }
    if (res.status === 204) return null;
    const j = await readBody(res);
    if (!res.ok) throw new ApiError(res.status, j);
    return j;
  }
}

// Every page of a list (for totals), up to a safety cap.
export async function apiAll(path, query = {}, cap = 5000) {
  const out = [];
  let cursor = null;
  do {
    const page = await api('GET', path, { query: { ...query, limit: 200, cursor } });
    out.push(...page.data);
    cursor = page.next_cursor;
  } while (cursor && out.length < cap);
  return out;
}

// Download with the bearer token (CSV), saved through a blob link.
export async function download(path, filename) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const res = await raw('GET', path, { token: session && session.token, headers: { Accept: 'text/csv' } });
    if (res.status === 401 && attempt === 0 && (await refresh())) continue;
    if (!res.ok) throw new ApiError(res.status, await readBody(res));
    const cd = res.headers.get('Content-Disposition') || '';
    const m = /filename="([^"]+)"/.exec(cd);
    const blob = await res.blob();
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = (m && m[1]) || filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    return;
  }
}

// POST a file as the body (CSV import) with the token; one refresh on 401.
// query: URL parameters; resolves to the JSON answer, throws ApiError.
export async function sendFile(path, file, { contentType = 'text/csv', query = {}, headers = {} } = {}) {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') qs.set(k, String(v));
  const url = (path.startsWith('/') ? path : '/api/v1/' + path) + (qs.toString() ? '?' + qs : '');
  for (let attempt = 0; ; attempt++) {
    const s = session;
    const h = { Accept: 'application/json', 'Content-Type': contentType, ...headers };
    if (s) h.Authorization = 'Bearer ' + s.token;
    if (minLsn) h['X-QT-Min-LSN'] = minLsn;
    let res;
    try {
      res = await fetch(url, { method: 'POST', headers: h, body: file, credentials: 'same-origin', cache: 'no-store' });
    } catch {
      netState(false);
      throw new ApiError(0, null, true);
    }
    netState(true);
    noteLsn(res);
    if (res.status === 401 && attempt === 0 && s && (await refresh(s.kind))) continue;
    const j = await readBody(res);
    if (!res.ok) throw new ApiError(res.status, j);
    return j;
  }
}

export async function discoverTenant(slug) {
  const q = slug ? '?tenant=' + encodeURIComponent(slug) : '';
  const res = await raw('GET', '/api/v1/tenant' + q);
  const j = await readBody(res);
  if (!res.ok) throw new ApiError(res.status, j);
  return j;
}

export function newIdempotencyKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
