import {
  contradictsPerson, decideIncoming, initialModel, type LinkedCandidate, lookupKeys, type MatchModel, matchKeys, type MpiRecord,
} from '@openhssk/core/mpi';
import { type RawBuilder, sql } from 'kysely';
import type { Db, SourceRecordTable } from '../db/index.ts';
import { bulkInsert } from '../db/index.ts';
import {
  createPersons, episodesFollowSourceRecords, flagPersons, type MinimalPerson, newPersonId, type SourceLink, setSourceLinks,
} from '../person/index.ts';
import { normalizeStored, recomputePersons, REVIEW_COLUMNS, writeMatchKeys } from './persons.ts';

/** A source record to place: (source_system, source_id) as stored. */
export interface SourceKey {
  system: string;
  id: string;
}

export interface IncomingPlacement extends SourceKey {
  /** The person the record belongs to now; null when its name or birth date is unusable. */
  personId: string | null;
  /** 'joined' an existing person, started a 'new' one, was already 'kept' there, or is 'unmatchable'. */
  outcome: 'joined' | 'new' | 'kept' | 'unmatchable';
  /** Review pairs this record put in the queue. */
  reviews: number;
}

type Row = Pick<
  SourceRecordTable,
  | 'source_system' | 'source_id' | 'ho_ten' | 'ngay_sinh' | 'gioi_tinh' | 'so_cccd' | 'so_bhyt' | 'so_dien_thoai'
  | 'dia_chi' | 'ma_xa' | 'ma_ho_gia_dinh' | 'person_id' | 'link_rule'
>;

const ROW_COLUMNS = sql`sr.source_system, sr.source_id, sr.ho_ten, sr.ngay_sinh, sr.gioi_tinh, sr.so_cccd, sr.so_bhyt,
  sr.so_dien_thoai, sr.dia_chi, sr.ma_xa, sr.ma_ho_gia_dinh, sr.person_id, sr.link_rule`;

/** Candidate persons beyond this are a block too common to mean anything (a shared clinic phone). */
const MAX_CANDIDATE_PERSONS = 60;
const MAX_RECORDS_PER_PERSON = 12;
/** Records read under one key; a key with more says little about who a newcomer is. */
const MAX_KEY_HITS = 300;

/** The advisory lock relinkAll holds exclusively while it rewrites links. */
export const RELINK_LOCK = 7346121;

/**
 * A global relink computes from a snapshot and rewrites links at its end: a transaction that will
 * place newcomers waits for that write, and several such transactions run side by side. Take it
 * before writing source records, or a relink waiting on those rows and this transaction waiting on
 * the relink deadlock.
 */
