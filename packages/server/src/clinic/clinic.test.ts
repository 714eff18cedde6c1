import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vietnamNow } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { insertEpisode, staffSession } from '../../test-support/staff.ts';
import { createFacility } from '../facility/index.ts';
import { upsertPersons } from '../person/index.ts';

const X = '51001';
const Y = '51002';
const daysAgo = (n: number) => vietnamNow(new Date(Date.now() - n * 86400_000));
const compactDay = (n: number) => daysAgo(n).slice(0, 10).replace(/-/g, '');

describe(`clinic check-in, summary and break-glass (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let reception: string;
  let doctor: string;
  let doctorY: string;

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await createFacility(db.db, { code: X, name: 'Bệnh viện X' });
    await createFacility(db.db, { code: Y, name: 'Bệnh viện Y' });
    await upsertPersons(db.db, [
      { id: 'P1', ho_ten: 'Nguyễn Văn An', ngay_sinh: '1980-02-03', gioi_tinh: 1, so_cccd: '051080001111', so_bhyt: 'DN4515101234567', bhxh: '5101234567', bhyt_valid_to: '2099-12-31', bhyt_facility_code: X },
      { id: 'P2', ho_ten: 'Trần Thị Bình', so_cccd: '051180002222' },
      { id: 'P3', ho_ten: 'Lê Văn Cường', so_cccd: '051085003333' },
    ]);
    // P1: an episode at X, and others at Y (one sensitive). P2: only at Y. P3: referred from Y to X.
    await insertEpisode(db.db, { facility: X, personId: 'P1', ngayVao: daysAgo(400), benh: 'I10' });
    await insertEpisode(db.db, {
      facility: Y,
      personId: 'P1',
      ngayVao: daysAgo(10),
      benh: 'E11.9',
      benhKt: 'J06.9',
      rows: { XML2: [{ TEN_THUOC: 'Metformin 500mg', NGAY_YL: `${compactDay(10)}0800`, LIEU_DUNG: '1 viên x 2 lần/ngày' }], XML14: [{ NGAY_HEN_KL: compactDay(-7) }] },
    });
    await insertEpisode(db.db, { facility: Y, personId: 'P1', ngayVao: daysAgo(20), benh: 'F32.1', sensitivity: ['mental'] });
    await insertEpisode(db.db, { facility: Y, personId: 'P2', ngayVao: daysAgo(5), benh: 'J18.9' });
    await insertEpisode(db.db, { facility: Y, personId: 'P3', ngayVao: daysAgo(2), benh: 'K35.8', rows: { XML13: [{ MA_NOI_DEN: X, SO_CHUYENTUYEN: 'CT-01', CHAN_DOAN_RV: 'Viêm ruột thừa' }] } });
    reception = (await staffSession(app, db.db, { username: 'letan', fullName: 'Lễ tân', role: 'receptionist', facilityCode: X })).cookie;
    doctor = (await staffSession(app, db.db, { username: 'bacsi', fullName: 'BS. Minh', role: 'clinician', facilityCode: X })).cookie;
    doctorY = (await staffSession(app, db.db, { username: 'bacsi.y', fullName: 'BS. Y', role: 'clinician', facilityCode: Y })).cookie;
  });
  after(async () => close());

  const summary = (personId: string, cookie = doctor) => app.inject({ method: 'GET', url: `/api/v1/clinic/patients/${personId}/summary`, headers: { cookie } });

  it('checks in by CCCD, BHYT card and QR, opens one visit per day and records the method actually used', async () => {
    const byCccd = await app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie: reception }, payload: { method: 'chip_cccd', value: '051080001111' } });
    assert.equal(byCccd.statusCode, 201, byCccd.body);
    const body = byCccd.json();
    assert.equal(body.patient.person_id, 'P1');
    assert.equal(body.patient.ho_ten, 'Nguyễn Văn An');
    assert.equal(body.patient.bhyt_status, 'valid');
    assert.equal(body.patient.bhyt_facility_name, 'Bệnh viện X');
    assert.equal(body.visit.id_method, 'typed', 'a typed number with the chip box ticked is recorded as typed');
    assert.equal(body.visit.method_changed.requested, 'chip_cccd');
    const byCard = await app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie: reception }, payload: { method: 'bhyt_card', value: 'DN4515101234567' } });
    assert.equal(byCard.statusCode, 200, 'same day: the open visit is returned');
    assert.equal(byCard.json().visit.id, body.visit.id);
    const byQr = await app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie: reception }, payload: { method: 'vneid_qr', value: '051180002222|123456789|Trần Thị Bình|01011980|Nữ|Tư Nghĩa|01012022' } });
    assert.equal(byQr.statusCode, 201);
    const v = await db.db.selectFrom('visit').select(['id_method', 'status', 'facility_code']).where('person_id', '=', 'P2').executeTakeFirstOrThrow();
    assert.deepEqual(v, { id_method: 'vneid_qr', status: 'open', facility_code: X });
    const audited = await db.db.selectFrom('audit_event').select(['actor_type', 'action', 'facility_code']).where('person_id', '=', 'P1').where('action', '=', 'clinic.checkin').execute();
    assert.equal(audited.length, 2);
    assert.equal(audited[0]!.actor_type, 'staff');
    const missing = await app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie: reception }, payload: { method: 'typed', value: '051099009999' } });
    assert.equal(missing.statusCode, 404);
    const stats = await app.inject({ method: 'GET', url: '/api/v1/clinic/checkin-stats', headers: { cookie: reception } });
    assert.equal(stats.json().total, 2);
  });

  it('the facility’s episode for the same person and day closes the front-desk visit', async () => {
    await insertEpisode(db.db, { facility: X, personId: 'P2', ngayVao: vietnamNow() });
    const v = await db.db.selectFrom('visit').select(['status', 'episode_id']).where('person_id', '=', 'P2').executeTakeFirstOrThrow();
    assert.equal(v.status, 'closed');
    assert.ok(v.episode_id);
  });

  it('a receptionist cannot read summaries', async () => {
    assert.equal((await summary('P1', reception)).statusCode, 403);
  });

  it('without consent a clinician sees only their facility’s episodes', async () => {
    await sql`insert into citizen_declaration (person_id, kind, title, detail, declared_by)
      values ('P1', 'allergy', 'Penicillin', 'Nổi mề đay', 'P1')`.execute(db.db);
    const r = await summary('P1');
    assert.equal(r.statusCode, 200, r.body);
    const s = r.json();
    assert.equal(s.access.basis, 'own_facility');
    assert.deepEqual(s.recent_episodes.map((e: { facility_code: string }) => e.facility_code), [X]);
    assert.equal(s.other_facility_episodes_hidden, 1, 'the mental-health episode at Y is not counted');
    assert.deepEqual(s.chronic_conditions.map((c: { code: string }) => c.code), ['I10']);
    assert.equal(s.medicines_90d.length, 0);
    assert.deepEqual(
      s.allergies.map((a: { agent: string; self_declared: boolean }) => [a.agent, a.self_declared]),
      [['Penicillin', true]],
      'self-declared allergies are shown to the treating clinician',
    );
  });

  it('refuses a person with no episode here, no consent and no break-glass (403)', async () => {
    const p2OnlyAtY = await summary('P3', doctorY);
    assert.equal(p2OnlyAtY.statusCode, 200, 'Y treated P3');
    // P2 was closed into an X episode above; use a fresh person known only to Y.
    await upsertPersons(db.db, [{ id: 'P4', ho_ten: 'Phạm Thị Dung', so_cccd: '051190004444' }]);
    await insertEpisode(db.db, { facility: Y, personId: 'P4', ngayVao: daysAgo(3), benh: 'J18.9' });
    const r = await summary('P4');
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().code, 'NO_CARE_RELATIONSHIP');
    assert.equal(r.json().break_glass_available, true);
  });

  it('a referral addressed to this facility is a care relationship', async () => {
    const r = await summary('P3');
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().access.basis, 'referral');
    assert.equal(r.json().incoming_referrals[0].from_facility_code, Y);
    assert.equal(r.json().recent_episodes.length, 0);
  });

  it('with the cross-facility choice shows other facilities but never their sensitive episodes', async () => {
    await db.db.insertInto('citizen_account').values({ subject: '051080001111', person_id: 'P1', consent_at: new Date() }).execute();
    assert.equal((await summary('P1')).json().access.basis, 'own_facility', 'the book consent alone does not open other facilities');
    await sql`update citizen_account set cross_facility_consent_at = now() where subject = '051080001111'`.execute(db.db);
    const s = (await summary('P1')).json();
    assert.equal(s.access.basis, 'consent');
    const codes = s.recent_episodes.map((e: { ma_benh_chinh: string }) => e.ma_benh_chinh);
    assert.deepEqual(codes.sort(), ['E11.9', 'I10']);
    assert.ok(!JSON.stringify(s).includes('F32'), 'mental-health episode of Y hidden');
    assert.deepEqual(s.chronic_conditions.map((c: { code: string }) => c.code).sort(), ['E11.9', 'I10']);
    assert.equal(s.medicines_90d[0].ten_thuoc, 'Metformin 500mg');
    assert.equal(s.pending_appointments.length, 1);
    await db.db.updateTable('citizen_account').set({ consent_withdrawn_at: new Date() }).where('subject', '=', '051080001111').execute();
    assert.equal((await summary('P1')).json().access.basis, 'own_facility', 'withdrawal takes effect at once');
  });

  it('break-glass needs a reason, opens the record for 30 minutes and is audited', async () => {
    const short = await app.inject({ method: 'POST', url: '/api/v1/clinic/patients/P4/break-glass', headers: { cookie: doctor }, payload: { reason: 'cấp cứu' } });
    assert.equal(short.statusCode, 400);
    const bg = await app.inject({ method: 'POST', url: '/api/v1/clinic/patients/P4/break-glass', headers: { cookie: doctor }, payload: { reason: 'Bệnh nhân hôn mê, cần tiền sử dùng thuốc' } });
    assert.equal(bg.statusCode, 201, bg.body);
    const minutes = (Date.parse(bg.json().expires_at) - Date.now()) / 60_000;
    assert.ok(minutes > 29 && minutes <= 30);
    const s = await summary('P4');
    assert.equal(s.statusCode, 200);
    assert.equal(s.json().access.basis, 'break_glass');
    assert.equal(s.json().recent_episodes.length, 1);
    const rows = await db.db.selectFrom('audit_event').select(['action', 'break_glass']).where('person_id', '=', 'P4').where('break_glass', '=', true).execute();
    assert.deepEqual(rows.map((r) => r.action).sort(), ['clinic.break_glass', 'clinic.summary.read']);
    // Another clinician of the same facility does not inherit the grant.
    const other = (await staffSession(app, db.db, { username: 'bacsi2', fullName: 'BS. Hai', role: 'clinician', facilityCode: X })).cookie;
    assert.equal((await summary('P4', other)).statusCode, 403);
  });

  it('a second visit the same day waits for its own episode, not the morning one or another patient’s', async () => {
    const again = await app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie: reception }, payload: { method: 'typed', value: '051180002222' } });
    assert.equal(again.statusCode, 201, 'the morning visit is closed: a new one opens');
    const visitId = again.json().visit.id as number;
    const state = () => db.db.selectFrom('visit').select(['status', 'episode_id']).where('id', '=', visitId).executeTakeFirstOrThrow();
    await upsertPersons(db.db, [{ id: 'P4', ho_ten: 'Phạm Thị Dung', so_cccd: '051190004444' }]);
    await insertEpisode(db.db, { facility: X, personId: 'P4', ngayVao: vietnamNow() });
    assert.deepEqual(await state(), { status: 'open', episode_id: null });
    const afternoon = await insertEpisode(db.db, { facility: X, personId: 'P2', ngayVao: vietnamNow() });
    assert.deepEqual(await state(), { status: 'closed', episode_id: afternoon });
  });
});
