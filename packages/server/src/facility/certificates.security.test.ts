import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { sampleCheckinRow, sampleEpisode } from '@openhssk/core/testing';
import { buildCheckin, buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import type { FastifyInstance } from 'fastify';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { enrolTotp, staffSession } from '../../test-support/staff.ts';
import { migrate, openDatabase } from '../db/index.ts';
import { addCertificate } from './certificates.ts';
import { createFacility } from './registry.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';

const enc = encodeURIComponent;

describe(`facility signing certificates: pending, approval with MFA, revocation (${DB})`, () => {
  const FAC = '48010';
  const OTHER = '48020';
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let token: string;
  let clientId: string;
  let clientSecret: string;
  let admin: string;
  let otherAdmin: string;
  let fingerprint: string;
  const signer = createTestCertificate({ commonName: 'BV thử chứng thư', organization: FAC });
  let n = 0;
  const envelope = (count = 1) =>
    signEnvelope(
      buildEnvelope({ facilityCode: FAC, createdDate: '20260105', episodes: Array.from({ length: count }, () => sampleEpisode(++n + 700, FAC)) }),
      signer.privateKeyPem,
      signer.certPem,
    );
  const submit = (body: string) => app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, payload: body });
  const certs = async (cookie = admin) => (await app.inject({ method: 'GET', url: `/api/v1/facilities/${FAC}/certificates`, headers: { cookie } })).json().certificates as Array<{ fingerprint256: string; status: string; status_vi: string }>;
  const auditOf = (action: string, resource: string) => db.db.selectFrom('audit_event').select(['actor_type', 'actor_id', 'facility_code', 'detail']).where('action', '=', action).where('resource', '=', resource).execute();

  before(async () => {
    ({ app, db, close } = await startTestApp());
    ({ token, clientId, clientSecret } = await facilityWithToken(app, db, FAC));
    await createFacility(db.db, { code: OTHER, name: 'Cơ sở khác' });
    admin = (await staffSession(app, db.db, { username: 'qt.48010', fullName: 'Quản trị 48010', role: 'facility_admin', facilityCode: FAC })).cookie;
    otherAdmin = (await staffSession(app, db.db, { username: 'qt.48020', fullName: 'Quản trị 48020', role: 'facility_admin', facilityCode: OTHER })).cookie;
  });
  after(async () => close());

  it('a certificate sent with a facility token is pending, and an envelope signed with it is refused CERT_UNTRUSTED', async () => {
    const up = await app.inject({ method: 'POST', url: '/api/v1/facility/certificates', headers: { 'content-type': 'application/x-pem-file', authorization: `Bearer ${token}` }, payload: signer.certPem });
    assert.equal(up.statusCode, 201, up.body);
    assert.equal(up.json().status, 'pending');
    fingerprint = up.json().fingerprint256;
    const r = await submit(envelope());
    assert.equal(r.statusCode, 422, r.body);
    assert.equal(r.json().code, 'CERT_UNTRUSTED');
    assert.equal(await db.db.selectFrom('episode').select('id').where('facility_code', '=', FAC).executeTakeFirst(), undefined, 'nothing stored');
    const listed = (await certs()).find((c) => c.fingerprint256 === fingerprint);
    assert.equal(listed?.status, 'pending');
    assert.equal(listed?.status_vi, 'Chờ duyệt');
    // The onboarding checklist does not count a certificate nobody approved.
    const ob = (await app.inject({ method: 'GET', url: `/api/v1/facilities/${FAC}`, headers: { cookie: admin } })).json();
    assert.equal(ob.items.find((i: { key: string }) => i.key === 'certificate').state, 'missing');
  });

  it('a signed XML0 check-in with a pending certificate is refused CERT_UNTRUSTED', async () => {
    const doc = signEnvelope(buildCheckin([sampleCheckinRow(FAC)]), signer.privateKeyPem, signer.certPem);
    const r = await app.inject({ method: 'POST', url: '/api/v1/xml130/checkins', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, payload: doc });
    assert.equal(r.statusCode, 422, r.body);
    assert.equal(r.json().code, 'CERT_UNTRUSTED');
  });

  it('approval without TOTP is refused MFA_REQUIRED; another facility’s admin cannot approve at all', async () => {
    const url = `/api/v1/facilities/${FAC}/certificates/${enc(fingerprint)}/approve`;
    const noMfa = await app.inject({ method: 'POST', url, headers: { cookie: admin }, payload: {} });
    assert.equal(noMfa.statusCode, 403, noMfa.body);
    assert.equal(noMfa.json().code, 'MFA_REQUIRED');
    assert.ok(noMfa.json().message_vi.includes('xác thực hai lớp'));
    await enrolTotp(app, otherAdmin);
    const foreign = await app.inject({ method: 'POST', url, headers: { cookie: otherAdmin }, payload: {} });
    assert.equal(foreign.statusCode, 403);
    assert.equal((await certs()).find((c) => c.fingerprint256 === fingerprint)?.status, 'pending');
    assert.equal((await submit(envelope())).json().code, 'CERT_UNTRUSTED', 'still refused');
  });

  it('approval by the facility admin with TOTP makes envelopes signed with it accepted', async () => {
    await enrolTotp(app, admin);
    const ok = await app.inject({ method: 'POST', url: `/api/v1/facilities/${FAC}/certificates/${enc(fingerprint)}/approve`, headers: { cookie: admin }, payload: {} });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().status, 'approved');
    assert.match(ok.json().approved_by, /^staff:/);
    const r = await submit(envelope(2));
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().counts.accepted + r.json().counts.accepted_with_warnings, 2);
    assert.equal(r.json().signature.verified, true);
    const again = await app.inject({ method: 'POST', url: `/api/v1/facilities/${FAC}/certificates/${enc(fingerprint)}/approve`, headers: { cookie: admin }, payload: {} });
    assert.equal(again.json().code, 'CERT_ALREADY_APPROVED');
  });

  it('revocation takes effect on the next envelope (CERT_REVOKED) and flags the episodes it let in', async () => {
    const accepted = await db.db.selectFrom('episode').select(['id', 'ma_lk']).where('facility_code', '=', FAC).execute();
    assert.equal(accepted.length, 2);
    const rv = await app.inject({ method: 'POST', url: `/api/v1/facilities/${FAC}/certificates/${enc(fingerprint)}/revoke`, headers: { cookie: admin }, payload: { reason: 'Máy chủ HIS bị xâm nhập' } });
    assert.equal(rv.statusCode, 200, rv.body);
    assert.equal(rv.json().status, 'revoked');

    const r = await submit(envelope());
    assert.equal(r.statusCode, 422, r.body);
    assert.equal(r.json().code, 'CERT_REVOKED');
    const doc = signEnvelope(buildCheckin([sampleCheckinRow(FAC)]), signer.privateKeyPem, signer.certPem);
    const chk = await app.inject({ method: 'POST', url: '/api/v1/xml130/checkins', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, payload: doc });
    assert.equal(chk.json().code, 'CERT_REVOKED');
    assert.equal((await db.db.selectFrom('episode').select('id').where('facility_code', '=', FAC).execute()).length, 2, 'nothing new stored');

    const m = (await app.inject({ method: 'GET', url: `/api/v1/facility/submissions?facility=${FAC}`, headers: { cookie: admin } })).json();
    const flagged = m.revoked_certificate_episodes;
    assert.equal(flagged.count, 2);
    assert.deepEqual(flagged.episodes.map((e: { ma_lk: string }) => e.ma_lk).sort(), accepted.map((e) => e.ma_lk).sort());
    assert.equal(flagged.episodes[0].fingerprint256, fingerprint);
    assert.match(flagged.label_vi, /chứng thư số đã bị thu hồi/);
    assert.ok(m.receipts.some((x: { certificate_revoked: boolean }) => x.certificate_revoked));

    const listed = (await certs()).find((c) => c.fingerprint256 === fingerprint);
    assert.equal(listed?.status_vi, 'Đã thu hồi');
    // Final: neither an approval nor a fresh upload brings it back.
    const reapprove = await app.inject({ method: 'POST', url: `/api/v1/facilities/${FAC}/certificates/${enc(fingerprint)}/approve`, headers: { cookie: admin }, payload: {} });
    assert.equal(reapprove.json().code, 'CERT_REVOKED');
    const rerevoke = await app.inject({ method: 'POST', url: `/api/v1/facilities/${FAC}/certificates/${enc(fingerprint)}/revoke`, headers: { cookie: admin }, payload: {} });
    assert.equal(rerevoke.json().code, 'CERT_ALREADY_REVOKED');
    const reupload = await app.inject({ method: 'POST', url: '/api/v1/facility/certificates', headers: { 'content-type': 'application/x-pem-file', authorization: `Bearer ${token}` }, payload: signer.certPem });
    assert.equal(reupload.statusCode, 409);
    assert.equal(reupload.json().code, 'CERT_REVOKED');
  });

  it('another facility’s admin cannot revoke', async () => {
    const second = createTestCertificate({ organization: FAC });
    const up = await app.inject({ method: 'POST', url: '/api/v1/facility/certificates', headers: { 'content-type': 'application/x-pem-file', authorization: `Bearer ${token}` }, payload: second.certPem });
    const fp = up.json().fingerprint256;
    const r = await app.inject({ method: 'POST', url: `/api/v1/facilities/${FAC}/certificates/${enc(fp)}/revoke`, headers: { cookie: otherAdmin }, payload: {} });
    assert.equal(r.statusCode, 403);
    assert.equal((await certs()).find((c) => c.fingerprint256 === fp)?.status, 'pending');
  });

  it('a facility admin’s upload in the staff portal is trusted at once and records who approved it', async () => {
    const own = createTestCertificate({ organization: FAC });
    const up = await app.inject({ method: 'POST', url: `/api/v1/facilities/${FAC}/certificates`, headers: { cookie: admin, 'content-type': 'application/x-pem-file' }, payload: own.certPem });
    assert.equal(up.statusCode, 201, up.body);
    assert.equal(up.json().status, 'approved');
    const row = (await app.inject({ method: 'GET', url: `/api/v1/facilities/${FAC}/certificates`, headers: { cookie: admin } })).json().certificates.find((c: { fingerprint256: string }) => c.fingerprint256 === up.json().fingerprint256);
    assert.match(row.approved_by, /^staff:.*Quản trị 48010/);
    const [a] = await auditOf('facility.certificate.approve', `facility/${FAC}/certificate/${up.json().fingerprint256}`);
    assert.equal(a?.actor_type, 'staff');
  });

  it('every upload, approval and revocation is audited with its actor and the certificate fingerprint', async () => {
    const resource = `facility/${FAC}/certificate/${fingerprint}`;
    const [upload] = await auditOf('facility.certificate.upload', resource);
    assert.equal(upload?.actor_type, 'facility');
    assert.equal(upload?.actor_id, clientId);
    assert.equal(upload?.facility_code, FAC);
    const [approve] = await auditOf('facility.certificate.approve', resource);
    assert.equal(approve?.actor_type, 'staff');
    const [revoke] = await auditOf('facility.certificate.revoke', resource);
    assert.equal(revoke?.actor_type, 'staff');
    assert.equal((revoke?.detail as { reason?: string } | undefined)?.reason, 'Máy chủ HIS bị xâm nhập');
  });

  it('facility token issuance is audited, successful and refused alike (never the secret)', async () => {
    const good = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret } });
    assert.equal(good.statusCode, 200);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong-secret-value' } });
    assert.equal(bad.statusCode, 401);
    const issued = await auditOf('facility.token.issue', `facility-credential/${clientId}`);
    assert.ok(issued.length >= 2, 'facilityWithToken and this one');
    assert.ok(issued.every((a) => a.actor_type === 'facility' && a.facility_code === FAC));
    const refused = await auditOf('facility.token.refuse', `facility-credential/${clientId}`);
    assert.equal(refused.length, 1);
    assert.equal((refused[0]?.detail as { code: string } | undefined)?.code, 'INVALID_CLIENT');
    assert.equal(refused[0]?.facility_code, FAC);
    assert.ok(!JSON.stringify([...issued, ...refused]).includes(clientSecret) && !JSON.stringify(refused).includes('wrong-secret-value'));
  });
});

