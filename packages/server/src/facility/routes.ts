import type { FastifyInstance } from 'fastify';
import { signFacilityToken, verifyFacilityToken } from '../auth/facility-token.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { ApiError } from '../http/problem.ts';
import { addCertificate, checkCredential } from './registry.ts';

export function registerFacilityRoutes(app: FastifyInstance, db: Db, config: Config, tokenKey: string) {
  /** OAuth 2.0 client-credentials grant for facility systems (form or JSON body). */
  app.post('/api/v1/auth/token', { schema: { summary: 'Client-credentials token for a facility system', tags: ['auth'] } }, async (req) => {
    const body = (req.body ?? {}) as Record<string, string | undefined>;
    let clientId = body.client_id;
    let clientSecret = body.client_secret;
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret ?? '');
    }
    if (body.grant_type !== undefined && body.grant_type !== 'client_credentials') {
      throw new ApiError(400, 'UNSUPPORTED_GRANT_TYPE', 'Chỉ hỗ trợ grant_type=client_credentials.', 'Only grant_type=client_credentials is supported.');
    }
    if (!clientId || !clientSecret) {
      throw new ApiError(400, 'CREDENTIALS_REQUIRED', 'Thiếu client_id hoặc client_secret.', 'client_id and client_secret are required.');
    }
    const facilityCode = await checkCredential(db, clientId, clientSecret);
    if (!facilityCode) {
      throw new ApiError(401, 'INVALID_CLIENT', 'Thông tin xác thực của cơ sở không đúng.', 'Invalid facility credentials.');
    }
    return signFacilityToken(tokenKey, facilityCode, clientId, config.facilityTokenTtlSeconds);
  });

  /** A facility registers the certificate it signs with (PEM body); several may be active. */
  app.post('/api/v1/facility/certificates', { schema: { summary: 'Upload a signing certificate', tags: ['facility'] } }, async (req, reply) => {
    const { facilityCode } = await verifyFacilityToken(tokenKey, req.headers.authorization);
    const body = req.body;
    const pem = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : undefined;
    if (!pem) throw new ApiError(400, 'CERT_REQUIRED', 'Thiếu tệp chứng thư số.', 'A certificate file is required.');
    const info = await addCertificate(db, facilityCode, pem);
    return reply.status(201).send({ fingerprint256: info.fingerprint256, subject: info.subject, not_before: info.notBefore, not_after: info.notAfter });
  });
}
