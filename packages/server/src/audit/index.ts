export { ACCESS_ACTIONS, type AccessLogEntry, type AccessLogPage, type AccessLogQuery, EMERGENCY_ACCESS, personAccessLog, ROLE_WORDS } from './access-log.ts';
export { type Actor, type AuditEntry, audit, auditMany } from './audit.ts';
export { runAuditCli } from './cli.ts';
export {
  type ChainBreak,
  type ChainProblem,
  type ChainRow,
  canonicalText,
  GENESIS_HASH,
  rowHash,
  type VerifyOptions,
  type VerifyResult,
  verifyAuditChain,
} from './verify.ts';
