/**
 * Vietnamese text normalization. Display values keep diacritics (NFC);
 * matching keys drop them so "Nguyen Thi Hoa" finds "Nguyễn Thị Hòa".
 */

const COMBINING_MARKS = /[\u0300-\u036f]/g;
// Look-alikes typed by some keyboards/fonts (Icelandic eth) must not survive as distinct letters.
const LOOKALIKES: Record<string, string> = { '\u00d0': 'Đ', '\u00f0': 'đ' };

/** NFC, look-alikes fixed, whitespace collapsed and trimmed. */
export function cleanText(input: string): string {
  return input
    .normalize('NFC')
    .replace(/[\u00d0\u00f0]/g, (c) => LOOKALIKES[c] ?? c)
    .replace(/[\s\u00a0\u200b]+/g, ' ')
    .trim();
}

/** Remove diacritics; Đ/đ are base letters (NFD does not split them) so they are mapped explicitly. */
export function stripDiacritics(input: string): string {
  return input
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .replace(/[\u00d0]/g, 'D')
    .replace(/[\u00f0]/g, 'd')
    .normalize('NFC');
}

/** Title case per word, as names are displayed ("NGUYỄN văn  an" → "Nguyễn Văn An"). */
export function normalizePersonName(input: string): string {
  return cleanText(input)
    .toLocaleLowerCase('vi')
    .split(' ')
    .filter((w) => w.length > 0)
    .map((w) => w.charAt(0).toLocaleUpperCase('vi') + w.slice(1))
    .join(' ');
}

/**
 * Diacritic-insensitive key for search and matching: upper case, no marks, only
 * letters/digits and single spaces. Old and new tone placement ("hoà"/"hòa") give the same key.
 */
export function searchKey(input: string): string {
  return stripDiacritics(cleanText(input))
    .toUpperCase()
    .replace(/[^A-Z0-9 ]+/g, ' ')
    .replace(/ +/g, ' ')
    .trim();
}

/** Splits a full name into family, middle and given names; the given name is the last word. */
export function splitName(fullName: string): { family: string; middle: string; given: string } {
  const words = cleanText(fullName).split(' ').filter(Boolean);
  if (words.length === 0) return { family: '', middle: '', given: '' };
  if (words.length === 1) return { family: '', middle: '', given: words[0] ?? '' };
  return {
    family: words[0] ?? '',
    middle: words.slice(1, -1).join(' '),
    given: words[words.length - 1] ?? '',
  };
}

/** True when the text contains at least one Vietnamese diacritic (used to prefer accented sources). */
export function hasDiacritics(input: string): boolean {
  return stripDiacritics(input) !== input.normalize('NFC');
}
