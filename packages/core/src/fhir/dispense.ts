/**
 * MedicationDispense ← XML2 drug line that says the drug was handed over at the facility.
 *
 * XML 130 is the insurance claim: an XML2 line is a drug the facility itself supplied and charges for
 * (a drug bought elsewhere on a prescription is never in the claim). Whether it was handed to the
 * patient or given on the ward follows from the care type: in an outpatient visit (MA_LOAI_KCB 01
 * exam, 02 outpatient treatment, 05 chronic outpatient "khám, lĩnh thuốc", 07 drug pick-up by
 * appointment, 08 chronic outpatient with services/drugs) the patient leaves with it — dispensed; in
 * a stay (03, 04, 06, 09, see INPATIENT_CARE_TYPES) it was administered, and 10 ("other") says
 * nothing. Blood and blood products (MA_NHOM 7, 17) are transfused at the facility, never handed
 * over. The server's SQL (fhir/medication-dispense.ts) states the same rule.
 */
import type { MedicationDispense } from '@medplum/fhirtypes';
import { childId, type EpisodeRecord, encounterRef, episodeMeta, facilityByCode, facilityRef, field, type RowRecord, subjectOf } from './model.ts';
import { drugLine } from './rows.ts';
import { xmlTimeToFhir } from './time.ts';

/** Outpatient care types: a drug line of such a visit was handed to the patient. */
export const DISPENSING_CARE_TYPES: ReadonlyArray<string> = ['01', '02', '05', '07', '08'];
/** Cost groups transfused at the facility (blood, blood products): never dispensed. */
export const NOT_DISPENSED_GROUPS: ReadonlyArray<string> = ['7', '17'];

export function isDispensedRow(ep: Pick<EpisodeRecord, 'ma_loai_kcb'>, row: RowRecord): boolean {
  return row.tbl === 'XML2' && DISPENSING_CARE_TYPES.includes(ep.ma_loai_kcb) && !NOT_DISPENSED_GROUPS.includes(field(row.fields, 'MA_NHOM'));
}

const MEDICATION_DISPENSE_CATEGORY = 'http://terminology.hl7.org/fhir/CodeSystem/medicationdispense-category';

export function medicationDispenseResource(ep: EpisodeRecord, row: RowRecord): MedicationDispense {
  const f = row.fields;
  const { medication, dosage, quantity } = drugLine(f);
  const handedOver = xmlTimeToFhir(field(f, 'NGAY_TH_YL')) ?? xmlTimeToFhir(field(f, 'NGAY_YL'));
  // MA_CSKCB_THUOC "C.XXXXX": another facility supplied the drug (a drug transfer between facilities).
  const supplier = /^C\.([0-9A-Za-z]{5})$/.exec(field(f, 'MA_CSKCB_THUOC'))?.[1];
  return {
    resourceType: 'MedicationDispense',
    id: childId(ep, row.row_no),
    meta: episodeMeta(ep),
    language: 'vi',
    status: 'completed',
    category: { coding: [{ system: MEDICATION_DISPENSE_CATEGORY, code: 'outpatient', display: 'Outpatient' }] },
    medicationCodeableConcept: medication,
    subject: subjectOf(ep),
    context: encounterRef(ep),
    performer: [{ actor: supplier && supplier !== ep.facility_code ? facilityByCode(supplier) : facilityRef(ep) }],
    authorizingPrescription: [{ reference: `MedicationRequest/${childId(ep, row.row_no)}` }],
    ...(quantity ? { quantity } : {}),
    ...(handedOver ? { whenHandedOver: handedOver } : {}),
    ...(dosage.length ? { dosageInstruction: dosage } : {}),
  };
}
