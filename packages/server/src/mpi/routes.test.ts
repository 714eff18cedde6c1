import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { staffSession } from '../../test-support/staff.ts';
import { mpiDb } from './tables.ts';

describe(`MPI review API (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let admin: string;
  let officerHere: string;
  let officerElsewhere: string;
  let clinician: string;
  let reviewId: number;

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await db.db.insertInto('admin_unit').values([
      { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
      { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
      { code: '529', level: 'district', name: 'Mộ Đức', parent_code: '51', valid_from: null, valid_to: null },
      { code: '21550', level: 'commune', name: 'thị trấn La Hà', parent_code: '528', valid_from: null, valid_to: null },
    ]).execute();
    await db.db.insertInto('facility').values({ code: '51001', name: 'BV', admin_unit_code: '21550' }).execute();
    await db.db.insertInto('person').values([
      { id: 'PA', ho_ten: 'Lê Văn Bình', name_key: 'LE VAN BINH' },
      { id: 'PB', ho_ten: 'Le Van Binh', name_key: 'LE VAN BINH' },
    ]).execute();
    const base = { gioi_tinh: 'Nam', so_cccd: null, so_bhyt: null, so_dien_thoai: null, dia_chi: null, ma_xa: '21550', ma_ho_gia_dinh: null, content_hash: 'x', ngay_sinh: '1970' };
    await db.db.insertInto('source_record').values([
      { ...base, source_system: 'BHXH', source_id: 'B1', ho_ten: 'Lê Văn Bình', person_id: 'PA' },
      { ...base, source_system: 'MIS2022', source_id: 'M1', ho_ten: 'Le Van Binh', person_id: 'PB' },
    ]).execute();
    const r = await mpiDb(db.db).insertInto('mpi_review').values({ a_system: 'BHXH', a_id: 'B1', b_system: 'MIS2022', b_id: 'M1', score: 0.7, reasons: '[]' }).returning('id').executeTakeFirstOrThrow();
    reviewId = r.id;
    admin = (await staffSession(app, db.db, { username: 'admin1', fullName: 'Quản trị', role: 'system_admin' })).cookie;
    officerHere = (await staffSession(app, db.db, { username: 'cb528', fullName: 'Cán bộ Tư Nghĩa', role: 'health_officer', adminUnitCode: '528' })).cookie;
    officerElsewhere = (await staffSession(app, db.db, { username: 'cb529', fullName: 'Cán bộ Mộ Đức', role: 'health_officer', adminUnitCode: '529' })).cookie;
    clinician = (await staffSession(app, db.db, { username: 'bs1', fullName: 'Bác sĩ', role: 'clinician', facilityCode: '51001' })).cookie;
  });
  after(async () => close());

  type ListBody = { total: number; limit: number; offset: number; reviews: Array<{ id: number; explanation: { summary_vi: string; fields: Array<{ field: string; status: string }> } }> };

  it('shows a pair only to reviewers whose area holds one of the records, with the total, and audits the read per person', async () => {
    const here = await app.inject({ method: 'GET', url: '/api/v1/mpi/reviews', headers: { cookie: officerHere } });
    assert.equal(here.statusCode, 200, here.body);
    const body = here.json() as ListBody;
    assert.equal(body.total, 1);
    assert.equal(body.reviews.length, 1);
    assert.deepEqual([body.limit, body.offset], [50, 0]);
    assert.equal(body.reviews[0]?.explanation.summary_vi, 'Họ tên gần giống (một bên viết không dấu), cùng năm sinh, cùng xã');
    const elsewhere = await app.inject({ method: 'GET', url: '/api/v1/mpi/reviews', headers: { cookie: officerElsewhere } });
    assert.deepEqual(elsewhere.json(), { total: 0, limit: 50, offset: 0, reviews: [] });
    const denied = await app.inject({ method: 'GET', url: '/api/v1/mpi/reviews', headers: { cookie: clinician } });
    assert.equal(denied.statusCode, 403);
    const anon = await app.inject({ method: 'GET', url: '/api/v1/mpi/reviews' });
    assert.equal(anon.statusCode, 401);
    const audits = await db.db.selectFrom('audit_event').select(['person_id', 'actor_id', 'detail', 'request_id']).where('action', '=', 'mpi.review.read').execute();
    assert.deepEqual(audits.map((a) => a.person_id).sort(), ['PA', 'PB'], 'one event per person shown, none for the empty page');
    assert.deepEqual(audits.map((a) => a.detail), [{ pairs: [reviewId] }, { pairs: [reviewId] }]);
    assert.equal(new Set(audits.map((a) => a.request_id)).size, 1);
  });

  it('pages with a validated limit and offset', async () => {
    for (const qs of ['limit=0', 'limit=201', 'offset=-1', 'limit=abc']) {
      const r = await app.inject({ method: 'GET', url: `/api/v1/mpi/reviews?${qs}`, headers: { cookie: admin } });
      assert.equal(r.statusCode, 400, qs);
    }
    const max = await app.inject({ method: 'GET', url: '/api/v1/mpi/reviews?limit=200&offset=0', headers: { cookie: admin } });
    assert.equal((max.json() as ListBody).limit, 200);
    const past = await app.inject({ method: 'GET', url: '/api/v1/mpi/reviews?limit=1&offset=1', headers: { cookie: admin } });
    assert.deepEqual(past.json(), { total: 1, limit: 1, offset: 1, reviews: [] });
  });

  it('lets only an in-scope reviewer decide, validates the decision, and lets an admin undo a merge', async () => {
    const bad = await app.inject({ method: 'POST', url: `/api/v1/mpi/reviews/${reviewId}/decision`, headers: { cookie: officerHere }, payload: { decision: 'maybe' } });
    assert.equal(bad.statusCode, 400);
    const outside = await app.inject({ method: 'POST', url: `/api/v1/mpi/reviews/${reviewId}/decision`, headers: { cookie: officerElsewhere }, payload: { decision: 'merged' } });
    assert.equal(outside.statusCode, 403);
    const ok = await app.inject({ method: 'POST', url: `/api/v1/mpi/reviews/${reviewId}/decision`, headers: { cookie: officerHere }, payload: { decision: 'merged' } });
    assert.equal(ok.statusCode, 200, ok.body);
    const mergeId = (ok.json() as { merge_id: number }).merge_id;
    const owners = await db.db.selectFrom('source_record').select('person_id').execute();
    assert.equal(new Set(owners.map((o) => o.person_id)).size, 1);
    const officerUndo = await app.inject({ method: 'POST', url: `/api/v1/mpi/merges/${mergeId}/undo`, headers: { cookie: officerHere } });
    assert.equal(officerUndo.statusCode, 403);
    const undo = await app.inject({ method: 'POST', url: `/api/v1/mpi/merges/${mergeId}/undo`, headers: { cookie: admin } });
    assert.equal(undo.statusCode, 200, undo.body);
    const split = await db.db.selectFrom('source_record').select('person_id').execute();
    assert.equal(new Set(split.map((o) => o.person_id)).size, 2);
  });
});
