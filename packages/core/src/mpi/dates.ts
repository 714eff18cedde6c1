import type { IdIssue } from '../identifiers/result.ts';

/** A birth date known to year, month or day precision. */
export interface PartialDate {
  year: number;
  month?: number | undefined;
  day?: number | undefined;
}

export type DateResult =
  | { ok: true; value: PartialDate | undefined; warnings: IdIssue[] }
  | { ok: false; error: IdIssue };

const MIN_YEAR = 1880;
const MAX_YEAR = 2100;

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function bad(raw: string): DateResult {
  return {
    ok: false,
    error: {
      code: 'DATE_FORMAT',
      message_vi: `Ngày sinh "${raw}" không đúng định dạng (dd/mm/yyyy, yyyy-mm-dd, yyyy hoặc yyyyMMdd).`,
      message_en: `Birth date "${raw}" is not in a known format (dd/mm/yyyy, yyyy-mm-dd, yyyy or yyyyMMdd).`,
    },
  };
}

/**
 * Builds a partial date; a 0 month/day means "unknown" (XML 130 writes 00 parts).
 * When day/month are impossible but valid once swapped (05/13/1990), the swap is taken with a
 * warning because US-style entry is the usual cause.
 */
function build(raw: string, year: number, month: number, day: number): DateResult {
  if (year < MIN_YEAR || year > MAX_YEAR) return bad(raw);
  if (month === 0) return { ok: true, value: { year }, warnings: [] };
  const warnings: IdIssue[] = [];
  if (month > 12 && day >= 1 && day <= 12) {
    [month, day] = [day, month];
    warnings.push({
      code: 'DATE_SWAPPED',
      message_vi: `Ngày sinh "${raw}" có tháng > 12; đã hiểu là ngày/tháng bị đảo.`,
      message_en: `Birth date "${raw}" has a month above 12; read it with day and month swapped.`,
    });
  }
  if (month < 1 || month > 12) return bad(raw);
  if (day === 0) return { ok: true, value: { year, month }, warnings };
  if (day < 1 || day > daysInMonth(year, month)) return bad(raw);
  return { ok: true, value: { year, month, day }, warnings };
}

/**
 * Parses the birth-date forms met in source files: dd/mm/yyyy (also - or .), yyyy-mm-dd
 * (optionally with a time), mm/yyyy, yyyy, and XML 130 yyyyMMdd / yyyyMMddHHmm(ss).
 * Blank input is valid and yields `value: undefined`.
 */
export function parseBirthDate(raw: string): DateResult {
  const s = raw.trim();
  if (s === '') return { ok: true, value: undefined, warnings: [] };
  let m = /^(\d{4})$/.exec(s);
  if (m) return build(s, Number(m[1]), 0, 0);
  m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (m) return build(s, Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{4})[/.-](\d{1,2})[/.-](\d{1,2})(?:[T ][\d:.]+Z?)?$/.exec(s);
  if (m) return build(s, Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{1,2})[/.-](\d{4})$/.exec(s);
  if (m) return build(s, Number(m[2]), Number(m[1]), 0);
  m = /^(\d{4})(\d{2})(\d{2})(?:\d{4}(?:\d{2})?)?$/.exec(s);
  if (m) return build(s, Number(m[1]), Number(m[2]), Number(m[3]));
  return bad(s);
}

/** Formats as dd/mm/yyyy, mm/yyyy or yyyy depending on precision. */
export function formatPartialDate(d: PartialDate): string {
  const p = (n: number) => String(n).padStart(2, '0');
  if (d.month === undefined) return String(d.year);
  if (d.day === undefined) return `${p(d.month)}/${d.year}`;
  return `${p(d.day)}/${p(d.month)}/${d.year}`;
}

/** Agreement levels for birth dates, ordered from weakest to strongest evidence. */
export const DateLevel = { disagree: 0, near: 1, yearOnly: 2, swapped: 3, exact: 4 } as const;
export type DateLevel = (typeof DateLevel)[keyof typeof DateLevel];

/**
 * Compares two birth dates (month/day 0 = unknown). "near" = same year but other parts
 * differ, or a one-year slip with the same day and month: plausible typos, weak evidence.
 */
export function compareBirthDates(y1: number, m1: number, d1: number, y2: number, m2: number, d2: number): DateLevel {
  if (y1 === y2) {
    if (m1 === 0 || m2 === 0) return DateLevel.yearOnly;
    if (d1 === 0 || d2 === 0) return m1 === m2 ? DateLevel.yearOnly : DateLevel.near;
    if (m1 === m2 && d1 === d2) return DateLevel.exact;
    if (m1 === d2 && d1 === m2) return DateLevel.swapped;
    return DateLevel.near;
  }
  if (Math.abs(y1 - y2) === 1 && m1 !== 0 && m1 === m2 && d1 !== 0 && d1 === d2) return DateLevel.near;
  return DateLevel.disagree;
}
