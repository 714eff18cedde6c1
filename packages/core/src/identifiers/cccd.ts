import { OLD_PROVINCES } from './provinces.ts';
import { fail, type IdCheck, type IdIssue } from './result.ts';

export type Sex = 'male' | 'female';

export interface Cccd {
  number: string;
  provinceCode: string;
  sex: Sex;
  /** First possible birth year of the century encoded by digit 4 plus digits 5–6. */
  birthYear: number;
}

/** Facts about the person the number should agree with; mismatches are warnings, not errors. */
export interface PersonFacts {
  birthYear?: number | undefined;
  sex?: Sex | undefined;
}

/**
 * Personal ID number (CCCD / số định danh): PPP G YY RRRRRR. No check digit exists, so
 * only the structure is checked: province prefix, century+sex digit and birth year.
 */
export function parseCccd(raw: string, facts: PersonFacts = {}): IdCheck<Cccd> {
  const number = raw.replace(/[\s.-]/g, '');
  if (!/^\d{12}$/.test(number)) {
    return fail('CCCD_FORMAT', 'Số CCCD/định danh phải gồm đúng 12 chữ số.', 'The personal ID number must be exactly 12 digits.');
  }
  const prefix = number.slice(0, 3);
  const provinceCode = number.slice(1, 3);
  // Codes 001–096 are provinces; other prefixes are country codes for people born abroad.
  if (prefix.startsWith('0') && !(provinceCode in OLD_PROVINCES)) {
    return fail('CCCD_PROVINCE', `Mã tỉnh ${prefix} trong số CCCD không tồn tại.`, `Province code ${prefix} in the ID number does not exist.`);
  }
  const g = Number(number[3]);
  const sex: Sex = g % 2 === 0 ? 'male' : 'female';
  const century = 1900 + Math.floor(g / 2) * 100;
  const birthYear = century + Number(number.slice(4, 6));
  const warnings: IdIssue[] = [];
  if (facts.birthYear !== undefined && facts.birthYear !== birthYear) {
    warnings.push({
      code: 'CCCD_BIRTH_YEAR_MISMATCH',
      message_vi: `Số CCCD mã hóa năm sinh ${birthYear}, khác năm sinh ${facts.birthYear}.`,
      message_en: `The ID number encodes birth year ${birthYear}, not ${facts.birthYear}.`,
    });
  }
  if (facts.sex !== undefined && facts.sex !== sex) {
    warnings.push({
      code: 'CCCD_SEX_MISMATCH',
      message_vi: 'Chữ số giới tính trong số CCCD không khớp với giới tính.',
      message_en: 'The sex digit of the ID number does not match the recorded sex.',
    });
  }
  return { ok: true, value: { number, provinceCode, sex, birthYear }, warnings };
}

/** Old 9-digit identity card (CMND): a weaker identifier, structure only. */
export function parseCmnd(raw: string): IdCheck<string> {
  const number = raw.replace(/[\s.-]/g, '');
  if (!/^\d{9}$/.test(number)) {
    return fail('CMND_FORMAT', 'Số CMND cũ phải gồm đúng 9 chữ số.', 'An old identity card (CMND) number must be exactly 9 digits.');
  }
  return { ok: true, value: number, warnings: [] };
}

/** Century+sex digit for a birth year, as issued (used by generators and tests). */
export function cccdGenderDigit(birthYear: number, sex: Sex): number {
  const centuryIndex = Math.floor((birthYear - 1900) / 100);
  return centuryIndex * 2 + (sex === 'female' ? 1 : 0);
}
