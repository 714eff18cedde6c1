import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test-support/database.ts';
import { insertEpisode } from '../../test-support/staff.ts';
import type { Db } from '../db/index.ts';
import { createFacility } from '../facility/index.ts';
import { episodesFollowSourceRecords, upsertPersons } from './index.ts';

/**
 * Issue 21: episodes, their rows and visits change person by leaving and coming back (a Citus
 * distribution column cannot change in place). A move keeps every row, its id and its content; large
 * moves go in chunks; the set-based call also repairs rows whose person differs from their episode's.
 */
describe(`episodes follow their patient's source record (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let db: Db;
  let drop: () => Promise<void>;
  const EPISODES = 2100;
  before(async () => {
    const h = await createTestDatabase();
    db = h.db;
    drop = () => h.drop();
    await createFacility(db, { code: '51001', name: 'Bệnh viện Đa khoa tỉnh', level: 'tinh' });
    await upsertPersons(db, [
      { id: 'P1', ho_ten: 'Nguyễn Văn An', birth_year: 1980 },
      { id: 'P2', ho_ten: 'Nguyễn Văn An', birth_year: 1980 },
    ]);
    await sql`insert into source_record (source_system, source_id, ho_ten, content_hash, person_id) values ('KCB', 'S1', 'Nguyễn Văn An', 'h', 'P1')`.execute(db);
    const first = await insertEpisode(db, { facility: '51001', personId: 'P1', ngayVao: '2026-11-01 08:00:00', rows: { XML2: [{ MA_THUOC: 'A' }, { MA_THUOC: 'B' }] } });
    // More episodes of the same patient than one move statement takes, copied from the first.
    await sql`insert into episode (facility_code, ma_lk, version, is_current, submission_id, person_id, patient_source_id, status, ma_bn, ho_ten,
        ma_loai_kcb, ngay_vao, ngay_ra, ma_benh_chinh, sensitivity, content_sha256, xml1, issues)
      select facility_code, 'LKM' || g, 1, true, submission_id, person_id, 'S1', status, ma_bn, ho_ten, ma_loai_kcb, ngay_vao, ngay_ra,
             ma_benh_chinh, sensitivity, content_sha256, xml1, issues
        from episode, generate_series(1, ${EPISODES - 1}) g where id = ${first}`.execute(db);
    await sql`update episode set patient_source_id = 'S1' where id = ${first}`.execute(db);
    await sql`insert into episode_row (episode_id, person_id, tbl, row_no, fields, extra)
      select e.id, e.person_id, 'XML2', n, jsonb_build_object('MA_THUOC', 'T' || n), null
        from episode e, generate_series(1, 2) n where e.ma_lk like 'LKM%'`.execute(db);
  });
  after(async () => drop?.());

  const snapshot = async () =>
    (
      await sql<{ k: string }>`select e.id || ':' || e.ma_lk || ':' || e.person_id || ':' || coalesce(string_agg(r.person_id || '/' || (r.fields->>'MA_THUOC'), ',' order by r.row_no), '') as k
        from episode e left join episode_row r on r.episode_id = e.id group by e.id order by e.id`.execute(db)
    ).rows.map((r) => r.k);

  it('a relinked patient takes every episode and row along, in chunks, ids and content unchanged', async () => {
    const before = await snapshot();
    assert.equal(before.length, EPISODES);
    await sql`update source_record set person_id = 'P2' where source_id = 'S1'`.execute(db);
    await db.transaction().execute((tx) => episodesFollowSourceRecords(tx, ['S1']));
    const afterMove = await snapshot();
    assert.deepEqual(afterMove, before.map((k) => k.replaceAll('P1', 'P2')), 'same ids, same rows, all on the new person');
  });

  it('the set-based call repairs a row left on another person than its episode', async () => {
    await sql`update episode_row set person_id = 'P1' where episode_id = (select min(episode_id) from episode_row) and row_no = 1`.execute(db);
    await db.transaction().execute((tx) => episodesFollowSourceRecords(tx));
    const stale = await sql<{ n: number }>`select count(*)::int as n from episode_row r join episode e on e.id = r.episode_id where r.person_id is distinct from e.person_id`.execute(db);
    assert.equal(stale.rows[0]!.n, 0);
    assert.equal((await snapshot()).filter((k) => k.includes('P1')).length, 0);
  });
});
