// main.js — start-up: find the store, restore the session, route.
import { discoverTenant, refresh, getSession, onSessionChange, logout, ApiError, api, onSignOut, setOfflineSession } from './api.js';
import { state, setNavigator, setTitle, isAdminReader, suspended, roleName } from './app.js';
import { h, clear, spinner, errorBox, toast } from './dom.js';
import { configureMoney } from './money.js';
import { configureDates } from './format.js';
import { t, setLanguage, setStoreLocale, resolveLanguage, intlLocale, onLanguageChange, language } from './i18n.js';
import { ownerOf, wipeOwner, wipeReadCopy } from './cache.js';
import { startOutbox, syncOutbox, outboxList, onOutboxChange } from './outbox.js';
import { installShortcuts } from './shortcuts.js';
import { signOut } from './signout.js';

const root = document.getElementById('app');

// Screens: pattern → module loader.  New screens add one line here.
const routes = [
  ['/', () => import('./views/dashboard.js')],
  ['/customers', () => import('./views/customers.js')],
  ['/customers/new', () => import('./views/customer-form.js')],
  ['/customers/:id', () => import('./views/customer.js')],
  ['/customers/:id/edit', () => import('./views/customer-form.js')],
  ['/customers/:id/statement', () => import('./views/statement.js')],
  ['/apartments', () => import('./views/apartments.js')],
  ['/apartments/:tower', () => import('./views/apartments.js')],
  ['/apartments/unit/:number', () => import('./views/apartment.js')],
  ['/users', () => import('./views/users.js')],
  ['/settings', () => import('./views/settings.js')],
  ['/audit', () => import('./views/audit.js')],
  ['/more', () => import('./views/more.js')],
  ['/account/password', () => import('./views/password.js')],
  ['/reports', () => import('./views/reports.js')],
  ['/reports/:kind', () => import('./views/reports.js')],
  ['/reminders', () => import('./views/reminders.js')],
  ['/data', () => import('./views/data.js')],
  ['/outbox', () => import('./views/outbox.js')],
];

function match(path) {
  const parts = path.replace(/\/+$/, '').split('/').filter(Boolean);
  let best = null;
  for (const [pattern, load] of routes) {
    const pp = pattern.split('/').filter(Boolean);
    if (pp.length !== parts.length) continue;
    const params = {};
    let ok = true, score = 0;
    for (let i = 0; i < pp.length; i++) {
      if (pp[i].startsWith(':')) params[pp[i].slice(1)] = decodeURIComponent(parts[i]);
      else if (pp[i] === parts[i]) score++;
      else { ok = false; break; }
    }
    if (ok && (!best || score > best.score)) best = { load, params, score };
  }
  return best;
}

let shell = null, renderToken = 0;

function navItems() {
  const items = [['/', t('nav.home'), '⌂'], ['/customers', t('nav.customers'), '☰'], ['/apartments', t('nav.apartments'), '▦']];
  const admin = isAdminReader() ? [['/users', t('nav.users')], ['/settings', t('nav.settings')], ['/audit', t('nav.audit')]] : [];
  return { items, admin, wide: [['/reports', t('nav.reports')]] };
}

function buildShell() {
  const s = getSession();
  const { items, admin, wide } = navItems();
  const topNav = h('nav', { class: 'topnav', 'aria-label': t('nav.main') },
    [...items, ...wide, ...admin].map(([href, label]) => h('a', { href, dataset: { nav: href } }, label)),
    h('button', { type: 'button', class: 'btn-link signout', onclick: signOut }, t('nav.sign_out')));
  const bottomNav = h('nav', { class: 'tabbar', 'aria-label': t('nav.main') },
    [...items, ['/more', t('nav.more'), '⋯']].map(([href, label, icon]) =>
      h('a', { href, dataset: { nav: href } }, h('span', { class: 'tab-icon', 'aria-hidden': 'true' }, icon), h('span', null, label))));
  const main = h('main', { id: 'main', tabindex: '-1' });
  const header = h('header', { class: 'appbar' },
    h('a', { href: '/', class: 'brand' }, h('img', { src: '/icons/icon.svg', alt: '', width: 28, height: 28 }), h('span', null, state.tenant.name)),
    h('a', { href: '/more', class: 'who', title: t('nav.account_more') }, `${s.user.name || s.user.email} · ${roleName(s.role)}`),
    topNav);
  const banner = suspended() ? h('p', { class: 'banner warn', role: 'status' }, t('banner.suspended')) : null;
  clear(root);
  root.removeAttribute('aria-busy');
  root.append(...[h('a', { href: '#main', class: 'skip' }, t('nav.skip')), header, banner, outboxBanner, main, bottomNav].filter(Boolean));
  shell = { main, navs: [topNav, bottomNav] };
  placeNetBanner();
  updateOutboxBanner();
}

