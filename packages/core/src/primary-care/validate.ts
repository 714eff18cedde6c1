import { ICD10, icd10Name, normalizeIcd10, type Sensitivity, sensitivityOf } from '../codes/icd10.ts';
import type { BilingualMessage } from '../errors.ts';
import { CODE_LISTS, isCodeOf } from './codesets.ts';
import {
  type FieldDef,
  type FieldType,
  fieldDef,
  ITEM_REMOVED,
  mayApply,
  type PersonFacts,
  SECTION_NONE,
  type SectionDef,
  sectionDef,
} from './form.ts';

/** A stored field value: JSON scalars, or a list of codes. */
export type FieldValue = string | number | boolean | string[];

export interface FieldIssue extends BilingualMessage {
  /** The field concerned ('' for the entry as a whole). */
  field: string;
}

const issue = (field: string, code: string, message_vi: string, message_en: string): FieldIssue => ({ field, code, message_vi, message_en });

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const PARTIAL_DATE = /^(\d{4})(?:-(\d{2}))?$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A real calendar day 'YYYY-MM-DD'. */
export function isIsoDate(s: string): boolean {
  const m = ISO_DATE.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

const EARLIEST = '1900-01-01';

/** A date field: a real day (or year / year-month where partial), not before 1900 and not after today. */
export function checkDate(field: string, label: string, raw: string, partial: boolean, today: string): FieldIssue | string {
  const s = raw.trim();
  let lower: string;
  if (isIsoDate(s)) lower = s;
  else {
    const m = partial ? PARTIAL_DATE.exec(s) : null;
    if (!m || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 12))) {
      return partial
        ? issue(field, 'DATE_INVALID', `${label}: "${s}" không phải ngày hợp lệ (dạng YYYY-MM-DD, YYYY-MM hoặc YYYY).`, `${label}: "${s}" is not a date (YYYY-MM-DD, YYYY-MM or YYYY).`)
        : issue(field, 'DATE_INVALID', `${label}: "${s}" không phải ngày hợp lệ (dạng YYYY-MM-DD).`, `${label}: "${s}" is not a date (YYYY-MM-DD).`);
    }
    lower = `${m[1]}-${m[2] ?? '01'}-01`;
  }
  if (lower > today) return issue(field, 'DATE_IN_FUTURE', `${label}: ngày ${s} ở tương lai.`, `${label}: ${s} is in the future.`);
  if (lower < EARLIEST) return issue(field, 'DATE_TOO_EARLY', `${label}: ngày ${s} trước năm 1900.`, `${label}: ${s} is before 1900.`);
  return s;
}

const ICD10_FORMAT = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?$/;
const CATEGORIES: ReadonlySet<string> = new Set(ICD10.map((e) => e.code.slice(0, 3)));

/**
 * An ICD-10 code checked against the project's list (core/codes, a working subset of the MoH list):
 * the canonical form, its name, and whether it is sensitive. A code whose 3-character category the
 * list carries is accepted even when the exact subcategory is missing from the subset; any other
 * category is refused until the list carries it.
 */
export function checkIcd10(field: string, raw: string): FieldIssue | { code: string; name: string | null; sensitivity: Sensitivity | null } {
  const c = normalizeIcd10(raw);
  if (!ICD10_FORMAT.test(c)) {
    return issue(field, 'ICD10_INVALID', `Mã ICD-10 "${raw.trim()}" sai định dạng (ví dụ đúng: I10, E11.9).`, `ICD-10 code "${raw.trim()}" is malformed (e.g. I10, E11.9).`);
  }
  if (!CATEGORIES.has(c.slice(0, 3))) {
    return issue(field, 'ICD10_UNKNOWN', `Mã ICD-10 "${c}" không có trong danh mục mã bệnh của hệ thống.`, `ICD-10 code "${c}" is not in the system's code list.`);
  }
  return { code: c, name: icd10Name(c) ?? icd10Name(c.slice(0, 3)) ?? null, sensitivity: sensitivityOf(c) };
}

const PHONE = /^(0|\+84)[0-9]{9,10}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const describeRange = (t: { min: number; max: number; unit?: string }) => `${t.min}–${t.max}${t.unit ? ` ${t.unit}` : ''}`;

/**
 * One field value, typed and normalised (text trimmed, codes checked, numbers rounded to the
 * field's precision). An empty text or null clears the field.
 */
