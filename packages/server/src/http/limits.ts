import { Transform } from 'node:stream';
import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import { DomainError } from '@openhssk/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { isRawBodySchema } from './typed.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes the raw bytes of its scope's raw-body parser (see acceptRawBodies). */
    rawBody?: boolean;
  }
}

/** A certificate is a few KB; this leaves room for a chain and a browser form's multipart wrapper. */
export const CERTIFICATE_BODY_LIMIT = 256 * 1024;
/** Certificate uploads read as bytes (text/plain and JSON keep the framework's own parsers). */
export const CERTIFICATE_CONTENT_TYPES: readonly string[] = ['application/x-pem-file', 'application/pkix-cert', 'application/octet-stream'];

export function payloadTooLarge(limit: number) {
  return new DomainError('too_large', 'PAYLOAD_TOO_LARGE', `Dữ liệu gửi lên vượt quá ${limit} byte.`, `The request body exceeds ${limit} bytes.`, { limit_bytes: limit });
}

const unsupportedMedia = (type: string) =>
  new DomainError('unsupported_media', 'UNSUPPORTED_MEDIA_TYPE', `Địa chỉ này không nhận kiểu nội dung "${type}".`, `This endpoint does not accept content type "${type}".`);

const mediaType = (req: FastifyRequest) => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
const hasBody = (req: FastifyRequest) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

/**
 * A parser that hands the body over as bytes, registered in this scope only: outside it such a body
 * has no parser and is refused with 415 before it is read. Inside it, only routes whose body schema
 * is rawBodySchema (or marked `config: { rawBody: true }`) take these types; the scope's other routes
 * refuse them from the headers, so an upload route does not widen the JSON routes that share its
 * scope. The limit is the route's bodyLimit (the server default where a route sets none).
 */
export function acceptRawBodies(scope: FastifyInstance, types: readonly string[]) {
  scope.addContentTypeParser([...types], { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  scope.addHook('onRoute', (route) => {
    if (isRawBodySchema(route.schema?.body)) route.config = { ...route.config, rawBody: true };
  });
  scope.addHook('onRequest', async (req) => {
    if (req.routeOptions.config.rawBody || !hasBody(req)) return;
    const type = mediaType(req);
    if (types.includes(type)) throw unsupportedMedia(type);
  });
}

interface BodyCap {
  limit: number;
  error: DomainError;
}
const caps = new WeakMap<FastifyRequest, BodyCap>();

/**
 * Lowers the body limit of one request below its route's, e.g. while the sender is unknown: refused
 * at once from Content-Length, otherwise while streaming (the route needs `preParsing: enforceBodyCap`).
 */
export function capRequestBody(req: FastifyRequest, limit: number, error: DomainError = payloadTooLarge(limit)) {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw error;
  caps.set(req, { limit, error });
}

/** preParsing hook: counts the bytes of a capped request and fails the stream past its cap. */
export async function enforceBodyCap(req: FastifyRequest, _reply: FastifyReply, payload: NodeJS.ReadableStream & { receivedEncodedLength?: number }) {
  const cap = caps.get(req);
  if (!cap) return payload;
  let seen = 0;
  const counted: Transform & { receivedEncodedLength?: number } = new Transform({
    transform(chunk: Buffer, _enc, next) {
      seen += chunk.length;
      counted.receivedEncodedLength = seen;
      if (seen > cap.limit) next(cap.error);
      else next(null, chunk);
    },
  });
  // Not stream.pipeline: it would destroy the request, and with it the socket the refusal goes out on.
  payload.on('error', (e) => counted.destroy(e));
  payload.pipe(counted);
  return counted;
}

/** The 429 answer of every throttle (the ingest limiter answers in the same shape). */
export function rateLimited(message: { vi: string; en: string }, retryAfterSeconds: number) {
  return new DomainError('rate_limited', 'RATE_LIMITED', message.vi, message.en, { retry_after_seconds: retryAfterSeconds });
}

/**
 * Fastify's trustProxy from Config.trustProxy: only the named proxies may speak for the client;
 * with none, the socket's address is the client, so a forged X-Forwarded-For picks nothing.
 */
export const trustProxyOption = (trusted: readonly string[]): string[] | false => (trusted.length > 0 ? [...trusted] : false);

/** The client address as the limiter counts it: an IPv6 client is its /64, which it can vary at will. */
export const clientAddress = (req: FastifyRequest) => `ip:${normalizeIP(req.ip)}`;

export interface Throttle {
  /** Names the throttle in a start-up failure when it matches no route. */
  name: string;
  /** The routes it covers, by method and URL pattern as registered ('/api/v1/shared/:token'). */
  applies: (method: string, url: string) => boolean;
  /** onRequest counts before the body is read; preValidation when the key is in the body. */
  stage: 'onRequest' | 'preValidation';
  /** Requests per key per window; 0 turns the throttle off. */
  max: number;
  windowSeconds: number;
  /** The counter key; undefined = this request is not counted by this throttle. */
  key: (req: FastifyRequest) => string | undefined | Promise<string | undefined>;
  message: (max: number, retryAfterSeconds: number) => { vi: string; en: string };
  /** A route that exists only in some configurations (e.g. the development identity provider). */
  optional?: boolean;
}

type Hook = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

function appendHook(route: RouteOptions, stage: Throttle['stage'], hook: Hook) {
  const existing = route[stage];
  route[stage] = existing === undefined ? [hook] : Array.isArray(existing) ? [...existing, hook] : [existing, hook];
}

/**
 * Throttles for routes that several modules own, attached by pattern as the routes are registered
 * (call before any route). Counters are in process memory (@fastify/rate-limit's store): the server
 * runs as one process, so a limit holds for the whole server; with several replicas each counts alone.
 */
export async function registerThrottles(app: FastifyInstance, throttles: readonly Throttle[]) {
  let create: FastifyInstance['createRateLimit'] | undefined;
  // The plugin lives in a scope without routes, so its own onRoute hook touches nothing and it
  // stays out of the per-facility ingest limiter's way; only its limiter factory is used.
  await app.register(async (scope) => {
    await scope.register(rateLimit, { global: false, cache: 10_000 });
    create = scope.createRateLimit;
  });
  if (!create) throw new Error('rate limiter did not load');
  const make = create;
  const matched = new Set<string>();
  const active = throttles
    .filter((t) => t.max > 0)
    .map((t) => {
      const keys = new WeakMap<FastifyRequest, string>();
      const limiter = make({ max: t.max, timeWindow: t.windowSeconds * 1000, keyGenerator: (req) => keys.get(req) ?? '' });
      const hook: Hook = async (req, reply) => {
        const key = await t.key(req);
        if (key === undefined) return;
        keys.set(req, key);
        const r = await limiter(req);
        if (r.isAllowed || !r.isExceeded) return;
        reply.header('retry-after', String(r.ttlInSeconds));
        throw rateLimited(t.message(t.max, r.ttlInSeconds), r.ttlInSeconds);
      };
      return { t, hook };
    });

  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const { t, hook } of active) {
      if (!methods.some((m) => t.applies(m, route.url))) continue;
      matched.add(t.name);
      appendHook(route, t.stage, hook);
    }
  });
  // A renamed route would otherwise lose its throttle without a sound.
  app.addHook('onReady', async () => {
    const lost = active.filter(({ t }) => !t.optional && !matched.has(t.name)).map(({ t }) => t.name);
    if (lost.length) throw new Error(`throttles match no route: ${lost.join(', ')}`);
  });
}
