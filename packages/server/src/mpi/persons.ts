import { DEFAULT_SOURCE_PRIORITY, goldenRecord, type MpiRecord, normalizeSourceRecord } from '@openhssk/core/mpi';
import type { Db } from '../db/index.ts';
import { flagPersons, personRow, writeGoldenRecords } from '../person/index.ts';

const SOURCE_FIELDS = ['ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'so_bhyt', 'so_dien_thoai', 'dia_chi', 'ma_xa', 'ma_ho_gia_dinh'] as const;

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
    const raw: Record<string, string> = { source_system: r.source_system, source_id: r.source_id };
    for (const f of SOURCE_FIELDS) raw[f] = r[f] ?? '';
    const { record } = normalizeSourceRecord(raw);
    if (!record) continue;
    const list = byPerson.get(r.person_id!) ?? [];
    list.push(record);
    byPerson.set(r.person_id!, list);
  }
  const persons = [...byPerson].map(([id, members]) => personRow(id, goldenRecord(members, DEFAULT_SOURCE_PRIORITY), members));
  await writeGoldenRecords(tx, persons);
  await flagPersons(tx, personIds.filter((id) => !byPerson.has(id)), 'NO_SOURCE_RECORDS', true);
}
