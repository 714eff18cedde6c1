import { DomainError, forbidden, notFound } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { audit } from '../audit/index.ts';
import { createSession, deleteSession, deleteSessionsOf } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { authenticate, beginTotp, changePassword, confirmTotp, createStaff, resetPassword } from './accounts.ts';
import {
  clearStaffCookie,
  requireStaff,
  STAFF_COOKIE,
  STAFF_SESSION_KIND,
  STAFF_SESSION_TTL_SECONDS,
  type StaffContext,
  setStaffCookie,
  staffActor,
  staffById,
  unitDescendants,
} from './guard.ts';
import { STAFF_ROLES, type StaffRole, staffDb } from './tables.ts';

// Generous bounds: the rules users see (username shape, password strength) are checked by accounts.ts
// with their own messages; these only keep oversized input out.
const username = Type.String({ maxLength: 128 });
const password = Type.String({ maxLength: 1024 });
const totpCode = Type.String({ maxLength: 16 });

// Optional so a missing field gets the same bilingual CREDENTIALS_REQUIRED answer as an empty one.
const loginBody = Type.Object({ username: Type.Optional(username), password: Type.Optional(password), totp: Type.Optional(totpCode) });
const passwordBody = Type.Object({ current: password, next: password });
const totpConfirmBody = Type.Object({ code: totpCode });
const createAccountBody = Type.Object({
  username,
  full_name: Type.String({ maxLength: 200 }),
  role: Type.Union(STAFF_ROLES.map((r) => Type.Literal(r))),
  facility_code: Type.Optional(Type.String({ maxLength: 32 })),
  admin_unit_code: Type.Optional(Type.String({ maxLength: 32 })),
});
const accountParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
// Fastify validates a missing body as null, and the reset is usually posted without one.
const resetBody = Type.Union([Type.Object({ clear_totp: Type.Optional(Type.Boolean()) }), Type.Null()]);

export const isSecureCookie = (config: Config) => config.publicUrl.startsWith('https://') || new URL(config.publicUrl).hostname === 'localhost';

const meView = (s: StaffContext) => ({
  id: s.id,
  username: s.username,
  name: s.name,
  role: s.role,
  facility_code: s.facilityCode,
  admin_unit_code: s.adminUnitCode,
  must_change_password: s.mustChangePassword,
  totp_enabled: s.totpEnabled,
});

/** Roles a facility admin may hand out: never admin roles, so no one can raise their own rights. */
const FACILITY_ADMIN_GRANTS: readonly StaffRole[] = ['clinician', 'receptionist'];

