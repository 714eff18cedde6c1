import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { vietnamNow } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { insertEpisode, staffSession } from '../../test-support/staff.ts';
import { createFacility } from '../facility/index.ts';
import { upsertPersons } from '../person/index.ts';

// Clinician access is limited to current care (issue 13). Defaults of loadConfig: a care relationship
// lasts 30 days, cross-facility history needs an arrival within 24 hours, more than 3 break-glass
// grants in 24 hours alert the facility admin.

const X = '52001';
const Y = '52002';
const hoursAgo = (h: number) => vietnamNow(new Date(Date.now() - h * 3600_000));
const daysAgo = (d: number) => hoursAgo(d * 24);

type Summary = {
  access: { basis: string; cross_facility: boolean };
  recent_episodes: Array<{ id: number; facility_code: string; ma_benh_chinh: string }>;
  chronic_conditions: Array<{ code: string }>;
  other_facility_episodes_hidden: number;
};

describe(`clinician access is limited to current care (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let reception: string;
  let doctor: string;
  let adminX: string;
  let adminY: string;
  const citizens: Record<string, string> = {};

  const summary = (personId: string, cookie = doctor) => app.inject({ method: 'GET', url: `/api/v1/clinic/patients/${personId}/summary`, headers: { cookie } });
  const crossFacility = (who: string, given: boolean) =>
    app.inject({ method: 'PUT', url: '/api/v1/me/consent/cross-facility', headers: { cookie: citizens[who]! }, payload: { given } });
  const checkin = (method: string, value: string) => app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie: reception }, payload: { method, value } });

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await createFacility(db.db, { code: X, name: 'Bệnh viện X' });
    await createFacility(db.db, { code: Y, name: 'Bệnh viện Y' });
    await upsertPersons(db.db, [
      { id: 'CA', ho_ten: 'Người bệnh đang khám', so_cccd: '051080010001' },
      { id: 'CB', ho_ten: 'Người bệnh cũ', so_cccd: '051080010002' },
      { id: 'CC', ho_ten: 'Người bệnh khám 3 ngày trước', so_cccd: '051080010003' },
      { id: 'CD', ho_ten: 'Người bệnh chuyển tuyến', so_cccd: '051080010004' },
      { id: 'CE', ho_ten: 'Người bệnh tiếp đón', so_cccd: '051080010005' },
    ]);
    // CA: history at Y (one episode sensitive), checked in at X today (below).
    await insertEpisode(db.db, { facility: Y, personId: 'CA', ngayVao: daysAgo(10), benh: 'E11.9' });
    await insertEpisode(db.db, { facility: Y, personId: 'CA', ngayVao: daysAgo(5), benh: 'F20.0', sensitivity: ['mental'] });
    // CB: treated at X long ago, nothing current.
    await insertEpisode(db.db, { facility: X, personId: 'CB', ngayVao: daysAgo(400), benh: 'I10' });
    // CC: an outpatient visit at X three days ago, history at Y.
    await insertEpisode(db.db, { facility: X, personId: 'CC', ngayVao: daysAgo(3), benh: 'J06.9' });
    await insertEpisode(db.db, { facility: Y, personId: 'CC', ngayVao: daysAgo(20), benh: 'E11.9' });
    // CD: referred from Y to X two hours ago.
    await insertEpisode(db.db, { facility: Y, personId: 'CD', ngayVao: hoursAgo(6), ngayRa: hoursAgo(2), benh: 'K35.8', rows: { XML13: [{ MA_NOI_DEN: X, CHAN_DOAN_RV: 'Viêm ruột thừa' }] } });
    reception = (await staffSession(app, db.db, { username: 'letan.x', fullName: 'Lễ tân X', role: 'receptionist', facilityCode: X })).cookie;
    doctor = (await staffSession(app, db.db, { username: 'bacsi.x', fullName: 'BS. X', role: 'clinician', facilityCode: X })).cookie;
    adminX = (await staffSession(app, db.db, { username: 'quantri.x', fullName: 'Quản trị X', role: 'facility_admin', facilityCode: X })).cookie;
    adminY = (await staffSession(app, db.db, { username: 'quantri.y', fullName: 'Quản trị Y', role: 'facility_admin', facilityCode: Y })).cookie;
    for (const [who, cccd] of [
      ['CA', '051080010001'],
      ['CC', '051080010003'],
      ['CD', '051080010004'],
    ] as const) {
      citizens[who] = await citizenCookie(db, cccd, who, true);
      assert.equal((await crossFacility(who, true)).statusCode, 200);
    }
    assert.equal((await checkin('typed', '051080010001')).statusCode, 201);
  });
  after(async () => close());

  it('with the cross-facility choice and a check-in today, other facilities show — never their sensitive episodes, nor a count of them', async () => {
    const r = await summary('CA');
    assert.equal(r.statusCode, 200, r.body);
    const s = r.json<Summary>();
    assert.equal(s.access.basis, 'consent');
    assert.deepEqual(s.recent_episodes.map((e) => e.ma_benh_chinh), ['E11.9']);
    assert.doesNotMatch(r.body, /F20/);
    assert.equal(s.other_facility_episodes_hidden, 0);
  });

  it('cross-facility choice withdrawn: a facility with a current visit sees only its own data, and the hidden count leaves out sensitive episodes', async () => {
    assert.equal((await crossFacility('CA', false)).statusCode, 200);
    const r = await summary('CA');
    assert.equal(r.statusCode, 200, r.body);
    const s = r.json<Summary>();
    assert.equal(s.access.basis, 'own_facility');
    assert.equal(s.access.cross_facility, false);
    assert.deepEqual(s.recent_episodes, []);
    assert.deepEqual(s.chronic_conditions, []);
    assert.doesNotMatch(r.body, /E11\.9|F20/);
    assert.equal(s.other_facility_episodes_hidden, 1, 'the sensitive episode at Y is not counted');
    assert.equal((await crossFacility('CA', true)).statusCode, 200);
  });

  it('an episode at the facility older than the care window, with no current visit, is no care relationship (403)', async () => {
    const r = await summary('CB');
    assert.equal(r.statusCode, 403, r.body);
    assert.equal(r.json().code, 'NO_CARE_RELATIONSHIP');
    assert.doesNotMatch(r.body, /I10/);
    // An unknown id answers the same: sequential ids cannot be walked to learn who exists.
    const unknown = await summary('NO-SUCH-PERSON');
    assert.equal(unknown.statusCode, 403);
    assert.equal(unknown.json().code, 'NO_CARE_RELATIONSHIP');
  });

  it('the cross-facility choice without an arrival in the last 24 hours shows no other facility', async () => {
    const r = await summary('CC');
    assert.equal(r.statusCode, 200, r.body);
    const s = r.json<Summary>();
    assert.equal(s.access.basis, 'own_facility', 'the visit 3 days ago is current care, not a fresh arrival');
    assert.equal(s.access.cross_facility, false);
    assert.deepEqual(s.recent_episodes.map((e) => e.facility_code), [X]);
    assert.doesNotMatch(r.body, /E11\.9/);
  });

  it('a referral to the facility within 24 hours, with the choice given, opens other facilities', async () => {
    const s = (await summary('CD')).json<Summary>();
    assert.equal(s.access.basis, 'consent');
    assert.deepEqual(s.recent_episodes.map((e) => e.facility_code), [Y]);
  });

  it('break-glass beyond the threshold in 24 hours alerts the facility admin, and only that facility’s', async () => {
    const bg = (personId: string) =>
      app.inject({ method: 'POST', url: `/api/v1/clinic/patients/${personId}/break-glass`, headers: { cookie: doctor }, payload: { reason: 'Cấp cứu, cần tiền sử dùng thuốc' } });
    const alerts = (cookie: string, facility?: string) =>
      app.inject({ method: 'GET', url: `/api/v1/clinic/break-glass-alerts${facility ? `?facility=${facility}` : ''}`, headers: { cookie } });
    for (const p of ['CB', 'CB', 'CB']) assert.equal((await bg(p)).statusCode, 201);
    assert.deepEqual((await alerts(adminX)).json().alerts, [], 'three grants are within the threshold');
    assert.equal((await bg('CB')).statusCode, 201);
    const r = await alerts(adminX);
    assert.equal(r.statusCode, 200, r.body);
    const list = r.json().alerts as Array<{ username: string; grants: number; grant_list: Array<{ person_id: string; reason: string }> }>;
    assert.equal(list.length, 1);
    assert.equal(list[0]!.username, 'bacsi.x');
    assert.equal(list[0]!.grants, 4);
    assert.equal(list[0]!.grant_list.length, 4);
    assert.equal((await bg('CB')).statusCode, 201);
    const again = (await alerts(adminX)).json().alerts as Array<{ grants: number }>;
    assert.deepEqual(again.map((a) => a.grants), [5], 'the same burst updates its alert');
    const audited = await db.db.selectFrom('audit_event').select('action').where('action', '=', 'clinic.break_glass.alert').execute();
    assert.equal(audited.length, 2);
    assert.equal((await alerts(adminY, X)).statusCode, 403, 'another facility’s admin cannot read them');
    assert.deepEqual((await alerts(adminY)).json().alerts, []);
    assert.equal((await alerts(doctor)).statusCode, 403, 'clinicians do not read alerts');
  });

  it('a typed CCCD with the VNeID QR or chip box ticked is not recorded as a VNeID or chip check-in', async () => {
    const method = async (personId: string) =>
      (await db.db.selectFrom('visit').select('id_method').where('person_id', '=', personId).where('facility_code', '=', X).orderBy('id', 'desc').executeTakeFirstOrThrow()).id_method;
    const typedVneid = await checkin('vneid_qr', '051080010005');
    assert.equal(typedVneid.statusCode, 201, typedVneid.body);
    assert.equal(typedVneid.json().visit.id_method, 'typed');
    assert.equal(await method('CE'), 'typed');
    await db.db.updateTable('visit').set({ status: 'closed' }).where('person_id', '=', 'CE').execute();
    assert.equal((await checkin('chip_cccd', '051 080 010 005')).json().visit.id_method, 'typed');
    assert.equal(await method('CE'), 'typed');
    await db.db.updateTable('visit').set({ status: 'closed' }).where('person_id', '=', 'CE').execute();
    // A short fake "payload" is not a read QR either.
    assert.equal((await checkin('vneid_qr', '051080010005|||')).json().visit.id_method, 'typed');
    await db.db.updateTable('visit').set({ status: 'closed' }).where('person_id', '=', 'CE').execute();
    const scanned = await checkin('vneid_qr', '051080010005|212345678|Người bệnh tiếp đón|01011980|Nam|Tư Nghĩa, Quảng Ngãi|15062021');
    assert.equal(scanned.json().visit.id_method, 'vneid_qr', 'a QR payload actually read is recorded as VNeID');
    assert.equal(await method('CE'), 'vneid_qr');
  });

  it('an unsigned XML0 check-in (a bearer token alone) opens no clinician access; a front-desk or signed one does', async () => {
    await upsertPersons(db.db, [{ id: 'CX', ho_ten: 'Người bệnh báo qua XML0', so_cccd: '051080010009' }]);
    const visit = (signed: boolean, method: string) =>
      db.db
        .insertInto('visit')
        .values({
          facility_code: X, ma_lk: `XML0-${method}-${signed}`, person_id: 'CX', patient_source_id: `${X}:BNX`, ho_ten: 'Người bệnh báo qua XML0',
          so_cccd: '051080010009', ma_the_bhyt: null, ma_loai_kcb: '03', ngay_vao: hoursAgo(1), id_method: method, status: 'open',
          checkin: JSON.stringify({}), signature_verified: signed,
        })
        .execute();
    await visit(false, 'xml0');
    assert.equal((await summary('CX')).statusCode, 403, 'unsigned XML0');
    await visit(true, 'xml0');
    assert.equal((await summary('CX')).statusCode, 200, 'signed XML0');
  });

});
