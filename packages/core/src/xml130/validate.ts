import { parseBhyt, parseCccd } from '../identifiers/index.ts';
import { CODE_SETS, isInCodeSet } from './codesets.ts';
import type { ParsedEpisode, ParsedRow } from './parse.ts';
import { type FieldRule, type Row, rulesFor } from './rules.ts';
import { tableByCode } from './tables.ts';
import type { Issue } from './types.ts';

export interface ValidationContext {
  /** Facility code of the envelope (MACSKCB); MA_CSKCB of XML1/XML0 must equal it. */
  facilityCode: string;
  /** When the envelope was received: an episode cannot have ended after it. */
  receivedAt?: Date | undefined;
}

export interface EpisodeValidation {
  status: 'accepted' | 'accepted_with_warnings' | 'rejected';
  issues: Issue[];
}

const ICD10 = /^[A-Z]\d{2}(\.?[0-9A-Z]{1,2})?$/;
const NUMBER = /^\d+(\.\d+)?$/;
const DIGITS = /^\d+$/;
/** Money totals may differ from the sum of lines by rounding; more than this is a real mismatch. */
const MONEY_TOLERANCE = 1;

function mk(table: string, row: number | null, field: string | null, code: string, severity: Issue['severity'], vi: string, en: string): Issue {
  return { table, row, field, code, severity, message_vi: vi, message_en: en };
}

function daysInMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/** null when valid; otherwise the reason. */
export function checkDate(v: string, lengths: readonly number[], allowZeroDayMonth: boolean): 'format' | 'value' | null {
  if (!DIGITS.test(v) || !lengths.includes(v.length)) return 'format';
  const y = Number(v.slice(0, 4));
  const m = Number(v.slice(4, 6));
  const d = Number(v.slice(6, 8));
  if (y < 1800 || y > 2199) return 'value';
  if (allowZeroDayMonth && m === 0) {
    if (d !== 0) return 'value';
  } else if (allowZeroDayMonth && d === 0) {
    if (m < 1 || m > 12) return 'value';
  } else if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) {
    return 'value';
  }
  if (v.length === 12) {
    const hh = Number(v.slice(8, 10));
    const mi = Number(v.slice(10, 12));
    if (hh > 23 || mi > 59) return 'value';
  }
  return null;
}

function fmtLengths(lengths: readonly number[]): string {
  return lengths.map((l) => (l === 8 ? 'yyyyMMdd' : 'yyyyMMddHHmm')).join(' / ');
}

function split(v: string): string[] {
  return v.split(';').map((s) => s.trim()).filter((s) => s !== '');
}

