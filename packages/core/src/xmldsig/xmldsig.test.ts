import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { DOMParser } from '@xmldom/xmldom';
import { SignedXml } from 'xml-crypto';
import { buildCheckin, buildEnvelope } from '../xml130/build.ts';
import { parseEnvelope } from '../xml130/envelope.ts';
import { sampleCheckinRow, sampleEpisode } from '../xml130/testdata.ts';
import { signEnvelope } from './sign.ts';
import { createTestCertificate, type TestCertificate } from './testcert.ts';
import { certInfo, verifyEnvelopeSignature, verifyFast, verifyFull } from './verify.ts';

/** Independent oracle: plain xml-crypto with the expected certificate, nothing of ours. */
function xmlCryptoAccepts(xml: string, certPem: string): boolean {
  try {
    const doc = new DOMParser({ onError: () => {} }).parseFromString(xml, 'text/xml');
    const node = doc.getElementsByTagNameNS('http://www.w3.org/2000/09/xmldsig#', 'Signature')[0];
    if (!node) return false;
    const sig = new SignedXml({ publicCert: certPem });
    sig.loadSignature(node as unknown as Parameters<SignedXml['loadSignature']>[0]);
    return sig.checkSignature(xml);
  } catch {
    return false;
  }
}

let signer: TestCertificate;
let other: TestCertificate;
let unsigned: string;
let signed: string;
const trusted = () => [{ id: 'other', certPem: other.certPem }, { id: 'facility-cert', certPem: signer.certPem }];

before(() => {
  signer = createTestCertificate({ commonName: 'Bệnh viện Thử nghiệm', organization: '01001' });
  other = createTestCertificate({ modulusLength: 1024 });
  unsigned = buildEnvelope({ facilityCode: '01001', createdDate: '20240306', episodes: [sampleEpisode(1), sampleEpisode(2), sampleEpisode(3)] });
  signed = signEnvelope(unsigned, signer.privateKeyPem, signer.certPem);
});

describe('test certificates', () => {
  it('builds a self-signed certificate node:crypto accepts and certInfo reads', () => {
    const x = new X509Certificate(signer.certPem);
    assert.ok(x.verify(x.publicKey), 'self-signature verifies');
    assert.ok(x.subject.includes('CN=Bệnh viện Thử nghiệm'));
    const info = certInfo(signer.certPem);
    assert.equal(info.fingerprint256, x.fingerprint256);
    assert.ok(info.notBefore < new Date() && info.notAfter > new Date());
  });
});

