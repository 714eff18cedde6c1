import type { X509Certificate } from 'node:crypto';
import { DomainError, notFound } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { CERTIFICATE_BODY_LIMIT, rawBodySchema, typedRoutes } from '../http/index.ts';
import { requireStaff, type StaffContext, staffActor } from '../staff/index.ts';
import { addCertificate, approveCertificate, chainVerdict, listCertificates, revokeCertificate, uploadAnswer } from './certificates.ts';
import { firstMultipartFile } from './multipart.ts';
import { CERT_WARN_DAYS } from './onboarding.ts';
import { getFacility } from './registry.ts';
import { loadTrustAnchors } from './trust-anchors.ts';

const codeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 16 }) });
const certParams = Type.Object({
  code: Type.String({ minLength: 1, maxLength: 16 }),
  fingerprint: Type.String({ minLength: 1, maxLength: 128, description: 'SHA-256 fingerprint, AB:CD:… or 64 hex digits' }),
});
const revokeBody = Type.Union([Type.Object({ reason: Type.Optional(Type.String({ maxLength: 500 })) }), Type.Null()]);

const MANAGERS = ['system_admin', 'facility_admin'] as const;
const VIEWERS = ['system_admin', 'facility_admin', 'health_officer'] as const;

const STATUS_VI = { pending: 'Chờ duyệt', approved: 'Đã duyệt', revoked: 'Đã thu hồi' } as const;

/**
 * Approving is what makes a certificate able to put diagnoses into citizens' books, so it needs
 * more than a password: the account must have TOTP, which login then demands.
 */
function requireMfa(s: StaffContext) {
  if (!s.totpEnabled) {
    throw new DomainError(
      'forbidden',
      'MFA_REQUIRED',
      'Cần bật xác thực hai lớp (mã TOTP) cho tài khoản và đăng nhập lại bằng mã đó trước khi duyệt chứng thư số.',
      'Approving a signing certificate requires two-factor authentication (TOTP) on your account.',
    );
  }
}

/**
 * Staff-facing certificate list, upload, approval and revocation. Registered with the facility
 * routes because they need the configuration (the CA directory); a scope of their own carries the
 * multipart parser for browser uploads.
 */