function applyRule(table: string, rowNo: number | null, row: Row, rule: FieldRule, ctx: ValidationContext, out: Issue[]): void {
  switch (rule.kind) {
    case 'required': {
      const v = row[rule.field];
      if (v === undefined || (!rule.presenceOnly && v.trim() === '')) {
        out.push(mk(table, rowNo, rule.field, 'REQUIRED_MISSING', 'error', `Thiếu trường bắt buộc ${rule.field}.`, `Required field ${rule.field} is missing.`));
      }
      return;
    }
    case 'conditional': {
      const v = row[rule.field];
      if ((v === undefined || v.trim() === '') && rule.when(row)) {
        out.push(mk(table, rowNo, rule.field, 'CONDITIONAL_MISSING', 'error', `Thiếu trường ${rule.field} (bắt buộc khi: ${rule.condition}).`, `Field ${rule.field} is missing (required when: ${rule.condition}).`));
      }
      return;
    }
    case 'oneOf': {
      if (rule.fields.every((f) => (row[f] ?? '').trim() === '')) {
        const list = rule.fields.join(' / ');
        out.push(mk(table, rowNo, rule.fields[0]!, 'ONE_OF_MISSING', 'error', `Phải có ít nhất một trong các trường ${list}.`, `At least one of ${list} is required.`));
      }
      return;
    }
    case 'order': {
      let prev: { field: string; v: string } | null = null;
      for (const f of rule.fields) {
        const v = row[f]?.trim() ?? '';
        if (v === '' || checkDate(v, [8, 12], false) !== null) continue;
        const key = v.padEnd(12, '0');
        if (prev && key < prev.v) {
          out.push(mk(table, rowNo, f, 'DATE_ORDER', 'error', `${f} (${v}) sớm hơn ${prev.field}.`, `${f} (${v}) is earlier than ${prev.field}.`));
        }
        prev = { field: f, v: key };
      }
      return;
    }
    default:
      break;
  }
  const raw = row[rule.field];
  if (raw === undefined) return;
  const v = raw.trim();
  if (v === '') return;
  const field = rule.field;
  switch (rule.kind) {
    case 'number':
      if (!NUMBER.test(v)) {
        out.push(mk(table, rowNo, field, 'NUMBER_INVALID', 'error', `${field} = "${v}" không phải số không âm (dấu chấm thập phân).`, `${field} = "${v}" is not a non-negative number with a dot decimal separator.`));
      } else if (rule.max !== null && v.length > rule.max) {
        out.push(mk(table, rowNo, field, 'MAX_LENGTH', 'error', `${field} dài ${v.length} ký tự, tối đa ${rule.max}.`, `${field} is ${v.length} characters long, maximum ${rule.max}.`));
      }
      return;
    case 'maxLength':
      if (raw.length > rule.max) {
        out.push(mk(table, rowNo, field, 'MAX_LENGTH', 'error', `${field} dài ${raw.length} ký tự, tối đa ${rule.max}.`, `${field} is ${raw.length} characters long, maximum ${rule.max}.`));
      }
      return;
    case 'date': {
      for (const part of rule.multi ? split(v) : [v]) {
        const bad = checkDate(part, rule.lengths, rule.allowZeroDayMonth);
        if (bad === 'format') {
          out.push(mk(table, rowNo, field, 'DATE_FORMAT', 'error', `${field} = "${part}" phải có dạng ${fmtLengths(rule.lengths)}.`, `${field} = "${part}" must be ${fmtLengths(rule.lengths)}.`));
        } else if (bad === 'value') {
          out.push(mk(table, rowNo, field, 'DATE_INVALID', 'error', `${field} = "${part}" không phải ngày giờ có thật.`, `${field} = "${part}" is not a real calendar date/time.`));
        }
      }
      return;
    }
    case 'codeSet':
      if (!isInCodeSet(rule.set, v)) {
        const allowed = Object.keys(CODE_SETS[rule.set]).join(', ');
        out.push(mk(table, rowNo, field, 'CODE_INVALID', 'error', `${field} = "${v}" không thuộc danh mục (${allowed}).`, `${field} = "${v}" is not in the code set (${allowed}).`));
      }
      return;
    case 'range': {
      const n = Number(v);
      if (NUMBER.test(v) && (n < rule.min || n > rule.max)) {
        out.push(mk(table, rowNo, field, 'RANGE', 'error', `${field} = ${v} nằm ngoài khoảng ${rule.min}–${rule.max}.`, `${field} = ${v} is outside ${rule.min}–${rule.max}.`));
      }
      return;
    }
    case 'icd': {
      const codes = rule.multi ? split(v) : [v];
      for (const c of codes) {
        if (!ICD10.test(c)) {
          out.push(mk(table, rowNo, field, 'ICD10_FORMAT', 'error', `${field}: "${c}" không phải mã ICD-10 hợp lệ.`, `${field}: "${c}" is not a well-formed ICD-10 code.`));
        }
      }
      if (rule.maxCount !== null && codes.length > rule.maxCount) {
        out.push(mk(table, rowNo, field, 'ICD10_TOO_MANY', 'warning', `${field} có ${codes.length} mã, tối đa ${rule.maxCount}.`, `${field} has ${codes.length} codes, at most ${rule.maxCount}.`));
      }
      return;
    }
    case 'cccd': {
      const birth = rule.birthField ? row[rule.birthField]?.trim() : undefined;
      const birthYear = birth && /^\d{4}/.test(birth) ? Number(birth.slice(0, 4)) : undefined;
      const sexCode = rule.sexField ? row[rule.sexField]?.trim() : undefined;
      const sex = sexCode === '1' ? 'male' : sexCode === '2' ? 'female' : undefined;
      const r = parseCccd(v, { birthYear, sex });
      if (r.ok) {
        for (const w of r.warnings) out.push(mk(table, rowNo, field, w.code, 'warning', w.message_vi, w.message_en));
      } else if (/^\d{9}$/.test(v)) {
        out.push(mk(table, rowNo, field, 'CCCD_OLD_CMND', 'warning', `${field} là số CMND 9 chữ số, không phải số định danh 12 chữ số.`, `${field} is a 9-digit old ID card number, not a 12-digit personal ID.`));
      } else if (/^[A-Z][A-Z0-9]{6,8}$/.test(v)) {
        out.push(mk(table, rowNo, field, 'CCCD_PASSPORT', 'warning', `${field} có dạng số hộ chiếu, không phải số định danh.`, `${field} looks like a passport number, not a personal ID.`));
      } else {
        out.push(mk(table, rowNo, field, r.error.code, 'error', r.error.message_vi, r.error.message_en));
      }
      return;
    }
    case 'bhyt': {
      const cards = split(v);
      for (const c of cards) {
        const r = parseBhyt(c);
        if (!r.ok) out.push(mk(table, rowNo, field, r.error.code, 'error', `${c}: ${r.error.message_vi}`, `${c}: ${r.error.message_en}`));
      }
      for (const f of ['GT_THE_TU', 'GT_THE_DEN']) {
        const dates = row[f];
        if (dates !== undefined && dates.trim() !== '' && split(dates).length !== cards.length) {
          out.push(mk(table, rowNo, f, 'BHYT_DATES_COUNT', 'warning', `Số giá trị của ${f} khác số thẻ BHYT (${cards.length}).`, `${f} has a different number of values than there are cards (${cards.length}).`));
        }
      }
      return;
    }
    case 'shape':
      if (!rule.pattern.test(v)) out.push(mk(table, rowNo, field, rule.code, 'warning', rule.vi, rule.en));
      return;
    case 'facility':
      if (v !== ctx.facilityCode) {
        out.push(mk(table, rowNo, field, 'FACILITY_MISMATCH', 'error', `${field} = "${v}" khác mã cơ sở gửi hồ sơ (${ctx.facilityCode}).`, `${field} = "${v}" differs from the submitting facility (${ctx.facilityCode}).`));
      }
      return;
  }
}

