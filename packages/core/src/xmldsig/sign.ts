import { createHash, createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { SignedXml } from 'xml-crypto';
import {
  ALG_ENVELOPED,
  ALG_EXC_C14N,
  ALG_RSA_SHA256,
  ALG_SHA256,
  analyzeProfile,
  canonicalSignedInfo,
  DSIG_NS,
} from './profile.ts';

export class SignError extends Error {
  override name = 'SignError';
}

const CONTROL = /[\x00-\x08\x0b\x0c\x0e-\x1f]/;

/**
 * Signs an envelope (or check-in document) whose root ends with an empty CHUKYDONVI:
 * enveloped XMLDSig, RSA-SHA256, exclusive c14n, Reference URI="" and the X.509 certificate
 * in KeyInfo. Documents in the strict profile are signed directly with node:crypto; others go
 * through xml-crypto, which produces the same kind of signature more slowly.
 */
export function signEnvelope(xml: string, privateKeyPem: string, certPem: string): string {
  const certDer = new X509Certificate(certPem).raw;
  const key = createPrivateKey(privateKeyPem);
  const text = xml.charCodeAt(0) === 0xfeff ? xml.slice(1) : xml;
  if (CONTROL.test(text)) throw new SignError('document contains control characters that XML forbids');
  const b = Buffer.from(text, 'utf8').toString('latin1');
  const doc = analyzeProfile(b, true);
  if (doc && doc.signatureRaw !== '') throw new SignError('CHUKYDONVI already holds content; sign an unsigned document');
  if (!doc) return signWithXmlCrypto(text, privateKeyPem, certPem);
  const hash = createHash('sha256');
  for (const p of doc.pieces) hash.update(p, 'latin1');
  const signedInfo = canonicalSignedInfo(hash.digest('base64'));
  const signatureValue = sign('sha256', Buffer.from(signedInfo, 'utf8'), key).toString('base64');
  // The serialized SignedInfo is its canonical form minus the namespace it inherits from Signature.
  const signature =
    `<Signature xmlns="${DSIG_NS}">${signedInfo.replace(` xmlns="${DSIG_NS}"`, '')}` +
    `<SignatureValue>${signatureValue}</SignatureValue>` +
    `<KeyInfo><X509Data><X509Certificate>${certDer.toString('base64')}</X509Certificate></X509Data></KeyInfo></Signature>`;
  const out = `${b.slice(0, doc.chukyStart)}<CHUKYDONVI>${signature}</CHUKYDONVI>${b.slice(doc.chukyEnd)}`;
  return Buffer.from(out, 'latin1').toString('utf8');
}

function signWithXmlCrypto(xml: string, privateKeyPem: string, certPem: string): string {
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SignError('DTD/entity declarations are not signed');
  const sig = new SignedXml({
    privateKey: privateKeyPem,
    publicCert: certPem,
    signatureAlgorithm: ALG_RSA_SHA256,
    canonicalizationAlgorithm: ALG_EXC_C14N,
  });
  sig.addReference({ xpath: '/*', transforms: [ALG_ENVELOPED, ALG_EXC_C14N], digestAlgorithm: ALG_SHA256, isEmptyUri: true });
  try {
    sig.computeSignature(xml, { location: { reference: "/*/*[local-name(.)='CHUKYDONVI'][last()]", action: 'append' } });
  } catch (e) {
    throw new SignError(`cannot sign: ${(e as Error).message}`);
  }
  return sig.getSignedXml();
}
