import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '@openhssk/core';
import { sql } from 'kysely';
import { type Actor, audit } from '../audit/index.ts';
import { hashSecret, randomToken, verifySecret } from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { endAllStaffSessions } from './sessions.ts';
import { FACILITY_ROLES, STAFF_ROLES, STATION_ROLES, type StaffDb, type StaffRole, staffDb } from './tables.ts';
import { newTotpSecret, otpauthQr, otpauthUri, verifyTotp } from './totp.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
/**
 * Failed logins per client address per LOCKOUT_MINUTES window. Far above one person's typos, low enough
 * to stop one password being sprayed over many usernames; a whole hospital behind one NAT address
 * shares it, and correct logins give their count back.
 */
export const MAX_FAILED_LOGINS_PER_CLIENT = 50;
const MIN_PASSWORD_LENGTH = 10;
const WINDOW_MS = LOCKOUT_MINUTES * 60_000;

/** Who performs an administrative change, for the audit log. */
export interface ByWhom {
  actor: Actor;
  requestId?: string | undefined;
}

/** The command line acts with the operator's shell access, not as a staff account. */
export const CLI_ACTOR: Actor = { type: 'system', id: 'cli', name: 'hssk command line' };

export interface NewStaff {
  username: string;
  fullName: string;
  role: StaffRole;
  facilityCode?: string | undefined;
  adminUnitCode?: string | undefined;
  /** Omitted: a random one is generated and returned once, and must be changed at first login. */
  password?: string | undefined;
}

const badRequest = (code: string, vi: string, en: string) => new DomainError('invalid', code, vi, en);

/** Readable one-time password: no look-alike characters, and it meets the password rule. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(14);
  let s = '';
  for (const b of bytes) s += alphabet[b % alphabet.length];
  return `${s.slice(0, 7)}-${s.slice(7)}9`;
}

export function checkPasswordRule(pw: string) {
  if (pw.length < MIN_PASSWORD_LENGTH || !/[A-Za-z]/.test(pw) || !/\d/.test(pw)) {
    throw badRequest(
      'WEAK_PASSWORD',
      `Mật khẩu cần ít nhất ${MIN_PASSWORD_LENGTH} ký tự, gồm cả chữ và số.`,
      `The password needs at least ${MIN_PASSWORD_LENGTH} characters with letters and digits.`,
    );
  }
}

/** A commune health station: a facility of commune level ("xã") registered in a commune. */
export const isStation = (facilityLevel: string | null, unitLevel: string | null | undefined): boolean =>
  facilityLevel === STATION_FACILITY_LEVEL && unitLevel === 'commune';

/** The facility level (tuyến) of commune stations in the facility registry. */
export const STATION_FACILITY_LEVEL = 'xã';

