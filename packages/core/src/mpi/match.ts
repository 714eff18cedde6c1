import { ADDRESS_CLOSE, compareAddressKeys, inferCommuneCodes, isHouseAddressKey } from './address.ts';
import { compareBirthDates, DateLevel } from './dates.ts';
import type { MpiRecord } from './record.ts';
import { isVietnameseSyllable } from '../text/legacy-encoding.ts';
import { jaroWinkler, jaroWinklerCanReach, phoneticKey } from './similarity.ts';

/** Comparison fields of the Fellegi–Sunter model and the names of their agreement levels. */
export const FIELDS = ['name', 'given', 'birthDate', 'sex', 'cccd', 'bhxh', 'cmnd', 'phone', 'commune', 'household', 'address'] as const;
export const FIELD_LEVELS: ReadonlyArray<ReadonlyArray<string>> = [
  ['disagree', 'weak', 'close', 'exact'],
  ['disagree', 'close', 'exact'],
  ['disagree', 'near', 'yearOnly', 'swapped', 'exact', 'oneDay'],
  ['disagree', 'agree'],
  ['disagree', 'agree'],
  ['disagree', 'agree'],
  ['disagree', 'agree'],
  ['disagree', 'agree'],
  ['disagree', 'agree'],
  ['disagree', 'agree'],
  ['disagree', 'close', 'exact', 'house'],
];
const F = FIELDS.length;
const F_NAME = 0, F_GIVEN = 1, F_DATE = 2, F_SEX = 3, F_CCCD = 4, F_BHXH = 5, F_CMND = 6, F_PHONE = 7, F_COMMUNE = 8, F_HOUSEHOLD = 9, F_ADDRESS = 10;
const MISSING = 255;
/** Extra birth-date level: full dates exactly one calendar day apart (a keying slip, not a twin). */
const DATE_ONE_DAY = 5;

function oneDayApart(y1: number, m1: number, d1: number, y2: number, m2: number, d2: number): boolean {
  if (m1 === 0 || d1 === 0 || m2 === 0 || d2 === 0) return false;
  return Math.abs(Date.UTC(y1, m1 - 1, d1) - Date.UTC(y2, m2 - 1, d2)) === 86_400_000;
}

export interface MatchModel {
  fields: readonly string[];
  levels: ReadonlyArray<ReadonlyArray<string>>;
  /** P(level | same person) per field. */
  m: number[][];
  /** P(level | different persons) among candidate pairs. */
  u: number[][];
  /** Share of candidate pairs that are matches. */
  lambda: number;
  iterations: number;
}

export interface LinkOptions {
  /** Posterior match probability at or above which a pair is linked automatically. */
  upper?: number;
  /** Posterior probability at or above which a non-linked pair goes to human review. */
  lower?: number;
  /** Blocks larger than this are compared with a sorted-neighbourhood window instead of all pairs. */
  maxBlockSize?: number;
  window?: number;
  emSample?: number;
  emIterations?: number;
  /** Reuse a model (e.g. from a larger run) instead of estimating one. */
  model?: MatchModel;
  /**
   * The records are a neighbourhood of candidates (incremental linking: at most a few hundred records
   * per key, 60 persons), not every record of their names. Rules that read "no second value among the
   * records of this name" as "no second person" (one person per name and year, per name and date,
   * up to a swap) and the name-frequency cap cannot be judged on such a view: a common name's second
   * bearer may simply not have been fetched. They are left to the global relink.
   */
  partialView?: boolean;
}

export interface ReviewPair {
  a: number;
  b: number;
  score: number;
  reasons: string[];
}

export interface LinkStats {
  records: number;
  candidatePairs: number;
  comparisons: number;
  cappedBlocks: number;
  deterministicLinks: number;
  autoLinks: number;
  refusedByConflict: number;
  reviews: number;
  clusters: number;
  msBlocking: number;
  msEm: number;
  msScoring: number;
  msClustering: number;
}

export interface LinkResult {
  clusterOf: Int32Array;
  reviewPairs: ReviewPair[];
  /**
   * Records of different persons carrying one CCCD or social-insurance number: a data error in one
   * of them (often a relative's number typed into a child's row), not a pair to merge or review.
   */
  sharedIdPairs: Array<{ a: number; b: number }>;
  model: MatchModel;
  stats: LinkStats;
}

/** Maps strings to dense ids; -1 = missing. */
class Interner {
  readonly ids = new Map<string, number>();
  readonly values: string[] = [];
  id(s: string | undefined): number {
    if (s === undefined || s === '') return -1;
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.values.length;
      this.ids.set(s, id);
      this.values.push(s);
    }
    return id;
  }
}

/** Columnar copy of the records: typed arrays keep the hot loop free of object lookups. */
interface Columns {
  n: number;
  year: Int16Array;
  month: Uint8Array;
  day: Uint8Array;
  sex: Int8Array;
  name: Int32Array;
  family: Int32Array;
  middle: Int32Array;
  given: Int32Array;
  phonetic: Int32Array;
  cccd: Int32Array;
  bhxh: Int32Array;
  cmnd: Int32Array;
  phone: Int32Array;
  commune: Int32Array;
  household: Int32Array;
  address: Int32Array;
  names: string[];
  /** Interned id strings ('C…', 'B…', 'M…'), indexed by the cccd/bhxh/cmnd columns. */
  idValues: string[];
  givens: string[];
  middles: string[];
  addresses: string[];
  /** Diacritic signature of the given name (see diacriticSignature); -1 when typed without any. */
  givenMarks: Int32Array;
  nameCount: Int32Array;
  avgNameTf: number;
  /** 1 when all full birth dates seen for this record's name+year agree (ignoring swaps). */
  unambiguousNameYear: Uint8Array;
  /** Records per given-name key and per middle-name key: a typo is a rare spelling of a common name. */
  givenCount: Int32Array;
  middleCount: Int32Array;
  /** 1 when the record's given name / every middle word is a well-formed Vietnamese syllable. */
  givenWellFormed: Uint8Array;
  middleWellFormed: Uint8Array;
  /** Bit k set when word k of the name is a well-formed Vietnamese syllable (all set when unknown). */
  wordWellFormed: Uint8Array;
  /** 1 when no other full birth date is known for this name and year under this record's roof. */
  unambiguousRoof: Uint8Array;
  /**
   * 1 when the records of this family and given name and full birth date in the commune name at
   * most one household: two household ids there are two same-name persons born the same day.
   */
  unambiguousNameDate: Uint8Array;
  /**
   * 1 when the commune's records of this full name and birth year all tell of one person: at most
   * one full date, household, CCCD, BHXH number, phone and sex.
   */
  onePersonNameYear: Uint8Array;
  /**
   * 1 when all records of this full name and full birth date (as written), wherever they are,
   * tell of one person: at most one commune, household, CCCD, BHXH number, phone and sex.
   */
  onePersonNameDate: Uint8Array;
  /**
   * 1 when the commune's records of this full name and birth year carry at most one household,
   * CCCD, BHXH number, phone and sex, and one full date up to a swap of day and month.
   */
  onePersonSwap: Uint8Array;
  /** Records of the commune giving this record's full name, birth year and day and month as written. */
  sameDateCount: Int32Array;
  /**
   * 1 when this record's name is written without diacritics and the records of that name and full
   * birth date carry two given names that differ only in their marks ("Hùng" and "Hưng": twins are
   * named so): the record may be either, and only an id can say which.
   */
  ambiguousUnaccented: Uint8Array;
}

