import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../test-support/app.ts';
import { json } from '../test-support/book-fixture.ts';
import { staffSession } from '../test-support/staff.ts';
import { IDENTITY_FOLLOWERS, NOT_FOLLOWED } from './identity-followers.ts';

/**
 * Every personal table follows MPI decisions or says why not, and the tables that joined after the
 * first followers (correction requests, notifications, channel choices) move with a merge and come
 * back with its undo, one-row-per-person conflicts included.
 */
describe(`identity followers (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let admin: string;

  before(async () => {
    ({ app, db, close } = await startTestApp());
    admin = (await staffSession(app, db.db, { username: 'admin1', fullName: 'Quản trị', role: 'system_admin' })).cookie;
  });
  after(async () => close());

  it('lists every table with a person column (person_id, related_person_id, head_person_id, …) as followed by exactly one follower or not followed with a reason', async () => {
    // The columns db/citus.test.ts calls person columns, whatever their prefix: a table holding a
    // person id only as related_person_id is as stale after a merge as one holding person_id.
    const personColumn = /(^|_)person(_id)?$|^from_person$|^to_person$/;
    const tables = [
      ...new Set(
        (
          await sql<{ table_name: string; column_name: string }>`select c.table_name, c.column_name from information_schema.columns c
            join information_schema.tables t using (table_schema, table_name)
            where c.table_schema = current_schema() and t.table_type = 'BASE TABLE' order by 1`.execute(db.db)
        ).rows.filter((r) => personColumn.test(r.column_name)).map((r) => r.table_name),
      ),
    ];
    assert.ok(tables.includes('person_relation') && tables.includes('vaccination'));
    const followedBy = new Map<string, string[]>();
    for (const f of IDENTITY_FOLLOWERS) for (const t of f.tables) followedBy.set(t, [...(followedBy.get(t) ?? []), f.name]);
    const neither = tables.filter((t) => !followedBy.has(t) && NOT_FOLLOWED[t] === undefined);
    assert.deepEqual(neither, [], 'a new personal table: add it to a follower (src/identity-followers.ts) or to NOT_FOLLOWED with the reason');
    const both = tables.filter((t) => followedBy.has(t) && NOT_FOLLOWED[t] !== undefined);
    assert.deepEqual(both, [], 'followed and declared not followed');
    const twice = [...followedBy].filter(([, names]) => names.length > 1);
    assert.deepEqual(twice, [], 'one table, one follower');
    const existing = new Set((await sql<{ table_name: string }>`select table_name from information_schema.tables where table_schema = current_schema()`.execute(db.db)).rows.map((r) => r.table_name));
    const stale = [...followedBy.keys(), ...Object.keys(NOT_FOLLOWED)].filter((t) => !existing.has(t));
    assert.deepEqual(stale, [], 'listed tables that do not exist');
    for (const [t, why] of Object.entries(NOT_FOLLOWED)) assert.ok(why.length > 20, `${t}: say why it does not follow`);
  });

  it('nothing cascades from a table whose rows change person by leaving and coming back (person/rehome.ts)', async () => {
    // A move deletes and re-inserts each row in one statement. A NO ACTION key sees the row back by
    // the statement's end; a CASCADE or SET NULL key would take or blank the referencing rows with it,
    // and a delete trigger would act on a row that is not going anywhere: silent loss on every merge.
    const moved = [...new Set([...IDENTITY_FOLLOWERS.flatMap((f) => f.tables), 'episode', 'visit', 'episode_row'])];
    const cascades = await sql<{ conname: string; referenced: string; referencing: string }>`
      select c.conname, c.confrelid::regclass::text as referenced, c.conrelid::regclass::text as referencing
        from pg_constraint c
       where c.contype = 'f' and c.confdeltype in ('c', 'n', 'd') and c.confrelid::regclass::text = any(${moved}::text[])`.execute(db.db);
    assert.deepEqual(cascades.rows, [], 'a foreign key that acts on delete points at a table the MPI moves rows of');
    // Delete triggers written for a move: what each does when a row leaves and its re-insert comes back.
    const moveAware: Record<string, string> = {
      episode_row_leaves_appointment_plan: 'drops the old person’s reminder-planner entry; the re-insert queues the new person’s (migration 096)',
    };
    const deleteTriggers = await sql<{ tgname: string; table: string }>`
      select t.tgname, t.tgrelid::regclass::text as table from pg_trigger t
       where not t.tgisinternal and (t.tgtype & 8) <> 0 and t.tgrelid::regclass::text = any(${moved}::text[])`.execute(db.db);
    assert.deepEqual(deleteTriggers.rows.filter((t) => moveAware[t.tgname] === undefined), [], 'a delete trigger on a table the MPI moves rows of, not written for moves');
    assert.ok(moved.includes('vaccination') && moved.includes('book_share'), 'the followers list their tables');
  });

  /** Two persons, one record each, and the pending pair between them. */
  async function pair(n: number) {
    const [pa, pb] = [`FA${n}`, `FB${n}`];
    await db.db.insertInto('person').values([
      { id: pa, ho_ten: 'Trần Thị Bình', name_key: 'TRAN THI BINH' },
      { id: pb, ho_ten: 'Tran Thi Binh', name_key: 'TRAN THI BINH' },
    ]).execute();
    const base = { ngay_sinh: '1990-05-01', gioi_tinh: 'Nữ', so_cccd: null, so_bhyt: null, so_dien_thoai: null, dia_chi: null, ma_xa: '21550', ma_ho_gia_dinh: null, content_hash: 'x', link_rule: 'MPI_SINGLE' };
    await db.db.insertInto('source_record').values([
      { ...base, source_system: 'MIS2022', source_id: `A${n}`, ho_ten: 'Trần Thị Bình', person_id: pa },
      { ...base, source_system: 'MIS2022', source_id: `B${n}`, ho_ten: 'Tran Thi Binh', person_id: pb },
    ]).execute();
    const r = await sql<{ id: number }>`insert into mpi_review (a_system, a_id, b_system, b_id, score, reasons)
      values ('MIS2022', ${`A${n}`}, 'MIS2022', ${`B${n}`}, 0.8, '[]') returning id::int as id`.execute(db.db);
    return { reviewId: r.rows[0]!.id, pa, pb };
  }

  const merge = async (reviewId: number) => {
    const r = await json<{ merge_id: number }>(app, 'POST', `/api/v1/mpi/reviews/${reviewId}/decision`, admin, { decision: 'merged' });
    assert.equal(r.status, 200, r.body);
    return r.json().merge_id;
  };
  const undo = async (mergeId: number) => {
    const r = await json(app, 'POST', `/api/v1/mpi/merges/${mergeId}/undo`, admin);
    assert.equal(r.status, 200, r.body);
  };

  async function correction(personId: string, createdBy: string) {
    const r = await sql<{ id: string }>`insert into correction_request (person_id, kind, note, owner_kind, due_on, created_by)
      values (${personId}, 'wrong_personal', 'Sai ngày sinh', 'mpi', '2026-12-31', ${createdBy}) returning id::text as id`.execute(db.db);
    const id = r.rows[0]!.id;
    await sql`insert into correction_event (request_id, person_id, actor_type, actor_id, action) values (${id}::int8, ${personId}, 'citizen', ${createdBy}, 'created')`.execute(db.db);
    return id;
  }
  const correctionOwners = async (id: string) =>
    (await sql<{ person_id: string }>`select person_id from correction_request where id = ${id}::int8
      union all select person_id from correction_event where request_id = ${id}::int8`.execute(db.db)).rows.map((r) => r.person_id);
  const notification = async (personId: string, sourceKey: string, title: string) =>
    (await sql<{ id: string }>`insert into citizen_notification (person_id, kind, title, body, source_key) values (${personId}, 'reminder', ${title}, 'Nhắc lịch tái khám', ${sourceKey})
      returning id::text as id`.execute(db.db)).rows[0]!.id;
  const notificationsOf = async (personId: string) =>
    (await sql<{ title: string }>`select title from citizen_notification where person_id = ${personId} order by title`.execute(db.db)).rows.map((r) => r.title);
  const preference = async (personId: string, channel: 'email' | 'sms', address: string, at: string) =>
    sql`insert into notification_preference (person_id, channel, address, updated_at) values (${personId}, ${channel}, ${address}, ${at}::timestamptz)`.execute(db.db);
  const preferencesOf = async (personId: string) =>
    (await sql<{ channel: string; address: string }>`select channel, address from notification_preference where person_id = ${personId} order by channel`.execute(db.db)).rows.map(
      (r) => `${r.channel}:${r.address}`,
    );

  it('a merge moves correction requests with their history, and an undo returns them; one filed by the citizen while merged goes with their login', async () => {
    const { reviewId, pa, pb } = await pair(1);
    await db.db.insertInto('citizen_account').values({ subject: '079190000001', person_id: pb, consent_at: new Date() }).execute();
    const filed = await correction(pb, '079190000001');
    const survivors = await correction(pa, 'someone-else');

    const mergeId = await merge(reviewId);
    assert.deepEqual(await correctionOwners(filed), [pa, pa], 'the request and its history are on the merged person');
    assert.deepEqual(await correctionOwners(survivors), [pa, pa]);
    const whileMerged = await correction(pa, '079190000001');

    await undo(mergeId);
    assert.deepEqual(await correctionOwners(filed), [pb, pb], 'the moved request returns with its history');
    assert.deepEqual(await correctionOwners(survivors), [pa, pa], "the surviving person's request stays");
    assert.deepEqual(await correctionOwners(whileMerged), [pb, pb], 'a request the citizen filed while merged follows their login back');
  });

  it('notifications move; one event notified to both persons stays once on the survivor, and the undo gives each person its own back', async () => {
    const { reviewId, pa, pb } = await pair(2);
    await notification(pa, 'reminder:51001:LK1', 'A: tái khám 1');
    await notification(pb, 'reminder:51001:LK1', 'B: tái khám 1');
    await notification(pb, 'reminder:51001:LK2', 'B: tái khám 2');

    const mergeId = await merge(reviewId);
    assert.deepEqual(await notificationsOf(pa), ['A: tái khám 1', 'B: tái khám 2'], "the survivor's copy of a shared event stays, the other moves");
    assert.deepEqual(await notificationsOf(pb), []);
    const log = await sql<{ moved_identity: { notices: { droppedNotifications: Array<{ title: string }> } } }>`select moved_identity from mpi_merge where id = ${mergeId}`.execute(db.db);
    assert.deepEqual(log.rows[0]!.moved_identity.notices.droppedNotifications.map((n) => n.title), ['B: tái khám 1'], 'the removed copy is kept on the merge log');

    await undo(mergeId);
    assert.deepEqual(await notificationsOf(pa), ['A: tái khám 1']);
    assert.deepEqual(await notificationsOf(pb), ['B: tái khám 1', 'B: tái khám 2']);
  });

  it("channel choices move; where both persons chose for one channel the later choice stays, and the undo restores both persons' choices", async () => {
    const { reviewId, pa, pb } = await pair(3);
    await preference(pa, 'email', 'a-old@example.vn', '2026-01-01T00:00:00.123456Z');
    await preference(pb, 'email', 'b-new@example.vn', '2026-02-01T00:00:00.654321Z');
    await preference(pa, 'sms', '0901000001', '2026-03-01T00:00:00Z');
    await preference(pb, 'sms', '0901000002', '2026-01-15T00:00:00Z');

    const mergeId = await merge(reviewId);
    assert.deepEqual(await preferencesOf(pa), ['email:b-new@example.vn', 'sms:0901000001'], 'per channel, the later choice stays');
    assert.deepEqual(await preferencesOf(pb), []);

    await undo(mergeId);
    assert.deepEqual(await preferencesOf(pa), ['email:a-old@example.vn', 'sms:0901000001']);
    assert.deepEqual(await preferencesOf(pb), ['email:b-new@example.vn', 'sms:0901000002']);
  });

  it('a choice changed on the merged person after the merge stays there on undo', async () => {
    const { reviewId, pa, pb } = await pair(4);
    await preference(pb, 'email', 'b@example.vn', '2026-02-01T00:00:00Z');
    const mergeId = await merge(reviewId);
    await sql`update notification_preference set address = 'new@example.vn', updated_at = now() where person_id = ${pa} and channel = 'email'`.execute(db.db);
    await undo(mergeId);
    assert.deepEqual(await preferencesOf(pa), ['email:new@example.vn'], 'the newer word of the citizen is not undone');
    assert.deepEqual(await preferencesOf(pb), []);
  });

  it('a merge logged before a follower existed gives nothing of it back on undo', async () => {
    const { reviewId, pa, pb } = await pair(5);
    const filed = await correction(pb, 'citizen-5');
    await notification(pb, 'k5', 'B5');
    const mergeId = await merge(reviewId);
    // The record as a merge logged before the correction and notice followers wrote it.
    await sql`update mpi_merge set moved_identity = moved_identity::jsonb - 'correction' - 'notices' where id = ${mergeId}`.execute(db.db);
    await undo(mergeId);
    assert.deepEqual(await correctionOwners(filed), [pa, pa], 'without a record nothing is known to have moved');
    assert.deepEqual(await notificationsOf(pa), ['B5']);
    assert.deepEqual(await notificationsOf(pb), []);
  });

  it("a child's parent and guardian relations follow a merge of either side (a staff decision wins a clash, a self-relation goes) and come back with the undo", async () => {
    const { reviewId, pa, pb } = await pair(6);
    await db.db.insertInto('person').values([
      { id: 'FC6', ho_ten: 'Trần Văn Con', name_key: 'TRAN VAN CON' },
      { id: 'FG6', ho_ten: 'Lê Thị Giám', name_key: 'LE THI GIAM' },
    ]).execute();
    await sql`insert into person_relation (person_id, related_person_id, relation, source, proof_type, proof_number, decided_by, decided_at) values
      ('FC6', ${pb}, 'parent', 'staff_confirmed', 'birth_certificate', 'KS-6', 'staff-6', '2026-03-01T00:00:00Z')`.execute(db.db);
    await sql`insert into person_relation (person_id, related_person_id, relation, source) values
      ('FC6', ${pa}, 'parent', 'household_age'), (${pb}, 'FG6', 'guardian', 'demo'), (${pa}, ${pb}, 'parent', 'household_age')`.execute(db.db);
    const relations = async () =>
      (await sql<{ k: string }>`select person_id || '>' || related_person_id || ':' || relation || ':' || source as k from person_relation
        where 'FC6' in (person_id, related_person_id) or 'FG6' in (person_id, related_person_id) or ${pa} in (person_id, related_person_id) or ${pb} in (person_id, related_person_id)
        order by 1`.execute(db.db)).rows.map((r) => r.k);
    const before = await relations();

    const mergeId = await merge(reviewId);
    assert.deepEqual(await relations(), [`${pa}>FG6:guardian:demo`, `FC6>${pa}:parent:staff_confirmed`].sort(), 'one parent row, the staff-confirmed one; the guardian follows the child side; no self-relation');
    const proof = await sql<{ proof_number: string }>`select proof_number from person_relation where person_id = 'FC6' and related_person_id = ${pa}`.execute(db.db);
    assert.equal(proof.rows[0]!.proof_number, 'KS-6', 'the decision moves whole');

    await undo(mergeId);
    assert.deepEqual(await relations(), before);
  });
});
