import { DomainError, forbidden, notFound, searchKey, vietnamToday } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { audit, ROLE_WORDS } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { clientAddress, typedRoutes } from '../http/index.ts';
import { authenticate, beginTotp, changePassword, confirmTotp, createStaff, disableTotp, resetPassword, setStaffDisabled } from './accounts.ts';
import {
  clearStaffCookie,
  installStaffPolicy,
  requireStaff,
  STAFF_COOKIE,
  type StaffContext,
  type StaffPolicy,
  setStaffCookie,
  staffActor,
  staffById,
  staffPolicy,
  totpRequiredFor,
  unitDescendants,
} from './guard.ts';
import { endStaffSession, openStaffSession } from './sessions.ts';
import { FACILITY_ADMIN_GRANTS, STAFF_ROLES, staffDb } from './tables.ts';

// Generous bounds: the rules users see (username shape, password strength) are checked by accounts.ts
// with their own messages; these only keep oversized input out.
const username = Type.String({ maxLength: 128 });
const password = Type.String({ maxLength: 1024 });
const totpCode = Type.String({ maxLength: 16 });

// Optional so a missing field gets the same bilingual CREDENTIALS_REQUIRED answer as an empty one.
const loginBody = Type.Object({ username: Type.Optional(username), password: Type.Optional(password), totp: Type.Optional(totpCode) });
const passwordBody = Type.Object({ current: password, next: password });
const totpConfirmBody = Type.Object({ code: totpCode });
const totpDisableBody = Type.Object({ password, code: totpCode });
const createAccountBody = Type.Object({
  username,
  full_name: Type.String({ maxLength: 200 }),
  role: Type.Union(STAFF_ROLES.map((r) => Type.Literal(r))),
  facility_code: Type.Optional(Type.String({ maxLength: 32 })),
  admin_unit_code: Type.Optional(Type.String({ maxLength: 32 })),
});
const accountParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
/** Accounts per page of the administration screen. */
export const ACCOUNTS_PER_PAGE = 20;
const accountsQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'words of name, username, role code, workplace; with or without diacritics, any order' })),
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 })),
  per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: ACCOUNTS_PER_PAGE })),
});
const unitsQuery = Type.Object({
  q: Type.String({ minLength: 1, maxLength: 200, description: 'words of the unit name (with or without diacritics) or the start of its code' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 })),
});
// Fastify validates a missing body as null, and the reset is usually posted without one.
const resetBody = Type.Union([Type.Object({ clear_totp: Type.Optional(Type.Boolean()) }), Type.Null()]);
const disableBody = Type.Union([Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }), Type.Null()]);

export const isSecureCookie = (config: Config) => config.publicUrl.startsWith('https://') || new URL(config.publicUrl).hostname === 'localhost';

const meView = (s: StaffContext, policy: StaffPolicy) => ({
  id: s.id,
  username: s.username,
  name: s.name,
  role: s.role,
  facility_code: s.facilityCode,
  admin_unit_code: s.adminUnitCode,
  must_change_password: s.mustChangePassword,
  totp_enabled: s.totpEnabled,
  /** The portal shows the enrolment screen while this is true and totp_enabled false. */
  totp_required: totpRequiredFor(policy, s.role),
});


