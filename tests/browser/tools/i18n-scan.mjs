// i18n-scan.mjs — checks that every word the web app shows comes from the
// message catalogs (web/i18n/<lang>.json).  Used by i18n-catalog.test.mjs;
// also a command:  node tests/browser/tools/i18n-scan.mjs [WEB_DIR]
//
// Reports (each a string "file:line: message"):
//   catalogKeys   — keys in one catalog and not in another; values not a
//                   string or a plural object with 'other'
//   placeholders  — a key whose {placeholders} differ between languages
//   usedKeys      — t('key') in web/js with a key missing from a catalog,
//                   or t() called with a computed (template) key
//   literals      — a string literal with letters put into the DOM without
//                   t(): textContent/innerHTML/innerText/placeholder/title
//                   assignments, setAttribute of aria-label/title/
//                   placeholder/alt, attributes and field options
//                   ('aria-label', title, placeholder, alt, label, hint,
//                   message, confirmLabel) in object literals, the text
//                   arguments of h(tag, attrs, ...text) and of toast(),
//                   spinner(), empty(), setTitle(), modal(), confirmDialog(),
//                   append() and friends, document.title; and any literal
//                   that reads like a sentence ("Capital word and more")
//   html          — index.html text that is not a catalog value
// Only non-words pass: a literal without any letter ('—', '·', '₹', '✕').
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB = fileURLToPath(new URL('../../../web', import.meta.url));

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (p.endsWith('.js')) out.push(p);
  }
  return out;
}

export function loadCatalogs(web = WEB) {
  const dir = join(web, 'i18n');
  const cats = {};
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort())
    cats[f.replace(/\.json$/, '')] = JSON.parse(readFileSync(join(dir, f), 'utf8'));
  return cats;
}

const PLURAL_CATS = new Set(['zero', 'one', 'two', 'few', 'many', 'other']);

function placeholdersOf(v) {
  const set = new Set();
  const texts = typeof v === 'string' ? [v] : v && typeof v === 'object' ? Object.values(v) : [];
  for (const s of texts) for (const m of String(s).matchAll(/\{(\w+)\}/g)) set.add(m[1]);
  return [...set].sort().join(',');
}

export function checkCatalogs(cats) {
  const errs = [];
  const langs = Object.keys(cats);
  if (!cats.en) errs.push('i18n: no en.json');
  const all = new Set(langs.flatMap((l) => Object.keys(cats[l])));
  for (const k of all) {
    for (const l of langs) {
      if (!(k in cats[l])) { errs.push(`i18n/${l}.json: missing key ${k}`); continue; }
      const v = cats[l][k];
      if (typeof v === 'string') { if (!v.trim()) errs.push(`i18n/${l}.json: ${k} is empty`); continue; }
      if (!v || typeof v !== 'object' || typeof v.other !== 'string') { errs.push(`i18n/${l}.json: ${k} is neither text nor a plural object with "other"`); continue; }
      for (const c of Object.keys(v)) if (!PLURAL_CATS.has(c)) errs.push(`i18n/${l}.json: ${k} has unknown plural form ${c}`);
    }
  }
  return errs;
}

export function checkPlaceholders(cats) {
  const errs = [];
  const en = cats.en || {};
  for (const [l, cat] of Object.entries(cats)) {
    if (l === 'en') continue;
    for (const k of Object.keys(en)) {
      if (!(k in cat)) continue;
      const a = placeholdersOf(en[k]), b = placeholdersOf(cat[k]);
      if (a !== b) errs.push(`i18n/${l}.json: ${k} has placeholders {${b}}, en.json has {${a}}`);
      if ((typeof en[k] === 'object') !== (typeof cat[k] === 'object')) errs.push(`i18n/${l}.json: ${k} is plural in one language only`);
    }
  }
  return errs;
}

// ---- a small JS reader: comments blanked, literals located ----

