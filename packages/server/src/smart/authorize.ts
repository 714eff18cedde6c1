/**
 * The SMART authorization server: authorization code grant (PKCE S256, mandatory for public apps)
 * for patient-facing apps, through the health book's own citizen login and a consent screen, and
 * the client-credentials grant for facility systems with system/ scopes.
 *
 * Hand-written on purpose, beside the oidc-provider instance of the development IdP: a second
 * provider would need its own persistence adapter, a Koa bridge, resource indicators to carry SMART
 * scopes and a hook to put `patient` in the token answer, while every piece of state here is a
 * hashed, expiring row of the session table the citizen login already uses (takeSession makes a
 * code single-use atomically). docs/security.md lists the checks and the fhirclient test drives them.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { audit } from '../audit/index.ts';
import { createSession, deleteSessionsOf, readSession, requireCitizen, requireConsentedCitizen, signFacilityToken, takeSession } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { checkCredential } from '../facility/index.ts';
import { escapeHtml, typedRoutes } from '../http/index.ts';
import { liveAuthorization } from './access.ts';
import { authenticateSmartApp, findSmartApp, smartDb } from './apps.ts';
import { grantScopes, parseScope } from './scopes.ts';

export const SMART_PATH = '/smart';
/** Access tokens are short: a revoked authorization or a withdrawn book consent also ends them at once. */
export const SMART_TOKEN_TTL_SECONDS = 300;
const CODE_TTL_SECONDS = 60;
const REQUEST_TTL_SECONDS = 600;

const str = (max: number) => Type.Optional(Type.String({ maxLength: max }));
const authorizeQuery = Type.Object({
  response_type: str(64),
  client_id: str(256),
  redirect_uri: str(2048),
  scope: str(4096),
  state: str(1024),
  aud: str(2048),
  code_challenge: str(256),
  code_challenge_method: str(16),
  launch: str(1024),
});
const consentQuery = Type.Object({ req: Type.String({ minLength: 10, maxLength: 100 }) });
const consentForm = Type.Object({
  req: Type.String({ minLength: 10, maxLength: 100 }),
  decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
  // A checkbox: sent only when ticked.
  include_sensitive: Type.Optional(Type.Literal('yes')),
});
const tokenForm = Type.Union([
  Type.Object({
    grant_type: str(64),
    code: str(256),
    redirect_uri: str(2048),
    code_verifier: str(256),
    client_id: str(256),
    client_secret: str(1024),
    scope: str(4096),
  }),
  Type.Null(),
]);

