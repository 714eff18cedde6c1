import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestDatabase } from '../../test-support/database.ts';
import { decideReview, listReviews, undoMerge } from './review.ts';
import { mpiDb } from './tables.ts';

const reviewer = { type: 'staff' as const, id: 'reviewer-1', name: 'Người rà soát', role: 'mpi_reviewer' };

describe(`MPI review decisions (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    h = await createTestDatabase();
    const db = h.db;
    await db.insertInto('person').values([
      { id: 'PA', ho_ten: 'Nguyễn Văn An', name_key: 'NGUYEN VAN AN' },
      { id: 'PB', ho_ten: 'Nguyen Van An', name_key: 'NGUYEN VAN AN' },
    ]).execute();
    const base = { gioi_tinh: 'Nam', so_bhyt: null, so_dien_thoai: null, dia_chi: 'Tư Nghĩa', ma_xa: '21550', ma_ho_gia_dinh: null, content_hash: 'x' };
    await db.insertInto('source_record').values([
      { ...base, source_system: 'MIS2022', source_id: 'M1', ho_ten: 'Nguyễn Văn An', ngay_sinh: '12/03/1980', so_cccd: '051080000001', person_id: 'PA', link_rule: 'MPI_SINGLE' },
      { ...base, source_system: 'KCB', source_id: '51001:BN9', ho_ten: 'Nguyen Van An', ngay_sinh: '1980', so_cccd: null, person_id: 'PB', link_rule: 'MPI_SINGLE' },
    ]).execute();
    await db.insertInto('facility').values({ code: '51001', name: 'BV' }).execute();
    await db.insertInto('submission').values({ id: 'S1', facility_code: '51001', channel: 'test', sha256: 'h', size_bytes: 1, idempotency_key: null, status: 'accepted', episode_count: 1, accepted_count: 1, warning_count: 0, rejected_count: 0, receipt: '{}' }).execute();
    await db.insertInto('episode').values({
      facility_code: '51001', ma_lk: 'LK1', version: 1, is_current: true, submission_id: 'S1', person_id: 'PB', patient_source_id: '51001:BN9',
      status: 'accepted', ma_bn: 'BN9', ho_ten: 'Nguyen Van An', so_cccd: null, ma_the_bhyt: null, ngay_sinh: '1980', gioi_tinh: 1, ma_loai_kcb: '01',
      ngay_vao: '2026-01-02 08:00:00', ngay_vao_noi_tru: null, ngay_ra: '2026-01-02 09:00:00', ma_benh_chinh: 'I10', ma_benh_kt: null, chan_doan_vao: null,
      chan_doan_rv: null, ket_qua_dtri: 1, ma_loai_rv: 1, t_tongchi_bv: 0, t_bhtt: 0, t_bncct: 0, t_bntt: 0, content_sha256: 'c', xml1: '{}', issues: '[]',
    }).execute();
    await mpiDb(db).insertInto('mpi_review').values({ a_system: 'KCB', a_id: '51001:BN9', b_system: 'MIS2022', b_id: 'M1', score: 0.8, reasons: JSON.stringify(['name']) }).execute();
  });
  after(async () => h.drop());

  it('lists pending pairs side by side with the total and a plain explanation', async () => {
    const { total, reviews } = await listReviews(h.db);
    assert.equal(total, 1);
    assert.equal(reviews.length, 1);
    assert.equal(reviews[0]?.a?.fields.ho_ten, 'Nguyen Van An');
    assert.equal(reviews[0]?.b?.fields.so_cccd, '051080000001');
    const e = reviews[0]!.explanation;
    assert.equal(e.summary_vi, 'Họ tên gần giống (một bên viết không dấu), cùng năm sinh, cùng xã');
    assert.deepEqual(
      e.fields.map((f) => [f.field, f.status]),
      [['ho_ten', 'similar'], ['ngay_sinh', 'similar'], ['gioi_tinh', 'same'], ['so_cccd', 'missing'], ['so_bhyt', 'missing'], ['so_dien_thoai', 'missing'], ['dia_chi', 'same'], ['ma_xa', 'same'], ['ma_ho_gia_dinh', 'missing']],
    );
  });

  it('pages by score then id, counts every open pair, and keeps to the given communes', async () => {
    const more = [1, 2, 3].map((i) => ({ a_system: 'MIS2022', a_id: 'M1', b_system: 'X', b_id: `ghost${i}`, score: 0.5 + i / 100, reasons: '[]' }));
    const ids = (await mpiDb(h.db).insertInto('mpi_review').values(more).returning('id').execute()).map((r) => r.id);
    try {
      const first = await listReviews(h.db, { limit: 2 });
      assert.equal(first.total, 4);
      assert.deepEqual(first.reviews.map((r) => r.score), [0.8, 0.53]);
      const second = await listReviews(h.db, { limit: 2, offset: 2 });
      assert.deepEqual(second.reviews.map((r) => r.score), [0.52, 0.51]);
      assert.equal(second.reviews[0]?.b, undefined, 'a record that is gone shows as missing');
      assert.equal((await listReviews(h.db, { communes: ['21550'] })).total, 4);
      assert.equal((await listReviews(h.db, { communes: ['99999'] })).total, 0);
      assert.deepEqual(await listReviews(h.db, { communes: [] }), { total: 0, reviews: [] });
      assert.equal((await listReviews(h.db, { limit: 5000 })).reviews.length, 4, 'the cap only bounds the page');
    } finally {
      await mpiDb(h.db).deleteFrom('mpi_review').where('id', 'in', ids).execute();
    }
  });

  it('leaves out a pending pair whose records already belong to one person, and shows it again when they part', async () => {
    const [review] = (await listReviews(h.db)).reviews;
    await h.db.updateTable('source_record').set({ person_id: 'PA' }).where('source_id', '=', '51001:BN9').execute();
    assert.deepEqual(await listReviews(h.db), { total: 0, reviews: [] });
    await h.db.updateTable('source_record').set({ person_id: 'PB' }).where('source_id', '=', '51001:BN9').execute();
    assert.deepEqual((await listReviews(h.db)).reviews.map((r) => r.id), [review!.id]);
  });

  it('merges, moving the episode with its patient, then unmerges', async () => {
    const [review] = (await listReviews(h.db)).reviews;
    const r = await decideReview(h.db, review!.id, 'merged', reviewer);
    assert.ok(r.merge_id);
    const recs = await h.db.selectFrom('source_record').select('person_id').execute();
    assert.equal(new Set(recs.map((x) => x.person_id)).size, 1);
    const ep = await h.db.selectFrom('episode').select('person_id').executeTakeFirstOrThrow();
    assert.equal(ep.person_id, recs[0]?.person_id);
    const golden = await h.db.selectFrom('person').selectAll().where('id', '=', ep.person_id!).executeTakeFirstOrThrow();
    assert.equal(golden.ho_ten, 'Nguyễn Văn An', 'accented name survives');
    assert.equal(golden.so_cccd, '051080000001');
    const audits = await h.db.selectFrom('audit_event').select(['action', 'actor_id']).where('action', '=', 'mpi.review.merged').execute();
    assert.deepEqual(audits, [{ action: 'mpi.review.merged', actor_id: 'reviewer-1' }]);

    await undoMerge(h.db, r.merge_id!, reviewer);
    const after = await h.db.selectFrom('source_record').select(['source_id', 'person_id']).orderBy('source_id').execute();
    assert.notEqual(after[0]?.person_id, after[1]?.person_id);
    const ep2 = await h.db.selectFrom('episode').select('person_id').executeTakeFirstOrThrow();
    assert.equal(ep2.person_id, after.find((x) => x.source_id === '51001:BN9')?.person_id);
    const [decided] = (await listReviews(h.db, { status: 'separate' })).reviews;
    assert.equal(decided?.id, review!.id);
    await assert.rejects(undoMerge(h.db, r.merge_id!, reviewer), /already undone/);
  });

  it('separates a pair the engine had put in one person', async () => {
    await h.db.updateTable('source_record').set({ person_id: 'PA' }).execute();
    const [review] = (await listReviews(h.db, { status: 'separate' })).reviews;
    const r = await decideReview(h.db, review!.id, 'separate', reviewer);
    assert.equal(r.persons.length, 2, "the shared person and a new one");
    const recs = await h.db.selectFrom('source_record').select('person_id').execute();
    assert.equal(new Set(recs.map((x) => x.person_id)).size, 2);
  });
});
