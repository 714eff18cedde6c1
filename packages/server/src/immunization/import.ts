import { createHash } from 'node:crypto';
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { type BilingualMessage, cleanText, searchKey, vietnamToday } from '@openhssk/core';
import { matchProduct, parseDay } from '@openhssk/core/immunization';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { bulkInsert, writeBehind } from '../db/index.ts';
import { holdAgainstRelink, type PersonRow, placeSourcePersons, type SourceKey, type SourcePerson, type SourcePersonFields, sourcePerson } from '../mpi/index.ts';
import type { IdentityKeys } from '../person/index.ts';
import { priorImport, sha256File, tableRows } from '../tabular/index.ts';
import { markCoverageDirty } from './coverage.ts';
import { refreshDue } from './due.ts';
import { refreshDuplicates } from './store.ts';
import { immDb } from './tables.ts';

/**
 * Import of immunization-system exports (one row per dose): each row's person becomes a source
 * record of the source system (TIEMCHUNG unless told otherwise) placed by the MPI (linkIncoming) in
 * the same transaction as the dose; the dose is stored once per (source, dose id), so importing the
 * same rows again changes nothing; doses of one person sharing an antigen within ±1 day are linked
 * as duplicates (core findDuplicateDoses) whatever source reported them; a bad row is reported with
 * its line and reason and skipped, the others go in.
 */

export const DEFAULT_SOURCE = 'TIEMCHUNG';

/** Canonical columns of an export. `source_id` is the dose's id in the source; `ma_doi_tuong` the person's. */
export const IMM_COLUMNS = [
  'source_system', 'source_id', 'ma_doi_tuong', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'so_bhyt', 'so_dien_thoai', 'dia_chi',
  'ma_xa', 'ma_ho_gia_dinh', 'ma_vac_xin', 'ten_vac_xin', 'mui_so', 'ngay_tiem', 'ma_co_so', 'so_lo', 'duong_tiem', 'vi_tri_tiem', 'phan_ung',
] as const;
export type ImmColumn = (typeof IMM_COLUMNS)[number];
export type ImmColumnMapping = Partial<Record<ImmColumn, string>>;

/**
 * Headers recognised without a mapping, compared without case, diacritics or punctuation: the
 * canonical name and the captions Vietnamese exports commonly use. `--map` wins over these.
 */
const HEADER_ALIASES: Readonly<Record<ImmColumn, readonly string[]>> = {
  source_system: ['he thong nguon', 'nguon'],
  source_id: ['ma mui tiem', 'ma ban ghi', 'id mui tiem', 'ma lan tiem'],
  ma_doi_tuong: ['ma doi tuong', 'ma tre', 'ma nguoi tiem', 'ma dinh danh doi tuong'],
  ho_ten: ['ho ten', 'ho va ten', 'ten doi tuong', 'ho ten tre'],
  ngay_sinh: ['ngay sinh'],
  gioi_tinh: ['gioi tinh', 'gioi'],
  so_cccd: ['cccd', 'so cccd', 'so dinh danh', 'ma dinh danh', 'so dinh danh ca nhan'],
  so_bhyt: ['bhyt', 'so bhyt', 'so the bhyt', 'ma the bhyt'],
  so_dien_thoai: ['so dien thoai', 'dien thoai', 'sdt'],
  dia_chi: ['dia chi'],
  ma_xa: ['ma xa', 'ma xa phuong'],
  ma_ho_gia_dinh: ['ma ho', 'ma ho gia dinh'],
  ma_vac_xin: ['ma vac xin', 'ma vaccine', 'ma vacxin'],
  ten_vac_xin: ['ten vac xin', 'vac xin', 'ten vaccine', 'vaccine', 'loai vac xin'],
  mui_so: ['mui', 'mui so', 'mui thu', 'lieu', 'so mui'],
  ngay_tiem: ['ngay tiem', 'ngay tiem chung'],
  ma_co_so: ['ma co so', 'co so tiem', 'ma co so tiem', 'noi tiem', 'ma diem tiem'],
  so_lo: ['so lo', 'lo vac xin', 'lo'],
  duong_tiem: ['duong tiem', 'duong dung'],
  vi_tri_tiem: ['vi tri tiem', 'vi tri'],
  phan_ung: ['phan ung', 'phan ung sau tiem', 'su co sau tiem'],
};

