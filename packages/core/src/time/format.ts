import { vietnamNow } from './vietnam.ts';

/**
 * Dates and times as every screen, PDF and export shows them: dd/mm/yyyy and dd/mm/yyyy HH:mm,
 * Viet Nam time whatever the zone of the server or the browser (issue 20: one style for all).
 */

const NONE = '—';

/**
 * 'YYYY-MM-DD…', 'YYYYMMDD…' (XML 130), 'YYYY-MM' or 'YYYY' as dd/mm/yyyy at the precision known;
 * `empty` for no value (a spreadsheet cell stays blank with '').
 */
export function viDate(v: string | null | undefined, empty = NONE): string {
  if (!v) return empty;
  const full = /^(\d{4})-?(\d{2})-?(\d{2})/.exec(v);
  if (full) return `${full[3]}/${full[2]}/${full[1]}`;
  const month = /^(\d{4})-(\d{2})$/.exec(v);
  if (month) return `${month[2]}/${month[1]}`;
  return v;
}

/** A zone-less wall-clock value as stored ('YYYY-MM-DD HH:MM…', or XML 130's 'yyyyMMddHHmm'): already Viet Nam time. */
const WALL_CLOCK = /^(\d{4})-?(\d{2})-?(\d{2})(?:[ T]?(\d{2}):?(\d{2}))?(?::?\d{2}(?:\.\d+)?)?$/;

/**
 * An instant (Date, epoch ms, ISO text with a zone) or a stored wall-clock value as dd/mm/yyyy HH:mm in
 * Viet Nam time; a value known only to the day is shown as dd/mm/yyyy.
 */
export function viDateTime(at: Date | string | number | null | undefined): string {
  if (at === null || at === undefined || at === '') return NONE;
  if (typeof at === 'string') {
    const wall = WALL_CLOCK.exec(at);
    if (wall) return wall[4] ? `${wall[3]}/${wall[2]}/${wall[1]} ${wall[4]}:${wall[5]}` : `${wall[3]}/${wall[2]}/${wall[1]}`;
    // Only text that names its zone is an instant; a year or a month alone stays at that precision.
    if (!/T\d{2}:\d{2}.*(?:Z|[+-]\d{2}:?\d{2})$/.test(at)) return viDate(at);
  }
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) return String(at);
  const v = vietnamNow(d);
  return `${v.slice(8, 10)}/${v.slice(5, 7)}/${v.slice(0, 4)} ${v.slice(11, 16)}`;
}

/** A delay as days and hours ("2 ngày 5 giờ"), never "gửi sau 53 giờ". */
export function viDelay(hours: number): string {
  const h = Math.max(0, Math.round(hours));
  const days = Math.floor(h / 24);
  const rest = h % 24;
  if (days === 0) return `${rest} giờ`;
  return rest === 0 ? `${days} ngày` : `${days} ngày ${rest} giờ`;
}
