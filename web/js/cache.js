// cache.js — this device's copy of what the signed-in user last saw, in
// IndexedDB, so the counter can still read the dashboard, the customers and
// each customer's recent ledger when the network is gone, and the outbox
// (outbox.js) of entries waiting to be sent.
//
// Everything is filed under an owner, "<tenant id>:<user id>": one store's
// user never reads another's copy, and signing out deletes the signed-out
// owner's records (wipeOwner).  Nothing here is the truth: the server's
// answer replaces a cached one as soon as it arrives.
//
// Records:
//   cache  { id: owner|name, owner, name, data, at }   at: ms since epoch
//   outbox { key, owner, ... }                         see outbox.js
import { getSession, apiAll } from './api.js';
import { intlLocale } from './i18n.js';

const DB_NAME = 'quantumtrack';
const DB_VERSION = 1;
// Customers kept for search offline: the ones seen, up to this many.
export const MAX_CUSTOMERS = 5000;

let dbp = null;

export function openDb() {
  if (dbp) return dbp;
  dbp = new Promise((resolve, reject) => {
    if (!('indexedDB' in self)) { reject(new Error('IndexedDB is not available')); return; }
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      if (!db.objectStoreNames.contains('cache')) db.createObjectStore('cache', { keyPath: 'id' }).createIndex('owner', 'owner');
      if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'key' }).createIndex('owner', 'owner');
    };
    req.onsuccess = () => {
      const db = req.result;
      // Another tab upgrading the schema: let it, open again next time.
      db.onversionchange = () => { db.close(); dbp = null; };
      resolve(db);
    };
    req.onerror = () => reject(req.error);
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
  dbp.catch(() => { dbp = null; });
  return dbp;
}

// Run fn(store) in one transaction; resolves to fn's request result (or
// fn's return value when it is not a request) once the transaction commits.
export async function tx(storeName, mode, fn) {
  const db = await openDb();
  return new Promise((resolve, reject) => {
    const t = db.transaction(storeName, mode);
    let out;
    const r = fn(t.objectStore(storeName));
    if (r && typeof r === 'object' && 'onsuccess' in r) r.onsuccess = () => { out = r.result; };
    else out = r;
    t.oncomplete = () => resolve(out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error || new Error('transaction aborted'));
  });
}

// Every record of one owner in a store.
export function allOf(storeName, owner) {
  return tx(storeName, 'readonly', (s) => s.index('owner').getAll(IDBKeyRange.only(owner)));
}

// The owner of the current session, or null (signed out, operator).
export function ownerOf(s = getSession()) {
  if (!s || s.kind !== 'tenant' || !s.tenant || !s.user) return null;
  return `${s.tenant.id}:${s.user.id}`;
}

// Keep data under name for the current owner.  Never throws: a device with
// no room (or private mode) simply has no offline copy.
export async function cachePut(name, data) {
  const owner = ownerOf();
  if (!owner) return;
  try {
    await tx('cache', 'readwrite', (s) => s.put({ id: owner + '|' + name, owner, name, data, at: Date.now() }));
  } catch (e) { console.warn('offline copy not kept:', e.message); }
}

// → { data, at } or null.
export async function cacheGet(name) {
  const owner = ownerOf();
  if (!owner) return null;
  try {
    const r = await tx('cache', 'readonly', (s) => s.get(owner + '|' + name));
    return r ? { data: r.data, at: r.at } : null;
  } catch { return null; }
}

// The customers seen, by id, merged into one record (search offline reads
// it).  rows: customers as the API returns them.
let pendingRows = new Map(), flushTimer = null;
export function rememberCustomers(rows) {
  if (!ownerOf() || !rows || !rows.length) return;
  for (const c of rows) if (c && c.id) pendingRows.set(c.id, c);
  if (!flushTimer) flushTimer = setTimeout(flushCustomers, 200);
}
async function flushCustomers() {
  flushTimer = null;
  const rows = pendingRows;
  pendingRows = new Map();
  const owner = ownerOf();
  if (!owner) return;
  try {
    const old = await cacheGet('customers');
    const map = new Map(old ? old.data.map((c) => [c.id, c]) : []);
    for (const [id, c] of rows) { map.delete(id); map.set(id, c); }
    let list = [...map.values()];
    if (list.length > MAX_CUSTOMERS) list = list.slice(list.length - MAX_CUSTOMERS);
    await cachePut('customers', list);
  } catch (e) { console.warn('offline customers not kept:', e.message); }
}
// Wait for customers handed to rememberCustomers to be written.
export async function customersWritten() { if (flushTimer) { clearTimeout(flushTimer); await flushCustomers(); } }