export async function holdAgainstRelink(tx: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock_shared(${RELINK_LOCK})`.execute(tx);
}

/** The model the last global relink estimated, or the prior one before any relink. */
export async function currentModel(db: Db): Promise<MatchModel> {
  const r = await sql<{ model: MatchModel }>`select model from mpi_model where id = 1`.execute(db);
  return r.rows[0]?.model ?? initialModel();
}

/**
 * Kept by relinkAll: the model its EM estimated on the whole population. estimated_at takes the new
 * row's default: Citus refuses a function call in DO UPDATE SET (mpi_model is a reference table there).
 */
export async function saveModel(db: Db, model: MatchModel, records: number): Promise<void> {
  await sql`insert into mpi_model (id, model, records) values (1, ${JSON.stringify(model)}::jsonb, ${records})
    on conflict (id) do update set model = excluded.model, records = excluded.records, estimated_at = excluded.estimated_at`.execute(db);
}


/**
 * Places new or changed source records one by one, in the caller's transaction, against the
 * persons they share a blocking key with — no global relink. A record already linked is left
 * where it is unless `relink` is set (its content changed). Each decision uses the same scoring
 * and guards as the global link (decideIncoming); uncertain pairs go to the review queue and the
 * next global relink may still revise the placement.
 */
export async function linkIncoming(
  tx: Db,
  keys: readonly SourceKey[],
  options: {
    /** Place records that already have a person again (their content changed); manual decisions stay. */
    relink?: boolean;
    model?: MatchModel;
    /** Move the placed KCB patients' episodes (default); ingest moves every patient of its envelope itself, right after. */
    episodesFollow?: boolean;
  } = {},
): Promise<IncomingPlacement[]> {
  if (keys.length === 0) return [];
  await holdAgainstRelink(tx);
  const model = options.model ?? (await currentModel(tx));
  const wanted = JSON.stringify(keys.map((k) => ({ s: k.system, i: k.id })));
  const rows = await sql<Row>`select ${ROW_COLUMNS} from source_record sr
    join jsonb_to_recordset(${wanted}::jsonb) as k(s text, i text) on sr.source_system = k.s and sr.source_id = k.i`.execute(tx);
  const byKey = new Map(rows.rows.map((r) => [`${r.source_system}\u0000${r.source_id}`, r]));
  // One pass for the whole batch: every record's keys in one statement, and the golden records of
  // the persons ingest linked by CCCD/BHXH in one query — most patients carry an id, and they cost
  // no per-record lookups.
  const normalized = new Map<Row, MpiRecord>();
  for (const r of byKey.values()) {
    const record = normalizeStored(r);
    if (record) normalized.set(r, record);
  }
  // Keys of records that already belong to a person are visible to the lookups at once; a record
  // without a person is no one's candidate until placed, and its keys are written with its link.
  await writeMatchKeys(tx, [...normalized].filter(([r]) => r.person_id !== null).map(([, record]) => record));
  const idLinked = [...normalized.keys()].filter((r) => r.person_id && (r.link_rule === 'cccd' || r.link_rule === 'bhxh')).map((r) => r.person_id!);
  const golden = new Map(
    idLinked.length === 0 ? [] : (await tx.selectFrom('person').select(['id', 'name_key', 'ngay_sinh']).where('id', 'in', [...new Set(idLinked)]).execute())
      .map((p) => [p.id, p]),
  );
  const contradicted = (record: MpiRecord, personId: string) => {
    const p = golden.get(personId);
    return p !== undefined && p.name_key !== null && contradictsPerson(record, { nameKey: p.name_key, birthDate: p.ngay_sinh });
  };
  const out = new Map<Row, IncomingPlacement>();
  const touched = new Set<string>();
  const patients: string[] = [];
  const sharedId = new Set<string>();
  // Records to place, in the order given. Their candidates are looked up together and their writes
  // made together, in rounds: a record whose candidates an earlier record of the same round changes
  // (it shares a key with that record, or one of its candidate persons gains or loses a record) waits
  // for the next round, so every decision sees what placing the records one by one would have shown.
  let pending: Array<{ k: SourceKey; row: Row; record: MpiRecord; wrongId: string | null }> = [];
  const queued = new Set<Row>();
  for (const k of keys) {
    const row = byKey.get(`${k.system}\u0000${k.id}`);
    if (!row || queued.has(row)) continue;
    queued.add(row);
    const record = normalized.get(row);
    if (!record) {
      out.set(row, { ...k, personId: row.person_id, outcome: 'unmatchable', reviews: 0 });
      continue;
    }
    // A reviewer's decision is not the engine's to revisit here; a link ingest made by CCCD/BHXH
    // stands unless the record's name and birth date both contradict that person.
    const manual = row.link_rule?.startsWith('MPI_MANUAL') === true;
    const byId = row.link_rule === 'cccd' || row.link_rule === 'bhxh';
    if (row.person_id && (!options.relink || manual || (byId && !contradicted(record, row.person_id)))) {
      out.set(row, { ...k, personId: row.person_id, outcome: 'kept', reviews: 0 });
      continue;
    }
    // Another person's number: the record is placed on its own merits, never back on that person.
    pending.push({ k, row, record, wrongId: byId ? row.person_id : null });
  }
  // The candidate query takes a millisecond but is planned for a hundred newcomers per jsonb row set,
  // which made PostgreSQL compile it with JIT first (~110 ms per arrival). JIT is off for the rest of
  // this transaction (SET LOCAL): short statements that place records, where compiling never pays.
  if (pending.length > 0) await sql`select set_config('jit', 'off', true)`.execute(tx);
  while (pending.length > 0) {
    const found = await candidatesOf(tx, pending.map((p) => ({ record: p.record, self: p.row })));
    const changedPersons = new Set<string>();
    const changedKeys = new Set<string>();
    const deferred: typeof pending = [];
    const fresh: MinimalPerson[] = [];
    const links: SourceLink[] = [];
    const reviews: Array<Record<string, unknown>> = [];
    for (let n = 0; n < pending.length; n++) {
      const { k, row, record, wrongId } = pending[n]!;
      const all = found[n]!;
      if (
        (wrongId !== null && changedPersons.has(wrongId)) || all.some((c) => changedPersons.has(c.personId))
        || lookupKeys(record).some((key) => changedKeys.has(key))
      ) {
        deferred.push(pending[n]!);
        continue;
      }
      const candidates = all.filter((c) => c.personId !== wrongId);
      const decision = decideIncoming(record, candidates, model, { current: row.person_id ?? undefined });
      let personId = decision.personId;
      const outcome = personId ? 'joined' : 'new';
      if (!personId) {
        // An unlinked record keeps the person it had (episodes may point at it); otherwise a new one.
        personId = (wrongId ? null : row.person_id) ?? newPersonId();
        // A placeholder until recomputePersons below builds the golden record from the source record.
        fresh.push({ id: personId, ho_ten: record.name });
      }
      const previous = row.person_id;
      if (previous !== personId || row.link_rule === null) {
        links.push({
          s: row.source_system, i: row.source_id, p: personId, r: outcome === 'joined' ? 'MPI_INCREMENTAL' : 'MPI_SINGLE',
          k: previous === null ? matchKeys(record) : undefined,
        });
      }
      touched.add(personId);
      changedPersons.add(personId);
      if (previous) changedPersons.add(previous);
      for (const key of matchKeys(record)) changedKeys.add(key);
      if (previous && previous !== personId) touched.add(previous);
      if (row.source_system === 'KCB') patients.push(row.source_id);
      let count = 0;
      const review = (other: RecordKey, score: number, reasons: string[]) => {
        const [a, b] = ordered(record, other);
        reviews.push({ a_system: a.sourceSystem, a_id: a.sourceId, b_system: b.sourceSystem, b_id: b.sourceId, score, reasons });
        count++;
      };
      for (const rv of decision.reviews) review(candidates[rv.candidate]!.record, rv.score, rv.reasons);
      // Persons the record also matched: the relink kept them apart from its person, a reviewer decides.
      for (const other of decision.alsoMatched) review(candidates.find((c) => c.personId === other)!.record, 0.95, ['bridges-persons']);
      if (wrongId) {
        sharedId.add(wrongId).add(personId);
        // The number says one person, name and birth date another: a person has to look (a name change
        // and a wrong birth date at once, or a relative's card). The record itself is leaving that person.
        const other = await tx.selectFrom('source_record').select(['source_system', 'source_id']).where('person_id', '=', wrongId)
          .where((eb) => eb.not(eb.and([eb('source_system', '=', row.source_system), eb('source_id', '=', row.source_id)])))
          .orderBy('source_system').orderBy('source_id').executeTakeFirst();
        if (other) review({ sourceSystem: other.source_system, sourceId: other.source_id }, 0.5, ['shared-id-different-person']);
      }
      if (decision.sharedIdWith.length > 0) {
        for (const p of [personId, ...decision.sharedIdWith.map((j) => candidates[j]!.personId)]) sharedId.add(p);
      }
      out.set(row, { ...k, personId, outcome, reviews: count });
    }
    // The links point at the new persons, so those exist first.
    await createPersons(tx, fresh);
    await setSourceLinks(tx, links);
    await bulkInsert(tx, 'mpi_review', REVIEW_COLUMNS, reviews, 'on conflict (a_system, a_id, b_system, b_id) do nothing');
    pending = deferred;
  }
  await recomputePersons(tx, [...touched]);
  // After the golden records are rebuilt: they carry their own quality flags.
  await flagPersons(tx, [...sharedId], 'SHARED_ID_NUMBER', true);
  if (options.episodesFollow !== false) await episodesFollowSourceRecords(tx, patients);
  const placements: IncomingPlacement[] = [];
  for (const k of keys) {
    const row = byKey.get(`${k.system}\u0000${k.id}`);
    const placed = row ? out.get(row) : undefined;
    if (placed) placements.push({ ...k, personId: placed.personId, outcome: placed.outcome, reviews: placed.reviews });
  }
  return placements;
}


type RecordKey = Pick<MpiRecord, 'sourceSystem' | 'sourceId'>;

function ordered(x: RecordKey, y: RecordKey): [RecordKey, RecordKey] {
  return x.sourceSystem < y.sourceSystem || (x.sourceSystem === y.sourceSystem && x.sourceId < y.sourceId) ? [x, y] : [y, x];
}

/** Key lookups in one candidate statement: a batch of newcomers is read in statements of at most this many. */
const MAX_LOOKUPS_PER_STATEMENT = 400;

/**
 * Every record of the persons that share a lookup key with each newcomer (itself excluded): the i-th
 * list belongs to the i-th newcomer. One statement per few dozen newcomers (one for an arrival).
 *
 * Each (newcomer, key) lookup is its own bounded sub-select, written out in a UNION ALL, not a
 * LATERAL over the keys unnested from a parameter: Citus refuses a LIMIT in a lateral subquery that
 * references a table function's column (issue 21), and source_record is distributed by its own key
 * there, so each lookup is a bounded scan of every shard and the scoring below runs on the
 * coordinator over their results. On one node the plan is the same index lookups as before.
 */
async function candidatesOf(tx: Db, newcomers: ReadonlyArray<{ record: MpiRecord; self: Row }>): Promise<LinkedCandidate[][]> {
  const out: LinkedCandidate[][] = newcomers.map(() => []);
  let lookups: RawBuilder<unknown>[] = [];
  const flush = async () => {
    if (lookups.length === 0) return;
    const rows = await candidateRows(tx, lookups);
    lookups = [];
    for (const r of rows) {
      const c = normalizeStored(r);
      if (c) out[r.n]!.push({ record: c, personId: r.person_id! });
    }
  };
  for (let n = 0; n < newcomers.length; n++) {
    const { record, self } = newcomers[n]!;
    const keys = [...new Set(lookupKeys(record))];
    if (lookups.length + keys.length > MAX_LOOKUPS_PER_STATEMENT) await flush();
    for (const key of keys) {
      lookups.push(sql`(select ${n}::int as n, ${self.source_system}::text as s, ${self.source_id}::text as i, ${key}::text as key, person_id
        from source_record
       where match_keys @> array[${key}::text] and person_id is not null
         and not (source_system = ${self.source_system} and source_id = ${self.source_id})
       limit ${MAX_KEY_HITS})`);
    }
  }
  await flush();
  return out;
}

async function candidateRows(tx: Db, lookups: readonly RawBuilder<unknown>[]): Promise<Array<Row & { n: number }>> {
  const r = await sql<Row & { n: number }>`
    with kh as (${sql.join(lookups, sql` union all `)})
    , hits as (
      -- Each key is looked up on its own and bounded on its own, so a crowded key (a common name
      -- and year, a birth date in a million people, a clinic's phone) cannot crowd out what a rare
      -- key points at. A person scores the rarity of every key it shares: 1 / the persons found
      -- under that key. An id or household shared by one person outweighs a name shared by hundreds.
      select n, s, i, person_id from (
        select n, s, i, person_id, row_number() over (partition by n order by sum(weight) desc, person_id) as rank
          from (
            select d.n, d.s, d.i, d.person_id, 1.0 / count(*) over (partition by d.n, d.key) as weight
              from (select distinct n, s, i, key, person_id from kh) d) scored
         group by n, s, i, person_id) ranked
       where rank <= ${MAX_CANDIDATE_PERSONS})
    -- A person's latest records are enough to judge a newcomer; a person with hundreds (one id
    -- typed into many rows) must not make every arrival compare against all of them. The records
    -- are found by person (its index) and numbered per newcomer and person, not by a LATERAL with a
    -- LIMIT (refused by Citus, as above).
    select sr.n, ${ROW_COLUMNS}, sr.updated_at from (
      select h.n, r.*, row_number() over (partition by h.n, r.person_id order by r.updated_at desc, r.source_system, r.source_id) as nth
        from hits h join source_record r on r.person_id = h.person_id and not (r.source_system = h.s and r.source_id = h.i)) sr
     where sr.nth <= ${MAX_RECORDS_PER_PERSON}
     order by sr.n, sr.person_id, sr.updated_at desc, sr.source_system, sr.source_id`.execute(tx);
  return r.rows;
}

