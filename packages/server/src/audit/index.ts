export { type Actor, type AuditEntry, audit } from './audit.ts';
