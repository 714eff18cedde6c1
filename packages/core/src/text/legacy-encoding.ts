/**
 * Legacy Vietnamese 8-bit encodings in imported text. Old population lists were typed in TCVN3
 * (ABC, fonts ".VnTime") or VNI-Windows (fonts "VNI-Times"); once such bytes are read as
 * Windows-1252/Latin-1, "Nguyễn Thị Hương" arrives as "NguyÔn ThÞ H\u00ad¬ng" (TCVN3, whose ư is
 * the soft hyphen) or "Nguyeãn Thò Höông" (VNI). Both encodings use only bytes 0xA1–0xFF, where
 * Windows-1252 and Latin-1 agree, so one table per encoding covers either reading.
 *
 * Detection must never touch genuine Unicode: TCVN3/VNI mojibake reuses Latin-1 letters that are
 * also real Vietnamese letters ("Thôn" is a Unicode word, but "ô" is "ụ" in TCVN3 and "ơ" in VNI),
 * so text is only converted when it does NOT read as Vietnamese syllables while its conversion does.
 */

export type LegacyEncoding = 'tcvn3' | 'vni';

/**
 * TCVN3 (TCVN 5712:1993, the "VN3" single-font set used with ABC and .VnTime fonts): byte → letter.
 * Choice: this single-font set has codes for the uppercase base letters Ă Â Ê Ô Ơ Ư Đ only; an
 * uppercase toned letter was typed with the lowercase code (and shown in capitals by the ".VnTimeH"
 * font), so e.g. 0xD4 is both "ễ" and "Ễ". We decode such codes to lowercase and restore capitals
 * from the surrounding word (see convertTcvn3). The VN1 variant, which puts uppercase toned letters
 * in 0x01–0x17 and 0x80–0x9F, is not supported: those bytes collide with control characters and
 * Windows-1252 punctuation and were rarely used for data entry.
 * Values as in public converters (e.g. UniKey's vnconv tables), ordered by tone: grave, hook,
 * tilde, acute, dot below.
 */
export const TCVN3_TABLE: ReadonlyArray<readonly [byte: number, letter: string]> = [
  [0xa1, 'Ă'], [0xa2, 'Â'], [0xa3, 'Ê'], [0xa4, 'Ô'], [0xa5, 'Ơ'], [0xa6, 'Ư'], [0xa7, 'Đ'],
  [0xa8, 'ă'], [0xa9, 'â'], [0xaa, 'ê'], [0xab, 'ô'], [0xac, 'ơ'], [0xad, 'ư'], [0xae, 'đ'],
  [0xb5, 'à'], [0xb6, 'ả'], [0xb7, 'ã'], [0xb8, 'á'], [0xb9, 'ạ'],
  [0xbb, 'ằ'], [0xbc, 'ẳ'], [0xbd, 'ẵ'], [0xbe, 'ắ'], [0xc6, 'ặ'],
  [0xc7, 'ầ'], [0xc8, 'ẩ'], [0xc9, 'ẫ'], [0xca, 'ấ'], [0xcb, 'ậ'],
  [0xcc, 'è'], [0xce, 'ẻ'], [0xcf, 'ẽ'], [0xd0, 'é'], [0xd1, 'ẹ'],
  [0xd2, 'ề'], [0xd3, 'ể'], [0xd4, 'ễ'], [0xd5, 'ế'], [0xd6, 'ệ'],
  [0xd7, 'ì'], [0xd8, 'ỉ'], [0xdc, 'ĩ'], [0xdd, 'í'], [0xde, 'ị'],
  [0xdf, 'ò'], [0xe1, 'ỏ'], [0xe2, 'õ'], [0xe3, 'ó'], [0xe4, 'ọ'],
  [0xe5, 'ồ'], [0xe6, 'ổ'], [0xe7, 'ỗ'], [0xe8, 'ố'], [0xe9, 'ộ'],
  [0xea, 'ờ'], [0xeb, 'ở'], [0xec, 'ỡ'], [0xed, 'ớ'], [0xee, 'ợ'],
  [0xef, 'ù'], [0xf1, 'ủ'], [0xf2, 'ũ'], [0xf3, 'ú'], [0xf4, 'ụ'],
  [0xf5, 'ừ'], [0xf6, 'ử'], [0xf7, 'ữ'], [0xf8, 'ứ'], [0xf9, 'ự'],
  [0xfa, 'ỳ'], [0xfb, 'ỷ'], [0xfc, 'ỹ'], [0xfd, 'ý'], [0xfe, 'ỵ'],
];

