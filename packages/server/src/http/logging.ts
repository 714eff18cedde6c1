import type { FastifyServerOptions } from 'fastify';
import pino from 'pino';

/** What replaces a secret in a log line. */
export const REDACTED = '[redacted]';

/** Where log lines go instead of stdout (tests capture them; a pino destination works too). */
export interface LogDestination {
  write(line: string): void;
}

/**
 * Query parameters that carry a credential: facility tokens from portal clients (`token`, `id_token`),
 * OAuth/OIDC codes and state on the login callback, client secrets some clients put in the URL.
 */
const SECRET_QUERY_KEYS = new Set(['token', 'id_token', 'id_token_hint', 'logout_hint', 'access_token', 'refresh_token', 'code', 'state', 'client_secret', 'password', 'client_assertion', 'code_verifier', 'req']);

// A share token is the only credential of a share link: in the API path and in the citizen web route.
const SECRET_PATH = /(\/api\/v1\/shared\/|\/chia-se\/)[^/?#\s"']+/gi;
// Secret query parameters inside free text (an error message quoting a URL).
const SECRET_QUERY_IN_TEXT = /([?&](?:token|id_token|id_token_hint|logout_hint|access_token|refresh_token|code|state|client_secret|password|client_assertion)=)[^&#\s"']*/gi;
const BEARER_IN_TEXT = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;

function decodeKey(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    return raw.toLowerCase();
  }
}

/** A request URL fit for the log: share tokens in the path and credential query parameters replaced. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  const path = (q < 0 ? url : url.slice(0, q)).replace(SECRET_PATH, `$1${REDACTED}`);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const key = eq < 0 ? pair : pair.slice(0, eq);
      // `token[]=…` is the same parameter to most query parsers.
      return SECRET_QUERY_KEYS.has(decodeKey(key).replace(/\[\]$/, '')) ? `${key}=${REDACTED}` : pair;
    })
    .join('&');
  return `${path}?${query}`;
}

/** Free text (a message, a stack) with share paths, credential parameters and authorization values replaced. */
export function redactText(text: string): string {
  return text
    .replace(SECRET_PATH, `$1${REDACTED}`)
    .replace(SECRET_QUERY_IN_TEXT, `$1${REDACTED}`)
    .replace(BEARER_IN_TEXT, `$1 ${REDACTED}`);
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  headers?: Record<string, unknown>;
  socket?: { remotePort?: number } | null;
}

const HEADER_PATHS = ['authorization', 'cookie', '"set-cookie"', '"proxy-authorization"', '"x-api-key"'];
// Request bodies are not logged by the framework; these keep a body (or a credential object) that
// some code logs by mistake from printing what a person or a facility typed as a secret.
const SECRET_FIELDS = ['password', 'new_password', 'current_password', 'client_secret', 'totp', 'token', 'access_token', 'id_token', 'refresh_token'];

const redactPaths = [
  ...HEADER_PATHS.flatMap((h) => [`req.headers.${h}`, `res.headers.${h}`, `headers.${h}`, `*.headers.${h}`]),
  ...SECRET_FIELDS.flatMap((f) => [`body.${f}`, `req.body.${f}`, `*.body.${f}`, `err.body.${f}`]),
].map((p) => p.replace(/\.("[^"]+")/g, '[$1]'));

/**
 * Fastify's logger settings: pino with credential headers and fields redacted, request URLs rewritten
 * so share tokens and token-like query parameters never reach the log, and every message and error
 * text passed through the same rewriting (framework messages quote URLs, e.g. "Route GET:… not found").
 */
export function loggerOptions(level: string, destination?: LogDestination): Exclude<FastifyServerOptions['logger'], boolean | undefined> {
  return {
    level,
    ...(destination ? { stream: destination } : {}),
    redact: { paths: redactPaths, censor: REDACTED },
    serializers: {
      req: (req: LoggedRequest) => ({
        method: req.method,
        url: req.url === undefined ? undefined : redactUrl(req.url),
        host: req.host,
        remoteAddress: req.ip,
        remotePort: req.socket?.remotePort,
      }),
      err: (err: Error) => {
        const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown> & { type: string; message: string; stack: string };
        for (const [k, v] of Object.entries(out)) if (typeof v === 'string') out[k] = redactText(v);
        return out;
      },
    },
    hooks: {
      logMethod(args, method) {
        const scrubbed = args.map((a: unknown) => {
          if (typeof a === 'string') return redactText(a);
          // Shallow: nested request/error objects are rewritten by the serializers above.
          if (a && typeof a === 'object' && !(a instanceof Error) && Object.getPrototypeOf(a) === Object.prototype) {
            let copy: Record<string, unknown> | undefined;
            for (const [k, v] of Object.entries(a)) {
              if (typeof v === 'string') {
                const r = redactText(v);
                if (r !== v) {
                  copy ??= { ...(a as Record<string, unknown>) };
                  copy[k] = r;
                }
              }
            }
            return copy ?? a;
          }
          return a;
        });
        return method.apply(this, scrubbed as Parameters<typeof method>);
      },
    },
  };
}
