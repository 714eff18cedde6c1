/**
 * Where the matcher still fails on one seed: missed true pairs (one person split into several
 * predicted persons), wrong merges and review pairs, grouped by what their records look like.
 * Usage: npx tsx bench/mpi/diagnose.ts --persons 20000 --seed 1 [--profile hard|classic] [--examples 2]
 * Run it on tuning seeds (MPI_TUNING_SEEDS) only: looking at evaluation seeds is tuning on them.
 */

import type { MpiRecord, SourceRow, SynthProfile } from '@openhssk/core/mpi';
import {
  explainPair, generatePopulation, generateSourceRows, linkRecords, MPI_EVAL_SEEDS, normalizeSourceRecord, PAIR_FIELDS,
} from '@openhssk/core/mpi';

function argStr(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const persons = Number(argStr('persons') ?? 20000);
const seed = Number(argStr('seed') ?? 1);
const examples = Number(argStr('examples') ?? 2);
const profile = (argStr('profile') ?? 'hard') as SynthProfile;
if (MPI_EVAL_SEEDS.includes(seed)) throw new Error(`seed ${seed} is an evaluation seed: diagnose tuning seeds only`);

const people = generatePopulation({ seed, persons });
const { rows, truth, noise } = generateSourceRows({ seed, persons: people, profile });
const records: MpiRecord[] = [];
const raw: SourceRow[] = [];
for (const row of rows) {
  const { record } = normalizeSourceRecord(row);
  if (record) {
    records.push(record);
    raw.push(row);
  }
}
const label = records.map((r) => truth.get(`${r.sourceSystem}|${r.sourceId}`)!);
const noiseOf = (i: number) => noise.get(`${records[i]!.sourceSystem}|${records[i]!.sourceId}`) ?? [];
const result = linkRecords(records);
const cl = result.clusterOf;

/** Field statuses as the reviewer sees them, plus the noise planted in either record: the group key. */
function signature(a: number, b: number): string {
  const ex = explainPair(raw[a]!, raw[b]!);
  const fields = ex.fields.map((f) => `${f.field}=${f.status}${f.note_en && f.status === 'similar' ? ` (${f.note_en})` : ''}`).join(' ');
  const kinds = [...new Set([...noiseOf(a), ...noiseOf(b)])].sort().join('+') || 'no hard noise';
  return `${kinds} | ${fields}`;
}
const show = (i: number) =>
  `    ${raw[i]!.source_system}: ${PAIR_FIELDS.map((f) => raw[i]![f] ?? '').join(' | ')}`;

interface Group { count: number; pairs: Array<[number, number]> }
function add(groups: Map<string, Group>, key: string, a: number, b: number, weight = 1): void {
  const g = groups.get(key) ?? { count: 0, pairs: [] };
  g.count += weight;
  if (g.pairs.length < examples) g.pairs.push([a, b]);
  groups.set(key, g);
}
function print(title: string, groups: Map<string, Group>, top = 25): void {
  const total = [...groups.values()].reduce((s, g) => s + g.count, 0);
  console.log(`\n## ${title}: ${total} pairs in ${groups.size} groups`);
  for (const [key, g] of [...groups].sort((x, y) => y[1].count - x[1].count).slice(0, top)) {
    console.log(`\n${g.count}  ${key}`);
    for (const [a, b] of g.pairs) console.log(`${show(a)}\n${show(b)}\n`);
  }
}

// Missed pairs: every record pair of one true person in two predicted persons, grouped by the
// record pair of each split that agrees most (the one the matcher came closest to linking).
/** Appends to the list under a key. */
function push<K>(m: Map<K, number[]>, k: K, v: number): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
const membersOf = new Map<string, number[]>();
label.forEach((l, i) => {
  push(membersOf, l, i);
});
const missed = new Map<string, Group>();
for (const members of membersOf.values()) {
  const parts = new Map<number, number[]>();
  for (const i of members) push(parts, cl[i]!, i);
  if (parts.size < 2) continue;
  const list = [...parts.values()];
  for (let x = 0; x < list.length; x++) {
    for (let y = x + 1; y < list.length; y++) {
      let best: [number, number] = [list[x]![0]!, list[y]![0]!];
      let bestSame = -1;
      for (const a of list[x]!) {
        for (const b of list[y]!) {
          const same = explainPair(raw[a]!, raw[b]!).fields.filter((f) => f.status === 'same' || f.status === 'similar').length;
          if (same > bestSame) [best, bestSame] = [[a, b], same];
        }
      }
      add(missed, signature(best[0], best[1]), best[0], best[1], list[x]!.length * list[y]!.length);
    }
  }
}

// Wrong merges: records of two true persons in one predicted person.
const wrong = new Map<string, Group>();
const byCluster = new Map<number, number[]>();
for (let i = 0; i < cl.length; i++) push(byCluster, cl[i]!, i);
for (const members of byCluster.values()) {
  for (let x = 0; x < members.length; x++) {
    for (let y = x + 1; y < members.length; y++) {
      const a = members[x]!, b = members[y]!;
      if (label[a] !== label[b]) add(wrong, signature(a, b), a, b);
    }
  }
}

const reviewTrue = new Map<string, Group>();
const reviewFalse = new Map<string, Group>();
for (const r of result.reviewPairs) {
  const key = `${r.reasons.filter((x) => !x.includes(':')).join(',') || 'score only'} | ${signature(r.a, r.b)}`;
  add(label[r.a] === label[r.b] ? reviewTrue : reviewFalse, key, r.a, r.b);
}

console.log(`seed ${seed}, profile ${profile}, ${records.length} records, ${membersOf.size} persons, ${result.stats.clusters} predicted`);
// What the queue must never hold: a pair already in one person, or one a valid id or birth date contradicts.
const inOne = result.reviewPairs.filter((r) => cl[r.a] === cl[r.b]).length;
const contradicted = result.reviewPairs.filter((r) => r.reasons.some((x) => x === 'birth-date-conflict' || x === 'shared-id-different-person')).length;
const ordered = result.reviewPairs.every((r, k) => k === 0 || result.reviewPairs[k - 1]!.score >= r.score);
console.log(`review pairs ${result.reviewPairs.length}: already in one person ${inOne}, contradicted by an id or birth date ${contradicted}, strongest first ${ordered}`);
print('missed true pairs (weighted by record pairs)', missed, Number(argStr('top') ?? 25));
print('wrong merges', wrong);
print('review pairs that are one person', reviewTrue, Number(argStr('top') ?? 15));
print('review pairs that are two persons', reviewFalse, 15);
