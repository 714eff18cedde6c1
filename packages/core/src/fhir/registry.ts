/**
 * Resources that do not come from XML 130: doses of the immunization registry as Immunization and the
 * citizen's own allergy declarations (health book) as AllergyIntolerance. XML 130 has neither an
 * immunization nor an allergy table, so these are the only sources OpenHSSK has for both.
 */
import type { AllergyIntolerance, Annotation, Identifier, Immunization, Organization, Reference } from '@medplum/fhirtypes';
import { ANTIGEN_LABELS, type Antigen } from '../immunization/antigens.ts';
import { productById } from '../immunization/products.ts';
import { facilityByCode } from './model.ts';
import { codeSystemUrl, EXT, SID } from './systems.ts';
import { instantToFhir } from './time.ts';

/** One real dose (the registry's realDoses: a dose two sources reported is one record). */
export interface DoseRecord {
  id: number;
  person_id: string;
  vaccine_code: string | null;
  vaccine_name: string;
  product_id: string | null;
  antigens: readonly string[];
  dose_no: number | null;
  /** 'yyyy-mm-dd'. */
  given_on: string;
  facility_code: string | null;
  facility_name: string | null;
  /** The source's own name or code of the place, when it is not a registered facility. */
  facility_ref: string | null;
  lot_no: string | null;
  route: string | null;
  body_site: string | null;
  reaction: string | null;
  /** 'station' (recorded at a commune station) or the exporting system (e.g. TIEMCHUNG). */
  source: string;
  source_record_id: string | null;
  /** A dose received as FHIR Immunization: the sender's identifier system (source_record_id is 'system|value'). */
  source_identifier_system?: string | null;
}

/** The identifier a dose carries: the sender's own for a received FHIR resource, else the source's record id. */
function doseIdentifier(d: DoseRecord): Identifier[] {
  if (!d.source_record_id) return [];
  const sys = d.source_identifier_system;
  if (sys && d.source_record_id.startsWith(`${sys}|`)) return [{ system: sys, value: d.source_record_id.slice(sys.length + 1) }];
  return [{ system: SID.immunizationRecord(d.source), value: d.source_record_id }];
}

/** An allergy the citizen (or a parent for a child) declared in the health book. */
export interface AllergyDeclarationRecord {
  id: number;
  person_id: string;
  title: string;
  detail: string | null;
  /** Free text as the citizen wrote it ("2019", "từ nhỏ" …). */
  since: string | null;
  /** True when the person declared it themself, false when a parent or guardian did. */
  self: boolean;
  updated_at: Date | string;
}

/** Doses recorded at a commune station by its own staff; every other source is an import. */
export const STATION_SOURCE = 'station';

const antigenText = (a: string) => ANTIGEN_LABELS[a as Antigen]?.vi ?? a;

export function immunizationResource(d: DoseRecord): Immunization {
  const product = d.product_id ? productById(d.product_id) : undefined;
  const place: Reference<Organization> | undefined = d.facility_code
    ? { ...facilityByCode(d.facility_code), ...(d.facility_name ? { display: d.facility_name } : {}) }
    : d.facility_ref
      ? { display: d.facility_ref }
      : undefined;
  const primary = d.source === STATION_SOURCE;
  const note: Annotation[] = d.reaction ? [{ text: `Phản ứng sau tiêm: ${d.reaction}` }] : [];
  const disease = d.antigens.map((a) => ({ text: antigenText(a) }));
  return {
    resourceType: 'Immunization',
    id: String(d.id),
    language: 'vi',
    ...(d.source_record_id ? { identifier: doseIdentifier(d) } : {}),
    status: 'completed',
    vaccineCode: {
      ...(product ? { coding: [{ system: codeSystemUrl('vac-xin'), code: product.id, display: product.name_vi }] } : {}),
      text: d.vaccine_name,
    },
    patient: { reference: `Patient/${d.person_id}` },
    occurrenceDateTime: d.given_on,
    primarySource: primary,
    ...(primary ? {} : { reportOrigin: { text: `Nhập từ hệ thống ${d.source}` } }),
    ...(d.lot_no ? { lotNumber: d.lot_no } : {}),
    ...(d.body_site ? { site: { text: d.body_site } } : {}),
    ...(d.route ? { route: { text: d.route } } : {}),
    ...(place ? { performer: [{ function: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0443', code: 'AP', display: 'Administering Provider' }] }, actor: place }] } : {}),
    ...(note.length ? { note } : {}),
    // Without a dose number the registry's engine places the dose itself; FHIR needs one here only when
    // the source gave it.
    ...(d.dose_no !== null || disease.length ? { protocolApplied: [{ ...(disease.length ? { targetDisease: disease } : {}), ...(d.dose_no !== null ? { doseNumberPositiveInt: d.dose_no } : { doseNumberString: 'không rõ' }) }] } : {}),
  };
}

/**
 * A self-declared allergy: never confirmed by a clinician (verificationStatus unconfirmed), asserted by
 * the patient (or, for a child, a parent: the asserter is then named without a reference, since the
 * parent's identity is not part of the child's record).
 */
export function allergyIntoleranceResource(a: AllergyDeclarationRecord): AllergyIntolerance {
  const note: Annotation[] = [{ text: 'Người dân tự khai báo trong Sổ sức khỏe điện tử; chưa được nhân viên y tế xác nhận.' }];
  if (a.detail) note.push({ text: a.detail });
  return {
    resourceType: 'AllergyIntolerance',
    id: String(a.id),
    meta: { lastUpdated: instantToFhir(a.updated_at) },
    language: 'vi',
    clinicalStatus: { coding: [{ system: EXT.allergyClinical, code: 'active', display: 'Active' }] },
    verificationStatus: { coding: [{ system: EXT.allergyVerification, code: 'unconfirmed', display: 'Unconfirmed' }] },
    code: { text: a.title },
    patient: { reference: `Patient/${a.person_id}` },
    ...(a.since ? { onsetString: a.since } : {}),
    recordedDate: instantToFhir(a.updated_at),
    asserter: a.self ? { reference: `Patient/${a.person_id}` } : { display: 'Cha, mẹ hoặc người giám hộ khai báo' },
    note,
  };
}
