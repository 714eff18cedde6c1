import { createHash } from 'node:crypto';
import { DomainError } from '@openhssk/core';

/**
 * The logical dump inside the encrypted gzip stream: UTF-8 lines. Control lines start with "@"
 * and hold JSON; every other line is one row as row_to_json text (always an object, so it starts
 * with "{", and row_to_json escapes newlines). Rows are never parsed in JavaScript: numbers such as
 * bigint ids and numeric amounts would lose precision, so the text goes back to the database as is.
 *
 *   @{"hssk_backup":1, …header}
 *   @{"table":"admin_unit"}
 *   {"code":"51",…}
 *   @{"end":"admin_unit","rows":3,"checksum":"…"}
 *   …
 *   @{"end_of_backup":true}
 */

export const FORMAT_VERSION = 1;

export interface BackupHeader {
  hssk_backup: typeof FORMAT_VERSION;
  created_at: string;
  source: { kind: 'pglite' | 'postgres'; server_version: string };
  /** schema_migration names of the source, in name order (the rows themselves are in the dump). */
  schema_migrations: string[];
  /** Tables in dump order (parents before children), with their columns and row counts. */
  tables: Array<{ name: string; rows: number; columns: Array<{ name: string; type: string; json: boolean }> }>;
  /** last_value as text (int8 does not fit a double in general) and is_called. */
  sequences: Array<{ name: string; last_value: string; is_called: boolean }>;
}

export type ControlLine =
  | { table: string }
  | { end: string; rows: number; checksum: string }
  | { end_of_backup: true };

export const damagedContent = (what: string) =>
  new DomainError(
    'unprocessable',
    'BACKUP_CONTENT_INVALID',
    `Nội dung tệp sao lưu không đúng định dạng (${what}).`,
    `The backup content is not in the expected format (${what}).`,
  );

/**
 * An order-independent digest of a table's rows: the sum of SHA-256 of every row text modulo 2^256.
 * Order-independent because PGlite and PostgreSQL may sort text keys under different collations;
 * a sum (not XOR) so that two equal rows do not cancel out.
 */
export class RowDigest {
  private acc = 0n;
  count = 0;
  private static readonly MASK = (1n << 256n) - 1n;
  add(row: string): void {
    this.acc = (this.acc + BigInt(`0x${createHash('sha256').update(row, 'utf8').digest('hex')}`)) & RowDigest.MASK;
    this.count++;
  }
  hex(): string {
    return this.acc.toString(16).padStart(64, '0');
  }
}

export function parseHeader(line: string | undefined): BackupHeader {
  if (!line?.startsWith('@')) throw damagedContent('header');
  let h: BackupHeader;
  try {
    h = JSON.parse(line.slice(1)) as BackupHeader;
  } catch {
    throw damagedContent('header');
  }
  if (typeof h?.hssk_backup === 'number' && h.hssk_backup > FORMAT_VERSION) {
    throw new DomainError(
      'unprocessable',
      'BACKUP_FORMAT_NEWER',
      `Tệp sao lưu có định dạng phiên bản ${h.hssk_backup}, mới hơn phiên bản chương trình này đọc được (${FORMAT_VERSION}); hãy dùng bản OpenHSSK mới hơn.`,
      `The backup has format version ${h.hssk_backup}, newer than this program reads (${FORMAT_VERSION}); use a newer OpenHSSK.`,
    );
  }
  const ok =
    h?.hssk_backup === FORMAT_VERSION &&
    Array.isArray(h.schema_migrations) && h.schema_migrations.every((m) => typeof m === 'string') &&
    Array.isArray(h.tables) &&
    h.tables.every((t) => typeof t?.name === 'string' && Number.isInteger(t.rows) && Array.isArray(t.columns) && t.columns.every((c) => typeof c?.name === 'string' && typeof c.type === 'string' && typeof c.json === 'boolean')) &&
    Array.isArray(h.sequences) &&
    h.sequences.every((s) => typeof s?.name === 'string' && /^-?\d+$/.test(s.last_value) && typeof s.is_called === 'boolean');
  if (!ok) throw damagedContent('header');
  return h;
}

export function parseControl(line: string): ControlLine {
  try {
    const c = JSON.parse(line.slice(1)) as ControlLine;
    if ('table' in c && typeof c.table === 'string') return c;
    if ('end' in c && typeof c.end === 'string' && Number.isInteger(c.rows) && typeof c.checksum === 'string') return c;
    if ('end_of_backup' in c && c.end_of_backup === true) return c;
  } catch {
    // reported below
  }
  throw damagedContent('control line');
}

/** Longest line accepted (one row); a JavaScript string cannot be much longer anyway. */
const MAX_LINE_BYTES = 512 * 1024 * 1024;

/** Splits a byte stream into UTF-8 lines, decoding each only once it is complete. */
export async function* lines(source: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let partBytes = 0;
  for await (const chunk of source) {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const line = parts.length ? Buffer.concat([...parts, piece]).toString('utf8') : piece.toString('utf8');
      parts = [];
      partBytes = 0;
      start = nl + 1;
      yield line;
    }
    if (start < chunk.length) {
      parts.push(chunk.subarray(start));
      partBytes += chunk.length - start;
      if (partBytes > MAX_LINE_BYTES) throw damagedContent('line too long');
    }
  }
  if (partBytes > 0) throw damagedContent('unterminated last line');
}
