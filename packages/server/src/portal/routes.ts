import { DomainError, vietnamCompact } from '@openhssk/core';
import { decodeBase64Strict } from '@openhssk/core/xml130';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { audit } from '../audit/index.ts';
import { signFacilityToken, verifyFacilityToken } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { capRequestBody, clientAddress, enforceBodyCap, httpStatusOf, toDomainError, typedRoutes } from '../http/index.ts';
import { checkDeclaredBody, ingestCheckin, ingestEnvelope, registerIngestRateLimit, requestFacility, setRequestFacility } from '../ingest/index.ts';
import { checkPortalPassword } from './credentials.ts';

/**
 * Drop-in endpoints for HIS software written against the national insurance portal
 * (egw.baohiemxahoi.gov.vn): same paths, field names and answer shape, backed by the one ingest path.
 * The answer shape is reconstructed from vendor client code, not from an official specification.
 */

const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

const portalAnswer = Type.Object(
  {
    maKetQua: Type.Optional(Type.String({ description: "'200' accepted (fully or partly); otherwise the failure class (HTTP status as text)" })),
    maGiaoDich: Type.Optional(Type.String({ description: 'Transaction id = our receipt id' })),
    thoiGianTiepNhan: Type.Optional(Type.String({ description: 'yyyyMMddHHmmss, Vietnam time' })),
    thongDiep: Type.Optional(Type.String({ description: 'Vietnamese message' })),
    code: Type.Optional(Type.String({ description: 'Our stable error code (extension)' })),
    message_en: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

const portalAnswers = { 200: portalAnswer, 400: portalAnswer, 401: portalAnswer, 403: portalAnswer, 413: portalAnswer, 415: portalAnswer, 422: portalAnswer, 429: portalAnswer };

const tokenAnswer = Type.Object({
  maKetQua: Type.Optional(Type.String()),
  APIKey: Type.Optional(
    Type.Object({
      access_token: Type.Optional(Type.String()),
      id_token: Type.Optional(Type.String()),
      token_type: Type.Optional(Type.String()),
      username: Type.Optional(Type.String()),
      expires_in: Type.Optional(Type.Integer()),
    }),
  ),
});

/*
 * Portal forms arrive form-urlencoded or as JSON. Every field is optional and unbounded (the body
 * limit bounds them) so that a missing or wrong value gets the portal's own code and message; Ajv's
 * type coercion turns a number (loaiHoSo: 130 in JSON) into the text vendor clients mean.
 */
const loginForm = Type.Object({
  username: Type.Optional(Type.String({ maxLength: 4096, description: 'client_id' })),
  password: Type.Optional(Type.String({ maxLength: 4096, description: 'upper-case MD5 of the portal password' })),
});
/** Submission form; the token may come in the body as well as in the header or the query. */
const portalForm = Type.Object({
  token: Type.Optional(Type.String({ maxLength: 4096 })),
  id_token: Type.Optional(Type.String({ maxLength: 4096 })),
  username: Type.Optional(Type.String({ maxLength: 4096 })),
  loaiHoSo: Type.Optional(Type.String({ maxLength: 4096, description: '130 for an envelope, 0 for a check-in' })),
  maTinh: Type.Optional(Type.String({ maxLength: 4096 })),
  maCSKCB: Type.Optional(Type.String({ maxLength: 4096, description: 'when given, must be the facility of the token' })),
  // The whole file: bounded by the route's body limit, not here.
  fileHSBase64: Type.Optional(Type.String({ description: 'base64 of the whole XML file' })),
});
type PortalForm = Static<typeof portalForm>;
const tokenQuery = Type.Object({ token: Type.Optional(Type.String({ maxLength: 4096 })), id_token: Type.Optional(Type.String({ maxLength: 4096 })) });
type TokenQuery = Static<typeof tokenQuery>;

/** The onRequest guard runs before validation, so it narrows the parsed query itself. */
function rawQueryToken(query: unknown): string | undefined {
  if (query === null || typeof query !== 'object') return undefined;
  const token = 'token' in query && typeof query.token === 'string' ? query.token : undefined;
  return token ?? ('id_token' in query && typeof query.id_token === 'string' ? query.id_token : undefined);
}

/** Portal clients read maKetQua; the HTTP status mirrors it so generic HTTP tooling sees failures too. */
function portalError(error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  const e = toDomainError(error);
  const status = httpStatusOf(e);
  if (status >= 500) req.log.error({ err: error }, 'unhandled error');
  return reply.status(status).send({
    maKetQua: String(status),
    maGiaoDich: '',
    thoiGianTiepNhan: vietnamCompact(),
    thongDiep: e.message_vi,
    code: e.code,
    message_en: e.message_en,
  });
}

async function facilityFromRequest(req: FastifyRequest, tokenKey: string, body: PortalForm, query: TokenQuery): Promise<string> {
  const known = requestFacility(req);
  if (known) return known;
  const t = body.token ?? body.id_token ?? query.token ?? query.id_token;
  const { facilityCode } = await verifyFacilityToken(tokenKey, t ? `Bearer ${t}` : undefined);
  return facilityCode;
}

const bodyTokenTooLarge = (limit: number) =>
  new DomainError(
    'too_large',
    'PAYLOAD_TOO_LARGE',
    `Khi token chỉ nằm trong nội dung form, gói tin không được vượt quá ${limit} byte; hãy gửi token trong tiêu đề Authorization (Bearer) hoặc tham số token trên địa chỉ.`,
    `With the token only inside the form, the request may not exceed ${limit} bytes; send the token in the Authorization header (Bearer) or the token query parameter.`,
    { limit_bytes: limit },
  );

function decodeFile(body: PortalForm, maxBytes: number): Buffer {
  const b64 = body.fileHSBase64;
  if (!b64) throw new DomainError('invalid', 'BODY_REQUIRED', 'Thiếu trường fileHSBase64.', 'The fileHSBase64 field is missing.');
  // Size is judged from the base64 length before anything is decoded.
  return decodeBase64Strict(b64, maxBytes, 'fileHSBase64');
}

function checkCommonFields(body: PortalForm, facilityCode: string, expectedType: string) {
  const loai = body.loaiHoSo;
  if (loai !== undefined && loai.trim() !== expectedType) {
    throw new DomainError('invalid', 'LOAIHOSO_INVALID', `loaiHoSo phải là "${expectedType}".`, `loaiHoSo must be "${expectedType}".`);
  }
  const ma = body.maCSKCB;
  if (ma !== undefined && ma.trim() !== '' && ma.trim() !== facilityCode) {
    throw new DomainError('forbidden', 'FACILITY_MISMATCH', 'maCSKCB khác với cơ sở của tài khoản gửi.', 'maCSKCB differs from the facility of the sending account.');
  }
}

export function registerPortalRoutes(app: FastifyInstance, db: Db, config: Config, tokenKey: string) {
  // base64 of the largest envelope we take, plus room for the other form fields.
  const formLimit = Math.ceil(config.maxEnvelopeBytes / 3) * 4 + 64 * 1024;

  app.register(async (plain) => {
    plain.setErrorHandler(portalError);
    await registerIngestRateLimit(plain);
    const scope = typedRoutes(plain);

    /**
     * Header checks, and the facility when the token is in the header or query, before the body is
     * read (a wrong token there is 401 at once). Vendor clients that put the token only inside the
     * form are still served, but their body is read only up to portalBodyTokenLimit: an anonymous
     * sender must not make us buffer the full envelope limit before we can tell who it is.
     */
    const guard = (limit: number) => async (req: FastifyRequest) => {
      checkDeclaredBody(req, limit, FORM_TYPES);
      const header = req.headers.authorization;
      const queryToken = rawQueryToken(req.query);
      const bearer = header && /^Bearer\s/i.test(header) ? header : queryToken ? `Bearer ${queryToken}` : undefined;
      if (bearer) setRequestFacility(req, (await verifyFacilityToken(tokenKey, bearer)).facilityCode);
      else if (limit > config.portalBodyTokenLimit) capRequestBody(req, config.portalBodyTokenLimit, bodyTokenTooLarge(config.portalBodyTokenLimit));
    };

    scope.post(
      '/api/token/take',
      {
        onRequest: guard(64 * 1024),
        config: { rateLimit: {} },
        schema: {
          summary: 'Portal-compatible login: username = client_id, password = upper-case MD5 of the portal password',
          description: 'Answer shape of the national portal as seen in vendor clients (UNVERIFIED against an official specification).',
          tags: ['portal'],
          body: loginForm,
          response: {
            200: tokenAnswer,
            400: portalAnswer,
            401: portalAnswer,
            429: portalAnswer,
          },
        },
      },
      async (req) => {
        const { username, password } = req.body;
        // Token issuance is audited here as on /api/v1/auth/token: success and refusal, never the password.
        const refuse = async (e: DomainError) => {
          const claimed = username ? username.slice(0, 128) : '(none)';
          await audit(db, { actor: { type: 'facility', id: claimed }, action: 'facility.token.refuse', resource: `facility-credential/${claimed}`, requestId: req.id, detail: { code: e.code, ip: clientAddress(req), channel: 'portal' } });
          return e;
        };
        if (!username || !password) throw await refuse(new DomainError('invalid', 'CREDENTIALS_REQUIRED', 'Thiếu username hoặc password.', 'username and password are required.'));
        const facilityCode = await checkPortalPassword(db, username, password);
        if (!facilityCode) throw await refuse(new DomainError('unauthenticated', 'INVALID_CLIENT', 'Tên đăng nhập hoặc mật khẩu không đúng.', 'Invalid username or password.'));
        await audit(db, {
          actor: { type: 'facility', id: username, facilityCode },
          action: 'facility.token.issue',
          resource: `facility-credential/${username}`,
          requestId: req.id,
          detail: { ip: clientAddress(req), ttl_seconds: config.facilityTokenTtlSeconds, channel: 'portal' },
        });
        const t = await signFacilityToken(tokenKey, facilityCode, username, config.facilityTokenTtlSeconds);
        return {
          maKetQua: '200',
          APIKey: { access_token: t.access_token, id_token: t.access_token, token_type: 'bearer', username, expires_in: t.expires_in },
        };
      },
    );

    scope.post(
      '/api/qd130/guiHoSoXmlQD4750',
      {
        bodyLimit: formLimit,
        onRequest: guard(formLimit),
        preParsing: enforceBodyCap,
        config: { rateLimit: {} },
        schema: {
          summary: 'Portal-compatible submission of a GIAMDINHHS envelope (fileHSBase64 = base64 of the whole file)',
          description: "maKetQua '200' = accepted or partly accepted (maGiaoDich = receipt id, readable at /api/v1/xml130/receipts/{id}).",
          tags: ['portal'],
          body: portalForm,
          querystring: tokenQuery,
          response: portalAnswers,
        },
      },
      async (req) => {
        const facilityCode = await facilityFromRequest(req, tokenKey, req.body, req.query);
        checkCommonFields(req.body, facilityCode, '130');
        const raw = decodeFile(req.body, config.maxEnvelopeBytes);
        const { receipt, duplicate } = await ingestEnvelope(db, { facilityCode, raw, channel: 'portal', maxBytes: config.maxEnvelopeBytes, allowSha1: config.xmldsigAllowSha1 });
        const c = receipt.counts;
        const summary_vi = `${c.episodes} hồ sơ: ${c.accepted} hợp lệ, ${c.accepted_with_warnings} có cảnh báo, ${c.unchanged} không đổi, ${c.rejected} bị từ chối.`;
        if (receipt.status === 'rejected') {
          throw new DomainError('unprocessable', 'EPISODES_REJECTED', `Tất cả hồ sơ bị từ chối (mã giao dịch ${receipt.receipt_id}). ${summary_vi}`, 'Every episode was rejected.');
        }
        return {
          maKetQua: '200',
          maGiaoDich: receipt.receipt_id,
          thoiGianTiepNhan: vietnamCompact(new Date(receipt.received_at)),
          thongDiep: duplicate ? `Hồ sơ đã được tiếp nhận trước đó. ${summary_vi}` : `Tiếp nhận thành công. ${summary_vi}`,
        };
      },
    );

    scope.post(
      '/api/qd130/checkInKcbQd4750',
      {
        bodyLimit: 2 * 1024 * 1024,
        onRequest: guard(2 * 1024 * 1024),
        preParsing: enforceBodyCap,
        config: { rateLimit: {} },
        schema: {
          summary: 'Portal-compatible check-in (XML0, loaiHoSo = 0, fileHSBase64 = base64 of the check-in XML)',
          tags: ['portal'],
          body: portalForm,
          querystring: tokenQuery,
          response: portalAnswers,
        },
      },
      async (req) => {
        const facilityCode = await facilityFromRequest(req, tokenKey, req.body, req.query);
        checkCommonFields(req.body, facilityCode, '0');
        const raw = decodeFile(req.body, 1024 * 1024);
        const result = await ingestCheckin(db, facilityCode, raw, config.xmldsigAllowSha1);
        const okRows = result.rows.filter((r) => r.status !== 'rejected').length;
        if (okRows === 0) {
          const first = result.rows[0]?.issues[0];
          throw new DomainError('unprocessable', 'CHECKIN_REJECTED', `Bản tin check-in bị từ chối${first ? `: ${first.message_vi}` : '.'}`, 'The check-in was rejected.');
        }
        return {
          maKetQua: '200',
          maGiaoDich: '',
          thoiGianTiepNhan: vietnamCompact(),
          thongDiep: `Tiếp nhận ${okRows}/${result.rows.length} bản tin check-in.`,
        };
      },
    );
  });
}