/** Field-level checks of one row of a table; row numbers are 1-based, null for single-row tables. */
export function validateRow(table: string, row: Row, ctx: ValidationContext, rowNo: number | null = null): Issue[] {
  const out: Issue[] = [];
  for (const rule of rulesFor(table)) applyRule(table, rowNo, row, rule, ctx, out);
  return out;
}

/** One XML0 check-in row. Accepts a parsed row or a plain record of element values. */
export function validateCheckinRow(row: ParsedRow | Row, ctx: ValidationContext, rowNo: number | null = null): Issue[] {
  const fields = 'fields' in row && typeof row.fields === 'object' ? (row as ParsedRow).fields : (row as Row);
  return validateRow('XML0', fields, ctx, rowNo);
}

function money(v: string | undefined): number | null {
  const t = v?.trim();
  return t !== undefined && NUMBER.test(t) ? Number(t) : null;
}

function sum(rows: readonly ParsedRow[], field: string, filter?: (r: ParsedRow) => boolean): number | null {
  let total = 0;
  for (const r of rows) {
    if (filter && !filter(r)) continue;
    const n = money(r.fields[field]);
    if (n === null) return null;
    total += n;
  }
  return total;
}

function sumIssue(field: string, declared: number, computed: number, what_vi: string, what_en: string): Issue {
  const fmt = (n: number) => (Math.round(n * 100) / 100).toString();
  return mk('XML1', 1, field, 'SUM_MISMATCH', 'error', `${field} = ${fmt(declared)} khác ${what_vi} = ${fmt(computed)}.`, `${field} = ${fmt(declared)} differs from ${what_en} = ${fmt(computed)}.`);
}

/**
 * Validates one parsed episode: field rules per row, then rules across tables. Pure function of
 * its inputs, so one episode can never influence another.
 */
