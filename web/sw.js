// sw.js — QuantumTrack's service worker: keeps the app shell (HTML, CSS, JS,
// icons, manifest) so the app opens without a connection.  The API is never
// cached: /api/ requests are not even intercepted.
//
// Shell files are fetched network-first through the HTTP cache, so the
// server's ETag and Cache-Control keep working exactly as without a worker
// (revalidation, 304s); the worker's copy is only used when the network
// fails.  A new build changes VERSION (tests/browser/tools/sw-version.mjs
// writes it and the file list; a browser test fails when they are stale), so
// the browser installs the new worker, which takes over at once
// (skipWaiting + clients.claim) and drops the old caches.

// BEGIN GENERATED (node tests/browser/tools/sw-version.mjs)
const VERSION = '7efd6a816b26d629';
const SHELL = [
  '/',
  '/css/app.css',
  '/css/documents.css',
  '/css/reports.css',
  '/css/settings.css',
  '/i18n/en.json',
  '/i18n/hi.json',
  '/icons/icon-192.png',
  '/icons/icon-512.png',
  '/icons/icon-maskable-512.png',
  '/icons/icon-maskable.svg',
  '/icons/icon.svg',
  '/js/api.js',
  '/js/app.js',
  '/js/cache.js',
  '/js/charts.js',
  '/js/datefield.js',
  '/js/dom.js',
  '/js/format.js',
  '/js/i18n.js',
  '/js/live.js',
  '/js/main.js',
  '/js/money.js',
  '/js/outbox.js',
  '/js/reminders.js',
  '/js/shortcuts.js',
  '/js/signout.js',
  '/js/views/apartment.js',
  '/js/views/apartments.js',
  '/js/views/audit.js',
  '/js/views/customer-form.js',
  '/js/views/customer.js',
  '/js/views/customers.js',
  '/js/views/dashboard.js',
  '/js/views/data.js',
  '/js/views/documents.js',
  '/js/views/entry.js',
  '/js/views/more.js',
  '/js/views/outbox.js',
  '/js/views/password.js',
  '/js/views/pending.js',
  '/js/views/platform.js',
  '/js/views/remind-bulk.js',
  '/js/views/reminders.js',
  '/js/views/reports.js',
  '/js/views/search.js',
  '/js/views/settings-apikeys.js',
  '/js/views/settings-reminders.js',
  '/js/views/settings-supabase.js',
  '/js/views/settings-usage.js',
  '/js/views/settings.js',
  '/js/views/share.js',
  '/js/views/signin.js',
  '/js/views/statement.js',
  '/js/views/status.js',
  '/js/views/users.js',
  '/manifest.webmanifest',
];
// END GENERATED

const CACHE = 'qt-shell-' + VERSION;
const PREFIX = 'qt-shell-';
const SHELL_SET = new Set(SHELL);
const NAV_TIMEOUT_MS = 6000;

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // 'no-cache': revalidate with the server (ETag), so the new worker does
    // not store an old file from the HTTP cache.
    await cache.addAll(SHELL.map((u) => new Request(u, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys())
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    await self.clients.claim();
  })());
});

function isApi(url) {
  return url.pathname.startsWith('/api/') || url.pathname.startsWith('/s/') ||
    url.pathname === '/healthz' || url.pathname === '/readyz' || url.pathname === '/metrics';
}

// Network first (through the HTTP cache); the cached copy when offline.
async function shell(request, key, timeout) {
  const cache = await caches.open(CACHE);
  try {
    const net = fetch(request);
    const res = await (timeout ? Promise.race([net, new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), timeout))]) : net);
    if (res.ok && res.type === 'basic') cache.put(key, res.clone()).catch(() => {});
    return res;
  } catch (e) {
    const hit = await cache.match(key);
    if (hit) return hit;
    throw e;
  }
}

self.addEventListener('fetch', (event) => {
  const req = event.request;
  if (req.method !== 'GET') return;
  const url = new URL(req.url);
  if (url.origin !== self.location.origin || isApi(url)) return; // the network, untouched
  if (req.mode === 'navigate') {
    // Every page of the app is index.html; the router does the rest.
    event.respondWith(shell(req, '/', NAV_TIMEOUT_MS));
    return;
  }
  if (SHELL_SET.has(url.pathname) && !url.search) event.respondWith(shell(req, url.pathname));
});
