import { createHash } from 'node:crypto';
import { DomainError } from '@openhssk/core';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { randomToken } from './password.ts';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
  jwks_uri: string;
  end_session_endpoint?: string;
}

export interface OidcClientOptions {
  issuer: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

export interface IdentityClaims {
  sub: string;
  personalId: string;
  name: string;
  birthdate?: string | undefined;
  identityLevel: number;
  /** The ID token itself: kept with the session as the id_token_hint of the logout request. */
  idToken: string;
}

/**
 * Relying-party side of the citizen login: authorization code flow with PKCE, ID token verified
 * against the issuer's published keys. Works the same against the built-in provider and VNeID.
 */
export class OidcClient {
  private discovery?: Promise<Discovery>;
  private jwks?: ReturnType<typeof createRemoteJWKSet>;

  constructor(private readonly options: OidcClientOptions) {}

  private async meta(): Promise<Discovery> {
    this.discovery ??= fetch(`${this.options.issuer}/.well-known/openid-configuration`).then(async (r) => {
      if (!r.ok) throw new Error(`OIDC discovery failed: ${r.status}`);
      return (await r.json()) as Discovery;
    });
    try {
      return await this.discovery;
    } catch (e) {
      this.discovery = undefined;
      throw e;
    }
  }

  async authorizationRequest(): Promise<{ url: string; state: string; nonce: string; verifier: string }> {
    const meta = await this.meta();
    const state = randomToken(16);
    const nonce = randomToken(16);
    const verifier = randomToken(32);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const url = new URL(meta.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: this.options.clientId,
      response_type: 'code',
      scope: 'openid profile',
      redirect_uri: this.options.redirectUri,
      state,
      nonce,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ui_locales: 'vi',
    }).toString();
    return { url: url.toString(), state, nonce, verifier };
  }

  async exchange(code: string, verifier: string, nonce: string): Promise<IdentityClaims> {
    const meta = await this.meta();
    const basic = Buffer.from(`${encodeURIComponent(this.options.clientId)}:${encodeURIComponent(this.options.clientSecret)}`).toString('base64');
    const res = await fetch(meta.token_endpoint, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: this.options.redirectUri, code_verifier: verifier }),
    });
    if (!res.ok) {
      const detail = await res.text().catch(() => '');
      throw new DomainError('unauthenticated', 'LOGIN_FAILED', 'Đăng nhập không thành công, vui lòng thử lại.', `Token exchange failed (${res.status}): ${detail.slice(0, 200)}`);
    }
    const body = (await res.json()) as { id_token?: string };
    if (!body.id_token) throw new DomainError('unauthenticated', 'LOGIN_FAILED', 'Đăng nhập không thành công.', 'No ID token returned.');
    this.jwks ??= createRemoteJWKSet(new URL(meta.jwks_uri));
    const { payload } = await jwtVerify(body.id_token, this.jwks, { issuer: meta.issuer, audience: this.options.clientId });
    if (payload.nonce !== nonce) throw new DomainError('unauthenticated', 'LOGIN_FAILED', 'Đăng nhập không thành công.', 'Nonce mismatch.');
    const personalId = String(payload.personal_id ?? payload.sub ?? '');
    return {
      sub: String(payload.sub),
      personalId,
      name: String(payload.name ?? ''),
      birthdate: typeof payload.birthdate === 'string' ? payload.birthdate : undefined,
      identityLevel: Number(payload.identity_level ?? 0),
      idToken: body.id_token,
    };
  }

  /**
   * Where to send the browser so the identity provider's own session ends too (OpenID Connect
   * RP-Initiated Logout 1.0). Without this, "Đăng xuất" leaves the provider's session alive and the
   * next person at a shared phone who presses "Đăng nhập bằng VNeID" is logged in as the previous
   * one without a password. Undefined when the provider publishes no end_session_endpoint or cannot
   * be reached: our own session is gone either way.
   */
  async endSessionUrl(idTokenHint: string | undefined, postLogoutRedirectUri: string): Promise<string | undefined> {
    let meta: Discovery;
    try {
      meta = await this.meta();
    } catch {
      return undefined;
    }
    if (!meta.end_session_endpoint) return undefined;
    const url = new URL(meta.end_session_endpoint);
    const params = new URLSearchParams({ client_id: this.options.clientId, post_logout_redirect_uri: postLogoutRedirectUri, ui_locales: 'vi' });
    if (idTokenHint) params.set('id_token_hint', idTokenHint);
    url.search = params.toString();
    return url.toString();
  }
}
