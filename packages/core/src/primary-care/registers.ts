import { diagnosisCodes, normalizeIcd10 } from '../codes/icd10.ts';
import { isCodeOf } from './codesets.ts';
import { bloodPressurePair, checkMeasure, type MeasureKey } from './checkup.ts';
import { addDays, daysBetween } from '../time/days.ts';
import { checkDate, type FieldIssue, isIsoDate } from './validate.ts';

/**
 * Chronic-disease registers of the commune station (quản lý bệnh không lây nhiễm): which ICD-10
 * codes enrol or propose a person, what a monthly follow-up must measure, when it is due, and what
 * "controlled" means. All thresholds are data; their sources and open points are listed in
 * docs/primary-care.md.
 */
export type RegisterKey = 'hypertension' | 'diabetes' | 'copd' | 'asthma';

export type ControlRule =
  /** Controlled when systolic < sbpBelow AND diastolic < dbpBelow at the last visit. */
  | { kind: 'blood_pressure'; sbpBelow: number; dbpBelow: number }
  /** HbA1c < hba1cBelow when measured; otherwise a fasting glucose within [fastingMin, fastingMax]. */
  | { kind: 'glycaemia'; hba1cBelow: number; fastingMin: number; fastingMax: number }
  /** No exacerbation since the previous visit and symptoms not uncontrolled. */
  | { kind: 'no_exacerbation' }
  /** The clinician's assessed symptom-control level is one of `controlled`. */
  | { kind: 'symptom_control'; controlled: readonly string[] };

export interface RegisterDef {
  key: RegisterKey;
  label_vi: string;
  label_en: string;
  /** 3-character ICD-10 categories: a diagnosis in one of them enrols (station) or proposes (hospital episode). */
  icd10Categories: readonly string[];
  /** Days from a visit to the next follow-up, unless the clinician set an appointment. */
  followUpIntervalDays: number;
  /** A follow-up is overdue once today is more than this many days past its due day. */
  overdueGraceDays: number;
  /** Measurements a follow-up must carry: at least one group complete. */
  requiredAnyOf: readonly (readonly FollowUpMeasure[])[];
  control: ControlRule;
  /** Control rate: a person counts as controlled only if the last visit is at most this old… */
  controlWindowDays: number;
  /** …and is in the denominator only once enrolled this long (a new patient is not yet controlled). */
  cohortMinDays: number;
  source: string;
  verified: boolean;
}

export type FollowUpMeasure = 'sbp' | 'dbp' | 'glucose_mmol' | 'glucose_kind' | 'hba1c' | 'exacerbations' | 'symptom_control';

const MONTHLY = 30;

export const REGISTERS: readonly RegisterDef[] = [
  {
    key: 'hypertension',
    label_vi: 'Tăng huyết áp',
    label_en: 'Hypertension',
    icd10Categories: ['I10', 'I11', 'I12', 'I13', 'I15'],
    followUpIntervalDays: MONTHLY,
    overdueGraceDays: 0,
    requiredAnyOf: [['sbp', 'dbp']],
    control: { kind: 'blood_pressure', sbpBelow: 140, dbpBelow: 90 },
    controlWindowDays: 90,
    cohortMinDays: 90,
    source: 'BP < 140/90 mmHg: MoH hypertension guideline (QĐ 3192/QĐ-BYT 2010) general target and WHO HEARTS control indicator; monthly visits and the 3-month windows: HEARTS practice',
    verified: false,
  },
  {
    key: 'diabetes',
    label_vi: 'Đái tháo đường',
    label_en: 'Diabetes',
    icd10Categories: ['E10', 'E11', 'E12', 'E13', 'E14'],
    followUpIntervalDays: MONTHLY,
    overdueGraceDays: 0,
    requiredAnyOf: [['glucose_mmol', 'glucose_kind'], ['hba1c']],
    control: { kind: 'glycaemia', hba1cBelow: 7, fastingMin: 4.4, fastingMax: 7.2 },
    controlWindowDays: 90,
    cohortMinDays: 90,
    source: 'HbA1c < 7 %, fasting plasma glucose 4.4–7.2 mmol/L: MoH type 2 diabetes guideline (QĐ 5481/QĐ-BYT 2020) general targets',
    verified: false,
  },
  {
    key: 'copd',
    label_vi: 'Bệnh phổi tắc nghẽn mạn tính',
    label_en: 'COPD',
    icd10Categories: ['J44'],
    followUpIntervalDays: MONTHLY,
    overdueGraceDays: 0,
    requiredAnyOf: [['exacerbations'], ['symptom_control']],
    control: { kind: 'no_exacerbation' },
    controlWindowDays: 90,
    cohortMinDays: 90,
    source: 'project choice (no exacerbation since the last visit); to be checked against the MoH COPD guideline',
    verified: false,
  },
  {
    key: 'asthma',
    label_vi: 'Hen phế quản',
    label_en: 'Asthma',
    icd10Categories: ['J45', 'J46'],
    followUpIntervalDays: MONTHLY,
    overdueGraceDays: 0,
    requiredAnyOf: [['symptom_control']],
    control: { kind: 'symptom_control', controlled: ['kiem_soat'] },
    controlWindowDays: 90,
    cohortMinDays: 90,
    source: 'GINA symptom-control levels as assessed by the clinician',
    verified: false,
  },
];