// Entries kept on this device: how many wait to be sent, how many the store
// refused (those need the user); a link to the list.
const outboxBanner = h('p', { id: 'outbox-banner', class: 'banner outbox', role: 'status', hidden: true });
async function updateOutboxBanner() {
  const list = await outboxList();
  const refused = list.filter((r) => r.state === 'refused').length;
  const waiting = list.length - refused;
  outboxBanner.hidden = !list.length;
  outboxBanner.classList.toggle('refused', refused > 0);
  const parts = [];
  if (waiting) parts.push(t('outbox.banner_waiting', { count: waiting }));
  if (refused) parts.push(t('outbox.banner_refused', { count: refused }));
  outboxBanner.replaceChildren(h('span', null, parts.join(' · ')), ' ', h('a', { href: '/outbox' }, refused ? t('outbox.resolve') : t('outbox.see_them')));
}
onOutboxChange(() => updateOutboxBanner());

// Offline: a banner that stays while the connection is gone (the app shell
// comes from the service worker; store data never does).
const netBanner = h('p', { id: 'offline-banner', class: 'banner offline', role: 'status', hidden: true });
function fillNetBanner() { clear(netBanner).append(h('strong', null, t('net.offline_strong')), ' ', t('net.offline_rest')); }
let serverDown = false;
function placeNetBanner() {
  const header = root.querySelector('header.appbar');
  if (header) header.append(netBanner); else root.before(netBanner);
}
function updateNet() {
  const off = !navigator.onLine || serverDown;
  netBanner.hidden = !off;
  document.body.classList.toggle('is-offline', off);
}
window.addEventListener('offline', updateNet);
window.addEventListener('online', async () => {
  serverDown = false;
  updateNet();
  // Screens that failed for want of a connection try again by themselves.
  if (root.querySelector('.offline-page')) { start(); return; }
  const s = getSession();
  if (s && s.offline) {
    // Opened offline: sign in again from the cookie, then send and redraw.
    try { if (!(await refresh('tenant'))) return; } catch { return; }
    syncOutbox();
    if (!document.querySelector('dialog[open]')) render();
    return;
  }
  if (shell && (shell.main.querySelector('.error-box') || shell.main.querySelector('.as-of:not([hidden])'))) render();
});
window.addEventListener('qt-net', (e) => { serverDown = !e.detail && navigator.onLine; updateNet(); });
placeNetBanner();
updateNet();


// The last store session of this device (no token: that stays in memory),
// so the app can open offline on what it saw last.
const LAST = 'qt_offline_session';
function rememberSession(s) {
  if (!s || s.kind !== 'tenant' || !s.token || !state.tenant) return;
  try { localStorage.setItem(LAST, JSON.stringify({ tenant: state.tenant, session: { kind: s.kind, user: s.user, tenant: s.tenant, role: s.role } })); } catch { /* storage off */ }
}
function lastSession(slug) {
  try {
    const v = JSON.parse(localStorage.getItem(LAST) || 'null');
    return v && v.tenant && v.session && (!slug || v.tenant.slug === slug) ? v : null;
  } catch { return null; }
}
function forgetSession() { try { localStorage.removeItem(LAST); } catch { /* storage off */ } }
onSignOut(async (s) => {
  forgetSession();
  await wipeOwner(ownerOf(s));
});