export async function createStaff(db: Db, s: NewStaff, by?: ByWhom): Promise<{ id: string; password: string }> {
  const sdb = staffDb(db);
  const username = s.username.trim().toLowerCase();
  if (!/^[a-z0-9._-]{3,64}$/.test(username)) {
    throw badRequest('USERNAME_INVALID', 'Tên đăng nhập gồm 3–64 ký tự: chữ thường, số, dấu chấm, gạch.', 'Username: 3–64 of a-z, 0-9, ".", "_", "-".');
  }
  if (!STAFF_ROLES.includes(s.role)) throw badRequest('ROLE_INVALID', 'Vai trò không hợp lệ.', 'Unknown role.');
  const facilityRole = FACILITY_ROLES.includes(s.role);
  if (facilityRole !== !!s.facilityCode) {
    throw badRequest('FACILITY_SCOPE', 'Quản trị cơ sở, bác sĩ, lễ tân và nhân viên trạm y tế phải thuộc đúng một cơ sở.', 'Facility roles need exactly one facility; other roles none.');
  }
  if ((s.role === 'health_officer') !== !!s.adminUnitCode) {
    throw badRequest('UNIT_SCOPE', 'Cán bộ y tế phải gắn với một đơn vị hành chính (tỉnh/huyện/xã).', 'A health officer needs one admin unit; other roles none.');
  }
  if (s.facilityCode && !(await sdb.selectFrom('facility').select('code').where('code', '=', s.facilityCode).executeTakeFirst())) {
    throw badRequest('FACILITY_UNKNOWN', `Cơ sở ${s.facilityCode} chưa được đăng ký.`, `Facility ${s.facilityCode} is not registered.`);
  }
  if ((STATION_ROLES as readonly StaffRole[]).includes(s.role) && s.facilityCode) {
    const station = await sdb
      .selectFrom('facility as f')
      .leftJoin('admin_unit as u', 'u.code', 'f.admin_unit_code')
      .select(['f.level', 'u.level as unit_level'])
      .where('f.code', '=', s.facilityCode)
      .executeTakeFirst();
    // Hospitals and private clinics are registered at the commune they stand in too: only a facility
    // of commune level (a station) in a commune unit gives its staff the commune as their area.
    if (station && !isStation(station.level, station.unit_level)) {
      throw badRequest(
        'STATION_SCOPE',
        `Cơ sở ${s.facilityCode} không phải trạm y tế xã (cơ sở tuyến xã thuộc một xã/phường): không thể gán vai trò của trạm y tế.`,
        `Facility ${s.facilityCode} is not a commune health station (commune-level facility in a commune), so it cannot hold station roles.`,
      );
    }
  }
  if (s.adminUnitCode && !(await sdb.selectFrom('admin_unit').select('code').where('code', '=', s.adminUnitCode).executeTakeFirst())) {
    throw badRequest('UNIT_UNKNOWN', `Không có đơn vị hành chính ${s.adminUnitCode}.`, `Admin unit ${s.adminUnitCode} does not exist.`);
  }
  if (await sdb.selectFrom('staff_account').select('id').where('username', '=', username).executeTakeFirst()) {
    throw new DomainError('conflict', 'USERNAME_TAKEN', 'Tên đăng nhập đã được dùng.', 'This username is taken.');
  }
  const password = s.password ?? generatePassword();
  checkPasswordRule(password);
  const id = `S${randomToken(9)}`;
  await sdb
    .insertInto('staff_account')
    .values({
      id,
      username,
      full_name: s.fullName,
      role: s.role,
      facility_code: s.facilityCode ?? null,
      admin_unit_code: s.adminUnitCode ?? null,
      password_hash: await hashSecret(password),
      must_change_password: s.password === undefined,
    })
    .execute();
  if (by) await audit(db, { actor: by.actor, action: 'staff.account.create', resource: `staff/${id}`, requestId: by.requestId, detail: { username, role: s.role } });
  return { id, password };
}

const invalidLogin = () => new DomainError('unauthenticated', 'INVALID_LOGIN', 'Tên đăng nhập hoặc mật khẩu không đúng.', 'Wrong username or password.');
const accountLocked = () =>
  new DomainError('locked', 'ACCOUNT_LOCKED', `Tài khoản bị khóa tạm thời do nhập sai nhiều lần. Thử lại sau ${LOCKOUT_MINUTES} phút.`, 'The account is temporarily locked after repeated failures.');

/** Same cost as a real check, so timing does not tell an unknown, disabled or locked account from a wrong password. */
const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';
const dummyVerify = (password: string) => verifySecret(password, DUMMY_HASH);

/**
 * An attempted username in the audit log of a failed login: a short hash lets an auditor see that one
 * name was tried many times without keeping what was typed (people type passwords into that field).
 */
const usernameDigest = (u: string) => createHash('sha256').update(u).digest('hex').slice(0, 16);

const ANONYMOUS: Actor = { type: 'staff', id: 'anonymous' };

interface AccountRow {
  id: string;
  full_name: string;
  role: StaffRole;
  facility_code: string | null;
}
const accountActor = (a: AccountRow): Actor => ({ type: 'staff', id: a.id, name: a.full_name, role: a.role, facilityCode: a.facility_code ?? undefined });

