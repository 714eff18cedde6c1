import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { addDays, vietnamToday } from '@openhssk/core';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { insertEpisode, staffSessions } from '../../test-support/staff.ts';
import { COMMUNE_A, COMMUNE_B, STATION_STAFF, twoCommuneStations } from '../../test-support/stations.ts';
import { importFile, relinkAll } from '../mpi/index.ts';

// Commune A (Nghĩa Kỳ, station 51242) and commune B (Nghĩa Thuận, station 51243) of district 528;
// district 529 is elsewhere. Population list with the relation-to-head column, as MIS2022 exports it.
// biome-ignore lint/suspicious/noExplicitAny: response bodies are read field by field in assertions
type Json = Record<string, any>;
const [A, B] = [COMMUNE_A, COMMUNE_B];
const POPULATION = [
  'source_system,source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,so_bhyt,so_dien_thoai,dia_chi,ma_xa,ma_ho_gia_dinh,quan_he_chu_ho',
  `MIS2022,M1,Nguyễn Văn Hùng,12/05/1980,Nam,051080001234,,0905111222,"Thôn An Hội Bắc, xã Nghĩa Kỳ, huyện Tư Nghĩa",${A},HGD01,Chủ hộ`,
  `MIS2022,M2,Trần Thị Hòa,03/07/1983,Nữ,051183005678,,,"Thôn An Hội Bắc, xã Nghĩa Kỳ, huyện Tư Nghĩa",${A},HGD01,Vợ`,
  `MIS2022,M3,Nguyễn Thị Hoa,14/02/2010,Nữ,,,,"Thôn An Hội Bắc, xã Nghĩa Kỳ, huyện Tư Nghĩa",${A},HGD01,Con`,
  `MIS2022,M4,Nguyễn Văn An,20/10/2015,Nam,,,,"Thôn An Hội Bắc, xã Nghĩa Kỳ, huyện Tư Nghĩa",${A},HGD01,Con đẻ`,
  `MIS2022,M5,Lê Văn Bình,1955,Nam,,HT2515123456789,,"Thôn Phú Thọ, xã Nghĩa Kỳ, huyện Tư Nghĩa",${A},HGD02,Chủ hộ`,
  `MIS2022,M6,Lê Thị Hóa,08/08/1990,Nữ,,,0912000333,"Thôn Phú Thọ, xã Nghĩa Kỳ, huyện Tư Nghĩa",${A},HGD02,Con`,
  `MIS2022,M9,Phạm Văn Xa,01/01/1970,Nam,051070009999,,,"Thôn 3, xã Nghĩa Thuận, huyện Tư Nghĩa",${B},HGD09,Chủ hộ`,
].join('\n');

const fromToday = (n: number) => addDays(vietnamToday(), n);
const compact = (iso: string) => iso.replace(/-/g, '');

