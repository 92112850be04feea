// Accessibility checks on the main screens, phone and desktop: text contrast
// (WCAG AA: 4.5:1, 3:1 for large text) computed from getComputedStyle against
// the composited background; every form control has a label; every button
// and link has an accessible name; every image has an alt attribute.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setup, newPage, signIn, apiToken, customerByName, OWNER, OPERATOR, PHONE, DESKTOP } from './helpers.mjs';
import { createTenant } from '../lib/server.mjs';

let srv, browser, token;

before(async () => {
  ({ srv, browser } = await setup());
  token = await apiToken(srv, OWNER);
});
after(async () => {
  await browser?.close();
  await srv?.stop();
});

// Runs in the page: returns a list of problems (strings).
function audit() {
  const problems = [];
  const parse = (c) => {
    const m = /rgba?\(([^)]+)\)/.exec(c || '');
    if (!m) return null;
    const p = m[1].split(/[\s,/]+/).filter(Boolean).map(Number);
    return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 };
  };
  const over = (top, under) => ({
    r: top.r * top.a + under.r * (1 - top.a), g: top.g * top.a + under.g * (1 - top.a),
    b: top.b * top.a + under.b * (1 - top.a), a: 1,
  });
  const lum = ({ r, g, b }) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  // The colour behind el: its own and its ancestors' backgrounds, composited.
  function background(el) {
    const layers = [];
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
      const cs = getComputedStyle(n);
      if (cs.backgroundImage && cs.backgroundImage !== 'none') return null; // cannot tell
      const c = parse(cs.backgroundColor);
      if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
    }
    let acc = { r: 255, g: 255, b: 255, a: 1 };
    for (const l of layers.reverse()) acc = over(l, acc);
    return acc;
  }
  const visible = (el) => {
    if (!el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const describe = (el) => {
    const t = (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
    return `<${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''}> "${t}"`;
  };
  function check(el, color, fontPx, weight, what) {
    const bg = background(el);
    if (!bg) return;
    let fg = parse(color);
    if (!fg) return;
    if (fg.a < 1) fg = over(fg, bg);
    let opacity = 1;
    for (let n = el; n && n.nodeType === 1; n = n.parentElement) opacity *= Number(getComputedStyle(n).opacity);
    if (opacity < 1) fg = over({ ...fg, a: opacity }, bg);
    const large = fontPx >= 24 || (fontPx >= 18.66 && weight >= 700);
    const need = large ? 3 : 4.5;
    const r = ratio(fg, bg);
    if (r < need) problems.push(`contrast ${r.toFixed(2)} < ${need}${what}: ${describe(el)} (${color} on rgb(${Math.round(bg.r)}, ${Math.round(bg.g)}, ${Math.round(bg.b)}))`);
  }
  for (const el of document.querySelectorAll('body *')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'OPTION', 'TITLE'].includes(el.tagName)) continue;
    if (el.closest('[disabled], [aria-disabled="true"]')) continue; // inactive controls are exempt
    const ownText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    const isField = el.matches('input:not([type=checkbox]):not([type=radio]):not([type=hidden]), select, textarea');
    if (!ownText && !isField) continue;
    if (!visible(el)) continue;
    const cs = getComputedStyle(el);
    if (ownText || (isField && el.value)) check(el, cs.color, parseFloat(cs.fontSize), Number(cs.fontWeight), '');
    if (isField && !el.value && el.placeholder) {
      const ps = getComputedStyle(el, '::placeholder');
      check(el, ps.color, parseFloat(cs.fontSize), Number(cs.fontWeight), ' (placeholder)');
    }
  }
  // Labels: every form control someone can reach.
  const nameOf = (el) => {
    const by = el.getAttribute('aria-labelledby');
    if (by) return by.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ').trim();
    return (el.getAttribute('aria-label') || '').trim();
  };
  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden' || el.closest('[hidden]') || getComputedStyle(el).display === 'none') continue;
    if (!el.getClientRects().length) continue;
    const label = nameOf(el) || [...(el.labels || [])].map((l) => l.textContent).join(' ').trim() || (el.title || '').trim();
    if (!label) problems.push(`no label: ${describe(el)} name=${el.name}`);
  }
  // Buttons and links: an accessible name.
  for (const el of document.querySelectorAll('button, [role=button], a[href], summary')) {
    if (!el.getClientRects().length) continue;
    const text = nameOf(el) || (el.innerText || '').trim() || (el.title || '').trim() ||
      [...el.querySelectorAll('img[alt]')].map((i) => i.alt).join(' ').trim();
    if (!text) problems.push(`no accessible name: ${describe(el)} ${el.outerHTML.slice(0, 80)}`);
  }
  for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) problems.push(`img without alt: ${img.src}`);
  // Colour scheme sanity: the page has a lang.
  if (!document.documentElement.lang) problems.push('html has no lang');
  return problems;
}

async function check(page, name, found) {
  await page.evaluate(() => document.fonts && document.fonts.ready);
  const problems = await page.evaluate(audit);
  for (const p of problems) found.push(`${name} @${page.viewportSize().width}: ${p}`);
}

