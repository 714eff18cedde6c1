import { availableParallelism } from 'node:os';

/** Runtime configuration, from environment variables only (secrets never live in the repo). */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** External OpenID Connect issuer (VNeID); unset = the built-in development provider at /idp. */
  oidcIssuer: string | undefined;
  oidcClientId: string;
  oidcClientSecret: string | undefined;
  demo: boolean;
  demoPersons: number;
  /** Episodes of the demo year; 0 = the default (at least 20,000). */
  demoEpisodes: number;
  facilityTokenTtlSeconds: number;
  sessionTtlSeconds: number;
  maxEnvelopeBytes: number;
  /** Accept RSA-SHA1 facility signatures (older signer products); flagged in the receipt. */
  xmldsigAllowSha1: boolean;
  /**
   * Worker threads that parse, verify and validate envelopes; 0 = on the event loop. The default
   * leaves one core to the event loop and the database: on 2 cores a second worker measured no
   * faster and ~80 MB larger (docs/benchmarks.md).
   */
  ingestWorkers: number;
  /** Seconds between background refreshes of the report summaries; 0 = only on demand. */
  reportRefreshSeconds: number;
  /** Age a row must reach before the refresher folds it in; unset = reports/refresh.ts default. */
  reportHoldbackSeconds: number | undefined;
  webDistDir: string;
  logLevel: string;
}

/** One core stays with the event loop and the database (see Config.ingestWorkers). */
export const DEFAULT_INGEST_WORKERS = Math.max(1, Math.min(4, availableParallelism() - 1));

function int(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

export function loadConfig(overrides: Partial<Config> = {}): Config {
  const port = int('PORT', 8080);
  return {
    port,
    host: process.env.HOST ?? '0.0.0.0',
    publicUrl: (process.env.HSSK_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    databaseUrl: process.env.DATABASE_URL || undefined,
    dataDir: process.env.HSSK_DATA_DIR ?? './data',
    oidcIssuer: process.env.OIDC_ISSUER || undefined,
    oidcClientId: process.env.OIDC_CLIENT_ID ?? 'openhssk-book',
    oidcClientSecret: process.env.OIDC_CLIENT_SECRET || undefined,
    demo: (process.env.HSSK_DEMO ?? '1') !== '0',
    demoPersons: int('HSSK_DEMO_PERSONS', 5000),
    demoEpisodes: int('HSSK_DEMO_EPISODES', 0),
    facilityTokenTtlSeconds: int('HSSK_FACILITY_TOKEN_TTL', 900),
    sessionTtlSeconds: int('HSSK_SESSION_TTL', 8 * 3600),
    maxEnvelopeBytes: int('HSSK_MAX_ENVELOPE_BYTES', 64 * 1024 * 1024),
    xmldsigAllowSha1: (process.env.HSSK_XMLDSIG_ALLOW_SHA1 ?? '1') !== '0',
    ingestWorkers: int('HSSK_INGEST_WORKERS', DEFAULT_INGEST_WORKERS),
    reportRefreshSeconds: int('HSSK_REPORT_REFRESH_SECONDS', 60),
    reportHoldbackSeconds: process.env.HSSK_REPORT_HOLDBACK_SECONDS ? int('HSSK_REPORT_HOLDBACK_SECONDS', 0) : undefined,
    webDistDir: process.env.HSSK_WEB_DIST ?? new URL('../../web/dist', import.meta.url).pathname,
    logLevel: process.env.LOG_LEVEL ?? 'info',
    ...overrides,
  };
}