describe('signEnvelope / verifyEnvelopeSignature', () => {
  it('signs so that xml-crypto verifies, and the envelope still parses', () => {
    assert.ok(xmlCryptoAccepts(signed, signer.certPem));
    const env = parseEnvelope(signed);
    assert.equal(env.hasSignature, true);
    assert.equal(env.episodes.length, 3);
  });
  it('verifies on the fast path and on the full path', () => {
    assert.deepEqual(verifyEnvelopeSignature(Buffer.from(signed), trusted()), { ok: true, certId: 'facility-cert', method: 'fast' });
    assert.deepEqual(verifyFull(signed, trusted()), { ok: true, certId: 'facility-cert', method: 'full' });
  });
  it('handles BOM and CRLF on the fast path with the verdict of xml-crypto', () => {
    const crlf = signEnvelope(unsigned.replace(/\n/g, '\r\n'), signer.privateKeyPem, signer.certPem);
    assert.ok(xmlCryptoAccepts(crlf, signer.certPem));
    assert.equal(verifyFast(crlf, trusted())?.ok, true);
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(signed)]);
    assert.deepEqual(verifyEnvelopeSignature(bom, trusted()), { ok: true, certId: 'facility-cert', method: 'fast' });
  });
  it('signs documents outside the fast profile through xml-crypto and verifies them on the full path', () => {
    const withComment = unsigned.replace('<THONGTINDONVI>', '<!-- vendor X --><THONGTINDONVI>');
    const s = signEnvelope(withComment, signer.privateKeyPem, signer.certPem);
    assert.ok(xmlCryptoAccepts(s, signer.certPem));
    assert.equal(verifyFast(s, trusted()), null);
    assert.deepEqual(verifyEnvelopeSignature(s, trusted()), { ok: true, certId: 'facility-cert', method: 'full' });
  });
  it('signs and verifies a check-in document', () => {
    const s = signEnvelope(buildCheckin([sampleCheckinRow()]), signer.privateKeyPem, signer.certPem);
    assert.ok(xmlCryptoAccepts(s, signer.certPem));
    assert.equal(verifyEnvelopeSignature(s, trusted()).ok, true);
  });

  const failures: Array<[string, () => string, string]> = [
    ['unsigned envelope', () => unsigned, 'SIGNATURE_MISSING'],
    ['tampered MACSKCB', () => signed.replace('<MACSKCB>01001<', '<MACSKCB>01002<'), 'SIGNATURE_INVALID'],
    ['tampered base64 content', () => signed.replace(/<NOIDUNGFILE>P/, '<NOIDUNGFILE>Q'), 'SIGNATURE_INVALID'],
    ['tampered whitespace', () => signed.replace('  <THONGTINHOSO>', ' <THONGTINHOSO>'), 'SIGNATURE_INVALID'],
    ['tampered digest', () => signed.replace(/<DigestValue>./, (m) => m.slice(0, -1) + (m.endsWith('A') ? 'B' : 'A')), 'SIGNATURE_INVALID'],
    ['tampered signature value', () => signed.replace(/<SignatureValue>./, (m) => m.slice(0, -1) + (m.endsWith('A') ? 'B' : 'A')), 'SIGNATURE_INVALID'],
    ['signature moved out of CHUKYDONVI', () => signed.replace(/<CHUKYDONVI>(.*)<\/CHUKYDONVI>/s, '<CHUKYDONVI></CHUKYDONVI>$1'), 'SIGNATURE_INVALID'],
    ['second signature (wrapping)', () => signed.replace('<THONGTINDONVI>', `<THONGTINDONVI>${/<Signature .*<\/Signature>/s.exec(signed)![0]}`), 'SIGNATURE_INVALID'],
    [
      'HOSO appended after signing (wrapping)',
      () => signed.replace('</DANHSACHHOSO>', '<HOSO><FILEHOSO><LOAIHOSO>XML1</LOAIHOSO><NOIDUNGFILE>QQ==</NOIDUNGFILE></FILEHOSO></HOSO></DANHSACHHOSO>'),
      'SIGNATURE_INVALID',
    ],
    ['DOCTYPE added', () => signed.replace('<GIAMDINHHS', '<!DOCTYPE GIAMDINHHS [<!ENTITY x "y">]><GIAMDINHHS'), 'SIGNATURE_INVALID'],
  ];
  for (const [name, make, expected] of failures) {
    it(`${name} → ${expected}`, () => {
      const r = verifyEnvelopeSignature(make(), trusted());
      assert.equal(r.ok, false);
      if (!r.ok) {
        assert.equal(r.code, expected);
        assert.ok(r.message_vi.length > 0 && r.message_en.length > 0);
      }
    });
  }
  it('refuses a valid signature by a certificate that is not registered', () => {
    const byOther = signEnvelope(unsigned, other.privateKeyPem, other.certPem);
    assert.ok(xmlCryptoAccepts(byOther, other.certPem));
    const r = verifyEnvelopeSignature(byOther, [{ id: 'facility-cert', certPem: signer.certPem }]);
    assert.equal(r.ok ? 'ok' : r.code, 'CERT_UNTRUSTED');
    assert.equal((verifyFull(byOther, [{ id: 'facility-cert', certPem: signer.certPem }]) as { code?: string }).code, 'CERT_UNTRUSTED');
  });
  it('refuses a swapped KeyInfo certificate (registered cert, signature by another key)', () => {
    const byOther = signEnvelope(unsigned, other.privateKeyPem, other.certPem);
    const signerB64 = new X509Certificate(signer.certPem).raw.toString('base64');
    const swapped = byOther.replace(/<X509Certificate>[^<]+</, `<X509Certificate>${signerB64}<`);
    const r = verifyEnvelopeSignature(swapped, trusted());
    assert.equal(r.ok ? 'ok' : r.code, 'SIGNATURE_INVALID');
  });
});

