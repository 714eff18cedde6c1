/**
 * Practitioner ← a practice-licence number (GPHN/CCHN) the episodes name: MA_BAC_SI (XML2, XML3, XML13,
 * XML14), NGUOI_THUC_HIEN (XML3), MA_BS_DOC_KQ (XML4), MA_TTDV (XML7, XML8), MA_BS (XML7). Since
 * 3176 these fields carry licence numbers, so the licence is the practitioner's identity. Only
 * XML7 pairs a code with a name (MA_BS + TEN_BS, the signing doctor): the name is given only when
 * one such pair exists; everything else about the practitioner is not in XML 130.
 */
import type { Practitioner } from '@medplum/fhirtypes';
import { practitionerId } from './model.ts';
import { vietnameseName } from './person.ts';
import { SID } from './systems.ts';

/** undefined when the licence number is too long for a FHIR id (it stays a reference by identifier). */
export function practitionerResource(licence: string, name: string | undefined): Practitioner | undefined {
  const id = practitionerId(licence);
  if (!id) return undefined;
  return {
    resourceType: 'Practitioner',
    id,
    language: 'vi',
    identifier: [{ use: 'official', system: SID.practitionerLicence, value: licence }],
    ...(name ? { name: [vietnameseName(name)] } : {}),
  };
}
