import { DomainError } from '@openhssk/core';
import type { FastifyInstance, FastifyRequest } from 'fastify';

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The identity provider's own forms: they never read our session cookies, and a form posted under
 * `Referrer-Policy: no-referrer` carries `Origin: null` by the Fetch standard, so the check below
 * would refuse the provider's login form in any browser that also holds a session cookie.
 */
const EXEMPT_PREFIXES = ['/idp/'];

export const crossOriginRefused = () =>
  new DomainError(
    'forbidden',
    'CSRF_ORIGIN_REFUSED',
    'Yêu cầu bị từ chối vì được gửi từ một trang web khác. Hãy mở trực tiếp Sổ sức khỏe điện tử hoặc Cổng nhân viên rồi thử lại.',
    'Request refused: it was sent from another web site (cross-site request forgery protection). Open the application directly and try again.',
  );

function originOf(value: string): string | undefined {
  try {
    const u = new URL(value);
    return u.origin === 'null' ? undefined : u.origin;
  } catch {
    return undefined;
  }
}

export interface OriginCheckOptions {
  publicUrl: string;
  /** Names of the cookies that authenticate a browser session (citizen, staff). */
  sessionCookies: readonly string[];
}

/**
 * A state-changing request authenticated by a session cookie must come from a page of this server.
 * SameSite cookies do not suffice: a page on another port of the same host (or another subdomain)
 * is same-site, so the browser attaches Lax and Strict cookies to its requests.
 *
 * The page's origin is read from Origin, or from Referer when Origin is absent, and must be the
 * public URL's origin or the origin the request itself was addressed to (the demo opened at a LAN
 * address). Browsers always send Origin on a cross-origin POST/PUT/PATCH/DELETE, so a request
 * carrying neither header is not from a browser page and is let through (command-line clients,
 * tests). A bearer-token request is not cookie-authenticated: a foreign page cannot set an
 * Authorization header without a CORS preflight, which this server never grants.
 */
export function registerOriginCheck(app: FastifyInstance, options: OriginCheckOptions) {
  const publicOrigin = new URL(options.publicUrl).origin;
  const cookiePattern = new RegExp(`(?:^|;\\s*)(?:${options.sessionCookies.map((c) => c.replace(/[^A-Za-z0-9_]/g, '')).join('|')})=`);

  const ownOrigin = (req: FastifyRequest) => originOf(`${req.protocol}://${req.host}`);

  app.addHook('onRequest', async (req) => {
    if (!STATE_CHANGING.has(req.method)) return;
    if (EXEMPT_PREFIXES.some((p) => req.url.startsWith(p))) return;
    if (/^Bearer\s/i.test(req.headers.authorization ?? '')) return;
    if (!cookiePattern.test(req.headers.cookie ?? '')) return;
    const origin = req.headers.origin;
    const referer = req.headers.referer;
    if (origin === undefined && referer === undefined) return;
    // `Origin: null` (sandboxed frame, privacy redirect) and an unparsable value are foreign.
    const source = origin !== undefined ? originOf(origin) : originOf(referer ?? '');
    if (source !== undefined && (source === publicOrigin || source === ownOrigin(req))) return;
    req.log.warn({ origin: origin ?? null, referer: referer === undefined ? null : originOf(referer) ?? 'invalid' }, 'cross-origin request with a session cookie refused');
    throw crossOriginRefused();
  });
}
