/**
 * Resources OpenHSSK received as FHIR writes (issue 17 item 6): vital signs posted as Observation, and
 * the Provenance of every received resource (which facility system and credential sent it, when).
 * The vital-sign codes are the base R4 vital-signs profile's LOINC codes; each is stored in one
 * canonical UCUM unit, converted from the few other units senders use.
 */
import type { Observation, ObservationComponent, Provenance, Quantity, Reference } from '@medplum/fhirtypes';
import { facilityByCode } from './model.ts';
import { CANONICAL_BASE, EXT } from './systems.ts';
import { instantToFhir } from './time.ts';

export interface VitalCode {
  loinc: string;
  display: string;
  vi: string;
  /** Canonical UCUM unit the value is stored in. */
  unit: string;
  /** Other UCUM units accepted, with the conversion to `unit`. */
  convert?: Readonly<Record<string, (v: number) => number>>;
  /** Plausible range in `unit`: outside it the value is refused as a likely error. */
  min: number;
  max: number;
}

export const BP_PANEL = '85354-9';
export const BP_SYSTOLIC = '8480-6';
export const BP_DIASTOLIC = '8462-4';

const c = (loinc: string, display: string, vi: string, unit: string, min: number, max: number, convert?: VitalCode['convert']): VitalCode => ({
  loinc, display, vi, unit, min, max, ...(convert ? { convert } : {}),
});

/** Single-value codes, and the two components of the blood-pressure panel. */
export const VITAL_CODES: Readonly<Record<string, VitalCode>> = {
  '8867-4': c('8867-4', 'Heart rate', 'Mạch', '/min', 20, 300),
  '9279-1': c('9279-1', 'Respiratory rate', 'Nhịp thở', '/min', 3, 100),
  '29463-7': c('29463-7', 'Body weight', 'Cân nặng', 'kg', 0.3, 400, { g: (v) => v / 1000 }),
  '8302-2': c('8302-2', 'Body height', 'Chiều cao', 'cm', 20, 260, { m: (v) => v * 100 }),
  '39156-5': c('39156-5', 'Body mass index (BMI) [Ratio]', 'Chỉ số khối cơ thể (BMI)', 'kg/m2', 5, 100),
  '8310-5': c('8310-5', 'Body temperature', 'Nhiệt độ', 'Cel', 25, 45, { '[degF]': (v) => ((v - 32) * 5) / 9 }),
  '2708-6': c('2708-6', 'Oxygen saturation in Arterial blood', 'SpO2', '%', 40, 100),
  '59408-5': c('59408-5', 'Oxygen saturation in Arterial blood by Pulse oximetry', 'SpO2 (đo qua da)', '%', 40, 100),
  [BP_SYSTOLIC]: c(BP_SYSTOLIC, 'Systolic blood pressure', 'Huyết áp tâm thu', 'mm[Hg]', 40, 300),
  [BP_DIASTOLIC]: c(BP_DIASTOLIC, 'Diastolic blood pressure', 'Huyết áp tâm trương', 'mm[Hg]', 20, 200),
};

/** A stored vital sign (module vitals/). */
export interface VitalSignRecord {
  id: number;
  person_id: string;
  loinc: string;
  value: number | null;
  systolic: number | null;
  diastolic: number | null;
  unit: string;
  /** Vietnam wall-clock time 'yyyy-mm-dd hh:mm:ss'. */
  effective_at: string;
  status: 'final' | 'amended' | 'corrected' | 'preliminary';
  performer_ref: string | null;
  note: string | null;
  sender_facility_code: string;
  identifier_system: string;
  identifier_value: string;
  updated_at: Date | string;
}

export const vitalId = (id: number) => `vs-${id}`;
/** `vs-<n>` → n; undefined for any other id. */
export const parseVitalId = (id: string): number | undefined => (/^vs-\d{1,18}$/.test(id) ? Number(id.slice(3)) : undefined);

