import { DomainError } from '@openhssk/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const FORM = 'application/x-www-form-urlencoded';
const MULTIPART = 'multipart/form-data';
const TEXT = 'text/plain';

/**
 * Bodies any web page can send to any origin without a CORS preflight (the Fetch standard's
 * CORS-safelisted request content types: an HTML form, or fetch with a string). The empty type
 * stands for a body without Content-Type (fetch with a Blob), which is just as unchecked.
 */
const SIMPLE_TYPES = new Set([FORM, MULTIPART, TEXT, '']);

/**
 * The only routes that take such a body, keyed by method and route pattern; every other route takes
 * JSON (or the non-simple types its own parsers read, such as XML envelopes). So neither a cross-site
 * form nor a text/plain fetch ever reaches a cookie-authenticated handler, whatever its Origin.
 * Each entry says why the route needs it; browser.security.test.ts checks that each route exists.
 */
export const SIMPLE_BODY_ROUTES: Readonly<Record<string, readonly string[]>> = {
  // OAuth 2.0 client-credentials grant: RFC 6749 §4.4.2 defines the request as a form.
  'POST /api/v1/auth/token': [FORM],
  // SMART on FHIR: the token request is a form by RFC 6749; the consent screen is a plain HTML form
  // (the Origin check guards its cookie).
  'POST /smart/token': [FORM],
  'POST /smart/consent': [FORM],
  // HIS software written against the national insurance portal posts forms.
  'POST /api/token/take': [FORM],
  'POST /api/qd130/guiHoSoXmlQD4750': [FORM],
  'POST /api/qd130/checkInKcbQd4750': [FORM],
  // Facility systems upload a PEM certificate as text (bearer token, no cookie).
  'POST /api/v1/facility/certificates': [TEXT],
  // Certificate upload from the staff portal's file form (the Origin check guards its cookie).
  'POST /api/v1/facilities/:code/certificates': [MULTIPART],
  // Development identity provider: its login form, and the OpenID endpoints (token, logout confirmation) that take forms by protocol.
  'POST /idp/interaction/:uid/login': [FORM],
  'POST /idp/*': [FORM],
};

const mediaTypeOf = (req: FastifyRequest) => (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
const hasBody = (req: FastifyRequest) => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

function refused(type: string, accepted: readonly string[]) {
  const wanted = accepted.join(', ');
  return new DomainError(
    'unsupported_media',
    'UNSUPPORTED_MEDIA_TYPE',
    `Địa chỉ này không nhận kiểu nội dung "${type || 'không có'}"; cần ${wanted}.`,
    `This endpoint does not accept content type "${type || 'none'}"; use ${wanted}.`,
  );
}

/** Refuses a CORS-simple body on every route not listed above, before the body is read. */
export function registerBodyPolicy(app: FastifyInstance) {
  app.addHook('onRequest', async (req) => {
    if (!hasBody(req) || req.is404) return;
    const type = mediaTypeOf(req);
    if (!SIMPLE_TYPES.has(type)) return;
    const allowed = SIMPLE_BODY_ROUTES[`${req.method} ${req.routeOptions.url}`] ?? [];
    if (allowed.includes(type)) return;
    // What to send instead: the route's documented types, else JSON (plus whatever it takes from the list).
    const declared = req.routeOptions.schema?.consumes;
    const documented = Array.isArray(declared) ? declared.filter((t): t is string => typeof t === 'string' && (!SIMPLE_TYPES.has(t) || allowed.includes(t))) : [];
    throw refused(type, documented.length ? documented : [...allowed, 'application/json']);
  });
}
