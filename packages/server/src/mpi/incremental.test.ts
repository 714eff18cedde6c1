import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test-support/database.ts';
import { linkIncoming } from './incremental.ts';
import { relinkAll } from './link.ts';

const row = (system: string, id: string, fields: Record<string, string | null>) => ({
  source_system: system, source_id: id, ho_ten: null, ngay_sinh: null, gioi_tinh: null, so_cccd: null, so_bhyt: null,
  so_dien_thoai: null, dia_chi: null, ma_xa: null, ma_ho_gia_dinh: null, content_hash: `${system}:${id}`, ...fields,
});

describe(`MPI linking as data arrives (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  const personOf = async (system: string, id: string) =>
    (await h.db.selectFrom('source_record').select('person_id').where('source_system', '=', system).where('source_id', '=', id).executeTakeFirstOrThrow()).person_id;

  before(async () => {
    h = await createTestDatabase();
    await h.db.insertInto('source_record').values([
      row('MIS2022', 'M1', { ho_ten: 'Trần Văn Thành', ngay_sinh: '20/03/2007', gioi_tinh: 'Nam', so_cccd: '051207102871', so_dien_thoai: '0838004037',
        dia_chi: 'Thôn 7, xã Nghĩa Kỳ, huyện Tư Nghĩa, Quảng Ngãi', ma_xa: '21550', ma_ho_gia_dinh: 'HGD1' }),
      row('BHXH', 'B1', { ho_ten: 'TRAN VAN THANH', ngay_sinh: '20/03/2007', gioi_tinh: 'Nam', so_bhyt: 'HS4515123456789', ma_xa: '21550' }),
      row('MIS2022', 'M2', { ho_ten: 'Đinh Thị Ngọc Bích', ngay_sinh: '14/02/1991', gioi_tinh: 'Nữ', so_cccd: '051191000123', ma_xa: '21550' }),
    ]).execute();
    await relinkAll(h.db);
  });
  after(async () => h.drop());

  it('the global relink leaves every record with its blocking keys and keeps the model', async () => {
    const missing = await sql<{ n: number }>`select count(*)::int as n from source_record where match_keys is null`.execute(h.db);
    assert.equal(missing.rows[0]!.n, 0);
    const model = await sql<{ records: number }>`select records from mpi_model`.execute(h.db);
    assert.equal(model.rows[0]!.records, 3);
  });

  it('an immunization record without ids joins its person in the same transaction; the golden record follows', async () => {
    const person = await personOf('MIS2022', 'M1');
    const placed = await h.db.transaction().execute(async (tx) => {
      await tx.insertInto('source_record').values(row('TIEMCHUNG', 'T1', {
        ho_ten: 'Tran Van Thanh', ngay_sinh: '20/03/2007', so_dien_thoai: '0851851411', dia_chi: 'th 7, x. nghia ky, h. tu nghia' })).execute();
      return linkIncoming(tx, [{ system: 'TIEMCHUNG', id: 'T1' }]);
    });
    assert.deepEqual(placed.map((p) => [p.outcome, p.personId]), [['joined', person]]);
    assert.equal(await personOf('TIEMCHUNG', 'T1'), person);
    const rule = await h.db.selectFrom('source_record').select('link_rule').where('source_id', '=', 'T1').executeTakeFirstOrThrow();
    assert.equal(rule.link_rule, 'MPI_INCREMENTAL');
  });

  it('a stranger becomes a person of their own at once', async () => {
    const placed = await h.db.transaction().execute(async (tx) => {
      await tx.insertInto('source_record').values(row('KCB', '51001:BN7', { ho_ten: 'Lò Văn Páo', ngay_sinh: '03/03/1957', gioi_tinh: '1', ma_xa: '21550' })).execute();
      return linkIncoming(tx, [{ system: 'KCB', id: '51001:BN7' }]);
    });
    assert.equal(placed[0]!.outcome, 'new');
    const p = await h.db.selectFrom('person').select(['ho_ten', 'ngay_sinh']).where('id', '=', placed[0]!.personId!).executeTakeFirstOrThrow();
    assert.deepEqual(p, { ho_ten: 'Lò Văn Páo', ngay_sinh: '1957-03-03' });
  });

  it('a CCCD alone against another name and birth date (same year) does not join; both persons are flagged, a reviewer looks', async () => {
    const bich = await personOf('MIS2022', 'M2');
    const placed = await h.db.transaction().execute(async (tx) => {
      // What ingest writes: the deterministic CCCD link, then the MPI judges the record.
      await tx.insertInto('source_record').values({
        ...row('KCB', '51001:BN8', { ho_ten: 'Trương Thị Hoa', ngay_sinh: '20/07/1991', gioi_tinh: '2', so_cccd: '051191000123' }),
        person_id: bich, link_rule: 'cccd',
      }).execute();
      return linkIncoming(tx, [{ system: 'KCB', id: '51001:BN8' }], { relink: true });
    });
    assert.equal(placed[0]!.outcome, 'new');
    assert.notEqual(placed[0]!.personId, bich);
    assert.equal(await personOf('KCB', '51001:BN8'), placed[0]!.personId);
    const review = await sql<{ reasons: string[] }>`select reasons from mpi_review where a_id = '51001:BN8' or b_id = '51001:BN8'`.execute(h.db);
    assert.deepEqual(review.rows.map((r) => r.reasons), [['shared-id-different-person']]);
    const flagged = await h.db.selectFrom('person').select('id').where(sql<boolean>`'SHARED_ID_NUMBER' = any(quality_flags)`).execute();
    assert.deepEqual(new Set(flagged.map((f) => f.id)), new Set([bich, placed[0]!.personId]));
  });

  it('a CCCD link whose name or birth date alone differs stays (a typo or a new name)', async () => {
    const bich = await personOf('MIS2022', 'M2');
    const [kept] = await h.db.transaction().execute(async (tx) => {
      await tx.insertInto('source_record').values({
        ...row('KCB', '51001:BN9', { ho_ten: 'Đinh Thị Ngọc Bích', ngay_sinh: '15/02/1991', gioi_tinh: '2', so_cccd: '051191000123' }),
        person_id: bich, link_rule: 'cccd',
      }).execute();
      return linkIncoming(tx, [{ system: 'KCB', id: '51001:BN9' }], { relink: true });
    });
    assert.deepEqual([kept!.outcome, kept!.personId], ['kept', bich]);
  });

  it('a record already placed stays where it is unless its content changed', async () => {
    const before = await personOf('BHXH', 'B1');
    const [kept] = await h.db.transaction().execute((tx) => linkIncoming(tx, [{ system: 'BHXH', id: 'B1' }]));
    assert.deepEqual([kept!.outcome, kept!.personId], ['kept', before]);
  });
});
