import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addDays, vietnamToday } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { staffSession } from '../../test-support/staff.ts';
import { importFile, relinkAll } from '../mpi/index.ts';

// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Json = Record<string, any>;
const fromToday = (n: number) => addDays(vietnamToday(), n);
const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng'];
const MIDDLE = ['Văn', 'Thị', 'Minh', 'Ngọc', 'Thanh', 'Hữu', 'Đức', 'Gia', 'Bảo', 'Khánh'];
const GIVEN = ['An', 'Bình', 'Châu', 'Dũng', 'Giang', 'Hà', 'Khoa', 'Lâm', 'My', 'Nam', 'Oanh', 'Phúc', 'Quân', 'Sơn', 'Tâm', 'Uyên', 'Vy', 'Yến', 'Hải', 'Long'];
/** The i-th of 2,000 distinct names. */
const nameOf = (i: number) => `${FAMILY[i % 10]} ${MIDDLE[Math.floor(i / 10) % 10]} ${GIVEN[Math.floor(i / 100) % 20]}`;

const A = '21556';
const B = '21559';
const POPULATION = [
  'source_system,source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,so_bhyt,so_dien_thoai,dia_chi,ma_xa,ma_ho_gia_dinh,quan_he_chu_ho',
  `MIS2022,M1,Nguyễn Văn Hùng,12/05/1980,Nam,051080001234,,0905111222,"Thôn An Hội Bắc, xã Nghĩa Kỳ",${A},HGD01,Chủ hộ`,
  `MIS2022,M2,Trần Thị Hòa,03/07/1983,Nữ,051183005678,,,"Thôn An Hội Bắc, xã Nghĩa Kỳ",${A},HGD01,Vợ`,
  `MIS2022,M4,Nguyễn Văn An,20/10/2015,Nam,,,,"Thôn An Hội Bắc, xã Nghĩa Kỳ",${A},HGD01,Con`,
  `MIS2022,M5,Lê Văn Bình,1955,Nam,,,,"Thôn Phú Thọ, xã Nghĩa Kỳ",${A},HGD02,Chủ hộ`,
  `MIS2022,M6,Lê Thị Hóa,08/08/1990,Nữ,,,0912000333,"Thôn Phú Thọ, xã Nghĩa Kỳ",${A},HGD02,Con`,
  `MIS2022,M9,Phạm Văn Xa,01/01/1970,Nam,051070009999,,,"Thôn 3, xã Nghĩa Thuận",${B},HGD09,Chủ hộ`,
  // Sixty more households (one adult each) that the queued births of the batch test go to.
  ...Array.from({ length: 60 }, (_, i) => `MIS2022,H${i},${nameOf(1000 + i)},${1970 + (i % 20)},${i % 2 ? 'Nữ' : 'Nam'},,,,"Thôn Trường Thọ, xã Nghĩa Kỳ",${A},HX${i},Chủ hộ`),
].join('\n');