describe(`in production a staff upload without TOTP waits for approval (${DB})`, () => {
  it('an upload by a facility admin without TOTP is pending, so it cannot bypass the approval MFA', async () => {
    // Production with TOTP not demanded of facility admins (HSSK_TOTP_REQUIRED_ROLES leaves them out).
    const t = await startTestApp({ config: { production: true, totpRequiredRoles: [] } });
    try {
      await createFacility(t.db.db, { code: '48040', name: 'Cơ sở 48040' });
      const cookie = (await staffSession(t.app, t.db.db, { username: 'qt.48040', fullName: 'Quản trị 48040', role: 'facility_admin', facilityCode: '48040' })).cookie;
      const up = await t.app.inject({
        method: 'POST',
        url: '/api/v1/facilities/48040/certificates',
        headers: { cookie, 'content-type': 'application/x-pem-file', origin: t.url },
        payload: createTestCertificate({ organization: '48040' }).certPem,
      });
      assert.equal(up.statusCode, 201, up.body);
      assert.equal(up.json().status, 'pending');
    } finally {
      await t.close();
    }
  });
});

describe(`facility signing certificates chained to installed CAs (${DB})`, () => {
  const FAC = '48030';
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let token: string;
  let admin: string;
  const caDir = mkdtempSync(join(tmpdir(), 'hssk-ca-'));
  const root = createTestCertificate({ commonName: 'Root CA thử nghiệm', ca: true });
  const intermediate = createTestCertificate({ commonName: 'CA cấp dưới thử nghiệm', ca: true, issuer: root });
  const leaf = createTestCertificate({ commonName: 'BV thử CA', issuer: intermediate });
  const selfSigned = createTestCertificate({ organization: FAC });
  const saved = process.env.HSSK_TRUSTED_CA_DIR;
  const tokenUpload = (pem: string) =>
    app.inject({ method: 'POST', url: '/api/v1/facility/certificates', headers: { 'content-type': 'application/x-pem-file', authorization: `Bearer ${token}` }, payload: pem });
  const approve = (fp: string) => app.inject({ method: 'POST', url: `/api/v1/facilities/${FAC}/certificates/${enc(fp)}/approve`, headers: { cookie: admin }, payload: {} });

  before(async () => {
    writeFileSync(join(caDir, 'root.pem'), root.certPem);
    // DER, as CAs publish them: both encodings are read.
    writeFileSync(join(caDir, 'intermediate.cer'), new X509Certificate(intermediate.certPem).raw);
    writeFileSync(join(caDir, 'README.txt'), 'not a certificate');
    process.env.HSSK_TRUSTED_CA_DIR = caDir;
    try {
      ({ app, db, close } = await startTestApp());
    } finally {
      if (saved === undefined) delete process.env.HSSK_TRUSTED_CA_DIR;
      else process.env.HSSK_TRUSTED_CA_DIR = saved;
    }
    ({ token } = await facilityWithToken(app, db, FAC));
    admin = (await staffSession(app, db.db, { username: 'qt.48030', fullName: 'Quản trị 48030', role: 'facility_admin', facilityCode: FAC })).cookie;
    await enrolTotp(app, admin);
  });
  after(async () => {
    await close();
    rmSync(caDir, { recursive: true, force: true });
  });

  it('a self-signed certificate cannot be approved when CAs are installed', async () => {
    const up = await tokenUpload(selfSigned.certPem);
    assert.equal(up.json().status, 'pending');
    const list = (await app.inject({ method: 'GET', url: `/api/v1/facilities/${FAC}/certificates`, headers: { cookie: admin } })).json();
    assert.equal(list.chain_required, true);
    assert.equal(list.certificates.find((c: { fingerprint256: string }) => c.fingerprint256 === up.json().fingerprint256).chain_ok, false);
    const r = await approve(up.json().fingerprint256);
    assert.equal(r.statusCode, 422, r.body);
    assert.equal(r.json().code, 'CERT_CHAIN_UNTRUSTED');
    // Nor through the portal upload, which would approve it at once.
    const portal = await app.inject({ method: 'POST', url: `/api/v1/facilities/${FAC}/certificates`, headers: { cookie: admin, 'content-type': 'application/x-pem-file' }, payload: selfSigned.certPem });
    assert.equal(portal.json().code, 'CERT_CHAIN_UNTRUSTED');
    const signed = signEnvelope(buildEnvelope({ facilityCode: FAC, createdDate: '20260105', episodes: [sampleEpisode(801, FAC)] }), selfSigned.privateKeyPem, selfSigned.certPem);
    const sent = await app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, payload: signed });
    assert.equal(sent.json().code, 'CERT_UNTRUSTED');
  });

  it('a certificate issued under an installed root (through an intermediate) can be approved and then signs', async () => {
    const up = await tokenUpload(leaf.certPem);
    assert.equal(up.statusCode, 201, up.body);
    const r = await approve(up.json().fingerprint256);
    assert.equal(r.statusCode, 200, r.body);
    const signed = signEnvelope(buildEnvelope({ facilityCode: FAC, createdDate: '20260105', episodes: [sampleEpisode(802, FAC)] }), leaf.privateKeyPem, leaf.certPem);
    const sent = await app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, payload: signed });
    assert.equal(sent.statusCode, 201, sent.body);
  });

  it('a CA certificate outside the directory does not vouch for its leaf', async () => {
    const strangerRoot = createTestCertificate({ commonName: 'Root lạ', ca: true });
    const strangerLeaf = createTestCertificate({ commonName: 'BV lạ', issuer: strangerRoot });
    const up = await tokenUpload(strangerLeaf.certPem);
    assert.equal((await approve(up.json().fingerprint256)).json().code, 'CERT_CHAIN_UNTRUSTED');
  });
});

