import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { addRelations, upsertPersons } from '../person/index.ts';
import { ageOn, listDependents } from './access.ts';

/** The date `years` years and `days` days from today's Vietnam date, as person.ngay_sinh stores it. */
function fromToday(years: number, days: number): string {
  const [y, m, d] = vietnamToday().split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y + years, m - 1, d + days)).toISOString().slice(0, 10);
}

describe('a parent’s view ends on the child’s 14th birthday, on the Vietnam date', () => {
  it('counts the birthday by the Vietnam date, not the server’s UTC date', () => {
    // 17:30 UTC on 14 June is already 15 June in Vietnam.
    assert.equal(ageOn('2012-06-15', null, new Date('2026-06-14T16:59:59Z')), 13);
    assert.equal(ageOn('2012-06-15', null, new Date('2026-06-14T17:30:00Z')), 14);
    assert.equal(ageOn('2012-06-15', null, new Date('2026-06-15T16:59:59Z')), 14);
  });

  describe(`dependents and the child banner (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
    let app: FastifyInstance;
    let db: TestDatabase;
    let close: () => Promise<void>;
    let parent: string;

    before(async () => {
      ({ app, db, close } = await startTestApp());
      const child = (id: string, ho_ten: string, ngay_sinh: string) => ({ id, ho_ten, ngay_sinh, birth_year: Number(ngay_sinh.slice(0, 4)) });
      await upsertPersons(db.db, [
        { id: 'PPARENT', ho_ten: 'Hà Văn Cha', ngay_sinh: '1980-01-01', birth_year: 1980, so_cccd: '051080000001' },
        child('PYESTERDAY', 'Hà Thị Hôm Qua', fromToday(-14, -1)),
        child('PTODAY', 'Hà Thị Hôm Nay', fromToday(-14, 0)),
        child('PTOMORROW', 'Hà Văn Ngày Mai', fromToday(-14, 1)),
        child('PAGE', 'Hà Văn Tuổi', fromToday(-7, 0)),
        child('PSTAFF', 'Hà Thị Xác Nhận', fromToday(-3, 0)),
        child('PDEMO', 'Hà Văn Thử', fromToday(-2, 0)),
        child('PREMOVED', 'Hà Văn Gỡ', fromToday(-5, 0)),
      ]);
      const rel = (person_id: string, source: string) => ({ person_id, related_person_id: 'PPARENT', relation: 'parent' as const, source });
      await addRelations(db.db, [
        rel('PYESTERDAY', 'population_relation'),
        rel('PTODAY', 'population_relation'),
        rel('PTOMORROW', 'population_relation'),
        rel('PAGE', 'household_age'),
        rel('PDEMO', 'demo'),
        rel('PREMOVED', 'household_age'),
      ]);
      await db.db
        .insertInto('person_relation')
        .values({ ...rel('PSTAFF', 'staff_confirmed'), relation: 'guardian', proof_type: 'court_decision', proof_number: '3/2025/QĐ-TA', decided_by: 'S1', decided_at: new Date() })
        .execute();
      await db.db
        .updateTable('person_relation')
        .set({ removed_at: new Date(), removal_reason: 'Không phải con', decided_by: 'S1', decided_at: new Date() })
        .where('person_id', '=', 'PREMOVED')
        .execute();
      parent = await citizenCookie(db, '051080000001', 'PPARENT', true);
    });
    after(async () => close());

    const get = async (url: string) => {
      const r = await app.inject({ method: 'GET', url, headers: { cookie: parent } });
      return { status: r.statusCode, body: r.json() as Record<string, unknown> };
    };

    it('lists children under 14 by list relation, staff or demo — not an age guess, not one who turned 14 today or yesterday, nor a removed one', async () => {
      const r = await get('/api/v1/book/dependents');
      assert.equal(r.status, 200);
      const ids = (r.body.dependents as Array<{ id: string }>).map((d) => d.id).sort();
      assert.deepEqual(ids, ['PDEMO', 'PSTAFF', 'PTOMORROW']);
      // A parent guessed from household ages opens nothing until staff confirm it.
      assert.equal((await get('/api/v1/book/summary?person=PAGE')).status, 404);
      assert.deepEqual((await listDependents(db.db, 'PPARENT')).map((d) => d.id).sort(), ids);
    });

    it('opens the book of a child who turns 14 tomorrow, with the banner; refuses one who turned 14 yesterday as if unknown', async () => {
      const open = await get('/api/v1/book/summary?person=PTOMORROW');
      assert.equal(open.status, 200);
      assert.deepEqual(open.body.viewing_child, { name: 'Hà Văn Ngày Mai', relation: 'parent' });
      const guardian = await get('/api/v1/book/summary?person=PSTAFF');
      assert.deepEqual(guardian.body.viewing_child, { name: 'Hà Thị Xác Nhận', relation: 'guardian' });
      for (const id of ['PYESTERDAY', 'PTODAY', 'PREMOVED']) {
        const r = await get(`/api/v1/book/summary?person=${id}`);
        assert.equal(r.status, 404, id);
        assert.equal(r.body.code, 'NOT_FOUND');
      }
      const episodes = await get('/api/v1/book/episodes?person=PYESTERDAY');
      assert.equal(episodes.status, 404);
    });
  });
});
