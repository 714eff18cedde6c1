import { availableParallelism } from 'node:os';

/** Runtime configuration, from environment variables only (secrets never live in the repo). */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  databaseUrl: string | undefined;
  dataDir: string;
  /** External OpenID Connect issuer (VNeID); unset = the development provider if devIdp, else no citizen login. */
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
   * Folder of CA certificates (PEM/DER; HSSK_TRUSTED_CA_DIR), e.g. the national digital-signature
   * root CAs and their intermediates: a facility signing certificate is approved only if it chains to
   * a root there. Unset = self-signed certificates are accepted (development).
   */
  trustedCaDir: string | undefined;
  /**
   * Worker threads that parse, verify and validate envelopes; 0 = on the event loop. The default
   * leaves one core to the event loop and the database: on 2 cores a second worker measured no
   * faster and ~80 MB larger (docs/benchmarks.md).
   */
  ingestWorkers: number;
  /** Seconds between background refreshes of the report summaries; 0 = only on demand. */
  reportRefreshSeconds: number;
  /** Seconds between looks for a weekly Đề án 06 snapshot that is due (0 = this instance takes none). */
  weeklyReportCheckSeconds: number;
  /** Seconds between looks for queued FHIR bulk exports; 0 = this instance runs none. */
  fhirExportPollSeconds: number;
  /** SMTP server for reminder e-mails (nodemailer URL, smtp://user:pass@host:port); unset = no e-mail channel. */
  smtpUrl: string | undefined;
  mailFrom: string;
  /** File the SMS channel writes to, one JSON line per message (the sink until a provider adapter is configured). */
  smsFile: string | undefined;
  /** Seconds between looks for new appointments to plan reminders for; 0 = none. */
  reminderPlanSeconds: number;
  /** This instance runs the durable job workers (jobs/ module); enqueueing works either way. */
  jobWorkers: boolean;
  /** Age a row must reach before the refresher folds it in; unset = reports/refresh.ts default. */
  reportHoldbackSeconds: number | undefined;
  /** Seconds between looks for messages to relay to the insurance portal; 0 = this instance relays none. */
  relayPollSeconds: number;
  /** Relay deliveries in flight at once per instance. */
  relayConcurrency: number;
  /** Hosts (host[:port]) a facility's portal URL may name (HSSK_RELAY_PORTAL_HOSTS); empty = any. */
  relayPortalHosts: string[];
  webDistDir: string;
  logLevel: string;
  /**
   * HSSK_LOG_FORMAT: `pretty` (one readable line per request, for a terminal) or `json` (pino's
   * lines, for log collectors). Default: json in production, pretty otherwise.
   */
  logFormat: 'pretty' | 'json';
  /**
   * HSSK_ENV=production: stricter defaults (e.g. staff TOTP) and the start-up refusals of
   * startup/checks.ts. HSSK_ENV is production or development (default); any other value is refused.
   */
  production: boolean;
  /**
   * Mount the development identity provider at /idp when OIDC_ISSUER is unset (HSSK_DEV_IDP).
   * Default: on with the embedded database, off with DATABASE_URL; production refuses to start with it.
   */
  devIdp: boolean;
  /** Folder of the server's key files (HSSK_KEYS_DIR), created with mode 0600 on first start. */
  keysDir: string | undefined;
  /**
   * Key-encryption key (HSSK_KEK, 32 bytes in base64): without HSSK_KEYS_DIR the server keys are kept
   * in app_state encrypted with it (AES-256-GCM). A secret: never logged or printed.
   */
  kek: string | undefined;
  /**
   * Hours a staff one-time password may stay unused before a production start refuses
   * (HSSK_ONE_TIME_PASSWORD_HOURS): long enough for a new administrator to log in once.
   */
  oneTimePasswordHours: number;
  /** Staff roles that must use TOTP (HSSK_TOTP_REQUIRED_ROLES, comma list or "none"); unset = by mode. */
  totpRequiredRoles: string[] | undefined;
  /** Minutes without a request after which a staff session ends; 0 = only the absolute lifetime. */
  staffIdleMinutes: number;
  /** Days after a visit, episode or incoming referral at a facility during which its clinicians still treat the person. */
  careRelationshipDays: number;
  /** Hours after a check-in or referral during which consented cross-facility history is shown there. */
  crossFacilityHours: number;
  /** Break-glass grants by one clinician in 24 h above which the facility admin is alerted. */
  breakGlassAlertCount: number;
  /** Body limit of every route that sets none of its own (JSON, logins, forms); uploads set theirs. */
  bodyLimit: number;
  /**
   * Proxies whose X-Forwarded-For is believed (HSSK_TRUST_PROXY: comma list of addresses or CIDRs);
   * empty = none, the socket's address is the client (a forged header then changes nothing).
   */
  trustProxy: string[];
  /** Portal submissions whose token is only inside the form are read up to this many bytes. */
  portalBodyTokenLimit: number;
  /** Throttles, requests per minute (0 = off): facility token per IP and per client_id. */
  throttleTokenPerIp: number;
  throttleTokenPerClient: number;
  /** Share-link openings per IP, front-desk check-ins per staff account, dev identity provider logins per IP. */
  throttleSharePerIp: number;
  throttleCheckinPerStaff: number;
  throttleIdpLoginPerIp: number;
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

