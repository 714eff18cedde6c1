import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { login, staffSession, TEST_PASSWORD } from '../../test-support/staff.ts';
import { type Config, loadConfig } from '../config.ts';
import { createFacility } from '../facility/index.ts';
import { createStaff, LOCKOUT_MINUTES, MAX_FAILED_LOGINS, MAX_FAILED_LOGINS_PER_CLIENT } from './accounts.ts';
import { staffPolicy } from './guard.ts';
import { staffDb } from './tables.ts';
import { totpCode } from './totp.ts';

type Db = TestDatabase;

/** The real app in the given mode (production or development). */
const startApp = (config: Partial<Config>) => startTestApp({ config });

let clientSeq = 0;
/** Each test logs in from its own address, so the per-client counter of one test does not affect another. */
const freshClient = () => `10.13.0.${++clientSeq}`;

const loginAs = (app: FastifyInstance, username: string, password: string, remoteAddress: string, totp?: string) =>
  app.inject({ method: 'POST', url: '/api/v1/staff/login', remoteAddress, payload: { username, password, ...(totp ? { totp } : {}) } });

const cookieOf = (r: { cookies: Array<{ name: string; value: string }> }) => `hssk_staff=${r.cookies.find((c) => c.name === 'hssk_staff')?.value}`;

const auditRows = (db: Db, action: string) =>
  db.db.selectFrom('audit_event').select(['actor_type', 'actor_id', 'action', 'resource', 'detail']).where('action', '=', action).orderBy('id').execute();