export function validateEpisode(parsed: ParsedEpisode, ctx: ValidationContext): EpisodeValidation {
  const issues: Issue[] = [...parsed.issues];
  const t = parsed.tables;
  const xml1Rows = t['XML1'];
  if (!xml1Rows || xml1Rows.length === 0) {
    issues.push(mk('XML1', null, null, 'XML1_MISSING', 'error', 'Hồ sơ không có bảng XML1 (tổng hợp).', 'The episode has no XML1 (summary) table.'));
  } else if (xml1Rows.length !== 1) {
    issues.push(mk('XML1', null, null, 'XML1_ROW_COUNT', 'error', `Bảng XML1 phải có đúng một dòng (có ${xml1Rows.length}).`, `XML1 must have exactly one row (found ${xml1Rows.length}).`));
  }
  for (const [code, rows] of Object.entries(t)) {
    const def = tableByCode(code);
    if (!def) continue;
    if (!def.multi && rows.length > 1) {
      issues.push(mk(code, null, null, 'ROW_COUNT', 'error', `Bảng ${code} chỉ được có một dòng.`, `Table ${code} must have a single row.`));
    }
    const stts = new Set<string>();
    const hasStt = def.fields.some((f) => f.name === 'STT');
    rows.forEach((row, i) => {
      const rowNo = def.multi ? i + 1 : null;
      for (const x of validateRow(code, row.fields, ctx, rowNo)) issues.push(x);
      if (parsed.maLk !== null && code !== 'XML12') {
        const lk = row.fields['MA_LK']?.trim();
        if (lk && lk !== parsed.maLk) {
          issues.push(mk(code, rowNo, 'MA_LK', 'MA_LK_MISMATCH', 'error', `MA_LK "${lk}" khác MA_LK của XML1 ("${parsed.maLk}").`, `MA_LK "${lk}" differs from the XML1 MA_LK ("${parsed.maLk}").`));
        }
      }
      const stt = row.fields['STT']?.trim();
      if (hasStt && stt !== undefined && stt !== '') {
        if (!/^[1-9]\d*$/.test(stt)) {
          issues.push(mk(code, rowNo, 'STT', 'STT_INVALID', 'error', `STT "${stt}" phải là số nguyên dương.`, `STT "${stt}" must be a positive integer.`));
        } else if (stts.has(stt)) {
          issues.push(mk(code, rowNo, 'STT', 'STT_DUPLICATE', 'error', `STT ${stt} bị trùng trong bảng ${code}.`, `STT ${stt} is repeated in table ${code}.`));
        }
        stts.add(stt);
      }
    });
  }
  const x1 = xml1Rows?.length === 1 ? xml1Rows[0]!.fields : null;
  if (x1) crossTableMoney(x1, t, issues);
  if (x1) orderTimes(x1, t, issues);
  if (x1 && ctx.receivedAt) futureTimes(x1, ctx.receivedAt, issues);
  const hasError = issues.some((i) => i.severity === 'error');
  return { status: hasError ? 'rejected' : issues.length > 0 ? 'accepted_with_warnings' : 'accepted', issues };
}

