import type { Sex } from '../identifiers/index.ts';
import { parseBhyt, parseCccd, parseCmnd, socialInsuranceNumber } from '../identifiers/index.ts';
import { repairLegacyVietnamese } from '../text/legacy-encoding.ts';
import { cleanText, hasDiacritics, normalizePersonName, searchKey, splitName } from '../text/vietnamese.ts';
import { addressKey, normalizeAddress } from './address.ts';
import { parseBirthDate } from './dates.ts';
import { normalizePhone } from './phone.ts';

/** Canonical import columns shared by all sources. */
export const SOURCE_COLUMNS = [
  'source_system', 'source_id', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'so_bhyt',
  'so_dien_thoai', 'dia_chi', 'ma_xa', 'ma_ho_gia_dinh', 'quan_he_chu_ho',
] as const;

/**
 * One normalized source row. Kept flat and small (about 20 short strings/numbers) because
 * a million of them live in memory during linking; repeated name parts are interned.
 */
export interface MpiRecord {
  sourceSystem: string;
  sourceId: string;
  /** Display name, NFC, title case, exactly as the source spelled it otherwise. */
  name: string;
  /** Upper case, no diacritics, single spaces: tone placement and accent-less typing vanish. */
  nameKey: string;
  familyKey: string;
  middleKey: string;
  givenKey: string;
  birthYear: number;
  birthMonth?: number | undefined;
  birthDay?: number | undefined;
  sex?: Sex | undefined;
  /** Structurally valid 12-digit personal ID. */
  cccd?: string | undefined;
  /** Legacy 9-digit identity card: weaker, reissued numbers exist. */
  cmnd?: string | undefined;
  /** Full 15-character card as given. */
  bhyt?: string | undefined;
  /** 10-digit social-insurance number: survives group-code changes of the card. */
  bhxh?: string | undefined;
  phone?: string | undefined;
  /** Expanded display address (NFC). */
  address?: string | undefined;
  addressKey?: string | undefined;
  communeCode?: string | undefined;
  householdId?: string | undefined;
  /** The CCCD's encoded birth year/sex disagrees with the row: one of them is wrong. */
  cccdMismatch?: boolean | undefined;
  /**
   * The CCCD's encoded birth year agrees and only its sex digit contradicts the row's sex: the
   * typed sex is then the likelier error, so the CCCD stays usable for linking.
   */
  cccdSexOnlyMismatch?: boolean | undefined;
  /** Name typed without any diacritics (less trustworthy for display). */
  nameUnaccented?: boolean | undefined;
}

export interface RecordIssue {
  field: string;
  code: string;
  severity: 'error' | 'warning';
  message_vi: string;
  message_en: string;
}

const interned = new Map<string, string>();
// Name parts and source/commune codes repeat millions of times; sharing one string saves memory.
function intern(s: string): string {
  const hit = interned.get(s);
  if (hit !== undefined) return hit;
  if (interned.size < 200_000) interned.set(s, s);
  return s;
}

const parseSex = memo(parseSexText, 1000);
// A handful of spellings ("Nam", "Nữ", "1", "2") in a whole population.
function parseSexText(raw: string): Sex | undefined | null {
  const k = searchKey(raw);
  if (k === '') return undefined;
  if (k === 'NAM' || k === '1' || k === 'M' || k === 'MALE') return 'male';
  if (k === 'NU' || k === '2' || k === 'F' || k === 'FEMALE') return 'female';
  return null;
}

type LegacyName = 'TCVN3' | 'VNI';

/**
 * Free text typed in TCVN3/VNI fonts is repaired on the raw value: cleanText's look-alike fix would
 * otherwise turn TCVN3 "Ð" (é) into "Đ" before detection sees it.
 */
function repaired(raw: string): { text: string; legacy?: LegacyName | undefined } {
  const r = repairLegacyVietnamese(raw);
  if (r.encoding === undefined) return { text: cleanText(raw) };
  return { text: cleanText(r.text), legacy: r.encoding === 'tcvn3' ? 'TCVN3' : 'VNI' };
}

