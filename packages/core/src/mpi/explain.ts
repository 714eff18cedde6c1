import { socialInsuranceNumber } from '../identifiers/index.ts';
import { cleanText, hasDiacritics, normalizePersonName, searchKey, splitName } from '../text/vietnamese.ts';
import { addressKey, normalizeAddress } from './address.ts';
import { compareBirthDates, DateLevel, type PartialDate, parseBirthDate } from './dates.ts';
import { normalizePhone } from './phone.ts';
import { phoneticKey } from './similarity.ts';

/** The source-record columns a reviewer compares, in the order they are shown. */
export const PAIR_FIELDS = ['ho_ten', 'ngay_sinh', 'gioi_tinh', 'so_cccd', 'so_bhyt', 'so_dien_thoai', 'dia_chi', 'ma_xa', 'ma_ho_gia_dinh'] as const;
export type PairField = (typeof PAIR_FIELDS)[number];

/** One raw source row as stored (values exactly as the source wrote them). */
export type PairRecord = { readonly [K in PairField]?: string | null | undefined };

/**
 * same: equal once normalized; similar: the same value written differently or a near miss that
 * usually means one person (no diacritics, swapped day/month, one day apart, missing middle name);
 * typo: an identifier one digit apart; differs: a real disagreement; missing: not on both sides.
 */
export type FieldStatus = 'same' | 'similar' | 'typo' | 'differs' | 'missing';

export interface FieldExplanation {
  field: PairField;
  label_vi: string;
  label_en: string;
  a: string | null;
  b: string | null;
  status: FieldStatus;
  /** Why the status is not plain same/differs ("một bên viết không dấu", "lệch 1 ngày"). */
  note_vi: string | null;
  note_en: string | null;
}

export interface PairExplanation {
  fields: FieldExplanation[];
  /** One plain line for the reviewer, e.g. "Trùng CCCD, khác 1 chữ số thẻ BHYT". */
  summary_vi: string;
  summary_en: string;
}

const LABELS: Record<PairField, [vi: string, en: string]> = {
  ho_ten: ['Họ và tên', 'Full name'],
  ngay_sinh: ['Ngày sinh', 'Birth date'],
  gioi_tinh: ['Giới tính', 'Sex'],
  so_cccd: ['Số CCCD', 'Personal ID (CCCD)'],
  so_bhyt: ['Mã thẻ BHYT', 'Health-insurance card'],
  so_dien_thoai: ['Số điện thoại', 'Phone'],
  dia_chi: ['Địa chỉ', 'Address'],
  ma_xa: ['Mã xã', 'Commune code'],
  ma_ho_gia_dinh: ['Mã hộ gia đình', 'Household code'],
};

interface Verdict {
  status: FieldStatus;
  note?: [vi: string, en: string];
}

const verdict = (status: FieldStatus, note?: [string, string]): Verdict => (note ? { status, note } : { status });

const ONE_DIGIT: [string, string] = ['khác 1 chữ số', 'one digit apart'];
const SWAPPED_DIGITS: [string, string] = ['đảo 2 chữ số liền nhau', 'two adjacent digits swapped'];

/** Same-length strings one substitution or one adjacent swap apart: the usual keying slips. */
function keyingSlip(a: string, b: string): [string, string] | undefined {
  if (a.length !== b.length || a === b) return undefined;
  const diff: number[] = [];
  for (let i = 0; i < a.length && diff.length <= 2; i++) if (a[i] !== b[i]) diff.push(i);
  if (diff.length === 1) return ONE_DIGIT;
  const [i, j] = diff;
  if (diff.length === 2 && i !== undefined && j === i + 1 && a[i] === b[j] && a[j] === b[i]) return SWAPPED_DIGITS;
  return undefined;
}

const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;

/** "Hoà" and "Hòa" are one spelling under the old and new tone placement: compare letters and tones apart. */
function toneSpelling(name: string): string {
  return normalizePersonName(name)
    .split(' ')
    .map((w) => {
      const nfd = w.normalize('NFD');
      return `${nfd.replace(TONE_MARKS, '')}:${(nfd.match(TONE_MARKS) ?? []).join('')}`;
    })
    .join(' ');
}

function compareName(a: string, b: string): Verdict {
  if (toneSpelling(a) === toneSpelling(b)) return verdict('same');
  const ka = searchKey(a);
  const kb = searchKey(b);
  if (ka === kb) {
    return hasDiacritics(a) !== hasDiacritics(b)
      ? verdict('similar', ['một bên viết không dấu', 'one side written without diacritics'])
      : verdict('similar', ['khác dấu', 'diacritics differ']);
  }
  const pa = splitName(ka);
  const pb = splitName(kb);
  if (pa.family === pb.family && pa.given === pb.given) {
    return pa.middle === '' || pb.middle === ''
      ? verdict('similar', ['một bên thiếu tên đệm', 'middle name missing on one side'])
      : verdict('similar', ['khác tên đệm', 'middle names differ']);
  }
  if (phoneticKey(ka) === phoneticKey(kb)) return verdict('similar', ['cách viết gần giống', 'spelt almost the same']);
  return verdict('differs');
}