/**
 * Takes one of the account's attempts before the secret is checked, in one UPDATE, so concurrent
 * attempts cannot all pass a read-then-check: the MAX-th attempt locks the account at once and every
 * later one finds it locked. A correct secret lifts that (see succeedAttempt); a wrong one leaves it.
 * Undefined: the account is locked.
 */
async function reserveAttempt(sdb: StaffDb, id: string, now: Date): Promise<{ lockedHere: Date | null } | undefined> {
  const lockUntil = new Date(now.getTime() + WINDOW_MS);
  const r = await sdb
    .updateTable('staff_account')
    .set((eb) => ({
      failed_logins: eb.case().when('failed_logins', '>=', MAX_FAILED_LOGINS - 1).then(0).else(eb('failed_logins', '+', 1)).end(),
      // Typed cast: a bare parameter in a CASE branch is text to PostgreSQL.
      locked_until: eb.case().when('failed_logins', '>=', MAX_FAILED_LOGINS - 1).then(sql<Date>`cast(${lockUntil} as timestamptz)`).else(null).end(),
    }))
    .where('id', '=', id)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
    .returning(['locked_until'])
    .executeTakeFirst();
  if (!r) return undefined;
  return { lockedHere: r.locked_until ? new Date(r.locked_until) : null };
}

/** Gives an attempt back when the password was right but the flow is not finished (TOTP code asked for). */
async function releaseAttempt(sdb: StaffDb, id: string, reserved: { lockedHere: Date | null }) {
  if (reserved.lockedHere) {
    await sdb
      .updateTable('staff_account')
      .set({ locked_until: null, failed_logins: MAX_FAILED_LOGINS - 1 })
      .where('id', '=', id)
      .where('locked_until', '=', reserved.lockedHere)
      .execute();
  } else {
    await sdb
      .updateTable('staff_account')
      .set((eb) => ({ failed_logins: eb.fn('greatest', [eb('failed_logins', '-', 1), eb.lit(0)]) }))
      .where('id', '=', id)
      .execute();
  }
}

async function succeedAttempt(sdb: StaffDb, id: string, extra: { last_login_at?: Date } = {}) {
  await sdb.updateTable('staff_account').set({ failed_logins: 0, locked_until: null, ...extra }).where('id', '=', id).execute();
}

/**
 * Counts one failure of this client before anything is checked, in one atomic upsert: the window
 * opens at the client's first failure and a new one starts once it is LOCKOUT_MINUTES old.
 */
async function reserveClient(sdb: StaffDb, client: string, now: Date): Promise<{ window: Date; failures: number }> {
  const expired = new Date(now.getTime() - WINDOW_MS);
  const windowOver = sql<boolean>`staff_login_throttle.window_start <= cast(${expired} as timestamptz)`;
  const r = await sdb
    .insertInto('staff_login_throttle')
    .values({ client, window_start: now, failures: 1 })
    .onConflict((oc) =>
      oc.column('client').doUpdateSet((eb) => ({
        failures: eb.case().when(windowOver).then(1).else(eb('staff_login_throttle.failures', '+', 1)).end(),
        window_start: eb.case().when(windowOver).then(sql<Date>`cast(${now} as timestamptz)`).else(eb.ref('staff_login_throttle.window_start')).end(),
      })),
    )
    .returning(['failures', 'window_start'])
    .executeTakeFirstOrThrow();
  // A client opening a window clears other clients' finished ones: the table stays small.
  if (r.failures === 1) await sdb.deleteFrom('staff_login_throttle').where('window_start', '<=', expired).execute();
  return { window: new Date(r.window_start), failures: r.failures };
}

async function releaseClient(sdb: StaffDb, client: string, window: Date) {
  await sdb
    .updateTable('staff_login_throttle')
    .set((eb) => ({ failures: eb.fn('greatest', [eb('failures', '-', 1), eb.lit(0)]) }))
    .where('client', '=', client)
    .where('window_start', '=', window)
    .execute();
}

