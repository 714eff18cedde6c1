/**
 * Synthetic residents of one district, built household by household so that family names,
 * parents, twins and shared addresses are coherent. Deterministic for a given seed.
 */
import { cccdGenderDigit, type Sex } from '../identifiers/index.ts';
import { type Commune, communeLabel, type District, type Facility } from './district.ts';
import {
  createRng, FAMILY_NAMES, FEMALE_GIVEN, FEMALE_MIDDLE, MALE_GIVEN, MALE_MIDDLE, pick, pickWeighted, randomInt,
} from './names.ts';

export type HouseholdRole = 'head' | 'spouse' | 'child' | 'grandparent';

export interface BhytInfo {
  /** 15-character card number AA L PP NNNNNNNNNN. */
  number: string;
  group: string;
  benefitLevel: number;
  /** Registered primary-care facility (MA_DKBD). */
  registeredFacility: string;
  /** yyyyMMdd. */
  validFrom: string;
  /** yyyyMMdd. */
  validTo: string;
  /** MA_KHUVUC: K1/K2/K3 or empty. */
  area: '' | 'K1' | 'K2' | 'K3';
}

export interface Resident {
  index: number;
  /** Stable synthetic person id. */
  id: string;
  /** Household code (mã hộ gia đình). */
  householdId: string;
  role: HouseholdRole;
  fullName: string;
  familyName: string;
  sex: Sex;
  birthYear: number;
  /** 0 when only the year is known (elderly records). */
  birthMonth: number;
  birthDay: number;
  /** yyyyMMdd, with 00 for an unknown month/day. */
  birthDate: string;
  /** Old 2-digit province code where the birth was registered (CCCD prefix 0PP). */
  birthProvince: string;
  /** 12-digit personal ID number, when issued. */
  cccd?: string;
  /** 10-digit social-insurance number (mã số BHXH), lifelong. */
  socialInsuranceNumber?: string;
  bhyt?: BhytInfo;
  phone?: string;
  /** GSO ethnic group code: 01 Kinh, 19 Hrê. */
  ethnicity: string;
  /** Occupation code (2 digits, QĐ 34/2020 level 2 style; 00 = none). Illustrative. */
  occupation: string;
  /** Employer for employed insured people (DON_VI in XML8/XML11). */
  employer?: string;
  communeCode: string;
  hamlet: string;
  /** Full address text: hamlet, commune, district, province. */
  address: string;
  fatherIndex?: number;
  motherIndex?: number;
  /** Adult responsible for a child without a parent in the household. */
  guardianIndex?: number;
  /** The other twin, when a twin. */
  twinIndex?: number;
}

export interface PopulationOptions {
  seed: number;
  persons: number;
  district: District;
  /** Date at which ages and card validity are computed; defaults to 2025-07-01. */
  referenceDate?: Date;
}

const OTHER_PROVINCES: ReadonlyArray<readonly [string, number]> = [
  ['49', 20], ['52', 18], ['48', 14], ['62', 10], ['64', 8], ['79', 10], ['01', 5], ['54', 5], ['56', 4], ['40', 4], ['38', 2],
];

const EMPLOYERS: ReadonlyArray<string> = [
  'Công ty TNHH May Sông Vệ', 'Công ty Cổ phần Chế biến Nông sản Nghĩa Hòa', 'Công ty TNHH Thủy sản Tư Nghĩa',
  'Công ty Cổ phần Xây dựng Trà Khúc', 'Công ty TNHH Gỗ Nghĩa Kỳ', 'Công ty TNHH Điện tử Quảng Ngãi Xanh',
];
const PUBLIC_EMPLOYERS: ReadonlyArray<string> = [
  'Ủy ban nhân dân huyện Tư Nghĩa', 'Trường THPT số 1 Tư Nghĩa', 'Trường THCS Nghĩa Trung',
  'Trung tâm Y tế huyện Tư Nghĩa', 'Trường Tiểu học La Hà',
];