/**
 * VNI-Windows: character sequence (as read through Windows-1252) → letter. A letter is a base
 * letter followed by at most one modifier byte; the circumflex/breve and the tone share one
 * modifier ("aá" = ấ). ơ, ư, đ, ỉ, ĩ, ị, ỵ (and ì, í, which equal Latin-1) are single bytes, and
 * ơ/ư take tone modifiers themselves ("ôù" = ớ). Uppercase letters use the uppercase modifiers.
 */
export const VNI_TABLE: ReadonlyArray<readonly [sequence: string, letter: string]> = [
  ['aø', 'à'], ['aû', 'ả'], ['aõ', 'ã'], ['aù', 'á'], ['aï', 'ạ'],
  ['AØ', 'À'], ['AÛ', 'Ả'], ['AÕ', 'Ã'], ['AÙ', 'Á'], ['AÏ', 'Ạ'],
  ['aê', 'ă'], ['aè', 'ằ'], ['aú', 'ẳ'], ['aü', 'ẵ'], ['aé', 'ắ'], ['aë', 'ặ'],
  ['AÊ', 'Ă'], ['AÈ', 'Ằ'], ['AÚ', 'Ẳ'], ['AÜ', 'Ẵ'], ['AÉ', 'Ắ'], ['AË', 'Ặ'],
  ['aâ', 'â'], ['aà', 'ầ'], ['aå', 'ẩ'], ['aã', 'ẫ'], ['aá', 'ấ'], ['aä', 'ậ'],
  ['AÂ', 'Â'], ['AÀ', 'Ầ'], ['AÅ', 'Ẩ'], ['AÃ', 'Ẫ'], ['AÁ', 'Ấ'], ['AÄ', 'Ậ'],
  ['ñ', 'đ'], ['Ñ', 'Đ'],
  ['eø', 'è'], ['eû', 'ẻ'], ['eõ', 'ẽ'], ['eù', 'é'], ['eï', 'ẹ'],
  ['EØ', 'È'], ['EÛ', 'Ẻ'], ['EÕ', 'Ẽ'], ['EÙ', 'É'], ['EÏ', 'Ẹ'],
  ['eâ', 'ê'], ['eà', 'ề'], ['eå', 'ể'], ['eã', 'ễ'], ['eá', 'ế'], ['eä', 'ệ'],
  ['EÂ', 'Ê'], ['EÀ', 'Ề'], ['EÅ', 'Ể'], ['EÃ', 'Ễ'], ['EÁ', 'Ế'], ['EÄ', 'Ệ'],
  ['ì', 'ì'], ['æ', 'ỉ'], ['ó', 'ĩ'], ['í', 'í'], ['ò', 'ị'],
  ['Ì', 'Ì'], ['Æ', 'Ỉ'], ['Ó', 'Ĩ'], ['Í', 'Í'], ['Ò', 'Ị'],
  ['oø', 'ò'], ['oû', 'ỏ'], ['oõ', 'õ'], ['où', 'ó'], ['oï', 'ọ'],
  ['OØ', 'Ò'], ['OÛ', 'Ỏ'], ['OÕ', 'Õ'], ['OÙ', 'Ó'], ['OÏ', 'Ọ'],
  ['oâ', 'ô'], ['oà', 'ồ'], ['oå', 'ổ'], ['oã', 'ỗ'], ['oá', 'ố'], ['oä', 'ộ'],
  ['OÂ', 'Ô'], ['OÀ', 'Ồ'], ['OÅ', 'Ổ'], ['OÃ', 'Ỗ'], ['OÁ', 'Ố'], ['OÄ', 'Ộ'],
  ['ô', 'ơ'], ['ôø', 'ờ'], ['ôû', 'ở'], ['ôõ', 'ỡ'], ['ôù', 'ớ'], ['ôï', 'ợ'],
  ['Ô', 'Ơ'], ['ÔØ', 'Ờ'], ['ÔÛ', 'Ở'], ['ÔÕ', 'Ỡ'], ['ÔÙ', 'Ớ'], ['ÔÏ', 'Ợ'],
  ['uø', 'ù'], ['uû', 'ủ'], ['uõ', 'ũ'], ['uù', 'ú'], ['uï', 'ụ'],
  ['UØ', 'Ù'], ['UÛ', 'Ủ'], ['UÕ', 'Ũ'], ['UÙ', 'Ú'], ['UÏ', 'Ụ'],
  ['ö', 'ư'], ['öø', 'ừ'], ['öû', 'ử'], ['öõ', 'ữ'], ['öù', 'ứ'], ['öï', 'ự'],
  ['Ö', 'Ư'], ['ÖØ', 'Ừ'], ['ÖÛ', 'Ử'], ['ÖÕ', 'Ữ'], ['ÖÙ', 'Ứ'], ['ÖÏ', 'Ự'],
  ['yø', 'ỳ'], ['yû', 'ỷ'], ['yõ', 'ỹ'], ['yù', 'ý'], ['î', 'ỵ'],
  ['YØ', 'Ỳ'], ['YÛ', 'Ỷ'], ['YÕ', 'Ỹ'], ['YÙ', 'Ý'], ['Î', 'Ỵ'],
];

