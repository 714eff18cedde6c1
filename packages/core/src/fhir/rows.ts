/**
 * Resources from single rows of an episode: drug lines (XML2) → MedicationRequest, services that are
 * procedures (XML3) → Procedure, paraclinical results (XML4) → Observation, the referral paper (XML13)
 * → ServiceRequest, the re-visit appointment (XML14) → Appointment.
 */
import type { Annotation, Appointment, CodeableConcept, Coding, Dosage, MedicationRequest, Observation, Procedure, Quantity, ServiceRequest } from '@medplum/fhirtypes';
import { diagnosisCodes, sensitivityOf } from '../codes/icd10.ts';
import { serviceByCode } from '../codes/services.ts';
import { vnCoding } from './codesystems.ts';
import { icd10Concept } from './episode.ts';
import {
  childId,
  type EpisodeRecord,
  encounterRef,
  episodeMeta,
  facilityByCode,
  field,
  INPATIENT_CARE_TYPES,
  num,
  parts,
  practitionerByLicence,
  type RowRecord,
  subjectOf,
} from './model.ts';
import { codeSystemUrl, EXT, SID } from './systems.ts';
import { xmlDateToFhir, xmlTimeToFhir } from './time.ts';

/**
 * XML3 rows that are procedures: surgery (MA_NHOM 8) or other procedures (18), or any service coded in
 * ICD-9-CM; supply rows (MA_VAT_TU, which 3176 lets carry the service code of the procedure they were
 * used in) are not procedures themselves. The server's SQL (fhir/sql.ts) states the same rule.
 */
export function isProcedureRow(fields: Readonly<Record<string, string>>): boolean {
  const group = field(fields, 'MA_NHOM');
  return (group === '8' || group === '18' || field(fields, 'MA_PTTT_QT') !== '') && field(fields, 'MA_VAT_TU') === '';
}

/** Which resource type a row becomes (undefined: not projected). */
export function rowResourceType(r: RowRecord): 'MedicationRequest' | 'Procedure' | 'Observation' | 'ServiceRequest' | 'Appointment' | 'DocumentReference' | undefined {
  switch (r.tbl) {
    case 'XML2':
      return 'MedicationRequest';
    case 'XML3':
      return isProcedureRow(r.fields) ? 'Procedure' : undefined;
    case 'XML4':
      return 'Observation';
    case 'XML13':
      return 'ServiceRequest';
    case 'XML14':
      return 'Appointment';
    case 'XML7':
    case 'XML8':
      return 'DocumentReference';
    default:
      return undefined;
  }
}

/**
 * ICD-10 codes of a row as reasons (each field may hold a ';' list); sensitive ones (HIV, TB, mental
 * health) only on a sensitive episode, which is mapped only for a reader who may see it.
 */
function reasonConcepts(ep: EpisodeRecord, main: string, secondary = ''): CodeableConcept[] {
  return diagnosisCodes(null, `${main};${secondary}`)
    .filter((c) => ep.sensitive === true || !sensitivityOf(c))
    .map(icd10Concept);
}

const firstLicence = (v: string) => parts(v)[0];

/**
 * What a drug line says about the drug and how to take it, shared by its MedicationRequest and (when
 * dispensed) its MedicationDispense: MA_THUOC + TEN_THUOC + HAM_LUONG, LIEU_DUNG, CACH_DUNG, DUONG_DUNG,
 * SO_LUONG + DON_VI_TINH.
 */
