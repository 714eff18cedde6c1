/**
 * Old 11-digit mobile prefixes renumbered to 10 digits in 2018; the same subscriber can
 * appear under both numbers in older and newer files.
 */
const OLD_MOBILE_PREFIX: Record<string, string> = {
  '0162': '032', '0163': '033', '0164': '034', '0165': '035', '0166': '036', '0167': '037', '0168': '038', '0169': '039',
  '0120': '070', '0121': '079', '0122': '077', '0126': '076', '0128': '078',
  '0123': '083', '0124': '084', '0125': '085', '0127': '081', '0129': '082',
  '0186': '056', '0188': '058', '0199': '059',
};

/**
 * Normalizes a Vietnamese phone number to its domestic form (0xxxxxxxxx): drops separators,
 * turns +84/84/0084 into 0 and maps pre-2018 11-digit mobile numbers. Returns undefined when
 * the value cannot be a Vietnamese number, so junk like "0000000000" never becomes a match key.
 */
export function normalizePhone(raw: string): string | undefined {
  let s = raw.trim();
  if (s === '') return undefined;
  // Several numbers in one cell: keep the first, the others are usually a relative's.
  s = s.split(/[;,/]| - /)[0] ?? '';
  s = s.replace(/[\s.()\-–]/g, '');
  if (s.startsWith('+84')) s = '0' + s.slice(3);
  else if (s.startsWith('0084')) s = '0' + s.slice(4);
  else if (s.startsWith('84') && (s.length === 11 || s.length === 12)) s = '0' + s.slice(2);
  else if (!s.startsWith('0') && s.length === 9) s = '0' + s;
  if (!/^0\d{9,10}$/.test(s)) return undefined;
  if (s.length === 11) {
    const mapped = OLD_MOBILE_PREFIX[s.slice(0, 4)];
    if (mapped) s = mapped + s.slice(4);
    else if (!s.startsWith('02')) return undefined; // 11 digits is only valid for landlines (02x)
  }
  if (/^0(\d)\1{8,}$/.test(s) || s === '0123456789') return undefined;
  return s;
}
