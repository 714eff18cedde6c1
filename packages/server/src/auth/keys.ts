import { createCipheriv, createDecipheriv, createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DomainError } from '@openhssk/core';
import { sql } from 'kysely';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { encodeFacilityKeyRing, type FacilityTokenKey } from './facility-token.ts';

/**
 * Small server-generated state that is not secret enough to need protection (e.g. the demo
 * signers), created on first start and kept in the database.
 */
export async function loadOrCreateState<T>(db: Db, key: string, create: () => T): Promise<T> {
  const existing = await db.selectFrom('app_state').select('value').where('key', '=', key).executeTakeFirst();
  if (existing) return existing.value as T;
  const value = create();
  await db
    .insertInto('app_state')
    .values({ key, value: JSON.stringify(value) })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  // Another process may have won the race: read back what is stored.
  const stored = await db.selectFrom('app_state').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return stored.value as T;
}

/**
 * Where the server keys live:
 * - `keys_dir`: files in HSSK_KEYS_DIR (mode 0600), outside the database and its backups;
 * - `kek`: app_state, encrypted with AES-256-GCM under HSSK_KEK from the environment;
 * - `database_plaintext`: app_state in clear beside the health data: the embedded demo only
 *   (production start-up refuses it, startup/checks.ts).
 */
export type KeyStorage = 'keys_dir' | 'kek' | 'database_plaintext';

export type KeyConfig = Pick<Config, 'keysDir' | 'kek' | 'facilityTokenTtlSeconds'>;

export const keyStorageOf = (c: Pick<Config, 'keysDir' | 'kek'>): KeyStorage => (c.keysDir ? 'keys_dir' : c.kek ? 'kek' : 'database_plaintext');

export interface ServerKeys {
  /** The facility-token key ring (auth/facility-token.ts): current key first, retired ones until their tokens expire. */
  facilityTokenKey: string;
  /** Cookie keys of the development identity provider: the first signs, the others still verify. */
  idpCookieKeys: string[];
  idpJwk: Record<string, unknown>;
  storage: KeyStorage;
}

/** A retired facility-token key, stored with the time it stopped signing. */
interface StoredTokenKey {
  kid: string;
  key: string;
  created_at: string;
  retired_at?: string | undefined;
}

interface TokenKeyRing {
  keys: StoredTokenKey[];
}

/**
 * Every server secret, by its name in app_state and its file in the keys folder: one list, so the
 * production check of file modes and the storage choice cover keys other modules use too.
 */
const SECRETS = {
  facilityToken: { row: 'facility_token_keys', file: 'facility-token-keys.json' },
  idpCookies: { row: 'idp_cookie_keys', file: 'idp-cookie-keys.json' },
  idpJwk: { row: 'idp_jwk', file: 'idp-jwk.json' },
  // immunization/keys.ts: the vaccination certificate signing keys (ES256 ring).
  immunizationCertificate: { row: 'immunization_certificate_keys', file: 'immunization-certificate-keys.json' },
  // relay/settings.ts: each opted-in facility's password on the insurance portal.
  relayPortalPasswords: { row: 'relay_portal_passwords', file: 'relay-portal-passwords.json' },
} as const;
export type SecretName = keyof typeof SECRETS;

/** Rows of earlier versions, plaintext beside the health data; removed once the keys are protected. */
const PLAINTEXT_ROWS = ['facility_token_key', 'facility_token_keys', 'idp_cookie_keys', 'idp_jwk'];

/** How many dev IdP cookie keys a rotation keeps (the newest signs). */
const IDP_COOKIE_KEYS_KEPT = 3;
/** Clock difference tolerated between instances when a retired key stops verifying. */
const SKEW_SECONDS = 60;

const newTokenKey = (now: Date): StoredTokenKey => ({ kid: randomBytes(6).toString('base64url'), key: randomBytes(32).toString('base64url'), created_at: now.toISOString() });
const newCookieKey = () => randomBytes(32).toString('base64url');
function newJwk(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
}

export interface SecretStore {
  read(name: SecretName): Promise<unknown>;
  /** Stores `value` unless another process stored one first; returns what is stored. */
  create(name: SecretName, value: unknown): Promise<unknown>;
  replace(name: SecretName, value: unknown): Promise<void>;
}

// ---- HSSK_KEYS_DIR -------------------------------------------------------------------------------

function dirStore(dir: string): SecretStore {
  const path = (name: SecretName) => join(dir, SECRETS[name].file);
  const read = async (name: SecretName) => {
    try {
      return JSON.parse(readFileSync(path(name), 'utf8')) as unknown;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw keyError('KEY_FILE_UNREADABLE', `Không đọc được tệp khóa ${path(name)}: ${(e as Error).message}`, `Cannot read key file ${path(name)}: ${(e as Error).message}`);
    }
  };
  return {
    read,
    async create(name, value) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      try {
        // 'wx': a second instance starting at the same moment keeps the first one's key.
        writeFileSync(path(name), `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      return read(name);
    },
    async replace(name, value) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const tmp = `${path(name)}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600, flag: 'w' });
      renameSync(tmp, path(name));
    },
  };
}

