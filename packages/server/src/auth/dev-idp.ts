import type { IncomingMessage, ServerResponse } from 'node:http';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import Provider, { type Configuration } from 'oidc-provider';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { escapeHtml, typedRoutes } from '../http/index.ts';
import { loadOrCreateState, type ServerKeys } from './keys.ts';
import { hashSecret, randomToken, verifySecret } from './password.ts';

export const DEV_IDP_PATH = '/idp';

const interactionParams = Type.Object({ uid: Type.String({ minLength: 1, maxLength: 100 }) });
const interactionQuery = Type.Object({ e: Type.Optional(Type.String({ maxLength: 8, description: 'set after a failed login' })) });
// The form always posts both fields (empty when left blank); the bounds are loose so a mistyped id
// still gets the page's own error message rather than a JSON refusal.
// Optional: a form with a field missing gets the page's own "wrong credentials" answer, as before.
const loginForm = Type.Object({ personal_id: Type.Optional(Type.String({ maxLength: 64 })), password: Type.Optional(Type.String({ maxLength: 1024 })) });

export interface DevAccount {
  personalId: string;
  password: string;
  identityLevel: number;
  hoTen: string;
  ngaySinh?: string | undefined;
  gioiTinh?: 'male' | 'female' | undefined;
}

export async function upsertDevAccount(db: Db, a: DevAccount): Promise<void> {
  const row = {
    personal_id: a.personalId,
    password_hash: await hashSecret(a.password),
    identity_level: a.identityLevel,
    ho_ten: a.hoTen,
    ngay_sinh: a.ngaySinh ?? null,
    gioi_tinh: a.gioiTinh ?? null,
  };
  await db
    .insertInto('dev_idp_account')
    .values(row)
    .onConflict((oc) => oc.column('personal_id').doUpdateSet(row))
    .execute();
}

export interface DevIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
}

/**
 * Built-in OpenID Connect provider standing in for VNeID during development and tests. It is a
 * real OIDC server (oidc-provider): the health book logs in through the same code path it would
 * use against the national identity provider.
 */