/** A yes/no setting; unset or empty = the fallback. A value that is neither is refused, not guessed. */
function flag(name: string, fallback: boolean): boolean {
  const v = process.env[name]?.trim().toLowerCase();
  if (v === undefined || v === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error(`${name} phải là 1 hoặc 0 / ${name} must be 1 or 0, got "${process.env[name]}"`);
}

/** A mistyped mode ("prod") must not silently run as development. */
function logFormat(): 'pretty' | 'json' {
  const v = process.env.HSSK_LOG_FORMAT?.trim().toLowerCase() ?? '';
  if (v === '') return mode() === 'production' ? 'json' : 'pretty';
  if (v === 'pretty' || v === 'json') return v;
  throw new Error(`HSSK_LOG_FORMAT phải là pretty hoặc json / HSSK_LOG_FORMAT must be pretty or json, got "${v}"`);
}

function mode(): 'production' | 'development' {
  const v = process.env.HSSK_ENV?.trim() ?? '';
  if (v === '' || v === 'development') return 'development';
  if (v === 'production') return 'production';
  throw new Error(`HSSK_ENV phải là production hoặc development / HSSK_ENV must be production or development, got "${v}"`);
}

/** Checked here so a wrong key fails at start, before any key is read or written with it. */
function kek(): string | undefined {
  const v = process.env.HSSK_KEK?.trim();
  if (!v) return undefined;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(v) || Buffer.from(v, 'base64').length !== 32) {
    throw new Error('HSSK_KEK phải là 32 byte mã hóa base64 (openssl rand -base64 32) / HSSK_KEK must be 32 bytes in base64 (openssl rand -base64 32)');
  }
  return v;
}

/** Unset or empty: undefined (the mode decides); "none": no role. Names are checked by the staff module. */
function roleList(v: string | undefined): string[] | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  if (v.trim() === 'none') return [];
  return v.split(',').map((r) => r.trim()).filter(Boolean);
}

