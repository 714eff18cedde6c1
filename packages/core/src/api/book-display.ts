// How a visit's parts read, the same on the screen and in the PDF (one way to write each).
import type { LabFlag } from '../codes/labs.ts';
import { viNumber } from '../text/numbers.ts';
import type { CareGroup } from './book.ts';

export type { LabFlag };

const squash = (s: string) => s.toLowerCase().replace(/\s+/g, '');

/** A medicine's name with its strength once: many HIS put the strength in TEN_THUOC already ("Telmisartan 40mg"). */
export function medicineName(name: string, strength: string): string {
  const n = name.trim();
  const s = strength.trim();
  return s === '' || squash(n).includes(squash(s)) ? n : `${n} ${s}`;
}

/** Heading of the final diagnoses: a discharge ("ra viện") diagnosis only where the patient was admitted. */
export const finalDiagnosisLabel = (careGroup: CareGroup): string =>
  careGroup === 'inpatient' || careGroup === 'day_care' ? 'Chẩn đoán ra viện' : 'Chẩn đoán';

export interface ServiceLine {
  name: string;
  /** Quantity of one line, as sent (dot decimals). */
  quantity: string;
  unit: string;
  /** How many identical lines were sent (a bed-day line per day of the stay). */
  times: number;
}

/** XML3 lines as a reader wants them: identical lines once, with how many times, in first-seen order. */
export function groupServiceLines(rows: ReadonlyArray<Readonly<Record<string, string | undefined>>>): ServiceLine[] {
  const out = new Map<string, ServiceLine>();
  for (const r of rows) {
    const name = (r.TEN_DICH_VU || r.TEN_VAT_TU || '').trim();
    const quantity = (r.SO_LUONG ?? '').trim();
    const unit = (r.DON_VI_TINH ?? '').trim();
    const key = `${name}\u0000${quantity}\u0000${unit}`;
    const seen = out.get(key);
    if (seen) seen.times++;
    else out.set(key, { name, quantity, unit, times: 1 });
  }
  return [...out.values()];
}

/** "Ngày giường bệnh Nội khoa – 1 Ngày × 9". */
export const serviceLineText = (l: ServiceLine): string =>
  `${l.name} – ${[viNumber(l.quantity), l.unit].filter(Boolean).join(' ')}${l.times > 1 ? ` × ${l.times}` : ''}`;

/** A lab value with its unit, in Vietnamese notation ("5,73 T/L"). */
export const labValueText = (value: string, unit: string): string => [viNumber(value), unit.trim()].filter(Boolean).join(' ');

/** Reference range "3,9–6,4". */
export const rangeText = (r: { low: number; high: number }): string => `${viNumber(r.low)}–${viNumber(r.high)}`;

/** An abnormal result: the arrow for the eye, the word for everyone (screen readers are not given the arrow). */
export const LAB_FLAG: Readonly<Record<LabFlag, { arrow: string; word: string }>> = {
  high: { arrow: '↑', word: 'Cao' },
  low: { arrow: '↓', word: 'Thấp' },
  abnormal: { arrow: '!', word: 'Bất thường' },
};

/** The record summary (XML8) of a visit, as the server returns it: the doctor's words, with the plan from the visit's other papers. */
export interface RecordSummaryView {
  course: string | null;
  key_results: string | null;
  treatment: string | null;
  condition_at_discharge: string | null;
  plan: string | null;
  written_on: string | null;
}

/** Said above every record summary, on the screen and on paper: these are the treating doctor's words, not the book's. */
export const RECORD_SUMMARY_NOTE = 'Tóm tắt do bác sĩ ghi';
export const NO_RECORD_SUMMARY = 'Cơ sở khám chữa bệnh chưa gửi bản tóm tắt hồ sơ bệnh án cho lượt khám này.';

/** Labelled lines of a record summary in reading order, leaving out what the doctor did not write. */
export function recordSummaryLines(r: RecordSummaryView): Array<[string, string]> {
  const lines: Array<[string, string | null]> = [
    ['Quá trình bệnh lý, diễn biến', r.course],
    ['Kết quả cận lâm sàng chính', r.key_results],
    ['Phương pháp điều trị', r.treatment],
    ['Tình trạng khi ra viện', r.condition_at_discharge],
    ['Hướng điều trị tiếp', r.plan],
  ];
  return lines.filter((l): l is [string, string] => l[1] !== null);
}
