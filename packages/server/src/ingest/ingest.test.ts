import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleCheckinRow, sampleEpisode } from '@openhssk/core/testing';
import { buildCheckin, buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import type { FastifyInstance } from 'fastify';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { addCertificate } from '../facility/index.ts';
import { upsertPersons } from '../person/index.ts';
import type { Receipt } from './receipt.ts';

const FAC = '79001';

describe(`XML 130 ingest over HTTP (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let token: string;
  const signer = createTestCertificate({ commonName: 'Bệnh viện thử nghiệm', organization: FAC });

  const submit = (body: string | Buffer, headers: Record<string, string> = {}, t = token) =>
    app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', authorization: `Bearer ${t}`, ...headers }, payload: body });
  const signed = (episodes: ReturnType<typeof sampleEpisode>[], facility = FAC) =>
    signEnvelope(buildEnvelope({ facilityCode: facility, createdDate: '20240305', episodes }), signer.privateKeyPem, signer.certPem);

  before(async () => {
    ({ app, db, close } = await startTestApp());
    ({ token } = await facilityWithToken(app, db, FAC));
    const up = await app.inject({ method: 'POST', url: '/api/v1/facility/certificates', headers: { 'content-type': 'application/x-pem-file', authorization: `Bearer ${token}` }, payload: signer.certPem });
    assert.equal(up.statusCode, 201, up.body);
    // A token upload waits for approval; the operator path (same function as `hssk facility cert`) approves it.
    assert.equal(up.json().status, 'pending');
    assert.equal((await addCertificate(db.db, FAC, signer.certPem)).status, 'approved');
  });
  after(async () => close());

  it('accepts a signed envelope, stores every table and returns a receipt', async () => {
    const ep = sampleEpisode(1, FAC);
    const cccd = ep.XML1![0]!.SO_CCCD!;
    await upsertPersons(db.db, [{ id: 'P-TEST-1', ho_ten: ep.XML1![0]!.HO_TEN!, so_cccd: cccd }]);
    const body = signed([ep, sampleEpisode(2, FAC)]);
    const r = await submit(body);
    assert.equal(r.statusCode, 201, r.body);
    const receipt = r.json() as Receipt;
    assert.equal(receipt.status, 'accepted');
    assert.equal(receipt.counts.episodes, 2);
    assert.equal(receipt.signature.verified, true);
    const again = await app.inject({ method: 'GET', url: `/api/v1/xml130/receipts/${receipt.receipt_id}`, headers: { authorization: `Bearer ${token}` } });
    assert.equal(again.statusCode, 200);
    assert.equal((again.json() as Receipt).receipt_id, receipt.receipt_id);

    const stored = await db.db.selectFrom('episode').selectAll().where('ma_lk', '=', ep.XML1![0]!.MA_LK!).executeTakeFirstOrThrow();
    assert.equal(stored.person_id, 'P-TEST-1', 'linked by CCCD');
    assert.equal(stored.version, 1);
    const rows = await db.db.selectFrom('episode_row').select(['tbl']).where('episode_id', '=', stored.id).execute();
    const tables = new Set(rows.map((x) => x.tbl));
    for (const t of Object.keys(ep).filter((k) => k !== 'XML1')) assert.ok(tables.has(t), `${t} stored`);
    const raw = await db.db.selectFrom('submission_raw').select('raw').where('submission_id', '=', receipt.receipt_id).executeTakeFirstOrThrow();
    assert.equal(raw.raw, body, 'the raw envelope is kept exactly as sent');
  });

  it('answers a byte-identical resend with the first receipt', async () => {
    const body = signed([sampleEpisode(3, FAC)]);
    const first = await submit(body);
    const second = await submit(body);
    assert.equal(first.statusCode, 201);
    assert.equal(second.statusCode, 200);
    assert.equal((second.json() as Receipt).receipt_id, (first.json() as Receipt).receipt_id);
  });

  it('keeps versions when the same MA_LK is corrected', async () => {
    const ep = sampleEpisode(4, FAC);
    assert.equal((await submit(signed([ep]))).statusCode, 201);
    ep.XML1![0]!.CHAN_DOAN_RV = 'Chẩn đoán đã sửa';
    const r = await submit(signed([ep]));
    assert.equal(r.statusCode, 201, r.body);
    assert.equal((r.json() as Receipt).episodes[0]?.version, 2);
    const versions = await db.db.selectFrom('episode').select(['version', 'is_current']).where('ma_lk', '=', ep.XML1![0]!.MA_LK!).orderBy('version').execute();
    assert.deepEqual(versions, [{ version: 1, is_current: false }, { version: 2, is_current: true }]);
  });

  it('rejects only the bad episode of an envelope', async () => {
    const bad = sampleEpisode(6, FAC);
    delete bad.XML1![0]!.HO_TEN;
    const r = await submit(signed([sampleEpisode(5, FAC), bad]));
    assert.equal(r.statusCode, 201, r.body);
    const receipt = r.json() as Receipt;
    assert.equal(receipt.status, 'partially_accepted');
    const rejected = receipt.episodes.find((e) => e.status === 'rejected');
    assert.ok(rejected?.issues.some((i) => i.field === 'HO_TEN' && i.severity === 'error' && i.message_vi.length > 0));
  });

  it('returns 422 problem+json when every episode is rejected', async () => {
    const bad = sampleEpisode(7, FAC);
    delete bad.XML1![0]!.MA_BENH_CHINH;
    const r = await submit(signed([bad]));
    assert.equal(r.statusCode, 422);
    assert.match(String(r.headers['content-type']), /application\/problem\+json/);
    assert.equal((r.json() as { code: string }).code, 'EPISODES_REJECTED');
  });

  const hostile: Array<[string, string | (() => string), number, string]> = [
    ['malformed XML', '<GIAMDINHHS><THONGTINDONVI>', 400, 'XML_MALFORMED'],
    ['XXE', '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><GIAMDINHHS>&e;</GIAMDINHHS>', 400, 'XML_DTD_FORBIDDEN'],
    ['an unregistered facility', () => signed([sampleEpisode(8, '01999')], '01999'), 422, 'UNKNOWN_FACILITY'],
    ['an unsigned envelope', () => buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [sampleEpisode(9, FAC)] }), 422, 'SIGNATURE_MISSING'],
    ['tampered content', () => signed([sampleEpisode(10, FAC)]).replace(/<NGAYLAP>\d+/, '<NGAYLAP>20240306'), 422, 'SIGNATURE_INVALID'],
  ];
  for (const [name, body, status, code] of hostile) {
    it(`refuses ${name} with ${status} ${code}`, async () => {
      const r = await submit(typeof body === 'function' ? body() : body);
      assert.equal(r.statusCode, status, r.body);
      assert.match(String(r.headers['content-type']), /application\/problem\+json/);
      const p = r.json() as { code: string; message_vi: string; message_en: string };
      assert.equal(p.code, code);
      assert.ok(p.message_vi && p.message_en);
    });
  }

  it('refuses requests without a valid token', async () => {
    const r = await submit(signed([sampleEpisode(11, FAC)]), {}, 'not-a-token');
    assert.equal(r.statusCode, 401);
    assert.equal((r.json() as { code: string }).code, 'TOKEN_INVALID');
  });
});

describe(`XML0 check-in (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let token: string;
  before(async () => {
    ({ app, db, close } = await startTestApp());
    ({ token } = await facilityWithToken(app, db, '51002', { testMode: true }));
  });
  after(async () => close());

  it('opens a visit that the later episode closes', async () => {
    const ep = sampleEpisode(20, '51002');
    const x1 = ep.XML1![0]!;
    await upsertPersons(db.db, [{ id: 'P-CHK', ho_ten: x1.HO_TEN!, so_cccd: x1.SO_CCCD! }]);
    const row = { ...sampleCheckinRow('51002'), MA_LK: x1.MA_LK!, MA_BN: x1.MA_BN!, HO_TEN: x1.HO_TEN!, SO_CCCD: x1.SO_CCCD! };
    const headers = { 'content-type': 'application/xml', authorization: `Bearer ${token}` };
    const r = await app.inject({ method: 'POST', url: '/api/v1/xml130/checkins', headers, payload: buildCheckin([row]) });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal((r.json() as { rows: Array<{ status: string }> }).rows[0]?.status, 'opened');
    const open = await db.db.selectFrom('visit').select(['status', 'person_id']).where('ma_lk', '=', x1.MA_LK!).executeTakeFirstOrThrow();
    assert.deepEqual(open, { status: 'open', person_id: 'P-CHK' });

    const e = await app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers, payload: buildEnvelope({ facilityCode: '51002', createdDate: '20240305', episodes: [ep] }) });
    assert.equal(e.statusCode, 201, e.body);
    const closed = await db.db.selectFrom('visit').select('status').where('ma_lk', '=', x1.MA_LK!).executeTakeFirstOrThrow();
    assert.equal(closed.status, 'closed');
  });

  it('rejects a check-in row missing required fields with per-field issues', async () => {
    const row = sampleCheckinRow('51002');
    delete row.HO_TEN;
    const r = await app.inject({ method: 'POST', url: '/api/v1/xml130/checkins', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, payload: buildCheckin([row]) });
    assert.equal(r.statusCode, 422);
    const body = r.json() as { code: string; rows: Array<{ issues: Array<{ field: string }> }> };
    assert.equal(body.code, 'CHECKIN_REJECTED');
    assert.ok(body.rows[0]?.issues.some((i) => i.field === 'HO_TEN'));
  });
});

