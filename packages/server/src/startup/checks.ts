import type { BilingualMessage } from '@openhssk/core';
import { sql } from 'kysely';
import { exposedKeyFiles, keyStorageOf, verifySecret } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { DEMO_STAFF_USERNAMES, type DemoPresence, demoPresence } from '../demo/index.ts';
import { DEMO_STAFF_PASSWORD } from '../staff/index.ts';

/**
 * Why a production start is refused. Each check is a function of what it looks at (the settings,
 * what the database holds) and returns its reasons, so the rules are tested without a server;
 * productionRefusals() gathers the facts and runs them all.
 */
export type StartRefusal = BilingualMessage;

const refusal = (code: string, message_vi: string, message_en: string): StartRefusal => ({ code, message_vi, message_en });

/** Settings that are unsafe in service whatever the database holds. */
export function configRefusals(c: Config): StartRefusal[] {
  const out: StartRefusal[] = [];
  if (!c.oidcIssuer && c.devIdp) {
    out.push(
      refusal(
        'DEV_IDP_ENABLED',
        'Nhà cung cấp định danh thử nghiệm (/idp) sẽ được bật: đặt OIDC_ISSUER (VNeID) hoặc HSSK_DEV_IDP=0.',
        'The development identity provider (/idp) would be mounted: set OIDC_ISSUER (VNeID) or HSSK_DEV_IDP=0.',
      ),
    );
  }
  if (c.oidcIssuer && !c.oidcIssuer.startsWith('https://')) {
    out.push(refusal('OIDC_ISSUER_NOT_HTTPS', `OIDC_ISSUER phải dùng https, đang là ${c.oidcIssuer}.`, `OIDC_ISSUER must be https, got ${c.oidcIssuer}.`));
  }
  if (c.demo) {
    out.push(refusal('DEMO_ENABLED', 'HSSK_DEMO đang bật: dữ liệu mẫu sẽ được tạo. Đặt HSSK_DEMO=0.', 'HSSK_DEMO is on: the demo district would be created. Set HSSK_DEMO=0.'));
  }
  if (!c.publicUrl.startsWith('https://')) {
    out.push(
      refusal(
        'PUBLIC_URL_NOT_HTTPS',
        `HSSK_PUBLIC_URL phải là địa chỉ https (đang là ${c.publicUrl}): cookie đăng nhập chỉ an toàn qua TLS.`,
        `HSSK_PUBLIC_URL must be an https address (got ${c.publicUrl}): login cookies are safe only over TLS.`,
      ),
    );
  }
  if (keyStorageOf(c) === 'database_plaintext') {
    out.push(
      refusal(
        'KEYS_DEVELOPMENT',
        'Khóa máy chủ là khóa phát triển, lưu không mã hóa trong cơ sở dữ liệu: đặt HSSK_KEYS_DIR hoặc HSSK_KEK.',
        'The server keys are the generated development ones, stored unencrypted in the database: set HSSK_KEYS_DIR or HSSK_KEK.',
      ),
    );
  }
  return out;
}

/** Key files other users of the machine can read. */
export function keyFileRefusals(exposed: readonly string[]): StartRefusal[] {
  return exposed.map((f) =>
    refusal('KEY_FILE_EXPOSED', `Tệp khóa ${f} có thể bị người dùng khác đọc: chmod 600 ${f}.`, `Key file ${f} is readable by other users: chmod 600 ${f}.`),
  );
}

const list = (xs: readonly string[]) => (xs.length > 5 ? `${xs.slice(0, 5).join(', ')}… (${xs.length})` : xs.join(', '));

/** Demo objects left in the database (marked ones, or the app_state rows of an older demo). */
export function demoRefusals(p: DemoPresence): StartRefusal[] {
  if (p.total === 0) return [];
  const what = Object.entries(p.objects).map(([k, n]) => `${k} ${n}`);
  if (p.legacyState.length) what.push(`app_state ${p.legacyState.length}`);
  return [
    refusal(
      'DEMO_PRESENT',
      `Cơ sở dữ liệu còn dữ liệu mẫu (${what.join(', ')}): chạy "hssk demo purge".`,
      `The database still holds demo data (${what.join(', ')}): run "hssk demo purge".`,
    ),
  ];
}

export interface StaffPasswordFacts {
  /** Active accounts that still open with the published demo password. */
  demoPassword: string[];
  /** Active accounts whose one-time password has gone unused longer than allowed. */
  staleOneTime: string[];
}

export function staffRefusals(f: StaffPasswordFacts, hours: number): StartRefusal[] {
  const out: StartRefusal[] = [];
  if (f.demoPassword.length) {
    out.push(
      refusal(
        'STAFF_DEMO_PASSWORD',
        `Tài khoản nhân viên còn mật khẩu mẫu công khai: ${list(f.demoPassword)}. Chạy "hssk demo purge" hoặc đổi mật khẩu.`,
        `Staff accounts still have the published demo password: ${list(f.demoPassword)}. Run "hssk demo purge" or change their passwords.`,
      ),
    );
  }
  if (f.staleOneTime.length) {
    out.push(
      refusal(
        'STAFF_ONE_TIME_PASSWORD',
        `Mật khẩu dùng một lần chưa được đổi sau ${hours} giờ: ${list(f.staleOneTime)}. Cấp lại ("hssk staff reset") và đăng nhập để đổi, hoặc vô hiệu hóa tài khoản.`,
        `One-time passwords unused for more than ${hours} h: ${list(f.staleOneTime)}. Issue a new one ("hssk staff reset") and log in to change it, or disable the account.`,
      ),
    );
  }
  return out;
}

/**
 * Read-only look at staff_account: accounts of the demo (marked, or named as the demo names them)
 * are tried against the demo password. Every account is not: scrypt costs ~50 ms each, and a
 * province has thousands; a weak password chosen later is the password rule's business.
 */
export async function staffPasswordFacts(db: Db, hours: number): Promise<StaffPasswordFacts> {
  const rows = (
    await sql<{ username: string; password_hash: string; stale: boolean; demo: boolean }>`
      select username, password_hash,
             must_change_password and password_set_at < now() - make_interval(hours => ${hours}) as stale,
             (id in (select key from demo_object where kind = 'staff_account') or username = any(${[...DEMO_STAFF_USERNAMES]}::text[])) as demo
        from staff_account
       where disabled_at is null
         and (must_change_password or id in (select key from demo_object where kind = 'staff_account') or username = any(${[...DEMO_STAFF_USERNAMES]}::text[]))
       order by username`.execute(db)
  ).rows;
  const demoPassword: string[] = [];
  for (const r of rows) if (r.demo && (await verifySecret(DEMO_STAFF_PASSWORD, r.password_hash))) demoPassword.push(r.username);
  return { demoPassword, staleOneTime: rows.filter((r) => r.stale).map((r) => r.username) };
}

/** Every reason to refuse a production start; empty = safe to serve. Reads the database, writes nothing. */
export async function productionRefusals(db: Db, config: Config): Promise<StartRefusal[]> {
  return [
    ...configRefusals(config),
    ...(config.keysDir ? keyFileRefusals(exposedKeyFiles(config.keysDir)) : []),
    ...demoRefusals(await demoPresence(db)),
    ...staffRefusals(await staffPasswordFacts(db, config.oneTimePasswordHours), config.oneTimePasswordHours),
  ];
}

/** One stderr line per reason: Vietnamese, then English. */
export const formatRefusal = (r: StartRefusal) => `[${r.code}] Không khởi động: ${r.message_vi} | Not starting: ${r.message_en}`;
