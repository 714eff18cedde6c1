/**
 * Immunization registry (issue 16): doses imported from immunization-system exports and recorded at
 * commune stations (owner of `vaccination` and the imm_* tables, migrations 006 and 023), the
 * schedule per person and per commune through the core engine, verifiable certificates, and the
 * book's immunization section. See docs/architecture.md ("Immunization").
 */
export { type BookAccess, type BookSubjectRef, registerBookImmunizationRoutes } from './book-routes.ts';
export { type CertificatePayload, signCertificate, type VerifyResult, verifyCertificate } from './certificate.ts';
export { runImmunization } from './cli.ts';
export { coverageReport, markCoverageDirty, rebuildCommuneCoverage, refreshCoverage } from './coverage.ts';
export { checkDueDay, type DueQuery, type DueRow, dueList, duePersons, dueRowsOf, refreshDue } from './due.ts';
export { dueFollower } from './due-follower.ts';
export { evaluatePerson, nextDueOf, realDoses, vaccinationBook } from './history.ts';
export {
  DEFAULT_SOURCE, ImmImportError, type ImmImportOptions, type ImmImportResult, importImmunizationFile, parseImmMapping,
} from './import.ts';
export { type CertificateKeys, loadCertificateKeys, rotateCertificateKey } from './keys.ts';
export { type CommunePlan, type ListedPerson, type PlannedPerson, planCommune, planningBands, withDetails } from './planning.ts';
export { registerImmunizationRoutes } from './routes.ts';
export { recordBatch, recordDose, type StationContext } from './station.ts';
export { type DoseRow, doseOwners, dosesOf, engineDosesOf, moveVaccinationRows, type PurgeScope, purgeImmunizationRows, returnVaccinationRows } from './store.ts';
export { fhirSource, type ReceivedDose, type ReceiveResult, receiveDose, receivedDoseId } from './receive.ts';
