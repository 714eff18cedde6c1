import { decodeBase64Strict } from '@openhssk/core/xml130/envelope';
import { XmlInputError } from '@openhssk/core/xml130/errors';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { signFacilityToken, verifyFacilityToken } from '../auth/facility-token.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { ingestCheckin } from '../ingest/checkin.ts';
import { checkDeclaredBody, registerIngestRateLimit, requestFacility, setRequestFacility } from '../ingest/guard.ts';
import { ingestEnvelope } from '../ingest/service.ts';
import { ApiError } from '../http/problem.ts';
import { checkPortalPassword } from './credentials.ts';

/**
 * Drop-in endpoints for HIS software written against the national insurance portal
 * (egw.baohiemxahoi.gov.vn): same paths, field names and answer shape, backed by the one ingest path.
 * The answer shape is reconstructed from vendor client code, not from an official specification.
 */

const FORM_TYPES = ['application/x-www-form-urlencoded', 'application/json'];

/** yyyyMMddHHmmss in Vietnam time (UTC+7, no daylight saving), as the portal answers. */
export function portalTime(d: Date): string {
  return new Date(d.getTime() + 7 * 3600_000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

const portalAnswer = {
  type: 'object',
  additionalProperties: true,
  properties: {
    maKetQua: { type: 'string', description: "'200' accepted (fully or partly); otherwise the failure class (HTTP status as text)" },
    maGiaoDich: { type: 'string', description: 'Transaction id = our receipt id' },
    thoiGianTiepNhan: { type: 'string', description: 'yyyyMMddHHmmss, Vietnam time' },
    thongDiep: { type: 'string', description: 'Vietnamese message' },
    code: { type: 'string', description: 'Our stable error code (extension)' },
    message_en: { type: 'string' },
  },
} as const;

const portalAnswers = { 200: portalAnswer, 400: portalAnswer, 401: portalAnswer, 403: portalAnswer, 413: portalAnswer, 415: portalAnswer, 422: portalAnswer, 429: portalAnswer };

function field(body: unknown, name: string): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const v = (body as Record<string, unknown>)[name];
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function toApiError(error: FastifyError | Error): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof XmlInputError) return new ApiError(error.code === 'ENVELOPE_TOO_LARGE' ? 413 : 400, error.code, error.message_vi, error.message_en);
  const fe = error as FastifyError;
  if (fe.validation) return new ApiError(400, 'VALIDATION_FAILED', `Dữ liệu gửi lên không hợp lệ: ${fe.message}`, `Invalid request: ${fe.message}`);
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new ApiError(413, 'PAYLOAD_TOO_LARGE', 'Dữ liệu gửi lên quá lớn.', 'The request body is too large.');
  if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new ApiError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Kiểu nội dung không được hỗ trợ.', 'Unsupported content type.');
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ApiError(fe.statusCode, fe.code ?? 'BAD_REQUEST', 'Yêu cầu không hợp lệ.', fe.message);
  }
  return new ApiError(500, 'INTERNAL', 'Lỗi hệ thống, vui lòng thử lại sau.', 'Internal error, please retry later.');
}

/** Portal clients read maKetQua; the HTTP status mirrors it so generic HTTP tooling sees failures too. */
function portalError(error: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  const e = toApiError(error);
  if (e.status >= 500) req.log.error({ err: error }, 'unhandled error');
  return reply.status(e.status).send({
    maKetQua: String(e.status),
    maGiaoDich: '',
    thoiGianTiepNhan: portalTime(new Date()),
    thongDiep: e.message_vi,
    code: e.code,
    message_en: e.message_en,
  });
}

async function facilityFromRequest(req: FastifyRequest, tokenKey: string): Promise<string> {
  const known = requestFacility(req);
  if (known) return known;
  const q = req.query as Record<string, unknown>;
  const t = field(req.body, 'token') ?? field(req.body, 'id_token') ?? field(q, 'token') ?? field(q, 'id_token');
  const { facilityCode } = await verifyFacilityToken(tokenKey, t ? `Bearer ${t}` : undefined);
  return facilityCode;
}

function decodeFile(body: unknown, maxBytes: number): Buffer {
  const b64 = field(body, 'fileHSBase64');
  if (!b64) throw new ApiError(400, 'BODY_REQUIRED', 'Thiếu trường fileHSBase64.', 'The fileHSBase64 field is missing.');
  // Size is judged from the base64 length before anything is decoded.
  return decodeBase64Strict(b64, maxBytes, 'fileHSBase64');
}

function checkCommonFields(body: unknown, facilityCode: string, expectedType: string) {
  const loai = field(body, 'loaiHoSo');
  if (loai !== undefined && loai.trim() !== expectedType) {
    throw new ApiError(400, 'LOAIHOSO_INVALID', `loaiHoSo phải là "${expectedType}".`, `loaiHoSo must be "${expectedType}".`);
  }
  const ma = field(body, 'maCSKCB');
  if (ma !== undefined && ma.trim() !== '' && ma.trim() !== facilityCode) {
    throw new ApiError(403, 'FACILITY_MISMATCH', 'maCSKCB khác với cơ sở của tài khoản gửi.', 'maCSKCB differs from the facility of the sending account.');
  }
}