export interface ImmImportProgress {
  rows: number;
  bytesRead: number;
  totalBytes: number;
}

export interface ImmImportOptions {
  /** Source system of rows whose file has no source_system column or cell (default TIEMCHUNG). */
  sourceSystem?: string | undefined;
  mapping?: ImmColumnMapping | undefined;
  /** Rows per transaction. */
  batchSize?: number | undefined;
  onProgress?: ((p: ImmImportProgress) => void) | undefined;
  /** How many error issues the result lists (all are stored in imm_import_issue). */
  maxReportedIssues?: number | undefined;
  /** The Vietnam date doses may not be after (tests). */
  today?: string | undefined;
}

export interface ImmImportIssue extends BilingualMessage {
  /** Row number as a spreadsheet shows it (header = 1). */
  line: number;
  field: string;
  severity: 'error' | 'warning';
}

export interface ImmImportResult {
  importId: number;
  fileName: string;
  sha256: string;
  sourceSystem: string;
  /** The same bytes were imported before with the same options: nothing was read or written. */
  alreadyImported: boolean;
  rows: number;
  accepted: number;
  rejected: number;
  /** Of the accepted doses: new, corrected since an earlier import, already stored as they are. */
  inserted: number;
  updated: number;
  unchanged: number;
  /** Doses now linked as a duplicate of another record of the same real dose (this or another source). */
  duplicates: number;
  /** Persons of the file the MPI placed: joined an existing person, started a new one, or were already linked. */
  persons: { joined: number; new: number; kept: number };
  warnings: number;
  errors: ImmImportIssue[];
}

/** A problem with the file as a whole (unreadable, missing columns): nothing was imported. */
export class ImmImportError extends Error {
  constructor(
    readonly code: string,
    readonly message_vi: string,
    message_en: string,
  ) {
    super(message_en);
    this.name = 'ImmImportError';
  }
}

/** Parses `canonical=Header,canonical=Header` as given on the command line. */
export function parseImmMapping(spec: string): ImmColumnMapping {
  const out: ImmColumnMapping = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 0 || !(IMM_COLUMNS as readonly string[]).includes(key) || value === '') {
      throw new ImmImportError(
        'MAPPING_INVALID',
        `Ánh xạ cột "${part}" không hợp lệ; dùng dạng cot_chuan=Tiêu đề, ví dụ ngay_tiem=Ngày tiêm. Cột chuẩn: ${IMM_COLUMNS.join(', ')}.`,
        `Column mapping "${part}" is invalid; use canonical=Header, e.g. ngay_tiem=Date given. Canonical columns: ${IMM_COLUMNS.join(', ')}.`,
      );
    }
    out[key as ImmColumn] = value;
  }
  return out;
}

const headerKey = (h: string) => searchKey(h.replace(/^\uFEFF/, '').replace(/_/g, ' '));

