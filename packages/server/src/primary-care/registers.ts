import { addDays, DomainError, notFound } from '@openhssk/core';
import { icd10Name } from '@openhssk/core/codes';
import {
  CLOSE_REASONS,
  checkDate,
  checkIcd10,
  type FollowUpInput,
  isOverdue,
  nextDueAfter,
  REGISTERS,
  type RegisterDef,
  type RegisterKey,
  registerDef,
  registersForCode,
  validateFollowUp,
} from '@openhssk/core/primary-care';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import type { ScopedPerson, StationScope } from './access.ts';
import { entryRefused } from './record.ts';
import { pcDb } from './tables.ts';

export const unknownRegister = (key: string) =>
  new DomainError('invalid', 'REGISTER_UNKNOWN', `Không có sổ quản lý bệnh "${key}".`, `No register '${key}'.`, { registers: REGISTERS.map((r) => r.key) });

export function requireRegister(key: string): RegisterDef {
  const def = registerDef(key);
  if (!def) throw unknownRegister(key);
  return def;
}

/**
 * A proposal for a register unless the person already has an open (proposed or active) row there.
 * Returns the new row's id, or undefined when nothing was proposed.
 */
export async function proposeEnrolment(
  tx: Db,
  p: { personId: string; register: RegisterKey; icd10: string; source: 'hospital_episode' | 'station_checkup'; episodeId?: number; checkupId?: number },
): Promise<number | undefined> {
  const r = await sql<{ id: number }>`
    insert into pc_enrolment (person_id, register, status, source, icd10, episode_id, checkup_id, proposed_at)
    values (${p.personId}, ${p.register}, 'proposed', ${p.source}, ${p.icd10}, ${p.episodeId ?? null}, ${p.checkupId ?? null}, now())
    on conflict (person_id, register) where status in ('proposed', 'active') do nothing
    returning id`.execute(tx);
  return r.rows[0]?.id;
}

export interface EnrolmentEntry {
  entryId: string;
  register: string;
  icd10: string;
  enrolledOn: string;
}

/**
 * Enrolment from a station diagnosis. A pending proposal for the register becomes the enrolment; an
 * active enrolment already there is kept and this entry reported as the losing duplicate (two
 * devices enrolled the same person offline), so nothing entered is lost.
 */
