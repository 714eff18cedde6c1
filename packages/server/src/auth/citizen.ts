import { DomainError, unauthorized } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import type { OidcClient } from './oidc-client.ts';
import {
  clearSessionCookie,
  createSession,
  deleteSession,
  readSession,
  sessionIdOf,
  setSessionCookie,
  takeSession,
} from './sessions.ts';

const LOGIN_COOKIE = 'hssk_login';
const REQUIRED_LEVEL = 2;

// All optional: a provider reporting a refusal sends `error` without `code`, and the handler sends
// every incomplete answer back to the web app with a login_error it can explain.
const callbackQuery = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 4096 })),
  state: Type.Optional(Type.String({ maxLength: 1024 })),
  error: Type.Optional(Type.String({ maxLength: 256 })),
});

export interface CitizenContext {
  subject: string;
  personId: string | null;
  name: string;
  consented: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    citizen?: CitizenContext;
  }
}

/** The logged-in citizen, or 401. */
export async function requireCitizen(db: Db, req: FastifyRequest): Promise<CitizenContext> {
  const s = await readSession(db, 'citizen', sessionIdOf(req));
  if (!s) throw unauthorized();
  const acc = await db
    .selectFrom('citizen_account')
    .select(['person_id', 'consent_at', 'consent_withdrawn_at'])
    .where('subject', '=', s.subject)
    .executeTakeFirst();
  const consented = !!acc?.consent_at && !acc.consent_withdrawn_at;
  return { subject: s.subject, personId: acc?.person_id ?? null, name: String(s.data.name ?? ''), consented };
}

/** Records the citizen's choice about the health book; share revocation on withdrawal is the book's job. */
export async function recordConsent(db: Db, subject: string, given: boolean): Promise<void> {
  await db
    .updateTable('citizen_account')
    .set(given ? { consent_at: new Date(), consent_withdrawn_at: null } : { consent_withdrawn_at: new Date() })
    .where('subject', '=', subject)
    .execute();
}

/** Health data is shown only after "Đồng ý sử dụng". */
export async function requireConsentedCitizen(db: Db, req: FastifyRequest): Promise<CitizenContext & { personId: string }> {
  const c = await requireCitizen(db, req);
  if (!c.consented) {
    throw new DomainError('forbidden', 'CONSENT_REQUIRED', 'Bạn cần đồng ý sử dụng Sổ sức khỏe điện tử trước.', 'Consent to use the health book is required first.');
  }
  if (!c.personId) {
    throw new DomainError('not_found', 'NO_HEALTH_RECORD', 'Chưa có hồ sơ sức khỏe gắn với số định danh của bạn.', 'No health record is linked to your personal ID yet.');
  }
  return { ...c, personId: c.personId };
}

export function registerCitizenAuth(fastify: FastifyInstance, db: Db, config: Config, oidc: OidcClient) {
  const app = typedRoutes(fastify);
  const secure = config.publicUrl.startsWith('https://') || new URL(config.publicUrl).hostname === 'localhost';

  app.get('/auth/login', async (_req, reply) => {
    const a = await oidc.authorizationRequest();
    await createSession(db, 'oidc_pending', 'pending', { nonce: a.nonce, verifier: a.verifier }, 600, a.state);
    // Binds the callback to this browser, so a login started elsewhere cannot be injected (login CSRF).
    reply.setCookie(LOGIN_COOKIE, a.state, { path: '/auth', httpOnly: true, sameSite: 'lax', secure, maxAge: 600 });
    return reply.redirect(a.url, 302);
  });

  app.get('/auth/callback', { schema: { querystring: callbackQuery } }, async (req, reply) => {
    const q = req.query;
    if (q.error || !q.code || !q.state) return reply.redirect('/?login_error=CANCELLED', 302);
    if (req.cookies[LOGIN_COOKIE] !== q.state) return reply.redirect('/?login_error=STATE', 302);
    const pending = await takeSession(db, 'oidc_pending', q.state);
    reply.clearCookie(LOGIN_COOKIE, { path: '/auth' });
    if (!pending) return reply.redirect('/?login_error=EXPIRED', 302);
    const claims = await oidc.exchange(q.code, String(pending.data.verifier), String(pending.data.nonce));
    if (claims.identityLevel < REQUIRED_LEVEL) {
      req.log.info({ level: claims.identityLevel }, 'citizen login refused: identity level');
      return reply.redirect('/?login_error=IDENTITY_LEVEL', 302);
    }
    const person = await db.selectFrom('person').select('id').where('so_cccd', '=', claims.personalId).executeTakeFirst();
    await db
      .insertInto('citizen_account')
      .values({ subject: claims.personalId, person_id: person?.id ?? null, last_login_at: new Date() })
      .onConflict((oc) => oc.column('subject').doUpdateSet({ person_id: person?.id ?? null, last_login_at: new Date() }))
      .execute();
    const sid = await createSession(db, 'citizen', claims.personalId, { name: claims.name }, config.sessionTtlSeconds);
    setSessionCookie(reply, sid, config.sessionTtlSeconds, secure);
    return reply.redirect('/', 302);
  });

  app.post('/auth/logout', async (req, reply) => {
    await deleteSession(db, sessionIdOf(req));
    clearSessionCookie(reply, secure);
    return { ok: true };
  });

  app.get('/api/v1/me', async (req) => {
    const c = await requireCitizen(db, req);
    const person = c.personId
      ? await db.selectFrom('person').select(['id', 'ho_ten', 'ngay_sinh', 'gioi_tinh']).where('id', '=', c.personId).executeTakeFirst()
      : undefined;
    return {
      personal_id: c.subject,
      name: person?.ho_ten ?? c.name,
      has_record: !!person,
      consented: c.consented,
    };
  });
}
