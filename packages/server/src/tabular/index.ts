import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { pipeline, Transform } from 'node:stream';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import Papa from 'papaparse';
import type { Db } from '../db/index.ts';

/**
 * Rows of the list files officers bring (population lists, immunization-system exports): CSV in
 * UTF-8 or UTF-16, with or without BOM, comma, semicolon, tab or bar; or XLSX (first sheet).
 * Streamed, so a file of a million rows never sits in memory.
 */

export interface RawRow {
  /** Row number in the file as a spreadsheet shows it (header = 1). */
  line: number;
  cells: string[];
}

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

function head(path: string, bytes: number): Buffer {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(bytes);
  try {
    const n = readSync(fd, buf, 0, bytes, 0);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

function sniff(path: string): { encoding: Encoding; delimiter: string } {
  const b = head(path, 64 * 1024);
  const n = b.length;
  let encoding: Encoding = 'utf-8';
  if (b[0] === 0xff && b[1] === 0xfe) encoding = 'utf-16le';
  else if (b[0] === 0xfe && b[1] === 0xff) encoding = 'utf-16be';
  // Excel's "Unicode text" may come without BOM: zero bytes at every other position give it away.
  else if (n >= 4 && b[0] !== 0 && b[1] === 0 && b[3] === 0) encoding = 'utf-16le';
  else if (n >= 4 && b[0] === 0 && b[2] === 0 && b[1] !== 0) encoding = 'utf-16be';
  const firstLine = new TextDecoder(encoding).decode(b).split(/\r?\n/, 1)[0] ?? '';
  // Counted outside quotes: a quoted header like "Họ, tên" must not vote for comma.
  const counts: Record<string, number> = { ',': 0, ';': 0, '\t': 0, '|': 0 };
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && ch in counts) counts[ch] = (counts[ch] ?? 0) + 1;
  }
  let delimiter = ',';
  for (const d of [';', '\t', '|']) if ((counts[d] ?? 0) > (counts[delimiter] ?? 0)) delimiter = d;
  return { encoding, delimiter };
}

async function* csvRows(path: string, onBytes: (n: number) => void): AsyncGenerator<RawRow> {
  const { encoding, delimiter } = sniff(path);
  const decoder = new TextDecoder(encoding);
  // Whole decoded strings go on, so Papa never sees a multi-byte character cut in half.
  const decode = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onBytes(chunk.length);
      cb(null, decoder.decode(chunk, { stream: true }));
    },
    flush(cb) {
      cb(null, decoder.decode());
    },
  });
  const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { delimiter, header: false, skipEmptyLines: false });
  pipeline(createReadStream(path), decode, parser, () => {});
  let line = 0;
  for await (const cells of parser as AsyncIterable<string[]>) {
    line++;
    yield { line, cells };
  }
}

function cellText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (v instanceof Date) {
    // Excel stores dates as wall-clock days; exceljs exposes them as UTC midnight.
    return v.toISOString().slice(0, 10);
  }
  if (typeof v === 'object') {
    const o = v as { richText?: Array<{ text: string }>; text?: unknown; result?: unknown };
    if (Array.isArray(o.richText)) return o.richText.map((r) => r.text).join('');
    if (o.text !== undefined) return cellText(o.text);
    if (o.result !== undefined) return cellText(o.result);
    return '';
  }
  return String(v);
}

async function* xlsxRows(path: string, onBytes: (n: number) => void): AsyncGenerator<RawRow> {
  const input = createReadStream(path);
  input.on('data', (c) => onBytes(c.length));
  // Styles are needed: without them exceljs cannot tell a date cell from a number.
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, { worksheets: 'emit', sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', entries: 'ignore' });
  for await (const sheet of reader) {
    for await (const row of sheet) {
      const values = row.values as unknown[];
      const cells: string[] = [];
      for (let i = 1; i < values.length; i++) cells.push(cellText(values[i]));
      yield { line: row.number, cells };
    }
    // Only the first sheet is the list; others (notes, lookups) are ignored on purpose.
    break;
  }
}

/** A ZIP container is a workbook whatever its extension (".csv" files saved as XLSX happen). */
function isXlsx(path: string): boolean {
  const b = head(path, 4);
  return b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;
}

export function tableRows(path: string, onBytes: (n: number) => void): AsyncGenerator<RawRow> {
  return isXlsx(path) ? xlsxRows(path, onBytes) : csvRows(path, onBytes);
}

/** Content hash of a file, streamed (an import is recognised when the same file comes again). */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** An issue of an earlier import as stored in its issue table (mpi_import_issue, imm_import_issue). */
export interface StoredImportIssue {
  line: number;
  field: string;
  code: string;
  severity: 'error' | 'warning';
  message_vi: string;
  message_en: string;
}

export interface PriorImport {
  id: number;
  row_count: number;
  accepted: number;
  rejected: number;
  warnings: number;
  /** Its first error rows, by line. */
  errors: StoredImportIssue[];
}

/**
 * The finished import of the same file (content hash), source system and column mapping, if any:
 * list imports answer it again instead of reading the file twice. The run and issue tables belong
 * to the importing module and share this shape (migrations 007 and 023).
 */
export async function priorImport(
  db: Db,
  tables: { runs: 'mpi_import' | 'imm_import'; issues: 'mpi_import_issue' | 'imm_import_issue' },
  key: { sha256: string; sourceSystem: string | null; mappingJson: string },
  maxReported: number,
): Promise<PriorImport | undefined> {
  const previous = (
    await sql<Omit<PriorImport, 'errors'>>`
      select id, row_count, accepted, rejected, warnings from ${sql.table(tables.runs)}
       where file_sha256 = ${key.sha256} and status = 'done'
         and source_system is not distinct from ${key.sourceSystem} and mapping = ${key.mappingJson}::jsonb
       order by id limit 1`.execute(db)
  ).rows[0];
  if (!previous) return undefined;
  const errors = (
    await sql<StoredImportIssue>`
      select line, field, code, severity, message_vi, message_en from ${sql.table(tables.issues)}
       where import_id = ${previous.id} and severity = 'error'
       order by line, id limit ${maxReported}`.execute(db)
  ).rows;
  return { ...previous, id: Number(previous.id), errors };
}
