import { randomBytes } from 'node:crypto';
import { DomainError } from '@openhssk/core';
import { hashSecret, randomToken, verifySecret } from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { FACILITY_ROLES, STAFF_ROLES, type StaffRole, staffDb } from './tables.ts';
import { newTotpSecret, otpauthUri, verifyTotp } from './totp.ts';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;
const MIN_PASSWORD_LENGTH = 10;

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

export async function createStaff(db: Db, s: NewStaff): Promise<{ id: string; password: string }> {
  const sdb = staffDb(db);
  const username = s.username.trim().toLowerCase();
  if (!/^[a-z0-9._-]{3,64}$/.test(username)) {
    throw badRequest('USERNAME_INVALID', 'Tên đăng nhập gồm 3–64 ký tự: chữ thường, số, dấu chấm, gạch.', 'Username: 3–64 of a-z, 0-9, ".", "_", "-".');
  }
  if (!STAFF_ROLES.includes(s.role)) throw badRequest('ROLE_INVALID', 'Vai trò không hợp lệ.', 'Unknown role.');
  const facilityRole = FACILITY_ROLES.includes(s.role);
  if (facilityRole !== !!s.facilityCode) {
    throw badRequest('FACILITY_SCOPE', 'Quản trị cơ sở, bác sĩ và lễ tân phải thuộc đúng một cơ sở.', 'Facility roles need exactly one facility; other roles none.');
  }
  if ((s.role === 'health_officer') !== !!s.adminUnitCode) {
    throw badRequest('UNIT_SCOPE', 'Cán bộ y tế phải gắn với một đơn vị hành chính (tỉnh/huyện/xã).', 'A health officer needs one admin unit; other roles none.');
  }
  if (s.facilityCode && !(await sdb.selectFrom('facility').select('code').where('code', '=', s.facilityCode).executeTakeFirst())) {
    throw badRequest('FACILITY_UNKNOWN', `Cơ sở ${s.facilityCode} chưa được đăng ký.`, `Facility ${s.facilityCode} is not registered.`);
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
  return { id, password };
}

const invalidLogin = () => new DomainError('unauthenticated', 'INVALID_LOGIN', 'Tên đăng nhập hoặc mật khẩu không đúng.', 'Wrong username or password.');

export type LoginOutcome = { ok: true; staffId: string; mustChangePassword: boolean };

/**
 * Password (+ TOTP when enrolled). Failures count toward a 15-minute lock after 5, whether the
 * password or the code was wrong, so neither can be guessed separately.
 */
export async function authenticate(db: Db, username: string, password: string, totp: string | undefined, now = new Date()): Promise<LoginOutcome> {
  const sdb = staffDb(db);
  const acc = await sdb.selectFrom('staff_account').selectAll().where('username', '=', username.trim().toLowerCase()).executeTakeFirst();
  if (!acc || acc.disabled_at) {
    // Same cost as a real check, so timing does not reveal which usernames exist.
    await verifySecret(password, 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=');
    throw invalidLogin();
  }
  if (acc.locked_until && acc.locked_until > now) {
    throw new DomainError('locked', 'ACCOUNT_LOCKED', `Tài khoản bị khóa tạm thời do nhập sai nhiều lần. Thử lại sau ${LOCKOUT_MINUTES} phút.`, 'The account is temporarily locked after repeated failures.', {
      locked_until: acc.locked_until.toISOString(),
    });
  }
  const fail = async () => {
    const failed = acc.failed_logins + 1;
    const lock = failed >= MAX_FAILED_LOGINS;
    await sdb
      .updateTable('staff_account')
      .set({ failed_logins: lock ? 0 : failed, locked_until: lock ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : null })
      .where('id', '=', acc.id)
      .execute();
  };
  if (!(await verifySecret(password, acc.password_hash))) {
    await fail();
    throw invalidLogin();
  }
  let step: number | undefined;
  if (acc.totp_enabled && acc.totp_secret) {
    if (!totp) {
      // Not a failure: the client learns it must ask for the code (the password was right).
      throw new DomainError('unauthenticated', 'TOTP_REQUIRED', 'Nhập mã xác thực 6 số từ ứng dụng xác thực.', 'Enter the 6-digit code from your authenticator app.');
    }
    step = verifyTotp(acc.totp_secret, totp.trim(), now.getTime(), acc.totp_last_step === null ? undefined : Number(acc.totp_last_step));
    if (step === undefined) {
      await fail();
      throw new DomainError('unauthenticated', 'TOTP_INVALID', 'Mã xác thực không đúng hoặc đã dùng.', 'The authentication code is wrong or already used.');
    }
  }
  await sdb
    .updateTable('staff_account')
    .set({ failed_logins: 0, locked_until: null, last_login_at: now, ...(step !== undefined ? { totp_last_step: step } : {}) })
    .where('id', '=', acc.id)
    .execute();
  return { ok: true, staffId: acc.id, mustChangePassword: acc.must_change_password };
}

export async function changePassword(db: Db, staffId: string, current: string, next: string) {
  const sdb = staffDb(db);
  const acc = await sdb.selectFrom('staff_account').select('password_hash').where('id', '=', staffId).executeTakeFirstOrThrow();
  if (!(await verifySecret(current, acc.password_hash))) {
    throw new DomainError('invalid', 'WRONG_PASSWORD', 'Mật khẩu hiện tại không đúng.', 'The current password is wrong.');
  }
  if (current === next) throw badRequest('SAME_PASSWORD', 'Mật khẩu mới phải khác mật khẩu cũ.', 'The new password must differ from the old one.');
  checkPasswordRule(next);
  await sdb.updateTable('staff_account').set({ password_hash: await hashSecret(next), must_change_password: false }).where('id', '=', staffId).execute();
}

/** Admin reset: a one-time password, changed at next login; also lifts a lockout. */
export async function resetPassword(db: Db, staffId: string): Promise<string> {
  const password = generatePassword();
  await staffDb(db)
    .updateTable('staff_account')
    .set({ password_hash: await hashSecret(password), must_change_password: true, failed_logins: 0, locked_until: null })
    .where('id', '=', staffId)
    .execute();
  return password;
}

/** Starts enrolment: the secret is stored but not enforced until a first code confirms it. */
export async function beginTotp(db: Db, staffId: string, username: string) {
  const secret = newTotpSecret();
  await staffDb(db).updateTable('staff_account').set({ totp_secret: secret, totp_enabled: false, totp_last_step: null }).where('id', '=', staffId).execute();
  return { secret, otpauth_uri: otpauthUri(secret, username) };
}

export async function confirmTotp(db: Db, staffId: string, code: string) {
  const sdb = staffDb(db);
  const acc = await sdb.selectFrom('staff_account').select(['totp_secret']).where('id', '=', staffId).executeTakeFirstOrThrow();
  const step = acc.totp_secret ? verifyTotp(acc.totp_secret, code.trim()) : undefined;
  if (step === undefined) throw badRequest('TOTP_INVALID', 'Mã xác thực không đúng.', 'The authentication code is wrong.');
  await sdb.updateTable('staff_account').set({ totp_enabled: true, totp_last_step: step }).where('id', '=', staffId).execute();
}