/**
 * Why a station clinician ends an enrolment (kết thúc quản lý). A project choice, not a list from a
 * signed text; 'merged' (an MPI merge found the same person enrolled twice) is set by the system only.
 */
export const CLOSE_REASONS = [
  { key: 'moved_away', label_vi: 'Chuyển đi nơi khác', label_en: 'Moved away', noteRequired: false },
  { key: 'died', label_vi: 'Tử vong', label_en: 'Died', noteRequired: false },
  { key: 'transferred', label_vi: 'Chuyển quản lý sang cơ sở khác', label_en: 'Care transferred to another facility', noteRequired: false },
  { key: 'refused', label_vi: 'Người bệnh không tiếp tục tham gia quản lý', label_en: 'The patient declined further follow-up', noteRequired: false },
  { key: 'not_confirmed', label_vi: 'Chẩn đoán không được khẳng định', label_en: 'Diagnosis not confirmed', noteRequired: true },
  { key: 'other', label_vi: 'Lý do khác', label_en: 'Other reason', noteRequired: true },
] as const;
export type CloseReasonKey = (typeof CLOSE_REASONS)[number]['key'];
export const CLOSE_REASON_MERGED_VI = 'Gộp hồ sơ trùng (cùng một người quản lý hai lần)';

const BY_KEY: ReadonlyMap<string, RegisterDef> = new Map(REGISTERS.map((r) => [r.key, r]));
export const registerDef = (key: string): RegisterDef | undefined => BY_KEY.get(key);
export const REGISTER_KEYS: readonly RegisterKey[] = REGISTERS.map((r) => r.key);

/** Registers a single ICD-10 code belongs to (by its 3-character category). */
export function registersForCode(code: string): RegisterKey[] {
  const c = normalizeIcd10(code).slice(0, 3);
  return REGISTERS.filter((r) => r.icd10Categories.includes(c)).map((r) => r.key);
}

/**
 * Registers an episode's diagnoses point to, main (MA_BENH_CHINH) or secondary (MA_BENH_KT), each
 * with the first code that matched it.
 */
export function registersForDiagnoses(main: string | null | undefined, secondary: string | null | undefined): Array<{ register: RegisterKey; code: string }> {
  const out: Array<{ register: RegisterKey; code: string }> = [];
  for (const code of diagnosisCodes(main, secondary)) {
    for (const register of registersForCode(code)) if (!out.some((o) => o.register === register)) out.push({ register, code });
  }
  return out;
}

export interface FollowUpInput {
  visitDate: string;
  sbp?: number | null | undefined;
  dbp?: number | null | undefined;
  pulse?: number | null | undefined;
  glucoseMmol?: number | null | undefined;
  glucoseKind?: string | null | undefined;
  hba1c?: number | null | undefined;
  weightKg?: number | null | undefined;
  medicines?: ReadonlyArray<{ name: string; quantity?: number | undefined; unit?: string | undefined; days?: number | undefined }> | undefined;
  adherence?: string | null | undefined;
  exacerbations?: number | null | undefined;
  symptomControl?: string | null | undefined;
  /** An appointment the clinician set; otherwise the visit day plus the register's interval. */
  nextDue?: string | null | undefined;
  note?: string | null | undefined;
}

export interface CheckedFollowUp {
  visitDate: string;
  sbp: number | null;
  dbp: number | null;
  pulse: number | null;
  glucoseMmol: number | null;
  glucoseKind: string | null;
  hba1c: number | null;
  weightKg: number | null;
  medicines: Array<{ name: string; quantity: number | null; unit: string | null; days: number | null }>;
  adherence: string | null;
  exacerbations: number | null;
  symptomControl: string | null;
  nextDue: string;
  note: string | null;
  control: ControlStatus;
}

