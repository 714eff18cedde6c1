import type { FastifyInstance } from 'fastify';
import { registerBodyPolicy } from './body-policy.ts';
import { registerOriginCheck } from './csrf.ts';
import { registerPublicHostRedirect } from './public-host.ts';
import { registerSecurityHeaders } from './security-headers.ts';

export interface BrowserSecurityOptions {
  publicUrl: string;
  /** Cookies that authenticate a browser session: state-changing requests carrying one get the Origin check. */
  sessionCookies: readonly string[];
}

/**
 * Everything that protects a browser user, as onRequest hooks on every route: security headers
 * first (so refusals carry them too), then the redirect to the public host, the Origin check, and
 * the content-type policy. Registered before the routes.
 */
export function registerBrowserSecurity(app: FastifyInstance, options: BrowserSecurityOptions) {
  registerSecurityHeaders(app, options.publicUrl);
  registerPublicHostRedirect(app, options.publicUrl);
  registerOriginCheck(app, options);
  registerBodyPolicy(app);
}