function toColumns(records: MpiRecord[]): Columns {
  const n = records.length;
  const I = () => new Int32Array(n);
  const c: Columns = {
    n, year: new Int16Array(n), month: new Uint8Array(n), day: new Uint8Array(n), sex: new Int8Array(n),
    name: I(), family: I(), middle: I(), given: I(), phonetic: I(), cccd: I(), bhxh: I(), cmnd: I(), phone: I(),
    commune: I(), household: I(), address: I(), names: [], idValues: [], givens: [], middles: [], addresses: [], givenMarks: I(), nameCount: new Int32Array(0), avgNameTf: 0,
    unambiguousNameYear: new Uint8Array(n), givenCount: new Int32Array(0), middleCount: new Int32Array(0),
    givenWellFormed: new Uint8Array(n), middleWellFormed: new Uint8Array(n), wordWellFormed: new Uint8Array(n), unambiguousRoof: new Uint8Array(n),
    unambiguousNameDate: new Uint8Array(n), onePersonNameYear: new Uint8Array(n), onePersonNameDate: new Uint8Array(n), onePersonSwap: new Uint8Array(n), sameDateCount: I(),
    ambiguousUnaccented: new Uint8Array(n),
  };
  const names = new Interner(), fam = new Interner(), mid = new Interner(), giv = new Interner(), pho = new Interner();
  const ids = new Interner(), phones = new Interner(), communes = new Interner(), hh = new Interner(), addr = new Interner();
  const marks = new Interner();
  const phoneticCache = new Map<number, number>();
  // Records without a commune code but with an address naming the commune still block and count
  // as the same commune (immunization and other registries that carry no code).
  const inferredCommune = inferCommuneCodes(records);
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    c.year[i] = r.birthYear;
    c.month[i] = r.birthMonth ?? 0;
    c.day[i] = r.birthDay ?? 0;
    // When only the CCCD's sex digit contradicts the row (its birth year agrees), the typed sex is
    // the likelier slip: keep the CCCD and treat the row's sex as unknown rather than as a veto.
    const sexOnly = r.cccdMismatch === true && r.cccdSexOnlyMismatch === true;
    c.sex[i] = sexOnly ? 0 : r.sex === 'male' ? 1 : r.sex === 'female' ? 2 : 0;
    const nid = names.id(r.nameKey);
    c.name[i] = nid;
    c.family[i] = fam.id(r.familyKey);
    c.middle[i] = mid.id(r.middleKey);
    c.given[i] = giv.id(r.givenKey);
    c.givenMarks[i] = r.nameUnaccented ? -1 : marks.id(diacriticSignature(r.name.slice(r.name.lastIndexOf(' ') + 1)));
    let ph = phoneticCache.get(nid);
    if (ph === undefined) {
      ph = pho.id(phoneticKey(r.nameKey));
      phoneticCache.set(nid, ph);
    }
    c.phonetic[i] = ph;
    // A CCCD contradicting the row's own birth year/sex is often a relative's number typed
    // into the child's row: it must neither link nor veto.
    c.cccd[i] = r.cccdMismatch && !sexOnly ? -1 : ids.id(r.cccd === undefined ? undefined : 'C' + r.cccd);
    c.bhxh[i] = ids.id(r.bhxh === undefined ? undefined : 'B' + r.bhxh);
    c.cmnd[i] = ids.id(r.cmnd === undefined ? undefined : 'M' + r.cmnd);
    c.phone[i] = phones.id(r.phone);
    c.commune[i] = communes.id(r.communeCode ?? inferredCommune[i]);
    c.household[i] = hh.id(r.householdId === undefined ? undefined : (r.communeCode ?? '') + '|' + r.householdId);
    c.address[i] = addr.id(r.addressKey);
    const words = r.name.trim().split(/\s+/);
    c.givenWellFormed[i] = words.length > 0 && isVietnameseSyllable(words[words.length - 1]!) ? 1 : 0;
    c.middleWellFormed[i] = words.slice(1, -1).every(isVietnameseSyllable) ? 1 : 0;
    let mask = 0xff;
    if (words.length <= 8 && words.length === r.nameKey.split(' ').length) {
      mask = 0;
      for (let k = 0; k < words.length; k++) if (isVietnameseSyllable(words[k]!)) mask |= 1 << k;
    }
    c.wordWellFormed[i] = mask;
  }
  c.names = names.values;
  c.idValues = ids.values;
  c.givens = giv.values;
  c.middles = mid.values;
  c.addresses = addr.values;
  c.nameCount = new Int32Array(names.values.length);
  for (let i = 0; i < n; i++) c.nameCount[c.name[i]!]!++;
  c.givenCount = new Int32Array(giv.values.length);
  c.middleCount = new Int32Array(mid.values.length);
  for (let i = 0; i < n; i++) {
    if (c.given[i]! >= 0) c.givenCount[c.given[i]!]!++;
    if (c.middle[i]! >= 0) c.middleCount[c.middle[i]!]!++;
  }
  let sq = 0;
  for (const k of c.nameCount) sq += k * k;
  c.avgNameTf = n > 0 ? sq / (n * n) : 0;
  // A year-only record can only be attached safely when the data holds one candidate date for
  // its name and year; with two "Nguyễn Văn Hùng 1975" born on different days it is a guess.
  // Counted per commune where the record names one: "Nguyễn Văn Dũng 1979" is common in a
  // province, yet one person in his commune; a record without a commune is judged province-wide.
  const seenDate = new Map<number, number>();
  const seenLocal = new Map<string, number>();
  const nyKey = (i: number) => c.name[i]! * 512 + (c.year[i]! & 511);
  const note = <K>(m: Map<K, number>, k: K, v: number) => {
    const prev = m.get(k);
    if (prev === undefined) m.set(k, v);
    else if (prev !== v) m.set(k, -1);
  };
  // Under one roof (house number or household) the question is the same, asked of that roof only.
  const roofKeys = (i: number): string[] => {
    const keys: string[] = [];
    if (c.address[i]! >= 0 && isHouseAddressKey(c.addresses[c.address[i]!]!)) keys.push(`${nyKey(i)}|a${c.address[i]}`);
    if (c.household[i]! >= 0) keys.push(`${nyKey(i)}|h${c.household[i]}`);
    return keys;
  };
  const seenRoof = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    if (c.day[i] === 0) continue;
    const md = c.month[i]! * 32 + c.day[i]!;
    const sw = c.day[i]! <= 12 ? c.day[i]! * 32 + c.month[i]! : md;
    const norm = Math.min(md, sw);
    note(seenDate, nyKey(i), norm);
    if (c.commune[i]! >= 0) note(seenLocal, `${nyKey(i)}|${c.commune[i]}`, norm);
    for (const k of roofKeys(i)) note(seenRoof, k, norm);
  }
  for (let i = 0; i < n; i++) {
    const seen = c.commune[i]! >= 0 ? seenLocal.get(`${nyKey(i)}|${c.commune[i]}`) : seenDate.get(nyKey(i));
    c.unambiguousNameYear[i] = (seen ?? 0) >= 0 ? 1 : 0;
    c.unambiguousRoof[i] = roofKeys(i).every((k) => (seenRoof.get(k) ?? 0) >= 0) ? 1 : 0;
  }
  // The middle name is left out of the key: a record that drops it must see the same namesakes.
  // Day and month are taken in either order, as a swapped date must see them too.
  const nameDateKey = (i: number) => {
    const md = c.month[i]! * 32 + c.day[i]!;
    const sw = c.day[i]! <= 12 ? c.day[i]! * 32 + c.month[i]! : md;
    return `${c.family[i]}|${c.given[i]}|${c.year[i]}|${Math.min(md, sw)}|${c.commune[i]}`;
  };
  // The household number alone: a row without a commune code of its own (inferred) is keyed apart in c.household.
  const households = new Interner();
  const seenHousehold = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const h = records[i]!.householdId;
    if (c.day[i] !== 0 && c.commune[i]! >= 0 && h !== undefined && h !== '') note(seenHousehold, nameDateKey(i), households.id(h));
  }
  for (let i = 0; i < n; i++) {
    c.unambiguousNameDate[i] = c.day[i] === 0 || c.commune[i]! < 0 || (seenHousehold.get(nameDateKey(i)) ?? 0) >= 0 ? 1 : 0;
  }
  // Everything the commune's records of one name and year carry, attribute by attribute: two
  // values of any of them are two persons (or a slip nobody can tell from a namesake).
  const ATTRS = 6;
  const seenPerson = new Map<string, Int32Array>();
  const seenNameDate = new Map<string, Int32Array>();
  const nyc = (i: number) => `${nyKey(i)}|${c.commune[i]}`;
  const nd = (i: number) => `${nyKey(i)}|${c.month[i]! * 32 + c.day[i]!}`;
  const observe = (m: Map<string, Int32Array>, k: string, vals: number[]) => {
    let st = m.get(k);
    if (!st) {
      st = new Int32Array(ATTRS).fill(-2);
      m.set(k, st);
    }
    for (let a = 0; a < ATTRS; a++) {
      const v = vals[a]!;
      if (v < 0 || st[a] === -1) continue;
      st[a] = st[a] === -2 || st[a] === v ? v : -1;
    }
  };
  for (let i = 0; i < n; i++) {
    const sex = c.sex[i]! === 0 ? -1 : c.sex[i]!;
    // Day and month as written: a swap is a slip or a namesake born on the swapped day, and
    // only a date or a dwelling may tell which (the swap rules), not a record giving the year.
    if (c.commune[i]! >= 0) {
      observe(seenPerson, nyc(i), [c.day[i] === 0 ? -1 : c.month[i]! * 32 + c.day[i]!, c.household[i]!, c.cccd[i]!, c.bhxh[i]!, c.phone[i]!, sex]);
    }
    if (c.day[i]! > 0) observe(seenNameDate, nd(i), [c.commune[i]!, c.household[i]!, c.cccd[i]!, c.bhxh[i]!, c.phone[i]!, sex]);
  }
  const dateCount = new Map<string, number>();
  const nycd = (i: number) => `${nyc(i)}|${c.month[i]! * 32 + c.day[i]!}`;
  for (let i = 0; i < n; i++) if (c.commune[i]! >= 0 && c.day[i]! > 0) dateCount.set(nycd(i), (dateCount.get(nycd(i)) ?? 0) + 1);
  for (let i = 0; i < n; i++) {
    c.sameDateCount[i] = c.commune[i]! >= 0 && c.day[i]! > 0 ? dateCount.get(nycd(i))! : 0;
    const st = c.commune[i]! >= 0 ? seenPerson.get(nyc(i)) : undefined;
    c.onePersonNameYear[i] = st?.every((v) => v !== -1) ? 1 : 0;
    c.onePersonSwap[i] = c.unambiguousNameYear[i] === 1 && st !== undefined && st.every((v, a) => a === 0 || v !== -1) ? 1 : 0;
    const sd = c.day[i]! > 0 ? seenNameDate.get(nd(i)) : undefined;
    c.onePersonNameDate[i] = sd?.every((v) => v !== -1) ? 1 : 0;
  }
  // The given names' marks seen per name (without diacritics) and full birth date: -2 none, -1 several.
  const marksOf = new Map<string, number>();
  const dateKey = (i: number) => `${c.name[i]}|${c.year[i]}|${c.month[i]}|${c.day[i]}`;
  for (let i = 0; i < n; i++) {
    const m = c.givenMarks[i]!;
    if (m < 0 || c.name[i]! < 0 || c.day[i] === 0) continue;
    const seen = marksOf.get(dateKey(i)) ?? -2;
    marksOf.set(dateKey(i), seen === -2 || seen === m ? m : -1);
  }
  for (let i = 0; i < n; i++) {
    if (c.givenMarks[i]! < 0 && c.name[i]! >= 0 && c.day[i]! > 0 && marksOf.get(dateKey(i)) === -1) c.ambiguousUnaccented[i] = 1;
  }
  return c;
}