function columnIndex(header: readonly string[], mapping: ImmColumnMapping): Map<ImmColumn, number> {
  const keys = header.map(headerKey);
  const index = new Map<ImmColumn, number>();
  for (const col of IMM_COLUMNS) {
    const mapped = mapping[col];
    if (mapped !== undefined) {
      const i = keys.indexOf(headerKey(mapped));
      if (i < 0) {
        throw new ImmImportError('MAPPED_COLUMN_MISSING', `Không tìm thấy cột "${mapped}" (ánh xạ cho ${col}) trong dòng tiêu đề.`, `Column "${mapped}" (mapped to ${col}) is not in the header row.`);
      }
      index.set(col, i);
      continue;
    }
    for (const name of [col, ...HEADER_ALIASES[col]]) {
      const i = keys.indexOf(headerKey(name));
      if (i >= 0 && ![...index.values()].includes(i)) {
        index.set(col, i);
        break;
      }
    }
  }
  const missing: string[] = (['source_id', 'ho_ten', 'ngay_sinh', 'ngay_tiem'] as const).filter((c) => !index.has(c));
  if (!index.has('ma_vac_xin') && !index.has('ten_vac_xin')) missing.push('ten_vac_xin|ma_vac_xin');
  if (missing.length > 0) {
    throw new ImmImportError(
      'COLUMNS_MISSING',
      `Tệp thiếu cột bắt buộc: ${missing.join(', ')}. Cột chuẩn: ${IMM_COLUMNS.join(',')}; dùng --map cot_chuan=Tiêu đề cho tiêu đề khác.`,
      `The file lacks required columns: ${missing.join(', ')}. Canonical columns: ${IMM_COLUMNS.join(',')}; use --map canonical=Header for other headers.`,
    );
  }
  return index;
}

/**
 * The date a dose was given, as exports write it: yyyy-mm-dd (with or without a time), dd/mm/yyyy
 * (also with - or .), yyyymmdd or XML 130's yyyymmddHHMM. Undefined when it is none of these or no
 * calendar date.
 */
export function parseDoseDate(raw: string): string | undefined {
  const s = raw.trim();
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$/.exec(s);
  const vn = iso ? null : /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?: .*)?$/.exec(s);
  const compact = iso || vn ? null : /^(\d{4})(\d{2})(\d{2})(?:\d{4}(?:\d{2})?)?$/.exec(s);
  const [y, m, d] = iso ? [iso[1], iso[2], iso[3]] : vn ? [vn[3], vn[2], vn[1]] : compact ? [compact[1], compact[2], compact[3]] : [];
  if (!y || !m || !d) return undefined;
  const text = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  return parseDay(text) === undefined ? undefined : text;
}

const DOSE_FIELDS = [
  'person_source_system', 'person_source_id', 'vaccine_code', 'vaccine_name', 'product_id', 'antigens', 'dose_no', 'given_on', 'facility_ref', 'lot_no', 'route',
  'body_site', 'reaction',
] as const;

/** What makes a stored dose "unchanged": a re-import (or re-post) with the same hash writes nothing. */
export const doseContentHash = (dose: Record<string, unknown>) => createHash('sha256').update(JSON.stringify(DOSE_FIELDS.map((f) => dose[f] ?? null))).digest('hex');

const DOSE_COLUMNS = {
  person_id: 'text', source: 'text', source_record_id: 'text', person_source_system: 'text', person_source_id: 'text', vaccine_code: 'text',
  vaccine_name: 'text', product_id: 'text', antigens: 'text[]', dose_no: 'int', given_on: 'date', facility_code: 'text', facility_ref: 'text',
  lot_no: 'text', route: 'text', body_site: 'text', reaction: 'text', import_id: 'int8', content_hash: 'text',
  // FHIR writes only (receive.ts); null for an export's rows.
  source_identifier_system: 'text', sender_facility_code: 'text', sender_client_id: 'text',
} as const;

const ISSUE_COLUMNS = { import_id: 'bigint', line: 'int', field: 'text', code: 'text', severity: 'text', message_vi: 'text', message_en: 'text' } as const;



export type DoseRow = Record<string, unknown> & { person_source_system: string; person_source_id: string };

export interface Batch {
  persons: PersonRow[];
  /** The persons' valid CCCD / BHXH numbers, by source key. */
  identities: Map<string, IdentityKeys>;
  doses: DoseRow[];
  issues: Array<Record<string, unknown>>;
  progress: ImmImportProgress;
}

export interface Totals {
  inserted: number;
  updated: number;
  duplicates: number;
  joined: number;
  created: number;
  kept: number;
  counted: Set<string>;
}

const key = (system: string, id: string) => `${system}\u0000${id}`;
const PERSON_CACHE_LIMIT = 100_000;

