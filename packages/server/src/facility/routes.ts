import { DomainError } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { signFacilityToken, verifyFacilityToken } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { rawBodySchema, typedRoutes } from '../http/index.ts';
import { addCertificate, checkCredential } from './registry.ts';

const tokenFields = Type.Object({
  grant_type: Type.Optional(Type.String({ maxLength: 64 })),
  client_id: Type.Optional(Type.String({ maxLength: 256 })),
  client_secret: Type.Optional(Type.String({ maxLength: 1024 })),
});
// A client sending its credentials only as HTTP Basic may send no body at all.
const tokenBody = Type.Union([tokenFields, Type.Null()]);

/** What a certificate upload may be sent as (the content-type parser reads them as bytes). */
const CERT_CONTENT_TYPES = ['application/x-pem-file', 'application/pkix-cert', 'application/octet-stream', 'text/plain'];

export function registerFacilityRoutes(fastify: FastifyInstance, db: Db, config: Config, tokenKey: string) {
  const app = typedRoutes(fastify);
  /** OAuth 2.0 client-credentials grant for facility systems (form or JSON body). */
  app.post('/api/v1/auth/token', { schema: { summary: 'Client-credentials token for a facility system', tags: ['auth'], body: tokenBody } }, async (req) => {
    const body = req.body ?? {};
    let clientId = body.client_id;
    let clientSecret = body.client_secret;
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret ?? '');
    }
    if (body.grant_type !== undefined && body.grant_type !== 'client_credentials') {
      throw new DomainError('invalid', 'UNSUPPORTED_GRANT_TYPE', 'Chỉ hỗ trợ grant_type=client_credentials.', 'Only grant_type=client_credentials is supported.');
    }
    if (!clientId || !clientSecret) {
      throw new DomainError('invalid', 'CREDENTIALS_REQUIRED', 'Thiếu client_id hoặc client_secret.', 'client_id and client_secret are required.');
    }
    const facilityCode = await checkCredential(db, clientId, clientSecret);
    if (!facilityCode) {
      throw new DomainError('unauthenticated', 'INVALID_CLIENT', 'Thông tin xác thực của cơ sở không đúng.', 'Invalid facility credentials.');
    }
    return signFacilityToken(tokenKey, facilityCode, clientId, config.facilityTokenTtlSeconds);
  });

  /**
   * A facility registers the certificate it signs with (PEM body); several may be active. The body is
   * raw bytes or text, not JSON, so the schema only documents it and it is narrowed here.
   */
  app.post('/api/v1/facility/certificates', { schema: { summary: 'Upload a signing certificate', tags: ['facility'], consumes: CERT_CONTENT_TYPES, body: rawBodySchema('The certificate, PEM text or DER bytes') } }, async (req, reply) => {
    const { facilityCode } = await verifyFacilityToken(tokenKey, req.headers.authorization);
    const body = req.body;
    const pem = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : undefined;
    if (!pem) throw new DomainError('invalid', 'CERT_REQUIRED', 'Thiếu tệp chứng thư số.', 'A certificate file is required.');
    const info = await addCertificate(db, facilityCode, pem);
    return reply.status(201).send({ fingerprint256: info.fingerprint256, subject: info.subject, not_before: info.notBefore, not_after: info.notAfter });
  });
}