const YEAR_ONLY: [string, string] = ['cùng năm sinh, một bên ghi thiếu ngày/tháng', 'same year, one side gives less of the date'];

const dayNumber = (d: PartialDate) => Date.UTC(d.year, (d.month ?? 1) - 1, d.day ?? 1) / 86_400_000;

function compareBirth(a: string, b: string): Verdict {
  const pa = parseBirthDate(a);
  const pb = parseBirthDate(b);
  if (!pa.ok || !pb.ok || !pa.value || !pb.value) {
    // An unreadable date can still be compared as written.
    return cleanText(a) === cleanText(b) ? verdict('same') : verdict('differs', ['ngày sinh không đọc được', 'a birth date could not be read']);
  }
  const x = pa.value;
  const y = pb.value;
  const level = compareBirthDates(x.year, x.month ?? 0, x.day ?? 0, y.year, y.month ?? 0, y.day ?? 0);
  if (x.year === y.year && x.month === y.month && x.day === y.day) return verdict('same');
  if (level === DateLevel.swapped) return verdict('similar', ['đảo ngày và tháng', 'day and month swapped']);
  if (x.day !== undefined && y.day !== undefined && Math.abs(dayNumber(x) - dayNumber(y)) === 1) return verdict('similar', ['lệch 1 ngày', 'one day apart']);
  if (level === DateLevel.yearOnly) return verdict('similar', YEAR_ONLY);
  if (x.year !== y.year && level === DateLevel.near) return verdict('similar', ['lệch 1 năm', 'one year apart']);
  return verdict('differs');
}

function sexOf(raw: string): 'male' | 'female' | undefined {
  const k = searchKey(raw);
  if (['NAM', '1', 'M', 'MALE'].includes(k)) return 'male';
  if (['NU', '2', 'F', 'FEMALE'].includes(k)) return 'female';
  return undefined;
}

function compareSex(a: string, b: string): Verdict {
  const sa = sexOf(a);
  const sb = sexOf(b);
  if (sa && sb) return verdict(sa === sb ? 'same' : 'differs');
  return verdict(searchKey(a) === searchKey(b) ? 'same' : 'differs');
}

const digits = (raw: string) => raw.replace(/[\s.-]/g, '');

function compareId(a: string, b: string): Verdict {
  const da = digits(a);
  const db = digits(b);
  if (da === db) return verdict('same');
  // The 9-digit CMND and the 12-digit CCCD that replaced it are different numbers of one person.
  if ((da.length === 9) !== (db.length === 9)) return verdict('missing', ['một bên chỉ có CMND 9 số', 'one side has only the old 9-digit CMND']);
  const slip = keyingSlip(da, db);
  return slip ? verdict('typo', slip) : verdict('differs');
}

function compareCard(a: string, b: string): Verdict {
  const ca = a.replace(/\s/g, '').toUpperCase();
  const cb = b.replace(/\s/g, '').toUpperCase();
  if (ca === cb) return verdict('same');
  const na = socialInsuranceNumber(ca);
  const nb = socialInsuranceNumber(cb);
  if (na && nb && na === nb) return verdict('similar', ['cùng mã số BHXH, khác mã đối tượng', 'same social-insurance number, other card group']);
  const slip = keyingSlip(na ?? ca, nb ?? cb);
  return slip ? verdict('typo', slip) : verdict('differs');
}

function comparePhone(a: string, b: string): Verdict {
  const pa = normalizePhone(a) ?? digits(a);
  const pb = normalizePhone(b) ?? digits(b);
  if (pa === pb) return verdict('same');
  const slip = keyingSlip(pa, pb);
  return slip ? verdict('typo', slip) : verdict('differs');
}

function compareAddress(a: string, b: string): Verdict {
  if (normalizeAddress(a).toLocaleLowerCase('vi') === normalizeAddress(b).toLocaleLowerCase('vi')) return verdict('same');
  const ka = addressKey(a);
  const kb = addressKey(b);
  if (ka === kb) return verdict('similar', ['cùng địa chỉ, cách viết khác', 'same address written differently']);
  const wa = new Set(ka.split(' '));
  const wb = new Set(kb.split(' '));
  const [short, long] = wa.size <= wb.size ? [wa, wb] : [wb, wa];
  if (short.size > 0 && [...short].every((w) => long.has(w))) return verdict('similar', ['một bên ghi đầy đủ hơn', 'one side is more complete']);
  return verdict('differs');
}

const exact = (a: string, b: string): Verdict => verdict(cleanText(a).toUpperCase() === cleanText(b).toUpperCase() ? 'same' : 'differs');

const COMPARE: Record<PairField, (a: string, b: string) => Verdict> = {
  ho_ten: compareName,
  ngay_sinh: compareBirth,
  gioi_tinh: compareSex,
  so_cccd: compareId,
  so_bhyt: compareCard,
  so_dien_thoai: comparePhone,
  dia_chi: compareAddress,
  ma_xa: exact,
  ma_ho_gia_dinh: exact,
};

