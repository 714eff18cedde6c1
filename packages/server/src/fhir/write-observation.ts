/**
 * `POST /fhir/R4/Observation`: a vital sign from an external system (R4 vital-signs profile: blood
 * pressure panel, heart rate, respiratory rate, body weight, height, BMI, temperature, SpO2) into the
 * vitals module. Mapping element by element: docs/fhir.md ("Writes").
 */
import type { Observation, Quantity } from '@medplum/fhirtypes';
import { BP_DIASTOLIC, BP_PANEL, BP_SYSTOLIC, EXT, VITAL_CODES, type VitalCode, type VitalSignRecord } from '@openhssk/core/fhir';
import type { Db } from '../db/index.ts';
import { type ReceivedVital, receiveVital } from '../vitals/index.ts';
import { senderIdentifier, subjectOf, unprocessable, vietnamTime, type Writer } from './write.ts';

const STATUSES = new Set<string>(['final', 'amended', 'corrected', 'preliminary']);

/** A quantity in the code's canonical unit, checked against its plausible range. */
function measured(q: Quantity | undefined, v: VitalCode): number {
  const unit = q?.code ?? q?.unit;
  if (q?.value === undefined || !unit) {
    throw unprocessable('VITAL_VALUE_MISSING', `${v.vi}: cần valueQuantity có value và đơn vị UCUM (${v.unit}).`, `${v.display}: a valueQuantity with value and UCUM unit (${v.unit}) is required.`);
  }
  const convert = unit === v.unit ? (x: number) => x : v.convert?.[unit];
  if (!convert) {
    const accepted = [v.unit, ...Object.keys(v.convert ?? {})].join(', ');
    throw unprocessable('VITAL_UNIT', `${v.vi}: đơn vị "${unit}" không được nhận (dùng ${accepted}).`, `${v.display}: unit "${unit}" is not accepted (use ${accepted}).`);
  }
  const value = Math.round(convert(q.value) * 100) / 100;
  if (value < v.min || value > v.max) {
    throw unprocessable(
      'VITAL_OUT_OF_RANGE',
      `${v.vi} ${value} ${v.unit} nằm ngoài khoảng hợp lý ${v.min}–${v.max}: kiểm tra lại giá trị và đơn vị.`,
      `${v.display} ${value} ${v.unit} is outside the plausible range ${v.min}–${v.max}: check the value and unit.`,
    );
  }
  return value;
}

/** The vital sign a structurally valid Observation describes, or why it cannot be stored (422). */
export async function vitalOf(db: Db, writer: Writer, r: Observation): Promise<ReceivedVital> {
  if (!r.category?.some((c) => c.coding?.some((x) => x.system === EXT.observationCategory && x.code === 'vital-signs'))) {
    throw unprocessable(
      'OBSERVATION_NOT_VITAL_SIGN',
      `Chỉ nhận dấu hiệu sinh tồn: category phải có ${EXT.observationCategory}|vital-signs.`,
      `Only vital signs are accepted: category must hold ${EXT.observationCategory}|vital-signs.`,
    );
  }
  if (!STATUSES.has(r.status)) {
    throw unprocessable('OBSERVATION_STATUS', `Trạng thái "${r.status}" không được nhận (final, amended, corrected, preliminary).`, `Status "${r.status}" is not accepted (final, amended, corrected, preliminary).`);
  }
  const identifier = senderIdentifier(r.identifier);
  const loinc = r.code.coding?.find((c) => c.system === EXT.loinc && c.code && (c.code === BP_PANEL || VITAL_CODES[c.code]))?.code;
  if (!loinc || loinc === BP_SYSTOLIC || loinc === BP_DIASTOLIC) {
    const codes = [BP_PANEL, ...Object.keys(VITAL_CODES).filter((c) => c !== BP_SYSTOLIC && c !== BP_DIASTOLIC)].join(', ');
    throw unprocessable('VITAL_CODE', `code phải là mã LOINC của dấu hiệu sinh tồn: ${codes}.`, `code must be a vital-sign LOINC code: ${codes}.`);
  }
  const at = vietnamTime(r.effectiveDateTime);
  if (!at || r.effectiveDateTime!.length < 16) {
    throw unprocessable('EFFECTIVE_MISSING', 'Cần effectiveDateTime có ngày và giờ đo.', 'effectiveDateTime with the date and time measured is required.');
  }
  // A device clock a few minutes ahead is not an error; a day ahead is.
  const vnNow = new Date(Date.now() + 7 * 3_600_000 + 5 * 60_000).toISOString().replace('T', ' ').slice(0, 19);
  if (at.time > vnNow) throw unprocessable('EFFECTIVE_IN_FUTURE', `Thời điểm đo ${r.effectiveDateTime} ở tương lai.`, `The time measured ${r.effectiveDateTime} is in the future.`);
  let value: number | null = null;
  let systolic: number | null = null;
  let diastolic: number | null = null;
  let unit: string;
  if (loinc === BP_PANEL) {
    const part = (code: string) => r.component?.find((c) => c.code.coding?.some((x) => x.system === EXT.loinc && x.code === code))?.valueQuantity;
    systolic = measured(part(BP_SYSTOLIC), VITAL_CODES[BP_SYSTOLIC]!);
    diastolic = measured(part(BP_DIASTOLIC), VITAL_CODES[BP_DIASTOLIC]!);
    if (diastolic >= systolic) throw unprocessable('BP_INCONSISTENT', 'Huyết áp tâm trương phải thấp hơn tâm thu.', 'Diastolic pressure must be below systolic.');
    unit = 'mm[Hg]';
  } else {
    const v = VITAL_CODES[loinc]!;
    value = measured(r.valueQuantity, v);
    unit = v.unit;
  }
  const performer = r.performer?.[0];
  const note = (r.note ?? []).map((n) => n.text).filter(Boolean).join('; ').slice(0, 1000);
  return {
    sender: { facilityCode: writer.facilityCode, clientId: writer.clientId },
    identifier,
    subject: await subjectOf(db, writer, r, r.subject, 'Observation.subject'),
    loinc,
    value,
    systolic,
    diastolic,
    unit,
    effectiveAt: at.time,
    status: r.status as VitalSignRecord['status'],
    performer: (performer?.display ?? performer?.identifier?.value ?? null)?.slice(0, 200) ?? null,
    note: note || null,
  };
}

export async function createObservation(db: Db, writer: Writer, r: Observation, requestId: string): Promise<{ id: string; created: boolean }> {
  const stored = await receiveVital(db, await vitalOf(db, writer, r), { actor: writer.actor, requestId });
  return { id: `vs-${stored.id}`, created: stored.created };
}
