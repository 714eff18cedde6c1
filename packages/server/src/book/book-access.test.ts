import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import type { FastifyInstance } from 'fastify';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { upsertPersons } from '../person/index.ts';

const FAC = '51001';

describe(`health book authorization (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let cookieA: string;
  let cookieB: string;
  let cookieNoConsent: string;
  let episodeOfB: number;

  before(async () => {
    ({ app, db, close } = await startTestApp());
    const { token } = await facilityWithToken(app, db, FAC, { testMode: true });
    const a = sampleEpisode(1, FAC);
    const b = sampleEpisode(2, FAC);
    b.XML1![0]!.SO_CCCD = '051090000002';
    b.XML1![0]!.MA_BN = 'BN-B';
    b.XML1![0]!.MA_THE_BHYT = '';
    await upsertPersons(db.db, [
      { id: 'PA', ho_ten: 'Người A', so_cccd: a.XML1![0]!.SO_CCCD! },
      { id: 'PB', ho_ten: 'Người B', so_cccd: '051090000002' },
    ]);
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
      payload: buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [a, b] }),
    });
    assert.equal(r.statusCode, 201, r.body);
    const eb = await db.db.selectFrom('episode').select('id').where('person_id', '=', 'PB').executeTakeFirstOrThrow();
    episodeOfB = eb.id;
    cookieA = await citizenCookie(db, a.XML1![0]!.SO_CCCD!, 'PA', true);
    cookieB = await citizenCookie(db, '051090000002', 'PB', true);
    cookieNoConsent = await citizenCookie(db, '051090000003', 'PB', false);
  });
  after(async () => close());

  it('lists only the citizen’s own episodes and audits the read', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/book/episodes', headers: { cookie: cookieA } });
    assert.equal(r.statusCode, 200);
    const list = (r.json() as { episodes: Array<{ id: number }> }).episodes;
    assert.equal(list.length, 1);
    assert.notEqual(list[0]?.id, episodeOfB);
    const own = await db.db.selectFrom('audit_event').select('action').where('person_id', '=', 'PA').where('action', '=', 'book.episodes.list').execute();
    assert.equal(own.length, 1);
  });

  it('never returns another person’s episode, whatever the id', async () => {
    const r = await app.inject({ method: 'GET', url: `/api/v1/book/episodes/${episodeOfB}`, headers: { cookie: cookieA } });
    assert.equal(r.statusCode, 404);
    assert.doesNotMatch(r.body, /Người B|051090000002/);
    const own = await app.inject({ method: 'GET', url: `/api/v1/book/episodes/${episodeOfB}`, headers: { cookie: cookieB } });
    assert.equal(own.statusCode, 200);
    for (const bad of ['abc', '-1', '99999999999999999999', '1%20or%201=1']) {
      const x = await app.inject({ method: 'GET', url: `/api/v1/book/episodes/${bad}`, headers: { cookie: cookieA } });
      assert.equal(x.statusCode, 404, bad);
    }
  });

  it('shows no health data before consent and none without a session', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/book/episodes', headers: { cookie: cookieNoConsent } });
    assert.equal(r.statusCode, 403);
    assert.equal((r.json() as { code: string }).code, 'CONSENT_REQUIRED');
    const anon = await app.inject({ method: 'GET', url: '/api/v1/book/episodes' });
    assert.equal(anon.statusCode, 401);
  });
});
