import type { FastifyInstance } from 'fastify';
import { audit } from '../audit/audit.ts';
import { createSession, deleteSession } from '../auth/sessions.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { ApiError, forbidden, notFound } from '../http/problem.ts';
import { authenticate, beginTotp, changePassword, confirmTotp, createStaff, resetPassword } from './accounts.ts';
import {
  clearStaffCookie,
  requireStaff,
  STAFF_COOKIE,
  STAFF_SESSION_KIND,
  STAFF_SESSION_TTL_SECONDS,
  type StaffContext,
  setStaffCookie,
  staffById,
  staffActor,
  unitDescendants,
} from './guard.ts';
import { type StaffRole, staffDb } from './schema.ts';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

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

export function registerStaffRoutes(app: FastifyInstance, db: Db, config: Config) {
  const secure = isSecureCookie(config);
  const sdb = staffDb(db);

  app.post('/api/v1/staff/login', { schema: { summary: 'Staff login (password, then TOTP when enrolled)', tags: ['staff'] } }, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const username = str(b.username);
    const password = str(b.password);
    if (!username || !password) throw new ApiError(400, 'CREDENTIALS_REQUIRED', 'Nhập tên đăng nhập và mật khẩu.', 'Username and password are required.');
    const r = await authenticate(db, username, password, str(b.totp));
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

  app.post('/api/v1/staff/me/password', { schema: { summary: 'Change own password', tags: ['staff'] } }, async (req) => {
    const s = await requireStaff(db, req, { allowPasswordChange: true });
    const b = (req.body ?? {}) as Record<string, unknown>;
    await changePassword(db, s.id, str(b.current) ?? '', str(b.next) ?? '');
    return { ok: true };
  });

  app.post('/api/v1/staff/me/totp', { schema: { summary: 'Start TOTP enrolment: returns the otpauth URI once', tags: ['staff'] } }, async (req) => {
    const s = await requireStaff(db, req);
    return beginTotp(db, s.id, s.username);
  });

  app.post('/api/v1/staff/me/totp/confirm', { schema: { summary: 'Confirm TOTP enrolment with a first code', tags: ['staff'] } }, async (req) => {
    const s = await requireStaff(db, req);
    await confirmTotp(db, s.id, str((req.body as Record<string, unknown> | undefined)?.code) ?? '');
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

  app.post('/api/v1/staff/accounts', { schema: { summary: 'Create a staff account (one-time password returned once)', tags: ['staff'] } }, async (req, reply) => {
    const b = (req.body ?? {}) as Record<string, unknown>;
    const role = str(b.role) as StaffRole | undefined;
    const facilityCode = str(b.facility_code);
    const s = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin'] });
    if (s.role === 'facility_admin' && (facilityCode !== s.facilityCode || !role || !FACILITY_ADMIN_GRANTS.includes(role))) throw forbidden();
    const created = await createStaff(db, {
      username: str(b.username) ?? '',
      fullName: str(b.full_name) ?? '',
      role: role ?? ('' as StaffRole),
      facilityCode,
      adminUnitCode: str(b.admin_unit_code),
    });
    await audit(db, { actor: staffActor(s), action: 'staff.account.create', resource: `staff/${created.id}`, requestId: req.id });
    return reply.status(201).send({ id: created.id, one_time_password: created.password });
  });

  /** Admin reset: also clears TOTP so a lost phone does not lock a clinician out for good. */
  app.post('/api/v1/staff/accounts/:id/reset-password', { schema: { summary: 'Reset a password (forces a change at next login)', tags: ['staff'] } }, async (req) => {
    const s = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin'] });
    const id = (req.params as { id: string }).id;
    const target = await sdb.selectFrom('staff_account').select(['id', 'role', 'facility_code']).where('id', '=', id).executeTakeFirst();
    if (!target) throw notFound('tài khoản', 'Account');
    if (s.role === 'facility_admin' && (target.facility_code !== s.facilityCode || !FACILITY_ADMIN_GRANTS.includes(target.role))) throw forbidden();
    const password = await resetPassword(db, id);
    const clearTotp = (req.body as Record<string, unknown> | undefined)?.clear_totp === true;
    if (clearTotp) await sdb.updateTable('staff_account').set({ totp_enabled: false, totp_secret: null, totp_last_step: null }).where('id', '=', id).execute();
    await sdb.deleteFrom('session').where('kind', '=', STAFF_SESSION_KIND).where('subject', '=', id).execute();
    await audit(db, { actor: staffActor(s), action: 'staff.account.reset_password', resource: `staff/${id}`, requestId: req.id, detail: { clear_totp: clearTotp } });
    return { one_time_password: password };
  });
}
