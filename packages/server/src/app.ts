import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { DomainError } from '@openhssk/core';
import { spaRoute } from '@openhssk/core/api';
import Fastify, { type FastifyInstance } from 'fastify';
import { DEV_IDP_PATH, loadServerKeys, OidcClient, purgeExpiredSessions, registerCitizenAuth, registerDevIdp, SESSION_COOKIE } from './auth/index.ts';
import { scheduleJob } from './background.ts';
import { FileTextSender, planReminders, REMINDER_QUEUE, registerAppointmentRoutes, reminderAttemptFailed, reminderHandler, smtpMailSender } from './appointments/index.ts';
import { registerBookRoutes } from './book/index.ts';
import { registerClinicRoutes } from './clinic/index.ts';
import type { Config } from './config.ts';
import { registerCorrectionRoutes } from './correction/index.ts';
import type { DatabaseHandle } from './db/index.ts';
import { wireIdentityFollowers } from './identity-followers.ts';
import { registerFacilityAdminRoutes, registerFacilityRoutes } from './facility/index.ts';
import { registerFamilyRoutes } from './family/index.ts';
import { createExportRunner, exportDir, registerFhirRoutes } from './fhir/index.ts';
import { registerSmartRoutes } from './smart/index.ts';
import { abuseThrottles, acceptRawBodies, CERTIFICATE_CONTENT_TYPES, errorHandler, type LogDestination, loggerOptions, registerBrowserSecurity, registerThrottles, sendProblem, trustProxyOption } from './http/index.ts';
import { refreshCoverage, registerImmunizationRoutes } from './immunization/index.ts';
import { registerIngestRoutes, setPrepareWorkers } from './ingest/index.ts';
import { JobRunner } from './jobs/index.ts';
import { registerMpiRoutes } from './mpi/index.ts';
import { registerPortalRoutes } from './portal/index.ts';
import { registerPrimaryCareRoutes } from './primary-care/index.ts';
import { PortalClient, registerRelayRoutes, workRelay } from './relay/index.ts';
import { refreshReports, registerReportRoutes, snapshotDueWeek } from './reports/index.ts';
import { registerStaffRoutes, requireStaff, STAFF_COOKIE } from './staff/index.ts';
import { registerStationRoutes } from './station/index.ts';

/** Expired sessions are refused when read; the purge only keeps the table small. */
const SESSION_PURGE_SECONDS = 3600;

export interface AppOptions {
  config: Config;
  database: DatabaseHandle;
  /** false = no log; `{ stream }` = the same logger writing elsewhere (tests read it). */
  logger?: boolean | { stream: LogDestination };
}