/** The parts of a pending request and of a code (both stored as session data). */
interface Pending {
  client_id: string;
  redirect_uri: string;
  state: string | null;
  code_challenge: string | null;
  scopes: string[];
}
interface CodeData extends Pending {
  subject: string;
  include_sensitive: boolean;
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
function pendingOf(data: Record<string, unknown>): Pending | undefined {
  const { client_id, redirect_uri, state, code_challenge, scopes } = data;
  if (typeof client_id !== 'string' || typeof redirect_uri !== 'string' || !isStrings(scopes)) return undefined;
  return { client_id, redirect_uri, state: typeof state === 'string' ? state : null, code_challenge: typeof code_challenge === 'string' ? code_challenge : null, scopes };
}

/** Session subject of one app's tokens for one citizen: revoking deletes them all. */
export const tokenSubject = (clientId: string, subject: string) => `${clientId} ${subject}`;

/** What each resource type is, as the consent screen says it. */
const TYPE_WORDS: Record<string, string> = {
  '*': 'toàn bộ hồ sơ sức khỏe',
  Patient: 'thông tin cá nhân',
  Encounter: 'các lượt khám',
  Condition: 'chẩn đoán',
  Observation: 'kết quả xét nghiệm và chỉ số sức khỏe',
  DiagnosticReport: 'kết quả cận lâm sàng',
  MedicationRequest: 'đơn thuốc',
  MedicationDispense: 'thuốc đã cấp',
  Procedure: 'thủ thuật, phẫu thuật',
  AllergyIntolerance: 'thông tin dị ứng',
  Immunization: 'lịch sử tiêm chủng',
  Coverage: 'thẻ bảo hiểm y tế',
  ServiceRequest: 'giấy chuyển tuyến',
  Appointment: 'lịch hẹn khám lại',
  DocumentReference: 'giấy ra viện',
  Provenance: 'nguồn gốc dữ liệu',
  Organization: 'cơ sở y tế đã khám',
};

/**
 * The scopes in words; `includeSensitive` is the citizen's choice on sensitive episodes once made,
 * 'ask' on the consent screen where the choice is still to be made below the sentence.
 */
export function describeScopes(scopes: readonly string[], includeSensitive: boolean | 'ask' = false): string {
  const types = scopes.map(parseScope).filter((s) => s !== null).map((s) => s.type);
  const what = types.includes('*') ? TYPE_WORDS['*']! : [...new Set(types)].map((t) => TYPE_WORDS[t] ?? t).join(', ');
  if (includeSensitive === 'ask') return `${what} (các lượt khám nhạy cảm chỉ khi bạn chọn ở bên dưới)`;
  return `${what}${includeSensitive ? ', gồm cả lượt khám nhạy cảm' : ' (trừ các lượt khám nhạy cảm)'}`;
}

const withParams = (uri: string, params: Record<string, string | null>) => {
  const u = new URL(uri);
  for (const [k, v] of Object.entries(params)) if (v !== null) u.searchParams.set(k, v);
  return u.toString();
};

/** Names the code a token came from without storing the code (a replay looks its tokens up by it). */
const grantOf = (code: string) => createHash('sha256').update(`smart-grant:${code}`).digest('base64url');
const s256 = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');
const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export function registerSmartAuthorization(fastify: FastifyInstance, db: Db, config: Pick<Config, 'publicUrl' | 'facilityTokenTtlSeconds'>, tokenKey: string) {
  const app = typedRoutes(fastify);
  const fhirBase = `${config.publicUrl}/fhir/R4`;
  const page = (reply: FastifyReply, status: number, title: string, body: string, formTarget?: string) => {
    // The consent form's answer is a redirect to the app: the page's form-action must allow its
    // origin. Origin is sent on the form's POST only under a same-origin referrer policy (the
    // server's default no-referrer makes it "null", which the cross-site check refuses).
    const csp = `default-src 'none'; style-src 'self'; form-action 'self'${formTarget ? ` ${new URL(formTarget).origin}` : ''}; frame-ancestors 'none'; base-uri 'none'`;
    return reply
      .status(status)
      .header('content-security-policy', csp)
      .header('referrer-policy', 'same-origin')
      .header('cache-control', 'no-store')
      .type('text/html; charset=utf-8')
      .send(htmlPage(title, body));
  };
  const errorPage = (reply: FastifyReply, vi: string) => page(reply, 400, 'Không thể kết nối ứng dụng', `<p role="alert">${escapeHtml(vi)}</p><p><a href="/">Về Sổ sức khỏe điện tử</a></p>`);

  app.get(`${SMART_PATH}/assets/smart.css`, { schema: { hide: true } }, async (_req, reply) => reply.type('text/css; charset=utf-8').send(PAGE_CSS));

  app.get(`${SMART_PATH}/authorize`, { schema: { summary: 'SMART authorization endpoint (standalone launch)', tags: ['smart'], querystring: authorizeQuery } }, async (req, reply) => {
    const q = req.query;
    const client = q.client_id ? await findSmartApp(db, q.client_id) : undefined;
    // An unknown app or redirect address is never redirected to: the answer could go anywhere.
    if (!client) return errorPage(reply, 'Ứng dụng này chưa được đăng ký với Sổ sức khỏe điện tử.');
    if (!q.redirect_uri || !client.redirectUris.includes(q.redirect_uri)) return errorPage(reply, 'Địa chỉ quay lại của ứng dụng không khớp với địa chỉ đã đăng ký.');
    const back = (error: string, description: string) => reply.redirect(withParams(q.redirect_uri!, { error, error_description: description, state: q.state ?? null }), 302);
    if (q.response_type !== 'code') return back('unsupported_response_type', 'only response_type=code is supported');
    if (q.aud !== fhirBase) return back('invalid_request', `aud must be ${fhirBase}`);
    if (q.launch !== undefined) return back('invalid_request', 'EHR launch is not supported; use a standalone launch');
    if (q.code_challenge_method !== undefined && q.code_challenge_method !== 'S256') return back('invalid_request', 'code_challenge_method must be S256');
    if (q.code_challenge !== undefined && !/^[A-Za-z0-9_-]{43,128}$/.test(q.code_challenge)) return back('invalid_request', 'malformed code_challenge');
    if (!client.confidential && (q.code_challenge === undefined || q.code_challenge_method !== 'S256')) return back('invalid_request', 'PKCE (code_challenge_method=S256) is required for public apps');
    const scopes = grantScopes((q.scope ?? '').split(/\s+/).filter(Boolean), client.scopes, 'patient');
    if (!scopes.some((s) => s.startsWith('patient/'))) return back('invalid_scope', 'no patient/ read scope this app may be granted was requested');
    const pending: Pending = { client_id: client.clientId, redirect_uri: q.redirect_uri, state: q.state ?? null, code_challenge: q.code_challenge ?? null, scopes };
    const id = await createSession(db, 'smart_request', client.clientId, { ...pending }, REQUEST_TTL_SECONDS);
    return reply.redirect(`${SMART_PATH}/consent?req=${encodeURIComponent(id)}`, 302);
  });

  app.get(`${SMART_PATH}/consent`, { schema: { summary: 'Consent screen for a SMART app (Vietnamese, after the citizen login)', tags: ['smart'], querystring: consentQuery } }, async (req, reply) => {
    const s = await readSession(db, 'smart_request', req.query.req);
    const pending = s && pendingOf(s.data as Record<string, unknown>);
    if (!pending) return errorPage(reply, 'Yêu cầu kết nối đã hết hạn. Hãy mở lại ứng dụng và thử lại.');
    const client = await findSmartApp(db, pending.client_id);
    if (!client) return errorPage(reply, 'Ứng dụng này không còn được phép kết nối.');
    // The same login as the health book: without a session the citizen logs in and comes back here.
    const citizen = await requireCitizen(db, req).catch((e: unknown) => {
      if (e instanceof DomainError && e.kind === 'unauthenticated') return undefined;
      throw e;
    });
    if (!citizen) return reply.redirect(`/auth/login?return=${encodeURIComponent(`${SMART_PATH}/consent?req=${req.query.req}`)}`, 302);
    const reqField = `<input type="hidden" name="req" value="${escapeHtml(req.query.req)}">`;
    const denyOnly = (text: string) =>
      page(
        reply,
        200,
        'Chưa thể kết nối ứng dụng',
        `<p>${text}</p><form method="post" action="${SMART_PATH}/consent">${reqField}<button type="submit" name="decision" value="deny">Quay lại ứng dụng</button></form><p><a href="/">Mở Sổ sức khỏe điện tử</a></p>`,
        pending.redirect_uri,
      );
    if (!citizen.consented) return denyOnly('Bạn cần mở Sổ sức khỏe điện tử và đồng ý sử dụng trước khi cho ứng dụng khác đọc hồ sơ.');
    if (!citizen.personId) return denyOnly('Chưa có hồ sơ sức khỏe gắn với số định danh của bạn.');
    const name = escapeHtml(client.name);
    return page(
      reply,
      200,
      'Cho phép ứng dụng đọc hồ sơ?',
      `<p class="who">Bạn đang đăng nhập: <strong>${escapeHtml(citizen.name)}</strong></p>
       <p class="ask">Ứng dụng <strong>${name}</strong> muốn đọc ${escapeHtml(describeScopes(pending.scopes, 'ask'))} của bạn.</p>
       <ul>
         <li>Ứng dụng chỉ được đọc, không được sửa hồ sơ.</li>
         <li>Các lượt khám nhạy cảm (HIV, lao, sức khỏe tâm thần) chỉ được chia sẻ với ứng dụng khi bạn đánh dấu ô bên dưới.</li>
         <li>Mỗi lần ứng dụng đọc hồ sơ đều được ghi vào nhật ký truy cập của bạn.</li>
         <li>Bạn có thể thu hồi quyền này bất cứ lúc nào trong phần Cài đặt của Sổ sức khỏe.</li>
       </ul>
       <form method="post" action="${SMART_PATH}/consent">${reqField}${SENSITIVE_CHOICE}
         <div class="actions">
           <button type="submit" name="decision" value="allow" class="primary">Đồng ý</button>
           <button type="submit" name="decision" value="deny">Từ chối</button>
         </div>
       </form>`,
      pending.redirect_uri,
    );
  });

  app.post(`${SMART_PATH}/consent`, { schema: { summary: 'The citizen’s answer on the consent screen', tags: ['smart'], body: consentForm } }, async (req, reply) => {
    const citizen = await requireCitizen(db, req);
    const s = await takeSession(db, 'smart_request', req.body.req);
    const pending = s && pendingOf(s.data as Record<string, unknown>);
    if (!pending) return errorPage(reply, 'Yêu cầu kết nối đã hết hạn. Hãy mở lại ứng dụng và thử lại.');
    const client = await findSmartApp(db, pending.client_id);
    if (!client?.redirectUris.includes(pending.redirect_uri)) return errorPage(reply, 'Ứng dụng này không còn được phép kết nối.');
    if (req.body.decision === 'deny') return reply.redirect(withParams(pending.redirect_uri, { error: 'access_denied', state: pending.state }), 302);
    const c = await requireConsentedCitizen(db, req);
    const now = new Date();
    const includeSensitive = req.body.include_sensitive === 'yes';
    // A new grant replaces the old one whole: the choice on sensitive episodes is asked again each time.
    await smartDb(db)
      .insertInto('smart_authorization')
      .values({ subject: citizen.subject, client_id: client.clientId, scopes: pending.scopes, include_sensitive: includeSensitive, granted_at: now, revoked_at: null })
      .onConflict((oc) => oc.columns(['subject', 'client_id']).doUpdateSet({ scopes: pending.scopes, include_sensitive: includeSensitive, granted_at: now, revoked_at: null }))
      .execute();
    await audit(db, {
      actor: { type: 'citizen', id: c.subject, name: c.name },
      action: 'smart.authorize',
      personId: c.personId,
      resource: `smart-app/${client.clientId}`,
      requestId: req.id,
      detail: { app: client.name, scopes: pending.scopes, include_sensitive: includeSensitive },
    });
    const code: CodeData = { ...pending, subject: c.subject, include_sensitive: includeSensitive };
    const id = await createSession(db, 'smart_code', client.clientId, { ...code }, CODE_TTL_SECONDS);
    return reply.redirect(withParams(pending.redirect_uri, { code: id, state: pending.state }), 302);
  });

  app.post(`${SMART_PATH}/token`, { schema: { summary: 'SMART token endpoint (authorization_code; client_credentials for facility systems)', tags: ['smart'], body: tokenForm } }, async (req, reply) => {
    const body = req.body ?? {};
    const oauthError = (status: number, error: string, description: string) =>
      reply.status(status).header('cache-control', 'no-store').send({ error, error_description: description });
    let clientId = body.client_id;
    let secret = body.client_secret;
    const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const [id, pw] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
      try {
        clientId = decodeURIComponent(id ?? '');
        secret = decodeURIComponent(pw ?? '');
      } catch {
        return oauthError(401, 'invalid_client', 'malformed Basic credentials');
      }
    }
    if (!clientId) return oauthError(401, 'invalid_client', 'client_id is required');

    if (body.grant_type === 'client_credentials') {
      const facilityCode = secret ? await checkCredential(db, clientId, secret) : undefined;
      if (!facilityCode) {
        await audit(db, { actor: { type: 'facility', id: clientId.slice(0, 128) }, action: 'facility.token.refuse', resource: `facility-credential/${clientId.slice(0, 128)}`, requestId: req.id, detail: { code: 'INVALID_CLIENT', ip: req.ip } });
        return oauthError(401, 'invalid_client', 'invalid client credentials');
      }
      // A facility system reads what it sent: at most system/*.rs, never patient/ or write scopes.
      const scopes = grantScopes((body.scope ?? '').split(/\s+/).filter(Boolean), ['system/*.rs'], 'system');
      if (scopes.length === 0) return oauthError(400, 'invalid_scope', 'request system/<type>.rs (or .read) scopes');
      await audit(db, {
        actor: { type: 'facility', id: clientId, facilityCode },
        action: 'facility.token.issue',
        resource: `facility-credential/${clientId}`,
        requestId: req.id,
        detail: { ip: req.ip, ttl_seconds: config.facilityTokenTtlSeconds, scopes },
      });
      const t = await signFacilityToken(tokenKey, facilityCode, clientId, config.facilityTokenTtlSeconds, scopes);
      return reply.header('cache-control', 'no-store').send({ ...t, scope: scopes.join(' ') });
    }

    if (body.grant_type !== 'authorization_code') return oauthError(400, 'unsupported_grant_type', 'use authorization_code or client_credentials');
    const client = await authenticateSmartApp(db, clientId, secret);
    if (!client) return oauthError(401, 'invalid_client', 'unknown app or wrong credentials');
    // Taken (deleted) before any check: a code is spent by its first use, right or wrong.
    const s = body.code ? await takeSession(db, 'smart_code', body.code) : undefined;
    const code = s && pendingOf(s.data as Record<string, unknown>);
    const subject = s && typeof (s.data as Record<string, unknown>).subject === 'string' ? String((s.data as Record<string, unknown>).subject) : undefined;
    const includeSensitive = s !== undefined && (s.data as Record<string, unknown>).include_sensitive === true;
    // Remembered (by hash, as long as a token from it can live) the moment it is spent, before the
    // checks below, so that a replay racing this request finds it and ends whatever token it gets.
    if (code && subject) await createSession(db, 'smart_code_spent', tokenSubject(code.client_id, subject), {}, SMART_TOKEN_TTL_SECONDS, body.code!);
    if (!s && body.code) {
      // A code used twice was seen by someone else (OAuth 2.0 security BCP, RFC 9700 §4.5): the
      // tokens its first use got are ended.
      const spent = await readSession(db, 'smart_code_spent', body.code);
      if (spent) {
        // Presented by another app, the code still tells of a leak: audited, and the owner's tokens ended too.
        await deleteSessionsOf(db, 'smart_token', spent.subject, { grant: grantOf(body.code) });
        await audit(db, { actor: { type: 'app', id: client.clientId, name: client.name }, action: 'smart.code.replay', resource: `smart-app/${client.clientId}`, requestId: req.id, detail: { ip: req.ip, same_app: spent.subject.startsWith(`${client.clientId} `) } });
      }
    }
    if (!code || !subject || code.client_id !== client.clientId) return oauthError(400, 'invalid_grant', 'unknown, expired or already used code');
    const token = await createSession(
      db,
      'smart_token',
      tokenSubject(client.clientId, subject),
      { client_id: client.clientId, subject, scopes: code.scopes, include_sensitive: includeSensitive, grant: grantOf(body.code!) },
      SMART_TOKEN_TTL_SECONDS,
    );
    // Every check below ends the token it fails: a replay racing this request (it finds the spent
    // mark written above) then has a token to end, instead of one issued after it looked.
    const refuse = async (description: string) => {
      await deleteSessionsOf(db, 'smart_token', tokenSubject(client.clientId, subject), { grant: grantOf(body.code!) });
      return oauthError(400, 'invalid_grant', description);
    };
    if (body.redirect_uri !== code.redirect_uri) return refuse('redirect_uri differs from the authorization request');
    if (code.code_challenge !== null) {
      if (!body.code_verifier || !sameText(s256(body.code_verifier), code.code_challenge)) return refuse('PKCE verification failed');
    } else if (!client.confidential) {
      return refuse('PKCE is required');
    }
    const account = await liveAuthorization(db, subject, client.clientId);
    if (!account?.person_id) return refuse('the authorization was revoked');
    await smartDb(db).updateTable('smart_authorization').set({ last_used_at: new Date() }).where('subject', '=', subject).where('client_id', '=', client.clientId).execute();
    // A replay that ran meanwhile ended the token: the first use gets nothing either.
    if (!(await readSession(db, 'smart_token', token))) return oauthError(400, 'invalid_grant', 'the code was used twice');
    return reply.header('cache-control', 'no-store').send({
      access_token: token,
      token_type: 'Bearer',
      expires_in: SMART_TOKEN_TTL_SECONDS,
      scope: code.scopes.join(' '),
      patient: account.person_id,
      need_patient_banner: false,
    });
  });
}

