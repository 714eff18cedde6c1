import { cleanText, searchKey } from '../text/vietnamese.ts';

/**
 * Administrative-unit abbreviations seen in source files. Longer forms first so "TP." is not
 * read as "T." + "P.". Matching is on word starts only, so "Q." inside a word is untouched.
 */
const ABBREVIATIONS: ReadonlyArray<readonly [RegExp, string, needs: string]> = [
  [/(^|[\s,])(?:TP|T\.P|Tp|tp)\s*\.\s*/g, '$1thành phố ', '.'],
  [/(^|[\s,])(?:TX|Tx|tx)\s*\.\s*/g, '$1thị xã ', '.'],
  [/(^|[\s,])(?:TT|Tt|tt)\s*\.\s*/g, '$1thị trấn ', '.'],
  [/(^|[\s,])[Xx]\s*\.\s*/g, '$1xã ', '.'],
  [/(^|[\s,])[Hh]\s*\.\s*/g, '$1huyện ', '.'],
  [/(^|[\s,])[Pp]\s*\.\s*/g, '$1phường ', '.'],
  [/(^|[\s,])[Qq]\s*\.\s*/g, '$1quận ', '.'],
  [/(^|[\s,])[Tt]\s*\.\s*/g, '$1tỉnh ', '.'],
  // Without the dot these are only safe before a comma-separated unit name written in capitals.
  [/(^|,\s*)TP\s+(?=\p{Lu})/gu, '$1thành phố ', 'TP'],
];

/** Address for display: NFC, abbreviations expanded, comma spacing fixed. */
export function normalizeAddress(raw: string): string {
  let s = cleanText(raw);
  // Each rewrite runs only when the text holds what its pattern needs (the dot of an abbreviation,
  // "TP", a comma): same result, and most addresses skip most of the regular expressions, which
  // were the larger part of normalizing a population row.
  for (const [re, rep, needs] of ABBREVIATIONS) if (s.includes(needs)) s = s.replace(re, rep);
  if (s.includes(',')) s = s.replace(/\s*,\s*/g, ', ');
  if (s.includes(', , ')) s = s.replace(/(, )+/g, ', ');
  if (s.startsWith(', ') || s.endsWith(', ')) s = s.replace(/^, |, $/g, '');
  return cleanText(s);
}

// Unit words carry no identifying information once abbreviations are expanded, and some
// sources omit them entirely ("Tân Lập, Đan Phượng") or shorten them without a dot ("th 7",
// "ng 24", "t.7"), so keys drop them in every spelling. Two-word units go first because their
// words alone are place names too ("Thanh" Trì, "Đan" Phượng).
const UNIT_PHRASES = /\b(?:THANH PHO|THI XA|THI TRAN|TO DAN PHO|KHU PHO|SO NHA)\b/g;
const UNIT_WORDS = new Set([
  'XA', 'HUYEN', 'PHUONG', 'QUAN', 'TINH', 'THON', 'XOM', 'AP', 'TO', 'SO', 'NGO', 'NGACH', 'HEM', 'KIET',
  'TP', 'TX', 'TT', 'TDP', 'KP', 'TH', 'NG',
]);

/**
 * Diacritic-free, unit-word-free key for comparing addresses across sources: the house number,
 * lane and place names in order ("Số 120 ngõ 6, X. Hòa Bình" → "120 6 HOA BINH"). Single letters
 * are what is left of an abbreviation ("t.7", "x hoa binh") and go too.
 */
export function addressKey(raw: string): string {
  const full = searchKey(normalizeAddress(raw));
  const words = full.replace(UNIT_PHRASES, ' ').split(' ');
  const key = words.filter((w) => w !== '' && !UNIT_WORDS.has(w) && !(w.length === 1 && (w < '0' || w > '9'))).join(' ');
  return HOUSE_NUMBER.test(full) && key !== '' ? `${HOUSE_MARK} ${key}` : key;
}

/**
 * An address that starts with a house number ("Số 185 ngõ 16", "12/3 Lê Lợi") names one dwelling;
 * one that starts with a unit ("Thôn 7", "Phường 5") names a village or ward shared by thousands.
 * Namesakes born the same year live in the same village often enough to matter, in the same
 * house almost never, so the key keeps the difference.
 */
const HOUSE_NUMBER = /^(?:(?:SO|SN|SO NHA) )?\d+[A-Z]?\b/;
const HOUSE_MARK = '#';

/** The key names one dwelling (see HOUSE_NUMBER), not only a village or ward. */
export function isHouseAddressKey(key: string): boolean {
  return key.startsWith(HOUSE_MARK);
}

/**
 * How far two address keys agree: 3 when the same dwelling, 2 when the same village or ward
 * (equal, or one is the other with its trailing units — province, district — left off), 1 when
 * close, 0 otherwise. Registry extracts often stop
 * at the district, so a missing tail is not a disagreement.
 */
export function compareAddressKeys(a: string, b: string, similar: (x: string, y: string) => number): 0 | 1 | 2 | 3 {
  const same = (): boolean => {
    if (a === b) return true;
    const [short, long] = a.length <= b.length ? [a, b] : [b, a];
    // At least a number and a place name before a tail can be ignored. Counted and compared in
    // place: this runs for millions of candidate pairs.
    const first = short.indexOf(' ');
    if (first < 0 || short.indexOf(' ', first + 1) < 0) return false;
    return long.length > short.length && long.charCodeAt(short.length) === 32 && long.startsWith(short);
  };
  if (same()) return isHouseAddressKey(a) && isHouseAddressKey(b) ? 3 : 2;
  return similar(a, b) >= ADDRESS_CLOSE ? 1 : 0;
}

