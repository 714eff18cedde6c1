import { DomainError } from '@openhssk/core';
import { icd10Name } from '@openhssk/core/codes';
import { type CheckupInput, ORGAN_SYSTEMS, registersForCode, validateCheckup } from '@openhssk/core/primary-care';
import type { Db } from '../db/index.ts';
import { CLINICIAN_ROLES, type ScopedPerson, type StationScope } from './access.ts';
import { entryRefused, type SensitiveView, sensitiveVisible } from './record.ts';
import { proposeEnrolment } from './registers.ts';
import { pcDb } from './tables.ts';

export interface CheckupEntry extends CheckupInput {
  entryId: string;
  recordedAt: Date;
}

/**
 * Stores a periodic check-up as an encounter of the station (inside the caller's transaction). A
 * diagnosis needs a clinician of the station; a diagnosis that belongs to a chronic-disease register
 * proposes an enrolment for a clinician to accept, unless the person is already in that register.
 */
export async function insertCheckup(tx: Db, scope: StationScope, person: ScopedPerson, e: CheckupEntry, today: string) {
  const r = validateCheckup(e, person.facts.age, today);
  if (!r.ok) throw entryRefused(r.issues);
  const c = r.checkup;
  if (c.diagnoses.length > 0 && !CLINICIAN_ROLES.includes(scope.staff.role)) {
    throw new DomainError(
      'forbidden',
      'DIAGNOSIS_NEEDS_CLINICIAN',
      'Chỉ trạm trưởng hoặc y sĩ/bác sĩ của trạm được ghi chẩn đoán; hãy lưu lần khám không có mã chẩn đoán.',
      'Only the station head or a station clinician may record a diagnosis; save the check-up without diagnosis codes.',
    );
  }
  const row = await pcDb(tx)
    .insertInto('pc_checkup')
    .values({
      entry_id: e.entryId,
      person_id: person.id,
      facility_code: scope.facilityCode,
      examined_on: c.examinedOn,
      recorded_at: e.recordedAt,
      recorded_by: scope.staff.id,
      recorded_role: scope.staff.role,
      reason: c.reason,
      history: c.history,
      pulse: c.pulse,
      sbp: c.sbp,
      dbp: c.dbp,
      temperature: c.temperature,
      resp_rate: c.respRate,
      height_cm: c.heightCm,
      weight_kg: c.weightKg,
      waist_cm: c.waistCm,
      bmi: c.bmi,
      vision_right: c.visionRight,
      vision_left: c.visionLeft,
      vision_corrected: c.visionCorrected,
      exam: JSON.stringify(c.exam),
      paraclinical: JSON.stringify(c.paraclinical),
      diagnoses: c.diagnoses.map((d) => d.code),
      diagnosis_text: c.diagnosisText,
      advice: c.advice,
      sensitivity: c.sensitivity ? [c.sensitivity] : [],
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const proposed: number[] = [];
  for (const d of c.diagnoses) {
    for (const register of registersForCode(d.code)) {
      const id = await proposeEnrolment(tx, { personId: person.id, register, icd10: d.code, source: 'station_checkup', checkupId: row.id });
      if (id) proposed.push(id);
    }
  }
  return { checkupId: row.id, bmi: c.bmi, bmiClass: c.bmiClass, proposedEnrolments: proposed };
}

const NAME_OF_SYSTEM: Readonly<Record<string, string>> = ORGAN_SYSTEMS;

/** A person's station check-ups, newest first, with who examined; sensitive ones only when asked. */
export async function listCheckups(db: Db, personId: string, opts: { sensitive: SensitiveView }) {
  const rows = await pcDb(db)
    .selectFrom('pc_checkup as c')
    .leftJoin('staff_account as s', 's.id', 'c.recorded_by')
    .leftJoin('facility as f', 'f.code', 'c.facility_code')
    .selectAll('c')
    .select(['s.full_name as recorded_by_name', 'f.name as facility_name'])
    .where('c.person_id', '=', personId)
    .orderBy('c.examined_on', 'desc')
    .orderBy('c.id', 'desc')
    .limit(200)
    .execute();
  const shown = rows.filter((r) => r.sensitivity.length === 0 || sensitiveVisible(opts.sensitive, [r.facility_code]));
  return {
    hidden_sensitive: rows.length - shown.length,
    checkups: shown.map(({ exam, received_at: _r, diagnoses, ...r }) => ({
      ...r,
      diagnoses: diagnoses.map((code) => ({ code, name: icd10Name(code) ?? null })),
      exam: Object.entries(exam).map(([system, note]) => ({ system, label_vi: NAME_OF_SYSTEM[system] ?? system, note })),
    })),
  };
}
