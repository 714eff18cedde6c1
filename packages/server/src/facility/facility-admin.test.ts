import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestCertificate } from '@openhssk/core/xmldsig';
import type { FastifyInstance } from 'fastify';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { insertEpisode, staffSession } from '../../test-support/staff.ts';
import { upsertPersons } from '../person/index.ts';
import { checkCredential, createFacility, issueCredential } from './registry.ts';

describe(`facility onboarding and submission monitor (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let sysadmin: string;
  let adminA: string;
  let officer: string;

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await db.db
      .insertInto('admin_unit')
      .values([
        { code: '51', level: 'province', name: 'Tỉnh Q', parent_code: null, valid_from: null, valid_to: null },
        { code: '522', level: 'district', name: 'Huyện T', parent_code: '51', valid_from: null, valid_to: null },
        { code: '523', level: 'district', name: 'Huyện K', parent_code: '51', valid_from: null, valid_to: null },
        { code: '21550', level: 'commune', name: 'Xã A', parent_code: '522', valid_from: null, valid_to: null },
      ])
      .execute();
    await createFacility(db.db, { code: '51040', name: 'TTYT huyện T', adminUnitCode: '522', testMode: true });
    await createFacility(db.db, { code: '51041', name: 'Trạm y tế xã A', adminUnitCode: '21550' });
    await createFacility(db.db, { code: '51050', name: 'TTYT huyện K', adminUnitCode: '523' });
    sysadmin = (await staffSession(app, db.db, { username: 'root', fullName: 'Root', role: 'system_admin' })).cookie;
    adminA = (await staffSession(app, db.db, { username: 'qt.a', fullName: 'QT A', role: 'facility_admin', facilityCode: '51040' })).cookie;
    officer = (await staffSession(app, db.db, { username: 'cb.t', fullName: 'Cán bộ T', role: 'health_officer', adminUnitCode: '522' })).cookie;
  });
  after(async () => close());

  it('system admin registers facilities with a validated 5-digit code', async () => {
    const bad = await app.inject({ method: 'POST', url: '/api/v1/facilities', headers: { cookie: sysadmin }, payload: { code: '5104', name: 'X' } });
    assert.equal(bad.statusCode, 400);
    const ok = await app.inject({ method: 'POST', url: '/api/v1/facilities', headers: { cookie: sysadmin }, payload: { code: '51099', name: 'Phòng khám mới', admin_unit_code: '523', bhyt_contract: false } });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().bhyt_contract, false);
    const byAdmin = await app.inject({ method: 'POST', url: '/api/v1/facilities', headers: { cookie: adminA }, payload: { code: '51098', name: 'X' } });
    assert.equal(byAdmin.statusCode, 403);
    const del = await app.inject({ method: 'DELETE', url: '/api/v1/facilities/51099', headers: { cookie: sysadmin } });
    assert.equal(del.statusCode, 204);
  });

  it('a facility admin cannot manage another facility', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/facilities/51050'],
      ['POST', '/api/v1/facilities/51050/credentials/rotate'],
      ['GET', '/api/v1/facility/submissions?facility=51050'],
      ['PATCH', '/api/v1/facilities/51050'],
    ] as const) {
      const r = await app.inject({ method, url, headers: { cookie: adminA }, payload: method === 'PATCH' ? { test_mode: false } : {} });
      assert.equal(r.statusCode, 403, `${method} ${url}`);
    }
    const up = await app.inject({ method: 'POST', url: '/api/v1/facilities/51050/certificates', headers: { cookie: adminA, 'content-type': 'application/x-pem-file' }, payload: createTestCertificate().certPem });
    assert.equal(up.statusCode, 403);
    const rename = await app.inject({ method: 'PATCH', url: '/api/v1/facilities/51040', headers: { cookie: adminA }, payload: { name: 'Đổi tên' } });
    assert.equal(rename.statusCode, 403, 'registry fields belong to the system admin');
  });

  it('a district officer sees only facilities of their district', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/v1/facilities', headers: { cookie: officer } });
    assert.deepEqual((list.json().facilities as Array<{ code: string }>).map((f) => f.code), ['51040', '51041']);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/facility/submissions?facility=51041', headers: { cookie: officer } })).statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/facility/submissions?facility=51050', headers: { cookie: officer } })).statusCode, 403);
    assert.equal((await app.inject({ method: 'POST', url: '/api/v1/facilities/51040/credentials/rotate', headers: { cookie: officer } })).statusCode, 403, 'officers view, they do not manage');
  });

  it('the checklist turns green step by step', async () => {
    const check = async () => (await app.inject({ method: 'GET', url: '/api/v1/facilities/51040', headers: { cookie: adminA } })).json();
    let c = await check();
    assert.equal(c.badge, 'not_ready');
    assert.equal(c.badge_vi, 'chưa sẵn sàng');

    const rot = await app.inject({ method: 'POST', url: '/api/v1/facilities/51040/credentials/rotate', headers: { cookie: adminA } });
    assert.equal(rot.statusCode, 201);
    assert.ok(rot.json().client_secret);
    c = await check();
    assert.equal(c.badge, 'integrating');

    // Multipart upload of a certificate that expires in 10 days: accepted with a warning.
    const soon = createTestCertificate({ notBefore: new Date(Date.now() - 86400_000), notAfter: new Date(Date.now() + 10 * 86400_000) });
    const boundary = '----hssk';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cert.pem"\r\nContent-Type: application/x-pem-file\r\n\r\n${soon.certPem}\r\n--${boundary}--\r\n`;
    const up = await app.inject({ method: 'POST', url: '/api/v1/facilities/51040/certificates', headers: { cookie: adminA, 'content-type': `multipart/form-data; boundary=${boundary}` }, payload: body });
    assert.equal(up.statusCode, 201, up.body);
    c = await check();
    const certItem = c.items.find((i: { key: string }) => i.key === 'certificate');
    assert.ok(up.json().warning_vi);
    assert.equal(certItem.state, 'warning');
    assert.equal(c.badge, 'integrating');

    // A long-lived certificate as raw DER.
    const der = Buffer.from(createTestCertificate().certPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const up2 = await app.inject({ method: 'POST', url: '/api/v1/facilities/51040/certificates', headers: { cookie: adminA, 'content-type': 'application/pkix-cert' }, payload: der });
    assert.equal(up2.statusCode, 201, up2.body);
    const bad = await app.inject({ method: 'POST', url: '/api/v1/facilities/51040/certificates', headers: { cookie: adminA, 'content-type': 'application/x-pem-file' }, payload: 'not a cert' });
    assert.equal(bad.json().code, 'CERT_INVALID');

    const tm = await app.inject({ method: 'PATCH', url: '/api/v1/facilities/51040', headers: { cookie: adminA }, payload: { test_mode: false } });
    assert.equal(tm.statusCode, 200);
    c = await check();
    assert.equal(c.badge, 'integrating', 'no data yet');
    await insertEpisode(db.db, { facility: '51040', personId: null, ngayVao: '2026-01-02 08:00:00' });
    c = await check();
    assert.equal(c.badge, 'connected');
    assert.equal(c.badge_vi, 'đã kết nối');
    assert.ok(c.items.every((i: { state: string }) => i.state !== 'missing'));
  });

  it('rotation keeps the old secret during the grace period only', async () => {
    const old = await issueCredential(db.db, '51041');
    const admin41 = (await staffSession(app, db.db, { username: 'qt.41', fullName: 'QT 41', role: 'facility_admin', facilityCode: '51041' })).cookie;
    const graced = await app.inject({ method: 'POST', url: '/api/v1/facilities/51041/credentials/rotate', headers: { cookie: admin41 }, payload: { grace_hours: 2 } });
    assert.equal(graced.statusCode, 201);
    assert.equal(await checkCredential(db.db, old.clientId, old.clientSecret), '51041', 'old secret works during grace');
    assert.equal(await checkCredential(db.db, graced.json().client_id, graced.json().client_secret), '51041');
    const now = await app.inject({ method: 'POST', url: '/api/v1/facilities/51041/credentials/rotate', headers: { cookie: admin41 }, payload: { grace_hours: 0 } });
    assert.equal(now.statusCode, 201);
    assert.equal(await checkCredential(db.db, old.clientId, old.clientSecret), undefined);
    assert.equal(await checkCredential(db.db, graced.json().client_id, graced.json().client_secret), undefined);
    assert.equal(await checkCredential(db.db, now.json().client_id, now.json().client_secret), '51041');
  });

  it('the submission monitor flags episodes sent more than 24 h after discharge (Vietnam time)', async () => {
    await upsertPersons(db.db, [{ id: 'PM', ho_ten: 'X', so_cccd: '051080009999' }]);
    // Discharged 10:00 VN = 03:00Z. Received 20 h later (in time) and 30 h later (late).
    await insertEpisode(db.db, { facility: '51041', personId: 'PM', ngayVao: '2026-03-01 08:00:00', ngayRa: '2026-03-01 10:00:00', receivedAt: new Date(Date.now() - 1000) });
    const base = Date.parse('2026-03-01T03:00:00Z');
    await db.db.updateTable('episode').set({ received_at: new Date(base + 20 * 3600_000) }).where('facility_code', '=', '51041').execute();
    await insertEpisode(db.db, { facility: '51041', personId: 'PM', ngayVao: '2026-03-01 08:00:00', ngayRa: '2026-03-01 10:00:00' });
    const lateId = (await db.db.selectFrom('episode').select('id').where('facility_code', '=', '51041').orderBy('id', 'desc').executeTakeFirstOrThrow()).id;
    await db.db.updateTable('episode').set({ received_at: new Date(base + 30 * 3600_000) }).where('id', '=', lateId).execute();
    const r = await app.inject({ method: 'GET', url: '/api/v1/facility/submissions?facility=51041&days=366', headers: { cookie: officer } });
    assert.equal(r.statusCode, 200, r.body);
    const m = r.json();
    if (Date.now() - (base + 30 * 3600_000) < 366 * 86400_000) {
      assert.deepEqual(m.late_episodes.map((e: { id: number }) => e.id), [lateId]);
      assert.equal(m.late_episodes[0].hours_after_discharge, 30);
    }
    assert.ok(m.daily.length >= 1);
    assert.ok(m.receipts.length >= 2);
    assert.match(m.resubmit_vi, /MA_LK/);
  });
});
