/**
 * Canonical URLs of what OpenHSSK publishes (code systems, value sets, extensions) and the identifier
 * systems it writes. They are names, not addresses the server must answer at: they stay the same on
 * every deployment, whatever host serves `/fhir/R4`. The `https://openhssk.vn/` namespace is the one
 * the problem types of the API already use.
 *
 * Draft Vietnamese implementation guides define other URIs for the same identifiers (HL7 Vietnam's
 * community "VN Core" draft under http://fhir.hl7.org.vn/core/sid/…, an older Ministry CI build under
 * http://fhir.ehealth.gov.vn/core/sid/…). Neither is published as normative yet, so they are not used
 * here; docs/fhir.md lists them for a later alignment (UNVERIFIED which one the Ministry will adopt).
 */
export const CANONICAL_BASE = 'https://openhssk.vn/fhir';

export const codeSystemUrl = (id: string) => `${CANONICAL_BASE}/CodeSystem/${id}`;
export const valueSetUrl = (id: string) => `${CANONICAL_BASE}/ValueSet/${id}`;
export const extensionUrl = (id: string) => `${CANONICAL_BASE}/StructureDefinition/${id}`;

/** Identifier systems (NamingSystem-style URIs). Facility-scoped codes carry the MACSKCB in the path. */
export const SID = {
  /** Số định danh cá nhân (12 digits, CCCD / căn cước / VNeID). */
  cccd: `${CANONICAL_BASE}/sid/cccd`,
  /** Mã thẻ BHYT (15 characters). */
  bhyt: `${CANONICAL_BASE}/sid/bhyt`,
  /** Mã số BHXH (10 digits, the last ten characters of the card number). */
  bhxh: `${CANONICAL_BASE}/sid/bhxh`,
  /** Mã cơ sở khám, chữa bệnh (MACSKCB / MA_CSKCB, 5 characters). */
  macskcb: `${CANONICAL_BASE}/sid/macskcb`,
  /** Practice-licence number of a practitioner (MA_BAC_SI, NGUOI_THUC_HIEN … since QĐ 3176). */
  practitionerLicence: `${CANONICAL_BASE}/sid/gphn`,
  /** Submission (signed envelope) id given by OpenHSSK's receipt. */
  submission: `${CANONICAL_BASE}/sid/submission`,
  /** MA_BN: the facility's own patient code. */
  maBn: (facility: string) => `${CANONICAL_BASE}/sid/ma-bn/${facility}`,
  /** MA_LK: the facility's episode key. */
  maLk: (facility: string) => `${CANONICAL_BASE}/sid/ma-lk/${facility}`,
  /** MA_HSBA: the facility's medical-record number. */
  maHsba: (facility: string) => `${CANONICAL_BASE}/sid/ma-hsba/${facility}`,
  /** Referral letter number (GIAY_CHUYEN_TUYEN, XML13). */
  giayChuyenTuyen: (facility: string) => `${CANONICAL_BASE}/sid/giay-chuyen-tuyen/${facility}`,
  /** Re-visit appointment number (SO_GIAYHEN_KL, XML14). */
  giayHenKhamLai: (facility: string) => `${CANONICAL_BASE}/sid/giay-hen-kham-lai/${facility}`,
  /** Archive number of a discharge paper (SO_LUU_TRU, XML7). */
  soLuuTru: (facility: string) => `${CANONICAL_BASE}/sid/so-luu-tru/${facility}`,
  /** A dose's record id in the system it was imported from (TIEMCHUNG, VNVC …). */
  immunizationRecord: (source: string) => `${CANONICAL_BASE}/sid/tiem-chung/${encodeURIComponent(source.toLowerCase())}`,
} as const;

/** External code systems used as they are published by HL7 and terminology owners. */
export const EXT = {
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  icd9cm: 'http://hl7.org/fhir/sid/icd-9-cm',
  loinc: 'http://loinc.org',
  snomed: 'http://snomed.info/sct',
  ucum: 'http://unitsofmeasure.org',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  actPriority: 'http://terminology.hl7.org/CodeSystem/v3-ActPriority',
  dataOperation: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
  diagnosisRole: 'http://terminology.hl7.org/CodeSystem/diagnosis-role',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  medicationRequestCategory: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category',
  provenanceParticipant: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  signatureType: 'urn:iso-astm:E1762-95:2013',
  coverageClass: 'http://terminology.hl7.org/CodeSystem/coverage-class',
  allergyClinical: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical',
  allergyVerification: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification',
  /** IPS codes for "no information" entries (absent-unknown-uv-ips). */
  ipsAbsentUnknown: 'http://hl7.org/fhir/uv/ips/CodeSystem/absent-unknown-uv-ips',
  listEmptyReason: 'http://terminology.hl7.org/CodeSystem/list-empty-reason',
} as const;

/** Extensions written by the mapping (their StructureDefinitions are not published yet: docs/fhir.md). */
export const EXTENSION = {
  /** Encounter: treatment outcome KET_QUA_DTRI (valueCodeableConcept, code system ket-qua-dtri). */
  treatmentOutcome: extensionUrl('ket-qua-dtri'),
} as const;
