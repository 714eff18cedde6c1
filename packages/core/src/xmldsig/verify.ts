import { createHash, type KeyObject, verify as rsaVerify, X509Certificate } from 'node:crypto';
import { DOMParser, type Document, type Element, type Node } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { ALG_ENVELOPED, ALG_EXC_C14N, ALG_RSA_SHA256, ALG_SHA256, analyzeProfile, canonicalSignedInfo, DSIG_NS, PROFILE_SIGNATURE, strictBase64 } from './profile.ts';

export interface TrustedCert {
  id: string;
  certPem: string;
}

export type VerifyFailureCode = 'SIGNATURE_MISSING' | 'SIGNATURE_INVALID' | 'CERT_UNTRUSTED';

export type VerifyResult =
  | { ok: true; certId: string; method: 'fast' | 'full'; /** Set when the signature uses SHA-1 (accepted only with allowSha1). */ weakAlgorithm?: true }
  | { ok: false; code: VerifyFailureCode; message_vi: string; message_en: string };

interface Trusted {
  id: string;
  der: Buffer;
  key: KeyObject;
  pem: string;
}

const CERT_CACHE = new Map<string, { der: Buffer; key: KeyObject }>();

function loadTrusted(list: ReadonlyArray<TrustedCert>): Trusted[] {
  return list.map(({ id, certPem }) => {
    let c = CERT_CACHE.get(certPem);
    if (!c) {
      const x = new X509Certificate(certPem);
      c = { der: x.raw, key: x.publicKey };
      if (CERT_CACHE.size > 1000) CERT_CACHE.clear();
      CERT_CACHE.set(certPem, c);
    }
    return { id, der: c.der, key: c.key, pem: certPem };
  });
}

const MESSAGES: Record<VerifyFailureCode, [string, string]> = {
  SIGNATURE_MISSING: ['Hồ sơ chưa được ký số (CHUKYDONVI trống).', 'The document is not digitally signed (CHUKYDONVI is empty).'],
  SIGNATURE_INVALID: ['Chữ ký số không hợp lệ hoặc nội dung đã bị thay đổi sau khi ký.', 'The digital signature is invalid or the content changed after signing.'],
  CERT_UNTRUSTED: ['Chứng thư số trong chữ ký không phải chứng thư đã đăng ký của cơ sở.', 'The certificate in the signature is not a registered certificate of the facility.'],
};

function fail(code: VerifyFailureCode, detail?: string): VerifyResult {
  const [vi, en] = MESSAGES[code];
  return { ok: false, code, message_vi: vi, message_en: detail ? `${en} (${detail})` : en };
}

const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

function stripBom(buf: Buffer): Buffer {
  return buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? buf.subarray(3) : buf;
}

/**
 * Strict-profile verifier (see profile.ts): one SHA-256 over raw slices plus one RSA check.
 * Returns null when the document is outside the profile so the caller falls back to xml-crypto.
 */
export function verifyFast(raw: Buffer | string, trusted: ReadonlyArray<TrustedCert>): VerifyResult | null {
  const buf = stripBom(typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw);
  const b = buf.toString('latin1');
  if (CONTROL.test(b)) return null;
  const doc = analyzeProfile(b, false);
  if (!doc) return null;
  if (doc.signatureRaw === '') return fail('SIGNATURE_MISSING');
  const m = PROFILE_SIGNATURE.exec(doc.signatureRaw);
  if (!m) return null;
  const [, digestB64, sigB64, certB64] = m as unknown as [string, string, string, string];
  const certDer = strictBase64(certB64);
  const sigBytes = strictBase64(sigB64);
  if (!certDer || !sigBytes) return null;
  const match = loadTrusted(trusted).find((t) => t.der.equals(certDer));
  if (!match) return fail('CERT_UNTRUSTED');
  const hash = createHash('sha256');
  for (const p of doc.pieces) hash.update(p, 'latin1');
  if (hash.digest('base64') !== digestB64) return fail('SIGNATURE_INVALID', 'digest');
  const ok = rsaVerify('sha256', Buffer.from(canonicalSignedInfo(digestB64), 'utf8'), match.key, sigBytes);
  return ok ? { ok: true, certId: match.id, method: 'fast' } : fail('SIGNATURE_INVALID', 'signature value');
}

export interface FullVerifyOptions {
  /** Accept rsa-sha1 / sha1 digests (some older signer products); off by default. */
  allowSha1?: boolean;
}

const ALLOWED_C14N = new Set([ALG_EXC_C14N, 'http://www.w3.org/TR/2001/REC-xml-c14n-20010315']);
const SHA1_SIG = 'http://www.w3.org/2000/09/xmldsig#rsa-sha1';
const SHA1_DIGEST = 'http://www.w3.org/2000/09/xmldsig#sha1';

function elementChildren(node: Node): Element[] {
  const out: Element[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) if (c.nodeType === 1) out.push(c as Element);
  return out;
}

