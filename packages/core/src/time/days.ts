// Calendar days as 'YYYY-MM-DD' text, the way the database and XML 130 dates reach the code: UTC
// arithmetic on the day itself, so no time zone or daylight rule can shift a day.

const DAY_MS = 86_400_000;

/** 'YYYY-MM-DD' plus `n` days (negative: before). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `a` to `b` ('YYYY-MM-DD'); negative when `b` is earlier. */
export const daysBetween = (a: string, b: string): number => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);

/** The day of an XML 130 compact date or date-time ('YYYYMMDD…') as 'YYYY-MM-DD'. */
export const isoDay = (compact: string): string => `${compact.slice(0, 4)}-${compact.slice(4, 6)}-${compact.slice(6, 8)}`;
