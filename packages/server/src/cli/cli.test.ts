import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';

const REPO = new URL('../../../..', import.meta.url).pathname;
const BIN = join(REPO, 'packages/server/bin/hssk.mjs');
const run = promisify(execFile);

describe('hssk CLI: a new facility, its certificate, then its signed envelopes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hssk-cli-'));
  const env = { ...process.env, HSSK_DATA_DIR: join(dir, 'data'), HSSK_DEMO: '0', DATABASE_URL: '' };
  const hssk = (...args: string[]) => run(process.execPath, [BIN, ...args], { env, cwd: dir });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('registers the certificate (PEM or DER) and imports what it signed', async () => {
    const signer = createTestCertificate({ organization: '46001' });
    writeFileSync(join(dir, 'cert.pem'), signer.certPem);
    mkdirSync(join(dir, 'in'));
    const episodes = [1, 2, 3].map((i) => sampleEpisode(i, '46001'));
    writeFileSync(join(dir, 'in', 'a.xml'), signEnvelope(buildEnvelope({ facilityCode: '46001', createdDate: '20240305', episodes }), signer.privateKeyPem, signer.certPem));

    await hssk('facility', 'create', '--code', '46001', '--name', 'Trạm y tế thử');
    await assert.rejects(hssk('facility', 'cert', '--code', '46009', '--file', join(dir, 'cert.pem')), /46009 is not registered/);
    await assert.rejects(hssk('facility', 'cert', '--code', '46001', '--file', join(dir, 'in', 'a.xml')), /CERT_INVALID|không hợp lệ/);
    const before = await hssk('import', 'xml130', join(dir, 'in'), '--facility', '46001', '--journal', join(dir, 'j1.json')).catch((e: { stdout: string }) => e);
    assert.match(before.stdout, /CERT_UNTRUSTED/, 'refused before the certificate is registered');

    const der = await import('node:crypto').then(({ X509Certificate }) => new X509Certificate(signer.certPem).raw);
    writeFileSync(join(dir, 'cert.der'), der);
    const reg = await hssk('facility', 'cert', '--code', '46001', '--file', join(dir, 'cert.der'));
    assert.match(reg.stdout, /Certificate registered for 46001/);
    const imp = await hssk('import', 'xml130', join(dir, 'in'), '--facility', '46001', '--journal', join(dir, 'j2.json'));
    assert.match(imp.stdout, /Hồ sơ: 3 hợp lệ/);
  });
});