const qty = (value: number, unit: string): Quantity => ({ value, unit, system: EXT.ucum, code: unit });
const concept = (v: VitalCode) => ({ coding: [{ system: EXT.loinc, code: v.loinc, display: v.display }], text: v.vi });

/** Vietnam wall-clock 'yyyy-mm-dd hh:mm:ss' → FHIR dateTime with +07:00. */
const vnTime = (t: string) => `${t.slice(0, 10)}T${t.slice(11, 19)}+07:00`;

/** A stored vital sign as an Observation of the R4 vital-signs profile. */
export function vitalSignResource(v: VitalSignRecord): Observation {
  const panel = v.loinc === BP_PANEL;
  const code = panel
    ? { coding: [{ system: EXT.loinc, code: BP_PANEL, display: 'Blood pressure panel with all children optional' }], text: 'Huyết áp' }
    : concept(VITAL_CODES[v.loinc] ?? c(v.loinc, v.loinc, v.loinc, v.unit, 0, 0));
  const component: ObservationComponent[] = panel
    ? [
        { code: concept(VITAL_CODES[BP_SYSTOLIC]!), valueQuantity: qty(Number(v.systolic), 'mm[Hg]') },
        { code: concept(VITAL_CODES[BP_DIASTOLIC]!), valueQuantity: qty(Number(v.diastolic), 'mm[Hg]') },
      ]
    : [];
  const performer: NonNullable<Observation['performer']> = v.performer_ref ? [{ display: v.performer_ref }] : [];
  return {
    resourceType: 'Observation',
    id: vitalId(v.id),
    meta: { lastUpdated: instantToFhir(v.updated_at), profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns'] },
    language: 'vi',
    identifier: [{ system: v.identifier_system, value: v.identifier_value }],
    status: v.status,
    category: [{ coding: [{ system: EXT.observationCategory, code: 'vital-signs', display: 'Vital Signs' }], text: 'Dấu hiệu sinh tồn' }],
    code,
    subject: { reference: `Patient/${v.person_id}` },
    effectiveDateTime: vnTime(v.effective_at),
    ...(performer.length ? { performer } : {}),
    ...(panel ? { component } : { valueQuantity: qty(Number(v.value), v.unit) }),
    ...(v.note ? { note: [{ text: v.note }] } : {}),
  };
}

export interface ReceivedProvenanceInput {
  /** Provenance id: `imm-<dose id>` or the vital sign's `vs-<id>`. */
  id: string;
  target: Reference;
  senderFacilityCode: string;
  senderFacilityName: string | null;
  clientId: string;
  created: Date | string;
  updated: Date | string;
}

/** Who sent a received resource and when: the facility (author) through its credential (the device). */
export function receivedProvenance(p: ReceivedProvenanceInput): Provenance {
  const facility = { ...facilityByCode(p.senderFacilityCode), ...(p.senderFacilityName ? { display: p.senderFacilityName } : {}) };
  const changed = new Date(p.updated).getTime() > new Date(p.created).getTime() + 1000;
  return {
    resourceType: 'Provenance',
    id: p.id,
    meta: { lastUpdated: instantToFhir(p.updated) },
    language: 'vi',
    target: [p.target],
    recorded: instantToFhir(p.updated),
    activity: { coding: [changed ? { system: EXT.dataOperation, code: 'UPDATE', display: 'revise' } : { system: EXT.dataOperation, code: 'CREATE', display: 'create' }] },
    agent: [
      { type: { coding: [{ system: EXT.provenanceParticipant, code: 'author', display: 'Author' }] }, who: facility },
      // The credential that posted it: the facility's system entered the data on the facility's behalf.
      {
        type: { coding: [{ system: EXT.provenanceParticipant, code: 'enterer', display: 'Enterer' }] },
        who: { identifier: { system: `${CANONICAL_BASE}/sid/client-id`, value: p.clientId }, display: `Hệ thống của cơ sở (mã khách ${p.clientId})` },
        onBehalfOf: facility,
      },
    ],
  };
}
