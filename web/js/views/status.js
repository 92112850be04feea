// Pages shown before sign-in: unknown store, suspended store.
import { h } from '../dom.js';
import { state } from '../app.js';
import { t } from '../i18n.js';

export function render(root, kind, { slug, onContinue }) {
  if (kind === 'unknown') {
    document.title = t('status.title_unknown');
    const input = h('input', { id: 'store-slug', name: 'tenant', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', pattern: '[a-z0-9][a-z0-9-]{1,62}' });
    root.append(h('div', { class: 'centered' },
      h('div', { class: 'card status-page', dataset: { status: 'unknown' } },
        h('img', { src: '/icons/icon.svg', alt: '', width: 56, height: 56 }),
        h('h1', null, t('status.not_found')),
        h('p', null, slug ? t('status.no_store', { slug }) : t('status.no_address')),
        h('p', { class: 'muted' }, t('status.check')),
        h('form', { method: 'get', action: '/', class: 'inline-form' },
          h('div', { class: 'field' }, h('label', { for: 'store-slug' }, t('status.code')), input),
          h('button', { type: 'submit', class: 'btn primary' }, t('status.open'))))));
    return;
  }
  document.title = t('status.suspended', { store: state.tenant.name });
  root.append(h('div', { class: 'centered' },
    h('div', { class: 'card status-page', dataset: { status: 'suspended' } },
      h('img', { src: '/icons/icon.svg', alt: '', width: 56, height: 56 }),
      h('h1', null, t('status.suspended', { store: state.tenant.name })),
      h('p', null, t('status.hold')),
      h('p', { class: 'muted' }, t('status.contact')),
      h('button', { type: 'button', class: 'btn', onclick: onContinue }, t('status.read')))));
}
