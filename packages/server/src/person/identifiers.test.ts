import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test-support/database.ts';
import type { Db } from '../db/index.ts';
import { createPersons, personIdsByIdentifier, setSourceLinks, upsertPersons } from './index.ts';

/**
 * Issue 21: what a Citus cluster routes by must say what the person rows say, on every database.
 * The identifier directory is derived from person by its writers; an imported dose's person_id moves
 * with its source record's link (immunization dosesOf reads person_id alone).
 */
describe(`identifier directory and dose owners follow the person rows (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let db: Db;
  let drop: () => Promise<void>;
  before(async () => {
    const h = await createTestDatabase();
    db = h.db;
    drop = () => h.drop();
  });
  after(async () => drop?.());

  const directory = async (personId: string) =>
    (await sql<{ k: string }>`select kind || ':' || identifier as k from person_identifier where person_id = ${personId} order by 1`.execute(db)).rows.map((r) => r.k);

  it('a written, changed and cleared identifier is found, moved and gone', async () => {
    await upsertPersons(db, [{ id: 'P1', ho_ten: 'Nguyễn Văn An', so_cccd: '051090000011', bhxh: '5190000011', birth_year: 1980 }]);
    assert.deepEqual(await directory('P1'), ['bhxh:5190000011', 'cccd:051090000011']);
    assert.deepEqual(await personIdsByIdentifier(db, 'cccd', '051090000011'), ['P1']);
    assert.deepEqual(await personIdsByIdentifier(db, 'bhxh', '051090000011'), [], 'the kind is part of the key');

    // A corrected golden record: the old number no longer finds the person.
    await upsertPersons(db, [{ id: 'P1', ho_ten: 'Nguyễn Văn An', so_cccd: '051090000012', bhxh: null, birth_year: 1980 }]);
    assert.deepEqual(await directory('P1'), ['cccd:051090000012']);
    assert.deepEqual(await personIdsByIdentifier(db, 'cccd', '051090000011'), []);

    // A minimal person is created with its number; an existing one keeps its record (and directory).
    await db.transaction().execute((tx) => createPersons(tx, [{ id: 'P2', ho_ten: 'Trần Thị Bình', bhxh: '5190000022' }, { id: 'P1', ho_ten: 'X', so_cccd: '051090000099' }]));
    assert.deepEqual(await directory('P2'), ['bhxh:5190000022']);
    assert.deepEqual(await directory('P1'), ['cccd:051090000012']);

    // Two golden records with one number (an MPI defect) are both listed; the reader picks.
    await upsertPersons(db, [{ id: 'P3', ho_ten: 'Lê Văn Cường', so_cccd: '051090000012', birth_year: 1990 }]);
    assert.deepEqual(await personIdsByIdentifier(db, 'cccd', '051090000012'), ['P1', 'P3']);

    await sql`delete from person where id = 'P3'`.execute(db);
    assert.deepEqual(await personIdsByIdentifier(db, 'cccd', '051090000012'), ['P1'], 'a deleted person leaves the directory');
  });

  it("an imported dose's person_id follows its source record's link (the immunization follower's hook, not the person module)", async () => {
    await upsertPersons(db, [{ id: 'P4', ho_ten: 'Phạm Thị Dung', birth_year: 2020 }, { id: 'P5', ho_ten: 'Phạm Thị Dung', birth_year: 2020 }]);
    await sql`insert into source_record (source_system, source_id, ho_ten, content_hash, person_id) values ('TCMQG', 'D1', 'Phạm Thị Dung', 'h', 'P4')`.execute(db);
    await sql`insert into vaccination (person_id, vaccine_name, antigens, dose_no, given_on, source, source_record_id, person_source_system, person_source_id)
      values ('P4', 'BCG', '{bcg}', 1, '2020-01-02', 'TCMQG', 'V1', 'TCMQG', 'D1'), ('P4', 'Viêm gan B', '{hepb}', 1, '2020-01-01', 'station', null, null, null)`.execute(db);
    await db.transaction().execute((tx) => setSourceLinks(tx, [{ s: 'TCMQG', i: 'D1', p: 'P5', r: 'MPI_MANUAL_SEPARATE' }]));
    const owners = await sql<{ n: string; person_id: string }>`select vaccine_name as n, person_id from vaccination order by 1`.execute(db);
    assert.deepEqual(owners.rows, [{ n: 'BCG', person_id: 'P5' }, { n: 'Viêm gan B', person_id: 'P4' }], 'the imported dose moved, the station dose stayed');
  });
});