export function checkFieldValue(def: FieldDef, raw: unknown, today: string): FieldIssue | { value: FieldValue | null } {
  const t: FieldType = def.type;
  const f = def.key;
  const label = def.label_vi;
  const labelEn = def.label_en;
  if (raw === null || raw === undefined) return { value: null };
  const wrongType = (vi: string, en: string) => issue(f, 'FIELD_TYPE', `${label}: cần ${vi}.`, `${labelEn}: expected ${en}.`);
  switch (t.kind) {
    case 'text': {
      if (typeof raw !== 'string') return wrongType('chuỗi ký tự', 'text');
      const s = raw.trim().replace(/\s+/g, ' ');
      if (s.length > t.maxLength) return issue(f, 'TEXT_TOO_LONG', `${label}: dài quá ${t.maxLength} ký tự.`, `${labelEn}: longer than ${t.maxLength} characters.`);
      return { value: s || null };
    }
    case 'code': {
      if (typeof raw !== 'string') return wrongType('một mã trong danh mục', 'a code');
      if (raw === '') return { value: null };
      if (!isCodeOf(t.list, raw)) {
        return issue(f, 'CODE_UNKNOWN', `${label}: "${raw}" không có trong danh mục «${CODE_LISTS[t.list].label_vi}».`, `${labelEn}: "${raw}" is not in the list '${t.list}'.`);
      }
      return { value: raw };
    }
    case 'codes': {
      if (!Array.isArray(raw) || raw.some((x) => typeof x !== 'string')) return wrongType('danh sách mã', 'a list of codes');
      const codes = [...new Set(raw as string[])];
      const bad = codes.find((c) => !isCodeOf(t.list, c));
      if (bad !== undefined) {
        return issue(f, 'CODE_UNKNOWN', `${label}: "${bad}" không có trong danh mục «${CODE_LISTS[t.list].label_vi}».`, `${labelEn}: "${bad}" is not in the list '${t.list}'.`);
      }
      return { value: codes.length ? codes : null };
    }
    case 'number':
    case 'integer': {
      if (typeof raw !== 'number' || !Number.isFinite(raw)) return wrongType('một số', 'a number');
      if (t.kind === 'integer' && !Number.isInteger(raw)) return issue(f, 'NOT_INTEGER', `${label}: cần số nguyên.`, `${labelEn}: must be a whole number.`);
      if (raw < t.min || raw > t.max) {
        return issue(f, 'OUT_OF_RANGE', `${label}: ${raw} nằm ngoài khoảng cho phép (${describeRange(t)}).`, `${labelEn}: ${raw} is outside ${describeRange(t)}.`);
      }
      const p = t.kind === 'number' ? 10 ** t.decimals : 1;
      return { value: Math.round(raw * p) / p };
    }
    case 'boolean':
      return typeof raw === 'boolean' ? { value: raw } : wrongType('có/không (true/false)', 'true or false');
    case 'date': {
      if (typeof raw !== 'string') return wrongType('một ngày', 'a date');
      if (raw.trim() === '') return { value: null };
      const d = checkDate(f, label, raw, t.partial, today);
      return typeof d === 'string' ? { value: d } : d;
    }
    case 'icd10': {
      if (typeof raw !== 'string') return wrongType('mã ICD-10', 'an ICD-10 code');
      if (raw.trim() === '') return { value: null };
      const r = checkIcd10(f, raw);
      return 'field' in r ? r : { value: r.code };
    }
    case 'phone': {
      if (typeof raw !== 'string') return wrongType('số điện thoại', 'a phone number');
      const s = raw.replace(/[\s.-]/g, '');
      if (s === '') return { value: null };
      return PHONE.test(s) ? { value: s } : issue(f, 'PHONE_INVALID', `${label}: "${raw}" không phải số điện thoại hợp lệ.`, `${labelEn}: "${raw}" is not a phone number.`);
    }
    case 'email': {
      if (typeof raw !== 'string') return wrongType('địa chỉ thư điện tử', 'an e-mail address');
      const s = raw.trim();
      if (s === '') return { value: null };
      return s.length <= 200 && EMAIL.test(s) ? { value: s } : issue(f, 'EMAIL_INVALID', `${label}: "${raw}" không phải địa chỉ thư điện tử hợp lệ.`, `${labelEn}: "${raw}" is not an e-mail address.`);
    }
  }
}

export interface RecordEntryInput {
  section: string;
  /** Item id (uuid) of a list section; absent for single sections and for the section's "none" flag. */
  itemId?: string | null | undefined;
  values: Readonly<Record<string, unknown>>;
}

export interface CheckedRecordEntry {
  section: SectionDef;
  /** '' for a single section and for a list section's own flags. */
  itemId: string;
  values: Record<string, FieldValue | null>;
}

/**
 * An 831 entry before it meets the stored record: the section exists and may be recorded for this
 * person, the item id fits the section, and every field is known and valid. Checks that need the
 * rest of the item or section (required fields, sums) run on the merged result: checkMerged.
 */