describe(`staff authentication safety (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let prod: { app: FastifyInstance; db: Db; close(): Promise<void> };
  let app: FastifyInstance;
  let db: Db;

  before(async () => {
    prod = await startApp({ production: true, totpRequiredRoles: undefined, staffIdleMinutes: 30 });
    ({ app, db } = prod);
    await createFacility(db.db, { code: '51001', name: 'Bệnh viện A' });
    await createFacility(db.db, { code: '51002', name: 'Bệnh viện B' });
  });
  after(async () => prod.close());

  it('production: a clinician without TOTP reaches only the enrolment endpoints until enrolled', async () => {
    const client = freshClient();
    await createStaff(db.db, { username: 'bs.prod', fullName: 'BS. Prod', role: 'clinician', facilityCode: '51001', password: TEST_PASSWORD });
    const r = await loginAs(app, 'bs.prod', TEST_PASSWORD, client);
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().totp_required, true);
    assert.equal(r.json().totp_enabled, false);
    const cookie = cookieOf(r);

    const me = await app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: { cookie } });
    assert.equal(me.statusCode, 200, 'the portal must learn that enrolment is pending');
    for (const [method, url] of [
      ['GET', '/api/v1/clinic/checkin-stats'],
      ['POST', '/api/v1/clinic/checkin'],
      ['GET', '/api/v1/staff/accounts'],
    ] as const) {
      const blocked = await app.inject({ method, url, headers: { cookie }, ...(method === 'POST' ? { payload: { method: 'typed', value: '051090001234' } } : {}) });
      assert.equal(blocked.statusCode, 403, `${method} ${url}`);
      assert.equal(blocked.json().code, 'TOTP_ENROLMENT_REQUIRED', `${method} ${url}`);
    }

    const begin = await app.inject({ method: 'POST', url: '/api/v1/staff/me/totp', headers: { cookie } });
    assert.equal(begin.statusCode, 200);
    const { secret, otpauth_uri, qr } = begin.json() as { secret: string; otpauth_uri: string; qr: string };
    assert.match(otpauth_uri, /^otpauth:\/\/totp\/OpenHSSK%3Abs\.prod\?secret=/);
    assert.match(qr, /^data:image\/svg\+xml;base64,/);
    const wrong = await app.inject({ method: 'POST', url: '/api/v1/staff/me/totp/confirm', headers: { cookie }, payload: { code: '000000' === totpCode(secret) ? '111111' : '000000' } });
    assert.equal(wrong.json().code, 'TOTP_INVALID');
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/clinic/checkin-stats', headers: { cookie } })).statusCode, 403, 'an unconfirmed secret enables nothing');

    const ok = await app.inject({ method: 'POST', url: '/api/v1/staff/me/totp/confirm', headers: { cookie }, payload: { code: totpCode(secret) } });
    assert.equal(ok.statusCode, 200);
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/clinic/checkin-stats', headers: { cookie } })).statusCode, 200);
    // From now on the password alone does not log in.
    const noCode = await loginAs(app, 'bs.prod', TEST_PASSWORD, client);
    assert.equal(noCode.json().code, 'TOTP_REQUIRED');
    assert.equal(noCode.cookies.length, 0);
  });

  it('production: roles outside HSSK_TOTP_REQUIRED_ROLES (receptionist) and development mode need no TOTP', async () => {
    const { cookie } = await staffSession(app, db.db, { username: 'lt.prod', fullName: 'Lễ tân', role: 'receptionist', facilityCode: '51001' });
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/clinic/checkin-stats', headers: { cookie } })).statusCode, 200);
    const dev = await startApp({ production: false, totpRequiredRoles: undefined });
    try {
      await createFacility(dev.db.db, { code: '51001', name: 'Bệnh viện A' });
      const s = await staffSession(dev.app, dev.db.db, { username: 'bs.dev', fullName: 'BS. Dev', role: 'clinician', facilityCode: '51001' });
      const stats = await dev.app.inject({ method: 'GET', url: '/api/v1/clinic/checkin-stats', headers: { cookie: s.cookie } });
      assert.equal(stats.statusCode, 200);
    } finally {
      await dev.close();
    }
  });

  it('turning TOTP off needs the password AND a current code; a session alone cannot re-enrol over it', async () => {
    const s = await staffSession(app, db.db, { username: 'qt.totp', fullName: 'Quản trị', role: 'facility_admin', facilityCode: '51001' }, { totp: true });
    const secret = s.secret!;
    const url = '/api/v1/staff/me/totp/disable';
    const nextCode = () => totpCode(secret, Date.now() + 30_000);
    const enabled = async () =>
      (await staffDb(db.db).selectFrom('staff_account').select('totp_enabled').where('id', '=', s.id).executeTakeFirstOrThrow()).totp_enabled;

    const noCode = await app.inject({ method: 'POST', url, headers: { cookie: s.cookie }, payload: { password: TEST_PASSWORD } });
    assert.equal(noCode.statusCode, 400);
    assert.equal(noCode.json().code, 'VALIDATION_FAILED');
    const wrongCode = await app.inject({ method: 'POST', url, headers: { cookie: s.cookie }, payload: { password: TEST_PASSWORD, code: nextCode() === '000000' ? '111111' : '000000' } });
    assert.equal(wrongCode.json().code, 'TOTP_DISABLE_REFUSED');
    const wrongPassword = await app.inject({ method: 'POST', url, headers: { cookie: s.cookie }, payload: { password: 'not-the-Passw0rd', code: nextCode() } });
    assert.equal(wrongPassword.json().code, 'TOTP_DISABLE_REFUSED');
    const reEnrol = await app.inject({ method: 'POST', url: '/api/v1/staff/me/totp', headers: { cookie: s.cookie } });
    assert.equal(reEnrol.statusCode, 409);
    assert.equal(reEnrol.json().code, 'TOTP_ALREADY_ENABLED');
    assert.equal(await enabled(), true);

    // A facility admin may reset a password but not strip a second factor; a system admin may, audited.
    const fa = await staffSession(app, db.db, { username: 'qt.fa51001', fullName: 'Quản trị', role: 'facility_admin', facilityCode: '51001' }, { totp: true });
    const bs = await staffSession(app, db.db, { username: 'bs.lost', fullName: 'BS. Mất máy', role: 'clinician', facilityCode: '51001' }, { totp: true });
    const faClear = await app.inject({ method: 'POST', url: `/api/v1/staff/accounts/${bs.id}/reset-password`, headers: { cookie: fa.cookie }, payload: { clear_totp: true } });
    assert.equal(faClear.statusCode, 403);
    const root = await staffSession(app, db.db, { username: 'root.totp', fullName: 'Quản trị hệ thống', role: 'system_admin' }, { totp: true });
    const clear = await app.inject({ method: 'POST', url: `/api/v1/staff/accounts/${bs.id}/reset-password`, headers: { cookie: root.cookie }, payload: { clear_totp: true } });
    assert.equal(clear.statusCode, 200);
    const resetAudit = (await auditRows(db, 'staff.account.reset_password')).find((a) => a.resource === `staff/${bs.id}`);
    assert.equal(resetAudit?.actor_id, root.id);
    assert.deepEqual(resetAudit?.detail, { clear_totp: true });

    const ok = await app.inject({ method: 'POST', url, headers: { cookie: s.cookie }, payload: { password: TEST_PASSWORD, code: nextCode() } });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(await enabled(), false);
    const row = (await auditRows(db, 'staff.totp.disable')).find((a) => a.resource === `staff/${s.id}`);
    assert.equal(row?.actor_id, s.id);
    assert.ok((await auditRows(db, 'staff.totp.enrol')).some((a) => a.actor_id === s.id));
  });

  it(`${20} concurrent wrong-password attempts verify at most ${MAX_FAILED_LOGINS}, then the account stays locked`, async () => {
    await createStaff(db.db, { username: 'bs.race', fullName: 'BS. Race', role: 'receptionist', facilityCode: '51002', password: TEST_PASSWORD });
    const client = freshClient();
    const attempts = await Promise.all(Array.from({ length: 20 }, (_, i) => loginAs(app, 'bs.race', `wrong-Passw0rd-${i}`, client)));
    for (const r of attempts) {
      assert.equal(r.statusCode, 401);
      assert.equal(r.json().code, 'INVALID_LOGIN');
    }
    const acc = await staffDb(db.db).selectFrom('staff_account').select(['id', 'locked_until']).where('username', '=', 'bs.race').executeTakeFirstOrThrow();
    assert.ok(acc.locked_until && new Date(acc.locked_until).getTime() > Date.now() + (LOCKOUT_MINUTES - 1) * 60_000, 'locked for the lockout window');
    const reasons = (await auditRows(db, 'staff.login.failed')).filter((a) => a.actor_id === acc.id).map((a) => (a.detail as { reason: string }).reason);
    assert.equal(reasons.filter((r) => r === 'wrong_password').length, MAX_FAILED_LOGINS, 'only MAX passwords were actually checked');
    assert.equal(reasons.filter((r) => r === 'locked').length, 20 - MAX_FAILED_LOGINS);
    // Even the right password is now refused, with the wrong-password answer.
    const right = await loginAs(app, 'bs.race', TEST_PASSWORD, client);
    assert.equal(right.statusCode, 401);
    assert.equal(right.json().code, 'INVALID_LOGIN');
  });

  it('per client address: concurrent failures over many usernames stop at the limit', async () => {
    const client = freshClient();
    const extra = 6;
    const attempts = await Promise.all(
      Array.from({ length: MAX_FAILED_LOGINS_PER_CLIENT + extra }, (_, i) => loginAs(app, `khong.co.${i}`, 'some-Passw0rd', client)),
    );
    const codes = attempts.map((r) => r.json().code as string);
    assert.equal(codes.filter((c) => c === 'INVALID_LOGIN').length, MAX_FAILED_LOGINS_PER_CLIENT);
    assert.equal(codes.filter((c) => c === 'LOGIN_THROTTLED').length, extra);
    assert.ok(attempts.filter((r) => r.json().code === 'LOGIN_THROTTLED').every((r) => r.statusCode === 429));
    // Another address is not affected.
    await createStaff(db.db, { username: 'lt.other', fullName: 'Lễ tân', role: 'receptionist', facilityCode: '51002', password: TEST_PASSWORD });
    assert.equal((await loginAs(app, 'lt.other', TEST_PASSWORD, freshClient())).statusCode, 200);
    assert.equal((await loginAs(app, 'lt.other', TEST_PASSWORD, client)).json().code, 'LOGIN_THROTTLED');
  });

  it('locked, unknown, disabled and wrong-password logins get the same answer at a similar cost', async () => {
    const client = freshClient();
    const admin = await staffSession(app, db.db, { username: 'root.same', fullName: 'Quản trị hệ thống', role: 'system_admin' }, { totp: true });
    await createStaff(db.db, { username: 'lt.wrong', fullName: 'A', role: 'receptionist', facilityCode: '51002', password: TEST_PASSWORD });
    await createStaff(db.db, { username: 'lt.locked', fullName: 'B', role: 'receptionist', facilityCode: '51002', password: TEST_PASSWORD });
    const disabled = await createStaff(db.db, { username: 'lt.disabled', fullName: 'C', role: 'receptionist', facilityCode: '51002', password: TEST_PASSWORD });
    await staffDb(db.db).updateTable('staff_account').set({ locked_until: new Date(Date.now() + 10 * 60_000) }).where('username', '=', 'lt.locked').execute();
    const off = await app.inject({ method: 'POST', url: `/api/v1/staff/accounts/${disabled.id}/disable`, headers: { cookie: admin.cookie }, payload: {} });
    assert.equal(off.statusCode, 200);

    // Locked and disabled accounts are tried with their RIGHT password: that must not show either.
    const cases = { wrong: ['lt.wrong', 'wrong-Passw0rd'], unknown: ['lt.nobody', TEST_PASSWORD], locked: ['lt.locked', TEST_PASSWORD], disabled: ['lt.disabled', TEST_PASSWORD] } as const;
    const answers: Record<string, unknown> = {};
    const fastest: Record<string, number> = {};
    for (const [name, [u, p]] of Object.entries(cases)) {
      for (let i = 0; i < 3; i++) {
        const t0 = process.hrtime.bigint();
        const r = await loginAs(app, u, p, client);
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        fastest[name] = Math.min(fastest[name] ?? Number.POSITIVE_INFINITY, ms);
        const b = r.json() as Record<string, unknown>;
        answers[name] = { status: r.statusCode, code: b.code, title: b.title, detail: b.detail, message_vi: b.message_vi, message_en: b.message_en, keys: Object.keys(b).sort(), cookie: r.cookies.length };
      }
      // lt.wrong would lock after 5; three tries stay below.
    }
    assert.equal((answers.wrong as { status: number }).status, 401);
    assert.deepEqual(answers.unknown, answers.wrong);
    assert.deepEqual(answers.locked, answers.wrong);
    assert.deepEqual(answers.disabled, answers.wrong);
    // Each refusal pays for a password hash (tens of ms); without it an unknown name answers in ~1 ms.
    for (const name of ['unknown', 'locked', 'disabled']) {
      assert.ok(fastest[name]! >= fastest.wrong! * 0.3, `${name} took ${fastest[name]} ms vs ${fastest.wrong} ms for a wrong password`);
    }
  });

  it('idle timeout: a session unused for HSSK_STAFF_IDLE_MINUTES is refused and deleted; use refreshes it at most once a minute', async () => {
    const s = await staffSession(app, db.db, { username: 'lt.idle', fullName: 'Lễ tân', role: 'receptionist', facilityCode: '51002' });
    const sdb = staffDb(db.db);
    const seenAt = async () => (await sdb.selectFrom('staff_session_activity').select('last_seen_at').where('staff_id', '=', s.id).executeTakeFirstOrThrow()).last_seen_at;
    const setSeen = (msAgo: number) => sdb.updateTable('staff_session_activity').set({ last_seen_at: new Date(Date.now() - msAgo) }).where('staff_id', '=', s.id).execute();
    const me = () => app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: { cookie: s.cookie } });

    await setSeen(30_000);
    const before = new Date(await seenAt()).getTime();
    assert.equal((await me()).statusCode, 200);
    assert.equal(new Date(await seenAt()).getTime(), before, 'no write within a minute of the last one');
    await setSeen(29 * 60_000);
    assert.equal((await me()).statusCode, 200);
    assert.ok(new Date(await seenAt()).getTime() > Date.now() - 10_000, 'used: last-seen moved to now');

    await setSeen(31 * 60_000);
    const idle = await me();
    assert.equal(idle.statusCode, 401);
    assert.equal(idle.json().code, 'UNAUTHENTICATED');
    const sessions = await db.db.selectFrom('session').select('id_hash').where('kind', '=', 'staff').where('subject', '=', s.id).execute();
    assert.equal(sessions.length, 0, 'the idle session is deleted, not just refused');
    assert.equal((await me()).statusCode, 401);
  });

  it('a disabled account is logged out at once and cannot log in until re-enabled', async () => {
    const client = freshClient();
    const fa = await staffSession(app, db.db, { username: 'qt.dis', fullName: 'Quản trị cơ sở', role: 'facility_admin', facilityCode: '51002' }, { totp: true });
    const bs = await staffSession(app, db.db, { username: 'bs.dis', fullName: 'BS. Dis', role: 'clinician', facilityCode: '51002' }, { totp: true });
    const other = await staffSession(app, db.db, { username: 'bs.other', fullName: 'BS. Khác', role: 'clinician', facilityCode: '51001' }, { totp: true });
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/clinic/checkin-stats', headers: { cookie: bs.cookie } })).statusCode, 200);

    const foreign = await app.inject({ method: 'POST', url: `/api/v1/staff/accounts/${other.id}/disable`, headers: { cookie: fa.cookie }, payload: {} });
    assert.equal(foreign.statusCode, 403, 'outside the facility admin scope');
    const self = await app.inject({ method: 'POST', url: `/api/v1/staff/accounts/${fa.id}/disable`, headers: { cookie: fa.cookie }, payload: {} });
    assert.equal(self.json().code, 'CANNOT_DISABLE_SELF');

    const off = await app.inject({ method: 'POST', url: `/api/v1/staff/accounts/${bs.id}/disable`, headers: { cookie: fa.cookie }, payload: { reason: 'nghỉ việc' } });
    assert.equal(off.statusCode, 200, off.body);
    const afterOff = await app.inject({ method: 'GET', url: '/api/v1/clinic/checkin-stats', headers: { cookie: bs.cookie } });
    assert.equal(afterOff.statusCode, 401);
    const sessions = await db.db.selectFrom('session').select('id_hash').where('kind', '=', 'staff').where('subject', '=', bs.id).execute();
    assert.equal(sessions.length, 0);
    const code = totpCode(bs.secret!, Date.now() + 30_000);
    assert.equal((await loginAs(app, 'bs.dis', TEST_PASSWORD, client, code)).json().code, 'INVALID_LOGIN');
    const row = (await auditRows(db, 'staff.account.disable')).find((a) => a.resource === `staff/${bs.id}`);
    assert.equal(row?.actor_id, fa.id);
    assert.deepEqual(row?.detail, { reason: 'nghỉ việc' });

    const on = await app.inject({ method: 'POST', url: `/api/v1/staff/accounts/${bs.id}/enable`, headers: { cookie: fa.cookie }, payload: {} });
    assert.equal(on.statusCode, 200);
    assert.ok((await auditRows(db, 'staff.account.enable')).some((a) => a.resource === `staff/${bs.id}` && a.actor_id === fa.id));
    // The code tried while disabled was never checked, so it is still fresh.
    await login(app, 'bs.dis', TEST_PASSWORD, code);
  });

  it('audits login success and failure without the password, and account changes with the admin as actor', async () => {
    const client = freshClient();
    const secretPassword = 'Typed-by-mistake-9';
    const root = await staffSession(app, db.db, { username: 'root.audit', fullName: 'Quản trị hệ thống', role: 'system_admin' }, { totp: true });
    const created = await app.inject({ method: 'POST', url: '/api/v1/staff/accounts', headers: { cookie: root.cookie }, payload: { username: 'lt.audit', full_name: 'Lễ tân', role: 'receptionist', facility_code: '51001' } });
    assert.equal(created.statusCode, 201);
    const id = created.json().id as string;
    const oneTime = created.json().one_time_password as string;
    assert.ok((await auditRows(db, 'staff.account.create')).some((a) => a.resource === `staff/${id}` && a.actor_id === root.id));

    await loginAs(app, 'lt.audit', secretPassword, client);
    await loginAs(app, secretPassword, secretPassword, client);
    const ok = await loginAs(app, 'lt.audit', oneTime, client);
    assert.equal(ok.statusCode, 200);
    const changed = await app.inject({ method: 'POST', url: '/api/v1/staff/me/password', headers: { cookie: cookieOf(ok) }, payload: { current: oneTime, next: 'new-Passw0rd-13' } });
    assert.equal(changed.statusCode, 200);

    const failures = await auditRows(db, 'staff.login.failed');
    const known = failures.find((a) => a.actor_id === id);
    assert.equal(known?.actor_type, 'staff');
    assert.deepEqual(known?.detail, { reason: 'wrong_password', client: `ip:${client}` });
    const anonymous = failures.filter((a) => a.actor_id === 'anonymous');
    assert.ok(anonymous.length >= 1);
    const digest = (anonymous.at(-1)?.detail as { username_sha256?: string } | undefined)?.username_sha256;
    assert.match(digest ?? '', /^[0-9a-f]{16}$/);
    const success = (await auditRows(db, 'staff.login')).find((a) => a.actor_id === id);
    assert.equal(success?.resource, `staff/${id}`);
    assert.ok((await auditRows(db, 'staff.password.change')).some((a) => a.actor_id === id));

    // Neither the password nor a password typed as the username is stored anywhere in the log.
    const all = await db.db.selectFrom('audit_event').selectAll().execute();
    const text = JSON.stringify(all);
    assert.ok(!text.includes(secretPassword), 'a typed secret leaked into the audit log');
    assert.ok(!text.includes(oneTime) && !text.includes('new-Passw0rd-13') && !text.includes(TEST_PASSWORD));
  });

  it('an account locks after repeated wrong current passwords inside a session, too', async () => {
    const s = await staffSession(app, db.db, { username: 'lt.guess', fullName: 'Lễ tân', role: 'receptionist', facilityCode: '51001' });
    for (let i = 0; i < MAX_FAILED_LOGINS; i++) {
      const r = await app.inject({ method: 'POST', url: '/api/v1/staff/me/password', headers: { cookie: s.cookie }, payload: { current: `guess-${i}-Passw0rd`, next: 'new-Passw0rd-99' } });
      assert.equal(r.json().code, 'WRONG_PASSWORD');
    }
    const locked = await app.inject({ method: 'POST', url: '/api/v1/staff/me/password', headers: { cookie: s.cookie }, payload: { current: TEST_PASSWORD, next: 'new-Passw0rd-99' } });
    assert.equal(locked.statusCode, 423);
    assert.equal(locked.json().code, 'ACCOUNT_LOCKED');
  });

  it('refuses an unknown role name in HSSK_TOTP_REQUIRED_ROLES (a typo must not drop the requirement)', () => {
    const base = loadConfig({ demo: false });
    assert.throws(() => staffPolicy({ ...base, totpRequiredRoles: ['clinican'] }), /HSSK_TOTP_REQUIRED_ROLES: unknown role\(s\) clinican/);
    assert.deepEqual(staffPolicy({ ...base, production: true, totpRequiredRoles: undefined }).totpRequiredRoles, [
      'system_admin', 'health_officer', 'facility_admin', 'clinician', 'station_head', 'station_clinician', 'station_nurse', 'population_collaborator',
    ]);
    assert.deepEqual(staffPolicy({ ...base, production: false, totpRequiredRoles: undefined }).totpRequiredRoles, []);
    assert.deepEqual(staffPolicy({ ...base, production: true, totpRequiredRoles: [] }).totpRequiredRoles, []);
  });
});
