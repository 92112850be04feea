import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startServer } from '../lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.stop(); });

// The route table as the source has it.
function sourceRoutes() {
  const src = readFileSync(new URL('../../src/api/routes.c', import.meta.url), 'utf8');
  return [...src.matchAll(/\{\s*\.method = "(GET|POST|PATCH|DELETE|PUT)",\s*\.pattern = "([^"]+)"/g)].map((m) => `${m[1]} ${m[2]}`).sort();
}

test('openapi.json lists exactly the routes the server has', async () => {
  const r = await srv.api('GET', '/api/v1/openapi.json');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.openapi, '3.1.0');
  const documented = [];
  for (const [path, item] of Object.entries(r.json.paths))
    for (const method of Object.keys(item)) documented.push(`${method.toUpperCase()} ${path}`);
  assert.deepEqual(documented.sort(), sourceRoutes());
  const ids = new Set();
  for (const item of Object.values(r.json.paths))
    for (const op of Object.values(item)) {
      assert.ok(op.summary, 'every operation has a summary');
      assert.ok(!ids.has(op.operationId), `duplicate operationId ${op.operationId}`);
      ids.add(op.operationId);
      assert.equal(op.responses.default.content['application/problem+json'].schema.$ref, '#/components/schemas/Problem');
    }
});

test('every documented operation is answered by its route, never as an unknown path', async () => {
  const doc = (await srv.api('GET', '/api/v1/openapi.json')).json;
  for (const [path, item] of Object.entries(doc.paths)) {
    const concrete = path.replace(/\{[^}]+\}/g, '00000000-0000-7000-8000-000000000000');
    for (const method of Object.keys(item)) {
      const r = await srv.api(method.toUpperCase(), concrete, method === 'get' || method === 'delete' ? {} : { body: {} });
      assert.notEqual(r.status, 405, `${method} ${path}`);
      if (r.status === 404) assert.doesNotMatch(r.json.detail, /^no route/, `${method} ${path}`);
      const op = item[method];
      if (op.security.length) assert.equal(r.status, 401, `${method} ${path} without a token`);
    }
  }
});
