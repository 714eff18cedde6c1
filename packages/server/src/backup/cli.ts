import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DomainError } from '@openhssk/core';
import { sql } from 'kysely';
import { loadConfig } from '../config.ts';
import { type DatabaseHandle, openDatabase } from '../db/index.ts';
import { backupDatabase } from './dump.ts';
import { readPassphrase } from './passphrase.ts';
import { restoreDatabase, verifyBackupFile } from './restore.ts';

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const say = (m: string) => console.error(m);

/** The database the other commands use: DATABASE_URL, else PGlite in HSSK_DATA_DIR. */
async function openConfigured(mustExist: boolean): Promise<DatabaseHandle> {
  const config = loadConfig();
  const dataDir = `${config.dataDir}/pglite`;
  // Opening a missing PGlite folder would create an empty database and back up nothing.
  if (!config.databaseUrl && mustExist && !existsSync(dataDir)) {
    throw new DomainError(
      'not_found',
      'BACKUP_SOURCE_MISSING',
      `Không có cơ sở dữ liệu PGlite tại "${dataDir}" (kiểm tra HSSK_DATA_DIR hoặc DATABASE_URL).`,
      `No PGlite database at "${dataDir}" (check HSSK_DATA_DIR or DATABASE_URL).`,
    );
  }
  return openDatabase({ url: config.databaseUrl, dataDir, poolSize: 2 });
}

/** `hssk backup --out FILE [--passphrase-file F]` and `hssk restore FILE [--passphrase-file F] [--verify-only]`. */
export async function runBackupCommand(cmd: 'backup' | 'restore', args: string[]): Promise<void> {
  if (cmd === 'backup') {
    const { values } = parseArgs({ args, options: { out: { type: 'string' }, 'passphrase-file': { type: 'string' } } });
    if (!values.out) throw new DomainError('invalid', 'BACKUP_OUT_REQUIRED', 'Cần --out TỆP: nơi ghi bản sao lưu.', '--out FILE is required: where to write the backup.');
    const passphrase = await readPassphrase({ file: values['passphrase-file'], confirm: true });
    const h = await openConfigured(true);
    try {
      const hasSchema = (await sql<{ t: string | null }>`select to_regclass('schema_migration')::text as t`.execute(h.db)).rows[0]?.t;
      if (!hasSchema) {
        throw new DomainError(
          'not_found',
          'BACKUP_SOURCE_EMPTY',
          'Cơ sở dữ liệu nguồn chưa có lược đồ OpenHSSK (chưa từng chạy migrate); kiểm tra DATABASE_URL / HSSK_DATA_DIR.',
          'The source database has no OpenHSSK schema (never migrated); check DATABASE_URL / HSSK_DATA_DIR.',
        );
      }
      const s = await backupDatabase(h, values.out, passphrase, { log: say });
      const rows = s.header.tables.reduce((n, t) => n + t.rows, 0);
      console.log(
        `Đã sao lưu / backed up: ${s.file}\n` +
          `  ${s.header.tables.length} bảng / tables, ${rows} dòng / rows, ${s.header.schema_migrations.length} migrations (${s.header.source.kind})\n` +
          `  ${mb(s.bytes)}, ${s.seconds.toFixed(1)} s`,
      );
    } finally {
      await h.close();
    }
    return;
  }
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { 'passphrase-file': { type: 'string' }, 'verify-only': { type: 'boolean' } },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) throw new DomainError('invalid', 'RESTORE_FILE_REQUIRED', 'Cách dùng: hssk restore TỆP [--passphrase-file F] [--verify-only]', 'Usage: hssk restore FILE [--passphrase-file F] [--verify-only]');
  if (!existsSync(file)) throw new DomainError('not_found', 'RESTORE_FILE_MISSING', `Không có tệp "${file}".`, `No file "${file}".`);
  const passphrase = await readPassphrase({ file: values['passphrase-file'] });
  if (values['verify-only']) {
    const v = await verifyBackupFile(file, passphrase);
    console.log(
      `Tệp sao lưu hợp lệ / backup verified: ${file}\n` +
        `  tạo lúc / created ${v.header.created_at} (${v.header.source.kind} ${v.header.source.server_version})\n` +
        `  ${v.header.tables.length} bảng / tables, ${v.rows} dòng / rows, migration cuối / last migration ${v.header.schema_migrations.at(-1) ?? '—'}\n` +
        `  ${v.seconds.toFixed(1)} s`,
    );
    return;
  }
  const h = await openConfigured(false);
  try {
    const r = await restoreDatabase(h, file, passphrase, { log: say });
    console.log(
      `Đã khôi phục và kiểm tra / restored and verified: ${file} → ${h.kind}\n` +
        `  ${r.header.tables.length} bảng / tables, ${r.rows} dòng / rows, bản sao lưu lúc / backup of ${r.header.created_at}\n` +
        (r.upgradedWith.length ? `  migration mới hơn đã chạy / newer migrations applied: ${r.upgradedWith.join(', ')}\n` : '') +
        `  ${r.seconds.toFixed(1)} s`,
    );
  } finally {
    await h.close();
  }
}
