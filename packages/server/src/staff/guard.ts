import { DomainError, forbidden, unauthorized } from '@openhssk/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Selectable } from 'kysely';
import type { Actor } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { isStation } from './accounts.ts';
import { readStaffSession, STAFF_COOKIE, STAFF_SESSION_TTL_SECONDS } from './sessions.ts';
import { STAFF_ROLES, STATION_ROLES, type StaffAccountTable, type StaffRole, staffDb } from './tables.ts';

export { STAFF_COOKIE, STAFF_SESSION_KIND, STAFF_SESSION_TTL_SECONDS } from './sessions.ts';

/** Who must use TOTP and how long a staff session may sit unused; one per app, from its Config. */
export interface StaffPolicy {
  totpRequiredRoles: readonly StaffRole[];
  /** 0 = no idle limit (the absolute lifetime still applies). */
  idleMs: number;
}

/** Roles that open many people's records or administer accounts: a stolen password alone must not do. */
export const PRODUCTION_TOTP_ROLES: readonly StaffRole[] = [
  'system_admin', 'health_officer', 'facility_admin', 'clinician',
  'station_head', 'station_clinician', 'station_nurse', 'population_collaborator',
];

export function staffPolicy(config: Pick<Config, 'production' | 'totpRequiredRoles' | 'staffIdleMinutes'>): StaffPolicy {
  const names = config.totpRequiredRoles ?? (config.production ? PRODUCTION_TOTP_ROLES : []);
  const unknown = names.filter((r) => !STAFF_ROLES.includes(r as StaffRole));
  // A typo here would silently drop the requirement for a role, so it stops the start-up instead.
  if (unknown.length) throw new Error(`HSSK_TOTP_REQUIRED_ROLES: unknown role(s) ${unknown.join(', ')} (known: ${STAFF_ROLES.join(', ')}, or "none")`);
  return { totpRequiredRoles: names as StaffRole[], idleMs: config.staffIdleMinutes * 60_000 };
}

declare module 'fastify' {
  interface FastifyInstance {
    hsskStaffPolicy?: StaffPolicy;
  }
}

/** Stored on the app (not module state): tests run apps of both modes in one process. */
export function installStaffPolicy(app: FastifyInstance, policy: StaffPolicy) {
  app.decorate('hsskStaffPolicy', policy);
}

/** Without an installed policy (an app that never registered the staff routes) the strict one applies. */
export const policyOf = (req: FastifyRequest): StaffPolicy =>
  req.server.hsskStaffPolicy ?? { totpRequiredRoles: PRODUCTION_TOTP_ROLES, idleMs: 30 * 60_000 };

export const totpRequiredFor = (policy: StaffPolicy, role: StaffRole) => policy.totpRequiredRoles.includes(role);

export interface StaffContext {
  id: string;
  username: string;
  name: string;
  role: StaffRole;
  facilityCode: string | null;
  adminUnitCode: string | null;
  mustChangePassword: boolean;
  totpEnabled: boolean;
}

export interface StaffGuard {
  roles?: readonly StaffRole[] | undefined;
  /** The facility the request acts on: the staff member's scope must cover it. */
  facility?: string | undefined;
  /** Only the password-change and session endpoints allow a pending forced change. */
  allowPasswordChange?: boolean | undefined;
  /** Only the TOTP enrolment and session endpoints allow a pending required enrolment. */
  allowTotpEnrolment?: boolean | undefined;
}

export const staffActor = (s: StaffContext): Actor => ({
  type: 'staff',
  id: s.id,
  name: s.name,
  role: s.role,
  facilityCode: s.facilityCode ?? undefined,
});

/** Codes of the unit and all units above it (commune → district → province). */
export async function unitAncestry(db: Db, code: string | null): Promise<string[]> {
  const out: string[] = [];
  let cur = code;
  // Depth is at most 3; the bound also stops a malformed cycle.
  while (cur && out.length < 5) {
    out.push(cur);
    const row = await db.selectFrom('admin_unit').select('parent_code').where('code', '=', cur).executeTakeFirst();
    cur = row?.parent_code ?? null;
  }
  return out;
}

/** Codes of the unit and all units below it. */
export async function unitDescendants(db: Db, code: string): Promise<string[]> {
  const out = [code];
  let frontier = [code];
  for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
    const rows = await db.selectFrom('admin_unit').select('code').where('parent_code', 'in', frontier).execute();
    frontier = rows.map((r) => r.code).filter((c) => !out.includes(c));
    out.push(...frontier);
  }
  return out;
}

/** Whether the staff member may act on this facility's data. */
export async function coversFacility(db: Db, s: StaffContext, facilityCode: string): Promise<boolean> {
  if (s.role === 'system_admin') return true;
  if (s.role === 'health_officer') {
    const f = await db.selectFrom('facility').select('admin_unit_code').where('code', '=', facilityCode).executeTakeFirst();
    if (!f) return false;
    return (await unitAncestry(db, f.admin_unit_code)).includes(s.adminUnitCode ?? '');
  }
  return s.facilityCode === facilityCode;
}

