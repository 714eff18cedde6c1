import { DomainError } from '@openhssk/core';
import type { RelaySettingView } from '@openhssk/core/api';
import { sql } from 'kysely';
import { keyError, openStore } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { PortalTarget } from './portal-client.ts';

/**
 * A facility's relay settings. The portal URL, user name and province code are plain columns; the
 * password is a server secret kept by auth/keys.ts with the other keys (a 0600 file in
 * HSSK_KEYS_DIR, or app_state sealed under HSSK_KEK; in clear only for the embedded demo, which
 * production refuses). It is never returned by an endpoint, written to the access log or logged.
 */

export type SecretConfig = Pick<Config, 'keysDir' | 'kek'>;

const SECRET = 'relayPortalPasswords';

export interface RelaySetting {
  facility_code: string;
  enabled: boolean;
  portal_url: string;
  username: string;
  ma_tinh: string | null;
  updated_by: string;
  updated_at: Date;
}

type PasswordMap = Record<string, string>;
const isPasswordMap = (v: unknown): v is PasswordMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && Object.values(v).every((x) => typeof x === 'string');

async function passwords(db: Db, config: SecretConfig): Promise<PasswordMap> {
  const v = (await openStore(db, config).read(SECRET)) ?? {};
  if (!isPasswordMap(v)) throw keyError('KEY_MALFORMED', 'Mật khẩu cổng tiếp nhận đã lưu không đúng định dạng.', 'The stored portal passwords are malformed.');
  return v;
}

export async function readSetting(db: Db, facilityCode: string): Promise<RelaySetting | undefined> {
  return (await sql<RelaySetting>`select * from relay_setting where facility_code = ${facilityCode}`.execute(db)).rows[0];
}

export async function settingView(db: Db, config: SecretConfig, facilityCode: string): Promise<RelaySettingView | null> {
  const s = await readSetting(db, facilityCode);
  if (!s) return null;
  return { ...s, updated_at: s.updated_at.toISOString(), password_set: facilityCode in (await passwords(db, config)) };
}

export interface SettingInput {
  enabled: boolean;
  portalUrl: string;
  username: string;
  /** Omitted = keep the stored one. */
  password?: string | undefined;
  maTinh?: string | undefined;
}

const invalid = (code: string, vi: string, en: string) => new DomainError('invalid', code, vi, en);

/**
 * The portal address must be http(s) and, when HSSK_RELAY_PORTAL_HOSTS is set, one of those hosts:
 * the server posts the facility's signed data there, so an administrator cannot point it at an
 * internal service.
 */
export function checkPortalUrl(raw: string, allowedHosts: readonly string[], requireHttps: boolean): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw invalid('RELAY_URL_INVALID', 'Địa chỉ cổng tiếp nhận không hợp lệ.', 'The portal URL is not valid.');
  }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && !requireHttps)) {
    throw invalid('RELAY_URL_INVALID', 'Địa chỉ cổng tiếp nhận phải dùng https.', 'The portal URL must use https.');
  }
  if (u.username || u.password || u.search || u.hash) {
    throw invalid('RELAY_URL_INVALID', 'Địa chỉ cổng tiếp nhận không được chứa tài khoản, tham số hay phân đoạn.', 'The portal URL may not carry credentials, a query or a fragment.');
  }
  // Where https is required (production) and no allow-list is set, a facility admin still may not
  // point the server at itself or the internal network: the answers come back on the relay screen.
  if (requireHttps && allowedHosts.length === 0 && internalHost(u.hostname)) {
    throw invalid('RELAY_HOST_NOT_ALLOWED', `Máy chủ ${u.host} là địa chỉ nội bộ, không phải cổng tiếp nhận.`, `Host ${u.host} is an internal address, not a portal.`);
  }
  if (allowedHosts.length > 0 && !allowedHosts.includes(u.host.toLowerCase())) {
    throw invalid('RELAY_HOST_NOT_ALLOWED', `Máy chủ ${u.host} không nằm trong danh sách cổng tiếp nhận được phép.`, `Host ${u.host} is not an allowed portal host.`);
  }
  return u.toString().replace(/\/+$/, '');
}

export async function saveSetting(db: Db, config: SecretConfig, facilityCode: string, input: SettingInput, by: string): Promise<void> {
  const username = input.username.trim();
  if (!username) throw invalid('RELAY_USERNAME_REQUIRED', 'Nhập tên đăng nhập cổng tiếp nhận.', 'The portal user name is required.');
  const maTinh = input.maTinh?.trim() || null;
  if (maTinh !== null && !/^\d{2}$/.test(maTinh)) throw invalid('RELAY_MA_TINH_INVALID', 'Mã tỉnh gồm 2 chữ số.', 'maTinh is two digits.');
  const store = openStore(db, config);
  const stored = await passwords(db, config);
  if (input.password !== undefined && input.password !== '') {
    await store.replace(SECRET, { ...stored, [facilityCode]: input.password });
  } else if (input.enabled && !(facilityCode in stored)) {
    throw invalid('RELAY_PASSWORD_REQUIRED', 'Nhập mật khẩu cổng tiếp nhận trước khi bật chuyển tiếp.', 'Set the portal password before turning the relay on.');
  }
  await sql`insert into relay_setting (facility_code, enabled, portal_url, username, ma_tinh, updated_by)
    values (${facilityCode}, ${input.enabled}, ${input.portalUrl}, ${username}, ${maTinh}, ${by})
    on conflict (facility_code) do update set enabled = excluded.enabled, portal_url = excluded.portal_url, username = excluded.username,
      ma_tinh = excluded.ma_tinh, updated_by = excluded.updated_by, updated_at = now()`.execute(db);
}

/** Where and as whom a facility's messages go; undefined when it has no usable setting. */
export async function portalTarget(db: Db, config: SecretConfig, facilityCode: string): Promise<PortalTarget | undefined> {
  const s = await readSetting(db, facilityCode);
  const password = (await passwords(db, config))[facilityCode];
  if (!s || password === undefined) return undefined;
  return { url: s.portal_url, username: s.username, password, facilityCode, maTinh: s.ma_tinh ?? facilityCode.slice(0, 2) };
}

/** Loopback, private, link-local and unique-local addresses, and names that only resolve inside. */
function internalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost') || h.endsWith('.local') || h.endsWith('.internal') || !h.includes('.') && !h.includes(':')) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  return h === '::1' || h === '::' || h.startsWith('fc') || h.startsWith('fd') || h.startsWith('fe80') || h.startsWith('::ffff:');
}