test('the checker itself finds low contrast, a missing label and a nameless button', async () => {
  const { context, page } = await newPage(browser, srv);
  await page.goto('/?tenant=quantumtrack');
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  await page.evaluate(() => {
    const box = document.createElement('div');
    box.id = 'bad';
    const p = document.createElement('p');
    p.textContent = 'pale text';
    p.style.color = '#aaaaaa';
    const big = document.createElement('p');
    big.textContent = 'big grey text passes as large text';
    big.style.cssText = 'color: #8c8c8c; font-size: 30px';
    const input = document.createElement('input');
    const button = document.createElement('button');
    button.innerHTML = '<span aria-hidden="true"></span>';
    box.append(p, big, input, button);
    document.body.append(box);
  });
  const problems = await page.evaluate(audit);
  assert.equal(problems.length, 3, problems.join('\n'));
  assert.match(problems[0], /contrast 2\.\d+ < 4\.5.*pale text/);
  assert.match(problems[1], /no label/);
  assert.match(problems[2], /no accessible name/);
  await context.close();
});

test('main screens pass contrast, label and name checks at phone and desktop sizes', async () => {
  const found = [];
  const rajesh = await customerByName(srv, token, 'Rajesh Kumar');
  for (const vp of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, vp);
    await page.goto('/?tenant=no-such-store');
    await page.getByRole('heading', { name: 'Store not found' }).waitFor();
    await check(page, 'unknown-store', found);
    await page.goto('/?tenant=quantumtrack');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await check(page, 'signin', found);
    // Errors shown too.
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('.form-error').waitFor();
    await check(page, 'signin-errors', found);
    await signIn(page, OWNER);
    await page.getByText('Total owed').waitFor();
    await check(page, 'dashboard', found);
    await page.locator('#search').fill('361');
    await page.locator('#search-results li').first().waitFor();
    await check(page, 'search', found);
    await context.setOffline(true);
    await page.locator('#offline-banner').waitFor();
    await check(page, 'offline-banner', found);
    await context.setOffline(false);
    const screens = [
      ['customers', '/customers', '#customer-list'],
      ['customer', `/customers/${rajesh.id}`, '.ledger'],
      ['statement', `/customers/${rajesh.id}/statement`, '.table'],
      ['customer-edit', `/customers/${rajesh.id}/edit`, '#customer-form'],
      ['customer-new', '/customers/new', '#customer-form'],
      ['apartments', '/apartments', '.towers'],
      ['tower', '/apartments/36', '.units'],
      ['flat', '/apartments/unit/36194', '#residents'],
      ['users', '/users', '.user-row'],
      ['settings', '/settings', 'form'],
      ['settings-reminders', '/settings?section=reminders', '.preview .bubble'],
      ['settings-whatsapp', '/settings?section=whatsapp', '.provider-body'],
      ['audit', '/audit', '.audit-row'],
      ['more', '/more', '.menu'],
      ['password', '/account/password', '#password-form'],
      ['reports-aging', '/reports', '.bucket'],
      ['reports-daily', '/reports/daily', '#daily-chart'],
      ['reports-towers', '/reports/towers', '#tower-report'],
    ];
    for (const [name, path, sel] of screens) {
      await page.goto(path);
      await page.locator(sel).first().waitFor();
      await check(page, name, found);
    }
    // Sheets: purchase (with the limit box), payment, adjustment with errors, reverse.
    await page.goto(`/customers/${rajesh.id}`);
    await page.getByRole('button', { name: 'Purchase on credit' }).click();
    const dlg = page.locator('dialog[open]');
    await dlg.getByRole('button', { name: 'Change date/time' }).click();
    await dlg.locator('summary').click();
    await dlg.getByRole('button', { name: '+ Add item' }).click();
    await check(page, 'purchase-sheet', found);
    await dlg.getByLabel('Amount (INR)').fill('99999999');
    await dlg.getByRole('button', { name: /Record purchase/ }).click();
    await dlg.locator('.limit-box').waitFor();
    await check(page, 'credit-limit', found);
    await dlg.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Payment received' }).click();
    await check(page, 'payment-sheet', found);
    await dlg.getByRole('button', { name: 'Close' }).click();
    await page.getByRole('button', { name: 'Adjustment' }).click();
    await dlg.getByRole('button', { name: 'Record adjustment' }).click();
    await dlg.locator('.field-error').first().waitFor();
    await check(page, 'adjustment-sheet', found);
    await dlg.getByRole('button', { name: 'Close' }).click();
    await page.locator('.ledger').getByRole('button', { name: 'Reverse' }).first().click();
    await check(page, 'reverse-sheet', found);
    await dlg.getByRole('button', { name: 'Close' }).click();
    assert.deepEqual(page.errors, []);
    await context.close();
  }
  // Reports on a plan without them; the operator console.
  const t = createTenant(srv, { slug: 'a11y-free', plan: 'free' });
  for (const vp of [PHONE, DESKTOP]) {
    const { context, page } = await newPage(browser, srv, vp);
    await signIn(page, t, t.slug, '/reports');
    await page.locator('#reports-not-in-plan').waitFor();
    await check(page, 'reports-not-in-plan', found);
    await context.close();
    const op = await newPage(browser, srv, vp);
    await op.page.goto('/platform');
    await op.page.getByLabel('Operator email').fill(OPERATOR.email);
    await op.page.getByLabel('Password').fill(OPERATOR.password);
    await op.page.getByRole('button', { name: 'Sign in' }).click();
    await op.page.getByRole('heading', { name: 'Stores' }).waitFor();
    await check(op.page, 'platform', found);
    await op.context.close();
  }
  assert.deepEqual(found, [], `${found.length} accessibility problems:\n${found.join('\n')}`);
});
