/**
 * Synthetic XML 130 episodes (XML1–XML15 rows as string maps) fed through the real ingest path.
 * Money is handled in integer cents so XML1 totals equal the sums of XML2/XML3 lines exactly.
 */
import { type Drug, doseText, drugsFor, tenderInfo } from '../codes/drugs.ts';
import { diagnosisText } from '../codes/icd10.ts';
import { imagingReport, indicesForService, type LabIndex } from '../codes/labs.ts';
import { canPerform, priceAt, type Service, serviceByCode, supplyByCode } from '../codes/services.ts';
import { viNumber } from '../text/numbers.ts';
import { stripDiacritics } from '../text/vietnamese.ts';
import type { Facility, FacilityType } from './district.ts';
import { createRng, FAMILY_NAMES, MALE_GIVEN, MALE_MIDDLE, pick, pickWeighted, randomInt } from './names.ts';
import { ageAt, benefitPercent, ngaySinh, type Resident } from './population.ts';
import { SCENARIO_BY_KEY, SCENARIOS, type Scenario } from './scenarios.ts';

export type XmlTableId =
  | 'XML1' | 'XML2' | 'XML3' | 'XML4' | 'XML5' | 'XML6' | 'XML7' | 'XML8' | 'XML9' | 'XML10'
  | 'XML11' | 'XML13' | 'XML14' | 'XML15';
export type XmlRow = Record<string, string>;
export type EpisodeTables = { XML1: XmlRow[] } & Partial<Record<Exclude<XmlTableId, 'XML1'>, XmlRow[]>>;

export interface SynthEpisode {
  facilityCode: string;
  maLk: string;
  personIndex: number;
  tables: EpisodeTables;
}

export interface EpisodeOptions {
  seed: number;
  residents: ReadonlyArray<Resident>;
  facilities: ReadonlyArray<Facility>;
  from: Date;
  /** No episode ends after this instant (Viet Nam wall-clock): an episode still running is not sent yet. */
  to: Date;
  count: number;
  /** Residents (indices) certain to be in the chronic cohort, so a demo account has a full book. */
  regulars?: ReadonlyArray<number>;
}

const MIN_PER_DAY = 1440;
/** Viet Nam is UTC+7 all year; XML 130 times are its wall-clock. */
const VN_OFFSET_MS = 7 * 3_600_000;
/** 15 % of the 2,340,000 VND base salary: below this an episode is paid at 100 %. */
const FULL_COVER_LIMIT_CENTS = 351_000_00;

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
const dayCache = new Map<number, string>();
/** yyyyMMdd of a day number (days since 1970-01-01, local calendar). */
function day8(day: number): string {
  let s = dayCache.get(day);
  if (s === undefined) {
    const d = new Date(day * 86_400_000);
    s = `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}`;
    dayCache.set(day, s);
  }
  return s;
}
/** yyyyMMddHHmm of a minute number. */
function t12(min: number): string {
  const day = Math.floor(min / MIN_PER_DAY);
  const m = min - day * MIN_PER_DAY;
  return `${day8(day)}${pad(Math.floor(m / 60), 2)}${pad(m % 60, 2)}`;
}
const money = (cents: number): string => (cents / 100).toFixed(2);

interface Doctor {
  name: string;
  licence: string;
}

interface Line {
  kind: 'drug' | 'service' | 'supply';
  drug?: Drug;
  service?: Service;
  supplyCode?: string;
  name: string;
  unit: string;
  qty: number;
  price: number;
  group: number;
  order: number;
  done: number;
  resultAt?: number;
  covered: boolean;
  programme: boolean;
  days?: number;
  bedCode?: string;
}

interface Plan {
  person: number;
  facility: Facility;
  scenario: Scenario;
  start: number;
  chronic?: 'I10' | 'E11';
  /** Admitted (MA_LOAI_KCB 03) whatever the scenario's odds. */
  admit?: boolean;
  seq: number;
}

const FACILITY_WEIGHT: Readonly<Record<FacilityType, number>> = {
  commune_station: 40, district_centre: 30, polyclinic: 8, provincial_hospital: 12, specialised_hospital: 5, private_clinic: 5,
};

/** Deterministic per-person value in [0,1): stable body weight across visits. */
function personHash(i: number, salt: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b) ^ salt;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function bodyWeight(r: Resident, age: number): number {
  const u = personHash(r.index, 7);
  if (age < 1) return 4 + u * 5;
  if (age < 6) return 9 + age * 2 + u * 4;
  if (age < 15) return 18 + (age - 6) * 3.5 + u * 8;
  return r.sex === 'male' ? 52 + u * 23 : 43 + u * 20;
}

