import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { base32Decode, base32Encode, hotp, otpauthUri, totpCode, verifyTotp } from './totp.ts';

// RFC 6238 appendix B test secret (ASCII "12345678901234567890") and SHA-1 vectors (8 digits there;
// the last 6 digits are what a 6-digit generator shows).
const RFC_SECRET = base32Encode(Buffer.from('12345678901234567890'));

describe('TOTP (RFC 6238)', () => {
  it('matches the RFC test vectors', () => {
    const vectors: Array<[number, string]> = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
    ];
    for (const [t, code8] of vectors) assert.equal(totpCode(RFC_SECRET, t * 1000), code8.slice(2));
  });

  it('matches the RFC 4226 HOTP vectors', () => {
    assert.equal(hotp(Buffer.from('12345678901234567890'), 0), '755224');
    assert.equal(hotp(Buffer.from('12345678901234567890'), 9), '520489');
  });

  it('accepts ±1 step and refuses replays and further drift', () => {
    const t = 1_700_000_000_000;
    const code = totpCode(RFC_SECRET, t);
    assert.ok(verifyTotp(RFC_SECRET, code, t + 30_000) !== undefined);
    assert.ok(verifyTotp(RFC_SECRET, code, t - 30_000) !== undefined);
    assert.equal(verifyTotp(RFC_SECRET, code, t + 90_000), undefined);
    const step = verifyTotp(RFC_SECRET, code, t)!;
    assert.equal(verifyTotp(RFC_SECRET, code, t, step), undefined);
    assert.equal(verifyTotp(RFC_SECRET, 'abcdef', t), undefined);
  });

  it('round-trips base32 and builds an otpauth URI', () => {
    const b = Buffer.from([1, 2, 3, 250, 251, 252, 7]);
    assert.deepEqual(base32Decode(base32Encode(b)), b);
    assert.match(otpauthUri('ABC', 'le.an'), /^otpauth:\/\/totp\/OpenHSSK%3Ale\.an\?secret=ABC&issuer=OpenHSSK/);
  });
});