// The full customer list as of at, replacing what was merged before.
export async function replaceCustomers(rows) {
  pendingRows = new Map();
  if (flushTimer) { clearTimeout(flushTimer); flushTimer = null; }
  await cachePut('customers', rows.slice(0, MAX_CUSTOMERS));
}

// The cached customers matching q as the server's search does: name or phone
// digits contain it, or the flat number starts with it ("361" → tower 36,
// floors 10-19).  → { rows, at } (rows empty when nothing is cached).
export async function searchCachedCustomers(q, { limit = 10, status = 'active' } = {}) {
  const got = await cacheGet('customers');
  if (!got) return { rows: [], at: null };
  const needle = q.trim().toLowerCase();
  const digits = needle.replace(/\D/g, '');
  const rows = got.data.filter((c) => {
    if (status !== 'all' && c.status !== status) return false;
    if (!needle) return true;
    if ((c.name || '').toLowerCase().includes(needle)) return true;
    if (digits && digits === needle.replace(/[\s+-]/g, '')) {
      if (c.apartment && String(c.apartment).startsWith(digits)) return true;
      if ((c.phone || '').replace(/\D/g, '').includes(digits)) return true;
    }
    return false;
  }).sort((a, b) => (a.name || '').localeCompare(b.name || ''));
  return { rows: limit ? rows.slice(0, limit) : rows, at: got.at };
}

// Recently opened customers (chips on the dashboard), newest first.
const RECENT_MAX = 6;
export async function recentCustomers() {
  const got = await cacheGet('recent');
  return got ? got.data : [];
}
export async function touchRecent(c) {
  if (!c || !c.id) return;
  const list = (await recentCustomers()).filter((x) => x.id !== c.id);
  list.unshift({ id: c.id, name: c.name, apartment: c.apartment || null });
  await cachePut('recent', list.slice(0, RECENT_MAX));
}

// Delete every record of owner (sign-out).  Resolves when done.
export async function wipeOwner(owner) {
  if (!owner) return;
  for (const name of ['cache', 'outbox']) {
    await tx(name, 'readwrite', (s) => {
      const req = s.index('owner').openKeyCursor(IDBKeyRange.only(owner));
      req.onsuccess = () => { const c = req.result; if (c) { s.delete(c.primaryKey); c.continue(); } };
      return null;
    });
  }
}

// Only the read copy (not the outbox) of owner: a session that ended by
// itself keeps the entries still to be sent for when the user is back.
export async function wipeReadCopy(owner) {
  if (!owner) return;
  await tx('cache', 'readwrite', (s) => {
    const req = s.index('owner').openKeyCursor(IDBKeyRange.only(owner));
    req.onsuccess = () => { const c = req.result; if (c) { s.delete(c.primaryKey); c.continue(); } };
    return null;
  });
}

// "as of 10:42" (today) or "as of 28 Nov, 10:42", in the store's zone.
export function asOfText(at, timeZone) {
  const t = new Date(at);
  const opts = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
  if (timeZone) opts.timeZone = timeZone;
  const day = (x) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(x);
  const sameDay = day(t) === day(new Date());
  const time = new Intl.DateTimeFormat('en-GB', opts).format(t);
  if (sameDay) return time;
  const date = new Intl.DateTimeFormat(intlLocale(), { timeZone, day: 'numeric', month: 'short' }).format(t);
  return `${date}, ${time}`;
}

// Keep the whole customer list (for search offline), at most every 30
// minutes, in the background.  Never throws.
const FULL_EVERY_MS = 30 * 60000;
let fullRunning = false;
export async function refreshCustomerCopy({ force = false } = {}) {
  if (fullRunning || !ownerOf() || !navigator.onLine) return;
  fullRunning = true;
  try {
    const last = await cacheGet('customers-full');
    if (!force && last && Date.now() - last.at < FULL_EVERY_MS) return;
    const rows = await apiAll('customers', { status: 'all' }, MAX_CUSTOMERS);
    await replaceCustomers(rows);
    await cachePut('customers-full', true);
  } catch { /* next time */ } finally { fullRunning = false; }
}