/** Marks a TOTP time step used, atomically, so one code cannot be accepted twice even by concurrent requests. */
async function consumeStep(sdb: StaffDb, id: string, step: number): Promise<boolean> {
  const r = await sdb
    .updateTable('staff_account')
    .set({ totp_last_step: step })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .returning('id')
    .executeTakeFirst();
  return r !== undefined;
}

export interface LoginAttempt {
  username: string;
  password: string;
  totp?: string | undefined;
  /** Client address (throttling and the audit log). */
  client: string;
  requestId?: string | undefined;
  now?: Date | undefined;
}

export type LoginOutcome = { ok: true; staffId: string; mustChangePassword: boolean };

/**
 * Password (+ TOTP when enrolled). Unknown, disabled, locked and wrong-password logins get one answer
 * at one cost (a scrypt each), so none of them tells an attacker which usernames exist or are locked.
 * Failures count toward a 15-minute lock after 5, whether the password or the code was wrong, so
 * neither can be guessed separately; and per client address, so many usernames cannot be sprayed.
 * Every failure is audited with its real reason.
 */
export async function authenticate(db: Db, a: LoginAttempt): Promise<LoginOutcome> {
  const now = a.now ?? new Date();
  const sdb = staffDb(db);
  const username = a.username.trim().toLowerCase();
  const client = await reserveClient(sdb, a.client, now);
  const acc = await sdb
    .selectFrom('staff_account')
    .select(['id', 'full_name', 'role', 'facility_code', 'password_hash', 'must_change_password', 'totp_enabled', 'totp_secret', 'totp_last_step', 'disabled_at'])
    .where('username', '=', username)
    .executeTakeFirst();
  const failed = (reason: string) =>
    audit(db, {
      actor: acc ? accountActor(acc) : ANONYMOUS,
      action: 'staff.login.failed',
      resource: acc ? `staff/${acc.id}` : undefined,
      requestId: a.requestId,
      detail: { reason, client: a.client, ...(acc ? {} : { username_sha256: usernameDigest(username) }) },
    });

  if (client.failures > MAX_FAILED_LOGINS_PER_CLIENT) {
    // Audited once per window: a flood must not turn into a flood of audit rows.
    if (client.failures === MAX_FAILED_LOGINS_PER_CLIENT + 1) await failed('client_throttled');
    throw new DomainError(
      'rate_limited',
      'LOGIN_THROTTLED',
      `Có quá nhiều lần đăng nhập không thành công từ địa chỉ này. Vui lòng thử lại sau ${LOCKOUT_MINUTES} phút.`,
      `Too many failed logins from this address. Try again in ${LOCKOUT_MINUTES} minutes.`,
    );
  }
  if (!acc || acc.disabled_at) {
    await dummyVerify(a.password);
    await failed(acc ? 'disabled' : 'unknown_user');
    throw invalidLogin();
  }
  const reserved = await reserveAttempt(sdb, acc.id, now);
  if (!reserved) {
    await dummyVerify(a.password);
    await failed('locked');
    throw invalidLogin();
  }
  if (!(await verifySecret(a.password, acc.password_hash))) {
    await failed('wrong_password');
    throw invalidLogin();
  }
  if (acc.totp_enabled && acc.totp_secret) {
    if (!a.totp) {
      // Not a failure: the client learns it must ask for the code (the password was right).
      await releaseAttempt(sdb, acc.id, reserved);
      await releaseClient(sdb, a.client, client.window);
      throw new DomainError('unauthenticated', 'TOTP_REQUIRED', 'Nhập mã xác thực 6 số từ ứng dụng xác thực.', 'Enter the 6-digit code from your authenticator app.');
    }
    const step = verifyTotp(acc.totp_secret, a.totp.trim(), now.getTime(), acc.totp_last_step === null ? undefined : Number(acc.totp_last_step));
    if (step === undefined || !(await consumeStep(sdb, acc.id, step))) {
      await failed('wrong_totp');
      throw new DomainError('unauthenticated', 'TOTP_INVALID', 'Mã xác thực không đúng hoặc đã dùng.', 'The authentication code is wrong or already used.');
    }
  }
  await succeedAttempt(sdb, acc.id, { last_login_at: now });
  await releaseClient(sdb, a.client, client.window);
  return { ok: true, staffId: acc.id, mustChangePassword: acc.must_change_password };
}

