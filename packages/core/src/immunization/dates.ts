/**
 * Calendar dates as integer day numbers (days since 1970-01-01), so the engine compares and adds
 * without building Date objects: a province-wide due list evaluates millions of doses.
 *
 * Age rule (documented in docs/immunization.md): a person is N months old on the day that is N
 * calendar months after the birth date; when that month is shorter, the last day of the month is
 * used. Born 2025-01-31 → 1 month old on 2025-02-28; born 2024-02-29 → 1 year old on 2025-02-28.
 * Intervals after a dose ("≥ 6 months after dose 2") use the same arithmetic from the dose date.
 */

/** An age or interval. Years and months are calendar units; days are added after them. */
export interface Age {
  readonly years?: number;
  readonly months?: number;
  readonly days?: number;
}

/** Howard Hinnant's days_from_civil: exact for the proleptic Gregorian calendar. */
export function dayNumber(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const mp = (month + 9) % 12;
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The inverse of dayNumber. */
export function civilFromDay(n: number): { year: number; month: number; day: number } {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

export function daysInMonth(year: number, month: number): number {
  if (month === 2 && ((year % 4 === 0 && year % 100 !== 0) || year % 400 === 0)) return 29;
  return DAYS_IN_MONTH[month - 1] ?? 31;
}

/** Value of the digits text[from..to), or -1 when one is not a digit (no regex, no allocation: every dose date is parsed). */
function digits(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/** Day number of a strict 'yyyy-mm-dd' date, or undefined when it is not one (2025-02-30 included). */
export function parseDay(text: string): number | undefined {
  if (text.length !== 10 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45) return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return dayNumber(year, month, day);
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

// A batch formats the same few thousand days millions of times; caching also shares one string
// per day across all results. Bounded: at most one entry per distinct day (~36,500 a century).
const FORMATTED = new Map<number, string>();

/** 'yyyy-mm-dd' of a day number. */
export function formatDay(n: number): string {
  const cached = FORMATTED.get(n);
  if (cached !== undefined) return cached;
  const { year, month, day } = civilFromDay(n);
  const text = `${year}-${pad2(month)}-${pad2(day)}`;
  if (FORMATTED.size >= 100_000) FORMATTED.clear();
  FORMATTED.set(n, text);
  return text;
}

/** The day `months` calendar months after (year, month, day), clamped to the end of a shorter month. */
export function addMonthsClamped(year: number, month: number, day: number, months: number): number {
  const total = year * 12 + (month - 1) + months;
  const y = Math.floor(total / 12);
  const m = total - y * 12 + 1;
  const last = daysInMonth(y, m);
  return dayNumber(y, m, day > last ? last : day);
}

/** Total calendar months and extra days of an age, the form the engine adds. */
export interface CompiledAge {
  readonly months: number;
  readonly days: number;
}

export const compileAge = (age: Age): CompiledAge => ({
  months: (age.years ?? 0) * 12 + (age.months ?? 0),
  days: age.days ?? 0,
});

/** A date split once into its parts, so adding many ages to it costs no decomposition. */
export interface Anchor {
  readonly day: number;
  readonly year: number;
  readonly month: number;
  readonly dom: number;
}

export function anchorOf(day: number): Anchor {
  const c = civilFromDay(day);
  return { day, year: c.year, month: c.month, dom: c.day };
}

/** The day the age is reached from the anchor (birth date or dose date). */
export function addAge(anchor: Anchor, age: CompiledAge): number {
  const base = age.months === 0 ? anchor.day : addMonthsClamped(anchor.year, anchor.month, anchor.dom, age.months);
  return base + age.days;
}

/** addAge from a bare day number (decomposes it; use an Anchor when adding several ages). */
export const addAgeToDay = (day: number, age: CompiledAge): number =>
  age.months === 0 ? day + age.days : addAge(anchorOf(day), age);

/** Completed calendar months between birth and a day, under the same clamping rule. */
export function ageInMonths(birth: Anchor, day: number): number {
  const c = civilFromDay(day);
  let months = (c.year - birth.year) * 12 + (c.month - birth.month);
  if (months > 0 && addMonthsClamped(birth.year, birth.month, birth.dom, months) > day) months--;
  return months;
}

/** 'yyyy-mm' month → its first and last day numbers. */
export function monthRange(month: string): { first: number; last: number } | undefined {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return undefined;
  const year = Number(m[1]);
  const mon = Number(m[2]);
  if (mon < 1 || mon > 12) return undefined;
  return { first: dayNumber(year, mon, 1), last: dayNumber(year, mon, daysInMonth(year, mon)) };
}
