import { DomainError } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type Actor, audit } from '../audit/index.ts';
import { signFacilityToken, verifyFacilityToken } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { CERTIFICATE_BODY_LIMIT, rawBodySchema, typedRoutes } from '../http/index.ts';
import { registerCertificateRoutes } from './certificate-routes.ts';
import { addCertificate, uploadAnswer } from './certificates.ts';
import { checkCredential, credentialFacility } from './registry.ts';
import { checkTrustAnchorDir } from './trust-anchors.ts';

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
  // Fail at start-up, not at the first approval: a CA directory that is missing or empty would
  // otherwise refuse every certificate with a misleading "not issued by a trusted CA".
  if (config.trustedCaDir) checkTrustAnchorDir(config.trustedCaDir);
  registerCertificateRoutes(fastify, db, config);

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
    // Every attempt is recorded (never the secret): a leaked secret shows up as tokens issued at
    // odd hours or from an unknown address, a guessing attack as a run of refusals.
    const refuse = async (e: DomainError) => {
      const claimed = clientId ? clientId.slice(0, 128) : '(none)';
      const actor: Actor = { type: 'facility', id: claimed, facilityCode: clientId ? await credentialFacility(db, clientId) : undefined };
      await audit(db, { actor, action: 'facility.token.refuse', resource: `facility-credential/${claimed}`, requestId: req.id, detail: { code: e.code, ip: req.ip } });
      return e;
    };
    if (body.grant_type !== undefined && body.grant_type !== 'client_credentials') {
      throw await refuse(new DomainError('invalid', 'UNSUPPORTED_GRANT_TYPE', 'Chỉ hỗ trợ grant_type=client_credentials.', 'Only grant_type=client_credentials is supported.'));
    }
    if (!clientId || !clientSecret) {
      throw await refuse(new DomainError('invalid', 'CREDENTIALS_REQUIRED', 'Thiếu client_id hoặc client_secret.', 'client_id and client_secret are required.'));
    }
    const facilityCode = await checkCredential(db, clientId, clientSecret);
    if (!facilityCode) {
      throw await refuse(new DomainError('unauthenticated', 'INVALID_CLIENT', 'Thông tin xác thực của cơ sở không đúng.', 'Invalid facility credentials.'));
    }
    await audit(db, {
      actor: { type: 'facility', id: clientId, facilityCode },
      action: 'facility.token.issue',
      resource: `facility-credential/${clientId}`,
      requestId: req.id,
      detail: { ip: req.ip, ttl_seconds: config.facilityTokenTtlSeconds },
    });
    return signFacilityToken(tokenKey, facilityCode, clientId, config.facilityTokenTtlSeconds);
  });

  /**
   * A facility system registers a certificate it signs with (PEM body); several may be active. A
   * token is only a machine secret, so the certificate waits for a facility admin (with TOTP) or a
   * system admin to approve it in the staff portal; until then envelopes signed with it are refused.
   * The body is raw bytes or text, not JSON, so the schema only documents it and it is narrowed here.
   */
  app.post(
    '/api/v1/facility/certificates',
    {
      bodyLimit: CERTIFICATE_BODY_LIMIT,
      // The token is checked before a body byte is read: an anonymous client cannot make us buffer.
      onRequest: async (req) => {
        await verifyFacilityToken(tokenKey, req.headers.authorization);
      },
      config: { rawBody: true },
      schema: { summary: 'Upload a signing certificate (pending until approved in the staff portal)', tags: ['facility'], consumes: CERT_CONTENT_TYPES, body: rawBodySchema('The certificate, PEM text or DER bytes') },
    },
    async (req, reply) => {
      const { facilityCode, clientId } = await verifyFacilityToken(tokenKey, req.headers.authorization);
      const body = req.body;
      const pem = Buffer.isBuffer(body) ? body : typeof body === 'string' ? Buffer.from(body) : undefined;
      if (!pem) throw new DomainError('invalid', 'CERT_REQUIRED', 'Thiếu tệp chứng thư số.', 'A certificate file is required.');
      const info = await addCertificate(db, facilityCode, pem, { actor: { type: 'facility', id: clientId, facilityCode }, approve: false, requestId: req.id });
      return reply.status(201).send({
        ...uploadAnswer(info),
        ...(info.status === 'pending'
          ? {
              note_vi: 'Chứng thư số đang chờ quản trị cơ sở duyệt trên cổng nhân viên. Hồ sơ ký bằng chứng thư này bị từ chối (CERT_UNTRUSTED) cho đến khi được duyệt.',
              note_en: 'The certificate waits for approval by a facility administrator in the staff portal; envelopes signed with it are refused (CERT_UNTRUSTED) until then.',
            }
          : {}),
      });
    },
  );
}
