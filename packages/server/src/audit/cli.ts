import { parseArgs } from 'node:util';
import { DomainError } from '@openhssk/core';
import type { Db } from '../db/index.ts';
import { verifyAuditChain } from './verify.ts';

/**
 * `hssk audit …`. Returns the process exit code: 0 when the chain is whole, 1 at the first broken
 * link (so a cron job or monitoring check can alert on it).
 */
export async function runAuditCli(db: Db, sub: string | undefined, args: string[], print: (line: string) => void = console.log): Promise<number> {
  if (sub !== 'verify') {
    throw new DomainError('invalid', 'AUDIT_COMMAND', `Lệnh audit không rõ: ${sub ?? ''} (verify).`, `Unknown audit command: ${sub ?? ''} (verify).`);
  }
  const { values } = parseArgs({ args, options: { 'page-size': { type: 'string' } } });
  const pageSize = values['page-size'] === undefined ? undefined : Number(values['page-size']);
  if (pageSize !== undefined && (!Number.isInteger(pageSize) || pageSize < 1)) {
    throw new DomainError('invalid', 'PAGE_SIZE_INVALID', '--page-size phải là số nguyên dương.', '--page-size must be a positive integer.');
  }
  const r = await verifyAuditChain(db, { pageSize });
  for (const w of r.warnings) print(`Cảnh báo / warning: ${w}`);
  const rate = r.seconds > 0 ? ` (${Math.round(r.verified / r.seconds)}/s)` : '';
  print(`Đã kiểm tra / verified: ${r.verified} bản ghi / rows in ${r.seconds.toFixed(2)} s${rate}`);
  if (r.broken) {
    const b = r.broken;
    print(`CHUỖI NHẬT KÝ BỊ PHÁ VỠ / AUDIT CHAIN BROKEN at row ${b.id ?? '-'} (${b.problem})`);
    print(`  ${b.message_vi}`);
    print(`  ${b.message_en}`);
    print(`  expected ${b.expected}`);
    print(`  found    ${b.found}`);
    return 1;
  }
  print(`Chuỗi nhật ký nguyên vẹn đến bản ghi ${r.lastId ?? '-'}. / Audit chain intact up to row ${r.lastId ?? '-'}.`);
  // Kept outside the database by operations, the head lets a later run prove no rewrite of the whole tail.
  if (r.lastHash) print(`head ${r.lastId}:${r.lastHash}`);
  return 0;
}
