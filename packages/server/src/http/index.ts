export { type BrowserSecurityOptions, registerBrowserSecurity } from './browser.ts';
export { escapeHtml } from './html.ts';
export {
  acceptRawBodies,
  CERTIFICATE_BODY_LIMIT,
  CERTIFICATE_CONTENT_TYPES,
  capRequestBody,
  clientAddress,
  enforceBodyCap,
  payloadTooLarge,
  rateLimited,
  registerThrottles,
  type Throttle,
  trustProxyOption,
} from './limits.ts';
export { type LogDestination, loggerOptions, REDACTED, redactText, redactUrl } from './logging.ts';
export { prettyLogDestination, type TextOutput } from './pretty-log.ts';
export { errorHandler, httpStatusOf, problemBody, sendProblem, toDomainError } from './problem.ts';
export { type PublicHostFit, publicHostFit } from './public-host.ts';
export { abuseThrottles, type ThrottleDeps } from './throttles.ts';
export { rawBodySchema, typedRoutes } from './typed.ts';