/**
 * One batch in one transaction: persons placed by the MPI, doses stored, duplicates linked, issues
 * kept. A received FHIR dose (receive.ts) is a batch of one without an import, whose writer finishes
 * its own work (audit) in the same transaction through `then`.
 */
export async function writeBatch(db: Db, importId: number | null, b: Batch, totals: Totals, then?: (tx: Db) => Promise<void>): Promise<void> {
  await db.transaction().execute(async (tx) => {
    // Before any source record is written (mpi/incremental.ts: a waiting relink would deadlock otherwise).
    await holdAgainstRelink(tx);
    const wanted = new Map<string, SourceKey>();
    for (const d of b.doses) wanted.set(key(d.person_source_system, d.person_source_id), { system: d.person_source_system, id: d.person_source_id });
    const { personOf, outcomes } = await placeSourcePersons(tx, b.persons, b.identities, [...wanted.values()]);
    // Each person of the file counted once, by what happened the first time a batch met them.
    for (const k of wanted.keys()) {
      if (totals.counted.has(k)) continue;
      totals.counted.add(k);
      const o = outcomes.get(k) ?? 'kept';
      if (o === 'joined') totals.joined++;
      else if (o === 'new') totals.created++;
      else totals.kept++;
    }

    const rows: Array<Record<string, unknown>> = [];
    for (const d of b.doses) {
      const personId = personOf.get(key(d.person_source_system, d.person_source_id));
      // Every stored row has a usable name and birth date, so the MPI always places it.
      if (!personId) throw new Error(`immunization import: person ${d.person_source_system}/${d.person_source_id} was not placed`);
      rows.push({ ...d, person_id: personId, import_id: importId });
    }
    const touched = new Set<string>();
    for (let i = 0; i < rows.length; i += 2000) {
      const json = JSON.stringify(rows.slice(i, i + 2000));
      const cols = sql.raw(Object.keys(DOSE_COLUMNS).map((c) => `"${c}"`).join(', '));
      const defs = sql.raw(Object.entries(DOSE_COLUMNS).map(([c, t]) => `"${c}" ${t}`).join(', '));
      // A corrected row (new content under the same dose id) replaces the stored one; an identical one is left alone.
      const r = await sql<{ inserted: boolean; person_id: string }>`
        insert into vaccination (${cols}) select ${cols} from jsonb_to_recordset(${json}::jsonb) as x(${defs})
        on conflict (source, source_record_id) where source_record_id is not null do update set
          person_id = excluded.person_id, person_source_system = excluded.person_source_system, person_source_id = excluded.person_source_id,
          vaccine_code = excluded.vaccine_code, vaccine_name = excluded.vaccine_name, product_id = excluded.product_id, antigens = excluded.antigens,
          dose_no = excluded.dose_no, given_on = excluded.given_on, facility_code = excluded.facility_code, facility_ref = excluded.facility_ref,
          lot_no = excluded.lot_no, route = excluded.route, body_site = excluded.body_site, reaction = excluded.reaction,
          import_id = excluded.import_id, content_hash = excluded.content_hash, source_identifier_system = excluded.source_identifier_system,
          sender_facility_code = excluded.sender_facility_code, sender_client_id = excluded.sender_client_id, updated_at = now()
        where vaccination.content_hash is distinct from excluded.content_hash
        returning (xmax = 0) as inserted, person_id`.execute(tx);
      for (const row of r.rows) {
        if (row.inserted) totals.inserted++;
        else totals.updated++;
        touched.add(row.person_id);
      }
    }
    totals.duplicates += await refreshDuplicates(tx, [...touched]);
    if (touched.size > 0) {
      const communes = await tx.selectFrom('person').select('ma_xa').distinct().where('id', 'in', [...touched]).execute();
      await markCoverageDirty(tx, communes.map((c) => c.ma_xa));
      await refreshDue(tx, [...touched]);
    }
    if (b.issues.length > 0) await bulkInsert(tx, 'imm_import_issue', ISSUE_COLUMNS, b.issues);
    await then?.(tx);
  });
}

const str = (v: string | undefined) => cleanText(v ?? '');

