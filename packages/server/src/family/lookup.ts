import { DomainError, socialInsuranceNumber } from '@openhssk/core';
import type { Db } from '../db/index.ts';
import { type StaffContext, unitDescendants } from '../staff/index.ts';

/** What the family screens show of a person. */
export interface FamilyPersonCard {
  id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  gioi_tinh: number | null;
  so_cccd: string | null;
  ma_xa: string | null;
  ma_ho_gia_dinh: string | null;
}

const CARD_COLUMNS = ['id', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'ma_xa', 'ma_ho_gia_dinh'] as const;

/**
 * A person by what staff have in hand: the 12-digit personal ID (as on the birth certificate's
 * parent section or a CCCD), a BHYT card or 10-digit BHXH number, or the person id the screens show.
 */
export async function findByKey(db: Db, key: string, visible: (id: string) => Promise<boolean> = async () => true): Promise<FamilyPersonCard | undefined> {
  const k = key.replace(/\s/g, '').toUpperCase();
  const q = db.selectFrom('person').select(CARD_COLUMNS).limit(2);
  let rows: FamilyPersonCard[];
  if (/^\d{12}$/.test(k)) rows = await q.where('so_cccd', '=', k).execute();
  else if (socialInsuranceNumber(k)) rows = await q.where('bhxh', '=', socialInsuranceNumber(k)!).execute();
  else if (/^P[0-9A-Z]+$/.test(k)) rows = await q.where('id', '=', k).execute();
  else return undefined;
  // Only persons the caller may see count: an ambiguity outside the area must not reveal that the
  // number exists there.
  const seen: FamilyPersonCard[] = [];
  for (const r of rows) if (await visible(r.id)) seen.push(r);
  rows = seen;
  // One number on two golden records is an MPI defect for review; a family decision must not pick one.
  if (rows.length > 1) {
    throw new DomainError('conflict', 'PERSON_AMBIGUOUS', 'Số này thuộc về hơn một hồ sơ; cần rà soát hồ sơ trùng trước.', 'This number belongs to more than one record; resolve the duplicate first.');
  }
  return rows[0];
}

export async function cardsOf(db: Db, ids: readonly string[]): Promise<Map<string, FamilyPersonCard>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('person').select(CARD_COLUMNS).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Whether the person lives in the staff member's area: the communes of the golden record and of
 * every source record. Officers cover their administrative unit; station and hospital staff the
 * unit of their facility (a commune for a station, the district for a district hospital).
 */
export async function inArea(db: Db, s: StaffContext, personId: string): Promise<boolean> {
  if (s.role === 'system_admin') return true;
  let unit = s.adminUnitCode;
  if (s.role !== 'health_officer') {
    const f = s.facilityCode ? await db.selectFrom('facility').select('admin_unit_code').where('code', '=', s.facilityCode).executeTakeFirst() : undefined;
    unit = f?.admin_unit_code ?? null;
  }
  if (!unit) return false;
  const area = new Set(await unitDescendants(db, unit));
  const person = await db.selectFrom('person').select('ma_xa').where('id', '=', personId).executeTakeFirst();
  if (person?.ma_xa && area.has(person.ma_xa)) return true;
  const records = await db.selectFrom('source_record').select('ma_xa').distinct().where('person_id', '=', personId).execute();
  return records.some((r) => !!r.ma_xa && area.has(r.ma_xa));
}
