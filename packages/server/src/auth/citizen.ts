import { DomainError, unauthorized } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { publicHostFit, typedRoutes } from '../http/index.ts';
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

// A SMART app's consent screen sends the citizen through this same login and back (smart/authorize.ts);
// only that local path is accepted, so the login cannot be used to redirect anywhere else.
const loginQuery = Type.Object({ return: Type.Optional(Type.String({ maxLength: 200, pattern: '^/smart/consent\\?req=[A-Za-z0-9_-]+$' })) });

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

/**
 * The citizen's two separate choices: `book` = use the health book ("Đồng ý sử dụng");
 * `cross_facility` = let clinicians where they are being treated see their history from other
 * facilities. The second only ever widens the first, so it needs the first and ends with it.
 */
export type ConsentKind = 'book' | 'cross_facility';

// Migration 013's columns of citizen_account, typed beside the one function that writes them.
type CrossFacilityColumns = { citizen_account: { cross_facility_consent_at: Date | null; cross_facility_withdrawn_at: Date | null } };
const consentDb = (db: Db) => db.withTables<CrossFacilityColumns>();

export interface ConsentChange {
  /** The stored choice changed (callers audit only real changes of the cross-facility choice). */
  changed: boolean;
  /** Withdrawing the book consent also withdrew an active cross-facility choice. */
  crossFacilityWithdrawn: boolean;
}

const consentRequired = () =>
  new DomainError('forbidden', 'CONSENT_REQUIRED', 'Bạn cần đồng ý sử dụng Sổ sức khỏe điện tử trước.', 'Consent to use the health book is required first.');

/**
 * Records one of the citizen's choices with its time; share revocation on withdrawal is the book's
 * job. Withdrawing the book consent withdraws the cross-facility choice too; giving the book
 * consent again does not restore it (the citizen decides that again on its own).
 */
export async function recordConsent(db: Db, subject: string, given: boolean, kind: ConsentKind = 'book'): Promise<ConsentChange> {
  const cdb = consentDb(db);
  const now = new Date();
  const update = () => cdb.updateTable('citizen_account').where('subject', '=', subject);
  const cfActive = () => update().where('cross_facility_consent_at', 'is not', null).where('cross_facility_withdrawn_at', 'is', null);
  const count = (r: { numUpdatedRows: bigint } | undefined) => Number(r?.numUpdatedRows ?? 0) > 0;
  if (kind === 'book' && given) {
    return { changed: count(await update().set({ consent_at: now, consent_withdrawn_at: null }).executeTakeFirst()), crossFacilityWithdrawn: false };
  }
  if (kind === 'book') {
    const changed = count(await update().set({ consent_withdrawn_at: now }).executeTakeFirst());
    const crossFacilityWithdrawn = count(await cfActive().set({ cross_facility_withdrawn_at: now }).executeTakeFirst());
    return { changed, crossFacilityWithdrawn };
  }
  if (!given) return { changed: count(await cfActive().set({ cross_facility_withdrawn_at: now }).executeTakeFirst()), crossFacilityWithdrawn: false };
  const gave = await update()
    .set({ cross_facility_consent_at: now, cross_facility_withdrawn_at: null })
    .where('consent_at', 'is not', null)
    .where('consent_withdrawn_at', 'is', null)
    .where((eb) => eb.or([eb('cross_facility_consent_at', 'is', null), eb('cross_facility_withdrawn_at', 'is not', null)]))
    .executeTakeFirst();
  if (count(gave)) return { changed: true, crossFacilityWithdrawn: false };
  const state = await consentStatus(db, subject);
  if (!state.book.given) throw consentRequired();
  return { changed: false, crossFacilityWithdrawn: false };
}

export interface ConsentState {
  given: boolean;
  given_at: Date | null;
  withdrawn_at: Date | null;
}

/** Both choices with their times, as stored; cross-facility counts as given only while the book consent stands. */
export async function consentStatus(db: Db, subject: string): Promise<{ book: ConsentState; cross_facility: ConsentState }> {
  const acc = await consentDb(db)
    .selectFrom('citizen_account')
    .select(['consent_at', 'consent_withdrawn_at', 'cross_facility_consent_at', 'cross_facility_withdrawn_at'])
    .where('subject', '=', subject)
    .executeTakeFirst();
  const at = (v: Date | string | null | undefined) => (v ? new Date(v) : null);
  const book = { given: !!acc?.consent_at && !acc.consent_withdrawn_at, given_at: at(acc?.consent_at), withdrawn_at: at(acc?.consent_withdrawn_at) };
  return {
    book,
    cross_facility: {
      given: book.given && !!acc?.cross_facility_consent_at && !acc.cross_facility_withdrawn_at,
      given_at: at(acc?.cross_facility_consent_at),
      withdrawn_at: at(acc?.cross_facility_withdrawn_at),
    },
  };
}

