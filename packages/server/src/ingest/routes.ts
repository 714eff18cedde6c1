import { DomainError, notFound } from '@openhssk/core';
import type { FastifyInstance } from 'fastify';
import { verifyFacilityToken } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { acceptRawBodies, rawBodySchema, sendProblem, typedRoutes } from '../http/index.ts';
import { emptyBody, registerIngestRateLimit, requestFacility, XML_CONTENT_TYPES, xmlUploadGuard } from './guard.ts';
import { listEpisodeVersions, listReceipts, parseReceiptQuery } from './history.ts';
import {
  checkinResultSchema,
  episodeParamsSchema,
  idempotencyHeadersSchema,
  problemResponses,
  receiptListSchema,
  receiptParamsSchema,
  receiptQuerySchema,
  receiptSchema,
  versionListSchema,
} from './http-schemas.ts';
import { ingestEnvelope } from './service.ts';
import { ingestCheckin } from './xml0-checkin.ts';

const security = [{ facilityToken: [] }];
const CHECKIN_LIMIT = 1024 * 1024;

export function registerIngestRoutes(fastify: FastifyInstance, db: Db, config: Config, tokenKey: string) {
  const app = typedRoutes(fastify);
  // One encapsulated scope so the rate limiter applies to these routes only.
  // Upload bodies are Buffers from the raw content-type parser, which no JSON Schema type describes:
  // the schema documents them (rawBodySchema accepts any value) and the handlers narrow them with Buffer.isBuffer.
  fastify.register(async (plain) => {
    await registerIngestRateLimit(plain);
    // XML has a parser in this scope only: elsewhere an XML body is refused with 415 unread.
    acceptRawBodies(plain, XML_CONTENT_TYPES);
    const scope = typedRoutes(plain);

    scope.post(
      '/api/v1/xml130/submissions',
      {
        bodyLimit: config.maxEnvelopeBytes,
        onRequest: xmlUploadGuard(tokenKey, config.maxEnvelopeBytes),
        config: { rateLimit: {} },
        schema: {
          summary: 'Submit a signed GIAMDINHHS envelope (XML 130/4750/3176)',
          description:
            'Body: the envelope as application/xml (raw bytes; the signature covers bytes). 201 with the receipt, ' +
            '200 with the first receipt for a byte-identical resend or a repeated Idempotency-Key, 422 EPISODES_REJECTED ' +
            '(receipt inside) when every episode is rejected. Hostile input is refused with a 4xx and a stable code: ' +
            'PAYLOAD_TOO_LARGE, UNSUPPORTED_MEDIA_TYPE, BODY_REQUIRED, XML_DTD_FORBIDDEN, XML_ENTITY_FORBIDDEN, XML_TOO_DEEP, ' +
            'XML_MALFORMED, ENVELOPE_STRUCTURE, ENVELOPE_COUNT_MISMATCH, ENVELOPE_TOO_LARGE, BASE64_INVALID, RATE_LIMITED.',
          tags: ['ingest'],
          consumes: XML_CONTENT_TYPES,
          body: rawBodySchema('The signed envelope as bytes'),
          security,
          headers: idempotencyHeadersSchema,
          response: { 200: receiptSchema, 201: receiptSchema, ...problemResponses },
        },
      },
      async (req, reply) => {
        const facilityCode = requestFacility(req)!;
        if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw emptyBody();
        const idem = req.headers['idempotency-key'];
        const { receipt, duplicate } = await ingestEnvelope(db, {
          facilityCode,
          raw: req.body,
          channel: 'rest',
          idempotencyKey: typeof idem === 'string' ? idem : undefined,
          maxBytes: config.maxEnvelopeBytes,
          allowSha1: config.xmldsigAllowSha1,
        });
        if (receipt.status === 'rejected') {
          return sendProblem(
            req,
            reply,
            new DomainError('unprocessable', 'EPISODES_REJECTED', 'Tất cả hồ sơ trong gói đều bị từ chối, xem chi tiết lỗi.', 'Every episode in the envelope was rejected; see the issues.', {
              receipt,
            }),
          );
        }
        return reply.status(duplicate ? 200 : 201).header('location', `/api/v1/xml130/receipts/${receipt.receipt_id}`).send(receipt);
      },
    );

    scope.post(
      '/api/v1/xml130/checkins',
      {
        bodyLimit: CHECKIN_LIMIT,
        onRequest: xmlUploadGuard(tokenKey, CHECKIN_LIMIT),
        config: { rateLimit: {} },
        schema: {
          summary: 'Check-in message (XML0, CHI_TIEU_TRANG_THAI_KCB) opening a visit',
          tags: ['ingest'],
          consumes: XML_CONTENT_TYPES,
          body: rawBodySchema('The XML0 check-in document as bytes'),
          security,
          response: { 201: checkinResultSchema, ...problemResponses },
        },
      },
      async (req, reply) => {
        const facilityCode = requestFacility(req)!;
        if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw emptyBody();
        const result = await ingestCheckin(db, facilityCode, req.body, config.xmldsigAllowSha1);
        const ok = result.rows.some((r) => r.status !== 'rejected');
        if (!ok) {
          return sendProblem(req, reply, new DomainError('unprocessable', 'CHECKIN_REJECTED', 'Bản tin check-in bị từ chối, xem chi tiết lỗi.', 'The check-in was rejected; see the issues.', result));
        }
        return reply.status(201).send(result);
      },
    );
  });

  app.get(
    '/api/v1/xml130/receipts',
    {
      schema: {
        summary: "List the calling facility's receipts, newest first, with per-episode issue counts",
        tags: ['ingest'],
        security,
        querystring: receiptQuerySchema,
        response: { 200: receiptListSchema, ...problemResponses },
      },
    },
    async (req) => {
      const { facilityCode } = await verifyFacilityToken(tokenKey, req.headers.authorization);
      return listReceipts(db, facilityCode, parseReceiptQuery(req.query));
    },
  );

  app.get(
    '/api/v1/xml130/receipts/:id',
    {
      schema: {
        summary: 'Read a receipt of the calling facility (per-episode, per-field issues)',
        tags: ['ingest'],
        security,
        params: receiptParamsSchema,
        response: { 200: receiptSchema, ...problemResponses },
      },
    },
    async (req) => {
      const { facilityCode } = await verifyFacilityToken(tokenKey, req.headers.authorization);
      const { id } = req.params;
      const row = await db.selectFrom('submission').select('receipt').where('id', '=', id).where('facility_code', '=', facilityCode).executeTakeFirst();
      if (!row) throw notFound('biên nhận', 'Receipt');
      return row.receipt;
    },
  );

  app.get(
    '/api/v1/xml130/episodes/:maLk/versions',
    {
      schema: {
        summary: "Versions of one of the calling facility's episodes (MA_LK), oldest first",
        tags: ['ingest'],
        security,
        params: episodeParamsSchema,
        response: { 200: versionListSchema, ...problemResponses },
      },
    },
    async (req) => {
      const { facilityCode } = await verifyFacilityToken(tokenKey, req.headers.authorization);
      const { maLk } = req.params;
      const versions = await listEpisodeVersions(db, facilityCode, maLk);
      if (versions.length === 0) throw notFound('hồ sơ (MA_LK)', 'Episode');
      return { ma_lk: maLk, versions };
    },
  );
}
