import { DEFAULT_SOURCE_PRIORITY, goldenRecord, matchKeys, type MpiRecord, normalizeSourceRecord } from '@openhssk/core/mpi';
import { sql } from 'kysely';
import type { Db, SourceRecordTable } from '../db/index.ts';
import { flagPersons, personRow, writeGoldenRecords } from '../person/index.ts';

const SOURCE_FIELDS = ['ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'so_bhyt', 'so_dien_thoai', 'dia_chi', 'ma_xa', 'ma_ho_gia_dinh'] as const;

/** Columns of an mpi_review row as the queue writers bulk-insert it. */
export const REVIEW_COLUMNS = {
  a_system: 'text', a_id: 'text', b_system: 'text', b_id: 'text', score: 'real', reasons: 'jsonb',
} as const;

/** A stored source record normalized for matching; undefined when its name or birth date is unusable. */
export function normalizeStored(r: Pick<SourceRecordTable, 'source_system' | 'source_id' | (typeof SOURCE_FIELDS)[number]>): MpiRecord | undefined {
  const raw: Record<string, string> = { source_system: r.source_system, source_id: r.source_id };
  for (const f of SOURCE_FIELDS) raw[f] = r[f] ?? '';
  const { record } = normalizeSourceRecord(raw);
  // normalizeSourceRecord upper-cases the system; the stored key is what must be written back.
  if (record) record.sourceSystem = r.source_system;
  return record;
}

/** Stores the blocking keys incremental linking looks newcomers' candidates up with. */
export async function writeMatchKeys(tx: Db, records: readonly MpiRecord[], chunk = 5000): Promise<void> {
  for (let i = 0; i < records.length; i += chunk) {
    const part = records.slice(i, i + chunk).map((r) => ({ s: r.sourceSystem, i: r.sourceId, k: matchKeys(r) }));
    await sql`update source_record sr set match_keys = array(select jsonb_array_elements_text(x.k))
      from jsonb_to_recordset(${JSON.stringify(part)}::jsonb) as x(s text, i text, k jsonb)
      where sr.source_system = x.s and sr.source_id = x.i`.execute(tx);
  }
}

/**
 * Rebuilds the golden record of the given persons from the source records they now hold; a
 * person left without any is kept and flagged NO_SOURCE_RECORDS (episodes and accounts may
 * still point at it).
 */
export async function recomputePersons(tx: Db, personIds: readonly string[]): Promise<void> {
  if (personIds.length === 0) return;
  const rows = await tx.selectFrom('source_record').selectAll().where('person_id', 'in', [...personIds]).execute();
  const byPerson = new Map<string, MpiRecord[]>();
  for (const r of rows) {
    const record = normalizeStored(r);
    if (!record) continue;
    const list = byPerson.get(r.person_id!) ?? [];
    list.push(record);
    byPerson.set(r.person_id!, list);
  }
  const persons = [...byPerson].map(([id, members]) => personRow(id, goldenRecord(members, DEFAULT_SOURCE_PRIORITY), members));
  await writeGoldenRecords(tx, persons);
  await flagPersons(tx, personIds.filter((id) => !byPerson.has(id)), 'NO_SOURCE_RECORDS', true);
}