describe(`station household register: scope, search, sheets, day list (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  const cookie: Record<string, string> = {};
  const staffId: Record<string, string> = {};
  const person: Record<string, string> = {};

  const get = async (who: string, url: string) => {
    const r = await app.inject({ method: 'GET', url, headers: who ? { cookie: cookie[who]! } : {} });
    return { status: r.statusCode, body: r.headers['content-type']?.toString().includes('json') ? (r.json() as Json) : {}, raw: r.rawPayload, type: r.headers['content-type'] };
  };
  const post = async (who: string, url: string, payload: object) => {
    const r = await app.inject({ method: 'POST', url, headers: { cookie: cookie[who]! }, payload });
    return { status: r.statusCode, body: r.json() as Json };
  };
  const householdId = async (code: string) => (await sql<{ id: number }>`select id from station_household where household_code = ${code}`.execute(db.db)).rows[0]!.id;

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await twoCommuneStations(db.db, { name: 'xã Nghĩa Thuận', district: '528' }, [{ code: '51001', name: 'Bệnh viện Đa khoa tỉnh Quảng Ngãi', admin_unit_code: null }]);
    const dir = mkdtempSync(join(tmpdir(), 'station-'));
    writeFileSync(join(dir, 'hk.csv'), POPULATION);
    await importFile(db.db, join(dir, 'hk.csv'));
    rmSync(dir, { recursive: true, force: true });
    await relinkAll(db.db);
    for (const r of await db.db.selectFrom('source_record').select(['source_id', 'person_id']).execute()) person[r.source_id] = r.person_id!;

    const sessions = await staffSessions(app, db.db, [
      ...STATION_STAFF,
      ['admin', 'system_admin', {}],
      ['reception', 'receptionist', { facilityCode: '51001' }],
    ]);
    Object.assign(cookie, sessions.cookie);
    Object.assign(staffId, sessions.id);
  });
  after(async () => close());

  it('builds the commune’s households from the population list: head, relations, hamlet', async () => {
    const r = await get('nurseA', '/api/v1/station/register');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.commune_code, A);
    assert.equal(r.body.households, 2);
    assert.equal(r.body.members, 6);
    assert.deepEqual(r.body.hamlets.map((h: { hamlet: string; members: number }) => [h.hamlet, h.members]), [['Thôn An Hội Bắc', 4], ['Thôn Phú Thọ', 2]]);
    const list = await get('nurseA', '/api/v1/station/households');
    assert.deepEqual(list.body.households.map((h: Record<string, unknown>) => [h.household_code, h.head_name, h.members]), [['HGD01', 'Nguyễn Văn Hùng', 4], ['HGD02', 'Lê Văn Bình', 2]]);
    const one = await get('nurseA', `/api/v1/station/households/${await householdId('HGD01')}`);
    assert.equal(one.status, 200);
    assert.deepEqual(
      one.body.members_current.map((m: Record<string, unknown>) => [m.ho_ten, m.relation, m.relation_label, m.joined_reason]),
      [
        ['Nguyễn Văn Hùng', 'head', 'Chủ hộ', 'population'],
        ['Trần Thị Hòa', 'spouse', 'Vợ', 'population'],
        ['Nguyễn Thị Hoa', 'child', 'Con', 'population'],
        ['Nguyễn Văn An', 'child', 'Con đẻ', 'population'],
      ],
    );
  });

  it('scope: a nurse of commune B cannot read commune A’s household; officers read their unit only; others are refused', async () => {
    const idA = await householdId('HGD01');
    const b = await get('nurseB', `/api/v1/station/households/${idA}`);
    assert.deepEqual([b.status, b.body.code], [404, 'HOUSEHOLD_NOT_FOUND']);
    assert.equal((await get('nurseB', `/api/v1/station/households/${idA}?commune=${A}`)).status, 403);
    assert.equal((await get('nurseB', `/api/v1/station/persons/${person.M1}`)).status, 404);
    assert.equal((await get('reception', '/api/v1/station/register')).status, 403);
    assert.equal((await get('', '/api/v1/station/register')).status, 401);
    assert.deepEqual([(await get('admin', '/api/v1/station/register')).body.code], ['COMMUNE_REQUIRED']);
    assert.equal((await get('admin', `/api/v1/station/households/${idA}?commune=${A}`)).status, 200);
    assert.equal((await get('officer528', `/api/v1/station/households/${idA}?commune=${A}`)).status, 200);
    assert.equal((await get('officer529', `/api/v1/station/households/${idA}?commune=${A}`)).status, 403);
    assert.equal((await get('officer528', '/api/v1/station/register?commune=528')).body.code, 'VALIDATION_FAILED');
    // Officers read; they do not record.
    const write = await post('officer528', '/api/v1/station/events', { kind: 'death', entry_id: crypto.randomUUID(), occurred_on: vietnamToday(), person_id: person.M5 });
    assert.equal(write.status, 403);
    // Commune B's nurse sees her own commune.
    const own = await get('nurseB', '/api/v1/station/households');
    assert.deepEqual(own.body.households.map((h: Record<string, unknown>) => h.head_name), ['Phạm Văn Xa']);
  });

  it('every read is audited per person with its purpose, and shows in the citizen’s access log', async () => {
    const before = Number((await db.db.selectFrom('audit_event').select((eb) => eb.fn.max('id').as('m')).executeTakeFirstOrThrow()).m ?? 0);
    await get('nurseA', `/api/v1/station/households/${await householdId('HGD01')}`);
    const rows = await db.db.selectFrom('audit_event').select(['actor_id', 'actor_role', 'person_id', 'action', 'resource', 'detail']).where('id', '>', before).execute();
    assert.deepEqual(new Set(rows.map((r) => r.person_id)), new Set([person.M1, person.M2, person.M3, person.M4]));
    for (const r of rows) {
      assert.equal(r.action, 'station.household.read');
      assert.equal(r.actor_id, staffId.nurseA);
      assert.equal(r.actor_role, 'station_nurse');
      assert.match(r.resource!, /^station_household\/\d+$/);
      assert.equal((r.detail as { purpose: string }).purpose, 'household_register');
    }
    const citizen = await citizenCookie(db, '051080001234', person.M1!, true);
    const log = await app.inject({ method: 'GET', url: '/api/v1/book/access-log', headers: { cookie: citizen } });
    const events = (log.json() as { events: Array<{ action: string; actor_role: string }> }).events;
    assert.ok(events.some((e) => e.action === 'station.household.read' && e.actor_role === 'station_nurse'), JSON.stringify(events));
  });

  it('search: names with and without diacritics, CCCD, BHYT, phone, hamlet, household; within the commune only', async () => {
    const names = async (who: string, qs: string) => {
      const r = await get(who, `/api/v1/station/search?${qs}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return r.body.hits.map((h: { ho_ten: string }) => h.ho_ten);
    };
    assert.deepEqual(new Set(await names('nurseA', 'q=hoa')), new Set(['Trần Thị Hòa', 'Nguyễn Thị Hoa', 'Lê Thị Hóa']));
    // Typed with diacritics: the same people, the exact spelling first.
    const accented = await names('nurseA', `q=${encodeURIComponent('Hòa')}`);
    assert.equal(accented[0], 'Trần Thị Hòa');
    assert.equal(accented.length, 3);
    assert.deepEqual(await names('nurseA', `q=${encodeURIComponent('nguyen hung')}`), ['Nguyễn Văn Hùng']);
    assert.deepEqual(await names('nurseA', 'q=051183005678'), ['Trần Thị Hòa']);
    assert.deepEqual(await names('nurseA', 'q=HT2515123456789'), ['Lê Văn Bình']);
    assert.deepEqual(await names('nurseA', `q=${encodeURIComponent('0912 000 333')}`), ['Lê Thị Hóa']);
    assert.deepEqual(new Set(await names('nurseA', `hamlet=${encodeURIComponent('thon phu tho')}`)), new Set(['Lê Văn Bình', 'Lê Thị Hóa']));
    assert.deepEqual(new Set(await names('nurseA', 'household=hgd01&q=nguyen')), new Set(['Nguyễn Văn Hùng', 'Nguyễn Thị Hoa', 'Nguyễn Văn An']));
    // Paged, with the total.
    const paged = await get('nurseA', '/api/v1/station/search?q=nguyen&page=2&page_size=2');
    assert.deepEqual([paged.body.total, paged.body.hits.length, paged.body.page], [3, 1, 2]);
    // Commune B's nurse finds nobody of commune A, not even by an exact CCCD.
    assert.deepEqual(await names('nurseB', 'q=hoa'), []);
    assert.deepEqual(await names('nurseB', 'q=051080001234'), []);
    const audits = await db.db.selectFrom('audit_event').select('person_id').where('action', '=', 'station.search').where('actor_id', '=', staffId.nurseA!).execute();
    assert.ok(audits.some((a) => a.person_id === person.M6));
  });

  it('prints a household sheet as PDF with Vietnamese text', async () => {
    const r = await get('nurseA', `/api/v1/station/households/${await householdId('HGD01')}/sheet.pdf`);
    assert.equal(r.status, 200);
    assert.equal(r.type, 'application/pdf');
    const dir = mkdtempSync(join(tmpdir(), 'station-pdf-'));
    const file = join(dir, 'sheet.pdf');
    writeFileSync(file, r.raw);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', '-layout', file, '-'], { encoding: 'utf8' });
    rmSync(dir, { recursive: true, force: true });
    for (const s of ['PHIẾU HỘ GIA ĐÌNH', 'HGD01', 'Thôn An Hội Bắc', 'Nguyễn Văn Hùng', 'Trần Thị Hòa', 'Chủ hộ', 'Quan hệ với chủ hộ', 'Trạm Y tế xã Nghĩa Kỳ']) {
      assert.ok(text.includes(s), `PDF lacks "${s}":\n${text}`);
    }
    const prints = await db.db.selectFrom('audit_event').select('person_id').where('action', '=', 'station.household.print').execute();
    assert.equal(prints.length, 4);
  });

  it('exports the commune’s household list as XLSX, read back with exceljs', async () => {
    const r = await get('collabA', '/api/v1/station/households.xlsx');
    assert.equal(r.status, 200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.raw as unknown as ArrayBuffer);
    const hs = wb.getWorksheet('Hộ gia đình')!;
    assert.match(String(hs.getCell('A1').value), /Danh sách hộ gia đình — xã Nghĩa Kỳ/);
    assert.deepEqual([hs.getRow(4).values, hs.getRow(5).values].map((v) => (v as unknown[]).slice(1, 6)), [
      ['HGD01', 'Thôn An Hội Bắc', 'Thôn An Hội Bắc, xã Nghĩa Kỳ, huyện Tư Nghĩa', 'Nguyễn Văn Hùng', 4],
      ['HGD02', 'Thôn Phú Thọ', 'Thôn Phú Thọ, xã Nghĩa Kỳ, huyện Tư Nghĩa', 'Lê Văn Bình', 2],
    ]);
    const ms = wb.getWorksheet('Thành viên')!;
    const members: unknown[][] = [];
    ms.eachRow((row, n) => {
      if (n > 3) members.push((row.values as unknown[]).slice(1, 7));
    });
    assert.deepEqual(members[0], ['HGD01', 'Thôn An Hội Bắc', 'Nguyễn Văn Hùng', '12/05/1980', 'Nam', 'Chủ hộ']);
    assert.deepEqual(members.map((m) => m[2]), ['Nguyễn Văn Hùng', 'Trần Thị Hòa', 'Nguyễn Thị Hoa', 'Nguyễn Văn An', 'Lê Văn Bình', 'Lê Thị Hóa']);
    assert.equal(members[4]![3], '1955');
    const exported = await db.db.selectFrom('audit_event').select('person_id').distinct().where('action', '=', 'station.household_list.export').execute();
    assert.equal(exported.length, 6);
  });

  it('day list: appointments, discharges, referrals back, follow-ups due, births; no sensitive episode; collaborators get no clinical content', async () => {
    await insertEpisode(db.db, {
      facility: '51001', personId: person.M1!, ngayVao: `${fromToday(-10)} 08:00:00`, ngayRa: `${fromToday(-3)} 10:00:00`, benh: 'I10',
      rows: { XML14: [{ NGAY_HEN_KL: compact(fromToday(2)), CHAN_DOAN_RV: 'Tăng huyết áp vô căn', MA_BENH_CHINH: 'I10', SO_GIAYHEN_KL: 'H1' }], XML7: [{ CHAN_DOAN_RV: 'Tăng huyết áp vô căn' }] },
    });
    await sql`update episode set ma_loai_kcb = '03' where person_id = ${person.M1!}`.execute(db.db);
    await insertEpisode(db.db, {
      facility: '51001', personId: person.M6!, ngayVao: `${fromToday(-2)} 08:00:00`, ngayRa: `${fromToday(-1)} 09:00:00`,
      rows: { XML13: [{ MA_CSKCB_DEN: '51242', SO_CHUYENTUYEN: 'CT-7', CHAN_DOAN_RV: 'Đái tháo đường type 2', HUONG_DIEU_TRI: 'Tiếp tục điều trị tại trạm' }] },
    });
    await insertEpisode(db.db, {
      facility: '51001', personId: person.M4!, ngayVao: `${fromToday(-5)} 08:00:00`, ngayRa: `${fromToday(-4)} 10:00:00`,
      rows: { XML13: [{ MA_CSKCB_DEN: '51242', SO_CHUYENTUYEN: 'CT-9', NGAY_RA: `${compact(fromToday(-4))}1000`, HUONG_DIEU_TRI: 'Theo dõi tại trạm' }] },
    });
    // Sensitive: never on the list, not even its appointment.
    await insertEpisode(db.db, {
      facility: '51001', personId: person.M2!, ngayVao: `${fromToday(-5)} 08:00:00`, sensitivity: ['hiv'], benh: 'B20',
      rows: { XML14: [{ NGAY_HEN_KL: compact(fromToday(1)), CHAN_DOAN_RV: 'HIV' }] },
    });
    // Commune B's resident: not on commune A's list.
    await insertEpisode(db.db, { facility: '51001', personId: person.M9!, ngayVao: `${fromToday(-5)} 08:00:00`, rows: { XML14: [{ NGAY_HEN_KL: compact(fromToday(1)) }] } });

    const born = await post('nurseA', '/api/v1/station/events', {
      kind: 'birth', entry_id: crypto.randomUUID(), occurred_on: fromToday(-2), household_id: await householdId('HGD01'),
      child: { ho_ten: 'Nguyễn Thị Bé', gioi_tinh: 2, mother_person_id: person.M2, birth_weight_grams: 2900 },
    });
    assert.equal(born.status, 201, JSON.stringify(born.body));
    // A hypertension enrolment (primary-care register) whose first monthly follow-up is due by now.
    const enrol = await post('headA', '/api/v1/primary-care/sync', {
      entries: [{ entryId: crypto.randomUUID(), kind: 'enrolment', personId: person.M5, recordedAt: new Date().toISOString(), enrolment: { register: 'hypertension', icd10: 'I10', enrolledOn: fromToday(-60) } }],
    });
    assert.equal(enrol.body.results?.[0]?.status, 'applied', JSON.stringify(enrol.body));

    const r = await get('nurseA', '/api/v1/station/day-list');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.births.map((b: Record<string, unknown>) => [b.ho_ten, b.date, b.household_code, b.birth_weight_grams]), [['Nguyễn Thị Bé', fromToday(-2), 'HGD01', 2900]]);
    assert.deepEqual(r.body.follow_ups.map((f: Record<string, unknown>) => [f.ho_ten, f.register]), [['Lê Văn Bình', 'hypertension']]);
    assert.deepEqual(r.body.appointments.map((a: Record<string, unknown>) => [a.ho_ten, a.date, a.diagnosis, a.facility_name]), [
      ['Nguyễn Văn Hùng', fromToday(2), 'Tăng huyết áp vô căn', 'Bệnh viện Đa khoa tỉnh Quảng Ngãi'],
    ]);
    assert.deepEqual(r.body.discharges.map((a: Record<string, unknown>) => [a.ho_ten, a.diagnosis]), [['Nguyễn Văn Hùng', 'Tăng huyết áp vô căn']]);
    assert.deepEqual(r.body.referrals.map((a: Record<string, unknown>) => [a.ho_ten, a.referral_no, a.plan]), [
      ['Lê Thị Hóa', 'CT-7', 'Tiếp tục điều trị tại trạm'],
      ['Nguyễn Văn An', 'CT-9', 'Theo dõi tại trạm'],
    ]);
    const audited = await db.db.selectFrom('audit_event').select('person_id').where('action', '=', 'station.day_list.read').execute();
    assert.deepEqual(new Set(audited.map((a) => a.person_id)), new Set([person.M1, person.M4, person.M5, person.M6, born.body.result.person_id]));

    const c = await get('collabA', '/api/v1/station/day-list');
    assert.equal(c.status, 200);
    assert.deepEqual([c.body.clinical, c.body.appointments, c.body.discharges, c.body.referrals, c.body.follow_ups], [false, null, null, null, null]);
    assert.ok(!JSON.stringify(c.body).includes('huyết áp'));
    assert.deepEqual(c.body.births.map((b: Record<string, unknown>) => [b.ho_ten, b.birth_weight_grams]), [['Nguyễn Thị Bé', null]]);
  });

  it('a collaborator sees the register (names, relations, hamlet, contact) but no clinical detail of events', async () => {
    const entry = { kind: 'death', entry_id: crypto.randomUUID(), occurred_on: fromToday(-1), person_id: person.M5, cause: 'Nhồi máu cơ tim cấp', place: 'home', new_head_person_id: person.M6 };
    const w = await post('nurseA', '/api/v1/station/events', entry);
    assert.equal(w.status, 201, JSON.stringify(w.body));
    const id = await householdId('HGD02');
    const nurse = await get('nurseA', `/api/v1/station/households/${id}`);
    const collab = await get('collabA', `/api/v1/station/households/${id}`);
    assert.equal(nurse.body.events[0].details.cause, 'Nhồi máu cơ tim cấp');
    assert.equal(collab.status, 200);
    assert.equal(collab.body.events[0].details.cause, undefined);
    assert.equal(collab.body.events[0].details.place, 'home');
    assert.equal(collab.body.head_name, 'Lê Thị Hóa');
    assert.deepEqual(collab.body.members_current.map((m: Record<string, unknown>) => [m.ho_ten, m.relation, m.so_dien_thoai]), [['Lê Thị Hóa', 'head', '0912000333']]);
    assert.ok(!JSON.stringify(collab.body).includes('Nhồi máu'));
    const p = await get('collabA', `/api/v1/station/persons/${person.M5}`);
    assert.equal(p.body.person.deceased_on, fromToday(-1));
    assert.ok(!JSON.stringify(p.body).includes('Nhồi máu'));
  });

  it('the phone and address a citizen declares in the book show at the station beside the registry’s, marked as theirs', async () => {
    const citizen = await citizenCookie(db, '051190000006', person.M6!, true);
    const put = (payload: object) => app.inject({ method: 'PUT', url: '/api/v1/book/contact', headers: { cookie: citizen }, payload });
    const bad = await put({ so_dien_thoai: '12345', dia_chi: 'Thôn Mới, xã Nghĩa Kỳ, Quảng Ngãi' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'CONTACT_PHONE_INVALID');
    assert.match(bad.json().message_vi, /Số điện thoại không hợp lệ/);
    const shortAddress = await put({ so_dien_thoai: '0988 777 666', dia_chi: 'Thôn' });
    assert.equal(shortAddress.json().code, 'CONTACT_ADDRESS_INVALID');
    const ok = await put({ so_dien_thoai: '+84 988 777 666', dia_chi: '  Thôn Mới,  xã Nghĩa Kỳ, Quảng Ngãi ' });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.deepEqual(ok.json().changed, ['so_dien_thoai', 'dia_chi']);
    assert.equal(ok.json().declared.so_dien_thoai, '0988777666', 'stored in the domestic form');
    assert.equal((await put({ so_dien_thoai: '0988777666', dia_chi: 'Thôn Mới, xã Nghĩa Kỳ, Quảng Ngãi' })).json().changed.length, 0, 'the same again writes nothing');
    const registry = await db.db.selectFrom('person').select(['so_dien_thoai', 'dia_chi']).where('id', '=', person.M6!).executeTakeFirstOrThrow();
    assert.equal(registry.so_dien_thoai, '0912000333', 'the registry value is never overwritten');
    const audited = await db.db.selectFrom('audit_event').select(['actor_type', 'detail']).where('action', '=', 'book.contact.update').where('person_id', '=', person.M6!).execute();
    assert.equal(audited.length, 1);
    assert.deepEqual((audited[0]!.detail as { fields: string[] }).fields, ['so_dien_thoai', 'dia_chi']);
    const book = (await app.inject({ method: 'GET', url: '/api/v1/book/contact', headers: { cookie: citizen } })).json();
    assert.equal(book.registry.so_dien_thoai, '0912000333');
    assert.equal(book.declared.dia_chi, 'Thôn Mới, xã Nghĩa Kỳ, Quảng Ngãi');
    const pv = await get('nurseA', `/api/v1/station/persons/${person.M6}`);
    assert.equal(pv.body.person.so_dien_thoai, '0912000333');
    assert.equal(pv.body.person.citizen_contact.so_dien_thoai, '0988777666');
    const hh = await get('collabA', `/api/v1/station/households/${await householdId('HGD02')}`);
    const m6 = hh.body.members_current.find((m: Json) => m.id === person.M6);
    assert.equal(m6.citizen_contact.dia_chi, 'Thôn Mới, xã Nghĩa Kỳ, Quảng Ngãi');
    for (const m of [...hh.body.members_current, ...hh.body.members_past].filter((x: Json) => x.id !== person.M6)) assert.equal(m.citizen_contact, null, 'nothing declared: nothing shown');
  });
});
