/**
 * SMART on FHIR driven by a third-party client: `fhirclient` (the SMART JS client) runs inside a small
 * app server of its own and performs a standalone launch against /fhir/R4; the "browser" follows the
 * redirects through the health book's citizen login at the built-in development identity provider
 * and answers the consent screen. Then the app reads the patient's own data and is refused another's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { type BookFixture, bookFixture, FAC } from '../../test-support/book-fixture.ts';
import { CookieJar, follow, type SmartClient, send, startSmartApp } from '../../test-support/index.ts';
import { staffSession } from '../../test-support/staff.ts';
import { upsertDevAccount } from '../auth/index.ts';
import { issueCredential } from '../facility/index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';
const CITIZEN_A = '051090000001';
const PASSWORD = 'mat-khau-smart-1';

describe(`SMART on FHIR standalone launch with fhirclient (${DB})`, () => {
  let f: BookFixture;
  let app: Awaited<ReturnType<typeof startSmartApp>>;
  let fhirBase: string;
  const clientId = 'app-nhat-ky-suc-khoe';

  before(async () => {
    f = await bookFixture();
    fhirBase = `${f.url}/fhir/R4`;
    await upsertDevAccount(f.db.db, { personalId: CITIZEN_A, password: PASSWORD, identityLevel: 2, hoTen: 'Nguyễn Văn An' });
    app = await startSmartApp(fhirBase, clientId);
    const { cookie } = await staffSession(f.app, f.db.db, { username: 'qtht', fullName: 'Quản trị hệ thống', role: 'system_admin' });
    const r = await f.app.inject({
      method: 'POST',
      url: '/api/v1/smart/apps',
      headers: { cookie },
      payload: { client_id: clientId, name: 'Nhật ký sức khỏe', redirect_uris: [`${app.base}/callback`], confidential: false, scopes: ['launch/patient', 'patient/*.rs'] },
    });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().client_secret, null, 'a public app has no secret');
  });
  after(async () => {
    await app.close();
    await f.close();
  });

  /** Launch → authorize → citizen login at the dev IdP → consent page; returns the page and the jar. */
  async function launchToConsent(jar: CookieJar, query = '') {
    const first = await follow(jar, `${app.base}/launch${query}`);
    const interaction = first.chain.at(-1) ?? '';
    if (!/\/idp\/interaction\//.test(interaction)) return first;
    const login = await send(jar, `${interaction}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' },
      body: new URLSearchParams({ personal_id: CITIZEN_A, password: PASSWORD }),
    });
    assert.equal(login.status, 303);
    const rest = await follow(jar, new URL(login.headers.get('location') ?? '', f.url).toString());
    return { res: rest.res, chain: [...first.chain, ...rest.chain] };
  }

  async function answerConsent(jar: CookieJar, page: string, decision: 'allow' | 'deny') {
    const req = /name="req" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(req, 'the consent form carries the request');
    const r = await send(jar, `${f.url}/smart/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: f.url },
      body: new URLSearchParams({ req, decision }),
    });
    assert.equal(r.status, 302);
    return r.headers.get('location') ?? '';
  }

  let token = '';
  let client: SmartClient;

  it('publishes the SMART configuration and the CapabilityStatement security extension', async () => {
    const conf = (await (await fetch(`${fhirBase}/.well-known/smart-configuration`)).json()) as Record<string, unknown>;
    assert.equal(conf.authorization_endpoint, `${f.url}/smart/authorize`);
    assert.equal(conf.token_endpoint, `${f.url}/smart/token`);
    assert.deepEqual(conf.code_challenge_methods_supported, ['S256']);
    for (const c of ['launch-standalone', 'client-public', 'client-confidential-symmetric', 'context-standalone-patient', 'permission-patient', 'permission-v2']) {
      assert.ok((conf.capabilities as string[]).includes(c), c);
    }
    const cs = (await (await fetch(`${fhirBase}/metadata`)).json()) as { rest: Array<{ security: { extension: Array<{ url: string; extension: Array<{ url: string; valueUri: string }> }> } }> };
    const uris = cs.rest[0]!.security.extension.find((e) => e.url.endsWith('/oauth-uris'))!.extension;
    assert.equal(uris.find((e) => e.url === 'token')?.valueUri, `${f.url}/smart/token`);
  });

  it('launches through the citizen login and a Vietnamese consent screen; the token names the patient', async () => {
    const jar = new CookieJar();
    const consent = await launchToConsent(jar);
    assert.equal(consent.res.status, 200, consent.chain.join(' → '));
    assert.ok(consent.chain.some((u) => u.includes('/auth/login?return=')), 'the same citizen login as the book');
    const page = await consent.res.text();
    assert.match(page, /Ứng dụng <strong>Nhật ký sức khỏe<\/strong> muốn đọc toàn bộ hồ sơ sức khỏe/);
    assert.match(page, /Đồng ý/);
    assert.match(page, /Từ chối/);
    const back = await answerConsent(jar, page, 'allow');
    assert.ok(back.startsWith(`${app.base}/callback?code=`), back);
    const done = await follow(jar, back);
    assert.equal(done.res.status, 200, await done.res.text());
    client = await app.client();
    assert.equal(client.patient.id, 'PA');
    token = client.state.tokenResponse?.access_token ?? '';
    assert.ok(token);
    assert.equal(client.state.tokenResponse?.scope, 'launch/patient patient/*.rs');
  });

  it('reads the patient’s own Patient, Encounter and Observation, each read audited with the app’s name', async () => {
    const me = (await client.patient.read()) as Patient;
    assert.equal(me.id, 'PA');
    const encounters = (await client.request('Encounter?patient=PA')) as Bundle;
    // A has three visits; the mental-health one is sensitive and never reaches an app.
    assert.equal(encounters.entry?.filter((e) => e.search?.mode === 'match').length, 2);
    const observations = (await client.request('Observation?patient=PA')) as Bundle;
    assert.ok((observations.entry ?? []).some((e) => e.resource?.resourceType === 'Observation'));
    // Without a patient parameter the search is still only the patient's own compartment.
    const all = (await client.request('Encounter')) as Bundle;
    assert.ok((all.entry ?? []).every((e) => e.resource?.resourceType !== 'Encounter' || (e.resource as { subject?: { reference?: string } }).subject?.reference === 'Patient/PA'));
    const log = await f.app.inject({ method: 'GET', url: '/api/v1/book/access-log?filter=others', headers: { cookie: f.cookies.A } });
    const sentences = (log.json() as { events: Array<{ sentence: string }> }).events.map((e) => e.sentence);
    assert.ok(sentences.some((s) => s.startsWith('Ứng dụng Nhật ký sức khỏe đọc hồ sơ')), sentences.join('\n'));
  });

  it('refuses another patient’s data exactly as if it did not exist', async () => {
    await assert.rejects(client.request('Patient/PB'), (e: { status?: number; statusCode?: number }) => (e.status ?? e.statusCode) === 404);
    const other = (await client.request('Encounter?patient=PB')) as Bundle;
    assert.equal((other.entry ?? []).filter((e) => e.search?.mode === 'match').length, 0);
    await assert.rejects(client.request('Patient/PB/$everything'), (e: { status?: number; statusCode?: number }) => (e.status ?? e.statusCode) === 404);
    const exp = await fetch(`${fhirBase}/$export`, { headers: { authorization: `Bearer ${token}`, prefer: 'respond-async' } });
    assert.equal(exp.status, 403, 'a patient token never starts a bulk export');
  });

  it('requires PKCE of a public app', async () => {
    const r = await follow(new CookieJar(), `${app.base}/launch?pkce=off`);
    const last = new URL(r.chain.find((u) => u.startsWith(`${app.base}/callback`)) ?? r.chain.at(-1)!);
    assert.equal(last.searchParams.get('error'), 'invalid_request');
    assert.match(last.searchParams.get('error_description') ?? '', /PKCE/);
  });

  it('refuses a redirect_uri that was not registered, without redirecting to it', async () => {
    const r = await follow(new CookieJar(), `${app.base}/launch?redirect=${encodeURIComponent('http://127.0.0.1:1/steal')}`);
    assert.equal(r.res.status, 400);
    assert.ok(!r.chain.some((u) => u.startsWith('http://127.0.0.1:1/')));
    assert.match(await r.res.text(), /không khớp/);
  });

  it('refuses a used code, a denied consent gives access_denied, and a code for one redirect_uri is refused at another', async () => {
    const jar = new CookieJar();
    const consent = await launchToConsent(jar);
    const back = new URL(await answerConsent(jar, await consent.res.text(), 'allow'));
    const code = back.searchParams.get('code')!;
    const redeem = (redirect: string) =>
      fetch(`${f.url}/smart/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirect, client_id: clientId, code_verifier: 'x'.repeat(43) }),
      });
    const wrong = await redeem(`${app.base}/callback`);
    assert.equal(wrong.status, 400, 'a wrong PKCE verifier is refused');
    assert.equal(((await wrong.json()) as { error: string }).error, 'invalid_grant');
    const again = await redeem(`${app.base}/callback`);
    assert.equal(((await again.json()) as { error: string }).error, 'invalid_grant', 'the code was spent by its first use');
    const jar2 = new CookieJar();
    const consent2 = await launchToConsent(jar2);
    const denied = new URL(await answerConsent(jar2, await consent2.res.text(), 'deny'));
    assert.equal(denied.searchParams.get('error'), 'access_denied');
  });

  it('a replayed code ends the tokens its first use got, and is refused', async () => {
    const jar = new CookieJar();
    const consent = await launchToConsent(jar);
    const back = await answerConsent(jar, await consent.res.text(), 'allow');
    // The code the app redeems, as a thief who saw the redirect would present it.
    const code = new URL(back).searchParams.get('code') ?? '';
    await follow(jar, back);
    const issued = (await app.client()).state.tokenResponse?.access_token ?? '';
    const read = (t: string) => fetch(`${fhirBase}/Patient/PA`, { headers: { authorization: `Bearer ${t}` } });
    assert.equal((await read(issued)).status, 200);
    const replaysBefore = (await f.db.db.selectFrom('audit_event').select((eb) => eb.fn.max('id').as('m')).executeTakeFirst())?.m ?? 0;
    const replay = await fetch(`${f.url}/smart/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${app.base}/callback`, client_id: clientId, code_verifier: 'x'.repeat(43) }),
    });
    assert.equal(replay.status, 400);
    assert.equal(((await replay.json()) as { error: string }).error, 'invalid_grant');
    assert.equal((await read(issued)).status, 401, 'the token from the first use no longer works');
    // (Codes presented twice earlier in this file were audited too: only this replay's row is new.)
    const logged = await f.db.db.selectFrom('audit_event').select(['actor_type', 'actor_id']).where('action', '=', 'smart.code.replay').where('id', '>', replaysBefore).execute();
    assert.deepEqual(logged.map((l) => [l.actor_type, l.actor_id]), [['app', clientId]]);
    // An unknown code changes nothing for anyone.
    const jar2 = new CookieJar();
    await follow(jar2, await answerConsent(jar2, await (await launchToConsent(jar2)).res.text(), 'allow'));
    const other = (await app.client()).state.tokenResponse?.access_token ?? '';
    const unknown = await fetch(`${f.url}/smart/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'authorization_code', code: 'khong-co-ma-nay-0123456789', redirect_uri: `${app.base}/callback`, client_id: clientId }),
    });
    assert.equal(unknown.status, 400);
    assert.equal((await read(other)).status, 200);
  });

  it('refuses an expired token and a revoked authorization', async () => {
    const read = (t: string) => fetch(`${fhirBase}/Patient/PA`, { headers: { authorization: `Bearer ${t}` } });
    assert.equal((await read(token)).status, 200);
    // Time passes: the token's row expires (tokens live SMART_TOKEN_TTL_SECONDS).
    await f.db.db.updateTable('session').set({ expires_at: new Date(Date.now() - 1000) }).where('kind', '=', 'smart_token').execute();
    assert.equal((await read(token)).status, 401);

    const jar = new CookieJar();
    const consent = await launchToConsent(jar);
    await follow(jar, await answerConsent(jar, await consent.res.text(), 'allow'));
    const fresh = (await app.client()).state.tokenResponse?.access_token ?? '';
    assert.equal((await read(fresh)).status, 200);
    const list = await f.app.inject({ method: 'GET', url: '/api/v1/smart/authorizations', headers: { cookie: f.cookies.A } });
    assert.deepEqual((list.json() as { apps: Array<{ name: string; active: boolean }> }).apps.map((a) => [a.name, a.active]), [['Nhật ký sức khỏe', true]]);
    const revoke = await f.app.inject({ method: 'DELETE', url: `/api/v1/smart/authorizations/${clientId}`, headers: { cookie: f.cookies.A } });
    assert.equal(revoke.statusCode, 200);
    assert.equal((await read(fresh)).status, 401, 'revoking ends the token at once');
  });

  it('lets only the system administrator register and disable apps; a disabled app cannot start a launch', async () => {
    const body = { client_id: 'app-tam', name: 'Ứng dụng tạm', redirect_uris: ['https://app.example.vn/cb'], confidential: true, scopes: ['patient/Observation.rs'] };
    const citizenTry = await f.app.inject({ method: 'POST', url: '/api/v1/smart/apps', headers: { cookie: f.cookies.A }, payload: body });
    assert.equal(citizenTry.statusCode, 401);
    const { cookie } = await staffSession(f.app, f.db.db, { username: 'qtht2', fullName: 'Quản trị 2', role: 'system_admin' });
    const created = await f.app.inject({ method: 'POST', url: '/api/v1/smart/apps', headers: { cookie }, payload: body });
    assert.equal(created.statusCode, 201);
    assert.ok((created.json() as { client_secret: string }).client_secret.length >= 32, 'a confidential app gets its secret once');
    const authorize = `/smart/authorize?response_type=code&client_id=app-tam&redirect_uri=${encodeURIComponent('https://app.example.vn/cb')}&scope=patient%2FObservation.rs&aud=${encodeURIComponent(fhirBase)}&state=s1`;
    const ok = await fetch(`${f.url}${authorize}`, { redirect: 'manual' });
    assert.match(ok.headers.get('location') ?? '', /^\/smart\/consent\?req=/, 'a confidential app may launch without PKCE');
    assert.equal((await f.app.inject({ method: 'DELETE', url: '/api/v1/smart/apps/app-tam', headers: { cookie } })).statusCode, 200);
    const refused = await fetch(`${f.url}${authorize}`, { redirect: 'manual' });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /chưa được đăng ký/);
  });

  it('gives a facility system system/ scopes by client credentials and refuses others', async () => {
    const c = await issueCredential(f.db.db, FAC);
    const ask = (scope: string) =>
      fetch(`${f.url}/smart/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope }),
      });
    assert.equal(((await (await ask('patient/*.rs')).json()) as { error: string }).error, 'invalid_scope');
    const bad = await fetch(`${f.url}/smart/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: 'sai', scope: 'system/*.rs' }),
    });
    assert.equal(bad.status, 401);
    const t = (await (await ask('system/Patient.rs system/Observation.cud')).json()) as { access_token: string; scope: string };
    assert.equal(t.scope, 'system/Patient.rs', 'write scopes are not granted');
    const get = (path: string) => fetch(`${fhirBase}/${path}`, { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.equal((await get('Patient/PA')).status, 200);
    assert.equal((await get('Encounter')).status, 403, 'a type outside the scopes is refused');
    // What _include and _revinclude add is read too: each added type needs its own scope.
    const enc = (await (await ask('system/Encounter.rs')).json()) as { access_token: string };
    const getEnc = (path: string) => fetch(`${fhirBase}/${path}`, { headers: { authorization: `Bearer ${enc.access_token}` } });
    assert.equal((await getEnc('Encounter?patient=PA')).status, 200);
    for (const extra of ['_include=Encounter:patient', '_include=Encounter:diagnosis', '_revinclude=Provenance:target']) {
      assert.equal((await getEnc(`Encounter?patient=PA&${extra}`)).status, 403, extra);
    }
  });
});
