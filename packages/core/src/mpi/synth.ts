import type { Sex } from '../identifiers/index.ts';
import { cccdGenderDigit, OLD_PROVINCES } from '../identifiers/index.ts';
import {
  createRng, FAMILY_NAMES, FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE, pick, pickWeighted, randomInt,
} from '../synth/names.ts';
import { stripDiacritics } from '../text/vietnamese.ts';

export interface SynthPerson {
  id: string;
  family: string;
  middle: string;
  given: string;
  sex: Sex;
  year: number;
  month: number;
  day: number;
  cccd?: string | undefined;
  bhxh?: string | undefined;
  phone?: string | undefined;
  communeCode: string;
  communeName: string;
  districtName: string;
  provinceName: string;
  village: string;
  householdId: string;
  /** Parent ids, used to inject "relative's CCCD typed into a child's row" errors. */
  parentId?: string | undefined;
  /** Why this person is a hard negative for someone else (twin, namesake-son, common-name). */
  tags: string[];
}

export type SourceRow = Record<string, string>;

const COMMUNE_NAMES = ['Tân Lập', 'Hòa Bình', 'Đông Hòa', 'Phú Thịnh', 'Quảng Phú', 'An Khánh', 'Thủy Xuân', 'Yên Sở', 'Hưng Lộc', 'Đại Mỗ', 'Nghĩa Đô', 'Thụy Khuê'];
const DISTRICT_NAMES = ['Đan Phượng', 'Thanh Trì', 'Gia Lâm', 'Hoài Đức', 'Thủ Đức', 'Hòa Vang', 'Cẩm Lệ', 'Quỳnh Lưu'];
const PROVINCES = ['01', '31', '48', '79', '40', '38', '92'].filter((p) => p in OLD_PROVINCES);
const BHYT_GROUPS = ['DN', 'HC', 'HT', 'GD', 'HS', 'SV', 'TE', 'CN', 'HN', 'NO'];

interface Commune {
  code: string;
  name: string;
  district: string;
  provinceCode: string;
  /** Locally popular full names and years: sources of same-name same-year strangers. */
  popular: Array<{ family: string; middle: string; given: string; sex: Sex }>;
  popularYears: number[];
}

/**
 * Seeded population with households and deliberate hard negatives: twins (same birth date,
 * household and phone, different given names), sons carrying their father's full name, and
 * clusters of strangers with the same popular name and birth year in one commune.
 */