/** Health data is shown only after "Đồng ý sử dụng". */
export async function requireConsentedCitizen(db: Db, req: FastifyRequest): Promise<CitizenContext & { personId: string }> {
  const c = await requireCitizen(db, req);
  if (!c.consented) throw consentRequired();
  if (!c.personId) {
    throw new DomainError('not_found', 'NO_HEALTH_RECORD', 'Chưa có hồ sơ sức khỏe gắn với số định danh của bạn.', 'No health record is linked to your personal ID yet.');
  }
  return { ...c, personId: c.personId };
}

/** Without OIDC_ISSUER and without the development provider (HSSK_DEV_IDP=0) nobody can log in: say so. */
function configured(oidc: OidcClient | undefined): OidcClient {
  if (oidc) return oidc;
  throw new DomainError(
    'unavailable',
    'LOGIN_NOT_CONFIGURED',
    'Đăng nhập bằng VNeID chưa được cấu hình trên máy chủ này (thiếu OIDC_ISSUER).',
    'Citizen login is not configured on this server (OIDC_ISSUER is not set).',
  );
}

/** `oidc` undefined: no identity provider is configured, and login answers LOGIN_NOT_CONFIGURED. */
export function registerCitizenAuth(fastify: FastifyInstance, db: Db, config: Config, oidc: OidcClient | undefined) {
  const app = typedRoutes(fastify);
  const secure = config.publicUrl.startsWith('https://') || new URL(config.publicUrl).hostname === 'localhost';

  app.get('/auth/login', { schema: { querystring: loginQuery } }, async (req, reply) => {
    // The state cookie below is bound to the public URL's host; a login started under a name the
    // browser cannot be sent on from (another device, public URL on loopback) would only end in
    // "STATE", so the page says which address to use instead (other names are redirected earlier).
    if (publicHostFit(req, config.publicUrl) === 'unreachable') return reply.redirect('/?login_error=WRONG_HOST', 302);
    const a = await configured(oidc).authorizationRequest();
    const back = req.query.return ? { return_to: req.query.return } : {};
    await createSession(db, 'oidc_pending', 'pending', { nonce: a.nonce, verifier: a.verifier, ...back }, 600, a.state);
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
    const claims = await configured(oidc).exchange(q.code, String(pending.data.verifier), String(pending.data.nonce));
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
    // The ID token is kept as the id_token_hint of the logout request (see /auth/logout).
    const sid = await createSession(db, 'citizen', claims.personalId, { name: claims.name, id_token: claims.idToken }, config.sessionTtlSeconds);
    setSessionCookie(reply, sid, config.sessionTtlSeconds, secure);
    const back = pending.data.return_to;
    return reply.redirect(typeof back === 'string' && back.startsWith('/smart/consent?') ? back : '/', 302);
  });

  /**
   * Ends our session, then hands the browser the identity provider's end-session address: a shared
   * phone must not keep the provider's session, or the next "Đăng nhập bằng VNeID" would log the
   * next person in as this one without asking for a password. Answered as JSON (the web app
   * navigates to `redirect`): a fetch cannot follow a redirect to another origin's page.
   */
  app.post('/auth/logout', async (req, reply) => {
    const sid = sessionIdOf(req);
    const session = await readSession(db, 'citizen', sid);
    await deleteSession(db, sid);
    clearSessionCookie(reply, secure);
    const idToken = typeof session?.data.id_token === 'string' ? session.data.id_token : undefined;
    // Even without our session (expired) the provider's may still be alive: end it all the same.
    const endSession = oidc ? await oidc.endSessionUrl(idToken, `${config.publicUrl}/`) : undefined;
    return { ok: true, redirect: endSession ?? '/', identity_provider_logout: endSession !== undefined };
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
      cross_facility_consent: c.consented && (await consentStatus(db, c.subject)).cross_facility.given,
    };
  });
}
