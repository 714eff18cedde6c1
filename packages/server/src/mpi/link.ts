import { randomBytes } from 'node:crypto';
import { normalizePersonName, parseCccd, searchKey, socialInsuranceNumber } from '@openhssk/core';
import {
  assignStableIds, DEFAULT_SOURCE_PRIORITY, goldenRecord, linkRecords, normalizeSourceRecord,
} from '@openhssk/core/mpi/index';
import type { GoldenRecord, LinkOptions, MpiRecord } from '@openhssk/core/mpi/index';
import { sql } from 'kysely';
import { bulkInsert } from '../db/bulk.ts';
import type { Db } from '../db/index.ts';
import type { SourceRecordTable } from '../db/schema.ts';

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
  /** Uncertain pairs sent to review in this run (pairs already in mpi_review are not duplicated). */
  reviews: number;
  /** Records whose person changed in this run. */
  changedRecords: number;
  /** Persons left without any source record (kept, flagged NO_SOURCE_RECORDS). */
  orphanedPersons: number;
  /** Pairs a reviewer had marked separate that the engine would have merged. */
  separatedByDecision: number;
  seconds: number;
}

/** `P` + 12 hex digits: short enough to read out on the phone, 2^48 values make collisions moot. */
export function newPersonId(): string {
  return `P${randomBytes(6).toString('hex').toUpperCase()}`;
}

type LoadedRow = Pick<
  SourceRecordTable,
  | 'source_system' | 'source_id' | 'ho_ten' | 'ngay_sinh' | 'gioi_tinh' | 'so_cccd' | 'so_bhyt' | 'so_dien_thoai'
  | 'dia_chi' | 'ma_xa' | 'ma_ho_gia_dinh' | 'person_id' | 'link_rule'
>;

/** dd/mm/yyyy | mm/yyyy | yyyy (golden display form) → the ISO-like form person.ngay_sinh stores. */
export function isoPartialDate(display: string | undefined): string | null {
  if (!display) return null;
  const p = display.split('/');
  if (p.length === 3) return `${p[2]}-${p[1]!.padStart(2, '0')}-${p[0]!.padStart(2, '0')}`;
  if (p.length === 2) return `${p[1]}-${p[0]!.padStart(2, '0')}`;
  return display;
}

export const PERSON_COLUMNS = {
  id: 'text', ho_ten: 'text', name_key: 'text', ngay_sinh: 'text', birth_year: 'int', gioi_tinh: 'smallint', so_cccd: 'text',
  so_bhyt: 'text', bhxh: 'text', so_dien_thoai: 'text', dia_chi: 'text', ma_xa: 'text', ma_ho_gia_dinh: 'text',
  quality_flags: 'text[]',
} as const;

const PERSON_FIELDS = Object.keys(PERSON_COLUMNS).filter((c) => c !== 'id');
// Rewriting an unchanged person would only create dead tuples and bump updated_at.
export const PERSON_UPSERT = `on conflict (id) do update set
  ${PERSON_FIELDS.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = now()
  where (${PERSON_FIELDS.map((c) => `person.${c}`).join(', ')}) is distinct from (${PERSON_FIELDS.map((c) => `excluded.${c}`).join(', ')})`;

const CORRECTION_COLUMNS = {
  person_id: 'text', field: 'text', from_value: 'text', to_value: 'text', reason_vi: 'text', reason_en: 'text',
} as const;

const REVIEW_COLUMNS = {
  a_system: 'text', a_id: 'text', b_system: 'text', b_id: 'text', score: 'real', reasons: 'jsonb',
} as const;

