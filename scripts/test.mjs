#!/usr/bin/env node
// Runs every test suite: core unit tests, server integration tests on BOTH databases
// (embedded PGlite and a real PostgreSQL), then browser e2e tests. Prints one summary line.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync } from 'node:fs';
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

/**
 * One node --test run. With `quiet`, its report goes to a file printed when it ends, so two runs
 * side by side (PGlite is in-process CPU, PostgreSQL mostly the server's) keep readable logs.
 */
async function run(label, files, env = {}, { quiet = false, extra = [] } = {}) {
  if (files.length === 0) return;
  const dir = mkdtempSync(join(tmpdir(), 'hssk-tap-'));
  const tap = join(dir, 'out.tap');
  const log = join(dir, 'out.log');
  console.log(`\n=== ${label} (${files.length} files)${quiet ? ': report printed when it ends' : ''} ===`);
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', '--test-reporter-destination=stdout',
      '--test-reporter=tap', `--test-reporter-destination=${tap}`, ...extra, ...files],
    { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit', env: { ...process.env, ...env } },
  );
  let written = Promise.resolve();
  if (quiet) {
    const out = createWriteStream(log);
    child.stdout.pipe(out);
    child.stderr.pipe(out, { end: false });
    written = new Promise((resolve) => out.on('close', resolve));
  }
  const status = await new Promise((resolve) => child.on('close', (code) => resolve(code)));
  await written;
  if (quiet) {
    console.log(`\n=== ${label}: report ===`);
    process.stdout.write(readFileSync(log, 'utf8'));
  }
  const text = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
  const num = (k) => Number(text.match(new RegExp(`^# ${k} (\\d+)`, 'm'))?.[1] ?? 0);
  totals.pass += num('pass');
  totals.fail += num('fail') + num('cancelled');
  totals.skipped += num('skipped');
  if (status !== 0) failedSuites++;
}

async function postgresReachable(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try { await c.connect(); await c.end(); return true; } catch { return false; }
}

const unit = [...findTests(join(root, 'packages/core')), ...findTests(join(root, 'scripts'))];
const integration = findTests(join(root, 'packages/server'));
const e2e = findTests(join(root, 'e2e'));

if (!only || only === 'unit') await run('unit (core)', unit);
// `security` runs only the tests that assert a safety property (named *.security.test.ts), on both databases.
const serverTests = only === 'security' ? integration.filter((f) => f.endsWith('.security.test.ts')) : integration;
if (!only || only === 'integration' || only === 'security') {
  const pgUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const reachable = await postgresReachable(pgUrl);
  if (!reachable && ci) {
    console.error(`PostgreSQL not reachable at ${pgUrl}: required in CI`);
    failedSuites++;
  } else if (!reachable) {
    console.warn(`PostgreSQL not reachable at ${pgUrl}: PostgreSQL integration run skipped`);
  }
  // Both databases at once: each run is one file at a time, so together they use both cores.
  await Promise.all([
    run('integration on PGlite', serverTests, { HSSK_TEST_DB: 'pglite' }, { quiet: reachable }),
    reachable ? run('integration on PostgreSQL', serverTests, { HSSK_TEST_DB: 'postgres', TEST_DATABASE_URL: pgUrl }, { quiet: true }) : undefined,
  ]);
}
// `citus` (npm run test:citus, issue 21): the integration suite against a Citus coordinator, never
// part of the default run. The cluster comes from `scripts/citus-cluster up`, or CITUS_DATABASE_URL.
if (only === 'citus') {
  let url = process.env.CITUS_DATABASE_URL;
  if (!url) {
    const r = spawnSync(join(root, 'scripts/citus-cluster'), ['url'], { encoding: 'utf8' });
    url = r.status === 0 ? r.stdout.trim() : undefined;
  }
  if (!url || !(await postgresReachable(url))) {
    console.error('No Citus coordinator: run scripts/citus-cluster up (or set CITUS_DATABASE_URL)');
    failedSuites++;
  } else {
    const pick = process.argv.slice(3);
    const files = pick.length > 0 ? integration.filter((f) => pick.some((p) => f.includes(p))) : integration;
    // A file whose set-up fails on the cluster can leave its app's handles open; force-exit keeps one
    // such file from holding up the rest of the run.
    await run(`integration on Citus (${url})`, files, { HSSK_TEST_DB: 'postgres', TEST_DATABASE_URL: url }, { extra: ['--test-force-exit'] });
  }
}
if (!only || only === 'e2e') {
  if (existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium')) await run('e2e (Chromium)', e2e);
  else if (ci) { console.error('Chromium missing: e2e tests are required in CI'); failedSuites++; }
  else console.warn('Chromium not installed (/usr/bin/chromium): e2e tests skipped');
}

console.log(`\n${totals.pass} passed, ${totals.fail} failed, ${totals.skipped} skipped`);
process.exit(failedSuites > 0 || totals.fail > 0 ? 1 : 0);