/** Similarity (Jaro–Winkler) from which two address keys that are not the same count as close. */
export const ADDRESS_CLOSE = 0.9;

const COMMUNE_UNITS = new Set(['XA', 'PHUONG']);
const DISTRICT_UNITS = new Set(['HUYEN', 'QUAN']);

/**
 * The commune and district an address names ("Thôn 7, xã Phú Thịnh 5, huyện Hòa Vang, Cần Thơ" →
 * PHU THINH 5 / HOA VANG), read after the unit words once abbreviations are expanded, with or
 * without commas between the parts. Undefined when no commune-level unit word is written.
 */
export function communeOfAddress(address: string): { commune: string; district: string | undefined } | undefined {
  // Commas end a part; two-word units become one token so "thị xã" is not read as "xã".
  const tokens = normalizeAddress(address).split(',').flatMap((part, k) => {
    const words = searchKey(part).replace(/\bTHI XA\b/g, 'THI_XA').replace(/\bTHI TRAN\b/g, 'THI_TRAN')
      .replace(/\bTHANH PHO\b/g, 'THANH_PHO').split(' ').filter((w) => w !== '');
    return k === 0 ? words : [',', ...words];
  });
  // Unit words are also place names ("Đan Phượng", "Quán Toan"): inside a name only the next
  // higher unit or a comma ends it.
  const provinceEnd = (w: string) => w === ',' || w === 'TINH' || w === 'THANH_PHO';
  const unitEnd = (w: string) => provinceEnd(w) || w === 'THI_XA' || DISTRICT_UNITS.has(w);
  const start = tokens.findIndex((w) => COMMUNE_UNITS.has(w) || w === 'THI_TRAN');
  if (start < 0) return undefined;
  let k = start + 1;
  const commune: string[] = [];
  while (k < tokens.length && !unitEnd(tokens[k]!)) commune.push(tokens[k++]!);
  if (commune.length === 0) return undefined;
  let district: string | undefined;
  if (tokens[k] === ',') k++;
  const unit = tokens[k];
  if (unit !== undefined && (DISTRICT_UNITS.has(unit) || unit === 'THI_XA' || unit === 'THANH_PHO')) {
    const words: string[] = [];
    for (k++; k < tokens.length && !provinceEnd(tokens[k]!); k++) words.push(tokens[k]!);
    if (words.length > 0) district = words.join(' ');
  }
  return { commune: commune.join(' '), district };
}

/**
 * Commune codes for records that give an address but no commune code (registries without one,
 * such as immunization lists), learnt from the records of the same extract that give both:
 * "xã Phú Thịnh 5, huyện Hòa Vang" is commune 10148 when the records carrying that text and a
 * code agree on it. A name written in several communes (the same commune name in two districts,
 * and no district to tell them apart) or codes that disagree leave the record without one.
 * Returns, per record, the inferred code or undefined (always undefined when a code is given).
 */
export function inferCommuneCodes(records: ReadonlyArray<{ address?: string | undefined; communeCode?: string | undefined }>): Array<string | undefined> {
  const parsed = new Map<string, ReturnType<typeof communeOfAddress>>();
  const parse = (a: string) => {
    if (!parsed.has(a)) parsed.set(a, communeOfAddress(a));
    return parsed.get(a);
  };
  // Votes per "commune|district" and per commune name alone.
  const votes = new Map<string, Map<string, number>>();
  const vote = (key: string, code: string) => {
    const m = votes.get(key) ?? new Map<string, number>();
    m.set(code, (m.get(code) ?? 0) + 1);
    votes.set(key, m);
  };
  const out: Array<string | undefined> = new Array(records.length).fill(undefined);
  const missing: number[] = [];
  records.forEach((r, i) => {
    if (r.address === undefined) return;
    if (r.communeCode === undefined) {
      missing.push(i);
      return;
    }
    const p = parse(r.address);
    if (!p) return;
    vote(`${p.commune}|${p.district ?? ''}`, r.communeCode);
    vote(p.commune, r.communeCode);
  });
  if (missing.length === 0) return out;
  /** The code nearly all records of this key carry (one stray wrong code among many is outvoted). */
  const decided = (key: string): string | undefined => {
    const m = votes.get(key);
    if (!m) return undefined;
    let total = 0, best: string | undefined, bestCount = 0;
    for (const [code, count] of m) {
      total += count;
      if (count > bestCount) [best, bestCount] = [code, count];
    }
    return bestCount >= 0.9 * total ? best : undefined;
  };
  for (const i of missing) {
    const p = parse(records[i]!.address!);
    if (!p) continue;
    // A district written with the province run on ("hoa vang can tho") is tried word by word shorter.
    let code: string | undefined;
    const words = p.district?.split(' ') ?? [];
    for (let len = words.length; len > 0 && code === undefined; len--) code = decided(`${p.commune}|${words.slice(0, len).join(' ')}`);
    // The commune name alone only when the address names no district that could contradict it.
    out[i] = code ?? (p.district === undefined ? decided(p.commune) : undefined);
  }
  return out;
}
