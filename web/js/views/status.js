// Pages shown before sign-in: unknown store, suspended store.
import { h } from '../dom.js';
import { state } from '../app.js';

export function render(root, kind, { slug, onContinue }) {
  if (kind === 'unknown') {
    document.title = 'Store not found · QuantumTrack';
    const input = h('input', { id: 'store-slug', name: 'tenant', required: true, autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', pattern: '[a-z0-9][a-z0-9-]{1,62}' });
    root.append(h('div', { class: 'centered' },
      h('div', { class: 'card status-page', dataset: { status: 'unknown' } },
        h('img', { src: '/icons/icon.svg', alt: '', width: 56, height: 56 }),
        h('h1', null, 'Store not found'),
        h('p', null, slug ? `There is no store called “${slug}” here.` : 'This address does not belong to a store.'),
        h('p', { class: 'muted' }, 'Check the link you were given, or type your store’s code below.'),
        h('form', { method: 'get', action: '/', class: 'inline-form' },
          h('div', { class: 'field' }, h('label', { for: 'store-slug' }, 'Store code'), input),
          h('button', { type: 'submit', class: 'btn primary' }, 'Open store')))));
    return;
  }
  document.title = `${state.tenant.name} is suspended`;
  root.append(h('div', { class: 'centered' },
    h('div', { class: 'card status-page', dataset: { status: 'suspended' } },
      h('img', { src: '/icons/icon.svg', alt: '', width: 56, height: 56 }),
      h('h1', null, `${state.tenant.name} is suspended`),
      h('p', null, 'This store’s account is on hold. Its records are safe and can still be read, but no purchases, payments or changes can be recorded until the store is reactivated.'),
      h('p', { class: 'muted' }, 'Store owners: contact QuantumTrack support to reactivate.'),
      h('button', { type: 'button', class: 'btn', onclick: onContinue }, 'Sign in to read'))));
}