/**
 * A bounded memo of a pure function of one string. A population repeats its names and village
 * addresses thousands of times, and normalizing them (NFC/NFD passes, legacy-encoding detection,
 * abbreviations, keys) was most of the cost of normalizing a row; the result is the same object
 * for the same text, so callers must not change it. Emptied when full.
 */
function memo<T>(fn: (s: string) => T, limit = 100_000): (s: string) => T {
  let cache = new Map<string, T>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = fn(s);
      if (cache.size >= limit) cache = new Map();
      cache.set(s, v);
    }
    return v;
  };
}

/** Birth dates repeat too (a few tens of thousands of days); the parse result is only read. */
const birthDateOf = memo(parseBirthDate);

interface NormalizedName {
  name: string;
  nameKey: string;
  hasLetter: boolean;
  family: string;
  middle: string;
  given: string;
  unaccented: boolean;
  legacy?: LegacyName | undefined;
}

const nameOf = memo((raw: string): NormalizedName => {
  const { text, legacy } = repaired(raw);
  const name = normalizePersonName(text);
  const nameKey = searchKey(name);
  const parts = splitName(nameKey);
  return {
    name, nameKey, hasLetter: /[A-Z]/.test(nameKey), family: intern(parts.family), middle: intern(parts.middle), given: intern(parts.given),
    unaccented: !hasDiacritics(name), legacy,
  };
});

const addressOf = memo((raw: string): { address?: string | undefined; key?: string | undefined; legacy?: LegacyName | undefined } => {
  const { text, legacy } = repaired(raw);
  if (text === '') return { legacy };
  const address = normalizeAddress(text);
  // An empty key is no key.
  return { address, key: addressKey(address) || undefined, legacy };
});

/**
 * Normalizes one canonical row. Policy: a row is rejected (error) only when it cannot be
 * matched or traced back: no source_system/source_id, no name, or a birth date that is blank
 * or unreadable (without at least a birth year, a name cannot tell a father from his
 * namesake son). Every other defect drops just that value with a warning, so a wrong phone
 * never costs us the person.
 */
