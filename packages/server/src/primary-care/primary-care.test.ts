import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { addDays, vietnamToday } from '@openhssk/core';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import type { FastifyInstance } from 'fastify';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { insertEpisode, staffSession } from '../../test-support/staff.ts';
import { openFrontDeskVisit } from '../ingest/index.ts';
import { upsertPersons } from '../person/index.ts';
import { followUpsDue, proposeFromEpisodes } from './index.ts';
import { pcDb } from './tables.ts';

const TODAY = vietnamToday();
const Y = Number(TODAY.slice(0, 4));
const STATION = '51010';
const OTHER_STATION = '51020';
const HOSPITAL = '51001';
const COMMUNE = '21550';
const OTHER_COMMUNE = '21700';

// biome-ignore lint/suspicious/noExplicitAny: answers are read loosely; the assertions check their shape.
type Json = Record<string, any>;
type Entry = Record<string, unknown>;
/** A section of a record answer by key (absent sections fail the test at the first property read). */
const sec = (list: unknown, key: string): Json => (list as Json[]).find((s) => s.key === key) as Json;

const at = (minutesAgo = 0) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
const rec = (personId: string, section: string, values: Record<string, unknown>, o: { itemId?: string; base?: Record<string, string | null>; recordedAt?: string; entryId?: string } = {}): Entry => ({
  entryId: o.entryId ?? randomUUID(),
  kind: 'record',
  personId,
  recordedAt: o.recordedAt ?? at(),
  record: { section, ...(o.itemId ? { itemId: o.itemId } : {}), values, ...(o.base ? { base: o.base } : {}) },
});
const followUp = (personId: string, register: string, visitDate: string, m: Record<string, unknown>): Entry => ({
  entryId: randomUUID(),
  kind: 'followup',
  personId,
  recordedAt: at(),
  followUp: { register, visitDate, ...m },
});

