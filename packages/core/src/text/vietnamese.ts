/**
 * Vietnamese text normalization. Display values keep diacritics (NFC);
 * matching keys drop them so "Nguyen Thi Hoa" finds "Nguyễn Thị Hòa".
 */

const COMBINING_MARKS = /[\u0300-\u036f]/g;
const HAS_MARK = /[\u0300-\u036f]/;
const D_LETTERS = /[đĐ\u00d0\u00f0]/g;
const HAS_D_LETTER = /[đĐ\u00d0\u00f0]/;
const D_BASE: Record<string, string> = { đ: 'd', Đ: 'D', '\u00d0': 'D', '\u00f0': 'd' };
// Look-alikes typed by some keyboards/fonts (Icelandic eth) must not survive as distinct letters.
const LOOKALIKES: Record<string, string> = { '\u00d0': 'Đ', '\u00f0': 'đ' };

// A million-row import cleans every cell several times; testing first skips the replacements
// (and their new strings) for the usual cell, which has neither a look-alike nor odd spacing.
const HAS_LOOKALIKE = /[\u00d0\u00f0]/;
const ODD_SPACE = /[^\S ]|\u200b| {2}/;

/** NFC, look-alikes fixed, whitespace collapsed and trimmed. */
export function cleanText(input: string): string {
  let s = input.normalize('NFC');
  if (HAS_LOOKALIKE.test(s)) s = s.replace(/[\u00d0\u00f0]/g, (c) => LOOKALIKES[c] ?? c);
  if (ODD_SPACE.test(s)) s = s.replace(/[\s\u00a0\u200b]+/g, ' ');
  return s.trim();
}

/** Remove diacritics; Đ/đ are base letters (NFD does not split them) so they are mapped explicitly. */
export function stripDiacritics(input: string): string {
  let s = input.normalize('NFD');
  // One pass per kind of change, and none when the text has nothing to change (hot in imports).
  if (HAS_MARK.test(s)) s = s.replace(COMBINING_MARKS, '');
  if (HAS_D_LETTER.test(s)) s = s.replace(D_LETTERS, (c) => D_BASE[c] ?? c);
  return s.normalize('NFC');
}

/** Title case per word, as names are displayed ("NGUYỄN văn  an" → "Nguyễn Văn An"). */
export function normalizePersonName(input: string): string {
  // ICU has no Vietnamese case tailoring, so the locale-free (3x faster) mapping is the same one.
  return cleanText(input)
    .toLowerCase()
    .split(' ')
    .filter((w) => w.length > 0)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
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