export function normalizeSourceRecord(raw: Record<string, string>): { record?: MpiRecord; issues: RecordIssue[] } {
  const issues: RecordIssue[] = [];
  const get = (k: string) => cleanText(raw[k] ?? '');
  const err = (field: string, code: string, vi: string, en: string) =>
    issues.push({ field, code, severity: 'error', message_vi: vi, message_en: en });
  const warn = (field: string, code: string, vi: string, en: string) =>
    issues.push({ field, code, severity: 'warning', message_vi: vi, message_en: en });
  // Names and addresses stay out of the message: import issues are read by reviewers of any area.
  const legacyWarning = (k: string, from: LegacyName | undefined) => {
    if (from) warn(k, 'LEGACY_ENCODING_CONVERTED', `Đã chuyển từ mã ${from} sang Unicode.`, `Converted from ${from} to Unicode.`);
  };

  const sourceSystem = get('source_system').toUpperCase();
  const sourceId = get('source_id');
  if (sourceSystem === '') err('source_system', 'SOURCE_MISSING', 'Thiếu mã hệ thống nguồn.', 'Source system is missing.');
  if (sourceId === '') err('source_id', 'SOURCE_ID_MISSING', 'Thiếu mã bản ghi nguồn.', 'Source record id is missing.');

  const n = nameOf(raw.ho_ten ?? '');
  legacyWarning('ho_ten', n.legacy);
  const { name, nameKey } = n;
  if (!n.hasLetter) err('ho_ten', 'NAME_MISSING', 'Thiếu họ tên.', 'Full name is missing.');

  const date = birthDateOf(get('ngay_sinh'));
  let year = 0;
  let month: number | undefined;
  let day: number | undefined;
  if (!date.ok) {
    err('ngay_sinh', date.error.code, date.error.message_vi, date.error.message_en);
  } else if (date.value === undefined) {
    err('ngay_sinh', 'DATE_MISSING', 'Thiếu ngày sinh (cần ít nhất năm sinh).', 'Birth date is missing (at least the year is required).');
  } else {
    year = date.value.year;
    month = date.value.month;
    day = date.value.day;
    for (const w of date.warnings) warn('ngay_sinh', w.code, w.message_vi, w.message_en);
  }
  if (issues.some((i) => i.severity === 'error')) return { issues };

  const sexRaw = get('gioi_tinh');
  const sexParsed = parseSex(sexRaw);
  let sex: Sex | undefined;
  if (sexParsed === null) {
    warn('gioi_tinh', 'SEX_UNKNOWN', `Giới tính "${sexRaw}" không rõ; bỏ qua.`, `Sex "${sexRaw}" not recognised; ignored.`);
  } else sex = sexParsed;

  let cccd: string | undefined;
  let cmnd: string | undefined;
  let cccdMismatch: boolean | undefined;
  let cccdSexOnlyMismatch: boolean | undefined;
  const idRaw = get('so_cccd').replace(/[\s.-]/g, '');
  if (idRaw !== '') {
    if (idRaw.length === 9) {
      const c = parseCmnd(idRaw);
      if (c.ok) cmnd = c.value;
      else warn('so_cccd', c.error.code, c.error.message_vi, c.error.message_en);
    } else {
      const c = parseCccd(idRaw, { birthYear: year, sex });
      if (c.ok) {
        cccd = c.value.number;
        for (const w of c.warnings) warn('so_cccd', w.code, w.message_vi, w.message_en);
        if (c.warnings.length > 0) cccdMismatch = true;
        if (c.warnings.length > 0 && c.warnings.every((w) => w.code === 'CCCD_SEX_MISMATCH')) cccdSexOnlyMismatch = true;
      } else warn('so_cccd', c.error.code, c.error.message_vi, c.error.message_en);
    }
  }

  let bhyt: string | undefined;
  let bhxh: string | undefined;
  const bhytRaw = get('so_bhyt');
  if (bhytRaw !== '') {
    const card = parseBhyt(bhytRaw);
    if (card.ok) {
      bhyt = card.value.number;
      bhxh = card.value.socialInsuranceNumber;
    } else {
      bhxh = socialInsuranceNumber(bhytRaw);
      if (bhxh === undefined) warn('so_bhyt', card.error.code, card.error.message_vi, card.error.message_en);
    }
  }

  const phoneRaw = get('so_dien_thoai');
  const phone = normalizePhone(phoneRaw);
  if (phoneRaw !== '' && phone === undefined) {
    warn('so_dien_thoai', 'PHONE_INVALID', `Số điện thoại "${phoneRaw}" không hợp lệ; bỏ qua.`, `Phone number "${phoneRaw}" is invalid; ignored.`);
  }

  const a = addressOf(raw.dia_chi ?? '');
  legacyWarning('dia_chi', a.legacy);
  const { address, key: aKey } = a;
  const communeRaw = get('ma_xa').replace(/\s/g, '');
  let communeCode: string | undefined;
  if (communeRaw !== '') {
    if (/^\d{5}$/.test(communeRaw)) communeCode = intern(communeRaw);
    else warn('ma_xa', 'COMMUNE_CODE_INVALID', `Mã xã "${communeRaw}" phải gồm 5 chữ số; bỏ qua.`, `Commune code "${communeRaw}" must be 5 digits; ignored.`);
  }
  const household = get('ma_ho_gia_dinh');

  const record: MpiRecord = {
    sourceSystem: intern(sourceSystem),
    sourceId,
    name,
    nameKey,
    familyKey: n.family,
    middleKey: n.middle,
    givenKey: n.given,
    birthYear: year,
  };
  if (month !== undefined) record.birthMonth = month;
  if (day !== undefined) record.birthDay = day;
  if (sex !== undefined) record.sex = sex;
  if (cccd !== undefined) record.cccd = cccd;
  if (cmnd !== undefined) record.cmnd = cmnd;
  if (bhyt !== undefined) record.bhyt = bhyt;
  if (bhxh !== undefined) record.bhxh = bhxh;
  if (phone !== undefined) record.phone = phone;
  if (address !== undefined) record.address = address;
  if (aKey) record.addressKey = aKey;
  if (communeCode !== undefined) record.communeCode = communeCode;
  if (household !== '') record.householdId = household;
  if (cccdMismatch) record.cccdMismatch = true;
  if (cccdSexOnlyMismatch) record.cccdSexOnlyMismatch = true;
  if (n.unaccented) record.nameUnaccented = true;
  return { record, issues };
}
