import { generateKeyPairSync } from 'node:crypto';
import { type CryptoKey, calculateJwkThumbprint, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { keyError, openStore, type SecretStore } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';

/**
 * The platform key that signs vaccination certificates (ES256), stored by auth/ with the server's
 * other keys (a file in HSSK_KEYS_DIR, app_state sealed under HSSK_KEK, or — embedded demo only,
 * refused in production — app_state in clear). Generated on first use, never in the repository.
 * The key id is the key's RFC 7638 thumbprint; a rotation adds a key that signs from then on and
 * keeps the earlier ones published: a certificate printed years ago must still verify.
 */

export type CertificateKeyConfig = Pick<Config, 'keysDir' | 'kek'>;

const NAME = 'immunizationCertificate';

interface StoredKey {
  kid: string;
  /** Private EC P-256 JWK. */
  jwk: JWK;
  created_at: string;
  /** Set when a newer key took over signing; the key stays published for verification. */
  retired_at?: string | undefined;
}

interface StoredRing {
  keys: StoredKey[];
}

export interface CertificateKeys {
  /** The key that signs new certificates. */
  signer: { kid: string; key: CryptoKey };
  /** Public keys of every key that ever signed, for /.well-known/jwks.json and offline checks. */
  jwks: JSONWebKeySet;
}

const isRing = (v: unknown): v is StoredRing =>
  typeof v === 'object' && v !== null && Array.isArray((v as StoredRing).keys) && (v as StoredRing).keys.length > 0 &&
  (v as StoredRing).keys.every((k) => typeof k?.kid === 'string' && k.jwk?.kty === 'EC' && k.jwk.crv === 'P-256' && typeof k.jwk.d === 'string');

async function newKey(now: Date): Promise<StoredKey> {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint({ kty: 'EC', crv: jwk.crv, x: jwk.x, y: jwk.y } as JWK);
  return { kid, jwk: { ...jwk, kid, alg: 'ES256', use: 'sig' }, created_at: now.toISOString() };
}

export const publicJwk = (k: StoredKey): JWK => ({ kty: 'EC', crv: 'P-256', x: k.jwk.x, y: k.jwk.y, kid: k.kid, alg: 'ES256', use: 'sig' });

async function ringOf(db: Db, config: CertificateKeyConfig, now: Date): Promise<{ store: SecretStore; ring: StoredRing }> {
  const store = openStore(db, config);
  const ring = (await store.read(NAME)) ?? (await store.create(NAME, { keys: [await newKey(now)] }));
  if (!isRing(ring)) throw keyError('KEY_MALFORMED', 'Khóa ký giấy chứng nhận tiêm chủng đã lưu không đúng định dạng.', 'The stored certificate signing key is malformed.');
  return { store, ring };
}

/** The signing key and the published key set; created on first use. */
export async function loadCertificateKeys(db: Db, config: CertificateKeyConfig, now = new Date()): Promise<CertificateKeys> {
  const { ring } = await ringOf(db, config, now);
  const current = ring.keys.find((k) => !k.retired_at) ?? ring.keys[0]!;
  const key = (await importJWK(current.jwk, 'ES256')) as CryptoKey;
  return { signer: { kid: current.kid, key }, jwks: { keys: ring.keys.map(publicJwk) } };
}

/**
 * A new signing key; the previous ones stay published (certificates they signed keep verifying).
 * Running servers read the key at their first certificate: restart them after a rotation.
 */
export async function rotateCertificateKey(db: Db, config: CertificateKeyConfig, now = new Date()): Promise<{ kid: string; published: number }> {
  const { store, ring } = await ringOf(db, config, now);
  const fresh = await newKey(now);
  const keys = [fresh, ...ring.keys.map((k) => ({ ...k, retired_at: k.retired_at ?? now.toISOString() }))];
  await store.replace(NAME, { keys });
  return { kid: fresh.kid, published: keys.length };
}
