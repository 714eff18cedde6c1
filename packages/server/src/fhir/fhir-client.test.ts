/**
 * A third-party FHIR client (fhir-kit-client) drives the server over real HTTP: capability statement,
 * search with paging to the end by the server's next links, read, _include, and errors it understands.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Bundle, Encounter, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import { type BookFixture, bookFixture, FAC } from '../../test-support/book-fixture.ts';
import { insertEpisode, staffSession } from '../../test-support/staff.ts';
import { issueCredential } from '../facility/index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';

describe(`fhir-kit-client against /fhir/R4 over HTTP (${DB})`, () => {
  let f: BookFixture;
  let client: Client;
  let admin: Client;

  before(async () => {
    f = await bookFixture();
    // A result read by two more doctors, so Practitioner has pages to walk.
    await insertEpisode(f.db.db, {
      facility: FAC,
      personId: 'PA',
      ngayVao: '2024-05-01 09:00:00',
      rows: { XML4: [{ MA_DICH_VU: '18.0001.0001', TEN_CHI_SO: 'Siêu âm ổ bụng', KET_LUAN: 'Bình thường', NGAY_KQ: '202405011130', MA_BS_DOC_KQ: '000888/QNG-CCHN;000889/QNG-CCHN' }] },
    });
    const c = await issueCredential(f.db.db, FAC);
    const tokenResponse = await fetch(`${f.url}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret }),
    });
    const { access_token } = (await tokenResponse.json()) as { access_token: string };
    client = new Client({ baseUrl: `${f.url}/fhir/R4`, bearerToken: access_token });
    const { cookie } = await staffSession(f.app, f.db.db, { username: 'qtht', fullName: 'Quản trị hệ thống', role: 'system_admin' });
    admin = new Client({ baseUrl: `${f.url}/fhir/R4`, customHeaders: { cookie } });
  });
  after(() => f.close());

  /** The client types every answer loosely; these check what came back instead of asserting it. */
  const asBundle = (x: unknown): Bundle => {
    assert.equal((x as { resourceType?: string }).resourceType, 'Bundle');
    return x as Bundle;
  };
  const asType = <T>(x: unknown, type: string): T => {
    assert.equal((x as { resourceType?: string }).resourceType, type);
    return x as T;
  };
  const matches = (b: Bundle) => (b.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!);

  /** Every page the client reaches through nextPage, in order. */
  async function pages(first: Bundle, by: Client = client): Promise<Bundle[]> {
    const out = [first];
    for (let b = first, n = 0; n < 100; n++) {
      const next = by.nextPage({ bundle: b as never });
      if (!next) return out;
      b = asBundle(await next);
      out.push(b);
    }
    throw new Error('paging did not end');
  }

  it('reads the capability statement', async () => {
    const cs = (await client.capabilityStatement()) as { resourceType: string; rest: Array<{ resource: Array<{ type: string }> }> };
    assert.equal(cs.resourceType, 'CapabilityStatement');
    assert.ok(cs.rest[0]!.resource.some((r) => r.type === 'Observation'));
  });

  it('searches with paging to the end and gets exactly what one large page holds', async () => {
    const whole = asBundle(await client.search({ resourceType: 'MedicationRequest', searchParams: { _count: 500 } }));
    const paged = await pages(asBundle(await client.search({ resourceType: 'MedicationRequest', searchParams: { _count: 2, _sort: 'authoredon' } })));
    assert.ok(paged.length > 2);
    const pagedIds = paged.flatMap(matches).map((r) => r.id);
    assert.equal(new Set(pagedIds).size, pagedIds.length, 'no resource twice');
    assert.deepEqual([...pagedIds].sort(), matches(whole).map((r) => r.id).sort());
    assert.ok(paged.slice(0, -1).every((b) => matches(b).length === 2));
    assert.equal(paged[paged.length - 1]!.link?.some((l) => l.relation === 'next'), false);
  });

  it('pages MedicationDispense, DiagnosticReport, Practitioner, Consent and AuditEvent to the end', async () => {
    // The access log grows with every read: AuditEvent is compared below a time taken before both reads.
    const cases: Array<[Client, string, () => Record<string, string>]> = [
      [client, 'MedicationDispense', () => ({ _sort: '-whenhandedover' })],
      [client, 'DiagnosticReport', () => ({ _sort: 'date' })],
      [client, 'Practitioner', () => ({})],
      [client, 'Consent', () => ({ _sort: 'date' })],
      [admin, 'AuditEvent', () => ({ _sort: '-date', date: `lt${new Date().toISOString()}` })],
    ];
    for (const [by, resourceType, paramsNow] of cases) {
      const params = paramsNow();
      const whole = matches(asBundle(await by.search({ resourceType, searchParams: { ...params, _count: 500 } })));
      const paged = await pages(asBundle(await by.search({ resourceType, searchParams: { ...params, _count: 1 } })), by);
      const ids = paged.flatMap(matches).map((r) => `${r.resourceType}/${r.id}`);
      assert.ok(whole.length >= 2, `${resourceType}: ${whole.length}`);
      assert.equal(new Set(ids).size, ids.length, `${resourceType}: no resource twice`);
      assert.deepEqual(ids, whole.map((r) => `${r.resourceType}/${r.id}`), resourceType);
      const one = whole[0]!;
      assert.deepEqual(await by.read({ resourceType, id: one.id! }), one, resourceType);
    }
  });

  it('reads a resource found by search, with its patient through _include', async () => {
    const b = asBundle(await client.search({ resourceType: 'Encounter', searchParams: { patient: 'Patient/PA', _include: 'Encounter:patient' } }));
    const enc = matches(b)[0] as Encounter;
    assert.ok(enc);
    const patient = b.entry!.find((e) => e.search?.mode === 'include' && e.resource?.resourceType === 'Patient')?.resource as Patient;
    assert.equal(patient.id, 'PA');
    assert.equal(patient.name?.[0]?.text, 'Nguyễn Văn An');
    const read = asType<Encounter>(await client.read({ resourceType: 'Encounter', id: enc.id! }), 'Encounter');
    assert.deepEqual(read, enc);
    const viaRef = asType<Patient>(await client.resolve({ reference: enc.subject!.reference! }), 'Patient');
    assert.equal(viaRef.id, 'PA');
  });

  it('a staff session of a system administrator reaches other facilities as well', async () => {
    const mine = matches(asBundle(await client.search({ resourceType: 'Encounter', searchParams: { patient: 'PA' } })));
    const all = matches(asBundle(await admin.search({ resourceType: 'Encounter', searchParams: { patient: 'PA' } })));
    assert.equal(all.length, mine.length + 1);
  });

  it('errors come back as OperationOutcomes the client surfaces', async () => {
    await assert.rejects(
      () => client.read({ resourceType: 'Patient', id: 'NOBODY' }),
      (e: { response?: { status: number; data: OperationOutcome } }) => e.response?.status === 404 && e.response.data.resourceType === 'OperationOutcome',
    );
    await assert.rejects(
      () => client.search({ resourceType: 'Encounter', searchParams: { date: 'soon' } }),
      (e: { response?: { status: number; data: OperationOutcome } }) => e.response?.status === 400 && e.response.data.issue[0]!.code === 'invalid',
    );
  });
});
