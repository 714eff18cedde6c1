import type { IdentityCard } from '@openhssk/core/api';
import { cardStatus } from '../bhyt/index.ts';
import type { Db } from '../db/index.ts';
import { personIdsByIdentifier } from '../person/index.ts';

export type { IdentityCard };

import { DomainError, vietnamToday } from '@openhssk/core';
import type { PatientKey } from './identify.ts';

/** By what the front desk read, or by the person's id when the caller already has it (one shard on Citus). */
export async function findPerson(db: Db, key: PatientKey | { kind: 'id'; value: string }): Promise<IdentityCard | undefined> {
  // A number is looked up in the identifier directory first, then each person by id: two routed reads
  // on a Citus cluster instead of one over every shard (issue 21); on one node, two index probes.
  const ids = key.kind === 'id' ? [key.value] : await personIdsByIdentifier(db, key.kind, key.value);
  let row: Awaited<ReturnType<typeof personCard>>;
  for (const id of ids) {
    const found = await personCard(db, id);
    // Two golden records with one number would be an MPI defect; take the latest, deterministically.
    if (found && (!row || found.updated_at > row.updated_at)) row = found;
  }
  if (!row) return undefined;
  const today = vietnamToday();
  // Unknown validity stays unknown ("chưa rõ"): a card is never shown as valid by default.
  const bhyt_status = cardStatus({ so_bhyt: row.so_bhyt, valid_from: row.bhyt_valid_from, valid_to: row.bhyt_valid_to }, today);
  const { id, updated_at: _, ...rest } = row;
  return { person_id: id, ...rest, bhyt_status };
}

const personCard = (db: Db, id: string) =>
  db
    .selectFrom('person as p')
    .leftJoin('facility as f', 'f.code', 'p.bhyt_facility_code')
    .select(['p.id', 'p.ho_ten', 'p.ngay_sinh', 'p.gioi_tinh', 'p.so_cccd', 'p.so_bhyt', 'p.bhyt_valid_from', 'p.bhyt_valid_to', 'p.bhyt_facility_code', 'f.name as bhyt_facility_name', 'p.updated_at'])
    .where('p.id', '=', id)
    .executeTakeFirst();

export const personNotFound = () =>
  new DomainError('not_found', 'PERSON_NOT_FOUND', 'Không tìm thấy người bệnh với số định danh/mã thẻ này. Kiểm tra lại số hoặc tiếp nhận theo quy trình người bệnh mới.', 'No person with this identifier.');
