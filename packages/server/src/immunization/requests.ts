import { DomainError, invalid, notFound, vietnamToday } from '@openhssk/core';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { STATION_FACILITY_LEVEL } from '../staff/index.ts';
import type { DoseRow } from './store.ts';
import { immDb, type ReactionSeverity, type ReactionStatus, type SlotStatus } from './tables.ts';

/**
 * What citizens ask of the immunization service from their book: "báo phản ứng sau tiêm" (a reaction
 * to a dose, routed to the facility that gave it) and "đăng ký tiêm" (a slot at the commune's next
 * session), and the sessions the station sets.
 */

/**
 * Symptoms a parent can tick. Labels are the project's plain wording, not a clinical classification;
 * `serious` ones make the report severe and the answer tells the citizen to seek care at once.
 */
export const REACTION_SYMPTOMS = {
  fever: { vi: 'Sốt', en: 'Fever', serious: false },
  injection_site: { vi: 'Sưng, đỏ, đau chỗ tiêm', en: 'Swelling, redness or pain where the vaccine was given', serious: false },
  crying: { vi: 'Quấy khóc kéo dài', en: 'Prolonged crying', serious: false },
  rash: { vi: 'Phát ban, nổi mẩn', en: 'Rash', serious: false },
  vomiting: { vi: 'Nôn, tiêu chảy', en: 'Vomiting or diarrhoea', serious: false },
  lethargy: { vi: 'Li bì, bỏ bú, bỏ ăn', en: 'Unusually drowsy, not feeding', serious: true },
  seizure: { vi: 'Co giật', en: 'Seizure', serious: true },
  breathing: { vi: 'Khó thở, tím tái', en: 'Difficulty breathing, bluish skin', serious: true },
  other: { vi: 'Khác', en: 'Other', serious: false },
} as const;
export type ReactionSymptom = keyof typeof REACTION_SYMPTOMS;
export const REACTION_SYMPTOM_CODES = Object.keys(REACTION_SYMPTOMS) as ReactionSymptom[];

export interface ReactionInput {
  onset_on: string;
  symptoms: ReactionSymptom[];
  severity: ReactionSeverity;
  detail?: string | undefined;
}

/** The commune's station (the facility reports go to when the one that gave the dose is not registered). */
async function stationOf(db: Db, commune: string | null): Promise<string | null> {
  if (!commune) return null;
  const f = await db.selectFrom('facility').select('code').where('admin_unit_code', '=', commune).where('level', '=', STATION_FACILITY_LEVEL).orderBy('code').executeTakeFirst();
  return f?.code ?? null;
}

export async function createReactionReport(db: Db, dose: DoseRow, reportedBy: string, input: ReactionInput, today = vietnamToday()) {
  if (input.onset_on < dose.given_on) {
    throw invalid('REACTION_BEFORE_DOSE', 'Ngày xuất hiện phản ứng trước ngày tiêm.', 'The reaction began before the dose was given.');
  }
  if (input.onset_on > today) throw invalid('REACTION_IN_FUTURE', 'Ngày xuất hiện phản ứng ở tương lai.', 'The reaction’s onset date is in the future.');
  const serious = input.symptoms.some((s) => REACTION_SYMPTOMS[s].serious);
  const person = await db.selectFrom('person').select(['ma_xa']).where('id', '=', dose.person_id).executeTakeFirstOrThrow();
  const facility = dose.facility_code ?? (await stationOf(db, person.ma_xa));
  const row = await immDb(db)
    .insertInto('imm_reaction_report')
    .values({
      vaccination_id: dose.id, person_id: dose.person_id, facility_code: facility, commune_code: person.ma_xa, onset_on: input.onset_on,
      severity: serious ? 'severe' : input.severity, symptoms: [...new Set(input.symptoms)], detail: input.detail?.trim() || null, reported_by: reportedBy,
      handled_by: null, handled_by_name: null, handled_at: null, staff_note: null,
    })
    .returning(['id', 'status', 'severity', 'facility_code', 'created_at'])
    .executeTakeFirstOrThrow();
  return {
    ...row,
    routed_to: facility,
    advice: serious
      ? {
          code: 'SEEK_CARE_NOW',
          message_vi: 'Các dấu hiệu này cần được khám ngay: đưa người được tiêm đến cơ sở y tế gần nhất hoặc gọi 115. Cơ sở tiêm chủng đã nhận được báo cáo.',
          message_en: 'These signs need care now: take the person to the nearest health facility or call 115. The vaccination site has received the report.',
        }
      : {
          code: 'REPORT_SENT',
          message_vi: 'Đã gửi báo cáo đến cơ sở đã tiêm. Nếu các dấu hiệu nặng lên, hãy đưa người được tiêm đi khám.',
          message_en: 'The report was sent to the vaccination site. If the signs get worse, seek care.',
        },
  };
}

