import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase, type TestDatabase } from '../../test-support/index.ts';
import { type CertificatePayload, signCertificate, verifyCertificate, verifyUrl } from './certificate.ts';
import { type CertificateKeys, loadCertificateKeys } from './keys.ts';

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe(`vaccination certificates: any change is detected (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let db: TestDatabase;
  let dir: string;
  let keys: CertificateKeys;
  let jws: string;
  const payload: CertificatePayload = {
    iss: 'https://hssk.example.vn',
    iat: 1_780_000_000,
    v: 1,
    n: 'Nguyễn Minh Khang',
    b: '2025-04-29',
    d: [
      ['2025-04-29', 'hepb', 1, '51242'],
      ['2025-06-29', 'diphtheria+tetanus+pertussis+hepb+hib', 1, '51242'],
    ],
  };

  before(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'imm-cert-'));
    keys = await loadCertificateKeys(db.db, { keysDir: dir, kek: undefined });
    jws = await signCertificate(keys, payload);
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await db.drop();
  });

  it('verifies the certificate as issued, bare or as the verification link', async () => {
    for (const input of [jws, verifyUrl(payload.iss, jws), ` ${verifyUrl(payload.iss, jws)}\n`]) {
      const r = await verifyCertificate(input, keys.jwks);
      assert.equal(r.valid, true);
      if (r.valid) {
        assert.deepEqual(r.holder, { name: 'Nguyễn Minh Khang', birth_date: '2025-04-29' });
        assert.deepEqual(r.doses.map((d) => [d.date, d.antigens.map((a) => a.code).join('+'), d.dose_no, d.facility_code]), payload.d);
      }
    }
  });

  it('refuses the token with any one character replaced, at every position', async () => {
    let checked = 0;
    for (let at = 0; at < jws.length; at++) {
      if (jws[at] === '.') continue;
      // Two replacements per position: the next character of the alphabet and one far away.
      for (const step of [1, 31]) {
        const c = B64URL[(B64URL.indexOf(jws[at]!) + step) % B64URL.length]!;
        const bad = jws.slice(0, at) + c + jws.slice(at + 1);
        const r = await verifyCertificate(bad, keys.jwks);
        assert.equal(r.valid, false, `position ${at} → ${c} must not verify`);
        checked++;
      }
    }
    assert.ok(checked > 400);
  });

  it('refuses a removed, added or swapped part and a payload signed by another key', async () => {
    const [h, p, s] = jws.split('.') as [string, string, string];
    for (const bad of [`${h}.${p}`, `${h}.${p}.${s}.${s}`, `${h}.${p}.`, `${h}..${s}`, `${p}.${h}.${s}`, `${h}.${p}.${s}A`, jws.slice(0, -1), `${jws} `.trim() + '=']) {
      assert.equal((await verifyCertificate(bad, keys.jwks)).valid, false, bad.slice(-20));
    }
    const otherDir = mkdtempSync(join(tmpdir(), 'imm-cert-other-'));
    try {
      const other = await loadCertificateKeys(db.db, { keysDir: otherDir, kek: undefined });
      const forged = await signCertificate(other, { ...payload, n: 'Người Khác' });
      const r = await verifyCertificate(forged, keys.jwks);
      assert.equal(r.valid, false);
      // The forger's key with our key id in the header still fails the signature.
      const [, fp, fs] = forged.split('.') as [string, string, string];
      assert.equal((await verifyCertificate(`${h}.${fp}.${fs}`, keys.jwks)).valid, false);
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });
});
