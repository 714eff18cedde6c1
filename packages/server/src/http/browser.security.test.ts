import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTestCertificate } from '@openhssk/core/xmldsig';
import type { FastifyInstance } from 'fastify';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { CookieJar, facilityWithToken, follow, send, startTestApp, type TestDatabase } from '../../test-support/index.ts';
import { staffSession } from '../../test-support/staff.ts';
import { upsertDevAccount } from '../auth/index.ts';
import { upsertPersons } from '../person/index.ts';
import { SIMPLE_BODY_ROUTES } from './body-policy.ts';

const FAC = '51077';
const CITIZEN_ID = '051090000777';
const DEV_PASSWORD = 'mat-khau-thu-1';

/** Fills in the development provider's login form, as the form itself posts (Origin: null under no-referrer). */
async function submitIdpLogin(jar: CookieJar, base: string, interactionUrl: string): Promise<{ res: Response; chain: string[] }> {
  const res = await send(jar, `${interactionUrl}/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' },
    body: new URLSearchParams({ personal_id: CITIZEN_ID, password: DEV_PASSWORD }),
  });
  assert.equal(res.status, 303, 'the provider accepts the login form');
  return follow(jar, new URL(res.headers.get('location') ?? '', base).toString());
}

describe('browser and transport security', () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let base: string;
  let port: number;
  let webDir: string;
  let citizen: string;
  let receptionist: string;
  let bearer: string;

  before(async () => {
    // A stand-in for the built web app, so the HTML page and a static asset are served.
    webDir = mkdtempSync(join(tmpdir(), 'hssk-web-'));
    mkdirSync(join(webDir, 'assets'));
    writeFileSync(join(webDir, 'index.html'), '<!doctype html><html lang="vi"><head><script type="module" src="/assets/app.js"></script></head><body><div id="root"></div></body></html>');
    writeFileSync(join(webDir, 'staff.html'), '<!doctype html><html lang="vi"><head><title>staff</title></head><body><div id="root"></div></body></html>');
    writeFileSync(join(webDir, 'assets', 'app.js'), 'console.log(1);\n');
    ({ app, db, url: base, close } = await startTestApp({ config: { webDistDir: webDir } }));
    port = Number(new URL(base).port);

    await upsertPersons(db.db, [{ id: 'PX', ho_ten: 'Người Thử Bảo Mật', so_cccd: CITIZEN_ID, ngay_sinh: '1980-02-03', birth_year: 1980, gioi_tinh: 1 }]);
    citizen = await citizenCookie(db, CITIZEN_ID, 'PX', true);
    await upsertDevAccount(db.db, { personalId: CITIZEN_ID, password: DEV_PASSWORD, identityLevel: 2, hoTen: 'Người Thử Bảo Mật' });
    ({ token: bearer } = await facilityWithToken(app, db, FAC, { testMode: true }));
    ({ cookie: receptionist } = await staffSession(app, db.db, { username: 'tiepdon.x', fullName: 'Tiếp đón X', role: 'receptionist', facilityCode: FAC }));
  });

  after(async () => {
    await close?.();
    if (webDir) rmSync(webDir, { recursive: true, force: true });
  });

  const declarations = async () => {
    const r = await app.inject({ method: 'GET', url: '/api/v1/book/declarations', headers: { cookie: citizen } });
    assert.equal(r.statusCode, 200, r.body);
    return (r.json() as { declarations: Array<{ title: string }> }).declarations.map((d) => d.title);
  };
  const allergy = (title: string) => JSON.stringify({ kind: 'allergy', title });

  describe('headers', () => {
    it('an API answer carries CSP, nosniff, no-referrer, frame denial and Cache-Control: no-store', async () => {
      const r = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: citizen } });
      assert.equal(r.statusCode, 200);
      const csp = String(r.headers['content-security-policy']);
      assert.match(csp, /(^|; )script-src 'self'(;|$)/);
      assert.match(csp, /frame-ancestors 'none'/);
      assert.match(csp, /object-src 'none'/);
      assert.equal(r.headers['x-content-type-options'], 'nosniff');
      assert.equal(r.headers['referrer-policy'], 'no-referrer');
      assert.equal(r.headers['x-frame-options'], 'DENY');
      assert.equal(r.headers['cache-control'], 'no-store');
    });

    it('refusals (401, 404) under /api/ and /auth/ answers are not cacheable either', async () => {
      for (const url of ['/api/v1/book/summary', '/api/v1/no-such-thing']) {
        const r = await app.inject({ method: 'GET', url });
        assert.ok(r.statusCode >= 400, url);
        assert.equal(r.headers['cache-control'], 'no-store', url);
        assert.ok(r.headers['content-security-policy'], url);
      }
      const logout = await app.inject({ method: 'POST', url: '/auth/logout' });
      assert.equal(logout.headers['cache-control'], 'no-store');
    });

    it('the HTML page carries the same policy, with no inline script allowed; static assets stay cacheable', async () => {
      const r = await fetch(`${base}/`);
      assert.equal(r.status, 200);
      assert.match(r.headers.get('content-type') ?? '', /text\/html/);
      const csp = r.headers.get('content-security-policy') ?? '';
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
      assert.equal(scriptSrc.trim(), "'self'", 'script-src is self only: no unsafe-inline, no unsafe-eval');
      assert.match(csp, /frame-ancestors 'none'/);
      assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
      const asset = await fetch(`${base}/assets/app.js`);
      assert.equal(asset.status, 200);
      assert.notEqual(asset.headers.get('cache-control'), 'no-store');
      assert.ok(asset.headers.get('content-security-policy'));
    });

    it('app addresses answer 200 with their app; an address no app has a screen for answers 404 with the app’s not-found page', async () => {
      for (const [path, title] of [['/luot-kham/12', 'root'], ['/ai-da-xem', 'root'], ['/nhan-vien/nhan-su', 'staff'], ['/nhan-vien/', 'staff']] as const) {
        const r = await fetch(`${base}${path}`);
        assert.equal(r.status, 200, path);
        assert.match(await r.text(), new RegExp(title), path);
      }
      for (const [path, title] of [['/khong-co-trang-nay', 'id="root"'], ['/luot-kham/abc', 'id="root"'], ['/nhan-vien/khong-co', '<title>staff</title>']] as const) {
        const r = await fetch(`${base}${path}?x=1`);
        assert.equal(r.status, 404, path);
        assert.match(r.headers.get('content-type') ?? '', /text\/html/, path);
        assert.ok(r.headers.get('content-security-policy'), path);
        assert.match(await r.text(), new RegExp(title), path);
      }
      assert.equal((await fetch(`${base}/api/v1/khong-co`)).headers.get('content-type')?.startsWith('application/problem+json'), true);
    });

    it('HSTS and upgrade-insecure-requests only when the public URL is HTTPS', async () => {
      const plain = await app.inject({ method: 'GET', url: '/healthz' });
      assert.equal(plain.headers['strict-transport-security'], undefined);
      const tls = await startTestApp({ config: { publicUrl: 'https://hssk.example.vn', reportRefreshSeconds: 0 } });
      try {
        const r = await tls.app.inject({ method: 'GET', url: '/healthz' });
        assert.match(String(r.headers['strict-transport-security']), /^max-age=31536000/);
        assert.match(String(r.headers['content-security-policy']), /upgrade-insecure-requests/);
      } finally {
        await tls.close();
      }
    });

    it('the built web app (when built) has no inline script and no <style> element', { skip: !existsSync(new URL('../../../web/dist/index.html', import.meta.url)) && 'web app not built' }, () => {
      const dist = new URL('../../../web/dist/', import.meta.url).pathname;
      const pages = readdirSync(dist).filter((f) => f.endsWith('.html'));
      assert.ok(pages.length >= 2, 'citizen and staff pages');
      for (const page of pages) {
        const html = readFileSync(join(dist, page), 'utf8');
        for (const tag of html.match(/<script\b[^>]*>/g) ?? []) assert.match(tag, /\ssrc=/, `${page}: ${tag}`);
        assert.doesNotMatch(html, /<style\b/, page);
        assert.doesNotMatch(html, /\son[a-z]+=/i, `${page}: inline event handler`);
      }
    });
  });

  describe('Origin check on cookie-authenticated writes', () => {
    it('a citizen cookie request from another origin of the same site is refused with 403 and changes nothing', async () => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/book/declarations',
        headers: { cookie: citizen, origin: `http://localhost:${port + 1}`, 'content-type': 'application/json' },
        payload: allergy('Dị ứng giả mạo'),
      });
      assert.equal(r.statusCode, 403);
      const body = r.json() as { code: string; message_vi: string; message_en: string };
      assert.equal(body.code, 'CSRF_ORIGIN_REFUSED');
      assert.ok(body.message_vi.length > 0 && body.message_en.length > 0);
      assert.ok(!(await declarations()).includes('Dị ứng giả mạo'));
    });

    it('Origin: null and a foreign Referer (no Origin) are refused too', async () => {
      for (const headers of [{ origin: 'null' }, { referer: `http://127.0.0.2:${port}/trang-la` }]) {
        const r = await app.inject({ method: 'DELETE', url: '/api/v1/me/consent', headers: { cookie: citizen, ...headers } });
        assert.equal(r.statusCode, 403, JSON.stringify(headers));
        assert.equal((r.json() as { code: string }).code, 'CSRF_ORIGIN_REFUSED');
      }
      const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: citizen } });
      assert.equal((me.json() as { consented: boolean }).consented, true, 'consent not withdrawn');
    });

    it("a staff cookie request from another origin is refused: the receptionist's session and check-in are untouched", async () => {
      const checkin = await app.inject({
        method: 'POST',
        url: '/api/v1/clinic/checkin',
        headers: { cookie: receptionist, origin: `http://localhost:${port + 1}`, 'content-type': 'application/json' },
        payload: JSON.stringify({ method: 'typed', value: CITIZEN_ID }),
      });
      assert.equal(checkin.statusCode, 403);
      assert.equal((checkin.json() as { code: string }).code, 'CSRF_ORIGIN_REFUSED');
      const logout = await app.inject({ method: 'POST', url: '/api/v1/staff/logout', headers: { cookie: receptionist, origin: 'http://evil.example' } });
      assert.equal(logout.statusCode, 403);
      const me = await app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: { cookie: receptionist } });
      assert.equal(me.statusCode, 200, 'still logged in');
    });

    it('the right Origin (public URL, or the address the request was sent to) is accepted', async () => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/book/declarations',
        headers: { cookie: citizen, origin: base, 'content-type': 'application/json' },
        payload: allergy('Dị ứng penicillin'),
      });
      assert.equal(r.statusCode, 201, r.body);
      // The demo opened at a LAN address: the page's origin is the address it was served from.
      const lan = await app.inject({
        method: 'POST',
        url: '/api/v1/book/declarations',
        headers: { cookie: citizen, host: `192.168.1.20:${port}`, origin: `http://192.168.1.20:${port}`, 'content-type': 'application/json' },
        payload: allergy('Dị ứng tôm'),
      });
      assert.equal(lan.statusCode, 201, lan.body);
      assert.deepEqual((await declarations()).sort(), ['Dị ứng penicillin', 'Dị ứng tôm']);
    });

    it('a bearer-token request without Origin (facility system) is not subject to the check', async () => {
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/facility/certificates',
        headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-pem-file' },
        payload: createTestCertificate().certPem,
      });
      assert.equal(r.statusCode, 201, r.body);
    });
  });

  describe('content-type policy', () => {
    it('a JSON API refuses a form-urlencoded, multipart, text/plain or untyped body with 415, even from the right Origin', async () => {
      const before = await declarations();
      const bodies: Array<[string | undefined, string]> = [
        ['application/x-www-form-urlencoded', 'kind=allergy&title=Qua+form'],
        ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="title"\r\n\r\nQua multipart\r\n--x--\r\n'],
        ['text/plain;charset=UTF-8', allergy('Qua text/plain')],
        [undefined, allergy('Không có kiểu')],
      ];
      for (const [type, payload] of bodies) {
        const r = await app.inject({
          method: 'POST',
          url: '/api/v1/book/declarations',
          headers: { cookie: citizen, origin: base, ...(type ? { 'content-type': type } : {}) },
          payload,
        });
        assert.equal(r.statusCode, 415, `${type}: ${r.body}`);
        const body = r.json() as { code: string; message_vi: string };
        assert.equal(body.code, 'UNSUPPORTED_MEDIA_TYPE');
        assert.match(body.message_vi, /application\/json/);
      }
      assert.deepEqual(await declarations(), before);
    });

    it('the routes that take forms by protocol still do (OAuth token endpoint), and every listed route exists', async () => {
      for (const key of Object.keys(SIMPLE_BODY_ROUTES)) {
        const [method = '', url = ''] = key.split(' ');
        assert.ok(app.hasRoute({ method: method as 'POST', url }), `listed route ${key} exists`);
      }
      const cred = await facilityWithToken(app, db, '51078', { testMode: true });
      const r = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: cred.clientId, client_secret: cred.clientSecret }).toString(),
      });
      assert.equal(r.statusCode, 200, r.body);
    });
  });

  describe('login and logout through the identity provider', () => {
    it("logout ends the provider's session: the next login asks for the password again", async () => {
      const jar = new CookieJar();
      const first = await follow(jar, `${base}/auth/login`);
      const interaction = first.chain.at(-1) ?? '';
      assert.match(interaction, /\/idp\/interaction\/[^/]+$/, 'a fresh browser is asked to log in');
      const page = await first.res.text();
      assert.match(page, /type="password"/);
      // The provider's pages obey the same policy: no inline script or <style> element.
      assert.match(first.res.headers.get('content-security-policy') ?? '', /script-src 'self'(;|$)/);
      assert.doesNotMatch(page, /<style\b|<script>/);

      const loggedIn = await submitIdpLogin(jar, base, interaction);
      assert.equal(loggedIn.chain.at(-1), `${base}/`);
      assert.ok(jar.has('hssk_sid'));

      // Control: while the provider's session lives, a second login goes straight through.
      const silent = await follow(jar, `${base}/auth/login`);
      assert.ok(!silent.chain.some((u) => u.includes('/idp/interaction/')), `silent re-login: ${silent.chain.join(' → ')}`);
      assert.equal(silent.chain.at(-1), `${base}/`);

      const out = await send(jar, `${base}/auth/logout`, { method: 'POST', headers: { origin: base } });
      assert.equal(out.status, 200);
      const { redirect } = (await out.json()) as { redirect: string };
      const end = new URL(redirect);
      assert.equal(`${end.origin}${end.pathname}`, `${base}/idp/session/end`);
      assert.ok(end.searchParams.get('id_token_hint'), 'the ID token kept in the session is the hint');
      assert.equal(end.searchParams.get('post_logout_redirect_uri'), `${base}/`);
      assert.ok(!jar.has('hssk_sid'), 'our session cookie is cleared');
      assert.equal((await send(jar, `${base}/api/v1/me`)).status, 401);

      // The browser follows: the provider's page submits its confirmation form by itself (logout.js).
      const confirmPage = await send(jar, redirect);
      assert.equal(confirmPage.status, 200);
      const html = await confirmPage.text();
      assert.match(html, /<script src="\/idp\/assets\/logout\.js"><\/script>/);
      const action = /<form id="op\.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
      assert.ok(action && xsrf);
      const confirmed = await send(jar, new URL(action, base).toString(), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' },
        body: new URLSearchParams({ xsrf, logout: 'yes' }),
      });
      assert.equal(confirmed.status, 303);
      assert.equal(confirmed.headers.get('location'), `${base}/`);

      const again = await follow(jar, `${base}/auth/login`);
      assert.match(again.chain.at(-1) ?? '', /\/idp\/interaction\/[^/]+$/, `after logout the provider asks again: ${again.chain.join(' → ')}`);
      assert.match(await again.res.text(), /type="password"/);
    });

    it('the logout answer names the end-session address even when our own session is already gone', async () => {
      const r = await fetch(`${base}/auth/logout`, { method: 'POST', headers: { origin: base } });
      const body = (await r.json()) as { redirect: string; identity_provider_logout: boolean };
      assert.equal(body.identity_provider_logout, true);
      assert.match(body.redirect, /\/idp\/session\/end\?/);
    });
  });

  describe('public host', () => {
    it('a page opened at 127.0.0.1 when the public URL is localhost is redirected to the same path there', async () => {
      const r = await fetch(`http://127.0.0.1:${port}/chia-se?x=1`, { redirect: 'manual' });
      assert.equal(r.status, 302);
      assert.equal(r.headers.get('location'), `${base}/chia-se?x=1`);
      const login = await fetch(`http://127.0.0.1:${port}/auth/login`, { redirect: 'manual' });
      assert.equal(login.status, 302);
      assert.equal(login.headers.get('location'), `${base}/auth/login`, 'login starts only at the public address');
    });

    it('API calls, health checks and requests through a proxy are not redirected', async () => {
      const api = await fetch(`http://127.0.0.1:${port}/api/v1/me`, { redirect: 'manual' });
      assert.equal(api.status, 401);
      const health = await fetch(`http://127.0.0.1:${port}/healthz`, { redirect: 'manual' });
      assert.equal(health.status, 200);
      const proxied = await app.inject({ method: 'GET', url: '/', headers: { host: 'hssk.internal:8080', 'x-forwarded-for': '10.0.0.9' } });
      assert.equal(proxied.statusCode, 200);
    });

    it('another device at a LAN address, with the public URL on loopback, is told which address to use instead of being sent to its own loopback', async () => {
      const page = await app.inject({ method: 'GET', url: '/', headers: { host: `192.168.1.20:${port}` }, remoteAddress: '192.168.1.30' });
      assert.equal(page.statusCode, 200);
      const login = await app.inject({ method: 'GET', url: '/auth/login', headers: { host: `192.168.1.20:${port}` }, remoteAddress: '192.168.1.30' });
      assert.equal(login.statusCode, 302);
      assert.equal(login.headers.location, '/?login_error=WRONG_HOST');
    });
  });
});
