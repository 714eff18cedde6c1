import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { DomainError } from '@openhssk/core';
import { type Kysely, sql } from 'kysely';
import type { DatabaseHandle } from '../db/index.ts';
import { type Catalog, insertOrder, quoteIdent, readCatalog, rowJsonQuery, setDumpSettings } from './catalog.ts';
import { DEFAULT_KDF, encryptingStream } from './crypto.ts';
import { type BackupHeader, FORMAT_VERSION, RowDigest } from './format.ts';

/** Rows fetched per round trip aim at this many bytes: a page of small rows is large, a raw envelope alone. */
const PAGE_TARGET_BYTES = 4 * 1024 * 1024;
const PAGE_MAX_ROWS = 5000;
/** A passphrase shorter than this is refused for new backups (it protects every health record). */
export const MIN_PASSPHRASE_LENGTH = 12;

export interface BackupOptions {
  log?: (message: string) => void;
  /** scrypt cost; tests lower it, production keeps the default. */
  kdf?: { N: number; r: number; p: number };
}

export interface BackupSummary {
  file: string;
  bytes: number;
  seconds: number;
  header: BackupHeader;
}

// biome-ignore lint/suspicious/noExplicitAny: the dump reads every table, also ones Schema does not type
type AnyDb = Kysely<any>;

/**
 * Writes one encrypted file holding every table of the database, read in a single repeatable-read,
 * read-only transaction (a consistent snapshot, also while PostgreSQL serves requests). Rows are
 * fetched through a cursor in pages bounded by bytes and streamed through gzip and the encryption,
 * so memory stays bounded whatever the size of the database. The file appears under its name only
 * when complete (written beside it, synced, then renamed).
 */
export async function backupDatabase(handle: DatabaseHandle, out: string, passphrase: string, options: BackupOptions = {}): Promise<BackupSummary> {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new DomainError(
      'invalid',
      'BACKUP_PASSPHRASE_WEAK',
      `Mật khẩu sao lưu phải có ít nhất ${MIN_PASSPHRASE_LENGTH} ký tự.`,
      `The backup passphrase must have at least ${MIN_PASSPHRASE_LENGTH} characters.`,
    );
  }
  if (existsSync(out)) {
    throw new DomainError(
      'conflict',
      'BACKUP_OUT_EXISTS',
      `Tệp "${out}" đã tồn tại; không ghi đè lên bản sao lưu có sẵn. Hãy chọn tên khác.`,
      `"${out}" already exists; an existing backup is never overwritten. Choose another name.`,
    );
  }
  const log = options.log ?? (() => {});
  const started = performance.now();
  const partial = `${out}.partial-${randomBytes(4).toString('hex')}`;
  const encrypt = await encryptingStream(passphrase, options.kdf ?? DEFAULT_KDF);
  let header: BackupHeader | undefined;
  try {
    await handle.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        await sql`set transaction read only`.execute(trx);
        await setDumpSettings(trx);
        const catalog = await readCatalog(trx);
        header = await readHeader(trx, handle.kind, catalog);
        const h = header;
        await pipeline(
          dumpLines(trx, catalog, h, log),
          createGzip({ level: 6 }),
          encrypt,
          createWriteStream(partial, { flags: 'wx', mode: 0o600 }),
        );
      });
    const fh = await open(partial, 'r');
    await fh.sync();
    await fh.close();
    if (existsSync(out)) throw new Error(`${out} appeared while the backup was written`);
    await rename(partial, out);
    const dir = await open(dirname(out), 'r');
    await dir.sync().catch(() => {});
    await dir.close();
  } catch (e) {
    await unlink(partial).catch(() => {});
    throw e;
  }
  return { file: out, bytes: (await stat(out)).size, seconds: (performance.now() - started) / 1000, header: header! };
}

