import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
// @ts-expect-error: plain JavaScript module without type declarations
import { checkBoundaries, coreDependencies, importsOf, repositoryFiles } from './check-boundaries.mjs';

const root = new URL('..', import.meta.url).pathname;
const check = (files: Array<{ path: string; text: string }>): string[] => checkBoundaries(files, { coreDeps: ['xml-crypto'] });

describe('module boundary check', () => {
  it('passes on the repository as it is', () => {
    assert.deepEqual(checkBoundaries(repositoryFiles(root), { coreDeps: coreDependencies(root) }), []);
  });

  it('reads static, re-export, side-effect and dynamic imports', () => {
    const text = "import a from './a.ts';\nexport { b } from '../b/index.ts';\nimport './c.ts';\nconst d = await import('../d/x.ts');\nimport type { E } from '@x/e';\nawait import(`./$" + "{f}`);";
    assert.deepEqual(importsOf(text), ['./a.ts', '../b/index.ts', './c.ts', '../d/x.ts', '@x/e', '<computed>']);
  });

  const cases: Array<{ name: string; path: string; text: string; bad: boolean }> = [
    { name: 'deep import across server modules', path: 'packages/server/src/book/x.ts', text: "import { storeSubmission } from '../ingest/store.ts';", bad: true },
    { name: 'dynamic deep import across modules', path: 'packages/server/src/cli/x.ts', text: "const m = await import('../mpi/link.ts');", bad: true },
    { name: 'module entry point', path: 'packages/server/src/book/x.ts', text: "import { audit } from '../audit/index.ts';", bad: false },
    { name: 'file of the same module', path: 'packages/server/src/book/x.ts', text: "import { listShares } from './share.ts';", bad: false },
    { name: 'configuration', path: 'packages/server/src/book/x.ts', text: "import type { Config } from '../config.ts';", bad: false },
    { name: 'composition root from a module', path: 'packages/server/src/book/x.ts', text: "import { buildApp } from '../app.ts';", bad: true },
    { name: 'test support in product code', path: 'packages/server/src/book/x.ts', text: "import { startTestApp } from '../../test-support/index.ts';", bad: true },
    { name: 'test support in a test', path: 'packages/server/src/book/x.test.ts', text: "import { startTestApp } from '../../test-support/index.ts';", bad: false },
    { name: 'test support reaching into a module', path: 'packages/server/test-support/x.ts', text: "import { createStaff } from '../src/staff/accounts.ts';", bad: true },
    { name: 'web importing the server', path: 'packages/web/src/x.tsx', text: "import { buildApp } from '@openhssk/server';", bad: true },
    { name: 'web importing a node-only core entry', path: 'packages/web/src/x.tsx', text: "import { parseEnvelope } from '@openhssk/core/xml130';", bad: true },
    { name: 'web importing API types', path: 'packages/web/src/x.tsx', text: "import type { BookSummary } from '@openhssk/core/api';", bad: false },
    { name: 'core importing the server', path: 'packages/core/src/x.ts', text: "import { audit } from '../../server/src/audit/index.ts';", bad: true },
    { name: 'core importing an undeclared package', path: 'packages/core/src/x.ts', text: "import { sql } from 'kysely';", bad: true },
    { name: 'core importing a declared package', path: 'packages/core/src/x.ts', text: "import { SignedXml } from 'xml-crypto';", bad: false },
    { name: 'a benchmark reaching into a module', path: 'bench/x/y.ts', text: "import { openDatabase } from '../../packages/server/src/db/database.ts';", bad: true },
    { name: 'a benchmark using a module entry point', path: 'bench/x/y.ts', text: "import { openDatabase } from '@openhssk/server/db';", bad: false },
    { name: 'a browser test reaching into core files', path: 'e2e/x.test.ts', text: "import { linkRecords } from '../packages/core/src/mpi/match.ts';", bad: true },
    { name: 'core test data in product code', path: 'packages/server/src/demo/x.ts', text: "import { sampleEpisode } from '@openhssk/core/testing';", bad: true },
    { name: 'a computed dynamic import', path: 'packages/server/src/cli/x.ts', text: "const m = await import(`../$" + "{name}/index.ts`);", bad: true },
    { name: 'core importing a node built-in', path: 'packages/core/src/x.ts', text: "import { createHash } from 'node:crypto';", bad: false },
  ];
  for (const c of cases) {
    it(`${c.bad ? 'refuses' : 'allows'} ${c.name}`, () => {
      assert.equal(check([{ path: c.path, text: c.text }]).length, c.bad ? 1 : 0);
    });
  }

  it('refuses a module that follows MPI decisions being imported by the MPI again, naming the cycle', () => {
    const files = [
      { path: 'packages/server/src/mpi/follow.ts', text: "import { bookFollower } from '../book/index.ts';" },
      { path: 'packages/server/src/book/follow.ts', text: "import { moveVaccinationRows } from '../immunization/index.ts';" },
      { path: 'packages/server/src/immunization/store.ts', text: "import { linkIncoming } from '../mpi/index.ts';" },
    ];
    assert.deepEqual(check(files), ["packages/server/src/immunization/store.ts: import cycle mpi → book → immunization → mpi: module 'mpi' must not be reached from itself"]);
    assert.deepEqual(check(files.slice(1)), [], 'without the MPI importing the book there is no cycle');
    assert.deepEqual(check([...files.slice(1), { path: 'packages/server/src/mpi/follow.test.ts', text: "import { bookFollower } from '../book/index.ts';" }]), [], 'tests may use anything');
  });
});
