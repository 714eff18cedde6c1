export { registerFacilityAdminRoutes } from './admin-routes.ts';
export { addCertificate, checkCredential, createFacility, getFacility, issueCredential, type NewFacility, type TrustedCert, trustedCertificates } from './registry.ts';
export { registerFacilityRoutes } from './routes.ts';
