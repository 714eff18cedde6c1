/**
 * XML 130 times are Vietnam wall-clock times without a zone (UTC+7 all year, no daylight saving).
 * FHIR wants a zone on every time: the offset is written, never converted, so the digits stay those
 * the facility sent.
 */
const VN_OFFSET = '+07:00';

/** 'yyyyMMddHHmm' → FHIR dateTime; 'yyyyMMdd' → FHIR date; anything else → undefined. */
export function xmlTimeToFhir(v: string | null | undefined): string | undefined {
  if (!v) return undefined;
  const s = v.trim();
  if (/^\d{12}$/.test(s)) {
    if (!validDate(s.slice(0, 8)) || Number(s.slice(8, 10)) > 23 || Number(s.slice(10, 12)) > 59) return undefined;
    return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(8, 10)}:${s.slice(10, 12)}:00${VN_OFFSET}`;
  }
  if (/^\d{8}$/.test(s)) return validDate(s) ? `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` : undefined;
  return undefined;
}

/** 'yyyyMMdd' or the date part of 'yyyyMMddHHmm' → FHIR date. */
export function xmlDateToFhir(v: string | null | undefined): string | undefined {
  const s = (v ?? '').trim();
  if (!/^\d{8}(\d{4})?$/.test(s)) return undefined;
  return xmlTimeToFhir(s.slice(0, 8));
}

/** A zone-less SQL timestamp 'YYYY-MM-DD HH:MM:SS' (how episode times are stored) → FHIR dateTime. */
export function sqlTimeToFhir(v: string | null | undefined): string | undefined {
  if (!v) return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})/.exec(v);
  return m ? `${m[1]}T${m[2]}${VN_OFFSET}` : undefined;
}

/** A stored instant (timestamptz read as Date, or its ISO text) → FHIR instant in UTC. */
export function instantToFhir(v: Date | string): string {
  return (typeof v === 'string' ? new Date(v) : v).toISOString();
}

/** Person birth dates are kept as 'yyyy', 'yyyy-mm' or 'yyyy-mm-dd': all three are FHIR dates. */
export function birthDateToFhir(v: string | null | undefined): string | undefined {
  if (!v) return undefined;
  if (/^\d{4}$/.test(v) || /^\d{4}-(0[1-9]|1[0-2])$/.test(v)) return v;
  if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return validDate(v.replace(/-/g, '')) ? v : v.slice(0, 7);
  return undefined;
}

function validDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}
