import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type BookFixture, bookFixture, json } from '../../test-support/book-fixture.ts';

/**
 * Authorization matrix: every route that returns health data, called by citizen A with every way
 * of naming B's data (B's person id, B's child, A's own child over 14, B's episode/declaration/share ids,
 * in the path, the query and the body). A must never get B's data. Keep this list in step with routes.ts.
 */
const ROUTES: ReadonlyArray<{ method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: unknown }> = [
  { method: 'GET', path: '/api/v1/book/summary' },
  { method: 'GET', path: '/api/v1/book/episodes' },
  { method: 'GET', path: '/api/v1/book/episodes/:episode' },
  { method: 'GET', path: '/api/v1/book/episodes/:episode/pdf' },
  { method: 'GET', path: '/api/v1/book/pdf' },
  { method: 'GET', path: '/api/v1/book/vaccinations' },
  { method: 'GET', path: '/api/v1/book/vaccinations/certificate' },
  { method: 'GET', path: '/api/v1/book/vaccinations/certificate.pdf' },
  { method: 'GET', path: '/api/v1/book/immunization/family' },
  { method: 'POST', path: '/api/v1/book/immunization/slot-requests', body: { note: 'x', person: 'PB' } },
  { method: 'GET', path: '/api/v1/book/declarations' },
  { method: 'GET', path: '/api/v1/book/primary-care' },
  { method: 'PUT', path: '/api/v1/book/declarations/:declaration', body: { kind: 'allergy', title: 'ghi đè' } },
  { method: 'DELETE', path: '/api/v1/book/declarations/:declaration' },
  { method: 'GET', path: '/api/v1/book/access-log' },
  { method: 'GET', path: '/api/v1/book/shares' },
  { method: 'DELETE', path: '/api/v1/book/shares/:share' },
  { method: 'GET', path: '/api/v1/book/dependents' },
  { method: 'GET', path: '/api/v1/book/appointments' },
  { method: 'GET', path: '/api/v1/book/notifications' },
  { method: 'POST', path: '/api/v1/book/shares', body: { scope: 'full', person: 'PB', person_id: 'PB' } },
  { method: 'POST', path: '/api/v1/book/declarations', body: { kind: 'allergy', title: 'x', person: 'PB' } },
];

const FOREIGN_PERSONS = ['PB', 'PE', 'PD', 'pb', 'PB%00', "PB' or '1'='1"];

describe(`authorization matrix: citizen A never obtains B's data (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let f: BookFixture;
  let foreign: { episode: number; declaration: number; share: number };
  before(async () => {
    f = await bookFixture();
    const d = await json<{ id: number }>(f.app, 'POST', '/api/v1/book/declarations', f.cookies.B, { kind: 'allergy', title: 'Dị ứng riêng của Bình' });
    const s = await json<{ id: number }>(f.app, 'POST', '/api/v1/book/shares', f.cookies.B, { scope: 'full' });
    foreign = { episode: f.episodes.B[0]!, declaration: d.json().id, share: s.json().id };
  });
  after(async () => f?.close());

  /** Everything that would identify B's data in a response body. */
  const LEAKS = /Trần Thị Bình|Trần Văn Em|Nguyễn Văn Dũng|051090000002|051090000005|051090000004|Bệnh riêng của Bình|Dị ứng riêng của Bình|"PB"|"PE"|"PD"/;

  it('covers every book route with foreign ids in path, query and body', async () => {
    let calls = 0;
    for (const r of ROUTES) {
      const paths = new Set([
        r.path.replace(':episode', String(foreign.episode)).replace(':declaration', String(foreign.declaration)).replace(':share', String(foreign.share)),
        ...f.episodes.E.map((id) => r.path.replace(':episode', String(id))),
        ...f.episodes.D.map((id) => r.path.replace(':episode', String(id))),
      ]);
      for (const path of paths) {
        if (path.includes(':')) continue;
        const urls = [path, ...FOREIGN_PERSONS.map((p) => `${path}?person=${encodeURIComponent(p)}`), `${path}?person=PA&person=PB`, `${path}?person_id=PB`];
        for (const url of urls) {
          const res = await json(f.app, r.method, url, f.cookies.A, r.body);
          calls++;
          assert.doesNotMatch(res.body, LEAKS, `${r.method} ${url} leaked B's data (${res.status})`);
          if (r.method !== 'GET' && res.status < 300 && /:(declaration|share)/.test(r.path)) assert.fail(`${r.method} ${url} changed B's data`);
        }
      }
    }
    assert.ok(calls > 100);
    // B's rows are untouched by A's writes.
    const bd = await f.db.db.selectFrom('citizen_declaration' as never).select(['title' as never]).where('person_id' as never, '=', 'PB' as never).execute();
    assert.deepEqual(bd, [{ title: 'Dị ứng riêng của Bình' }]);
    const bs = await f.db.db.selectFrom('book_share' as never).select(['person_id' as never, 'revoked_at' as never]).where('person_id' as never, '=', 'PB' as never).execute();
    assert.equal(bs.length, 1);
    assert.equal((bs[0] as { revoked_at: unknown }).revoked_at, null);
    const aShares = await f.db.db.selectFrom('book_share' as never).select(['person_id' as never]).where('created_by' as never, '=', '051090000001' as never).execute();
    assert.ok(aShares.every((s) => (s as { person_id: string }).person_id === 'PA'), 'shares A creates are always for A');
  });

  it('no session, or no consent: no health data on any route', async () => {
    for (const r of ROUTES) {
      const path = r.path.replace(/:\w+/, String(foreign.episode));
      assert.equal((await json(f.app, r.method, path, undefined, r.body)).status, 401, `${r.method} ${path}`);
      const nc = await json<{ code: string }>(f.app, r.method, path, f.cookies.noConsent, r.body);
      assert.equal(nc.status, 403, `${r.method} ${path} without consent`);
      assert.doesNotMatch(nc.body, LEAKS);
    }
  });

  it('the public share endpoint only serves the shared person', async () => {
    const a = await json<{ url: string }>(f.app, 'POST', '/api/v1/book/shares', f.cookies.A, { scope: 'full' });
    const token = a.json().url.split('/chia-se/')[1];
    for (const url of [`/api/v1/shared/${token}?person=PB`, `/api/v1/shared/${token}/episodes/${foreign.episode}`, `/api/v1/shared/${token}/episodes/${foreign.episode}?person=PB`]) {
      const r = await json(f.app, 'GET', url, undefined);
      assert.doesNotMatch(r.body, LEAKS, url);
    }
  });
});
