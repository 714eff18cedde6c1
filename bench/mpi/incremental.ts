/**
 * Linking as data arrives (issue 14 §4) on PostgreSQL: a population of N persons is loaded with its
 * blocking keys (COPY, persons = the generator's truth, as a finished relink would leave them), then
 * held-out records of the same population arrive one by one, each inserted and placed by
 * `linkIncoming` in its own transaction. Baseline in the same run and connection: the same insert
 * plus one indexed CCCD lookup per record (what deterministic linking at ingest costs).
 *   npx tsx bench/mpi/incremental.ts --persons 1000000 [--arrivals 2000] [--seed 5]
 */
import { parseArgs } from 'node:util';
import { generatePopulation, generateSourceRows, linkRecords, matchKeys, type MpiRecord, normalizeSourceRecord } from '@openhssk/core/mpi';
import { migrate, openDatabase } from '@openhssk/server/db';
import { linkIncoming } from '@openhssk/server/mpi';
import { createScratchPostgres } from '@openhssk/server/test-support';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const { values } = parseArgs({
  options: { persons: { type: 'string', default: '100000' }, arrivals: { type: 'string', default: '2000' }, seed: { type: 'string', default: '5' } },
});
const persons = Number(values.persons);
const arrivals = Number(values.arrivals);
const seed = Number(values.seed);
const CONTENT = ['ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'so_bhyt', 'so_dien_thoai', 'dia_chi', 'ma_xa', 'ma_ho_gia_dinh'] as const;

const t0 = performance.now();
const people = generatePopulation({ seed, persons });
const { rows, truth } = generateSourceRows({ seed, persons: people, profile: 'hard' });
people.length = 0;
// Every k-th record arrives later; the rest is the linked population.
const step = Math.max(2, Math.floor(rows.length / arrivals));
const later = rows.filter((_, i) => i % step === 0).slice(0, arrivals);
console.log(`generated ${rows.length} records of ${persons} persons in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${later.length} arrive later`);

const scratch = await createScratchPostgres('hssk_incbench', process.env.BENCH_DATABASE_URL);
const handle = await openDatabase({ url: scratch.url, poolSize: 2 });
const client = new pg.Client({ connectionString: scratch.url });
try {
  await migrate(handle);
  await client.connect();
  const csv = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '' : `"${v.replace(/"/g, '""')}"`);
  const arr = (keys: string[]) => `"{${keys.map((k) => `""${k.replace(/[\\"]/g, '\\$&').replace(/"/g, '""')}""`).join(',')}}"`;

  let t = performance.now();
  // Persons first (source records point at them): one per true person of the loaded records.
  const personIds = new Set<string>();
  for (let i = 0; i < rows.length; i++) {
    if (i % step === 0 && i / step < arrivals) continue;
    const r = rows[i] as Record<string, string>;
    personIds.add(`P${truth.get(`${r.source_system}|${r.source_id}`)}`);
  }
  const personCopy = client.query(copyFrom('copy person (id, ho_ten, name_key) from stdin with (format csv)'));
  for (const id of personIds) personCopy.write(`${id},—,—\n`);
  await new Promise<void>((res, rej) => personCopy.end((e?: Error | null) => (e ? rej(e) : res())));
  const sample: MpiRecord[] = [];
  const copy = client.query(copyFrom(`copy source_record (source_system, source_id, ${CONTENT.join(', ')}, content_hash, person_id, link_rule, match_keys)
    from stdin with (format csv)`));
  let n = 0;
  for (let i = 0; i < rows.length; i++) {
    if (i % step === 0 && i / step < arrivals) continue;
    const r = rows[i] as Record<string, string>;
    const { record } = normalizeSourceRecord(r);
    const person = `P${truth.get(`${r.source_system}|${r.source_id}`)}`;
    if (record && sample.length < 60_000 && i % 7 === 0) sample.push(record);
    const line = [csv(r.source_system), csv(r.source_id), ...CONTENT.map((c) => csv(r[c])), csv(`bench${i}`), csv(person), 'MPI_AUTO',
      record ? arr(matchKeys(record)) : ''].join(',');
    if (!copy.write(`${line}\n`)) await new Promise((res) => copy.once('drain', res));
    n++;
  }
  await new Promise<void>((res, rej) => copy.end((e?: Error | null) => (e ? rej(e) : res())));
  await client.query('analyze source_record; analyze person');
  const model = linkRecords(sample).model;
  await sql`insert into mpi_model (id, model, records) values (1, ${JSON.stringify(model)}::jsonb, ${n})`.execute(handle.db);
  console.log(`loaded ${n} source records, ${personIds.size} persons, keys indexed, model estimated in ${((performance.now() - t) / 1000).toFixed(1)} s`);

  const pct = (xs: number[], p: number) => xs.slice().sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]!;
  const insert = (tx: typeof handle.db, r: Record<string, string>, id: string) =>
    tx.insertInto('source_record').values({
      source_system: r.source_system!, source_id: id, content_hash: `arr-${id}`,
      ...Object.fromEntries(CONTENT.map((c) => [c, r[c] || null])),
    }).execute();

  // Baseline: the same insert and one indexed lookup, in a transaction each.
  const base: number[] = [];
  for (let i = 0; i < later.length; i++) {
    const r = later[i] as Record<string, string>;
    t = performance.now();
    await handle.db.transaction().execute(async (tx) => {
      await insert(tx, r, `base-${r.source_id}`);
      await sql`select person_id from source_record where so_cccd = ${r.so_cccd || '-'} limit 1`.execute(tx);
    });
    base.push(performance.now() - t);
  }
  await sql`delete from source_record where source_id like 'base-%'`.execute(handle.db);

  const times: number[] = [];
  const outcome = new Map<string, number>();
  let right = 0, wrong = 0;
  const personOfTruth = (r: Record<string, string>) => `P${truth.get(`${r.source_system}|${r.source_id}`)}`;
  for (const row of later) {
    const r = row as Record<string, string>;
    t = performance.now();
    const [placed] = await handle.db.transaction().execute(async (tx) => {
      await insert(tx, r, r.source_id!);
      return linkIncoming(tx, [{ system: r.source_system!, id: r.source_id! }]);
    });
    times.push(performance.now() - t);
    outcome.set(placed!.outcome, (outcome.get(placed!.outcome) ?? 0) + 1);
    if (placed!.outcome === 'joined') {
      if (placed!.personId === personOfTruth(r)) right++;
      else wrong++;
    }
  }
  const ms = (x: number) => x.toFixed(1);
  console.log('');
  console.log('| persons | source records | arrivals | method | p50 ms | p95 ms | p99 ms | max ms |');
  console.log('|---|---|---|---|---|---|---|---|');
  console.log(`| ${personIds.size} | ${n} | ${later.length} | insert + CCCD lookup (baseline) | ${ms(pct(base, 50))} | ${ms(pct(base, 95))} | ${ms(pct(base, 99))} | ${ms(Math.max(...base))} |`);
  console.log(`| ${personIds.size} | ${n} | ${later.length} | insert + linkIncoming | ${ms(pct(times, 50))} | ${ms(pct(times, 95))} | ${ms(pct(times, 99))} | ${ms(Math.max(...times))} |`);
  console.log('');
  console.log(`outcomes ${JSON.stringify(Object.fromEntries(outcome))}; joined the true person ${right}, another person ${wrong}`);
} finally {
  await client.end().catch(() => {});
  await handle.close();
  await scratch.drop();
}
