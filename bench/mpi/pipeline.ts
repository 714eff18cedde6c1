/**
 * Issue 5 pipeline benchmark on PostgreSQL: a generated population file goes through the real
 * `hssk mpi import` code path (streaming CSV → source_record → relink → golden persons) and the
 * result is exported and scored against the generator's truth. Baseline in the same run: a plain
 * COPY of the same CSV file into an 11-column text table.
 *   npx tsx bench/mpi/pipeline.ts --persons 390000 [--seed 1]
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { clusterMetrics, generatePopulation, generateSourceRows } from '@openhssk/core/mpi';
import { wireIdentityFollowers } from '@openhssk/server';
import { migrate, openDatabase } from '@openhssk/server/db';
import { exportLinks, importFile, relinkAll } from '@openhssk/server/mpi';
import { createScratchPostgres } from '@openhssk/server/test-support';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const { values } = parseArgs({
  options: { persons: { type: 'string', default: '20000' }, seed: { type: 'string', default: '1' }, 'generate-to': { type: 'string' } },
});
const persons = Number(values.persons);
const seed = Number(values.seed);
const adminUrl = process.env.BENCH_DATABASE_URL;
const COLUMNS = ['source_system', 'source_id', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'so_bhyt', 'so_dien_thoai', 'dia_chi', 'ma_xa', 'ma_ho_gia_dinh'] as const;
const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
const peakMb = () => Math.round(process.resourceUsage().maxRSS / 1024);

// The generator runs in a child process so its memory does not count in the pipeline's peak RSS.
if (values['generate-to']) {
  const { rows, truth } = generateSourceRows({ seed, persons: generatePopulation({ seed, persons }) });
  writeFileSync(join(values['generate-to'], 'population.csv'), `${COLUMNS.join(',')}\n${rows.map((r) => COLUMNS.map((c) => cell(String((r as Record<string, string>)[c] ?? ''))).join(',')).join('\n')}\n`);
  writeFileSync(join(values['generate-to'], 'truth.tsv'), [...truth].map(([k, v]) => `${k}\t${v}`).join('\n'));
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'hssk-mpi-bench-'));
const csv = join(dir, 'population.csv');
const gen = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--persons', String(persons), '--seed', String(seed), '--generate-to', dir], { stdio: 'inherit' });
if (gen.status !== 0) throw new Error('generator failed');

const scratch = await createScratchPostgres('hssk_mpibench', adminUrl);
const url = scratch.url;
const handle = await openDatabase({ url, poolSize: 4 });
wireIdentityFollowers();
try {
  await migrate(handle);

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create table copy_baseline (${COLUMNS.map((c) => `${c} text`).join(', ')})`);
  let t = performance.now();
  await pipeline(createReadStream(csv), client.query(copyFrom(`copy copy_baseline from stdin with (format csv, header true)`)));
  const copySeconds = (performance.now() - t) / 1000;
  await client.query('drop table copy_baseline');
  await client.end();

  t = performance.now();
  const imported = await importFile(handle.db, csv, {});
  const importSeconds = (performance.now() - t) / 1000;
  // Per-phase seconds of the link: each log line is stamped with the time since the last one.
  t = performance.now();
  let lap = t;
  const log = (message: string) => {
    const now = performance.now();
    console.log(`  link +${((now - lap) / 1000).toFixed(1)} s: ${message}`);
    lap = now;
  };
  const linked = await relinkAll(handle.db, { log });
  const linkSeconds = (performance.now() - t) / 1000;
  // Peak before scoring: reading the truth file for the metrics is not part of the pipeline.
  const pipelinePeak = peakMb();

  const out = join(dir, 'links.csv');
  await exportLinks(handle.db, out);
  const truth = new Map(readFileSync(join(dir, 'truth.tsv'), 'utf8').split('\n').map((l) => l.split('\t') as [string, string]));
  const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1);
  const predicted: string[] = [];
  const actual: string[] = [];
  for (const line of lines) {
    const [system, id, person] = line.split(',');
    const truthId = truth.get(`${system}|${id}`);
    if (truthId === undefined || !person) continue;
    predicted.push(person);
    actual.push(truthId);
  }
  const m = clusterMetrics(predicted, actual);
  const total = importSeconds + linkSeconds;
  console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  console.log('| persons | records | COPY s | import s | link s | import+link s | ratio to COPY | peak RSS MB | pairwise P | R | F1 | B³ F1 | reviews |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  console.log(
    `| ${persons} | ${imported.rows} (${imported.accepted} accepted) | ${copySeconds.toFixed(1)} | ${importSeconds.toFixed(1)} | ${linkSeconds.toFixed(1)} | ${total.toFixed(1)} | ${(total / copySeconds).toFixed(1)}× | ${pipelinePeak} | ${m.pairwise.precision.toFixed(4)} | ${m.pairwise.recall.toFixed(4)} | ${m.pairwise.f1.toFixed(4)} | ${m.bcubed.f1.toFixed(4)} | ${linked.reviews} |`,
  );
} finally {
  await handle.close();
  await scratch.drop();
  rmSync(dir, { recursive: true, force: true });
}