export async function buildApp({ config, database, logger = true }: AppOptions): Promise<FastifyInstance> {
  const db = database.db;
  wireIdentityFollowers();
  setPrepareWorkers(config.ingestWorkers);
  const app = Fastify({
    logger: logger ? loggerOptions(config.logLevel, logger === true ? undefined : logger.stream) : false,
    bodyLimit: config.bodyLimit,
    // Only named proxies may speak for the client: otherwise a forged X-Forwarded-For would pick the
    // address that per-IP throttles count.
    trustProxy: trustProxyOption(config.trustProxy),
    genReqId: () => crypto.randomUUID(),
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.method !== 'GET') {
      return sendProblem(req, reply, new DomainError('not_found', 'NOT_FOUND', 'Không tìm thấy địa chỉ yêu cầu.', 'No such endpoint.'));
    }
    // Client-side routes of the single-page apps: staff portal under /nhan-vien, the commune health
    // station's offline app under /tram-y-te, citizen book elsewhere. An address the app has no
    // screen for gets the app's page with 404: the app shows its not-found screen.
    const { page, known } = spaRoute(req.url.split('?')[0]!);
    const file = join(config.webDistDir, page);
    if (existsSync(file)) {
      if (known) return reply.type('text/html; charset=utf-8').sendFile(page);
      return reply.code(404).type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(readFileSync(file));
    }
    return reply.status(404).type('text/plain; charset=utf-8').send('Giao diện web chưa được build: chạy `npm run build`.');
  });

  // Raw-body parsers (XML, certificates) exist only in the scopes of the upload routes, which check
  // the sender before reading; everywhere else such a body is 415 and any body is capped at bodyLimit.
  // Abuse throttles attach to their routes as those are registered, so this comes before any route.
  await registerThrottles(
    app,
    abuseThrottles(config, { idpPath: DEV_IDP_PATH, staffIdOf: (req) => requireStaff(db, req, { allowPasswordChange: true }).then((s) => s.id, () => undefined) }),
  );
  await app.register(cookie);
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      info: { title: 'OpenHSSK API', version: '0.1.0', description: 'Electronic health record and citizen health book platform' },
      components: { securitySchemes: { facilityToken: { type: 'http', scheme: 'bearer' } } },
    },
  });

  // Security headers, public-host redirect, Origin check on cookie-authenticated writes, and the
  // content-type policy (form bodies only on the routes listed in http/body-policy.ts).
  registerBrowserSecurity(app, { publicUrl: config.publicUrl, sessionCookies: [SESSION_COOKIE, STAFF_COOKIE] });

  const keys = await loadServerKeys(db, config);
  let oidc: OidcClient | undefined;
  if (config.oidcIssuer) {
    if (!config.oidcClientSecret) throw new Error('OIDC_CLIENT_SECRET is required with OIDC_ISSUER');
    oidc = new OidcClient({ issuer: config.oidcIssuer, clientId: config.oidcClientId, clientSecret: config.oidcClientSecret, redirectUri: `${config.publicUrl}/auth/callback` });
  } else if (config.devIdp) {
    const idp = await registerDevIdp(app, db, config, keys);
    oidc = new OidcClient({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: `${config.publicUrl}/auth/callback` });
  }

  registerCitizenAuth(app, db, config, oidc);
  app.register(async (scope) => {
    acceptRawBodies(scope, CERTIFICATE_CONTENT_TYPES);
    registerFacilityRoutes(scope, db, config, keys.facilityTokenKey);
  });
  registerIngestRoutes(app, db, config, keys.facilityTokenKey);
  registerPortalRoutes(app, db, config, keys.facilityTokenKey);
  registerBookRoutes(app, db, config);
  registerStaffRoutes(app, db, config);
  registerClinicRoutes(app, db, config);
  await registerFacilityAdminRoutes(app, db);
  registerMpiRoutes(app, db);
  registerFamilyRoutes(app, db);
  registerReportRoutes(app, db);
  registerPrimaryCareRoutes(app, db, config);
  registerStationRoutes(app, db, config);
  registerFhirRoutes(app, db, config, keys.facilityTokenKey);
  registerSmartRoutes(app, db, config, keys.facilityTokenKey);
  registerImmunizationRoutes(app, db, config);
  registerCorrectionRoutes(app, db);
  registerRelayRoutes(app, db, config);
  registerAppointmentRoutes(app, db);

  const holdbackSeconds = config.reportHoldbackSeconds;
  scheduleJob(app, 'report-refresh', config.reportRefreshSeconds, () => refreshReports(db, { holdbackSeconds }));
  // The weekly Đề án 06 table, stored once the week's Thursday 15:00 has passed (summaries as the
  // report-refresh job last left them: at most one refresh interval behind).
  scheduleJob(app, 'weekly-report', config.weeklyReportCheckSeconds, () => snapshotDueWeek(db));
  // Immunization coverage summaries: communes marked by new doses first, then the oldest (issue 16).
  scheduleJob(app, 'immunization-coverage', config.reportRefreshSeconds, () => refreshCoverage(db, { maxCommunes: 50 }));
  scheduleJob(app, 'session-purge', SESSION_PURGE_SECONDS, () => purgeExpiredSessions(db));
  // FHIR bulk exports: a stopped server leaves its job at the last checkpoint and resumes it next start.
  const fhirExports = createExportRunner(db, exportDir(config.dataDir));
  app.addHook('preClose', async () => fhirExports.stop());
  scheduleJob(app, 'fhir-export', config.fhirExportPollSeconds, () => fhirExports.run());
  // Durable jobs (jobs/): each module's queue handler is registered here; the workers start when the app
  // is ready and stop (finishing the jobs in hand) before the database closes.
  const jobs = new JobRunner(db, { onError: (err, job) => app.log.warn({ err, ...job }, 'job attempt failed') });
  // "Send once": messages of opted-in facilities go on to their insurance portal (relay/).
  if (config.relayPollSeconds > 0) workRelay(jobs, config, new PortalClient(), { concurrency: config.relayConcurrency, pollSeconds: config.relayPollSeconds });
  const mail = config.smtpUrl ? smtpMailSender(config.smtpUrl, config.mailFrom) : undefined;
  jobs.work(REMINDER_QUEUE, reminderHandler({ mail, text: config.smsFile ? new FileTextSender(config.smsFile) : undefined }), { batchSize: 50, onAttemptFailed: reminderAttemptFailed });
  app.addHook('onClose', async () => mail?.close());
  scheduleJob(app, 'reminder-plan', config.reminderPlanSeconds, () => planReminders(db));
  if (config.jobWorkers) {
    app.addHook('onReady', async () => jobs.start());
    app.addHook('preClose', async () => jobs.stop());
  }

  app.get('/healthz', async () => ({ status: 'ok', database: database.kind }));
  app.get('/api/openapi.json', async () => app.swagger());

  if (existsSync(config.webDistDir)) {
    await app.register(fastifyStatic, {
      root: config.webDistDir,
      prefix: '/',
      wildcard: false,
      index: ['index.html'],
      // The station app's service worker, manifest and pages are revalidated on every load, so a new
      // release reaches offline-capable phones; hashed /assets/* keep the default caching.
      setHeaders: (reply, filePath) => {
        if (filePath.endsWith('.webmanifest')) reply.header('content-type', 'application/manifest+json; charset=utf-8');
        if (/(-sw\.js|\.webmanifest|\.html)$/.test(filePath)) reply.header('cache-control', 'no-cache');
      },
    });
  }
  return app;
}
