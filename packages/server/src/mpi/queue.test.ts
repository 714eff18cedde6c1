import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test-support/database.ts';
import { relinkAll } from './link.ts';
import { mpiDb } from './tables.ts';

/**
 * The queue is re-judged on every relink: what an earlier run (or earlier rules) proposed and
 * today's data no longer finds uncertain leaves it; reviewers' decisions stay.
 */
describe(`MPI review queue across relinks (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  const row = (system: string, id: string, fields: Record<string, string | null>) => ({
    source_system: system, source_id: id, ho_ten: null, ngay_sinh: null, gioi_tinh: null, so_cccd: null, so_bhyt: null,
    so_dien_thoai: null, dia_chi: null, ma_xa: null, ma_ho_gia_dinh: null, content_hash: `${system}:${id}`, ...fields,
  });

  before(async () => {
    h = await createTestDatabase();
    await h.db.insertInto('source_record').values([
      // Two different people: different CCCD, birth date and commune.
      row('MIS2022', 'A1', { ho_ten: 'Nguyễn Văn Hùng', ngay_sinh: '02/03/1970', gioi_tinh: 'Nam', so_cccd: '051070000001', ma_xa: '21550' }),
      row('BHXH', 'B1', { ho_ten: 'Nguyễn Văn Hùng', ngay_sinh: '19/11/1984', gioi_tinh: 'Nam', so_cccd: '051084000002', ma_xa: '21553' }),
      // The same person typed twice without ids, one row giving only the birth year.
      row('MIS2022', 'A2', { ho_ten: 'Phạm Thị Gấm', ngay_sinh: '1961', gioi_tinh: 'Nữ', dia_chi: 'Thôn 4, xã Nghĩa Kỳ', ma_xa: '21550' }),
      row('TIEMCHUNG', 'T2', { ho_ten: 'Pham Thi Gam', ngay_sinh: '05/06/1961', gioi_tinh: 'Nữ', dia_chi: 'Thôn 9, xã Nghĩa Kỳ', ma_xa: '21550' }),
    ]).execute();
    await relinkAll(h.db);
    const m = mpiDb(h.db);
    // What an earlier version queued: the two different Hùng, and a pair a reviewer already decided.
    await m.insertInto('mpi_review').values([
      { a_system: 'BHXH', a_id: 'B1', b_system: 'MIS2022', b_id: 'A1', score: 0.97, reasons: JSON.stringify(['id-conflict']) },
      { a_system: 'MIS2022', a_id: 'A2', b_system: 'TIEMCHUNG', b_id: 'T2', score: 0.6, reasons: JSON.stringify(['weak-evidence']), status: 'separate', decided_by: 'r1' },
    ]).execute();
  });
  after(async () => h.drop());

  it('withdraws pending pairs today\'s data decides, keeps decided ones', async () => {
    const stats = await relinkAll(h.db);
    assert.equal(stats.withdrawnReviews, 1);
    const left = await sql<{ a_id: string; status: string }>`select a_id, status from mpi_review order by a_id`.execute(h.db);
    assert.deepEqual(left.rows, [{ a_id: 'A2', status: 'separate' }]);
  });

  it('a second relink on unchanged data withdraws nothing and keeps the pending pair it proposes', async () => {
    // A pair the engine proposes: same name, same village, one row giving only the birth year while
    // another namesake of that year lives in the commune — a person can decide it, the engine cannot
    // (under one house number it would link: two such persons do not share a house).
    await h.db.insertInto('source_record').values([
      row('MIS2022', 'A3', { ho_ten: 'Lê Văn Tám', ngay_sinh: '1950', gioi_tinh: 'Nam', dia_chi: 'Thôn 2, xã Nghĩa Kỳ', ma_xa: '21550' }),
      row('BHXH', 'B3', { ho_ten: 'Lê Văn Tám', ngay_sinh: '03/04/1950', gioi_tinh: 'Nam', dia_chi: 'Thôn 2, xã Nghĩa Kỳ', ma_xa: '21550' }),
      row('KCB', 'K3', { ho_ten: 'Lê Văn Tám', ngay_sinh: '09/10/1950', gioi_tinh: 'Nam', dia_chi: 'Thôn 1, xã Nghĩa Kỳ', ma_xa: '21550' }),
    ]).execute();
    const first = await relinkAll(h.db);
    const pending = async () => (await sql<{ a_id: string; b_id: string }>`select a_id, b_id from mpi_review where status = 'pending' order by a_id, b_id`.execute(h.db)).rows;
    const before = await pending();
    assert.ok(before.length > 0, 'the engine proposes at least one pair');
    assert.equal(first.reviews, before.length);
    const again = await relinkAll(h.db);
    assert.equal(again.withdrawnReviews, 0);
    assert.deepEqual(await pending(), before);
  });
});