/** Reports made on the person's doses (a parent's reports on a child's doses included); the caller keeps those of doses still the person's. */
export async function reactionReportsOf(db: Db, personId: string) {
  return immDb(db)
    .selectFrom('imm_reaction_report')
    .select(['id', 'vaccination_id', 'onset_on', 'severity', 'symptoms', 'detail', 'status', 'facility_code', 'staff_note', 'created_at'])
    .where('person_id', '=', personId)
    .orderBy('created_at', 'desc')
    .limit(200)
    .execute();
}

export interface ReactionScope {
  facilities?: readonly string[] | undefined;
  communes?: readonly string[] | undefined;
}

/**
 * Reports routed to facilities (or, without a facility, to communes) the caller serves. The person
 * shown is the dose's person now (an imported dose follows its source record through MPI decisions).
 */
export async function reactionReportsFor(db: Db, scope: ReactionScope, status?: ReactionStatus) {
  const facilities = [...(scope.facilities ?? [])];
  const communes = [...(scope.communes ?? [])];
  if (facilities.length === 0 && communes.length === 0) return [];
  const r = await sql<{
    id: number; status: ReactionStatus; severity: ReactionSeverity; symptoms: string[]; onset_on: string; detail: string | null; created_at: Date;
    facility_code: string | null; commune_code: string | null; staff_note: string | null; handled_by_name: string | null; dose_id: number; vaccine_name: string;
    given_on: string; dose_no: number | null; lot_no: string | null; person_id: string; ho_ten: string; ngay_sinh: string | null; so_dien_thoai: string | null;
  }>`
    select r.id, r.status, r.severity, r.symptoms, r.onset_on, r.detail, r.created_at, r.facility_code, r.commune_code, r.staff_note, r.handled_by_name,
           v.id as dose_id, v.vaccine_name, v.given_on, v.dose_no, v.lot_no, p.id as person_id, p.ho_ten, p.ngay_sinh, p.so_dien_thoai
      from imm_reaction_report r
      join vaccination v on v.id = r.vaccination_id
      left join source_record sr on sr.source_system = v.person_source_system and sr.source_id = v.person_source_id
      join person p on p.id = coalesce(sr.person_id, v.person_id)
     where (r.facility_code = any(${facilities}::text[]) or (r.facility_code is null and r.commune_code = any(${communes}::text[])))
       ${status ? sql`and r.status = ${status}` : sql``}
     order by (r.status = 'new') desc, (r.severity = 'severe') desc, r.created_at desc
     limit 500`.execute(db);
  return r.rows.map((x) => ({
    ...x,
    id: Number(x.id),
    dose_id: Number(x.dose_id),
    symptoms: x.symptoms.map((s) => ({ code: s, name_vi: REACTION_SYMPTOMS[s as ReactionSymptom]?.vi ?? s, name_en: REACTION_SYMPTOMS[s as ReactionSymptom]?.en ?? s })),
  }));
}

export async function reactionReport(db: Db, id: number) {
  return immDb(db).selectFrom('imm_reaction_report').select(['id', 'person_id', 'facility_code', 'commune_code', 'status']).where('id', '=', id).executeTakeFirst();
}

export async function setReactionStatus(db: Db, id: number, status: Exclude<ReactionStatus, 'new'>, by: { id: string; name: string }, note: string | undefined) {
  return immDb(db)
    .updateTable('imm_reaction_report')
    .set({ status, handled_by: by.id, handled_by_name: by.name, handled_at: new Date(), staff_note: note?.trim() || null })
    .where('id', '=', id)
    .returning(['id', 'status', 'handled_at', 'staff_note'])
    .executeTakeFirstOrThrow();
}

// ---- sessions and slot requests -----------------------------------------------------------------

export async function nextSession(db: Db, commune: string, today = vietnamToday()) {
  return immDb(db)
    .selectFrom('imm_session')
    .select(['id', 'session_on', 'place', 'note'])
    .where('commune_code', '=', commune)
    .where('session_on', '>=', today)
    .orderBy('session_on')
    .executeTakeFirst();
}

export async function createSession(db: Db, commune: string, input: { session_on: string; place?: string | undefined; note?: string | undefined }, by: string) {
  if (input.session_on < vietnamToday()) throw invalid('SESSION_IN_PAST', 'Ngày buổi tiêm đã qua.', 'The session date has passed.');
  const row = await immDb(db)
    .insertInto('imm_session')
    .values({ commune_code: commune, session_on: input.session_on, place: input.place?.trim() || null, note: input.note?.trim() || null, created_by: by })
    .onConflict((oc) => oc.columns(['commune_code', 'session_on']).doNothing())
    .returning(['id', 'session_on', 'place', 'note'])
    .executeTakeFirst();
  if (!row) throw new DomainError('conflict', 'SESSION_EXISTS', 'Xã đã có buổi tiêm vào ngày này.', 'The commune already has a session on this day.');
  return row;
}