/**
 * Checks the account's own secrets inside a session (password change, TOTP removal): failures count
 * toward the same lock as logins, so a stolen session cannot be used to guess the password.
 */
async function withOwnSecrets(db: Db, staffId: string, check: (acc: { password_hash: string; totp_secret: string | null; totp_last_step: number | null }) => Promise<boolean>) {
  const sdb = staffDb(db);
  const acc = await sdb.selectFrom('staff_account').select(['password_hash', 'totp_secret', 'totp_last_step']).where('id', '=', staffId).executeTakeFirstOrThrow();
  const reserved = await reserveAttempt(sdb, staffId, new Date());
  if (!reserved) throw accountLocked();
  if (!(await check({ ...acc, totp_last_step: acc.totp_last_step === null ? null : Number(acc.totp_last_step) }))) return false;
  await succeedAttempt(sdb, staffId);
  return true;
}

export async function changePassword(db: Db, staffId: string, current: string, next: string, by?: ByWhom) {
  if (current === next) throw badRequest('SAME_PASSWORD', 'Mật khẩu mới phải khác mật khẩu cũ.', 'The new password must differ from the old one.');
  checkPasswordRule(next);
  const ok = await withOwnSecrets(db, staffId, (acc) => verifySecret(current, acc.password_hash));
  if (!ok) throw new DomainError('invalid', 'WRONG_PASSWORD', 'Mật khẩu hiện tại không đúng.', 'The current password is wrong.');
  await staffDb(db).updateTable('staff_account').set({ password_hash: await hashSecret(next), must_change_password: false }).where('id', '=', staffId).execute();
  if (by) await audit(db, { actor: by.actor, action: 'staff.password.change', resource: `staff/${staffId}`, requestId: by.requestId });
}

/**
 * Admin reset: a one-time password, changed at next login; also lifts a lockout and logs the account
 * out everywhere. `clearTotp` (system admins and the command line only) is for a lost phone.
 */
export async function resetPassword(db: Db, staffId: string, opts: { clearTotp?: boolean; by?: ByWhom } = {}): Promise<string> {
  const password = generatePassword();
  const clear = opts.clearTotp === true;
  await staffDb(db)
    .updateTable('staff_account')
    .set({
      password_hash: await hashSecret(password),
      must_change_password: true,
      failed_logins: 0,
      locked_until: null,
      ...(clear ? { totp_enabled: false, totp_secret: null, totp_last_step: null } : {}),
    })
    .where('id', '=', staffId)
    .execute();
  await endAllStaffSessions(db, staffId);
  if (opts.by) {
    await audit(db, { actor: opts.by.actor, action: 'staff.account.reset_password', resource: `staff/${staffId}`, requestId: opts.by.requestId, detail: { clear_totp: clear } });
  }
  return password;
}

/**
 * Disables or re-enables an account. A disabled account cannot log in (same answer as a wrong
 * password) and its sessions end at once. Returns false when it was already in that state.
 */
export async function setStaffDisabled(db: Db, staffId: string, disabled: boolean, by: ByWhom & { reason?: string | undefined }): Promise<boolean> {
  const sdb = staffDb(db);
  const r = await sdb
    .updateTable('staff_account')
    .set({ disabled_at: disabled ? new Date() : null })
    .where('id', '=', staffId)
    .where('disabled_at', disabled ? 'is' : 'is not', null)
    .executeTakeFirst();
  // Sessions are ended even when the flag was already set, so a repeated disable is always safe.
  if (disabled) await endAllStaffSessions(db, staffId);
  const changed = Number(r.numUpdatedRows) > 0;
  if (changed) {
    await audit(db, {
      actor: by.actor,
      action: disabled ? 'staff.account.disable' : 'staff.account.enable',
      resource: `staff/${staffId}`,
      requestId: by.requestId,
      ...(by.reason ? { detail: { reason: by.reason } } : {}),
    });
  }
  return changed;
}