async function readHeader(trx: AnyDb, kind: DatabaseHandle['kind'], catalog: Catalog): Promise<BackupHeader> {
  const order = insertOrder(catalog);
  const byName = new Map(catalog.tables.map((t) => [t.name, t]));
  const tables: BackupHeader['tables'] = [];
  for (const name of order) {
    const t = byName.get(name)!;
    // Counted in the same snapshot as the rows, so the header is exact.
    const { rows } = await sql<{ n: string }>`select count(*)::text as n from only ${sql.raw(quoteIdent(name))}`.execute(trx);
    tables.push({ name, rows: Number(rows[0]!.n), columns: t.columns });
  }
  const sequences: BackupHeader['sequences'] = [];
  for (const name of catalog.sequences) {
    // Sequences are not transactional: read after the snapshot began, they are at least as far as any
    // id in it, which is what a restore needs.
    const { rows } = await sql<{ last_value: string; is_called: boolean }>`select last_value::text as last_value, is_called from ${sql.raw(quoteIdent(name))}`.execute(trx);
    sequences.push({ name, last_value: rows[0]!.last_value, is_called: rows[0]!.is_called });
  }
  const migrations = byName.has('schema_migration')
    ? (await sql<{ name: string }>`select name from schema_migration order by name`.execute(trx)).rows.map((r) => r.name)
    : [];
  const version = (await sql<{ v: string }>`select current_setting('server_version') as v`.execute(trx)).rows[0]!.v;
  return {
    hssk_backup: FORMAT_VERSION,
    created_at: new Date().toISOString(),
    source: { kind, server_version: version },
    schema_migrations: migrations,
    tables,
    sequences,
  };
}

async function* dumpLines(trx: AnyDb, catalog: Catalog, header: BackupHeader, log: (m: string) => void): AsyncGenerator<string> {
  yield `@${JSON.stringify(header)}\n`;
  const byName = new Map(catalog.tables.map((t) => [t.name, t]));
  for (const entry of header.tables) {
    const table = byName.get(entry.name)!;
    const digest = new RowDigest();
    yield `@${JSON.stringify({ table: entry.name })}\n`;
    for await (const page of readRows(trx, rowJsonQuery(table, table.columns, true))) {
      for (const row of page) digest.add(row);
      yield `${page.join('\n')}\n`;
    }
    if (digest.count !== entry.rows) throw new Error(`${entry.name}: counted ${entry.rows} rows but read ${digest.count}`);
    yield `@${JSON.stringify({ end: entry.name, rows: digest.count, checksum: digest.hex() })}\n`;
    if (entry.rows > 0) log(`${entry.name}: ${entry.rows} rows`);
  }
  yield `@${JSON.stringify({ end_of_backup: true })}\n`;
}

/**
 * Pages of row texts through a cursor in the current transaction. The page size adapts to the row
 * size: it starts at one row (a table may hold 64 MB envelopes) and grows towards PAGE_TARGET_BYTES.
 */
export async function* readRows(trx: AnyDb, query: string): AsyncGenerator<string[]> {
  const cursor = `hssk_backup_${randomBytes(4).toString('hex')}`;
  await sql`${sql.raw(`declare ${cursor} no scroll cursor for ${query}`)}`.execute(trx);
  try {
    let size = 1;
    for (;;) {
      const { rows } = await sql<{ j: string }>`${sql.raw(`fetch forward ${size} from ${cursor}`)}`.execute(trx);
      if (!rows.length) break;
      const page = rows.map((r) => r.j);
      yield page;
      if (rows.length < size) break;
      const bytes = page.reduce((n, r) => n + r.length, 0);
      size = Math.max(1, Math.min(PAGE_MAX_ROWS, Math.floor((PAGE_TARGET_BYTES * page.length) / Math.max(1, bytes))));
    }
  } finally {
    // After a failed statement the transaction is aborted and close fails too; the first error is the one to report.
    await sql`${sql.raw(`close ${cursor}`)}`.execute(trx).catch(() => {});
  }
}
