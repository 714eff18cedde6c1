import { DomainError } from '@openhssk/core';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';

const AUDIENCE = 'openhssk-ingest';

/**
 * One signing key of the facility-token key ring. The first key of a ring signs; the others only
 * verify, each until `notAfter` (epoch seconds): a key retired by `hssk keys rotate` keeps the
 * tokens it signed valid until they expire, and no longer, so a rotation after a leak ends its use.
 */
export interface FacilityTokenKey {
  /** Key id written in the token header; absent only for a bare key (one key, no rotation). */
  kid?: string | undefined;
  /** 32 random bytes, base64url. */
  key: string;
  notAfter?: number | undefined;
}

/**
 * The ring travels as one string because the facility, ingest and portal routes hold it as their
 * `tokenKey: string`: entries `kid.key[.notAfter]` joined by ','. Both parts are base64url and the
 * expiry digits, so neither separator can occur inside an entry. A string with neither separator
 * is a bare key.
 */
export function encodeFacilityKeyRing(keys: readonly FacilityTokenKey[]): string {
  if (keys.length === 0) throw new Error('a facility-token key ring needs at least one key');
  return keys
    .map((k) => {
      if (!k.kid) throw new Error('keys of a ring carry a kid');
      return [k.kid, k.key, ...(k.notAfter === undefined ? [] : [String(k.notAfter)])].join('.');
    })
    .join(',');
}

let parsed: { text: string; ring: FacilityTokenKey[] } | undefined;

function parseRing(text: string): FacilityTokenKey[] {
  if (parsed?.text === text) return parsed.ring;
  const ring = text.includes('.')
    ? text.split(',').map((entry) => {
        const [kid, key, notAfter] = entry.split('.');
        if (!kid || !key) throw new Error('malformed facility-token key ring');
        return { kid, key, notAfter: notAfter ? Number(notAfter) : undefined };
      })
    : [{ key: text }];
  parsed = { text, ring };
  return ring;
}

/** Short-lived bearer token for a facility system (client-credentials grant), signed with the ring's current key. */
export async function signFacilityToken(key: string, facilityCode: string, clientId: string, ttlSeconds: number, scopes?: readonly string[]) {
  const current = parseRing(key)[0]!;
  // Without scopes (the ingest grant) the token reads everything its facility sent, as before SMART.
  const token = await new SignJWT(scopes ? { fac: facilityCode, scope: scopes.join(' ') } : { fac: facilityCode })
    .setProtectedHeader(current.kid ? { alg: 'HS256', kid: current.kid } : { alg: 'HS256' })
    .setSubject(clientId)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(Buffer.from(current.key, 'base64url'));
  return { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds };
}

const invalidToken = () =>
  new DomainError('unauthenticated', 'TOKEN_INVALID', 'Mã truy cập không hợp lệ hoặc đã hết hạn.', 'The access token is invalid or expired.');

export async function verifyFacilityToken(key: string, authorization: string | undefined) {
  const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (!m?.[1]) {
    throw new DomainError('unauthenticated', 'TOKEN_MISSING', 'Thiếu mã truy cập (Bearer token).', 'A bearer token is required.');
  }
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(m[1]).kid;
  } catch {
    throw invalidToken();
  }
  const now = Date.now() / 1000;
  // Tokens signed before key ids existed carry none: any live key of the ring may have signed them.
  const candidates = parseRing(key).filter((k) => (kid === undefined || k.kid === kid) && (k.notAfter === undefined || now <= k.notAfter));
  for (const k of candidates) {
    try {
      const { payload } = await jwtVerify(m[1], Buffer.from(k.key, 'base64url'), { audience: AUDIENCE, algorithms: ['HS256'] });
      if (typeof payload.fac !== 'string' || typeof payload.sub !== 'string') break;
      const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : undefined;
      return { facilityCode: payload.fac, clientId: payload.sub, ...(scopes ? { scopes } : {}) };
    } catch {
      // the next candidate, if any
    }
  }
  throw invalidToken();
}
