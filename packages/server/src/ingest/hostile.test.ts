import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope, buildInnerXml } from '@openhssk/core/xml130';
import type { FastifyInstance } from 'fastify';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';
import type { Receipt } from './receipt.ts';

const FAC = '79002';

/** An envelope whose only HOSO carries the given raw inner documents. */
function envelopeWithFiles(files: Array<{ type: string; b64: string }>, count = 1): string {
  const hoso = `<HOSO>${files.map((f) => `<FILEHOSO><LOAIHOSO>${f.type}</LOAIHOSO><NOIDUNGFILE>${f.b64}</NOIDUNGFILE></FILEHOSO>`).join('')}</HOSO>`;
  return `<?xml version="1.0" encoding="utf-8"?><GIAMDINHHS><THONGTINDONVI><MACSKCB>${FAC}</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20240305</NGAYLAP><SOLUONGHOSO>${count}</SOLUONGHOSO><DANHSACHHOSO>${hoso}</DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI/></GIAMDINHHS>`;
}
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

describe(`hostile input, rate limit and history (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let token: string;
  const post = (payload: string | Buffer, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}`, ...headers }, payload });
  const expectProblem = async (p: Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>, status: number, code: string) => {
    const r = await p;
    assert.equal(r.statusCode, status, r.body.slice(0, 500));
    assert.match(String(r.headers['content-type']), /application\/problem\+json/);
    assert.equal((JSON.parse(r.body) as { code: string }).code, code);
  };

  before(async () => {
    ({ app, db, close } = await startTestApp());
    // Unsigned envelopes are accepted in test mode, so the parser limits are what is exercised.
    ({ token } = await facilityWithToken(app, db, FAC, { testMode: true }));
  });
  after(async () => close());

  it('refuses an oversize body from its Content-Length before reading it', async () => {
    await expectProblem(post('x', { 'content-length': String(1024 * 1024 * 1024) }), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('refuses an empty body and a wrong content type', async () => {
    await expectProblem(post(''), 400, 'BODY_REQUIRED');
    await expectProblem(post('{"a":1}', { 'content-type': 'application/json' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
    await expectProblem(post('<a/>', { 'content-type': 'text/plain' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('authenticates before anything else', async () => {
    await expectProblem(post('<a/>', { authorization: 'Bearer nope' }), 401, 'TOKEN_INVALID');
  });

  it('refuses DTDs, XXE and billion laughs in the envelope and inside NOIDUNGFILE', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]><GIAMDINHHS>&lol3;</GIAMDINHHS>';
    await expectProblem(post(laughs), 400, 'XML_DTD_FORBIDDEN');
    const xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><GIAMDINHHS>&xxe;</GIAMDINHHS>';
    await expectProblem(post(xxe), 400, 'XML_DTD_FORBIDDEN');
    await expectProblem(post('<GIAMDINHHS>&xxe;</GIAMDINHHS>'), 400, 'XML_ENTITY_FORBIDDEN');
    const innerLaughs = laughs.replace('GIAMDINHHS>&lol3;</GIAMDINHHS', 'TONG_HOP><MA_LK>&lol3;</MA_LK></TONG_HOP');
    await expectProblem(post(envelopeWithFiles([{ type: 'XML1', b64: b64(innerLaughs) }])), 400, 'XML_DTD_FORBIDDEN');
    const innerXxe = '<!DOCTYPE TONG_HOP [<!ENTITY e SYSTEM "file:///etc/passwd">]><TONG_HOP><MA_LK>&e;</MA_LK></TONG_HOP>';
    await expectProblem(post(envelopeWithFiles([{ type: 'XML1', b64: b64(innerXxe) }])), 400, 'XML_DTD_FORBIDDEN');
  });

  it('refuses very deep nesting in the envelope and rejects it inside an episode', async () => {
    const deep = `<GIAMDINHHS>${'<a>'.repeat(100_000)}${'</a>'.repeat(100_000)}</GIAMDINHHS>`;
    await expectProblem(post(deep), 400, 'XML_TOO_DEEP');
    const innerDeep = `<TONG_HOP>${'<a>'.repeat(50_000)}${'</a>'.repeat(50_000)}</TONG_HOP>`;
    const r = await post(envelopeWithFiles([{ type: 'XML1', b64: b64(innerDeep) }]));
    assert.equal(r.statusCode, 422, r.body.slice(0, 300));
    const receipt = (r.json() as { receipt: Receipt }).receipt;
    assert.equal(receipt.episodes[0]?.status, 'rejected');
    assert.ok(receipt.episodes[0]?.issues.some((i) => i.code === 'XML_TOO_DEEP'), JSON.stringify(receipt.episodes[0]?.issues));
  });

  it('refuses a huge NOIDUNGFILE from its base64 length, without decoding it', async () => {
    const huge = 'A'.repeat(12 * 1024 * 1024);
    await expectProblem(post(envelopeWithFiles([{ type: 'XML1', b64: huge }])), 413, 'ENVELOPE_TOO_LARGE');
    await expectProblem(post(envelopeWithFiles([{ type: 'XML1', b64: 'QUJD$$$=' }])), 400, 'BASE64_INVALID');
    await expectProblem(post(envelopeWithFiles([{ type: 'XML1', b64: 'QUJDR' }])), 400, 'BASE64_INVALID');
  });

  it('refuses a wrong root and a SOLUONGHOSO mismatch', async () => {
    await expectProblem(post('<HOSO><A/></HOSO>'), 400, 'ENVELOPE_STRUCTURE');
    const inner = b64(buildInnerXml('XML1', sampleEpisode(1, FAC).XML1!));
    await expectProblem(post(envelopeWithFiles([{ type: 'XML1', b64: inner }], 3)), 400, 'ENVELOPE_COUNT_MISMATCH');
    await expectProblem(post('<GIAMDINHHS><THONGTINDONVI>'), 400, 'XML_MALFORMED');
  });

  it('limits submissions per facility per minute with 429 RATE_LIMITED and Retry-After', async () => {
    const other = await facilityWithToken(app, db, '79003', { testMode: true });
    process.env.HSSK_INGEST_RATE_LIMIT = '3';
    try {
      const send = (t: string) =>
        app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', authorization: `Bearer ${t}` }, payload: '<bad' });
      // The earlier tests of this file already used this facility's budget.
      const r = await send(token);
      assert.equal(r.statusCode, 429, r.body);
      assert.equal((r.json() as { code: string }).code, 'RATE_LIMITED');
      assert.match(String(r.headers['content-type']), /application\/problem\+json/);
      assert.ok(Number(r.headers['retry-after']) > 0);
      // Another facility has its own budget.
      assert.equal((await send(other.token)).statusCode, 400);
    } finally {
      delete process.env.HSSK_INGEST_RATE_LIMIT;
    }
  });

  it('lists versions of an episode and the receipts with issue counts', async () => {
    const fac = await facilityWithToken(app, db, '79004', { testMode: true });
    const auth = { authorization: `Bearer ${fac.token}` };
    const send = (xml: string) =>
      app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', ...auth }, payload: xml });
    const ep = sampleEpisode(7, '79004');
    const bad = sampleEpisode(8, '79004');
    delete bad.XML1![0]!.HO_TEN;
    const first = (await send(buildEnvelope({ facilityCode: '79004', createdDate: '20240305', episodes: [ep, bad] }))).json() as Receipt;
    assert.equal(first.status, 'partially_accepted');
    ep.XML1![0]!.CHAN_DOAN_RV = 'Chẩn đoán đã sửa';
    const second = (await send(buildEnvelope({ facilityCode: '79004', createdDate: '20240306', episodes: [ep] }))).json() as Receipt;
    const maLk = ep.XML1![0]!.MA_LK!;

    const v = await app.inject({ method: 'GET', url: `/api/v1/xml130/episodes/${encodeURIComponent(maLk)}/versions`, headers: auth });
    assert.equal(v.statusCode, 200, v.body);
    const versions = (v.json() as { versions: Array<{ version: number; is_current: boolean; receipt_id: string }> }).versions;
    assert.deepEqual(
      versions.map((x) => [x.version, x.is_current, x.receipt_id]),
      [
        [1, false, first.receipt_id],
        [2, true, second.receipt_id],
      ],
    );
    // Another facility cannot see them.
    const foreign = await app.inject({ method: 'GET', url: `/api/v1/xml130/episodes/${encodeURIComponent(maLk)}/versions`, headers: { authorization: `Bearer ${token}` } });
    assert.equal(foreign.statusCode, 404);

    const list = await app.inject({ method: 'GET', url: '/api/v1/xml130/receipts?page=1', headers: auth });
    assert.equal(list.statusCode, 200, list.body);
    const body = list.json() as { total: number; items: Array<{ receipt_id: string; status: string; episodes: Array<{ status: string; errors: number }> }> };
    assert.equal(body.total, 2);
    assert.deepEqual(body.items.map((i) => i.receipt_id), [second.receipt_id, first.receipt_id]);
    assert.ok((body.items[1]?.episodes[1]?.errors ?? 0) > 0);
    const partial = await app.inject({ method: 'GET', url: '/api/v1/xml130/receipts?status=partially_accepted&from=2000-01-01', headers: auth });
    assert.deepEqual((partial.json() as typeof body).items.map((i) => i.receipt_id), [first.receipt_id]);
    const badQuery = await app.inject({ method: 'GET', url: '/api/v1/xml130/receipts?from=yesterday', headers: auth });
    assert.equal(badQuery.statusCode, 400);
    const detail = await app.inject({ method: 'GET', url: `/api/v1/xml130/receipts/${first.receipt_id}`, headers: auth });
    const issues = (detail.json() as Receipt).episodes[1]?.issues ?? [];
    assert.ok(issues.some((i) => i.field === 'HO_TEN' && i.table === 'XML1'), JSON.stringify(issues));
  });

  it('documents the routes in the OpenAPI document', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/openapi.json' });
    const paths = (r.json() as { paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }).paths;
    assert.ok(paths['/api/v1/xml130/receipts']?.get?.responses['200']);
    assert.ok(paths['/api/v1/xml130/episodes/{maLk}/versions']?.get?.responses['200']);
    assert.ok(paths['/api/v1/xml130/submissions']?.post?.responses['429']);
  });
});
