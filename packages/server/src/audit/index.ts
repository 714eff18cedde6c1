export { type Actor, type AuditEntry, audit } from './audit.ts';
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