export function drugLine(f: Readonly<Record<string, string>>) {
  const code = field(f, 'MA_THUOC');
  const name = field(f, 'TEN_THUOC');
  const route = field(f, 'DUONG_DUNG');
  const dose = field(f, 'LIEU_DUNG');
  const usage = field(f, 'CACH_DUNG');
  const qty = num(field(f, 'SO_LUONG'));
  const unit = field(f, 'DON_VI_TINH');
  const routeCoding = route ? vnCoding('DUONG_DUNG', route) : undefined;
  const text = [name, field(f, 'HAM_LUONG')].filter(Boolean).join(' ') || code;
  const medication: CodeableConcept = { ...(code ? { coding: [{ system: codeSystemUrl('ma-thuoc'), code, ...(name ? { display: name } : {}) }] } : {}), text };
  const dosage: Dosage[] =
    dose || usage || routeCoding
      ? [
          {
            ...(dose ? { text: dose } : {}),
            ...(usage ? { patientInstruction: usage } : {}),
            ...(routeCoding ? { route: { coding: [routeCoding], text: routeCoding.display ?? route } } : {}),
          },
        ]
      : [];
  const quantity: Quantity | undefined = qty !== undefined ? { value: qty, ...(unit ? { unit } : {}) } : undefined;
  return { medication, dosage, quantity };
}

export function medicationRequestResource(ep: EpisodeRecord, row: RowRecord): MedicationRequest {
  const f = row.fields;
  const { medication, dosage, quantity } = drugLine(f);
  const authored = xmlTimeToFhir(field(f, 'NGAY_YL'));
  const requester = firstLicence(field(f, 'MA_BAC_SI'));
  return {
    resourceType: 'MedicationRequest',
    id: childId(ep, row.row_no),
    meta: episodeMeta(ep),
    language: 'vi',
    status: 'completed',
    intent: 'order',
    category: [{ coding: [INPATIENT_CARE_TYPES.has(ep.ma_loai_kcb) ? { system: EXT.medicationRequestCategory, code: 'inpatient', display: 'Inpatient' } : { system: EXT.medicationRequestCategory, code: 'outpatient', display: 'Outpatient' }] }],
    medicationCodeableConcept: medication,
    subject: subjectOf(ep),
    encounter: encounterRef(ep),
    ...(authored ? { authoredOn: authored } : {}),
    ...(requester ? { requester: practitionerByLicence(requester) } : {}),
    ...(dosage.length ? { dosageInstruction: dosage } : {}),
    ...(quantity ? { dispenseRequest: { quantity } } : {}),
  };
}

const OBSERVATION_CATEGORY: Readonly<Record<string, Coding>> = {
  lab: { system: EXT.observationCategory, code: 'laboratory', display: 'Laboratory' },
  imaging: { system: EXT.observationCategory, code: 'imaging', display: 'Imaging' },
  function: { system: EXT.observationCategory, code: 'procedure', display: 'Procedure' },
};

export function observationResource(ep: EpisodeRecord, row: RowRecord): Observation {
  const f = row.fields;
  const index = field(f, 'MA_CHI_SO');
  const service = field(f, 'MA_DICH_VU');
  const name = field(f, 'TEN_CHI_SO');
  const value = field(f, 'GIA_TRI');
  const unit = field(f, 'DON_VI_DO');
  const description = field(f, 'MO_TA');
  const conclusion = field(f, 'KET_LUAN');
  const at = xmlTimeToFhir(field(f, 'NGAY_KQ'));
  const reader = parts(field(f, 'MA_BS_DOC_KQ'));
  const kind = service ? serviceByCode(service)?.kind : undefined;
  const category = (kind && OBSERVATION_CATEGORY[kind]) ?? (index ? OBSERVATION_CATEGORY.lab : undefined);
  const numeric = num(value);
  const coding: Coding[] = [
    ...(index ? [{ system: codeSystemUrl('ma-chi-so'), code: index, ...(name ? { display: name } : {}) }] : []),
    ...(service ? [{ system: codeSystemUrl('ma-dich-vu'), code: service }] : []),
  ];
  const valueX =
    numeric !== undefined ? { valueQuantity: { value: numeric, ...(unit ? { unit } : {}) } } : value ? { valueString: unit ? `${value} ${unit}` : value } : conclusion ? { valueString: conclusion } : {};
  const note: Annotation[] = [
    ...(description ? [{ text: `Mô tả: ${description}` }] : []),
    ...(conclusion && (numeric !== undefined || value) ? [{ text: `Kết luận: ${conclusion}` }] : []),
  ];
  return {
    resourceType: 'Observation',
    id: childId(ep, row.row_no),
    meta: episodeMeta(ep),
    language: 'vi',
    status: 'final',
    ...(category ? { category: [{ coding: [category] }] } : {}),
    code: { ...(coding.length ? { coding } : {}), text: name || index || service || 'Kết quả cận lâm sàng' },
    subject: subjectOf(ep),
    encounter: encounterRef(ep),
    ...(at ? { effectiveDateTime: at, ...(at.includes('T') ? { issued: at } : {}) } : {}),
    ...(reader.length ? { performer: reader.map(practitionerByLicence) } : {}),
    ...valueX,
    ...(note.length ? { note } : {}),
  };
}

