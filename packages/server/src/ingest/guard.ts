import rateLimit from '@fastify/rate-limit';
import { DomainError } from '@openhssk/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { verifyFacilityToken } from '../auth/index.ts';
import { clientAddress, payloadTooLarge } from '../http/index.ts';

/** Facility authenticated before the body is read, so an anonymous client cannot make us buffer 64 MB. */
const facilityOf = new WeakMap<FastifyRequest, string>();

export function requestFacility(req: FastifyRequest): string | undefined {
  return facilityOf.get(req);
}

export function setRequestFacility(req: FastifyRequest, facilityCode: string) {
  facilityOf.set(req, facilityCode);
}

export const XML_CONTENT_TYPES = ['application/xml', 'text/xml', 'application/octet-stream'];

/**
 * Declared size and type are checked from the headers alone: an oversize or non-XML upload is
 * refused before a single body byte is buffered (the parser's bodyLimit still guards chunked bodies).
 */
export function checkDeclaredBody(req: FastifyRequest, limit: number, types: readonly string[]) {
  const len = req.headers['content-length'];
  if (len !== undefined) {
    const n = Number(len);
    if (Number.isFinite(n) && n > limit) throw payloadTooLarge(limit);
    if (n === 0) throw emptyBody();
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!types.includes(type)) {
    throw new DomainError(
      'unsupported_media',
      'UNSUPPORTED_MEDIA_TYPE',
      `Kiểu nội dung "${type || 'không có'}" không được hỗ trợ; cần ${types.join(', ')}.`,
      `Content type "${type || 'none'}" is not supported; use ${types.join(', ')}.`,
    );
  }
}

export const emptyBody = () => new DomainError('invalid', 'BODY_REQUIRED', 'Thiếu nội dung hồ sơ XML.', 'The XML document is missing from the request body.');

/**
 * onRequest hook: bearer token → facility, then header checks, all before a body byte is read; the
 * route's bodyLimit then bounds a chunked body from an authenticated sender.
 */
export function xmlUploadGuard(tokenKey: string, limit: number) {
  return async (req: FastifyRequest) => {
    const { facilityCode } = await verifyFacilityToken(tokenKey, req.headers.authorization);
    setRequestFacility(req, facilityCode);
    checkDeclaredBody(req, limit, XML_CONTENT_TYPES);
  };
}

/** Envelopes per minute per facility; read on each request so operators (and tests) can change it live. */
export function ingestRateLimitMax(): number {
  const v = Number(process.env.HSSK_INGEST_RATE_LIMIT ?? '');
  return Number.isInteger(v) && v > 0 ? v : 600;
}

/**
 * Per-facility rate limit for the upload routes of one plugin scope. Runs at preParsing, after the
 * route's onRequest authentication, so the key is the facility (the IP when no facility is known).
 */
export async function registerIngestRateLimit(scope: FastifyInstance) {
  await scope.register(rateLimit, {
    global: false,
    hook: 'preParsing',
    max: async () => ingestRateLimitMax(),
    timeWindow: 60_000,
    keyGenerator: (req) => {
      const fac = requestFacility(req);
      return fac ? `facility:${fac}` : clientAddress(req);
    },
    errorResponseBuilder: (_req, ctx) =>
      new DomainError(
        'rate_limited',
        'RATE_LIMITED',
        `Cơ sở gửi quá ${ctx.max} hồ sơ mỗi phút; vui lòng thử lại sau ${ctx.after}.`,
        `More than ${ctx.max} submissions per minute from this facility; retry in ${ctx.after}.`,
        { retry_after_seconds: Math.ceil(ctx.ttl / 1000) },
      ),
  });
}