describe(`one MA_LK in two envelopes at the same time (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let token: string;
  before(async () => {
    ({ app, db, close } = await startTestApp());
    ({ token } = await facilityWithToken(app, db, '51003', { testMode: true }));
  });
  after(async () => close());
  const send = (ep: ReturnType<typeof sampleEpisode>) =>
    app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
      payload: buildEnvelope({ facilityCode: '51003', createdDate: '20240305', episodes: [ep] }) });
  const variant = (n: number, diagnosis: string) => {
    const ep = sampleEpisode(n, '51003');
    ep.XML1![0]!.CHAN_DOAN_RV = diagnosis;
    return ep;
  };
  const versions = async (n: number) =>
    db.db.selectFrom('episode').select(['version', 'is_current']).where('ma_lk', '=', sampleEpisode(n, '51003').XML1![0]!.MA_LK!).orderBy('version').execute();

  it('a MA_LK never seen: both are stored, as versions 1 and 2', async () => {
    const rs = await Promise.all([send(variant(61, 'Lần gửi thứ nhất')), send(variant(61, 'Lần gửi thứ hai'))]);
    assert.deepEqual(rs.map((r) => r.statusCode), [201, 201], rs.map((r) => r.body).join('\n'));
    assert.deepEqual(await versions(61), [{ version: 1, is_current: false }, { version: 2, is_current: true }]);
  });

  it('a MA_LK with a current version: both corrections are stored, the later one current', async () => {
    assert.equal((await send(variant(62, 'Bản đầu'))).statusCode, 201);
    const rs = await Promise.all([send(variant(62, 'Bản sửa một')), send(variant(62, 'Bản sửa hai'))]);
    assert.deepEqual(rs.map((r) => r.statusCode), [201, 201], rs.map((r) => r.body).join('\n'));
    assert.deepEqual(await versions(62), [{ version: 1, is_current: false }, { version: 2, is_current: false }, { version: 3, is_current: true }]);
  });
});