describe('differential: fast path vs xml-crypto on single-byte mutations', () => {
  it('never accepts what xml-crypto rejects (240 mutations)', () => {
    const small = signEnvelope(buildEnvelope({ facilityCode: '01001', createdDate: '20240306', episodes: [sampleEpisode(7, '01001', { drugs: 1, services: 1 })] }), signer.privateKeyPem, signer.certPem);
    const base = Buffer.from(small, 'utf8');
    // Bias half of the mutations into markup and the signature, where parsers and c14n differ.
    const sigStart = base.indexOf('<CHUKYDONVI>');
    const alphabet = Buffer.from('<>/&"\' =\r\n\tAZaz09+:!?-;#xX\u00e9');
    let seed = 0x9e3779b9;
    const rnd = (n: number) => {
      seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
      return seed % n;
    };
    let decidedFast = 0;
    for (let k = 0; k < 240; k++) {
      const m = Buffer.from(base);
      const pos = k % 2 === 0 ? rnd(m.length) : sigStart + rnd(m.length - sigStart);
      let byte = alphabet[rnd(alphabet.length)]!;
      if (byte === m[pos]) byte = byte === 0x41 ? 0x42 : 0x41;
      m[pos] = byte;
      const fast = verifyFast(m, trusted());
      const full = verifyFull(m, trusted());
      const oracle = xmlCryptoAccepts(m.toString('utf8'), signer.certPem);
      if (fast !== null) {
        decidedFast++;
        if (fast.ok) {
          assert.ok(full.ok, `fast accepted, full rejected at ${pos}`);
          assert.ok(oracle, `fast accepted, xml-crypto rejected at ${pos}`);
        }
        assert.equal(fast.ok, full.ok, `verdicts differ at byte ${pos} (${byte})`);
      }
      if (full.ok) assert.ok(oracle, `full accepted, xml-crypto rejected at ${pos}`);
    }
    assert.ok(decidedFast > 100, `fast path decided only ${decidedFast} cases`);
  });
});

/** Signs like older .NET / USB-token signer products: chosen algorithms, optionally no certificate in KeyInfo. */
function signWith(xml: string, opts: { sha1: boolean; includeCert: boolean }): string {
  const sig = new SignedXml({
    privateKey: signer.privateKeyPem,
    publicCert: opts.includeCert ? signer.certPem : undefined,
    signatureAlgorithm: opts.sha1 ? 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' : 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
    canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    getKeyInfoContent: opts.includeCert ? undefined : () => '',
  });
  sig.addReference({
    xpath: '/*',
    uri: '',
    isEmptyUri: true,
    transforms: ['http://www.w3.org/2000/09/xmldsig#enveloped-signature', 'http://www.w3.org/2001/10/xml-exc-c14n#'],
    digestAlgorithm: opts.sha1 ? 'http://www.w3.org/2000/09/xmldsig#sha1' : 'http://www.w3.org/2001/04/xmlenc#sha256',
  });
  sig.computeSignature(xml.replace('<CHUKYDONVI></CHUKYDONVI>', '<CHUKYDONVI/>'), {
    location: { reference: "/*/*[local-name()='CHUKYDONVI']", action: 'append' },
  });
  return sig.getSignedXml();
}

describe('signer variants seen in the field', () => {
  it('accepts RSA-SHA1 only when allowed, and flags it as weak', () => {
    const xml = signWith(unsigned, { sha1: true, includeCert: true });
    assert.ok(xmlCryptoAccepts(xml, signer.certPem), 'oracle accepts the SHA-1 signature');
    const strict = verifyEnvelopeSignature(xml, trusted());
    assert.equal(strict.ok, false);
    const lenient = verifyEnvelopeSignature(xml, trusted(), { allowSha1: true });
    assert.ok(lenient.ok);
    assert.equal(lenient.weakAlgorithm, true);
    assert.equal(lenient.certId, 'facility-cert');
  });

  it('verifies a signature without a certificate in KeyInfo against the registered certificates only', () => {
    const xml = signWith(unsigned, { sha1: false, includeCert: false });
    assert.doesNotMatch(xml, /X509Certificate/);
    const ok = verifyEnvelopeSignature(xml, trusted());
    assert.ok(ok.ok);
    assert.equal(ok.certId, 'facility-cert');
    assert.equal(ok.weakAlgorithm, undefined);
    const untrusted = verifyEnvelopeSignature(xml, [{ id: 'other', certPem: other.certPem }]);
    assert.equal(untrusted.ok, false);
    const tampered = verifyEnvelopeSignature(xml.replace(/<NGAYLAP>\d+/, '<NGAYLAP>20240307'), trusted());
    assert.equal(tampered.ok, false);
    if (!tampered.ok) assert.equal(tampered.code, 'SIGNATURE_INVALID');
  });
});
