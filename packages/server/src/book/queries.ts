import { icd10Name } from '@openhssk/core/codes/icd10';
import type { Db } from '../db/index.ts';

export interface EpisodeSummary {
  id: number;
  facility_code: string;
  facility_name: string | null;
  ma_lk: string;
  version: number;
  ma_loai_kcb: string;
  ngay_vao: string;
  ngay_ra: string | null;
  ma_benh_chinh: string | null;
  ten_benh_chinh: string | null;
  chan_doan_rv: string | null;
  ket_qua_dtri: number | null;
  sensitivity: string[];
}

/** Current version of each episode of one person, newest first. */
export async function listEpisodes(db: Db, personId: string, limit = 500): Promise<EpisodeSummary[]> {
  const rows = await db
    .selectFrom('episode as e')
    .leftJoin('facility as f', 'f.code', 'e.facility_code')
    .select([
      'e.id',
      'e.facility_code',
      'f.name as facility_name',
      'e.ma_lk',
      'e.version',
      'e.ma_loai_kcb',
      'e.ngay_vao',
      'e.ngay_ra',
      'e.ma_benh_chinh',
      'e.chan_doan_rv',
      'e.ket_qua_dtri',
      'e.sensitivity',
    ])
    .where('e.person_id', '=', personId)
    .where('e.is_current', '=', true)
    .orderBy('e.ngay_vao', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ ...r, ten_benh_chinh: r.ma_benh_chinh ? (icd10Name(r.ma_benh_chinh) ?? null) : null }));
}

export async function getEpisodeForPerson(db: Db, personId: string, episodeId: number) {
  const e = await db
    .selectFrom('episode as e')
    .leftJoin('facility as f', 'f.code', 'e.facility_code')
    .selectAll('e')
    .select('f.name as facility_name')
    .where('e.id', '=', episodeId)
    .where('e.person_id', '=', personId)
    .executeTakeFirst();
  if (!e) return undefined;
  const rows = await db
    .selectFrom('episode_row')
    .select(['tbl', 'row_no', 'fields'])
    .where('episode_id', '=', e.id)
    .orderBy('tbl')
    .orderBy('row_no')
    .execute();
  const tables: Record<string, Array<Record<string, string>>> = {};
  for (const r of rows) {
    const list = tables[r.tbl] ?? [];
    list.push(r.fields);
    tables[r.tbl] = list;
  }
  return { episode: e, tables };
}

/** Visits checked in whose episode has not arrived yet: shown as awaiting the facility's data. */
export async function listOpenVisits(db: Db, personId: string) {
  return db
    .selectFrom('visit as v')
    .leftJoin('facility as f', 'f.code', 'v.facility_code')
    .select(['v.id', 'v.facility_code', 'f.name as facility_name', 'v.ma_lk', 'v.ngay_vao', 'v.ma_loai_kcb'])
    .where('v.person_id', '=', personId)
    .where('v.status', '=', 'open')
    .orderBy('v.ngay_vao', 'desc')
    .execute();
}