function crossTableMoney(x1: Record<string, string>, t: ParsedEpisode['tables'], issues: Issue[]): void {
  const xml2 = t['XML2'];
  const xml3 = t['XML3'];
  const tThuoc = money(x1['T_THUOC']);
  const tVtyt = money(x1['T_VTYT']);
  const tTong = money(x1['T_TONGCHI_BV']);
  if (xml2 && tThuoc !== null) {
    const s = sum(xml2, 'THANH_TIEN_BV');
    if (s !== null && Math.abs(s - tThuoc) > MONEY_TOLERANCE) issues.push(sumIssue('T_THUOC', tThuoc, s, 'tổng THANH_TIEN_BV của XML2', 'the sum of XML2 THANH_TIEN_BV'));
  }
  if (xml3 && tVtyt !== null) {
    const s = sum(xml3, 'THANH_TIEN_BV', (r) => (r.fields['MA_VAT_TU'] ?? '').trim() !== '');
    if (s !== null && Math.abs(s - tVtyt) > MONEY_TOLERANCE) issues.push(sumIssue('T_VTYT', tVtyt, s, 'tổng THANH_TIEN_BV vật tư của XML3', 'the sum of XML3 supply THANH_TIEN_BV'));
  }
  if ((xml2 || xml3) && tTong !== null) {
    const s2 = xml2 ? sum(xml2, 'THANH_TIEN_BV') : 0;
    const s3 = xml3 ? sum(xml3, 'THANH_TIEN_BV') : 0;
    if (s2 !== null && s3 !== null && Math.abs(s2 + s3 - tTong) > MONEY_TOLERANCE) {
      issues.push(sumIssue('T_TONGCHI_BV', tTong, s2 + s3, 'tổng THANH_TIEN_BV của XML2 và XML3', 'the sum of XML2 and XML3 THANH_TIEN_BV'));
    }
  }
  const bh = money(x1['T_TONGCHI_BH']);
  const cct = money(x1['T_BNCCT']);
  const bhtt = money(x1['T_BHTT']);
  const khac = money(x1['T_NGUONKHAC']) ?? 0;
  if (bh !== null && cct !== null && bhtt !== null) {
    // 3176 lets other sources reduce T_BHTT, so both readings of the formula are accepted.
    const plain = bh - cct;
    if (Math.abs(plain - bhtt) > MONEY_TOLERANCE && Math.abs(plain - khac - bhtt) > MONEY_TOLERANCE) {
      issues.push(mk('XML1', null, 'T_BHTT', 'BHTT_MISMATCH', 'warning', `T_BHTT = ${bhtt} khác T_TONGCHI_BH − T_BNCCT = ${plain}.`, `T_BHTT = ${bhtt} differs from T_TONGCHI_BH − T_BNCCT = ${plain}.`));
    }
  }
}

/** A HIS clock may run a little ahead of ours; more than this is a wrong date, not drift. */
const CLOCK_SKEW_MS = 15 * 60_000;
const VN_OFFSET_MS = 7 * 3_600_000;

/** NGAY_VAO / NGAY_RA after the time of receipt: a typing or clock error the facility should correct. */
function futureTimes(x1: Record<string, string>, receivedAt: Date, issues: Issue[]): void {
  // XML 130 times are Viet Nam wall-clock (UTC+7 all year), compared here as yyyyMMddHHmm text.
  const limit = new Date(receivedAt.getTime() + CLOCK_SKEW_MS + VN_OFFSET_MS).toISOString().replace(/[-:T]/g, '').slice(0, 12);
  for (const field of ['NGAY_VAO', 'NGAY_RA']) {
    const v = x1[field]?.trim() ?? '';
    if (checkDate(v, [12], false) === null && v > limit) {
      const shown = `${v.slice(6, 8)}/${v.slice(4, 6)}/${v.slice(0, 4)} ${v.slice(8, 10)}:${v.slice(10, 12)}`;
      issues.push(mk('XML1', 1, field, 'DATE_IN_FUTURE', 'warning', `${field} ${shown} muộn hơn thời điểm nhận hồ sơ.`, `${field} ${shown} is later than the time the envelope was received.`));
    }
  }
}

function orderTimes(x1: Record<string, string>, t: ParsedEpisode['tables'], issues: Issue[]): void {
  const vao = x1['NGAY_VAO']?.trim() ?? '';
  const ra = x1['NGAY_RA']?.trim() ?? '';
  if (checkDate(vao, [12], false) !== null || checkDate(ra, [12], false) !== null) return;
  for (const code of ['XML2', 'XML3']) {
    t[code]?.forEach((row, i) => {
      const yl = row.fields['NGAY_YL']?.trim() ?? '';
      if (checkDate(yl, [12], false) === null && (yl < vao || yl > ra)) {
        issues.push(mk(code, i + 1, 'NGAY_YL', 'ORDER_OUTSIDE_EPISODE', 'warning', `NGAY_YL ${yl} nằm ngoài khoảng NGAY_VAO–NGAY_RA của XML1.`, `NGAY_YL ${yl} is outside the XML1 NGAY_VAO–NGAY_RA span.`));
      }
    });
  }
}