describe(`station register events: births through the MPI, idempotent replays, deaths and moves (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  const cookie: Record<string, string> = {};
  const person: Record<string, string> = {};
  const household: Record<string, number> = {};

  const call = async (who: string | undefined, method: 'GET' | 'POST', url: string, payload?: object) => {
    const r = await app.inject({ method, url, headers: who ? { cookie: cookie[who]! } : {}, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.json() as Json };
  };
  const record = (who: string, entry: Record<string, unknown>) => call(who, 'POST', '/api/v1/station/events', entry);
  const count = async (table: string, where = sql`true`) => (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where ${where}`.execute(db.db)).rows[0]!.n;
  const view = async (who: string, id: number) => (await call(who, 'GET', `/api/v1/station/households/${id}`)).body;

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await db.db.insertInto('admin_unit').values([
      { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
      { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
      { code: A, level: 'commune', name: 'xã Nghĩa Kỳ', parent_code: '528', valid_from: null, valid_to: null },
      { code: B, level: 'commune', name: 'xã Nghĩa Thuận', parent_code: '528', valid_from: null, valid_to: null },
    ]).execute();
    await db.db.insertInto('facility').values([
      { code: '51242', name: 'Trạm Y tế xã Nghĩa Kỳ', level: 'xã', admin_unit_code: A },
      { code: '51243', name: 'Trạm Y tế xã Nghĩa Thuận', level: 'xã', admin_unit_code: B },
    ]).execute();
    const dir = mkdtempSync(join(tmpdir(), 'station-'));
    writeFileSync(join(dir, 'hk.csv'), POPULATION);
    await importFile(db.db, join(dir, 'hk.csv'));
    rmSync(dir, { recursive: true, force: true });
    await relinkAll(db.db);
    for (const r of await db.db.selectFrom('source_record').select(['source_id', 'person_id']).execute()) person[r.source_id] = r.person_id!;
    for (const [u, role, facilityCode] of [
      ['nurseA', 'station_nurse', '51242'], ['headA', 'station_head', '51242'], ['collabA', 'population_collaborator', '51242'], ['nurseB', 'station_nurse', '51243'],
    ] as const) {
      cookie[u] = (await staffSession(app, db.db, { username: u, fullName: `Nhân viên ${u}`, role, facilityCode })).cookie;
    }
    // First use builds each commune's register.
    await call('nurseA', 'GET', '/api/v1/station/register');
    await call('nurseB', 'GET', '/api/v1/station/register');
    for (const r of (await sql<{ id: number; household_code: string }>`select id, household_code from station_household`.execute(db.db)).rows) household[r.household_code] = r.id;
  });
  after(async () => close());

  const birth = (over: Record<string, unknown> = {}) => ({
    kind: 'birth',
    entry_id: crypto.randomUUID(),
    occurred_on: fromToday(-3),
    household_id: household.HGD01,
    child: { ho_ten: 'Nguyễn Thị Mai', gioi_tinh: 2, mother_person_id: person.M2, birth_weight_grams: 3100 },
    ...over,
  });

  it('a birth registers the child as a TYT source record placed by the MPI in the same transaction: a person id at once', async () => {
    const entry = birth();
    const r = await record('nurseA', entry);
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body.status, 'applied');
    const res = r.body.result;
    assert.match(res.person_id, /^P[0-9A-F]{12}$/);
    assert.deepEqual([res.mpi_outcome, res.source_record, res.household_code], ['new', `TYT/51242:${entry.entry_id}`, 'HGD01']);
    const src = await db.db.selectFrom('source_record').select(['person_id', 'link_rule', 'ma_xa', 'ma_ho_gia_dinh', 'quan_he_chu_ho']).where('source_system', '=', 'TYT').executeTakeFirstOrThrow();
    assert.deepEqual(src, { person_id: res.person_id, link_rule: 'MPI_SINGLE', ma_xa: A, ma_ho_gia_dinh: 'HGD01', quan_he_chu_ho: 'Con' });
    const p = await db.db.selectFrom('person').select(['ho_ten', 'ngay_sinh', 'gioi_tinh', 'ma_xa']).where('id', '=', res.person_id).executeTakeFirstOrThrow();
    assert.deepEqual(p, { ho_ten: 'Nguyễn Thị Mai', ngay_sinh: fromToday(-3), gioi_tinh: 2, ma_xa: A });
    const h = await view('nurseA', household.HGD01!);
    const child = h.members_current.find((m: { id: string }) => m.id === res.person_id);
    assert.deepEqual([child.relation, child.relation_label, child.joined_reason, child.joined_on], ['child', 'Con', 'birth', fromToday(-3)]);
    assert.deepEqual(h.events.map((e: Record<string, unknown>) => [e.kind, e.person_name, e.recorded_by_name]), [['birth', 'Nguyễn Thị Mai', 'Nhân viên nurseA']]);
    const audit = await db.db.selectFrom('audit_event').select(['person_id', 'resource']).where('action', '=', 'station.event.birth').execute();
    assert.deepEqual(audit, [{ person_id: res.person_id, resource: `station_event/${res.event_id}` }]);
    person.child = res.person_id;
  });

  it('a replayed entry is a no-op answering the first result; a reused entry id with other content is refused', async () => {
    const entry = birth({ child: { ho_ten: 'Nguyễn Văn Khôi', gioi_tinh: 1, mother_person_id: person.M2 } });
    const first = await record('nurseA', entry);
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const counts = async () => [await count('person'), await count('source_record'), await count('station_event'), await count('station_member')];
    const before = await counts();
    // The same entry again, its fields in another order, as a device's queue may re-serialise it.
    const reordered = Object.fromEntries(Object.entries(entry).reverse());
    for (const again of [entry, reordered]) {
      const r = await record('nurseA', again);
      assert.equal(r.status, 200);
      assert.deepEqual([r.body.status, r.body.result], ['already_applied', first.body.result]);
    }
    assert.deepEqual(await counts(), before);
    const reused = await record('nurseA', { ...entry, child: { ho_ten: 'Nguyễn Văn Khải', gioi_tinh: 1 } });
    assert.deepEqual([reused.status, reused.body.code], [409, 'ENTRY_ID_REUSED']);
    // Another device recording the same birth under its own entry id: the MPI knows the child, no second record.
    const second = await record('headA', { ...entry, entry_id: crypto.randomUUID() });
    assert.deepEqual([second.status, second.body.code, second.body.person_id], [409, 'BIRTH_ALREADY_REGISTERED', first.body.result.person_id]);
    assert.deepEqual(await counts(), before);
  });

  it('a refused birth leaves nothing behind (one transaction)', async () => {
    const before = [await count('person'), await count('source_record'), await count('station_event')];
    const wrongMother = await record('nurseA', birth({ child: { ho_ten: 'Lê Văn Tí', gioi_tinh: 1, mother_person_id: person.M6 } }));
    assert.deepEqual([wrongMother.status, wrongMother.body.code], [400, 'MOTHER_NOT_MEMBER']);
    const noName = await record('nurseA', birth({ child: { ho_ten: '...', gioi_tinh: 1 } }));
    assert.deepEqual([noName.status, noName.body.code], [400, 'NAME_MISSING']);
    assert.match(noName.body.message_vi, /Thiếu họ tên/);
    const future = await record('nurseA', birth({ occurred_on: fromToday(2) }));
    assert.deepEqual([future.status, future.body.code], [400, 'DATE_IN_FUTURE']);
    const noChild = await record('nurseA', { ...birth(), child: undefined });
    assert.deepEqual([noChild.status, noChild.body.code], [400, 'VALIDATION_FAILED']);
    const otherCommune = await record('nurseB', birth());
    assert.deepEqual([otherCommune.status, otherCommune.body.code], [404, 'HOUSEHOLD_NOT_FOUND']);
    assert.deepEqual([await count('person'), await count('source_record'), await count('station_event')], before);
  });

  it('moves and deaths close memberships and keep history; the lists do not undo them', async () => {
    // Hòa moves out of the commune.
    const out = await record('nurseA', { kind: 'move_out', entry_id: crypto.randomUUID(), occurred_on: fromToday(-2), person_id: person.M2, destination: 'TP Quảng Ngãi' });
    assert.equal(out.status, 201, JSON.stringify(out.body));
    // Phạm Văn Xa of commune B moves into HGD01: the MPI finds him by his CCCD, commune B's register keeps him as a former member.
    const moveIn = await record('collabA', {
      kind: 'move_in', entry_id: crypto.randomUUID(), occurred_on: fromToday(-1), household_id: household.HGD01, relation: 'other', from: 'xã Nghĩa Thuận',
      person: { ho_ten: 'Phạm Văn Xa', ngay_sinh: '01/01/1970', gioi_tinh: 1, so_cccd: '051070009999' },
    });
    assert.equal(moveIn.status, 201, JSON.stringify(moveIn.body));
    assert.deepEqual([moveIn.body.result.person_id, moveIn.body.result.mpi_outcome], [person.M9, 'joined']);
    const b = await view('nurseB', household.HGD09!);
    assert.deepEqual([b.members_current.length, b.members_past[0].ho_ten, b.members_past[0].left_reason, b.dissolved_on], [0, 'Phạm Văn Xa', 'moved_elsewhere', fromToday(-1)]);
    assert.equal((await call('nurseA', 'GET', `/api/v1/station/persons/${person.M9}`)).status, 200);
    // The head dies; the newcomer is named head.
    const death = await record('nurseA', { kind: 'death', entry_id: crypto.randomUUID(), occurred_on: fromToday(-1), person_id: person.M1, new_head_person_id: person.M9 });
    assert.equal(death.status, 201, JSON.stringify(death.body));
    const again = await record('nurseA', { kind: 'death', entry_id: crypto.randomUUID(), occurred_on: fromToday(-1), person_id: person.M1 });
    assert.deepEqual([again.status, again.body.code], [409, 'ALREADY_DECEASED']);
    const moveDead = await record('nurseA', { kind: 'move_out', entry_id: crypto.randomUUID(), occurred_on: fromToday(0), person_id: person.M1 });
    assert.deepEqual([moveDead.status, moveDead.body.code], [409, 'PERSON_DECEASED']);
    // An within-commune move by person id: the child An goes to live with HGD02.
    const within = await record('nurseA', { kind: 'move_in', entry_id: crypto.randomUUID(), occurred_on: fromToday(0), person_id: person.M4, household_id: household.HGD02, relation: 'grandchild' });
    assert.equal(within.status, 201, JSON.stringify(within.body));
    // A stranger opens a new household.
    const fresh = await record('nurseA', {
      kind: 'move_in', entry_id: crypto.randomUUID(), occurred_on: fromToday(0), new_household: { address: 'Tổ 5, Thôn Trường Thọ, xã Nghĩa Kỳ' },
      person: { ho_ten: 'Đinh Thị Lụa', ngay_sinh: '1999', gioi_tinh: 2, so_dien_thoai: '0978 111 222' },
    });
    assert.equal(fresh.status, 201, JSON.stringify(fresh.body));
    assert.match(fresh.body.result.household_code, /^TYT[0-9A-F]{10}$/);

    const check = async () => {
      const h1 = await view('nurseA', household.HGD01!);
      assert.equal(h1.head_name, 'Phạm Văn Xa');
      assert.deepEqual(new Set(h1.members_current.map((m: { ho_ten: string }) => m.ho_ten)), new Set(['Phạm Văn Xa', 'Nguyễn Thị Mai', 'Nguyễn Văn Khôi']));
      assert.deepEqual(
        h1.members_past.map((m: Record<string, unknown>) => [m.ho_ten, m.left_reason]).sort(),
        [['Nguyễn Văn An', 'moved_elsewhere'], ['Nguyễn Văn Hùng', 'death'], ['Trần Thị Hòa', 'move_out']],
      );
      const hung = h1.members_past.find((m: { ho_ten: string }) => m.ho_ten === 'Nguyễn Văn Hùng');
      assert.equal(hung.deceased_on, fromToday(-1));
      assert.deepEqual(h1.events.map((e: { kind: string }) => e.kind).sort(), ['birth', 'birth', 'death', 'move_in', 'move_out']);
      const h2 = await view('nurseA', household.HGD02!);
      assert.deepEqual(h2.members_current.map((m: Record<string, unknown>) => [m.ho_ten, m.relation, m.joined_reason]).sort(), [
        ['Lê Thị Hóa', 'child', 'population'], ['Lê Văn Bình', 'head', 'population'], ['Nguyễn Văn An', 'grandchild', 'move_in'],
      ]);
      const lua = await view('nurseA', fresh.body.result.household_id);
      assert.deepEqual([lua.hamlet, lua.head_name, lua.origin], ['Tổ 5', 'Đinh Thị Lụa', 'station']);
    };
    await check();
    // The station head brings the register up to date with the lists (which still place everyone as before): station records win.
    const refresh = await call('headA', 'POST', '/api/v1/station/register/refresh', {});
    assert.equal(refresh.status, 200, JSON.stringify(refresh.body));
    assert.equal(refresh.body.joined, 0);
    await check();
    assert.equal((await call('nurseA', 'POST', '/api/v1/station/register/refresh', {})).status, 403);
    // History: Hòa, moved out, is still a resident on the lists, in no household now.
    const hoa = (await call('nurseA', 'GET', `/api/v1/station/persons/${person.M2}`)).body;
    assert.deepEqual(hoa.memberships.map((m: Record<string, unknown>) => [m.household_code, m.current, m.left_reason, m.left_on]), [['HGD01', false, 'move_out', fromToday(-2)]]);
    assert.deepEqual(hoa.events.map((e: Record<string, unknown>) => [e.kind, e.details]), [['move_out', { destination: 'TP Quảng Ngãi' }]]);
    const all = await count('station_member');
    // 6 + 60 from the lists, 2 births, 3 moves in: closing one never deletes it.
    assert.equal(all, 71);
  });

  it('a batch of 500 queued entries applies one by one, each answered; a replayed batch changes nothing', async () => {
    const entries = Array.from({ length: 500 }, (_, i) => ({
      kind: 'birth',
      entry_id: crypto.randomUUID(),
      occurred_on: fromToday(-1 - (i % 300)),
      household_id: household[`HX${i % 60}`],
      child: { ho_ten: nameOf(i + 11), gioi_tinh: (i % 2) + 1 },
    }));
    // Its time is measured by bench/station/household.ts beside a baseline, not asserted here.
    const r = await call('nurseA', 'POST', '/api/v1/station/events/batch', { entries });
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
    assert.deepEqual([r.body.applied, r.body.already_applied, r.body.refused, r.body.errors], [500, 0, 0, 0], JSON.stringify(r.body.results.find((x: { status: string }) => x.status !== 'applied')));
    assert.deepEqual(r.body.results.map((x: { entry_id: string }) => x.entry_id), entries.map((e) => e.entry_id));
    assert.equal(new Set(r.body.results.map((x: { result: { person_id: string } }) => x.result.person_id)).size, 500);

    const replay = await call('nurseA', 'POST', '/api/v1/station/events/batch', { entries });
    assert.deepEqual([replay.body.applied, replay.body.already_applied], [0, 500]);
    assert.deepEqual(replay.body.results.map((x: { result: unknown }) => x.result), r.body.results.map((x: { result: unknown }) => x.result));
    assert.equal(await count('source_record', sql`source_system = 'TYT'`), 500 + 4);
  });

  it('a batch places its new persons together; a birth refused once placed leaves nothing behind and the entries after it apply', async () => {
    const child = { ho_ten: 'Trần Văn Tèo', gioi_tinh: 1 };
    const twice = [crypto.randomUUID(), crypto.randomUUID()].map((entry_id) => ({ kind: 'birth', entry_id, occurred_on: fromToday(-4), household_id: household.HX5, child }));
    const other = { kind: 'birth', entry_id: crypto.randomUUID(), occurred_on: fromToday(-5), household_id: household.HX6, child: { ho_ten: 'Lê Thị Na', gioi_tinh: 2 } };
    const counts = async () => [await count('person'), await count('source_record'), await count('station_event'), await count('station_member')];
    const before = await counts();
    // Two devices recorded one birth: in one chunk the MPI places the second record on the first one's child.
    const r = await call('nurseA', 'POST', '/api/v1/station/events/batch', { entries: [...twice, other] });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.results.map((x: { status: string; error?: { code: string } }) => [x.status, x.error?.code ?? null]),
      [['applied', null], ['refused', 'BIRTH_ALREADY_REGISTERED'], ['applied', null]],
    );
    assert.equal(r.body.results[1].error.person_id, r.body.results[0].result.person_id);
    assert.deepEqual(await counts(), before.map((n) => n + 2));
    assert.equal(await count('source_record', sql`source_id = ${`51242:${twice[1]!.entry_id}`}`), 0);
    assert.notEqual(r.body.results[2].result.person_id, r.body.results[0].result.person_id);
  });

  it('a batch answers each entry: applied, already applied, refused with the reason', async () => {
    const ok = { kind: 'death', entry_id: crypto.randomUUID(), occurred_on: fromToday(0), person_id: person.M5 };
    const r = await call('nurseA', 'POST', '/api/v1/station/events/batch', {
      entries: [
        ok,
        ok,
        { kind: 'death', entry_id: crypto.randomUUID(), occurred_on: fromToday(0), person_id: person.M5 },
        { kind: 'birth', entry_id: crypto.randomUUID(), occurred_on: fromToday(0), household_id: household.HGD02 },
        { kind: 'wedding', entry_id: crypto.randomUUID() },
        { kind: 'move_out', entry_id: crypto.randomUUID(), occurred_on: fromToday(0), person_id: person.M9 },
      ],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(
      r.body.results.map((x: { status: string; error?: { code: string } }) => [x.status, x.error?.code ?? null]),
      [['applied', null], ['already_applied', null], ['refused', 'ALREADY_DECEASED'], ['refused', 'VALIDATION_FAILED'], ['refused', 'KIND_INVALID'], ['applied', null]],
    );
    assert.match(r.body.results[3].error.message_vi, /child/);
    // Unauthenticated: refused before the body is read; read-only roles may not write.
    assert.equal((await call(undefined, 'POST', '/api/v1/station/events/batch', { entries: [ok] })).status, 401);
    const tooMany = await call('nurseA', 'POST', '/api/v1/station/events/batch', { entries: Array.from({ length: 501 }, () => ok) });
    assert.equal(tooMany.status, 400);
  });
});
