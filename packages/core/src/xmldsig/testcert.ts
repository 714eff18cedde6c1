import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';

/*
 * Minimal DER writer for a self-signed X.509 v1 certificate (RSA, sha256WithRSAEncryption).
 * Node can parse certificates but not create them; tests and the demo generator need
 * throwaway signer certificates without openssl on the PATH. Not for production keys.
 */

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));

function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [40 * arcs[0]! + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const y = d.getUTCFullYear();
  // RFC 5280: UTCTime through 2049, GeneralizedTime from 2050.
  return y < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
}

function name(cn: string, org: string, country: string): Buffer {
  const atv = (o: string, tag: number, v: string) => set(seq(oid(o), tlv(tag, Buffer.from(v, 'utf8'))));
  return seq(atv('2.5.4.6', 0x13, country), atv('2.5.4.10', 0x0c, org), atv('2.5.4.3', 0x0c, cn));
}

export interface TestCertificateOptions {
  commonName?: string;
  organization?: string;
  notBefore?: Date;
  notAfter?: Date;
  modulusLength?: number;
  /** An X.509 v3 CA certificate (basicConstraints cA, keyUsage keyCertSign|cRLSign) for chain tests. */
  ca?: boolean;
  /** Signed by this certificate instead of self-signed; the result is X.509 v3 with an end-entity keyUsage. */
  issuer?: TestCertificate;
}

export interface TestCertificate {
  privateKeyPem: string;
  publicKeyPem: string;
  certPem: string;
  /** Base64 DER of the subject name, the issuer name of the certificates this one signs (kept as text: callers store these as JSON). */
  subjectDer: string;
}

const critical = Buffer.from([0x01, 0x01, 0xff]);
// keyUsage bit strings: keyCertSign|cRLSign for a CA, digitalSignature|nonRepudiation for a signer.
const CA_EXTENSIONS = () =>
  tlv(0xa3, seq(seq(oid('2.5.29.19'), critical, tlv(0x04, seq(critical))), seq(oid('2.5.29.15'), critical, tlv(0x04, Buffer.from([0x03, 0x02, 0x01, 0x06])))));
const LEAF_EXTENSIONS = () => tlv(0xa3, seq(seq(oid('2.5.29.15'), critical, tlv(0x04, Buffer.from([0x03, 0x02, 0x06, 0xc0])))));

export function createTestCertificate(opts: TestCertificateOptions = {}): TestCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: opts.modulusLength ?? 2048 });
  const notBefore = opts.notBefore ?? new Date(Date.now() - 86_400_000);
  const notAfter = opts.notAfter ?? new Date(notBefore.getTime() + 365 * 86_400_000);
  const subject = name(opts.commonName ?? 'OpenHSSK test signer', opts.organization ?? 'OpenHSSK test (NOT A REAL CA)', 'VN');
  const serial = randomBytes(12);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const sigAlg = seq(oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00]));
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  // Without a CA role or an issuer the certificate stays the minimal v1 self-signed one it always was.
  const v3 = opts.ca || opts.issuer;
  const tbs = v3
    ? seq(
        tlv(0xa0, tlv(0x02, Buffer.from([0x02]))),
        tlv(0x02, serial),
        sigAlg,
        opts.issuer ? Buffer.from(opts.issuer.subjectDer, 'base64') : subject,
        seq(time(notBefore), time(notAfter)),
        subject,
        spki,
        opts.ca ? CA_EXTENSIONS() : LEAF_EXTENSIONS(),
      )
    : seq(tlv(0x02, serial), sigAlg, subject, seq(time(notBefore), time(notAfter)), subject, spki);
  const signature = sign('sha256', tbs, opts.issuer ? opts.issuer.privateKeyPem : privateKey);
  const der = seq(tbs, sigAlg, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n');
  return {
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    certPem: `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`,
    subjectDer: subject.toString('base64'),
  };
}

/** Alias used by the demo seeder. */
export const createSelfSignedCertificate = createTestCertificate;
