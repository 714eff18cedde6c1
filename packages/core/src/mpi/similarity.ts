// Scratch buffers reused across calls: the matcher calls this millions of times.
let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

/** Jaro similarity on ASCII keys (code units compared directly). */
export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (la > flagsA.length) flagsA = new Uint8Array(la * 2);
  if (lb > flagsB.length) flagsB = new Uint8Array(lb * 2);
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  const window = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    const lo = Math.max(0, i - window);
    const hi = Math.min(lb - 1, i + window);
    for (let j = lo; j <= hi; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === c) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let t = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) t++;
    k++;
  }
  return (matches / la + matches / lb + (matches - t / 2) / matches) / 3;
}

/** Jaro–Winkler with the usual 0.1 prefix scale over at most 4 characters. */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j === 1 || j === 0) return j;
  let p = 0;
  const max = Math.min(4, a.length, b.length);
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return j + p * 0.1 * (1 - j);
}

const counts = new Int32Array(128);

/**
 * Whether jaroWinkler(a, b) can reach `threshold`, judged from the characters the two keys share
 * wherever they stand (Jaro can match no more): one linear pass that settles most pairs of
 * different addresses without the quadratic matching. Non-ASCII text is never ruled out.
 */
export function jaroWinklerCanReach(a: string, b: string, threshold: number): boolean {
  const la = a.length;
  const lb = b.length;
  if (a === b || la === 0 || lb === 0) return true;
  let ok = true;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    if (c >= 128) ok = false;
    else counts[c]!++;
  }
  let common = 0;
  for (let j = 0; j < lb && ok; j++) {
    const c = b.charCodeAt(j);
    if (c >= 128) ok = false;
    else if (counts[c]! > 0) {
      counts[c]!--;
      common++;
    }
  }
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    if (c < 128) counts[c] = 0;
  }
  if (!ok) return true;
  if (common === 0) return threshold <= 0;
  const j = (common / la + common / lb + 1) / 3;
  let p = 0;
  const max = Math.min(4, la, lb);
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  // The margin keeps a pair whose exact similarity sits on the threshold from being lost to rounding.
  return j + p * 0.1 * (1 - j) >= threshold - 1e-9;
}

/**
 * Coarse phonetic key for diacritic-free Vietnamese words, used only for blocking so that
 * single-letter typos and regional spellings (D/GI/R, TR/CH, S/X, NG/NGH) meet in one block.
 * Vowels after the first letter are dropped because most typos and tone-less spellings hit them.
 */
export function phoneticWord(word: string): string {
  let w = word
    .replace(/^NGH/, 'N')
    .replace(/^NG/, 'N')
    .replace(/^GI/, 'Z')
    .replace(/^[DR]/, 'Z')
    .replace(/^TR/, 'C')
    .replace(/^CH/, 'C')
    .replace(/^[KQ]/, 'C')
    .replace(/^PH/, 'F')
    .replace(/^TH/, 'T')
    .replace(/^X/, 'S')
    .replace(/NH$/, 'N')
    .replace(/NG$/, 'N')
    .replace(/CH$/, 'C');
  const first = w.charAt(0);
  w = w.slice(1).replace(/[AEIOUY]/g, '').replace(/H/g, '');
  return first + w.replace(/(.)\1+/g, '$1');
}

/** Phonetic key of a whole name key ("NGUYEN VAN AN" → "NN VN AN"-like skeleton). */
export function phoneticKey(nameKey: string): string {
  return nameKey.split(' ').map(phoneticWord).join(' ');
}
