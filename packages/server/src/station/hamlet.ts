import { cleanText, searchKey } from '@openhssk/core';

/**
 * The hamlet (thôn, xóm, ấp, bản, buôn, làng, sóc, plei) or residential group (tổ dân phố, khu phố,
 * khóm, khối, tổ) of an address: the level below the commune that a station organises its
 * households by. Read from the address text only; the national lists carry no hamlet code.
 *
 * Units as data: `keys` are the diacritic-free spellings (abbreviations included) that start the
 * hamlet part of an address, `label` is how the register displays the unit. Longer keys first, so
 * "TO DAN PHO 3" is not read as "TO" + "DAN PHO 3".
 */
const HAMLET_UNITS: ReadonlyArray<{ label: string; keys: readonly string[] }> = [
  { label: 'Tổ dân phố', keys: ['TO DAN PHO', 'TDP'] },
  { label: 'Khu dân cư', keys: ['KHU DAN CU', 'KDC'] },
  { label: 'Tổ dân cư', keys: ['TO DAN CU'] },
  { label: 'Khu phố', keys: ['KHU PHO', 'KP'] },
  { label: 'Tiểu khu', keys: ['TIEU KHU'] },
  { label: 'Thôn', keys: ['THON', 'TH'] },
  { label: 'Xóm', keys: ['XOM'] },
  { label: 'Ấp', keys: ['AP'] },
  { label: 'Bản', keys: ['BAN'] },
  { label: 'Buôn', keys: ['BUON'] },
  { label: 'Làng', keys: ['LANG'] },
  { label: 'Sóc', keys: ['SOC'] },
  { label: 'Plei', keys: ['PLEI', 'PLOI'] },
  { label: 'Khóm', keys: ['KHOM'] },
  { label: 'Khối', keys: ['KHOI'] },
  { label: 'Tổ', keys: ['TO'] },
  { label: 'Khu', keys: ['KHU'] },
];

/** Units at or above the commune: where a hamlet name ends when an address has no commas. */
const ABOVE_HAMLET = ['XA', 'PHUONG', 'THI TRAN', 'THI XA', 'HUYEN', 'QUAN', 'THANH PHO', 'TINH', 'TP', 'TT', 'TX'];

const UNIT_BY_KEY = (() => {
  const all: Array<{ key: string; label: string }> = [];
  for (const u of HAMLET_UNITS) for (const key of u.keys) all.push({ key, label: u.label });
  return all.sort((a, b) => b.key.length - a.key.length);
})();

export interface Hamlet {
  /** As the register shows it: "Thôn An Hội Bắc", "Tổ dân phố 3". */
  name: string;
  /** Diacritic-free, numbers without leading zeros: "THON AN HOI BAC", "TO DAN PHO 3". */
  key: string;
}

/** The key of a hamlet name as typed in a search box ("thon an hoi bac", "Tổ dân phố 03"). */
export function hamletKey(name: string): string {
  const h = parseHamlet(name);
  return h ? h.key : searchKey(name).replace(/\b0+(\d)/g, '$1');
}

/**
 * Reads one word-for-word copy of the original text for each key word: searchKey keeps one word per
 * word of the input (letters and digits only), so the n-th key word is the n-th original word.
 */
function originalWords(text: string): string[] {
  return cleanText(text.replace(/[^\p{L}\p{N}]+/gu, ' ')).split(' ').filter((w) => w !== '');
}

/**
 * Keys that are also ordinary words once diacritics are gone ("Tô Hiến Thành" is a street, "Bàn Cờ"
 * a place): they start a hamlet only when typed with the unit's own spelling ("Tổ", "Bản") or
 * followed by a number ("to 5", "th 7").
 */
const AMBIGUOUS = new Set(['TO', 'TH', 'BAN', 'LANG', 'SOC', 'AP', 'KHOI']);
/** What may stand before the hamlet in the same part: a house number ("Số 12 Thôn 3", "12 Tổ 5"). */
const HOUSE_WORDS = new Set(['SO', 'SN', 'NHA']);

const isNumber = (w: string | undefined) => w !== undefined && /^\d+[A-Z]?$/i.test(w);

/** The hamlet of an address, or undefined when no part of it names one. */
export function parseHamlet(address: string | null | undefined): Hamlet | undefined {
  if (!address) return undefined;
  for (const part of cleanText(address).split(/,|;| - /)) {
    const words = originalWords(part);
    const keys = words.map((w) => searchKey(w));
    // A word searchKey splits or drops would shift the alignment of keys and words: no guess.
    if (keys.some((k) => k.includes(' ') || k === '')) continue;
    let start = 0;
    while (start < keys.length && (HOUSE_WORDS.has(keys[start]!) || isNumber(words[start]))) start++;
    const unit = UNIT_BY_KEY.find((u) => u.key.split(' ').every((p, i) => keys[start + i] === p));
    if (!unit) continue;
    const unitWords = unit.key.split(' ').length;
    const first = start + unitWords;
    if (AMBIGUOUS.has(unit.key)) {
      const typed = words[start]!.toLowerCase();
      const own = unit.label.split(' ')[0]!.toLowerCase();
      if (typed !== own && !isNumber(words[first])) continue;
    }
    let end = first;
    while (end < keys.length && !ABOVE_HAMLET.some((a) => a.split(' ').every((p, i) => keys[end + i] === p))) end++;
    const nameWords = words.slice(first, end);
    if (nameWords.length === 0) continue;
    const rest = nameWords.map((w) => (/^\d+$/.test(w) ? String(Number(w)) : w.charAt(0).toUpperCase() + w.slice(1))).join(' ');
    const name = `${unit.label} ${rest}`;
    return { name, key: searchKey(name) };
  }
  return undefined;
}