export async function enrol(tx: Db, scope: StationScope, person: ScopedPerson, e: EnrolmentEntry, today: string) {
  const def = requireRegister(e.register);
  const code = checkIcd10('icd10', e.icd10);
  if ('field' in code) throw entryRefused([code]);
  if (!registersForCode(code.code).includes(def.key)) {
    throw new DomainError(
      'invalid',
      'ICD10_NOT_IN_REGISTER',
      `Mã ${code.code} không thuộc sổ quản lý ${def.label_vi.toLowerCase()} (cần mã nhóm ${def.icd10Categories.join(', ')}).`,
      `${code.code} does not belong to the ${def.label_en} register (${def.icd10Categories.join(', ')}).`,
    );
  }
  const on = checkDate('enrolledOn', 'Ngày đưa vào quản lý', e.enrolledOn, false, today);
  if (typeof on !== 'string') throw entryRefused([on]);
  const pdb = pcDb(tx);
  const open = await pdb
    .selectFrom('pc_enrolment')
    .select(['id', 'status', 'icd10', 'enrolled_on', 'next_due'])
    .where('person_id', '=', person.id)
    .where('register', '=', def.key)
    .where('status', 'in', ['proposed', 'active'])
    .executeTakeFirst();
  if (open?.status === 'active') {
    return { enrolmentId: open.id, duplicate: { kept: { icd10: open.icd10, enrolled_on: open.enrolled_on }, lost: { icd10: code.code, enrolled_on: on } } };
  }
  const decided = {
    status: 'active' as const,
    icd10: code.code,
    enrolled_on: on,
    next_due: nextDueAfter(def, on),
    facility_code: scope.facilityCode,
    decided_by: scope.staff.id,
    decided_at: new Date(),
    entry_id: e.entryId,
  };
  if (open) {
    await pdb.updateTable('pc_enrolment').set({ ...decided, decision_note: 'Đưa vào quản lý theo chẩn đoán của trạm' }).where('id', '=', open.id).execute();
    return { enrolmentId: open.id, acceptedProposal: true };
  }
  const row = await pdb
    .insertInto('pc_enrolment')
    .values({ ...decided, person_id: person.id, register: def.key, source: 'station' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { enrolmentId: row.id };
}

/** A proposal of the station's commune (or a checked-in person's, via the caller's scope check). */
export async function proposalById(db: Db, id: number) {
  return pcDb(db).selectFrom('pc_enrolment').select(['id', 'person_id', 'register', 'status', 'icd10']).where('id', '=', id).executeTakeFirst();
}

const proposalGone = () => new DomainError('conflict', 'PROPOSAL_DECIDED', 'Đề xuất này đã được xử lý.', 'This proposal was already decided.');

export async function acceptProposal(tx: Db, scope: StationScope, id: number, enrolledOn: string, today: string) {
  const on = checkDate('enrolledOn', 'Ngày đưa vào quản lý', enrolledOn, false, today);
  if (typeof on !== 'string') throw entryRefused([on]);
  const p = await pcDb(tx).selectFrom('pc_enrolment').select(['id', 'register', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!p) throw notFound('đề xuất', 'Proposal');
  if (p.status !== 'proposed') throw proposalGone();
  const def = requireRegister(p.register);
  await pcDb(tx)
    .updateTable('pc_enrolment')
    .set({ status: 'active', enrolled_on: on, next_due: nextDueAfter(def, on), facility_code: scope.facilityCode, decided_by: scope.staff.id, decided_at: new Date(), decision_note: null })
    .where('id', '=', id)
    .execute();
}

export async function declineProposal(tx: Db, scope: StationScope, id: number, reason: string) {
  const p = await pcDb(tx).selectFrom('pc_enrolment').select(['id', 'status']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!p) throw notFound('đề xuất', 'Proposal');
  if (p.status !== 'proposed') throw proposalGone();
  await pcDb(tx)
    .updateTable('pc_enrolment')
    .set({ status: 'declined', facility_code: scope.facilityCode, decided_by: scope.staff.id, decided_at: new Date(), decision_note: reason })
    .where('id', '=', id)
    .execute();
}

export interface CloseEntry {
  reason: string;
  closedOn: string;
  note?: string | undefined;
}

/**
 * A station clinician ends an active enrolment (moved away, died…): the row stays with its
 * follow-ups, closed with the reason, the day and who decided, so the register and the charts keep
 * the history; a later diagnosis can enrol the person again. A proposal is declined, not closed.
 */
export async function closeEnrolment(tx: Db, scope: StationScope, id: number, e: CloseEntry, today: string) {
  const reason = CLOSE_REASONS.find((r) => r.key === e.reason);
  if (!reason) {
    throw new DomainError('invalid', 'CLOSE_REASON_UNKNOWN', `Lý do kết thúc quản lý "${e.reason}" không có trong danh sách.`, `Unknown closing reason '${e.reason}'.`, {
      reasons: CLOSE_REASONS.map((r) => r.key),
    });
  }
  const note = e.note?.trim() || null;
  if (reason.noteRequired && !note) {
    throw entryRefused([{ field: 'note', code: 'NOTE_REQUIRED', message_vi: `Lý do "${reason.label_vi}" cần ghi rõ.`, message_en: `'${reason.label_en}' needs a note.` }]);
  }
  const on = checkDate('closedOn', 'Ngày kết thúc quản lý', e.closedOn, false, today);
  if (typeof on !== 'string') throw entryRefused([on]);
  const row = await pcDb(tx).selectFrom('pc_enrolment').select(['id', 'status', 'enrolled_on']).where('id', '=', id).forUpdate().executeTakeFirst();
  if (!row) throw notFound('lần quản lý', 'Enrolment');
  if (row.status !== 'active') {
    throw new DomainError('conflict', 'ENROLMENT_NOT_ACTIVE', 'Chỉ kết thúc được một lần quản lý đang tiếp tục.', 'Only an active enrolment can be closed.', { status: row.status });
  }
  if (row.enrolled_on && on < row.enrolled_on) {
    throw entryRefused([
      { field: 'closedOn', code: 'DATE_BEFORE_ENROLMENT', message_vi: `Ngày kết thúc ${on} trước ngày vào sổ ${row.enrolled_on}.`, message_en: `${on} is before the enrolment day ${row.enrolled_on}.` },
    ]);
  }
  await pcDb(tx)
    .updateTable('pc_enrolment')
    .set({ status: 'closed', closed_on: on, close_reason: reason.key, close_note: note, closed_by: scope.staff.id, closed_at: new Date() })
    .where('id', '=', id)
    .execute();
  return { id, status: 'closed' as const, closed_on: on, close_reason: reason.key };
}

export interface FollowUpEntry extends FollowUpInput {
  entryId: string;
  recordedAt: Date;
  register: string;
}

/**
 * A monthly follow-up of an enrolled person. Visits may arrive out of order from offline devices:
 * the enrolment's due date and control status follow the latest visit, not the latest received.
 */
export async function insertFollowUp(tx: Db, scope: StationScope, person: ScopedPerson, e: FollowUpEntry, today: string) {
  const def = requireRegister(e.register);
  const r = validateFollowUp(def, e, today);
  if (!r.ok) throw entryRefused(r.issues);
  const f = r.followUp;
  const pdb = pcDb(tx);
  const enrolment = await pdb
    .selectFrom('pc_enrolment')
    .select(['id', 'last_visit_date'])
    .where('person_id', '=', person.id)
    .where('register', '=', def.key)
    .where('status', '=', 'active')
    .forUpdate()
    .executeTakeFirst();
  if (!enrolment) {
    throw new DomainError(
      'conflict',
      'NOT_ENROLLED',
      `Người này chưa có trong sổ quản lý ${def.label_vi.toLowerCase()} của trạm: hãy đưa vào quản lý trước.`,
      `This person is not in the ${def.label_en} register: enrol them first.`,
    );
  }
  const row = await pdb
    .insertInto('pc_followup')
    .values({
      entry_id: e.entryId,
      enrolment_id: enrolment.id,
      person_id: person.id,
      register: def.key,
      facility_code: scope.facilityCode,
      visit_date: f.visitDate,
      recorded_at: e.recordedAt,
      recorded_by: scope.staff.id,
      recorded_role: scope.staff.role,
      sbp: f.sbp,
      dbp: f.dbp,
      pulse: f.pulse,
      glucose_mmol: f.glucoseMmol,
      glucose_kind: f.glucoseKind,
      hba1c: f.hba1c,
      weight_kg: f.weightKg,
      medicines: JSON.stringify(f.medicines),
      adherence: f.adherence,
      exacerbations: f.exacerbations,
      symptom_control: f.symptomControl,
      next_due: f.nextDue,
      control: f.control,
      note: f.note,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (!enrolment.last_visit_date || f.visitDate >= enrolment.last_visit_date) {
    await pdb
      .updateTable('pc_enrolment')
      .set({ last_followup_id: row.id, last_visit_date: f.visitDate, last_control: f.control, next_due: f.nextDue })
      .where('id', '=', enrolment.id)
      .execute();
  }
  return { followUpId: row.id, enrolmentId: enrolment.id, control: f.control, nextDue: f.nextDue };
}

export type RegisterList = 'active' | 'proposed' | 'overdue' | 'uncontrolled' | 'due';

/**
 * A register's list for one commune (residents by the golden record's commune): active, proposed,
 * due by `onDate` (due today or earlier), overdue (past due beyond the grace days), or not
 * controlled at the last visit.
 */
export async function registerList(db: Db, commune: string, register: RegisterDef, list: RegisterList, onDate: string, limit = 500) {
  let q = pcDb(db)
    .selectFrom('pc_enrolment as e')
    .innerJoin('person as p', 'p.id', 'e.person_id')
    .select([
      'e.id',
      'e.person_id',
      'p.ho_ten',
      'p.ngay_sinh',
      'p.gioi_tinh',
      'p.dia_chi',
      'e.status',
      'e.source',
      'e.icd10',
      'e.episode_id',
      'e.checkup_id',
      'e.proposed_at',
      'e.enrolled_on',
      'e.last_visit_date',
      'e.last_control',
      'e.next_due',
    ])
    .where('p.ma_xa', '=', commune)
    .where('e.register', '=', register.key);
  if (list === 'proposed') q = q.where('e.status', '=', 'proposed');
  else q = q.where('e.status', '=', 'active');
  if (list === 'due') q = q.where('e.next_due', '<=', onDate);
  if (list === 'overdue') q = q.where('e.next_due', '<', addDays(onDate, -register.overdueGraceDays));
  if (list === 'uncontrolled') q = q.where('e.last_control', '=', 'uncontrolled');
  const rows = await q.orderBy(list === 'proposed' ? 'e.proposed_at' : 'e.next_due').orderBy('e.id').limit(limit).execute();
  const episodeIds = rows.flatMap((r) => (r.episode_id ? [r.episode_id] : []));
  // The hospital episode behind a proposal: facility and date only (its diagnosis is the proposal's code).
  const episodes = new Map(
    episodeIds.length === 0
      ? []
      : (
          await db
            .selectFrom('episode as ep')
            .leftJoin('facility as f', 'f.code', 'ep.facility_code')
            .select(['ep.id', 'ep.facility_code', 'f.name as facility_name', 'ep.ngay_vao', 'ep.ngay_ra'])
            .where('ep.id', 'in', episodeIds)
            .execute()
        ).map((e) => [e.id, e]),
  );
  return rows.map((r) => ({
    ...r,
    register: register.key,
    icd10_name: icd10Name(r.icd10) ?? null,
    overdue: r.next_due ? isOverdue(register, r.next_due, onDate) : false,
    episode: r.episode_id ? (episodes.get(r.episode_id) ?? null) : null,
  }));
}

/**
 * Follow-ups due on `onDate` or earlier for the commune's residents, every register, earliest first:
 * the station day list's entry.
 */
export async function followUpsDue(db: Db, communeCode: string, onDate: string): Promise<Array<{ personId: string; hoTen: string; register: string; dueOn: string }>> {
  const rows = await pcDb(db)
    .selectFrom('pc_enrolment as e')
    .innerJoin('person as p', 'p.id', 'e.person_id')
    .select(['e.person_id', 'p.ho_ten', 'e.register', 'e.next_due'])
    .where('p.ma_xa', '=', communeCode)
    .where('e.status', '=', 'active')
    .where('e.next_due', '<=', onDate)
    .orderBy('e.next_due')
    .orderBy('p.ho_ten')
    .orderBy('e.id')
    .execute();
  return rows.map((r) => ({ personId: r.person_id, hoTen: r.ho_ten, register: r.register, dueOn: r.next_due! }));
}

/** A person's enrolments (any status) with their follow-ups, oldest visit first (the chart's order). */
export async function personRegisters(db: Db, personId: string) {
  const pdb = pcDb(db);
  const enrolments = await pdb
    .selectFrom('pc_enrolment as e')
    .leftJoin('staff_account as s', 's.id', 'e.decided_by')
    .leftJoin('facility as f', 'f.code', 'e.facility_code')
    .select([
      'e.id',
      'e.register',
      'e.status',
      'e.source',
      'e.icd10',
      'e.proposed_at',
      'e.enrolled_on',
      'e.decided_at',
      's.full_name as decided_by_name',
      'e.facility_code',
      'f.name as facility_name',
      'e.last_visit_date',
      'e.last_control',
      'e.next_due',
      'e.closed_on',
      'e.close_reason',
      'e.close_note',
    ])
    .where('e.person_id', '=', personId)
    .orderBy('e.id')
    .execute();
  const visits = await pdb
    .selectFrom('pc_followup as v')
    .leftJoin('staff_account as s', 's.id', 'v.recorded_by')
    .select([
      'v.id',
      'v.enrolment_id',
      'v.entry_id',
      'v.visit_date',
      'v.sbp',
      'v.dbp',
      'v.pulse',
      'v.glucose_mmol',
      'v.glucose_kind',
      'v.hba1c',
      'v.weight_kg',
      'v.medicines',
      'v.adherence',
      'v.exacerbations',
      'v.symptom_control',
      'v.control',
      'v.next_due',
      'v.note',
      'v.recorded_by',
      's.full_name as recorded_by_name',
      'v.recorded_role',
      'v.recorded_at',
    ])
    .where('v.person_id', '=', personId)
    .orderBy('v.visit_date')
    .orderBy('v.id')
    .execute();
  return enrolments.map((e) => {
    const mine = visits.filter((v) => v.enrolment_id === e.id);
    return {
      ...e,
      label_vi: registerDef(e.register)?.label_vi ?? e.register,
      icd10_name: icd10Name(e.icd10) ?? null,
      follow_ups: mine,
      // Chart series: one point per visit, the readings the register tracks.
      trend: mine.map((v) => ({ date: v.visit_date, sbp: v.sbp, dbp: v.dbp, glucose_mmol: v.glucose_mmol, glucose_kind: v.glucose_kind, hba1c: v.hba1c, weight_kg: v.weight_kg, control: v.control })),
    };
  });
}