const PHONE_PREFIXES: ReadonlyArray<readonly [string, number]> = [
  ['032', 5], ['033', 5], ['034', 5], ['035', 5], ['036', 5], ['037', 5], ['038', 5], ['039', 5],
  ['056', 1], ['058', 1], ['059', 1], ['070', 3], ['076', 2], ['077', 3], ['078', 2], ['079', 2],
  ['081', 2], ['082', 2], ['083', 2], ['084', 2], ['085', 2], ['086', 4], ['088', 2],
  ['090', 4], ['091', 5], ['093', 3], ['094', 3], ['096', 5], ['097', 6], ['098', 6],
];

const DAY_MS = 86_400_000;

// Ages of household heads, tuned so the whole population lands near the 2024 Vietnamese pyramid
// (about 23 % under 15, 9–10 % aged 65+).
const ADULT_AGE_BANDS: ReadonlyArray<readonly [readonly [number, number], number]> = [
  [[22, 29], 20], [[30, 39], 30], [[40, 49], 24], [[50, 59], 15], [[60, 69], 8], [[70, 85], 3],
];

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function ymd(d: Date): string {
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function daysInMonth(year: number, month: number): number {
  if (month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)) return 29;
  return MONTH_DAYS[month - 1] ?? 30;
}

const CHILD_COUNT: ReadonlyArray<readonly [number, number]> = [[0, 5], [1, 22], [2, 45], [3, 20], [4, 8]];
const WORK_OCCUPATIONS: ReadonlyArray<readonly [string, number]> = [['61', 30], ['51', 10], ['52', 10], ['71', 10], ['81', 8], ['83', 4], ['93', 14], ['23', 4], ['41', 4], ['00', 6]];
const DN_OCCUPATIONS: ReadonlyArray<readonly [string, number]> = [['81', 5], ['71', 3], ['41', 2], ['93', 3]];
const HC_OCCUPATIONS: ReadonlyArray<readonly [string, number]> = [['23', 5], ['22', 2], ['41', 3]];
const ELDERLY_BANDS: ReadonlyArray<readonly [readonly [number, number], number]> = [[[60, 69], 5], [[70, 79], 3], [[80, 96], 2]];

