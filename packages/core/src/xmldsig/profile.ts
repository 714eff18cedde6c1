/*
 * The strict signing profile shared by the fast signer and the fast verifier.
 *
 * Documents are handled as "binary" strings (one char per UTF-8 byte, from latin1 decoding) so
 * string offsets are byte offsets and digests are computed over exactly the raw bytes. For a
 * document in the profile (root with at most xmlns:xsi/xmlns:xsd, attribute-free body of plain
 * elements, no '&', no '>' in text, no comments/PIs/CDATA/self-closing tags), the exclusive
 * canonical form of the document minus its signature is the raw bytes with the root start tag
 * reduced to <ROOT> and CR/CRLF turned into LF. Anything else returns null so callers use the
 * general implementation (xml-crypto).
 */

export const DSIG_NS = 'http://www.w3.org/2000/09/xmldsig#';
export const ALG_EXC_C14N = 'http://www.w3.org/2001/10/xml-exc-c14n#';
export const ALG_RSA_SHA256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';
export const ALG_ENVELOPED = 'http://www.w3.org/2000/09/xmldsig#enveloped-signature';
export const ALG_SHA256 = 'http://www.w3.org/2001/04/xmlenc#sha256';

export interface ProfileDocument {
  rootName: string;
  /** Canonical pieces (binary strings), in digest order. */
  pieces: string[];
  /** Byte offsets of the whole CHUKYDONVI element (start tag through end tag). */
  chukyStart: number;
  chukyEnd: number;
  /** Content of CHUKYDONVI without surrounding whitespace; '' when empty. */
  signatureRaw: string;
}

const PROLOG = /^(?:<\?xml[ \t\r\n]+version=(["'])1\.0\1(?:[ \t\r\n]+encoding=(["'])(?:utf|UTF)-8\2)?(?:[ \t\r\n]+standalone=(["'])(?:yes|no)\3)?[ \t\r\n]*\?>)?[ \t\r\n]*/;
const ROOT_TAG = /^<([A-Za-z_][A-Za-z0-9_.-]*)((?:[ \t\r\n]+xmlns:xs[di]="[^"<&\r\n\t]+")*)[ \t\r\n]*>$/;

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d;
}

function allWs(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!isWs(s.charCodeAt(i))) return false;
  return true;
}

function isPlainName(s: string, from: number, to: number): boolean {
  if (to <= from) return false;
  const c0 = s.charCodeAt(from);
  if (!((c0 >= 0x41 && c0 <= 0x5a) || (c0 >= 0x61 && c0 <= 0x7a) || c0 === 0x5f)) return false;
  for (let i = from + 1; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2e || c === 0x2d)) return false;
  }
  return true;
}

function lf(s: string): string {
  return s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n');
}

/** Checks that [from, to) is a sequence of balanced, attribute-free elements and plain text. */
function plainBody(b: string, from: number, to: number): boolean {
  if (b.indexOf('&', from) >= 0 && b.indexOf('&', from) < to) return false;
  const stack: string[] = [];
  let pos = from;
  while (pos < to) {
    const lt = b.indexOf('<', pos);
    const gt = b.indexOf('>', pos);
    if (lt < 0 || lt >= to) {
      // Trailing text: allowed only if it holds no '>'.
      if (gt >= 0 && gt < to) return false;
      break;
    }
    // A '>' before the next '<' would be text that c14n rewrites as &gt;.
    if (gt < lt) return false;
    if (gt >= to) return false;
    if (b.charCodeAt(lt + 1) === 0x2f) {
      if (stack.pop() !== b.slice(lt + 2, gt)) return false;
    } else {
      if (!isPlainName(b, lt + 1, gt)) return false;
      stack.push(b.slice(lt + 1, gt));
    }
    pos = gt + 1;
  }
  return stack.length === 0;
}

/**
 * Analyses a document for the strict profile. `allowEmptyPlaceholder` also accepts
 * `<CHUKYDONVI/>` (for signing); verification requires the explicit start/end tags.
 */
