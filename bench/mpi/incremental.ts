/**
 * Linking as data arrives (issue 14 §4) on PostgreSQL: a population of N persons is loaded with its
 * blocking keys (COPY, persons = the generator's truth, as a finished relink would leave them), then
 * held-out records of the same population arrive one by one, each inserted and placed by
 * `linkIncoming` in its own transaction. Baseline in the same run and connection: the same insert
 * plus one indexed CCCD lookup per record (what deterministic linking at ingest costs).
 *   npx tsx bench/mpi/incremental.ts --persons 1000000 [--arrivals 2000] [--seed 5] [--keep-db NAME]
 * --keep-db NAME loads the population into database NAME once and keeps it: a later run with the same
 * NAME (and the same --persons/--seed/--arrivals) skips the load, measures, and removes what the arrivals wrote.
 */
import { parseArgs } from 'node:util';
import { generatePopulation, generateSourceRows, linkRecords, matchKeys, type MpiRecord, normalizeSourceRecord } from '@openhssk/core/mpi';
import { wireIdentityFollowers } from '@openhssk/server';
import { migrate, openDatabase } from '@openhssk/server/db';
import { linkIncoming } from '@openhssk/server/mpi';
import { createScratchPostgres } from '@openhssk/server/test-support';
import { sql } from 'kysely';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

