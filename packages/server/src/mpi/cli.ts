import { accessSync, constants } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { Db } from '../db/index.ts';
import { exportLinks } from './export.ts';
import type { ImportResult } from './import.ts';
import { importFile, MpiImportError, parseMapping } from './import.ts';
import type { RelinkStats } from './link.ts';
import { relinkAll } from './link.ts';

function printImport(r: ImportResult) {
  if (r.alreadyImported) {
    console.log(`Tệp ${r.fileName} đã được nhập trước đó (lần nhập #${r.importId}); không ghi gì thêm. / Already imported (import #${r.importId}); nothing written.`);
  }
  console.log(`Số dòng / rows: ${r.rows}`);
  console.log(`Hợp lệ / accepted: ${r.accepted}`);
  if (r.held > 0) {
    console.log(`  trong đó không ghép được vì thiếu họ tên/ngày sinh / of which unmatchable (no usable name or birth date): ${r.held}`);
  }
  console.log(`Bị loại / rejected: ${r.rejected}`);
  console.log(`Cảnh báo / warnings: ${r.warnings}`);
  for (const i of r.errors) console.log(`  ${r.fileName}:${i.line} ${i.field} ${i.message_vi} / ${i.message_en}`);
  if (r.rejected + r.held > r.errors.length) {
    console.log(`  … (xem bảng mpi_import_issue, import_id = ${r.importId} / see mpi_import_issue, import_id = ${r.importId})`);
  }
}

function printLink(s: RelinkStats) {
  console.log(`Bản ghi liên kết / records linked: ${s.records}${s.unlinkable ? ` (+${s.unlinkable} không liên kết được / unlinkable)` : ''}`);
  console.log(`Số người / persons: ${s.persons}`);
  console.log(`Liên kết tự động / auto-links: ${s.autoLinks}`);
  console.log(`Cặp cần xem xét / reviews: ${s.reviews}${s.withdrawnReviews ? ` (rút khỏi hàng chờ / withdrawn: ${s.withdrawnReviews})` : ''}`);
  if (s.families.added + s.families.removed + s.families.changed > 0) {
    console.log(`Quan hệ cha mẹ – con theo hộ / parent–child relations from households: +${s.families.added} −${s.families.removed} ~${s.families.changed}`);
  }
  if (s.sharedIdPersons) console.log(`Người có số định danh trùng với người khác / persons sharing an id number: ${s.sharedIdPersons}`);
  console.log(`Thời gian / seconds: ${s.seconds.toFixed(1)}`);
}

/** `hssk mpi …`; errors propagate so the caller exits non-zero. */
export async function runMpi(db: Db, sub: string | undefined, args: string[]): Promise<void> {
  const started = performance.now();
  if (sub === 'import') {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { source: { type: 'string' }, map: { type: 'string' }, 'no-link': { type: 'boolean' } },
    });
    const file = positionals[0];
    if (!file) throw new MpiImportError('FILE_REQUIRED', 'Cần chỉ ra tệp cần nhập: hssk mpi import <tệp>.', 'A file is required: hssk mpi import <file>.');
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new MpiImportError('FILE_UNREADABLE', `Không đọc được tệp "${file}".`, `Cannot read file "${file}".`);
    }
    const bar = new cliProgress.SingleBar(
      { format: '{bar} {percentage}% | {rows} dòng/rows', stream: process.stderr, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    let barStarted = false;
    const result = await importFile(db, file, {
      sourceSystem: values.source,
      mapping: values.map ? parseMapping(values.map) : undefined,
      onProgress: (p) => {
        if (!process.stderr.isTTY) return;
        if (!barStarted) {
          bar.start(Math.max(1, p.totalBytes), 0, { rows: 0 });
          barStarted = true;
        }
        bar.update(Math.min(p.bytesRead, p.totalBytes), { rows: p.rows });
      },
    }).finally(() => {
      if (barStarted) bar.stop();
    });
    printImport(result);
    if (!values['no-link']) printLink(await relinkAll(db));
    console.log(`Tổng thời gian / total seconds: ${((performance.now() - started) / 1000).toFixed(1)}`);
    return;
  }
  if (sub === 'link') {
    printLink(await relinkAll(db));
    return;
  }
  if (sub === 'export') {
    const { values } = parseArgs({ args, options: { out: { type: 'string' } } });
    if (!values.out) throw new MpiImportError('OUT_REQUIRED', 'Cần --out <tệp.csv>.', '--out <file.csv> is required.');
    const { rows } = await exportLinks(db, values.out);
    console.log(`Đã ghi ${rows} dòng vào ${values.out} / wrote ${rows} rows to ${values.out}`);
    return;
  }
  throw new MpiImportError('MPI_COMMAND', `Lệnh mpi không rõ: ${sub ?? ''} (import | link | export).`, `Unknown mpi command: ${sub ?? ''} (import | link | export).`);
}
