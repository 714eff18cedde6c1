import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { type BilingualMessage, cleanText } from '@openhssk/core';
import type { RecordIssue } from '@openhssk/core/mpi';
import { householdRelation, matchKeys, normalizeSourceRecord, SOURCE_COLUMNS } from '@openhssk/core/mpi';
import type { Db } from '../db/index.ts';
import { bulkInsert, writeBehind } from '../db/index.ts';
import { importSourceRecords } from '../person/index.ts';
import { priorImport, sha256File, tableRows } from '../tabular/index.ts';
import { mpiDb } from './tables.ts';

export type SourceColumn = (typeof SOURCE_COLUMNS)[number];
/** canonical column → header used in the file. */
export type ColumnMapping = Partial<Record<SourceColumn, string>>;

export interface ImportProgress {
  rows: number;
  bytesRead: number;
  totalBytes: number;
}

export interface ImportOptions {
  /** Fills source_system for rows (or files) that have none; a value in the row wins. */
  sourceSystem?: string | undefined;
  mapping?: ColumnMapping | undefined;
  /** Rows per database batch. */
  batchSize?: number | undefined;
  onProgress?: ((p: ImportProgress) => void) | undefined;
  /** How many error issues to return in the result (all are stored). */
  maxReportedIssues?: number | undefined;
}

/** A problem with one row of the file, kept in mpi_import_issue. */
export interface ImportIssue extends BilingualMessage {
  /** Row number in the file as a spreadsheet shows it (header = 1). */
  line: number;
  field: string;
  severity: 'error' | 'warning';
}

export interface ImportResult {
  importId: number;
  fileName: string;
  sha256: string;
  /** The same bytes were imported before with the same options: nothing was written. */
  alreadyImported: boolean;
  rows: number;
  accepted: number;
  rejected: number;
  /** Stored rows (counted in accepted) whose name or birth date is unusable: never matched by similarity. */
  held: number;
  /** Number of warning issues (a row may carry several). */
  warnings: number;
  /** First error issues by line, for the summary; all issues are in mpi_import_issue. */
  errors: ImportIssue[];
}

/** A problem with the file as a whole (unreadable, unknown columns): nothing usable was imported. */
export class MpiImportError extends Error {
  constructor(
    readonly code: string,
    readonly message_vi: string,
    message_en: string,
  ) {
    super(message_en);
    this.name = 'MpiImportError';
  }
}

const ISSUE_COLUMNS = {
  import_id: 'bigint', line: 'int', field: 'text', code: 'text', severity: 'text', message_vi: 'text', message_en: 'text',
} as const;

const CONTENT_FIELDS = SOURCE_COLUMNS.filter((c) => c !== 'source_system' && c !== 'source_id');

// Columns added after lists were first imported: hashed only when they hold a value, so re-importing
// an older list (or one without the column) does not make every stored row look changed.
const HASHED_WHEN_PRESENT: ReadonlySet<SourceColumn> = new Set<SourceColumn>(['quan_he_chu_ho']);

/** The same hash as ingest computes for KCB records, so both writers agree on "unchanged". */
export function contentHash(row: Record<string, string | null>): string {
  const fields: Record<string, string | null> = {};
  for (const c of CONTENT_FIELDS) {
    const v = row[c] || null;
    if (v !== null || !HASHED_WHEN_PRESENT.has(c)) fields[c] = v;
  }
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

/** Parses `canonical=header,canonical=header` as given on the command line. */
export function parseMapping(spec: string): ColumnMapping {
  const out: ColumnMapping = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 0 || !(SOURCE_COLUMNS as readonly string[]).includes(key) || value === '') {
      throw new MpiImportError(
        'MAPPING_INVALID',
        `Ánh xạ cột "${part}" không hợp lệ; dùng dạng cot_chuan=Tiêu đề, ví dụ ho_ten=Họ và tên. Cột chuẩn: ${SOURCE_COLUMNS.join(', ')}.`,
        `Column mapping "${part}" is invalid; use canonical=Header, e.g. ho_ten=Full name. Canonical columns: ${SOURCE_COLUMNS.join(', ')}.`,
      );
    }
    out[key as SourceColumn] = value;
  }
  return out;
}

