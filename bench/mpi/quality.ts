/**
 * MPI linking quality/speed bench on seeded synthetic data.
 * Usage: npx tsx bench/mpi/quality.ts --persons 20000 [--seed 1 | --seeds eval|tune|1,2,3]
 *        [--profile classic|hard] [--upper 0.95 --lower 0.5]
 * Tuning seeds (MPI_TUNING_SEEDS) are for tuning; report figures on the evaluation seeds (MPI_EVAL_SEEDS).
 */

import type { ClusterMetrics, MpiRecord, SynthPerson, SynthProfile } from '@openhssk/core/mpi';
import {
  clusterMetrics, generatePopulation, generateSourceRows, linkDeterministicOnly, linkRecords, MPI_EVAL_SEEDS,
  MPI_TUNING_SEEDS, normalizeSourceRecord,
} from '@openhssk/core/mpi';

function argStr(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
function arg(name: string, def: number): number {
  const v = argStr(name);
  return v === undefined ? def : Number(v);
}

const persons = arg('persons', 20000);
const upper = arg('upper', 0.95);
const lower = arg('lower', 0.5);
const profile = (argStr('profile') ?? 'classic') as SynthProfile;
if (profile !== 'classic' && profile !== 'hard') throw new Error(`--profile must be classic or hard, not ${profile}`);
const seedsArg = argStr('seeds');
const seeds: number[] = seedsArg === 'eval' ? [...MPI_EVAL_SEEDS]
  : seedsArg === 'tune' ? [...MPI_TUNING_SEEDS]
  : seedsArg !== undefined ? seedsArg.split(',').map(Number)
  : [arg('seed', 1)];
if (seeds.some((s) => !Number.isInteger(s))) throw new Error(`bad --seeds ${seedsArg}`);
const mb = () => Math.round(process.memoryUsage().rss / 1048576);
const f = (x: number) => x.toFixed(4);

const HN_KINDS = ['twin', 'father/son namesake', 'same-name neighbour', 'household phone', 'other'] as const;
type HnKind = (typeof HN_KINDS)[number];

/** Which hard negative a pair of distinct persons is (first match in this order). */
function hardNegativeKind(a: SynthPerson, b: SynthPerson): HnKind {
  const sameHh = a.householdId === b.householdId;
  if (sameHh && a.tags.includes('twin') && b.tags.includes('twin') && a.year === b.year && a.month === b.month && a.day === b.day) return 'twin';
  if (sameHh && (a.parentId === b.id || b.parentId === a.id) && a.given === b.given && a.middle === b.middle) return 'father/son namesake';
  if (a.communeCode === b.communeCode && a.family === b.family && a.middle === b.middle && a.given === b.given) return 'same-name neighbour';
  if (sameHh && a.phone !== undefined && a.phone === b.phone) return 'household phone';
  return 'other';
}

/** Pairs of distinct true persons that ended up in one predicted cluster, by hard-negative kind. */
function hardNegativeHits(clusterOf: ArrayLike<number>, labels: string[], byId: Map<string, SynthPerson>): Record<HnKind, number> {
  const hits = Object.fromEntries(HN_KINDS.map((k) => [k, 0])) as Record<HnKind, number>;
  const byCluster = new Map<number, Set<string>>();
  for (let i = 0; i < labels.length; i++) {
    const c = clusterOf[i]!;
    const s = byCluster.get(c);
    if (s) s.add(labels[i]!);
    else byCluster.set(c, new Set([labels[i]!]));
  }
  for (const ids of byCluster.values()) {
    if (ids.size < 2) continue;
    const list = [...ids];
    if (list.length > 200) {
      hits.other += (list.length * (list.length - 1)) / 2; // runaway cluster: do not classify
      continue;
    }
    for (let i = 0; i < list.length; i++) {
      for (let j = i + 1; j < list.length; j++) hits[hardNegativeKind(byId.get(list[i]!)!, byId.get(list[j]!)!)]++;
    }
  }
  return hits;
}

interface SeedResult {
  seed: number;
  records: number;
  fs: ClusterMetrics;
  base: ClusterMetrics;
  fsHits: Record<HnKind, number>;
  baseHits: Record<HnKind, number>;
  reviews: number;
  reviewTrue: number;
  linkSeconds: number;
}

const results: SeedResult[] = [];
for (const seed of seeds) {
  let t = performance.now();
  const people = generatePopulation({ seed, persons });
  const { rows, truth, noise } = generateSourceRows({ seed, persons: people, profile });
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
  const nRows = rows.length;
  rows.length = 0;
  if (global.gc) global.gc();

  const rssBefore = mb();
  t = performance.now();
  const result = linkRecords(records, { upper, lower });
  const tLink = (performance.now() - t) / 1000;
  const rssAfter = mb();
  const q = clusterMetrics(result.clusterOf, truthLabels);

  t = performance.now();
  const baseClusters = linkDeterministicOnly(records);
  const base = clusterMetrics(baseClusters, truthLabels);
  const tBase = (performance.now() - t) / 1000;

  const byId = new Map(people.map((p) => [p.id, p]));
  const fsHits = hardNegativeHits(result.clusterOf, truthLabels, byId);
  const baseHits = hardNegativeHits(baseClusters, truthLabels, byId);
  const reviewTrue = result.reviewPairs.filter((r) => truthLabels[r.a] === truthLabels[r.b]).length;

  // Recall per hard-profile noise kind: true pairs with at least one record carrying that noise.
  const noiseLine: string[] = [];
  if (noise.size > 0) {
    const kinds = new Map<string, number[]>();
    records.forEach((r, i) => {
      for (const k of noise.get(`${r.sourceSystem}|${r.sourceId}`) ?? []) {
        const a = kinds.get(k);
        if (a) a.push(i);
        else kinds.set(k, [i]);
      }
    });
    const membersOf = new Map<string, number[]>();
    truthLabels.forEach((l, i) => {
      const a = membersOf.get(l);
      if (a) a.push(i);
      else membersOf.set(l, [i]);
    });
    for (const [k, idx] of [...kinds].sort()) {
      let total = 0, linked = 0;
      for (const i of idx) {
        for (const j of membersOf.get(truthLabels[i]!)!) {
          if (j === i) continue;
          total++;
          if (result.clusterOf[i] === result.clusterOf[j]) linked++;
        }
      }
      noiseLine.push(`${k}: ${idx.length} rows, ${total ? (linked / total).toFixed(3) : '-'} of their true pairs linked`);
    }
  }

  console.log(`## seed ${seed} (${MPI_EVAL_SEEDS.includes(seed) ? 'evaluation' : MPI_TUNING_SEEDS.includes(seed) ? 'tuning' : 'ad hoc'}), profile ${profile}`);
  console.log(`persons=${persons} rows=${nRows} rejected=${rejected} gen=${tGen.toFixed(1)}s normalize=${tNorm.toFixed(1)}s`);
  console.log(`stats ${JSON.stringify(result.stats)}`);
  console.log(`lambda=${result.model.lambda.toFixed(4)} EM iterations=${result.model.iterations}`);
  console.log('');
  console.log('| method | pairwise P | pairwise R | pairwise F1 | B3 P | B3 R | B3 F1 | link s | RSS MB |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  console.log(`| FS+rules (upper ${upper}) | ${f(q.pairwise.precision)} | ${f(q.pairwise.recall)} | ${f(q.pairwise.f1)} | ${f(q.bcubed.precision)} | ${f(q.bcubed.recall)} | ${f(q.bcubed.f1)} | ${tLink.toFixed(2)} | ${rssBefore}→${rssAfter} |`);
  console.log(`| deterministic ids only | ${f(base.pairwise.precision)} | ${f(base.pairwise.recall)} | ${f(base.pairwise.f1)} | ${f(base.bcubed.precision)} | ${f(base.bcubed.recall)} | ${f(base.bcubed.f1)} | ${tBase.toFixed(2)} | |`);
  console.log('');
  console.log(`F1 ratio FS/baseline = ${(q.pairwise.f1 / base.pairwise.f1).toFixed(3)}; auto-links=${result.stats.autoLinks} reviews=${result.stats.reviews} clusters=${result.stats.clusters} true persons=${new Set(truthLabels).size}`);
  console.log(`review pairs=${result.reviewPairs.length}, true-match share=${result.reviewPairs.length ? (reviewTrue / result.reviewPairs.length).toFixed(3) : '-'}`);
  console.log(`hard-negative hits (merged person pairs) FS: ${JSON.stringify(fsHits)}`);
  console.log(`hard-negative hits (merged person pairs) baseline: ${JSON.stringify(baseHits)}`);
  for (const l of noiseLine) console.log(`  ${l}`);
  console.log('');
  results.push({ seed, records: records.length, fs: q, base, fsHits, baseHits, reviews: result.reviewPairs.length, reviewTrue, linkSeconds: tLink });
}

const mean = (g: (r: SeedResult) => number) => results.reduce((s, r) => s + g(r), 0) / results.length;
const hits = (h: Record<HnKind, number>) => HN_KINDS.map((k) => h[k]).join('/');
console.log(`## summary: profile ${profile}, persons ${persons}, seeds ${seeds.join(',')}`);
console.log(`hard-negative hits are merged person pairs: ${HN_KINDS.join('/')}`);
console.log('');
console.log('| seed | method | records | pairwise P | pairwise R | pairwise F1 | B3 P | B3 R | B3 F1 | hard-neg hits | review pairs | review true share |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
const row = (seed: string, m: string, n: string, c: { pP: number; pR: number; pF: number; bP: number; bR: number; bF: number }, h: string, rv: string, rs: string) =>
  console.log(`| ${seed} | ${m} | ${n} | ${f(c.pP)} | ${f(c.pR)} | ${f(c.pF)} | ${f(c.bP)} | ${f(c.bR)} | ${f(c.bF)} | ${h} | ${rv} | ${rs} |`);
const flat = (m: ClusterMetrics) => ({ pP: m.pairwise.precision, pR: m.pairwise.recall, pF: m.pairwise.f1, bP: m.bcubed.precision, bR: m.bcubed.recall, bF: m.bcubed.f1 });
for (const r of results) {
  row(String(r.seed), 'FS+rules', String(r.records), flat(r.fs), hits(r.fsHits), String(r.reviews), r.reviews ? (r.reviewTrue / r.reviews).toFixed(3) : '-');
  row(String(r.seed), 'deterministic only', String(r.records), flat(r.base), hits(r.baseHits), '0', '-');
}
if (results.length > 1) {
  const avg = (g: (r: SeedResult) => ClusterMetrics) => ({
    pP: mean((r) => g(r).pairwise.precision), pR: mean((r) => g(r).pairwise.recall), pF: mean((r) => g(r).pairwise.f1),
    bP: mean((r) => g(r).bcubed.precision), bR: mean((r) => g(r).bcubed.recall), bF: mean((r) => g(r).bcubed.f1),
  });
  const avgHits = (g: (r: SeedResult) => Record<HnKind, number>) => HN_KINDS.map((k) => mean((r) => g(r)[k]).toFixed(1)).join('/');
  const totalReviews = results.reduce((s, r) => s + r.reviews, 0);
  const totalTrue = results.reduce((s, r) => s + r.reviewTrue, 0);
  row('mean', 'FS+rules', mean((r) => r.records).toFixed(0), avg((r) => r.fs), avgHits((r) => r.fsHits), mean((r) => r.reviews).toFixed(0), totalReviews ? (totalTrue / totalReviews).toFixed(3) : '-');
  row('mean', 'deterministic only', mean((r) => r.records).toFixed(0), avg((r) => r.base), avgHits((r) => r.baseHits), '0', '-');
}
