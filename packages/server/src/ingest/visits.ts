import { randomBytes } from 'node:crypto';
import { vietnamNow } from '@openhssk/core';
import type { IdentityCard } from '@openhssk/core/api';
import { sql } from 'kysely';
import { type Actor, audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';

// The ingest module owns the visit table: the HIS's check-ins (XML0) and the front desk open visits,
// episodes complete them.

/**
 * Opens (or returns today's open) front-desk visit. Its MA_LK is ours ("QT-…"); the facility's
 * XML0/XML1 carry the HIS's own MA_LK, so closeVisits() completes the visit by facility + person +
 * same Vietnam day instead.
 */
export async function openFrontDeskVisit(db: Db, facilityCode: string, card: IdentityCard, method: string, actor: Actor, requestId?: string) {
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

/** What a transaction just wrote for one facility: the MA_LKs and the linked persons. */
export interface VisitEvidence {
  maLks: readonly string[];
  personIds: readonly string[];
}

/**
 * The one place visits close. An open visit of the facility closes when
 * - a current episode has its MA_LK (the episode it announced arrived, in either order), or
 * - it was opened at the front desk (our own MA_LK) and the facility sent, for the same person and
 *   Vietnam day and after the visit was opened, a current episode or its own check-in (XML0): the
 *   HIS's messages supersede it. A message from before the visit belongs to an earlier visit that day.
 * Only the visits the new messages can answer are looked at, so the cost does not grow with the
 * facility's backlog of open visits. Called after every episode or check-in write, in its transaction.
 */
export async function closeVisits(db: Db, facilityCode: string, by: VisitEvidence): Promise<void> {
  if (by.maLks.length === 0 && by.personIds.length === 0) return;
  const maLks = sql`${JSON.stringify(by.maLks)}::jsonb`;
  const persons = sql`${JSON.stringify(by.personIds)}::jsonb`;
  // A visit and the episode that answers it are one person's by construction (both follow the
  // patient's source record), so the match names the person: on a cluster the visit's shard joins
  // only its own episodes (issue 21).
  const answers = sql`e.person_id = v.person_id and (e.ma_lk = v.ma_lk or (v.id_method <> 'xml0'
    and e.ngay_vao::date = v.ngay_vao::date and e.received_at >= v.received_at))`;
  await sql`
    update visit v set status = 'closed', closed_at = now(),
           episode_id = coalesce(v.episode_id, (
             select e.id from episode e
              where e.facility_code = v.facility_code and e.is_current and ${answers}
              order by (e.ma_lk = v.ma_lk) desc, e.id desc limit 1))
     where v.facility_code = ${facilityCode} and v.status = 'open'
       and (v.ma_lk in (select jsonb_array_elements_text(${maLks}))
            or (v.id_method <> 'xml0' and v.person_id in (select jsonb_array_elements_text(${persons}))))
       and (exists (select 1 from episode e where e.facility_code = v.facility_code and e.is_current and ${answers})
            or (v.id_method <> 'xml0' and exists (
                  select 1 from visit x
                   where x.facility_code = v.facility_code and x.person_id = v.person_id and x.id_method = 'xml0'
                     and x.ngay_vao::date = v.ngay_vao::date and x.received_at >= v.received_at)))`.execute(db);
}