export function loadConfig(overrides: Partial<Config> = {}): Config {
  const port = int('PORT', 8080);
  // The demo and the development identity provider are on by default only with the embedded
  // database: a PostgreSQL server is where real data lives, so there they must be asked for.
  const databaseUrl = 'databaseUrl' in overrides ? overrides.databaseUrl : process.env.DATABASE_URL || undefined;
  const embedded = !databaseUrl;
  return {
    port,
    host: process.env.HOST ?? '0.0.0.0',
    publicUrl: (process.env.HSSK_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    databaseUrl,
    dataDir: process.env.HSSK_DATA_DIR ?? './data',
    oidcIssuer: process.env.OIDC_ISSUER || undefined,
    oidcClientId: process.env.OIDC_CLIENT_ID ?? 'openhssk-book',
    oidcClientSecret: process.env.OIDC_CLIENT_SECRET || undefined,
    demo: flag('HSSK_DEMO', embedded),
    demoPersons: int('HSSK_DEMO_PERSONS', 5000),
    demoEpisodes: int('HSSK_DEMO_EPISODES', 0),
    facilityTokenTtlSeconds: int('HSSK_FACILITY_TOKEN_TTL', 900),
    sessionTtlSeconds: int('HSSK_SESSION_TTL', 8 * 3600),
    maxEnvelopeBytes: int('HSSK_MAX_ENVELOPE_BYTES', 64 * 1024 * 1024),
    xmldsigAllowSha1: (process.env.HSSK_XMLDSIG_ALLOW_SHA1 ?? '1') !== '0',
    trustedCaDir: process.env.HSSK_TRUSTED_CA_DIR || undefined,
    ingestWorkers: int('HSSK_INGEST_WORKERS', DEFAULT_INGEST_WORKERS),
    reportRefreshSeconds: int('HSSK_REPORT_REFRESH_SECONDS', 60),
    weeklyReportCheckSeconds: int('HSSK_WEEKLY_REPORT_CHECK_SECONDS', 600),
    fhirExportPollSeconds: int('HSSK_FHIR_EXPORT_POLL_SECONDS', 1),
    jobWorkers: flag('HSSK_JOB_WORKERS', true),
    smtpUrl: process.env.HSSK_SMTP_URL || undefined,
    mailFrom: process.env.HSSK_MAIL_FROM ?? 'So suc khoe dien tu <no-reply@openhssk.local>',
    smsFile: process.env.HSSK_SMS_FILE || undefined,
    reminderPlanSeconds: int('HSSK_REMINDER_PLAN_SECONDS', 60),
    reportHoldbackSeconds: process.env.HSSK_REPORT_HOLDBACK_SECONDS ? int('HSSK_REPORT_HOLDBACK_SECONDS', 0) : undefined,
    relayPollSeconds: int('HSSK_RELAY_POLL_SECONDS', 2),
    relayConcurrency: Math.max(1, int('HSSK_RELAY_CONCURRENCY', 4)),
    relayPortalHosts: (process.env.HSSK_RELAY_PORTAL_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
    webDistDir: process.env.HSSK_WEB_DIST ?? new URL('../../web/dist', import.meta.url).pathname,
    logLevel: process.env.LOG_LEVEL ?? 'info',
    logFormat: logFormat(),
    production: mode() === 'production',
    devIdp: flag('HSSK_DEV_IDP', embedded),
    keysDir: process.env.HSSK_KEYS_DIR || undefined,
    kek: kek(),
    oneTimePasswordHours: int('HSSK_ONE_TIME_PASSWORD_HOURS', 72),
    totpRequiredRoles: roleList(process.env.HSSK_TOTP_REQUIRED_ROLES),
    staffIdleMinutes: int('HSSK_STAFF_IDLE_MINUTES', 30),
    careRelationshipDays: int('HSSK_CARE_RELATIONSHIP_DAYS', 30),
    crossFacilityHours: int('HSSK_CROSS_FACILITY_HOURS', 24),
    breakGlassAlertCount: int('HSSK_BREAK_GLASS_ALERT_COUNT', 3),
    bodyLimit: int('HSSK_BODY_LIMIT', 64 * 1024),
    trustProxy: (process.env.HSSK_TRUST_PROXY ?? '').split(',').map((a) => a.trim()).filter(Boolean),
    portalBodyTokenLimit: int('HSSK_PORTAL_BODY_TOKEN_LIMIT', 2 * 1024 * 1024),
    throttleTokenPerIp: int('HSSK_THROTTLE_TOKEN_PER_IP', 60),
    throttleTokenPerClient: int('HSSK_THROTTLE_TOKEN_PER_CLIENT', 20),
    throttleSharePerIp: int('HSSK_THROTTLE_SHARE_PER_IP', 60),
    throttleCheckinPerStaff: int('HSSK_THROTTLE_CHECKIN_PER_STAFF', 30),
    throttleIdpLoginPerIp: int('HSSK_THROTTLE_IDP_LOGIN_PER_IP', 20),
    ...overrides,
  };
}