export function procedureResource(ep: EpisodeRecord, row: RowRecord): Procedure {
  const f = row.fields;
  const service = field(f, 'MA_DICH_VU');
  const name = field(f, 'TEN_DICH_VU');
  const icd9 = parts(field(f, 'MA_PTTT_QT'));
  const group = field(f, 'MA_NHOM');
  const performed = xmlTimeToFhir(field(f, 'NGAY_TH_YL')) ?? xmlTimeToFhir(field(f, 'NGAY_YL'));
  const performers = parts(field(f, 'NGUOI_THUC_HIEN'));
  const anaesthesia = field(f, 'PP_VO_CAM');
  const reasons = reasonConcepts(ep, field(f, 'MA_BENH'));
  const coding: Coding[] = [
    ...icd9.map((code) => ({ system: EXT.icd9cm, code })),
    ...(service ? [{ system: codeSystemUrl('ma-dich-vu'), code: service, ...(name ? { display: name } : {}) }] : []),
  ];
  return {
    resourceType: 'Procedure',
    id: childId(ep, row.row_no),
    meta: episodeMeta(ep),
    language: 'vi',
    status: 'completed',
    ...(group ? { category: { coding: [vnCoding('MA_NHOM', group)] } } : {}),
    code: { ...(coding.length ? { coding } : {}), text: name || service || icd9.join('; ') },
    subject: subjectOf(ep),
    encounter: encounterRef(ep),
    ...(performed ? { performedDateTime: performed } : {}),
    ...(performers.length ? { performer: performers.map((p) => ({ actor: practitionerByLicence(p) })) } : {}),
    ...(reasons.length ? { reasonCode: reasons } : {}),
    ...(anaesthesia ? { note: [{ text: `Phương pháp vô cảm: ${vnCoding('PP_VO_CAM', anaesthesia).display ?? anaesthesia}` }] } : {}),
  };
}

/** XML13 free-text fields kept as notes, with their Vietnamese labels (3176 names first). */
const REFERRAL_NOTES: ReadonlyArray<readonly [string, string]> = [
  ['DAU_HIEU_LS', 'Dấu hiệu lâm sàng'],
  ['QT_BENHLY', 'Quá trình bệnh lý và diễn biến lâm sàng'],
  ['TOMTAT_KQ', 'Tóm tắt kết quả xét nghiệm, cận lâm sàng'],
  ['PP_DIEUTRI', 'Phương pháp, thủ thuật, kỹ thuật, thuốc đã sử dụng'],
  ['TINH_TRANG_CT', 'Tình trạng người bệnh lúc chuyển tuyến'],
  ['PP_DIEU_TRI', 'Tình trạng người bệnh lúc chuyển tuyến'],
  ['HUONG_DIEU_TRI', 'Hướng điều trị'],
  ['PHUONGTIEN_VC', 'Phương tiện vận chuyển'],
];

