// GET /api/v1/openapi.json: a valid OpenAPI 3.1 document (checked by a real
// validator) that lists exactly the server's routes, each with its schemas,
// problem codes and curl example.  tests/api/openapi_responses.test.mjs
// holds the live responses against it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { validate, compileErrors } from '@readme/openapi-parser';
import { startServer } from '../lib/server.mjs';

const SRC = new URL('../../src/', import.meta.url);
let srv, doc;
before(async () => {
  srv = await startServer();
  doc = (await srv.api('GET', '/api/v1/openapi.json')).json;
});
after(async () => { await srv.stop(); });

// The route table as the source has it.
function sourceRoutes() {
  const src = readFileSync(new URL('api/routes.c', SRC), 'utf8');
  return [...src.matchAll(/\{\s*\.method = "(GET|POST|PATCH|DELETE|PUT)",\s*\.pattern = "([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`).sort();
}

function operations() {
  const out = [];
  for (const [path, item] of Object.entries(doc.paths))
    for (const [method, op] of Object.entries(item)) out.push({ key: `${method.toUpperCase()} ${path}`, path, method, op });
  return out;
}

test('openapi.json is a valid OpenAPI 3.1 document (@readme/openapi-parser)', async () => {
  const r = await srv.api('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.headers.get('content-type'), 'application/json');
  assert.equal(r.json.openapi, '3.1.0');
  const result = await validate(structuredClone(r.json));
  assert.ok(result.valid, result.valid ? '' : compileErrors(result));
  assert.deepEqual(result.warnings ?? [], []);
});

test('openapi.json lists exactly the routes the server has, each described', async () => {
  assert.deepEqual(operations().map((o) => o.key).sort(), sourceRoutes());
  // Every tag is a section with operations (tags of routes on their way wait).
  const used = new Set(operations().flatMap((o) => o.op.tags));
  assert.deepEqual(doc.tags.map((t) => t.name).filter((n) => !used.has(n)), []);
  assert.deepEqual([...used].filter((n) => !doc.tags.some((t) => t.name === n)), [], 'every tag is described');
  const ids = new Set();
  for (const { key, op } of operations()) {
    assert.ok(op.summary, `${key} has a summary`);
    assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
    ids.add(op.operationId);
    assert.equal(op['x-undocumented'], undefined, `${key} has no entry in src/api/openapi_schemas.json`);
    assert.ok(op.tags?.length, `${key} has a tag`);
    assert.equal(op.responses.default.content['application/problem+json'].schema.$ref, '#/components/schemas/Problem');
    const success = Object.entries(op.responses).filter(([s]) => /^2\d\d$/.test(s));
    assert.ok(success.length, `${key} documents a success`);
    for (const [status, resp] of success)
      if (status !== '204') assert.ok(resp.content && Object.keys(resp.content).length, `${key} ${status} has a body schema`);
    for (const [status, codes] of Object.entries(op['x-problem-codes'])) {
      assert.match(status, /^[45]\d\d$/);
      assert.ok(op.responses[status], `${key}: a response for problem status ${status}`);
      for (const c of codes) assert.match(c, /^[a-z_]+$/);
    }
    if (['post', 'patch', 'put'].includes(key.split(' ')[0].toLowerCase()) && !/logout|refresh|share$|reminders$|bulk$|receipt$|ticket$/.test(key))
      assert.ok(op.requestBody, `${key} describes its request body`);
    assert.match(op['x-codeSamples'][0].source, /^curl -sS /);
  }
});

test('every schema entry names a route, or is marked x-pending for a route on its way', () => {
  const src = JSON.parse(readFileSync(new URL('api/openapi_schemas.json', SRC), 'utf8'));
  const routes = new Set(sourceRoutes());
  const pending = [];
  for (const [key, entry] of Object.entries(src.operations)) {
    assert.match(key, /^(GET|POST|PATCH|DELETE|PUT) \/\S*$/, `entry key ${key}`);
    if (routes.has(key)) continue;
    assert.equal(entry['x-pending'], true, `${key} has no route: a typo, a removed route, or mark it "x-pending": true`);
    pending.push(key);
  }
  for (const r of routes) assert.ok(src.operations[r], `${r} has no entry in src/api/openapi_schemas.json`);
  if (pending.length) console.log(`# schema entries waiting for their routes: ${pending.join(', ')}`);
});

// Every problem code a handler can raise (req_fail*, api_require_feature,
// api_overflow, api_store_fail's codes) is listed for its status by at least
// one operation: a new code nobody documented fails here.
test('every problem code in the handlers is documented with its status', () => {
  const raised = new Set();
  for (const dir of ['api', 'http']) {
    for (const f of readdirSync(new URL(dir + '/', SRC)).filter((n) => n.endsWith('.c'))) {
      const text = readFileSync(new URL(`${dir}/${f}`, SRC), 'utf8');
      for (const m of text.matchAll(/req_fail(?:f|_field)?\(\s*r,\s*(\d{3}),\s*"([a-z_]+)"/g)) raised.add(`${m[1]} ${m[2]}`);
    }
  }
  raised.add('403 feature_not_in_plan');
  raised.add('422 amount_overflow');
  raised.add('500 internal_error');
  const listed = new Set();
  for (const { op } of operations())
    for (const [status, codes] of Object.entries(op['x-problem-codes'])) for (const c of codes) listed.add(`${status} ${c}`);
  // The metrics listener and unknown paths are not operations of the document.
  const outside = new Set(['404 not_found', '405 method_not_allowed']);
  const missing = [...raised].filter((c) => !listed.has(c) && !outside.has(c)).sort();
  assert.deepEqual(missing, []);
});

test('every documented operation is answered by its route, never as an unknown path', async () => {
  for (const { path, method, op } of operations()) {
    const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-7000-8000-000000000000');
    const r = await srv.api(method.toUpperCase(), concrete, method === 'get' || method === 'delete' ? {} : { body: {} });
    assert.notEqual(r.status, 405, `${method} ${path}`);
    if (r.status === 404) assert.doesNotMatch(r.json.detail, /^no route/, `${method} ${path}`);
    if (op['x-min-role'] || op['x-operator-only']) assert.equal(r.status, 401, `${method} ${path} without a token`);
  }
});
