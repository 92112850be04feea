// a11y-audit.mjs — the accessibility checker the browser tests run in the
// page: text contrast (WCAG AA: 4.5:1, 3:1 for large text) computed from
// getComputedStyle against the composited background; every form control
// has a label; every button and link has an accessible name; every image
// has an alt attribute.  check(page, name, found) adds the problems found
// on the page as it is now to `found`.

// Runs in the page: returns a list of problems (strings).
export function audit() {
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

export async function check(page, name, found) {
  await page.evaluate(() => document.fonts && document.fonts.ready);
  const problems = await page.evaluate(audit);
  for (const p of problems) found.push(`${name} @${page.viewportSize().width}: ${p}`);
}