export function serviceRequestResource(ep: EpisodeRecord, row: RowRecord): ServiceRequest {
  const f = row.fields;
  const letter = field(f, 'GIAY_CHUYEN_TUYEN');
  const destination = field(f, 'MA_CSKCB_DEN') || field(f, 'MA_NOI_DEN');
  const requester = firstLicence(field(f, 'MA_BAC_SI'));
  const reason = field(f, 'MA_LYDO_CT');
  const authored = xmlTimeToFhir(field(f, 'NGAY_RA'));
  const notes = REFERRAL_NOTES.filter(([k]) => field(f, k)).map(([k, label]) => ({ text: `${label}: ${field(f, k)}` }));
  const seen = new Set<string>();
  const uniqueNotes = notes.filter((n) => !seen.has(n.text) && seen.add(n.text));
  return {
    resourceType: 'ServiceRequest',
    id: childId(ep, row.row_no),
    meta: episodeMeta(ep),
    language: 'vi',
    ...(letter ? { identifier: [{ system: SID.giayChuyenTuyen(field(f, 'MA_CSKCB') || ep.facility_code), value: letter }] } : {}),
    status: 'active',
    intent: 'order',
    code: { coding: [{ system: EXT.snomed, code: '3457005', display: 'Patient referral' }], text: 'Chuyển tuyến' },
    subject: subjectOf(ep),
    encounter: encounterRef(ep),
    ...(authored ? { authoredOn: authored } : {}),
    ...(requester ? { requester: practitionerByLicence(requester) } : {}),
    ...(destination ? { performer: [facilityByCode(destination)] } : {}),
    reasonCode: [...(reason ? [{ coding: [vnCoding('MA_LYDO_CT', reason)], text: vnCoding('MA_LYDO_CT', reason).display ?? reason }] : []), ...reasonConcepts(ep, field(f, 'MA_BENH_CHINH'), field(f, 'MA_BENH_KT'))],
    ...(uniqueNotes.length ? { note: uniqueNotes } : {}),
  };
}

/** The day after a FHIR date 'yyyy-mm-dd'. */
function nextDay(date: string): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/**
 * XML14 re-visit appointment. 3176 gives only the day (NGAY_HEN_KL, 8 characters): the appointment
 * spans that whole Vietnam day; a 12-character value (4750) starts at its time and ends with the day.
 */
export function appointmentResource(ep: EpisodeRecord, row: RowRecord): Appointment {
  const f = row.fields;
  const raw = field(f, 'NGAY_HEN_KL');
  const day = xmlDateToFhir(raw);
  const start = raw.length === 12 ? xmlTimeToFhir(raw) : day ? `${day}T00:00:00+07:00` : undefined;
  const number = field(f, 'SO_GIAYHEN_KL');
  const doctors = parts(field(f, 'MA_BAC_SI'));
  const created = xmlDateToFhir(field(f, 'NGAY_CT'));
  const facility = field(f, 'MA_CSKCB') || ep.facility_code;
  return {
    resourceType: 'Appointment',
    id: childId(ep, row.row_no),
    meta: episodeMeta(ep),
    language: 'vi',
    ...(number ? { identifier: [{ system: SID.giayHenKhamLai(facility), value: number }] } : {}),
    status: start ? 'booked' : 'proposed',
    appointmentType: { text: 'Khám lại' },
    reasonCode: reasonConcepts(ep, field(f, 'MA_BENH_CHINH'), field(f, 'MA_BENH_KT')),
    description: `Hẹn khám lại tại cơ sở ${facility}${ep.facility_name && facility === ep.facility_code ? ` (${ep.facility_name})` : ''}`,
    ...(start && day ? { start, end: `${nextDay(day)}T00:00:00+07:00` } : {}),
    ...(day ? { requestedPeriod: [{ start: day, end: day }] } : {}),
    ...(created ? { created } : {}),
    supportingInformation: [encounterRef(ep)],
    participant: [
      { actor: subjectOf(ep), required: 'required', status: 'accepted' },
      ...doctors.map((d) => ({ actor: practitionerByLicence(d), status: 'accepted' as const })),
    ],
  };
}
