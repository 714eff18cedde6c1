import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleCheckinRow, sampleEpisode } from '@openhssk/core/testing';
import { buildCheckin, buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import type { FastifyInstance } from 'fastify';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { addCertificate } from '../facility/index.ts';
import type { Receipt } from '../ingest/index.ts';
import { issuePortalPassword, portalPasswordDigest } from './credentials.ts';

const FAC = '79010';

interface PortalAnswer {
  maKetQua: string;
  maGiaoDich: string;
  thoiGianTiepNhan: string;
  thongDiep: string;
  code?: string;
}

describe(`national-portal compatible endpoints (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let clientId: string;
  let restToken: string;
  let password: string;
  const signer = createTestCertificate({ commonName: 'BV cổng', organization: FAC });
  const envelope = (i: number) =>
    signEnvelope(buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [sampleEpisode(i, FAC)] }), signer.privateKeyPem, signer.certPem);

  before(async () => {
    ({ app, db, close } = await startTestApp());
    ({ clientId, token: restToken } = await facilityWithToken(app, db, FAC));
    await app.inject({ method: 'POST', url: '/api/v1/facility/certificates', headers: { 'content-type': 'application/x-pem-file', authorization: `Bearer ${restToken}` }, payload: signer.certPem });
    // Pending until approved; the operator path (as `hssk facility cert`) approves it.
    await addCertificate(db.db, FAC, signer.certPem);
    password = await issuePortalPassword(db.db, clientId);
  });
  after(async () => close());

  const take = (payload: Record<string, string>, form = true) =>
    app.inject({
      method: 'POST',
      url: '/api/token/take',
      headers: { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' },
      payload: form ? new URLSearchParams(payload).toString() : JSON.stringify(payload),
    });

  it('logs in with the upper-case MD5 password (form and JSON) and refuses a wrong one', async () => {
    const r = await take({ username: clientId, password: portalPasswordDigest(password) });
    assert.equal(r.statusCode, 200, r.body);
    const body = r.json() as { maKetQua: string; APIKey: { access_token: string; id_token: string; token_type: string; username: string; expires_in: number } };
    assert.equal(body.maKetQua, '200');
    assert.equal(body.APIKey.username, clientId);
    assert.ok(body.APIKey.access_token && body.APIKey.id_token);
    assert.equal((await take({ username: clientId, password: portalPasswordDigest(password) }, false)).statusCode, 200);
    const bad = await take({ username: clientId, password: portalPasswordDigest('sai') });
    assert.equal(bad.statusCode, 401);
    assert.equal((bad.json() as PortalAnswer).maKetQua, '401');
    assert.equal((await take({ username: clientId })).statusCode, 400);
    // Token issuance through the portal is audited like the OAuth endpoint: issued twice, refused twice, no password.
    const audited = (await db.db.selectFrom('audit_event').select(['action', 'detail']).where('resource', '=', `facility-credential/${clientId}`).execute()).filter(
      (x) => (x.detail as { channel?: string } | null)?.channel === 'portal',
    );
    assert.equal(audited.filter((x) => x.action === 'facility.token.issue').length, 2);
    assert.equal(audited.filter((x) => x.action === 'facility.token.refuse').length, 2);
    assert.ok(!JSON.stringify(audited).includes(portalPasswordDigest(password)));
  });

  it('accepts an envelope with the token in the header, the form or the query, through the one ingest path', async () => {
    const tok = ((await take({ username: clientId, password: portalPasswordDigest(password) })).json() as { APIKey: { access_token: string } }).APIKey.access_token;
    const fields = (i: number, extra: Record<string, string> = {}) =>
      new URLSearchParams({ username: clientId, loaiHoSo: '130', maTinh: '79', maCSKCB: FAC, fileHSBase64: Buffer.from(envelope(i)).toString('base64'), ...extra }).toString();
    const send = (payload: string, url = '/api/qd130/guiHoSoXmlQD4750', headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload });

    const viaHeader = await send(fields(1), undefined, { authorization: `Bearer ${tok}` });
    assert.equal(viaHeader.statusCode, 200, viaHeader.body);
    const a = viaHeader.json() as PortalAnswer;
    assert.equal(a.maKetQua, '200');
    assert.match(a.thoiGianTiepNhan, /^\d{14}$/);
    const receipt = await app.inject({ method: 'GET', url: `/api/v1/xml130/receipts/${a.maGiaoDich}`, headers: { authorization: `Bearer ${restToken}` } });
    assert.equal((receipt.json() as Receipt).channel, 'portal');

    assert.equal(((await send(fields(2, { token: tok }))).json() as PortalAnswer).maKetQua, '200');
    assert.equal(((await send(fields(3), `/api/qd130/guiHoSoXmlQD4750?id_token=${tok}`)).json() as PortalAnswer).maKetQua, '200');
    const json = await app.inject({
      method: 'POST',
      url: '/api/qd130/guiHoSoXmlQD4750',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${tok}` },
      payload: { username: clientId, loaiHoSo: '130', maCSKCB: FAC, fileHSBase64: Buffer.from(envelope(4)).toString('base64') },
    });
    assert.equal((json.json() as PortalAnswer).maKetQua, '200', json.body);

    // Failure classes keep the portal shape with a documented maKetQua.
    const cases: Array<[string, string, string]> = [
      [fields(5), '401', 'TOKEN_MISSING'],
      [fields(5, { token: 'x' }), '401', 'TOKEN_INVALID'],
      [fields(5, { token: tok, loaiHoSo: '0' }), '400', 'LOAIHOSO_INVALID'],
      [fields(5, { token: tok, maCSKCB: '01001' }), '403', 'FACILITY_MISMATCH'],
      [fields(5, { token: tok, fileHSBase64: '%%%' }), '400', 'BASE64_INVALID'],
      [fields(5, { token: tok, fileHSBase64: Buffer.from('<x/>').toString('base64') }), '400', 'ENVELOPE_STRUCTURE'],
    ];
    for (const [payload, code, stable] of cases) {
      const r = await send(payload);
      const b = r.json() as PortalAnswer;
      assert.equal(b.maKetQua, code, r.body);
      assert.equal(b.code, stable);
      assert.equal(r.statusCode, Number(code));
    }
    const tampered = Buffer.from(envelope(6).replace('<NGAYLAP>20240305', '<NGAYLAP>20240306')).toString('base64');
    const t = (await send(fields(6, { token: tok, fileHSBase64: tampered }))).json() as PortalAnswer;
    assert.equal(t.maKetQua, '422', JSON.stringify(t));
  });

  it('takes a check-in (XML0)', async () => {
    const tok = ((await take({ username: clientId, password: portalPasswordDigest(password) })).json() as { APIKey: { access_token: string } }).APIKey.access_token;
    const xml = buildCheckin([sampleCheckinRow(FAC)]);
    const r = await app.inject({
      method: 'POST',
      url: '/api/qd130/checkInKcbQd4750',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${tok}` },
      payload: new URLSearchParams({ username: clientId, loaiHoSo: '0', maCSKCB: FAC, fileHSBase64: Buffer.from(xml).toString('base64') }).toString(),
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal((r.json() as PortalAnswer).maKetQua, '200');
  });
});