describe(`primary care at the commune station (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  const staff: Record<string, { cookie: string; id: string }> = {};

  const call = async (cookie: string | undefined, method: 'GET' | 'POST', url: string, payload?: object) => {
    const r = await app.inject({ method, url, headers: cookie ? { cookie } : {}, ...(payload ? { payload } : {}) });
    return { status: r.statusCode, body: r.json() as Json };
  };
  const sync = async (who: string, entries: Entry[]) => {
    const r = await call(staff[who]!.cookie, 'POST', '/api/v1/primary-care/sync', { entries });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.results as Json[];
  };
  const one = async (who: string, entry: Entry) => (await sync(who, [entry]))[0]!;
  const person = async (who: string, id: string) => call(staff[who]!.cookie, 'GET', `/api/v1/primary-care/persons/${id}`);
  const audits = (action: string, personId?: string) => {
    let q = db.db.selectFrom('audit_event').select(['actor_id', 'person_id', 'facility_code', 'resource', 'detail']).where('action', '=', action);
    if (personId) q = q.where('person_id', '=', personId);
    return q.orderBy('id').execute();
  };

  before(async () => {
    ({ app, db, close } = await startTestApp({ config: { reportHoldbackSeconds: 0 } }));
    await db.db
      .insertInto('admin_unit')
      .values([
        { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
        { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
        { code: '529', level: 'district', name: 'Mộ Đức', parent_code: '51', valid_from: null, valid_to: null },
        { code: COMMUNE, level: 'commune', name: 'thị trấn La Hà', parent_code: '528', valid_from: null, valid_to: null },
        { code: OTHER_COMMUNE, level: 'commune', name: 'xã Đức Nhuận', parent_code: '529', valid_from: null, valid_to: null },
      ])
      .execute();
    await db.db
      .insertInto('facility')
      .values([
        { code: STATION, name: 'Trạm Y tế thị trấn La Hà', level: 'xã', admin_unit_code: COMMUNE },
        { code: OTHER_STATION, name: 'Trạm Y tế xã Đức Nhuận', level: 'xã', admin_unit_code: OTHER_COMMUNE },
      ])
      .execute();
    await upsertPersons(db.db, [
      { id: 'PA', ho_ten: 'Nguyễn Văn An', ngay_sinh: '1960-05-01', birth_year: 1960, gioi_tinh: 1, so_cccd: '051060000001', ma_xa: COMMUNE },
      { id: 'PW', ho_ten: 'Trần Thị Hoa', ngay_sinh: '1994-03-03', birth_year: 1994, gioi_tinh: 2, so_cccd: '051194000002', ma_xa: COMMUNE },
      { id: 'PC', ho_ten: 'Lê Minh Khôi', ngay_sinh: `${Y - 3}-01-10`, birth_year: Y - 3, gioi_tinh: 1, so_cccd: '051222000003', ma_xa: COMMUNE },
      { id: 'PF', ho_ten: 'Đinh Văn Xa', ngay_sinh: '1970-01-01', birth_year: 1970, gioi_tinh: 1, so_cccd: '051070000004', ma_xa: OTHER_COMMUNE },
      { id: 'PV', ho_ten: 'Phạm Văn Khách', ngay_sinh: '1980-02-02', birth_year: 1980, gioi_tinh: 1, so_cccd: '051080000005', ma_xa: OTHER_COMMUNE },
      { id: 'PH', ho_ten: 'Võ Văn Huyết', ngay_sinh: '1955-07-07', birth_year: 1955, gioi_tinh: 1, so_cccd: '051055000006', ma_xa: COMMUNE },
      { id: 'PS', ho_ten: 'Hồ Thị Tâm', ngay_sinh: '1975-08-08', birth_year: 1975, gioi_tinh: 2, so_cccd: '051175000007', ma_xa: COMMUNE },
    ]);
    const mk = async (key: string, role: string, extra: Record<string, string>) => {
      staff[key] = await staffSession(app, db.db, { username: key, fullName: `Cán bộ ${key}`, role: role as never, ...extra });
    };
    await mk('head', 'station_head', { facilityCode: STATION });
    await mk('doctor', 'station_clinician', { facilityCode: STATION });
    await mk('nurse', 'station_nurse', { facilityCode: STATION });
    await mk('collab', 'population_collaborator', { facilityCode: STATION });
    await mk('farnurse', 'station_nurse', { facilityCode: OTHER_STATION });
    await mk('officer', 'health_officer', { adminUnitCode: '528' });
    await mk('officer2', 'health_officer', { adminUnitCode: '529' });
  });
  after(async () => close());

  it('station clinical roles read their commune’s residents; other communes, collaborators, officers and hospital staff get nothing clinical', async () => {
    for (const who of ['head', 'doctor', 'nurse']) assert.equal((await person(who, 'PA')).status, 200, who);
    const far = await person('nurse', 'PF');
    assert.equal(far.status, 404, 'another commune’s resident answers like an unknown person');
    assert.equal(far.body.code, 'NOT_FOUND');
    assert.equal((await person('nurse', 'NO-SUCH')).status, 404);
    assert.equal((await person('farnurse', 'PF')).status, 200);
    assert.equal((await person('farnurse', 'PA')).status, 404);
    assert.equal((await person('collab', 'PA')).status, 403, 'population collaborator: nothing clinical');
    assert.equal((await call(staff.collab!.cookie, 'POST', '/api/v1/primary-care/sync', { entries: [rec('PA', 'risk_factors', { hut_thuoc: 'co' })] })).status, 403);
    assert.equal((await call(staff.collab!.cookie, 'GET', '/api/v1/primary-care/due')).status, 403);
    assert.equal((await person('officer', 'PA')).status, 403, 'health officers read aggregates only');
    assert.equal((await call(undefined, 'GET', '/api/v1/primary-care/persons/PA')).status, 401);
    const refused = await one('nurse', rec('PF', 'risk_factors', { hut_thuoc: 'co' }));
    assert.equal(refused.status, 'refused');
    assert.equal(refused.error.code, 'NOT_FOUND');
  });

  it('a person of another commune checked in at the station is readable, basis checked_in', async () => {
    assert.equal((await person('nurse', 'PV')).status, 404);
    await openFrontDeskVisit(db.db, STATION, { person_id: 'PV', ho_ten: 'Phạm Văn Khách', so_cccd: '051080000005', so_bhyt: null } as never, 'cccd_chip', { type: 'staff', id: staff.nurse!.id });
    const r = await person('nurse', 'PV');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.person.basis, 'checked_in');
    assert.equal((await person('farnurse', 'PV')).status, 200, 'still a resident of the other commune');
  });

  it('831 entries carry who, role, station and when; every read is audited and shows in the citizen’s access log', async () => {
    const allergy = randomUUID();
    const results = await sync('nurse', [
      rec('PA', 'administrative', { dan_toc: '01', nghe_nghiep: 'Nông dân', nhom_mau_abo: 'O' }),
      rec('PA', 'risk_factors', { hut_thuoc: 'co', ruou_bia: 'khong', ma_tuy: 'khong', hoat_dong_the_luc: 'it', che_do_an: ['an_man'] }),
      rec('PA', 'allergies', { loai: 'thuoc', tac_nhan: 'Penicilin', phan_ung: 'Nổi mẩn', muc_do: 'vua' }, { itemId: allergy }),
      rec('PA', 'disabilities', { none: true }),
      rec('PA', 'surgeries', { none: true }),
      rec('PA', 'family_history', { quan_he: 'me', loai: 'benh', nhom: 'tang_huyet_ap', ma_icd10: 'I10' }, { itemId: randomUUID() }),
      rec('PA', 'personal_history', { nhom: 'tang_huyet_ap', ma_icd10: 'I10', phat_hien: '2019', dang_dieu_tri: true }, { itemId: randomUUID() }),
    ]);
    assert.deepEqual(results.map((r) => r.status), Array(7).fill('applied'), JSON.stringify(results));
    const r = await person('nurse', 'PA');
    const smoking = sec(r.body.record, 'risk_factors').fields.hut_thuoc;
    assert.equal(smoking.value, 'co');
    assert.equal(smoking.recorded_by.id, staff.nurse!.id);
    assert.equal(smoking.recorded_by.role, 'station_nurse');
    assert.equal(smoking.facility.code, STATION);
    assert.equal(smoking.facility.name, 'Trạm Y tế thị trấn La Hà');
    const item = sec(r.body.record, 'allergies').items[0];
    assert.equal(item.item_id, allergy);
    assert.equal(item.fields.tac_nhan.value, 'Penicilin');
    assert.deepEqual(r.body.completeness, { required: ['administrative', 'risk_factors', 'allergies', 'disabilities', 'personal_history', 'surgeries', 'family_history'], filled: ['administrative', 'risk_factors', 'allergies', 'disabilities', 'personal_history', 'surgeries', 'family_history'], missing: [], complete: true });
    const writes = await audits('primary_care.record.write', 'PA');
    assert.equal(writes.length, 7);
    assert.ok(writes.every((w) => w.actor_id === staff.nurse!.id && w.facility_code === STATION));
    assert.ok((await audits('primary_care.person.read', 'PA')).length >= 1);
    const citizen = await citizenCookie(db, '051060000001', 'PA', true);
    const log = await call(citizen, 'GET', '/api/v1/book/access-log');
    const staffReads = (log.body.events as Json[]).filter((e) => e.action === 'primary_care.person.read');
    assert.ok(staffReads.length >= 1);
    assert.equal(staffReads[0]!.facility_name, 'Trạm Y tế thị trấn La Hà');
    assert.equal(staffReads[0]!.actor_role, 'station_nurse');
  });

  it('a replay of the same entries is a no-op; a reused entryId with other content is refused', async () => {
    const entries = [rec('PW', 'administrative', { dan_toc: '01', nghe_nghiep: 'Giáo viên' }), rec('PW', 'allergies', { none: true })];
    assert.deepEqual((await sync('nurse', entries)).map((r) => r.status), ['applied', 'applied']);
    const count = async () =>
      Promise.all([
        db.db.selectFrom('audit_event').select((eb) => eb.fn.countAll<number>().as('n')).where('action', '=', 'primary_care.record.write').executeTakeFirstOrThrow(),
        pcDb(db.db).selectFrom('pc_record_field').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
        pcDb(db.db).selectFrom('pc_record_field_history').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]).then((rows) => rows.map((r) => Number(r.n)));
    const before = await count();
    const replay = await sync('nurse', [...entries, entries[0]!]);
    assert.deepEqual(replay.map((r) => r.status), ['already_applied', 'already_applied', 'already_applied']);
    assert.deepEqual(replay[0]!.outcome.changed, ['dan_toc', 'nghe_nghiep'], 'the first outcome comes back');
    assert.deepEqual(await count(), before, 'nothing written by a replay');
    const reused = await one('nurse', { ...entries[0]!, record: { section: 'administrative', values: { nghe_nghiep: 'Thợ may' } } });
    assert.equal(reused.status, 'refused');
    assert.equal(reused.error.code, 'ENTRY_ID_REUSED');
  });

  it('the same queue synced twice at once (two tabs, a retry) applies each entry exactly once', async () => {
    const entries = [
      rec('PC', 'allergies', { none: true }),
      { entryId: randomUUID(), kind: 'checkup', personId: 'PC', recordedAt: at(), checkup: { examinedOn: TODAY, pulse: 110, weightKg: 14, heightCm: 95 } },
      rec('PC', 'vaccinations', { vac_xin: 'bcg', mui_so: 1, ngay_tiem: `${Y - 3}-01-12` }, { itemId: randomUUID() }),
    ];
    const [a, b] = await Promise.all([sync('nurse', entries), sync('doctor', entries)]);
    for (let i = 0; i < entries.length; i++) assert.deepEqual([a[i]!.status, b[i]!.status].sort(), ['already_applied', 'applied'], JSON.stringify([a[i], b[i]]));
    const checkups = await pcDb(db.db).selectFrom('pc_checkup').select('id').where('person_id', '=', 'PC').execute();
    assert.equal(checkups.length, 1);
  });

  it('an unexpected failure of one entry is reported for it alone; the rest of its batch applies', async () => {
    // A trigger standing for a database fault on one value.
    await db.execScript(`create function pc_test_fault() returns trigger language plpgsql as $$
      begin if new.value = '"LỖI-THỬ"'::jsonb then raise exception 'injected fault'; end if; return new; end $$;
      create trigger pc_test_fault before insert on pc_record_field for each row execute function pc_test_fault();`);
    try {
      const results = await sync('nurse', [
        rec('PS', 'administrative', { ton_giao: 'Phật giáo' }),
        rec('PS', 'administrative', { que_quan: 'LỖI-THỬ' }),
        rec('PS', 'administrative', { nghe_nghiep: 'Buôn bán' }),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['applied', 'refused', 'applied']);
      assert.equal(results[1]!.error.code, 'INTERNAL');
      const fields = (await pcDb(db.db).selectFrom('pc_record_field').select('field').where('person_id', '=', 'PS').where('section', '=', 'administrative').execute()).map((f) => f.field).sort();
      assert.deepEqual(fields, ['nghe_nghiep', 'ton_giao']);
      assert.equal((await audits('primary_care.record.write', 'PS')).length, 2, 'the failed entry left no audit row behind');
    } finally {
      await db.execScript('drop trigger pc_test_fault on pc_record_field; drop function pc_test_fault();');
    }
  });

  it('concurrent edits: field-level last writer by recordedAt, the loser kept in history and reported; an edit on top of the stored value supersedes it', async () => {
    const first = rec('PW', 'risk_factors', { hut_thuoc: 'khong', ruou_bia: 'khong' }, { recordedAt: at(120) });
    assert.equal((await one('nurse', first)).status, 'applied');
    // Two devices edit the same value offline, both from the first entry.
    const deviceA = rec('PW', 'risk_factors', { hut_thuoc: 'co' }, { recordedAt: at(60), base: { hut_thuoc: first.entryId as string } });
    const deviceB = rec('PW', 'risk_factors', { hut_thuoc: 'da_bo', ruou_bia: 'co' }, { recordedAt: at(30), base: { hut_thuoc: first.entryId as string, ruou_bia: first.entryId as string } });
    const b = await one('doctor', deviceB);
    assert.equal(b.status, 'applied', 'B saw the stored values: no conflict');
    const a = await one('nurse', deviceA);
    assert.equal(a.status, 'conflict');
    assert.equal(a.conflicts.length, 1);
    const c = a.conflicts[0];
    assert.equal(c.field, 'hut_thuoc');
    assert.equal(c.entry_won, false, 'A was entered earlier than B: B stays');
    assert.equal(c.kept.value, 'da_bo');
    assert.equal(c.lost.value, 'co');
    assert.equal(c.lost.recorded_by, staff.nurse!.id);
    let r = await person('nurse', 'PW');
    assert.equal(sec(r.body.record, 'risk_factors').fields.hut_thuoc.value, 'da_bo');
    // A device that saw the first value only, but entered later than B, wins; B's value goes to history.
    const deviceC = rec('PW', 'risk_factors', { ruou_bia: 'da_bo' }, { recordedAt: at(5), base: { ruou_bia: first.entryId as string } });
    const cr = await one('nurse', deviceC);
    assert.equal(cr.status, 'conflict');
    assert.equal(cr.conflicts[0].entry_won, true);
    assert.equal(cr.conflicts[0].lost.value, 'co');
    // An edit made on top of the stored value is no conflict.
    r = await person('nurse', 'PW');
    const stored = sec(r.body.record, 'risk_factors').fields.ruou_bia;
    assert.equal(stored.value, 'da_bo');
    const d = await one('nurse', rec('PW', 'risk_factors', { ruou_bia: 'khong' }, { base: { ruou_bia: stored.entry_id } }));
    assert.equal(d.status, 'applied');
    const history = (await call(staff.nurse!.cookie, 'GET', '/api/v1/primary-care/persons/PW/history')).body.history as Json[];
    const kept = history.filter((h) => h.section === 'risk_factors').map((h) => [h.field, h.value, h.reason]);
    assert.deepEqual(kept.sort(), [
      ['hut_thuoc', 'co', 'conflict'],
      ['hut_thuoc', 'khong', 'superseded'],
      ['ruou_bia', 'co', 'conflict'],
      ['ruou_bia', 'da_bo', 'superseded'],
      ['ruou_bia', 'khong', 'superseded'],
    ]);
    assert.ok((await audits('primary_care.history.read', 'PW')).length === 1);
  });

  it('refuses invalid entries with the reason in Vietnamese; nurses record no diagnosis; sections follow age and sex', async () => {
    const results = await sync('nurse', [
      { entryId: randomUUID(), kind: 'checkup', personId: 'PA', recordedAt: at(), checkup: { examinedOn: TODAY, pulse: 300, sbp: 120, dbp: 80 } },
      rec('PA', 'reproductive', { so_lan_co_thai: 1 }),
      rec('PW', 'reproductive', { so_lan_co_thai: 1, so_lan_sinh: 2 }),
      rec('PC', 'risk_factors', { hut_thuoc: 'sometimes' }),
      { entryId: randomUUID(), kind: 'checkup', personId: 'PA', recordedAt: at(), checkup: { examinedOn: TODAY, sbp: 150, dbp: 95, diagnoses: ['I10'] } },
      { entryId: randomUUID(), kind: 'checkup', personId: 'PA', recordedAt: new Date(Date.now() + 3600_000).toISOString(), checkup: { examinedOn: TODAY } },
      { entryId: randomUUID(), kind: 'checkup', personId: 'PA', recordedAt: at() },
      followUp('PA', 'hypertension', TODAY, { sbp: 140, dbp: 85 }),
    ]);
    assert.deepEqual(results.map((r) => r.status), Array(8).fill('refused'));
    assert.deepEqual(results.map((r) => r.error.code), [
      'MEASURE_OUT_OF_RANGE',
      'SECTION_NOT_APPLICABLE',
      'SUM_EXCEEDS_TOTAL',
      'CODE_UNKNOWN',
      'DIAGNOSIS_NEEDS_CLINICIAN',
      'RECORDED_AT_IN_FUTURE',
      'PAYLOAD_MISSING',
      'NOT_ENROLLED',
    ]);
    assert.equal(results[0]!.error.message_vi, 'Mạch 300 lần/phút nằm ngoài khoảng hợp lệ (20–250 lần/phút); kiểm tra lại số đo.');
    assert.equal(results[1]!.error.message_vi, 'Phần «Tiền sử sản phụ khoa» chỉ áp dụng cho nữ từ 10 tuổi.');
    assert.equal(results[7]!.error.message_vi, 'Người này chưa có trong sổ quản lý tăng huyết áp của trạm: hãy đưa vào quản lý trước.');
    const child = await one('nurse', rec('PC', 'birth', { cach_sinh: 'thuong', can_nang_gram: 2900, de_thieu_thang: false }));
    assert.equal(child.status, 'applied');
  });

  let proposalFromCheckup: number;
  it('a check-up is an encounter of the station with BMI; a register diagnosis proposes an enrolment', async () => {
    const r = await one('doctor', {
      entryId: randomUUID(),
      kind: 'checkup',
      personId: 'PA',
      recordedAt: at(),
      checkup: {
        examinedOn: TODAY,
        reason: 'Khám sức khỏe định kỳ',
        pulse: 80,
        sbp: 156,
        dbp: 96,
        temperature: 36.7,
        respRate: 18,
        heightCm: 165,
        weightKg: 70,
        waistCm: 92,
        visionRight: '8/10',
        visionLeft: '9/10',
        exam: { tuan_hoan: 'Tim đều, T1 T2 rõ', ho_hap: 'Phổi trong' },
        paraclinical: [{ test: 'Glucose máu lúc đói', result: '5.8', unit: 'mmol/L' }],
        diagnoses: ['I10'],
        advice: 'Ăn nhạt, tái khám sau 1 tháng',
      },
    });
    assert.equal(r.status, 'applied', JSON.stringify(r));
    assert.equal(r.outcome.bmi, 25.7);
    assert.equal(r.outcome.bmiClass, 'obese');
    assert.equal(r.outcome.proposedEnrolments.length, 1);
    proposalFromCheckup = r.outcome.proposedEnrolments[0];
    const p = await person('nurse', 'PA');
    const c = (p.body.checkups as Json[])[0]!;
    assert.equal(c.facility_code, STATION);
    assert.equal(c.recorded_by, staff.doctor!.id);
    assert.deepEqual(c.diagnoses, [{ code: 'I10', name: 'Bệnh lý tăng huyết áp vô căn (nguyên phát)' }]);
    assert.equal(c.bmi, 25.7);
    assert.ok((await audits('primary_care.checkup.create', 'PA')).length === 1);
  });

  it('enrolment, monthly follow-ups out of order, due / overdue / not-controlled lists and followUpsDue', async () => {
    const nurseAccept = await call(staff.nurse!.cookie, 'POST', `/api/v1/primary-care/proposals/${proposalFromCheckup}/accept`, { enrolledOn: addDays(TODAY, -100) });
    assert.equal(nurseAccept.status, 403, 'a nurse does not decide enrolments');
    const farAccept = await call(staff.farnurse!.cookie, 'POST', `/api/v1/primary-care/proposals/${proposalFromCheckup}/accept`, {});
    assert.equal(farAccept.status, 403);
    const accept = await call(staff.doctor!.cookie, 'POST', `/api/v1/primary-care/proposals/${proposalFromCheckup}/accept`, { enrolledOn: addDays(TODAY, -100) });
    assert.equal(accept.status, 200, JSON.stringify(accept.body));
    assert.equal((await call(staff.doctor!.cookie, 'POST', `/api/v1/primary-care/proposals/${proposalFromCheckup}/accept`, {})).body.code, 'PROPOSAL_DECIDED');
    // PW: diabetes from a station diagnosis, 40 days ago, no visit since: overdue.
    const byNurse = await one('nurse', { entryId: randomUUID(), kind: 'enrolment', personId: 'PW', recordedAt: at(), enrolment: { register: 'diabetes', icd10: 'E11.9', enrolledOn: addDays(TODAY, -40) } });
    assert.equal(byNurse.error.code, 'ENROLMENT_NEEDS_CLINICIAN');
    const wrongCode = await one('doctor', { entryId: randomUUID(), kind: 'enrolment', personId: 'PW', recordedAt: at(), enrolment: { register: 'diabetes', icd10: 'I10', enrolledOn: TODAY } });
    assert.equal(wrongCode.error.code, 'ICD10_NOT_IN_REGISTER');
    const enrolPW = { entryId: randomUUID(), kind: 'enrolment', personId: 'PW', recordedAt: at(), enrolment: { register: 'diabetes', icd10: 'E11.9', enrolledOn: addDays(TODAY, -40) } };
    assert.equal((await one('doctor', enrolPW)).status, 'applied');
    const twice = await one('head', { ...enrolPW, entryId: randomUUID(), enrolment: { register: 'diabetes', icd10: 'E14.9', enrolledOn: addDays(TODAY, -39) } });
    assert.equal(twice.status, 'conflict', 'a second device enrolling the same person: the first enrolment stays, both reported');
    assert.equal(twice.outcome.duplicate.lost.icd10, 'E14.9');
    // PA: the newest visit arrives first, the older one after it (offline devices).
    const late = await sync('nurse', [
      followUp('PA', 'hypertension', addDays(TODAY, -10), { sbp: 132, dbp: 82, medicines: [{ name: 'Amlodipin 5mg', quantity: 30, unit: 'viên', days: 30 }], adherence: 'tot' }),
      followUp('PA', 'hypertension', addDays(TODAY, -70), { sbp: 158, dbp: 98, adherence: 'chua_tot' }),
    ]);
    assert.deepEqual(late.map((r) => [r.status, r.outcome.control]), [['applied', 'controlled'], ['applied', 'uncontrolled']]);
    // PH later gets a hypertension enrolment with an uncontrolled last visit.
    assert.equal((await one('doctor', { entryId: randomUUID(), kind: 'enrolment', personId: 'PS', recordedAt: at(), enrolment: { register: 'hypertension', icd10: 'I10', enrolledOn: addDays(TODAY, -95) } })).status, 'applied');
    assert.equal((await one('nurse', followUp('PS', 'hypertension', addDays(TODAY, -3), { sbp: 165, dbp: 100 }))).outcome.control, 'uncontrolled');

    const list = async (register: string, l: string, on = TODAY) => {
      const r = await call(staff.nurse!.cookie, 'GET', `/api/v1/primary-care/registers/${register}?list=${l}&on=${on}`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return (r.body.rows as Json[]).map((x) => x.person_id);
    };
    assert.deepEqual(await list('hypertension', 'active'), ['PA', 'PS']);
    assert.deepEqual(await list('hypertension', 'due'), []);
    assert.deepEqual(await list('hypertension', 'due', addDays(TODAY, 20)), ['PA']);
    assert.deepEqual(await list('hypertension', 'uncontrolled'), ['PS']);
    assert.deepEqual(await list('diabetes', 'overdue'), ['PW']);
    assert.deepEqual(await list('diabetes', 'due'), ['PW']);
    const due = await followUpsDue(db.db, COMMUNE, addDays(TODAY, 27));
    assert.deepEqual(due, [
      { personId: 'PW', hoTen: 'Trần Thị Hoa', register: 'diabetes', dueOn: addDays(TODAY, -10) },
      { personId: 'PA', hoTen: 'Nguyễn Văn An', register: 'hypertension', dueOn: addDays(TODAY, 20) },
      { personId: 'PS', hoTen: 'Hồ Thị Tâm', register: 'hypertension', dueOn: addDays(TODAY, 27) },
    ]);
    assert.deepEqual(await followUpsDue(db.db, OTHER_COMMUNE, addDays(TODAY, 27)), []);
    const dueRoute = await call(staff.nurse!.cookie, 'GET', '/api/v1/primary-care/due');
    assert.deepEqual((dueRoute.body.due as Json[]).map((d) => d.personId), ['PW']);
    assert.ok((await audits('primary_care.due.list', 'PW')).length >= 1, 'each person shown is audited');
    const trend = ((await person('nurse', 'PA')).body.registers as Json[]).find((r) => r.register === 'hypertension')!;
    assert.deepEqual(trend.trend.map((t: Json) => [t.date, t.sbp, t.dbp, t.control]), [
      [addDays(TODAY, -70), 158, 98, 'uncontrolled'],
      [addDays(TODAY, -10), 132, 82, 'controlled'],
    ]);
    assert.equal(trend.last_control, 'controlled', 'the latest visit decides, not the latest received');
    assert.equal(trend.next_due, addDays(TODAY, 20));
  });

  it('proposes enrolments from an ingested hospital episode of a resident (I10 / E11 as secondary diagnoses), never from a sensitive one; a clinician declines', async () => {
    const { token } = await facilityWithToken(app, db, HOSPITAL, { testMode: true });
    const episode = (i: number, cccd: string, name: string, born: string, patch: Record<string, string>, commune = COMMUNE) => {
      const t = sampleEpisode(i, HOSPITAL);
      Object.assign(
        t.XML1![0]!,
        { SO_CCCD: cccd, HO_TEN: name, NGAY_SINH: `${born.replace(/-/g, '')}0000`, MA_BN: `BN-${i}`, MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '', GT_THE_DEN: '' },
        { MATINH_CU_TRU: '51', MAHUYEN_CU_TRU: commune === COMMUNE ? '528' : '529', MAXA_CU_TRU: commune },
        patch,
      );
      return t;
    };
    const eps = [
      episode(1, '051055000006', 'Võ Văn Huyết', '1955-07-07', { MA_BENH_CHINH: 'J18.9', MA_BENH_KT: 'I10;E11.9' }),
      episode(2, '051175000007', 'Hồ Thị Tâm', '1975-08-08', { MA_BENH_CHINH: 'F32.9', MA_BENH_KT: 'E11.9', CHAN_DOAN_RV: 'Trầm cảm; đái tháo đường' }),
      episode(3, '051070000004', 'Đinh Văn Xa', '1970-01-01', { MA_BENH_CHINH: 'I10', MA_BENH_KT: '' }, OTHER_COMMUNE),
    ];
    const r = await app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
      payload: buildEnvelope({ facilityCode: HOSPITAL, createdDate: '20240305', episodes: eps }),
    });
    assert.equal(r.statusCode, 201, r.body);
    const linked = await db.db.selectFrom('episode').select(['person_id', 'sensitivity']).orderBy('id').execute();
    assert.deepEqual(linked.map((e) => e.person_id), ['PH', 'PS', 'PF'], 'episodes linked to the residents');
    const proposed = async (who: string, register: string) => {
      const res = await call(staff[who]!.cookie, 'GET', `/api/v1/primary-care/registers/${register}?list=proposed`);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return res.body.rows as Json[];
    };
    const htn = await proposed('doctor', 'hypertension');
    assert.deepEqual(htn.map((p) => [p.person_id, p.source, p.icd10]), [['PH', 'hospital_episode', 'I10']]);
    assert.equal(htn[0]!.episode.facility_code, HOSPITAL);
    const dm = await proposed('doctor', 'diabetes');
    assert.deepEqual(dm.map((p) => p.person_id), ['PH'], 'the sensitive episode of PS proposes nothing');
    assert.deepEqual((await proposed('farnurse', 'hypertension')).map((p) => p.person_id), ['PF'], 'each station sees its own commune');
    const decline = await call(staff.doctor!.cookie, 'POST', `/api/v1/primary-care/proposals/${dm[0]!.id}/decline`, { reason: 'Đường huyết bình thường khi kiểm tra lại tại trạm' });
    assert.equal(decline.status, 200);
    assert.deepEqual(await proposed('doctor', 'diabetes'), [], 'a declined proposal is not proposed again from the same episode');
    assert.ok((await audits('primary_care.proposal.decline', 'PH')).length === 1);
    const wm = await pcDb(db.db).selectFrom('pc_state').select('value').executeTakeFirstOrThrow();
    assert.ok(Number(wm.value) >= 3);
  });

  it('the episode scan resumes from its watermark in bounded steps; an episode after a decline proposes again; an open enrolment blocks a new proposal', async () => {
    await insertEpisode(db.db, { facility: HOSPITAL, personId: 'PH', ngayVao: '2026-01-05 08:00:00', benh: 'E11.9' });
    await insertEpisode(db.db, { facility: HOSPITAL, personId: 'PA', ngayVao: '2026-01-06 08:00:00', benh: 'I10' });
    await insertEpisode(db.db, { facility: HOSPITAL, personId: 'PC', ngayVao: '2026-01-07 08:00:00', benh: 'J18.9', benhKt: 'J45.9' });
    const before = Number((await pcDb(db.db).selectFrom('pc_state').select('value').executeTakeFirstOrThrow()).value);
    const first = await proposeFromEpisodes(db.db, { holdbackSeconds: 0, maxEpisodes: 1 });
    assert.deepEqual([first.scanned, first.proposed, first.watermark], [1, 1, before + 1]);
    const rest = await proposeFromEpisodes(db.db, { holdbackSeconds: 0 });
    assert.deepEqual([rest.scanned, rest.proposed], [2, 1], 'PA is already enrolled: no proposal');
    assert.deepEqual(await proposeFromEpisodes(db.db, { holdbackSeconds: 0 }), { scanned: 0, proposed: 0, watermark: rest.watermark });
    const open = await pcDb(db.db).selectFrom('pc_enrolment').select(['person_id', 'register', 'source']).where('status', '=', 'proposed').orderBy('id').execute();
    assert.deepEqual(
      open.map((o) => [o.person_id, o.register, o.source]).sort(),
      [['PC', 'asthma', 'hospital_episode'], ['PF', 'hypertension', 'hospital_episode'], ['PH', 'diabetes', 'hospital_episode'], ['PH', 'hypertension', 'hospital_episode']],
    );
  });

  it('the citizen’s book shows the station’s entries, marked professional, beside the citizen’s own declarations; sensitive items only on request', async () => {
    const citizen = await citizenCookie(db, '051194000002', 'PW', true);
    const own = await call(citizen, 'POST', '/api/v1/book/declarations', { kind: 'allergy', title: 'Dị ứng tôm', detail: 'Ngứa' });
    assert.equal(own.status, 201);
    await sync('doctor', [rec('PW', 'personal_history', { nhom: 'tam_than', mo_ta: 'Rối loạn lo âu' }, { itemId: randomUUID() })]);
    await one('doctor', { entryId: randomUUID(), kind: 'checkup', personId: 'PW', recordedAt: at(), checkup: { examinedOn: TODAY, sbp: 118, dbp: 76, weightKg: 52, heightCm: 155 } });
    const r = await call(citizen, 'GET', '/api/v1/book/primary-care');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.professional.source, 'station');
    assert.equal(r.body.self_declared.source, 'citizen');
    assert.deepEqual(r.body.self_declared.declarations.map((d: Json) => d.title), ['Dị ứng tôm']);
    const job = sec(r.body.professional.sections, 'administrative').fields.find((f: Json) => f.field === 'nghe_nghiep');
    assert.equal(job.text, 'Giáo viên');
    assert.equal(job.recorded_by, 'Cán bộ nurse');
    assert.equal(job.recorded_role, 'Điều dưỡng/nữ hộ sinh trạm y tế');
    assert.equal(job.facility_name, 'Trạm Y tế thị trấn La Hà');
    assert.equal(sec(r.body.professional.sections, 'allergies').none.text, 'Không có');
    assert.equal(sec(r.body.professional.sections, 'personal_history'), undefined, 'the mental-health item is hidden by default');
    assert.equal(r.body.professional.hidden_sensitive, 1);
    assert.equal(r.body.professional.checkups[0].bmi, 21.6);
    assert.equal(r.body.professional.registers[0].register, 'diabetes');
    assert.ok(!JSON.stringify(r.body.professional).includes('Dị ứng tôm'), 'declarations never mixed into the professional part');
    const all = await call(citizen, 'GET', '/api/v1/book/primary-care?include_sensitive=1');
    assert.equal(sec(all.body.professional.sections, 'personal_history').items[0].fields.find((f: Json) => f.field === 'nhom').text, 'Bệnh tâm thần');
    const log = await audits('book.primary_care.read', 'PW');
    assert.equal(log.length, 2);
  });

  it('a sensitive item stays with the station that recorded it', async () => {
    assert.equal((await one('doctor', rec('PV', 'personal_history', { nhom: 'lao', mo_ta: 'Lao phổi đã điều trị' }, { itemId: randomUUID() }))).status, 'applied');
    assert.equal((await one('farnurse', rec('PV', 'personal_history', { nhom: 'tang_huyet_ap' }, { itemId: randomUUID() }))).status, 'applied');
    const groups = async (who: string) =>
      sec((await person(who, 'PV')).body.record, 'personal_history').items.map((i: Json) => i.fields.nhom.value).sort();
    assert.deepEqual(await groups('nurse'), ['lao', 'tang_huyet_ap']);
    assert.deepEqual(await groups('farnurse'), ['tang_huyet_ap']);
    const far = await person('farnurse', 'PV');
    assert.ok(!JSON.stringify(far.body).includes('Lao phổi'), 'no trace of it, not even a count');
  });

  it('health officers read control rates and completeness per commune, for their area only', async () => {
    const r = await call(staff.officer!.cookie, 'GET', '/api/v1/primary-care/stats?unit=528');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const c = (r.body.communes as Json[]).find((x) => x.commune === COMMUNE)!;
    assert.equal(c.name, 'thị trấn La Hà');
    assert.equal(c.residents, 5);
    assert.ok(c.with_record >= 3);
    assert.equal(c.complete, 1, 'PA has every required section; PW lacks risk factors etc.');
    const htn = c.registers.hypertension;
    assert.deepEqual([htn.active, htn.cohort, htn.controlled, htn.control_rate, htn.proposed], [2, 2, 1, 0.5, 1]);
    assert.equal(r.body.total.registers.hypertension.control_rate, 0.5);
    assert.equal((await call(staff.officer!.cookie, 'GET', '/api/v1/primary-care/stats?unit=529')).status, 403);
    assert.equal((await call(staff.officer2!.cookie, 'GET', '/api/v1/primary-care/stats?unit=529')).status, 200);
    const head = await call(staff.head!.cookie, 'GET', '/api/v1/primary-care/stats');
    assert.equal(head.status, 200);
    assert.deepEqual((head.body.communes as Json[]).map((x) => x.commune), [COMMUNE]);
    assert.equal((await call(staff.head!.cookie, 'GET', '/api/v1/primary-care/stats?unit=528')).status, 403);
    assert.equal((await call(staff.nurse!.cookie, 'GET', '/api/v1/primary-care/stats')).status, 403);
    assert.equal(JSON.stringify(r.body).includes('Nguyễn Văn An'), false, 'aggregates only');
  });

  it('the health-department report carries the control rate of each commune, and it moves with a follow-up', async () => {
    const rates = async () => {
      const r = await call(staff.officer!.cookie, 'GET', '/api/v1/reports/kpis?unit=528');
      assert.equal(r.status, 200, JSON.stringify(r.body));
      return new Map((r.body.chronic_care.units as Json[]).map((u) => [u.unit, u.hypertension.control_rate]));
    };
    assert.deepEqual([...(await rates())], [['528', 0.5], [COMMUNE, 0.5]]);
    assert.equal((await one('nurse', followUp('PS', 'hypertension', TODAY, { sbp: 128, dbp: 78 }))).outcome.control, 'controlled');
    assert.deepEqual([...(await rates())], [['528', 1], [COMMUNE, 1]]);
  });

  it('a station clinician closes an active enrolment with a reason and a day: audited, off the lists, kept with its follow-ups, enrolable again', async () => {
    const regs = async () => (await person('nurse', 'PS')).body.registers as Json[];
    const enrolment = (await regs()).find((r) => r.register === 'hypertension' && r.status === 'active')!;
    const url = `/api/v1/primary-care/enrolments/${enrolment.id}/close`;
    const close = (who: string, body: object) => call(staff[who]!.cookie, 'POST', url, body);
    assert.equal((await close('nurse', { reason: 'moved_away', closedOn: TODAY })).status, 403, 'a nurse does not end an enrolment');
    assert.equal((await call(staff.farnurse!.cookie, 'POST', url, { reason: 'moved_away', closedOn: TODAY })).status, 403);
    const other = await close('doctor', { reason: 'other', closedOn: TODAY });
    assert.equal(other.status, 400);
    assert.equal(other.body.code, 'NOTE_REQUIRED', JSON.stringify(other.body));
    assert.match(JSON.stringify(other.body), /cần ghi rõ/);
    assert.equal((await close('doctor', { reason: 'moved_away', closedOn: addDays(TODAY, 1) })).status, 400, 'not in the future');
    assert.equal((await close('doctor', { reason: 'moved_away', closedOn: addDays(TODAY, -400) })).status, 400, 'not before the enrolment');
    assert.equal((await close('doctor', { reason: 'gone', closedOn: TODAY })).status, 400, 'the reason is one of the list');

    const done = await close('doctor', { reason: 'moved_away', closedOn: TODAY, note: 'Chuyển vào TP Hồ Chí Minh' });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.deepEqual(done.body, { id: enrolment.id, status: 'closed', closed_on: TODAY, close_reason: 'moved_away' });
    assert.equal((await close('doctor', { reason: 'moved_away', closedOn: TODAY })).body.code, 'ENROLMENT_NOT_ACTIVE');
    const logged = await audits('primary_care.enrolment.close', 'PS');
    assert.equal(logged.length, 1);
    assert.equal(logged[0]!.actor_id, staff.doctor!.id);
    assert.deepEqual(logged[0]!.detail, { register: 'hypertension', reason: 'moved_away', closed_on: TODAY });

    const after = (await regs()).find((r) => r.id === enrolment.id)!;
    assert.deepEqual([after.status, after.close_reason, after.closed_on, after.close_note], ['closed', 'moved_away', TODAY, 'Chuyển vào TP Hồ Chí Minh']);
    assert.ok(after.follow_ups.length >= 2, 'the follow-ups stay with the closed enrolment');
    const active = await call(staff.nurse!.cookie, 'GET', '/api/v1/primary-care/registers/hypertension?list=active');
    assert.deepEqual((active.body.rows as Json[]).map((x) => x.person_id), ['PA']);
    const form = await call(staff.nurse!.cookie, 'GET', '/api/v1/primary-care/form');
    assert.ok((form.body.close_reasons as Json[]).some((r) => r.key === 'moved_away' && r.label_vi === 'Chuyển đi nơi khác'));
    // Back in the commune: a new enrolment starts a new row, the closed one stays.
    assert.equal((await one('doctor', { entryId: randomUUID(), kind: 'enrolment', personId: 'PS', recordedAt: at(), enrolment: { register: 'hypertension', icd10: 'I10', enrolledOn: TODAY } })).status, 'applied');
    assert.deepEqual((await regs()).filter((r) => r.register === 'hypertension').map((r) => r.status), ['closed', 'active']);
  });
});