export function validateRecordEntry(e: RecordEntryInput, person: PersonFacts, today: string): { ok: true; entry: CheckedRecordEntry } | { ok: false; issues: FieldIssue[] } {
  const section = sectionDef(e.section);
  if (!section) {
    return { ok: false, issues: [issue('section', 'SECTION_UNKNOWN', `Phiếu 831 không có phần "${e.section}".`, `The 831 form has no section '${e.section}'.`)] };
  }
  if (!mayApply(section.appliesTo, person)) {
    const a = section.appliesTo!;
    return {
      ok: false,
      issues: [issue('section', 'SECTION_NOT_APPLICABLE', `Phần «${section.label_vi}» chỉ áp dụng cho ${a.label_vi}.`, `Section '${section.label_en}' applies only to ${a.label_en}.`)],
    };
  }
  const keys = Object.keys(e.values);
  if (keys.length === 0) return { ok: false, issues: [issue('values', 'NO_VALUES', 'Mục ghi không có giá trị nào.', 'The entry carries no values.')] };
  const itemId = e.itemId ?? '';
  const issues: FieldIssue[] = [];
  if (section.kind === 'single' && itemId !== '') {
    issues.push(issue('itemId', 'ITEM_NOT_ALLOWED', `Phần «${section.label_vi}» không chia thành từng mục.`, `Section '${section.label_en}' has no items.`));
  }
  if (section.kind === 'list') {
    if (itemId === '' && keys.some((k) => k !== SECTION_NONE)) {
      issues.push(issue('itemId', 'ITEM_ID_REQUIRED', `Mỗi mục của phần «${section.label_vi}» cần mã mục (itemId).`, `Items of section '${section.label_en}' need an itemId.`));
    }
    if (itemId !== '' && !UUID.test(itemId)) issues.push(issue('itemId', 'ITEM_ID_INVALID', 'Mã mục (itemId) phải là UUID.', 'itemId must be a UUID.'));
    if (itemId !== '' && keys.includes(SECTION_NONE)) {
      issues.push(issue(SECTION_NONE, 'NONE_ON_ITEM', '«Không có» ghi cho cả phần, không ghi cho một mục.', "'none' belongs to the section, not to an item."));
    }
    if (itemId === '' && keys.includes(ITEM_REMOVED)) issues.push(issue(ITEM_REMOVED, 'REMOVED_NEEDS_ITEM', 'Cần mã mục để xóa một mục.', 'Removing needs an itemId.'));
  }
  const values: Record<string, FieldValue | null> = {};
  for (const k of keys) {
    const def = fieldDef(section, k);
    if (!def) {
      issues.push(issue(k, 'FIELD_UNKNOWN', `Phần «${section.label_vi}» không có trường "${k}".`, `Section '${section.label_en}' has no field '${k}'.`));
      continue;
    }
    const r = checkFieldValue(def, e.values[k], today);
    if ('field' in r) issues.push(r);
    else values[k] = r.value;
  }
  return issues.length ? { ok: false, issues } : { ok: true, entry: { section, itemId, values } };
}

const present = (v: FieldValue | null | undefined) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0);

/**
 * Checks on the item or section as it stands after the entry (stored values merged with the
 * winning new ones): required fields of a live item, conditional requirements, and sums.
 */
export function checkMerged(section: SectionDef, itemId: string, merged: Readonly<Record<string, FieldValue | null>>): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (section.kind === 'list' && itemId !== '' && merged[ITEM_REMOVED] !== true) {
    for (const f of section.fields) {
      const needed = f.required || f.requiredWhen?.in.includes(String(merged[f.requiredWhen.field] ?? ''));
      if (needed && !present(merged[f.key])) {
        issues.push(issue(f.key, 'FIELD_REQUIRED', `Mục «${section.label_vi}» cần có «${f.label_vi}».`, `An item of '${section.label_en}' needs '${f.label_en}'.`));
      }
    }
  }
  for (const s of section.sumChecks ?? []) {
    const total = merged[s.total];
    if (typeof total !== 'number') continue;
    const sum = s.parts.reduce((acc, p) => acc + (typeof merged[p] === 'number' ? (merged[p] as number) : 0), 0);
    if (sum > total) issues.push(issue(s.total, 'SUM_EXCEEDS_TOTAL', s.message_vi, s.message_en));
  }
  return issues;
}

/** Condition groups whose items are sensitive whatever their ICD-10 code (mental health, TB). */
export const SENSITIVE_CONDITION_GROUPS: Readonly<Record<string, Sensitivity>> = { tam_than: 'mental', tu_ky: 'mental', lao: 'tb' };

/**
 * Whether an 831 item is sensitive (HIV, TB, mental health) by its ICD-10 code or its condition
 * group: such items follow the project's rule for sensitive episodes (hidden unless asked for).
 */
export function itemSensitivity(values: Readonly<Record<string, FieldValue | null>>): Sensitivity | null {
  const code = values.ma_icd10;
  if (typeof code === 'string') {
    const s = sensitivityOf(code);
    if (s) return s;
  }
  const group = values.nhom;
  return typeof group === 'string' ? (SENSITIVE_CONDITION_GROUPS[group] ?? null) : null;
}