/** General verifier: xmldom + xml-crypto, with the same trust and anti-wrapping rules. */
export function verifyFull(raw: Buffer | string, trusted: ReadonlyArray<TrustedCert>, opts: FullVerifyOptions = {}): VerifyResult {
  let text: string;
  try {
    text = typeof raw === 'string' ? raw : new TextDecoder('utf-8', { fatal: true }).decode(raw);
  } catch {
    return fail('SIGNATURE_INVALID', 'not UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Refused before any parser sees it: no DTD means no entity expansion or external fetches.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return fail('SIGNATURE_INVALID', 'DTD not allowed');
  let doc: Document;
  try {
    doc = new DOMParser({
      onError: (level: string, msg: string) => {
        if (level !== 'warning') throw new Error(msg);
      },
    }).parseFromString(text, 'text/xml');
  } catch {
    return fail('SIGNATURE_INVALID', 'not well-formed');
  }
  const root = doc.documentElement;
  if (!root) return fail('SIGNATURE_INVALID', 'no root');
  const sigs = doc.getElementsByTagNameNS(DSIG_NS, 'Signature');
  if (sigs.length === 0) return fail('SIGNATURE_MISSING');
  if (sigs.length !== 1) return fail('SIGNATURE_INVALID', 'more than one Signature');
  const sigNode = sigs[0]!;
  const holder = sigNode.parentNode as Element | null;
  const rootKids = elementChildren(root);
  if (
    holder?.nodeType !== 1 ||
    holder.localName !== 'CHUKYDONVI' ||
    holder.namespaceURI ||
    holder.parentNode !== root ||
    rootKids[rootKids.length - 1] !== holder ||
    elementChildren(holder).length !== 1
  ) {
    return fail('SIGNATURE_INVALID', 'Signature must be the only child of CHUKYDONVI, the last child of the root');
  }
  const certEls = sigNode.getElementsByTagNameNS(DSIG_NS, 'X509Certificate');
  const trustedList = loadTrusted(trusted);
  let match: Trusted | undefined;
  for (let i = 0; i < certEls.length && !match; i++) {
    const der = strictBase64(certEls[i]!.textContent ?? '');
    if (der) match = trustedList.find((t) => t.der.equals(der));
  }
  if (certEls.length > 0) {
    if (!match) return fail('CERT_UNTRUSTED');
    return checkWith(sigNode, text, match, opts);
  }
  // No certificate in KeyInfo (some signers send only KeyValue or IssuerSerial): only the
  // facility's own registered certificates are tried, so nothing outside them can verify.
  let last: VerifyResult = fail('CERT_UNTRUSTED');
  for (const candidate of trustedList) {
    last = checkWith(sigNode, text, candidate, opts);
    if (last.ok) return last;
  }
  return last;
}

function checkWith(sigNode: Element, text: string, match: Trusted, opts: FullVerifyOptions): VerifyResult {
  const sig = new SignedXml({ publicCert: match.pem, getCertFromKeyInfo: () => null });
  try {
    sig.loadSignature(sigNode as unknown as Parameters<SignedXml['loadSignature']>[0]);
  } catch {
    return fail('SIGNATURE_INVALID', 'unreadable Signature');
  }
  const refs = sig.getReferences();
  const allowedSig = opts.allowSha1 ? [ALG_RSA_SHA256, SHA1_SIG] : [ALG_RSA_SHA256, 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512'];
  const allowedDigest = opts.allowSha1 ? [ALG_SHA256, SHA1_DIGEST] : [ALG_SHA256, 'http://www.w3.org/2001/04/xmlenc#sha512'];
  const ref = refs[0];
  if (
    refs.length !== 1 ||
    !ref ||
    ref.uri !== '' ||
    ref.transforms[0] !== ALG_ENVELOPED ||
    ref.transforms.slice(1).some((t) => !ALLOWED_C14N.has(t)) ||
    ref.transforms.length > 2 ||
    !allowedDigest.includes(ref.digestAlgorithm) ||
    !allowedSig.includes(sig.signatureAlgorithm ?? '') ||
    !ALLOWED_C14N.has(sig.canonicalizationAlgorithm ?? '')
  ) {
    return fail('SIGNATURE_INVALID', 'signature outside the accepted profile (one Reference URI="" with enveloped-signature)');
  }
  try {
    if (!sig.checkSignature(text)) return fail('SIGNATURE_INVALID');
  } catch {
    return fail('SIGNATURE_INVALID');
  }
  const weak = sig.signatureAlgorithm === SHA1_SIG || ref.digestAlgorithm === SHA1_DIGEST;
  return weak ? { ok: true, certId: match.id, method: 'full', weakAlgorithm: true } : { ok: true, certId: match.id, method: 'full' };
}

/**
 * Verifies the enveloped signature in CHUKYDONVI against the facility's registered certificates.
 * Certificate validity period and revocation are the caller's business (see certInfo).
 */
export function verifyEnvelopeSignature(raw: Buffer | string, trusted: ReadonlyArray<TrustedCert>, opts: FullVerifyOptions = {}): VerifyResult {
  return verifyFast(raw, trusted) ?? verifyFull(raw, trusted, opts);
}

export interface CertInfo {
  fingerprint256: string;
  notBefore: Date;
  notAfter: Date;
  subject: string;
}

export function certInfo(certPem: string): CertInfo {
  const x = new X509Certificate(certPem);
  return { fingerprint256: x.fingerprint256, notBefore: new Date(x.validFrom), notAfter: new Date(x.validTo), subject: x.subject };
}