/** Key files other users can read or write (mode & 077), for the production check. */
export function exposedKeyFiles(dir: string): string[] {
  const out: string[] = [];
  for (const { file } of Object.values(SECRETS)) {
    try {
      if ((statSync(join(dir, file)).mode & 0o077) !== 0) out.push(join(dir, file));
    } catch {
      // absent: created with 0600 on first start
    }
  }
  return out;
}

// ---- app_state, encrypted with HSSK_KEK or plaintext ---------------------------------------------

interface Sealed {
  enc: 'A256GCM';
  /** Fingerprint of the key-encryption key, so a wrong HSSK_KEK is named as such. */
  kek: string;
  iv: string;
  tag: string;
  data: string;
}

const isSealed = (v: unknown): v is Sealed => typeof v === 'object' && v !== null && (v as { enc?: unknown }).enc === 'A256GCM';

export const kekFingerprint = (kek: string) => createHash('sha256').update('hssk-kek\0').update(Buffer.from(kek, 'base64')).digest('hex').slice(0, 16);

// The row name is authenticated with the value: a sealed value copied to another row does not open.
const aad = (row: string) => Buffer.from(`hssk-key:${row}`, 'utf8');

export function sealValue(kek: string, row: string, value: unknown): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(kek, 'base64'), iv);
  cipher.setAAD(aad(row));
  const data = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
  return { enc: 'A256GCM', kek: kekFingerprint(kek), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
}

export function openValue(kek: string, row: string, sealed: Sealed): unknown {
  const fingerprint = kekFingerprint(kek);
  try {
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(kek, 'base64'), Buffer.from(sealed.iv, 'base64'));
    decipher.setAAD(aad(row));
    decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
    return JSON.parse(Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8')) as unknown;
  } catch {
    const which = sealed.kek === fingerprint ? '' : ` (stored under KEK ${sealed.kek}, HSSK_KEK is ${fingerprint})`;
    const whichVi = sealed.kek === fingerprint ? '' : ` (được mã hóa bằng KEK ${sealed.kek}, HSSK_KEK hiện là ${fingerprint})`;
    throw keyError(
      'KEK_MISMATCH',
      `HSSK_KEK không giải mã được khóa "${row}" trong cơ sở dữ liệu${whichVi}: dùng đúng khóa mã hóa khóa đã dùng khi tạo.`,
      `HSSK_KEK does not decrypt the stored key "${row}"${which}: set the key-encryption key it was stored with.`,
    );
  }
}

function databaseStore(db: Db, kek: string | undefined): SecretStore {
  const row = (name: SecretName) => SECRETS[name].row;
  const raw = async (name: SecretName) => (await db.selectFrom('app_state').select('value').where('key', '=', row(name)).executeTakeFirst())?.value;
  const wrap = (name: SecretName, value: unknown) => JSON.stringify(kek ? sealValue(kek, row(name), value) : value);
  const read = async (name: SecretName) => {
    const v = await raw(name);
    if (v === undefined) return undefined;
    if (kek) {
      // A plaintext value under a KEK was written in clear beside the health data: it is replaced, not adopted.
      return isSealed(v) ? openValue(kek, row(name), v) : undefined;
    }
    if (isSealed(v)) {
      throw keyError('KEK_MISSING', `Khóa "${row(name)}" được mã hóa nhưng chưa đặt HSSK_KEK.`, `The stored key "${row(name)}" is encrypted but HSSK_KEK is not set.`);
    }
    return v;
  };
  return {
    read,
    async create(name, value) {
      const before = await raw(name);
      if (before === undefined) {
        await db.insertInto('app_state').values({ key: row(name), value: wrap(name, value) }).onConflict((oc) => oc.column('key').doNothing()).execute();
      } else if (kek && !isSealed(before)) {
        // Compare-and-set: of two instances replacing the plaintext at once, one wins and both read it.
        await sql`update app_state set value = ${wrap(name, value)}::jsonb, updated_at = now()
          where key = ${row(name)} and value = ${JSON.stringify(before)}::jsonb`.execute(db);
      }
      return read(name);
    },
    async replace(name, value) {
      await db
        .insertInto('app_state')
        .values({ key: row(name), value: wrap(name, value) })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: wrap(name, value), updated_at: new Date() }))
        .execute();
    },
  };
}

/** The secret store the configuration chooses (keys folder, sealed app_state, or demo plaintext). */
export function openStore(db: Db, c: Pick<Config, 'keysDir' | 'kek'>): SecretStore {
  return c.keysDir ? dirStore(c.keysDir) : databaseStore(db, c.kek);
}

