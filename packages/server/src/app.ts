import { existsSync } from 'node:fs';
import { join } from 'node:path';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { DomainError } from '@openhssk/core';
import Fastify, { type FastifyInstance } from 'fastify';
import { loadServerKeys, OidcClient, purgeExpiredSessions, registerCitizenAuth, registerDevIdp } from './auth/index.ts';
import { scheduleJob } from './background.ts';
import { registerBookRoutes } from './book/index.ts';
import { registerClinicRoutes } from './clinic/index.ts';
import type { Config } from './config.ts';
import type { DatabaseHandle } from './db/index.ts';
import { registerFacilityAdminRoutes, registerFacilityRoutes } from './facility/index.ts';
import { errorHandler, sendProblem } from './http/index.ts';
import { registerIngestRoutes, setPrepareWorkers } from './ingest/index.ts';
import { registerMpiRoutes } from './mpi/index.ts';
import { registerPortalRoutes } from './portal/index.ts';
import { refreshReports, registerReportRoutes } from './reports/index.ts';
import { registerStaffRoutes } from './staff/index.ts';

/** Expired sessions are refused when read; the purge only keeps the table small. */
const SESSION_PURGE_SECONDS = 3600;

export interface AppOptions {
  config: Config;
  database: DatabaseHandle;
  logger?: boolean;
}

export async function buildApp({ config, database, logger = true }: AppOptions): Promise<FastifyInstance> {
  const db = database.db;
  setPrepareWorkers(config.ingestWorkers);
  const app = Fastify({
    logger: logger ? { level: config.logLevel } : false,
    bodyLimit: 1024 * 1024,
    trustProxy: true,
    genReqId: () => crypto.randomUUID(),
  });
  app.setErrorHandler(errorHandler);
  app.setNotFoundHandler((req, reply) => {
    if (req.url.startsWith('/api/') || req.method !== 'GET') {
      return sendProblem(req, reply, new DomainError('not_found', 'NOT_FOUND', 'Không tìm thấy địa chỉ yêu cầu.', 'No such endpoint.'));
    }
    // Client-side routes of the two single-page apps: staff portal under /nhan-vien, citizen book elsewhere.
    const page = req.url === '/nhan-vien' || req.url.startsWith('/nhan-vien/') ? 'staff.html' : 'index.html';
    if (existsSync(join(config.webDistDir, page))) return reply.type('text/html; charset=utf-8').sendFile(page);
    return reply.status(404).type('text/plain; charset=utf-8').send('Giao diện web chưa được build: chạy `npm run build`.');
  });

  // XML envelopes are read as raw bytes: the signature covers bytes, not a re-serialised tree.
  app.addContentTypeParser(
    ['application/xml', 'text/xml', 'application/octet-stream', 'application/x-pem-file', 'application/pkix-cert'],
    { parseAs: 'buffer', bodyLimit: config.maxEnvelopeBytes },
    (_req, body, done) => done(null, body),
  );
  await app.register(cookie);
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      info: { title: 'OpenHSSK API', version: '0.1.0', description: 'Electronic health record and citizen health book platform' },
      components: { securitySchemes: { facilityToken: { type: 'http', scheme: 'bearer' } } },
    },
  });

  app.addHook('onSend', async (_req, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    reply.header('x-frame-options', 'DENY');
  });

  const keys = await loadServerKeys(db);
  let oidc: OidcClient;
  if (config.oidcIssuer) {
    if (!config.oidcClientSecret) throw new Error('OIDC_CLIENT_SECRET is required with OIDC_ISSUER');
    oidc = new OidcClient({ issuer: config.oidcIssuer, clientId: config.oidcClientId, clientSecret: config.oidcClientSecret, redirectUri: `${config.publicUrl}/auth/callback` });
  } else {
    const idp = await registerDevIdp(app, db, config, keys);
    oidc = new OidcClient({ issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, redirectUri: `${config.publicUrl}/auth/callback` });
  }

  registerCitizenAuth(app, db, config, oidc);
  registerFacilityRoutes(app, db, config, keys.facilityTokenKey);
  registerIngestRoutes(app, db, config, keys.facilityTokenKey);
  registerPortalRoutes(app, db, config, keys.facilityTokenKey);
  registerBookRoutes(app, db, config);
  registerStaffRoutes(app, db, config);
  registerClinicRoutes(app, db);
  await registerFacilityAdminRoutes(app, db);
  registerMpiRoutes(app, db);
  registerReportRoutes(app, db);

  const holdbackSeconds = config.reportHoldbackSeconds;
  scheduleJob(app, 'report-refresh', config.reportRefreshSeconds, () => refreshReports(db, { holdbackSeconds }));
  scheduleJob(app, 'session-purge', SESSION_PURGE_SECONDS, () => purgeExpiredSessions(db));

  app.get('/healthz', async () => ({ status: 'ok', database: database.kind }));
  app.get('/api/openapi.json', async () => app.swagger());

  if (existsSync(config.webDistDir)) {
    await app.register(fastifyStatic, { root: config.webDistDir, prefix: '/', wildcard: false, index: ['index.html'] });
  }
  return app;
}