export function registerCertificateRoutes(fastify: FastifyInstance, db: Db, config: Config) {
  // Re-read per decision (not cached): an operator who removes a CA expects it gone at once.
  const anchors = (): readonly X509Certificate[] | undefined => (config.trustedCaDir ? loadTrustAnchors(config.trustedCaDir) : undefined);

  fastify.register(async (scope) => {
    scope.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: CERTIFICATE_BODY_LIMIT }, (_req, body, done) => done(null, body));
    const app = typedRoutes(scope);

    const facilityOr404 = async (code: string) => {
      if (!(await getFacility(db, code))) throw notFound('cơ sở', 'Facility');
    };

    app.get('/api/v1/facilities/:code/certificates', { schema: { summary: 'Signing certificates with status and expiry warnings', tags: ['facility'], params: codeParams } }, async (req) => {
      const { code } = req.params;
      await requireStaff(db, req, { roles: VIEWERS, facility: code });
      const trust = anchors();
      const now = Date.now();
      const rows = await listCertificates(db, code);
      return {
        chain_required: !!trust,
        certificates: rows.map(({ cert_pem, ...r }) => {
          const daysLeft = Math.floor((r.not_after.getTime() - now) / 86400_000);
          const chain = r.status === 'pending' ? chainVerdict(cert_pem, trust) : undefined;
          return {
            ...r,
            status_vi: STATUS_VI[r.status],
            days_left: daysLeft,
            // Expiry view kept from before statuses existed: revoked > expired > expiring > valid.
            state: r.revoked_at ? 'revoked' : daysLeft < 0 ? 'expired' : daysLeft < CERT_WARN_DAYS ? 'expiring' : 'valid',
            ...(chain ? { chain_ok: chain.ok, ...(chain.ok ? {} : { chain_problem_vi: chain.reason_vi }) } : {}),
          };
        }),
      };
    });

    // The body is a Buffer (raw or multipart), a string or JSON: no one schema describes all three,
    // so the schema only documents it and certificateBytes narrows it.
    app.post(
      '/api/v1/facilities/:code/certificates',
      {
        bodyLimit: CERTIFICATE_BODY_LIMIT,
        config: { rawBody: true },
        // The session and its scope are checked before any body byte is read (anonymous uploads are not buffered).
        onRequest: async (req) => {
          await requireStaff(db, req, { roles: MANAGERS, facility: req.params.code });
        },
        schema: { summary: 'Upload a certificate, trusted at once (PEM or DER; raw body, JSON {pem} or multipart)', tags: ['facility'], params: codeParams, body: rawBodySchema('PEM text, DER bytes, JSON {pem} or a multipart file') },
      },
      async (req, reply) => {
        const { code } = req.params;
        const s = await requireStaff(db, req, { roles: MANAGERS, facility: code });
        await facilityOr404(code);
        const bytes = certificateBytes(req);
        if (!bytes?.length) throw new DomainError('invalid', 'CERT_REQUIRED', 'Thiếu tệp chứng thư số.', 'A certificate file is required.');
        // An upload by a TOTP account is trusted at once; without TOTP it waits for approval like a token
        // upload in production (an upload must not be a way around the MFA that approval needs).
        const info = await addCertificate(db, code, bytes, { actor: staffActor(s), approve: s.totpEnabled || !config.production, anchors: anchors(), requestId: req.id });
        const daysLeft = Math.floor((info.notAfter.getTime() - Date.now()) / 86400_000);
        return reply.status(201).send({
          ...uploadAnswer(info),
          status_vi: STATUS_VI[info.status],
          days_left: daysLeft,
          ...(daysLeft < CERT_WARN_DAYS ? { warning_vi: `Chứng thư số chỉ còn hiệu lực ${daysLeft} ngày.` } : {}),
        });
      },
    );

    app.post(
      '/api/v1/facilities/:code/certificates/:fingerprint/approve',
      { schema: { summary: 'Approve a pending certificate (facility admin or system admin, with TOTP)', tags: ['facility'], params: certParams, body: Type.Union([Type.Object({}), Type.Null()]) } },
      async (req) => {
        const { code, fingerprint } = req.params;
        const s = await requireStaff(db, req, { roles: MANAGERS, facility: code });
        await facilityOr404(code);
        requireMfa(s);
        const r = await approveCertificate(db, code, fingerprint, { actor: staffActor(s), anchors: anchors(), requestId: req.id });
        return { ...r, status_vi: STATUS_VI[r.status] };
      },
    );

    app.post(
      '/api/v1/facilities/:code/certificates/:fingerprint/revoke',
      { schema: { summary: 'Revoke a certificate at once (envelopes signed with it are refused from now on)', tags: ['facility'], params: certParams, body: revokeBody } },
      async (req) => {
        const { code, fingerprint } = req.params;
        // No TOTP needed: stopping a certificate is the safe direction and must stay quick.
        const s = await requireStaff(db, req, { roles: MANAGERS, facility: code });
        await facilityOr404(code);
        const r = await revokeCertificate(db, code, fingerprint, { actor: staffActor(s), reason: req.body?.reason, requestId: req.id });
        return { ...r, status_vi: STATUS_VI[r.status] };
      },
    );
  });
}

function certificateBytes(req: FastifyRequest): Buffer | undefined {
  const body = req.body;
  const ct = req.headers['content-type'] ?? '';
  if (Buffer.isBuffer(body)) return ct.startsWith('multipart/form-data') ? firstMultipartFile(body, ct) : body;
  if (typeof body === 'string') return Buffer.from(body);
  if (body && typeof body === 'object') {
    if ('pem' in body && typeof body.pem === 'string') return Buffer.from(body.pem);
    if ('der_base64' in body && typeof body.der_base64 === 'string') return Buffer.from(body.der_base64, 'base64');
  }
  return undefined;
}
