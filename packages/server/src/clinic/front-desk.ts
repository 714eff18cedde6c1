import type { IdentityCard } from '@openhssk/core/api';
import { cardStatus } from '../bhyt/index.ts';
import type { Db } from '../db/index.ts';

export type { IdentityCard };

import { DomainError, vietnamToday } from '@openhssk/core';
import type { PatientKey } from './identify.ts';

/** By what the front desk read, or by the person's id when the caller already has it (one shard on Citus). */
export async function findPerson(db: Db, key: PatientKey | { kind: 'id'; value: string }): Promise<IdentityCard | undefined> {
  const row = await db
    .selectFrom('person as p')
    .leftJoin('facility as f', 'f.code', 'p.bhyt_facility_code')
    .select(['p.id', 'p.ho_ten', 'p.ngay_sinh', 'p.gioi_tinh', 'p.so_cccd', 'p.so_bhyt', 'p.bhyt_valid_from', 'p.bhyt_valid_to', 'p.bhyt_facility_code', 'f.name as bhyt_facility_name'])
    .where(key.kind === 'id' ? 'p.id' : key.kind === 'cccd' ? 'p.so_cccd' : 'p.bhxh', '=', key.value)
    // Two golden records with one number would be an MPI defect; take the latest, deterministically.
    .orderBy('p.updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return undefined;
  const today = vietnamToday();
  // Unknown validity stays unknown ("chưa rõ"): a card is never shown as valid by default.
  const bhyt_status = cardStatus({ so_bhyt: row.so_bhyt, valid_from: row.bhyt_valid_from, valid_to: row.bhyt_valid_to }, today);
  const { id, ...rest } = row;
  return { person_id: id, ...rest, bhyt_status };
}

export const personNotFound = () =>
  new DomainError('not_found', 'PERSON_NOT_FOUND', 'Không tìm thấy người bệnh với số định danh/mã thẻ này. Kiểm tra lại số hoặc tiếp nhận theo quy trình người bệnh mới.', 'No person with this identifier.');
