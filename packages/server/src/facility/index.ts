export { registerFacilityAdminRoutes } from './admin-routes.ts';
export {
  type AddCertificateOptions,
  addCertificate,
  type CertificateRecord,
  type CertificateStatus,
  checkSigningCertificate,
  OPERATOR,
  revokeCertificate,
  signingCandidates,
  type TrustedCert,
  trustedCertificates,
} from './certificates.ts';
export { BADGE_LABEL_VI, type ChecklistItem, onboardingChecklist } from './onboarding.ts';
export { checkCredential, createFacility, getFacility, issueCredential, type NewFacility } from './registry.ts';
export { registerFacilityRoutes } from './routes.ts';
export { loadTrustAnchors } from './trust-anchors.ts';
