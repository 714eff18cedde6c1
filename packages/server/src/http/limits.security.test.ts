import assert from 'node:assert/strict';
import http from 'node:http';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';
import { staffSession } from '../../test-support/staff.ts';
import { type Config, loadConfig } from '../config.ts';
import { createFacility, issueCredential } from '../facility/index.ts';
import { abuseThrottles, errorHandler, registerThrottles, trustProxyOption } from './index.ts';

// Small budgets so that a few requests reach each throttle; read by loadConfig in startTestApp.
const LIMITS = {
  HSSK_THROTTLE_TOKEN_PER_CLIENT: '3',
  HSSK_THROTTLE_TOKEN_PER_IP: '5',
  HSSK_THROTTLE_SHARE_PER_IP: '4',
  HSSK_THROTTLE_CHECKIN_PER_STAFF: '3',
  HSSK_THROTTLE_IDP_LOGIN_PER_IP: '3',
};
Object.assign(process.env, LIMITS);

const MB = 1024 * 1024;
const HOSTILE_BYTES = 60 * MB;
const ZEROS = Buffer.alloc(64 * 1024);

interface Answer {
  status: number;
  body: string;
  /** Body bytes the client had handed to its socket when the answer arrived. */
  sentBeforeAnswer: number;
}

/**
 * One anonymous upload of `total` zero bytes streamed from a shared chunk (30 of them never exist in
 * memory at once), declared with Content-Length or chunked. Stops sending once the answer arrives.
 */
function streamUpload(url: string, headers: Record<string, string>, total: number, declared: boolean): Promise<Answer> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const body = new Readable({
      read() {
        if (answered || sent >= total) return void this.push(null);
        const n = Math.min(ZEROS.length, total - sent);
        sent += n;
        this.push(n === ZEROS.length ? ZEROS : ZEROS.subarray(0, n));
      },
    });
    const req = http.request(url, { method: 'POST', agent: false, headers: { ...headers, ...(declared ? { 'content-length': String(total) } : {}) } });
    req.on('response', (res) => {
      answered = true;
      const sentBeforeAnswer = sent;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        body.destroy();
        req.destroy();
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), sentBeforeAnswer });
      });
      res.on('error', reject);
    });
    // The server may close the connection on its refusal while we are still sending: only an error
    // before any answer is a failure.
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    body.pipe(req);
  });
}

const codeOf = (a: { body: string }) => (JSON.parse(a.body) as { code?: string }).code;