async function render() {
  const token = ++renderToken;
  const path = location.pathname;
  if (!getSession()) { showSignIn(); return; }
  if (!shell) buildShell();
  const m = match(path);
  for (const nav of shell.navs)
    for (const a of nav.querySelectorAll('a[data-nav]')) {
      const href = a.dataset.nav;
      const on = href === '/' ? path === '/' : path === href || path.startsWith(href + '/');
      if (on) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
    }
  const main = shell.main;
  clear(main).append(spinner());
  if (!m) {
    clear(main).append(h('h1', { tabindex: '-1' }, t('nav.not_found')), h('p', null, h('a', { href: '/' }, t('nav.go_dashboard'))));
    setTitle(t('nav.not_found_title'));
    return;
  }
  try {
    const mod = await m.load();
    if (token !== renderToken) return;
    const view = h('div', { class: 'view' });
    // Views may pass null/false/arrays to append(), as they do to h().
    view.append = (...children) => { const tmp = h('div', null, ...children); Element.prototype.append.call(view, ...tmp.childNodes); };
    const query = new URLSearchParams(location.search);
    await mod.render({ root: view, params: m.params, query, isCurrent: () => token === renderToken });
    if (token !== renderToken) return;
    clear(main).append(view);
    const h1 = view.querySelector('h1');
    // A screen may ask for its main field to have the focus (the dashboard's
    // search on a desktop); otherwise a navigation focuses the heading.
    const auto = view.querySelector('[data-autofocus]');
    if (auto && !document.querySelector('dialog[open]')) auto.focus({ preventScroll: true });
    else if (h1 && navigated) { h1.setAttribute('tabindex', '-1'); h1.focus({ preventScroll: true }); }
    if (navigated) window.scrollTo(0, 0);
  } catch (err) {
    if (token !== renderToken) return;
    console.error(err);
    clear(main).append(errorBox(err instanceof ApiError || err.network ? err : new Error(String(err.message || err)), () => render()));
  }
}

let navigated = false;
function go(url, { replace = false } = {}) {
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  navigated = true;
  render();
}
setNavigator(go);

document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = e.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/') || url.pathname.startsWith('/platform')) return;
  if (a.getAttribute('href').startsWith('#')) return;
  e.preventDefault();
  go(url.pathname + url.search);
});
window.addEventListener('popstate', () => { navigated = true; render(); });

async function showSignIn() {
  shell = null;
  const mod = await import('./views/signin.js');
  clear(root);
  placeNetBanner();
  root.removeAttribute('aria-busy');
  mod.render(root, { onSignedIn: async () => { await useUserLanguage(); navigated = false; render(); } });
}

async function statusPage(kind, slug) {
  const mod = await import('./views/status.js');
  clear(root);
  placeNetBanner();
  root.removeAttribute('aria-busy');
  mod.render(root, kind, { slug, onContinue: () => continueStart(), retry: () => start() });
}

function storedSlug() {
  try { return sessionStorage.getItem('qt_tenant') || localStorage.getItem('qt_last_tenant'); } catch { return null; }
}
function keepSlug(slug) {
  try { sessionStorage.setItem('qt_tenant', slug); localStorage.setItem('qt_last_tenant', slug); } catch { /* storage off */ }
}

// The words come first: the language picked on this device (or English)
// until the store and the user say otherwise.
let booted = false;
async function boot() {
  if (booted) return;
  try { await setLanguage(resolveLanguage(null, null)); } catch (e) { console.warn('catalog:', e.message); }
  fillNetBanner();
  booted = true;
}

// A new language redraws the shell and the screen.
onLanguageChange(() => {
  if (!booted) return;
  fillNetBanner();
  if (state.tenant) setTitle('');
  if (shell) { shell = null; render(); }
});

// The user's language (GET auth/me), else this device's pick, else the
// store's locale, else English.
async function useUserLanguage() {
  const s = getSession();
  let lang = s && s.user ? s.user.language : null;
  if (s && s.kind === 'tenant' && s.user && !('language' in s.user)) {
    try {
      // { user, tenant, role, language: 'hi' | null, effective_language }
      const me = await api('GET', 'auth/me');
      lang = me ? (me.language ?? (me.user && me.user.language) ?? null) : null;
      s.user.language = lang;
    } catch { /* offline, or an older server: keep the current one */ }
  }
  const want = resolveLanguage(lang, state.tenant && state.tenant.locale);
  if (want !== language()) await setLanguage(want);
}