const TCVN3_DECODE: ReadonlyMap<string, string> = new Map(TCVN3_TABLE.map(([b, l]) => [String.fromCharCode(b), l]));
// Letters whose TCVN3 code also stands for the capital: their case must come from the context.
const TCVN3_CASELESS: ReadonlySet<string> = new Set(
  TCVN3_TABLE.map(([, l]) => l).filter((l) => !'ĂÂÊÔƠƯĐăâêôơưđ'.includes(l)),
);

const VNI_DECODE: ReadonlyMap<string, string> = new Map(VNI_TABLE);
const VNI_MAX = Math.max(...VNI_TABLE.map(([seq]) => seq.length));

/** Every Vietnamese letter in lower case (ASCII ones included): anything else is not Vietnamese. */
const VIETNAMESE_LOWER: ReadonlySet<string> = new Set([
  ...'abcdeghiklmnopqrstuvxy',
  ...VNI_TABLE.map(([, l]) => l.toLowerCase()),
]);

const LEGACY_ALPHABET: Readonly<Record<LegacyEncoding, ReadonlySet<string>>> = {
  tcvn3: new Set(TCVN3_DECODE.keys()),
  vni: new Set(VNI_TABLE.flatMap(([seq]) => [...seq]).filter((c) => c > '\u007f')),
};

const TCVN3_ONLY: ReadonlySet<string> = new Set([...LEGACY_ALPHABET.tcvn3].filter((c) => !LEGACY_ALPHABET.vni.has(c)));
const VNI_PAIRS: ReadonlySet<string> = new Set(VNI_TABLE.map(([seq]) => seq).filter((seq) => seq.length === 2));

// Letters that a Windows-1252 reading of 8-bit text can never produce: their presence proves Unicode.
const UNICODE_ONLY = /[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]|[\u0300-\u036f]/;
const HIGH_LATIN1 = /[\u00a1-\u00ff]/;
// A "word" spans every legacy code (TCVN3 uses ¬, «, ×, the soft hyphen... as letters).
const WORD = /(?:[A-Za-z\u00a1-\u00ff\u0100-\u024f\u1ea0-\u1ef9]|[\u0300-\u036f])+/g;
// lower, Title or UPPER: a capital after a small letter ("nghỊ") is a wrong reading, not a name.
const CASE_SHAPE = /^(?:\p{Lu}?\p{Ll}*|\p{Lu}+)$/u;
const TONE_MARKS = /[\u0300\u0301\u0303\u0309\u0323]/g;
const STOP_TONES = new Set(['\u0301', '\u0323']);

