/**
 * MPI linking quality/speed bench on seeded synthetic data.
 * Usage: npx tsx bench/mpi/quality.ts --persons 20000 --seed 1 [--upper 0.95 --lower 0.5]
 */

import type { MpiRecord } from '@openhssk/core/mpi';
import {
  clusterMetrics, generatePopulation, generateSourceRows, linkDeterministicOnly, linkRecords, normalizeSourceRecord,
} from '@openhssk/core/mpi';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : def;
}

const persons = arg('persons', 20000);
const seed = arg('seed', 1);
const upper = arg('upper', 0.95);
const lower = arg('lower', 0.5);
const mb = () => Math.round(process.memoryUsage().rss / 1048576);

let t = performance.now();
const people = generatePopulation({ seed, persons });
const { rows, truth } = generateSourceRows({ seed, persons: people });
const tGen = (performance.now() - t) / 1000;

t = performance.now();
const records: MpiRecord[] = [];
let rejected = 0;
for (const row of rows) {
  const { record } = normalizeSourceRecord(row);
  if (record) records.push(record);
  else rejected++;
}
const tNorm = (performance.now() - t) / 1000;
const truthLabels = records.map((r) => truth.get(`${r.sourceSystem}|${r.sourceId}`)!);
rows.length = 0;
if (global.gc) global.gc();

const rssBefore = mb();
t = performance.now();
const result = linkRecords(records, { upper, lower });
const tLink = (performance.now() - t) / 1000;
const rssAfter = mb();
const q = clusterMetrics(result.clusterOf, truthLabels);

t = performance.now();
const base = clusterMetrics(linkDeterministicOnly(records), truthLabels);
const tBase = (performance.now() - t) / 1000;

// Hard-negative false merges by kind: how many predicted pairs join tagged persons wrongly.
const tagOf = new Map(people.map((p) => [p.id, p.tags]));
const byCluster = new Map<number, number[]>();
result.clusterOf.forEach((c, i) => {
  const a = byCluster.get(c);
  if (a) a.push(i);
  else byCluster.set(c, [i]);
});
const falseMerges: Record<string, number> = {};
for (const members of byCluster.values()) {
  const ids = [...new Set(members.map((i) => truthLabels[i]!))];
  if (ids.length < 2) continue;
  const kind = ids.map((id) => tagOf.get(id)!.join('+') || 'plain').sort().join(' / ');
  falseMerges[kind] = (falseMerges[kind] ?? 0) + 1;
}

const f = (x: number) => x.toFixed(4);
console.log(`persons=${persons} seed=${seed} rows=${records.length + rejected} rejected=${rejected} gen=${tGen.toFixed(1)}s normalize=${tNorm.toFixed(1)}s`);
console.log(`stats ${JSON.stringify(result.stats)}`);
console.log(`lambda=${result.model.lambda.toFixed(4)} EM iterations=${result.model.iterations}`);
console.log('');
console.log('| method | pairwise P | pairwise R | pairwise F1 | B3 P | B3 R | B3 F1 | link s | RSS MB |');
console.log('|---|---|---|---|---|---|---|---|---|');
console.log(`| FS+rules (upper ${upper}) | ${f(q.pairwise.precision)} | ${f(q.pairwise.recall)} | ${f(q.pairwise.f1)} | ${f(q.bcubed.precision)} | ${f(q.bcubed.recall)} | ${f(q.bcubed.f1)} | ${tLink.toFixed(2)} | ${rssBefore}→${rssAfter} |`);
console.log(`| deterministic ids only | ${f(base.pairwise.precision)} | ${f(base.pairwise.recall)} | ${f(base.pairwise.f1)} | ${f(base.bcubed.precision)} | ${f(base.bcubed.recall)} | ${f(base.bcubed.f1)} | ${tBase.toFixed(2)} | |`);
console.log('');
console.log(`F1 ratio FS/baseline = ${(q.pairwise.f1 / base.pairwise.f1).toFixed(3)}; auto-links=${result.stats.autoLinks} reviews=${result.stats.reviews} clusters=${result.stats.clusters} true persons=${new Set(truthLabels).size}`);
console.log(`false-merge clusters by kind: ${JSON.stringify(falseMerges)}`);