/** Imports one export file; see the module comment. Throws ImmImportError for a file that cannot be read as a list. */
export async function importImmunizationFile(db: Db, path: string, options: ImmImportOptions = {}): Promise<ImmImportResult> {
  const m = immDb(db);
  const fileName = basename(path);
  const totalBytes = statSync(path).size;
  const sha256 = await sha256File(path);
  const defaultSource = options.sourceSystem?.trim().toUpperCase() || DEFAULT_SOURCE;
  const mapping = options.mapping ?? {};
  const mappingJson = JSON.stringify(Object.fromEntries(Object.entries(mapping).sort()));
  const maxReported = options.maxReportedIssues ?? 20;
  const today = options.today ?? vietnamToday();

  const previous = await priorImport(db, { runs: 'imm_import', issues: 'imm_import_issue' }, { sha256, sourceSystem: defaultSource, mappingJson }, maxReported);
  if (previous) {
    const errors = previous.errors;
    return {
      importId: previous.id, fileName, sha256, sourceSystem: defaultSource, alreadyImported: true, rows: previous.row_count, accepted: previous.accepted,
      rejected: previous.rejected, inserted: 0, updated: 0, unchanged: previous.accepted, duplicates: 0, persons: { joined: 0, new: 0, kept: 0 },
      warnings: previous.warnings, errors,
    };
  }

  const facilities = new Set((await db.selectFrom('facility').select('code').execute()).map((f) => f.code));
  const { id: importId } = await m
    .insertInto('imm_import')
    .values({ file_name: fileName, file_sha256: sha256, source_system: defaultSource, mapping: mappingJson })
    .returning('id')
    .executeTakeFirstOrThrow();

  const batchSize = options.batchSize ?? 2000;
  const totals: Totals = { inserted: 0, updated: 0, duplicates: 0, joined: 0, created: 0, kept: 0, counted: new Set() };
  let rows = 0;
  let accepted = 0;
  let rejected = 0;
  let warnings = 0;
  let bytesRead = 0;
  const errors: ImmImportIssue[] = [];
  let batch: Batch = { persons: [], identities: new Map(), doses: [], issues: [], progress: { rows: 0, bytesRead: 0, totalBytes } };
  const seenDoses = new Set<string>();
  // The first row of a person in the file gives their details; later rows only point at them.
  const personSeen = new Map<string, string>();
  const personCache = new Map<string, SourcePerson>();

  const writer = writeBehind();
  const flush = async () => {
    const b = { ...batch, progress: { rows, bytesRead, totalBytes } };
    batch = { persons: [], identities: new Map(), doses: [], issues: [], progress: b.progress };
    await writer.push(async () => {
      if (b.doses.length > 0 || b.issues.length > 0) await writeBatch(db, importId, b, totals);
      options.onProgress?.(b.progress);
    });
  };
  const issue = (line: number, field: string, severity: 'error' | 'warning', code: string, vi: string, en: string) => {
    const i: ImmImportIssue = { line, field, severity, code, message_vi: vi, message_en: en };
    batch.issues.push({ import_id: importId, ...i });
    if (severity === 'warning') warnings++;
    else if (errors.length < maxReported) errors.push(i);
  };

  try {
    let index: Map<ImmColumn, number> | undefined;
    for await (const { line, cells } of tableRows(path, (n) => {
      bytesRead += n;
    })) {
      if (index === undefined) {
        index = columnIndex(cells, mapping);
        continue;
      }
      if (cells.every((c) => c.trim() === '')) continue;
      rows++;
      const raw: Partial<Record<ImmColumn, string>> = {};
      for (const [col, i] of index) raw[col] = cells[i] ?? '';
      if (acceptRow(line, raw)) accepted++;
      else rejected++;
      if (batch.doses.length >= batchSize || batch.issues.length >= batchSize) await flush();
    }
    if (index === undefined) throw new ImmImportError('FILE_EMPTY', 'Tệp rỗng: không có dòng tiêu đề.', 'The file is empty: no header row.');
    await flush();
    await writer.done();
  } catch (e) {
    await writer.done().catch(() => {});
    await m.updateTable('imm_import').set({ status: 'failed', finished_at: new Date(), row_count: rows, accepted, rejected, warnings }).where('id', '=', importId).execute();
    throw e;
  }
  const unchanged = accepted - totals.inserted - totals.updated;
  await m
    .updateTable('imm_import')
    .set({
      status: 'done', finished_at: new Date(), row_count: rows, accepted, rejected, warnings, inserted: totals.inserted, updated: totals.updated, unchanged,
      duplicates: totals.duplicates,
    })
    .where('id', '=', importId)
    .execute();
  errors.sort((a, b) => a.line - b.line);
  return {
    importId, fileName, sha256, sourceSystem: defaultSource, alreadyImported: false, rows, accepted, rejected, inserted: totals.inserted,
    updated: totals.updated, unchanged, duplicates: totals.duplicates, persons: { joined: totals.joined, new: totals.created, kept: totals.kept }, warnings, errors,
  };

  /** Checks one row and queues its person and dose; false (with the reasons recorded) when the row is refused. */
  function acceptRow(line: number, raw: Partial<Record<ImmColumn, string>>): boolean {
    const err = (field: string, code: string, vi: string, en: string) => issue(line, field, 'error', code, vi, en);
    const warn = (field: string, code: string, vi: string, en: string) => issue(line, field, 'warning', code, vi, en);
    const system = (str(raw.source_system) || defaultSource).toUpperCase();
    const sourceId = str(raw.source_id);
    let ok = true;
    if (sourceId === '') {
      err('source_id', 'SOURCE_ID_MISSING', 'Thiếu mã mũi tiêm (mã bản ghi nguồn).', 'The dose’s source id is missing.');
      ok = false;
    } else if (seenDoses.has(key(system, sourceId))) {
      err('source_id', 'DUPLICATE_SOURCE_ID', `Mã mũi tiêm ${sourceId} (${system}) lặp lại trong tệp; giữ dòng xuất hiện trước.`, `Dose id ${sourceId} (${system}) appears twice in the file; the first row is kept.`);
      ok = false;
    }
    const dateText = str(raw.ngay_tiem);
    const givenOn = parseDoseDate(dateText);
    if (dateText === '') {
      err('ngay_tiem', 'DOSE_DATE_MISSING', 'Thiếu ngày tiêm.', 'The date given is missing.');
      ok = false;
    } else if (!givenOn) {
      err('ngay_tiem', 'DOSE_DATE_INVALID', `Ngày tiêm "${dateText}" không hợp lệ (dùng dd/mm/yyyy hoặc yyyy-mm-dd).`, `Date given "${dateText}" is not a valid date (use dd/mm/yyyy or yyyy-mm-dd).`);
      ok = false;
    } else if (givenOn > today) {
      err('ngay_tiem', 'DOSE_DATE_IN_FUTURE', `Ngày tiêm ${givenOn} ở tương lai.`, `Date given ${givenOn} is in the future.`);
      ok = false;
    }
    const code = str(raw.ma_vac_xin);
    const name = str(raw.ten_vac_xin);
    if (code === '' && name === '') {
      err('ten_vac_xin', 'VACCINE_MISSING', 'Thiếu tên hoặc mã vắc xin.', 'The vaccine name or code is missing.');
      ok = false;
    }
    // The person as the source knows them: the MPI's own rules decide what is usable.
    const personSourceId = str(raw.ma_doi_tuong);
    const personRaw: SourcePersonFields = {
      ho_ten: raw.ho_ten ?? '', ngay_sinh: raw.ngay_sinh ?? '', gioi_tinh: raw.gioi_tinh ?? '',
      so_cccd: raw.so_cccd ?? '', so_bhyt: raw.so_bhyt ?? '', so_dien_thoai: raw.so_dien_thoai ?? '', dia_chi: raw.dia_chi ?? '', ma_xa: raw.ma_xa ?? '',
      ma_ho_gia_dinh: raw.ma_ho_gia_dinh ?? '',
    };
    // Exports repeat a child's details on each of their doses: each distinct spelling is read once.
    const cacheKey = [system, personSourceId, ...Object.values(personRaw)].join('\u0001');
    let person = personCache.get(cacheKey);
    if (!person) {
      person = sourcePerson(system, personSourceId, personRaw);
      if (personCache.size >= PERSON_CACHE_LIMIT) personCache.clear();
      personCache.set(cacheKey, person);
    }
    const { record, issues, row: personRow, born } = person;
    for (const i of issues) issue(line, i.field, i.severity, i.code, i.message_vi, i.message_en);
    if (!record || !personRow) return false;
    if (givenOn && born) {
      if (givenOn < born) {
        err('ngay_tiem', 'DOSE_BEFORE_BIRTH', `Ngày tiêm ${givenOn} trước ngày sinh ${born}.`, `Date given ${givenOn} is before the birth date ${born}.`);
        ok = false;
      }
    } else if (givenOn && Number(givenOn.slice(0, 4)) < record.birthYear) {
      err('ngay_tiem', 'DOSE_BEFORE_BIRTH', `Ngày tiêm ${givenOn} trước năm sinh ${record.birthYear}.`, `Date given ${givenOn} is before the birth year ${record.birthYear}.`);
      ok = false;
    }
    if (!ok || !givenOn) return false;

    const product = (code ? matchProduct(code) : undefined) ?? (name ? matchProduct(name) : undefined);
    if (!product) {
      warn('ten_vac_xin', 'VACCINE_UNRECOGNIZED', `Không nhận ra vắc xin "${name || code}": mũi tiêm được lưu nhưng không được tính theo lịch tiêm.`, `Vaccine "${name || code}" is not recognised: the dose is stored but not counted against the schedule.`);
    }
    const doseText = str(raw.mui_so);
    let doseNo: number | null = null;
    if (doseText !== '') {
      const n = Number(doseText.replace(/^(mui|mũi|lan|lần|lieu|liều)\s*/i, ''));
      if (Number.isInteger(n) && n >= 1 && n <= 20) doseNo = n;
      else warn('mui_so', 'DOSE_NUMBER_INVALID', `Số mũi "${doseText}" không hợp lệ; bỏ qua.`, `Dose number "${doseText}" is not valid; ignored.`);
    }
    const facilityRef = str(raw.ma_co_so);
    const facilityCode = facilityRef !== '' && facilities.has(facilityRef) ? facilityRef : null;

    const personId = personRow.source_id;
    const pk = key(system, personId);
    const seenHash = personSeen.get(pk);
    if (seenHash === undefined) {
      personSeen.set(pk, personRow.content_hash);
      batch.persons.push(personRow);
      batch.identities.set(pk, { cccd: record.cccd ?? null, bhxh: record.bhxh ?? null });
    } else if (seenHash !== personRow.content_hash) {
      warn('ma_doi_tuong', 'PERSON_DETAILS_DIFFER', `Thông tin người được tiêm khác với dòng trước của cùng mã ${personId}; dùng thông tin dòng đầu tiên.`, `The person’s details differ from an earlier row of the same id ${personId}; the first row’s details are used.`);
    }

    seenDoses.add(key(system, sourceId));
    const dose: DoseRow = {
      source: system, source_record_id: sourceId, person_source_system: system, person_source_id: personId, vaccine_code: code || null,
      vaccine_name: name || code, product_id: product?.id ?? null, antigens: product ? [...product.antigens] : [], dose_no: doseNo, given_on: givenOn,
      facility_code: facilityCode, facility_ref: facilityRef || null, lot_no: str(raw.so_lo).slice(0, 50) || null, route: str(raw.duong_tiem).slice(0, 50) || null,
      body_site: str(raw.vi_tri_tiem).slice(0, 100) || null, reaction: str(raw.phan_ung).slice(0, 500) || null,
    };
    dose.content_hash = doseContentHash(dose);
    batch.doses.push(dose);
    return true;
  }
}
