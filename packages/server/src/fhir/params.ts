/**
 * FHIR search parameter values → typed filters: dates with prefixes, tokens (system|code), references,
 * paging cursor. Dates are turned into Vietnam wall-clock bounds, the time base of XML 130.
 */
import { DomainError } from '@openhssk/core';

export const invalidParam = (name: string, value: string, why_vi: string, why_en: string) =>
  new DomainError('invalid', 'FHIR_PARAM_INVALID', `Tham số tìm kiếm ${name}=${value}: ${why_vi}`, `Search parameter ${name}=${value}: ${why_en}`);

const HOUR = 3_600_000;
const VN_OFFSET_MS = 7 * HOUR;

export type DatePrefix = 'eq' | 'gt' | 'lt' | 'ge' | 'le';

/** A date parameter as a half-open range [lo, hi) of Vietnam wall-clock time, in "local epoch" ms. */
export interface DateBound {
  prefix: DatePrefix;
  lo: number;
  hi: number;
}

const DATE_RE = /^(eq|ne|gt|lt|ge|le|sa|eb|ap)?(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/;

export function parseDate(name: string, raw: string): DateBound {
  const m = DATE_RE.exec(raw);
  if (!m) throw invalidParam(name, raw, 'không phải ngày/giờ FHIR (ví dụ ge2024-01-31).', 'not a FHIR date or dateTime (e.g. ge2024-01-31).');
  const prefix = m[1] ?? 'eq';
  if (prefix !== 'eq' && prefix !== 'gt' && prefix !== 'lt' && prefix !== 'ge' && prefix !== 'le') {
    throw invalidParam(name, raw, `tiền tố ${prefix} chưa được hỗ trợ (dùng eq, gt, ge, lt, le).`, `prefix ${prefix} is not supported (use eq, gt, ge, lt, le).`);
  }
  const [y, mo, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6], m[7]].map((v) => (v === undefined ? undefined : Number(v)));
  const fraction = m[8];
  const zone = m[9];
  if ((mo !== undefined && (mo < 1 || mo > 12)) || (d !== undefined && (d < 1 || d > 31)) || (h !== undefined && h > 23) || (mi !== undefined && mi > 59) || (s !== undefined && s > 59)) {
    throw invalidParam(name, raw, 'ngày giờ không có thật.', 'not a real date or time.');
  }
  let lo = Date.UTC(y!, (mo ?? 1) - 1, d ?? 1, h ?? 0, mi ?? 0, s ?? 0, fraction ? Math.floor(Number(fraction) * 1000) : 0);
  if (d !== undefined && new Date(lo).getUTCDate() !== d) throw invalidParam(name, raw, 'ngày không có thật.', 'not a real date.');
  let hi: number;
  if (mo === undefined) hi = Date.UTC(y! + 1, 0, 1);
  else if (d === undefined) hi = Date.UTC(y!, mo, 1);
  else if (h === undefined) hi = lo + 24 * HOUR;
  else if (s === undefined) hi = lo + 60_000;
  else if (!fraction) hi = lo + 1000;
  else hi = lo + 1;
  if (zone) {
    // A time with a zone names an instant: move it to Vietnam wall-clock time.
    const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * HOUR + Number(zone.slice(4, 6)) * 60_000);
    lo += VN_OFFSET_MS - offset;
    hi += VN_OFFSET_MS - offset;
  }
  return { prefix, lo, hi };
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Local-epoch ms → 'YYYY-MM-DD HH:MM:SS' (zone-less SQL timestamp), rounded up to the second. */
export function toSqlLocal(ms: number): string {
  const d = new Date(Math.ceil(ms / 1000) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/**
 * Local-epoch ms → XML 130 text of `length` 12 (minutes) or 8 (days), rounded up: a stored value names
 * the whole minute (day) it starts, so "t ≥ 10:00:30" holds from 10:01 on and "t < 10:00:30" up to 10:00.
 */
export function toXmlText(ms: number, length: 8 | 12): string {
  const unit = length === 12 ? 60_000 : 24 * HOUR;
  const d = new Date(Math.ceil(ms / unit) * unit);
  const day = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}`;
  return length === 8 ? day : `${day}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}`;
}

/** Local-epoch ms → the instant (UTC ISO) for timestamptz columns. */
export const toInstant = (ms: number) => new Date(ms - VN_OFFSET_MS).toISOString();

export interface Token {
  /** undefined: any system; '' : no system (`|code`). */
  system: string | undefined;
  code: string;
}

export function parseTokens(name: string, raw: string): Token[] {
  return raw.split(',').map((t) => {
    const bar = t.indexOf('|');
    const system = bar < 0 ? undefined : t.slice(0, bar);
    const code = bar < 0 ? t : t.slice(bar + 1);
    if (!code) throw invalidParam(name, raw, 'thiếu mã sau dấu |.', 'a code is required after the |.');
    return { system, code };
  });
}

/**
 * Reference values (`Patient/P1`, `P1`, or an absolute URL ending in `Patient/P1`) → ids of `type`.
 * A reference to another type matches nothing.
 */
export function parseReferences(name: string, raw: string, type: string): string[] {
  const out: string[] = [];
  for (const v of raw.split(',')) {
    const segs = v.split('/').filter(Boolean);
    if (segs.length === 0) throw invalidParam(name, raw, 'thiếu định danh.', 'an id is required.');
    const id = segs[segs.length - 1]!;
    const t = segs.length > 1 ? segs[segs.length - 2] : type;
    if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) throw invalidParam(name, raw, 'định danh không hợp lệ.', 'not a valid id.');
    if (t === type) out.push(id);
  }
  return out;
}

export function parseCount(raw: string | undefined, max: number, dflt: number): number {
  if (raw === undefined) return dflt;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1) throw invalidParam('_count', raw, 'phải là số nguyên dương.', 'must be a positive integer.');
  return Math.min(Number(raw), max);
}

/** The keyset cursor of a next link: the sort name and the last entry's sort values. */
export function encodeCursor(sort: string, values: ReadonlyArray<string | number>): string {
  return Buffer.from(JSON.stringify([sort, ...values]), 'utf8').toString('base64url');
}

export function decodeCursor(raw: string, sort: string, kinds: ReadonlyArray<'text' | 'int'>): Array<string | number> {
  const bad = () => invalidParam('_cursor', raw.slice(0, 40), 'con trỏ trang không hợp lệ; hãy dùng đường dẫn next của trang trước.', 'not a valid page cursor; follow the previous page’s next link.');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(v) || v[0] !== sort || v.length !== kinds.length + 1) throw bad();
  const values = v.slice(1);
  values.forEach((x, i) => {
    if (kinds[i] === 'int' ? !(typeof x === 'number' && Number.isSafeInteger(x)) : !(typeof x === 'string' && x.length <= 200)) throw bad();
  });
  return values as Array<string | number>;
}
