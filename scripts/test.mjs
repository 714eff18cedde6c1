#!/usr/bin/env node
// Runs every test suite: core unit tests, server integration tests on BOTH databases
// (embedded PGlite and a real PostgreSQL), then browser e2e tests. Prints one summary line.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import pg from 'pg';
import { walk } from './check-boundaries.mjs';
import { ensureSupportedNode } from './node-runtime.mjs';

await ensureSupportedNode();

const root = new URL('..', import.meta.url).pathname;
const only = process.argv[2];
const ci = process.env.CI === 'true';

const findTests = (dir) => walk(dir, /\.test\.ts$/).map((p) => relative(root, p)).sort();

const totals = { pass: 0, fail: 0, skipped: 0 };
let failedSuites = 0;

function run(label, files, env = {}) {
  if (files.length === 0) return;
  console.log(`\n=== ${label} (${files.length} files) ===`);
  const tap = join(mkdtempSync(join(tmpdir(), 'hssk-tap-')), 'out.tap');
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } },
  );
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const num = (k) => Number(text.match(new RegExp(`^# ${k} (\\d+)`, 'm'))?.[1] ?? 0);
  totals.pass += num('pass');
  totals.fail += num('fail') + num('cancelled');
  totals.skipped += num('skipped');
  if (r.status !== 0) failedSuites++;
}

async function postgresReachable(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try { await c.connect(); await c.end(); return true; } catch { return false; }
}

const unit = [...findTests(join(root, 'packages/core')), ...findTests(join(root, 'scripts'))];
const integration = findTests(join(root, 'packages/server'));
const e2e = findTests(join(root, 'e2e'));

if (!only || only === 'unit') run('unit (core)', unit);
// `security` runs only the tests that assert a safety property (named *.security.test.ts), on both databases.
const serverTests = only === 'security' ? integration.filter((f) => f.endsWith('.security.test.ts')) : integration;
if (!only || only === 'integration' || only === 'security') {
  run('integration on PGlite', serverTests, { HSSK_TEST_DB: 'pglite' });
  const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  if (await postgresReachable(pgUrl)) {
    run('integration on PostgreSQL', serverTests, { HSSK_TEST_DB: 'postgres', TEST_DATABASE_URL: pgUrl });
  } else if (ci) {
    console.error(`PostgreSQL not reachable at ${pgUrl}: required in CI`);
    failedSuites++;
  } else {
    console.warn(`PostgreSQL not reachable at ${pgUrl}: PostgreSQL integration run skipped`);
  }
}
if (!only || only === 'e2e') {
  if (existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) run('e2e (Chromium)', e2e);
  else if (ci) { console.error('Chromium missing: e2e tests are required in CI'); failedSuites++; }
  else console.warn('Chromium not installed (/usr/bin/chromium): e2e tests skipped');
}

console.log(`\n${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(failedSuites > 0 || totals.fail > 0 ? 1 : 0);