/** Starts enrolment: the secret is stored but not enforced until a first code confirms it. */
export async function beginTotp(db: Db, staffId: string, username: string) {
  const sdb = staffDb(db);
  // Replacing an active secret would turn TOTP off with a session alone: that needs disableTotp.
  const r = await sdb
    .updateTable('staff_account')
    .set({ totp_secret: newTotpSecret(), totp_enabled: false, totp_last_step: null })
    .where('id', '=', staffId)
    .where('totp_enabled', '=', false)
    .returning('totp_secret')
    .executeTakeFirst();
  if (!r?.totp_secret) {
    throw new DomainError('conflict', 'TOTP_ALREADY_ENABLED', 'Xác thực hai lớp đã được bật. Muốn đổi thiết bị, hãy tắt trước (cần mật khẩu và mã hiện tại).', 'TOTP is already enabled; turn it off first (password and current code) to change devices.');
  }
  const uri = otpauthUri(r.totp_secret, username);
  return { secret: r.totp_secret, otpauth_uri: uri, qr: await otpauthQr(uri) };
}

export async function confirmTotp(db: Db, staffId: string, code: string, by?: ByWhom) {
  const sdb = staffDb(db);
  const acc = await sdb.selectFrom('staff_account').select(['totp_secret', 'totp_enabled']).where('id', '=', staffId).executeTakeFirstOrThrow();
  if (acc.totp_enabled) throw new DomainError('conflict', 'TOTP_ALREADY_ENABLED', 'Xác thực hai lớp đã được bật.', 'TOTP is already enabled.');
  const step = acc.totp_secret ? verifyTotp(acc.totp_secret, code.trim()) : undefined;
  if (step === undefined) throw badRequest('TOTP_INVALID', 'Mã xác thực không đúng.', 'The authentication code is wrong.');
  // Conditioned on the secret the code was checked against, in case enrolment was restarted meanwhile.
  const r = await sdb
    .updateTable('staff_account')
    .set({ totp_enabled: true, totp_last_step: step })
    .where('id', '=', staffId)
    .where('totp_secret', '=', acc.totp_secret)
    .where('totp_enabled', '=', false)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) throw badRequest('TOTP_INVALID', 'Mã xác thực không đúng.', 'The authentication code is wrong.');
  if (by) await audit(db, { actor: by.actor, action: 'staff.totp.enrol', resource: `staff/${staffId}`, requestId: by.requestId });
}

/** Self-service removal of TOTP: the password AND a current code, so neither a session nor a password alone can downgrade. */
export async function disableTotp(db: Db, staffId: string, password: string, code: string, by?: ByWhom) {
  const sdb = staffDb(db);
  const acc = await sdb.selectFrom('staff_account').select('totp_enabled').where('id', '=', staffId).executeTakeFirstOrThrow();
  if (!acc.totp_enabled) throw new DomainError('conflict', 'TOTP_NOT_ENABLED', 'Xác thực hai lớp chưa được bật.', 'TOTP is not enabled.');
  const ok = await withOwnSecrets(db, staffId, async (a) => {
    const pwOk = await verifySecret(password, a.password_hash);
    const step = a.totp_secret ? verifyTotp(a.totp_secret, code.trim(), Date.now(), a.totp_last_step ?? undefined) : undefined;
    return pwOk && step !== undefined && (await consumeStep(sdb, staffId, step));
  });
  if (!ok) {
    throw new DomainError('invalid', 'TOTP_DISABLE_REFUSED', 'Mật khẩu hoặc mã xác thực không đúng.', 'The password or the authentication code is wrong.');
  }
  await sdb.updateTable('staff_account').set({ totp_enabled: false, totp_secret: null, totp_last_step: null }).where('id', '=', staffId).execute();
  if (by) await audit(db, { actor: by.actor, action: 'staff.totp.disable', resource: `staff/${staffId}`, requestId: by.requestId });
}