export async function registerDevIdp(fastify: FastifyInstance, db: Db, config: Config, keys: ServerKeys): Promise<DevIdp> {
  const app = typedRoutes(fastify);
  const issuer = `${config.publicUrl}${DEV_IDP_PATH}`;
  const clientSecret = await loadOrCreateState(db, 'idp_client_secret', () => randomToken(24));
  const configuration: Configuration = {
    clients: [
      {
        client_id: config.oidcClientId,
        client_secret: clientSecret,
        redirect_uris: [`${config.publicUrl}/auth/callback`],
        post_logout_redirect_uris: [`${config.publicUrl}/`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    pkce: { required: () => true },
    jwks: { keys: [keys.idpJwk as never] },
    cookies: { keys: keys.idpCookieKeys },
    claims: {
      openid: ['sub'],
      profile: ['name', 'birthdate', 'gender', 'personal_id', 'identity_level'],
    },
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      // The health book's "Đăng xuất" ends this session too (citizen.ts /auth/logout).
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          // A valid id_token_hint means the health book itself sent the browser here after its own
          // logout: the provider session ends at once (logout.js submits the form). Without one,
          // anyone could link here, so the person is asked.
          const fromClient = ctx.oidc.entities.IdTokenHint !== undefined;
          const confirmForm = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
          ctx.type = 'html';
          ctx.body = page(
            'Đăng xuất VNeID (môi trường phát triển)',
            `<p>${fromClient ? 'Đang đăng xuất khỏi nhà cung cấp định danh…' : 'Bạn có muốn đăng xuất khỏi nhà cung cấp định danh không?'}</p>
             ${confirmForm}<button type="submit" form="op.logoutForm">Đăng xuất</button>`,
            fromClient ? `${DEV_IDP_PATH}/assets/logout.js` : undefined,
          );
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = page('Đã đăng xuất', '<p>Bạn đã đăng xuất khỏi nhà cung cấp định danh.</p><p><a href="/">Về Sổ sức khỏe điện tử</a></p>');
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${DEV_IDP_PATH}/interaction/${interaction.uid}` },
    // First-party client: consent is asked by the health book itself ("Đồng ý sử dụng").
    loadExistingGrant: async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId || !ctx.oidc.client) return undefined;
      const existingId = ctx.oidc.session?.grantIdFor(ctx.oidc.client.clientId);
      if (existingId) {
        const existing = await ctx.oidc.provider.Grant.find(existingId);
        if (existing) return existing;
      }
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, id) => {
      const acc = await db.selectFrom('dev_idp_account').selectAll().where('personal_id', '=', id).executeTakeFirst();
      if (!acc) return undefined;
      return {
        accountId: id,
        claims: async () => ({
          sub: id,
          personal_id: id,
          name: acc.ho_ten,
          birthdate: acc.ngay_sinh ?? undefined,
          gender: acc.gioi_tinh ?? undefined,
          identity_level: acc.identity_level,
        }),
      };
    },
    ttl: { Session: 3600, Interaction: 600, Grant: 3600, IdToken: 600, AccessToken: 600, AuthorizationCode: 60 },
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = page('Lỗi đăng nhập', `<p>${escapeHtml(String(out.error_description ?? out.error))}</p>`);
    },
  };
  const provider = new Provider(issuer, configuration);
  // Behind a TLS-terminating proxy the public URL is https while the socket is plain HTTP.
  provider.proxy = true;
  const callback = provider.callback();

  // The pages' stylesheet and the logout auto-submit are files, not inline: the Content-Security-Policy
  // allows no inline script and no <style> element (http/security-headers.ts).
  app.get(`${DEV_IDP_PATH}/assets/idp.css`, { schema: { hide: true } }, async (_req, reply) => reply.type('text/css; charset=utf-8').send(PAGE_CSS));
  app.get(`${DEV_IDP_PATH}/assets/logout.js`, { schema: { hide: true } }, async (_req, reply) => reply.type('text/javascript; charset=utf-8').send(LOGOUT_JS));

  app.get(`${DEV_IDP_PATH}/interaction/:uid`, { schema: { params: interactionParams, querystring: interactionQuery } }, async (req, reply) => {
    reply.hijack();
    const details = await provider.interactionDetails(req.raw, reply.raw);
    const uid = escapeHtml(details.uid);
    const error = req.query.e;
    const demo = await db.selectFrom('app_state').select('value').where('key', '=', 'demo_citizens').executeTakeFirst();
    const demoList = (demo?.value ?? []) as Array<{ personal_id: string; name: string; level: number; note?: string }>;
    const demoHtml = demoList.length
      ? `<h2>Tài khoản mẫu (mật khẩu: demo)</h2><ul class="demo">${demoList
          .map((d) => `<li><code data-personal-id="${escapeHtml(d.personal_id)}">${escapeHtml(d.personal_id)}</code> – ${escapeHtml(d.name)} (mức ${d.level})${d.note ? ` – ${escapeHtml(d.note)}` : ''}</li>`)
          .join('')}</ul>`
      : '';
    const html = page(
      'Đăng nhập VNeID (môi trường phát triển)',
      `<p class="note">Nhà cung cấp định danh thử nghiệm thay cho VNeID, chỉ dùng khi phát triển và trình diễn.</p>
       ${error ? `<p role="alert" class="err">Số định danh hoặc mật khẩu không đúng.</p>` : ''}
       <form method="post" action="${DEV_IDP_PATH}/interaction/${uid}/login">
         <label for="personal_id">Số định danh cá nhân</label>
         <input id="personal_id" name="personal_id" inputmode="numeric" autocomplete="username" required>
         <label for="password">Mật khẩu</label>
         <input id="password" name="password" type="password" autocomplete="current-password" required>
         <button type="submit">Đăng nhập</button>
       </form>${demoHtml}`,
    );
    reply.raw.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    reply.raw.end(html);
  });

  app.post(`${DEV_IDP_PATH}/interaction/:uid/login`, { schema: { params: interactionParams, body: loginForm } }, async (req, reply) => {
    const { uid } = req.params;
    const id = (req.body.personal_id ?? '').trim();
    const acc = await db.selectFrom('dev_idp_account').selectAll().where('personal_id', '=', id).executeTakeFirst();
    const ok = acc !== undefined && (await verifySecret(req.body.password ?? '', acc.password_hash));
    if (!ok) return reply.redirect(`${DEV_IDP_PATH}/interaction/${encodeURIComponent(uid)}?e=1`, 303);
    reply.hijack();
    await provider.interactionFinished(req.raw, reply.raw, { login: { accountId: id } }, { mergeWithLastSubmission: false });
  });

  const forward = (req: { raw: IncomingMessage; body?: unknown }, res: ServerResponse) => {
    const raw = req.raw as IncomingMessage & { originalUrl?: string; body?: unknown };
    // Fastify has already consumed the stream; oidc-provider then reads the parsed body from req.body.
    if (req.body !== undefined) raw.body = req.body;
    raw.originalUrl = raw.url;
    raw.url = (raw.url ?? '/').slice(DEV_IDP_PATH.length) || '/';
    return callback(raw, res);
  };
  app.all(`${DEV_IDP_PATH}/*`, { schema: { hide: true } }, async (req, reply) => {
    reply.hijack();
    await forward(req, reply.raw);
  });

  return { issuer, clientId: config.oidcClientId, clientSecret };
}

const PAGE_CSS = `body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
h1{font-size:1.4rem;color:#a50e0e}label{display:block;margin-top:1rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.7rem;font-size:1rem;border:1px solid #666;border-radius:6px}
button{margin-top:1.2rem;width:100%;padding:.8rem;font-size:1rem;background:#a50e0e;color:#fff;border:0;border-radius:6px}
:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}h2{font-size:1.05rem;margin-top:2rem}.demo{padding-left:1.1rem}.note{color:#444}.err{color:#a50e0e;font-weight:600}
`;

/** Submits the logout confirmation the health book asked for; without script the button does it. */
const LOGOUT_JS = "document.getElementById('op.logoutForm').submit();\n";

function page(title: string, body: string, script?: string): string {
  return `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title)}</title><link rel="stylesheet" href="${DEV_IDP_PATH}/assets/idp.css"></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main>${
    script ? `<script src="${escapeHtml(script)}"></script>` : ''
  }</body></html>`;
}
