import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import type { JSONWebKeySet } from 'jose';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { verifyCertificate } from './certificate.ts';
import { ImmImportError, type ImmImportResult, importImmunizationFile, parseImmMapping } from './import.ts';
import { loadCertificateKeys, rotateCertificateKey } from './keys.ts';

function printImport(r: ImmImportResult, seconds: number) {
  if (r.alreadyImported) {
    console.log(`Tệp ${r.fileName} đã được nhập trước đó (lần nhập #${r.importId}); không ghi gì thêm. / Already imported (import #${r.importId}); nothing written.`);
  }
  console.log(`Nguồn / source: ${r.sourceSystem}`);
  console.log(`Số dòng / rows: ${r.rows}`);
  console.log(`Hợp lệ / accepted: ${r.accepted} (mới / new ${r.inserted}, cập nhật / updated ${r.updated}, không đổi / unchanged ${r.unchanged})`);
  console.log(`Bị loại / rejected: ${r.rejected}`);
  console.log(`Mũi tiêm trùng (cùng người, cùng kháng nguyên, ±1 ngày) / duplicate doses linked: ${r.duplicates}`);
  console.log(`Người được tiêm / persons: ghép với người đã có / joined ${r.persons.joined}, người mới / new ${r.persons.new}, đã liên kết / already linked ${r.persons.kept}`);
  console.log(`Cảnh báo / warnings: ${r.warnings}`);
  for (const i of r.errors) console.log(`  ${r.fileName}:${i.line} ${i.field} ${i.message_vi} / ${i.message_en}`);
  if (r.rejected > r.errors.length) console.log(`  … (xem bảng imm_import_issue, import_id = ${r.importId} / see imm_import_issue, import_id = ${r.importId})`);
  console.log(`Thời gian / seconds: ${seconds.toFixed(1)}`);
}

/** What `hssk immunization verify` was given: a file holding the certificate, or the certificate (or its link) itself. */
function certificateArg(arg: string): string {
  if (arg === '-') return readFileSync(0, 'utf8');
  if (existsSync(arg) && statSync(arg).isFile()) return readFileSync(arg, 'utf8');
  return arg;
}

/**
 * `hssk immunization …`. `withDb` opens (and migrates) the database only for the commands that need
 * it: verifying with a saved key set (`--jwks`) touches nothing but the file. Returns the exit code.
 */
export async function runImmunization(
  sub: string | undefined,
  args: string[],
  withDb: <T>(fn: (db: Db) => Promise<T>) => Promise<T>,
  config: Pick<Config, 'keysDir' | 'kek'>,
): Promise<number> {
  if (sub === 'import') {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { source: { type: 'string' }, map: { type: 'string' } } });
    const file = positionals[0];
    if (!file) throw new ImmImportError('FILE_REQUIRED', 'Cần chỉ ra tệp cần nhập: hssk immunization import <tệp>.', 'A file is required: hssk immunization import <file>.');
    try {
      accessSync(file, constants.R_OK);
    } catch {
      throw new ImmImportError('FILE_UNREADABLE', `Không đọc được tệp "${file}".`, `Cannot read file "${file}".`);
    }
    const mapping = values.map ? parseImmMapping(values.map) : undefined;
    const bar = new cliProgress.SingleBar({ format: '{bar} {percentage}% | {rows} dòng/rows', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
    let started = false;
    const t0 = performance.now();
    const r = await withDb((db) =>
      importImmunizationFile(db, file, {
        sourceSystem: values.source,
        mapping,
        onProgress: (p) => {
          if (!process.stderr.isTTY) return;
          if (!started) {
            bar.start(Math.max(1, p.totalBytes), 0, { rows: 0 });
            started = true;
          }
          bar.update(Math.min(p.bytesRead, p.totalBytes), { rows: p.rows });
        },
      }).finally(() => {
        if (started) bar.stop();
      }),
    );
    printImport(r, (performance.now() - t0) / 1000);
    return 0;
  }
  if (sub === 'verify') {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { jwks: { type: 'string' } } });
    if (!positionals[0]) {
      throw new ImmImportError('CERTIFICATE_REQUIRED', 'Cần mã giấy chứng nhận, đường dẫn kiểm tra hoặc tệp chứa chúng.', 'Give the certificate, its verification link or a file holding either.');
    }
    const input = certificateArg(positionals[0]);
    // Offline: a saved copy of /.well-known/jwks.json, or the key store this server uses.
    const jwks: JSONWebKeySet = values.jwks
      ? (JSON.parse(readFileSync(values.jwks, 'utf8')) as JSONWebKeySet)
      : await withDb(async (db) => (await loadCertificateKeys(db, config)).jwks);
    const r = await verifyCertificate(input, jwks);
    if (!r.valid) {
      console.log(`KHÔNG HỢP LỆ / NOT VALID [${r.code}]: ${r.message_vi} / ${r.message_en}`);
      return 1;
    }
    console.log(`HỢP LỆ / VALID — ký bởi / signed by ${r.issuer}, khóa / key ${r.kid}, cấp lúc / issued ${r.issued_at}`);
    console.log(`Họ tên / name: ${r.holder.name}; ngày sinh / born: ${r.holder.birth_date}`);
    for (const d of r.doses) {
      console.log(`  ${d.date}  ${d.antigens.map((a) => a.name_vi).join(', ')}${d.dose_no ? ` — mũi ${d.dose_no}` : ''}${d.facility_code ? ` — ${d.facility_code}` : ''}`);
    }
    return 0;
  }
  if (sub === 'rotate-key') {
    const r = await withDb((db) => rotateCertificateKey(db, config));
    console.log(`Khóa ký mới / new signing key ${r.kid}; ${r.published} khóa được công bố / keys published. Khởi động lại máy chủ / restart the servers.`);
    return 0;
  }
  throw new ImmImportError(
    'IMMUNIZATION_COMMAND',
    `Lệnh immunization không rõ: ${sub ?? ''} (import | verify | rotate-key).`,
    `Unknown immunization command: ${sub ?? ''} (import | verify | rotate-key).`,
  );
}
