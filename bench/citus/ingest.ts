/**
 * Ingest through the HTTP API on a single PostgreSQL node beside the local 2-worker Citus cluster
 * (issue 21 item 5), in one run, same envelopes: bench/ingest/http.ts runs once per side (its own
 * baseline INSERT on that side printed with it), then the figures are put side by side with the
 * storage per episode and per person each side measured. Usage:
 *   scripts/citus-cluster up
 *   npx tsx bench/citus/ingest.ts [--episodes 3000] [--tables full|xml1] [--patients mix|one] [--concurrency 2]
 * SINGLE_DATABASE_URL (default the local 5432) and CITUS_DATABASE_URL (default the cluster's) are
 * admin URLs; each side's scratch database is dropped afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ADMIN_URL } from '@openhssk/server/test-support';

const { values } = parseArgs({
  options: {
    episodes: { type: 'string', default: '3000' },
    tables: { type: 'string', default: 'full' },
    patients: { type: 'string', default: 'mix' },
    concurrency: { type: 'string', default: '2' },
  },
});
const citusUrl =
  process.env.CITUS_DATABASE_URL ?? execFileSync(new URL('../../scripts/citus-cluster', import.meta.url).pathname, ['url'], { encoding: 'utf8' }).trim();
const sides = [
  { name: 'single node (PostgreSQL 15)', url: process.env.SINGLE_DATABASE_URL ?? DEFAULT_ADMIN_URL },
  { name: 'Citus: coordinator + 2 workers', url: citusUrl },
];

interface Figures {
  episodes: number; accepted: number; http_eps: number; baseline_eps: number; p50_ms: number; p99_ms: number; empty_bytes: number;
  storage: { bytes: number; episodes: number; rows: number; persons: number; tables: Array<{ name: string; bytes: number }> };
}

const dir = mkdtempSync(join(tmpdir(), 'hssk-citus-ingest-'));
const http = new URL('../ingest/http.ts', import.meta.url).pathname;
const results: Array<{ name: string; f: Figures; load: string }> = [];
try {
  for (const side of sides) {
    const out = join(dir, `${results.length}.json`);
    const load = loadavg()[0]!.toFixed(1);
    console.log(`\n## ${side.name} (load average ${load})`);
    const args = ['tsx', http, '--episodes', values.episodes!, '--tables', values.tables!, '--patients', values.patients!, '--concurrency', values.concurrency!, '--json', out];
    const r = spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, BENCH_DATABASE_URL: side.url } });
    if (r.status !== 0) throw new Error(`${side.name}: bench/ingest/http.ts exited with ${r.status}`);
    results.push({ name: side.name, f: JSON.parse(readFileSync(out, 'utf8')) as Figures, load });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${values.episodes} episodes (${values.tables === 'full' ? 'XML1–XML5' : 'XML1 only'}), patients ${values.patients}, concurrency ${values.concurrency}; load average at the end ${loadavg()[0]!.toFixed(1)}`);
console.log('| side | load at start | HTTP episodes/s | baseline INSERT episodes/s | ratio | p50 / p99 ms per envelope | stored episodes | rows | persons | empty schema MB | bytes added per episode | per person (all added / persons) |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
for (const { name, f, load } of results) {
  const s = f.storage;
  console.log(
    `| ${name} | ${load} | ${f.http_eps.toFixed(0)} | ${f.baseline_eps.toFixed(0)} | ${(f.http_eps / f.baseline_eps).toFixed(2)} | ${f.p50_ms.toFixed(0)} / ${f.p99_ms.toFixed(0)} | ${s.episodes} | ${s.rows} | ${s.persons} | ${(f.empty_bytes / 1e6).toFixed(1)} | ${((s.bytes - f.empty_bytes) / Math.max(1, s.episodes)).toFixed(0)} | ${((s.bytes - f.empty_bytes) / Math.max(1, s.persons)).toFixed(0)} |`,
  );
}
for (const { name, f } of results) console.log(`${name}, largest tables: ${f.storage.tables.slice(0, 8).map((t) => `${t.name} ${(t.bytes / 1e6).toFixed(1)} MB`).join(', ')}`);