export function registerStaffRoutes(fastify: FastifyInstance, db: Db, config: Config) {
  const app = typedRoutes(fastify);
  const secure = isSecureCookie(config);
  const sdb = staffDb(db);
  const policy = staffPolicy(config);
  installStaffPolicy(fastify, policy);

  app.post('/api/v1/staff/login', { schema: { summary: 'Staff login (password, then TOTP when enrolled)', tags: ['staff'], body: loginBody } }, async (req, reply) => {
    const { username, password, totp } = req.body;
    if (!username || !password) throw new DomainError('invalid', 'CREDENTIALS_REQUIRED', 'Nhập tên đăng nhập và mật khẩu.', 'Username and password are required.');
    const r = await authenticate(db, { username, password, totp, client: clientAddress(req), requestId: req.id });
    const sid = await openStaffSession(db, r.staffId);
    setStaffCookie(reply, sid, secure);
    const me = (await staffById(db, r.staffId))!;
    await audit(db, { actor: staffActor(me), action: 'staff.login', resource: `staff/${me.id}`, requestId: req.id, detail: { client: clientAddress(req) } });
    return meView(me, policy);
  });

  app.post('/api/v1/staff/logout', { schema: { summary: 'End the staff session', tags: ['staff'] } }, async (req, reply) => {
    await endStaffSession(db, req.cookies[STAFF_COOKIE]);
    clearStaffCookie(reply, secure);
    return { ok: true };
  });

  app.get('/api/v1/staff/me', { schema: { summary: 'The logged-in staff member', tags: ['staff'] } }, async (req) => {
    const s = await requireStaff(db, req, { allowPasswordChange: true, allowTotpEnrolment: true });
    const facility = s.facilityCode ? await db.selectFrom('facility').select(['code', 'name']).where('code', '=', s.facilityCode).executeTakeFirst() : undefined;
    const unit = s.adminUnitCode ? await db.selectFrom('admin_unit').select(['code', 'name', 'level']).where('code', '=', s.adminUnitCode).executeTakeFirst() : undefined;
    return { ...meView(s, policy), facility: facility ?? null, admin_unit: unit ?? null };
  });

  app.post('/api/v1/staff/me/password', { schema: { summary: 'Change own password', tags: ['staff'], body: passwordBody } }, async (req) => {
    const s = await requireStaff(db, req, { allowPasswordChange: true, allowTotpEnrolment: true });
    await changePassword(db, s.id, req.body.current, req.body.next, { actor: staffActor(s), requestId: req.id });
    return { ok: true };
  });

  app.post('/api/v1/staff/me/totp', { schema: { summary: 'Start TOTP enrolment: returns the secret, otpauth URI and QR code once', tags: ['staff'] } }, async (req) => {
    const s = await requireStaff(db, req, { allowTotpEnrolment: true });
    return beginTotp(db, s.id, s.username);
  });

  app.post('/api/v1/staff/me/totp/confirm', { schema: { summary: 'Confirm TOTP enrolment with a first code', tags: ['staff'], body: totpConfirmBody } }, async (req) => {
    const s = await requireStaff(db, req, { allowTotpEnrolment: true });
    await confirmTotp(db, s.id, req.body.code, { actor: staffActor(s), requestId: req.id });
    return { totp_enabled: true };
  });

  app.post('/api/v1/staff/me/totp/disable', { schema: { summary: 'Turn TOTP off (password and a current code)', tags: ['staff'], body: totpDisableBody } }, async (req) => {
    const s = await requireStaff(db, req);
    await disableTotp(db, s.id, req.body.password, req.body.code, { actor: staffActor(s), requestId: req.id });
    return { totp_enabled: false, totp_required: totpRequiredFor(policy, s.role) };
  });

  app.get('/api/v1/staff/accounts', { schema: { summary: 'Staff accounts the caller administers, searched and paged', tags: ['staff'], querystring: accountsQuery } }, async (req) => {
    const s = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin', 'health_officer'] });
    // Names beside codes: the administration screen lists people by where they work.
    let q = sdb
      .selectFrom('staff_account as a')
      .leftJoin('facility as f', 'f.code', 'a.facility_code')
      .leftJoin('admin_unit as u', 'u.code', 'a.admin_unit_code')
      .select([
        'a.id', 'a.username', 'a.full_name', 'a.role', 'a.facility_code', 'f.name as facility_name', 'a.admin_unit_code', 'u.name as admin_unit_name',
        'a.totp_enabled', 'a.must_change_password', 'a.locked_until', 'a.disabled_at', 'a.last_login_at',
      ])
      .orderBy('a.username');
    if (s.role === 'facility_admin') q = q.where('a.facility_code', '=', s.facilityCode);
    if (s.role === 'health_officer') {
      const units = await unitDescendants(db, s.adminUnitCode ?? '');
      q = q.where((eb) => eb.or([eb('a.admin_unit_code', 'in', units), eb('a.facility_code', 'in', eb.selectFrom('facility').select('code').where('admin_unit_code', 'in', units))]));
    }
    const rows = await q.execute();
    // Searched here rather than in SQL: words match with or without diacritics in any order, over the
    // names the screen shows (an administrator's scope holds thousands of accounts, not millions).
    const words = searchKey(req.query.q ?? '').split(' ').filter(Boolean);
    const matched = words.length === 0 ? rows : rows.filter((a) => {
      const hay = searchKey([a.username, a.full_name, a.role, ROLE_WORDS[a.role]?.label, a.facility_name, a.facility_code, a.admin_unit_name, a.admin_unit_code].join(' '));
      return words.every((w) => hay.includes(w));
    });
    const perPage = req.query.per_page ?? ACCOUNTS_PER_PAGE;
    const page = req.query.page ?? 1;
    return { accounts: matched.slice((page - 1) * perPage, page * perPage), total: rows.length, matched: matched.length, page, per_page: perPage };
  });

  app.get('/api/v1/staff/admin-units', { schema: { summary: 'Administrative units by name (with or without diacritics) or code, for the account form', tags: ['staff'], querystring: unitsQuery } }, async (req) => {
    await requireStaff(db, req, { roles: ['system_admin'] });
    const words = searchKey(req.query.q).split(' ').filter(Boolean);
    const code = req.query.q.trim();
    const units = await db
      .selectFrom('admin_unit as u')
      .leftJoin('admin_unit as p', 'p.code', 'u.parent_code')
      .select(['u.code', 'u.name', 'u.level', 'p.name as parent_name'])
      .where((eb) => eb.or([eb('u.valid_to', 'is', null), eb('u.valid_to', '>', vietnamToday())]))
      .orderBy('u.code')
      .execute();
    // Each typed word starts a word of the unit's or its parent's name ("nghia son"); units whose own
    // name has the words whole come first ("Nghĩa Sơn" before "Sông Vệ, Tư Nghĩa"), then wider areas.
    const rank = { province: 0, district: 1, commune: 2 } as Record<string, number>;
    const scored = units.flatMap((u) => {
      if (/^\d+$/.test(code)) return u.code.startsWith(code) ? [{ u, score: 0 }] : [];
      const own = searchKey(u.name).split(' ');
      const all = [...own, ...searchKey(u.parent_name ?? '').split(' ')];
      if (!words.every((w) => all.some((x) => x.startsWith(w)))) return [];
      return [{ u, score: words.filter((w) => own.includes(w)).length }];
    });
    scored.sort((x, y) => y.score - x.score || (rank[x.u.level] ?? 3) - (rank[y.u.level] ?? 3) || x.u.code.localeCompare(y.u.code));
    const found = scored.map((x) => x.u);
    return { units: found.slice(0, req.query.limit ?? 20), matched: found.length };
  });

  app.post('/api/v1/staff/accounts', { schema: { summary: 'Create a staff account (one-time password returned once)', tags: ['staff'], body: createAccountBody } }, async (req, reply) => {
    const b = req.body;
    const s = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin'] });
    if (s.role === 'facility_admin' && (b.facility_code !== s.facilityCode || !FACILITY_ADMIN_GRANTS.includes(b.role))) throw forbidden();
    const created = await createStaff(
      db,
      { username: b.username, fullName: b.full_name, role: b.role, facilityCode: b.facility_code, adminUnitCode: b.admin_unit_code },
      { actor: staffActor(s), requestId: req.id },
    );
    return reply.status(201).send({ id: created.id, one_time_password: created.password });
  });

  /** An account the caller administers: any for a system admin, own facility's clinicians and receptionists for a facility admin. */
  const administered = async (s: StaffContext, id: string) => {
    const target = await sdb.selectFrom('staff_account').select(['id', 'role', 'facility_code']).where('id', '=', id).executeTakeFirst();
    if (!target) throw notFound('tài khoản', 'Account');
    if (s.role === 'facility_admin' && (target.facility_code !== s.facilityCode || !FACILITY_ADMIN_GRANTS.includes(target.role))) throw forbidden();
    return target;
  };

  /** Admin reset; clearing TOTP (a lost phone) is for a system admin only, since it removes the second factor. */
  app.post('/api/v1/staff/accounts/:id/reset-password', { schema: { summary: 'Reset a password (forces a change at next login)', tags: ['staff'], params: accountParams, body: resetBody } }, async (req) => {
    const s = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin'] });
    const { id } = req.params;
    await administered(s, id);
    const clearTotp = req.body?.clear_totp === true;
    if (clearTotp && s.role !== 'system_admin') throw forbidden();
    const password = await resetPassword(db, id, { clearTotp, by: { actor: staffActor(s), requestId: req.id } });
    return { one_time_password: password };
  });

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post(
      `/api/v1/staff/accounts/:id/${action}`,
      {
        schema: {
          summary: disabled ? 'Disable an account (it cannot log in; its sessions end at once)' : 'Re-enable a disabled account',
          tags: ['staff'],
          params: accountParams,
          body: disableBody,
        },
      },
      async (req) => {
        const s = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin'] });
        const { id } = req.params;
        // Disabling oneself could leave no administrator to undo it.
        if (disabled && id === s.id) throw new DomainError('invalid', 'CANNOT_DISABLE_SELF', 'Không thể tự khóa tài khoản của chính mình.', 'You cannot disable your own account.');
        await administered(s, id);
        const changed = await setStaffDisabled(db, id, disabled, { actor: staffActor(s), requestId: req.id, reason: req.body?.reason });
        return { id, disabled, changed };
      },
    );
  }
}
