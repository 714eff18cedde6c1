/**
 * Consent ← the citizen's own choices in the health book (auth module, citizen_account): "Đồng ý sử
 * dụng" the electronic health book (consent_at / consent_withdrawn_at) and the separate choice that
 * clinicians where the citizen is being treated may see history from other facilities
 * (cross_facility_consent_at / cross_facility_withdrawn_at, counted only while the book consent
 * stands). Read-only: the choices are made in the book, never through FHIR.
 */
import type { Consent } from '@medplum/fhirtypes';
import { codeSystemUrl, EXT } from './systems.ts';
import { instantToFhir } from './time.ts';

export type ConsentKind = 'book' | 'cross-facility';

export interface ConsentRecord {
  person_id: string;
  kind: ConsentKind;
  given_at: Date | string;
  /** Withdrawn (the book consent's withdrawal also ends the cross-facility choice). */
  withdrawn_at: Date | string | null;
}

export const consentId = (personId: string, kind: ConsentKind) => `${personId}-${kind}`;

export function parseConsentId(id: string): { personId: string; kind: ConsentKind } | undefined {
  const m = /^(.+)-(book|cross-facility)$/.exec(id);
  return m ? { personId: m[1]!, kind: m[2] as ConsentKind } : undefined;
}

const WORDING: Readonly<Record<ConsentKind, { display: string; text: string }>> = {
  book: { display: 'Đồng ý sử dụng Sổ sức khỏe điện tử', text: 'Người dân đồng ý sử dụng Sổ sức khỏe điện tử (xem và nhận dữ liệu sức khỏe của mình).' },
  'cross-facility': {
    display: 'Cho phép bác sĩ nơi đang khám xem tiền sử ở cơ sở khác',
    text: 'Bác sĩ tại cơ sở đang điều trị cho người dân được xem tiền sử khám chữa bệnh ở các cơ sở khác (trừ lượt khám nhạy cảm).',
  },
};

export function consentResource(c: ConsentRecord): Consent {
  const w = WORDING[c.kind];
  const start = instantToFhir(c.given_at);
  const end = c.withdrawn_at ? instantToFhir(c.withdrawn_at) : undefined;
  return {
    resourceType: 'Consent',
    id: consentId(c.person_id, c.kind),
    meta: { lastUpdated: end ?? start },
    language: 'vi',
    status: end ? 'inactive' : 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy', display: 'Privacy Consent' }] },
    category: [
      { coding: [{ system: EXT.loinc, code: '59284-0', display: 'Patient Consent' }] },
      { coding: [{ system: codeSystemUrl('loai-dong-y'), code: c.kind, display: w.display }], text: w.display },
    ],
    patient: { reference: `Patient/${c.person_id}` },
    dateTime: start,
    performer: [{ reference: `Patient/${c.person_id}` }],
    policyRule: { text: w.text },
    provision: {
      type: 'permit',
      period: { start, ...(end ? { end } : {}) },
      ...(c.kind === 'cross-facility'
        ? { purpose: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT', display: 'treatment' }] }
        : {}),
    },
  };
}
