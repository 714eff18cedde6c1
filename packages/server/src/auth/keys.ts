import { generateKeyPairSync, randomBytes } from 'node:crypto';
import type { Db } from '../db/index.ts';

/**
 * Server-generated secrets (token signing key, development IdP keys) are created on first start
 * and kept in the database, so they never appear in the repository or in configuration files.
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

export interface ServerKeys {
  facilityTokenKey: string;
  idpCookieKeys: string[];
  idpJwk: Record<string, unknown>;
}

export async function loadServerKeys(db: Db): Promise<ServerKeys> {
  const facilityTokenKey = await loadOrCreateState(db, 'facility_token_key', () => randomBytes(32).toString('base64url'));
  const idpCookieKeys = await loadOrCreateState(db, 'idp_cookie_keys', () => [randomBytes(32).toString('base64url')]);
  const idpJwk = await loadOrCreateState(db, 'idp_jwk', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    return { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), alg: 'RS256', use: 'sig' };
  });
  return { facilityTokenKey, idpCookieKeys, idpJwk };
}
