/**
 * Vietnam keeps UTC+7 all year (no daylight saving), so wall-clock time is a fixed shift; no
 * time-zone database is needed, and the server's own zone never matters.
 */
const OFFSET_MS = 7 * 3600_000;

/** The instant shifted to Vietnam wall-clock, as an ISO string without zone ('YYYY-MM-DDTHH:MM:SS.sssZ' form). */
const shifted = (at: Date) => new Date(at.getTime() + OFFSET_MS).toISOString();

/** Today's date in Vietnam, 'YYYY-MM-DD'. */
export const vietnamToday = (at: Date = new Date()): string => shifted(at).slice(0, 10);

/** Vietnam wall-clock time as stored in zone-less timestamp columns: 'YYYY-MM-DD HH:MM:SS'. */
export const vietnamNow = (at: Date = new Date()): string => shifted(at).slice(0, 19).replace('T', ' ');

/** Vietnam wall-clock time as 'yyyyMMddHHmmss' (the insurance portal's form). */
export const vietnamCompact = (at: Date = new Date()): string => shifted(at).replace(/[-:T]/g, '').slice(0, 14);

/**
 * The last half-year that has ended, the default period of the six-monthly report: the first half
 * of this year from July on, the second half of last year before.
 */
export function lastEndedHalfYear(at: Date = new Date()): { year: number; half: 1 | 2 } {
  const today = vietnamToday(at);
  const year = Number(today.slice(0, 4));
  return Number(today.slice(5, 7)) > 6 ? { year, half: 1 } : { year: year - 1, half: 2 };
}
