// openapi_check.mjs — does a live response match what GET /api/v1/openapi.json
// says of its operation?  Used by tests/lib/server.mjs on every srv.api() call
// (see QT_OPENAPI_CHECK there) and by tests/api/openapi_responses.test.mjs.
//
//   const check = responseChecker(doc);
//   const problems = check({ method, path, status, contentType, text, json });
//   // [] or ['POST /api/v1/customers 201: /phone must be string', ...]
//
// A response must have a status the operation documents (its own, NXX or,
// for a problem, `default`), a Content-Type the status documents, a body
// that validates against that content's schema (JSON Schema 2020-12, the
// OpenAPI 3.1 dialect, with ajv), and, for a problem, a `code` listed under
// the operation's x-problem-codes for that status.  Paths that name no
// operation (unknown routes, web assets, /s/ pages) are not checked.
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function responseChecker(doc) {
  // strict: an unknown keyword in a schema (a typo) is an error, except the
  // keywords OpenAPI adds to JSON Schema.
  const ajv = new Ajv2020({ strict: true, allErrors: true, strictRequired: false, allowUnionTypes: true, inlineRefs: false });
  addFormats(ajv);
  ajv.addVocabulary(['discriminator', 'xml', 'externalDocs', 'example']);
  // Schemas refer to '#/components/schemas/<name>': the components are
  // registered as one schema's $defs and the references pointed there.
  const rebase = (v) => {
    if (Array.isArray(v)) return v.map(rebase);
    if (v && typeof v === 'object') {
      const o = {};
      for (const [k, x] of Object.entries(v))
        o[k] = k === '$ref' && typeof x === 'string' && x.startsWith('#/components/schemas/')
          ? 'openapi.json#/$defs/' + x.slice('#/components/schemas/'.length) : rebase(x);
      return o;
    }
    return v;
  };
  const schemas = doc.components?.schemas || {};
  ajv.addSchema({ $id: 'openapi.json', $defs: rebase(schemas) });
  const compiled = new Map();
  function validator(key, schema) {
    if (!compiled.has(key)) compiled.set(key, ajv.compile(rebase(schema)));
    return compiled.get(key);
  }

  // Literal segments beat parameters, as in the server's router.
  const ops = [];
  for (const [pattern, item] of Object.entries(doc.paths || {}))
    for (const method of METHODS) {
      if (!item[method]) continue;
      const segs = pattern.split('/').slice(1);
      const re = new RegExp('^/' + segs.map((s) => (/^\{[^}]+\}$/.test(s) ? '[^/]+' : s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/') + '$');
      ops.push({ method: method.toUpperCase(), pattern, re, literal: segs.filter((s) => !s.startsWith('{')).length, op: item[method] });
    }
  ops.sort((a, b) => b.literal - a.literal);

  function find(method, path) {
    return ops.find((o) => o.method === method && o.re.test(path));
  }

  function check({ method, path, status, contentType, text, json }) {
    path = path.split('?')[0];
    const hit = find(method, path);
    if (!hit) return [];
    const where = `${method} ${hit.pattern} ${status}`;
    const responses = hit.op.responses || {};
    const key = responses[status] ? String(status) : responses[`${String(status)[0]}XX`] ? `${String(status)[0]}XX`
      : status >= 400 && responses.default ? 'default' : null;
    if (!key) return [`${where}: status not documented (documented: ${Object.keys(responses).join(', ')})`];
    const resp = responses[key];
    const type = (contentType || '').split(';')[0].trim().toLowerCase();
    const content = resp.content || {};
    if (!text) {
      if (Object.keys(content).length && status !== 304) return [`${where}: empty body, documented ${Object.keys(content).join(', ')}`];
      return [];
    }
    if (!content[type]) return [`${where}: Content-Type ${type || '(none)'} not documented (documented: ${Object.keys(content).join(', ') || 'no body'})`];
    const out = [];
    const schema = content[type].schema;
    if (/json$/.test(type) && schema) {
      if (json === null || json === undefined) return [`${where}: body is not JSON`];
      const validate = validator(`${hit.method} ${hit.pattern} ${key} ${type}`, schema);
      if (!validate(json))
        for (const e of validate.errors.slice(0, 8))
          out.push(`${where}: ${e.instancePath || '/'} ${e.message}${e.params && e.params.additionalProperty ? ` (${e.params.additionalProperty})` : ''}${e.params && e.params.unevaluatedProperty ? ` (${e.params.unevaluatedProperty})` : ''}`);
    }
    if (type === 'application/problem+json' && json && typeof json.code === 'string') {
      const codes = (hit.op['x-problem-codes'] || {})[String(status)] || [];
      if (!codes.includes(json.code)) out.push(`${where}: problem code ${json.code} not in x-problem-codes[${status}] (${codes.join(', ') || 'none'})`);
    }
    return out;
  }
  check.find = find;
  // Schemas are compiled on first use (cheap for a test file that touches a
  // few operations); this compiles every component and response schema now.
  check.compileAll = () => {
    for (const name of Object.keys(schemas)) validator('#' + name, { $ref: '#/components/schemas/' + name });
    for (const o of ops)
      for (const [status, resp] of Object.entries(o.op.responses || {}))
        for (const [type, c] of Object.entries(resp.content || {}))
          if (/json$/.test(type) && c.schema) validator(`${o.method} ${o.pattern} ${status} ${type}`, c.schema);
  };
  return check;
}