const { values } = parseArgs({
  options: {
    persons: { type: 'string', default: '100000' }, arrivals: { type: 'string', default: '2000' }, seed: { type: 'string', default: '5' },
    'keep-db': { type: 'string' },
  },
});
const persons = Number(values.persons);
const arrivals = Number(values.arrivals);
const seed = Number(values.seed);
const CONTENT = ['ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'so_bhyt', 'so_dien_thoai', 'dia_chi', 'ma_xa', 'ma_ho_gia_dinh'] as const;

// linkIncoming moves linked records' rows through the modules' followers, as the server wires them at start.
wireIdentityFollowers();
const t0 = performance.now();
const people = generatePopulation({ seed, persons });
const { rows, truth } = generateSourceRows({ seed, persons: people, profile: 'hard' });
people.length = 0;
// Every k-th record arrives later; the rest is the linked population.
const step = Math.max(2, Math.floor(rows.length / arrivals));
const later = rows.filter((_, i) => i % step === 0).slice(0, arrivals);
console.log(`generated ${rows.length} records of ${persons} persons in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${later.length} arrive later`);

const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const keep = values['keep-db'];
if (keep !== undefined && !/^[a-z_][a-z0-9_]*$/.test(keep)) throw new Error('--keep-db takes a lower-case database name');
let scratch: { url: string; drop: () => Promise<void> };
let reuse = false;
if (keep) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [keep])).rowCount === 1;
  if (!exists) await admin.query(`create database ${keep}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${keep}`;
  scratch = { url: url.toString(), drop: async () => {} };
  reuse = exists;
} else {
  scratch = await createScratchPostgres('hssk_incbench', adminUrl);
}
const handle = await openDatabase({ url: scratch.url, poolSize: 2 });
const client = new pg.Client({ connectionString: scratch.url });
try {
  await client.connect();
  const expected = rows.length - later.length;
  const csv = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? '' : `"${v.replace(/"/g, '""')}"`);
  const arr = (keys: string[]) => `"{${keys.map((k) => `""${k.replace(/[\\"]/g, '\\$&').replace(/"/g, '""')}""`).join(',')}}"`;
  const count = async (table: string) => Number((await client.query(`select count(*)::int as n from ${table}`)).rows[0].n);

  /** The linked population: persons = the generator's truth, every record with its keys, the key index, the model. */
  const load = async () => {
    // Persons first (source records point at them): one per true person of the loaded records.
    const personIds = new Set<string>();
    for (let i = 0; i < rows.length; i++) {
      if (i % step === 0 && i / step < arrivals) continue;
      const r = rows[i] as Record<string, string>;
      personIds.add(`P${truth.get(`${r.source_system}|${r.source_id}`)}`);
    }
    const personCopy = client.query(copyFrom('copy person (id, ho_ten, name_key) from stdin with (format csv)'));
    // In chunks, waiting for the stream: a million small buffered writes made the copy crawl.
    let chunk = '';
    for (const id of personIds) {
      chunk += `${id},—,—\n`;
      if (chunk.length > 1 << 16) {
        if (!personCopy.write(chunk)) await new Promise((res) => personCopy.once('drain', res));
        chunk = '';
      }
    }
    personCopy.write(chunk);
    await new Promise<void>((res, rej) => personCopy.end((e?: Error | null) => (e ? rej(e) : res())));
    const sample: MpiRecord[] = [];
    // The key index is built once after the load: fed row by row, it made loading 2.57 M records take 26 minutes.
    const indexDef = (await client.query(`select pg_get_indexdef('source_record_match_keys'::regclass) as d`)).rows[0].d as string;
    await client.query('drop index source_record_match_keys');
    const copy = client.query(copyFrom(`copy source_record (source_system, source_id, ${CONTENT.join(', ')}, content_hash, person_id, link_rule, match_keys)
      from stdin with (format csv)`));
    let lines = '';
    for (let i = 0; i < rows.length; i++) {
      if (i % step === 0 && i / step < arrivals) continue;
      const r = rows[i] as Record<string, string>;
      const { record } = normalizeSourceRecord(r);
      const person = `P${truth.get(`${r.source_system}|${r.source_id}`)}`;
      if (record && sample.length < 60_000 && i % 7 === 0) sample.push(record);
      const line = [csv(r.source_system), csv(r.source_id), ...CONTENT.map((c) => csv(r[c])), csv(`bench${i}`), csv(person), 'MPI_AUTO',
        record ? arr(matchKeys(record)) : ''].join(',');
      lines += `${line}\n`;
      if (lines.length > 1 << 16) {
        if (!copy.write(lines)) await new Promise((res) => copy.once('drain', res));
        lines = '';
      }
    }
    copy.write(lines);
    await new Promise<void>((res, rej) => copy.end((e?: Error | null) => (e ? rej(e) : res())));
    await client.query(`set maintenance_work_mem = '512MB'`);
    await client.query(indexDef);
    await client.query('analyze source_record; analyze person');
    const model = linkRecords(sample).model;
    await sql`insert into mpi_model (id, model, records) values (1, ${JSON.stringify(model)}::jsonb, ${expected})`.execute(handle.db);
  };

  /** Leaves a kept database as loaded: the arrivals, the persons they started and their review pairs go. */
  const removeArrivals = async () => {
    const ids = JSON.stringify(later.map((r) => ({ s: (r as Record<string, string>).source_system, i: (r as Record<string, string>).source_id })));
    await sql`delete from mpi_review r using jsonb_to_recordset(${ids}::jsonb) as x(s text, i text)
      where (r.a_system = x.s and r.a_id = x.i) or (r.b_system = x.s and r.b_id = x.i)`.execute(handle.db);
    await sql`delete from source_record sr using jsonb_to_recordset(${ids}::jsonb) as x(s text, i text)
      where sr.source_system = x.s and sr.source_id = x.i`.execute(handle.db);
    await sql`delete from source_record where source_id like 'base-%'`.execute(handle.db);
    await sql`delete from person p where p.id !~ '^P[0-9]+$' and not exists (select 1 from source_record sr where sr.person_id = p.id)`.execute(handle.db);
    await sql`update person set quality_flags = '{}' where quality_flags <> '{}'`.execute(handle.db);
  };

  let t = performance.now();
  if (reuse) {
    await removeArrivals();
    const held = await count('source_record');
    if (held !== expected) throw new Error(`database ${keep} holds ${held} records, expected ${expected}: drop it or use other --persons/--seed/--arrivals`);
    console.log(`reusing ${keep}: ${held} source records`);
  } else {
    await migrate(handle);
    await load();
  }
  const n = await count('source_record');
  const loadedPersons = await count('person');
  if (!reuse) console.log(`loaded ${n} source records, ${loadedPersons} persons, keys indexed, model estimated in ${((performance.now() - t) / 1000).toFixed(1)} s`);

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
  console.log(`| ${loadedPersons} | ${n} | ${later.length} | insert + CCCD lookup (baseline) | ${ms(pct(base, 50))} | ${ms(pct(base, 95))} | ${ms(pct(base, 99))} | ${ms(Math.max(...base))} |`);
  console.log(`| ${loadedPersons} | ${n} | ${later.length} | insert + linkIncoming | ${ms(pct(times, 50))} | ${ms(pct(times, 95))} | ${ms(pct(times, 99))} | ${ms(Math.max(...times))} |`);
  console.log('');
  console.log(`outcomes ${JSON.stringify(Object.fromEntries(outcome))}; joined the true person ${right}, another person ${wrong}`);
  if (keep) await removeArrivals();
} finally {
  await client.end().catch(() => {});
  await handle.close();
  await scratch.drop();
}
