import type { Sensitivity } from '../codes/icd10.ts';
import { checkDate, checkIcd10, type FieldIssue } from './validate.ts';

/**
 * Measurements taken at the station, with the range a real reading can fall in. These are
 * plausibility limits for typing errors (a pulse of 720, a weight in grams), not clinical norms:
 * anything inside is stored as measured, anything outside is refused with the range in the message.
 */
export interface Measure {
  label_vi: string;
  label_en: string;
  unit: string;
  min: number;
  max: number;
  decimals: number;
}

export const MEASURES = {
  pulse: { label_vi: 'Mạch', label_en: 'Pulse', unit: 'lần/phút', min: 20, max: 250, decimals: 0 },
  sbp: { label_vi: 'Huyết áp tâm thu', label_en: 'Systolic blood pressure', unit: 'mmHg', min: 50, max: 300, decimals: 0 },
  dbp: { label_vi: 'Huyết áp tâm trương', label_en: 'Diastolic blood pressure', unit: 'mmHg', min: 20, max: 200, decimals: 0 },
  temperature: { label_vi: 'Nhiệt độ', label_en: 'Temperature', unit: '°C', min: 30, max: 45, decimals: 1 },
  resp_rate: { label_vi: 'Nhịp thở', label_en: 'Respiratory rate', unit: 'lần/phút', min: 5, max: 80, decimals: 0 },
  height_cm: { label_vi: 'Chiều cao', label_en: 'Height', unit: 'cm', min: 30, max: 250, decimals: 1 },
  weight_kg: { label_vi: 'Cân nặng', label_en: 'Weight', unit: 'kg', min: 0.5, max: 350, decimals: 1 },
  waist_cm: { label_vi: 'Vòng bụng', label_en: 'Waist', unit: 'cm', min: 20, max: 250, decimals: 1 },
  glucose_mmol: { label_vi: 'Đường huyết', label_en: 'Blood glucose', unit: 'mmol/L', min: 1, max: 50, decimals: 1 },
  hba1c: { label_vi: 'HbA1c', label_en: 'HbA1c', unit: '%', min: 3, max: 20, decimals: 1 },
} as const satisfies Record<string, Measure>;

export type MeasureKey = keyof typeof MEASURES;

/** A measurement checked against its range and rounded to its precision. */
export function checkMeasure(key: MeasureKey, value: number | null | undefined): FieldIssue | { value: number | null } {
  if (value === null || value === undefined) return { value: null };
  const m: Measure = MEASURES[key];
  if (!Number.isFinite(value) || value < m.min || value > m.max) {
    return {
      field: key,
      code: 'MEASURE_OUT_OF_RANGE',
      message_vi: `${m.label_vi} ${value} ${m.unit} nằm ngoài khoảng hợp lệ (${m.min}–${m.max} ${m.unit}); kiểm tra lại số đo.`,
      message_en: `${m.label_en} ${value} ${m.unit} is outside the valid range (${m.min}–${m.max} ${m.unit}); check the reading.`,
    };
  }
  const p = 10 ** m.decimals;
  return { value: Math.round(value * p) / p };
}

/** Body-mass index, kg/m², one decimal. */
export function bmi(weightKg: number | null | undefined, heightCm: number | null | undefined): number | null {
  if (!weightKg || !heightCm) return null;
  const h = heightCm / 100;
  return Math.round((weightKg / (h * h)) * 10) / 10;
}

/**
 * Adult BMI classes with the WHO Western Pacific cut-offs for Asian adults (WPRO 2000), which
 * Vietnamese primary-care material uses; children need age-and-sex z-scores, so no class under 18.
 */
export const BMI_CLASSES = [
  { key: 'underweight', below: 18.5, label_vi: 'Gầy', label_en: 'Underweight' },
  { key: 'normal', below: 23, label_vi: 'Bình thường', label_en: 'Normal' },
  { key: 'overweight', below: 25, label_vi: 'Thừa cân', label_en: 'Overweight' },
  { key: 'obese', below: Number.POSITIVE_INFINITY, label_vi: 'Béo phì', label_en: 'Obese' },
] as const;
export const BMI_ADULT_AGE = 18;

export type BmiClass = (typeof BMI_CLASSES)[number]['key'];

export function bmiClass(value: number | null, age: number | null): BmiClass | null {
  if (value === null || age === null || age < BMI_ADULT_AGE) return null;
  return BMI_CLASSES.find((c) => value < c.below)!.key;
}

