import { DomainError } from '@openhssk/core';
import { jwtVerify, SignJWT } from 'jose';

const AUDIENCE = 'openhssk-ingest';

/** Short-lived bearer token for a facility system (client-credentials grant). */
export async function signFacilityToken(key: string, facilityCode: string, clientId: string, ttlSeconds: number) {
  const token = await new SignJWT({ fac: facilityCode })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(clientId)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(`${ttlSeconds}s`)
    .sign(Buffer.from(key, 'base64url'));
  return { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds };
}

export async function verifyFacilityToken(key: string, authorization: string | undefined) {
  const m = /^Bearer\s+(.+)$/i.exec(authorization ?? '');
  if (!m?.[1]) {
    throw new DomainError('unauthenticated', 'TOKEN_MISSING', 'Thiếu mã truy cập (Bearer token).', 'A bearer token is required.');
  }
  try {
    const { payload } = await jwtVerify(m[1], Buffer.from(key, 'base64url'), { audience: AUDIENCE, algorithms: ['HS256'] });
    if (typeof payload.fac !== 'string' || typeof payload.sub !== 'string') throw new Error('claims');
    return { facilityCode: payload.fac, clientId: payload.sub };
  } catch {
    throw new DomainError('unauthenticated', 'TOKEN_INVALID', 'Mã truy cập không hợp lệ hoặc đã hết hạn.', 'The access token is invalid or expired.');
  }
}