export function generateEpisodes(opts: EpisodeOptions): SynthEpisode[] {
  const { residents, facilities, count } = opts;
  const rng = createRng(opts.seed ^ 0x5eed);
  const fromDay = Math.floor((opts.from.getTime() + VN_OFFSET_MS) / 86_400_000);
  const endBy = Math.floor((opts.to.getTime() + VN_OFFSET_MS) / 60_000);
  const toDay = Math.max(fromDay, Math.floor(endBy / MIN_PER_DAY));
  const span = toDay - fromDay + 1;
  const byCode = new Map(facilities.map((f) => [f.code, f]));
  const byType = new Map<FacilityType, Facility[]>();
  for (const f of facilities) byType.set(f.type, [...(byType.get(f.type) ?? []), f]);
  const provincial = byType.get('provincial_hospital')?.[0] ?? facilities[0]!;
  const districtCentre = byType.get('district_centre')?.[0] ?? provincial;
  const doctors = new Map<string, Doctor[]>();
  const drng = createRng(opts.seed ^ 0xd0c);
  for (const f of facilities) {
    const list: Doctor[] = [];
    for (let i = 0; i < 6; i++) {
      list.push({
        name: `${pickWeighted(drng, FAMILY_NAMES)} ${pickWeighted(drng, MALE_MIDDLE)} ${pickWeighted(drng, MALE_GIVEN)}`,
        licence: `${pad(randomInt(drng, 1000, 99999), 6)}/QNG-CCHN`,
      });
    }
    doctors.set(f.code, list);
  }
  const candidateCache = new Map<string, Array<readonly [Facility, number]>>();
  const drugCache = new Map<string, Drug[]>();
  const drugsForCached = (c: string): Drug[] => {
    let d = drugCache.get(c);
    if (!d) {
      d = drugsFor(c);
      drugCache.set(c, d);
    }
    return d;
  };
  const mid = new Date((fromDay + span / 2) * 86_400_000);
  const plans: Plan[] = [];
  let seq = 0;

  // Chronic cohort: hypertensive and diabetic adults come back about monthly to one facility.
  const months = Math.max(1, Math.floor(span / 30));
  const chronicBudget = Math.floor(count * 0.3);
  const cohortSize = Math.min(Math.floor(chronicBudget / months), Math.floor(residents.length * 0.15));
  const adults = residents.filter((r) => ageAt(r, mid) >= 45);
  const regulars = (opts.regulars ?? []).map((i) => residents[i]).filter((r): r is Resident => r !== undefined);
  for (let k = 0; k < Math.max(cohortSize, regulars.length) && adults.length > 0 && plans.length < chronicBudget; k++) {
    const r = regulars[k] ?? adults[Math.floor(rng() * adults.length)]!;
    const disease = rng() < 0.72 ? 'I10' : 'E11';
    const home = byCode.get(r.bhyt?.registeredFacility ?? '');
    const facility = home && (home.type === 'commune_station' || home.type === 'district_centre') ? home : districtCentre;
    let day = fromDay + randomInt(rng, 0, 29);
    while (day <= toDay && plans.length < chronicBudget) {
      plans.push({ person: r.index, facility, scenario: SCENARIO_BY_KEY.get(disease === 'I10' ? 'hypertension' : 'diabetes')!, start: day * MIN_PER_DAY + randomInt(rng, 420, 660), chronic: disease, seq: seq++ });
      day += 30 + randomInt(rng, 0, 3);
    }
  }

  // A regular's book also holds a hospital stay: a pneumonia at the provincial hospital.
  for (const r of regulars) plans.push({ person: r.index, facility: provincial, scenario: SCENARIO_BY_KEY.get('pneumonia')!, start: randomStart(false), admit: true, seq: seq++ });

  // Rare sensitive episodes: a handful per 20,000.
  const sensitive: Array<readonly [string, number]> = [['tb', Math.round(count * 0.001)], ['hiv', Math.max(count >= 2000 ? 1 : 0, Math.round(count * 0.00025))], ['mental', Math.round(count * 0.004)]];
  for (const [key, n] of sensitive) {
    const scenario = SCENARIO_BY_KEY.get(key)!;
    for (let i = 0; i < n && plans.length < count; i++) {
      const r = pickPerson(scenario);
      if (!r) break;
      plans.push({ person: r.index, facility: pickFacility(scenario, r), scenario, start: randomStart(false), seq: seq++ });
    }
  }

  const weighted = SCENARIOS.filter((s) => s.weight > 0).map((s) => [s, s.weight] as const);
  while (plans.length < count) {
    const scenario = pickWeighted(rng, weighted);
    const r = pickPerson(scenario);
    if (!r) continue;
    plans.push({ person: r.index, facility: pickFacility(scenario, r), scenario, start: randomStart((scenario.emergency ?? 0) > rng()), seq: seq++ });
  }
  plans.sort((a, b) => a.start - b.start || a.seq - b.seq);

  const dayCounters = new Map<string, number>();
  const patientCodes = new Map<string, Map<number, string>>();
  const recordSeq = new Map<string, number>();
  // Price class and coverage of the episode being built; read by svcLine.
  let currentClass: Facility['priceClass'] = 'I';
  let currentInsured = false;
  // End (NGAY_RA minute) of the episode build() made last.
  let builtEnd = 0;
  const out: SynthEpisode[] = [];
  for (const p of plans) {
    let e = build(p);
    // An episode still running at `to` would not have been sent: the same visit starts whole days
    // earlier instead (its length is drawn again, hence a few tries), or is left out.
    for (let tries = 0; builtEnd > endBy && tries < 4; tries++) {
      p.start -= Math.ceil((builtEnd - endBy) / MIN_PER_DAY) * MIN_PER_DAY;
      e = build(p);
    }
    if (builtEnd <= endBy) out.push(e);
  }
  return out;

  function randomStart(emergency: boolean): number {
    const day = fromDay + Math.floor(rng() * span);
    const minute = emergency ? randomInt(rng, 0, MIN_PER_DAY - 1) : rng() < 0.75 ? randomInt(rng, 420, 660) : randomInt(rng, 780, 1000);
    return day * MIN_PER_DAY + minute;
  }

  function pickPerson(s: Scenario): Resident | undefined {
    for (let tries = 0; tries < 60; tries++) {
      const r = residents[Math.floor(rng() * residents.length)]!;
      const age = ageAt(r, mid);
      if (age < s.ageMin || age > s.ageMax || (s.sex && r.sex !== s.sex)) continue;
      return r;
    }
    return undefined;
  }

  function pickFacility(s: Scenario, r: Resident): Facility {
    const home = byCode.get(r.bhyt?.registeredFacility ?? '');
    if (home && !s.facilities && rng() < 0.45) return home;
    let candidates = candidateCache.get(s.key);
    if (!candidates) {
      candidates = facilityCandidates(s);
      candidateCache.set(s.key, candidates);
    }
    if (s.sensitive === 'tb') return pick(rng, facilities.filter((f) => f.name.includes('Lao')).concat(districtCentre));
    if (s.sensitive === 'mental') return pick(rng, facilities.filter((f) => f.name.includes('Tâm thần')).concat(districtCentre));
    return candidates.length > 0 ? pickWeighted(rng, candidates) : districtCentre;
  }

  function facilityCandidates(s: Scenario): Array<readonly [Facility, number]> {
    return facilities
      .filter((f) => (s.facilities ? s.facilities.includes(f.type) : f.type !== 'specialised_hospital'))
      .filter((f) => canPerform(serviceByCode(s.exam)!, f.priceClass) || f.type === 'commune_station')
      .map((f) => [f, FACILITY_WEIGHT[f.type]] as const);
  }

  function build(p: Plan): SynthEpisode {
    const r = residents[p.person]!;
    const f = p.facility;
    const s = p.scenario;
    const docs = doctors.get(f.code)!;
    const doctor = pick(rng, docs);
    const head = docs[0]!;
    const startDay = Math.floor(p.start / MIN_PER_DAY);
    const visitDate = new Date(startDay * 86_400_000);
    const age = ageAt(r, visitDate);
    const dkey = `${f.code}${day8(startDay)}`;
    const n = (dayCounters.get(dkey) ?? 0) + 1;
    dayCounters.set(dkey, n);
    const maLk = `${f.code}${day8(startDay).slice(2)}${pad(n, 5)}`;
    let codes = patientCodes.get(f.code);
    if (!codes) {
      codes = new Map();
      patientCodes.set(f.code, codes);
    }
    let maBn = codes.get(r.index);
    if (!maBn) {
      maBn = `${f.code}${pad(codes.size + 1, 7)}`;
      codes.set(r.index, maBn);
    }

    // Diagnoses.
    const main = p.chronic ? (p.chronic === 'I10' ? (rng() < 0.85 ? 'I10' : 'I11.9') : pick(rng, ['E11.9', 'E11.9', 'E11.2', 'E11.4'])) : pick(rng, s.main);
    const secondary: string[] = [];
    if (p.chronic === 'I10' && rng() < 0.35) secondary.push('E78.5');
    if (p.chronic === 'E11' && rng() < 0.5) secondary.push('I10');
    if (!p.chronic && age >= 55 && rng() < 0.15 && main !== 'I10') secondary.push('I10');
    const allCodes = [main, ...secondary];

    // Care type and timeline.
    const card = r.bhyt && r.bhyt.validFrom <= day8(startDay) && r.bhyt.validTo >= day8(startDay) ? r.bhyt : undefined;
    const insured = card !== undefined && f.bhytContract && !s.selfPay;
    currentClass = f.priceClass;
    currentInsured = insured;
    let type = '01';
    if (p.admit && f.inpatient) type = '03';
    else if (p.chronic && f.type === 'district_centre' && rng() < 0.4) type = '05';
    else if (!p.chronic && f.inpatient && rng() < s.inpatient && f.type !== 'commune_station' && f.type !== 'polyclinic') type = '03';
    else if (!p.chronic && f.inpatient && s.daycare && rng() < s.daycare && f.type === 'district_centre') type = '04';
    else if (!p.chronic && (f.type === 'commune_station' || f.type === 'polyclinic') && s.inpatient > 0.1 && rng() < 0.3) type = '06';
    else if (!p.chronic && f.type !== 'commune_station' && rng() < 0.03) type = '02';
    const inpatient = type === '03' || type === '04' || type === '06';
    const transfer = !inpatient && (f.type === 'commune_station' || f.type === 'district_centre' || f.type === 'polyclinic') && s.transfer !== undefined && rng() < s.transfer;
    const vao = p.start;
    const vaoNoiTru = inpatient ? vao + randomInt(rng, 20, 150) : undefined;
    const stayDays = type === '03' ? randomInt(rng, s.days[0], s.days[1]) : type === '04' ? randomInt(rng, 5, 10) : type === '06' ? randomInt(rng, 1, 3) : 1;
    const medDays = p.chronic ? 30 : type === '02' ? randomInt(rng, 5, 10) : s.key === 'tb' ? 30 : s.key === 'hiv' ? 90 : randomInt(rng, 3, 7);
    let ra: number;
    if (type === '03' || type === '06') ra = (startDay + stayDays - 1) * MIN_PER_DAY + randomInt(rng, 480, 660);
    else if (type === '04') ra = (startDay + stayDays - 1) * MIN_PER_DAY + randomInt(rng, 900, 1020);
    else if (type === '02' || type === '05') ra = (startDay + medDays - 1) * MIN_PER_DAY + 1439;
    else ra = vao + randomInt(rng, 25, 180);
    if (ra < (vaoNoiTru ?? vao)) ra = (vaoNoiTru ?? vao) + 60;
    let raDay = Math.floor(ra / MIN_PER_DAY);
    const paidAt = type === '02' || type === '05' ? vao + randomInt(rng, 40, 120) : undefined;
    const dept = f.type === 'commune_station' || f.type === 'private_clinic' ? 'K01' : inpatient ? s.dept : 'K01';

    // Route (MA_DOITUONG_KCB).
    const referredIn = (f.type === 'provincial_hospital' || f.type === 'specialised_hospital') && rng() < 0.55;
    const emergency = (s.emergency ?? 0) > 0 && rng() < (s.emergency ?? 0);
    let doiTuong = '1.1';
    if (s.sensitive === 'tb') doiTuong = '1.8';
    else if (s.sensitive === 'hiv') doiTuong = '1.9';
    else if (emergency) doiTuong = '2';
    else if (card && card.registeredFacility === f.code) doiTuong = '1.1';
    else if (referredIn) doiTuong = '1.3';
    else if (f.type === 'provincial_hospital' || f.type === 'specialised_hospital') doiTuong = inpatient ? '3.2' : '1.3';
    else doiTuong = '1.2';

    // Lines: exam, services, procedures, supplies, bed-days, drugs.
    const lines: Line[] = [];
    const order0 = vao + randomInt(rng, 5, 20);
    const exam = serviceByCode(f.type === 'commune_station' ? '01.1899' : s.exam)!;
    lines.push(svcLine(exam, 1, order0, order0 + 5));
    let t = order0 + 10;
    for (const [code, prob] of s.services) {
      const svc = serviceByCode(code);
      if (!svc || !canPerform(svc, f.priceClass) || rng() >= prob) continue;
      const l = svcLine(svc, 1, t, t + randomInt(rng, 10, 40));
      l.resultAt = l.done + randomInt(rng, 30, 90);
      lines.push(l);
      t += 2;
    }
    for (const [code, prob] of s.procedures ?? []) {
      const svc = serviceByCode(code);
      if (!svc || !canPerform(svc, f.priceClass) || rng() >= prob) continue;
      if (svc.kind === 'surgery' && type !== '03') continue;
      lines.push(svcLine(svc, svc.code === '17.0006.0248' || svc.code === '17.0023.0267' ? (type === '04' ? stayDays : 1) : 1, t, t + 30));
    }
    if (s.key === 'delivery' && main === 'O82' && type === '03') lines.push(svcLine(serviceByCode('13.0084.0449')!, 1, t, t + 60));
    if (s.supplies && (inpatient || lines.some((l) => l.group === 18)) && rng() < 0.7) {
      for (const code of s.supplies) {
        const sp = supplyByCode(code);
        if (!sp) continue;
        lines.push({ kind: 'supply', supplyCode: sp.code, name: sp.name, unit: sp.unit, qty: randomInt(rng, 1, 3), price: sp.price, group: 10, order: t, done: t + 10, covered: insured, programme: false });
      }
    }
    if (inpatient) {
      const bed = serviceByCode(type === '04' ? 'K16.1942' : f.type === 'commune_station' || f.type === 'polyclinic' ? 'K01.1941' : s.bed)!;
      const bedDays = type === '04' ? stayDays : Math.max(1, raDay - startDay);
      // One bed row per day, as HIS exports do; the last day's row is ordered before the discharge.
      for (let d = 0; d < bedDays; d++) {
        const at = Math.max(vaoNoiTru ?? vao, Math.min((vaoNoiTru ?? vao) + d * MIN_PER_DAY, ra - 30));
        const l = svcLine(bed, 1, at, at);
        l.bedCode = `${pick(rng, ['H', 'T'])}${pad(randomInt(rng, 1, 40), 3)}`;
        lines.push(l);
      }
    }
    const drugPool = uniqueDrugs(allCodes.flatMap((c) => drugsForCached(c)));
    const chronicOnly = p.chronic !== undefined;
    const pool = drugPool.filter((d) => (chronicOnly ? d.chronic : true) && (inpatient || !d.route.startsWith('2.1') || d.route === '2.10'));
    const nDrugs = pool.length === 0 ? 0 : Math.min(pool.length, randomInt(rng, chronicOnly ? 1 : 1, chronicOnly ? 3 : 4));
    const chosen = shuffle(pool).slice(0, nDrugs);
    if (main === 'Z00.0' || main.startsWith('Z34') || (s.key === 'wound' && rng() < 0.3)) chosen.length = Math.min(chosen.length, main.startsWith('Z34') ? 1 : 0);
    for (const d of chosen) {
      const days = inpatient && d.route.startsWith('2') ? Math.max(1, stayDays - 1) : d.chronic ? medDays : Math.min(d.days, medDays + 2);
      const qty = d.unit === 'Lọ' || d.unit === 'Tuýp' || d.unit === 'Bình' ? (d.route === '2.04' ? 2 : 1) : d.perDose * d.timesPerDay * days;
      lines.push({ kind: 'drug', drug: d, name: d.name, unit: d.unit, qty, price: d.price, group: 4, order: order0 + 40, done: order0 + 45, covered: insured && !d.programme, programme: d.programme === true, days });
    }

    // A patient leaves after the last order and result of the visit, not before.
    const latest = Math.max(...lines.map((l) => Math.max(l.order, l.done, l.resultAt ?? 0)));
    if (ra < latest + 5) {
      ra = latest + randomInt(rng, 5, 20);
      raDay = Math.floor(ra / MIN_PER_DAY);
    }
    builtEnd = ra;
    const soNgay = type === '01' ? 0 : type === '05' ? medDays : raDay - startDay + 1;

    // Money: decide the benefit level on the insured total, then split each line.
    let bhTotal = 0;
    for (const l of lines) if (l.covered) bhTotal += Math.round(l.qty * l.price * 100);
    let muc = 0;
    if (insured) {
      muc = benefitPercent(card.benefitLevel);
      if (f.type === 'commune_station' || bhTotal < FULL_COVER_LIMIT_CENTS) muc = 100;
    }
    const maBenh = allCodes.join(';');
    const xml2: XmlRow[] = [];
    const xml3: XmlRow[] = [];
    const tot = { thuoc: 0, vtyt: 0, bv: 0, bh: 0, bntt: 0, bncct: 0, bhtt: 0, nk: 0 };
    for (const l of lines) {
      const bv = Math.round(l.qty * l.price * 100);
      const bh = l.covered ? bv : 0;
      const nk = l.programme ? bv : 0;
      const bhtt = Math.round((bh * muc) / 100);
      const bncct = bh - bhtt;
      const bntt = bv - bh - nk;
      tot.bv += bv;
      tot.bh += bh;
      tot.bntt += bntt;
      tot.bncct += bncct;
      tot.bhtt += bhtt;
      tot.nk += nk;
      const common = {
        PHAM_VI: l.covered || l.programme ? '1' : '2',
        SO_LUONG: String(l.qty),
        TYLE_TT_BH: l.covered ? '100' : '0',
        THANH_TIEN_BV: money(bv),
        THANH_TIEN_BH: money(bh),
        T_NGUONKHAC_NSNN: money(nk), T_NGUONKHAC_VTNN: '0.00', T_NGUONKHAC_VTTN: '0.00', T_NGUONKHAC_CL: '0.00', T_NGUONKHAC: money(nk),
        MUC_HUONG: l.covered ? String(muc) : '0',
        T_BNTT: money(bntt), T_BNCCT: money(bncct), T_BHTT: money(bhtt),
        MA_KHOA: dept, MA_BAC_SI: doctor.licence, NGAY_YL: t12(l.order), MA_PTTT: '1',
      };
      if (l.kind === 'drug') {
        const d = l.drug!;
        tot.thuoc += bv;
        xml2.push({
          MA_LK: maLk, STT: String(xml2.length + 1), MA_THUOC: d.code, MA_PP_CHEBIEN: '', MA_CSKCB_THUOC: '', MA_NHOM: '4',
          TEN_THUOC: d.name, DON_VI_TINH: d.unit, HAM_LUONG: d.strength, DUONG_DUNG: d.route, DANG_BAO_CHE: d.form,
          LIEU_DUNG: doseText(d, l.days ?? d.days), CACH_DUNG: d.usage, SO_DANG_KY: d.registration, TT_THAU: tenderInfo(d),
          ...common, DON_GIA: String(d.price), MA_DICH_VU: '', NGAY_TH_YL: t12(l.done), NGUON_CTRA: d.programme ? '3' : '1', VET_THUONG_TP: '', DU_PHONG: '',
        });
      } else {
        if (l.kind === 'supply') tot.vtyt += bv;
        const svc = l.service;
        const needsPerformer = [1, 2, 3, 8, 18].includes(l.group);
        xml3.push({
          MA_LK: maLk, STT: String(xml3.length + 1), MA_DICH_VU: svc?.code ?? '', MA_PTTT_QT: svc?.icd9 ?? '', MA_VAT_TU: l.supplyCode ?? '',
          MA_NHOM: String(l.group), GOI_VTYT: '', TEN_VAT_TU: l.kind === 'supply' ? l.name : '', TEN_DICH_VU: l.kind === 'supply' ? '' : l.name,
          MA_XANG_DAU: '', DON_VI_TINH: l.unit, ...common, DON_GIA_BV: String(l.price), DON_GIA_BH: String(l.price),
          TT_THAU: l.kind === 'supply' ? '1234/QĐ-SYT;G2;N1;2024' : '', TYLE_TT_DV: '100', T_TRANTT: '',
          MA_GIUONG: l.bedCode ?? '', NGUOI_THUC_HIEN: needsPerformer ? pick(rng, docs).licence : '', MA_BENH: maBenh, MA_BENH_YHCT: '',
          NGAY_TH_YL: needsPerformer ? t12(l.done) : '', NGAY_KQ: l.resultAt !== undefined ? t12(l.resultAt) : '',
          VET_THUONG_TP: '', PP_VO_CAM: l.group === 8 ? (s.key === 'appendicitis' ? '1' : '2') : '', VI_TRI_TH_DVKT: '', MA_MAY: '', MA_HIEU_SP: '', TAI_SU_DUNG: '', DU_PHONG: '',
        });
      }
    }

    // Outcomes and documents.
    const appointment = p.chronic ? rng() < 0.3 : inpatient ? rng() < 0.4 : rng() < 0.07;
    const henDay = appointment ? raDay + (p.chronic ? 1 : randomInt(rng, 3, 14)) : undefined;
    const ketQua = transfer ? pick(rng, ['3', '4']) : inpatient ? (rng() < 0.45 ? '1' : '2') : rng() < 0.5 ? '1' : '2';
    const loaiRv = transfer ? '2' : inpatient && rng() < 0.02 ? '4' : '1';
    const chanDoanRv = diagnosisText(allCodes);
    const ppDieuTri = lines.some((l) => l.group === 8) ? 'Phẫu thuật, điều trị nội khoa sau mổ' : chosen.length > 0 ? 'Điều trị nội khoa' : 'Theo dõi, tư vấn';
    const noisy = rng();
    const hoTen = noisy < 0.015 ? stripDiacritics(r.fullName) : r.fullName;
    const cccd = r.cccd && !(noisy >= 0.015 && noisy < 0.035) ? r.cccd : '';
    const parentPhone = r.phone ?? residents[r.motherIndex ?? r.fatherIndex ?? r.guardianIndex ?? -1]?.phone ?? '';
    const weight = bodyWeight(r, age) + (rng() - 0.5);
    const hsSeq = (recordSeq.get(f.code) ?? 0) + 1;
    recordSeq.set(f.code, hsSeq);
    const maHsba = `${inpatient ? 'BA' : 'NGT'}${day8(startDay).slice(0, 4)}${pad(hsSeq, 6)}`;
    const prelim = `${s.prelim}`;
    const dest = transfer ? provincial : undefined;
    const referral = doiTuong === '1.3' ? districtCentre.code : '';

    const xml1: XmlRow = {
      MA_LK: maLk, STT: '1', MA_BN: maBn, HO_TEN: hoTen, SO_CCCD: cccd, NGAY_SINH: ngaySinh(r), GIOI_TINH: r.sex === 'male' ? '1' : '2',
      NHOM_MAU: '', MA_QUOCTICH: '000', MA_DANTOC: r.ethnicity, MA_NGHE_NGHIEP: r.occupation, DIA_CHI: r.address,
      MATINH_CU_TRU: '51', MAHUYEN_CU_TRU: '528', MAXA_CU_TRU: r.communeCode, DIEN_THOAI: noisy > 0.98 ? '' : parentPhone,
      MA_THE_BHYT: insured ? card.number : '', MA_DKBD: insured ? card.registeredFacility : '',
      GT_THE_TU: insured ? card.validFrom : '', GT_THE_DEN: insured ? card.validTo : '', NGAY_MIEN_CCT: '',
      LY_DO_VV: s.reason, LY_DO_VNT: inpatient ? `${s.reason}, cần theo dõi điều trị` : '', MA_LY_DO_VNT: '',
      CHAN_DOAN_VAO: prelim, CHAN_DOAN_RV: chanDoanRv, MA_BENH_CHINH: main, MA_BENH_KT: secondary.join(';'), MA_BENH_YHCT: '',
      MA_PTTT_QT: lines.filter((l) => l.service?.icd9).map((l) => l.service!.icd9!).join(';'),
      MA_DOITUONG_KCB: doiTuong, MA_NOI_DI: referral, MA_NOI_DEN: dest?.code ?? '', MA_TAI_NAN: s.accident ?? '',
      NGAY_VAO: t12(vao), NGAY_VAO_NOI_TRU: vaoNoiTru !== undefined ? t12(vaoNoiTru) : '', NGAY_RA: t12(ra),
      GIAY_CHUYEN_TUYEN: referral ? `${pad(randomInt(rng, 1, 9999), 4)}/GCT` : '', SO_NGAY_DTRI: String(soNgay), PP_DIEU_TRI: ppDieuTri,
      KET_QUA_DTRI: ketQua, MA_LOAI_RV: loaiRv, GHI_CHU: appointment ? 'Tái khám theo hẹn, dùng thuốc theo đơn' : 'Dùng thuốc theo đơn, tái khám khi có bất thường',
      NGAY_TTOAN: t12(paidAt ?? ra), T_THUOC: money(tot.thuoc), T_VTYT: money(tot.vtyt), T_TONGCHI_BV: money(tot.bv), T_TONGCHI_BH: money(tot.bh),
      T_BNTT: money(tot.bntt), T_BNCCT: money(tot.bncct), T_BHTT: money(tot.bhtt), T_NGUONKHAC: money(tot.nk), T_BHTT_GDV: money(tot.bhtt),
      NAM_QT: t12(paidAt ?? ra).slice(0, 4), THANG_QT: String(Number(t12(paidAt ?? ra).slice(4, 6))), MA_LOAI_KCB: type, MA_KHOA: dept, MA_CSKCB: f.code,
      MA_KHUVUC: insured ? card.area : '', CAN_NANG: weight.toFixed(2), CAN_NANG_CON: '', NAM_NAM_LIEN_TUC: '',
      NGAY_TAI_KHAM: henDay !== undefined ? day8(henDay) : '', MA_HSBA: maHsba, MA_TTDV: head.licence, DU_PHONG: '',
    };
    const tables: EpisodeTables = { XML1: [xml1] };
    if (xml2.length > 0) tables.XML2 = xml2;
    if (xml3.length > 0) tables.XML3 = xml3;

    const xml4: XmlRow[] = [];
    for (const l of lines) {
      if (!l.service || (l.service.kind !== 'lab' && l.service.kind !== 'imaging' && l.service.kind !== 'function')) continue;
      const at = t12(l.resultAt ?? l.done);
      if (l.service.kind === 'lab') {
        for (const li of indicesForService(l.service.code)) {
          xml4.push({ MA_LK: maLk, STT: String(xml4.length + 1), MA_DICH_VU: l.service.code, MA_CHI_SO: li.code, TEN_CHI_SO: li.name, GIA_TRI: labValue(li, r, allCodes), DON_VI_DO: li.unit, MO_TA: '', KET_LUAN: '', NGAY_KQ: at, MA_BS_DOC_KQ: pick(rng, docs).licence, DU_PHONG: '' });
        }
      } else {
        const rep = imagingReport(l.service.code, allCodes);
        if (rep) xml4.push({ MA_LK: maLk, STT: String(xml4.length + 1), MA_DICH_VU: l.service.code, MA_CHI_SO: '', TEN_CHI_SO: l.service.name, GIA_TRI: '', DON_VI_DO: '', MO_TA: rep.description, KET_LUAN: rep.conclusion, NGAY_KQ: at, MA_BS_DOC_KQ: pick(rng, docs).licence, DU_PHONG: '' });
      }
    }
    if (xml4.length > 0) tables.XML4 = xml4;

    if (type === '02' || type === '03' || type === '04' || type === '06') {
      const xml5: XmlRow[] = [];
      const notes = Math.min(type === '02' ? 1 : raDay - startDay + 1, 10);
      for (let d = 0; d < notes; d++) {
        const last = d === notes - 1;
        const when = Math.min(ra, (vaoNoiTru ?? vao) + d * MIN_PER_DAY + 60);
        xml5.push({
          MA_LK: maLk, STT: String(d + 1),
          DIEN_BIEN_LS: `${last ? 'Bệnh ổn định' : d === 0 ? s.reason : 'Bệnh tỉnh, đỡ hơn'}. Mạch ${randomInt(rng, 70, 96)} lần/phút, nhiệt độ ${viNumber((36.5 + rng() * (d === 0 ? 2 : 0.8)).toFixed(1))}°C, huyết áp ${randomInt(rng, 105, 150)}/${randomInt(rng, 65, 90)} mmHg, nhịp thở ${randomInt(rng, 16, 22)} lần/phút.${last && loaiRv === '1' ? ' Cho ra viện.' : ''}`,
          GIAI_DOAN_BENH: '', HOI_CHAN: '', PHAU_THUAT: d === 0 && lines.some((l) => l.group === 8) ? `${lines.find((l) => l.group === 8)!.name}, diễn biến thuận lợi` : '',
          THOI_DIEM_DBLS: t12(when), NGUOI_THUC_HIEN: doctor.licence, DU_PHONG: '',
        });
      }
      tables.XML5 = xml5;
    }
    const father = r.fatherIndex !== undefined ? residents[r.fatherIndex] : undefined;
    const mother = r.motherIndex !== undefined ? residents[r.motherIndex] : undefined;
    if (inpatient) {
      tables.XML7 = [{
        MA_LK: maLk, SO_LUU_TRU: `${maHsba}/LT`, MA_YTE: maBn, MA_KHOA_RV: dept, NGAY_VAO: t12(vao), NGAY_RA: t12(ra),
        MA_DINH_CHI_THAI: '0', NGUYENNHAN_DINHCHI: '', THOIGIAN_DINHCHI: '', TUOI_THAI: '', CHAN_DOAN_RV: chanDoanRv, PP_DIEUTRI: ppDieuTri,
        GHI_CHU: 'Tái khám khi có bất thường', MA_TTDV: head.licence, MA_BS: doctor.licence, TEN_BS: doctor.name, NGAY_CT: day8(raDay),
        MA_CHA: age < 16 ? (father?.socialInsuranceNumber ?? '') : '', MA_ME: age < 16 ? (mother?.socialInsuranceNumber ?? '') : '', MA_THE_TAM: '',
        HO_TEN_CHA: age < 16 ? (father?.fullName ?? '') : '', HO_TEN_ME: age < 16 ? (mother?.fullName ?? '') : '',
        SO_NGAY_NGHI: '', NGOAITRU_TUNGAY: '', NGOAITRU_DENNGAY: '', DU_PHONG: '',
      }];
    }
    const labSummary = xml4.filter((x) => x.KET_LUAN).map((x) => `${x.TEN_CHI_SO}: ${x.KET_LUAN}`).join('; ');
    tables.XML8 = [{
      MA_LK: maLk, MA_LOAI_KCB: type, HO_TEN_CHA: age < 16 ? (father?.fullName ?? '') : '', HO_TEN_ME: age < 16 ? (mother?.fullName ?? '') : '',
      NGUOI_GIAM_HO: age < 16 && !father && !mother && r.guardianIndex !== undefined ? (residents[r.guardianIndex]?.fullName ?? '') : '',
      DON_VI: r.employer ?? '', NGAY_VAO: t12(vao), NGAY_RA: t12(ra), CHAN_DOAN_VAO: prelim, CHAN_DOAN_RV: chanDoanRv,
      QT_BENHLY: `${s.reason}. Khám và điều trị tại ${f.name}.`, TOMTAT_KQ: labSummary || (xml4.length > 0 ? 'Xét nghiệm đã thực hiện, xem chi tiết kết quả.' : 'Không làm cận lâm sàng.'),
      PP_DIEUTRI: ppDieuTri, NGAY_SINHCON: '', NGAY_CONCHET: '', SO_CONCHET: '', KET_QUA_DTRI: ketQua, GHI_CHU: '', MA_TTDV: head.licence, NGAY_CT: day8(raDay), MA_THE_TAM: '', DU_PHONG: '',
    }];
    if (transfer && dest) {
      tables.XML13 = [{
        MA_LK: maLk, SO_HOSO: maHsba, SO_CHUYENTUYEN: `${pad(hsSeq, 5)}/CT`, GIAY_CHUYEN_TUYEN: `${pad(hsSeq, 5)}/${day8(startDay).slice(0, 4)}/GCT`,
        MA_CSKCB: f.code, MA_NOI_DI: f.code, MA_NOI_DEN: dest.code, HO_TEN: hoTen, NGAY_SINH: ngaySinh(r), GIOI_TINH: xml1.GIOI_TINH!,
        MA_QUOCTICH: '000', MA_DANTOC: r.ethnicity, MA_NGHE_NGHIEP: r.occupation, DIA_CHI: r.address, MA_THE_BHYT: xml1.MA_THE_BHYT!, GT_THE_DEN: xml1.GT_THE_DEN!,
        NGAY_VAO: t12(vao), NGAY_VAO_NOI_TRU: '', NGAY_RA: t12(ra), DAU_HIEU_LS: s.reason, CHAN_DOAN_RV: chanDoanRv,
        QT_BENHLY: `${s.reason}, diễn biến không thuận lợi tại tuyến dưới.`, TOMTAT_KQ: tables.XML8[0]!.TOMTAT_KQ!, PP_DIEUTRI: ppDieuTri,
        MA_BENH_CHINH: main, MA_BENH_KT: xml1.MA_BENH_KT!, MA_BENH_YHCT: '', TEN_DICH_VU: lines.filter((l) => l.service).map((l) => l.name).join('; '),
        TEN_THUOC: chosen.map((d) => d.name).join('; '), PP_DIEU_TRI: 'Tỉnh, mạch và huyết áp ổn định', MA_LOAI_RV: '2', MA_LYDO_CT: '2',
        HUONG_DIEU_TRI: 'Chuyển tuyến trên tiếp tục chẩn đoán và điều trị', PHUONGTIEN_VC: 'Xe cứu thương', HOTEN_NGUOI_HT: pick(rng, docs).name,
        CHUCDANH_NGUOI_HT: 'Điều dưỡng', MA_BAC_SI: doctor.licence, MA_TTDV: head.licence, DU_PHONG: '',
      }];
    }
    if (henDay !== undefined) {
      tables.XML14 = [{
        MA_LK: maLk, SO_GIAYHEN_KL: `${pad(hsSeq, 6)}/GH`, MA_CSKCB: f.code, HO_TEN: hoTen, NGAY_SINH: ngaySinh(r), GIOI_TINH: xml1.GIOI_TINH!,
        DIA_CHI: r.address, MA_THE_BHYT: xml1.MA_THE_BHYT!, GT_THE_DEN: xml1.GT_THE_DEN!, NGAY_VAO: t12(vao), NGAY_VAO_NOI_TRU: xml1.NGAY_VAO_NOI_TRU!,
        NGAY_RA: t12(ra), NGAY_HEN_KL: day8(henDay), CHAN_DOAN_RV: chanDoanRv, MA_BENH_CHINH: main, MA_BENH_KT: xml1.MA_BENH_KT!, MA_BENH_YHCT: '',
        MA_DOITUONG_KCB: doiTuong, MA_BAC_SI: doctor.licence, MA_TTDV: head.licence, NGAY_CT: day8(raDay), DU_PHONG: '',
      }];
    }
    if (r.employer && r.socialInsuranceNumber && (inpatient || rng() < 0.2) && !main.startsWith('Z')) {
      const days = inpatient ? randomInt(rng, 3, 10) : randomInt(rng, 1, 3);
      const from = inpatient ? raDay + 1 : startDay;
      tables.XML11 = [{
        MA_LK: maLk, SO_CT: `${pad(hsSeq, 5)}/CT07`, SO_SERI: `QNG${pad(hsSeq, 6)}`, SO_KCB: maHsba, DON_VI: r.employer, MA_BHXH: r.socialInsuranceNumber,
        MA_THE_BHYT: xml1.MA_THE_BHYT!, CHAN_DOAN_RV: chanDoanRv, PP_DIEUTRI: ppDieuTri, MA_DINH_CHI_THAI: '0', NGUYENNHAN_DINHCHI: '', TUOI_THAI: '',
        SO_NGAY_NGHI: String(days), TU_NGAY: day8(from), DEN_NGAY: day8(from + days - 1), HO_TEN_CHA: '', HO_TEN_ME: '',
        MA_TTDV: head.licence, MA_BS: doctor.licence, NGAY_CT: day8(raDay), MA_THE_TAM: '', MAU_SO: 'CT07', DU_PHONG: '',
      }];
    }
    if (s.sensitive === 'tb') {
      const start = startDay - randomInt(rng, 0, 60);
      tables.XML15 = [{
        MA_LK: maLk, STT: '1', MA_BN: maBn, HO_TEN: hoTen, SO_CCCD: cccd, PHANLOAI_LAO_VITRI: '1', PHANLOAI_LAO_TS: '1', PHANLOAI_LAO_HIV: '2',
        PHANLOAI_LAO_VK: main === 'A15.0' ? '1' : '2', PHANLOAI_LAO_KT: '1', LOAI_DTRI_LAO: '1', NGAYBD_DTRI_LAO: day8(start), PHACDO_DTRI_LAO: '1',
        NGAYKT_DTRI_LAO: '', KET_QUA_DTRI_LAO: '0', MA_CSKCB: f.code, NGAYKD_HIV: '', BDDT_ARV: '', NGAY_BAT_DAU_DT_CTX: '', DU_PHONG: '',
      }];
    }
    if (s.sensitive === 'hiv') {
      const confirmed = startDay - randomInt(rng, 200, 3000);
      tables.XML6 = [{
        MA_LK: maLk, MA_THE_BHYT: xml1.MA_THE_BHYT!, SO_CCCD: cccd, NGAY_SINH: ngaySinh(r), GIOI_TINH: xml1.GIOI_TINH!, DIA_CHI: r.address,
        MATINH_CU_TRU: '51', MAHUYEN_CU_TRU: '528', MAXA_CU_TRU: r.communeCode, NGAYKD_HIV: day8(confirmed), NOI_LAY_MAU_XN: f.code, NOI_XN_KD: provincial.code,
        NOI_BDDT_ARV: f.code, BDDT_ARV: day8(confirmed + 14), MA_PHAC_DO_DIEU_TRI_BD: 'TDF+3TC+DTG', MA_BAC_PHAC_DO_BD: '', MA_LYDO_DTRI: '1',
        LOAI_DTRI_LAO: '0', SANG_LOC_LAO: '1', PHACDO_DTRI_LAO: '', NGAYBD_DTRI_LAO: '', NGAYKT_DTRI_LAO: '', KQ_DTRI_LAO: '0',
        MA_LYDO_XNTL_VR: '1', NGAY_XN_TLVR: day8(startDay - 30), KQ_XNTL_VR: '1', NGAY_KQ_XN_TLVR: day8(startDay - 23), MA_LOAI_BN: '1',
        GIAI_DOAN_LAM_SANG: '1', NHOM_DOI_TUONG: '1', MA_TINH_TRANG_DK: '2', LAN_XN_PCR: '', NGAY_XN_PCR: '', NGAY_KQ_XN_PCR: '', MA_KQ_XN_PCR: '',
        NGAY_NHAN_TT_MANG_THAI: '', NGAY_BAT_DAU_DT_CTX: day8(confirmed + 14), MA_XU_TRI: '1', NGAY_BAT_DAU_XU_TRI: day8(startDay),
        NGAY_KET_THUC_XU_TRI: day8(startDay + medDays - 1), MA_PHAC_DO_DIEU_TRI: 'TDF+3TC+DTG', MA_BAC_PHAC_DO: '', SO_NGAY_CAP_THUOC_ARV: String(medDays),
        NGAY_CHUYEN_PHAC_DO: '', LY_DO_CHUYEN_PHAC_DO: '', MA_CSKCB: f.code, DU_PHONG: '',
      }];
    }
    return { facilityCode: f.code, maLk, personIndex: r.index, tables };
  }

  function svcLine(svc: Service, qty: number, order: number, done: number): Line {
    return { kind: 'service', service: svc, name: svc.name, unit: svc.unit, qty, price: priceAt(svc, currentClass), group: svc.group, order, done, covered: currentInsured, programme: false };
  }

  function labValue(li: LabIndex, r: Resident, icd: ReadonlyArray<string>): string {
    if (li.normalText !== undefined) {
      const positive = (li.code === 'AFB' && icd.some((c) => c.startsWith('A15'))) || (li.code === 'NS1' && icd.some((c) => c.startsWith('A9')));
      return positive && rng() < 0.8 ? li.abnormalText! : li.normalText;
    }
    const low = r.sex === 'female' ? (li.femaleLow ?? li.low) : li.low;
    const high = r.sex === 'female' ? (li.femaleHigh ?? li.high) : li.high;
    const width = high - low || high || 1;
    const bias = BIAS[li.code];
    let v: number;
    if (bias && icd.some((c) => bias[1].some((p) => c.startsWith(p))) && rng() < 0.8) {
      v = bias[0] === 'high' ? high + width * (0.1 + rng() * 0.8) : Math.max(0, low - width * (0.1 + rng() * 0.5));
    } else if (rng() < 0.1) {
      v = rng() < 0.5 ? high + width * rng() * 0.3 : Math.max(0, low - width * rng() * 0.2);
    } else {
      v = low + width * (0.1 + rng() * 0.8);
    }
    return v.toFixed(li.decimals);
  }

  function uniqueDrugs(list: Drug[]): Drug[] {
    const seen = new Set<string>();
    return list.filter((d) => {
      if (seen.has(d.code)) return false;
      seen.add(d.code);
      return true;
    });
  }

  function shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a;
  }
}

