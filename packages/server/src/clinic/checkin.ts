import { randomBytes } from 'node:crypto';
import { type Actor, audit } from '../audit/audit.ts';
import type { IdentityCard } from '@openhssk/core/api/clinic';
import type { Db } from '../db/index.ts';

export type { IdentityCard };
import { ApiError } from '../http/problem.ts';
import { type CheckinMethod, type PatientKey, vietnamNow } from './identify.ts';

export async function findPerson(db: Db, key: PatientKey): Promise<IdentityCard | undefined> {
  const row = await db
    .selectFrom('person as p')
    .leftJoin('facility as f', 'f.code', 'p.bhyt_facility_code')
    .select(['p.id', 'p.ho_ten', 'p.ngay_sinh', 'p.gioi_tinh', 'p.so_cccd', 'p.so_bhyt', 'p.bhyt_valid_from', 'p.bhyt_valid_to', 'p.bhyt_facility_code', 'f.name as bhyt_facility_name'])
    .where(key.kind === 'cccd' ? 'p.so_cccd' : 'p.bhxh', '=', key.value)
    // Two golden records with one number would be an MPI defect; take the latest, deterministically.
    .orderBy('p.updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  const today = vietnamNow().slice(0, 10);
  const bhyt_status = !row.so_bhyt ? 'none' : row.bhyt_valid_to && row.bhyt_valid_to < today ? 'expired' : 'valid';
  const { id, ...rest } = row;
  return { person_id: id, ...rest, bhyt_status };
}

/**
 * Opens (or returns today's open) front-desk visit. Its MA_LK is ours ("QT-…"); the facility's
 * XML0/XML1 carry the HIS's own MA_LK, so migration 004's triggers complete the visit by
 * facility + person + same Vietnam day instead.
 */
export async function openFrontDeskVisit(db: Db, facilityCode: string, card: IdentityCard, method: CheckinMethod, actor: Actor, requestId?: string) {
  const staffId = actor.id;
  const now = vietnamNow();
  const day = now.slice(0, 10);
  return db.transaction().execute(async (tx) => {
    const existing = await tx
      .selectFrom('visit')
      .select(['id', 'ma_lk', 'ngay_vao'])
      .where('facility_code', '=', facilityCode)
      .where('person_id', '=', card.person_id)
      .where('ngay_vao', '>=', `${day} 00:00:00`)
      .where('ngay_vao', '<=', `${day} 23:59:59`)
      .where('status', '=', 'open')
      .where('id_method', '!=', 'xml0')
      .executeTakeFirst();
    // The audit row commits with the visit: one durable commit per check-in, never an unaudited read.
    const record = (visitId: number) => audit(tx, { actor, action: 'clinic.checkin', personId: card.person_id, resource: `visit/${visitId}`, requestId, detail: { method } });
    if (existing) {
      await record(existing.id);
      return { ...existing, reopened: true };
    }
    const maLk = `QT-${day.replace(/-/g, '')}-${randomBytes(5).toString('hex')}`;
    const inserted = await tx
      .insertInto('visit')
      .values({
        facility_code: facilityCode,
        ma_lk: maLk,
        person_id: card.person_id,
        patient_source_id: `${facilityCode}:person:${card.person_id}`,
        ho_ten: card.ho_ten,
        so_cccd: card.so_cccd,
        ma_the_bhyt: card.so_bhyt,
        ma_loai_kcb: null,
        ngay_vao: now,
        id_method: method,
        status: 'open',
        // The scanned payload is not kept: it carries an address the MPI already has.
        checkin: JSON.stringify({ source: 'front_desk', method, staff_id: staffId }),
      })
      .returning(['id', 'ma_lk', 'ngay_vao'])
      .executeTakeFirstOrThrow();
    await record(inserted.id);
    return { ...inserted, reopened: false };
  });
}

export const personNotFound = () =>
  new ApiError(404, 'PERSON_NOT_FOUND', 'Không tìm thấy người bệnh với số định danh/mã thẻ này. Kiểm tra lại số hoặc tiếp nhận theo quy trình người bệnh mới.', 'No person with this identifier.');