export type ControlStatus = 'controlled' | 'uncontrolled' | 'unknown';

const MEASURE_LABEL: Readonly<Record<FollowUpMeasure, string>> = {
  sbp: 'huyết áp tâm thu',
  dbp: 'huyết áp tâm trương',
  glucose_mmol: 'đường huyết',
  glucose_kind: 'loại xét nghiệm đường huyết',
  hba1c: 'HbA1c',
  exacerbations: 'số đợt cấp',
  symptom_control: 'mức kiểm soát triệu chứng',
};

/** The control status of one visit's readings under the register's rule. */
export function controlStatus(def: RegisterDef, f: Pick<CheckedFollowUp, 'sbp' | 'dbp' | 'hba1c' | 'glucoseMmol' | 'glucoseKind' | 'exacerbations' | 'symptomControl'>): ControlStatus {
  const rule = def.control;
  switch (rule.kind) {
    case 'blood_pressure':
      if (f.sbp === null || f.dbp === null) return 'unknown';
      return f.sbp < rule.sbpBelow && f.dbp < rule.dbpBelow ? 'controlled' : 'uncontrolled';
    case 'glycaemia':
      if (f.hba1c !== null) return f.hba1c < rule.hba1cBelow ? 'controlled' : 'uncontrolled';
      if (f.glucoseMmol !== null && f.glucoseKind === 'luc_doi') return f.glucoseMmol >= rule.fastingMin && f.glucoseMmol <= rule.fastingMax ? 'controlled' : 'uncontrolled';
      return 'unknown';
    case 'no_exacerbation':
      if (f.exacerbations === null && f.symptomControl === null) return 'unknown';
      return (f.exacerbations ?? 0) === 0 && f.symptomControl !== 'khong_kiem_soat' ? 'controlled' : 'uncontrolled';
    case 'symptom_control':
      if (f.symptomControl === null) return 'unknown';
      return rule.controlled.includes(f.symptomControl) ? 'controlled' : 'uncontrolled';
  }
}

/** The day the next follow-up is due after a visit (or after enrolment, before any visit). */
export const nextDueAfter = (def: RegisterDef, lastDay: string): string => addDays(lastDay, def.followUpIntervalDays);

export const isOverdue = (def: RegisterDef, dueOn: string, onDate: string): boolean => onDate > addDays(dueOn, def.overdueGraceDays);

/** A follow-up visit is in the control-rate numerator only while recent enough. */
export const withinControlWindow = (def: RegisterDef, visitDate: string, onDate: string): boolean => daysBetween(visitDate, onDate) <= def.controlWindowDays;