export function keyError(code: string, vi: string, en: string) {
  return new DomainError('internal', code, vi, en);
}

async function getOrCreate<T>(store: SecretStore, name: SecretName, create: () => T, valid: (v: unknown) => v is T): Promise<T> {
  const v = (await store.read(name)) ?? (await store.create(name, create()));
  if (!valid(v)) {
    throw keyError('KEY_MALFORMED', `Khóa "${SECRETS[name].row}" đã lưu không đúng định dạng.`, `The stored key "${SECRETS[name].row}" is malformed.`);
  }
  return v;
}

const isRing = (v: unknown): v is TokenKeyRing =>
  typeof v === 'object' && v !== null && Array.isArray((v as TokenKeyRing).keys) && (v as TokenKeyRing).keys.length > 0 &&
  (v as TokenKeyRing).keys.every((k) => typeof k?.kid === 'string' && /^[A-Za-z0-9_-]+$/.test(k.kid) && typeof k.key === 'string' && /^[A-Za-z0-9_-]{43}$/.test(k.key));
const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((s) => typeof s === 'string' && s.length >= 32);
const isJwk = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && (v as { kty?: unknown }).kty === 'RSA';

/** The ring's signing key first, then retired keys that may still have signed an unexpired token. */
function liveRing(ring: TokenKeyRing, ttlSeconds: number, now: Date): FacilityTokenKey[] {
  const current = ring.keys.find((k) => !k.retired_at) ?? ring.keys[0]!;
  const retired = ring.keys
    .filter((k) => k !== current && k.retired_at)
    .map((k) => ({ kid: k.kid, key: k.key, notAfter: Math.floor(Date.parse(k.retired_at!) / 1000) + ttlSeconds + SKEW_SECONDS }))
    .filter((k) => k.notAfter > now.getTime() / 1000);
  return [{ kid: current.kid, key: current.key }, ...retired];
}

/**
 * The server's keys, from the keys folder, from app_state under the KEK, or (embedded demo) from
 * app_state in clear, each created on first use. Plaintext rows of earlier versions are dropped
 * once the keys are kept in files: they were readable by anyone with a database copy.
 */
export async function loadServerKeys(db: Db, config: KeyConfig, now = new Date()): Promise<ServerKeys> {
  const store = openStore(db, config);
  const ring = await getOrCreate(store, 'facilityToken', () => ({ keys: [newTokenKey(now)] }), isRing);
  const idpCookieKeys = await getOrCreate(store, 'idpCookies', () => [newCookieKey()], isStringList);
  const idpJwk = await getOrCreate(store, 'idpJwk', newJwk, isJwk);
  if (config.keysDir) await db.deleteFrom('app_state').where('key', 'in', PLAINTEXT_ROWS).execute();
  else if (config.kek) await db.deleteFrom('app_state').where('key', '=', 'facility_token_key').execute();
  return {
    facilityTokenKey: encodeFacilityKeyRing(liveRing(ring, config.facilityTokenTtlSeconds, now)),
    idpCookieKeys,
    idpJwk,
    storage: keyStorageOf(config),
  };
}

export interface RotationResult {
  /** Key id of the new facility-token signing key. */
  facilityTokenKid: string;
  /** Retired facility-token keys still accepted (their tokens have not all expired). */
  retiredStillAccepted: number;
  idpCookieKeys: number;
  storage: KeyStorage;
}

/**
 * `hssk keys rotate`: a new facility-token signing key (the previous one verifies the tokens it
 * signed until they expire, then is dropped) and a new first dev IdP cookie key. Running servers
 * read their keys at start: restart them after a rotation.
 */
export async function rotateServerKeys(db: Db, config: KeyConfig, now = new Date()): Promise<RotationResult> {
  const store = openStore(db, config);
  const ring = await getOrCreate(store, 'facilityToken', () => ({ keys: [newTokenKey(now)] }), isRing);
  const cutoff = now.getTime() - (config.facilityTokenTtlSeconds + SKEW_SECONDS) * 1000;
  const fresh = newTokenKey(now);
  const keys = [
    fresh,
    ...ring.keys
      .map((k) => ({ ...k, retired_at: k.retired_at ?? now.toISOString() }))
      .filter((k) => Date.parse(k.retired_at) > cutoff),
  ];
  await store.replace('facilityToken', { keys });
  const cookies = await getOrCreate(store, 'idpCookies', () => [newCookieKey()], isStringList);
  const idpCookieKeys = [newCookieKey(), ...cookies].slice(0, IDP_COOKIE_KEYS_KEPT);
  await store.replace('idpCookies', idpCookieKeys);
  return { facilityTokenKid: fresh.kid, retiredStillAccepted: keys.length - 1, idpCookieKeys: idpCookieKeys.length, storage: keyStorageOf(config) };
}