/** Ends one app's access for a citizen: the authorization and every live token. */
export async function revokeAuthorization(db: Db, subject: string, clientId: string): Promise<boolean> {
  const r = await smartDb(db)
    .updateTable('smart_authorization')
    .set({ revoked_at: new Date() })
    .where('subject', '=', subject)
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  await deleteSessionsOf(db, 'smart_token', tokenSubject(clientId, subject));
  return Number(r.numUpdatedRows) > 0;
}

/**
 * The choice on sensitive episodes: the same words for every citizen, unticked, whether or not their
 * record holds such an episode, so that the question itself tells nothing.
 */
const SENSITIVE_CHOICE = `
         <div class="choice">
           <input type="checkbox" id="include_sensitive" name="include_sensitive" value="yes" aria-describedby="include_sensitive_help">
           <label for="include_sensitive">Cho phép ứng dụng xem cả các lượt khám thuộc nhóm nhạy cảm (HIV, lao, sức khỏe tâm thần)</label>
         </div>
         <p id="include_sensitive_help" class="help">Nếu không đánh dấu, ứng dụng không thấy các lượt khám này. Mọi người dùng đều được hỏi câu này, dù hồ sơ có hay không có lượt khám như vậy. Muốn đổi lựa chọn, bạn thu hồi quyền trong phần Cài đặt rồi cho phép lại.</p>`;

const PAGE_CSS = `body{font-family:system-ui,sans-serif;max-width:30rem;margin:1.5rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
h1{font-size:1.35rem;color:#a50e0e}.ask{font-size:1.1rem}ul{padding-left:1.2rem}
.actions{display:flex;flex-direction:column;gap:.75rem;margin-top:1.5rem}
.choice{display:flex;gap:.75rem;align-items:flex-start;margin-top:1rem;padding:.75rem;border:1px solid #767676;border-radius:6px}
.choice input{width:1.5rem;height:1.5rem;margin:.1rem 0 0;flex:none}.choice label{cursor:pointer}.help{color:#444;font-size:.95rem}
button{width:100%;padding:.8rem;font-size:1rem;border-radius:6px;border:1px solid #555;background:#fff;color:#1a1a1a;cursor:pointer}
button.primary{background:#a50e0e;color:#fff;border-color:#a50e0e}:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
a{color:#1d4ed8}.who{color:#444}
`;

function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${SMART_PATH}/assets/smart.css"></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}