const BIAS: Readonly<Record<string, readonly ['high' | 'low', ReadonlyArray<string>]>> = {
  GLU: ['high', ['E10', 'E11', 'E14', 'O24']], HBA1C: ['high', ['E10', 'E11', 'E14']],
  CHOL: ['high', ['E78', 'I25']], LDL: ['high', ['E78', 'I25', 'I63']], TG: ['high', ['E78.1', 'E78.2', 'E78.5', 'E11']],
  CREA: ['high', ['N18', 'E11.2', 'I12']], UREA: ['high', ['N18', 'E11.2']],
  AST: ['high', ['K70', 'K74', 'B18', 'K76', 'A91']], ALT: ['high', ['K70', 'K74', 'B18', 'K76', 'A91']],
  URIC: ['high', ['M10', 'E79']], WBC: ['high', ['J18', 'J15', 'N10', 'K35', 'K81', 'L03', 'A01']],
  'NEU%': ['high', ['J18', 'J15', 'K35', 'N10']], HGB: ['low', ['D50', 'D64', 'O99', 'N18']], PLT: ['low', ['A90', 'A91', 'D69']],
  'U-PRO': ['high', ['N18', 'E11.2', 'O14']], 'U-LEU': ['high', ['N39', 'N30', 'N10']], 'U-GLU': ['high', ['E11', 'E10']],
};

