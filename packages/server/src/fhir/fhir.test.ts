import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Bundle, Encounter, OperationOutcome, Provenance, Resource } from '@medplum/fhirtypes';
import { diagnosisCodes } from '@openhssk/core/codes';
import { EXT, SID } from '@openhssk/core/fhir';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { sql } from 'kysely';
import { type BookFixture, bookFixture, FAC, FAC2 } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { issueCredential } from '../facility/index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';

describe(`FHIR R4 read/search (${DB})`, () => {
  let f: BookFixture;
  let tokenFac: string;
  let tokenFac2: string;
  let admin: string;
  let officer: string;
  let clinician: string;
  let sensitiveKey: string;
  let hiddenRouteKey: string;

  const get = async (url: string, auth: { token?: string; cookie?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    if (auth.cookie) headers.cookie = auth.cookie;
    const r = await f.app.inject({ method: 'GET', url, headers });
    return { status: r.statusCode, type: String(r.headers['content-type']), json: <T>() => r.json() as T };
  };
  const bundle = async (url: string, auth: { token?: string; cookie?: string }) => {
    const r = await get(url, auth);
    assert.equal(r.status, 200, JSON.stringify(r.json()));
    return r.json<Bundle>();
  };
  const ids = (b: Bundle, mode = 'match') => (b.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`);
  const relative = (url: string) => url.slice(url.indexOf('/fhir/R4'));
  /** Follows next links to the end; returns every match and the number of pages. */
  const all = async (url: string, auth: { token?: string; cookie?: string }) => {
    const out: Resource[] = [];
    let pages = 0;
    let next: string | undefined = url;
    while (next) {
      const b = await bundle(next, auth);
      pages++;
      out.push(...(b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!));
      const link = b.link?.find((l) => l.relation === 'next')?.url;
      next = link ? relative(link) : undefined;
      assert.ok(pages < 200, 'paging ends');
    }
    return { resources: out, pages };
  };
  const tokenFor = async (facility: string) => {
    const c = await issueCredential(f.db.db, facility);
    const r = await f.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret } });
    return { token: (r.json() as { access_token: string }).access_token, clientId: c.clientId };
  };
  const keyOf = async (episodeId: number) => String(episodeId);

  before(async () => {
    f = await bookFixture();
    tokenFac = (await tokenFor(FAC)).token;
    tokenFac2 = (await tokenFor(FAC2)).token;
    await f.db.db
      .insertInto('admin_unit')
      .values([
        { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
        { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
        { code: '21550', level: 'commune', name: 'thị trấn La Hà', parent_code: '528', valid_from: null, valid_to: null },
      ])
      .execute();
    await f.db.db.updateTable('facility').set({ admin_unit_code: '21550' }).where('code', '=', FAC).execute();
    admin = (await staffSession(f.app, f.db.db, { username: 'qtht', fullName: 'Quản trị hệ thống', role: 'system_admin' })).cookie;
    officer = (await staffSession(f.app, f.db.db, { username: 'cb528', fullName: 'Cán bộ Tư Nghĩa', role: 'health_officer', adminUnitCode: '528' })).cookie;
    clinician = (await staffSession(f.app, f.db.db, { username: 'bs1', fullName: 'Bác sĩ Một', role: 'clinician', facilityCode: FAC })).cookie;
    const sensitive = await f.db.db.selectFrom('episode').select(['id', 'sensitivity']).where('person_id', '=', 'PA').where('ma_benh_chinh', '=', 'F32.9').executeTakeFirstOrThrow();
    assert.deepEqual(sensitive.sensitivity, ['mental']);
    sensitiveKey = await keyOf(sensitive.id);
    // A visit whose category names an HIV patient (MA_DOITUONG_KCB 1.9) without an HIV code: hidden too.
    const hiv = sampleEpisode(40, FAC);
    Object.assign(hiv.XML1![0]!, { SO_CCCD: '051090000002', HO_TEN: 'Trần Thị Bình', NGAY_SINH: '199001010000', GIOI_TINH: '2', MA_DOITUONG_KCB: '1.9', MA_BENH_CHINH: 'J06.9', MA_BENH_KT: '', MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '', GT_THE_DEN: '' });
    const r = await f.app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${tokenFac}` },
      payload: buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [hiv] }),
    });
    assert.equal(r.statusCode, 201, r.body);
    hiddenRouteKey = String((await f.db.db.selectFrom('episode').select('id').where('ma_lk', '=', hiv.XML1![0]!.MA_LK!).executeTakeFirstOrThrow()).id);
  });
  after(() => f.close());

  it('publishes an honest CapabilityStatement without authentication', async () => {
    const r = await get('/fhir/R4/metadata');
    assert.equal(r.status, 200);
    assert.match(r.type, /application\/fhir\+json/);
    const cs = r.json<{ resourceType: string; fhirVersion: string; rest: Array<{ resource: Array<{ type: string; interaction: Array<{ code: string }>; searchParam: Array<{ name: string }> }> }> }>();
    assert.equal(cs.resourceType, 'CapabilityStatement');
    assert.equal(cs.fhirVersion, '4.0.1');
    const types = cs.rest[0]!.resource.map((x) => x.type);
    for (const t of ['Patient', 'Encounter', 'Condition', 'MedicationRequest', 'Observation', 'Procedure', 'Coverage', 'Organization', 'Provenance', 'CodeSystem', 'ValueSet']) assert.ok(types.includes(t), t);
    // Group is named only for $export (no Group resources); Immunization and Observation also take create (fhir-write.test.ts).
    const writable = new Set(['Immunization', 'Observation']);
    for (const res of cs.rest[0]!.resource.filter((r) => r.type !== 'Group')) {
      assert.deepEqual(res.interaction.map((i) => i.code).sort(), writable.has(res.type) ? ['create', 'read', 'search-type'] : ['read', 'search-type'], res.type);
    }
    const enc = cs.rest[0]!.resource.find((x) => x.type === 'Encounter')!;
    assert.deepEqual(enc.searchParam.map((p) => p.name).sort(), ['_id', '_lastUpdated', 'date', 'identifier', 'patient', 'service-provider', 'subject']);
  });

  it('refuses personal data without a caller and to roles that do not read through FHIR', async () => {
    const anon = await get('/fhir/R4/Encounter');
    assert.equal(anon.status, 401);
    const oo = anon.json<OperationOutcome>();
    assert.equal(oo.resourceType, 'OperationOutcome');
    assert.equal(oo.issue[0]!.code, 'login');
    assert.equal((await get('/fhir/R4/Patient/PA', { cookie: clinician })).status, 403);
    assert.equal((await get('/fhir/R4/Encounter', { token: 'not-a-token' })).status, 401);
    // Terminology is public.
    assert.equal((await get('/fhir/R4/CodeSystem/ma-loai-kcb')).status, 200);
  });

  it('a facility client reads its own episodes and patients, never another facility’s', async () => {
    const enc = await all('/fhir/R4/Encounter?_count=2', { token: tokenFac });
    const encounters = enc.resources as Encounter[];
    assert.ok(encounters.length >= 5);
    assert.ok(encounters.every((e) => e.serviceProvider?.reference === `Organization/${FAC}`));
    const other = await bundle('/fhir/R4/Encounter', { token: tokenFac2 });
    assert.deepEqual(
      (other.entry ?? []).map((e) => (e.resource as Encounter).serviceProvider?.reference),
      [`Organization/${FAC2}`],
    );
    const fac2Id = other.entry![0]!.resource!.id!;
    assert.equal((await get(`/fhir/R4/Encounter/${fac2Id}`, { token: tokenFac })).status, 404);
    assert.equal((await get(`/fhir/R4/Encounter/${fac2Id}`, { token: tokenFac2 })).status, 200);
    // Patients: those with an episode at the facility.
    const pats = (await all('/fhir/R4/Patient', { token: tokenFac2 })).resources.map((p) => p.id);
    assert.deepEqual(pats, ['PA']);
    assert.equal((await get('/fhir/R4/Patient/PB', { token: tokenFac2 })).status, 404);
    assert.equal((await get('/fhir/R4/Patient/PB', { token: tokenFac })).status, 200);
  });

  it('a health officer reads the facilities of their area; a system administrator everything', async () => {
    const officerEnc = await all('/fhir/R4/Encounter', { cookie: officer });
    assert.ok(officerEnc.resources.length > 0);
    assert.ok((officerEnc.resources as Encounter[]).every((e) => e.serviceProvider?.reference === `Organization/${FAC}`));
    const adminEnc = await all('/fhir/R4/Encounter', { cookie: admin });
    assert.equal(adminEnc.resources.length, officerEnc.resources.length + 1);
    // Only FAC2 (outside the unit) treated nobody else; PA was also treated at FAC, so PA stays visible.
    const fac2Only = (await all('/fhir/R4/Encounter', { token: tokenFac2 })).resources as Encounter[];
    assert.ok(!officerEnc.resources.some((e) => e.id === fac2Only[0]!.id));
    assert.equal((await get(`/fhir/R4/Encounter/${fac2Only[0]!.id}`, { cookie: officer })).status, 404);
  });

  it('sensitive episodes never appear, and their ids answer like ids that do not exist', async () => {
    for (const auth of [{ token: tokenFac }, { cookie: admin }]) {
      const everything = [
        ...(await all('/fhir/R4/Encounter?_count=1', auth)).resources,
        ...(await all('/fhir/R4/Condition?_count=3', auth)).resources,
        ...(await all('/fhir/R4/Provenance?_count=3', auth)).resources,
        ...(await all('/fhir/R4/DocumentReference?_count=3', auth)).resources,
      ];
      const text = JSON.stringify(everything);
      for (const key of [sensitiveKey, hiddenRouteKey]) {
        assert.ok(!everything.some((r) => r.id === key || r.id?.startsWith(`${key}-`)), `episode ${key} hidden`);
      }
      assert.ok(!text.includes('F32.9') && !text.includes('trầm cảm'), 'no trace of the mental-health episode');
      assert.ok(!text.includes('"1.9"'), 'no HIV visit category');
      const missing = await get('/fhir/R4/Encounter/999999', auth);
      for (const key of [sensitiveKey, hiddenRouteKey]) {
        const hidden = await get(`/fhir/R4/Encounter/${key}`, auth);
        assert.equal(hidden.status, missing.status);
        assert.deepEqual(hidden.json<OperationOutcome>().issue.map((i) => i.code), missing.json<OperationOutcome>().issue.map((i) => i.code));
        // A search by its id is an empty page exactly like one for an unknown id.
        const shape = (b: Bundle) => ({ ...b, timestamp: undefined, link: b.link?.map((l) => ({ ...l, url: l.url.replace(/_id=\d+/, '_id=X') })) });
        assert.deepEqual(shape(await bundle(`/fhir/R4/Encounter?_id=${key}`, auth)), shape(await bundle('/fhir/R4/Encounter?_id=999999', auth)));
      }
    }
    assert.deepEqual(ids(await bundle('/fhir/R4/Condition?code=F32.9', { cookie: admin })), []);
    // Paging over person A's encounters: one page per visible encounter, the last without next.
    const a = await all('/fhir/R4/Encounter?patient=Patient/PA&_count=1', { cookie: admin });
    assert.equal(a.resources.length, 2);
    assert.equal(a.pages, 2);
  });

  it('a person whose only episodes are sensitive is not a Patient the caller can find', async () => {
    const ep = sampleEpisode(41, FAC2);
    Object.assign(ep.XML1![0]!, { SO_CCCD: '051090000077', HO_TEN: 'Phạm Văn Kín', NGAY_SINH: '198001010000', MA_BENH_CHINH: 'B20', MA_BENH_KT: '', MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '', GT_THE_DEN: '' });
    const r = await f.app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${tokenFac2}` },
      payload: buildEnvelope({ facilityCode: FAC2, createdDate: '20240305', episodes: [ep] }),
    });
    assert.equal(r.statusCode, 201, r.body);
    const person = await f.db.db.selectFrom('episode').select('person_id').where('ma_lk', '=', ep.XML1![0]!.MA_LK!).executeTakeFirstOrThrow();
    assert.ok(person.person_id);
    assert.equal((await get(`/fhir/R4/Patient/${person.person_id}`, { cookie: admin })).status, 404);
    assert.deepEqual(ids(await bundle(`/fhir/R4/Patient?identifier=${SID.cccd}|051090000077`, { cookie: admin })), []);
    assert.ok(!(await all('/fhir/R4/Patient', { token: tokenFac2 })).resources.some((p) => p.id === person.person_id));
  });

  it('pages with _count and working next links, sorts by date both ways, filters by date prefixes', async () => {
    const one = await bundle('/fhir/R4/Observation?_count=500', { cookie: admin });
    const paged = await all('/fhir/R4/Observation?_count=1', { cookie: admin });
    assert.deepEqual(paged.resources.map((r) => r.id), ids(one).map((x) => x.split('/')[1]));
    assert.equal(paged.pages, paged.resources.length);
    const up = (await all('/fhir/R4/Encounter?_sort=date&_count=2', { cookie: admin })).resources as Encounter[];
    const down = (await all('/fhir/R4/Encounter?_sort=-date&_count=2', { cookie: admin })).resources as Encounter[];
    const starts = up.map((e) => e.period!.start!);
    assert.deepEqual(starts, [...starts].sort());
    assert.deepEqual(down.map((e) => e.id), up.map((e) => e.id).reverse());
    const may = (await all('/fhir/R4/Encounter?date=ge2024-05-01&date=lt2024-06-01', { cookie: admin })).resources as Encounter[];
    assert.deepEqual(may.map((e) => e.period!.start!.slice(0, 10)), ['2024-05-10']);
    assert.equal((await all('/fhir/R4/Encounter?date=2024-05-10', { cookie: admin })).resources.length, 1);
    assert.equal((await all('/fhir/R4/Encounter?date=2024-05-10T10:00:00%2B07:00', { cookie: admin })).resources.length, 0, 'a six-hour visit is not inside one second');
    assert.equal((await all('/fhir/R4/Encounter?date=le2024-05-10T03:00:00Z', { cookie: admin })).resources.some((e) => (e as Encounter).period!.start!.startsWith('2024-05-10')), true);
    const labs = (await all('/fhir/R4/Observation?date=ge2024-03-01T12:00:00%2B07:00&date=le2024-03-01T12:00:00%2B07:00', { cookie: admin })).resources;
    assert.equal(labs.length, 2);
    const lastUpdated = await all('/fhir/R4/Encounter?_lastUpdated=gt2000-01-01&_sort=-_lastUpdated&_count=3', { cookie: admin });
    assert.equal(lastUpdated.resources.length, up.length);
    const bad = await get('/fhir/R4/Encounter?date=yesterday', { cookie: admin });
    assert.equal(bad.status, 400);
    assert.equal(bad.json<OperationOutcome>().issue[0]!.code, 'invalid');
    assert.equal((await get('/fhir/R4/Encounter?colour=blue', { cookie: admin })).status, 400);
    assert.equal((await get('/fhir/R4/Encounter?_cursor=abc', { cookie: admin })).status, 400);
  });

  it('token search on codes, with and without the system', async () => {
    const withSystem = await all(`/fhir/R4/Condition?code=${encodeURIComponent(`${EXT.icd10}|I10`)}`, { cookie: admin });
    const bare = await all('/fhir/R4/Condition?code=I10', { cookie: admin });
    assert.ok(withSystem.resources.length > 0);
    assert.deepEqual(bare.resources.map((r) => r.id), withSystem.resources.map((r) => r.id));
    assert.deepEqual(ids(await bundle('/fhir/R4/Condition?code=http://example.org|I10', { cookie: admin })), []);
    const glu = await all('/fhir/R4/Observation?code=GLU', { cookie: admin });
    assert.equal(glu.resources.length, 1);
    assert.equal((glu.resources[0] as { valueQuantity?: { value: number } }).valueQuantity?.value, 8.2);
    const drugs = await all('/fhir/R4/MedicationRequest?code=40.1&patient=PA', { cookie: admin });
    assert.ok(drugs.resources.length >= 1);
  });

  it('_include brings the patient, the facility and the diagnoses; _revinclude the provenance', async () => {
    const b = await bundle('/fhir/R4/Encounter?patient=PA&_include=Encounter:patient&_include=Encounter:service-provider&_include=Encounter:diagnosis&_revinclude=Provenance:target', { cookie: admin });
    const inc = ids(b, 'include');
    assert.ok(inc.includes('Patient/PA'));
    assert.ok(inc.includes(`Organization/${FAC}`) && inc.includes(`Organization/${FAC2}`));
    const encs = (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource as Encounter);
    for (const e of encs) {
      for (const d of e.diagnosis ?? []) assert.ok(inc.includes(d.condition.reference!), d.condition.reference);
      const prov = b.entry!.find((x) => x.resource?.resourceType === 'Provenance' && x.resource.id === e.id)?.resource as Provenance;
      assert.ok(prov.target.some((t) => t.reference === `Encounter/${e.id}`));
    }
    const obs = await bundle('/fhir/R4/Observation?_include=Observation:encounter&_include=Observation:patient', { token: tokenFac });
    assert.ok(ids(obs, 'include').some((x) => x.startsWith('Encounter/')));
    assert.ok(ids(obs, 'include').includes('Patient/PA'));
    assert.equal((await get('/fhir/R4/Encounter?_include=Encounter:location', { cookie: admin })).status, 400);
  });

  it('Provenance names the signed envelope and facility; a resend keeps ids and raises versionId', async () => {
    const enc = (await bundle('/fhir/R4/Encounter?patient=PB', { token: tokenFac })).entry![0]!.resource as Encounter;
    const episode = await f.db.db.selectFrom('episode').select(['submission_id', 'ma_lk']).where('id', '=', Number(enc.id)).executeTakeFirstOrThrow();
    const prov = (await get(`/fhir/R4/Provenance/${enc.id}`, { token: tokenFac })).json<Provenance>();
    assert.equal(prov.entity?.[0]?.what.identifier?.value, episode.submission_id);
    assert.equal(prov.agent[0]!.who.reference, `Organization/${FAC}`);
    const targets = prov.target.map((t) => t.reference);
    assert.ok(targets.includes(`Encounter/${enc.id}`));
    assert.ok(targets.includes(`Condition/${enc.id}-1`));
    assert.deepEqual(ids(await bundle(`/fhir/R4/Provenance?target=Condition/${enc.id}-1`, { token: tokenFac })), [`Provenance/${enc.id}`]);
    // The facility corrects the episode: same MA_LK, new content.
    const ep = sampleEpisode(3, FAC);
    Object.assign(ep.XML1![0]!, { SO_CCCD: '051090000002', MA_BN: 'BN-3', HO_TEN: 'Trần Thị Bình', NGAY_SINH: '199001010000', GIOI_TINH: '2', CHAN_DOAN_RV: 'Đã sửa', MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '', GT_THE_DEN: '' });
    assert.equal(ep.XML1![0]!.MA_LK, episode.ma_lk);
    const r = await f.app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${tokenFac}` },
      payload: buildEnvelope({ facilityCode: FAC, createdDate: '20240306', episodes: [ep] }),
    });
    assert.equal(r.statusCode, 201, r.body);
    const again = (await get(`/fhir/R4/Encounter/${enc.id}`, { token: tokenFac })).json<Encounter>();
    assert.equal(again.id, enc.id);
    assert.equal(again.meta?.versionId, '2');
    const cond = (await get(`/fhir/R4/Condition/${enc.id}-1`, { token: tokenFac })).json<{ note?: Array<{ text: string }> }>();
    assert.match(cond.note?.[0]?.text ?? '', /Đã sửa/);
    const found = await bundle(`/fhir/R4/Encounter?identifier=${encodeURIComponent(`${SID.maLk(FAC)}|${episode.ma_lk}`)}`, { token: tokenFac });
    assert.deepEqual(ids(found), [`Encounter/${enc.id}`]);
  });

  it('a resend naming another patient: the episode continues under that person with one id for search and read', async () => {
    // PE's episode (sample 6) sent again under a new patient id with PD's identity: the new version is
    // placed on PD, the first stays on PE (its own patient record is unchanged) and is no longer current.
    const maLk = sampleEpisode(6, FAC).XML1![0]!.MA_LK!;
    const pd = await f.db.db.selectFrom('person').select(['ho_ten', 'so_cccd', 'ngay_sinh']).where('id', '=', 'PD').executeTakeFirstOrThrow();
    const ep = sampleEpisode(6, FAC);
    Object.assign(ep.XML1![0]!, { MA_BN: 'BN-PD-MOVED', SO_CCCD: pd.so_cccd!, HO_TEN: pd.ho_ten, NGAY_SINH: `${pd.ngay_sinh!.replace(/-/g, '')}0000`, GIOI_TINH: '1', MA_THE_BHYT: '', MA_DKBD: '', GT_THE_TU: '', GT_THE_DEN: '' });
    const r = await f.app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${tokenFac}` },
      payload: buildEnvelope({ facilityCode: FAC, createdDate: '20240307', episodes: [ep] }),
    });
    assert.equal(r.statusCode, 201, r.body);
    const versions = await f.db.db.selectFrom('episode').select(['id', 'version', 'person_id', 'is_current']).where('facility_code', '=', FAC).where('ma_lk', '=', maLk).orderBy('version').execute();
    assert.deepEqual(versions.map((v) => [v.version, v.person_id, v.is_current]), [[1, 'PE', false], [2, 'PD', true]]);
    const identifier = encodeURIComponent(`${SID.maLk(FAC)}|${maLk}`);
    const found = await bundle(`/fhir/R4/Encounter?identifier=${identifier}`, { token: tokenFac });
    assert.equal(ids(found).length, 1);
    const enc = found.entry![0]!.resource as Encounter;
    assert.equal(enc.subject?.reference, 'Patient/PD');
    const read = await get(`/fhir/R4/Encounter/${enc.id}`, { token: tokenFac });
    assert.equal(read.status, 200);
    assert.equal(read.json<Encounter>().id, enc.id);
    assert.equal((await get(`/fhir/R4/Condition/${enc.id}-1`, { token: tokenFac })).status, 200);
    assert.ok(!ids(await bundle('/fhir/R4/Encounter?patient=PE', { token: tokenFac })).includes(`Encounter/${enc.id}`));
    assert.ok(ids(await bundle('/fhir/R4/Encounter?patient=PD', { token: tokenFac })).includes(`Encounter/${enc.id}`));
  });

  it('every read of a person’s data is in the access log', async () => {
    const before = await f.db.db.selectFrom('audit_event').select('id').where('action', 'like', 'fhir.%').execute();
    await get('/fhir/R4/Patient/PC', { token: tokenFac });
    await bundle('/fhir/R4/Condition?patient=PC', { token: tokenFac });
    const rows = await f.db.db
      .selectFrom('audit_event')
      .select(['action', 'person_id', 'actor_type', 'facility_code', 'resource'])
      .where('action', 'like', 'fhir.%')
      .where('id', 'not in', before.length ? before.map((b) => b.id) : [0])
      .orderBy('id')
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.action, r.person_id, r.actor_type, r.facility_code]),
      [
        ['fhir.read', 'PC', 'facility', FAC],
        ['fhir.search', 'PC', 'facility', FAC],
      ],
    );
  });

  it('a revoked credential’s token no longer reads', async () => {
    const { token, clientId } = await tokenFor(FAC);
    assert.equal((await get('/fhir/R4/Patient/PA', { token })).status, 200);
    await f.db.db.updateTable('facility_credential').set({ revoked_at: new Date(Date.now() - 1000) }).where('client_id', '=', clientId).execute();
    assert.equal((await get('/fhir/R4/Patient/PA', { token })).status, 401);
  });

  it('Organization, Coverage, terminology', async () => {
    const org = (await get(`/fhir/R4/Organization/${FAC}`, { token: tokenFac2 })).json<{ name: string; identifier: Array<{ value: string }> }>();
    assert.equal(org.name, 'Bệnh viện Đa khoa Tỉnh Thử');
    const cov = await bundle(`/fhir/R4/Coverage?patient=PA&_include=Coverage:beneficiary`, { cookie: admin });
    assert.deepEqual(ids(cov), ['Coverage/PA']);
    assert.deepEqual(ids(cov, 'include'), ['Patient/PA']);
    const changed = await all('/fhir/R4/Patient?_lastUpdated=ge2000-01-01', { token: tokenFac });
    assert.deepEqual(changed.resources.map((p) => p.id), (await all('/fhir/R4/Patient', { token: tokenFac })).resources.map((p) => p.id));
    assert.deepEqual((await all('/fhir/R4/Patient?_lastUpdated=lt2000-01-01', { token: tokenFac })).resources, []);
    const cs = await bundle(`/fhir/R4/CodeSystem?url=${encodeURIComponent('https://openhssk.vn/fhir/CodeSystem/ket-qua-dtri')}`, {});
    assert.deepEqual(ids(cs), ['CodeSystem/ket-qua-dtri']);
    const vs = await all('/fhir/R4/ValueSet?_count=5', {});
    assert.ok(vs.resources.length >= 10 && vs.pages >= 2);
    assert.equal((await get('/fhir/R4/Patient/PA/_history', { cookie: admin })).status, 404);
    assert.equal((await get('/fhir/R4/Basic', { cookie: admin })).status, 404);
  });

  it('the SQL diagnosis list numbers codes exactly as core does', async () => {
    const cases: Array<[string | null, string | null]> = [
      ['J18.9', 'I10;E11.9'],
      ['j189', ' i10 ; J18.9,E11.9;;'],
      [null, 'A09'],
      ['I10', null],
      ['', ''],
    ];
    for (const [main, kt] of cases) {
      const r = await sql<{ codes: string[] }>`select fhir_diagnosis_codes(${main}, ${kt}) as codes`.execute(f.db.db);
      assert.deepEqual(r.rows[0]!.codes, diagnosisCodes(main, kt), `${main} / ${kt}`);
    }
  });
});
