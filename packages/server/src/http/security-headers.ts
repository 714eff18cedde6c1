import type { FastifyInstance } from 'fastify';

/**
 * Answers under these paths may carry personal or health data (or the sessions that reach it): no
 * browser cache, back-forward cache or shared proxy may keep them. Static assets are not listed and
 * keep their caching.
 */
const PRIVATE_PREFIXES = ['/api/', '/auth/', '/fhir', '/idp/'];

export const isPrivatePath = (url: string) => PRIVATE_PREFIXES.some((p) => url.startsWith(p));

/**
 * One policy for every answer. No inline script anywhere (the built web apps load only /assets/*.js;
 * the development identity provider serves its stylesheet and logout script as files). Style
 * attributes stay allowed: React's `style` props go through CSSOM (never blocked), but ECharts
 * writes its tooltip as HTML with style attributes; a style attribute cannot run script, and images
 * it could load are held to img-src. Share QR codes are data: URLs; photos read for QR scanning are
 * blob: URLs. `form-action 'self'` also covers the redirects after the identity provider's forms.
 */
export function contentSecurityPolicy(publicUrl: string): string {
  const directives = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ];
  if (publicUrl.startsWith('https://')) directives.push('upgrade-insecure-requests');
  return directives.join('; ');
}

/**
 * Security headers on every answer, including the development identity provider's pages, which are
 * written straight to the socket (hijacked replies skip onSend hooks). They are therefore set on the
 * raw response when the request arrives: a route's own value for the same header still wins, and
 * oidc-provider adds the hash of its one inline auto-submit script to the policy it finds there.
 */
export function registerSecurityHeaders(app: FastifyInstance, publicUrl: string) {
  const csp = contentSecurityPolicy(publicUrl);
  // Only meaningful, and only honoured by browsers, when the public address is HTTPS.
  const hsts = publicUrl.startsWith('https://') ? 'max-age=31536000; includeSubDomains' : undefined;
  app.addHook('onRequest', async (req, reply) => {
    const res = reply.raw;
    res.setHeader('content-security-policy', csp);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    // For browsers without frame-ancestors.
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('cross-origin-opener-policy', 'same-origin');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    if (hsts) res.setHeader('strict-transport-security', hsts);
    if (isPrivatePath(req.url)) res.setHeader('cache-control', 'no-store');
  });
}