export function personRow(id: string, g: GoldenRecord, members: MpiRecord[]): Record<string, unknown> {
  const f = g.fields;
  const ngaySinh = isoPartialDate(f.ngaySinh);
  // The golden card may be absent while a bare 10-digit social-insurance number is known.
  const bhxhVotes = new Map<string, number>();
  for (const r of members) if (r.bhxh) bhxhVotes.set(r.bhxh, (bhxhVotes.get(r.bhxh) ?? 0) + 1);
  let bhxh: string | null = null;
  let best = 0;
  for (const [v, n] of bhxhVotes) if (n > best) [bhxh, best] = [v, n];
  const hoTen = f.hoTen ?? members[0]!.name;
  return {
    id,
    ho_ten: hoTen,
    name_key: searchKey(hoTen),
    ngay_sinh: ngaySinh,
    birth_year: ngaySinh ? Number(ngaySinh.slice(0, 4)) : null,
    gioi_tinh: f.gioiTinh === 'Nam' ? 1 : f.gioiTinh === 'Nữ' ? 2 : null,
    so_cccd: f.soCccd ?? null,
    so_bhyt: f.soBhyt ?? null,
    bhxh,
    so_dien_thoai: f.soDienThoai ?? null,
    dia_chi: f.diaChi ?? null,
    ma_xa: f.maXa ?? null,
    ma_ho_gia_dinh: f.maHoGiaDinh ?? null,
    quality_flags: g.qualityFlags,
  };
}

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
  const pageSize = options.pageSize ?? 50_000;
  const chunk = options.writeChunk ?? 5000;

  // Compact load: only the normalized record and the previous link survive a page.
  const records: MpiRecord[] = [];
  const prevIds: Array<string | undefined> = [];
  const prevRules: Array<string | null> = [];
  let unlinkable = 0;
  // Rows without a usable name or birth date cannot be matched by similarity; they still belong
  // to a person (one row per imported record), found by a valid identifier or on their own.
  const held: LoadedRow[] = [];
  let after: [string, string] | undefined;
  for (;;) {
    const page = await sql<LoadedRow>`
      select source_system, source_id, ho_ten, ngay_sinh, gioi_tinh, so_cccd, so_bhyt, so_dien_thoai, dia_chi, ma_xa,
             ma_ho_gia_dinh, person_id, link_rule
      from source_record
      where ${after ? sql`(source_system, source_id) > (${after[0]}, ${after[1]})` : sql`true`}
      order by source_system, source_id
      limit ${pageSize}`.execute(db);
    for (const r of page.rows) {
      const { record } = normalizeSourceRecord({
        source_system: r.source_system, source_id: r.source_id, ho_ten: r.ho_ten ?? '', ngay_sinh: r.ngay_sinh ?? '',
        gioi_tinh: r.gioi_tinh ?? '', so_cccd: r.so_cccd ?? '', so_bhyt: r.so_bhyt ?? '', so_dien_thoai: r.so_dien_thoai ?? '',
        dia_chi: r.dia_chi ?? '', ma_xa: r.ma_xa ?? '', ma_ho_gia_dinh: r.ma_ho_gia_dinh ?? '',
      });
      if (!record) {
        unlinkable++;
        held.push(r);
        continue;
      }
      // normalizeSourceRecord upper-cases the system; the stored key is what must be written back.
      record.sourceSystem = r.source_system;
      records.push(record);
      prevIds.push(r.person_id ?? undefined);
      prevRules.push(r.link_rule);
    }
    const last = page.rows.at(-1);
    if (!last || page.rows.length < pageSize) break;
    after = [last.source_system, last.source_id];
  }
  const n = records.length;
  log(`loaded ${n} records (${unlinkable} unlinkable) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const result = linkRecords(records, options.link);
  const clusterOf = Int32Array.from(result.clusterOf);
  log(`linked: ${result.stats.clusters} clusters, ${result.stats.autoLinks} auto links, ${result.reviewPairs.length} reviews`);

  // Manual decisions.
  const decisions = await sql<{ a_system: string; a_id: string; b_system: string; b_id: string; status: string }>`
    select a_system, a_id, b_system, b_id, status from mpi_review where status in ('merged', 'separate')`.execute(db);
  const manualRule = new Map<number, string>();
  let separatedByDecision = 0;
  if (decisions.rows.length > 0) {
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
    for (const [a, b] of pairsOf('separate')) {
      if (clusterOf[a] === clusterOf[b]) {
        clusterOf[b] = nextCluster++;
        separatedByDecision++;
        manualRule.set(b, 'MPI_MANUAL_SEPARATE');
      }
    }
  }

  const ids = assignStableIds(clusterOf, prevIds, options.newId ?? newPersonId);

  // Members of each cluster, contiguous: a sort of indices instead of a million small arrays.
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => clusterOf[a]! - clusterOf[b]! || a - b);

  const size = new Map<number, number>();
  for (let i = 0; i < n; i++) size.set(clusterOf[i]!, (size.get(clusterOf[i]!) ?? 0) + 1);

  let persons = 0;
  let changedRecords = 0;
  let orphanedPersons = 0;
  let reviews = 0;
  await db.transaction().execute(async (tx) => {
    // Two relinks interleaving their writes would mix two different clusterings.
    await sql`select pg_advisory_xact_lock(7346121)`.execute(tx);

    await sql`delete from mpi_correction`.execute(tx);
    let personBatch: Array<Record<string, unknown>> = [];
    let correctionBatch: Array<Record<string, unknown>> = [];
    const flushPersons = async () => {
      await bulkInsert(tx, 'person', PERSON_COLUMNS, personBatch, PERSON_UPSERT);
      // Corrections point at persons, so they go after them.
      await bulkInsert(tx, 'mpi_correction', CORRECTION_COLUMNS, correctionBatch);
      personBatch = [];
      correctionBatch = [];
    };
    for (let s = 0; s < n; ) {
      let e = s + 1;
      while (e < n && clusterOf[order[e]!] === clusterOf[order[s]!]) e++;
      const members: MpiRecord[] = [];
      for (let k = s; k < e; k++) members.push(records[order[k]!]!);
      const id = ids[order[s]!]!;
      const g = goldenRecord(members, options.sourcePriority ?? DEFAULT_SOURCE_PRIORITY);
      personBatch.push(personRow(id, g, members));
      for (const c of g.corrections) {
        correctionBatch.push({ person_id: id, field: c.field, from_value: c.from, to_value: c.to, reason_vi: c.reason_vi, reason_en: c.reason_en });
      }
      persons++;
      if (personBatch.length >= chunk) await flushPersons();
      s = e;
    }
    await flushPersons();
    log(`wrote ${persons} persons`);

    let updates: Array<{ s: string; i: string; p: string; r: string }> = [];
    const flushUpdates = async () => {
      if (updates.length === 0) return;
      await sql`update source_record sr set person_id = x.p, link_rule = x.r, link_score = null, updated_at = now()
        from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as x(s text, i text, p text, r text)
        where sr.source_system = x.s and sr.source_id = x.i`.execute(tx);
      updates = [];
    };
    for (let i = 0; i < n; i++) {
      const rule = manualRule.get(i) ?? ((size.get(clusterOf[i]!) ?? 1) > 1 ? 'MPI_AUTO' : 'MPI_SINGLE');
      const id = ids[i]!;
      if (id !== prevIds[i]) changedRecords++;
      if (id === prevIds[i] && rule === prevRules[i]) continue;
      updates.push({ s: records[i]!.sourceSystem, i: records[i]!.sourceId, p: id, r: rule });
      if (updates.length >= chunk) await flushUpdates();
    }
    await flushUpdates();
    log(`updated ${changedRecords} source records`);

    if (held.length > 0) {
      const byCccd = new Map<string, string>();
      const byBhxh = new Map<string, string>();
      for (let i = 0; i < n; i++) {
        const r = records[i]!;
        if (r.cccd && !r.cccdMismatch) byCccd.set(r.cccd, ids[i]!);
        if (r.bhxh) byBhxh.set(r.bhxh, ids[i]!);
      }
      const fresh: Array<Record<string, unknown>> = [];
      for (const r of held) {
        const cccd = parseCccd(r.so_cccd ?? '');
        const bhxh = r.so_bhyt ? socialInsuranceNumber(r.so_bhyt) : undefined;
        let person = (cccd.ok ? byCccd.get(cccd.value.number) : undefined) ?? (bhxh ? byBhxh.get(bhxh) : undefined);
        const rule = person ? 'MPI_HELD_ID' : 'MPI_HELD_SINGLE';
        if (!person) {
          person = r.person_id ?? (options.newId ?? newPersonId)();
          const name = normalizePersonName(r.ho_ten ?? '') || '—';
          fresh.push({ id: person, ho_ten: name, name_key: searchKey(name), so_cccd: cccd.ok ? cccd.value.number : null, bhxh: bhxh ?? null, quality_flags: ['UNMATCHABLE_RECORD'] });
        }
        if (person === r.person_id && rule === r.link_rule) continue;
        updates.push({ s: r.source_system, i: r.source_id, p: person, r: rule });
        if (person !== r.person_id) changedRecords++;
      }
      await bulkInsert(tx, 'person', { id: 'text', ho_ten: 'text', name_key: 'text', so_cccd: 'text', bhxh: 'text', quality_flags: 'text[]' }, fresh, 'on conflict (id) do nothing');
      await flushUpdates();
      log(`placed ${held.length} records without name or birth date`);
    }

    // Episodes follow their KCB patient record; set-based, so patients linked earlier by ingest
    // but whose episode arrived without a usable id are repaired as well.
    await sql`update episode e set person_id = sr.person_id
      from source_record sr
      where sr.source_system = 'KCB' and sr.source_id = e.patient_source_id and sr.person_id is not null
        and e.person_id is distinct from sr.person_id`.execute(tx);
    await sql`update episode_row er set person_id = e.person_id
      from episode e
      where er.episode_id = e.id and e.person_id is not null and er.person_id is distinct from e.person_id`.execute(tx);

    const newIds = new Set(ids);
    const lost = [...new Set(prevIds.filter((p): p is string => p !== undefined && !newIds.has(p)))];
    for (let i = 0; i < lost.length; i += chunk) {
      const part = lost.slice(i, i + chunk);
      const r = await sql`update person p set quality_flags = array_append(p.quality_flags, 'NO_SOURCE_RECORDS'), updated_at = now()
        where p.id = any(${part}::text[]) and not ('NO_SOURCE_RECORDS' = any(p.quality_flags))
          and not exists (select 1 from source_record sr where sr.person_id = p.id)`.execute(tx);
      orphanedPersons += Number(r.numAffectedRows ?? 0);
    }

    let reviewBatch: Array<Record<string, unknown>> = [];
    for (const pair of result.reviewPairs) {
      // A pair that ended in one person (through other links or a decision) needs no review.
      if (ids[pair.a] === ids[pair.b]) continue;
      let a = records[pair.a]!;
      let b = records[pair.b]!;
      if (a.sourceSystem > b.sourceSystem || (a.sourceSystem === b.sourceSystem && a.sourceId > b.sourceId)) [a, b] = [b, a];
      reviewBatch.push({ a_system: a.sourceSystem, a_id: a.sourceId, b_system: b.sourceSystem, b_id: b.sourceId, score: pair.score, reasons: pair.reasons });
      reviews++;
      if (reviewBatch.length >= chunk) {
        await bulkInsert(tx, 'mpi_review', REVIEW_COLUMNS, reviewBatch, 'on conflict (a_system, a_id, b_system, b_id) do nothing');
        reviewBatch = [];
      }
    }
    await bulkInsert(tx, 'mpi_review', REVIEW_COLUMNS, reviewBatch, 'on conflict (a_system, a_id, b_system, b_id) do nothing');
  });

  return {
    records: n, unlinkable, persons, autoLinks: result.stats.autoLinks, reviews, changedRecords, orphanedPersons,
    separatedByDecision, seconds: (performance.now() - t0) / 1000,
  };
}
