export {
  CODE_SYSTEM_VERSION,
  codeSystemById,
  codeSystemOf,
  codeSystemResource,
  codeSystemResources,
  VN_CODE_SYSTEMS,
  type VnCodeSystemDef,
  valueSetResource,
  valueSetResources,
  vnCoding,
  vnDisplay,
} from './codesystems.ts';
export {
  conditionResource,
  documentId,
  documentResource,
  encounterResource,
  episodeDiagnoses,
  episodeTargets,
  icd10Concept,
  parseDocumentId,
  provenanceResource,
} from './episode.ts';
export {
  childId,
  type EpisodeRecord,
  type FacilityRecord,
  INPATIENT_CARE_TYPES,
  type PersonRecord,
  licenceOfPractitionerId,
  parseChildId,
  practitionerId,
  type RowRecord,
  SENSITIVE_VISIT_CATEGORIES,
} from './model.ts';
export { coverageResource, organizationResource, patientResource, vietnameseName } from './person.ts';
export { appointmentResource, isProcedureRow, medicationRequestResource, observationResource, procedureResource, rowResourceType, serviceRequestResource } from './rows.ts';
export { CANONICAL_BASE, codeSystemUrl, EXT, EXTENSION, extensionUrl, SID, valueSetUrl } from './systems.ts';
export { birthDateToFhir, instantToFhir, sqlTimeToFhir, xmlDateToFhir, xmlTimeToFhir } from './time.ts';
export { type AllergyDeclarationRecord, allergyIntoleranceResource, type DoseRecord, immunizationResource, STATION_SOURCE } from './registry.ts';
export {
  IPS_DOCUMENT,
  IPS_SECTIONS,
  type IpsSectionKey,
  type PatientSummaryInput,
  patientSummaryBundle,
  SUMMARY_AUTHOR,
  SUMMARY_WINDOWS,
  selectMedications,
  selectProblems,
  selectResults,
  viDate,
} from './summary.ts';
export { DISPENSING_CARE_TYPES, isDispensedRow, medicationDispenseResource, NOT_DISPENSED_GROUPS } from './dispense.ts';
export { diagnosticReportResource, orderRowOf, parseReportId, reportGroupOf, reportGroups, reportId } from './report.ts';
export { practitionerResource } from './practitioner.ts';
export { type ConsentKind, type ConsentRecord, consentId, consentResource, parseConsentId } from './consent.ts';
export { type AuditRecord, auditEventResource } from './audit-event.ts';
export {
  BP_DIASTOLIC, BP_PANEL, BP_SYSTOLIC, parseVitalId, type ReceivedProvenanceInput, receivedProvenance, VITAL_CODES, type VitalCode, type VitalSignRecord, vitalId,
  vitalSignResource,
} from './received.ts';