export function registerStaffRoutes(fastify: FastifyInstance, db: Db, config: Config) {
  const app = typedRoutes(fastify);
  const secure = isSecureCookie(config);
  const sdb = staffDb(db);

  app.post('/api/v1/staff/login', { schema: { summary: 'Staff login (password, then TOTP when enrolled)', tags: ['staff'], body: loginBody } }, async (req, reply) => {
    const { username, password, totp } = req.body;
    if (!username || !password) throw new DomainError('invalid', 'CREDENTIALS_REQUIRED', 'Nhập tên đăng nhập và mật khẩu.', 'Username and password are required.');
    const r = await authenticate(db, username, password, totp);
    const sid = await createSession(db, STAFF_SESSION_KIND, r.staffId, {}, STAFF_SESSION_TTL_SECONDS);
    setStaffCookie(reply, sid, secure);
    const me = (await staffById(db, r.staffId))!;
    await audit(db, { actor: staffActor(me), action: 'staff.login', requestId: req.id });
    return meView(me);
  });

  app.post('/api/v1/staff/logout', { schema: { summary: 'End the staff session', tags: ['staff'] } }, async (req, reply) => {
    await deleteSession(db, req.cookies[STAFF_COOKIE]);
    clearStaffCookie(reply, secure);
    return { ok: true };
  });

  app.get('/api/v1/staff/me', { schema: { summary: 'The logged-in staff member', tags: ['staff'] } }, async (req) => {
    const s = await requireStaff(db, req, { allowPasswordChange: true });
    const facility = s.facilityCode ? await db.selectFrom('facility').select(['code', 'name']).where('code', '=', s.facilityCode).executeTakeFirst() : undefined;
    const unit = s.adminUnitCode ? await db.selectFrom('admin_unit').select(['code', 'name', 'level']).where('code', '=', s.adminUnitCode).executeTakeFirst() : undefined;
    return { ...meView(s), facility: facility ?? null, admin_unit: unit ?? null };
  });

  app.post('/api/v1/staff/me/password', { schema: { summary: 'Change own password', tags: ['staff'], body: passwordBody } }, async (req) => {
    const s = await requireStaff(db, req, { allowPasswordChange: true });
    await changePassword(db, s.id, req.body.current, req.body.next);
    return { ok: true };
  });

  app.post('/api/v1/staff/me/totp', { schema: { summary: 'Start TOTP enrolment: returns the otpauth URI once', tags: ['staff'] } }, async (req) => {
    const s = await requireStaff(db, req);
    return beginTotp(db, s.id, s.username);
  });

  app.post('/api/v1/staff/me/totp/confirm', { schema: { summary: 'Confirm TOTP enrolment with a first code', tags: ['staff'], body: totpConfirmBody } }, async (req) => {
    const s = await requireStaff(db, req);
    await confirmTotp(db, s.id, req.body.code);
    return { totp_enabled: true };
  });

  app.get('/api/v1/staff/accounts', { schema: { summary: 'Staff accounts the caller administers', tags: ['staff'] } }, async (req) => {
    const s = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin', 'health_officer'] });
    let q = sdb
      .selectFrom('staff_account')
      .select(['id', 'username', 'full_name', 'role', 'facility_code', 'admin_unit_code', 'totp_enabled', 'must_change_password', 'locked_until', 'disabled_at', 'last_login_at'])
      .orderBy('username');
    if (s.role === 'facility_admin') q = q.where('facility_code', '=', s.facilityCode);
    if (s.role === 'health_officer') {
      const units = await unitDescendants(db, s.adminUnitCode ?? '');
      q = q.where((eb) => eb.or([eb('admin_unit_code', 'in', units), eb('facility_code', 'in', eb.selectFrom('facility').select('code').where('admin_unit_code', 'in', units))]));
    }
    return { accounts: await q.execute() };
  });

  app.post('/api/v1/staff/accounts', { schema: { summary: 'Create a staff account (one-time password returned once)', tags: ['staff'], body: createAccountBody } }, async (req, reply) => {
    const b = req.body;
    const s = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin'] });
    if (s.role === 'facility_admin' && (b.facility_code !== s.facilityCode || !FACILITY_ADMIN_GRANTS.includes(b.role))) throw forbidden();
    const created = await createStaff(db, {
      username: b.username,
      fullName: b.full_name,
      role: b.role,
      facilityCode: b.facility_code,
      adminUnitCode: b.admin_unit_code,
    });
    await audit(db, { actor: staffActor(s), action: 'staff.account.create', resource: `staff/${created.id}`, requestId: req.id });
    return reply.status(201).send({ id: created.id, one_time_password: created.password });
  });

  /** Admin reset: also clears TOTP so a lost phone does not lock a clinician out for good. */
  app.post('/api/v1/staff/accounts/:id/reset-password', { schema: { summary: 'Reset a password (forces a change at next login)', tags: ['staff'], params: accountParams, body: resetBody } }, async (req) => {
    const s = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin'] });
    const { id } = req.params;
    const target = await sdb.selectFrom('staff_account').select(['id', 'role', 'facility_code']).where('id', '=', id).executeTakeFirst();
    if (!target) throw notFound('tài khoản', 'Account');
    if (s.role === 'facility_admin' && (target.facility_code !== s.facilityCode || !FACILITY_ADMIN_GRANTS.includes(target.role))) throw forbidden();
    const password = await resetPassword(db, id);
    const clearTotp = req.body?.clear_totp === true;
    if (clearTotp) await sdb.updateTable('staff_account').set({ totp_enabled: false, totp_secret: null, totp_last_step: null }).where('id', '=', id).execute();
    await deleteSessionsOf(db, STAFF_SESSION_KIND, id);
    await audit(db, { actor: staffActor(s), action: 'staff.account.reset_password', resource: `staff/${id}`, requestId: req.id, detail: { clear_totp: clearTotp } });
    return { one_time_password: password };
  });
}