export function analyzeProfile(b: string, allowEmptyPlaceholder: boolean): ProfileDocument | null {
  if (b.charCodeAt(0) === 0xef && b.charCodeAt(1) === 0xbb && b.charCodeAt(2) === 0xbf) return null;
  const prolog = PROLOG.exec(b);
  const rootStart = prolog ? prolog[0].length : 0;
  if (b.charCodeAt(rootStart) !== 0x3c) return null;
  const rootTagEnd = b.indexOf('>', rootStart);
  if (rootTagEnd < 0) return null;
  const rootTag = ROOT_TAG.exec(b.slice(rootStart, rootTagEnd + 1));
  if (!rootTag) return null;
  const rootName = rootTag[1]!;
  const attrs = rootTag[2]!;
  if (attrs.split('xmlns:xsi=').length > 2 || attrs.split('xmlns:xsd=').length > 2) return null;
  let end = b.length;
  while (end > 0 && isWs(b.charCodeAt(end - 1))) end--;
  const rootClose = `</${rootName}>`;
  if (!b.startsWith(rootClose, end - rootClose.length)) return null;
  const rootEndStart = end - rootClose.length;

  let chukyStart: number;
  let chukyEnd: number;
  let innerStart: number;
  let innerEnd: number;
  const closeAt = b.lastIndexOf('</CHUKYDONVI>', rootEndStart);
  if (closeAt > rootTagEnd && allWs(b, closeAt + 13, rootEndStart)) {
    chukyStart = b.lastIndexOf('<CHUKYDONVI>', closeAt);
    if (chukyStart <= rootTagEnd) return null;
    chukyEnd = closeAt + 13;
    innerStart = chukyStart + 12;
    innerEnd = closeAt;
  } else {
    if (!allowEmptyPlaceholder) return null;
    const selfAt = b.lastIndexOf('<CHUKYDONVI/>', rootEndStart);
    if (selfAt <= rootTagEnd || !allWs(b, selfAt + 13, rootEndStart)) return null;
    chukyStart = selfAt;
    chukyEnd = selfAt + 13;
    innerStart = innerEnd = selfAt + 13;
  }
  if (!plainBody(b, rootTagEnd + 1, chukyStart)) return null;
  let a = innerStart;
  let z = innerEnd;
  while (a < z && isWs(b.charCodeAt(a))) a++;
  while (z > a && isWs(b.charCodeAt(z - 1))) z--;
  const signatureRaw = b.slice(a, z);
  // Whitespace around the signature stays in the canonical form; the signature itself goes.
  const insideWs = signatureRaw === '' ? b.slice(innerStart, innerEnd) : b.slice(innerStart, a) + b.slice(z, innerEnd);
  const pieces = [
    `<${rootName}>`,
    lf(b.slice(rootTagEnd + 1, chukyStart)),
    `<CHUKYDONVI>${lf(insideWs)}</CHUKYDONVI>`,
    lf(b.slice(chukyEnd, rootEndStart)),
    rootClose,
  ];
  return { rootName, pieces, chukyStart, chukyEnd, signatureRaw };
}

function emptyEl(name: string, alg: string): string {
  return `<${name} Algorithm="${alg}"></${name}>`;
}

/** Exclusive-c14n form of the one SignedInfo shape the profile allows. */
export function canonicalSignedInfo(digestB64: string): string {
  return (
    `<SignedInfo xmlns="${DSIG_NS}">` +
    emptyEl('CanonicalizationMethod', ALG_EXC_C14N) +
    emptyEl('SignatureMethod', ALG_RSA_SHA256) +
    '<Reference URI=""><Transforms>' +
    emptyEl('Transform', ALG_ENVELOPED) +
    emptyEl('Transform', ALG_EXC_C14N) +
    '</Transforms>' +
    emptyEl('DigestMethod', ALG_SHA256) +
    `<DigestValue>${digestB64}</DigestValue></Reference></SignedInfo>`
  );
}

function reEscape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function emptyElRe(name: string, alg: string): string {
  return `<${name} Algorithm="${reEscape(alg)}"(?:/>|></${name}>)`;
}

const WS = '[ \\t\\r\\n]*';
const B64_BLOCK = '([A-Za-z0-9+/=\\r\\n \\t]+)';

/** The whole Signature element as the profile allows it (no prefixes, no whitespace in SignedInfo). */
export const PROFILE_SIGNATURE = new RegExp(
  `^<Signature xmlns="${reEscape(DSIG_NS)}">` +
    '<SignedInfo>' +
    emptyElRe('CanonicalizationMethod', ALG_EXC_C14N) +
    emptyElRe('SignatureMethod', ALG_RSA_SHA256) +
    '<Reference URI=""><Transforms>' +
    emptyElRe('Transform', ALG_ENVELOPED) +
    emptyElRe('Transform', ALG_EXC_C14N) +
    '</Transforms>' +
    emptyElRe('DigestMethod', ALG_SHA256) +
    '<DigestValue>([A-Za-z0-9+/]{43}=)</DigestValue></Reference></SignedInfo>' +
    `${WS}<SignatureValue>${B64_BLOCK}</SignatureValue>` +
    `${WS}<KeyInfo>${WS}<X509Data>${WS}<X509Certificate>${B64_BLOCK}</X509Certificate>${WS}</X509Data>${WS}</KeyInfo>${WS}</Signature>$`,
);

export function strictBase64(raw: string): Buffer | null {
  const s = raw.replace(/[ \t\r\n]/g, '');
  if (s.length === 0 || s.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(s)) return null;
  return Buffer.from(s, 'base64');
}