/** A follow-up visit before storage: ranges, the register's required measurements, the appointment, and its control status. */
export function validateFollowUp(def: RegisterDef, f: FollowUpInput, today: string): { ok: true; followUp: CheckedFollowUp } | { ok: false; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const take = (key: MeasureKey, v: number | null | undefined, field: string) => {
    const r = checkMeasure(key, v);
    if ('field' in r) {
      issues.push({ ...r, field });
      return null;
    }
    return r.value;
  };
  const visitDate = checkDate('visitDate', 'Ngày khám theo dõi', f.visitDate, false, today);
  if (typeof visitDate !== 'string') issues.push(visitDate);
  const sbp = take('sbp', f.sbp, 'sbp');
  const dbp = take('dbp', f.dbp, 'dbp');
  issues.push(...bloodPressurePair(f.sbp, f.dbp));
  const pulse = take('pulse', f.pulse, 'pulse');
  const glucoseMmol = take('glucose_mmol', f.glucoseMmol, 'glucoseMmol');
  const hba1c = take('hba1c', f.hba1c, 'hba1c');
  const weightKg = take('weight_kg', f.weightKg, 'weightKg');
  const code = (field: string, list: 'glucose_kind' | 'adherence' | 'symptom_control', v: string | null | undefined) => {
    if (v === null || v === undefined || v === '') return null;
    if (isCodeOf(list, v)) return v;
    issues.push({ field, code: 'CODE_UNKNOWN', message_vi: `Giá trị "${v}" không có trong danh mục.`, message_en: `'${v}' is not in the list '${list}'.` });
    return null;
  };
  const glucoseKind = code('glucoseKind', 'glucose_kind', f.glucoseKind);
  if (glucoseMmol !== null && glucoseKind === null && !issues.some((i) => i.field === 'glucoseKind')) {
    issues.push({ field: 'glucoseKind', code: 'GLUCOSE_KIND_REQUIRED', message_vi: 'Ghi rõ đường huyết đo lúc đói, bất kỳ hay sau ăn 2 giờ.', message_en: 'Say whether the glucose was fasting, random or 2 h after a meal.' });
  }
  const adherence = code('adherence', 'adherence', f.adherence);
  const symptomControl = code('symptomControl', 'symptom_control', f.symptomControl);
  let exacerbations: number | null = null;
  if (f.exacerbations !== null && f.exacerbations !== undefined) {
    if (!Number.isInteger(f.exacerbations) || f.exacerbations < 0 || f.exacerbations > 50) {
      issues.push({ field: 'exacerbations', code: 'OUT_OF_RANGE', message_vi: 'Số đợt cấp phải là số nguyên từ 0 đến 50.', message_en: 'Exacerbations must be a whole number 0–50.' });
    } else exacerbations = f.exacerbations;
  }
  const medicines: CheckedFollowUp['medicines'] = [];
  for (const [i, m] of (f.medicines ?? []).entries()) {
    const name = m.name.trim();
    const okQty = m.quantity === undefined || (Number.isFinite(m.quantity) && m.quantity > 0 && m.quantity <= 10000);
    const okDays = m.days === undefined || (Number.isInteger(m.days) && m.days > 0 && m.days <= 366);
    if (!name || name.length > 200 || !okQty || !okDays || (m.unit ?? '').length > 30) {
      issues.push({ field: `medicines.${i}`, code: 'MEDICINE_INVALID', message_vi: `Thuốc thứ ${i + 1}: cần tên thuốc (tối đa 200 ký tự), số lượng 1–10000 và số ngày 1–366.`, message_en: `Medicine ${i + 1}: needs a name (≤ 200 characters), quantity 1–10000 and days 1–366.` });
      continue;
    }
    medicines.push({ name, quantity: m.quantity ?? null, unit: m.unit?.trim() || null, days: m.days ?? null });
  }
  const note = (f.note ?? '').trim() || null;
  if (note && note.length > 1000) issues.push({ field: 'note', code: 'TEXT_TOO_LONG', message_vi: 'Ghi chú dài quá 1000 ký tự.', message_en: 'The note is longer than 1000 characters.' });
  let nextDue: string | null = null;
  if (f.nextDue) {
    if (!isIsoDate(f.nextDue)) issues.push({ field: 'nextDue', code: 'DATE_INVALID', message_vi: `Ngày hẹn "${f.nextDue}" không hợp lệ (YYYY-MM-DD).`, message_en: `Appointment "${f.nextDue}" is not a date (YYYY-MM-DD).` });
    else if (typeof visitDate === 'string' && f.nextDue <= visitDate) {
      issues.push({ field: 'nextDue', code: 'NEXT_DUE_NOT_AFTER_VISIT', message_vi: 'Ngày hẹn tái khám phải sau ngày khám.', message_en: 'The appointment must be after the visit.' });
    } else if (typeof visitDate === 'string' && daysBetween(visitDate, f.nextDue) > 366) {
      issues.push({ field: 'nextDue', code: 'NEXT_DUE_TOO_FAR', message_vi: 'Ngày hẹn tái khám không được quá một năm sau ngày khám.', message_en: 'The appointment must be within a year of the visit.' });
    } else nextDue = f.nextDue;
  }
  const values: Record<FollowUpMeasure, unknown> = { sbp, dbp, glucose_mmol: glucoseMmol, glucose_kind: glucoseKind, hba1c, exacerbations, symptom_control: symptomControl };
  if (issues.length === 0 && !def.requiredAnyOf.some((group) => group.every((k) => values[k] !== null))) {
    const want = def.requiredAnyOf.map((g) => g.map((k) => MEASURE_LABEL[k]).join(' và ')).join(', hoặc ');
    issues.push({ field: '', code: 'FOLLOW_UP_MEASURE_REQUIRED', message_vi: `Lần theo dõi ${def.label_vi.toLowerCase()} cần có ${want}.`, message_en: `A ${def.label_en} follow-up needs ${def.requiredAnyOf.map((g) => g.join(' + ')).join(' or ')}.` });
  }
  if (issues.length || typeof visitDate !== 'string') return { ok: false, issues };
  const base = { sbp, dbp, hba1c, glucoseMmol, glucoseKind, exacerbations, symptomControl };
  return {
    ok: true,
    followUp: { visitDate, ...base, pulse, weightKg, medicines, adherence, nextDue: nextDue ?? nextDueAfter(def, visitDate), note, control: controlStatus(def, base) },
  };
}
