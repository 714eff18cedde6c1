import type { FastifyInstance, FastifyRequest } from 'fastify';

/** Machine-facing paths: a facility system or a health check may use any address the server answers on. */
const MACHINE_PREFIXES = ['/api/', '/fhir', '/healthz'];

/** Headers a reverse proxy adds; behind one, the proxy owns the public name and the Host it sends may differ. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-host', 'x-forwarded-for', 'x-forwarded-proto'];

/** Set on the redirect itself: if the redirect leads back to the same mismatch, the second request is served. */
const HOP_COOKIE = 'hssk_host_hop';
const HOP_COOKIE_SET = `${HOP_COOKIE}=1; Max-Age=10; Path=/; HttpOnly; SameSite=Lax`;
const hasHopCookie = (req: FastifyRequest) => new RegExp(`(?:^|;\\s*)${HOP_COOKIE}=`).test(req.headers.cookie ?? '');

function normalHost(host: string | undefined, protocol: string): string {
  if (!host) return '';
  try {
    return new URL(`${protocol}//${host}`).host;
  } catch {
    return '';
  }
}

const isLoopbackName = (hostname: string) =>
  hostname === 'localhost' || hostname.endsWith('.localhost') || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);

const isLoopbackAddress = (address: string | undefined) => address === '::1' || /^(::ffff:)?127\./.test(address ?? '');

/**
 * How a request's address relates to the configured public URL. The citizen login binds its state
 * cookie and redirect URI to the public URL's host, so a login started at another name for the same
 * server (127.0.0.1 instead of localhost, the LAN address) loses its cookie on the way back.
 * - `none`: same host, or nothing to do (HTTPS public URL, or behind a proxy: the proxy owns the name);
 * - `redirect`: the browser can be sent to the same path at the public URL;
 * - `unreachable`: the public URL names this machine's loopback and the browser is on another device,
 *   so sending it there would open its own loopback: the page must say which address to use instead.
 */
export type PublicHostFit = 'none' | 'redirect' | 'unreachable';

export function publicHostFit(req: FastifyRequest, publicUrl: string): PublicHostFit {
  const pub = new URL(publicUrl);
  // An HTTPS public URL means a TLS-terminating proxy in front, which may well send its own Host
  // (nginx's default is the upstream address): redirecting on it would loop.
  if (pub.protocol === 'https:') return 'none';
  if (FORWARDING_HEADERS.some((h) => req.headers[h] !== undefined)) return 'none';
  if (normalHost(req.headers.host, pub.protocol) === pub.host) return 'none';
  // A browser on this machine can follow a redirect to loopback even when it came in by the LAN address.
  const sameMachine = isLoopbackAddress(req.socket.remoteAddress) || req.socket.remoteAddress === req.socket.localAddress;
  if (isLoopbackName(pub.hostname) && !sameMachine) return 'unreachable';
  return 'redirect';
}

/**
 * A browser that opened the server under another name is sent to the same path at the public URL
 * before anything (login above all) starts there. Only GET and HEAD of browser paths: a form or an
 * API call is never redirected.
 */
export function registerPublicHostRedirect(app: FastifyInstance, publicUrl: string) {
  const base = publicUrl.replace(/\/$/, '');
  app.addHook('onRequest', async (req, reply) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return;
    if (MACHINE_PREFIXES.some((p) => req.url.startsWith(p))) return;
    if (publicHostFit(req, publicUrl) !== 'redirect' || hasHopCookie(req)) return;
    // 302, not 301: a permanent redirect would be cached past a change of HSSK_PUBLIC_URL.
    return reply.header('set-cookie', HOP_COOKIE_SET).redirect(`${base}${req.url.startsWith('/') ? req.url : `/${req.url}`}`, 302);
  });
}
