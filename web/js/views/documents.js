// documents.js — a customer's documents on the customer page: attach a photo
// from the phone's camera (or a file: JPEG, PNG, WebP, PDF, at most 10 MiB),
// the list with thumbnails for images, open, delete (admins).  Files are
// fetched with the session's token and shown through object URLs, revoked
// once the page is left.
import { getSession, refresh, ApiError, newIdempotencyKey } from '../api.js';
import { state, canWrite, canAdmin } from '../app.js';
import { h, clear, toast, confirmDialog, modal, spinner, errorBox, empty } from '../dom.js';
import { formatTime } from '../format.js';
import { t } from '../i18n.js';

const MAX_BYTES = 10 * 1024 * 1024;
const TYPES = ['image/jpeg', 'image/png', 'image/webp', 'application/pdf'];
const THUMBS_MAX = 24;   // thumbnails fetched per page

function loadCss() {
  if (document.querySelector('link[data-css="documents"]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/css/documents.css', dataset: { css: 'documents' } }));
}

export function documentsInPlan() {
  const f = state.tenant && state.tenant.features;
  return !Array.isArray(f) || f.includes('documents');
}

// fetch() with the bearer token and one refresh on 401.
async function authed(method, path, { body, headers = {} } = {}) {
  for (let attempt = 0; ; attempt++) {
    const s = getSession();
    const h2 = { ...headers };
    if (s && s.token) h2.Authorization = 'Bearer ' + s.token;
    let res;
    try {
      res = await fetch(path, { method, headers: h2, body, credentials: 'same-origin', cache: 'no-store' });
    } catch {
      throw new ApiError(0, null, true);
    }
    if (res.status === 401 && attempt === 0 && s && (await refresh(s.kind))) continue;
    if (!res.ok) {
      let problem = null;
      try { problem = await res.json(); } catch { /* not JSON */ }
      throw new ApiError(res.status, problem);
    }
    return res;
  }
}

