import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { citizenCookie } from '../../test-support/book-fixture.ts';
import { login, staffSession, TEST_PASSWORD } from '../../test-support/staff.ts';
import { loggerOptions, REDACTED, redactUrl } from '../http/index.ts';
import { upsertPersons } from '../person/index.ts';

/** Every line the logger writes, as text. */
class Capture {
  lines: string[] = [];
  write(line: string) {
    this.lines.push(line);
  }
  get text() {
    return this.lines.join('');
  }
}

/** Each secret must be absent from the log; the message names the first one found. */
function assertAbsent(log: string, secrets: Record<string, string>) {
  for (const [what, value] of Object.entries(secrets)) {
    assert.ok(value.length >= 8, `${what} is long enough to be searched for`);
    assert.equal(log.includes(value), false, `${what} appears in the log`);
  }
}

describe(`secrets never reach the request log (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  const log = new Capture();
  let app: FastifyInstance;
  let db: TestDatabase;
  let url: string;
  let close: () => Promise<void>;

  before(async () => {
    // The production logger, at its most verbose, writing into `log`.
    ({ app, db, url, close } = await startTestApp({ logger: { stream: log }, config: { logLevel: 'trace' } }));
  });
  after(async () => close());

  it('logs requests at all (the capture works)', async () => {
    await app.inject({ method: 'GET', url: '/healthz' });
    assert.match(log.text, /"url":"\/healthz"/);
    assert.match(log.text, /incoming request/);
  });

  it('share links: the token in /api/v1/shared/<token>… and /chia-se/<token> is replaced', async () => {
    await upsertPersons(db.db, [{ id: 'PLOG', ho_ten: 'Phạm Thị Lộc', so_cccd: '079190000111', ngay_sinh: '1990-02-03', birth_year: 1990 }]);
    const cookie = await citizenCookie(db, '079190000111', 'PLOG', true);
    const created = await app.inject({ method: 'POST', url: '/api/v1/book/shares', headers: { cookie, origin: url }, payload: { scope: 'full' } });
    assert.equal(created.statusCode, 201, created.body);
    const token = (created.json() as { url: string }).url.split('/chia-se/')[1]!;
    const sessionId = cookie.split('=')[1]!;
    const opened = await app.inject({ method: 'GET', url: `/api/v1/shared/${token}` });
    assert.equal(opened.statusCode, 200, opened.body);
    await app.inject({ method: 'GET', url: `/api/v1/shared/${token}/episodes/1` });
    await app.inject({ method: 'GET', url: `/chia-se/${token}` });
    await app.inject({ method: 'GET', url: `/chia-se/${token}?utm=qr` });
    await fetch(`${url}/chia-se/${token}`);
    assertAbsent(log.text, { 'share token': token, 'citizen session id': sessionId });
    assert.match(log.text, /\/api\/v1\/shared\/\[redacted\]\/episodes\/1/);
    assert.match(log.text, /\/chia-se\/\[redacted\]\?utm=qr/);
  });

  it('facility credentials: client_secret (JSON, form, Basic) and the bearer token are never logged', async () => {
    const { token, clientId, clientSecret } = await facilityWithToken(app, db, '79555');
    await app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    });
    const basic = Buffer.from(`${clientId}:${clientSecret}`).toString('base64');
    await app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { authorization: `Basic ${basic}` }, payload: { grant_type: 'client_credentials' } });
    // Refusals and malformed bodies take the error paths.
    await app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: clientId, client_secret: `${clientSecret}-wrong` } });
    await app.inject({ method: 'POST', url: '/api/v1/auth/token', headers: { 'content-type': 'application/json' }, payload: `{"client_id":"${clientId}","client_secret":"${clientSecret}"` });
    // A client that puts the secret in the URL.
    await app.inject({ method: 'POST', url: `/api/v1/auth/token?client_secret=${clientSecret}`, payload: {} });
    const r = await app.inject({ method: 'GET', url: '/api/v1/xml130/receipts/SUB-NOPE', headers: { authorization: `Bearer ${token}` } });
    assert.ok(r.statusCode >= 400 && r.statusCode < 500);
    await app.inject({ method: 'GET', url: '/api/v1/xml130/receipts/SUB-NOPE', headers: { authorization: `Bearer ${token}x` } });
    await fetch(`${url}/api/v1/xml130/receipts/SUB-NOPE`, { headers: { authorization: `Bearer ${token}` } });
    assertAbsent(log.text, { client_secret: clientSecret, 'Basic credentials': basic, 'bearer token': token, 'bearer token signature': token.split('.').at(-1)! });
  });

  it('staff login: the password and the session cookie are never logged', async () => {
    const { cookie } = await staffSession(app, db.db, { username: 'log.admin', fullName: 'Quản trị', role: 'system_admin' });
    await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username: 'log.admin', password: 'Sai-mat-khau-99' } });
    await app.inject({ method: 'POST', url: '/api/v1/staff/login', headers: { 'content-type': 'application/json' }, payload: `{"username":"log.admin","password":"${TEST_PASSWORD}"` });
    const again = await login(app, 'log.admin', TEST_PASSWORD);
    await app.inject({ method: 'GET', url: '/api/v1/staff/me', headers: { cookie } });
    assertAbsent(log.text, { 'staff password': TEST_PASSWORD, 'wrong password': 'Sai-mat-khau-99', 'staff session': cookie.split('=')[1]!, 'second session': again.split('=')[1]! });
  });

  it('portal clients: ?token= / ?id_token= in the URL and the login password are replaced', async () => {
    const { token } = await facilityWithToken(app, db, '79556');
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    await app.inject({ method: 'POST', url: `/api/qd130/guiHoSoXmlQD4750?token=${token}`, headers: form, payload: 'loaiHoSo=130' });
    await app.inject({ method: 'POST', url: `/api/qd130/checkInKcbQd4750?id_token=${token}&x=1`, headers: form, payload: 'loaiHoSo=0' });
    await app.inject({ method: 'POST', url: '/api/qd130/guiHoSoXmlQD4750', headers: form, payload: `token=${token}&loaiHoSo=130` });
    const md5 = 'E10ADC3949BA59ABBE56E057F20F883E';
    await app.inject({ method: 'POST', url: '/api/token/take', headers: form, payload: `username=79556&password=${md5}` });
    // OIDC callback parameters.
    await app.inject({ method: 'GET', url: '/auth/callback?code=AUTHCODE-0123456789&state=STATE-0123456789' });
    assertAbsent(log.text, { 'portal token': token, 'portal password digest': md5, 'authorization code': 'AUTHCODE-0123456789', state: 'STATE-0123456789' });
    assert.match(log.text, /\?token=\[redacted\]/);
    assert.match(log.text, /\?id_token=\[redacted\]&x=1/);
  });
});

describe('the logger rewrites what code logs by mistake', () => {
  it('redacts headers, body secrets, URLs in messages and error texts', () => {
    const out = new Capture();
    const logger = pino(loggerOptions('info', out) as pino.LoggerOptions, out);
    logger.info({ req: { method: 'GET', url: '/api/v1/shared/SHARETOKEN-123456?access_token=ACCESS-123456', headers: { authorization: 'Bearer BEARER-123456', cookie: 'hssk_sid=COOKIE-123456' } } }, 'incoming');
    logger.info({ headers: { authorization: 'Bearer BEARER-234567', 'set-cookie': ['hssk_staff=SETCOOKIE-123456'] } }, 'headers');
    logger.error({ body: { username: 'a', password: 'PASSWORD-123456', client_secret: 'CLIENTSECRET-123456' } }, 'login failed');
    logger.warn('Route GET:/chia-se/SHARETOKEN-234567?state=STATE-123456 not found');
    logger.error({ err: new Error('fetch /api/v1/shared/SHARETOKEN-345678 failed with Bearer BEARER-345678') }, 'unhandled error');
    logger.info({ url: '/x?token=TOKEN-123456&y=2' }, 'plain url field');
    const text = out.text;
    assertAbsent(text, {
      a: 'SHARETOKEN-123456',
      b: 'ACCESS-123456',
      c: 'BEARER-123456',
      d: 'COOKIE-123456',
      e: 'BEARER-234567',
      f: 'SETCOOKIE-123456',
      g: 'PASSWORD-123456',
      h: 'CLIENTSECRET-123456',
      i: 'SHARETOKEN-234567',
      j: 'STATE-123456',
      k: 'SHARETOKEN-345678',
      l: 'BEARER-345678',
      m: 'TOKEN-123456',
    });
    assert.ok(text.includes(REDACTED));
    assert.match(text, /"username":"a"/, 'what is not secret stays');
  });

  it('redactUrl keeps the route and harmless parameters', () => {
    assert.equal(redactUrl('/api/v1/shared/abc/episodes/7?x=1'), `/api/v1/shared/${REDACTED}/episodes/7?x=1`);
    assert.equal(redactUrl('/chia-se/abc'), `/chia-se/${REDACTED}`);
    assert.equal(redactUrl('/auth/callback?code=c&state=s&iss=i'), `/auth/callback?code=${REDACTED}&state=${REDACTED}&iss=i`);
    assert.equal(redactUrl('/p?ID_TOKEN=t&Token%5B%5D=u&tokenx=v'), `/p?ID_TOKEN=${REDACTED}&Token%5B%5D=${REDACTED}&tokenx=v`);
    assert.equal(redactUrl('/api/v1/book/summary?person=P1'), '/api/v1/book/summary?person=P1');
  });
});
