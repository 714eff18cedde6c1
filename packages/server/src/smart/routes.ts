import { notFound } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { audit } from '../audit/index.ts';
import { requireConsentedCitizen } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { requireStaff, staffActor } from '../staff/index.ts';
import { disableSmartApp, listSmartApps, registerSmartApp, smartDb } from './apps.ts';
import { describeScopes, registerSmartAuthorization, revokeAuthorization, SMART_PATH } from './authorize.ts';

const tags = ['smart'];
const clientIdParam = Type.Object({ client_id: Type.String({ minLength: 1, maxLength: 256 }) });
const newApp = Type.Object({
  client_id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9._-]{3,100}$' })),
  name: Type.String({ minLength: 1, maxLength: 200 }),
  redirect_uris: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { minItems: 1, maxItems: 10 }),
  confidential: Type.Boolean({ default: false }),
  scopes: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 50 }),
});

/** The scopes this server grants, as the discovery document lists them. */
export const SMART_SCOPES = ['launch/patient', 'patient/*.rs', 'patient/*.read', 'system/*.rs', 'system/*.read'];

/** SMART App Launch 2.0 discovery: where to authorize and get tokens, and what this server can do. */
export function smartConfiguration(publicUrl: string) {
  return {
    authorization_endpoint: `${publicUrl}${SMART_PATH}/authorize`,
    token_endpoint: `${publicUrl}${SMART_PATH}/token`,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    grant_types_supported: ['authorization_code', 'client_credentials'],
    scopes_supported: SMART_SCOPES,
    response_types_supported: ['code'],
    management_endpoint: `${publicUrl}/api/v1/smart/authorizations`,
    code_challenge_methods_supported: ['S256'],
    capabilities: [
      'launch-standalone',
      'client-public',
      'client-confidential-symmetric',
      'context-standalone-patient',
      'permission-patient',
      'permission-v1',
      'permission-v2',
    ],
  };
}

/**
 * SMART on FHIR (issue 17 item 5): discovery, the authorization server, app registration by the
 * system administrator, and the citizen's list of authorized apps with revocation.
 */
export function registerSmartRoutes(fastify: FastifyInstance, db: Db, config: Pick<Config, 'publicUrl' | 'facilityTokenTtlSeconds'>, tokenKey: string) {
  const app = typedRoutes(fastify);
  registerSmartAuthorization(fastify, db, config, tokenKey);

  // Public and read by browser apps from their own origin (SMART requires CORS here).
  app.get('/fhir/R4/.well-known/smart-configuration', { schema: { summary: 'SMART App Launch discovery document', tags } }, async (_req, reply) =>
    reply.header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin').send(smartConfiguration(config.publicUrl)),
  );

  app.post('/api/v1/smart/apps', { schema: { summary: 'Register a SMART app (system administrator); a confidential app’s secret is shown once', tags, body: newApp } }, async (req, reply) => {
    const s = await requireStaff(db, req, { roles: ['system_admin'] });
    const b = req.body;
    const r = await registerSmartApp(db, { clientId: b.client_id, name: b.name, redirectUris: b.redirect_uris, confidential: b.confidential, scopes: b.scopes, createdBy: s.id });
    await audit(db, { actor: staffActor(s), action: 'smart.app.register', resource: `smart-app/${r.clientId}`, requestId: req.id, detail: { name: b.name, scopes: b.scopes } });
    return reply.status(201).send({ client_id: r.clientId, client_secret: r.clientSecret });
  });

  app.get('/api/v1/smart/apps', { schema: { summary: 'Registered SMART apps (system administrator)', tags } }, async (req) => {
    await requireStaff(db, req, { roles: ['system_admin'] });
    return { apps: await listSmartApps(db) };
  });

  app.delete('/api/v1/smart/apps/:client_id', { schema: { summary: 'Disable a SMART app (kept for the record): its tokens stop working at once', tags, params: clientIdParam } }, async (req) => {
    const s = await requireStaff(db, req, { roles: ['system_admin'] });
    if (!(await disableSmartApp(db, req.params.client_id))) throw notFound('ứng dụng', 'App');
    await audit(db, { actor: staffActor(s), action: 'smart.app.disable', resource: `smart-app/${req.params.client_id}`, requestId: req.id });
    return { ok: true };
  });

  app.get('/api/v1/smart/authorizations', { schema: { summary: 'Apps the citizen has allowed to read their record', tags } }, async (req) => {
    const c = await requireConsentedCitizen(db, req);
    const rows = await smartDb(db)
      .selectFrom('smart_authorization as a')
      .innerJoin('smart_app as p', 'p.client_id', 'a.client_id')
      .select(['a.client_id', 'p.name', 'a.scopes', 'a.include_sensitive', 'a.granted_at', 'a.last_used_at', 'a.revoked_at'])
      .where('a.subject', '=', c.subject)
      .orderBy('a.granted_at', 'desc')
      .execute();
    return { apps: rows.map((r) => ({ ...r, what: describeScopes(r.scopes, r.include_sensitive), active: r.revoked_at === null })) };
  });

  app.delete('/api/v1/smart/authorizations/:client_id', { schema: { summary: 'Revoke an app’s access: its tokens stop working at once', tags, params: clientIdParam } }, async (req) => {
    const c = await requireConsentedCitizen(db, req);
    if (!(await revokeAuthorization(db, c.subject, req.params.client_id))) throw notFound('ứng dụng', 'App');
    await audit(db, {
      actor: { type: 'citizen', id: c.subject, name: c.name },
      action: 'smart.revoke',
      personId: c.personId,
      resource: `smart-app/${req.params.client_id}`,
      requestId: req.id,
    });
    return { ok: true };
  });
}