/** Age in whole years at a date; year-only birth dates count from 1 January. */
export function ageAt(r: Pick<Resident, 'birthYear' | 'birthMonth' | 'birthDay'>, at: Date): number {
  const y = at.getUTCFullYear();
  const m = at.getUTCMonth() + 1;
  const d = at.getUTCDate();
  const bm = r.birthMonth || 1;
  const bd = r.birthDay || 1;
  return y - r.birthYear - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

/** NGAY_SINH as the XML wants it: yyyyMMddHHmm with 0000 for an unknown time (and 00 parts). */
export function ngaySinh(r: Pick<Resident, 'birthDate'>): string {
  return `${r.birthDate}0000`;
}

interface Draft {
  sex: Sex;
  age: number;
  role: HouseholdRole;
  familyName: string;
  fullName?: string;
  father?: number;
  mother?: number;
  twinOf?: number;
}

export function generateResidents(opts: PopulationOptions): Resident[] {
  const { seed, persons, district } = opts;
  const ref = opts.referenceDate ?? new Date(Date.UTC(2025, 6, 1));
  const refYear = ref.getUTCFullYear();
  const rng = createRng(seed);
  const communes = district.communes.map((c) => [c, c.weight] as const);
  const stationByCommune = new Map<string, Facility>();
  for (const f of district.facilities) if (f.type === 'commune_station') stationByCommune.set(f.communeCode, f);
  const districtCentre = district.facilities.find((f) => f.type === 'district_centre');
  const polyclinic = district.facilities.find((f) => f.type === 'polyclinic');
  const privatePrimary = district.facilities.find((f) => f.type === 'private_clinic' && f.primaryCare && f.bhytContract);

  const usedCccd = new Set<string>();
  const usedSin = new Set<string>();
  const usedPhone = new Set<string>();
  const out: Resident[] = [];
  let householdSeq = 0;

  const personName = (family: string, sex: Sex): string => {
    const m = pickWeighted(rng, sex === 'male' ? MALE_MIDDLE : FEMALE_MIDDLE);
    let g = pickWeighted(rng, sex === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
    // "Minh Minh" style repeats do not occur in real names.
    while (g === m) g = pickWeighted(rng, sex === 'male' ? MALE_GIVEN : FEMALE_GIVEN);
    return `${family} ${m} ${g}`;
  };
  const randSex = (): Sex => (rng() < 0.512 ? 'male' : 'female');
  // Adult ages follow the Vietnamese pyramid: broad 25–54, thinning after 60.
  const adultAge = (): number => {
    const [lo, hi] = pickWeighted(rng, ADULT_AGE_BANDS);
    return randomInt(rng, lo, hi);
  };

  const uniqueDigits = (prefix: string, digits: number, used: Set<string>): string => {
    for (;;) {
      const v = prefix + pad(Math.floor(rng() * 10 ** digits), digits);
      if (!used.has(v)) {
        used.add(v);
        return v;
      }
    }
  };

  while (out.length < persons) {
    householdSeq++;
    const householdId = `51${pad(householdSeq, 8)}`;
    const commune: Commune = pickWeighted(rng, communes);
    const hamlet = pick(rng, commune.hamlets);
    const minority = rng() < commune.minorityShare;
    const poverty = rng();
    const poor = poverty < 0.04;
    const nearPoor = !poor && poverty < 0.11;
    const drafts: Draft[] = [];
    const kind = rng();

    const addAdult = (sex: Sex, age: number, role: HouseholdRole, familyName?: string): number => {
      drafts.push({ sex, age, role, familyName: familyName ?? pickWeighted(rng, FAMILY_NAMES) });
      return drafts.length - 1;
    };
    const addChildren = (father: number | undefined, mother: number, familyName: string) => {
      const motherAge = drafts[mother]!.age;
      const n = pickWeighted(rng, CHILD_COUNT);
      let lastAge = 1000;
      for (let i = 0; i < n; i++) {
        const atBirth = randomInt(rng, 19, 40);
        let age = motherAge - atBirth;
        if (age >= lastAge) age = lastAge - randomInt(rng, 1, 4);
        if (age < 0) break;
        lastAge = age;
        // Grown children have mostly set up their own households.
        if (age >= 25 && rng() < 0.85) continue;
        const sex = randSex();
        const d: Draft = { sex, age, role: 'child', familyName, mother };
        if (father !== undefined) d.father = father;
        drafts.push(d);
        if (rng() < 0.015) {
          const twin: Draft = { sex: randSex(), age, role: 'child', familyName, mother, twinOf: drafts.length - 1 };
          if (father !== undefined) twin.father = father;
          drafts.push(twin);
        }
      }
    };

    if (kind < 0.82) {
      // Couple (possibly with grandparents) and children.
      const headAge = adultAge();
      const family = pickWeighted(rng, FAMILY_NAMES);
      const head = addAdult('male', Math.max(21, headAge), 'head', family);
      const mother = addAdult('female', Math.max(19, headAge - randomInt(rng, -2, 6)), 'spouse');
      addChildren(head, mother, family);
      if (kind < 0.17) {
        const gAge = Math.min(99, drafts[head]!.age + randomInt(rng, 22, 32));
        if (gAge <= 99) {
          if (rng() < 0.6) addAdult('male', gAge, 'grandparent', family);
          addAdult('female', Math.min(99, gAge - randomInt(rng, 0, 5)), 'grandparent');
        }
      }
    } else if (kind < 0.88) {
      // Elderly alone or as a couple.
      const [lo, hi] = pickWeighted(rng, ELDERLY_BANDS);
      const age = randomInt(rng, lo, hi);
      const family = pickWeighted(rng, FAMILY_NAMES);
      if (rng() < 0.55) {
        addAdult('male', age, 'head', family);
        addAdult('female', Math.max(58, age - randomInt(rng, 0, 6)), 'spouse');
      } else {
        addAdult(rng() < 0.7 ? 'female' : 'male', age, 'head');
      }
    } else if (kind < 0.96) {
      // Single parent (usually the mother) with children; children carry the absent father's name.
      const mother = addAdult('female', randomInt(rng, 24, 50), 'head');
      addChildren(undefined, mother, pickWeighted(rng, FAMILY_NAMES));
    } else {
      addAdult(randSex(), randomInt(rng, 19, 45), 'head');
    }

    // Father and son sharing the full name happens; keep a few for matching tests.
    const son = drafts.find((d) => d.role === 'child' && d.sex === 'male' && d.father === 0);

    const base = out.length;
    const remaining = persons - base;
    const count = Math.min(drafts.length, remaining);
    for (let i = 0; i < count; i++) {
      const d = drafts[i]!;
      const twin = d.twinOf !== undefined ? out[base + d.twinOf] : undefined;
      let birthYear = refYear - d.age;
      let birthMonth = randomInt(rng, 1, 12);
      let birthDay = randomInt(rng, 1, daysInMonth(birthYear, birthMonth));
      // Keep the age exact at the reference date.
      const refMonth = ref.getUTCMonth() + 1;
      if (birthMonth > refMonth || (birthMonth === refMonth && birthDay > ref.getUTCDate())) birthYear -= 1;
      if (d.age === 0 && birthYear < refYear) {
        birthYear = refYear;
        birthMonth = randomInt(rng, 1, refMonth);
        birthDay = randomInt(rng, 1, birthMonth === refMonth ? ref.getUTCDate() : daysInMonth(birthYear, birthMonth));
      }
      if (twin) {
        birthYear = twin.birthYear;
        birthMonth = twin.birthMonth;
        birthDay = twin.birthDay;
      } else if (birthYear < 1950 && rng() < 0.4) {
        // Older people often have only a birth year on record.
        birthMonth = 0;
        birthDay = 0;
      }
      const sex = d.sex;
      const fullName =
        d.role === 'child' && d === son && d.age >= 1 && rng() < 0.02
          ? out[base]!.fullName
          : personName(d.familyName, sex);
      const isChild = d.role === 'child';
      const birthProvince =
        isChild && d.age < 18 ? (rng() < 0.97 ? '51' : pickWeighted(rng, OTHER_PROVINCES)) : rng() < (d.role === 'spouse' ? 0.82 : 0.9) ? '51' : pickWeighted(rng, OTHER_PROVINCES);
      const age = ageAt({ birthYear, birthMonth, birthDay }, ref);
      const r: Resident = {
        index: base + i,
        id: `P${pad(base + i + 1, 8)}`,
        householdId,
        role: d.role,
        fullName,
        familyName: d.familyName,
        sex,
        birthYear,
        birthMonth,
        birthDay,
        birthDate: `${birthYear}${pad(birthMonth, 2)}${pad(birthDay, 2)}`,
        birthProvince,
        ethnicity: minority ? '19' : '01',
        occupation: '00',
        communeCode: commune.code,
        hamlet,
        address: `${hamlet}, ${communeLabel(commune)}, huyện ${district.name}, tỉnh ${district.provinceName}`,
      };
      if (d.father !== undefined && d.father < count) r.fatherIndex = base + d.father;
      if (d.mother !== undefined && d.mother < count) r.motherIndex = base + d.mother;
      if (isChild && age < 18 && r.fatherIndex === undefined && r.motherIndex === undefined) r.guardianIndex = base;
      if (twin) {
        r.twinIndex = twin.index;
        twin.twinIndex = r.index;
      }
      // Personal ID numbers: everyone from 14; most younger children got one at birth registration.
      if (age >= 14 || rng() < (birthYear >= 2016 ? 0.9 : 0.75)) {
        r.cccd = uniqueDigits(`0${birthProvince}${cccdGenderDigit(birthYear, sex)}${pad(birthYear % 100, 2)}`, 6, usedCccd);
      }
      assignOccupationAndCard(r, age, { poor, nearPoor, minority, commune, refYear });
      if (r.bhyt || rng() < 0.3) {
        r.socialInsuranceNumber = uniqueDigits(birthProvince === '51' || rng() < 0.5 ? '51' : birthProvince, 8, usedSin);
      }
      if (r.bhyt) {
        const b = r.bhyt;
        b.number = `${b.group}${b.benefitLevel}51${r.socialInsuranceNumber}`;
        const station = stationByCommune.get(commune.code);
        const roll = rng();
        let dkbd = station ?? (commune.kind === 'thị trấn' && commune.code === polyclinic?.communeCode ? polyclinic : districtCentre);
        if (roll < 0.05 && privatePrimary) dkbd = privatePrimary;
        else if (roll < 0.2 && (b.group === 'DN' || b.group === 'HC' || b.group === 'HT') && districtCentre) dkbd = districtCentre;
        b.registeredFacility = dkbd?.code ?? '51000';
      }
      const phoneShare = age < 18 ? 0 : age >= 75 ? 0.55 : 0.93;
      if (rng() < phoneShare) r.phone = uniqueDigits(pickWeighted(rng, PHONE_PREFIXES), 7, usedPhone);
      out.push(r);
    }
  }
  return out;

  function assignOccupationAndCard(
    r: Resident, age: number,
    h: { poor: boolean; nearPoor: boolean; minority: boolean; commune: Commune; refYear: number },
  ): void {
    let group: string;
    let level: number;
    let from = `${h.refYear - (rng() < 0.5 ? 1 : 0)}0101`;
    let to = `${h.refYear + (rng() < 0.8 ? 1 : 0)}1231`;
    const working = age >= 18 && age < 62;
    if (working) {
      r.occupation = pickWeighted(rng, WORK_OCCUPATIONS);
    }
    if (age < 6) {
      group = 'TE';
      level = 1;
      from = r.birthDate.endsWith('0000') ? `${r.birthYear}0101` : r.birthDate;
      // Under-6 cards run until the day before the sixth birthday.
      const end = new Date(Date.UTC(r.birthYear + 6, (r.birthMonth || 1) - 1, r.birthDay || 1) - DAY_MS);
      to = ymd(end);
    } else if (h.poor) {
      group = 'HN';
      level = 2;
    } else if (h.minority && (h.commune.minorityShare > 0.2)) {
      group = 'DT';
      level = 2;
    } else if (age < 18) {
      group = 'HS';
      level = 4;
      r.occupation = '00';
    } else if (age <= 22 && rng() < 0.45) {
      group = 'SV';
      level = 4;
      r.occupation = '00';
    } else if (age >= 60 && rng() < 0.32) {
      group = 'HT';
      level = 3;
      r.occupation = '00';
      to = `${h.refYear + 3}1231`;
    } else if (age >= 80 && rng() < 0.8) {
      group = 'BT';
      level = 2;
      to = `${h.refYear + 3}1231`;
    } else if (age >= 50 && rng() < 0.04) {
      group = 'CC';
      level = 1;
      to = `${h.refYear + 3}1231`;
    } else if (h.nearPoor) {
      group = 'CN';
      level = 3;
    } else if (working && rng() < 0.3) {
      group = 'DN';
      level = 4;
      r.employer = pick(rng, EMPLOYERS);
      r.occupation = pickWeighted(rng, DN_OCCUPATIONS);
    } else if (working && rng() < 0.08) {
      group = 'HC';
      level = 4;
      r.employer = pick(rng, PUBLIC_EMPLOYERS);
      r.occupation = pickWeighted(rng, HC_OCCUPATIONS);
    } else {
      group = 'GD';
      level = 4;
    }
    // About 8 % hold no card: mostly household-scheme adults who did not renew.
    const insuredShare = group === 'GD' ? 0.82 : group === 'SV' || group === 'DN' ? 0.97 : 1;
    if (rng() >= insuredShare) return;
    // A few cards lapsed before the reference date (realistic expired cards at check-in).
    if (group === 'GD' && rng() < 0.05) {
      from = `${h.refYear - 1}0101`;
      to = `${h.refYear - 1}1231`;
    }
    const area: BhytInfo['area'] = group === 'DT' ? 'K1' : '';
    r.bhyt = { number: '', group, benefitLevel: level, registeredFacility: '', validFrom: from, validTo: to, area };
  }
}

/** Benefit percentage of a card level (MUC_HUONG when on the correct route). */
export function benefitPercent(level: number): number {
  return level === 3 ? 95 : level === 4 ? 80 : 100;
}