/** Organ systems of the clinical examination (khám lâm sàng), one free-text note each. */
export const ORGAN_SYSTEMS = {
  toan_than: 'Toàn thân',
  tuan_hoan: 'Tuần hoàn',
  ho_hap: 'Hô hấp',
  tieu_hoa: 'Tiêu hóa',
  than_tiet_nieu: 'Thận - Tiết niệu',
  noi_tiet: 'Nội tiết',
  co_xuong_khop: 'Cơ - Xương - Khớp',
  than_kinh: 'Thần kinh',
  tam_than: 'Tâm thần',
  mat: 'Mắt',
  tai_mui_hong: 'Tai - Mũi - Họng',
  rang_ham_mat: 'Răng - Hàm - Mặt',
  da_lieu: 'Da liễu',
  san_phu_khoa: 'Sản phụ khoa',
  khac: 'Khác',
} as const;
export type OrganSystem = keyof typeof ORGAN_SYSTEMS;

/**
 * Visual acuity as written on Vietnamese forms: a Snellen decimal "n/10" (1–10), or below 1/10
 * counting fingers (ĐNT), hand motion (BBT), light perception (ST+) or none (ST−).
 */
export const VISION_SPECIAL = { dnt: 'Đếm ngón tay', bbt: 'Bóng bàn tay', st_duong: 'Sáng tối (+)', st_am: 'Sáng tối (−)' } as const;
const VISION = /^(10|[1-9])\/10$/;

export function checkVision(field: string, raw: string | null | undefined): FieldIssue | { value: string | null } {
  if (raw === null || raw === undefined || raw.trim() === '') return { value: null };
  const s = raw.trim().toLowerCase();
  if (VISION.test(s) || Object.hasOwn(VISION_SPECIAL, s)) return { value: s };
  return {
    field,
    code: 'VISION_INVALID',
    message_vi: `Thị lực "${raw}" không hợp lệ: ghi n/10 (1/10 đến 10/10) hoặc dnt, bbt, st_duong, st_am.`,
    message_en: `Visual acuity "${raw}" is invalid: write n/10 (1/10 to 10/10) or dnt, bbt, st_duong, st_am.`,
  };
}

export interface CheckupInput {
  examinedOn: string;
  reason?: string | null | undefined;
  history?: string | null | undefined;
  pulse?: number | null | undefined;
  sbp?: number | null | undefined;
  dbp?: number | null | undefined;
  temperature?: number | null | undefined;
  respRate?: number | null | undefined;
  heightCm?: number | null | undefined;
  weightKg?: number | null | undefined;
  waistCm?: number | null | undefined;
  visionRight?: string | null | undefined;
  visionLeft?: string | null | undefined;
  visionCorrected?: boolean | null | undefined;
  exam?: Readonly<Record<string, string>> | undefined;
  paraclinical?: ReadonlyArray<{ test: string; result: string; unit?: string | undefined; conclusion?: string | undefined }> | undefined;
  /** ICD-10 codes, main diagnosis first. */
  diagnoses?: readonly string[] | undefined;
  diagnosisText?: string | null | undefined;
  advice?: string | null | undefined;
}

export interface CheckedCheckup {
  examinedOn: string;
  reason: string | null;
  history: string | null;
  pulse: number | null;
  sbp: number | null;
  dbp: number | null;
  temperature: number | null;
  respRate: number | null;
  heightCm: number | null;
  weightKg: number | null;
  waistCm: number | null;
  bmi: number | null;
  bmiClass: BmiClass | null;
  visionRight: string | null;
  visionLeft: string | null;
  visionCorrected: boolean | null;
  exam: Record<string, string>;
  paraclinical: Array<{ test: string; result: string; unit: string | null; conclusion: string | null }>;
  diagnoses: Array<{ code: string; name: string | null }>;
  diagnosisText: string | null;
  advice: string | null;
  /** Set when a diagnosis is in a sensitive range (HIV, TB, mental health). */
  sensitivity: Sensitivity | null;
}

const clip = (field: string, label: string, s: string | null | undefined, max: number): FieldIssue | { value: string | null } => {
  const v = (s ?? '').trim();
  if (v.length > max) return { field, code: 'TEXT_TOO_LONG', message_vi: `${label}: dài quá ${max} ký tự.`, message_en: `'${field}' is longer than ${max} characters.` };
  return { value: v || null };
};

/**
 * A periodic check-up (khám sức khỏe định kỳ) before storage: every measurement in range, blood
 * pressure as a pair with systolic above diastolic, BMI computed from height and weight, vision,
 * exam notes by organ system, paraclinical results, and diagnoses against the ICD-10 list.
 */