function columnIndex(header: string[], mapping: ColumnMapping, sourceGiven: boolean): Map<SourceColumn, number> {
  const clean = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  const lower = clean.map((h) => h.toLowerCase());
  const index = new Map<SourceColumn, number>();
  for (const col of SOURCE_COLUMNS) {
    const wanted = mapping[col] ?? col;
    let i = clean.indexOf(wanted);
    if (i < 0) i = lower.indexOf(wanted.toLowerCase());
    if (i >= 0) index.set(col, i);
    else if (mapping[col] !== undefined) {
      throw new MpiImportError(
        'MAPPED_COLUMN_MISSING',
        `Không tìm thấy cột "${wanted}" (ánh xạ cho ${col}) trong dòng tiêu đề.`,
        `Column "${wanted}" (mapped to ${col}) is not in the header row.`,
      );
    }
  }
  const required: SourceColumn[] = ['source_id', 'ho_ten', 'ngay_sinh'];
  if (!sourceGiven) required.unshift('source_system');
  const missing = required.filter((c) => !index.has(c));
  if (missing.length > 0) {
    throw new MpiImportError(
      'COLUMNS_MISSING',
      `Tệp thiếu cột bắt buộc: ${missing.join(', ')}. Tiêu đề chuẩn: ${SOURCE_COLUMNS.join(',')}; dùng --map cot_chuan=Tiêu đề cho tiêu đề khác${missing.includes('source_system') ? ', hoặc --source <HỆ_THỐNG>' : ''}.`,
      `The file lacks required columns: ${missing.join(', ')}. Canonical header: ${SOURCE_COLUMNS.join(',')}; use --map canonical=Header for other headers${missing.includes('source_system') ? ', or --source <SYSTEM>' : ''}.`,
    );
  }
  return index;
}

/**
 * Streams a CSV or XLSX population list into source_record. Rows failing normalization are
 * recorded in mpi_import_issue with their line and not written (so never linked); the memory
 * held is one batch plus the set of keys seen (to reject duplicate ids within the file).
 */