/**
 * The diacritics of a word regardless of where the tone mark sits ("Thuỳ" and "Thùy" agree,
 * "Hùng" and "Hưng" do not): the sorted combining marks of its NFD form, plus đ.
 */
function diacriticSignature(word: string): string {
  const nfd = word.toLowerCase().normalize('NFD');
  const out: string[] = [];
  for (const ch of nfd) if ((ch >= '\u0300' && ch <= '\u036f') || ch === 'đ') out.push(ch);
  return out.sort().join('') || '-';
}

function mix(h: number, v: number): number {
  h = Math.imul(h ^ (v + 0x7f4a7c15), 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

/** Growable buffer of pair keys a*n+b. */
class PairBuffer {
  buf = new Float64Array(1 << 16);
  length = 0;
  push(k: number): void {
    if (this.length === this.buf.length) {
      const next = new Float64Array(this.buf.length * 2);
      next.set(this.buf);
      this.buf = next;
    }
    this.buf[this.length++] = k;
  }
}

type BlockKey = (i: number) => number | undefined;

function blockingKeys(c: Columns): BlockKey[] {
  const has = (a: Int32Array, i: number) => a[i]! >= 0;
  return [
    (i) => (has(c.cccd, i) ? mix(1, c.cccd[i]!) : undefined),
    (i) => (has(c.bhxh, i) ? mix(2, c.bhxh[i]!) : undefined),
    (i) => (has(c.cmnd, i) ? mix(3, c.cmnd[i]!) : undefined),
    (i) => (has(c.phone, i) ? mix(4, c.phone[i]!) : undefined),
    (i) => (has(c.household, i) ? mix(5, c.household[i]!) : undefined),
    (i) => mix(mix(6, c.name[i]!), c.year[i]!),
    (i) => mix(mix(7, c.phonetic[i]!), c.year[i]!),
    (i) => (has(c.commune, i) ? mix(mix(mix(8, c.given[i]!), c.year[i]!), c.commune[i]!) : undefined),
    (i) => (has(c.commune, i) ? mix(mix(mix(mix(9, c.family[i]!), c.middle[i]!), c.year[i]!), c.commune[i]!) : undefined),
    (i) => (c.day[i]! > 0 ? mix(mix(mix(10, c.family[i]!), c.given[i]!), c.month[i]! * 32 + c.day[i]!) : undefined),
    (i) => (c.day[i]! > 0 && has(c.commune, i) ? mix(mix(mix(11, c.commune[i]!), c.year[i]!), c.month[i]! * 32 + c.day[i]!) : undefined),
  ];
}

/**
 * Candidate pairs from all blocking passes, deduplicated and sorted. Each pass sorts one
 * Float64Array of (hash, index) composites, so blocking costs O(n log n) per key without
 * per-record objects; giant blocks fall back to a sorted-neighbourhood window.
 */
function candidatePairs(c: Columns, maxBlock: number, window: number): { pairs: Float64Array; cappedBlocks: number } {
  const n = c.n;
  const idxBits = Math.max(1, Math.ceil(Math.log2(n + 1)));
  const hashBits = Math.min(32, 53 - idxBits);
  const idxScale = 2 ** idxBits;
  const hashShift = 32 - hashBits;
  // Secondary order inside giant blocks: similar names, same commune and dates end up adjacent.
  const rank = new Int32Array(n);
  {
    const order = Array.from({ length: n }, (_, i) => i);
    const nm = c.names;
    order.sort((a, b) => {
      const sa = nm[c.name[a]!]!, sb = nm[c.name[b]!]!;
      if (sa !== sb) return sa < sb ? -1 : 1;
      return c.commune[a]! - c.commune[b]! || c.year[a]! - c.year[b]! || c.month[a]! - c.month[b]! || c.day[a]! - c.day[b]! || a - b;
    });
    for (let r = 0; r < n; r++) rank[order[r]!] = r;
  }
  const out = new PairBuffer();
  let cappedBlocks = 0;
  const comp = new Float64Array(n);
  const members: number[] = [];
  const emit = (a: number, b: number) => out.push(a < b ? a * n + b : b * n + a);
  const flush = () => {
    const s = members.length;
    if (s < 2) return;
    if (s <= maxBlock) {
      for (let x = 0; x < s; x++) for (let y = x + 1; y < s; y++) emit(members[x]!, members[y]!);
      return;
    }
    cappedBlocks++;
    members.sort((a, b) => rank[a]! - rank[b]!);
    for (let x = 0; x < s; x++) for (let y = x + 1; y < Math.min(s, x + window); y++) emit(members[x]!, members[y]!);
  };
  for (const key of blockingKeys(c)) {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const h = key(i);
      if (h !== undefined) comp[m++] = (h >>> hashShift) * idxScale + i;
    }
    const sorted = comp.subarray(0, m).sort();
    let cur = -1;
    members.length = 0;
    for (let k = 0; k < m; k++) {
      const v = sorted[k]!;
      const h = Math.floor(v / idxScale);
      if (h !== cur) {
        flush();
        members.length = 0;
        cur = h;
      }
      members.push(v - h * idxScale);
    }
    flush();
  }
  const all = out.buf.subarray(0, out.length).sort();
  let u = 0;
  for (let k = 0; k < all.length; k++) if (k === 0 || all[k] !== all[k - 1]) all[u++] = all[k]!;
  return { pairs: all.slice(0, u), cappedBlocks };
}

function idLevel(a: Int32Array, i: number, j: number): number {
  const x = a[i]!, y = a[j]!;
  if (x < 0 || y < 0) return MISSING;
  return x === y ? 1 : 0;
}

/** Same length, exactly one differing character: a mistyped digit of one number. */
function oneCharApart(x: string, y: string): boolean {
  if (x.length !== y.length) return false;
  let d = 0;
  for (let k = 0; k < x.length && d < 2; k++) if (x.charCodeAt(k) !== y.charCodeAt(k)) d++;
  return d === 1;
}

function comparePair(c: Columns, i: number, j: number, g: Uint8Array): void {
  const ni = c.name[i]!, nj = c.name[j]!;
  if (ni === nj) g[F_NAME] = 3;
  else if (middleDropped(c, i, j)) g[F_NAME] = 2;
  else {
    const s = jaroWinkler(c.names[ni]!, c.names[nj]!);
    g[F_NAME] = s >= 0.93 || oneWordSlip(c.names[ni]!, c.names[nj]!) ? 2 : s >= 0.85 ? 1 : 0;
  }
  const gi = c.given[i]!, gj = c.given[j]!;
  if (gi === gj && c.givenMarks[i]! >= 0 && c.givenMarks[j]! >= 0 && c.givenMarks[i] !== c.givenMarks[j]) {
    // "Hùng" and "Hưng" share a key without diacritics; both written with diacritics and still
    // different, they are two names — the twins case — not one name typed two ways.
    g[F_GIVEN] = 1;
    if (g[F_NAME] === 3) g[F_NAME] = 2;
  } else if (gi === gj) g[F_GIVEN] = 2;
  else if (gi < 0 || gj < 0) g[F_GIVEN] = MISSING;
  else g[F_GIVEN] = jaroWinkler(c.givens[gi]!, c.givens[gj]!) >= 0.88 ? 1 : 0;
  g[F_DATE] = compareBirthDates(c.year[i]!, c.month[i]!, c.day[i]!, c.year[j]!, c.month[j]!, c.day[j]!);
  if (g[F_DATE] === DateLevel.near && oneDayApart(c.year[i]!, c.month[i]!, c.day[i]!, c.year[j]!, c.month[j]!, c.day[j]!)) g[F_DATE] = DATE_ONE_DAY;
  const si = c.sex[i]!, sj = c.sex[j]!;
  g[F_SEX] = si === 0 || sj === 0 ? MISSING : si === sj ? 1 : 0;
  g[F_CCCD] = idLevel(c.cccd, i, j);
  g[F_BHXH] = idLevel(c.bhxh, i, j);
  g[F_CMND] = idLevel(c.cmnd, i, j);
  g[F_PHONE] = idLevel(c.phone, i, j);
  g[F_COMMUNE] = idLevel(c.commune, i, j);
  g[F_HOUSEHOLD] = idLevel(c.household, i, j);
  const ai = c.address[i]!, aj = c.address[j]!;
  if (ai < 0 || aj < 0) g[F_ADDRESS] = MISSING;
  else g[F_ADDRESS] = compareAddressKeys(c.addresses[ai]!, c.addresses[aj]!, addressSimilarity);
}

/** compareAddressKeys only asks whether the similarity reaches ADDRESS_CLOSE: most pairs are ruled out cheaply. */
const addressSimilarity = (x: string, y: string): number => (jaroWinklerCanReach(x, y, ADDRESS_CLOSE) ? jaroWinkler(x, y) : 0);

/**
 * Both records give a middle name and they are different words, not a slip of one ("Lan Anh" /
 * "Mai Anh", "Thu Hà" / "Thanh Hà", "Văn An" / "Thị An").
 */
function middlesDiffer(c: Columns, i: number, j: number): boolean {
  const x = c.middle[i]!, y = c.middle[j]!;
  if (x < 0 || y < 0 || x === y) return false;
  const wx = c.middles[x]!.split(' '), wy = c.middles[y]!.split(' ');
  // A middle word left out ("Nguyễn Thu Hà" / "Nguyễn Thị Thu Hà") is not a different name.
  if (wx.length !== wy.length) return false;
  return wx.some((w, k) => w !== wy[k] && jaroWinkler(w, wy[k]!) < 0.8);
}

/** One substitution, insertion, deletion or swap of neighbours apart (optimal string alignment ≤ 1). */
function oneEditApart(x: string, y: string): boolean {
  if (x === y) return false;
  const lx = x.length, ly = y.length;
  if (Math.abs(lx - ly) > 1) return false;
  let p = 0;
  while (p < lx && p < ly && x.charCodeAt(p) === y.charCodeAt(p)) p++;
  if (lx === ly) {
    if (x.slice(p + 1) === y.slice(p + 1)) return true;
    return p + 1 < lx && x[p] === y[p + 1] && x[p + 1] === y[p] && x.slice(p + 2) === y.slice(p + 2);
  }
  return lx > ly ? x.slice(p + 1) === y.slice(p) : x.slice(p) === y.slice(p + 1);
}

/**
 * One keystroke in one word of the name ("Nguyễô Minh Trinh"): Jaro–Winkler scores a slip inside a
 * word lower than the same slip at its end, so the words are compared one by one.
 */
function oneWordSlip(x: string, y: string): boolean {
  const wx = x.split(' '), wy = y.split(' ');
  if (wx.length !== wy.length) return false;
  let slips = 0;
  for (let k = 0; k < wx.length; k++) {
    if (wx[k] === wy[k]) continue;
    if (++slips > 1 || !oneEditApart(wx[k]!, wy[k]!)) return false;
  }
  return slips === 1;
}

/**
 * Frequencies only mean something over a population: in the handful of records an arriving
 * record is compared with, one person's many records would make any spelling "common".
 */
const TYPO_MIN_RECORDS = 5000;

/**
 * A spelling that is no Vietnamese syllable at all, found once or twice beside a name many
 * records share, one keystroke from it ("Naân" beside "Ngân", "Lnih" beside "Linh"): a typo of
 * that name. Two real names one letter apart ("Tâm" / "Tân", "Hà" / "Hải": twins) are both
 * syllables and stay different names, however rare one of them is.
 * Keys are ASCII with single spaces (searchKey), so comparing UTF-16 units is comparing letters.
 */
function typoOfCommon(countX: number, countY: number, x: string, y: string, rareWellFormed: boolean, n: number): boolean {
  if (n < TYPO_MIN_RECORDS || rareWellFormed) return false;
  const rare = Math.min(countX, countY), common = Math.max(countX, countY);
  return rare <= Math.max(2, n / 200_000) && common >= Math.max(5, 5 * rare) && oneEditApart(x, y);
}

/**
 * The names differ in one word by one keystroke, and that word is a Vietnamese syllable in one
 * record and no syllable at all in the other ("Vătn"/"Văn", "Tâủy"/"Thủy", "Hoàg"/"Hoàng"): a slip
 * of the keyboard, not another name, however rare the real name is. Two real names ("Tâm"/"Tân",
 * "Hà"/"Hải": twins) are both syllables and never qualify. Over a population only, as typoOfCommon.
 */
function slipToNonWord(c: Columns, i: number, j: number): boolean {
  if (c.n < TYPO_MIN_RECORDS) return false;
  const x = c.names[c.name[i]!]!, y = c.names[c.name[j]!]!;
  if (x === y) return false;
  const wx = x.split(' '), wy = y.split(' ');
  if (wx.length !== wy.length) return false;
  let k = -1;
  for (let p = 0; p < wx.length; p++) {
    if (wx[p] === wy[p]) continue;
    if (k >= 0) return false;
    k = p;
  }
  if (k < 0 || k >= 8 || !oneEditApart(wx[k]!, wy[k]!)) return false;
  return ((c.wordWellFormed[i]! >> k) & 1) !== ((c.wordWellFormed[j]! >> k) & 1);
}

function givenTypo(c: Columns, i: number, j: number): boolean {
  const x = c.given[i]!, y = c.given[j]!;
  if (x < 0 || y < 0 || x === y) return false;
  const rare = c.givenCount[x]! <= c.givenCount[y]! ? i : j;
  return typoOfCommon(c.givenCount[x]!, c.givenCount[y]!, c.givens[x]!, c.givens[y]!, c.givenWellFormed[rare] === 1, c.n);
}

function middleTypo(c: Columns, i: number, j: number): boolean {
  const x = c.middle[i]!, y = c.middle[j]!;
  if (x < 0 || y < 0 || x === y) return false;
  const rare = c.middleCount[x]! <= c.middleCount[y]! ? i : j;
  return typoOfCommon(c.middleCount[x]!, c.middleCount[y]!, c.middles[x]!, c.middles[y]!, c.middleWellFormed[rare] === 1, c.n);
}

/**
 * "Nguyễn Lan" against "Nguyễn Thị Lan": the same family and given name with the middle name left
 * out of one record — registries and cards often drop it — is a close name, not a different one.
 */
function middleDropped(c: Columns, i: number, j: number): boolean {
  return c.family[i] === c.family[j] && c.given[i] === c.given[j] && c.family[i]! >= 0 && c.given[i]! >= 0 &&
    (c.middle[i]! < 0) !== (c.middle[j]! < 0);
}

/**
 * The model EM starts from; also what incremental linking scores with before any global link has
 * estimated one for the population.
 */
export function initialModel(): MatchModel {
  // Starting point only: EM moves these, but a start where "names, dates and ids agree for
  // matches" makes it converge on persons rather than on households.
  const m: number[][] = [
    [0.02, 0.05, 0.13, 0.8], [0.03, 0.07, 0.9], [0.02, 0.03, 0.1, 0.05, 0.79, 0.01], [0.02, 0.98],
    [0.01, 0.99], [0.02, 0.98], [0.05, 0.95], [0.2, 0.8], [0.1, 0.9], [0.1, 0.9], [0.3, 0.2, 0.3, 0.2],
  ];
  const u: number[][] = [
    [0.5, 0.2, 0.1, 0.2], [0.7, 0.1, 0.2], [0.6, 0.2, 0.1, 0.01, 0.085, 0.005], [0.5, 0.5],
    [0.99, 0.01], [0.99, 0.01], [0.98, 0.02], [0.7, 0.3], [0.6, 0.4], [0.8, 0.2], [0.7, 0.2, 0.08, 0.02],
  ];
  return { fields: FIELDS, levels: FIELD_LEVELS, m, u, lambda: 0.3, iterations: 0 };
}

/** Expectation–maximisation of m, u and the match share on a sample of candidate-pair patterns. */
function estimateModel(gammas: Uint8Array, count: number, iterations: number): MatchModel {
  const model = initialModel();
  const post = new Float64Array(count);
  for (let it = 0; it < iterations; it++) {
    const lm = model.m.map((r) => r.map(Math.log));
    const lu = model.u.map((r) => r.map(Math.log));
    const prior = Math.log(model.lambda / (1 - model.lambda));
    let sumP = 0;
    for (let p = 0; p < count; p++) {
      let w = prior;
      for (let f = 0; f < F; f++) {
        const l = gammas[p * F + f]!;
        if (l !== MISSING) w += lm[f]![l]! - lu[f]![l]!;
      }
      const q = w > 40 ? 1 : w < -40 ? 0 : 1 / (1 + Math.exp(-w));
      post[p] = q;
      sumP += q;
    }
    const mAcc = FIELD_LEVELS.map((ls) => new Float64Array(ls.length));
    const uAcc = FIELD_LEVELS.map((ls) => new Float64Array(ls.length));
    for (let p = 0; p < count; p++) {
      const q = post[p]!;
      for (let f = 0; f < F; f++) {
        const l = gammas[p * F + f]!;
        if (l === MISSING) continue;
        mAcc[f]![l]! += q;
        uAcc[f]![l]! += 1 - q;
      }
    }
    const norm = (acc: Float64Array) => {
      // Pseudo-counts keep impossible-in-sample levels finite (e.g. no CCCD conflicts among matches).
      let s = 0;
      for (const v of acc) s += v + 0.5;
      return Array.from(acc, (v) => (v + 0.5) / s);
    };
    model.m = mAcc.map(norm);
    model.u = uAcc.map(norm);
    model.lambda = Math.min(0.999, Math.max(1e-4, sumP / Math.max(1, count)));
    model.iterations = it + 1;
  }
  return model;
}

const MAX_WEIGHT = 14;

/**
 * A name carried by more records than this is common enough that a namesake born on the same day
 * is to be expected somewhere in a province: about 60 birth years of 365 days, and a chance of at
 * most 1 % that one of its records belongs to a same-day namesake (one record per person assumed).
 */
const SAME_DAY_NAME_MAX_RECORDS = Math.floor(0.01 * 365 * 60);

/**
 * Phone numbers and household ids differ between registries for one person all the time (a
 * parent's phone on a child's immunization record, a new SIM, a registry's own household
 * numbering). EM learns their disagreement weight from the candidate pairs of one extract and
 * can make it as strong as a different birth date; it is weak evidence, so its penalty is bounded.
 * Addresses and communes keep their learnt weight: a different house is what tells same-name
 * neighbours apart.
 */
const SOFT_FIELDS: ReadonlySet<number> = new Set([F_PHONE, F_HOUSEHOLD]);
const SOFT_MIN_WEIGHT = -3;

function weights(model: MatchModel): Float64Array {
  const w = new Float64Array(F * 8);
  for (let f = 0; f < F; f++) {
    const ls = model.m[f]!;
    for (let l = 0; l < ls.length; l++) {
      const v = Math.log2(ls[l]! / model.u[f]![l]!);
      w[f * 8 + l] = Math.max(SOFT_FIELDS.has(f) ? SOFT_MIN_WEIGHT : -MAX_WEIGHT, Math.min(MAX_WEIGHT, v));
    }
  }
  return w;
}

const VETO_ID_CONFLICT = 1, VETO_DATE = 2, VETO_GIVEN = 4, VETO_SEX = 8, VETO_EVIDENCE = 16, DETERMINISTIC = 32, SHARED_ID_CONFLICT = 64;
/** Birth dates one day apart, corroborated by name plus a strong id or phone+commune: a typo. */
const DAY_OFF_OK = 128;
/** Social-insurance numbers one digit apart, with an agreeing CCCD or name + birth date: a typo. */
const BHXH_TYPO_OK = 256;
/** Sex differs but name, full birth date and place agree: the typed sex is the slip. */
const SEX_SLIP_OK = 512;
/** Same full name (or a near spelling), given name, full birth date and place, no id conflict. */
const DEMOGRAPHIC = 1024;
/** Year-only birth date, same full name and dwelling, no other such person known. */
const YEAR_ONLY_OK = 2048;
/** The two records name the same village, house, household or phone. */
const SAME_PLACE = 4096;
/** Full names at least close: a CCCD-tied pair may then carry a mistyped given name. */
const NAME_NEAR = 8192;
/** Day/month swapped without an id or a shared dwelling to confirm it. */
const VETO_SWAP = 16384;
/** The given name differs by a typo of a common name (typoOfCommon), not as another name. */
const GIVEN_TYPO = 32768;
/**
 * Day/month swapped, and otherwise everything the exact-name demographic link asks plus the same
 * village: linked after the main pass only when one side is a lone record (swapLinks).
 */
const SWAP_LONE = 65536;
/** The two records name one dwelling: the same house, household, or phone within the commune. */
const HOME = 131072;

/**
 * Rules that override the probabilistic score. Fellegi–Sunter assumes fields are independent,
 * but relatives share household, phone, address and family name, so a twin pair can score
 * high; these guards encode what no weighting can: two different given names, two different
 * valid ids or clearly different birth dates are different people.
 */
function rules(
  g: Uint8Array, unambiguousYearOnly: boolean, bhxhOneDigit = false, middleOnly = false, middleDiffers = false, typo = false,
  unambiguousRoof = false, slip = false, unambiguousNameDate = true, onePersonYear = false, onePersonDate = false, onePersonSwap = false,
): number {
  let flags = typo ? GIVEN_TYPO : 0;
  // MISSING (255) must never read as agreement in the comparisons below.
  const ad = g[F_ADDRESS] === MISSING ? -1 : g[F_ADDRESS]!;
  const strongId = g[F_CCCD] === 1 || g[F_BHXH] === 1;
  // One mistyped BHXH digit is a typo, not another person's number, when the CCCD agrees or the
  // name and full birth date do; otherwise it stays an id conflict.
  const bhxhTypo = bhxhOneDigit && g[F_CCCD] !== 0 &&
    (g[F_CCCD] === 1 || (g[F_NAME]! >= 2 && (g[F_DATE] === DateLevel.exact || g[F_DATE] === DateLevel.swapped)));
  if (bhxhTypo) flags |= BHXH_TYPO_OK;
  if (g[F_CCCD] === 0 || g[F_BHXH] === 0 || (bhxhOneDigit && !bhxhTypo)) flags |= VETO_ID_CONFLICT;
  if (g[F_DATE] === DateLevel.disagree) flags |= VETO_DATE;
  // "Lan Anh" and "Mai Anh": in compound given names the first word is what tells siblings apart.
  if ((g[F_GIVEN] === 0 || middleDiffers) && !strongId) flags |= VETO_GIVEN;
  const fullDate = g[F_DATE] === DateLevel.exact || g[F_DATE] === DateLevel.swapped;
  // Where the person lives or is reached, independently of the name: relatives share it, so it
  // only corroborates, never decides.
  const place = g[F_COMMUNE] === 1 || ad >= 1 || g[F_HOUSEHOLD] === 1 || g[F_PHONE] === 1;
  // Opposite-sex twins have different given names; a same-name, same-day, same-place pair with
  // different sex is one person whose sex was mistyped (Vietnamese middle names mostly carry sex).
  // With only the birth year, the same full name under one roof (house, household, or the phone in
  // the commune) will do too: a namesake there is a father or son, born decades apart.
  const dwelling = g[F_ADDRESS] === 3 || g[F_HOUSEHOLD] === 1 || (g[F_PHONE] === 1 && (g[F_COMMUNE] === 1 || ad >= 2));
  const sexSlip = g[F_SEX] === 0 && g[F_NAME] === 3 && (fullDate ? place : g[F_DATE] === DateLevel.yearOnly && dwelling) &&
    g[F_CCCD] !== 0 && g[F_BHXH] !== 0;
  if (sexSlip) flags |= SEX_SLIP_OK;
  if (g[F_SEX] === 0 && !strongId && !sexSlip) flags |= VETO_SEX;
  const evidence =
    strongId || g[F_CMND] === 1 || g[F_PHONE] === 1 || g[F_HOUSEHOLD] === 1 ||
    g[F_DATE] === DateLevel.exact || g[F_DATE] === DateLevel.swapped ||
    (unambiguousYearOnly && g[F_NAME] === 3 && g[F_DATE] === DateLevel.yearOnly && (g[F_COMMUNE] === 1 || ad >= 2));
  if (!evidence) flags |= VETO_EVIDENCE;
  // One day apart is a near-agreement only with the name and an independent tie; twins share the
  // date exactly and namesake fathers/sons differ by years, so neither reaches this branch.
  // One dwelling (not only one village): house address, household id, or a phone in the commune.
  const home = g[F_ADDRESS] === 3 || g[F_HOUSEHOLD] === 1 || (g[F_PHONE] === 1 && (g[F_COMMUNE] === 1 || ad >= 2));
  const addressOk = g[F_ADDRESS] === MISSING || ad >= 2;
  // Same-name villagers born one day apart are far rarer than a mistyped day.
  if (g[F_DATE] === DATE_ONE_DAY && g[F_NAME]! >= 2 && g[F_SEX] !== 0 && (strongId || home || ad === 2)) flags |= DAY_OFF_OK;
  const idsAgreeable = g[F_CCCD] !== 0 && g[F_BHXH] !== 0 && g[F_CMND] !== 0 && !(flags & VETO_ID_CONFLICT);
  // The same given name, full birth date and place, no contradicting id: registries without ids
  // (immunization, old population lists) can only be joined this way, and two different persons
  // sharing all of it do not occur — twins differ in given name, namesake relatives in year.
  // Namesakes of one commune born the same day exist at district scale, so a commune alone is
  // not enough when their addresses are known and differ; a swapped day/month needs the dwelling.
  // Two household numbers that differ are two households unless the dwelling says otherwise.
  // Two households of the commune holding that name and birth date are two persons: a record
  // that names no dwelling cannot tell which of them it is.
  const placeOk = home || (addressOk && g[F_HOUSEHOLD] !== 0 && (g[F_COMMUNE] === 1 || ad >= 2) && unambiguousNameDate);
  // The full name exactly, or with the middle name left out: compound given names make near
  // spellings of twins' names ("Lan Anh"/"Mai Anh", "Thu Hà"/"Thanh Hà") as close as any typo.
  if ((g[F_NAME] === 3 || middleOnly) && g[F_GIVEN] === 2 && (g[F_DATE] === DateLevel.exact || (fullDate && home)) &&
      (g[F_SEX] !== 0 || sexSlip) && idsAgreeable && placeOk) flags |= DEMOGRAPHIC;
  // A record that places itself nowhere (a clinic's row with name, birth date and sex only) can
  // only be joined by who it names: the same full name and full birth date, when every record of
  // that name and date tells of one person (onePersonDate) and the name is rare enough that a
  // namesake born that same day is unlikely (the caller's name-frequency and placeless tests).
  // Nothing of the pair may disagree: a second commune, household, card or phone is a second
  // person. Two records that each name a place the other cannot be compared with stay apart.
  if (onePersonDate && g[F_NAME] === 3 && g[F_GIVEN] === 2 && g[F_DATE] === DateLevel.exact && g[F_SEX] === 1 && idsAgreeable &&
      g[F_PHONE] !== 0 && g[F_HOUSEHOLD] !== 0 && g[F_COMMUNE] !== 0 && (g[F_ADDRESS] === MISSING || ad >= 2)) flags |= DEMOGRAPHIC;
  // A typo in the name (family, middle, or a rare misspelling of a common given name) with the
  // exact birth date under one roof: twins there differ in given name, not by one keystroke.
  // A slip that leaves no Vietnamese word at all is a typo wherever the two live, so the place
  // test is then the exact-name one (placeOk).
  if (g[F_NAME]! >= 2 && (g[F_GIVEN] === 2 || typo) && !middleDiffers && g[F_DATE] === DateLevel.exact && (home || (slip && placeOk)) &&
      g[F_SEX] !== 0 && idsAgreeable) flags |= DEMOGRAPHIC;
  // A record giving only the birth year joins the person with the same full name under one roof
  // when nobody else of that name and year is known there (unambiguousYearOnly).
  // Under one roof (the house or the household number) the namesakes of the commune do not count,
  // only those recorded under that roof (unambiguousRoof).
  const sameRoof = (g[F_ADDRESS] === 3 || g[F_HOUSEHOLD] === 1) && unambiguousRoof;
  // With the middle name left out as well, only the dwelling (never the village) and no other
  // date known for that name and year, in the commune or under the roof, will do.
  const yearOnlyPlace = g[F_NAME] === 3 ? (unambiguousYearOnly ? home || ad === 2 : sameRoof) : middleOnly && home && unambiguousYearOnly && unambiguousRoof;
  if (yearOnlyPlace && g[F_GIVEN] === 2 && g[F_DATE] === DateLevel.yearOnly && (g[F_SEX] !== 0 || sexSlip) && idsAgreeable) flags |= YEAR_ONLY_OK;
  // The commune alone will do when every record of that full name and year in the commune tells of
  // one person (onePersonYear: one date, household, card, phone and sex at most): a namesake of the
  // same year there leaves a second value of one of them. Nothing of the pair may disagree.
  if (onePersonYear && g[F_NAME] === 3 && g[F_GIVEN] === 2 && g[F_DATE] === DateLevel.yearOnly && g[F_COMMUNE] === 1 &&
      (g[F_ADDRESS] === MISSING || ad >= 2) && g[F_HOUSEHOLD] !== 0 && g[F_PHONE] !== 0 && g[F_SEX] !== 0 && idsAgreeable) flags |= YEAR_ONLY_OK;
  if (flags & (DAY_OFF_OK | YEAR_ONLY_OK)) flags &= ~VETO_EVIDENCE;
  // Name and birth date with nothing placing the two records together, or a birth year with only
  // the commune in common: namesakes look exactly like that, whatever the score.
  const yearWithCommuneOnly = g[F_DATE] === DateLevel.yearOnly && g[F_COMMUNE] === 1 && g[F_ADDRESS] === MISSING && !home;
  if (!strongId && g[F_CMND] !== 1 && !(flags & (DEMOGRAPHIC | YEAR_ONLY_OK)) && (!place || yearWithCommuneOnly || (!unambiguousNameDate && !home && g[F_DATE] === DateLevel.exact))) {
    flags |= VETO_EVIDENCE;
  }
  // Day and month swapped is also how two namesakes of one commune born on 4 October and 10 April
  // look: without an id or the dwelling it is for a person to decide.
  // Unless the commune's records of that name and year tell of one person whatever the order of
  // day and month (onePersonSwap: one date up to the swap, and one household, card, phone and
  // sex): a namesake born on the swapped day there has records of his own carrying his own. The
  // caller also asks that one of the two dates stand on a single record: a slip is one record's,
  // and two dates each given by two records or more are two persons.
  const swapOnePerson = onePersonSwap && g[F_NAME] === 3 && g[F_GIVEN] === 2 && !middleDiffers && g[F_SEX] === 1 && idsAgreeable &&
    g[F_COMMUNE] === 1 && (g[F_ADDRESS] === MISSING || ad >= 2) && g[F_HOUSEHOLD] !== 0 && g[F_PHONE] !== 0;
  if (g[F_DATE] === DateLevel.swapped && swapOnePerson) flags |= DEMOGRAPHIC;
  else if (g[F_DATE] === DateLevel.swapped && !strongId && !home) {
    flags |= VETO_SWAP;
    // A typed date is one record's slip; two namesakes of one village born on 4 October and
    // 10 April each have their own records. So the village may confirm a swap only for a lone
    // record (checked against the clusters in swapLinks), never to bridge two persons.
    if (g[F_NAME] === 3 && g[F_GIVEN] === 2 && !middleDiffers && g[F_SEX] !== 0 && idsAgreeable && ad === 2 &&
        g[F_HOUSEHOLD] !== 0 && unambiguousNameDate) flags |= SWAP_LONE;
  }
  if (home || ad >= 2) flags |= SAME_PLACE;
  if (home) flags |= HOME;
  if (g[F_NAME]! >= 2) flags |= NAME_NEAR;
  if (strongId) {
    const nameOk = (g[F_NAME] !== MISSING && g[F_NAME]! >= 1) || g[F_GIVEN] === 1 || g[F_GIVEN] === 2;
    if (nameOk && !(flags & (VETO_ID_CONFLICT | VETO_DATE))) flags |= DETERMINISTIC;
    else if (!nameOk || flags & VETO_DATE) flags |= SHARED_ID_CONFLICT;
  }
  return flags;
}

const VETOES = VETO_ID_CONFLICT | VETO_DATE | VETO_GIVEN | VETO_SEX | VETO_EVIDENCE | SHARED_ID_CONFLICT | VETO_SWAP;

/**
 * Whether a pair left apart deserves a person's time: its score says it may be one person and
 * nothing in it already says it is not. Two valid ids or birth dates that contradict each other
 * are different people; a pair with no tie beyond name and birth year cannot be decided from
 * the records either. A link refused only because of another record in one of the clusters is
 * worth a look: that record may be the wrong one.
 */
function worthReview(flags: number, score: number, upperW: number, lowerW: number, refusedByCluster: boolean): boolean {
  if (refusedByCluster) return true;
  if (isAutoLink(flags, score, upperW) || score < lowerW) return false;
  if (flags & (VETO_DATE | SHARED_ID_CONFLICT)) return false;
  if (flags & VETO_ID_CONFLICT && !(flags & BHXH_TYPO_OK)) return false;
  if (flags & VETO_EVIDENCE && !(flags & SAME_PLACE)) return false;
  return true;
}

function isAutoLink(flags: number, score: number, upperW: number): boolean {
  if (flags & DETERMINISTIC) return true;
  if (flags & VETOES) return false;
  return (flags & (DEMOGRAPHIC | YEAR_ONLY_OK)) !== 0 || score >= upperW;
}

function reasonsFor(g: Uint8Array, flags: number, extra?: string): string[] {
  const r: string[] = [];
  if (extra) r.push(extra);
  if (flags & SHARED_ID_CONFLICT) r.push('shared-id-different-person');
  if (flags & VETO_ID_CONFLICT) r.push('id-conflict');
  if (flags & VETO_DATE) r.push('birth-date-conflict');
  if (flags & VETO_GIVEN) r.push('given-name-differs');
  if (flags & VETO_SEX) r.push('sex-differs');
  if (flags & VETO_SWAP) r.push('day-month-swapped');
  if (flags & VETO_EVIDENCE) r.push('weak-evidence');
  for (let f = 0; f < F; f++) {
    const l = g[f]!;
    if (l !== MISSING) r.push(`${FIELDS[f]}:${FIELD_LEVELS[f]![l]}`);
  }
  return r;
}

class Clusters {
  parent: Int32Array;
  cccd: Int32Array;
  bhxh: Int32Array;
  yMin: Int16Array;
  yMax: Int16Array;
  md: Int16Array;
  /**
   * A second day and month the cluster already holds (a one-day slip or a swap let in by an id or
   * the dwelling): a record giving exactly that date is no conflict.
   */
  mdAlt: Int16Array;
  /** Male minus female records in the cluster: a lone mistyped sex is outvoted, not a veto. */
  sexVote: Int32Array;
  given: Int32Array;
  /** Diacritic signature of the given name, first known in the cluster. */
  marks: Int32Array;
  /** House-level address key id (isHouseAddressKey), first known in the cluster. */
  house: Int32Array;
  /** Records in the cluster (at its root). */
  size: Int32Array;
  constructor(c: Columns) {
    const n = c.n;
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
    this.size = new Int32Array(n).fill(1);
    this.cccd = c.cccd.slice();
    this.bhxh = c.bhxh.slice();
    this.yMin = c.year.slice();
    this.yMax = c.year.slice();
    this.md = new Int16Array(n);
    for (let i = 0; i < n; i++) this.md[i] = c.day[i]! > 0 ? c.month[i]! * 32 + c.day[i]! : -1;
    this.mdAlt = new Int16Array(n).fill(-1);
    this.sexVote = Int32Array.from(c.sex, (x) => (x === 1 ? 1 : x === 2 ? -1 : 0));
    this.given = c.given.slice();
    this.marks = c.givenMarks.slice();
    this.house = Int32Array.from(c.address, (a) => (a >= 0 && isHouseAddressKey(c.addresses[a]!) ? a : -1));
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }
  /** Why two clusters must not merge, or undefined when they may. */
  conflict(a: number, b: number, c: Columns, pairFlags: number): string | undefined {
    if (this.cccd[a]! >= 0 && this.cccd[b]! >= 0 && this.cccd[a] !== this.cccd[b]) return 'cluster-cccd-conflict';
    if (this.bhxh[a]! >= 0 && this.bhxh[b]! >= 0 && this.bhxh[a] !== this.bhxh[b]) {
      // The pair itself may carry no number (a card typed one digit off sits elsewhere in the cluster).
      const typo = (pairFlags & (BHXH_TYPO_OK | NAME_NEAR)) !== 0 && oneCharApart(c.idValues[this.bhxh[a]!]!, c.idValues[this.bhxh[b]!]!);
      if (!typo) return 'cluster-bhxh-conflict';
    }
    if (Math.max(this.yMax[a]!, this.yMax[b]!) - Math.min(this.yMin[a]!, this.yMin[b]!) > 1) return 'cluster-birth-year-conflict';
    const ma = this.md[a]!, mb = this.md[b]!;
    const altA = this.mdAlt[a]!, altB = this.mdAlt[b]!;
    // Only an id or the dwelling may lean on the second date: a namesake of the commune born that
    // day must not join a person through one of that person's slips. It must meet the other side's
    // own date: two persons whose main dates differ do not join because each carries the same slip.
    const sharedDate = (pairFlags & (DETERMINISTIC | HOME)) !== 0 &&
      ((altA >= 0 && altA === mb) || (altB >= 0 && altB === ma));
    if (ma >= 0 && mb >= 0 && ma !== mb && !sharedDate) {
      const swapped = (ma & 31) * 32 + (ma >> 5) === mb;
      const y = this.yMin[a]!;
      const idDay = (pairFlags & (DETERMINISTIC | NAME_NEAR)) === (DETERMINISTIC | NAME_NEAR);
      const dayOff = ((pairFlags & DAY_OFF_OK) !== 0 || idDay) && oneDayApart(y, ma >> 5, ma & 31, y, mb >> 5, mb & 31);
      if (!swapped && !dayOff) return 'cluster-birth-date-conflict';
    }
    // A pair tied by an agreeing CCCD/BHXH and name outweighs a sex field (typed sex is the slip).
    const sa = Math.sign(this.sexVote[a]!), sb = Math.sign(this.sexVote[b]!);
    if (!(pairFlags & (DETERMINISTIC | SEX_SLIP_OK)) && sa !== 0 && sb !== 0 && sa !== sb) return 'cluster-sex-conflict';
    const ga = this.given[a]!, gb = this.given[b]!;
    if (!(pairFlags & DETERMINISTIC)) {
      // Without an id, a record lacking diacritics or an address must not bridge "Hùng" and "Hưng",
      // or two houses of one commune: twins and namesake neighbours are joined exactly that way.
      const ka = this.marks[a]!, kb = this.marks[b]!;
      if (ka >= 0 && kb >= 0 && ka !== kb && ga === gb) return 'cluster-given-name-conflict';
      const ha = this.house[a]!, hb = this.house[b]!;
      if (ha >= 0 && hb >= 0 && ha !== hb && compareAddressKeys(c.addresses[ha]!, c.addresses[hb]!, jaroWinkler) < 2) return 'cluster-address-conflict';
    }
    // A shared CCCD/BHXH with a near full name outweighs one mistyped given name ("Mai"/"Mui").
    const idTied = (pairFlags & (DETERMINISTIC | NAME_NEAR)) === (DETERMINISTIC | NAME_NEAR);
    const typoPair = (pairFlags & GIVEN_TYPO) !== 0 && ga >= 0 && gb >= 0 && oneEditApart(c.givens[ga]!, c.givens[gb]!);
    if (!idTied && !typoPair && ga >= 0 && gb >= 0 && ga !== gb && jaroWinkler(c.givens[ga]!, c.givens[gb]!) < 0.8) {
      return 'cluster-given-name-conflict';
    }
    return undefined;
  }
  union(a: number, b: number): void {
    // Deterministic root choice (smaller index) keeps results independent of merge order ties.
    const [r, s] = a < b ? [a, b] : [b, a];
    this.parent[s] = r;
    this.size[r] = this.size[r]! + this.size[s]!;
    if (this.cccd[r]! < 0) this.cccd[r] = this.cccd[s]!;
    if (this.bhxh[r]! < 0) this.bhxh[r] = this.bhxh[s]!;
    this.yMin[r] = Math.min(this.yMin[r]!, this.yMin[s]!);
    this.yMax[r] = Math.max(this.yMax[r]!, this.yMax[s]!);
    if (this.md[r]! < 0) this.md[r] = this.md[s]!;
    else if (this.mdAlt[r]! < 0) {
      const other = this.md[s]! >= 0 && this.md[s] !== this.md[r] ? this.md[s]! : this.mdAlt[s]!;
      if (other !== this.md[r]) this.mdAlt[r] = other;
    }
    this.sexVote[r] = this.sexVote[r]! + this.sexVote[s]!;
    if (this.given[r]! < 0) this.given[r] = this.given[s]!;
    if (this.marks[r]! < 0) this.marks[r] = this.marks[s]!;
    if (this.house[r]! < 0) this.house[r] = this.house[s]!;
  }
}

/**
 * 1 January: what registries write when only the year of birth is known, so namesakes share it far
 * more often than one day in 365; a same-name, same-date pair there says little.
 */
function placeholderDate(c: Columns, i: number): boolean {
  return c.day[i] === 1 && c.month[i] === 1;
}

/** The record names no commune (given or read from its address), address or household. */
function placeless(c: Columns, i: number): boolean {
  return c.commune[i]! < 0 && c.address[i]! < 0 && c.household[i]! < 0;
}

/** Two records disagree on an identifier, the phone, the household, the commune, the sex or the address. */
function disagreesBeyondName(c: Columns, i: number, j: number): boolean {
  const differ = (a: Int32Array) => a[i]! >= 0 && a[j]! >= 0 && a[i] !== a[j];
  if (differ(c.cccd) || differ(c.bhxh) || differ(c.cmnd) || differ(c.phone) || differ(c.household) || differ(c.commune)) return true;
  if (c.sex[i] !== 0 && c.sex[j] !== 0 && c.sex[i] !== c.sex[j]) return true;
  const ai = c.address[i]!, aj = c.address[j]!;
  return ai >= 0 && aj >= 0 && compareAddressKeys(c.addresses[ai]!, c.addresses[aj]!, addressSimilarity) < 2;
}

/**
 * Day and month swapped between a lone record and a person of the same full name, given name, sex
 * and village (SWAP_LONE), with nothing else telling them apart: the lone record's date is the
 * slip. Run after the main pass, when clusters show which side stands alone. Not linked when the
 * lone record would fit two persons, when both sides hold several records (two namesakes, each
 * with their own records), when the other side is a lone record too, when the lone record
 * disagrees with any record of the person on an identifier, phone, household, commune, sex or
 * address, or when a cluster check refuses it.
 */
function swapLinks(
  c: Columns, cl: Clusters, pairs: Float64Array, flags: Uint32Array, score: Float32Array, lowerW: number, refused: Map<number, string>,
): number {
  const n = c.n;
  const byLone = new Map<number, number[]>();
  for (let k = 0; k < pairs.length; k++) {
    const fl = flags[k]!;
    if (!(fl & SWAP_LONE) || (fl & VETOES) !== VETO_SWAP || score[k]! < lowerW) continue;
    const key = pairs[k]!;
    const a = Math.floor(key / n);
    const ra = cl.find(a), rb = cl.find(key - a * n);
    if (ra === rb) continue;
    for (const r of [ra, rb]) {
      if (cl.size[r] !== 1) continue;
      const list = byLone.get(r) ?? [];
      list.push(k);
      byLone.set(r, list);
    }
  }
  // Records of each person a lone record may join, to hold the lone record against all of them.
  const members = new Map<number, number[]>();
  if (byLone.size > 0) {
    for (let i = 0; i < n; i++) {
      const r = cl.find(i);
      if (cl.size[r]! < 2) continue;
      const list = members.get(r);
      if (list) list.push(i);
      else members.set(r, [i]);
    }
  }
  let linked = 0;
  for (const [lone, ks] of [...byLone].sort((x, y) => x[0] - y[0])) {
    if (cl.find(lone) !== lone || cl.size[lone] !== 1) continue;
    const others = new Set<number>();
    for (const k of ks) {
      const key = pairs[k]!;
      const a = Math.floor(key / n);
      const ra = cl.find(a), rb = cl.find(key - a * n);
      others.add(ra === lone ? rb : ra);
    }
    others.delete(lone);
    if (others.size !== 1) continue;
    const other = [...others][0]!;
    // The other date must stand on two records at least: two lone namesakes are two guesses. Two
    // records giving the date, not two records in the cluster: a second record with only the year
    // (or no date) leaves the date on one record, a guess like the lone one.
    if (cl.size[other]! < 2) continue;
    const list = members.get(other)!;
    const date = cl.md[other]!;
    if (list.filter((j) => c.day[j]! > 0 && c.month[j]! * 32 + c.day[j]! === date).length < 2) continue;
    // A namesake's lone record carries that namesake's own phone, card, household or house: any
    // of them differing from any record of the person says it is someone else.
    if (list.some((j) => disagreesBeyondName(c, lone, j))) continue;
    const k = ks[0]!;
    const why = cl.conflict(lone, other, c, flags[k]!);
    if (why) continue;
    cl.union(lone, other);
    list.push(lone);
    members.set(cl.find(other), list);
    refused.delete(k);
    linked++;
  }
  return linked;
}

/**
 * Links records of one population into persons: blocking → EM-estimated Fellegi–Sunter scores
 * (with name-frequency adjustment) → guard rules → union-find with cluster-level conflict checks,
 * strongest links first. Deterministic for a given input order.
 */
export function linkRecords(records: MpiRecord[], options: LinkOptions = {}): LinkResult {
  const upper = options.upper ?? 0.95;
  const lower = options.lower ?? 0.5;
  const partial = options.partialView === true;
  const t0 = performance.now();
  const c = toColumns(records);
  const n = c.n;
  const { pairs, cappedBlocks } = candidatePairs(c, options.maxBlockSize ?? 60, options.window ?? 12);
  const P = pairs.length;
  const t1 = performance.now();

  const g = new Uint8Array(F);
  let model = options.model;
  if (!model) {
    const sample = Math.min(P, options.emSample ?? 200_000);
    const gammas = new Uint8Array(sample * F);
    const stride = P / Math.max(1, sample);
    for (let s = 0; s < sample; s++) {
      const k = pairs[Math.floor(s * stride)]!;
      const a = Math.floor(k / n);
      comparePair(c, a, k - a * n, gammas.subarray(s * F, s * F + F));
    }
    model = estimateModel(gammas, sample, options.emIterations ?? 30);
  }
  const t2 = performance.now();

  const w = weights(model);
  const prior = Math.log2(model.lambda / (1 - model.lambda));
  const logit = (p: number) => Math.log2(p / (1 - p));
  const upperW = logit(upper) - prior;
  const lowerW = logit(lower) - prior;
  const score = new Float32Array(P);
  const flags = new Uint32Array(P);
  let nAuto = 0;
  for (let k = 0; k < P; k++) {
    const key = pairs[k]!;
    const a = Math.floor(key / n);
    const b = key - a * n;
    comparePair(c, a, b, g);
    // A one-digit BHXH difference is scored as no BHXH evidence; the rules decide typo vs conflict.
    const bhxhOneDigit = g[F_BHXH] === 0 && oneCharApart(c.idValues[c.bhxh[a]!]!, c.idValues[c.bhxh[b]!]!);
    if (bhxhOneDigit) g[F_BHXH] = MISSING;
    let s = 0;
    for (let f = 0; f < F; f++) {
      const l = g[f]!;
      if (l !== MISSING) s += w[f * 8 + l]!;
    }
    if (g[F_NAME] === 3) {
      // Agreeing on "Nguyễn Văn Hùng" says far less than agreeing on a rare name.
      const tf = c.nameCount[c.name[a]!]! / n;
      s += Math.max(-6, Math.min(4, Math.log2(c.avgNameTf / tf)));
    }
    score[k] = s;
    const slip = slipToNonWord(c, a, b);
    const typo = (g[F_GIVEN] === 0 || g[F_GIVEN] === 1) && (slip || givenTypo(c, a, b));
    if (typo) g[F_GIVEN] = 1;
    const middleDiffers = middlesDiffer(c, a, b) && !slip && !middleTypo(c, a, b);
    // Ambiguity is a property of the record giving only the year.
    const y = c.day[a] === 0 ? a : b;
    const fl = rules(
      g, c.unambiguousNameYear[y] === 1, bhxhOneDigit, g[F_NAME] === 2 && middleDropped(c, a, b), middleDiffers, typo, c.unambiguousRoof[y] === 1,
      slip, c.unambiguousNameDate[a] === 1 && c.unambiguousNameDate[b] === 1, !partial && c.onePersonNameYear[y] === 1,
      !partial && c.onePersonNameDate[a] === 1 && c.onePersonNameDate[b] === 1 && c.nameCount[c.name[a]!]! <= SAME_DAY_NAME_MAX_RECORDS &&
        (placeless(c, a) || placeless(c, b)) && !placeholderDate(c, a),
      !partial && c.onePersonSwap[a] === 1 && c.onePersonSwap[b] === 1 &&
        Math.min(c.sameDateCount[a]!, c.sameDateCount[b]!) === 1,
    ) | (c.ambiguousUnaccented[a] === 1 || c.ambiguousUnaccented[b] === 1 ? VETO_GIVEN : 0);
    flags[k] = fl;
    if (isAutoLink(fl, s, upperW)) nAuto++;
  }
  const t3 = performance.now();

  // Strongest links first so that a chain can only form through the best evidence.
  const autoIdx = new Uint32Array(nAuto);
  const autoKey = new Float64Array(nAuto);
  let q = 0;
  for (let k = 0; k < P; k++) {
    const fl = flags[k]!;
    if (isAutoLink(fl, score[k]!, upperW)) {
      autoIdx[q] = k;
      autoKey[q++] = fl & DETERMINISTIC ? 1e6 + score[k]! : score[k]!;
    }
  }
  const order = Array.from(autoIdx.keys()).sort((x, y) => autoKey[y]! - autoKey[x]! || autoIdx[x]! - autoIdx[y]!);
  const cl = new Clusters(c);
  const refused = new Map<number, string>();
  let autoLinks = 0;
  let deterministicLinks = 0;
  for (const o of order) {
    const k = autoIdx[o]!;
    const key = pairs[k]!;
    const a = Math.floor(key / n);
    const b = key - a * n;
    const ra = cl.find(a), rb = cl.find(b);
    if (ra === rb) continue;
    const why = cl.conflict(ra, rb, c, flags[k]!);
    if (why) {
      refused.set(k, why);
      continue;
    }
    cl.union(ra, rb);
    autoLinks++;
    if (flags[k]! & DETERMINISTIC) deterministicLinks++;
  }
  autoLinks += swapLinks(c, cl, pairs, flags, score, lowerW, refused);

  // One pair per two would-be persons: the best-scoring one stands for the others, and deciding
  // it decides them all.
  const best = new Map<number, number>();
  const sharedIdPairs: Array<{ a: number; b: number }> = [];
  for (let k = 0; k < P; k++) {
    const fl = flags[k]!;
    if (fl & SHARED_ID_CONFLICT) {
      const key = pairs[k]!;
      const a = Math.floor(key / n);
      if (cl.find(a) !== cl.find(key - a * n)) sharedIdPairs.push({ a, b: key - a * n });
    }
    if (!worthReview(fl, score[k]!, upperW, lowerW, refused.has(k))) continue;
    const key = pairs[k]!;
    const a = Math.floor(key / n);
    const ra = cl.find(a), rb = cl.find(key - a * n);
    if (ra === rb) continue;
    const ck = ra < rb ? ra * n + rb : rb * n + ra;
    const prev = best.get(ck);
    if (prev === undefined || score[k]! > score[prev]!) best.set(ck, k);
  }
  const reviewPairs: ReviewPair[] = [];
  for (const k of [...best.values()].sort((x, y) => x - y)) {
    const key = pairs[k]!;
    const a = Math.floor(key / n);
    const b = key - a * n;
    comparePair(c, a, b, g);
    const p = 1 / (1 + 2 ** -(score[k]! + prior));
    reviewPairs.push({ a, b, score: Math.round(p * 10000) / 10000, reasons: reasonsFor(g, flags[k]!, refused.get(k)) });
  }
  reviewPairs.sort((x, y) => y.score - x.score || x.a - y.a || x.b - y.b);

  const clusterOf = new Int32Array(n);
  const dense = new Int32Array(n).fill(-1);
  let clusters = 0;
  for (let i = 0; i < n; i++) {
    const r = cl.find(i);
    if (dense[r] === -1) dense[r] = clusters++;
    clusterOf[i] = dense[r]!;
  }
  const t4 = performance.now();
  return {
    clusterOf,
    reviewPairs,
    sharedIdPairs,
    model,
    stats: {
      records: n,
      candidatePairs: P,
      comparisons: P,
      cappedBlocks,
      deterministicLinks,
      autoLinks,
      refusedByConflict: refused.size,
      reviews: reviewPairs.length,
      clusters,
      msBlocking: Math.round(t1 - t0),
      msEm: Math.round(t2 - t1),
      msScoring: Math.round(t3 - t2),
      msClustering: Math.round(t4 - t3),
    },
  };
}

/** Baseline for benchmarks: union of records sharing a valid CCCD or social-insurance number, no guards. */
export function linkDeterministicOnly(records: MpiRecord[]): Int32Array {
  const n = records.length;
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  const seen = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = records[i]!;
    for (const k of [r.cccd && 'C' + r.cccd, r.bhxh && 'B' + r.bhxh]) {
      if (!k) continue;
      const j = seen.get(k);
      if (j === undefined) seen.set(k, i);
      else {
        const x = find(i), y = find(j);
        if (x !== y) parent[Math.max(x, y)] = Math.min(x, y);
      }
    }
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = find(i);
  return out;
}