async function start() {
  await boot();
  clear(root).append(spinner(t('boot.opening')));
  placeNetBanner();
  root.setAttribute('aria-busy', 'true');
  const params = new URLSearchParams(location.search);
  const urlSlug = params.get('tenant');
  let tenant = null;
  try {
    try {
      tenant = await discoverTenant(urlSlug || storedSlug());
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 404 || urlSlug) throw e;
      // No store for this host: the refresh cookie may still know it.
      const s = await refresh('tenant');
      if (!s) throw e;
      tenant = await discoverTenant(s.tenant.slug);
    }
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) { statusPage('unknown', urlSlug); return; }
    if (e.network) { if (!(await openOffline(urlSlug || storedSlug()))) offlinePage(); return; }
    clear(root).append(h('div', { class: 'centered' }, h('h1', null, t('app.name')), errorBox(e, () => start())));
    root.removeAttribute('aria-busy');
    return;
  }
  state.tenant = tenant;
  keepSlug(tenant.slug);
  setStoreLocale(tenant.locale);
  configureMoney(intlLocale(), tenant.currency);
  configureDates(intlLocale(), tenant.timezone);
  const want = resolveLanguage(null, tenant.locale);
  if (want !== language()) await setLanguage(want);
  setTitle('');
  if (urlSlug) {
    params.delete('tenant');
    const q = params.toString();
    history.replaceState(null, '', location.pathname + (q ? '?' + q : '') + location.hash);
  }
  if (tenant.status === 'suspended' && !getSession()) { statusPage('suspended', tenant.slug); return; }
  continueStart();
}

// No network at start: open on this device's copy when it has one.
async function openOffline(slug) {
  const last = lastSession(slug);
  if (!last) return false;
  const tenant = last.tenant;
  state.tenant = tenant;
  setStoreLocale(tenant.locale);
  configureMoney(intlLocale(), tenant.currency);
  configureDates(intlLocale(), tenant.timezone);
  setOfflineSession(last.session);
  const want = resolveLanguage(last.session.user && last.session.user.language, tenant.locale);
  if (want !== language()) await setLanguage(want);
  navigated = false;
  render();
  return true;
}

function offlinePage() {
  shell = null;
  document.title = t('offline.title');
  clear(root).append(h('div', { class: 'centered' },
    h('div', { class: 'card status-page offline-page' },
      h('img', { src: '/icons/icon.svg', alt: '', width: 56, height: 56 }),
      h('h1', null, navigator.onLine ? t('offline.cannot_reach') : t('offline.you_are')),
      h('p', null, t('offline.body')),
      h('p', { class: 'muted' }, t('offline.later')),
      h('button', { type: 'button', class: 'btn primary', onclick: () => start() }, t('offline.try_again')))));
  root.removeAttribute('aria-busy');
  placeNetBanner();
  updateNet();
}

async function continueStart() {
  try {
    let s = getSession();
    if (!s || s.offline) {
      const was = s;
      s = await refresh('tenant');
      // The session ended elsewhere (expired, password changed): the copy
      // of what it saw goes; entries not yet sent stay for its next sign-in.
      if (!s) { forgetSession(); if (was) await wipeReadCopy(ownerOf(was)).catch(() => {}); }
    }
    if (s && s.tenant && s.tenant.slug !== state.tenant.slug) s = null;
    if (!s) { showSignIn(); return; }
    await useUserLanguage();
    navigated = false;
    render();
  } catch (e) {
    if (e.network) { offlinePage(); return; }
    clear(root).append(h('div', { class: 'centered' }, errorBox(e, () => continueStart())));
  }
}

onSessionChange((s) => {
  if (!s && shell) { shell = null; showSignIn(); return; }
  if (s && s.kind === 'tenant' && s.token) { rememberSession(s); startOutbox(); updateOutboxBanner(); }
});
installShortcuts();

if (location.pathname === '/platform' || location.pathname.startsWith('/platform/')) {
  boot().then(() => import('./views/platform.js')).then((m) => m.start(root)).catch((e) => {
    clear(root).append(errorBox(e, () => location.reload()));
  });
} else {
  start();
}

// The service worker keeps the app shell (HTML, CSS, JS, icons) so the app
// opens without a connection; it never caches the API.  A new build's worker
// takes over at once (skipWaiting + clients.claim).
if ('serviceWorker' in navigator && window.isSecureContext) {
  const hadController = !!navigator.serviceWorker.controller;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    if (hadController) toast(t('app.updated'));
  });
  const reg = () => navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch((e) => console.warn('service worker:', e.message));
  if (document.readyState === 'complete') reg(); else window.addEventListener('load', reg);
}