// The command line reaches the same functions; it runs on its own embedded database.
describe('hssk facility cert-revoke', { skip: DB === 'postgres' ? 'the CLI test uses its own embedded database; once is enough' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'hssk-cli-revoke-'));
  const env = { ...process.env, HSSK_DATA_DIR: join(dir, 'data'), HSSK_DEMO: '0', DATABASE_URL: '', HSSK_TRUSTED_CA_DIR: '' };
  const bin = new URL('../../bin/hssk.mjs', import.meta.url).pathname;
  const hssk = (...args: string[]) => promisify(execFile)(process.execPath, [bin, ...args], { env, cwd: dir });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('revokes by fingerprint (colons optional) and refuses envelopes signed with it', async () => {
    const signer = createTestCertificate({ organization: '48040' });
    writeFileSync(join(dir, 'cert.pem'), signer.certPem);
    writeFileSync(join(dir, 'a.xml'), signEnvelope(buildEnvelope({ facilityCode: '48040', createdDate: '20260105', episodes: [sampleEpisode(1, '48040')] }), signer.privateKeyPem, signer.certPem));
    // Set up in-process on the CLI's data directory: every spawn pays for opening the database.
    const h = await openDatabase({ url: undefined, dataDir: join(dir, 'data', 'pglite') });
    try {
      await migrate(h);
      await createFacility(h.db, { code: '48040', name: 'Trạm thử thu hồi' });
      assert.equal((await addCertificate(h.db, '48040', signer.certPem)).status, 'approved', 'the operator path approves at once');
    } finally {
      await h.close();
    }
    const fp = new X509Certificate(signer.certPem).fingerprint256;
    const rv = await hssk('facility', 'cert-revoke', '--code', '48040', '--fingerprint', fp.replace(/:/g, '').toLowerCase(), '--reason', 'khóa bị lộ');
    assert.match(rv.stdout, /Certificate revoked for 48040/);
    const imp = await hssk('import', 'xml130', join(dir, 'a.xml'), '--facility', '48040', '--journal', join(dir, 'j.json')).catch((e: { stdout: string }) => e);
    assert.match(imp.stdout, /CERT_REVOKED/);
  });
});