export function registerPortalRoutes(app: FastifyInstance, db: Db, config: Config, tokenKey: string) {
  // base64 of the largest envelope we take, plus room for the other form fields.
  const formLimit = Math.ceil(config.maxEnvelopeBytes / 3) * 4 + 64 * 1024;

  app.register(async (scope) => {
    scope.setErrorHandler(portalError);
    await registerIngestRateLimit(scope);

    /** Header checks, and the facility when the token is in the header or query (form tokens wait for the body). */
    const guard = (limit: number) => async (req: FastifyRequest) => {
      checkDeclaredBody(req, limit, FORM_TYPES);
      const q = req.query as Record<string, unknown>;
      const header = req.headers.authorization;
      const queryToken = field(q, 'token') ?? field(q, 'id_token');
      const bearer = header && /^Bearer\s/i.test(header) ? header : queryToken ? `Bearer ${queryToken}` : undefined;
      if (bearer) setRequestFacility(req, (await verifyFacilityToken(tokenKey, bearer)).facilityCode);
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
          response: {
            200: {
              type: 'object',
              properties: {
                maKetQua: { type: 'string' },
                APIKey: {
                  type: 'object',
                  properties: {
                    access_token: { type: 'string' },
                    id_token: { type: 'string' },
                    token_type: { type: 'string' },
                    username: { type: 'string' },
                    expires_in: { type: 'integer' },
                  },
                },
              },
            },
            400: portalAnswer,
            401: portalAnswer,
            429: portalAnswer,
          },
        },
      },
      async (req) => {
        const username = field(req.body, 'username');
        const password = field(req.body, 'password');
        if (!username || !password) throw new ApiError(400, 'CREDENTIALS_REQUIRED', 'Thiếu username hoặc password.', 'username and password are required.');
        const facilityCode = await checkPortalPassword(db, username, password);
        if (!facilityCode) throw new ApiError(401, 'INVALID_CLIENT', 'Tên đăng nhập hoặc mật khẩu không đúng.', 'Invalid username or password.');
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
        config: { rateLimit: {} },
        schema: {
          summary: 'Portal-compatible submission of a GIAMDINHHS envelope (fileHSBase64 = base64 of the whole file)',
          description: "maKetQua '200' = accepted or partly accepted (maGiaoDich = receipt id, readable at /api/v1/xml130/receipts/{id}).",
          tags: ['portal'],
          response: portalAnswers,
        },
      },
      async (req) => {
        const facilityCode = await facilityFromRequest(req, tokenKey);
        checkCommonFields(req.body, facilityCode, '130');
        const raw = decodeFile(req.body, config.maxEnvelopeBytes);
        const { receipt, duplicate } = await ingestEnvelope(db, { facilityCode, raw, channel: 'portal', maxBytes: config.maxEnvelopeBytes, allowSha1: config.xmldsigAllowSha1 });
        const c = receipt.counts;
        const summary_vi = `${c.episodes} hồ sơ: ${c.accepted} hợp lệ, ${c.accepted_with_warnings} có cảnh báo, ${c.unchanged} không đổi, ${c.rejected} bị từ chối.`;
        if (receipt.status === 'rejected') {
          throw new ApiError(422, 'EPISODES_REJECTED', `Tất cả hồ sơ bị từ chối (mã giao dịch ${receipt.receipt_id}). ${summary_vi}`, 'Every episode was rejected.');
        }
        return {
          maKetQua: '200',
          maGiaoDich: receipt.receipt_id,
          thoiGianTiepNhan: portalTime(new Date(receipt.received_at)),
          thongDiep: duplicate ? `Hồ sơ đã được tiếp nhận trước đó. ${summary_vi}` : `Tiếp nhận thành công. ${summary_vi}`,
        };
      },
    );

    scope.post(
      '/api/qd130/checkInKcbQd4750',
      {
        bodyLimit: 2 * 1024 * 1024,
        onRequest: guard(2 * 1024 * 1024),
        config: { rateLimit: {} },
        schema: { summary: 'Portal-compatible check-in (XML0, loaiHoSo = 0, fileHSBase64 = base64 of the check-in XML)', tags: ['portal'], response: portalAnswers },
      },
      async (req) => {
        const facilityCode = await facilityFromRequest(req, tokenKey);
        checkCommonFields(req.body, facilityCode, '0');
        const raw = decodeFile(req.body, 1024 * 1024);
        const result = await ingestCheckin(db, facilityCode, raw, config.xmldsigAllowSha1);
        const okRows = result.rows.filter((r) => r.status !== 'rejected').length;
        if (okRows === 0) {
          const first = result.rows[0]?.issues[0];
          throw new ApiError(422, 'CHECKIN_REJECTED', `Bản tin check-in bị từ chối${first ? `: ${first.message_vi}` : '.'}`, 'The check-in was rejected.');
        }
        return {
          maKetQua: '200',
          maGiaoDich: '',
          thoiGianTiepNhan: portalTime(new Date()),
          thongDiep: `Tiếp nhận ${okRows}/${result.rows.length} bản tin check-in.`,
        };
      },
    );
  });
}