describe(`abuse limits: body sizes, parsers, throttles (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let url: string;
  let close: () => Promise<void>;
  let facilityToken: string;
  let clientId: string;

  before(async () => {
    ({ app, db, url, close } = await startTestApp());
    ({ token: facilityToken, clientId } = await facilityWithToken(app, db, '79501', { testMode: true }));
  });
  after(async () => close());

  it('thirty concurrent anonymous 60 MB bodies are refused unread while /healthz answers and memory stays bounded', async (t) => {
    // XML to the login was the hole: the one global XML parser read 64 MB into memory on any route.
    const targets = [
      { path: '/api/v1/staff/login', type: 'application/xml', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { path: '/api/v1/staff/login', type: 'application/json', status: 413, code: 'PAYLOAD_TOO_LARGE' },
      { path: '/api/v1/book/declarations', type: 'application/octet-stream', status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
      { path: '/api/v1/book/declarations', type: 'application/json', status: 413, code: 'PAYLOAD_TOO_LARGE' },
      { path: '/api/v1/xml130/submissions', type: 'application/xml', status: 401, code: 'TOKEN_MISSING' },
    ];
    const baseline = process.memoryUsage();
    let peakRss = baseline.rss;
    let peakArrayBuffers = baseline.arrayBuffers;
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakArrayBuffers = Math.max(peakArrayBuffers, m.arrayBuffers);
    }, 20);
    const health: number[] = [];
    let uploading = true;
    const probing = (async () => {
      while (uploading) {
        health.push((await fetch(`${url}/healthz`)).status);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    const started = Date.now();
    try {
      const uploads = Array.from({ length: 30 }, (_, i) => {
        const t = targets[i % targets.length]!;
        // Some declare their length (refused from the header), the others are chunked (refused at the limit).
        return streamUpload(`${url}${t.path}`, { 'content-type': t.type }, HOSTILE_BYTES, i % 4 < 2).then((a) => ({ ...a, t }));
      });
      const answers = await Promise.all(uploads);
      uploading = false;
      await probing;
      t.diagnostic(`most bytes sent before an answer: ${(Math.max(...answers.map((a) => a.sentBeforeAnswer)) / MB).toFixed(1)} MB`);
      for (const a of answers) {
        assert.equal(a.status, a.t.status, `${a.t.path}: ${a.body.slice(0, 300)}`);
        assert.equal(codeOf(a), a.t.code);
        // Refused long before the client could push its 60 MB: the server did not wait for the body.
        assert.ok(a.sentBeforeAnswer < HOSTILE_BYTES / 2, `${a.t.path}: ${a.sentBeforeAnswer} bytes sent before the answer`);
      }
    } finally {
      uploading = false;
      clearInterval(sampler);
    }
    assert.ok(Date.now() - started < 60_000, 'the refusals took longer than a minute');
    assert.ok(health.length > 0 && health.every((s) => s === 200), `healthz during the uploads: ${health.join(',')}`);
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    // 30 × 60 MB buffered would be 1.8 GB; what the server holds at most is its limits and socket buffers.
    const growth = (peakRss - baseline.rss) / MB;
    t.diagnostic(`peak rss +${growth.toFixed(1)} MB, arrayBuffers +${((peakArrayBuffers - baseline.arrayBuffers) / MB).toFixed(1)} MB, ${health.length} health probes, ${Date.now() - started} ms`);
    assert.ok(growth < 150, `rss grew by ${growth.toFixed(0)} MB`);
    assert.ok((peakArrayBuffers - baseline.arrayBuffers) / MB < 100, `arrayBuffers grew by ${((peakArrayBuffers - baseline.arrayBuffers) / MB).toFixed(0)} MB`);
  });

  it('a JSON route refuses a 100 KB body with 413, declared or chunked', async () => {
    const json = JSON.stringify({ username: 'x'.repeat(100 * 1024), password: 'y' });
    const declared = await app.inject({ method: 'POST', url: '/api/v1/staff/login', headers: { 'content-type': 'application/json' }, payload: json });
    assert.equal(declared.statusCode, 413, declared.body);
    assert.equal(codeOf(declared), 'PAYLOAD_TOO_LARGE');
    const chunked = await streamUpload(`${url}/api/v1/auth/token`, { 'content-type': 'application/json' }, 100 * 1024, false);
    assert.equal(chunked.status, 413, chunked.body);
    assert.equal(codeOf(chunked), 'PAYLOAD_TOO_LARGE');
    const form = await streamUpload(`${url}/api/v1/auth/token`, { 'content-type': 'application/x-www-form-urlencoded' }, 100 * 1024, true);
    assert.equal(form.status, 413, form.body);
  });

  it('XML, octet-stream and certificate bodies get 415 outside the routes that take them', async () => {
    const cases: Array<[string, string]> = [
      ['/api/v1/staff/login', 'application/xml'],
      ['/api/v1/auth/token', 'application/octet-stream'],
      ['/api/v1/book/declarations', 'application/x-pem-file'],
      ['/api/v1/clinic/checkin', 'text/xml'],
      // Same scope as the facility certificate upload, but not an upload route itself.
      ['/api/v1/facilities/79501/certificates/AB/approve', 'application/pkix-cert'],
      ['/api/qd130/guiHoSoXmlQD4750', 'application/xml'],
    ];
    for (const [path, type] of cases) {
      const r = await app.inject({ method: 'POST', url: path, headers: { 'content-type': type, authorization: `Bearer ${facilityToken}` }, payload: '<a/>' });
      assert.equal(r.statusCode, 415, `${path} ${type}: ${r.body}`);
      assert.equal(codeOf(r), 'UNSUPPORTED_MEDIA_TYPE', path);
    }
  });

  it('upload routes check the token before reading the body, and bound it by their own limit', async () => {
    const noToken = await streamUpload(`${url}/api/v1/facility/certificates`, { 'content-type': 'application/x-pem-file' }, HOSTILE_BYTES, false);
    assert.equal(noToken.status, 401, noToken.body);
    const badToken = await streamUpload(`${url}/api/v1/xml130/submissions`, { 'content-type': 'application/xml', authorization: 'Bearer forged' }, HOSTILE_BYTES, false);
    assert.equal(badToken.status, 401, badToken.body);
    assert.equal(codeOf(badToken), 'TOKEN_INVALID');
    // Authenticated, a certificate upload is still capped far below the envelope limit.
    const big = await streamUpload(`${url}/api/v1/facility/certificates`, { 'content-type': 'application/x-pem-file', authorization: `Bearer ${facilityToken}` }, 2 * MB, false);
    assert.equal(big.status, 413, big.body);
    assert.equal(codeOf(big), 'PAYLOAD_TOO_LARGE');
  });

  it('portal: a token only inside the form caps the body; a token in the header or query lifts the cap', async () => {
    const form = (extra: Record<string, string>) =>
      new URLSearchParams({ username: clientId, loaiHoSo: '130', fileHSBase64: 'A'.repeat(3 * MB), ...extra }).toString();
    const send = (payload: string, path = '/api/qd130/guiHoSoXmlQD4750', headers: Record<string, string> = {}) =>
      app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, payload });

    const inForm = await send(form({ token: facilityToken }));
    assert.equal(inForm.statusCode, 413, inForm.body.slice(0, 300));
    assert.equal((inForm.json() as { maKetQua: string; code: string }).maKetQua, '413');
    assert.equal((inForm.json() as { code: string }).code, 'PAYLOAD_TOO_LARGE');
    // Chunked (no Content-Length): refused while streaming, at the same cap.
    const chunked = await streamUpload(`${url}/api/qd130/guiHoSoXmlQD4750`, { 'content-type': 'application/x-www-form-urlencoded' }, HOSTILE_BYTES, false);
    assert.equal(chunked.status, 413, chunked.body);
    assert.ok(chunked.sentBeforeAnswer < HOSTILE_BYTES / 2);
    // With the token in the header or the query the body is read in full and reaches the ingest path.
    for (const [path, headers] of [
      ['/api/qd130/guiHoSoXmlQD4750', { authorization: `Bearer ${facilityToken}` }],
      [`/api/qd130/guiHoSoXmlQD4750?token=${facilityToken}`, {}],
    ] as const) {
      const r = await send(form({}), path, headers);
      assert.notEqual(r.statusCode, 413, r.body.slice(0, 300));
      assert.equal((r.json() as { maKetQua: string }).maKetQua, String(r.statusCode));
      assert.ok(r.statusCode >= 400 && r.statusCode < 500, r.body.slice(0, 300));
    }
    // A wrong token in the query is refused before the body is read.
    const wrong = await streamUpload(`${url}/api/qd130/guiHoSoXmlQD4750?token=forged`, { 'content-type': 'application/x-www-form-urlencoded' }, HOSTILE_BYTES, true);
    assert.equal(wrong.status, 401, wrong.body);
    // A small form with the token inside it still works as before.
    const small = await send(new URLSearchParams({ token: facilityToken, loaiHoSo: '130', fileHSBase64: Buffer.from('<x/>').toString('base64') }).toString());
    assert.equal((small.json() as { code: string }).code, 'ENVELOPE_STRUCTURE', small.body);
  });

  it('a forged X-Forwarded-For does not change the address the limiter counts (trustProxy off)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await fetch(`${url}/api/v1/shared/not-a-real-share-token-${i}`, { headers: { 'x-forwarded-for': `203.0.113.${i + 1}` } });
      statuses.push(r.status);
      if (r.status === 429) {
        const p = (await r.json()) as { code: string; message_vi: string; retry_after_seconds: number };
        assert.equal(p.code, 'RATE_LIMITED');
        assert.match(p.message_vi, /chia sẻ/);
        assert.ok(Number(r.headers.get('retry-after')) > 0);
        assert.match(String(r.headers.get('content-type')), /application\/problem\+json/);
      } else await r.arrayBuffer();
    }
    assert.deepEqual(statuses, [404, 404, 404, 404, 429, 429]);
  });

  it('a proxy named in HSSK_TRUST_PROXY is believed, and only that proxy', async () => {
    const saved = process.env.HSSK_TRUST_PROXY;
    process.env.HSSK_TRUST_PROXY = ' 127.0.0.1, 10.0.0.0/8 ,';
    try {
      assert.deepEqual(loadConfig().trustProxy, ['127.0.0.1', '10.0.0.0/8']);
    } finally {
      if (saved === undefined) delete process.env.HSSK_TRUST_PROXY;
      else process.env.HSSK_TRUST_PROXY = saved;
    }
    assert.deepEqual(loadConfig().trustProxy, []);

    // The share throttle as the server defines it, on an app whose trustProxy comes from the same
    // option builder as buildApp's, with HSSK_TRUST_PROXY naming 127.0.0.1.
    process.env.HSSK_TRUST_PROXY = '127.0.0.1';
    let config: Config;
    try {
      config = loadConfig();
    } finally {
      if (saved === undefined) delete process.env.HSSK_TRUST_PROXY;
      else process.env.HSSK_TRUST_PROXY = saved;
    }
    const proxied = Fastify({ trustProxy: trustProxyOption(config.trustProxy) });
    proxied.setErrorHandler(errorHandler);
    const share = abuseThrottles(config, { idpPath: '/idp', staffIdOf: async () => undefined }).filter((t) => t.name === 'share opening per IP');
    assert.equal(share.length, 1);
    await registerThrottles(proxied, share);
    proxied.get('/api/v1/shared/:token', async () => ({ shared: true }));
    try {
      const open = (remoteAddress: string, forwarded: string) => proxied.inject({ method: 'GET', url: '/api/v1/shared/x', remoteAddress, headers: { 'x-forwarded-for': forwarded } });
      for (let i = 0; i < 4; i++) assert.equal((await open('127.0.0.1', '198.51.100.7')).statusCode, 200);
      const refused = await open('127.0.0.1', '198.51.100.7');
      assert.equal(refused.statusCode, 429);
      assert.equal(codeOf(refused), 'RATE_LIMITED');
      // Behind the trusted proxy, another client has its own budget.
      assert.equal((await open('127.0.0.1', '198.51.100.8')).statusCode, 200);
      // A client that is not the proxy cannot pick its address with the header.
      for (let i = 0; i < 4; i++) assert.equal((await open('192.0.2.50', `198.51.100.${20 + i}`)).statusCode, 200);
      assert.equal((await open('192.0.2.50', '198.51.100.99')).statusCode, 429);
    } finally {
      await proxied.close();
    }
  });

  it('the facility token endpoint is throttled per client_id from one source and per address, with 429 RATE_LIMITED, without locking the facility out', async () => {
    const ask = (remoteAddress: string, client: string, basic = false) =>
      app.inject({
        method: 'POST',
        url: '/api/v1/auth/token',
        remoteAddress,
        ...(basic
          ? { headers: { authorization: `Basic ${Buffer.from(`${client}:wrong`).toString('base64')}` } }
          : { payload: { grant_type: 'client_credentials', client_id: client, client_secret: 'wrong' } }),
      });
    // One source naming a real client_id: a budget of 3 (Basic counts too), then 429 whatever the secret.
    const victim = await issueCredential(db.db, '79501');
    const sameSource = [];
    for (let i = 0; i < 5; i++) sameSource.push((await ask('198.51.100.1', victim.clientId, i === 3)).statusCode);
    assert.deepEqual(sameSource, [401, 401, 401, 429, 429]);
    const right = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      remoteAddress: '198.51.100.1',
      payload: { grant_type: 'client_credentials', client_id: victim.clientId, client_secret: victim.clientSecret },
    });
    assert.equal(right.statusCode, 429);
    assert.equal(codeOf(right), 'RATE_LIMITED');
    assert.ok(Number(right.headers['retry-after']) > 0);
    // That stranger cannot lock the facility out: its HIS, from its own address, still gets a token.
    const his = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/token',
      remoteAddress: '198.51.100.9',
      payload: { grant_type: 'client_credentials', client_id: victim.clientId, client_secret: victim.clientSecret },
    });
    assert.equal(his.statusCode, 200, his.body);
    // Other clients keep their budget.
    assert.equal((await ask('198.51.100.10', clientId)).statusCode, 401);
    // One address trying many client_ids: 5 per minute.
    const perAddress = [];
    for (let i = 0; i < 7; i++) perAddress.push((await ask('198.51.100.50', `guess-${i}`)).statusCode);
    assert.deepEqual(perAddress, [401, 401, 401, 401, 401, 429, 429]);
  });

  it('the SMART authorization endpoint is throttled per address like the token endpoints', async () => {
    const authorize = (remoteAddress: string) => app.inject({ method: 'GET', url: '/smart/authorize?response_type=code&client_id=no-such-app', remoteAddress });
    const statuses = [];
    for (let i = 0; i < 7; i++) statuses.push((await authorize('198.51.100.150')).statusCode);
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429, 429]);
    const r = await authorize('198.51.100.150');
    assert.equal(codeOf(r), 'RATE_LIMITED');
    assert.ok(Number(r.headers['retry-after']) > 0);
    assert.equal((await authorize('198.51.100.151')).statusCode, 400, 'another address keeps its budget');
  });

  it('front-desk check-in is throttled per staff account', async () => {
    await createFacility(db.db, { code: '79502', name: 'Bệnh viện tiếp nhận' });
    const a = await staffSession(app, db.db, { username: 'letan.a', fullName: 'Lễ tân A', role: 'receptionist', facilityCode: '79502' });
    const b = await staffSession(app, db.db, { username: 'letan.b', fullName: 'Lễ tân B', role: 'receptionist', facilityCode: '79502' });
    const checkin = (cookie: string, remoteAddress: string) =>
      app.inject({ method: 'POST', url: '/api/v1/clinic/checkin', remoteAddress, headers: { cookie }, payload: { method: 'typed', value: '001099000001' } });
    const statuses = [];
    // From changing addresses: the account, not the address, is what is counted.
    for (let i = 0; i < 5; i++) statuses.push((await checkin(a.cookie, `198.51.100.${100 + i}`)).statusCode);
    assert.notEqual(statuses[0], 429);
    assert.deepEqual(statuses.slice(0, 3).map((s) => s === 429), [false, false, false]);
    assert.deepEqual(statuses.slice(3), [429, 429]);
    assert.notEqual((await checkin(b.cookie, '198.51.100.100')).statusCode, 429);
  });

  it('the development identity provider login form is throttled per address', async () => {
    const login = (remoteAddress: string) =>
      app.inject({
        method: 'POST',
        url: '/idp/interaction/unknown-interaction/login',
        remoteAddress,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'personal_id=001099000001&password=wrong',
      });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await login('198.51.100.200')).statusCode);
    assert.deepEqual(statuses.map((s) => s === 429), [false, false, false, true, true]);
    const r = await login('198.51.100.200');
    assert.equal(codeOf(r), 'RATE_LIMITED');
    assert.notEqual((await login('198.51.100.201')).statusCode, 429);
  });
});
