import { type CodeSetName, FIELD_CODE_SETS } from './codesets.ts';
import { tableByCode } from './tables.ts';
import type { FieldDef, TableDef } from './types.ts';

export type Row = Readonly<Record<string, string | undefined>>;

export type FieldRule =
  /** presenceOnly: the element must exist but may be empty ("empty if ..." in the standard). */
  | { kind: 'required'; field: string; presenceOnly: boolean }
  | { kind: 'conditional'; field: string; condition: string; when: (row: Row) => boolean }
  | { kind: 'oneOf'; fields: string[] }
  | { kind: 'number'; field: string; max: number | null }
  | { kind: 'maxLength'; field: string; max: number }
  | { kind: 'date'; field: string; lengths: readonly number[]; multi: boolean; allowZeroDayMonth: boolean }
  | { kind: 'codeSet'; field: string; set: CodeSetName }
  | { kind: 'range'; field: string; min: number; max: number }
  | { kind: 'icd'; field: string; multi: boolean; maxCount: number | null }
  | { kind: 'cccd'; field: string; birthField: string | null; sexField: string | null }
  | { kind: 'bhyt'; field: string }
  | { kind: 'shape'; field: string; pattern: RegExp; code: string; vi: string; en: string }
  | { kind: 'order'; fields: string[] }
  | { kind: 'facility'; field: string };

/** Rules keyed by element name, applied in every table that has the element. */
export const NAME_RULES: Readonly<Record<string, readonly FieldRule[]>> = {
  MA_BENH_CHINH: [{ kind: 'icd', field: 'MA_BENH_CHINH', multi: false, maxCount: 1 }],
  MA_BENH_KT: [{ kind: 'icd', field: 'MA_BENH_KT', multi: true, maxCount: 12 }],
  MA_BENH: [{ kind: 'icd', field: 'MA_BENH', multi: true, maxCount: null }],
  SO_CCCD: [{ kind: 'cccd', field: 'SO_CCCD', birthField: 'NGAY_SINH', sexField: 'GIOI_TINH' }],
  SO_CCCD_NND: [{ kind: 'cccd', field: 'SO_CCCD_NND', birthField: 'NGAYSINH_NND', sexField: null }],
  MA_THE_BHYT: [{ kind: 'bhyt', field: 'MA_THE_BHYT' }],
  TYLE_TT_BH: [{ kind: 'range', field: 'TYLE_TT_BH', min: 0, max: 100 }],
  TYLE_TT_DV: [{ kind: 'range', field: 'TYLE_TT_DV', min: 0, max: 100 }],
  MUC_HUONG: [{ kind: 'range', field: 'MUC_HUONG', min: 0, max: 100 }],
  MA_DOITUONG_KCB: [
    {
      kind: 'shape',
      field: 'MA_DOITUONG_KCB',
      pattern: /^\d{1,2}(\.\d{1,2})?$/,
      code: 'DOITUONG_SHAPE',
      vi: 'Mã đối tượng KCB không có dạng của danh mục QĐ 824 (ví dụ 1.1, 2, 3.2).',
      en: 'MA_DOITUONG_KCB does not look like a QĐ 824 code (e.g. 1.1, 2, 3.2).',
    },
  ],
};

/** Rules that only make sense for one table. */
export const TABLE_RULES: Readonly<Record<string, readonly FieldRule[]>> = {
  XML0: [{ kind: 'facility', field: 'MA_CSKCB' }],
  XML1: [{ kind: 'facility', field: 'MA_CSKCB' }],
  // "as QĐ 4210": a service/supply row names at least one of its codes, and each code its name.
  XML3: [{ kind: 'oneOf', fields: ['MA_DICH_VU', 'MA_VAT_TU'] }],
};

/** Condition text used instead of the published one where the published text is only a reference. */
export const CONDITION_OVERRIDES: Readonly<Record<string, string>> = {
  'XML3.TEN_VAT_TU': 'MA_VAT_TU present',
  'XML3.TEN_DICH_VU': 'MA_DICH_VU present',
};

/** Date formats that differ from what the field description says (both amendments in use). */
export const DATE_LENGTH_OVERRIDES: Readonly<Record<string, readonly number[]>> = {
  // 4750 said 12 chars, 3176 says 8; senders are migrating.
  NGAY_HEN_KL: [8, 12],
};

/** Only NGAY_SINH may carry 00 for an unknown day or month (standard section 4). */
const ZERO_DAY_MONTH_FIELDS = new Set(['NGAY_SINH']);