export async function importFile(db: Db, path: string, options: ImportOptions = {}): Promise<ImportResult> {
  const m = mpiDb(db);
  const fileName = basename(path);
  const totalBytes = statSync(path).size;
  const sha256 = await sha256File(path);
  const sourceSystem = options.sourceSystem?.trim().toUpperCase() || undefined;
  const mapping = options.mapping ?? {};
  const mappingJson = JSON.stringify(Object.fromEntries(Object.entries(mapping).sort()));
  const maxReported = options.maxReportedIssues ?? 20;

  const previous = await priorImport(db, { runs: 'mpi_import', issues: 'mpi_import_issue' }, { sha256, sourceSystem: sourceSystem ?? null, mappingJson }, maxReported);
  if (previous) {
    const errors = previous.errors;
    return {
      importId: previous.id, fileName, sha256, alreadyImported: true, rows: previous.row_count, accepted: previous.accepted,
      rejected: previous.rejected, held: 0, warnings: previous.warnings, errors,
    };
  }

  const { id: importId } = await m
    .insertInto('mpi_import')
    .values({ file_name: fileName, file_sha256: sha256, source_system: sourceSystem ?? null, mapping: mappingJson })
    .returning('id')
    .executeTakeFirstOrThrow();

  const batchSize = options.batchSize ?? 5000;
  let rows = 0;
  let accepted = 0;
  let rejected = 0;
  let held = 0;
  let warnings = 0;
  let bytesRead = 0;
  const errors: ImportIssue[] = [];
  let batch: Array<Record<string, unknown>> = [];
  let issues: Array<Record<string, unknown>> = [];
  const seen = new Set<string>();

  // The database stores one batch while the next is parsed and normalized.
  const writer = writeBehind();
  const flush = async () => {
    const [records, found, progress] = [batch, issues, { rows, bytesRead, totalBytes }];
    batch = [];
    issues = [];
    await writer.push(async () => {
      if (records.length > 0) await importSourceRecords(db, records);
      if (found.length > 0) await bulkInsert(db, 'mpi_import_issue', ISSUE_COLUMNS, found);
      options.onProgress?.(progress);
    });
  };
  const addIssue = (line: number, i: RecordIssue) => {
    const issue: ImportIssue = {
      line, field: i.field, code: i.code, severity: i.severity, message_vi: i.message_vi, message_en: i.message_en,
    };
    issues.push({ import_id: importId, ...issue });
    if (i.severity === 'warning') warnings++;
    else if (errors.length < maxReported) errors.push(issue);
  };

  try {
    const onBytes = (n: number) => {
      bytesRead += n;
    };
    const source = tableRows(path, onBytes);
    let index: Map<SourceColumn, number> | undefined;
    for await (const { line, cells } of source) {
      if (index === undefined) {
        index = columnIndex(cells, mapping, sourceSystem !== undefined);
        continue;
      }
      if (cells.every((c) => c.trim() === '')) continue;
      rows++;
      const raw: Record<string, string> = {};
      for (const [col, i] of index) raw[col] = cells[i] ?? '';
      if ((raw.source_system ?? '').trim() === '' && sourceSystem !== undefined) raw.source_system = sourceSystem;
      const { record, issues: found } = normalizeSourceRecord(raw);
      for (const i of found) addIssue(line, i);
      // An unknown relation label is only warned about: the raw text is stored, the derivation skips it.
      const relation = householdRelation(raw.quan_he_chu_ho);
      if (!relation.ok) addIssue(line, relation.issue);
      // A row that names its source and id is kept even when its name or birth date is unusable:
      // it is reported, cannot be matched by similarity, and still gets a person (see relinkAll).
      const identified = !found.some((i) => i.field === 'source_system' || i.field === 'source_id');
      const sourceKey = record ?? (identified ? { sourceSystem: cleanText(raw.source_system ?? '').toUpperCase(), sourceId: cleanText(raw.source_id ?? '') } : undefined);
      if (!record && identified) held++;
      if (!sourceKey) {
        rejected++;
      } else {
        const key = `${sourceKey.sourceSystem}|${sourceKey.sourceId}`;
        if (seen.has(key)) {
          addIssue(line, {
            field: 'source_id', code: 'DUPLICATE_SOURCE_ID', severity: 'error',
            message_vi: `Mã bản ghi ${sourceKey.sourceId} (${sourceKey.sourceSystem}) lặp lại trong tệp; giữ dòng xuất hiện trước.`,
            message_en: `Record id ${sourceKey.sourceId} (${sourceKey.sourceSystem}) appears twice in the file; the first row is kept.`,
          });
          rejected++;
        } else {
          seen.add(key);
          accepted++;
          const row: Record<string, string | number | string[] | null> = {
            source_system: sourceKey.sourceSystem, source_id: sourceKey.sourceId, import_id: importId,
          };
          // Raw text is stored (trimmed) so the record can be re-normalized when the rules improve.
          for (const c of CONTENT_FIELDS) row[c] = (raw[c] ?? '').trim() || null;
          row.content_hash = contentHash(row as Record<string, string | null>);
          // Stored only for a record that already belongs to a person (see importSourceRecords).
          row.match_keys = record ? matchKeys(record) : null;
          batch.push(row);
        }
      }
      if (batch.length >= batchSize || issues.length >= batchSize) await flush();
    }
    if (index === undefined) {
      throw new MpiImportError('FILE_EMPTY', 'Tệp rỗng: không có dòng tiêu đề.', 'The file is empty: no header row.');
    }
    await flush();
    await writer.done();
  } catch (e) {
    // No write may still run when the import is marked failed.
    await writer.done().catch(() => {});
    await m.updateTable('mpi_import').set({ status: 'failed', finished_at: new Date(), row_count: rows, accepted, rejected, warnings })
      .where('id', '=', importId).execute();
    throw e;
  }
  await m
    .updateTable('mpi_import')
    .set({ status: 'done', finished_at: new Date(), row_count: rows, accepted, rejected, warnings })
    .where('id', '=', importId)
    .execute();
  errors.sort((a, b) => a.line - b.line);
  return { importId, fileName, sha256, alreadyImported: false, rows, accepted, rejected, held, warnings, errors };
}
