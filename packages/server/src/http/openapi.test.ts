import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestApp } from '../../test-support/index.ts';

type Operation = { parameters?: Array<{ in: string; name: string }>; requestBody?: unknown };

// State-changing routes that take no input besides the session (and say so by declaring no body).
const BODYLESS = new Set(['POST /auth/logout', 'POST /api/v1/me/consent', 'POST /api/v1/staff/logout', 'POST /api/v1/staff/me/totp', 'POST /api/v1/mpi/merges/{id}/undo']);

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sourceFiles(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('every route validates its input with a schema', () => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  before(async () => {
    t = await startTestApp();
  });
  after(() => t.close());

  it('the OpenAPI document declares path parameters and request bodies for every operation', async () => {
    const doc = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json() as { paths: Record<string, Record<string, Operation>> };
    const missing: string[] = [];
    let operations = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        operations++;
        const name = `${method.toUpperCase()} ${path}`;
        for (const [, param] of path.matchAll(/\{([^}]+)\}/g)) {
          if (!op.parameters?.some((p) => p.in === 'path' && p.name === param)) missing.push(`${name}: path parameter '${param}' has no schema`);
        }
        if ((method === 'post' || method === 'put' || method === 'patch') && !op.requestBody && !BODYLESS.has(name)) {
          missing.push(`${name}: no request body schema`);
        }
      }
    }
    assert.ok(operations > 40, `only ${operations} operations documented`);
    // The allowance for body-less actions stays honest: each entry is a documented operation.
    for (const b of BODYLESS) {
      const [method, path] = b.split(' ') as [string, string];
      if (!doc.paths[path]?.[method.toLowerCase()]) missing.push(`${b}: listed as body-less but not documented`);
    }
    assert.deepEqual(missing, []);
  });

  it('no handler casts request input instead of validating it', () => {
    const root = new URL('..', import.meta.url).pathname;
    const cast = /\b(req|request)\.(body|query|params)\b[^;\n]*?\bas\b|\((req|request)\.(body|query|params) \?\? [^)]*\) as\b/;
    const offenders = sourceFiles(root).flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .map((line, i) => ({ line, at: `${f.slice(root.length)}:${i + 1}` }))
        .filter(({ line }) => cast.test(line))
        .map(({ at, line }) => `${at}: ${line.trim()}`),
    );
    assert.deepEqual(offenders, []);
  });
});
