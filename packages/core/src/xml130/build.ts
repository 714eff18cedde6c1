import { tableByCode } from './tables.ts';
import type { TableDef } from './types.ts';

export function escapeXmlText(s: string): string {
  if (!/[&<>\r]/.test(s)) return s;
  // '>' is escaped so "]]>" can never appear; CR is escaped so it survives parsing.
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#13;');
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function element(name: string, value: string, indent: string): string {
  if (!NAME.test(name)) throw new Error(`invalid element name: ${name}`);
  return `${indent}<${name}>${escapeXmlText(value)}</${name}>\n`;
}

function rowBody(def: TableDef, row: Readonly<Record<string, string>>, indent: string): string {
  let out = '';
  // Standard order first, then anything the caller added beyond the standard.
  for (const f of def.fields) {
    const v = row[f.name];
    if (v !== undefined) out += element(f.name, v, indent);
  }
  for (const [k, v] of Object.entries(row)) {
    if (!def.fields.some((f) => f.name === k)) out += element(k, v, indent);
  }
  return out;
}

const DECL = '<?xml version="1.0" encoding="utf-8"?>\n';

/** One inner table document (what goes, base64-encoded, into NOIDUNGFILE). */
export function buildInnerXml(table: string, rows: ReadonlyArray<Readonly<Record<string, string>>>): string {
  const def = tableByCode(table);
  if (!def) throw new Error(`unknown table ${table}`);
  if (def.list === null) {
    if (rows.length !== 1) throw new Error(`${table} takes exactly one row`);
    return `${DECL}<${def.root}>\n${rowBody(def, rows[0]!, '  ')}</${def.root}>\n`;
  }
  let out = `${DECL}<${def.root}>\n  <${def.list}>\n`;
  for (const r of rows) out += `    <${def.row}>\n${rowBody(def, r, '      ')}    </${def.row}>\n`;
  return `${out}  </${def.list}>\n</${def.root}>\n`;
}

export interface EnvelopeInput {
  facilityCode: string;
  /** yyyyMMdd */
  createdDate: string;
  /** Per episode: rows per table code (XML1..XML15). */
  episodes: ReadonlyArray<Readonly<Record<string, ReadonlyArray<Readonly<Record<string, string>>>>>>;
}

function tableOrder(a: string, b: string): number {
  return Number(a.slice(3)) - Number(b.slice(3));
}

/** Unsigned GIAMDINHHS envelope with an empty CHUKYDONVI ready for signEnvelope. */
export function buildEnvelope(input: EnvelopeInput): string {
  const parts: string[] = [
    DECL,
    '<GIAMDINHHS xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">\n',
    `  <THONGTINDONVI>\n    <MACSKCB>${escapeXmlText(input.facilityCode)}</MACSKCB>\n  </THONGTINDONVI>\n`,
    `  <THONGTINHOSO>\n    <NGAYLAP>${escapeXmlText(input.createdDate)}</NGAYLAP>\n    <SOLUONGHOSO>${input.episodes.length}</SOLUONGHOSO>\n    <DANHSACHHOSO>\n`,
  ];
  for (const ep of input.episodes) {
    parts.push('      <HOSO>\n');
    for (const code of Object.keys(ep).sort(tableOrder)) {
      const b64 = Buffer.from(buildInnerXml(code, ep[code]!), 'utf8').toString('base64');
      parts.push(`        <FILEHOSO>\n          <LOAIHOSO>${code}</LOAIHOSO>\n          <NOIDUNGFILE>${b64}</NOIDUNGFILE>\n        </FILEHOSO>\n`);
    }
    parts.push('      </HOSO>\n');
  }
  parts.push('    </DANHSACHHOSO>\n  </THONGTINHOSO>\n  <CHUKYDONVI></CHUKYDONVI>\n</GIAMDINHHS>\n');
  return parts.join('');
}

/** Unsigned XML0 check-in document. */
export function buildCheckin(rows: ReadonlyArray<Readonly<Record<string, string>>>): string {
  const def = tableByCode('XML0')!;
  let out = `${DECL}<${def.root}>\n  <${def.list}>\n`;
  for (const r of rows) out += `    <${def.row}>\n${rowBody(def, r, '      ')}    </${def.row}>\n`;
  return `${out}  </${def.list}>\n  <CHUKYDONVI></CHUKYDONVI>\n</${def.root}>\n`;
}
