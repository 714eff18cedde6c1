import { cleanText, searchKey } from '../text/vietnamese.ts';

/**
 * Administrative-unit abbreviations seen in source files. Longer forms first so "TP." is not
 * read as "T." + "P.". Matching is on word starts only, so "Q." inside a word is untouched.
 */
const ABBREVIATIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/(^|[\s,])(?:TP|T\.P|Tp|tp)\s*\.\s*/g, '$1thành phố '],
  [/(^|[\s,])(?:TX|Tx|tx)\s*\.\s*/g, '$1thị xã '],
  [/(^|[\s,])(?:TT|Tt|tt)\s*\.\s*/g, '$1thị trấn '],
  [/(^|[\s,])[Xx]\s*\.\s*/g, '$1xã '],
  [/(^|[\s,])[Hh]\s*\.\s*/g, '$1huyện '],
  [/(^|[\s,])[Pp]\s*\.\s*/g, '$1phường '],
  [/(^|[\s,])[Qq]\s*\.\s*/g, '$1quận '],
  [/(^|[\s,])[Tt]\s*\.\s*/g, '$1tỉnh '],
  // Without the dot these are only safe before a comma-separated unit name written in capitals.
  [/(^|,\s*)TP\s+(?=\p{Lu})/gu, '$1thành phố '],
];

/** Address for display: NFC, abbreviations expanded, comma spacing fixed. */
export function normalizeAddress(raw: string): string {
  let s = cleanText(raw);
  for (const [re, rep] of ABBREVIATIONS) s = s.replace(re, rep);
  return cleanText(s.replace(/\s*,\s*/g, ', ').replace(/(, )+/g, ', ').replace(/^, |, $/g, ''));
}

// Unit words carry no identifying information once abbreviations are expanded, and some
// sources omit them entirely ("Tân Lập, Đan Phượng"), so keys drop them.
const UNIT_WORDS = /\b(?:THANH PHO|THI XA|THI TRAN|XA|HUYEN|PHUONG|QUAN|TINH|THON|XOM|AP|TO DAN PHO|TO|KHU PHO|SO NHA|SO)\b/g;

/** Diacritic-free, unit-word-free key for comparing addresses across sources. */
export function addressKey(raw: string): string {
  return searchKey(normalizeAddress(raw)).replace(UNIT_WORDS, ' ').replace(/ +/g, ' ').trim();
}