// Returns { code, lits }: code with comments replaced by spaces; lits =
// [{ start, end, quote, text }] (text of a template: its parts outside ${}).
export function lex(src) {
  const out = src.split('');
  const lits = [];
  let i = 0;
  const n = src.length;
  let prevSignificant = '';
  const blank = (a, b) => { for (let k = a; k < b; k++) if (out[k] !== '\n') out[k] = ' '; };
  function template(startIdx) {
    // at backtick
    let j = startIdx + 1, text = '';
    while (j < n && src[j] !== '`') {
      if (src[j] === '\\') { text += src[j + 1]; j += 2; continue; }
      if (src[j] === '$' && src[j + 1] === '{') {
        let depth = 1; j += 2;
        text += ' ';
        while (j < n && depth > 0) {
          const c = src[j];
          if (c === "'" || c === '"') { j = str(j).end; continue; }
          if (c === '`') { j = template(j).end; continue; }
          if (c === '{') depth++;
          else if (c === '}') depth--;
          j++;
        }
        continue;
      }
      text += src[j]; j++;
    }
    return { start: startIdx, end: j + 1, quote: '`', text };
  }
  function str(startIdx) {
    const q = src[startIdx];
    let j = startIdx + 1, text = '';
    while (j < n && src[j] !== q && src[j] !== '\n') {
      if (src[j] === '\\') { text += src[j + 1]; j += 2; continue; }
      text += src[j]; j++;
    }
    return { start: startIdx, end: j + 1, quote: q, text };
  }
  while (i < n) {
    const c = src[i];
    if (c === '/' && src[i + 1] === '/') { const e = src.indexOf('\n', i); const end = e < 0 ? n : e; blank(i, end); i = end; continue; }
    if (c === '/' && src[i + 1] === '*') { const e = src.indexOf('*/', i + 2); const end = e < 0 ? n : e + 2; blank(i, end); i = end; continue; }
    if (c === '/' && /[(,=:[!&|?{};]|^$|return$/.test(prevSignificant)) {
      // a regular expression literal
      let j = i + 1, cls = false;
      while (j < n && src[j] !== '\n') {
        if (src[j] === '\\') { j += 2; continue; }
        if (src[j] === '[') cls = true; else if (src[j] === ']') cls = false;
        else if (src[j] === '/' && !cls) break;
        j++;
      }
      blank(i + 1, j);
      i = j + 1; prevSignificant = 'x';
      continue;
    }
    if (c === "'" || c === '"') { const l = str(i); lits.push(l); i = l.end; prevSignificant = 'x'; continue; }
    if (c === '`') {
      const l = template(i);
      lits.push(l);
      // literals inside ${} are found by lexing the inner code again
      const inner = src.slice(i + 1, l.end - 1);
      for (const m of inner.matchAll(/\$\{/g)) void m;
      i = l.end; prevSignificant = 'x';
      continue;
    }
    if (!/\s/.test(c)) {
      if (/[A-Za-z0-9_$]/.test(c)) {
        let j = i; while (j < n && /[A-Za-z0-9_$]/.test(src[j])) j++;
        prevSignificant = src.slice(i, j) === 'return' ? 'return' : 'x';
        i = j; continue;
      }
      prevSignificant = c;
    }
    i++;
  }
  return { code: out.join(''), lits };
}

const hasLetter = (s) => /\p{L}/u.test(s);

// Literals at depth 0 of the expression starting at pos (up to the first
// top-level , ; ) ] } or a top-level newline after a complete operand).
function exprLiterals(code, litAt, pos) {
  const found = [];
  let depth = 0, i = pos;
  const n = code.length;
  while (i < n) {
    const l = litAt.get(i);
    if (l) { if (depth === 0) found.push(l); i = l.end; continue; }
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') { if (depth === 0) break; depth--; }
    else if ((c === ',' || c === ';') && depth === 0) break;
    i++;
  }
  return { found, end: i };
}

// Top-level argument start positions of the call whose '(' is at open.
function callArgs(code, litAt, open) {
  const starts = [open + 1];
  let depth = 0, i = open + 1;
  const n = code.length;
  while (i < n) {
    const l = litAt.get(i);
    if (l) { i = l.end; continue; }
    const c = code[i];
    if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') { if (depth === 0) break; depth--; }
    else if (c === ',' && depth === 0) starts.push(i + 1);
    i++;
  }
  return starts;
}

const TEXT_CALLS = {
  // name → argument indexes that are shown
  h: 'rest2', s: 'rest2', toast: [0], spinner: [0], empty: [0], setTitle: [0], modal: [0], confirmDialog: [0, 1],
  append: 'all', prepend: 'all', replaceChildren: 'all', before: 'all', after: 'all', createTextNode: [0],
  setError: [0], alert: [0], confirm: [0], prompt: [0], errorBox: [], link: [1],
};
const ATTR_KEYS = ['aria-label', 'aria-description', 'title', 'placeholder', 'alt', 'label', 'hint', 'message', 'confirmLabel', 'emptyText', 'text'];
const SET_PROPS = ['textContent', 'innerHTML', 'innerText', 'outerHTML', 'placeholder', 'title', 'label', 'ariaLabel', 'alt'];

export function scanSource(src, file = 'file.js', lineOf = null) {
  const { code, lits } = lex(src);
  const litAt = new Map(lits.map((l) => [l.start, l]));
  const line = lineOf || ((pos) => src.slice(0, pos).split('\n').length);
  const errs = [];
  const flagged = new Set();
  const flag = (l, why) => {
    if (flagged.has(l.start) || !hasLetter(l.text)) return;
    // a comparison operand ('suspended' in x === 'suspended' ? …) is not shown
    if (/[!=]==?\s*$/.test(code.slice(Math.max(0, l.start - 5), l.start)) || /^\s*[!=]==?/.test(code.slice(l.end, l.end + 5))) return;
    flagged.add(l.start);
    errs.push(`${file}:${line(l.start)}: ${why}: ${l.quote}${l.text.slice(0, 60)}${l.quote}`);
  };
  // a local t would hide the catalog's t() in a file that uses it
  if (/import\s*\{[^}]*\bt\b[^}]*\}\s*from\s*'[^']*i18n\.js'/.test(code)) {
    for (const m of code.matchAll(/\b(?:const|let|var)\s+t\b(?!\w)|[(,]\s*t\s*(?=[,)=])(?![^\n]*=>\s*t\()|\[\s*(?:\w+\s*,\s*)?t\s*\]/g))
      errs.push(`${file}:${line(m.index)}: a local name t shadows t() from i18n.js`);
  }
  // t('key') uses
  const keys = [];
  for (const m of code.matchAll(/(?<![\w$.])t\(\s*/g)) {
    const p = m.index + m[0].length;
    const l = litAt.get(p);
    if (l && l.quote !== '`') keys.push({ key: l.text, line: line(p) });
    else if (l && l.quote === '`') errs.push(`${file}:${line(p)}: t() with a computed key ${l.quote}${l.text}${l.quote}; name every key`);
  }
  // property assignments
  for (const m of code.matchAll(new RegExp(`\\.(${SET_PROPS.join('|')})\\s*(\\+?=)(?!=)\\s*`, 'g'))) {
    for (const l of exprLiterals(code, litAt, m.index + m[0].length).found) flag(l, `.${m[1]} ${m[2]} text not from t()`);
  }
  for (const m of code.matchAll(/document\.title\s*=\s*/g))
    for (const l of exprLiterals(code, litAt, m.index + m[0].length).found) flag(l, 'document.title not from t()');
  // setAttribute('aria-label', 'x')
  for (const m of code.matchAll(/\.setAttribute\(\s*/g)) {
    const open = m.index + m[0].length - 1 - (m[0].length - m[0].indexOf('(') - 1);
    const starts = callArgs(code, litAt, code.indexOf('(', m.index));
    void open;
    const a0 = litAt.get(skipWs(code, starts[0]));
    if (!a0 || !/^(aria-label|aria-description|title|placeholder|alt)$/.test(a0.text) || starts.length < 2) continue;
    for (const l of exprLiterals(code, litAt, skipWs(code, starts[1])).found) flag(l, `setAttribute('${a0.text}') text not from t()`);
  }
  // attribute / option objects: key: 'text'
  for (const l of lits) {
    if (l.quote === '`') continue;
    if (!ATTR_KEYS.includes(l.text)) continue;
    if (/\?\s*$/.test(code.slice(Math.max(0, l.start - 3), l.start))) continue; // c ? 'text' : 'password'
    const after = code.slice(l.end).match(/^\s*:\s*/);
    if (!after) continue;
    for (const x of exprLiterals(code, litAt, l.end + after[0].length).found) flag(x, `'${l.text}' not from t()`);
  }
  for (const m of code.matchAll(new RegExp(`(?<![\\w$.'"-])(${ATTR_KEYS.filter((k) => /^\w+$/.test(k)).join('|')})\\s*:\\s*`, 'g'))) {
    if (code[m.index - 1] === '?') continue;
    for (const x of exprLiterals(code, litAt, m.index + m[0].length).found) flag(x, `${m[1]}: not from t()`);
  }
  // option lists of a select: options: [['value', 'Label'], …] — the label is shown
  for (const m of code.matchAll(/\boptions\s*:\s*\[/g)) {
    let depth = 0, i = m.index + m[0].length - 1;
    const tuples = [];
    for (; i < code.length; i++) {
      const l = litAt.get(i);
      if (l) { if (depth === 2) tuples.push(l); i = l.end - 1; continue; }
      if (code[i] === '[') depth++;
      else if (code[i] === ']') { depth--; if (depth === 0) break; }
    }
    for (const l of tuples) if (/,\s*$/.test(code.slice(Math.max(0, l.start - 4), l.start))) flag(l, 'option label not from t()');
  }
  // text-showing calls
  for (const m of code.matchAll(/(?<![\w$])(?:\.)?([A-Za-z_$][\w$]*)\s*\(/g)) {
    const name = m[1];
    const which = Object.hasOwn(TEXT_CALLS, name) ? TEXT_CALLS[name] : null;
    if (!which) continue;
    if (name === 'h' && code[m.index - 1] === '.') continue;
    const starts = callArgs(code, litAt, m.index + m[0].length - 1);
    starts.forEach((s, idx) => {
      const shown = which === 'all' || (which === 'rest2' ? idx >= 2 : which.includes(idx));
      if (!shown) return;
      for (const l of exprLiterals(code, litAt, s).found) flag(l, `${name}() text not from t()`);
    });
  }
  // anything that reads like a sentence, except in console/Error/new URL
  for (const l of lits) {
    if (flagged.has(l.start)) continue;
    if (!/^\s*\p{Lu}\p{Ll}*[ ,’'][^]*\p{Ll}/u.test(l.text) && !/^\p{Lu}\p{Ll}+ \p{Ll}+/u.test(l.text)) continue;
    const before = code.slice(Math.max(0, l.start - 40), l.start);
    if (/(console\.\w+|Error|warn|throw new \w+)\(\s*$/.test(before) || /import\s*$|from\s*$/.test(before)) continue;
    flag(l, 'text not from t()');
  }
  return { errs, keys };
}

function skipWs(code, i) { while (/\s/.test(code[i] || '')) i++; return i; }

export function scanWeb(web = WEB) {
  const cats = loadCatalogs(web);
  const out = { catalogKeys: checkCatalogs(cats), placeholders: checkPlaceholders(cats), usedKeys: [], literals: [], html: [] };
  const files = walk(join(web, 'js'));
  for (const f of files) {
    if (f.endsWith('i18n.js')) continue;
    const rel = relative(web, f);
    const { errs, keys } = scanSource(readFileSync(f, 'utf8'), rel);
    out.literals.push(...errs.filter((e) => !/computed key|shadows t/.test(e)));
    out.usedKeys.push(...errs.filter((e) => /computed key|shadows t/.test(e)));
    for (const { key, line } of keys)
      for (const [l, cat] of Object.entries(cats)) if (!(key in cat)) out.usedKeys.push(`${rel}:${line}: t('${key}') is not in i18n/${l}.json`);
  }
  // index.html: every text node and alt/title/aria-label is a catalog value
  const values = new Set();
  for (const cat of Object.values(cats)) for (const v of Object.values(cat)) for (const s of typeof v === 'string' ? [v] : Object.values(v)) values.add(s.trim());
  const html = readFileSync(join(web, 'index.html'), 'utf8').replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  for (const m of html.matchAll(/>([^<]+)</g)) {
    const text = m[1].trim();
    if (text && hasLetter(text) && !values.has(text)) out.html.push(`index.html: "${text}" is not a catalog text`);
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const r = scanWeb(process.argv[2] || WEB);
  let n = 0;
  for (const [k, list] of Object.entries(r)) for (const e of list) { console.log(`[${k}] ${e}`); n++; }
  console.log(`${n} problem(s)`);
  process.exit(n ? 1 : 0);
}