export async function sessionsFrom(db: Db, commune: string, from: string) {
  return immDb(db).selectFrom('imm_session').select(['id', 'session_on', 'place', 'note']).where('commune_code', '=', commune).where('session_on', '>=', from).orderBy('session_on').limit(100).execute();
}

/**
 * Asks for a slot at the commune's next session (or the next one the station sets). One open request
 * per person: asking again answers the open one.
 */
export async function requestSlot(db: Db, personId: string, requestedBy: string, series: readonly string[], note: string | undefined) {
  const person = await db.selectFrom('person').select(['ma_xa']).where('id', '=', personId).executeTakeFirstOrThrow();
  if (!person.ma_xa) {
    throw new DomainError(
      'unprocessable',
      'COMMUNE_UNKNOWN',
      'Chưa xác định được xã/phường nơi cư trú nên chưa đăng ký được buổi tiêm; hãy liên hệ trạm y tế.',
      'The commune of residence is not known, so no session can be booked; contact the health station.',
    );
  }
  const open = () =>
    immDb(db)
      .selectFrom('imm_slot_request as r')
      .leftJoin('imm_session as s', 's.id', 'r.session_id')
      .select(['r.id', 'r.status', 'r.commune_code', 'r.series', 'r.note', 'r.created_at', 's.session_on', 's.place'])
      .where('r.person_id', '=', personId)
      .where('r.status', 'in', ['requested', 'scheduled'])
      .executeTakeFirst();
  const existing = await open();
  if (existing) return { created: false, request: existing };
  const session = await nextSession(db, person.ma_xa);
  const inserted = await immDb(db)
    .insertInto('imm_slot_request')
    .values({ person_id: personId, commune_code: person.ma_xa, session_id: session?.id ?? null, series: [...series], note: note?.trim() || null, requested_by: requestedBy, handled_by: null, handled_at: null, staff_note: null })
    .onConflict((oc) => oc.column('person_id').where('status', 'in', ['requested', 'scheduled']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return { created: inserted !== undefined, request: (await open())! };
}

export async function slotRequestsOf(db: Db, personId: string) {
  return immDb(db)
    .selectFrom('imm_slot_request as r')
    .leftJoin('imm_session as s', 's.id', 'r.session_id')
    .select(['r.id', 'r.status', 'r.series', 'r.note', 'r.staff_note', 'r.created_at', 's.session_on', 's.place'])
    .where('r.person_id', '=', personId)
    .orderBy('r.created_at', 'desc')
    .limit(50)
    .execute();
}

export async function slotRequestsIn(db: Db, commune: string, status?: SlotStatus) {
  let q = immDb(db)
    .selectFrom('imm_slot_request as r')
    .innerJoin('person as p', 'p.id', 'r.person_id')
    .leftJoin('imm_session as s', 's.id', 'r.session_id')
    .select(['r.id', 'r.status', 'r.series', 'r.note', 'r.staff_note', 'r.created_at', 'r.session_id', 's.session_on', 'p.id as person_id', 'p.ho_ten', 'p.ngay_sinh', 'p.so_dien_thoai', 'p.dia_chi'])
    .where('r.commune_code', '=', commune);
  if (status) q = q.where('r.status', '=', status);
  return q.orderBy('r.created_at').limit(1000).execute();
}

export async function updateSlotRequest(
  db: Db,
  commune: string,
  id: number,
  input: { status: Exclude<SlotStatus, 'requested'>; session_id?: number | undefined; note?: string | undefined },
  by: string,
) {
  if (input.session_id !== undefined) {
    const s = await immDb(db).selectFrom('imm_session').select('id').where('id', '=', input.session_id).where('commune_code', '=', commune).executeTakeFirst();
    if (!s) throw notFound('buổi tiêm', 'Session');
  }
  const row = await immDb(db)
    .updateTable('imm_slot_request')
    .set({ status: input.status, handled_by: by, handled_at: new Date(), staff_note: input.note?.trim() || null, ...(input.session_id !== undefined ? { session_id: input.session_id } : {}) })
    .where('id', '=', id)
    .where('commune_code', '=', commune)
    .returning(['id', 'person_id', 'status', 'session_id', 'staff_note'])
    .executeTakeFirst();
  if (!row) throw notFound('yêu cầu đăng ký tiêm', 'Slot request');
  return row;
}
