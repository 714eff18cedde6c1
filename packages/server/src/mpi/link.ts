import { normalizePersonName, parseCccd, socialInsuranceNumber } from '@openhssk/core';
import type { LinkOptions, MpiRecord, ReviewPair } from '@openhssk/core/mpi';
import {
  assignStableIds, DEFAULT_SOURCE_PRIORITY, goldenRecord, linkRecords, matchKeys, normalizeSourceRecord,
} from '@openhssk/core/mpi';
import { sql } from 'kysely';
import type { Db, SourceRecordTable } from '../db/index.ts';
import { bulkInsert, writeBehind } from '../db/index.ts';
import {
  createPersons, type DerivationStats, deriveHouseholdRelations, episodesFollowSourceRecords, flagPersons, type GoldenRow, type MinimalPerson, newPersonId, personRow,
  type SourceLink, setSourceLinks, writeGoldenRecords,
} from '../person/index.ts';
import { identityFollowsRelink } from './follow.ts';
import { RELINK_LOCK, saveModel } from './incremental.ts';
import { REVIEW_COLUMNS } from './persons.ts';

export interface RelinkOptions {
  link?: LinkOptions | undefined;
  sourcePriority?: readonly string[] | undefined;
  /** Rows per keyset page when loading source records. */
  pageSize?: number | undefined;
  /** Rows per bulk write statement. */
  writeChunk?: number | undefined;
  newId?: (() => string) | undefined;
  log?: ((message: string) => void) | undefined;
}

export interface RelinkStats {
  /** Source records linked. */
  records: number;
  /** Source records that no longer normalize (kept with their previous person, not linked). */
  unlinkable: number;
  persons: number;
  /** Pairs the engine linked automatically (deterministic + probabilistic). */
  autoLinks: number;
  /** Pending review pairs after this run: the uncertain pairs it found that still span two persons. */
  reviews: number;
  /** Pending pairs of earlier runs this run no longer finds uncertain (withdrawn from the queue). */
  withdrawnReviews: number;
  /** Persons flagged SHARED_ID_NUMBER: a record of theirs carries another person's CCCD/BHXH number. */
  sharedIdPersons: number;
  /** Parent/child relations derived from the households of the population lists after linking. */
  families: DerivationStats;
  /** Records whose person changed in this run. */
  changedRecords: number;
  /** Persons left without any source record (kept, flagged NO_SOURCE_RECORDS). */
  orphanedPersons: number;
  /** Pairs a reviewer had marked separate that the engine would have merged. */
  separatedByDecision: number;
  seconds: number;
}

type LoadedRow = Pick<
  SourceRecordTable,
  | 'source_system' | 'source_id' | 'ho_ten' | 'ngay_sinh' | 'gioi_tinh' | 'so_cccd' | 'so_bhyt' | 'so_dien_thoai'
  | 'dia_chi' | 'ma_xa' | 'ma_ho_gia_dinh' | 'person_id' | 'link_rule'
> & { no_keys: boolean };

/** Compact load: only the normalized record and the previous link survive a page. */
interface Loaded {
  records: MpiRecord[];
  prevIds: Array<string | undefined>;
  prevRules: Array<string | null>;
  /**
   * Rows without a usable name or birth date cannot be matched by similarity; they still belong
   * to a person (one row per imported record), found by a valid identifier or on their own.
   */
  held: LoadedRow[];
  /** Records stored without blocking keys (a new import's rows, rows older than migration 019): written by this run. */
  needKeys: number[];
}

/** The engine's clusters after the reviewers' decisions. */
interface Clustering {
  clusterOf: Int32Array;
  /** Rule of the records a decision placed, by record index. */
  manualRule: Map<number, string>;
  separatedByDecision: number;
}

/** Where every matchable record ends up, decided before the transaction. */
interface Placement extends Clustering {
  /** Person id by record index. */
  ids: string[];
  /** Record indices sorted by cluster: members contiguous, a sort instead of a million small arrays. */
  order: Int32Array;
  /** Members per cluster. */
  size: Map<number, number>;
}