/**
 * The commune a station staff member serves (their station's unit) with its name, or undefined for
 * any other role. Read per call, like the session: moving a station to another unit takes effect at once.
 */
export async function stationUnit(db: Db, s: StaffContext): Promise<{ code: string; name: string | null } | undefined> {
  if (!(STATION_ROLES as readonly StaffRole[]).includes(s.role) || !s.facilityCode) return undefined;
  const f = await db
    .selectFrom('facility as f')
    .leftJoin('admin_unit as u', 'u.code', 'f.admin_unit_code')
    .select(['f.admin_unit_code', 'f.level', 'u.level as unit_level', 'u.name'])
    .where('f.code', '=', s.facilityCode)
    .executeTakeFirst();
  // A station moved to a district unit (or re-registered as a hospital) must not widen its staff's
  // area to the whole district: no commune, no area.
  return f?.admin_unit_code && isStation(f.level, f.unit_level) ? { code: f.admin_unit_code, name: f.name ?? null } : undefined;
}

/** The code of the commune a station staff member serves (stationUnit), or undefined. */
export async function stationCommune(db: Db, s: StaffContext): Promise<string | undefined> {
  return (await stationUnit(db, s))?.code;
}

// One read per request: a throttle or body guard that identifies the caller before the handler does
// must not read the session (and touch its last-seen time) a second time.
const perRequest = new WeakMap<FastifyRequest, Promise<StaffContext | undefined>>();

export function currentStaff(db: Db, req: FastifyRequest): Promise<StaffContext | undefined> {
  let staff = perRequest.get(req);
  if (!staff) {
    // Read on every request: a disabled account or changed role takes effect at once.
    staff = readStaffSession(db, req.cookies[STAFF_COOKIE], policyOf(req).idleMs).then((acc) => (acc ? contextOf(acc) : undefined));
    perRequest.set(req, staff);
  }
  return staff;
}

type AccountRow = Pick<
  Selectable<StaffAccountTable>,
  'id' | 'username' | 'full_name' | 'role' | 'facility_code' | 'admin_unit_code' | 'must_change_password' | 'totp_enabled' | 'disabled_at'
>;

/** A disabled account has no context: its sessions stop working at once. */
function contextOf(acc: AccountRow): StaffContext | undefined {
  if (acc.disabled_at) return undefined;
  return {
    id: acc.id,
    username: acc.username,
    name: acc.full_name,
    role: acc.role,
    facilityCode: acc.facility_code,
    adminUnitCode: acc.admin_unit_code,
    mustChangePassword: acc.must_change_password,
    totpEnabled: acc.totp_enabled,
  };
}

export async function staffById(db: Db, id: string): Promise<StaffContext | undefined> {
  const acc = await staffDb(db)
    .selectFrom('staff_account')
    .select(['id', 'username', 'full_name', 'role', 'facility_code', 'admin_unit_code', 'must_change_password', 'totp_enabled', 'disabled_at'])
    .where('id', '=', id)
    .executeTakeFirst();
  return acc ? contextOf(acc) : undefined;
}

/** The logged-in staff member allowed by role and scope; 401 without a session, 403 otherwise. */
export async function requireStaff(db: Db, req: FastifyRequest, guard: StaffGuard = {}): Promise<StaffContext> {
  const s = await currentStaff(db, req);
  if (!s) throw unauthorized();
  if (s.mustChangePassword && !guard.allowPasswordChange) {
    throw new DomainError('forbidden', 'PASSWORD_CHANGE_REQUIRED', 'Bạn cần đổi mật khẩu trước khi tiếp tục.', 'You must change your password first.');
  }
  if (!s.totpEnabled && !guard.allowTotpEnrolment && totpRequiredFor(policyOf(req), s.role)) {
    throw new DomainError(
      'forbidden',
      'TOTP_ENROLMENT_REQUIRED',
      'Vai trò của bạn bắt buộc xác thực hai lớp. Hãy cài đặt ứng dụng xác thực trước khi tiếp tục.',
      'Your role requires two-factor authentication: enrol an authenticator app first.',
    );
  }
  if (guard.roles && !guard.roles.includes(s.role)) throw forbidden();
  if (guard.facility !== undefined && !(await coversFacility(db, s, guard.facility))) throw forbidden();
  return s;
}

export function setStaffCookie(reply: FastifyReply, id: string, secure: boolean) {
  reply.setCookie(STAFF_COOKIE, id, { path: '/', httpOnly: true, sameSite: 'strict', secure, maxAge: STAFF_SESSION_TTL_SECONDS });
}

export function clearStaffCookie(reply: FastifyReply, secure: boolean) {
  reply.clearCookie(STAFF_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure });
}
