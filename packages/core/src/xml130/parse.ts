import type { EnvelopeFile } from './envelope.ts';
import { XmlInputError } from './errors.ts';
import { fieldIndex, tableByCode, tableByRoot } from './tables.ts';
import { isXmlWhitespace, parseXml, type XmlElement } from './tokenizer.ts';
import type { Issue, TableDef } from './types.ts';

export interface ParsedRow {
  /** Elements defined by the standard for this table, keyed by element name. */
  fields: Record<string, string>;
  /** Elements the standard does not define; kept so nothing sent is lost. */
  extra: Record<string, string>;
}

export interface ParsedEpisode {
  maLk: string | null;
  tables: Record<string, ParsedRow[]>;
  issues: Issue[];
}

function issue(table: string | null, row: number | null, field: string | null, code: string, severity: Issue['severity'], vi: string, en: string): Issue {
  return { table, row, field, code, severity, message_vi: vi, message_en: en };
}

function flattenText(el: XmlElement): string {
  if (el.children.length === 0) return el.text;
  let out = el.text;
  for (const c of el.children) out += flattenText(c);
  return out;
}

function readRow(def: TableDef, el: XmlElement, rowNo: number | null, issues: Issue[]): ParsedRow {
  const index = fieldIndex(def.code)!;
  const fields: Record<string, string> = {};
  const extra: Record<string, string> = {};
  for (const c of el.children) {
    let value = c.text;
    if (c.children.length > 0) {
      issues.push(issue(def.code, rowNo, c.name, 'NESTED_ELEMENT', 'warning', `Phần tử ${c.name} chứa phần tử con; chỉ giữ phần văn bản.`, `Element ${c.name} has child elements; only its text is kept.`));
      value = flattenText(c);
    }
    const target = index.has(c.name) ? fields : extra;
    if (Object.hasOwn(target, c.name)) {
      issues.push(issue(def.code, rowNo, c.name, 'DUPLICATE_FIELD', 'error', `Phần tử ${c.name} xuất hiện nhiều lần trong một dòng.`, `Element ${c.name} appears more than once in one row.`));
      continue;
    }
    target[c.name] = value;
  }
  if (!isXmlWhitespace(el.text) && el.children.length > 0) {
    issues.push(issue(def.code, rowNo, null, 'MIXED_CONTENT', 'warning', `<${el.name}> chứa văn bản lẫn phần tử; văn bản bị bỏ qua.`, `<${el.name}> mixes text and elements; the text is ignored.`));
  }
  return { fields, extra };
}

/** Rows of one inner document whose root is already known to belong to `def`. */
export function rowsFromDocument(def: TableDef, root: XmlElement, issues: Issue[]): ParsedRow[] {
  if (def.list === null) return [readRow(def, root, 1, issues)];
  const rows: ParsedRow[] = [];
  let lists = 0;
  for (const c of root.children) {
    if (c.name !== def.list) {
      if (c.name !== 'CHUKYDONVI') {
        issues.push(issue(def.code, null, c.name, 'UNEXPECTED_ELEMENT', 'warning', `<${def.root}> chứa phần tử không mong đợi <${c.name}>; bị bỏ qua.`, `<${def.root}> holds unexpected element <${c.name}>; ignored.`));
      }
      continue;
    }
    lists++;
    for (const r of c.children) {
      if (r.name !== def.row) {
        issues.push(issue(def.code, null, r.name, 'UNEXPECTED_ELEMENT', 'error', `<${def.list}> chứa <${r.name}> thay vì <${def.row}>.`, `<${def.list}> holds <${r.name}> instead of <${def.row}>.`));
        continue;
      }
      rows.push(readRow(def, r, rows.length + 1, issues));
    }
  }
  if (lists !== 1) {
    issues.push(issue(def.code, null, def.list, 'LIST_ELEMENT', 'error', `<${def.root}> phải chứa đúng một <${def.list}> (có ${lists}).`, `<${def.root}> must contain exactly one <${def.list}> (found ${lists}).`));
  }
  return rows;
}

/**
 * Turns the decoded files of one HOSO into rows per table. Never throws for content problems:
 * everything wrong with one table becomes an issue so the caller can reject just this episode.
 */
export function parseEpisodeFiles(files: ReadonlyArray<Pick<EnvelopeFile, 'type' | 'xml'>>): ParsedEpisode {
  const tables: Record<string, ParsedRow[]> = {};
  const issues: Issue[] = [];
  for (const file of files) {
    const code = file.type.trim().toUpperCase();
    const def = tableByCode(code);
    if (!def || code === 'XML0') {
      issues.push(issue(code || null, null, null, 'UNKNOWN_FILE_TYPE', 'warning', `Loại hồ sơ "${file.type}" không thuộc chuẩn XML 130; bị bỏ qua.`, `File type "${file.type}" is not an XML 130 table; ignored.`));
      continue;
    }
    let root: XmlElement;
    try {
      root = parseXml(file.xml);
    } catch (e) {
      if (!(e instanceof XmlInputError)) throw e;
      issues.push(issue(code, null, null, e.code, 'error', `Bảng ${code}: ${e.message_vi}`, `Table ${code}: ${e.message_en}`));
      continue;
    }
    if (root.name !== def.root && !def.altRoots?.includes(root.name)) {
      const other = tableByRoot(root.name);
      issues.push(
        other
          ? issue(code, null, null, 'FILE_TYPE_MISMATCH', 'error', `LOAIHOSO là ${code} nhưng nội dung là bảng ${other.code} (<${root.name}>).`, `LOAIHOSO says ${code} but the content is table ${other.code} (<${root.name}>).`)
          : issue(code, null, null, 'UNKNOWN_ROOT', 'error', `Bảng ${code} phải có phần tử gốc <${def.root}>, nhận được <${root.name}>.`, `Table ${code} must have root <${def.root}>, got <${root.name}>.`),
      );
      continue;
    }
    if (tables[code]) {
      issues.push(issue(code, null, null, 'DUPLICATE_TABLE', 'error', `Bảng ${code} được gửi nhiều lần trong một hồ sơ.`, `Table ${code} is sent more than once in one episode.`));
      continue;
    }
    tables[code] = rowsFromDocument(def, root, issues);
  }
  let maLk: string | null = tables['XML1']?.[0]?.fields['MA_LK']?.trim() || null;
  if (maLk === null) {
    for (const rows of Object.values(tables)) {
      const v = rows[0]?.fields['MA_LK']?.trim();
      if (v) {
        maLk = v;
        break;
      }
    }
  }
  return { maLk, tables, issues };
}

export interface ParsedCheckin {
  rows: ParsedRow[];
  issues: Issue[];
  hasSignature: boolean;
}

/** The XML0 check-in document (CHI_TIEU_TRANG_THAI_KCB). Malformed input throws XmlInputError. */
export function parseCheckin(input: Buffer | string): ParsedCheckin {
  const def = tableByCode('XML0')!;
  const root = parseXml(input);
  if (root.name !== def.root) {
    throw new XmlInputError('ENVELOPE_STRUCTURE', `Phần tử gốc của check-in phải là <${def.root}>, nhận được <${root.name}>.`, `The check-in root must be <${def.root}>, got <${root.name}>.`);
  }
  const issues: Issue[] = [];
  const rows = rowsFromDocument(def, root, issues);
  const chuKy = root.children.find((c) => c.name === 'CHUKYDONVI');
  const hasSignature = chuKy?.children.some((c) => c.name === 'Signature' || c.name.endsWith(':Signature')) ?? false;
  return { rows, issues, hasSignature };
}
