import type { Sex } from '../identifiers/index.ts';
import { parseCccd } from '../identifiers/index.ts';
import { formatPartialDate } from './dates.ts';
import type { MpiRecord } from './record.ts';

export const DEFAULT_SOURCE_PRIORITY = ['MIS2022', 'BHXH', 'KCB', 'TIEMCHUNG'] as const;

export interface GoldenFields {
  hoTen?: string | undefined;
  ngaySinh?: string | undefined;
  gioiTinh?: 'Nam' | 'Nữ' | undefined;
  soCccd?: string | undefined;
  soBhyt?: string | undefined;
  soDienThoai?: string | undefined;
  diaChi?: string | undefined;
  maXa?: string | undefined;
  maHoGiaDinh?: string | undefined;
}

export interface GoldenCorrection {
  field: keyof GoldenFields;
  from: string;
  to: string;
  reason_vi: string;
  reason_en: string;
}

export interface GoldenRecord {
  fields: GoldenFields;
  /** For each field, "SOURCE|sourceId" of the record the value came from. */
  fieldSources: Partial<Record<keyof GoldenFields, string>>;
  qualityFlags: string[];
  corrections: GoldenCorrection[];
}

/**
 * Survivorship for one person's records:
 * - hoTen: the most frequent diacritic-free key wins (outvotes typos); its spelling is taken
 *   from an accented record if any (accent-less typing loses information), then by source priority.
 * - ngaySinh: the most precise date consistent with the majority birth year; full dates vote,
 *   a day/month swap of the winner counts as agreement and is reported as a correction.
 * - gioiTinh, maXa, maHoGiaDinh, soDienThoai, diaChi: most frequent value, ties by source priority.
 * - soCccd: most frequent valid CCCD; one whose encoded birth year/sex contradicts the agreed
 *   date/sex is flagged `CCCD_INCONSISTENT` ("wrong info") but kept, since either side may be wrong.
 * - soBhyt: the card of the most frequent social-insurance number, most frequent card among those
 *   (group codes change over time, the 10-digit number does not).
 */
export function goldenRecord(records: MpiRecord[], sourcePriority: readonly string[] = DEFAULT_SOURCE_PRIORITY): GoldenRecord {
  const prio = (r: MpiRecord) => {
    const i = sourcePriority.indexOf(r.sourceSystem);
    return i < 0 ? sourcePriority.length : i;
  };
  const ordered = records.slice().sort((a, b) => prio(a) - prio(b));
  const ref = (r: MpiRecord) => `${r.sourceSystem}|${r.sourceId}`;
  const fields: GoldenFields = {};
  const fieldSources: GoldenRecord['fieldSources'] = {};
  const qualityFlags: string[] = [];
  const corrections: GoldenCorrection[] = [];

  /** Most frequent non-empty value; ties go to the first in source-priority order. */
  const vote = <T>(get: (r: MpiRecord) => T | undefined): { value: T; from: MpiRecord; distinct: number } | undefined => {
    const count = new Map<T, number>();
    for (const r of ordered) {
      const v = get(r);
      if (v !== undefined && v !== '') count.set(v, (count.get(v) ?? 0) + 1);
    }
    let best: T | undefined;
    let bestN = 0;
    for (const [v, k] of count) if (k > bestN) [best, bestN] = [v, k];
    if (best === undefined) return undefined;
    const from = ordered.find((r) => get(r) === best)!;
    return { value: best, from, distinct: count.size };
  };

  const nameKey = vote((r) => r.nameKey);
  if (nameKey) {
    const same = ordered.filter((r) => r.nameKey === nameKey.value);
    const chosen = same.find((r) => !r.nameUnaccented) ?? same[0]!;
    fields.hoTen = chosen.name;
    fieldSources.hoTen = ref(chosen);
    if (chosen.nameUnaccented) qualityFlags.push('NAME_WITHOUT_DIACRITICS');
    if (nameKey.distinct > 1) qualityFlags.push('NAME_VARIANTS');
  }

  const year = vote((r) => r.birthYear);
  let agreedYear: number | undefined;
  if (year) {
    agreedYear = year.value;
    if (year.distinct > 1) qualityFlags.push('BIRTH_YEAR_CONFLICT');
    const sameYear = ordered.filter((r) => r.birthYear === agreedYear);
    const full = vote((r) => (r.birthYear === agreedYear && r.birthDay !== undefined ? `${r.birthMonth}-${r.birthDay}` : undefined));
    let chosen = sameYear[0]!;
    if (full) {
      chosen = full.from;
      for (const r of sameYear) {
        if (r.birthDay !== undefined && r.birthMonth === chosen.birthDay && r.birthDay === chosen.birthMonth && r.birthDay !== r.birthMonth) {
          corrections.push({
            field: 'ngaySinh',
            from: formatPartialDate({ year: r.birthYear, month: r.birthMonth, day: r.birthDay }),
            to: formatPartialDate({ year: chosen.birthYear, month: chosen.birthMonth, day: chosen.birthDay }),
            reason_vi: `Ngày và tháng sinh bị đảo trong bản ghi ${ref(r)}.`,
            reason_en: `Day and month of birth are swapped in record ${ref(r)}.`,
          });
        }
      }
      if (full.distinct > 1) qualityFlags.push('BIRTH_DATE_VARIANTS');
    } else {
      chosen = sameYear.find((r) => r.birthMonth !== undefined) ?? chosen;
    }
    fields.ngaySinh = formatPartialDate({ year: chosen.birthYear, month: chosen.birthMonth, day: chosen.birthDay });
    fieldSources.ngaySinh = ref(chosen);
    if (chosen.birthDay === undefined) qualityFlags.push('BIRTH_DATE_IMPRECISE');
  }

  const sex = vote((r) => r.sex);
  let agreedSex: Sex | undefined;
  if (sex) {
    agreedSex = sex.value;
    fields.gioiTinh = sex.value === 'male' ? 'Nam' : 'Nữ';
    fieldSources.gioiTinh = ref(sex.from);
    if (sex.distinct > 1) qualityFlags.push('SEX_CONFLICT');
  }

  const cccd = vote((r) => r.cccd);
  if (cccd) {
    fields.soCccd = cccd.value;
    fieldSources.soCccd = ref(cccd.from);
    if (cccd.distinct > 1) qualityFlags.push('CCCD_CONFLICT');
    const check = parseCccd(cccd.value, { birthYear: agreedYear, sex: agreedSex });
    if (check.ok && check.warnings.length > 0) qualityFlags.push('CCCD_INCONSISTENT');
  }

  const bhxh = vote((r) => r.bhxh);
  if (bhxh) {
    // Within the winning social-insurance number, the card seen most often; ties by priority.
    const card = vote((r) => (r.bhxh === bhxh.value ? r.bhyt : undefined));
    fields.soBhyt = card ? card.value : bhxh.value;
    fieldSources.soBhyt = ref(card ? card.from : bhxh.from);
    if (bhxh.distinct > 1) qualityFlags.push('BHXH_CONFLICT');
  }

  for (const [field, get] of [
    ['soDienThoai', (r: MpiRecord) => r.phone],
    ['diaChi', (r: MpiRecord) => r.address],
    ['maXa', (r: MpiRecord) => r.communeCode],
    ['maHoGiaDinh', (r: MpiRecord) => r.householdId],
  ] as const) {
    const v = vote(get);
    if (v) {
      fields[field] = v.value;
      fieldSources[field] = ref(v.from);
    }
  }
  return { fields, fieldSources, qualityFlags, corrections };
}