export function generatePopulation(opts: { seed: number; persons: number }): SynthPerson[] {
  const rng = createRng(opts.seed);
  const usedIds = new Set<string>();
  const uniqueDigits = (prefix: string, len: number) => {
    for (;;) {
      let s = prefix;
      while (s.length < len) s += String(Math.floor(rng() * 10));
      if (!usedIds.has(s)) {
        usedIds.add(s);
        return s;
      }
    }
  };
  const communes: Commune[] = [];
  const nCommunes = Math.max(4, Math.ceil(opts.persons / 1500));
  for (let i = 0; i < nCommunes; i++) {
    const popular: Commune['popular'] = [];
    for (let k = 0; k < 4; k++) {
      const sex: Sex = k % 2 === 0 ? 'male' : 'female';
      popular.push({
        family: k < 2 ? 'Nguyễn' : pickWeighted(rng, FAMILY_NAMES),
        middle: sex === 'male' ? 'Văn' : 'Thị',
        given: pickWeighted(rng, sex === 'male' ? MALE_GIVEN : FEMALE_GIVEN),
        sex,
      });
    }
    communes.push({
      code: String(10000 + i * 37).padStart(5, '0'),
      name: `${pick(rng, COMMUNE_NAMES)} ${i + 1}`,
      district: pick(rng, DISTRICT_NAMES),
      provinceCode: pick(rng, PROVINCES),
      popular,
      popularYears: [randomInt(rng, 1960, 1975), randomInt(rng, 1976, 1990), randomInt(rng, 1991, 2000)],
    });
  }
  const persons: SynthPerson[] = [];
  let hhSeq = 0;
  const makePerson = (
    com: Commune, hh: string, village: string, sex: Sex, year: number, family: string, parentId?: string,
  ): SynthPerson => {
    const month = randomInt(rng, 1, 12);
    const day = randomInt(rng, 1, 28);
    const p: SynthPerson = {
      id: `P${persons.length}`,
      family,
      middle: pickWeighted(rng, sex === 'male' ? MALE_MIDDLE : FEMALE_MIDDLE),
      given: pickWeighted(rng, sex === 'male' ? MALE_GIVEN : FEMALE_GIVEN),
      sex, year, month, day,
      communeCode: com.code, communeName: com.name, districtName: com.district,
      provinceName: OLD_PROVINCES[com.provinceCode as keyof typeof OLD_PROVINCES] ?? 'Hà Nội',
      village, householdId: hh, parentId, tags: [],
    };
    if (year <= 2010 ? rng() < 0.93 : rng() < 0.4) {
      p.cccd = uniqueDigits(`0${com.provinceCode}${cccdGenderDigit(year, sex)}${String(year % 100).padStart(2, '0')}`, 12);
    }
    if (rng() < 0.9) p.bhxh = uniqueDigits(com.provinceCode, 10);
    if (year <= 2008 && rng() < 0.85) p.phone = uniqueDigits(pick(rng, ['09', '03', '08', '07']), 10);
    return p;
  };
  while (persons.length < opts.persons) {
    const com = pick(rng, communes);
    const hh = `${com.code}${String(++hhSeq).padStart(6, '0')}`;
    const village = rng() < 0.5 ? `Thôn ${randomInt(rng, 1, 12)}` : `Số ${randomInt(rng, 1, 200)} ngõ ${randomInt(rng, 1, 30)}`;
    const family = pickWeighted(rng, FAMILY_NAMES);
    const headSex: Sex = rng() < 0.8 ? 'male' : 'female';
    const headYear = randomInt(rng, 1940, 1995);
    const head = makePerson(com, hh, village, headSex, headYear, family);
    if (rng() < 0.12) {
      const pop = pick(rng, com.popular.filter((x) => x.sex === headSex));
      head.family = pop.family;
      head.middle = pop.middle;
      head.given = pop.given;
      head.year = pick(rng, com.popularYears);
      head.tags.push('common-name');
      if (head.cccd) head.cccd = undefined; // keep the collision hard: fewer ids to lean on
    }
    persons.push(head);
    if (rng() < 0.8 && persons.length < opts.persons) {
      const spouse = makePerson(com, hh, village, headSex === 'male' ? 'female' : 'male', headYear + randomInt(rng, -5, 5), pickWeighted(rng, FAMILY_NAMES));
      persons.push(spouse);
    }
    const kids = randomInt(rng, 0, 3);
    let namesakeDone = false;
    for (let k = 0; k < kids && persons.length < opts.persons; k++) {
      const year = Math.min(2024, head.year + randomInt(rng, 20, 38));
      const sex: Sex = rng() < 0.5 ? 'male' : 'female';
      const child = makePerson(com, hh, village, sex, year, head.family, head.id);
      if (!child.phone) child.phone = head.phone;
      if (!namesakeDone && sex === 'male' && headSex === 'male' && rng() < 0.09) {
        child.middle = head.middle;
        child.given = head.given;
        child.tags.push('namesake-son');
        head.tags.push('namesake-father');
        namesakeDone = true;
      }
      persons.push(child);
      if (rng() < 0.045 && persons.length < opts.persons) {
        const twinSex: Sex = rng() < 0.6 ? sex : sex === 'male' ? 'female' : 'male';
        const twin = makePerson(com, hh, village, twinSex, year, head.family, head.id);
        twin.month = child.month;
        twin.day = child.day;
        if (twinSex === sex) twin.middle = child.middle;
        while (twin.given === child.given) twin.given = pickWeighted(rng, twinSex === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
        twin.phone = child.phone;
        twin.tags.push('twin');
        child.tags.push('twin');
        persons.push(twin);
      }
    }
  }
  return persons;
}

// Old-style tone placement, as typed by older keyboards/fonts ("hòa" → "hoà").
const OLD_TONE: ReadonlyArray<readonly [RegExp, string]> = [
  [/òa/g, 'oà'], [/óa/g, 'oá'], [/ỏa/g, 'oả'], [/õa/g, 'oã'], [/ọa/g, 'oạ'],
  [/úy/g, 'uý'], [/ùy/g, 'uỳ'], [/ủy/g, 'uỷ'], [/ũy/g, 'uỹ'], [/ụy/g, 'uỵ'], [/ỏe/g, 'oẻ'], [/òe/g, 'oè'],
];

function typo(rng: () => number, word: string): string {
  if (word.length < 3) return word;
  const pos = randomInt(rng, 1, word.length - 1);
  const letters = 'aăâeêioôơuưy';
  const kind = rng();
  if (kind < 0.4) return word.slice(0, pos) + pick(rng, [...letters]) + word.slice(pos + 1);
  if (kind < 0.7) return word.slice(0, pos) + word.slice(pos + 1);
  if (kind < 0.85) return word.slice(0, pos) + pick(rng, [...'nhgt']) + word.slice(pos);
  return pos + 1 < word.length ? word.slice(0, pos) + word[pos + 1] + word[pos] + word.slice(pos + 2) : word;
}

interface Profile {
  share: number;
  unaccented: number;
  upper: number;
  yearOnly: number;
  swap: number;
  cccd: number;
  cmnd: number;
  bhyt: number;
  phone: number;
  commune: number;
  household: number;
  abbreviate: number;
}

const PROFILES: Record<string, Profile> = {
  MIS2022: { share: 0.88, unaccented: 0.03, upper: 0.05, yearOnly: 0.05, swap: 0.005, cccd: 0.95, cmnd: 0.01, bhyt: 0.3, phone: 0.6, commune: 1, household: 0.98, abbreviate: 0.1 },
  BHXH: { share: 0.7, unaccented: 0.5, upper: 0.9, yearOnly: 0.04, swap: 0.01, cccd: 0.6, cmnd: 0.03, bhyt: 1, phone: 0.5, commune: 0.9, household: 0.3, abbreviate: 0.6 },
  TIEMCHUNG: { share: 0.35, unaccented: 0.15, upper: 0.1, yearOnly: 0.01, swap: 0.03, cccd: 0.3, cmnd: 0, bhyt: 0.4, phone: 0.85, commune: 0.9, household: 0.1, abbreviate: 0.5 },
  KCB: { share: 0.5, unaccented: 0.3, upper: 0.3, yearOnly: 0.06, swap: 0.02, cccd: 0.7, cmnd: 0.05, bhyt: 0.8, phone: 0.7, commune: 0.8, household: 0, abbreviate: 0.5 },
};

/**
 * Canonical rows from the four sources with realistic noise, plus the ground truth
 * (source_system|source_id → person id). Every person appears in at least one source.
 */
export function generateSourceRows(opts: {
  seed: number;
  persons: SynthPerson[];
  typoRate?: number;
  wrongIdRate?: number;
  /** 'classic' (default): the original generator, output unchanged. 'hard': classic plus {@link HARD_NOISE_RATES}. */
  profile?: SynthProfile;
}): {
  rows: SourceRow[];
  truth: Map<string, string>;
  /** Hard-profile noise applied, by row key (source_system|source_id); empty for 'classic'. */
  noise: Map<string, HardNoiseKind[]>;
} {
  const classic = generateClassicRows(opts);
  const noise = new Map<string, HardNoiseKind[]>();
  if ((opts.profile ?? 'classic') === 'hard') applyHardNoise(opts.seed, opts.persons, classic.rows, classic.truth, noise);
  return { ...classic, noise };
}

function generateClassicRows(opts: { seed: number; persons: SynthPerson[]; typoRate?: number; wrongIdRate?: number }): {
  rows: SourceRow[];
  truth: Map<string, string>;
} {
  const rng = createRng(opts.seed ^ 0x5eed);
  const typoRate = opts.typoRate ?? 0.03;
  const wrongIdRate = opts.wrongIdRate ?? 0.004;
  const byId = new Map(opts.persons.map((p) => [p.id, p]));
  const rows: SourceRow[] = [];
  const truth = new Map<string, string>();
  const seq: Record<string, number> = {};
  const cmndOf = new Map<string, string>();
  const groupOf = new Map<string, string>();
  for (const p of opts.persons) {
    const sources: string[] = [];
    for (const s of Object.keys(PROFILES)) {
      let share = PROFILES[s]!.share;
      if (s === 'BHXH' && !p.bhxh) share = 0;
      if (s === 'TIEMCHUNG' && p.year >= 2006) share = 0.9;
      if (rng() < share) sources.push(s);
    }
    if (sources.length === 0) sources.push('MIS2022');
    if (sources.includes('KCB') && rng() < 0.2) sources.push('KCB');
    for (const src of sources) {
      const pr = PROFILES[src]!;
      seq[src] = (seq[src] ?? 0) + 1;
      const id = `${src.slice(0, 3)}-${String(seq[src]).padStart(7, '0')}`;
      truth.set(`${src}|${id}`, p.id);
      let words = [p.family, ...p.middle.split(' '), p.given];
      if (rng() < typoRate) {
        const w = randomInt(rng, 0, words.length - 1);
        words[w] = typo(rng, words[w]!);
      }
      let name = words.join(' ');
      if (rng() < 0.15) for (const [re, rep] of OLD_TONE) name = name.replace(re, rep);
      if (rng() < pr.unaccented) name = stripDiacritics(name);
      if (rng() < pr.upper) name = name.toUpperCase();
      if (rng() < 0.08) name = name.normalize('NFD');
      if (rng() < 0.05) name = ` ${name.replace(/ /g, '  ')} `;
      words = [];

      const dd = String(p.day).padStart(2, '0');
      const mm = String(p.month).padStart(2, '0');
      let date: string;
      const r = rng();
      if (r < pr.yearOnly || (p.year < 1955 && r < pr.yearOnly * 5)) date = String(p.year);
      else if (rng() < pr.swap && p.day <= 12 && p.day !== p.month) date = `${mm}/${dd}/${p.year}`;
      else date = src === 'KCB' && rng() < 0.5 ? `${p.year}-${mm}-${dd}` : src === 'KCB' && rng() < 0.3 ? `${p.year}${mm}${dd}` : `${dd}/${mm}/${p.year}`;

      const sr = rng();
      const sex = sr < 0.05 ? '' : sr < 0.5 ? (p.sex === 'male' ? '1' : '2') : p.sex === 'male' ? 'Nam' : 'Nữ';

      let cccd = '';
      if (p.cccd && rng() < pr.cccd) cccd = p.cccd;
      else if (p.year < 1990 && rng() < pr.cmnd) {
        let c = cmndOf.get(p.id);
        if (!c) {
          c = String(100000000 + Math.floor(rng() * 899999999));
          cmndOf.set(p.id, c);
        }
        cccd = c;
      }
      // Data-entry error seen in practice: a parent's ID typed into a child's row.
      if (p.parentId && rng() < wrongIdRate) {
        const parent = byId.get(p.parentId);
        if (parent?.cccd) cccd = parent.cccd;
      }
      if (cccd && rng() < 0.1) cccd = cccd.replace(/(\d{3})(\d{3})(\d{3})(\d*)/, '$1 $2 $3 $4').trim();

      let bhyt = '';
      if (p.bhxh && rng() < pr.bhyt) {
        let group = groupOf.get(p.id);
        if (!group || rng() < 0.25) {
          group = pick(rng, BHYT_GROUPS);
          groupOf.set(p.id, group);
        }
        bhyt = `${group}${randomInt(rng, 1, 5)}${p.bhxh.slice(0, 2)}${p.bhxh}`;
      }

      let phone = '';
      if (p.phone && rng() < pr.phone) {
        const f = rng();
        const d = p.phone;
        phone = f < 0.5 ? d : f < 0.65 ? `+84${d.slice(1)}` : f < 0.8 ? `${d.slice(0, 4)}.${d.slice(4, 7)}.${d.slice(7)}` : f < 0.92 ? `${d.slice(0, 4)} ${d.slice(4, 7)} ${d.slice(7)}` : `84${d.slice(1)}`;
      }

      let address: string;
      if (rng() < pr.abbreviate) address = `${p.village}, X. ${p.communeName}, H. ${p.districtName}, ${rng() < 0.5 ? 'TP.' : 'T.'} ${p.provinceName}`;
      else address = `${p.village}, xã ${p.communeName}, huyện ${p.districtName}, ${p.provinceName}`;
      if (rng() < pr.unaccented) address = stripDiacritics(address);
      if (rng() < 0.1) address = '';

      rows.push({
        source_system: src,
        source_id: id,
        ho_ten: name,
        ngay_sinh: date,
        gioi_tinh: sex,
        so_cccd: cccd,
        so_bhyt: bhyt,
        so_dien_thoai: phone,
        dia_chi: address,
        ma_xa: rng() < pr.commune ? p.communeCode : '',
        ma_ho_gia_dinh: rng() < pr.household ? p.householdId : '',
      });
    }
  }
  return { rows, truth };
}

/** Generator profiles: 'classic' is the original (easier) generator; 'hard' adds the noise seen in issue 14. */
export type SynthProfile = 'classic' | 'hard';

/** Seeds to tune the matcher against. Never report tuned figures on these alone. */
export const MPI_TUNING_SEEDS: readonly number[] = [1, 2, 3];
/** Held-out seeds for evaluation: do not tune thresholds or weights by looking at them. */
export const MPI_EVAL_SEEDS: readonly number[] = [101, 102, 103];

export type HardNoiseKind =
  | 'bhytDigit' | 'wrongSex' | 'noIds' | 'tiemchungChild' | 'cmndForCccd' | 'dateSwapIso' | 'dateDayOff' | 'middleDropped';

/**
 * Per-record rates of the 'hard' profile, each among the records where the kind can apply
 * (the eligibility is in brackets). Drawn independently, from an RNG separate from the classic
 * stream, so the classic part of every row stays exactly as in the 'classic' profile.
 * - bhytDigit: one digit of the 10-digit BHXH part of the BHYT card mistyped [row has a BHYT card].
 * - wrongSex: sex value flipped (blank becomes the wrong sex) [any row except tiemchungChild].
 * - noIds: CCCD/CMND, BHYT, phone and household code blanked; name written cleanly, full dd/mm/yyyy
 *   date, commune code kept, so only name + birth date + commune (+ address) tie it to the person [any row].
 * - tiemchungChild: TIEMCHUNG row of a child (born 2006 or later) reduced to name, birth date, the
 *   household phone (a parent's phone) and an abbreviated address without diacritics; sex, ids,
 *   commune and household codes blank [TIEMCHUNG row of a child].
 * - cmndForCccd: the 12-digit CCCD replaced by the person's old 9-digit CMND [row with a CCCD, born before 1995].
 * - dateSwapIso: date written yyyy-mm-dd with day and month swapped [full date, day ≤ 12, day ≠ month].
 * - dateDayOff: date one day off, in either dd/mm/yyyy or yyyy-mm-dd [full date].
 * - middleDropped: middle name(s) left out [name with a middle name].
 */
export const HARD_NOISE_RATES: Readonly<Record<HardNoiseKind, number>> = {
  bhytDigit: 0.02,
  wrongSex: 0.015,
  noIds: 0.03,
  tiemchungChild: 0.5,
  cmndForCccd: 0.04,
  dateSwapIso: 0.02,
  dateDayOff: 0.015,
  middleDropped: 0.03,
};

function formatDate(y: number, m: number, d: number, iso: boolean): string {
  const mm = String(m).padStart(2, '0');
  const dd = String(d).padStart(2, '0');
  return iso ? `${y}-${mm}-${dd}` : `${dd}/${mm}/${y}`;
}

function applyHardNoise(
  seed: number, persons: SynthPerson[], rows: SourceRow[], truth: Map<string, string>, noise: Map<string, HardNoiseKind[]>,
): void {
  const rng = createRng((seed * 7919) ^ 0x4a2d);
  const R = HARD_NOISE_RATES;
  const byId = new Map(persons.map((p) => [p.id, p]));
  // One CMND per person: reuse a 9-digit number the classic stream already gave them.
  const cmndOf = new Map<string, string>();
  for (const row of rows) {
    const digits = row.so_cccd!.replace(/\s/g, '');
    if (digits.length === 9) cmndOf.set(truth.get(`${row.source_system}|${row.source_id}`)!, digits);
  }
  const usedCmnd = new Set(cmndOf.values());
  for (const row of rows) {
    const key = `${row.source_system}|${row.source_id}`;
    const p = byId.get(truth.get(key)!)!;
    const kinds: HardNoiseKind[] = [];
    const cleanName = [p.family, p.middle, p.given].join(' ');

    if (row.source_system === 'TIEMCHUNG' && p.year >= 2006 && rng() < R.tiemchungChild) {
      const parent = p.parentId ? byId.get(p.parentId) : undefined;
      const phone = parent?.phone ?? p.phone ?? '';
      const village = p.village.replace(/^Thôn /, rng() < 0.5 ? 'Th ' : 'T.').replace(/^Số (\d+) ngõ (\d+)/, '$1 ng $2');
      const province = p.provinceName.replace(/^(Thành phố|Tỉnh) /, '');
      const address = rng() < 0.5
        ? `${village}, X. ${p.communeName}, H. ${p.districtName}, ${province}`
        : `${village} x.${p.communeName} h.${p.districtName}`;
      row.ho_ten = rng() < 0.5 ? stripDiacritics(cleanName) : cleanName;
      row.gioi_tinh = '';
      row.so_cccd = '';
      row.so_bhyt = '';
      row.so_dien_thoai = phone;
      row.dia_chi = stripDiacritics(address).toLowerCase();
      row.ma_xa = '';
      row.ma_ho_gia_dinh = '';
      kinds.push('tiemchungChild');
    } else {
      if (rng() < R.noIds) {
        row.so_cccd = '';
        row.so_bhyt = '';
        row.ho_ten = cleanName;
        row.ngay_sinh = formatDate(p.year, p.month, p.day, false);
        row.ma_xa = p.communeCode;
        row.so_dien_thoai = '';
        row.ma_ho_gia_dinh = '';
        kinds.push('noIds');
      }
      if (row.so_bhyt !== '' && rng() < R.bhytDigit) {
        const card = row.so_bhyt!;
        const pos = randomInt(rng, 5, 14);
        const old = Number(card[pos]);
        const digit = (old + randomInt(rng, 1, 9)) % 10;
        row.so_bhyt = card.slice(0, pos) + String(digit) + card.slice(pos + 1);
        kinds.push('bhytDigit');
      }
      if (rng() < R.wrongSex) {
        const male = p.sex === 'male';
        row.gioi_tinh = /^\d$/.test(row.gioi_tinh!) ? (male ? '2' : '1') : male ? 'Nữ' : 'Nam';
        kinds.push('wrongSex');
      }
      if (p.cccd && p.year < 1995 && row.so_cccd!.replace(/\s/g, '') === p.cccd && rng() < R.cmndForCccd) {
        let c = cmndOf.get(p.id);
        if (!c) {
          do c = String(100000000 + Math.floor(rng() * 899999999));
          while (usedCmnd.has(c));
          cmndOf.set(p.id, c);
          usedCmnd.add(c);
        }
        row.so_cccd = c;
        kinds.push('cmndForCccd');
      }
    }
    if (/^\d{2}\/\d{2}\/\d{4}$|^\d{4}-\d{2}-\d{2}$|^\d{8}$/.test(row.ngay_sinh!)) {
      const swapOk = p.day <= 12 && p.day !== p.month;
      if (swapOk && rng() < R.dateSwapIso) {
        row.ngay_sinh = formatDate(p.year, p.day, p.month, true);
        kinds.push('dateSwapIso');
      } else if (rng() < R.dateDayOff) {
        const day = p.day === 1 || (p.day < 28 && rng() < 0.5) ? p.day + 1 : p.day - 1;
        row.ngay_sinh = formatDate(p.year, p.month, day, rng() < 0.5);
        kinds.push('dateDayOff');
      }
    }
    const tokens = row.ho_ten!.trim().split(/\s+/);
    if (tokens.length >= 3 && rng() < R.middleDropped) {
      row.ho_ten = `${tokens[0]} ${tokens[tokens.length - 1]}`;
      kinds.push('middleDropped');
    }
    if (kinds.length > 0) noise.set(key, kinds);
  }
}