/**
 * Vietnamese spelling, as data: initial consonants, and each vowel nucleus with the final
 * consonants it takes ('' = open syllable) and the vowel(s) that may carry the tone (0 = first;
 * "oa", "oe", "uy" accept both the old "hoà" and the new "hòa" placement). Deliberately a little
 * permissive (minority place names such as "Đắk", "Niê") because it only tells words from mojibake.
 */
const ONSETS: ReadonlyArray<readonly [onset: string, nextVowel?: RegExp]> = [
  [''], ['b'], ['c', /^[^eêiy]/], ['ch'], ['d'], ['đ'], ['g', /^[^eê]/], ['gh', /^[eêi]/], ['gi', /^[^iy]/], ['h'],
  ['k'], ['kh'], ['l'], ['m'], ['n'], ['ng', /^[^eêiy]/], ['ngh', /^[eêi]/], ['nh'], ['p'], ['ph'],
  // "qu" already carries the glide: "quốc", "quý", never "quoa".
  ['qu', /^[^ouư]/], ['r'], ['s'], ['t'], ['th'], ['tr'], ['v'], ['x'],
];
const NUCLEI: ReadonlyArray<readonly [nucleus: string, codas: string, tonePositions: string]> = [
  ['a', ' c ch k m n ng nh p t', '0'], ['ă', 'c k m n ng p t', '0'], ['â', 'c m n ng p t', '0'],
  ['e', ' c m n ng p t', '0'], ['ê', ' ch k m n nh p t', '0'], ['i', ' ch m n nh p t', '0'], ['y', ' ch nh t', '0'],
  ['o', ' c k m n ng p t', '0'], ['ô', ' c k m n ng p t', '0'], ['ơ', ' m n p t', '0'],
  ['u', ' c k m n ng p t', '0'], ['ư', ' c k m n ng t', '0'],
  ['ai', '', '0'], ['ao', '', '0'], ['au', '', '0'], ['ay', '', '0'], ['âu', '', '0'], ['ây', '', '0'],
  ['eo', '', '0'], ['êu', '', '0'], ['ia', '', '0'], ['iu', '', '0'], ['oi', '', '0'], ['ôi', '', '0'],
  ['ơi', '', '0'], ['ui', '', '0'], ['ưi', '', '0'], ['ưu', '', '0'], ['ua', '', '0'], ['ưa', '', '0'],
  ['uơ', '', '1'], ['uya', '', '1'], ['iêu', '', '1'], ['yêu', '', '1'], ['oai', '', '1'], ['oay', '', '1'],
  ['oeo', '', '1'], ['uây', '', '1'], ['uôi', '', '1'], ['ươi', '', '1'], ['ươu', '', '1'], ['uyu', '', '1'],
  ['iê', ' c m n ng p t', '1'], ['yê', ' m n ng t', '1'], ['uô', 'c m n ng t', '1'], ['ươ', 'c m n ng p t', '1'],
  ['oa', ' c ch m n ng nh p t', '01'], ['oă', 'c m n ng t', '1'], ['oe', ' n t', '01'], ['oo', 'c ng', '01'],
  ['uâ', 'n ng t', '1'], ['uê', ' ch nh', '1'], ['uy', ' ch n nh p t', '01'], ['uyê', 'n t', '2'],
];
const STOP_CODAS = new Set(['c', 'ch', 'k', 'p', 't']);
/** Toneless rhyme → its final consonant and the positions (within the rhyme) a tone may take. */
const RHYMES: ReadonlyMap<string, { coda: string; tonePositions: string }> = new Map(
  NUCLEI.flatMap(([nucleus, codas, tonePositions]) =>
    codas.split(' ').map((coda) => [nucleus + coda, { coda, tonePositions }] as const),
  ),
);

// Imports check millions of names drawn from a few thousand syllables: remember the verdicts.
const syllableVerdicts = new Map<string, boolean>();

/** True when `word` is one Vietnamese syllable in Unicode (any case; old or new tone placement). */
export function isVietnameseSyllable(word: string): boolean {
  let verdict = syllableVerdicts.get(word);
  if (verdict === undefined) {
    verdict = checkSyllable(word);
    if (syllableVerdicts.size < 100_000) syllableVerdicts.set(word, verdict);
  }
  return verdict;
}