function explainField(field: PairField, rawA: string | null | undefined, rawB: string | null | undefined): FieldExplanation {
  const a = cleanText(rawA ?? '') || null;
  const b = cleanText(rawB ?? '') || null;
  const [label_vi, label_en] = LABELS[field];
  const v = a === null || b === null ? verdict('missing') : COMPARE[field](a, b);
  return { field, label_vi, label_en, a, b, status: v.status, note_vi: v.note?.[0] ?? null, note_en: v.note?.[1] ?? null };
}

type Phrase = [vi: string, en: string];

/** Identifier phrases: agreement, a keying slip ("khác 1 chữ số thẻ BHYT"), or a conflict. */
function idPhrase(f: FieldExplanation, [vi, en]: Phrase): Phrase | undefined {
  if (f.status === 'same') return [`trùng ${vi}`, `same ${en}`];
  if (f.status === 'typo' && f.note_vi === ONE_DIGIT[0]) return [`khác 1 chữ số ${vi}`, `${en} one digit apart`];
  if (f.status === 'typo') return [`${vi} ${f.note_vi}`, `${en} ${f.note_en}`];
  if (f.status === 'differs') return [`khác ${vi}`, `different ${en}`];
  return undefined;
}

/** "Same birth date" overstates two rows that both give only a year (or a month and year). */
function birthWords(f: FieldExplanation): Phrase {
  const d = parseBirthDate(f.a ?? '');
  if (!d.ok || !d.value || d.value.day !== undefined) return ['ngày sinh', 'birth date'];
  return d.value.month === undefined ? ['năm sinh', 'birth year'] : ['tháng năm sinh', 'birth month'];
}

function nameAndBirthPhrases(name: FieldExplanation, birth: FieldExplanation): Phrase[] {
  const [bvi, ben] = birthWords(birth);
  if (name.status === 'same' && birth.status === 'same') return [[`cùng họ tên và ${bvi}`, `same name and ${ben}`]];
  const out: Phrase[] = [];
  if (name.status === 'same') out.push(['trùng họ tên', 'same name']);
  else if (name.status === 'similar') out.push([`họ tên gần giống (${name.note_vi})`, `similar name (${name.note_en})`]);
  else if (name.status === 'differs') out.push(['khác họ tên', 'different name']);
  if (birth.status === 'same') out.push([`cùng ${bvi}`, `same ${ben}`]);
  else if (birth.status === 'similar') out.push(birth.note_vi === YEAR_ONLY[0] ? ['cùng năm sinh', 'same birth year'] : [`ngày sinh ${birth.note_vi}`, `birth dates ${birth.note_en}`]);
  else if (birth.status === 'differs') out.push(['khác ngày sinh', 'different birth date']);
  return out;
}

const capitalize = (s: string) => s.charAt(0).toLocaleUpperCase('vi') + s.slice(1);

// More than this many facts stops being a one-line reason; the table below it has the rest.
const MAX_PHRASES = 4;

/**
 * Field-by-field comparison of two source rows, with the reviewer's one-line reason. Values are
 * compared the way the matcher sees them (no diacritics, any date format, BHXH number inside the
 * card, domestic phone form), so a difference shown is one that remains after normalization.
 */
export function explainPair(a: PairRecord, b: PairRecord): PairExplanation {
  const fields = PAIR_FIELDS.map((f) => explainField(f, a[f], b[f]));
  const by = Object.fromEntries(fields.map((f) => [f.field, f])) as Record<PairField, FieldExplanation>;
  const strong: Phrase[] = [];
  const weak: Phrase[] = [];
  const push = (list: Phrase[], p: Phrase | undefined) => p && list.push(p);
  push(strong, idPhrase(by.so_cccd, ['CCCD', 'CCCD']));
  push(strong, by.so_bhyt.status === 'similar' ? ['cùng mã số BHXH', 'same social-insurance number'] : idPhrase(by.so_bhyt, ['thẻ BHYT', 'BHYT card']));
  strong.push(...nameAndBirthPhrases(by.ho_ten, by.ngay_sinh));
  if (by.gioi_tinh.status === 'differs') strong.push(['khác giới tính', 'different sex']);
  if (by.so_dien_thoai.status === 'same') weak.push(['cùng số điện thoại', 'same phone']);
  if (by.ma_ho_gia_dinh.status === 'same') weak.push(['cùng hộ gia đình', 'same household']);
  if (by.ma_xa.status === 'same') weak.push(['cùng xã', 'same commune']);
  else if (by.ma_xa.status === 'differs') weak.push(['khác xã', 'different commune']);
  const phrases = [...strong, ...weak].slice(0, Math.max(MAX_PHRASES, strong.length));
  if (phrases.length === 0) phrases.push(['không đủ thông tin chung để so sánh', 'too little in common to compare']);
  return {
    fields,
    summary_vi: capitalize(phrases.map((p) => p[0]).join(', ')),
    summary_en: capitalize(phrases.map((p) => p[1]).join(', ')),
  };
}
