import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie, json } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { identityFollowsRelink } from './follow.ts';
import { mpiDb } from './tables.ts';

const FAC = '51001';
type Episodes = { episodes: Array<{ id: number }> };
type Share = { id: number; url: string };

/**
 * Issue 14 §5: a citizen's open session, shares and declarations follow the reviewer's decision at
 * once, and go back with an undo. The citizen holds the registry record (with the CCCD); the other
 * record is a clinic patient without one, who has the visit.
 */
describe(`identity follows MPI decisions (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let admin: string;

  /** Two persons, one record each, and the pending pair between them; returns the pair's id. */
  async function pair(n: number, cccd: string, opts: { samePerson?: boolean } = {}) {
    const [pa, pb] = [`PA${n}`, `PB${n}`];
    await db.db.insertInto('person').values([
      { id: pa, ho_ten: 'Nguyen Van An', name_key: 'NGUYEN VAN AN' },
      { id: pb, ho_ten: 'Nguyễn Văn An', name_key: 'NGUYEN VAN AN', so_cccd: cccd },
    ]).execute();
    const base = { gioi_tinh: 'Nam', so_bhyt: null, so_dien_thoai: null, dia_chi: null, ma_xa: '21550', ma_ho_gia_dinh: null, content_hash: 'x', link_rule: 'MPI_SINGLE' };
    await db.db.insertInto('source_record').values([
      { ...base, source_system: 'KCB', source_id: `${FAC}:BN${n}`, ho_ten: 'Nguyen Van An', ngay_sinh: '1980-03-12', so_cccd: null, person_id: pa },
      { ...base, source_system: 'MIS2022', source_id: `M${n}`, ho_ten: 'Nguyễn Văn An', ngay_sinh: '12/03/1980', so_cccd: cccd, person_id: opts.samePerson ? pa : pb },
    ]).execute();
    await db.db.insertInto('episode').values({
      facility_code: FAC, ma_lk: `LK${n}`, version: 1, is_current: true, submission_id: 'S1', person_id: pa, patient_source_id: `${FAC}:BN${n}`,
      status: 'accepted', ma_bn: `BN${n}`, ho_ten: 'Nguyen Van An', so_cccd: null, ma_the_bhyt: null, ngay_sinh: '198003120000', gioi_tinh: 1, ma_loai_kcb: '01',
      ngay_vao: '2026-01-02 08:00:00', ngay_vao_noi_tru: null, ngay_ra: '2026-01-02 09:00:00', ma_benh_chinh: 'I10', ma_benh_kt: null, chan_doan_vao: null,
      chan_doan_rv: 'Tăng huyết áp', ket_qua_dtri: 1, ma_loai_rv: 1, t_tongchi_bv: 0, t_bhtt: 0, t_bncct: 0, t_bntt: 0, content_sha256: `c${n}`, xml1: '{}', issues: '[]',
    }).execute();
    const r = await mpiDb(db.db)
      .insertInto('mpi_review')
      .values({ a_system: 'KCB', a_id: `${FAC}:BN${n}`, b_system: 'MIS2022', b_id: `M${n}`, score: 0.8, reasons: '[]' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { reviewId: r.id, pa, pb };
  }

  const decide = async (reviewId: number, decision: 'merged' | 'separate') => {
    const r = await json<{ merge_id: number | null; persons: string[] }>(app, 'POST', `/api/v1/mpi/reviews/${reviewId}/decision`, admin, { decision });
    assert.equal(r.status, 200, r.body);
    return r.json();
  };
  const undo = async (mergeId: number) => assert.equal((await json(app, 'POST', `/api/v1/mpi/merges/${mergeId}/undo`, admin)).status, 200);
  const visits = async (cookie: string) => (await json<Episodes>(app, 'GET', '/api/v1/book/episodes', cookie)).json().episodes.length;
  const shareOwner = async (id: number) => (await sql<{ person_id: string }>`select person_id from book_share where id = ${id}`.execute(db.db)).rows[0]?.person_id;
  const accountOf = async (subject: string) => (await db.db.selectFrom('citizen_account').select('person_id').where('subject', '=', subject).executeTakeFirstOrThrow()).person_id;

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await db.db.insertInto('facility').values({ code: FAC, name: 'BV' }).execute();
    await db.db.insertInto('submission').values({ id: 'S1', facility_code: FAC, channel: 'test', sha256: 'h', size_bytes: 1, idempotency_key: null, status: 'accepted', episode_count: 1, accepted_count: 1, warning_count: 0, rejected_count: 0, receipt: '{}' }).execute();
    admin = (await staffSession(app, db.db, { username: 'admin1', fullName: 'Quản trị', role: 'system_admin' })).cookie;
  });
  after(async () => close());

  it('a session opened before a merge reads the merged book at once, with its shares and declarations, and returns to its own person on undo', async () => {
    const { reviewId, pa, pb } = await pair(1, '051080000001');
    const cookie = await citizenCookie(db, '051080000001', pb, true);
    assert.equal(await visits(cookie), 0, 'before the merge the visit belongs to the other record');
    const before = (await json<Share>(app, 'POST', '/api/v1/book/shares', cookie, {})).json();
    assert.equal((await json(app, 'POST', '/api/v1/book/declarations', cookie, { kind: 'allergy', title: 'Dị ứng penicillin' })).status, 201);

    const { merge_id } = await decide(reviewId, 'merged');
    assert.equal(await visits(cookie), 1, 'the same session sees the merged book without logging in again');
    assert.equal(await accountOf('051080000001'), pa);
    assert.equal(await shareOwner(before.id), pa);
    const shared = await json<{ episodes: unknown[] }>(app, 'GET', `/api/v1/shared/${before.url.split('/').pop()}`, undefined);
    assert.equal(shared.status, 200, shared.body);
    const declared = (await json<{ declarations: Array<{ title: string }> }>(app, 'GET', '/api/v1/book/declarations', cookie)).json();
    assert.deepEqual(declared.declarations.map((d) => d.title), ['Dị ứng penicillin'], 'the allergy is still in the book');
    const during = (await json<Share>(app, 'POST', '/api/v1/book/shares', cookie, {})).json();

    await undo(merge_id!);
    assert.equal(await accountOf('051080000001'), pb);
    assert.equal(await visits(cookie), 0, 'after the undo the session is back on its own person');
    assert.equal(await shareOwner(before.id), pb, 'a share made before the merge goes back');
    assert.equal(await shareOwner(during.id), pb, 'a share the citizen made while merged goes with them');
    const back = (await json<{ declarations: unknown[] }>(app, 'GET', '/api/v1/book/declarations', cookie)).json();
    assert.equal(back.declarations.length, 1);
  });

  it('a citizen who first logged in while the two were one goes to the person holding their CCCD on undo', async () => {
    const { reviewId, pa, pb } = await pair(2, '051080000002');
    const { merge_id } = await decide(reviewId, 'merged');
    const merged = await db.db.selectFrom('person').select('so_cccd').where('id', '=', pa).executeTakeFirstOrThrow();
    assert.equal(merged.so_cccd, '051080000002', 'login would find the merged person by CCCD');
    const cookie = await citizenCookie(db, '051080000002', pa, true);
    assert.equal(await visits(cookie), 1);
    await undo(merge_id!);
    assert.equal(await accountOf('051080000002'), pb);
    assert.equal(await visits(cookie), 0);
  });

  it('separating a pair the engine had joined sends the login to the person that keeps its CCCD', async () => {
    const { reviewId, pa } = await pair(3, '051080000003', { samePerson: true });
    await db.db.updateTable('person').set({ so_cccd: '051080000003' }).where('id', '=', pa).execute();
    const cookie = await citizenCookie(db, '051080000003', pa, true);
    const share = (await json<Share>(app, 'POST', '/api/v1/book/shares', cookie, {})).json();
    assert.equal(await visits(cookie), 1);
    const { persons } = await decide(reviewId, 'separate');
    const fresh = persons.find((p) => p !== pa)!;
    assert.equal(await accountOf('051080000003'), fresh);
    assert.equal(await shareOwner(share.id), fresh);
    assert.equal(await visits(cookie), 0, "the clinic patient's visit stays with the other person");
  });

  it('a relink that retires a person id carries its logins and shares to the new id (what link.ts calls)', async () => {
    await db.db.insertInto('person').values([
      { id: 'OLD', ho_ten: 'Trần Thị Bình', name_key: 'TRAN THI BINH' },
      { id: 'NEW', ho_ten: 'Trần Thị Bình', name_key: 'TRAN THI BINH' },
    ]).execute();
    const cookie = await citizenCookie(db, '051080000004', 'OLD', true);
    const share = (await json<Share>(app, 'POST', '/api/v1/book/shares', cookie, {})).json();
    const moved = await db.db.transaction().execute((tx) => identityFollowsRelink(tx, [{ from: 'OLD', to: 'NEW' }, { from: 'NEW', to: 'NEW' }]));
    assert.deepEqual(moved, [{ subject: '051080000004', from: 'OLD', to: 'NEW' }]);
    assert.equal(await accountOf('051080000004'), 'NEW');
    assert.equal(await shareOwner(share.id), 'NEW');
    assert.deepEqual(await db.db.transaction().execute((tx) => identityFollowsRelink(tx, [])), []);
  });

  it('a relink that splits a person without retiring its id sends the login to the part holding its CCCD', async () => {
    await db.db.insertInto('person').values([
      { id: 'KEPT', ho_ten: 'Phan Văn Cường', name_key: 'PHAN VAN CUONG', so_cccd: null },
      { id: 'SPLIT', ho_ten: 'Phan Văn Cường', name_key: 'PHAN VAN CUONG', so_cccd: '051080000005' },
    ]).execute();
    await citizenCookie(db, '051080000005', 'KEPT', true);
    const moved = await db.db.transaction().execute((tx) => identityFollowsRelink(tx, [], ['KEPT', 'SPLIT']));
    assert.deepEqual(moved, [{ subject: '051080000005', from: 'KEPT', to: 'SPLIT' }]);
    assert.equal(await accountOf('051080000005'), 'SPLIT');
  });
});