export function validateCheckup(c: CheckupInput, age: number | null, today: string): { ok: true; checkup: CheckedCheckup } | { ok: false; issues: FieldIssue[] } {
  const issues: FieldIssue[] = [];
  const take = <T>(r: FieldIssue | { value: T }): T | null => {
    if ('field' in r) {
      issues.push(r);
      return null;
    }
    return r.value;
  };
  const examinedOn = checkDate('examinedOn', 'Ngày khám', c.examinedOn, false, today);
  if (typeof examinedOn !== 'string') issues.push(examinedOn);
  const m = (key: MeasureKey, v: number | null | undefined) => take(checkMeasure(key, v));
  const pulse = m('pulse', c.pulse);
  const sbp = m('sbp', c.sbp);
  const dbp = m('dbp', c.dbp);
  issues.push(...bloodPressurePair(c.sbp, c.dbp));
  const temperature = m('temperature', c.temperature);
  const respRate = m('resp_rate', c.respRate);
  const heightCm = m('height_cm', c.heightCm);
  const weightKg = m('weight_kg', c.weightKg);
  const waistCm = m('waist_cm', c.waistCm);
  const visionRight = take(checkVision('visionRight', c.visionRight));
  const visionLeft = take(checkVision('visionLeft', c.visionLeft));
  const exam: Record<string, string> = {};
  for (const [k, v] of Object.entries(c.exam ?? {})) {
    if (!Object.hasOwn(ORGAN_SYSTEMS, k)) {
      issues.push({ field: `exam.${k}`, code: 'ORGAN_SYSTEM_UNKNOWN', message_vi: `Không có cơ quan "${k}" trong mục khám lâm sàng.`, message_en: `Unknown organ system '${k}'.` });
      continue;
    }
    const note = take(clip(`exam.${k}`, ORGAN_SYSTEMS[k as OrganSystem], v, 1000));
    if (note) exam[k] = note;
  }
  const paraclinical: CheckedCheckup['paraclinical'] = [];
  for (const [i, p] of (c.paraclinical ?? []).entries()) {
    if (!p.test?.trim() || !p.result?.trim()) {
      issues.push({ field: `paraclinical.${i}`, code: 'PARACLINICAL_INCOMPLETE', message_vi: 'Mỗi kết quả cận lâm sàng cần tên xét nghiệm và kết quả.', message_en: 'Each paraclinical result needs a test name and a result.' });
      continue;
    }
    const test = take(clip(`paraclinical.${i}.test`, 'Tên xét nghiệm', p.test, 200));
    const result = take(clip(`paraclinical.${i}.result`, 'Kết quả', p.result, 500));
    if (!test || !result) continue;
    paraclinical.push({ test, result, unit: take(clip(`paraclinical.${i}.unit`, 'Đơn vị', p.unit, 30)), conclusion: take(clip(`paraclinical.${i}.conclusion`, 'Kết luận', p.conclusion, 500)) });
  }
  const diagnoses: CheckedCheckup['diagnoses'] = [];
  let sensitivity: Sensitivity | null = null;
  for (const [i, d] of (c.diagnoses ?? []).entries()) {
    const r = checkIcd10(`diagnoses.${i}`, d);
    if ('field' in r) issues.push(r);
    else if (!diagnoses.some((x) => x.code === r.code)) {
      diagnoses.push({ code: r.code, name: r.name });
      sensitivity ??= r.sensitivity;
    }
  }
  const reason = take(clip('reason', 'Lý do khám', c.reason, 500));
  const history = take(clip('history', 'Bệnh sử', c.history, 2000));
  const diagnosisText = take(clip('diagnosisText', 'Chẩn đoán', c.diagnosisText, 1000));
  const advice = take(clip('advice', 'Tư vấn', c.advice, 2000));
  if (issues.length || typeof examinedOn !== 'string') return { ok: false, issues };
  const b = bmi(weightKg, heightCm);
  return {
    ok: true,
    checkup: {
      examinedOn,
      reason,
      history,
      pulse,
      sbp,
      dbp,
      temperature,
      respRate,
      heightCm,
      weightKg,
      waistCm,
      bmi: b,
      bmiClass: bmiClass(b, age),
      visionRight,
      visionLeft,
      visionCorrected: c.visionCorrected ?? null,
      exam,
      paraclinical,
      diagnoses,
      diagnosisText,
      advice,
      sensitivity,
    },
  };
}

/** Blood pressure is only meaningful as a pair, systolic above diastolic. */
export function bloodPressurePair(sbp: number | null | undefined, dbp: number | null | undefined): FieldIssue[] {
  const hasS = sbp !== null && sbp !== undefined;
  const hasD = dbp !== null && dbp !== undefined;
  if (hasS !== hasD) {
    return [{ field: hasS ? 'dbp' : 'sbp', code: 'BP_PAIR', message_vi: 'Huyết áp cần đủ cả tâm thu và tâm trương.', message_en: 'Blood pressure needs both systolic and diastolic values.' }];
  }
  if (hasS && hasD && sbp <= dbp) {
    return [{ field: 'dbp', code: 'BP_ORDER', message_vi: `Huyết áp ${sbp}/${dbp} mmHg: tâm thu phải lớn hơn tâm trương.`, message_en: `Blood pressure ${sbp}/${dbp} mmHg: systolic must exceed diastolic.` }];
  }
  return [];
}