function checkSyllable(word: string): boolean {
  // The Icelandic eth stands in for Đ on some keyboards; cleanText repairs it later, so it counts as Đ here.
  const lower = word.normalize('NFC').toLowerCase().replace(/ð/g, 'đ');
  let tone: string | undefined;
  let toneAt = -1;
  let toneless = '';
  for (const [i, c] of [...lower].entries()) {
    if (!VIETNAMESE_LOWER.has(c)) return false;
    const decomposed = c.normalize('NFD');
    const mark = decomposed.match(TONE_MARKS)?.[0];
    if (mark !== undefined) {
      if (tone !== undefined) return false;
      tone = mark;
      toneAt = i;
    }
    toneless += decomposed.replace(TONE_MARKS, '').normalize('NFC');
  }
  for (const [onset, nextVowel] of ONSETS) {
    if (!toneless.startsWith(onset)) continue;
    const rest = toneless.slice(onset.length);
    if (nextVowel !== undefined && !nextVowel.test(rest)) continue;
    // After "gi" the i of iê is not written: "giếng" is gi + iêng.
    const readings: Array<readonly [string, number]> = onset === 'gi' ? [[rest, 0], [`i${rest}`, 1]] : [[rest, 0]];
    for (const [rhymeText, shift] of readings) {
      const rhyme = RHYMES.get(rhymeText);
      if (rhyme === undefined) continue;
      if (tone === undefined) return true;
      // Syllables closed by c/ch/p/t only carry the acute or dot-below tone (or none, typed unaccented).
      if (STOP_CODAS.has(rhyme.coda) && !STOP_TONES.has(tone)) continue;
      if (rhyme.tonePositions.includes(String(toneAt - onset.length + shift))) return true;
    }
  }
  return false;
}

interface Reading {
  /** Words with a non-ASCII character. */
  words: number;
  /** Of those, words that are Vietnamese syllables. */
  valid: number;
}

function read(text: string): Reading {
  let words = 0;
  let valid = 0;
  for (const [word] of text.matchAll(WORD)) {
    if (!/[^\u0000-\u007f]/.test(word)) continue;
    words++;
    if (CASE_SHAPE.test(word) && isVietnameseSyllable(word)) valid++;
  }
  return { words, valid };
}

// Below this share of readable words, a conversion is not trusted (a name is 2–4 words: one odd
// word in four — a foreign or minority name — still converts, one in two does not).
const MIN_VALID_SHARE = 0.75;

/**
 * Decides whether `s` is TCVN3 or VNI text read as Windows-1252/Latin-1. Returns undefined for
 * ASCII, for any text containing letters only Unicode has (ă, ơ, ư, đ, ạ…ỹ, combining marks),
 * and for text whose every non-ASCII word already reads as a Vietnamese syllable; otherwise the
 * encoding whose conversion leaves no stray legacy code, reads as Vietnamese syllables (at least
 * 75 % of its non-ASCII words) and reads better than the original.
 */
export function detectLegacyEncoding(s: string): LegacyEncoding | undefined {
  if (!HIGH_LATIN1.test(s) || UNICODE_ONLY.test(s)) return undefined;
  const original = read(s);
  if (original.valid === original.words) return undefined;
  const candidates: Array<{ encoding: LegacyEncoding; share: number; valid: number; evidence: number }> = [];
  for (const encoding of ['tcvn3', 'vni'] as const) {
    const converted = convertLegacyVietnamese(s, encoding);
    if (converted === s.normalize('NFC')) continue;
    // Unconsumed legacy codes (a VNI modifier without its base letter) mean the guess is wrong.
    const alphabet = LEGACY_ALPHABET[encoding];
    let residue = false;
    for (const c of converted) {
      if (alphabet.has(c) && !VIETNAMESE_LOWER.has(c.toLowerCase())) {
        residue = true;
        break;
      }
    }
    if (residue) continue;
    const r = read(converted);
    if (r.words === 0 || r.valid <= original.valid) continue;
    const share = r.valid / r.words;
    if (share < MIN_VALID_SHARE) continue;
    candidates.push({ encoding, share, valid: r.valid, evidence: evidence(s, encoding) });
  }
  // Best reading first, then the one with more telltale codes. When nothing separates them VNI wins:
  // it gives its single bytes to the commonest letters (ơ ư đ ị), which TCVN3 reads as rarer toned
  // ones ("Sôn": VNI "Sơn", TCVN3 "Sụn"; "Thö": "Thư" / "Thử").
  candidates.sort(
    (x, y) => y.share - x.share || y.valid - x.valid || y.evidence - x.evidence || (x.encoding === 'vni' ? -1 : 1),
  );
  return candidates[0]?.encoding;
}

