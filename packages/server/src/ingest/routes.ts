import type { FastifyInstance } from 'fastify';
import { verifyFacilityToken } from '../auth/facility-token.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { ApiError, notFound, sendProblem } from '../http/problem.ts';
import { ingestCheckin } from './checkin.ts';
import { ingestEnvelope } from './service.ts';

export function registerIngestRoutes(app: FastifyInstance, db: Db, config: Config, tokenKey: string) {
  app.post(
    '/api/v1/xml130/submissions',
    {
      bodyLimit: config.maxEnvelopeBytes,
      schema: {
        summary: 'Submit a signed GIAMDINHHS envelope (XML 130/4750/3176)',
        tags: ['ingest'],
        headers: { type: 'object', properties: { 'idempotency-key': { type: 'string', maxLength: 200 } } },
      },
    },
    async (req, reply) => {
      const { facilityCode } = await verifyFacilityToken(tokenKey, req.headers.authorization);
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
        throw new ApiError(400, 'BODY_REQUIRED', 'Thiếu nội dung hồ sơ XML.', 'The XML envelope is missing from the request body.');
      }
      const idem = req.headers['idempotency-key'];
      const { receipt, duplicate } = await ingestEnvelope(db, {
        facilityCode,
        raw: req.body,
        channel: 'rest',
        idempotencyKey: typeof idem === 'string' ? idem : undefined,
        maxBytes: config.maxEnvelopeBytes,
      });
      if (receipt.status === 'rejected') {
        return sendProblem(
          req,
          reply,
          new ApiError(422, 'EPISODES_REJECTED', 'Tất cả hồ sơ trong gói đều bị từ chối, xem chi tiết lỗi.', 'Every episode in the envelope was rejected; see the issues.', {
            receipt,
          }),
        );
      }
      return reply.status(duplicate ? 200 : 201).header('location', `/api/v1/xml130/receipts/${receipt.receipt_id}`).send(receipt);
    },
  );

  app.post(
    '/api/v1/xml130/checkins',
    { bodyLimit: 1024 * 1024, schema: { summary: 'Check-in message (XML0, CHI_TIEU_TRANG_THAI_KCB) opening a visit', tags: ['ingest'] } },
    async (req, reply) => {
      const { facilityCode } = await verifyFacilityToken(tokenKey, req.headers.authorization);
      if (!Buffer.isBuffer(req.body) || req.body.length === 0) {
        throw new ApiError(400, 'BODY_REQUIRED', 'Thiếu nội dung bản tin check-in.', 'The check-in XML is missing from the request body.');
      }
      const result = await ingestCheckin(db, facilityCode, req.body);
      const ok = result.rows.some((r) => r.status !== 'rejected');
      if (!ok) {
        return sendProblem(req, reply, new ApiError(422, 'CHECKIN_REJECTED', 'Bản tin check-in bị từ chối, xem chi tiết lỗi.', 'The check-in was rejected; see the issues.', result));
      }
      return reply.status(201).send(result);
    },
  );

  app.get('/api/v1/xml130/receipts/:id', { schema: { summary: 'Read a receipt of the calling facility', tags: ['ingest'] } }, async (req) => {
    const { facilityCode } = await verifyFacilityToken(tokenKey, req.headers.authorization);
    const { id } = req.params as { id: string };
    const row = await db
      .selectFrom('submission')
      .select('receipt')
      .where('id', '=', id)
      .where('facility_code', '=', facilityCode)
      .executeTakeFirst();
    if (!row) throw notFound('biên nhận', 'Receipt');
    return row.receipt;
  });
}