/** XML0 check-in row for an episode: sent when the first chargeable item arises. */
export function generateCheckin(episode: SynthEpisode): XmlRow {
  const x1 = episode.tables.XML1[0]!;
  const first3 = episode.tables.XML3?.[0];
  const first2 = episode.tables.XML2?.[0];
  const useService = first3 !== undefined && (first2 === undefined || (first3.NGAY_YL ?? '') <= (first2.NGAY_YL ?? ''));
  return {
    MA_LK: episode.maLk, STT: '1', MA_BN: x1.MA_BN!, HO_TEN: x1.HO_TEN!, SO_CCCD: x1.SO_CCCD!, NGAY_SINH: x1.NGAY_SINH!, GIOI_TINH: x1.GIOI_TINH!,
    MA_THE_BHYT: x1.MA_THE_BHYT!, MA_DKBD: x1.MA_DKBD!, GT_THE_TU: x1.GT_THE_TU!, GT_THE_DEN: x1.GT_THE_DEN!, MA_DOITUONG_KCB: x1.MA_DOITUONG_KCB!,
    NGAY_VAO: x1.NGAY_VAO!, NGAY_VAO_NOI_TRU: x1.NGAY_VAO_NOI_TRU!, LY_DO_VNT: x1.LY_DO_VNT!, MA_LY_DO_VNT: '', MA_LOAI_KCB: x1.MA_LOAI_KCB!, MA_CSKCB: x1.MA_CSKCB!,
    MA_DICH_VU: useService ? (first3.MA_DICH_VU ?? '') : '', TEN_DICH_VU: useService ? (first3.TEN_DICH_VU ?? '') : '',
    MA_THUOC: !useService && first2 ? (first2.MA_THUOC ?? '') : '', TEN_THUOC: !useService && first2 ? (first2.TEN_THUOC ?? '') : '',
    MA_VAT_TU: '', TEN_VAT_TU: '',
    NGAY_YL: (useService ? first3.NGAY_YL : first2?.NGAY_YL) ?? x1.NGAY_VAO!, DU_PHONG: '',
  };
}