export function formatBytes(n) {
  if (n < 1024) return t('docs.bytes', { n });
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

// A camera photo over the limit is scaled down to a JPEG that fits;
// anything else goes as it is.
async function fitted(file) {
  if (file.size <= MAX_BYTES || !/^image\/(jpeg|png|webp)$/.test(file.type) || !window.createImageBitmap) return file;
  const img = await createImageBitmap(file);
  for (const edge of [3000, 2400, 1800]) {
    const k = Math.min(1, edge / Math.max(img.width, img.height));
    const canvas = h('canvas', { width: Math.round(img.width * k), height: Math.round(img.height * k) });
    canvas.getContext('2d').drawImage(img, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise((res) => canvas.toBlob(res, 'image/jpeg', 0.85));
    if (blob && blob.size <= MAX_BYTES) {
      const name = file.name.replace(/\.[^.]*$/, '') + '.jpg';
      return new File([blob], name, { type: 'image/jpeg' });
    }
  }
  return file;
}

function fileIcon(doc) {
  return h('span', { class: 'doc-icon', 'aria-hidden': 'true' }, doc.content_type === 'application/pdf' ? t('docs.pdf') : t('docs.img'));
}

// The documents section of customer c.  Returns the element; it fills
// itself in.
export function documentsSection(c) {
  loadCss();
  const urls = new Set();
  const status = h('p', { class: 'doc-status', role: 'status', 'aria-live': 'polite' });
  const list = h('div', { class: 'doc-list' }, spinner(t('docs.loading')));
  const section = h('section', { class: 'documents card', 'aria-labelledby': 'documents-h', id: 'documents' },
    h('h2', { id: 'documents-h' }, t('docs.title')));

  const objectUrl = (blob) => { const u = URL.createObjectURL(blob); urls.add(u); return u; };
  // The page is left: give the memory back.
  const watch = new MutationObserver(() => {
    if (section.isConnected) return;
    for (const u of urls) URL.revokeObjectURL(u);
    urls.clear();
    watch.disconnect();
  });
  setTimeout(() => { if (section.isConnected) watch.observe(document.body, { childList: true, subtree: true }); }, 0);

  const blobOf = async (doc) => {
    const res = await authed('GET', `/api/v1/documents/${doc.id}`);
    return new Blob([await res.arrayBuffer()], { type: doc.content_type });
  };

  const open = async (doc, button) => {
    button.disabled = true;
    try {
      const url = objectUrl(await blobOf(doc));
      if (doc.content_type === 'application/pdf') {
        // A download: the browser's own viewer opens it from there.
        const a = h('a', { href: url, download: doc.filename, hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
      } else {
        const img = h('img', { src: url, alt: doc.filename, class: 'doc-full' });
        modal(doc.filename, [img, h('p', { class: 'muted small' }, `${formatBytes(doc.size_bytes)} · ${formatTime(doc.created_at)}`),
          h('div', { class: 'actions' }, h('a', { class: 'btn', href: url, download: doc.filename }, t('docs.download')))], { wide: true });
      }
    } catch (e) {
      toast(e.code === 'document_corrupt' ? t('docs.corrupt') : e.message, 'error');
    } finally {
      button.disabled = false;
    }
  };

  const remove = async (doc) => {
    if (!(await confirmDialog(t('docs.delete_q'), t('docs.delete_body', { name: doc.filename }), { confirmLabel: t('op.delete'), danger: true }))) return;
    try {
      await authed('DELETE', `/api/v1/documents/${doc.id}`);
      toast(t('op.deleted', { name: doc.filename }));
      load();
    } catch (e) { toast(e.message, 'error'); }
  };

  const row = (doc, i) => {
    const isImage = doc.content_type.startsWith('image/');
    const thumb = h('span', { class: 'doc-thumb' }, fileIcon(doc));
    if (isImage && i < THUMBS_MAX) {
      blobOf(doc).then((b) => {
        clear(thumb).append(h('img', { src: objectUrl(b), alt: '', loading: 'lazy', decoding: 'async' }));
      }).catch(() => { /* the icon stays */ });
    }
    const openBtn = h('button', { type: 'button', class: 'btn small', 'aria-label': t('docs.open_named', { name: doc.filename }) }, t('apt.open'));
    openBtn.addEventListener('click', () => open(doc, openBtn));
    return h('li', { class: 'doc', dataset: { id: doc.id } },
      // A tap target for the picture; keyboards and screen readers have the Open button.
      h('span', { class: 'doc-thumb-btn', 'aria-hidden': 'true', onclick: () => open(doc, openBtn) }, thumb),
      h('div', { class: 'doc-main' },
        h('span', { class: 'doc-name' }, doc.filename),
        h('span', { class: 'doc-meta muted small' }, `${formatBytes(doc.size_bytes)} · ${formatTime(doc.created_at)}`)),
      h('div', { class: 'doc-actions' }, openBtn,
        canAdmin() ? h('button', { type: 'button', class: 'btn small', 'aria-label': t('docs.delete_named', { name: doc.filename }), onclick: () => remove(doc) }, t('op.delete')) : null));
  };

  async function load() {
    try {
      const res = await authed('GET', `/api/v1/customers/${c.id}/documents?limit=50`);
      const page = await res.json();
      // A plan without documents shows the section only for what it kept.
      section.hidden = !page.data.length && !documentsInPlan();
      clear(list).append(page.data.length ? h('ul', { class: 'doc-items' }, page.data.map(row)) : empty(t('docs.none')));
    } catch (e) {
      clear(list).append(errorBox(e, load));
    }
  }

  const upload = async (input) => {
    const picked = input.files && input.files[0];
    input.value = '';
    if (!picked) return;
    let f = picked;
    try { f = await fitted(picked); } catch { /* sent as it is; the server decides */ }
    if (!TYPES.includes(f.type)) {
      status.textContent = t('docs.only_types', { name: f.name });
      status.className = 'doc-status error';
      return;
    }
    if (f.size > MAX_BYTES) {
      status.textContent = t('docs.too_big', { name: f.name, size: formatBytes(f.size) });
      status.className = 'doc-status error';
      return;
    }
    status.textContent = t('docs.uploading', { name: f.name });
    status.className = 'doc-status';
    section.setAttribute('aria-busy', 'true');
    try {
      const res = await authed('POST', `/api/v1/customers/${c.id}/documents?filename=${encodeURIComponent(f.name)}`, {
        body: f, headers: { 'Content-Type': f.type, 'Idempotency-Key': newIdempotencyKey() },
      });
      const doc = await res.json();
      status.textContent = '';
      toast(t('docs.attached', { name: doc.filename }));
      load();
    } catch (e) {
      const p = e.problem || {};
      status.textContent = p.code === 'storage_quota_exceeded' ? t('docs.full')
        : p.code === 'file_too_large' ? t('docs.over')
        : p.code === 'unsupported_media_type' ? t('docs.types')
        : e.message;
      status.className = 'doc-status error';
    } finally {
      section.removeAttribute('aria-busy');
    }
  };

  const active = c.status === 'active';
  if (canWrite() && active && documentsInPlan()) {
    const camera = h('input', { type: 'file', accept: 'image/*,application/pdf', capture: 'environment', id: 'doc-camera', class: 'sr-only' });
    const picker = h('input', { type: 'file', accept: 'image/jpeg,image/png,image/webp,application/pdf', id: 'doc-file', class: 'sr-only' });
    camera.addEventListener('change', () => upload(camera));
    picker.addEventListener('change', () => upload(picker));
    section.append(h('div', { class: 'doc-add' },
      camera, h('label', { for: 'doc-camera', class: 'btn primary' }, t('docs.photo')),
      picker, h('label', { for: 'doc-file', class: 'btn' }, t('docs.choose')),
      h('span', { class: 'muted small' }, t('docs.hint'))));
  }
  section.append(status, list);
  load();
  return section;
}