const CORRECTION_COLUMNS = {
  person_id: 'text', field: 'text', from_value: 'text', to_value: 'text', reason_vi: 'text', reason_en: 'text',
} as const;


const keyOf = (system: string, id: string) => `${system}\u0000${id}`;

/**
 * Re-links every source record (population imports and KCB episode patients) from scratch and
 * carries person ids over with assignStableIds, so ids only change where clusters really split.
 *
 * Manual decisions in mpi_review are applied on top of the engine's clusters: 'merged' pairs
 * join their clusters; for a 'separate' pair the engine put together, record b leaves the
 * cluster as a person of its own (its other links are not re-examined: a reviewer who sees the
 * rest wrongly attached can mark those pairs too). 'separate' wins over 'merged'.
 *
 * Persons that lose all their records are kept and flagged NO_SOURCE_RECORDS: episodes, audit
 * events and accounts may point at them, and a later import may bring records back.
 */
export async function relinkAll(db: Db, options: RelinkOptions = {}): Promise<RelinkStats> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const chunk = options.writeChunk ?? 5000;
  const newId = options.newId ?? newPersonId;

  const loaded = await loadSourceRecords(db, options.pageSize ?? 50_000);
  const { records, prevIds, held } = loaded;
  log(`loaded ${records.length} records (${held.length} unlinkable) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const result = linkRecords(records, options.link);
  const st = result.stats;
  log(`linked: ${st.clusters} clusters, ${st.autoLinks} auto links, ${result.reviewPairs.length} reviews (${st.candidatePairs} pairs; ms blocking ${st.msBlocking}, EM ${st.msEm}, scoring ${st.msScoring}, clustering ${st.msClustering})`);

  const clustering = await applyReviewDecisions(db, records, result.clusterOf);
  const placement = place(clustering, assignStableIds(clustering.clusterOf, prevIds, newId));
  log('applied review decisions, assigned stable ids');

  const written = await db.transaction().execute(async (tx) => {
    // Two relinks interleaving their writes would mix two different clusterings.
    await sql`select pg_advisory_xact_lock(${RELINK_LOCK})`.execute(tx);

    const persons = await writeClusterPersons(tx, records, placement, options.sourcePriority ?? DEFAULT_SOURCE_PRIORITY, chunk);
    log(`wrote ${persons} persons`);

    let changedRecords = await updateSourceLinks(tx, loaded, placement, chunk);
    log(`updated ${changedRecords} source records`);

    if (held.length > 0) {
      changedRecords += await placeHeldRecords(tx, loaded, placement.ids, newId);
      log(`placed ${held.length} records without name or birth date`);
    }

    // Newcomers' lookups should find the keys in the index proper, not in its pending list.
    await sql`select gin_clean_pending_list('source_record_match_keys'::regclass)`.execute(tx);
    await saveModel(tx, result.model, records.length);
    await episodesFollowSourceRecords(tx);
    log('episodes followed their records');
    const orphanedPersons = await flagOrphans(tx, prevIds, placement.ids, chunk);
    const { reviews, withdrawn } = await queueReviews(tx, result.reviewPairs, records, placement.ids, chunk);
    const sharedIdPersons = await flagSharedIds(tx, result.sharedIdPairs, placement.ids);
    const moves = identityMoves(prevIds, placement.ids);
    await identityFollowsRelink(tx, moves.retired, moves.changed);
    log(`queued ${reviews} reviews, flagged orphans and shared ids, identities followed`);
    // Parent/child relations from the households of the population lists, on today's persons.
    const families = await deriveHouseholdRelations(tx, { log });
    log(`families: ${families.added} relations added, ${families.removed} removed`);
    return { persons, changedRecords, orphanedPersons, reviews, withdrawn, sharedIdPersons, families };
  });
  log('committed');

  return {
    records: records.length, unlinkable: held.length, persons: written.persons, autoLinks: result.stats.autoLinks, reviews: written.reviews,
    withdrawnReviews: written.withdrawn, sharedIdPersons: written.sharedIdPersons, families: written.families,
    changedRecords: written.changedRecords, orphanedPersons: written.orphanedPersons, separatedByDecision: placement.separatedByDecision,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** A loaded row as its page's JSON carries it: arrays keep the text small. */
type PageRow = [
  source_system: string, source_id: string, ho_ten: string | null, ngay_sinh: string | null, gioi_tinh: string | null, so_cccd: string | null,
  so_bhyt: string | null, so_dien_thoai: string | null, dia_chi: string | null, ma_xa: string | null, ma_ho_gia_dinh: string | null,
  person_id: string | null, link_rule: string | null, no_keys: boolean,
];

async function loadSourceRecords(db: Db, pageSize: number): Promise<Loaded> {
  const loaded: Loaded = { records: [], prevIds: [], prevRules: [], held: [], needKeys: [] };
  // One JSON text per page (PGlite and pg both build a million row objects slowly), and the next
  // page is read while this one is normalized.
  const fetchPage = async (after: readonly [string, string] | undefined): Promise<PageRow[]> => {
    const page = await sql<{ rows: string | null }>`
      select json_agg(json_build_array(source_system, source_id, ho_ten, ngay_sinh, gioi_tinh, so_cccd, so_bhyt, so_dien_thoai, dia_chi,
             ma_xa, ma_ho_gia_dinh, person_id, link_rule, match_keys is null) order by source_system, source_id)::text as rows
      from (select * from source_record
            where ${after ? sql`(source_system, source_id) > (${after[0]}, ${after[1]})` : sql`true`}
            order by source_system, source_id
            limit ${pageSize}) x`.execute(db);
    return JSON.parse(page.rows[0]?.rows ?? '[]');
  };
  let next: Promise<PageRow[]> | undefined = fetchPage(undefined);
  while (next) {
    const rows: PageRow[] = await next;
    const last = rows.at(-1);
    next = last && rows.length >= pageSize ? fetchPage([last[0], last[1]]) : undefined;
    for (const [source_system, source_id, ho_ten, ngay_sinh, gioi_tinh, so_cccd, so_bhyt, so_dien_thoai, dia_chi, ma_xa, ma_ho_gia_dinh, person_id, link_rule, no_keys] of rows) {
      const { record } = normalizeSourceRecord({
        source_system, source_id, ho_ten: ho_ten ?? '', ngay_sinh: ngay_sinh ?? '', gioi_tinh: gioi_tinh ?? '', so_cccd: so_cccd ?? '',
        so_bhyt: so_bhyt ?? '', so_dien_thoai: so_dien_thoai ?? '', dia_chi: dia_chi ?? '', ma_xa: ma_xa ?? '', ma_ho_gia_dinh: ma_ho_gia_dinh ?? '',
      });
      if (!record) {
        loaded.held.push({
          source_system, source_id, ho_ten, ngay_sinh, gioi_tinh, so_cccd, so_bhyt, so_dien_thoai, dia_chi, ma_xa, ma_ho_gia_dinh,
          person_id, link_rule, no_keys,
        });
        continue;
      }
      // normalizeSourceRecord upper-cases the system; the stored key is what must be written back.
      record.sourceSystem = source_system;
      if (no_keys) loaded.needKeys.push(loaded.records.length);
      loaded.records.push(record);
      loaded.prevIds.push(person_id ?? undefined);
      loaded.prevRules.push(link_rule);
    }
  }
  return loaded;
}

async function applyReviewDecisions(db: Db, records: readonly MpiRecord[], engineClusters: Int32Array): Promise<Clustering> {
  const clusterOf = Int32Array.from(engineClusters);
  const manualRule = new Map<number, string>();
  let separatedByDecision = 0;
  const decisions = await sql<{ a_system: string; a_id: string; b_system: string; b_id: string; status: string }>`
    select a_system, a_id, b_system, b_id, status from mpi_review where status in ('merged', 'separate')`.execute(db);
  if (decisions.rows.length === 0) return { clusterOf, manualRule, separatedByDecision };

  const n = records.length;
  const wanted = new Set<string>();
  for (const d of decisions.rows) {
    wanted.add(keyOf(d.a_system, d.a_id));
    wanted.add(keyOf(d.b_system, d.b_id));
  }
  const indexOf = new Map<string, number>();
  records.forEach((r, i) => {
    const k = keyOf(r.sourceSystem, r.sourceId);
    if (wanted.has(k)) indexOf.set(k, i);
  });
  let nextCluster = 0;
  for (let i = 0; i < n; i++) if (clusterOf[i]! >= nextCluster) nextCluster = clusterOf[i]! + 1;
  const pairsOf = (status: string) =>
    decisions.rows
      .filter((d) => d.status === status)
      .map((d) => [indexOf.get(keyOf(d.a_system, d.a_id)), indexOf.get(keyOf(d.b_system, d.b_id))] as const)
      .filter((p): p is readonly [number, number] => p[0] !== undefined && p[1] !== undefined);
  const merges = pairsOf('merged');
  if (merges.length > 0) {
    const parent = new Map<number, number>();
    const find = (x: number): number => {
      let r = x;
      while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
      return r;
    };
    for (const [a, b] of merges) {
      const ra = find(clusterOf[a]!);
      const rb = find(clusterOf[b]!);
      if (ra !== rb) parent.set(rb, ra);
      manualRule.set(a, 'MPI_MANUAL_MERGE');
      manualRule.set(b, 'MPI_MANUAL_MERGE');
    }
    for (let i = 0; i < n; i++) clusterOf[i] = find(clusterOf[i]!);
  }
  // After the merges: 'separate' wins over 'merged'.
  for (const [a, b] of pairsOf('separate')) {
    if (clusterOf[a] === clusterOf[b]) {
      clusterOf[b] = nextCluster++;
      separatedByDecision++;
      manualRule.set(b, 'MPI_MANUAL_SEPARATE');
    }
  }
  return { clusterOf, manualRule, separatedByDecision };
}

function place(clustering: Clustering, ids: string[]): Placement {
  const { clusterOf } = clustering;
  const n = clusterOf.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => clusterOf[a]! - clusterOf[b]! || a - b);
  const size = new Map<number, number>();
  for (let i = 0; i < n; i++) size.set(clusterOf[i]!, (size.get(clusterOf[i]!) ?? 0) + 1);
  return { ...clustering, ids, order, size };
}

/** One golden record per cluster, with the corrections that explain it; returns the number of persons. */
async function writeClusterPersons(
  tx: Db, records: readonly MpiRecord[], { clusterOf, order, ids }: Placement, sourcePriority: readonly string[], chunk: number,
): Promise<number> {
  // Corrections describe the golden records of this run only.
  await sql`delete from mpi_correction`.execute(tx);
  let persons = 0;
  let personBatch: GoldenRow[] = [];
  let correctionBatch: Array<Record<string, unknown>> = [];
  const writer = writeBehind();
  const flush = async () => {
    const [people, corrections] = [personBatch, correctionBatch];
    personBatch = [];
    correctionBatch = [];
    await writer.push(async () => {
      await writeGoldenRecords(tx, people);
      // Corrections point at persons, so they go after them.
      await bulkInsert(tx, 'mpi_correction', CORRECTION_COLUMNS, corrections);
    });
  };
  const n = order.length;
  for (let s = 0; s < n; ) {
    let e = s + 1;
    while (e < n && clusterOf[order[e]!] === clusterOf[order[s]!]) e++;
    const members: MpiRecord[] = [];
    for (let k = s; k < e; k++) members.push(records[order[k]!]!);
    const id = ids[order[s]!]!;
    const g = goldenRecord(members, sourcePriority);
    personBatch.push(personRow(id, g, members));
    for (const c of g.corrections) {
      correctionBatch.push({ person_id: id, field: c.field, from_value: c.from, to_value: c.to, reason_vi: c.reason_vi, reason_en: c.reason_en });
    }
    persons++;
    if (personBatch.length >= chunk) await flush();
    s = e;
  }
  await flush();
  await writer.done();
  return persons;
}

/** Points each matchable record at its cluster's person; returns how many changed person. */
async function updateSourceLinks(tx: Db, { records, prevIds, prevRules, needKeys }: Loaded, placement: Placement, chunk: number): Promise<number> {
  const { clusterOf, manualRule, ids, size } = placement;
  let changed = 0;
  let links: SourceLink[] = [];
  const writer = writeBehind();
  // Records stored without their blocking keys (an import leaves them to the link) get them with the
  // link: one rewrite of the row, so one entry in the GIN key index, instead of two.
  const keysWanted = new Uint8Array(records.length);
  for (const i of needKeys) keysWanted[i] = 1;
  for (let i = 0; i < records.length; i++) {
    const rule = manualRule.get(i) ?? ((size.get(clusterOf[i]!) ?? 1) > 1 ? 'MPI_AUTO' : 'MPI_SINGLE');
    const id = ids[i]!;
    if (id !== prevIds[i]) changed++;
    if (id === prevIds[i] && rule === prevRules[i] && keysWanted[i] === 0) continue;
    links.push({ s: records[i]!.sourceSystem, i: records[i]!.sourceId, p: id, r: rule, k: keysWanted[i] === 1 ? matchKeys(records[i]!) : undefined });
    if (links.length >= chunk) {
      const batch = links;
      links = [];
      await writer.push(() => setSourceLinks(tx, batch));
    }
  }
  await writer.push(() => setSourceLinks(tx, links));
  await writer.done();
  return changed;
}

/**
 * Held records join the person whose records share a valid CCCD or social-insurance number, else
 * keep their previous person or get one of their own; returns how many changed person.
 */
async function placeHeldRecords(tx: Db, { records, held }: Loaded, ids: readonly string[], newId: () => string): Promise<number> {
  const byCccd = new Map<string, string>();
  const byBhxh = new Map<string, string>();
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (r.cccd && !r.cccdMismatch) byCccd.set(r.cccd, ids[i]!);
    if (r.bhxh) byBhxh.set(r.bhxh, ids[i]!);
  }
  let changed = 0;
  const fresh: MinimalPerson[] = [];
  const links: SourceLink[] = [];
  for (const r of held) {
    const cccd = parseCccd(r.so_cccd ?? '');
    const bhxh = r.so_bhyt ? socialInsuranceNumber(r.so_bhyt) : undefined;
    let person = (cccd.ok ? byCccd.get(cccd.value.number) : undefined) ?? (bhxh ? byBhxh.get(bhxh) : undefined);
    const rule = person ? 'MPI_HELD_ID' : 'MPI_HELD_SINGLE';
    if (!person) {
      person = r.person_id ?? newId();
      fresh.push({
        id: person, ho_ten: normalizePersonName(r.ho_ten ?? '') || '—', so_cccd: cccd.ok ? cccd.value.number : null, bhxh: bhxh ?? null,
        quality_flags: ['UNMATCHABLE_RECORD'],
      });
    }
    if (person === r.person_id && rule === r.link_rule) continue;
    links.push({ s: r.source_system, i: r.source_id, p: person, r: rule });
    if (person !== r.person_id) changed++;
  }
  // The links point at these persons, so they exist first.
  await createPersons(tx, fresh);
  await setSourceLinks(tx, links);
  return changed;
}

/**
 * What citizens' logins and book rows must follow after a relink: each previous person id that
 * holds no record any more, with the id that now holds most of its records, and every id whose
 * records changed (a split keeps the old id for one part).
 */
function identityMoves(prevIds: ReadonlyArray<string | undefined>, ids: readonly string[]) {
  const now = new Set(ids);
  const votes = new Map<string, Map<string, number>>();
  const changed = new Set<string>();
  for (let i = 0; i < ids.length; i++) {
    const prev = prevIds[i];
    if (prev === undefined || prev === ids[i]) continue;
    changed.add(prev);
    changed.add(ids[i]!);
    if (now.has(prev)) continue;
    const v = votes.get(prev) ?? new Map<string, number>();
    v.set(ids[i]!, (v.get(ids[i]!) ?? 0) + 1);
    votes.set(prev, v);
  }
  const retired = [...votes].map(([from, v]) => ({ from, to: [...v].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0] }));
  return { retired, changed: [...changed] };
}

/** Flags previous persons that no source record points at any more; returns how many. */
async function flagOrphans(tx: Db, prevIds: ReadonlyArray<string | undefined>, ids: readonly string[], chunk: number): Promise<number> {
  const newIds = new Set(ids);
  const lost = [...new Set(prevIds.filter((p): p is string => p !== undefined && !newIds.has(p)))];
  let orphaned = 0;
  for (let i = 0; i < lost.length; i += chunk) {
    // Held records or a concurrent ingest may still point at a lost id: only the database knows.
    orphaned += await flagPersons(tx, lost.slice(i, i + chunk), 'NO_SOURCE_RECORDS', true, { onlyUnlinked: true });
  }
  return orphaned;
}

/**
 * Makes the pending queue this run's uncertain pairs that still span two persons: pairs a
 * previous run proposed and this one does not (new records decided them, or the rules changed)
 * are withdrawn, proposed pairs get today's score and reasons, decided pairs stay as decided.
 * Returns the pending count written and the number withdrawn.
 */
async function queueReviews(
  tx: Db, pairs: readonly ReviewPair[], records: readonly MpiRecord[], ids: readonly string[], chunk: number,
): Promise<{ reviews: number; withdrawn: number }> {
  await sql`create temporary table relink_review (
    a_system text, a_id text, b_system text, b_id text, score real, reasons jsonb) on commit drop`.execute(tx);
  let reviews = 0;
  let batch: Array<Record<string, unknown>> = [];
  const flush = async () => {
    await bulkInsert(tx, 'relink_review', REVIEW_COLUMNS, batch);
    batch = [];
  };
  for (const pair of pairs) {
    // A pair that ended in one person (through other links or a decision) needs no review.
    if (ids[pair.a] === ids[pair.b]) continue;
    let a = records[pair.a]!;
    let b = records[pair.b]!;
    if (a.sourceSystem > b.sourceSystem || (a.sourceSystem === b.sourceSystem && a.sourceId > b.sourceId)) [a, b] = [b, a];
    batch.push({ a_system: a.sourceSystem, a_id: a.sourceId, b_system: b.sourceSystem, b_id: b.sourceId, score: pair.score, reasons: pair.reasons });
    reviews++;
    if (batch.length >= chunk) await flush();
  }
  await flush();
  const withdrawn = await sql`
    delete from mpi_review r
     where r.status = 'pending'
       and not exists (select 1 from relink_review n
                        where n.a_system = r.a_system and n.a_id = r.a_id and n.b_system = r.b_system and n.b_id = r.b_id)`.execute(tx);
  await sql`
    insert into mpi_review (a_system, a_id, b_system, b_id, score, reasons)
    select a_system, a_id, b_system, b_id, score, reasons from relink_review
    on conflict (a_system, a_id, b_system, b_id) do update set score = excluded.score, reasons = excluded.reasons
     where mpi_review.status = 'pending'`.execute(tx);
  return { reviews, withdrawn: Number(withdrawn.numAffectedRows ?? 0) };
}

/** Marks the persons whose records share an id with another person's record (SHARED_ID_NUMBER). */
async function flagSharedIds(tx: Db, pairs: ReadonlyArray<{ a: number; b: number }>, ids: readonly string[]): Promise<number> {
  const persons = new Set<string>();
  for (const p of pairs) {
    if (ids[p.a] === ids[p.b]) continue;
    persons.add(ids[p.a]!);
    persons.add(ids[p.b]!);
  }
  return flagPersons(tx, [...persons], 'SHARED_ID_NUMBER', true);
}
