import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { json } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { identityFollowsRelink } from './follow.ts';
import { mpiDb } from './tables.ts';

const FAC = '51242';
const COMMUNE = '21550';

/** Every station and primary-care row of these persons, without the columns a write stamps with now(). */
const TABLES: Array<[string, string]> = [
  ['station_household', 'head_person_id'],
  ['station_member', 'person_id'],
  ['station_event', 'person_id'],
  ['pc_entry', 'person_id'],
  ['pc_record_field', 'person_id'],
  ['pc_record_field_history', 'person_id'],
  ['pc_person_summary', 'person_id'],
  ['pc_checkup', 'person_id'],
  ['pc_enrolment', 'person_id'],
  ['pc_followup', 'person_id'],
];
const VOLATILE = new Set(['received_at', 'updated_at', 'archived_at']);

/**
 * Issue 15: what the commune station recorded about a person (household register, 831 record,
 * check-ups, registers) follows the MPI's decisions like the citizen's book does — a merge moves it
 * to the surviving person and resolves the one-row-per-person rules, an undo returns exactly what
 * moved, a relink carries a retired id's rows to its successor.
 */
describe(`station and primary-care rows follow MPI decisions (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let admin: string;
  let staffId: string;

  async function snapshot(persons: readonly string[]) {
    const out: Record<string, unknown[]> = {};
    for (const [table, col] of TABLES) {
      const rows = (await sql<Record<string, unknown>>`select * from ${sql.table(table)} where ${sql.ref(col)} = any(${persons}::text[])`.execute(db.db)).rows;
      out[table] = rows
        .map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !VOLATILE.has(k))))
        .map((r) => JSON.stringify(r))
        .sort();
    }
    return out;
  }

  const member = (household: number, person: string, o: { origin: 'population' | 'station'; joined_on: string | null }) =>
    sql<{ id: number }>`insert into station_member (household_id, person_id, commune_code, relation, joined_on, joined_reason, origin)
      values (${household}, ${person}, ${COMMUNE}, 'head', ${o.joined_on}, ${o.origin === 'station' ? 'move_in' : 'population'}, ${o.origin}) returning id`.execute(db.db);
  const event = (kind: string, person: string, recordedAt: string) =>
    sql<{ id: number }>`insert into station_event (entry_id, kind, commune_code, facility_code, person_id, occurred_on, recorded_by, recorded_at, payload_sha256, payload, result)
      values (${randomUUID()}, ${kind}, ${COMMUNE}, ${FAC}, ${person}, ${recordedAt.slice(0, 10)}, ${staffId}, ${recordedAt}, 'h', '{}', '{}') returning id`.execute(db.db);
  const field = (person: string, section: string, item: string, name: string, value: unknown, recordedAt: string) =>
    sql`insert into pc_record_field (person_id, section, item_id, field, value, entry_id, recorded_at, recorded_by, recorded_role, facility_code)
      values (${person}, ${section}, ${item}, ${name}, ${JSON.stringify(value)}, ${randomUUID()}, ${recordedAt}, ${staffId}, 'station_nurse', ${FAC})`.execute(db.db);
  const enrolment = (person: string, register: string, status: 'active' | 'proposed', enrolledOn: string | null, lastVisit: string | null) =>
    sql<{ id: number }>`insert into pc_enrolment (person_id, register, status, source, icd10, enrolled_on, next_due, last_visit_date, facility_code)
      values (${person}, ${register}, ${status}, 'station', ${register === 'hypertension' ? 'I10' : 'E11'}, ${enrolledOn}, ${status === 'active' ? '2026-06-01' : null}, ${lastVisit}, ${FAC})
      returning id`.execute(db.db);

  /** Two persons, one record each, and the pending pair between them. */
  async function pair(n: number) {
    const [pa, pb] = [`SA${n}`, `SB${n}`];
    await db.db.insertInto('person').values([
      { id: pa, ho_ten: 'Lê Thị Hoa', name_key: 'LE THI HOA', ma_xa: COMMUNE },
      { id: pb, ho_ten: 'Le Thi Hoa', name_key: 'LE THI HOA', ma_xa: COMMUNE },
    ]).execute();
    const base = { gioi_tinh: 'Nữ', so_bhyt: null, so_dien_thoai: null, dia_chi: null, ma_xa: COMMUNE, ma_ho_gia_dinh: null, content_hash: 'x', link_rule: 'MPI_SINGLE', so_cccd: null };
    await db.db.insertInto('source_record').values([
      { ...base, source_system: 'MIS2022', source_id: `A${n}`, ho_ten: 'Lê Thị Hoa', ngay_sinh: '1960-05-01', person_id: pa },
      { ...base, source_system: 'KCB', source_id: `${FAC}:B${n}`, ho_ten: 'Le Thi Hoa', ngay_sinh: '1960-05-01', person_id: pb },
    ]).execute();
    const r = await mpiDb(db.db)
      .insertInto('mpi_review')
      .values({ a_system: 'MIS2022', a_id: `A${n}`, b_system: 'KCB', b_id: `${FAC}:B${n}`, score: 0.8, reasons: '[]' })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { reviewId: r.id, pa, pb };
  }

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await db.db.insertInto('admin_unit').values({ code: COMMUNE, level: 'commune', name: 'Xã Thử', parent_code: null, valid_from: null, valid_to: null }).execute();
    await db.db.insertInto('facility').values({ code: FAC, name: 'Trạm Y tế xã Thử', level: 'xã', admin_unit_code: COMMUNE }).execute();
    const s = await staffSession(app, db.db, { username: 'admin1', fullName: 'Quản trị', role: 'system_admin' });
    admin = s.cookie;
    staffId = s.id;
  });
  after(async () => close());

  it('a merge moves every row to the surviving person with the one-per-person rules resolved; the undo returns exactly those rows', async () => {
    const { reviewId, pa, pb } = await pair(1);
    // Register: each person heads a household and is a current member of it; pb's membership was
    // recorded by the station (a move in), pa's comes from the list. Both deaths were recorded, pa's first.
    const h1 = (await sql<{ id: number }>`insert into station_household (commune_code, household_code, head_person_id, origin) values (${COMMUNE}, 'HGD1', ${pa}, 'population') returning id`.execute(db.db)).rows[0]!.id;
    const h2 = (await sql<{ id: number }>`insert into station_household (commune_code, household_code, head_person_id, origin) values (${COMMUNE}, 'TYT2', ${pb}, 'station') returning id`.execute(db.db)).rows[0]!.id;
    const ma = (await member(h1, pa, { origin: 'population', joined_on: null })).rows[0]!.id;
    const mb = (await member(h2, pb, { origin: 'station', joined_on: '2026-05-01' })).rows[0]!.id;
    await event('move_in', pb, '2026-05-01T08:00:00Z');
    const da = (await event('death', pa, '2026-06-01T08:00:00Z')).rows[0]!.id;
    const db_ = (await event('death', pb, '2026-06-02T08:00:00Z')).rows[0]!.id;
    // 831 record: the smoking field on both (pb's later), one field each of their own; a history row of pb's.
    await field(pa, 'risk_factors', '', 'hut_thuoc', 'khong', '2026-01-01T08:00:00Z');
    await field(pb, 'risk_factors', '', 'hut_thuoc', 'co', '2026-02-01T08:00:00Z');
    await field(pa, 'administrative', '', 'nghe_nghiep', 'Nông dân', '2026-01-01T08:00:00Z');
    const allergyItem = randomUUID();
    await field(pb, 'allergies', allergyItem, 'tac_nhan', 'Penicillin', '2026-02-01T08:00:00Z');
    await sql`insert into pc_record_field_history (person_id, section, item_id, field, value, entry_id, recorded_at, recorded_by, recorded_role, facility_code, reason, by_entry_id)
      values (${pb}, 'risk_factors', '', 'hut_thuoc', '"da_bo"', ${randomUUID()}, '2026-01-15T08:00:00Z', ${staffId}, 'station_nurse', ${FAC}, 'superseded', ${randomUUID()})`.execute(db.db);
    await sql`insert into pc_person_summary (person_id, filled_sections) values (${pa}, '{}'), (${pb}, array['allergies'])`.execute(db.db);
    const checkupEntry = randomUUID();
    await sql`insert into pc_checkup (entry_id, person_id, facility_code, examined_on, recorded_at, recorded_by, recorded_role, sbp, dbp)
      values (${checkupEntry}, ${pb}, ${FAC}, '2026-03-01', '2026-03-01T08:00:00Z', ${staffId}, 'station_clinician', 150, 95)`.execute(db.db);
    await sql`insert into pc_entry (entry_id, person_id, kind, content_sha256, staff_id, facility_code, recorded_at, outcome)
      values (${checkupEntry}, ${pb}, 'checkup', 'h', ${staffId}, ${FAC}, '2026-03-01T08:00:00Z', '{}')`.execute(db.db);
    // Registers: both active for hypertension (pb followed more recently); a diabetes proposal for pb.
    const ea = (await enrolment(pa, 'hypertension', 'active', '2026-01-01', '2026-03-01')).rows[0]!.id;
    const eb = (await enrolment(pb, 'hypertension', 'active', '2026-02-01', '2026-04-01')).rows[0]!.id;
    const ed = (await enrolment(pb, 'diabetes', 'proposed', null, null)).rows[0]!.id;
    await sql`insert into pc_followup (entry_id, enrolment_id, person_id, register, facility_code, visit_date, recorded_at, recorded_by, recorded_role, sbp, dbp, next_due, control)
      values (${randomUUID()}, ${eb}, ${pb}, 'hypertension', ${FAC}, '2026-04-01', '2026-04-01T08:00:00Z', ${staffId}, 'station_nurse', 135, 85, '2026-05-01', 'controlled')`.execute(db.db);
    const before = await snapshot([pa, pb]);

    const decided = await json<{ merge_id: number }>(app, 'POST', `/api/v1/mpi/reviews/${reviewId}/decision`, admin, { decision: 'merged' });
    assert.equal(decided.status, 200, decided.body);
    const mergeId = decided.json().merge_id;

    for (const [table, col] of TABLES) {
      const left = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.ref(col)} = ${pb}`.execute(db.db);
      assert.equal(left.rows[0]!.n, 0, `${table}: nothing left on the merged-away person`);
    }
    const memberships = (await sql<{ id: number; closed: boolean; left_reason: string | null }>`
      select id::int as id, closed_at is not null as closed, left_reason from station_member where person_id = ${pa} order by id`.execute(db.db)).rows;
    assert.deepEqual(memberships, [
      { id: ma, closed: true, left_reason: 'merged' },
      { id: mb, closed: false, left_reason: null },
    ], 'one current membership: the one the station recorded');
    const heads = (await sql<{ id: number }>`select id::int as id from station_household where head_person_id = ${pa} order by id`.execute(db.db)).rows.map((r) => r.id);
    assert.deepEqual(heads, [h1, h2]);
    const deaths = (await sql<{ id: number; duplicate_of: number | null }>`select id::int as id, duplicate_of::int as duplicate_of from station_event
      where kind = 'death' and person_id = ${pa} order by id`.execute(db.db)).rows;
    assert.deepEqual(deaths, [{ id: da, duplicate_of: null }, { id: db_, duplicate_of: da }], 'the first recorded death stands, the other is kept as its duplicate');
    const smoking = (await sql<{ value: string }>`select value from pc_record_field where person_id = ${pa} and field = 'hut_thuoc'`.execute(db.db)).rows;
    assert.deepEqual(smoking.map((r) => r.value), ['co'], 'the later value of a shared field stays');
    const archived = (await sql<{ value: string; reason: string }>`select value, reason from pc_record_field_history where person_id = ${pa} order by value`.execute(db.db)).rows;
    assert.deepEqual(archived, [{ value: 'da_bo', reason: 'superseded' }, { value: 'khong', reason: 'merged' }], 'the earlier value is in the history, nothing lost');
    const summary = (await sql<{ filled_sections: string[] }>`select filled_sections from pc_person_summary where person_id = ${pa}`.execute(db.db)).rows[0]!;
    assert.ok(summary.filled_sections.includes('allergies'), `completeness recomputed on the merged record: ${summary.filled_sections.join()}`);
    const enrolments = (await sql<{ id: number; status: string; close_reason: string | null }>`
      select id::int as id, status, close_reason from pc_enrolment where person_id = ${pa} order by id`.execute(db.db)).rows;
    assert.deepEqual(enrolments, [
      { id: ea, status: 'closed', close_reason: 'merged' },
      { id: eb, status: 'active', close_reason: null },
      { id: ed, status: 'proposed', close_reason: null },
    ], 'one open hypertension enrolment: the one followed most recently');

    // What the station records on the merged person after the decision is not the merge's to undo.
    const later = randomUUID();
    await sql`insert into pc_checkup (entry_id, person_id, facility_code, examined_on, recorded_at, recorded_by, recorded_role)
      values (${later}, ${pa}, ${FAC}, '2026-07-01', '2026-07-01T08:00:00Z', ${staffId}, 'station_clinician')`.execute(db.db);

    const undone = await json(app, 'POST', `/api/v1/mpi/merges/${mergeId}/undo`, admin);
    assert.equal(undone.status, 200, undone.body);
    const after = await snapshot([pa, pb]);
    const laterRow = after.pc_checkup!.find((r) => (r as string).includes(later));
    assert.ok(laterRow && (laterRow as string).includes(`"person_id":"${pa}"`), 'the check-up recorded after the merge stays on the merged person');
    after.pc_checkup = after.pc_checkup!.filter((r) => r !== laterRow);
    assert.deepEqual(after, before, 'every row is back exactly as before the merge');
  });

  it('a relink that retires a person id carries its station and primary-care rows to the new id', async () => {
    await db.db.insertInto('person').values([
      { id: 'OLD9', ho_ten: 'Trần Văn Nam', name_key: 'TRAN VAN NAM', ma_xa: COMMUNE },
      { id: 'NEW9', ho_ten: 'Trần Văn Nam', name_key: 'TRAN VAN NAM', ma_xa: COMMUNE },
    ]).execute();
    const h = (await sql<{ id: number }>`insert into station_household (commune_code, household_code, head_person_id, origin) values (${COMMUNE}, 'HGD9', 'OLD9', 'population') returning id`.execute(db.db)).rows[0]!.id;
    await member(h, 'OLD9', { origin: 'population', joined_on: null });
    await field('OLD9', 'administrative', '', 'nghe_nghiep', 'Thợ mộc', '2026-01-01T08:00:00Z');
    await enrolment('OLD9', 'hypertension', 'active', '2026-01-01', null);
    await db.db.transaction().execute((tx) => identityFollowsRelink(tx, [{ from: 'OLD9', to: 'NEW9' }]));
    const on = async (table: string, col: string, person: string) =>
      (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${sql.ref(col)} = ${person}`.execute(db.db)).rows[0]!.n;
    for (const [table, col] of [['station_household', 'head_person_id'], ['station_member', 'person_id'], ['pc_record_field', 'person_id'], ['pc_enrolment', 'person_id'], ['pc_person_summary', 'person_id']] as const) {
      assert.equal(await on(table, col, 'OLD9'), 0, `${table} left on the retired id`);
    }
    assert.equal(await on('station_member', 'person_id', 'NEW9'), 1);
    assert.equal(await on('pc_enrolment', 'person_id', 'NEW9'), 1);
    assert.equal(await on('pc_person_summary', 'person_id', 'NEW9'), 1, 'completeness recomputed on the new id');
  });
});
