import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { login, staffSession, TEST_PASSWORD } from '../../test-support/staff.ts';
import { createFacility } from '../facility/index.ts';
import { createStaff } from './accounts.ts';
import { staffById, stationCommune } from './guard.ts';
import { STATION_ROLES, staffDb } from './tables.ts';
import { totpCode } from './totp.ts';

describe(`staff accounts and login (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;

  before(async () => {
    ({ app, db, close } = await startTestApp());
    await createFacility(db.db, { code: '51001', name: 'Bệnh viện A' });
    await createFacility(db.db, { code: '51002', name: 'Bệnh viện B' });
  });
  after(async () => close());

  it('logs in with a password, sets a staff cookie distinct from the citizen one, and logs out', async () => {
    const { cookie } = await staffSession(app, db.db, { username: 'bs.an', fullName: 'BS. An', role: 'clinician', facilityCode: '51001' });
    assert.match(cookie, /^hssk_staff=/);
    const me = await app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: { cookie } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().role, 'clinician');
    assert.equal(me.json().facility.code, '51001');
    const citizen = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: cookie.replace('hssk_staff', 'hssk_sid') } });
    assert.equal(citizen.statusCode, 401, 'a staff session is not a citizen session');
    await app.inject({ method: 'POST', url: '/api/v1/staff/logout', headers: { cookie } });
    const gone = await app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: { cookie } });
    assert.equal(gone.statusCode, 401);
    assert.equal(gone.headers['content-type'], 'application/problem+json; charset=utf-8');
  });

  it('locks the account for 15 minutes after 5 failures (answering as for a wrong password)', async () => {
    await createStaff(db.db, { username: 'le.tan', fullName: 'Lễ tân', role: 'receptionist', facilityCode: '51001', password: TEST_PASSWORD });
    for (let i = 0; i < 5; i++) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username: 'le.tan', password: 'wrong-pass1' } });
      assert.equal(r.statusCode, 401);
      assert.equal(r.json().code, 'INVALID_LOGIN');
    }
    const locked = await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username: 'le.tan', password: TEST_PASSWORD } });
    // A locked account is not revealed: the answer is the one for a wrong password.
    assert.equal(locked.statusCode, 401);
    assert.equal(locked.json().code, 'INVALID_LOGIN');
    const row = await staffDb(db.db).selectFrom('staff_account').select('locked_until').where('username', '=', 'le.tan').executeTakeFirstOrThrow();
    const minutes = (row.locked_until!.getTime() - Date.now()) / 60_000;
    assert.ok(minutes > 14 && minutes <= 15, `locked for ${minutes} min`);
  });

  it('enrols TOTP and then requires a fresh code', async () => {
    const { cookie } = await staffSession(app, db.db, { username: 'qt.coso', fullName: 'Quản trị', role: 'facility_admin', facilityCode: '51001' });
    const en = await app.inject({ method: 'POST', url: '/api/v1/staff/me/totp', headers: { cookie } });
    assert.equal(en.statusCode, 200);
    const { secret, otpauth_uri } = en.json() as { secret: string; otpauth_uri: string };
    assert.match(otpauth_uri, /^otpauth:\/\/totp\/OpenHSSK%3Aqt\.coso\?secret=/);
    const ok = await app.inject({ method: 'POST', url: '/api/v1/staff/me/totp/confirm', headers: { cookie }, payload: { code: totpCode(secret) } });
    assert.equal(ok.statusCode, 200);
    const need = await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username: 'qt.coso', password: TEST_PASSWORD } });
    assert.equal(need.json().code, 'TOTP_REQUIRED');
    // The confirming code was consumed; the next window's code logs in.
    const next = totpCode(secret, Date.now() + 30_000);
    await login(app, 'qt.coso', TEST_PASSWORD, next);
    const replay = await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username: 'qt.coso', password: TEST_PASSWORD, totp: next } });
    assert.equal(replay.json().code, 'TOTP_INVALID');
  });

  it('admin reset forces a password change before anything else', async () => {
    const admin = await staffSession(app, db.db, { username: 'root', fullName: 'Quản trị hệ thống', role: 'system_admin' });
    const created = await app.inject({ method: 'POST', url: '/api/v1/staff/accounts', headers: { cookie: admin.cookie }, payload: { username: 'bs.binh', full_name: 'BS. Bình', role: 'clinician', facility_code: '51002' } });
    assert.equal(created.statusCode, 201, created.body);
    const { id, one_time_password } = created.json() as { id: string; one_time_password: string };
    const reset = await app.inject({ method: 'POST', url: `/api/v1/staff/accounts/${id}/reset-password`, headers: { cookie: admin.cookie } });
    const pw = reset.json().one_time_password as string;
    assert.notEqual(pw, one_time_password);
    const cookie = await login(app, 'bs.binh', pw);
    const blocked = await app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', headers: { cookie }, payload: { method: 'typed', value: '051090001234' } });
    assert.equal(blocked.statusCode, 403);
    assert.equal(blocked.json().code, 'PASSWORD_CHANGE_REQUIRED');
    const weak = await app.inject({ method: 'POST', url: '/api/v1/staff/me/password', headers: { cookie }, payload: { current: pw, next: 'short' } });
    assert.equal(weak.json().code, 'WEAK_PASSWORD');
    const changed = await app.inject({ method: 'POST', url: '/api/v1/staff/me/password', headers: { cookie }, payload: { current: pw, next: 'new-Passw0rd-1' } });
    assert.equal(changed.statusCode, 200);
    const me = await app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: { cookie } });
    assert.equal(me.json().must_change_password, false);
  });

  it('a facility admin manages only clinicians and receptionists of their own facility', async () => {
    const fa = await staffSession(app, db.db, { username: 'qt.b', fullName: 'Quản trị B', role: 'facility_admin', facilityCode: '51002' });
    const other = await app.inject({ method: 'POST', url: '/api/v1/staff/accounts', headers: { cookie: fa.cookie }, payload: { username: 'x.other', full_name: 'X', role: 'clinician', facility_code: '51001' } });
    assert.equal(other.statusCode, 403);
    const raise = await app.inject({ method: 'POST', url: '/api/v1/staff/accounts', headers: { cookie: fa.cookie }, payload: { username: 'x.admin', full_name: 'X', role: 'facility_admin', facility_code: '51002' } });
    assert.equal(raise.statusCode, 403);
    const ok = await app.inject({ method: 'POST', url: '/api/v1/staff/accounts', headers: { cookie: fa.cookie }, payload: { username: 'x.letan', full_name: 'X', role: 'receptionist', facility_code: '51002' } });
    assert.equal(ok.statusCode, 201);
    const list = await app.inject({ method: 'GET', url: '/api/v1/staff/accounts', headers: { cookie: fa.cookie } });
    assert.ok((list.json().accounts as Array<{ facility_code: string }>).every((a) => a.facility_code === '51002'));
  });

  it('the account list is searched (any word order, with or without diacritics) and paged; admin units are found by name or code', async () => {
    const root = await staffSession(app, db.db, { username: 'qt.trang', fullName: 'Quản trị Trang', role: 'system_admin' });
    for (let i = 0; i < 5; i++) await createStaff(db.db, { username: `ds.phan${i}`, fullName: `Phạm Thị Hương ${i}`, role: 'receptionist', facilityCode: '51002' });
    const list = async (qs: string) => {
      const r = await app.inject({ method: 'GET', url: `/api/v1/staff/accounts${qs}`, headers: { cookie: root.cookie } });
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as { accounts: Array<{ username: string }>; total: number; matched: number; page: number; per_page: number };
    };
    const p1 = await list('?q=huong%20pham&per_page=2');
    assert.equal(p1.matched, 5);
    assert.deepEqual(p1.accounts.map((a) => a.username), ['ds.phan0', 'ds.phan1']);
    const p3 = await list('?q=H%C6%B0%C6%A1ng%20ti%E1%BA%BFp%20%C4%91%C3%B3n&per_page=2&page=3');
    assert.deepEqual(p3.accounts.map((a) => a.username), ['ds.phan4'], 'role words in Vietnamese match too');
    const all = await list('');
    assert.ok(all.total >= 6 && all.accounts.length <= 20 && all.per_page === 20);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/staff/accounts?per_page=1000', headers: { cookie: root.cookie } })).statusCode, 400);

    await db.db.insertInto('admin_unit').values([
      { code: '52', level: 'province', name: 'Tỉnh Quảng Ngãi Thử', parent_code: null, valid_from: null, valid_to: null },
      { code: '520', level: 'district', name: 'Huyện Tư Nghĩa Thử', parent_code: '52', valid_from: null, valid_to: null },
      { code: '21999', level: 'commune', name: 'Xã Nghĩa Sơn Thử', parent_code: '520', valid_from: null, valid_to: null },
      { code: '21998', level: 'commune', name: 'Xã Nghĩa Sơn Cũ', parent_code: '520', valid_from: null, valid_to: '2020-01-01' },
      { code: '21997', level: 'commune', name: 'Thị trấn Sông Vệ Thử', parent_code: '520', valid_from: null, valid_to: null },
    ]).execute();
    const units = async (q: string, cookie = root.cookie) => app.inject({ method: 'GET', url: `/api/v1/staff/admin-units?q=${encodeURIComponent(q)}`, headers: { cookie } });
    const byName = (await units('son nghia')).json() as { units: Array<{ code: string; parent_name: string | null }> };
    // Without diacritics, any order; the unit named so comes before one that only shares word starts
    // ("Sông Vệ" in "Tư Nghĩa"); a unit that ended is not offered.
    assert.deepEqual(byName.units.map((u) => u.code), ['21999', '21997']);
    assert.equal(byName.units[0]!.parent_name, 'Huyện Tư Nghĩa Thử');
    assert.deepEqual(((await units('Tư Nghĩa')).json() as { units: Array<{ code: string }> }).units.map((u) => u.code), ['520', '21999', '21997']);
    assert.deepEqual(((await units('5')).json() as { units: Array<{ code: string }> }).units.map((u) => u.code).slice(0, 3), ['52', '520']);
    const clerk = await staffSession(app, db.db, { username: 'lt.units', fullName: 'X', role: 'receptionist', facilityCode: '51001' });
    assert.equal((await units('nghia', clerk.cookie)).statusCode, 403);
  });

  it('refuses accounts whose scope does not fit the role', async () => {
    await assert.rejects(createStaff(db.db, { username: 'no.fac', fullName: 'X', role: 'clinician' }), { code: 'FACILITY_SCOPE' });
    await assert.rejects(createStaff(db.db, { username: 'no.unit', fullName: 'X', role: 'health_officer' }), { code: 'UNIT_SCOPE' });
    await assert.rejects(createStaff(db.db, { username: 'bad.fac', fullName: 'X', role: 'clinician', facilityCode: '99999' }), { code: 'FACILITY_UNKNOWN' });
  });

  it('station roles belong to a station of one commune, which becomes their area; its admin grants them', async () => {
    await db.db.insertInto('admin_unit').values([
      { code: '51', level: 'province', name: 'Tỉnh T', parent_code: null, valid_from: null, valid_to: null },
      { code: '510', level: 'district', name: 'Huyện H', parent_code: '51', valid_from: null, valid_to: null },
      { code: '21556', level: 'commune', name: 'Xã Nghĩa Kỳ', parent_code: '510', valid_from: null, valid_to: null },
    ]).execute();
    await createFacility(db.db, { code: '51242', name: 'Trạm Y tế xã Nghĩa Kỳ', level: 'xã', adminUnitCode: '21556' });
    await createFacility(db.db, { code: '51040', name: 'Trung tâm Y tế huyện', level: 'huyện', adminUnitCode: '510' });
    await assert.rejects(
      createStaff(db.db, { username: 'dd.huyen', fullName: 'X', role: 'station_nurse', facilityCode: '51040' }),
      { code: 'STATION_SCOPE' },
      'a district centre is not a commune station',
    );
    await assert.rejects(createStaff(db.db, { username: 'dd.none', fullName: 'X', role: 'station_nurse' }), { code: 'FACILITY_SCOPE' });
    // A private clinic registered in the commune it stands in is not the commune's station.
    await createFacility(db.db, { code: '51601', name: 'Phòng khám Đa khoa An Phước', level: 'tư nhân', adminUnitCode: '21556' });
    const clinicAdmin = await staffSession(app, db.db, { username: 'qt.pk', fullName: 'Quản trị phòng khám', role: 'facility_admin', facilityCode: '51601' });
    const minted = await app.inject({
      method: 'POST', url: '/api/v1/staff/accounts', headers: { cookie: clinicAdmin.cookie },
      payload: { username: 'pk.nurse', full_name: 'X', role: 'station_nurse', facility_code: '51601' },
    });
    assert.equal(minted.statusCode, 400, 'a clinic admin cannot mint accounts whose area is the whole commune');
    assert.equal(minted.json().code, 'STATION_SCOPE');
    const head = await staffSession(app, db.db, { username: 'tt.ky', fullName: 'Trạm trưởng', role: 'facility_admin', facilityCode: '51242' });
    for (const role of STATION_ROLES) {
      const r = await app.inject({
        method: 'POST', url: '/api/v1/staff/accounts', headers: { cookie: head.cookie },
        payload: { username: `x.${role.replace(/_/g, '-')}`, full_name: 'Nhân viên trạm', role, facility_code: '51242' },
      });
      assert.equal(r.statusCode, 201, role);
    }
    const nurse = await staffDb(db.db).selectFrom('staff_account').select('id').where('username', '=', 'x.station-nurse').executeTakeFirstOrThrow();
    const ctx = await staffById(db.db, nurse.id);
    assert.ok(ctx);
    assert.equal(await stationCommune(db.db, ctx), '21556');
    // Moved to a district unit, the station gives its staff no area rather than the whole district.
    await db.db.updateTable('facility').set({ admin_unit_code: '510' }).where('code', '=', '51242').execute();
    assert.equal(await stationCommune(db.db, ctx), undefined);
    await db.db.updateTable('facility').set({ admin_unit_code: '21556' }).where('code', '=', '51242').execute();
    const clinician = await staffDb(db.db).selectFrom('staff_account').select('id').where('username', '=', 'bs.an').executeTakeFirstOrThrow();
    assert.equal(await stationCommune(db.db, (await staffById(db.db, clinician.id))!), undefined, 'a hospital clinician has no commune');
  });
});