function empty(v: string | undefined): boolean {
  return v === undefined || v.trim() === '';
}

/** Turns the published condition wording into a predicate; null when it cannot be read mechanically. */
export function compileCondition(condition: string): ((row: Row) => boolean) | null {
  const c = condition.trim();
  let m = /^([A-Z_0-9]+) present$/.exec(c);
  if (m) {
    const f = m[1]!;
    return (row) => !empty(row[f]);
  }
  m = /^([A-Z_0-9]+)\s*=\s*([\w.]+)$/.exec(c);
  if (m) {
    const [, f, v] = m as unknown as [string, string, string];
    return (row) => row[f]?.trim() === v;
  }
  m = /^([A-Z_0-9]+)\s*<>\s*([\w.]+)$/.exec(c);
  if (m) {
    const [, f, v] = m as unknown as [string, string, string];
    return (row) => !empty(row[f]) && row[f]!.trim() !== v;
  }
  m = /^([A-Z_0-9]+) in ([\w.,\s]+)$/.exec(c);
  if (m) {
    const f = m[1]!;
    const set = new Set(m[2]!.split(',').map((s) => s.trim()));
    return (row) => set.has(row[f]?.trim() ?? '');
  }
  m = /^no ([A-Z_0-9]+) and no ([A-Z_0-9]+)$/.exec(c);
  if (m) {
    const [, a, b] = m as unknown as [string, string, string];
    return (row) => empty(row[a]) && empty(row[b]);
  }
  m = /^Y except ([A-Z_0-9]+) ([\w.,\s]+)$/.exec(c);
  if (m) {
    const f = m[1]!;
    const set = new Set(m[2]!.split(',').map((s) => s.trim()));
    return (row) => !set.has(row[f]?.trim() ?? '');
  }
  if (/\(Y\)$/.test(c)) return () => true;
  return null;
}

/** Date lengths implied by the field description, or null when the field is not a date. */
export function dateLengths(f: FieldDef): readonly number[] | null {
  const override = DATE_LENGTH_OVERRIDES[f.name];
  if (override) return override;
  const instant = f.meaning.includes('yyyyMMddHHmm');
  const date = /yyyyMMdd(?!HH)/.test(f.meaning);
  if (instant && date) return [8, 12];
  if (instant) return [12];
  if (date) return [8];
  return null;
}

function compileTable(def: TableDef): FieldRule[] {
  const rules: FieldRule[] = [];
  const names = new Set(def.fields.map((f) => f.name));
  for (const f of def.fields) {
    if (f.req === 'Y') {
      rules.push({ kind: 'required', field: f.name, presenceOnly: /empty if|may be empty|empty otherwise/i.test(f.meaning) });
    } else if (f.req === 'C') {
      const condition = CONDITION_OVERRIDES[`${def.code}.${f.name}`] ?? f.condition ?? '';
      const when = compileCondition(condition);
      if (when) rules.push({ kind: 'conditional', field: f.name, condition, when });
    }
    const lengths = dateLengths(f);
    if (lengths) {
      rules.push({ kind: 'date', field: f.name, lengths, multi: f.meaning.includes('";"'), allowZeroDayMonth: ZERO_DAY_MONTH_FIELDS.has(f.name) });
    } else if (f.type === 'N') {
      rules.push({ kind: 'number', field: f.name, max: f.max });
    } else if (f.max !== null) {
      rules.push({ kind: 'maxLength', field: f.name, max: f.max });
    }
    const set = FIELD_CODE_SETS[f.name];
    if (set) rules.push({ kind: 'codeSet', field: f.name, set });
    for (const r of NAME_RULES[f.name] ?? []) rules.push(r);
  }
  const order = ['NGAY_VAO', 'NGAY_VAO_NOI_TRU', 'NGAY_RA'].filter((n) => names.has(n));
  if (order.length >= 2) rules.push({ kind: 'order', fields: order });
  for (const r of TABLE_RULES[def.code] ?? []) rules.push(r);
  return rules;
}

const CACHE = new Map<string, FieldRule[]>();

/** The rule list of one table (XML0..XML15), derived from its definition plus the data above. */
export function rulesFor(code: string): readonly FieldRule[] {
  let rules = CACHE.get(code);
  if (!rules) {
    const def = tableByCode(code);
    rules = def ? compileTable(def) : [];
    CACHE.set(code, rules);
  }
  return rules;
}