/** Codes only one encoding produces: TCVN3 bytes unused by VNI, and VNI vowel + modifier pairs. */
function evidence(s: string, encoding: LegacyEncoding): number {
  let n = 0;
  if (encoding === 'tcvn3') {
    for (const c of s) if (TCVN3_ONLY.has(c)) n++;
  } else {
    for (let i = 0; i + 1 < s.length; i++) if (VNI_PAIRS.has(s.slice(i, i + 2))) n++;
  }
  return n;
}

/** Converts TCVN3 or VNI text (read as Windows-1252/Latin-1) to NFC Unicode; other characters pass through. */
export function convertLegacyVietnamese(s: string, encoding: LegacyEncoding): string {
  return (encoding === 'tcvn3' ? convertTcvn3(s) : convertVni(s)).normalize('NFC');
}

function convertTcvn3(s: string): string {
  const out: string[] = [];
  const caseless: boolean[] = [];
  for (const c of s) {
    const letter = TCVN3_DECODE.get(c);
    out.push(letter ?? c);
    caseless.push(letter !== undefined && TCVN3_CASELESS.has(letter));
  }
  // Split into words; case evidence comes from letters that have a case of their own (ASCII and
  // the base letters Ă Â Ê Ô Ơ Ư Đ). A capital inside a word marks capitals; an initial one does
  // not ("Hµ" is "Hà" in a title-case name but "HÀ" in "Hµ NéI").
  const words: Array<{ from: number; to: number; lower: number; innerUpper: number }> = [];
  for (let i = 0; i < out.length; ) {
    if (!/\p{L}/u.test(out[i] ?? '')) {
      i++;
      continue;
    }
    const word = { from: i, to: i, lower: 0, innerUpper: 0 };
    for (; word.to < out.length && /\p{L}/u.test(out[word.to] ?? ''); word.to++) {
      const c = out[word.to] ?? '';
      if (caseless[word.to]) continue;
      if (c !== c.toLowerCase() && word.to > word.from) word.innerUpper++;
      else if (c !== c.toUpperCase()) word.lower++;
    }
    words.push(word);
    i = word.to;
  }
  const textCaps = words.every((w) => w.lower === 0) && words.some((w) => w.innerUpper > 0);
  for (const w of words) {
    // Otherwise the letter stays lower case, as the .VnTime font shows it.
    const caps = w.lower === 0 && (w.innerUpper > 0 || textCaps);
    if (caps) for (let k = w.from; k < w.to; k++) if (caseless[k]) out[k] = (out[k] ?? '').toUpperCase();
  }
  return out.join('');
}

function convertVni(s: string): string {
  let out = '';
  let i = 0;
  // Longest sequence first: "ôù" is ớ, not ơ followed by a stray modifier.
  outer: while (i < s.length) {
    for (let len = Math.min(VNI_MAX, s.length - i); len >= 1; len--) {
      const letter = VNI_DECODE.get(s.slice(i, i + len));
      if (letter !== undefined) {
        out += letter;
        i += len;
        continue outer;
      }
    }
    out += s.charAt(i);
    i++;
  }
  return out;
}

/** Detects and converts legacy-encoded text; returns it unchanged (and no encoding) when not detected. */
export function repairLegacyVietnamese(s: string): { text: string; encoding?: LegacyEncoding } {
  const encoding = detectLegacyEncoding(s);
  return encoding === undefined ? { text: s } : { text: convertLegacyVietnamese(s, encoding), encoding };
}
